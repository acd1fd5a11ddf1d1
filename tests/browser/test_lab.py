"""The JupyterLab path in a real browser: ``make test-browser`` (not part of ``make test``).

``medialens lab`` starts JupyterLab on 127.0.0.1 with a token, private Jupyter config, data and
runtime folders and a working folder of its own, seeded from ``notebooks/``; Playwright drives
Debian's ``chromium``. For every notebook the test opens the working copy, clears its outputs,
runs *Restart Kernel and Run All Cells*, saves it and checks: every code cell ran, in order, with
no error; every figure shows in the page; the kernel shown is the project's; and the outputs are
the stored reference outputs (kernels are started without the Makefile's environment: no
``PYTHONHASHSEED``, no thread counts, so this also checks that the kernel sets up what matters
itself). Then it changes a parameter of notebook 10 in the editor, runs it again and checks that
the output follows. The interactive figures go to ``work/``: the tracked figures are not touched,
``git status`` is as before, and every process the test started is stopped.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from medialens.lab import WORK_DIR
from medialens.store import KERNELSPEC

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
CHROMIUM = os.environ.get("MEDIALENS_CHROMIUM", "/usr/bin/chromium")
#: Variables the Makefile exports for determinism: the kernels here are started without them.
MAKEFILE_ENV = ("PYTHONHASHSEED", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "SOURCE_DATE_EPOCH", "MPLBACKEND", "TQDM_DISABLE", "MEDIALENS_RUN")
RUN_TIMEOUT = 900  # seconds for one Run All on a busy 2-core machine
EDIT = ("10_term_frequency.ipynb", "top_n", 3)  # the parameter changed in the editor


def _figures(folder: Path) -> dict[str, str]:
    """The files of a figures folder with a hash of their content (another test run may write the
    same figures again meanwhile: what must not change is what they hold)."""
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*")) if p.is_file()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def _processes_mentioning(text: str) -> dict[int, list[str]]:
    """Processes whose command line mentions ``text`` (pid -> argv)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if any(text in a for a in argv):
                found[int(proc.name)] = [a for a in argv if a]
    return found


