"""Kernels on IPC sockets: the report runner starts its kernels with :class:`IPCKernelManager`.

Local IPC sockets instead of TCP ports on localhost: no other user of the machine can connect to
the kernels, and ipykernel has no reason to warn on the console that a kernel "is running over
TCP without encryption" (once per notebook of a report run).
"""

from __future__ import annotations

import os
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum

__all__ = ["IPCKernelManager"]


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
