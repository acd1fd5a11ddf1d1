"""The full report on corpora of every shape: each notebook runs, or stops with one sentence that says
what to change, and says only what is true of the corpus in hand.

The corpora in ``tests/corpora/`` are small and invented (see ``tests/corpora/README.md``): English,
Dutch on a non-political topic, a JSONL export of one-paragraph documents with a label column, one
outlet, no dates and no outlets, one document, headlines only. Each is rendered through the
``medialens report`` command, two at a time, once per test session; the tests then read the
rendered notebooks and the index. To keep ``make test`` short, each runs with its corpus's own
one-line parameter file plus fewer resamples (:data:`FEWER_RESAMPLES`: every default that decides
*what* runs is kept), and only one corpus (:data:`WITH_HTML`) is rendered to HTML.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import yaml

from medialens.report import DETERMINISTIC_ENV

CORPORA = Path(__file__).resolve().parent / "corpora"

#: corpus folder -> documents in the corpus (every record kept)
DOCUMENTS = {
    "en_transit": 8,
    "nl_tuinen": 8,
    "nl_bieb_jsonl": 14,
    "nl_een_krant": 6,
    "en_undated": 6,
    "nl_een_document": 1,
    "nl_koppen": 12,
}

#: Words and phrases that only the seed corpus (five Dutch articles on NATO and Ukraine) can make true.
SEED_WORDS = re.compile(
    r"\b(NAVO|Navo|NATO|Stoltenberg|Oekraïne|Oekraïens|Rusland|Russia|Ukraine|Zelensky|Poetin|Moskou|Kremlin"
    r"|no-flyzone|vliegverbod|style-[ABC]|five (seed )?articles|vijf artikelen|five documents|56 example)\b"
)
#: How a notebook that cannot run on a corpus stops (see medialens.checks.Stop): one sentence.
STOPPED = re.compile(r"^stopped: [^\n]+$")


#: A run with a misspelt parameter: (corpus folder, parameter file, notebooks run)
MISSPELT = ("en_transit", "misspelt.params.yaml", ["10_term_frequency"])
#: Resampling counts lowered for the test runs (time only: the same cells run on the same units).
FEWER_RESAMPLES = {
    "10_term_frequency": {"n_bootstrap": 50},
    "20_topic_clustering": {"n_seeds": 2, "n_bootstrap": 1},
    "30_stance_comparison": {"n_bootstrap": 200},
    "40_coding_and_validation": {"n_bootstrap": 100},
}
#: The corpus whose report is also rendered to HTML (the others are executed notebooks and the index).
WITH_HTML = "en_transit"


def _parameter_file(name: str, params: str, out: Path) -> Path:
    """The corpus's parameter file with absolute paths and :data:`FEWER_RESAMPLES` added."""
    values = yaml.safe_load((CORPORA / name / params).read_text(encoding="utf-8"))
    values["corpus"] = str(CORPORA / name / values["corpus"])
    notebooks = values.setdefault("notebooks", {})
    for nb, fewer in FEWER_RESAMPLES.items():
        notebooks[nb] = {**fewer, **notebooks.get(nb, {})}
    path = out / params
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    return path