class Lab:
    """A JupyterLab server started by ``medialens lab`` for this test, and a browser page."""

    def __init__(self, tmp: Path):
        self.tmp, self.work, self.token, self.port = tmp, tmp / "work", secrets.token_hex(16), _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.runtime = tmp / "jupyter-runtime"
        self.settings = tmp / "jupyter-config" / "lab" / "user-settings" / "@jupyterlab"
        env = {k: v for k, v in os.environ.items() if k not in MAKEFILE_ENV}
        env.update(JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"), JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
                   JUPYTER_RUNTIME_DIR=str(self.runtime), IPYTHONDIR=str(tmp / "ipython"),
                   JUPYTER_PLATFORM_DIRS="1")
        self._write_settings()
        cmd = [sys.executable, "-m", "medialens.cli", "lab", "--work", str(self.work), "--no-browser",
               "--ip", "127.0.0.1", f"--port={self.port}", "--port-retries=0",
               f"--IdentityProvider.token={self.token}", "--ServerApp.open_browser=False"]
        self.log = (tmp / "lab.log").open("w")
        self.server = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        self._wait_for_server()

    def _write_settings(self) -> None:
        """No news pop-up; every cell in the page (no windowing), so outputs can be read."""
        for ext, name, value in (("apputils-extension", "notification", {"fetchNews": "false", "checkForUpdates": False}),
                                 ("notebook-extension", "tracker", {"windowingMode": "none"})):
            (self.settings / ext).mkdir(parents=True, exist_ok=True)
            (self.settings / ext / f"{name}.jupyterlab-settings").write_text(json.dumps(value))

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(f"{self.base}{path}", method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def _wait_for_server(self) -> None:
        for _ in range(300):
            if self.server.poll() is not None:
                raise AssertionError(f"medialens lab exited with {self.server.returncode}:\n{self.read_log()}")
            try:
                self.api("/api/status")
                return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"JupyterLab did not answer within 150 s:\n{self.read_log()}")

    def read_log(self) -> str:
        self.log.flush()
        return (self.tmp / "lab.log").read_text(errors="replace")[-5000:]

    def kernels(self) -> dict[int, list[str]]:
        """The kernel processes of this server (their connection files are in its runtime folder)."""
        return {pid: argv for pid, argv in _processes_mentioning(str(self.runtime)).items() if pid != self.server.pid}

    def stop(self) -> None:
        """Shut down every kernel and the server; kill what does not stop."""
        try:
            for session in self.api("/api/sessions") or []:
                self.api(f"/api/sessions/{session['id']}", method="DELETE")
            self.api("/api/shutdown", method="POST")
        except OSError:
            pass
        try:
            self.server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        self.log.close()


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------
_STATE = """() => {
  const shown = p => !p.classList.contains('lm-mod-hidden') && (!p.checkVisibility || p.checkVisibility());
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find(shown);
  if (!panel) return null;
  const cells = [...panel.querySelectorAll('.jp-CodeCell')];
  return {
    prompts: cells.map(c => ((c.querySelector('.jp-InputArea-prompt') || {}).textContent || '').trim()),
    kernel: ((panel.querySelector('.jp-Toolbar-kernelName') || {}).textContent || '').trim(),
    status: (panel.querySelector('.jp-Notebook-ExecutionIndicator') || {getAttribute: () => null}).getAttribute('data-status'),
    dirty: !!document.querySelector('.lm-DockPanel-tabBar .lm-mod-current.jp-mod-dirty'),
    images: [...panel.querySelectorAll('.jp-OutputArea-output img')].map(i => i.complete && i.naturalWidth > 0),
  };
}"""


def _wait(page, condition, what: str, timeout: float = RUN_TIMEOUT):
    end = time.monotonic() + timeout
    state = None
    while time.monotonic() < end:
        state = page.evaluate(_STATE)
        if state and condition(state):
            return state
        time.sleep(1)
    raise AssertionError(f"{what}: not reached in {timeout:.0f} s; page state {state}")


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def _run_all(page, name: str) -> dict:
    """Clear the outputs, Restart Kernel and Run All Cells, wait for the last cell, save."""
    _menu(page, "Edit", "Clear Outputs of All Cells")
    _wait(page, lambda s: all(p in ("[ ]:", "") for p in s["prompts"]), f"{name}: outputs cleared", 60)
    _menu(page, "Kernel", "Restart Kernel and Run All Cells…")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    done = _wait(page, lambda s: s["status"] == "idle" and all(re.fullmatch(r"\[\d+\]:", p) for p in s["prompts"]),
                 f"{name}: Run All")
    page.keyboard.press("Control+s")
    _wait(page, lambda s: not s["dirty"], f"{name}: saved", 60)
    return done


def _open(page, lab: Lab, name: str) -> dict:
    page.goto(f"{lab.base}/lab/tree/{name}?token={lab.token}&reset")  # reset: no tabs of earlier tests
    return _wait(page, lambda s: s["status"] == "idle" and s["kernel"] not in ("", "No Kernel"), f"{name}: kernel ready", 300)


# --------------------------------------------------------------------------------------------
# What a run must show
# --------------------------------------------------------------------------------------------
def _sanitizers() -> list[tuple[re.Pattern, str]]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    found = [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]
    return [(re.compile(rf"\b{WORK_DIR}/(?=figures/)"), ""), *found]  # interactive figures go to work/


#: The MIME type of a widget: the progress bars medialens shows in JupyterLab only (medialens.progress).
WIDGET = "application/vnd.jupyter.widget-view+json"


