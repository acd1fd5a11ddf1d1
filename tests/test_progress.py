"""Progress bars show in JupyterLab only: headless runs (papermill, nbval, the report) print nothing."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from medialens import progress


class _Shell:
    def __init__(self, config):
        self.config = config


@pytest.fixture
def lab(monkeypatch):
    """A kernel as JupyterLab starts it: JPY_SESSION_NAME set, an IPKernelApp shell."""
    import IPython

    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/10_term_frequency.ipynb")
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: _Shell({"IPKernelApp": {}}))
    pytest.importorskip("ipywidgets")


def test_headless_is_quiet(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert not progress.interactive()
    items = range(5)
    assert progress.bar(items, desc="x") is items


def test_a_lab_kernel_gets_a_bar_unless_disabled(lab, monkeypatch):
    assert progress.interactive()
    shown = progress.bar(range(3), desc="bootstrap")
    assert list(shown) == [0, 1, 2] and shown is not range(3)
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert not progress.interactive()


def test_a_plain_python_with_the_variable_is_not_a_kernel(monkeypatch):
    import IPython

    monkeypatch.setenv("JPY_SESSION_NAME", "x")
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert not progress.interactive()
    monkeypatch.setattr(IPython, "get_ipython", lambda: _Shell({"TerminalIPythonApp": {}}))
    assert not progress.interactive()


def test_enabled_overrides(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    items = [1, 2]
    assert progress.bar(items, desc="x", enabled=False) is items
    assert list(progress.bar(items, desc="x", enabled=True)) == items


def test_a_papermill_run_of_a_long_step_stores_no_bar(tmp_path, monkeypatch):
    """Even without TQDM_DISABLE, a kernel papermill starts has no Jupyter server: no bar output."""
    import papermill as pm

    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    nb = new_notebook(metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    nb.cells = [new_code_cell("from medialens import progress\ntotal = sum(progress.bar(range(50), desc='steps'))\nprint(total)")]
    path = tmp_path / "bar.ipynb"
    nbformat.write(nb, path)
    out = pm.execute_notebook(str(path), str(tmp_path / "out.ipynb"), progress_bar=False, log_output=False)
    outputs = out.cells[0].outputs
    assert [o.get("text") for o in outputs] == ["1225\n"]


def test_make_lab_lets_the_bars_show():
    """The Makefile exports TQDM_DISABLE=1 for headless runs; its lab target clears it for JupyterLab."""
    from conftest import ROOT

    recipe = ROOT.joinpath("Makefile").read_text().split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "TQDM_DISABLE= " in recipe and "medialens lab" in recipe
