"""Working copies for JupyterLab (make lab) and the kernel set-up every notebook gets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from medialens import cli, lab
from medialens.kernel import RUN_ENV, interactive, prepare
from medialens.lab import figures_folder, lab_command, lab_environment, seed_working_copies
from medialens.paths import project_root
from medialens.store import record

ROOT = Path(__file__).resolve().parents[1]


def _reference(folder: Path, name: str, top_n: int) -> Path:
    nb = new_notebook()
    nb.cells = [new_code_cell(f"top_n = {top_n}  # how many", metadata={"tags": ["parameters"]})]
    path = folder / name
    nbformat.write(record(nb, name), path)
    return path


def test_missing_copies_are_seeded_and_existing_ones_are_kept(tmp_path):
    refs, work = tmp_path / "notebooks", tmp_path / "work"
    refs.mkdir()
    _reference(refs, "00_a.ipynb", 1)
    _reference(refs, "10_b.ipynb", 2)
    assert seed_working_copies(work, refs) == (["00_a.ipynb", "10_b.ipynb"], [])
    assert (work / "00_a.ipynb").read_bytes() == (refs / "00_a.ipynb").read_bytes()
    mine = (work / "00_a.ipynb").read_text().replace("top_n = 1", "top_n = 99")  # a student's edit
    (work / "00_a.ipynb").write_text(mine)
    (work / "10_b.ipynb").unlink()  # start this one over
    assert seed_working_copies(work, refs) == (["10_b.ipynb"], [])
    assert (work / "00_a.ipynb").read_text() == mine
    _reference(refs, "00_a.ipynb", 5)  # the reference is stored anew
    assert seed_working_copies(work, refs) == ([], ["00_a.ipynb"])
    assert (work / "00_a.ipynb").read_text() == mine  # never overwritten


def test_lab_command_passes_extra_arguments_and_allows_root(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    cmd = lab_command(tmp_path, ["--no-browser", "--port", "9999"])
    assert cmd[1:3] == ["-m", "jupyterlab"] and f"--ServerApp.root_dir={tmp_path}" in cmd
    assert "--allow-root" in cmd and cmd[-3:] == ["--no-browser", "--port", "9999"]
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    assert "--allow-root" not in lab_command(tmp_path, [])


def test_the_cli_hands_unknown_arguments_to_jupyterlab(monkeypatch):
    calls = []
    monkeypatch.setattr(lab, "main", lambda args, work_dir=None, params=None: calls.append((args, work_dir, params)) or 0)
    assert cli.main(["lab", "--no-browser", "--port", "9999"]) == 0
    assert cli.main(["lab", "--work", "mine", "--ServerApp.token=x", "--params", "p.yaml"]) == 0
    assert calls == [(["--no-browser", "--port", "9999"], None, None), (["--ServerApp.token=x"], "mine", "p.yaml")]
    with pytest.raises(SystemExit):
        cli.main(["corpus", "corpus/seeds.yaml", "--port", "9999"])


def test_the_makefile_hands_ARGS_to_medialens_lab():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("\nlab:"):].split("\n\n")[0]
    assert "medialens lab $(ARGS)" in recipe


def test_lab_kernels_are_interactive_and_know_the_project_root(monkeypatch):
    monkeypatch.setenv(RUN_ENV, "report")
    env = lab_environment()
    assert RUN_ENV not in env and env["MEDIALENS_ROOT"] == str(project_root())


def test_interactive_figures_go_under_work_and_report_figures_stay(monkeypatch, tmp_path):
    root = project_root()
    monkeypatch.delenv(RUN_ENV, raising=False)
    assert interactive()
    assert figures_folder(root / "figures" / "seeds") == root / "work" / "figures" / "seeds"
    assert figures_folder(root / "work" / "mine") == root / "work" / "mine"
    assert figures_folder(tmp_path) == tmp_path  # outside the project: as given
    monkeypatch.setenv(RUN_ENV, "report")
    assert not interactive()
    assert figures_folder(root / "figures" / "seeds") == root / "figures" / "seeds"


def test_prepare_sets_up_what_results_depend_on(monkeypatch, tmp_path):
    from threadpoolctl import threadpool_info

    monkeypatch.chdir(tmp_path)  # JupyterLab starts a kernel in the notebook's folder
    monkeypatch.delenv(RUN_ENV, raising=False)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(name, "4")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    try:
        prepare()
        assert Path.cwd() == project_root()
        assert os.environ["OMP_NUM_THREADS"] == os.environ["OPENBLAS_NUM_THREADS"] == "1"
        assert os.environ["SOURCE_DATE_EPOCH"] == "1640995200"  # figure files carry a fixed date
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
        html = pd.DataFrame({"text": ["Prijs: $5 tot $10"]})._repr_html_()
        assert "mathjax_ignore" in html  # JupyterLab's MathJax skips the table
    finally:
        pd.reset_option("display.html.use_mathjax")


def test_a_report_kernel_stays_where_it_was_started(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(RUN_ENV, "test")
    try:
        prepare()
        assert Path.cwd() == tmp_path
    finally:
        pd.reset_option("display.html.use_mathjax")


def test_an_interactive_session_writes_its_figures_under_work(monkeypatch, tmp_path):
    from medialens.session import open_session

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(RUN_ENV, raising=False)
    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "cache"))
    try:
        session = open_session("corpus/seeds.yaml", figures_dir="figures/seeds")
    finally:
        pd.reset_option("display.html.use_mathjax")
    assert session.figures_dir == project_root() / "work" / "figures" / "seeds"
    assert "figures in work/figures/seeds" in repr(session)


def test_the_stored_record_survives_in_a_copy():
    """A working copy keeps the record of the reference it was copied from (that is how make lab
    tells an outdated copy)."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert json.loads(path.read_text(encoding="utf-8"))["metadata"]["medialens"]["stored"]["sources"]


