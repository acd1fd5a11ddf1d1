"""What to do with a quote's confidence: the stored evaluation table, the calibration table behind
min_confidence, speakers set aside below a threshold (with counts) and the per-rule sample."""

from __future__ import annotations

import pandas as pd
import pytest

from medialens.quote_confidence import (
    BELOW,
    RULE_CONFIDENCE,
    SAMPLE_COLUMNS,
    UNATTRIBUTED,
    confidence_levels,
    precision_table,
    rule_sample,
    with_min_confidence,
)
from medialens.quotes import attribution_counts, extract_quotes

DOCS = pd.DataFrame({
    "doc_id": ["a", "b"], "outlet": ["A", "B"],
    "text": [
        # aldus X; a quote nobody is named for; a quote with only the previous sentence's person
        "Het kabinet besloot dinsdag. “Een”, aldus minister Ank Bijleveld. “Twee ‘drie’ vier.”\n\n"
        "Het weer was ‘mooi’.",
        "Minister Wopke Hoekstra was in Brussel. In de zaal was ook Sigrid Kaag. “Vijf zes” staat op een bord. "
        "Hoekstra vertrok.",
    ],
})


def test_the_stored_table_holds_development_and_held_out_counts():
    t = precision_table()
    assert list(t.columns) == ["rule", "attributed", "correct", "precision", "heldout_attributed", "heldout_correct"]
    known = t.dropna(subset=["precision"])
    assert (known["precision"] == (known["correct"] / known["attributed"]).round(3)).all()
    assert dict(zip(known["rule"], known["precision"].round(3), strict=True)) == RULE_CONFIDENCE
    assert (t["heldout_correct"] <= t["heldout_attributed"]).all()


def test_confidence_levels_add_up_the_rules_at_or_above_each_level():
    t = precision_table().dropna(subset=["precision"])
    levels = confidence_levels()
    assert levels["confidence"].is_monotonic_decreasing and levels["confidence"].is_unique
    for row in levels.itertuples():
        kept = t[t["precision"].round(3) >= row.confidence]
        assert row.attributed == kept["attributed"].sum() and row.correct == kept["correct"].sum()
        assert row.heldout_attributed == kept["heldout_attributed"].sum()
        assert row.share_correct == round(kept["correct"].sum() / kept["attributed"].sum(), 3)
        assert sorted(row.rules.split(", ")) == sorted(t.loc[t["precision"].round(3) == row.confidence, "rule"])
    assert levels["share_kept"].iloc[-1] == 1.0 and levels["heldout_share_kept"].iloc[-1] == 1.0


def test_with_min_confidence_sets_aside_weak_and_missing_speakers_and_counts_them():
    q = extract_quotes(DOCS).table
    low = q.loc[q["confidence"] > 0, "confidence"].min()
    high = q.loc[q["confidence"] > 0, "confidence"].max()
    assert low < high  # the hand documents hold a weak and a strong attribution
    r = with_min_confidence(q, high)
    t = r.table
    assert len(t) == len(q) and (t["start"] == q["start"]).all()
    used = t["attribution"] == "used"
    assert (t.loc[used, "speaker"] == q.loc[used, "speaker"]).all()
    assert (q.loc[(t["attribution"] == "below min_confidence") & (t["kind"] != "nested"), "confidence"] < high).all()
    assert set(t.loc[t["attribution"] == "below min_confidence", "speaker"]) == {BELOW}
    assert set(t.loc[t["attribution"] == "unattributed", "speaker"]) == {UNATTRIBUTED}
    nested = t[t["kind"] == "nested"]
    assert len(nested) == 1 and nested["attribution"].iloc[0] == t.loc[(t["kind"] == "direct") & (t["doc_id"] == "a")
                                                                        & (t["start"] < nested["start"].iloc[0]), "attribution"].iloc[-1]
    counted = t[t["kind"] != "nested"]["attribution"].value_counts()
    assert r.notes == (
        f"Of {counted.sum()} quotes (direct and indirect), {counted.get('used', 0)} are attributed at or above "
        f"min_confidence = {high:g}, {counted.get('below min_confidence', 0)} are attributed below it (speaker "
        f"'{BELOW}') and {counted.get('unattributed', 0)} have no speaker ('{UNATTRIBUTED}').",
    )
    everything = with_min_confidence(q, 0)
    assert (everything.table["attribution"] != "below min_confidence").all()
    assert q["speaker"].tolist() != t["speaker"].tolist()  # the input is not changed in place
    assert "attribution" not in q.columns


