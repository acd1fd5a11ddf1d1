"""The analysis context: one call opens the corpus, the text settings, the tokeniser and the figure
saver; every notebook declares the common parameters the same way and passes them to it."""

from __future__ import annotations

import ast

import matplotlib
import nbformat
import pandas as pd
import pytest

from conftest import ROOT
from medialens.plots import new_figure
from medialens.report import notebook_parameters
from medialens.session import SESSION_PARAMETERS, Session, open_session
from medialens.text import TextSettings, Tokenizer

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DECLARED = {nb.stem: notebook_parameters(nb) for nb in NOTEBOOKS}

#: Declared by every notebook, so that a parameter file's top-level value reaches all of them.
EVERY_NOTEBOOK = ("corpus", "figures_dir", "tables_dir", "language", "remove_stopwords", "reduce", "use_cache")

#: Names several notebooks declare with different defaults on purpose (the type is still one).
DEFAULTS_DIFFER = {
    "ngram_range": "term counts show word pairs; clustering uses words only, pairs would thin the matrix",
    "n_bootstrap": "bootstrap intervals need 1,000+ resamples; clustering stability re-runs k-means on a few",
}


# --------------------------------------------------------------------------------------------
# The context object
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds() -> Session:
    return open_session("corpus/seeds.yaml", figures_dir="figures/test-session", use_cache=False)


def test_open_session_loads_the_corpus_and_builds_the_settings(seeds):
    assert seeds.corpus.name == "seeds" and len(seeds.documents) == 5
    assert seeds.documents is seeds.corpus.documents
    # language "auto" takes the corpus definition's language; the rest are the notebook defaults
    assert seeds.settings == TextSettings(language="nl", remove_stopwords=True, keep_negations=True, reduce="none")
    assert isinstance(seeds.tokenizer, Tokenizer) and seeds.tokenizer.settings == seeds.settings
    assert seeds.figures_dir == ROOT / "figures" / "test-session"
    assert seeds.random_state == 0
    assert "seeds" in repr(seeds) and "5 documents" in repr(seeds)


def test_the_in_memory_engine_counts_every_document_and_prints_no_engine_line(seeds):
    from medialens.frequency import bootstrap_log_ratio, count_terms

    assert seeds.engine is None and seeds.engine_line(sample="the concordance", spark="term counts are made") == ""
    assert seeds.n_documents == 5 and seeds.corpus_line == repr(seeds.corpus)
    got = seeds.count_terms(ngram_range=(1, 2), keep_terms=["navo"], group_by="outlet")
    mem = count_terms(seeds.documents, settings=seeds.settings, ngram_range=(1, 2), keep_terms=["navo"])
    pd.testing.assert_frame_equal(got.terms, mem.terms)
    pd.testing.assert_frame_equal(got.documents, mem.documents)
    assert (got.matrix != mem.matrix).nnz == 0
    kwargs = {"group_by": "outlet", "group": "style-A", "terms": ["navo", "rusland"], "n_bootstrap": 50}
    a, b = seeds.bootstrap_log_ratio(got, **kwargs), bootstrap_log_ratio(mem, **kwargs)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.notes == b.notes


def test_the_in_memory_engine_notes_no_sample(seeds, capsys):
    seeds.note_sample("the preview")
    assert seeds.sample_line("the preview") == "" and capsys.readouterr().out == ""