def test_copies_for_a_parameter_file_carry_its_values_and_no_stored_outputs(tmp_path):
    """``medialens lab --params``: a class shares one parameter file; each copy's parameters cell
    shows its values (comments kept, multi-line values replaced whole), outputs cleared."""
    from medialens.lab import parameter_plan
    from medialens.report import notebook_parameters

    params = tmp_path / "class.params.yaml"
    params.write_text(
        "corpus: ../../corpus/seeds.yaml\ntop_n: 3\nnotebooks:\n  30_stance_comparison:\n"
        "    targets: {NAVO: [NAVO, Navo]}\n",
        encoding="utf-8",
    )
    params.write_text(params.read_text().replace("../../corpus/seeds.yaml", str(ROOT / "corpus" / "seeds.yaml")))
    name, plan = parameter_plan(params)
    assert name == "seeds" and set(plan) == {p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb")}
    work = tmp_path / "work"
    copied, outdated = seed_working_copies(work, ROOT / "notebooks", plan, "class.params.yaml")
    assert copied == sorted(plan) and outdated == []
    ten = notebook_parameters(work / "10_term_frequency.ipynb")
    assert ten["top_n"].default == 3 and ten["top_n"].comment == "terms shown per group"
    assert ten["corpus"].default == "corpus/seeds.yaml"  # relative to the project root, as in a report
    assert ten["figures_dir"].default == "figures/seeds"  # an interactive run moves it under work/
    if "tables_dir" in ten:  # not the report's reports/<corpus>/tables: the interactive default
        assert ten["tables_dir"].default == notebook_parameters(ROOT / "notebooks" / "10_term_frequency.ipynb")["tables_dir"].default
    thirty = notebook_parameters(work / "30_stance_comparison.ipynb")
    assert thirty["targets"].default == {"NAVO": ["NAVO", "Navo"]}
    assert thirty["min_n"].default == notebook_parameters(ROOT / "notebooks" / "30_stance_comparison.ipynb")["min_n"].default
    nb = nbformat.read(work / "10_term_frequency.ipynb", as_version=4)
    assert nb.cells[1].source.startswith("# values from class.params.yaml")
    assert all(not c.outputs and c.execution_count is None for c in nb.cells if c.cell_type == "code")


def test_a_bad_parameter_file_is_named_and_starts_nothing(tmp_path):
    import io

    params = tmp_path / "bad.params.yaml"
    params.write_text(f"corpus: {ROOT / 'corpus' / 'seeds.yaml'}\ntop_m: 3\n", encoding="utf-8")
    stream = io.StringIO()
    assert lab.main([], params=str(params), work_dir=str(tmp_path / "w"), stream=stream) == 2
    assert "parameter 'top_m' is declared by no notebook" in stream.getvalue() and not (tmp_path / "w").exists()


def test_working_copies_in_the_project_are_ignored_by_git():
    import subprocess

    probe = ["work/10_term_frequency.ipynb", "work/seeds/10_term_frequency.ipynb", "work/figures/seeds/top_terms.png"]
    out = subprocess.run(["git", "check-ignore", *probe], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == probe
