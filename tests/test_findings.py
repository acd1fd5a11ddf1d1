"""Findings computed from results and rendered escaped (medialens.findings, medialens.describe)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from medialens import describe
from medialens.findings import Code, Findings, about_seeds, group_sizes_sentence, listing, say

HOSTILE = '<img src=x onerror="alert(1)"> $5 tot $10'


def test_values_are_escaped_and_the_block_is_left_alone_by_math():
    f = Findings([say("The top term is {t}, said by {s}.", t=Code(HOSTILE), s=HOSTILE, lead="Who <b>")], heading="H & J")
    page = f._repr_html_()
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "<code>&lt;img" in page and "<strong>Who &lt;b&gt;</strong>" in page and "H &amp; J" in page
    assert 'class="medialens-findings tex2jax_ignore mathjax_ignore"' in page
    assert f.text == f"H & J\n- Who <b> The top term is `{HOSTILE}`, said by {HOSTILE}."
    assert repr(f) == f.text


def test_numbers_and_listings_are_formatted():
    f = Findings([say("{n} documents, mean {m}, terms {t}.", n=12345, m=0.12345, t=listing(["a", "b", "c"], code=True))])
    assert f.text == "- 12,345 documents, mean 0.123, terms `a`, `b` and `c`."
    assert listing(range(12), limit=3).render(False) == "0, 1, 2 and 9 more"
    assert listing([]).render(False) == "none"


def test_the_seed_note_shows_only_for_the_seed_corpus():
    assert about_seeds(SimpleNamespace(name="seeds"), "Five articles.").text == "About the seed corpus\n- Five articles."
    assert about_seeds(SimpleNamespace(name="mine"), "Five articles.") is None


def test_group_sizes_sentence_says_what_the_sizes_allow():
    one = group_sizes_sentence(pd.Series({"A": 7}), group_by="outlet")
    assert "All 7 documents are in one `outlet` group (A): there is nothing to compare" in Findings([one]).text
    small = Findings([group_sizes_sentence(pd.Series({"A": 7, "B": 2}), group_by="outlet")]).text
    assert "2 `outlet` groups with 2 to 7 documents each; B has one or two documents, so a difference involving it" in small
    big = Findings([group_sizes_sentence(pd.Series({"A": 30, "B": 40}), group_by="outlet")]).text
    assert big == "- 2 `outlet` groups with 30 to 40 documents each."
    same = Findings([group_sizes_sentence(pd.Series({"A": 7, "B": 7}), group_by="outlet")]).text
    assert same == "- 2 `outlet` groups with 7 documents each."


def test_describe_outlets_without_outlets_and_with_inferred_ones():
    none = describe.describe_outlets(pd.DataFrame({"doc_id": ["a", "b"], "outlet": [None, ""]})).text
    assert "No document has an outlet" in none
    docs = pd.DataFrame({"doc_id": list("abc"), "outlet": ["X", "X", None], "outlet_evidence": ["quotes", "quotes", None]})
    text = describe.describe_outlets(docs).text
    assert "3 documents from 1 outlet: X 2." in text and "1 document has no outlet; it forms the group (missing)." in text and "`outlet_evidence`" in text


def test_describe_keyness_counts_chance_and_single_documents():
    key = pd.DataFrame({
        "target": "A", "reference": "rest", "n_docs_target": 2, "n_docs_reference": 5,
        "term": ["x", "y", "z", "w"], "chi2": [9.0, 4.0, -1.0, -5.0], "p_chi2": [0.001, 0.04, 0.3, 0.02],
        "docs_target": [1, 2, 1, 0],
    })
    text = describe.describe_keyness(key, top_n=10).text
    assert "A (2 documents) against rest (5 documents): 4 terms tested, 3 with p < 0.05" in text
    assert "Most over-represented: `x` and `y`; 1 of these 2 occur in a single target document." in text
    assert "With 2 documents in the target group, its key terms describe those articles" in text


def test_describe_polarity_and_log_odds():
    pol = pd.DataFrame({"mean": [0.1, 0.0, None], "n_scored": [3, 0, 0], "ci_low": [-0.1, 0.0, None], "ci_high": [0.3, 0.0, None]})
    text = describe.describe_polarity(pol).text
    assert "2 of 3 group × target cells have a score; 1 has too few documents (insufficient data)" in text
    assert "1 scored cell has no lexicon word" in text and "2 of the 2 intervals include zero" in text
    # the stance table leaves a cell without any lexicon word unscored (NaN, missing says why), counted apart
    pol = pd.DataFrame({"mean": [0.1, None, None], "n_mentions": [4, 3, 0], "n_scored": [3, 0, 0], "ci_low": [-0.1, None, None],
                        "ci_high": [0.3, None, None], "missing": ["", "no scored words", "insufficient data"]})
    text = describe.describe_polarity(pol).text
    assert "1 of 3 group × target cells have a score; 1 has too few documents (insufficient data)" in text
    assert "1 cell has mentions but no lexicon word in any of their contexts: no score" in text
    lo = pd.DataFrame({"comparison": "A vs rest", "term": ["a", "b", "c"], "count_i": [3, 1, 0], "count_j": [0, 1, 4], "z": [1.5, 0.0, -1.2]})
    text = describe.describe_log_odds(lo, show=1).text
    assert "A vs rest: 4 vs 5 tokens; 0 of 3 terms have |z| > 1.96." in text and "No word passes" in text
    assert "Most distinctive for A: `a`; for rest: `c`." in text


def test_describe_polarity_states_the_evidence_rule_in_documents_with_its_n():
    from medialens import stance as st

    # many mentions, few documents: insufficient for the documents, not the mentions
    mentions = pd.DataFrame({"doc_id": ["a"] * 30 + ["b"] * 30 + ["c"] * 5, "target": "T", "polarity": 0.1,
                             "n_lexicon_words": 1, "in_quote": False, "speaker": "(not quoted)"})
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["A", "A", "B"]})
    pol = st.stance_table(mentions, docs, min_n=5, n_bootstrap=100)
    text = describe.describe_polarity(pol, min_n=5).text
    assert "0 of 2 group × target cells have a score; 2 cells rest on fewer than 5 documents each " \
           "(min_n: documents are the evidence, not mentions): insufficient data." in text
    assert "too few mentions" not in text
    pol = st.stance_table(mentions, docs, min_n=1, n_bootstrap=100)  # B: one document (resampled documents)
    text = describe.describe_polarity(pol, min_n=1).text
    assert "1 of 2 group × target cells have a score; 0 cells rest on fewer than 1 document each " \
           "(min_n: documents are the evidence, not mentions), 1 a single mention or all mentions in one document" in text


def test_describe_stance_keeps_each_polarity_value_in_its_own_sentence():
    pol = pd.DataFrame({"mean": [0.1, 0.2, None], "n_documents": [6, 7, 2], "n_scored": [3, 2, 0], "ci_low": [-0.1, 0.1, None],
                        "ci_high": [0.3, 0.3, None], "missing": ["", "", "insufficient data"]})
    per_group = pd.DataFrame({"documents": [7, 8]}, index=pd.Index(["A", "B"], name="outlet"))
    text = describe.describe_stance(per_group, group_by="outlet", polarity=pol, min_n=5).text
    assert ("Polarity. 2 of 3 group × target cells have a score; 1 cell rests on fewer than 5 documents each "
            "(min_n: documents are the evidence, not mentions): insufficient data. 1 of the 2 intervals includes zero.") in text


def test_describe_share_of_voice_names_the_most_quoted_per_group():
    sov = pd.DataFrame({
        "outlet": ["A", "A", "B"], "speaker": ["Jan Smit", "(unattributed)", "(unattributed)"],
        "quotes": [3, 1, 2], "share_of_quotes": [0.75, 0.25, 1.0], "n_quotes_group": [4, 4, 2],
    })
    text = describe.describe_share_of_voice(sov, group_by="outlet").text
    assert "A: Jan Smit is quoted most, 3 of 4 quotes (75%)." in text
    assert "B: none of its 2 quotes is attributed." in text and "3 of 6 quotes are unattributed." in text
    # groups in the order of every group table: sorted, (missing) last
    missing = sov.assign(outlet=["(missing)", "(missing)", "B"])
    text = describe.describe_share_of_voice(missing, group_by="outlet").text
    assert text.index("B: none of its") < text.index("(missing): Jan Smit is quoted most")


def test_speakers_who_tie_for_most_quoted_are_all_named_or_counted():
    six = [f"Speaker {c}" for c in "ABCDEF"]
    sov = pd.DataFrame({
        "outlet": ["T"] * 7 + ["M", "M"], "speaker": six + ["Jan Smit", "Sigrid Kaag", "Geert Wilders"],
        "quotes": [3] * 6 + [1, 1, 1], "share_of_quotes": [3 / 19] * 6 + [1 / 19, 0.5, 0.5], "n_quotes_group": [19] * 7 + [2, 2],
    })
    text = describe.describe_share_of_voice(sov, group_by="outlet").text
    assert "M: Geert Wilders and Sigrid Kaag are quoted most, 1 each of 2 quotes (50% each)." in text
    assert "T: 6 speakers tie for most quoted, 3 each of 19 quotes (16% each)." in text
    per_group = pd.DataFrame({"documents": [7, 7]}, index=pd.Index(["M", "T"], name="outlet"))
    text = describe.describe_stance(per_group, group_by="outlet", sov=sov).text
    assert "Who speaks. 6 speakers tie for most quoted (3 each of 21 quotes)" in text
    assert "share of voice is about the outlets' choices, not their opinion." in text
    by_section = sov.rename(columns={"outlet": "section"})
    text = describe.describe_stance(per_group.rename_axis("section"), group_by="section", sov=by_section).text
    assert "share of voice is about the `section` groups' choices, not their opinion." in text and "outlets'" not in text
    one = sov[sov["outlet"] == "M"].assign(quotes=[2, 1])
    assert "Who speaks. Sigrid Kaag is quoted most (2 of 3 quotes)" in describe.describe_stance(per_group, group_by="outlet", sov=one).text


def test_describe_trends_without_dates():
    trend = SimpleNamespace(table=pd.DataFrame(columns=["group", "month", "term", "count", "n_docs"]), undated=4)
    text = describe.describe_trends(trend, terms=["tram"]).text
    assert "No document is dated" in text and "4 undated documents are left out" in text


def test_describe_trends_in_one_month_says_there_is_no_time_line():
    table = pd.DataFrame({"group": ["A", "B"], "month": ["2023-01", "2023-01"], "term": "tram", "count": [2, 1], "n_docs": [3, 4]})
    text = describe.describe_trends(SimpleNamespace(table=table, undated=0), terms=["tram"]).text
    assert "Every dated document falls in 2023-01: there is no time line to follow `tram` on" in text and "followed over" not in text


def test_describe_trends_leaves_the_undated_group_out_of_the_months():
    table = pd.DataFrame({
        "group": ["A", "A", "A"], "month": ["2023-01", "2023-02", "(missing)"], "term": "tram",
        "count": [2, 0, 1], "n_docs": [1, 2, 1],
    })
    text = describe.describe_trends(SimpleNamespace(table=table, undated=1), terms=["tram"]).text
    assert "`tram` followed over 2 months; 1 of the 2 group-months with documents rest on a single document." in text
    assert "1 undated document is left out of the lines." in text


def test_describe_stance_names_the_hand_codes_and_the_document_label_classifiers():
    folds = pd.DataFrame({"fold": [1, 2, "mean"], "n_test": [7, 7, 14], "macro_f1_model": [0.5, 0.7, 0.6],
                          "macro_f1_majority": [0.4, 0.4, 0.4]})
    ev = SimpleNamespace(table=folds)
    per_group = pd.DataFrame({"documents": [7, 7]}, index=pd.Index(["A", "B"], name="outlet"))
    text = describe.describe_stance(per_group, group_by="outlet", evaluation=ev, label_evaluation=ev, label_column="<genre>").text
    assert "- Hand codes. Macro-F1 0.600 (folds 0.500 to 0.700) against 0.400 for always predicting the most common label, over 14 coded units." in text
    assert ("- Document label. `<genre>`, learnt from whole documents: Macro-F1 0.600 (folds 0.500 to 0.700) against 0.400 "
            "for always predicting the most common label, over 14 documents.") in text
    page = describe.describe_stance(per_group, group_by="outlet", label_evaluation=ev, label_column="<genre>")._repr_html_()
    assert "<code>&lt;genre&gt;</code>" in page and "Hand codes" not in page


def _corpus(documents: pd.DataFrame, removals: pd.DataFrame | None = None):
    n = len(documents)
    summary = pd.DataFrame({"count": [1, n, n, 0, 0, 0, 0, 0]}, index=[
        "input files", "input records", "documents kept", "records skipped", "documents without date",
        "exact copies flagged", "near-duplicates flagged (besides exact copies)", "boilerplate removals"])
    removals = removals if removals is not None else pd.DataFrame(columns=["doc_id", "kind", "paragraph", "chars", "text"])
    return SimpleNamespace(documents=documents, skipped=pd.DataFrame(columns=["reason"]), removals=removals,
                           summary=lambda: summary)


def test_describe_corpus_checks_says_the_span_and_the_months_with_documents():
    months = ["2013-01", "2014-06", "2022-10"]
    docs = pd.DataFrame({"doc_id": list("abc"), "outlet": ["X", "Y", "X"], "date": [m + "-01" for m in months], "month": months})
    text = describe.describe_corpus_checks(_corpus(docs)).text
    assert "3 of 3 documents dated (2013-01 to 2022-10, 118 months, 3 of them with documents)." in text
    every = docs.assign(month=["2013-01", "2013-02", "2013-03"], date=["2013-01-01", "2013-02-01", "2013-03-01"])
    assert "(2013-01 to 2013-03, 3 months)." in describe.describe_corpus_checks(_corpus(every)).text


def test_text_clean_ups_are_not_counted_as_boilerplate(tmp_path):
    # non-breaking spaces and decomposed accents are cleaned, not boilerplate: the totals and the sentence say so
    import json

    import yaml

    from medialens.corpus import load_corpus

    rows = [{"id": f"d{i}", "text": f"Het\u00a0kabinet besloot cafe\u0301 {i} te sluiten. <b>Nieuw</b>", "outlet": "X"} for i in range(3)]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({
        "name": "clean", "language": "nl", "source": {"path": "d.jsonl", "format": "jsonl"}, "fields": {"id": "id"},
        "cleaning": {"boilerplate": False, "html": "strip"},
    }), encoding="utf-8")
    c = load_corpus(tmp_path / "c.yaml", use_cache=False)
    assert set(c.removals["kind"]) == {"special_spaces", "not_nfc", "html"}
    assert c.summary().loc["boilerplate removals", "count"] == 0
    text = describe.describe_corpus_checks(c).text
    assert "Nothing was removed as boilerplate" in text and "pieces of boilerplate" not in text
    assert ("Text clean-up. Not boilerplate, and not counted as such: HTML tags and entities stripped in 3 documents, "
            "text normalised to Unicode NFC in 3 documents and non-breaking and other special spaces made plain in 3 documents.") in text


def test_fixed_wording_is_true_of_any_corpus():
    one = Findings([group_sizes_sentence(pd.Series({"A": 1}), group_by="outlet")]).text
    assert one == "- The one document is in one `outlet` group (A): there is nothing to compare between groups."
    two = Findings([group_sizes_sentence(pd.Series({"A": 2}), group_by="outlet")]).text
    assert two.startswith("- All 2 documents are in one `outlet` group (A)")
    units = pd.DataFrame({"doc_id": ["a", "b"], "unit_id": ["a", "b"]})
    text = describe.describe_units(units, unit="document", requested="paragraph").text
    assert "no document has more than one paragraph: the units are whole documents instead." in text
    assert "export" not in text  # how the corpus was exported was not measured


def test_notebook_narrative_names_no_language_and_reads_right():
    import nbformat

    from medialens.paths import project_root

    for path in sorted((project_root() / "notebooks").glob("*.ipynb")):
        sources = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        assert "of Dutch in general" not in sources, path.name
        assert " a outlet" not in sources, path.name


def test_describe_stance_by_speaker_says_the_speaker_grouping_not_only_the_outlets():
    sov = pd.DataFrame({"outlet": ["A", "A", "B"], "speaker": ["Warren", "(unattributed)", "Biden"],
                        "quotes": [3, 2, 1], "share_of_quotes": [0.6, 0.4, 1.0], "n_quotes_group": [5, 5, 1]})
    per_group = pd.DataFrame({"documents": [6, 6]}, index=pd.Index(["A", "B"], name="outlet"))
    text = describe.describe_stance(per_group, group_by="outlet", sov=sov, compared_by="speaker").text
    assert "Groups. Compared by `speaker`: 2 speakers, to whom 4 of 6 quotes are attributed (by name or description); the documents: 2 `outlet` groups with 6 documents each." in text
    assert "Compared by" not in describe.describe_stance(per_group, group_by="outlet", sov=sov).text


def test_describe_top_terms_ranks_words_apart_from_pairs_and_flags_single_document_words():
    overall = pd.DataFrame({"group": "(all)", "rank": [1, 2, 3, 1], "term": ["airship", "said", "hangar", "airship hangar"],
                            "n": [1, 1, 1, 2], "docs_with_term": [1, 210, 1, 1]})
    top = overall.assign(group="A")
    text = describe.describe_top_terms(overall, top, group_by="outlet", show=5).text
    assert "The most frequent words of the corpus: `airship`, `said` and `hangar`." in text  # no word pair among them
    assert "2 of them occur in a single document (`airship` and `hangar`): that article's words, not the corpus's." in text


def test_describe_copies_counts_the_flagged_documents_once():
    docs = pd.DataFrame({"doc_id": list("abcd"), "copy_of": [None, "a", None, None], "near_duplicate_of": [None, "a", "a", None]})
    text = describe.describe_copies(docs).text
    assert text.startswith("- 2 of the 4 documents are flagged as a copy or near-duplicate of another, and kept")
    assert ("To analyse each text once, set `cleaning.duplicates_across_outlets: drop` in the corpus definition: "
            "it drops the 1 exact copy (near-duplicates are only flagged).") in text
    assert describe.describe_copies(docs.assign(copy_of=None, near_duplicate_of=None)).text == ""


def test_describe_corpus_checks_says_how_many_paragraphs_repeat_and_how_to_remove_them():
    docs = pd.DataFrame({"doc_id": list("ab"), "outlet": ["X", "X"], "date": [None, None], "month": [None, None]})
    rep = pd.DataFrame({"paragraph": ["Subscribe <now>."], "documents": [6], "outlets": [1], "top_outlet": ["X"],
                        "top_outlet_documents": [8], "top_outlet_share": [0.75]})
    text = describe.describe_corpus_checks(_corpus(docs), repeated=rep).text
    assert ("- Repeated paragraphs. 1 paragraph is repeated word for word in at least 5 documents and at least 20% of one "
            "outlet's documents (listed in the table of repeated paragraphs); the most repeated is in 6 documents (75% of X's 8 documents not flagged as "
            "copies): \u201cSubscribe <now>.\u201d") in text
    assert "counted as words in every analysis" in text and "`cleaning.boilerplate` only switches" in text
    assert "&lt;now&gt;" in describe.describe_corpus_checks(_corpus(docs), repeated=rep)._repr_html_()
    for none in (None, rep.iloc[:0]):
        assert "Repeated paragraphs" not in describe.describe_corpus_checks(_corpus(docs), repeated=none).text