def test_opening_a_session_on_the_in_memory_engine_does_not_import_pyspark():
    import subprocess
    import sys

    code = ("import sys; from medialens.session import open_session; "
            "open_session('corpus/seeds.yaml', figures_dir='figures/test-session'); print('pyspark' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_a_spark_backend_without_the_extra_is_one_line_naming_the_corpus(tmp_path, monkeypatch):
    import medialens.spark.session as spark_session

    def missing():
        raise ImportError("backend.engine = 'spark' needs pyspark: install the extra with `make spark`")

    monkeypatch.setattr(spark_session, "require_pyspark", missing)  # as without pyspark installed
    text = (ROOT / "corpus" / "seeds.yaml").read_text(encoding="utf-8").replace("path: ../seeds ", f"path: {(ROOT / 'seeds').as_posix()} ", 1)
    (tmp_path / "c.yaml").write_text(text + "backend: {engine: spark}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"^corpus = '.*c\.yaml': backend\.engine = 'spark' needs pyspark: install the extra") as err:
        open_session(str(tmp_path / "c.yaml"), figures_dir=str(tmp_path / "figs"))
    assert "\n" not in str(err.value)


def test_session_defaults_are_the_declared_ones():
    import inspect

    signature = inspect.signature(open_session)
    assert {name: p.default for name, p in signature.parameters.items()} == SESSION_PARAMETERS


def test_settings_follow_the_parameters(tmp_path):
    # the seeds without language detection: their language column is the definition's, not evidence,
    # so an explicit language keeps every document (with detection, no seed is English: see below)
    import yaml

    definition = yaml.safe_load((ROOT / "corpus" / "seeds.yaml").read_text(encoding="utf-8"))
    definition["source"]["path"] = str(ROOT / "seeds")
    definition["cleaning"]["detect_language"] = False
    (tmp_path / "seeds-undetected.yaml").write_text(yaml.safe_dump(definition), encoding="utf-8")
    s = open_session(
        tmp_path / "seeds-undetected.yaml", figures_dir=tmp_path, language="en", remove_stopwords=False,
        keep_negations=False, reduce="lemma", random_state=7, use_cache=False,
    )
    assert s.settings == TextSettings(language="en", remove_stopwords=False, keep_negations=False, reduce="lemma")
    assert s.random_state == 7 and s.figures_dir == tmp_path
    assert len(s.documents) == 5 and s.left_out.empty


def test_an_analysis_language_none_of_the_seeds_is_in_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"^language = 'en': none of the 5 documents of 'seeds' is in 'en' \(language column: nl 5\)"):
        open_session("corpus/seeds.yaml", figures_dir=tmp_path, language="en", use_cache=False)


def test_paths_are_taken_from_the_project_root_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = open_session("corpus/seeds.yaml", figures_dir="figures/x", use_cache=False)
    assert s.corpus.name == "seeds" and s.figures_dir == ROOT / "figures" / "x"


def test_show_writes_full_tables_into_the_tables_folder(tmp_path):
    from medialens.tables import TableFolder

    s = Session(corpus=None, settings=TextSettings(), tokenizer=Tokenizer(), figures_dir=tmp_path / "figs",
                tables=TableFolder(tmp_path / "out" / "tables", tmp_path / "out"))
    shown = s.show(pd.DataFrame({"a": range(30)}), "numbers", max_rows=3)
    assert shown.path == tmp_path / "out" / "tables" / "numbers.csv" and len(shown.rows) == 3
    assert shown.footer() == "… and 27 more rows. Full table (30 rows): tables/numbers.csv"
    interactive = open_session("corpus/seeds.yaml", figures_dir=tmp_path / "figs", use_cache=False)
    assert interactive.tables.path == ROOT / "tables" / "seeds"
    with pytest.raises(ValueError, match="tables_dir"):
        open_session("corpus/seeds.yaml", figures_dir=tmp_path, tables_dir=None)


def test_save_figure_writes_into_the_figures_folder(tmp_path):
    s = Session(corpus=None, settings=TextSettings(), tokenizer=Tokenizer(), figures_dir=tmp_path / "figs")
    with matplotlib.rc_context():
        fig = new_figure()
        fig.subplots().plot([0, 1], [1, 0])
    saved = s.save_figure(fig, "line")
    assert saved.png == tmp_path / "figs" / "line.png" and saved.png.is_file() and saved.svg.is_file()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"language": "fr"}, r"^language = 'fr': choose 'auto', 'nl' or 'en'"),
        ({"reduce": "lemmas"}, r"^reduce = 'lemmas': choose 'none', 'lemma' or 'stem'"),
        ({"remove_stopwords": "yes"}, r"^remove_stopwords = 'yes': must be True or False"),
        ({"keep_negations": 1}, r"^keep_negations = 1: must be True or False"),
        ({"random_state": -1}, r"^random_state = -1: must be a whole number >= 0"),
        ({"use_cache": None}, r"^use_cache = None: must be True or False"),
        ({"figures_dir": ""}, r"^figures_dir = '': give a folder"),
    ],
)
def test_a_bad_parameter_is_named_before_anything_is_read(kwargs, message):
    with pytest.raises(ValueError, match=message):
        open_session("corpus/does-not-exist.yaml", **kwargs)