def _comparable(nb) -> list:
    """Per code cell, what must equal the reference: text and HTML shown, printed text (not the
    progress bars, which only an interactive kernel shows)."""
    subs = _sanitizers()

    def clean(text: str) -> str:
        for pattern, replacement in subs:
            text = pattern.sub(replacement, text)
        return text

    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "NBVAL_IGNORE_OUTPUT" in cell.source:
            continue
        shown = []
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stdout":
                shown.append(("stdout", clean(out.text)))
            elif out.output_type in ("execute_result", "display_data") and WIDGET not in out.data:
                shown += [(mime, clean(out.data[mime])) for mime in ("text/plain", "text/html") if mime in out.data]
        cells.append((cell.source.splitlines()[0] if cell.source else "", shown))
    return cells


def _check_run(lab: Lab, name: str, state: dict) -> nbformat.NotebookNode:
    saved = nbformat.read(lab.work / name, as_version=4)
    code = [c for c in saved.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), f"{name}: cells did not run in order"
    errors = [(c.source.splitlines()[0], o.get("ename"), o.get("evalue")) for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{name}: error output {errors}"
    pngs = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert len(state["images"]) == pngs and all(state["images"]), f"{name}: {pngs} figures, shown in the page: {state['images']}"
    assert state["kernel"] == KERNELSPEC["display_name"], f"{name}: kernel shown {state['kernel']!r}"
    return saved


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("playwright")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test-browser` installs Debian's chromium when run as root")
    from playwright.sync_api import sync_playwright

    status, figures = _git_status(), _figures(ROOT / "figures" / "seeds")
    server = Lab(tmp_path_factory.mktemp("lab"))
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            server.page = page
            yield server
            browser.close()
    finally:
        server.stop()
        leftover = server.kernels()
        for pid in leftover:
            os.kill(pid, signal.SIGKILL)
    assert not leftover, f"kernels still running after the server stopped: {leftover}"
    assert _git_status() == status, "the browser run changed the git checkout"
    assert _figures(ROOT / "figures" / "seeds") == figures, "an interactive run changed the tracked figures"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_in_the_working_copy_shows_the_reference_outputs(lab, name):
    state = _open(lab.page, lab, name)
    assert sorted(p.name for p in lab.work.glob("*.ipynb")) == NOTEBOOKS  # seeded from notebooks/
    saved = _check_run(lab, name, _run_all(lab.page, name))
    kernels = lab.kernels()
    assert kernels and all(argv[0] == sys.executable for argv in kernels.values()), f"kernels: {kernels}"
    assert state["kernel"] == KERNELSPEC["display_name"]
    reference = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    for (first, got), (_, want) in zip(_comparable(saved), _comparable(reference), strict=True):
        assert got == want, f"{name}: the cell starting {first!r} shows other outputs than the stored reference"


def test_a_parameter_edited_in_the_browser_changes_the_output(lab):
    name, parameter, value = EDIT
    page = lab.page
    _open(page, lab, name)
    saved = nbformat.read(lab.work / name, as_version=4)
    before = _comparable(saved)
    source = next(c.source for c in saved.cells if "parameters" in c.metadata.get("tags", []))
    assert re.search(rf"^{parameter} = ", source, re.M), source
    edited = re.sub(rf"^{parameter} = [^#\n]*?(\s+#)", rf"{parameter} = {value!r}\1", source, flags=re.M)
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").first  # the parameters cell
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(edited)  # as typed: one edit of the whole cell
    page.keyboard.press("Escape")
    _check_run(lab, name, _run_all(page, name))
    saved = nbformat.read(lab.work / name, as_version=4)
    assert f"{parameter} = {value!r}" in saved.cells[[c.cell_type for c in saved.cells].index("code")].source
    after = _comparable(saved)
    changed = [first for (first, a), (_, b) in zip(before, after, strict=True) if a != b]
    assert changed, f"{name}: {parameter} = {value!r} changed no output"
    assert (ROOT / WORK_DIR / "figures" / "seeds" / "top_terms.png").is_file()  # figures of interactive runs
