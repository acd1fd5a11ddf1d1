"""Parameters checked against the corpus: one-line stops in the notebook, the same checks in
``medialens report --check``, defaults taken from the corpus (suggested terms and targets)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr
from pathlib import Path

import pandas as pd
import pytest
import yaml

from medialens import checks, cli, findings
from medialens import frequency as mf
from medialens import suggest as sg
from medialens.corpus import load_corpus
from medialens.text import TextSettings

CORPORA = Path(__file__).resolve().parent / "corpora"


@pytest.fixture(scope="module")
def transit():
    return load_corpus(CORPORA / "en_transit" / "corpus.yaml", use_cache=False)


@pytest.fixture(scope="module")
def en():
    return TextSettings(language="en")


def test_stop_renders_as_one_line_without_traceback():
    stop = checks.Stop("terms: 'x' never occurs")
    assert stop._render_traceback_() == ["Stop: terms: 'x' never occurs"]
    assert isinstance(stop, ValueError)


@pytest.mark.parametrize(
    ("notebook", "values", "parameter", "words"),
    [
        ("20_topic_clustering", {"k": -1}, "k", ["-1", "'auto'"]),
        ("20_topic_clustering", {"unit": "sentence"}, "unit", ["'paragraph'", "'document'"]),
        ("20_topic_clustering", {"k_min": 5, "k_max": 3}, "k_max", ["k_min = 5"]),
        ("10_term_frequency", {"correction": "yates2"}, "correction", ["'default'"]),
        ("30_stance_comparison", {"n_bootstrap": 50}, "n_bootstrap", [">= 100"]),
        ("30_stance_comparison", {"targets": {"A": []}}, "targets", ["non-empty list"]),
        ("30_stance_comparison", {"coding_file": "no/such/file.csv"}, "coding_file", ["no such file"]),
    ],
)
def test_values_that_cannot_work_are_named_before_loading(notebook, values, parameter, words):
    found = checks.problems_before_loading(notebook, values)
    assert [p.parameter for p in found] == [parameter]
    assert all(w in found[0].message for w in words), found[0].message
    assert "\n" not in found[0].message


def test_a_variable_of_another_notebook_is_not_checked():
    # notebook 20 makes a `terms` table later on; only notebook 10 declares terms
    assert checks.problems_before_loading("20_topic_clustering", {"terms": pd.DataFrame()}) == []
    assert checks.problems_before_loading("10_term_frequency", {"terms": 5})


def test_terms_and_targets_that_never_occur_get_the_closest_spellings(transit, en):
    found = checks.problems_with_corpus("10_term_frequency", {"terms": ["tramm", "authority"]}, transit, en)
    assert [p.parameter for p in found] == ["terms"]
    assert "'tramm' never occurs in the 8 documents" in found[0].message and "'tram'" in found[0].message
    found = checks.problems_with_corpus(
        "30_stance_comparison", {"targets": {"Mayor": ["Brenan"], "Council": ["council"]}, "context_target": "NAVO"}, transit, en
    )
    assert [p.parameter for p in found] == ["targets", "context_target"]
    assert "targets['Mayor']" in found[0].message and "'brennan'" in found[0].message
    assert "'Mayor' or 'Council'" in found[1].message


def test_a_group_column_that_does_not_exist_is_named_with_the_columns(transit, en):
    found = checks.problems_with_corpus("30_stance_comparison", {"group_by": "outlets", "group": "x"}, transit, en)
    assert found[0].parameter == "group_by" and "did you mean 'outlet'?" in found[0].message and "'speaker'" in found[0].message
    found = checks.problems_with_corpus("10_term_frequency", {"group_by": "outlet", "group": "Herald"}, transit, en)
    assert found[0].parameter == "group" and "'Harbour Herald'" in found[0].message
    assert checks.problems_with_corpus("10_term_frequency", {"group_by": "outlet", "group": "Harbour Herald"}, transit, en) == []


def test_checked_session_stops_with_one_line_or_returns_the_session():
    corpus = str(CORPORA / "en_transit" / "corpus.yaml")
    session = checks.checked_session("10_term_frequency", {"corpus": corpus, "terms": ["tram"], "use_cache": False})
    assert len(session.corpus.documents) == 8
    with pytest.raises(checks.Stop, match=r"^terms: 'trams and busses'.*'busses'") as info:
        checks.checked_session("10_term_frequency", {"corpus": corpus, "terms": ["trams and busses"], "use_cache": False})
    assert len(info.value._render_traceback_()) == 1
    with pytest.raises(checks.Stop, match="language = 'de'"):
        checks.checked_session("10_term_frequency", {"corpus": corpus, "language": "de"})
    with pytest.raises(checks.Stop, match="no such file"):
        checks.checked_session("00_corpus", {"corpus": "corpus/nothing.yaml"})


def test_checked_session_opens_the_session_with_the_notebook_s_folders(tmp_path):
    # a report run gives each notebook its own tables_dir: the session must write there, not to tables/<corpus>/
    corpus = str(CORPORA / "en_transit" / "corpus.yaml")
    session = checks.checked_session("10_term_frequency", {"corpus": corpus, "tables_dir": str(tmp_path / "tables"),
                                                           "figures_dir": str(tmp_path / "figures"), "use_cache": False})
    assert session.tables.path == tmp_path / "tables"
    assert session.figures_dir == tmp_path / "figures"


def test_report_check_names_the_parameter_file_key(tmp_path):
    pf = tmp_path / "p.yaml"
    pf.write_text(yaml.safe_dump({
        "corpus": str(CORPORA / "en_transit" / "corpus.yaml"),
        "terms": ["tramm"],
        "notebooks": {"30_stance_comparison": {"targets": {"Mayor": ["Brenan"]}, "group_by": "outlets"}},
    }), encoding="utf-8")
    err = io.StringIO()
    with redirect_stderr(err):
        rc = cli.main(["report", str(pf), "--check", "--out", str(tmp_path / "out")])
    text = err.getvalue()
    assert rc == 2, text
    assert "[change terms in p.yaml]" in text
    assert "[change notebooks: 30_stance_comparison: targets in p.yaml]" in text
    assert "[change notebooks: 30_stance_comparison: group_by in p.yaml]" in text
    assert "context_target" not in text  # the default "" (the first target) always fits


def test_report_check_names_the_definition_key_for_a_bad_definition(tmp_path):
    spec = yaml.safe_load((CORPORA / "en_transit" / "corpus.yaml").read_text(encoding="utf-8"))
    spec["language"] = "dutch"
    spec["source"]["path"] = str((CORPORA / "en_transit" / spec["source"]["path"]).resolve())
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    pf = tmp_path / "p.yaml"
    pf.write_text(yaml.safe_dump({"corpus": str(tmp_path / "bad.yaml")}), encoding="utf-8")
    err = io.StringIO()
    with redirect_stderr(err):
        rc = cli.main(["report", str(pf), "--check", "--out", str(tmp_path / "out")])
    text = err.getvalue()
    assert rc == 2, text
    # the definition's key is named, not the parameter file's corpus
    assert "p.yaml: corpus: bad.yaml: language = 'dutch': choose one of ('nl', 'en')" in text
    assert "change corpus" not in text


def _semicolon_corpus(tmp_path):
    """A corpus definition whose only file is ';'-delimited: every row skipped, 0 documents kept."""
    (tmp_path / "data").mkdir()
    rows = "".join(f"{i};Krant;2022-01-0{i};Titel {i};Een tekst over de tram, nummer {i}.\n" for i in range(1, 4))
    (tmp_path / "data" / "d.csv").write_text("id;outlet;date;title;text\n" + rows, encoding="utf-8")
    spec = {"name": "semi", "language": "nl", "source": {"path": "data", "format": "csv"}, "fields": {"id": "id"}}
    (tmp_path / "semi.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return tmp_path / "semi.yaml"


def test_a_corpus_of_no_documents_stops_the_check_and_the_notebooks(tmp_path):
    corpus = _semicolon_corpus(tmp_path)
    expected = "0 documents kept (3 skipped: missing_field 3); see the skip report: medialens corpus "
    with pytest.raises(checks.Stop) as info:
        checks.checked_session("00_corpus", {"corpus": str(corpus), "use_cache": False})
    assert str(info.value).startswith(expected) and str(info.value).endswith("semi.yaml"), str(info.value)
    pf = tmp_path / "p.yaml"
    pf.write_text(yaml.safe_dump({"corpus": "semi.yaml", "use_cache": False}), encoding="utf-8")
    err = io.StringIO()
    with redirect_stderr(err):
        rc = cli.main(["report", str(pf), "--check", "--out", str(tmp_path / "out")])
    text = err.getvalue()
    assert rc == 2, text
    lines = [line for line in text.splitlines() if line.startswith("  - ")]
    assert lines and all(expected in line for line in lines), text
    assert all(line.endswith("[change the corpus definition semi.yaml or its input files]") for line in lines), text


def test_report_check_names_the_language_mismatch_the_notebooks_would_stop_at(tmp_path):
    # English documents, a definition without language: (so nl): every notebook would stop at run time
    spec = yaml.safe_load((CORPORA / "en_transit" / "corpus.yaml").read_text(encoding="utf-8"))
    del spec["language"]
    spec["source"]["path"] = str((CORPORA / "en_transit" / spec["source"]["path"]).resolve())
    (tmp_path / "nolang.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(checks.Stop) as stop:
        checks.checked_session("00_corpus", {"corpus": str(tmp_path / "nolang.yaml"), "use_cache": False})
    pf = tmp_path / "p.yaml"
    pf.write_text(yaml.safe_dump({"corpus": "nolang.yaml", "use_cache": False}), encoding="utf-8")
    err = io.StringIO()
    with redirect_stderr(err):
        rc = cli.main(["report", str(pf), "--check", "--out", str(tmp_path / "out")])
    text = err.getvalue()
    assert rc == 2, text
    assert str(stop.value).startswith("language = 'nl': none of the 8 documents")
    assert f"00_corpus: {stop.value} [change language" in text  # the very line the notebook stops with


def test_the_seed_parameter_file_passes_the_check(capsys):
    assert cli.main(["report", "corpus/seeds.params.yaml", "--check", "--out", "reports/.check-test"]) == 0
    assert capsys.readouterr().out.endswith("5 notebook(s) checked against the corpus: every parameter name, type and value fits; nothing was run\n")


def test_clustering_falls_back_to_documents_when_no_document_has_two_paragraphs(transit):
    assert checks.clustering_unit(transit, "paragraph") == "paragraph"
    bieb = load_corpus(CORPORA / "nl_bieb_jsonl" / "corpus.yaml", use_cache=False)
    assert checks.clustering_unit(bieb, "paragraph") == "document"
    one = load_corpus(CORPORA / "nl_een_document" / "corpus.yaml", use_cache=False)
    with pytest.raises(checks.Stop, match="this corpus has 1: add documents"):
        checks.clustering_unit(one, "paragraph")


def test_suggested_targets_are_the_most_named_people_and_organisations(transit, en):
    s = sg.suggest_targets(transit.documents, settings=en, n=4)
    assert list(s.value) == ["Transit Authority", "Ruth Delgado", "Alice Brennan", "Tomas Okafor"]
    assert s.value["Ruth Delgado"] == ["Ruth Delgado", "Delgado"]  # the surname alone joins the full name
    assert s.table["documents"].tolist() == [7, 5, 5, 3]
    assert s.paste.startswith('targets: {"Transit Authority": ["Transit Authority"], "Ruth Delgado"')
    assert yaml.safe_load(s.paste) == {"targets": s.value}  # pasteable as it is


def test_a_case_variant_is_one_target_and_a_stray_longer_name_does_not_take_a_short_one():
    docs = pd.DataFrame({
        "doc_id": list("abcd"),
        "text": ["Het overleg met de NAVO duurde lang.", "Toen zei de Navo niets.", "Daarna vergaderde de Navo.",
                 "Gisteren belde Zelenski de Navo op."],
    })
    s = sg.suggest_targets(docs, settings=TextSettings(language="nl"), n=2)
    assert s.value == {"Navo": ["Navo", "NAVO"], "Zelenski de Navo": ["Zelenski de Navo"]}
    assert s.table["documents"].tolist() == [3, 1]


def test_suggested_terms_are_key_terms_in_several_documents(transit, en):
    counts = mf.count_terms(transit.documents, settings=en, ngram_range=[1, 2], words=transit.words)
    s = sg.suggest_terms(counts, n=4)
    # tram, transit ... are in more than 80% of the 8 documents: they cannot rise or fall over time
    assert s.value == ["delgado", "harbour", "eastbridge", "council"]
    assert (s.table["documents"] >= 2).all() and (s.table["documents"] <= 0.8 * 8).all()
    assert s.notes == ("4 term(s) in more than 80% of the 8 documents were passed over: a word in nearly every "
                       "document cannot rise or fall over time",)
    shown = findings.suggested("terms", s).text  # the notebook shows the suggestion's notes with it
    assert "4 term(s) in more than 80% of the 8 documents were passed over" in shown and "paste this line" in shown
    assert yaml.safe_load(s.paste) == {"terms": s.value}
    lemma = mf.count_terms(transit.documents, settings=TextSettings(language="en", reduce="stem"), words=transit.words)
    assert sg.suggest_terms(lemma, n=2).table["chosen_by"].eq("most frequent").all()


def test_closest_spellings():
    assert sg.closest_spellings("Sanctie", ["sancties", "sanctiepakket", "tram", "SANCTIES"]) == ["sancties"]
    assert sg.closest_spellings("sanctiepaket", ["sancties", "sanctiepakket"]) == ["sanctiepakket", "sancties"]
    assert sg.closest_spellings("xyz", ["tram"]) == []


def test_every_coding_unit_kind_passes_the_check():
    """Notebook 40's unit_kind takes every kind handcoding builds units of (mentions and quotes
    were refused by the check though the notebook offers them), and nothing else."""
    from medialens.handcoding import UNIT_KINDS

    for kind in UNIT_KINDS:
        assert checks.RULES["unit_kind"](kind, "unit_kind") == kind
    with pytest.raises(Exception, match="unit_kind = 'words'"):
        checks.RULES["unit_kind"]("words", "unit_kind")


@pytest.mark.parametrize(("name", "value", "message"), [
    ("intrusion_unit", "sentence", "intrusion_unit = 'sentence'"),
    ("intrusion_k", 1, r"intrusion_k = 1: give a whole number of clusters \(>= 2\) or 'auto'"),
    ("intrusion_items", 0, "intrusion_items = 0"),
])
def test_notebook_40_intrusion_parameters_stop_with_their_name(name, value, message):
    """The intrusion tests' parameters are checked before anything runs, with their own names
    (a bad intrusion_unit used to reach clustering_unit, whose error named 'unit')."""
    corpus = str(CORPORA / "en_transit" / "corpus.yaml")
    with pytest.raises(checks.Stop, match=message):
        checks.checked_session("40_coding_and_validation", {"corpus": corpus, "use_cache": False, name: value})
    for good in ({"intrusion_unit": "document"}, {"intrusion_k": "auto"}, {"intrusion_k": 3}, {"intrusion_items": 2}):
        checks.checked_session("40_coding_and_validation", {"corpus": corpus, "use_cache": False, **good})


def test_the_checked_clustering_units_are_those_make_units_builds():
    """The check of unit / intrusion_unit takes what make_units takes, and refuses what it refuses."""
    from medialens import clustering as cl

    corpus = load_corpus(str(CORPORA / "en_transit" / "corpus.yaml"), use_cache=False)
    for unit in checks.CLUSTER_UNITS:
        assert len(cl.make_units(corpus, unit=unit)) > 0
        assert checks.RULES["unit"](unit, "unit") == checks.RULES["intrusion_unit"](unit, "intrusion_unit") == unit
    with pytest.raises(ValueError, match="unit = 'sentence'"):
        cl.make_units(corpus, unit="sentence")
    with pytest.raises(ValueError, match="unit = 'sentence'"):
        checks.RULES["unit"]("sentence", "unit")


def test_stops_on_turns_an_error_naming_a_parameter_into_one_line():
    with pytest.raises(checks.Stop, match=r"^min_df = 2: no term\Z") as info:
        with checks.stops_on("min_df", "k"):
            raise ValueError("min_df = 2: no term\nsecond line")
    assert info.value._render_traceback_() == ["Stop: min_df = 2: no term"]
    with pytest.raises(checks.Stop, match="^k: only 2"):
        with checks.stops_on("min_df", "k"):
            raise ValueError("k: only 2 documents have terms")
    with pytest.raises(ValueError, match="^kmeans broke") as other:  # not a parameter's message: unchanged
        with checks.stops_on("k"):
            raise ValueError("kmeans broke")
    assert not isinstance(other.value, checks.Stop)


def test_stops_reading_names_the_path_parameter_and_the_problem_in_one_line():
    with pytest.raises(checks.Stop, match=r"^coded_path = 'codes': a.csv:3: stance = 'x' is not in the codebook\Z"):
        with checks.stops_reading("coded_path", "codes"):
            raise ValueError("a.csv:3: stance = 'x' is not in the codebook\nmore")
    with pytest.raises(checks.Stop, match=r"^speaker_codes_path = 'gone.csv': \[Errno 2\] No such file"):
        with checks.stops_reading("speaker_codes_path", "gone.csv"):
            open("/nonexistent/gone.csv")
    with pytest.raises(KeyError):  # not a problem of the file: unchanged
        with checks.stops_reading("coded_path", "codes"):
            raise KeyError("bug")


def test_report_check_refuses_min_df_max_df_no_term_can_pass(transit, en):
    # 8 documents: min_df = 3 with max_df = 0.25 (at most 2) cannot hold; the defaults adapt and are not checked
    values = {"unit": "document", "min_df": 3, "max_df": 0.25}
    found = checks.problems_with_corpus("20_topic_clustering", values, transit, en)
    assert [p.parameter for p in found] == ["min_df"] and "lower min_df or raise max_df" in found[0].message
    assert checks.problems_with_corpus("20_topic_clustering", {"unit": "document", "min_df": 2, "max_df": 0.5}, transit, en) == []
    assert checks.problems_with_corpus("20_topic_clustering", {"unit": "document", "min_df": 2, "max_df": 0.3}, transit, en) == []
