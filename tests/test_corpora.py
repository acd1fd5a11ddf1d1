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
import pandas as pd
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
#: A run of notebook 30 with a document label column and hand codes of whole documents
LABELLED = ("nl_bieb_jsonl", "labelled.params.yaml", ["30_stance_comparison"])
#: Parameters naming a file, relative to the parameter file (made absolute for the test runs)
PATH_PARAMETERS = ("coding_file",)
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
    for given in notebooks.values():
        given.update({k: str(CORPORA / name / given[k]) for k in PATH_PARAMETERS if given.get(k)})
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
    jobs = [(n, "params.yaml", []) for n in sorted(DOCUMENTS)] + [MISSPELT, LABELLED]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(pool.map(lambda job: _render(job[0], tmp, job[1], job[2]), jobs))
    return {name: (proc, tmp / name / "report") for name, proc in done.items()}


#: The largest shape: a generated corpus of this many short documents (four outlets, some undated,
#: a few in English), checked with ``--check`` and rendered through :data:`LARGE_NOTEBOOKS`.
LARGE = 2000
LARGE_NOTEBOOKS = ["00_corpus", "10_term_frequency"]
_SUBJECTS = ["De gemeente", "Het waterschap", "De provincie", "Een bewonersgroep", "Wethouder Anna de Vries", "Het havenbedrijf",
             "Directeur Karim Bouzid van het museum", "Een groep ondernemers", "De politie", "De school", "Het ziekenhuis", "De vereniging"]
_VERBS = ["bespreekt", "onderzoekt", "verbetert", "betaalt", "steunt", "bekritiseert", "opent", "sluit", "plant", "verbouwt"]
_OBJECTS = ["de nieuwe brug", "het fietspad langs de rivier", "de bibliotheek", "het zwembad", "de markt op zaterdag",
            "de parkeergarage", "het park bij het station", "de busverbinding", "de sporthal", "het oude postkantoor",
            "de dijk bij de haven", "de speeltuin"]
_TAILS = ["voor het einde van het jaar", "na klachten van bewoners", "met geld van het rijk", "ondanks bezwaren",
          "samen met vrijwilligers", "in overleg met de buurt", "volgens een nieuw plan", "zonder extra kosten"]
_ENGLISH = "The council discusses the new bridge over the river with local residents this week. Residents say the bus " \
           "service has become worse since the spring, and they want answers from the council. Report number {i}."
_OUTLETS = ["Kustkrant", "Stadsblad", "Dagblad Oost", "Weekblad Noord"]
#: every this-many-th document of the large corpus is in English (left out of a Dutch analysis), or undated
LARGE_ENGLISH_EVERY, LARGE_UNDATED_EVERY = 250, 50


def write_large_corpus(folder: Path, n: int = LARGE) -> Path:
    """A JSONL corpus of ``n`` short invented Dutch documents (one to three paragraphs, a quote in
    some), every :data:`LARGE_ENGLISH_EVERY`-th in English and every :data:`LARGE_UNDATED_EVERY`-th
    undated, with its definition and a one-line parameter file; returns the parameter file."""
    import numpy as np

    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "groot.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(n):
            if i % LARGE_ENGLISH_EVERY == 7:
                text = _ENGLISH.format(i=i)
            else:
                paras = [" ".join(f"{_SUBJECTS[rng.integers(12)]} {_VERBS[rng.integers(10)]} {_OBJECTS[rng.integers(12)]} {_TAILS[rng.integers(8)]}."
                                  for _ in range(int(rng.integers(2, 4)))) for _ in range(int(rng.integers(1, 4)))]
                if i % 3 == 0:
                    paras.append(f"„Dit is {('goed', 'slecht', 'belangrijk')[i % 9 // 3]} voor de stad”, zegt Anna de Vries.")
                text = "\n\n".join(paras) + f" Bericht {i}."
            date = "" if i % LARGE_UNDATED_EVERY == 3 else f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}"
            fh.write(json.dumps({"id": f"g{i:04d}", "date": date, "outlet": _OUTLETS[i % 4], "text": text}, ensure_ascii=False) + "\n")
    (folder / "corpus.yaml").write_text("name: nl_groot\nlanguage: nl\nsource: {path: groot.jsonl, format: jsonl}\nfields: {id: id}\n", encoding="utf-8")
    (folder / "params.yaml").write_text("corpus: corpus.yaml\n", encoding="utf-8")
    return folder / "params.yaml"


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess, Path]:
    """The large corpus checked (``--check``) and rendered through :data:`LARGE_NOTEBOOKS`:
    (the check, the render, its report folder)."""
    tmp = tmp_path_factory.mktemp("large")
    params = write_large_corpus(tmp / "nl_groot")
    env = {**os.environ, **DETERMINISTIC_ENV, "MEDIALENS_CACHE": str(tmp / "cache"), "MPLBACKEND": "Agg"}
    cli = [sys.executable, "-m", "medialens.cli", "report", str(params)]
    check = subprocess.run([*cli, "--check"], capture_output=True, text=True, env=env, timeout=900)
    out = ["--no-html", "--out", str(tmp / "report"), "--figures", str(tmp / "figures")]
    render = subprocess.run([*cli, *out, *[a for nb in LARGE_NOTEBOOKS for a in ("--notebook", nb)]],
                            capture_output=True, text=True, env=env, timeout=1800)
    return check, render, tmp / "report"


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


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_hand_codes_are_used_only_when_the_parameter_file_names_them(reports, name):
    _, folder = reports[name]
    rows = {r["notebook"]: r for r in _manifest(folder)}
    row = rows["30_stance_comparison.ipynb"]
    if row["status"] != "ok":
        return
    outputs = [t for where, t in _cell_texts(nbformat.read(folder / row["notebook"], as_version=4)) if "output" in where]
    assert any("no coding_file: question 4 skipped" in t for t in outputs)
    assert not any("coded units" in t or "stance_codes" in t for t in outputs)


