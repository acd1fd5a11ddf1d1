"""The report's fork server: kernels forked with the imports done are the kernels the runner would
start, interrupts and kills reach them, and a report is the same with and without it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time

import nbformat
import pytest

from medialens import forkserver
from medialens.forkserver import ForkKernelManager

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux only")


def _gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


async def _with_kernel(code: str, *, env: dict | None = None, cwd: str | None = None, then=None, manager=ForkKernelManager):
    """Start a kernel with ``manager``, run ``code`` (which prints one JSON line), return what it
    printed, the manager and what ``then(km, kc)`` returned."""
    km = manager(kernel_name="python3")
    await km.start_kernel(env={**os.environ, **(env or {})}, cwd=cwd or os.getcwd())
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=120)
        printed = []
        reply = await kc.execute_interactive(code, timeout=60, output_hook=lambda m: printed.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok", reply["content"]
        result = json.loads("".join(printed))
        extra = await then(km, kc) if then else None
        return result, km, extra
    finally:
        kc.stop_channels()
        if await km.is_alive():
            await km.shutdown_kernel(now=True)
        else:  # killed by the test: its sockets and their folder are left
            await km.cleanup_resources()


PROBE = (
    "import json, os, sys; print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), 'cwd': os.getcwd(), "
    "'var': os.environ.get('MEDIALENS_PROBE'), 'preloaded': 'pandas' in sys.modules and 'medialens.plots' in sys.modules}))"
)


def test_a_kernel_is_forked_from_the_server_with_its_own_environment_and_folder(tmp_path):
    with forkserver.running(wait=True) as sock:
        assert sock and os.path.exists(sock)
        server = ForkKernelManager.server
        probe, km, _ = asyncio.run(_with_kernel(PROBE, env={"MEDIALENS_PROBE": "yes"}, cwd=str(tmp_path)))
        assert probe["ppid"] == server.pid and probe["preloaded"]
        assert probe["cwd"] == str(tmp_path) and probe["var"] == "yes"
        assert _gone(probe["pid"])
    assert server.poll() is not None and not os.path.exists(sock)  # the server ends with the block


def test_kernels_start_the_usual_way_without_a_ready_server(monkeypatch, tmp_path):
    import subprocess

    probe, _, _ = asyncio.run(_with_kernel(PROBE))  # no server
    assert not probe["preloaded"]
    # a server that is not ready: a kernel that may start at once does, another waits
    # SERVER_WAIT seconds at most, and both start the usual way
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        monkeypatch.setattr(ForkKernelManager, "server_socket", str(tmp_path / "not-ready"))
        monkeypatch.setattr(ForkKernelManager, "server", sleeper)
        monkeypatch.setattr(forkserver, "SERVER_WAIT", 1.0)
        for waits in (False, True):
            start = time.monotonic()
            probe, _, _ = asyncio.run(_with_kernel(PROBE, manager=ForkKernelManager if waits else ForkKernelManager.starting_at_once()))
            assert not probe["preloaded"] and probe["ppid"] != sleeper.pid
            if waits:
                assert time.monotonic() - start >= 1.0
    finally:
        sleeper.kill()
        sleeper.wait()
    monkeypatch.setenv(forkserver.FORK_ENV, "0")
    with forkserver.running() as sock:
        assert sock is None


def test_an_interrupt_reaches_a_forked_kernel_and_killing_its_stand_in_kills_it():
    async def interrupt_then_kill(km, kc):
        msg_id = kc.execute("import time; time.sleep(60)")
        await asyncio.sleep(1)
        await km.interrupt_kernel()
        reply = await kc.get_shell_msg(timeout=20)
        assert reply["parent_header"]["msg_id"] == msg_id
        stand_in = km.provisioner.process
        os.kill(stand_in.pid, signal.SIGKILL)  # as the runner kills kernels on Ctrl-C
        return reply["content"]

    with forkserver.running(wait=True):
        probe, _, content = asyncio.run(_with_kernel(PROBE, then=interrupt_then_kill))
        assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt"
        assert _gone(probe["pid"])


def _normalised(path, *names) -> str:
    from medialens.store import _merge_adjacent_streams

    nb = _merge_adjacent_streams(nbformat.read(path, as_version=4))
    for cell in nb.cells:
        cell.pop("id", None)
    text = json.dumps(nb, sort_keys=True)
    for i, name in enumerate(names):
        text = text.replace(str(name), f"<{i}>")
    return text


def test_the_seed_report_is_the_same_with_forked_kernels(tmp_path, monkeypatch):
    # how stdout is cut into stream outputs depends on timing in any kernel: compared merged
    from medialens.report import run_report

    runs = {}
    for fork in ("1", "0"):
        monkeypatch.setenv(forkserver.FORK_ENV, fork)
        out, figs = tmp_path / f"out{fork}", tmp_path / f"figs{fork}"
        assert run_report("corpus/seeds.params.yaml", out_dir=out, figures_dir=figs, stream=open(os.devnull, "w")) == 0
        runs[fork] = (out, figs)
    (out1, figs1), (out0, figs0) = runs["1"], runs["0"]
    notebooks = sorted(p.name for p in out0.glob("*.ipynb"))
    assert notebooks and notebooks == sorted(p.name for p in out1.glob("*.ipynb"))
    for name in notebooks:
        assert _normalised(out1 / name, out1, figs1) == _normalised(out0 / name, out0, figs0), name
    # and the figures are the committed seed figures: `make report` leaves a clone unchanged
    from medialens.paths import project_root

    seeds = project_root() / "figures" / "seeds"
    assert sorted(p.name for p in figs0.iterdir()) == sorted(p.name for p in seeds.iterdir())
    for name in sorted(p.name for p in seeds.iterdir()):
        assert (seeds / name).read_bytes() == (figs0 / name).read_bytes(), f"figures/seeds/{name}: run make report and commit it"
    for folder0, folder1 in ((figs0, figs1), (out0 / "tables", out1 / "tables")):
        files = sorted(p.name for p in folder0.iterdir())
        assert files and files == sorted(p.name for p in folder1.iterdir())
        for name in files:
            assert (folder0 / name).read_bytes() == (folder1 / name).read_bytes(), name


def _probe_notebook(path) -> None:
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    nb.cells = [new_code_cell(PROBE)]
    nbformat.write(nb, path)


def test_kernels_started_ahead_run_their_notebook_and_are_shut_down_after_it(tmp_path):
    """A kernel started ahead is forked in the notebook's environment and papermill's folder;
    papermill runs the notebook in it, and it is shut down after the notebook as a kernel papermill
    starts itself. Those no notebook ran are shut down by close()."""
    from medialens.paths import project_root
    from medialens.report import _execute

    _probe_notebook(tmp_path / "probe.ipynb")
    with forkserver.running() as sock:
        assert sock
        server = ForkKernelManager.server
        ahead = forkserver.KernelsAhead(cwd=str(project_root()))
        ahead.start("used", "python3", {"MEDIALENS_PROBE": "ahead"})
        ahead.start("left", "python3", None)
        ahead.start("taken", "python3", None)
        try:
            manager = ahead.manager_class("used", {"MEDIALENS_PROBE": "not this"})  # waits for the start
            km = manager(kernel_name="python3")
            assert km.has_kernel and asyncio.run(km.is_alive())
            assert manager(kernel_name="python3") is km and ahead.manager_class("used", None) is ForkKernelManager
            nb = _execute(tmp_path / "probe.ipynb", tmp_path / "out.ipynb", {}, manager=manager)
            probe = json.loads(nb.cells[-1].outputs[0]["text"])
            assert probe["ppid"] == server.pid and probe["preloaded"]
            assert probe["var"] == "ahead" and probe["cwd"] == str(project_root())
            assert _gone(probe["pid"]) and not asyncio.run(km.is_alive())
            left = ahead._started["left"].result()
            taken = ahead.manager_class("taken", None)(kernel_name="python3")  # and not run: the runner stopped
            assert asyncio.run(left.is_alive()) and asyncio.run(taken.is_alive())
        finally:
            ahead.close()
        assert not asyncio.run(left.is_alive()) and not asyncio.run(taken.is_alive())


def test_no_kernel_is_started_ahead_without_a_fork_server(monkeypatch):
    monkeypatch.setenv(forkserver.FORK_ENV, "0")
    with forkserver.running() as sock:
        assert sock is None
        ahead = forkserver.KernelsAhead(cwd=os.getcwd())
        ahead.start(1, "python3", {"A": "1"})
        manager = ahead.manager_class(1, {"A": "1"})
        km = manager(kernel_name="python3")  # a new manager, which starts its kernel itself
        assert isinstance(km, ForkKernelManager) and not km.has_kernel and km.extra_env == {"A": "1"}
        ahead.close()


def test_a_kernel_started_ahead_that_died_is_replaced_and_killed_ones_leave_no_files(tmp_path, monkeypatch):
    """A kernel started ahead that died before its turn (out of memory, say) is not given to
    papermill: the notebook starts its own. Kernels killed when the runner stops leave no socket
    folder or connection file behind. A kernel spec that is not this interpreter's ipykernel is
    not started ahead."""
    from jupyter_client.kernelspec import KernelSpecManager

    from medialens.paths import project_root

    with forkserver.running():
        ahead = forkserver.KernelsAhead(cwd=str(project_root()))
        ahead.start("died", "python3", None)
        ahead.start("killed", "python3", None)
        try:
            died = ahead._started["died"].result()
            died.provisioner.process.kill()
            died.provisioner.process.wait(timeout=20)
            folder, connection = died._socket_dir, died.connection_file
            manager = ahead.manager_class("died", {"A": "1"})
            assert manager(kernel_name="python3") is not died and not os.path.exists(folder) and not os.path.exists(connection)
            killed = ahead._started["killed"].result()
            folder, connection = killed._socket_dir, killed.connection_file
            killed.provisioner.process.kill()  # as IPCKernelManager.kill_started does on Ctrl-C
        finally:
            ahead.close()
        assert not os.path.exists(folder) and not os.path.exists(connection)

    spec = tmp_path / "kernels" / "other"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": ["/bin/false", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "other", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    assert "other" in KernelSpecManager().find_kernel_specs()
    with forkserver.running(wait=True):
        ahead = forkserver.KernelsAhead(cwd=os.getcwd())
        try:
            ahead.start("other", "other", None)
            assert ahead._started["other"].result() is None
        finally:
            ahead.close()
