"""House rules that keep the project usable by a newcomer and checkable by nbval."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT
from medialens.report import notebook_parameters

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make report", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    runs = [ln.strip() for ln in ci.splitlines() if ln.strip().startswith("make ")]
    # the README's test command first, then only the extra test targets an issue adds (test-*)
    assert runs[0] == "make test", runs
    makefile = (ROOT / "Makefile").read_text()
    for extra in runs[1:]:
        target = extra.split()[1]
        assert re.fullmatch(r"test-[a-z]+", target), f".ci/run runs {extra!r}: only make test and test-* targets"
        assert re.search(rf"^{target}:", makefile, re.M), f".ci/run runs {target}, which the Makefile lacks"
    assert "make test-browser" in runs, "CI drives JupyterLab in a browser (issue 15)"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_listed_in_the_readme(nb_path):
    assert f"`{nb_path.name}`" in README, f"README's notebook table does not mention {nb_path.name}"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_outputs_come_from_a_clean_in_order_run(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", []), "first code cell must be tagged 'parameters'"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    assert any(c["outputs"] for c in code), "no stored outputs: run `make store`"
    for c in code:
        for out in c["outputs"]:
            assert out["output_type"] != "error", f"stored error output in {nb_path.name}"
            text = json.dumps(out)
            assert not re.search(r"/(work|home|root|tmp)/", text), f"machine path in {nb_path.name}: {text[:200]}"
    assert nb["cells"][0]["cell_type"] == "markdown" and nb["cells"][0]["source"][0].startswith("# ")
    for cell in nb["cells"]:
        lines = [ln for ln in "".join(cell["source"]).splitlines() if ln.strip()]
        if cell["cell_type"] == "markdown" and len(lines) > 2:
            assert not all(ln.startswith("# ") for ln in lines), f"{nb_path.name}: markdown written as comments"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_what_make_store_recorded(nb_path):
    """nbval compares a notebook with its own stored outputs, so an edit saved in JupyterLab
    (autosave) would pass it: the record ``make store`` keeps in the notebook does not."""
    from medialens.store import check_stored, stored_message

    problems = check_stored(nb_path)
    assert not problems, stored_message(nb_path, problems)


def test_every_notebook_has_the_kernelspec_jupyterlab_writes():
    """So that opening and saving a notebook unchanged makes no diff."""
    from medialens.store import KERNELSPEC

    assert {nb: json.loads(nb.read_text(encoding="utf-8"))["metadata"]["kernelspec"] == KERNELSPEC for nb in NOTEBOOKS} == {
        nb: True for nb in NOTEBOOKS
    }


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_is_checkable_and_commented(nb_path):
    params = notebook_parameters(nb_path)
    assert {"corpus", "figures_dir"} <= set(params)
    for p in params.values():
        assert p.comment, f"{nb_path.name}: parameter {p.name} has no comment"


def test_seed_parameter_file_validates_against_every_notebook():
    from medialens.report import plan_report

    out, figs, plan = plan_report(ROOT / "corpus" / "seeds.params.yaml")
    assert [nb.name for nb, _ in plan] == [p.name for p in NOTEBOOKS]
    assert out == ROOT / "reports" / "seeds" and figs == ROOT / "figures" / "seeds"
    for _nb, params in plan:  # paths inside the project reach the kernel relative to its root
        assert params["corpus"] == "corpus/seeds.yaml"
        assert params["figures_dir"] == "figures/seeds"



def test_the_readme_corpus_definition_loads_when_pasted(tmp_path, monkeypatch):
    from medialens.corpus import load_corpus

    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "cache"))
    section = README[README.index("## Your own corpus"):]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    text = "\n".join(line.removeprefix("   ") for line in block.splitlines()) + "\n"
    (tmp_path / "corpus").mkdir()
    definition = tmp_path / "corpus" / "mycorpus.yaml"
    definition.write_text(text, encoding="utf-8")
    folder = tmp_path / "data" / "nieuws"  # the example's source.path, relative to the YAML file
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(
        "date 2022-03-01\ntitle Navo-top\noutlet Krant\nDe Navo-top in Brussel besprak de steun aan Oekraïne "
        "en de sancties tegen Rusland. De minister zei dat het bondgenootschap geen troepen stuurt.\n",
        encoding="utf-8",
    )
    corpus = load_corpus(definition, use_cache=False)
    assert corpus.name == "mycorpus"
    assert corpus.documents[["doc_id", "outlet", "month"]].values.tolist() == [["a", "Krant", "2022-03"]]


def _git_ignored(path: str) -> bool:
    import subprocess

    done = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, capture_output=True, check=False)
    if done.returncode not in (0, 1):
        pytest.skip(f"not a git checkout: {done.stderr.decode(errors='replace').strip()}")
    return done.returncode == 0


def test_figures_of_other_corpora_are_ignored_by_git_and_the_seed_figures_are_not():
    assert _git_ignored("figures/mycorpus/top_terms.png")
    assert _git_ignored("figures/report/x.svg")
    assert not _git_ignored("figures/seeds/top_terms.png")
    assert _git_ignored("reports/seeds/index.html")


def test_package_data_names_only_files_that_exist():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config.get("tool", {}).get("setuptools", {}).get("package-data", {})
    for package, globs in patterns.items():
        for pattern in globs:
            assert list((ROOT / "src" / package).glob(pattern)), f"package-data {package}: {pattern!r} matches no file"


def test_documents_cited_in_the_package_exist():
    """A docstring that says "see X.md" must point at a file of the project."""
    for module in sorted((ROOT / "src" / "medialens").rglob("*.py")):
        for cited in re.findall(r"(?i)\bsee\s+`*([\w./-]+\.md)\b", module.read_text(encoding="utf-8")):
            assert (ROOT / cited).is_file(), f"{module.name} cites {cited}, which the project does not contain"