def _render(name: str, tmp: Path, params: str = "params.yaml", only: list[str] = ()) -> tuple[str, subprocess.CompletedProcess]:
    out = tmp / (name if params == "params.yaml" else f"{name}-{params.split('.')[0]}")  # misspelt.params.yaml: en_transit-misspelt
    env = {**os.environ, **DETERMINISTIC_ENV, "MEDIALENS_CACHE": str(tmp / "cache" / name), "MPLBACKEND": "Agg"}
    html = [] if name == WITH_HTML and params == "params.yaml" else ["--no-html"]
    proc = subprocess.run(
        [sys.executable, "-m", "medialens.cli", "report", str(_parameter_file(name, params, out)), *html,
         "--out", str(out / "report"), "--figures", str(out / "figures"), *[a for nb in only for a in ("--notebook", nb)]],
        capture_output=True, text=True, env=env, timeout=1800,
    )
    return out.name, proc


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every test corpus rendered once (and the misspelt run): name -> (the finished command, its
    report folder)."""
    tmp = tmp_path_factory.mktemp("corpora")
    jobs = [(n, "params.yaml", []) for n in sorted(DOCUMENTS)] + [MISSPELT]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(pool.map(lambda job: _render(job[0], tmp, job[1], job[2]), jobs))
    return {name: (proc, tmp / name / "report") for name, proc in done.items()}


def _manifest(folder: Path) -> list[dict]:
    return json.loads((folder / "report.json").read_text(encoding="utf-8"))["notebooks"]


def _cell_texts(nb) -> list[tuple[str, str]]:
    """(where, text) for every markdown cell and every output of an executed notebook."""
    texts = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            texts.append((f"markdown cell {i}", cell.source))
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append((f"cell {i} output", out.get("text", "")))
            elif out.get("output_type") == "error":
                texts.append((f"cell {i} error", f"{out.get('ename')}: {out.get('evalue')}"))
            else:
                for mime in ("text/plain", "text/html", "text/markdown"):
                    if mime in out.get("data", {}):
                        texts.append((f"cell {i} output {mime}", out["data"][mime]))
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_notebook_runs_or_stops_with_one_sentence(reports, name):
    proc, folder = reports[name]
    rows = _manifest(folder) if (folder / "report.json").is_file() else []
    assert rows, proc.stderr[-3000:]
    bad = [(r["notebook"], r["status"]) for r in rows if r["status"] != "ok" and not STOPPED.match(r["status"])]
    assert not bad, bad
    assert proc.returncode == (0 if all(r["status"] == "ok" for r in rows) else 1), proc.stderr[-3000:]
    if name == WITH_HTML:  # rendered pages, one per notebook
        assert all((folder / r["html"]).is_file() for r in rows), rows


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_no_seed_word_in_any_narrative_output_or_title(reports, name):
    _, folder = reports[name]
    found = []
    for row in _manifest(folder):
        if SEED_WORDS.search(row["title"]):
            found.append((row["notebook"], "title", row["title"]))
        nb = nbformat.read(folder / row["notebook"], as_version=4)
        for where, text in _cell_texts(nb):
            found += [(row["notebook"], where, m.group(0)) for m in SEED_WORDS.finditer(text)]
    index = (folder / "index.html").read_text(encoding="utf-8")
    found += [("index.html", "", m.group(0)) for m in SEED_WORDS.finditer(index)]
    assert not found, found


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_notebook_prints_the_corpus_document_count(reports, name):
    _, folder = reports[name]
    for row in _manifest(folder):
        nb = nbformat.read(folder / row["notebook"], as_version=4)
        counts = [int(m.group(1)) for _, text in _cell_texts(nb) for m in re.finditer(r"<Corpus '[^']*': (\d+) documents", text)]
        if row["status"] == "ok":
            assert counts, f"{row['notebook']} does not print the corpus"
        assert set(counts) <= {DOCUMENTS[name]}, (row["notebook"], counts)


@pytest.mark.slow
def test_a_misspelt_parameter_stops_the_notebook_after_its_parameters_cell_with_one_line(reports):
    proc, folder = reports["en_transit-misspelt"]
    (row,) = _manifest(folder)
    assert proc.returncode == 1
    assert row["status"].startswith("stopped: terms: 'tramm' never occurs in the 8 documents; closest spellings that do occur: 'tram'")
    nb = nbformat.read(folder / row["notebook"], as_version=4)
    params = next(i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", []))
    # the first code cell after the parameters (papermill puts its error notice, a markdown cell, before it)
    at = next(i for i in range(params + 1, len(nb.cells)) if nb.cells[i].cell_type == "code")
    check = nb.cells[at]
    assert "checked_session" in check.source
    (error,) = [o for o in check.outputs if o["output_type"] == "error"]
    assert error["ename"] == "Stop" and len(error["traceback"]) == 1 and error["traceback"][0].startswith("Stop: terms: 'tramm'")
    assert all(not c.get("outputs") for c in nb.cells[at + 1 :] if c.cell_type == "code")  # nothing ran after it


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_notebook_40_runs_on_every_corpus_and_skips_only_the_intrusion_tests_of_one_document(reports, name):
    # issue 16: coding and validation need no clusters; with one document the intrusion tests are
    # skipped with a note and the rest of notebook 40 runs
    _, folder = reports[name]
    (row,) = [r for r in _manifest(folder) if r["notebook"] == "40_coding_and_validation.ipynb"]
    assert row["status"] == "ok", row["status"]
    nb = nbformat.read(folder / row["notebook"], as_version=4)
    skipped = any("intrusion tests skipped" in text for _, text in _cell_texts(nb))
    assert skipped == (DOCUMENTS[name] < 2)