@pytest.mark.slow
def test_a_document_label_and_codes_of_whole_documents_are_learnt_and_applied_at_document_level(reports):
    proc, folder = reports["nl_bieb_jsonl-labelled"]
    (row,) = _manifest(folder)
    assert row["status"] == "ok", proc.stderr[-3000:]
    texts = [t for _, t in _cell_texts(nbformat.read(folder / row["notebook"], as_version=4))]
    assert any(t.startswith("10 coded units (document level) from ") for t in texts), texts
    predicted = pd.read_csv(folder / "tables" / "stance_predicted.csv")
    assert set(predicted["target"]) == {"(whole document)"} and set(predicted["label"]) == {"gebouw", "gebruikers"}
    assert predicted.groupby("label")["n_units"].sum().tolist() == [14, 14]  # every document once, no sentence
    assert (predicted["n_units"] == predicted["n_documents"]).all()
    findings = next(t for t in texts if t.startswith("Findings"))
    assert "Document label. `genre`, learnt from whole documents: Macro-F1 " in findings and "over 14 documents." in findings
    assert "Hand codes. Macro-F1 " in findings and "over 10 coded units." in findings


@pytest.mark.slow
def test_a_corpus_of_2000_documents_passes_the_check_and_renders(large):
    check, render, folder = large
    assert check.returncode == 0, check.stderr[-3000:]
    rows = _manifest(folder)
    assert [r["status"] for r in rows] == ["ok"] * len(LARGE_NOTEBOOKS), render.stderr[-3000:]
    english = LARGE // LARGE_ENGLISH_EVERY  # documents in English, left out of the Dutch analysis and named
    for row in rows:
        texts = [t for _, t in _cell_texts(nbformat.read(folder / row["notebook"], as_version=4))]
        counts = {int(m.group(1)) for t in texts for m in re.finditer(r"<Corpus '[^']*': (\d+) documents", t)}
        notes = [t for t in texts if t.startswith("Analysis language 'nl': ")]
        # the corpus notebook describes the corpus as loaded; the others the documents they analyse
        assert counts == {LARGE if row["notebook"] == "00_corpus.ipynb" else LARGE - english}, (row["notebook"], counts)
        assert notes and f"{english} document(s) in another language left out: en {english} (g0007, g0257, " in notes[0], notes
        assert not [m.group(0) for t in texts for m in SEED_WORDS.finditer(t)], row["notebook"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_no_cell_shows_a_bare_none(reports, name):
    _, folder = reports[name]
    bare = [(row["notebook"], where) for row in _manifest(folder)
            for where, text in _cell_texts(nbformat.read(folder / row["notebook"], as_version=4))
            if "text/plain" in where and text.strip() == "None"]
    assert not bare, bare
