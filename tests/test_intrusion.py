"""Word- and unit-intrusion tests: items drawn with a seed, written as coding sheets, answers read
back with the one reader of coding files, shares of correctly spotted intruders per cluster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from medialens import codebook as cbk
from medialens import intrusion as it
from medialens.corpus import load_corpus
from medialens.text import TextSettings


def top_terms(k=3, n=12):
    rows = [{"cluster": c, "rank": r + 1, "term": f"c{c}w{r:02d}"} for c in range(1, k + 1) for r in range(n)]
    if k > 1:
        rows.append({"cluster": 1, "rank": n + 1, "term": "shared"})  # a term of cluster 1 ...
        rows.append({"cluster": 2, "rank": 1, "term": "shared"})  # ... is never cluster 1's intruder
    return pd.DataFrame(rows)


def clustered_units(sizes=(5, 4, 2)):
    labels = np.repeat(np.arange(1, len(sizes) + 1), sizes)
    units = pd.DataFrame({"unit_id": [f"d{i}:p1" for i in range(len(labels))],
                          "text": [f"paragraph {i} of cluster {c}" for i, c in enumerate(labels)]})
    return units, labels


def test_word_items():
    terms = top_terms()
    t = it.word_intrusion(terms, n_top=4, pool=6, n_items=3, random_state=0)
    items = t.items
    assert len(items) == 9 and items["unit_id"].is_unique
    assert items.groupby("cluster").size().to_dict() == {1: 3, 2: 3, 3: 3}
    own = {c: set(g["term"]) for c, g in terms.groupby("cluster")}
    best = {c: set(g.sort_values("rank")["term"][:6]) for c, g in terms.groupby("cluster")}
    for _, row in items.iterrows():
        options = list(row["options"])
        assert len(options) == 5 and len(set(options)) == 5
        intruder = options[row["intruder"] - 1]
        assert intruder not in own[row["cluster"]] and intruder in best[row["intruder_from"]]
        assert set(options) - {intruder} <= best[row["cluster"]]
        assert row["text"] == "   ".join(f"{i}) {w}" for i, w in enumerate(options, start=1))
    assert t.codebook.variables[0].values == ("1", "2", "3", "4", "5")
    assert "chance of spotting the intruder: 1 in 5" in t.notes[0]


def test_word_items_are_seeded():
    a = it.word_intrusion(top_terms(), random_state=3).items
    b = it.word_intrusion(top_terms().sample(frac=1, random_state=1), random_state=3).items
    pd.testing.assert_frame_equal(a, b)  # the table's row order does not matter
    c = it.word_intrusion(top_terms(), random_state=4).items
    assert a["options"].tolist() != c["options"].tolist()


def test_word_intrusion_bad_inputs():
    with pytest.raises(ValueError, match="at least two clusters; found 1"):
        it.word_intrusion(top_terms(k=1))
    with pytest.raises(ValueError, match="n_top = 1"):
        it.word_intrusion(top_terms(), n_top=1)
    with pytest.raises(ValueError, match="pool = 3: must be a whole number >= 5"):
        it.word_intrusion(top_terms(), pool=3)
    with pytest.raises(ValueError, match=r"top_terms: needs columns \['rank'\]"):
        it.word_intrusion(top_terms().drop(columns="rank"))
    few = it.word_intrusion(top_terms(n=3), n_top=5)
    assert few.items.empty and "Clusters without an item" in few.notes[1]


def test_unit_items():
    units, labels = clustered_units()
    t = it.unit_intrusion(units, labels, n_shown=3, n_items=2, random_state=0)
    assert t.items.groupby("cluster").size().to_dict() == {1: 2, 2: 2}  # cluster 3 has 2 units
    assert "fewer than 3 units get no item: 3 (2 units)" in t.notes[1]
    cluster_of = dict(zip(units["unit_id"], labels, strict=True))
    for _, row in t.items.iterrows():
        options = list(row["options"])
        intruder = options[row["intruder"] - 1]
        assert cluster_of[intruder] != row["cluster"] and cluster_of[intruder] == row["intruder_from"]
        assert all(cluster_of[o] == row["cluster"] for o in options if o != intruder)
        assert row["text"].startswith("1) paragraph ") and "\n\n4) paragraph " in row["text"]
    with pytest.raises(ValueError, match="labels: 3 labels for 11 units"):
        it.unit_intrusion(units, labels[:3])
    with pytest.raises(ValueError, match="at least two clusters; found 1"):
        it.unit_intrusion(units, np.ones(len(units)))


def _answer(path, answers: dict[str, str]):
    sheet = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    sheet["intruder"] = sheet["unit_id"].map(answers).fillna("")
    sheet.to_csv(path, index=False, encoding="utf-8-sig")


def test_round_trip_from_sheets_to_shares(tmp_path):
    units, labels = clustered_units((6, 6))
    test = it.unit_intrusion(units, labels, n_items=3, random_state=0)
    paths = it.write_intrusion_sheets(test, tmp_path, coders=["ann", "bob"])
    assert [p.name for p in paths] == ["sheet_ann.csv", "sheet_bob.csv", "codebook.md"]
    key = dict(zip(test.items["unit_id"], test.items["intruder"].astype(str), strict=True))
    wrong = {u: str(int(k) % 4 + 1) for u, k in key.items()}
    ids = test.items["unit_id"].tolist()  # ann: all right; bob: right on the first item, wrong on two, one "don't know"
    _answer(paths[0], key)
    _answer(paths[1], {ids[0]: key[ids[0]], ids[1]: wrong[ids[1]], ids[2]: wrong[ids[2]], ids[3]: "don't know"})
    (tmp_path / "codebook.md").unlink()
    read = cbk.read_coded(tmp_path, codebook=test.codebook, units=test.items["unit_id"], info=("text",))
    r = it.intrusion_results(test, read.table)
    t = r.table.set_index("cluster")
    assert t.loc["all", "n_items"] == 6 and t.loc["all", "n_answers"] == 9 and t.loc["all", "n_correct"] == 7
    assert t.loc["all", "share_correct"] == pytest.approx(7 / 9) and t.loc["all", "chance"] == 0.25
    assert t.loc[[1, 2], "n_answers"].sum() == 9
    assert "1 'don't know' answer(s)" in r.notes[0]


def test_answers_outside_the_options_other_sheets_and_twice(tmp_path):
    units, labels = clustered_units((4, 4))
    test = it.unit_intrusion(units, labels, random_state=0)
    paths = it.write_intrusion_sheets(test, tmp_path, coders=["ann"])
    (tmp_path / "codebook.md").unlink()
    first = test.items["unit_id"].iloc[0]
    _answer(paths[0], {first: "7"})
    with pytest.raises(ValueError, match=r"sheet_ann.csv:\d+: intruder = '7' is not in the codebook \(1, 2, 3, 4"):
        cbk.read_coded(tmp_path, codebook=test.codebook, units=test.items["unit_id"], info=("text",))
    _answer(paths[0], {first: "2"})
    other = it.unit_intrusion(units, labels, random_state=1)
    read = cbk.read_coded(tmp_path, codebook=test.codebook, units=test.items["unit_id"], info=("text",)).table
    with pytest.raises(ValueError, match=rf"sheet_ann.csv:\d+: item '{first}' shows other options than the test drawn here"):
        it.intrusion_results(other, read)
    (tmp_path / "again.csv").write_bytes(paths[0].read_bytes())
    with pytest.raises(ValueError, match="coded unit .* twice for 'intruder'"):
        cbk.read_coded(tmp_path, codebook=test.codebook, units=test.items["unit_id"], info=("text",))
    with pytest.raises(ValueError, match="coders = 'ann'"):
        it.write_intrusion_sheets(test, tmp_path, coders="ann")


def test_a_long_answer_file_without_options_is_read_and_noted(tmp_path):
    units, labels = clustered_units((4, 4))
    test = it.unit_intrusion(units, labels, random_state=0)
    ids = test.items["unit_id"].tolist()
    key = dict(zip(ids, test.items["intruder"].astype(str), strict=True))
    rows = [f"{u},ann,intruder,{key[u]}" for u in ids] + [f"{ids[0]},bob,intruder,weet niet"]
    (tmp_path / "answers.csv").write_text("unit_id,coder,variable,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    read = it.read_answers(test, tmp_path / "answers.csv", missing=["weet niet"])
    r = it.intrusion_results(test, read.table)
    t = r.table.set_index("cluster")
    assert t.loc["all", "n_answers"] == len(ids) and t.loc["all", "n_correct"] == len(ids)
    assert "1 'don't know' answer(s)" in r.notes[0]
    assert f"{len(ids) + 1} answer(s) came without the options shown" in r.notes[1]
    with pytest.raises(ValueError, match=r"answers.csv:\d+: intruder = 'weet niet' is not in the codebook"):
        it.read_answers(test, tmp_path / "answers.csv", missing=["dk"])


def test_the_seed_example_answers_fit_the_notebook_s_default_draw():
    # notebook 40 draws the tests like this with its defaults; corpus/seeds.*_intrusion.csv answer them
    from medialens import clustering as cl
    from medialens.paths import resolve
    from medialens.session import open_session

    session = open_session("corpus/seeds.yaml")
    c = session.corpus
    m = cl.tfidf(cl.make_units(c, unit="paragraph"), settings=session.settings, min_df=2, max_df=0.5, words=c.words)
    k = cl.cluster(m, k="auto", k_min=2, k_max=8, random_state=0)
    word = it.word_intrusion(cl.top_terms(m, k, top_n=50), n_top=5, pool=10, n_items=1, random_state=0)
    unit = it.unit_intrusion(m.units, k.labels, n_shown=3, n_items=1, random_state=0)
    missing = ["don't know", "dk", "weet niet"]
    got = {}
    for name, test in (("word", word), ("unit", unit)):
        read = it.read_answers(test, resolve(f"corpus/seeds.{name}_intrusion.csv"), missing=missing)
        t = it.intrusion_results(test, read.table).table.set_index("cluster")
        got[name] = (len(test.items), int(t.loc["all", "n_answers"]), int(t.loc["all", "n_correct"]))
    assert got == {"word": (8, 15, 11), "unit": (7, 12, 7)}


def test_notebook_40_scores_the_intrusion_answers_named_in_a_parameter_file(tmp_path):
    """The seeds' parameter file names the example answers; a parameter file naming only them
    (paths relative to it) runs notebook 40 and prints the shares computed above."""
    import io

    import nbformat
    import yaml

    from medialens.paths import project_root
    from medialens.report import run_report

    seeds = yaml.safe_load((project_root() / "corpus" / "seeds.params.yaml").read_text(encoding="utf-8"))
    named = {k: v for k, v in seeds["notebooks"]["40_coding_and_validation"].items() if k.endswith("intrusion_path")}
    assert named == {"word_intrusion_path": "seeds.word_intrusion.csv", "unit_intrusion_path": "seeds.unit_intrusion.csv"}
    for name in named.values():
        (tmp_path / name).write_bytes((project_root() / "corpus" / name).read_bytes())
    params = {"corpus": str(project_root() / "corpus" / "seeds.yaml"), "notebooks": {"40_coding_and_validation": named}}
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    stream = io.StringIO()
    rc = run_report(tmp_path / "p.yaml", out_dir=tmp_path / "out", figures_dir=tmp_path / "figs",
                    only=["40_coding_and_validation"], html_output=False, stream=stream)
    assert rc == 0, stream.getvalue()
    nb = nbformat.read(tmp_path / "out" / "40_coding_and_validation.ipynb", as_version=4)
    printed = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "word intrusion: 11 of 15 answers spotted the intruder (0.733; chance 0.167)" in printed
    assert "unit intrusion: 7 of 12 answers spotted the intruder (0.583; chance 0.250)" in printed
    assert (tmp_path / "out" / "tables" / "word_intrusion_results.csv").is_file()


def test_bounded_units_is_a_seeded_subset_in_order_and_everything_below_the_bound():
    units = pd.DataFrame({"unit_id": [f"u{i:03d}" for i in range(100)], "text": [f"text {i}" for i in range(100)]})
    whole = it.bounded_units(units, max_units=100, random_state=0)
    assert whole.table is units and whole.notes == ()  # at the bound nothing is drawn or said
    a = it.bounded_units(units, max_units=30, random_state=4)
    assert len(a.table) == 30 and a.table["unit_id"].is_unique
    assert set(a.table["unit_id"]) <= set(units["unit_id"])
    assert a.table["unit_id"].tolist() == sorted(a.table["unit_id"])  # corpus order kept
    assert list(a.table.index) == list(range(30))
    pd.testing.assert_frame_equal(a.table, units.set_index("unit_id").loc[a.table["unit_id"]].reset_index())
    pd.testing.assert_frame_equal(it.bounded_units(units, max_units=30, random_state=4).table, a.table)
    assert set(it.bounded_units(units, max_units=30, random_state=5).table["unit_id"]) != set(a.table["unit_id"])
    assert a.notes == ("The intrusion tests cluster 30 of the 100 units, drawn at random with seed 4: a few items per cluster "
                       "need clusters to draw from, not every unit clustered again (notebook 20 clusters them all).",)
    assert it.MAX_UNITS == 5_000
    with pytest.raises(ValueError, match="max_units = 0"):
        it.bounded_units(units, max_units=0)


# --------------------------------------------------------------------------------------------
# prepare_tests: notebook 40's clustering and items in one call, or the one-line reason for none
# --------------------------------------------------------------------------------------------
CORPORA = Path(__file__).parent / "corpora"


def test_prepare_tests_draws_both_tests_from_the_clusters():
    c = load_corpus(CORPORA / "en_transit" / "corpus.yaml", use_cache=False)
    t = it.prepare_tests(c, TextSettings(language="en"), unit="paragraph", k=3, items=1, random_state=0)
    assert t.skipped is None and t.unit_used == "paragraph" and t.clusters.k == 3
    assert t.word.items["test"].eq("words").all() and t.unit.items["test"].eq("units").all()
    assert f"{len(t.matrix.units)} paragraph units in 3 clusters (kmeans)" in t.notes
    assert t.notes[-len(t.word.notes + t.unit.notes):] == t.word.notes + t.unit.notes
    again = it.prepare_tests(c, TextSettings(language="en"), unit="paragraph", k=3, items=1, random_state=0)
    pd.testing.assert_frame_equal(t.word.items, again.word.items)  # the seed gives the same items


def test_prepare_tests_says_when_it_clusters_documents():
    c = load_corpus(CORPORA / "nl_koppen" / "corpus.yaml", use_cache=False)
    t = it.prepare_tests(c, TextSettings(language="nl"), unit="paragraph", k=3)
    assert t.unit_used == "document"
    assert t.notes[0] == "intrusion_unit = 'paragraph': no document has more than one paragraph, so whole documents are clustered"


def test_prepare_tests_skips_with_a_reason_naming_the_notebook_parameters():
    koppen = load_corpus(CORPORA / "nl_koppen" / "corpus.yaml", use_cache=False)
    t = it.prepare_tests(koppen, TextSettings(language="nl"), unit="document", k=20)
    assert t.word is None and t.unit is None and t.notes == ()
    assert t.skipped.startswith("intrusion_k = 20: larger than or equal to the number of documents (12)")
    assert "so intrusion_k must be at most 11" in t.skipped and t.skipped.endswith("(intrusion_unit = 'document')")
    assert " k " not in t.skipped and "k:" not in t.skipped.replace("intrusion_k:", "")
    one = load_corpus(CORPORA / "nl_een_document" / "corpus.yaml", use_cache=False)
    t = it.prepare_tests(one, TextSettings(language="nl"))
    assert t.word is None and t.skipped.endswith("this corpus has 1: add documents to the corpus to cluster them")


def test_the_skip_reason_of_too_few_units_names_intrusion_k_and_intrusion_unit():
    why = it._skip_reason("k: only 2 documents have terms; clustering needs at least 3 (2 clusters, one with 2 members)\nmore",
                          unit="paragraph", unit_used="document")
    assert why == ("intrusion_k: only 2 documents have terms; clustering needs at least 3 (2 clusters, one with 2 members) "
                   "(intrusion_unit = 'paragraph', clustered as documents: no document has more than one paragraph)")
    assert it._skip_reason("min_df = 2: lower min_df", unit="paragraph", unit_used="paragraph") == "min_df = 2: lower min_df"
    assert it._skip_reason("k_max = 9 is too large", unit="document", unit_used="document") == "k_max = 9 is too large"