@pytest.mark.parametrize("bad", [1.5, -0.1, "0.9", True, float("nan")])
def test_min_confidence_must_be_a_number_from_0_to_1(bad):
    q = extract_quotes(DOCS).table
    with pytest.raises(ValueError, match=r"min_confidence = .*: must be a number"):
        with_min_confidence(q, bad)


def test_attribution_counts_per_group_match_the_table():
    t = with_min_confidence(extract_quotes(DOCS).table, 0.9).table
    counts = attribution_counts(t, group_by="outlet")
    assert list(counts.columns) == ["outlet", "quotes", "used", "below_min_confidence", "unattributed", "share_used"]
    for row in counts.itertuples():
        part = t[(t["outlet"] == row.outlet) & (t["kind"] != "nested")]
        assert row.quotes == len(part)
        assert row.used + row.below_min_confidence + row.unattributed == row.quotes
        assert row.unattributed == (part["attribution"] == "unattributed").sum()
    with pytest.raises(ValueError, match="with_min_confidence"):
        attribution_counts(extract_quotes(DOCS).table)
    by_doc_column = attribution_counts(t, group_by="lang", documents=DOCS.assign(lang=["nl", "en"]))
    assert by_doc_column["lang"].tolist() == ["en", "nl"]


def test_rule_sample_is_seeded_bounded_and_shows_the_sentences():
    q = extract_quotes(DOCS).table
    s = rule_sample(q, DOCS, per_rule=1, random_state=3)
    assert list(s.columns) == SAMPLE_COLUMNS
    assert s.equals(rule_sample(q, DOCS, per_rule=1, random_state=3))
    assert s["rule"].is_unique  # one per rule
    aldus = s[s["rule"] == "aldus X"].iloc[0]
    assert aldus["before"] == "Het kabinet besloot dinsdag."
    assert aldus["sentence"] == "“Een”, aldus minister Ank Bijleveld."
    assert aldus["after"] == "“Twee ‘drie’ vier.”"
    assert aldus["speaker"] == "Ank Bijleveld" and aldus["role"] == "minister"
    assert aldus["precision"] == RULE_CONFIDENCE["aldus X"]
    assert aldus["n_evaluated"] == precision_table().set_index("rule").at["aldus X", "attributed"]
    assert rule_sample(q, DOCS, per_rule=5)["rule"].value_counts().max() <= 5
    short = rule_sample(q, DOCS, per_rule=5, max_chars=20)
    assert short["sentence"].str.len().max() <= 20 and short["sentence"].str.endswith("…").any()
    with pytest.raises(ValueError, match="per_rule = 0"):
        rule_sample(q, DOCS, per_rule=0)
    with pytest.raises(ValueError, match="documents"):
        rule_sample(q, DOCS[["doc_id"]])


def test_seed_share_of_voice_gives_the_seed_passages_their_speakers():
    # issue 13: the seeds' share-of-voice table is checked against the 20 seed passages of
    # tests/test_quotes.py: in the table notebook 30 builds (default min_confidence), each passage's
    # quote counts for its expected speaker, or is counted apart as below the threshold (its
    # attribution still right) or without a speaker (a repeated pull quote) - never for another speaker
    from test_quotes import SEED_CASES

    from medialens.corpus import load_corpus
    from medialens.paths import resolve
    from medialens.quotes import share_of_voice
    from medialens.report import notebook_parameters

    c = load_corpus(resolve("corpus/seeds.yaml"))
    q = extract_quotes(c.documents, descriptor_hints=c.definition.quotes["descriptor_hints"]).table
    default = notebook_parameters(resolve("notebooks/30_stance_comparison.ipynb"))["min_confidence"].default
    voiced = with_min_confidence(q, default).table
    for _, _, start, speaker, _ in SEED_CASES:
        hit = voiced[(voiced["kind"] != "nested") & voiced["text"].str.startswith(start)]
        assert speaker in set(hit["speaker"]) or set(q.loc[hit.index, "speaker"]) == {speaker}, start
        for i, got in hit["speaker"].items():
            assert got == speaker or got == UNATTRIBUTED or (got == BELOW and q.at[i, "speaker"] == speaker), (start, got)
    sov = share_of_voice(voiced, group_by="outlet", documents=c.documents)
    counted = voiced[voiced["kind"] != "nested"].groupby(["outlet", "speaker"]).size()
    assert sov.set_index(["outlet", "speaker"])["quotes"].sort_index().equals(counted.sort_index().rename("quotes"))