def test_a_missing_corpus_is_named():
    with pytest.raises(ValueError, match="does-not-exist.yaml"):
        open_session("corpus/does-not-exist.yaml")
    with pytest.raises(ValueError, match=r"^corpus = '': give the path"):
        open_session("")


# --------------------------------------------------------------------------------------------
# The shared parameter declarations
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stem", sorted(DECLARED))
def test_every_notebook_declares_the_common_parameters(stem):
    missing = [name for name in EVERY_NOTEBOOK if name not in DECLARED[stem]]
    assert not missing, f"{stem}: does not declare {missing}, so a parameter file's value never reaches it"


@pytest.mark.parametrize("stem", sorted(DECLARED))
def test_session_parameters_have_the_session_defaults(stem):
    for name, p in DECLARED[stem].items():
        if name in SESSION_PARAMETERS:
            assert p.default == SESSION_PARAMETERS[name], f"{stem}: {name} = {p.default!r}"
            assert p.types == (type(SESSION_PARAMETERS[name]),), f"{stem}: {name} declared as {p.describe()}"


def test_a_name_shared_by_notebooks_has_one_type_one_default_and_one_comment():
    by_name: dict[str, dict] = {}
    for stem, declared in DECLARED.items():
        for name, p in declared.items():
            by_name.setdefault(name, {})[stem] = p
    shared = {name: ps for name, ps in by_name.items() if len(ps) > 1}
    assert set(EVERY_NOTEBOOK) <= set(shared)
    for name, ps in shared.items():
        kinds = {(p.types, p.item_types) for p in ps.values()}
        assert len(kinds) == 1, f"{name}: declared with different types in {sorted(ps)}"
        defaults = {repr(p.default) for p in ps.values()}
        if name in DEFAULTS_DIFFER:
            assert len(defaults) > 1, f"{name}: same default everywhere now; drop it from DEFAULTS_DIFFER"
        else:
            assert len(defaults) == 1, f"{name}: different defaults in {sorted(ps)}: {sorted(defaults)}"
        if name in EVERY_NOTEBOOK:
            comments = {p.comment for p in ps.values()}
            assert len(comments) == 1, f"{name}: different comments: {sorted(comments)}"


def _checked_session_call(nb_path) -> ast.Call:
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    calls = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse("\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))))
        calls += [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) in ("open_session", "checked_session")]
    assert len(calls) == 1, f"{nb_path.name}: {len(calls)} session calls (one checked_session call expected)"
    return calls[0]


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_setup_cell_passes_every_session_parameter_the_notebook_declares(nb_path, monkeypatch):
    # the session is opened by the check cell: checked_session("<stem>", globals()) passes every
    # session parameter the notebook declares, by name, and no other
    import medialens.session
    from medialens.checks import checked_session

    call = _checked_session_call(nb_path)
    assert getattr(call.func, "id", None) == "checked_session"
    assert [ast.literal_eval(call.args[0]), ast.unparse(call.args[1])] == [nb_path.stem, "globals()"]
    values = {name: p.default for name, p in DECLARED[nb_path.stem].items()}
    passed = {}

    def fake_open_session(**kwargs):
        passed.update(kwargs)
        raise ValueError("stop here")

    monkeypatch.setattr(medialens.session, "open_session", fake_open_session)
    with pytest.raises(ValueError, match="stop here"):
        checked_session(nb_path.stem, values)
    for name in SESSION_PARAMETERS:
        if name in DECLARED[nb_path.stem]:
            assert passed.get(name) == values[name], f"{nb_path.name}: open_session does not get {name}={name}"
        else:
            assert name not in passed, f"{nb_path.name}: passes {name} without declaring it"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_cell_after_the_parameters_cell_checks_them(nb_path):
    import nbformat

    cells = nbformat.read(nb_path, as_version=4).cells
    i = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    assert f'checked_session("{nb_path.stem}", globals())' in cells[i + 1].source


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_says_which_engine_ran_when_it_is_not_the_in_memory_one(nb_path):
    """On the Spark engine each notebook prints session.engine_line (which steps used the sample)
    in a set-up cell; in memory the line is not printed, so no stored output changes."""
    nb = nbformat.read(nb_path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"][:4]
    assert any("if session.engine is not None:" in src and "print(session.engine_line(" in src for src in code)
