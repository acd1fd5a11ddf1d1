"""Kernels on IPC sockets: the report runner starts its kernels with :class:`IPCKernelManager`.

Local IPC sockets instead of TCP ports on localhost: no other user of the machine can connect to
the kernels, and ipykernel has no reason to warn on the console that a kernel "is running over
TCP without encryption" (once per notebook of a report run).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, Dict

__all__ = ["IPCKernelManager"]


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels listen on IPC sockets instead of TCP ports. The sockets live
    in a folder of their own (mode 0700) made for each kernel: jupyter_client's default puts them
    in the working folder under names that two kernels started at once can both choose. Windows
    has no IPC transport: TCP there."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="tcp" if os.name == "nt" else "ipc", config=True)
    #: Variables added to the kernel's environment (the runner's own environment is not changed).
    extra_env = Dict(default_value={}, config=True)

    _started: weakref.WeakSet = weakref.WeakSet()
    _started_lock = threading.Lock()

    async def _async_pre_start_kernel(self, **kw):
        """Add :attr:`extra_env` to the environment the kernel is launched with, and remember the
        manager so that :meth:`kill_started` can stop its kernel."""
        if self.extra_env:
            kw["env"] = {**kw.get("env", os.environ), **self.extra_env}
        with IPCKernelManager._started_lock:
            IPCKernelManager._started.add(self)
        return await super()._async_pre_start_kernel(**kw)

    @classmethod
    def with_env(cls, env: dict | None) -> type[IPCKernelManager]:
        """This class, or a subclass whose kernels get ``env`` added to their environment
        (papermill takes a manager class, not an instance)."""
        if not env:
            return cls
        return type(f"{cls.__name__}WithEnv", (cls,), {"extra_env": Dict(default_value=dict(env), config=True)})

    @classmethod
    def kill_started(cls) -> int:
        """Kill the kernel processes still running that managers of this process started (the
        runner stops a report this way when it is interrupted). Returns how many were killed."""
        with cls._started_lock:
            managers = list(cls._started)
        killed = 0
        for km in managers:
            process = getattr(km.provisioner, "process", None) if km.provisioner is not None else None
            if process is not None and process.poll() is None:
                process.kill()
                killed += 1
        return killed

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
