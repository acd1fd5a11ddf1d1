"""Progress bars for long steps, in JupyterLab only.

A notebook opened in JupyterLab (or Jupyter Notebook) shows a bar (tqdm's notebook widget) while
a long step runs: reading the input files, bootstrap resamples, k-means for every k and every
stability run, quote extraction. The bar is removed when the step ends (``leave=False``), so a
saved notebook holds no bars.

Headless runs show nothing: the report runner, ``make store``, nbval and papermill start their
kernels without a Jupyter server, and the runner and the Makefile set ``TQDM_DISABLE=1`` as well,
so stored outputs and report pages never hold a bar. A kernel counts as interactive when a
Jupyter server started it (the server sets ``JPY_SESSION_NAME`` in the kernel's environment),
``TQDM_DISABLE`` is not set and ``ipywidgets`` is installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

__all__ = ["interactive", "bar"]

_OFF = ("", "0", "false", "no")


def interactive() -> bool:
    """True in a kernel a Jupyter server started (JupyterLab), with widgets and bars not disabled."""
    if os.environ.get("TQDM_DISABLE", "").strip().lower() not in _OFF:
        return False
    if not os.environ.get("JPY_SESSION_NAME"):
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or "IPKernelApp" not in shell.config:
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def bar(iterable: Iterable, *, desc: str, total: int | None = None, unit: str = "it", enabled: bool | None = None) -> Iterable:
    """``iterable`` with a progress bar when it should show one, else ``iterable`` itself.

    Parameters
    ----------
    iterable : iterable
        What the step goes through.
    desc : str
        The bar's label ("bootstrap", "k-means" ...).
    total : int, optional
        Number of items, when ``iterable`` has no length.
    unit : str
        What one item is.
    enabled : bool, optional
        Show a bar (True: tqdm's notebook bar in a kernel, a text bar in a terminal), show none
        (False), or decide by :func:`interactive` (None, the default).

    Returns
    -------
    iterable
        The same items in the same order.
    """
    if not (interactive() if enabled is None else enabled):
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, unit=unit, leave=False)
