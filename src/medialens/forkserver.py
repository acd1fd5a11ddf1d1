"""Report kernels forked from a process that has already imported what the notebooks use.

Every notebook of a report runs in a kernel of its own, and starting one costs a Python
interpreter, ipykernel and the notebook's imports (pandas, matplotlib, SciPy, scikit-learn and
medialens): 1 to 1.6 CPU seconds per notebook whatever the corpus size. On Linux the report
runner therefore starts one *fork server* beside its first notebooks (:func:`running`): it imports
those modules once (:data:`PRELOAD`, in the kernels' environment) and then forks each later kernel
from itself, so a kernel starts with the imports done.

* **The same kernel.** The forked child is the kernel ``python -m ipykernel_launcher -f <file>``
  would start: same interpreter and environment (the kernel's own variables, working folder and
  standard streams are passed to it), same ipykernel entry point. Importing a module runs the same
  code whether it happens before or after the fork; nothing else runs in the server.
* **jupyter_client sees a normal process.** :class:`ForkKernelManager` launches a small stand-in
  (``_forkclient.py``, standard library only, ``python -I -S``) instead of the kernel. It asks the
  server for a kernel, passes signals on to it (interrupts) and exits with the kernel's exit code;
  when the stand-in is killed, the server kills the kernel. So polling, waiting, interrupting and
  killing by the runner work as with any kernel.
* **Imported as in a kernel.** A few modules look at their surroundings while they are imported:
  the server sets the matplotlib backend ipykernel sets, and offers the ``get_ipython()`` of a
  kernel's shell (pandas chooses its display defaults by it). The report's pages, figures and
  tables are the same with and without the server (``tests/test_forkserver.py``).
* **Started ahead.** The kernels of notebooks that wait for a free slot are forked while the
  earlier notebooks run (:class:`KernelsAhead`), so each is ready when its turn comes.
* **Falls back, never fails.** The kernel of the runner's first notebook starts the usual way
  at once while the server imports (later ones wait for it, at most :data:`SERVER_WAIT`
  seconds). After the server has gone, on other systems than Linux, for a kernel command that is
  not this interpreter's ipykernel, or with ``MEDIALENS_FORK_KERNELS=0``, kernels start the
  usual way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Hashable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .ipc_kernel import IPCKernelManager

__all__ = ["ForkKernelManager", "KernelsAhead", "running", "FORK_ENV", "PRELOAD", "serve"]

#: ``MEDIALENS_FORK_KERNELS=0`` starts every report kernel the usual way.
FORK_ENV = "MEDIALENS_FORK_KERNELS"
#: Modules the server imports before it forks kernels: ipykernel and what the notebooks import.
#: One that fails to import is left out (the kernel then imports it, or fails, as without the server).
PRELOAD = (
    "ipykernel.kernelapp",
    "numpy",
    "pandas",
    "scipy.sparse",
    "scipy.special",
    "scipy.stats",
    "sklearn.cluster",
    "sklearn.feature_extraction.text",
    "sklearn.metrics",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "medialens.session",
    "medialens.checks",
    "medialens.corpus",
    "medialens.plots",
    "medialens.frequency",
    "medialens.clustering",
    "medialens.quotes",
    "medialens.stance",
    "medialens.handcoding",
    "medialens.intrusion",
    "medialens.reliability",
)
#: Seconds a kernel waits at most for the fork server to be ready before it starts the usual way.
SERVER_WAIT = 120
_CLIENT = Path(__file__).with_name("_forkclient.py")
_SOCKET = "server"
_MAX_REQUEST = 1 << 20


def enabled() -> bool:
    """Whether this machine and environment fork report kernels (Linux, not switched off)."""
    return sys.platform.startswith("linux") and os.environ.get(FORK_ENV, "1").strip() != "0"


# --------------------------------------------------------------------------------------------
# The runner's side
# --------------------------------------------------------------------------------------------
class ForkKernelManager(IPCKernelManager):
    """:class:`~medialens.ipc_kernel.IPCKernelManager` whose kernels are forked from the fork
    server of :func:`running`, when one is ready and the kernel command is this interpreter's
    ipykernel; otherwise launched as usual."""

    #: The socket of the running fork server (set by :func:`running`), or None.
    server_socket: str | None = None
    #: The fork server's process (set by :func:`running`).
    server: subprocess.Popen | None = None
    #: Start the kernel at once, the usual way, if the server is not ready yet: the runner's first
    #: notebook, which loads the corpus the next one waits for, starts while the server imports
    #: on the other core. Other kernels wait for the server (at most :data:`SERVER_WAIT` seconds).
    at_once = False

    @classmethod
    def starting_at_once(cls) -> type[ForkKernelManager]:
        """This class with :attr:`at_once` set."""
        return type(f"{cls.__name__}AtOnce", (cls,), {"at_once": True})

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw):
        sock = ForkKernelManager.server_socket
        if sock and ForkKernelManager.server is not None and _is_this_ipykernel(kernel_cmd):
            deadline = time.monotonic() + SERVER_WAIT
            while not self.at_once and _server_importing(deadline):
                await asyncio.sleep(0.02)
            if os.path.exists(sock):
                kernel_cmd = [sys.executable, "-I", "-S", str(_CLIENT), sock, *kernel_cmd]
        return await super()._async_launch_kernel(kernel_cmd, **kw)


def _server_importing(deadline: float) -> bool:
    """Whether the fork server of :func:`running` is still importing (not ready, not failed)
    before ``deadline`` (a :func:`time.monotonic` time)."""
    sock, server = ForkKernelManager.server_socket, ForkKernelManager.server
    return bool(sock) and server is not None and not os.path.exists(sock) and server.poll() is None and time.monotonic() < deadline


def _server_ready() -> bool:
    """Wait (at most :data:`SERVER_WAIT` seconds) until the fork server of :func:`running` is
    ready; False if there is none, or it failed."""
    deadline = time.monotonic() + SERVER_WAIT
    while _server_importing(deadline):
        time.sleep(0.02)
    sock = ForkKernelManager.server_socket
    return bool(sock) and os.path.exists(sock)


class KernelsAhead:
    """Kernels forked for later notebooks while earlier ones run.

    A notebook that waits for a free slot would start its kernel only when it gets one, and
    forking it, ipykernel's start and the first reply take about half a second on the report's
    path for every such notebook; started ahead, the kernel is ready when its turn comes. Kernels
    are started ahead only when they are forked (a kernel started the usual way would import for
    seconds beside the running notebooks), one at a time, in the environment and working folder
    papermill would start them in.

    :meth:`manager_class` gives papermill the kernel: constructing the class returns the manager
    of the kernel started ahead, and nbclient, finding its kernel running, uses it and shuts it
    down after the notebook as it does the kernels it starts. :meth:`close` shuts down the
    kernels no notebook took (when the runner stops early).
    """

    def __init__(self, cwd: str) -> None:
        self._cwd = cwd
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medialens-kernel")
        self._started: dict[Hashable, Future] = {}  # not taken yet
        self._all: list[Future] = []

    def start(self, key: Hashable, kernel_name: str, env: dict[str, str] | None) -> None:
        """Start, in the background, the kernel of the notebook ``key`` (its kernel spec
        ``kernel_name``, ``env`` added to its environment); nothing without a fork server."""
        if ForkKernelManager.server_socket is not None:
            self._started[key] = future = self._pool.submit(self._start, kernel_name, env)
            self._all.append(future)

    def _start(self, kernel_name: str, env: dict[str, str] | None) -> ForkKernelManager | None:
        from jupyter_core.utils import run_sync

        if not _server_ready():
            return None
        km = ForkKernelManager.with_env(env)(kernel_name=kernel_name)
        # as nbclient starts an ipykernel for papermill: its history in memory, in papermill's folder
        extra = ["--HistoryManager.hist_file=:memory:"]
        if not _is_this_ipykernel(km.format_kernel_cmd(extra_arguments=extra)):  # the command jupyter_client would launch
            return None  # would not be forked: started when its turn comes
        run_sync(km.start_kernel)(extra_arguments=extra, cwd=self._cwd)
        return km

    def manager_class(self, key: Hashable, env: dict[str, str] | None) -> type[ForkKernelManager]:
        """The kernel manager class papermill gets for the notebook ``key``: one whose construction
        returns the kernel started ahead for it, or (none started, its start failed or it has
        died since) ``ForkKernelManager.with_env(env)``, which starts one then."""
        from jupyter_core.utils import run_sync

        base = ForkKernelManager.with_env(env)
        future = self._started.pop(key, None)
        km = None
        if future is not None:
            try:
                km = future.result()
                if km is not None and not run_sync(km.is_alive)():  # died while it waited (out of memory, say)
                    run_sync(km.cleanup_resources)()
                    km = None
            except Exception:  # failed to start: the usual way then
                km = None
        if km is None:
            return base
        # km is not an instance of the new class, so Python does not initialise it again
        return type(f"{base.__name__}Started", (base,), {"__new__": lambda cls, *args, **kwargs: km})

    def close(self) -> None:
        """Shut down the kernels started ahead that are still running when the notebooks have
        run: those no notebook took, or took but did not start (the runner stopped early)."""
        from jupyter_core.utils import run_sync

        self._pool.shutdown(wait=True, cancel_futures=True)
        for future in self._all:
            if future.cancelled() or future.exception() is not None or (km := future.result()) is None:
                continue
            with contextlib.suppress(Exception):
                if run_sync(km.is_alive)():
                    run_sync(km.shutdown_kernel)(now=True)
                else:  # killed when the runner stopped: its sockets and connection file are left
                    run_sync(km.cleanup_resources)()
        self._started.clear()
        self._all.clear()


def _is_this_ipykernel(cmd: list[str]) -> bool:
    """``cmd`` is ``<this python> -m ipykernel_launcher -f <connection file>``, with options
    (``--Name.setting=value``: papermill adds ``--HistoryManager.hist_file=:memory:``)."""
    if len(cmd) < 5 or cmd[1:3] != ["-m", "ipykernel_launcher"] or cmd[3] != "-f":
        return False
    if not all(arg.startswith("--") for arg in cmd[5:]):
        return False
    exe = shutil.which(cmd[0]) or cmd[0]
    with contextlib.suppress(OSError):
        return os.path.samefile(exe, sys.executable)
    return False


@contextlib.contextmanager
def running(env: dict[str, str] | None = None, *, wait: bool = False) -> Iterator[str | None]:
    """Run a fork server for the kernels :class:`ForkKernelManager` starts inside the block.

    Parameters
    ----------
    env : dict, optional
        The kernels' environment (default: this process's); the server imports in it.
    wait : bool
        Wait until the server is ready before entering the block (tests); by default the block
        starts at once and kernels are forked from the server once it has finished importing.

    Yields
    ------
    str or None
        The server's socket, or None when kernels are not forked here (:func:`enabled`).
    """
    if not enabled():
        yield None
        return
    folder = tempfile.mkdtemp(prefix="medialens-fork-")  # mode 0700: no other user connects
    sock = os.path.join(folder, _SOCKET)
    # stdin is a pipe the server watches: when this process ends, however it ends, the server
    # kills the kernels it forked and exits
    proc = subprocess.Popen(
        [sys.executable, "-m", "medialens.forkserver", sock],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE if wait else subprocess.DEVNULL,
        env=dict(os.environ if env is None else env),
        start_new_session=True,
    )
    try:
        if wait:
            assert proc.stdout is not None
            proc.stdout.readline()  # "ready" (or end of file: the server failed)
        ForkKernelManager.server_socket, ForkKernelManager.server = sock, proc
        yield sock
    finally:
        ForkKernelManager.server_socket, ForkKernelManager.server = None, None
        with contextlib.suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------
class _KernelShell:
    """What a module that looks at ``get_ipython()`` while it is imported sees in a kernel: a
    shell with a kernel (pandas chooses its notebook display defaults by that)."""

    kernel = None


def _preload() -> None:
    """Import :data:`PRELOAD` as a kernel would: with the matplotlib backend ipykernel sets
    (before matplotlib reads it) and a shell to find, as in a kernel."""
    import builtins
    import importlib

    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    builtins.get_ipython = _KernelShell  # type: ignore[attr-defined]
    try:
        for name in PRELOAD:
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    finally:
        del builtins.get_ipython  # type: ignore[attr-defined]


def _send(conn: socket.socket, message: dict) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(message).encode() + b"\n")


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """One request of ``_forkclient.py``: a JSON line with the kernel's argv, working folder and
    environment, and its three standard streams as file descriptors."""
    data, fds, _flags, _addr = socket.recv_fds(conn, _MAX_REQUEST, 3)
    while not data.endswith(b"\n"):
        more = conn.recv(_MAX_REQUEST)
        if not more:
            raise EOFError("request cut short")
        data += more
    return json.loads(data), list(fds)


def _become_kernel(request: dict, fds: list[int]) -> None:
    """In the forked child: take the kernel's streams, folder and environment, run ipykernel and
    exit (never returns)."""
    code = 1
    try:
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = list(request["argv"])
        if sys.path and sys.path[0] in ("", os.getcwd()):  # as ipykernel_launcher does
            del sys.path[0]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from ipykernel import kernelapp

        # the one setting ipykernel takes from the environment at import (in the server, where
        # it is not set): the launcher's process id, without which the kernel prints a note
        kernelapp.launch_new_instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 (printed, and the exit code says it)
        import traceback

        traceback.print_exc()
    finally:
        import atexit

        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        os._exit(code)


def serve(sock: str) -> None:
    """Import :data:`PRELOAD`, then fork a kernel for every request on the Unix socket ``sock``
    until standard input ends; kill the kernels still running then."""
    _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock + ".tmp")
    listener.listen(16)
    os.rename(sock + ".tmp", sock)  # the socket appears when it accepts: ready
    print("ready", flush=True)
    kernels: dict[int, socket.socket] = {}  # pid -> the connection of its stand-in
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "listener")
    sel.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    try:
        while not stopping:
            for key, _ in sel.select(timeout=0.05):
                if key.data == "stdin":
                    if not os.read(sys.stdin.fileno(), 4096):
                        stopping = True
                elif key.data == "listener":
                    conn, _ = listener.accept()
                    try:
                        request, fds = _receive(conn)
                    except (OSError, ValueError, EOFError):
                        conn.close()
                        continue
                    pid = os.fork()
                    if pid == 0:
                        sel.close()
                        listener.close()
                        for other in [*kernels.values(), conn]:
                            other.close()
                        _become_kernel(request, fds)
                    for fd in fds:
                        os.close(fd)
                    kernels[pid] = conn
                    sel.register(conn, selectors.EVENT_READ, pid)
                    _send(conn, {"pid": pid})
                else:  # the stand-in closed its connection (killed, or gone): the kernel goes too
                    pid = key.data
                    with contextlib.suppress(OSError):
                        if not key.fileobj.recv(4096):
                            sel.unregister(key.fileobj)
                            os.kill(pid, signal.SIGKILL)
            _reap(kernels, sel)
    finally:
        for pid in list(kernels):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        while kernels:
            _reap(kernels, sel, block=True)
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(sock)


def _reap(kernels: dict[int, socket.socket], sel: selectors.BaseSelector, *, block: bool = False) -> None:
    """Collect the kernels that have exited and tell their stand-ins the exit code."""
    while kernels:
        try:
            pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            kernels.clear()
            return
        if pid == 0:
            return
        conn = kernels.pop(pid, None)
        if conn is not None:
            _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
            with contextlib.suppress(KeyError, ValueError):
                sel.unregister(conn)
            conn.close()
        if block:
            return


if __name__ == "__main__":
    serve(sys.argv[1])
