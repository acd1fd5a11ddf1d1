"""Lexicon stance: target mentions on the shared tokens, the group × target table, bootstrap
reproducibility and bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medialens import lexicon as lx
from medialens import stance as st
from medialens.results import with_intervals


def test_mentions_on_shared_tokens_with_compounds_and_speakers(lex, docs, targets):
    from medialens.quotes import extract_quotes

    q = extract_quotes(docs).table
    m = st.find_mentions(docs, targets, lexicon=lex, quotes=q)
    got = m[["doc_id", "target", "alias", "speaker"]].values.tolist()
    assert got == [
        ["a", "NAVO", "navo-topman", "(not quoted)"],
        ["a", "NAVO", "bondgenootschap", "(not quoted)"],
        ["a", "Rusland", "rusland", "(not quoted)"],
        ["b", "NAVO", "navo", "(not quoted)"],
        ["b", "NAVO", "alliantie", "Ank Bijleveld"],
        ["c", "Rusland", "moskou", "(not quoted)"],
    ]
    pol = dict(zip(zip(m["doc_id"], m["alias"], strict=True), m["polarity"], strict=True))
    assert pol[("a", "rusland")] == pytest.approx(-0.275)  # "niet goed"
    assert pol[("b", "navo")] == 0.0  # naar guarded
    assert pol[("b", "alliantie")] == pytest.approx(0.55)


def test_window_context(lex, docs, targets):
    m = st.find_mentions(docs.iloc[[0]], {"Rusland": ["Rusland"]}, lexicon=lex, window=2)
    assert m["context"].tolist() == ["is sterk rusland is niet"]
    with pytest.raises(ValueError, match="window = 0"):
        st.find_mentions(docs, targets, lexicon=lex, window=0)


def test_target_that_never_occurs_is_named(lex, docs, targets):
    with pytest.raises(ValueError, match=r"targets: 'Oekraïne' \(aliases \['Oekraïne', 'Kyiv'\]\) never occur"):
        st.find_mentions(docs, {**targets, "Oekraïne": ["Oekraïne", "Kyiv"]}, lexicon=lex)
    kept = st.find_mentions(docs, {**targets, "Oekraïne": ["Oekraïne"]}, lexicon=lex, on_missing="keep")
    assert "Oekraïne" not in set(kept["target"])


def test_bad_targets_parameter(lex, docs):
    with pytest.raises(ValueError, match="targets"):
        st.find_mentions(docs, {}, lexicon=lex)
    with pytest.raises(ValueError, match=r"targets\['NAVO'\]"):
        st.find_mentions(docs, {"NAVO": []}, lexicon=lex)


def test_group_without_mentions_shows_insufficient_data(lex, docs, targets):
    docs = pd.concat([docs, pd.DataFrame({"doc_id": ["d"], "outlet": ["Z"], "text": ["Over het weer."]})], ignore_index=True)
    m = st.find_mentions(docs, targets, lexicon=lex)
    t = with_intervals(st.stance_table(m, docs, group_by="outlet", min_n=1, n_bootstrap=200), value="mean")
    z = t[t["group"] == "Z"]
    assert z["n_mentions"].tolist() == [0, 0]
    assert z["result"].tolist() == ["insufficient data", "insufficient data"]
    assert z["mean"].isna().all()


def test_stance_table_min_n_and_counts(lex, docs, targets):
    m = st.find_mentions(docs, targets, lexicon=lex)
    # min_n counts documents: X's NAVO cell rests on 2 documents (4 mentions)
    t = with_intervals(st.stance_table(m, docs, group_by="outlet", min_n=2, n_bootstrap=200), value="mean").set_index(["group", "target"])
    assert t.loc[("X", "NAVO"), "n_mentions"] == 4
    assert t.loc[("X", "NAVO"), "n_documents"] == 2
    assert t.loc[("X", "NAVO"), "mean"] == pytest.approx(round(np.mean(m[(m["doc_id"] != "c") & (m["target"] == "NAVO")]["polarity"]), 3))
    assert t.loc[("X", "Rusland"), "result"] == "insufficient data"  # 1 document < 2


def test_stance_table_bad_parameters(lex, docs, targets):
    m = st.find_mentions(docs, targets, lexicon=lex)
    with pytest.raises(ValueError, match="group_by = 'krant'"):
        st.stance_table(m, docs, group_by="krant")
    with pytest.raises(ValueError, match="min_n = 0"):
        st.stance_table(m, docs, min_n=0)
    with pytest.raises(ValueError, match="n_bootstrap = 10"):
        st.bootstrap_mean([0.1, 0.2], n_bootstrap=10)


def test_bootstrap_is_reproducible_and_matches_a_plain_numpy_bootstrap():
    x = np.array([0.1, -0.3, 0.5, 0.0, 0.2, -0.1, 0.4])
    a = st.bootstrap_mean(x, n_bootstrap=1000, random_state=7)
    b = st.bootstrap_mean(x, n_bootstrap=1000, random_state=7)
    assert a == b
    assert st.bootstrap_mean(x, n_bootstrap=1000, random_state=8) != a
    rng = np.random.default_rng(7)
    means = [x[rng.integers(0, len(x), len(x))].mean() for _ in range(1000)]
    assert a == pytest.approx(tuple(np.quantile(means, [0.025, 0.975])), abs=1e-12)
    assert a[0] <= x.mean() <= a[1]


def test_stance_table_reproducible_for_fixed_random_state(lex, docs, targets):
    m = st.find_mentions(docs, targets, lexicon=lex)
    t1 = st.stance_table(m, docs, min_n=1, n_bootstrap=500, random_state=3, resample="mentions")
    t2 = st.stance_table(m, docs, min_n=1, n_bootstrap=500, random_state=3, resample="mentions")
    pd.testing.assert_frame_equal(t1, t2)
    t3 = st.stance_table(m, docs, min_n=1, n_bootstrap=500, random_state=3, resample="documents")
    pd.testing.assert_frame_equal(t3, st.stance_table(m, docs, min_n=1, n_bootstrap=500, random_state=3, resample="documents"))


def test_notebook_declares_the_parameters_of_the_issue():
    from medialens.paths import resolve
    from medialens.report import notebook_parameters

    params = notebook_parameters(resolve("notebooks/30_stance_comparison.ipynb"))
    expected = {
        "corpus": str, "figures_dir": str, "group_by": str, "targets": dict, "window": int, "lexicon": str,
        "min_n": int, "n_bootstrap": int, "random_state": int, "coding_file": str, "group": str, "reference": str,
        "language": str, "remove_stopwords": bool, "reduce": str, "use_cache": bool, "resample": str,
    }
    for name, typ in expected.items():
        assert name in params, name
        assert typ in params[name].types, (name, params[name].types)
    # defaults that work on any corpus: the targets the corpus definition names (the seeds' four),
    # else the corpus's most named; hand codes only when a parameter file names them (the seeds' does)
    from medialens.corpus import read_definition
    from medialens.report import read_parameter_file

    assert params["targets"].default == {}
    assert read_definition(resolve("corpus/seeds.yaml")).defaults["targets"] == st.DEFAULT_TARGETS
    assert params["coding_file"].default == ""
    seed_params = read_parameter_file(resolve("corpus/seeds.params.yaml"))
    assert seed_params.per_notebook["30_stance_comparison"]["coding_file"] == "seeds.stance_codes.csv"


def test_negation_does_not_cross_a_sentence_boundary_in_a_token_window(lex):
    docs = pd.DataFrame({"doc_id": ["a"], "outlet": ["A"], "text": ["Dat was het niet. Goed nieuws voor de NAVO."]})
    m = st.find_mentions(docs, {"NAVO": ["NAVO"]}, lexicon=lex, window=5)
    assert m["context"].tolist() == ["niet goed nieuws voor de navo"]  # the window crosses the full stop ...
    assert m["n_negated"].tolist() == [0]  # ... but the negation belongs to the previous sentence
    assert m["polarity"].iloc[0] == pytest.approx(0.55)  # goed, as in the sentence context
    same = pd.DataFrame({"doc_id": ["a"], "outlet": ["A"], "text": ["Het was niet goed nieuws voor de NAVO."]})
    assert st.find_mentions(same, {"NAVO": ["NAVO"]}, lexicon=lex, window=5)["polarity"].iloc[0] == pytest.approx(-0.275)
    with pytest.raises(ValueError, match="sentence_ids: 1 sentence ids for 2 tokens"):
        lx.score_tokens(["niet", "goed"], lex, sentence_ids=[1])


@pytest.mark.parametrize("resample", ["mentions", "documents"])
def test_stance_table_checks_the_bootstrap_settings_first(lex, resample, docs, targets):
    m = st.find_mentions(docs, targets, lexicon=lex)
    # before the fix: resample="documents" with n_bootstrap = 0 raised numpy's IndexError, and with
    # every cell below min_n a bad n_bootstrap passed silently
    with pytest.raises(ValueError, match="n_bootstrap = 0: must be a whole number >= 100"):
        st.stance_table(m, docs, min_n=1, n_bootstrap=0, resample=resample)
    with pytest.raises(ValueError, match="n_bootstrap = 0"):
        st.stance_table(m, docs, min_n=99, n_bootstrap=0, resample=resample)
    with pytest.raises(ValueError, match="random_state = -1"):
        st.stance_table(m, docs, min_n=1, random_state=-1, resample=resample)


def test_document_bootstrap_equals_a_plain_numpy_bootstrap_over_documents(lex, docs, targets):
    m = st.find_mentions(docs, targets, lexicon=lex)
    t = with_intervals(st.stance_table(m, docs, group_by="outlet", min_n=2, n_bootstrap=500, random_state=3, resample="documents"), value="mean")
    row = t[(t["group"] == "X") & (t["target"] == "NAVO")].iloc[0]
    cell = m[(m["doc_id"].isin(["a", "b"])) & (m["target"] == "NAVO")]
    by_doc = [cell.loc[cell["doc_id"] == d, "polarity"].to_numpy() for d in ["a", "b"]]
    rng = np.random.default_rng(3)
    means = [np.concatenate([by_doc[k] for k in rng.integers(0, 2, size=2)]).mean() for _ in range(500)]
    lo, hi = np.percentile(means, [2.5, 97.5])
    assert (row["ci_low"], row["ci_high"]) == (round(lo, 3), round(hi, 3))
    assert row["result"] == f"{cell['polarity'].mean():.3f} [{lo:.3f}, {hi:.3f}]"


def test_mention_summary_equals_a_plain_count(lex, docs, targets):
    from collections import Counter

    from medialens.quotes import extract_quotes

    q = extract_quotes(docs).table
    m = st.find_mentions(docs, targets, lexicon=lex, quotes=q)
    s = st.mention_summary(m, targets=["Rusland", "NAVO", "EU"])
    assert list(s.index) == ["Rusland", "NAVO", "EU"]
    assert s["mentions"].to_dict() == {**Counter(m["target"]), "EU": 0}
    assert s.loc["NAVO", "documents"] == 2 and s.loc["NAVO", "inside_quotes"] == 1
    assert s.loc["Rusland", "with_lexicon_words"] == 1  # "Rusland is niet goed"; "Moskou zwijgt" has none
    with pytest.raises(ValueError, match="mentions: missing column"):
        st.mention_summary(m.drop(columns="in_quote"))


def test_one_mention_or_one_document_is_insufficient_data_whatever_min_n(lex, docs, targets):
    m = st.find_mentions(docs, targets, lexicon=lex)
    t = with_intervals(st.stance_table(m, docs, group_by="outlet", min_n=1, n_bootstrap=200), value="mean").set_index(["group", "target"])
    # before: n = 1 showed its polarity with a zero-width "interval" [x, x]
    assert t.loc[("Y", "Rusland"), "n_mentions"] == 1
    assert t.loc[("Y", "Rusland"), "result"] == "insufficient data" and np.isnan(t.loc[("Y", "Rusland"), "mean"])
    by_doc = with_intervals(st.stance_table(m, docs, group_by="doc_id", min_n=1, n_bootstrap=200, resample="documents"), value="mean").set_index(["group", "target"])
    # two mentions in one document: resampling documents always draws the same one
    assert by_doc.loc[("a", "NAVO"), "n_mentions"] == 2 and by_doc.loc[("a", "NAVO"), "result"] == "insufficient data"
    by_mention = with_intervals(st.stance_table(m, docs, group_by="doc_id", min_n=1, n_bootstrap=200, resample="mentions"), value="mean").set_index(["group", "target"])
    assert by_mention.loc[("a", "NAVO"), "result"] != "insufficient data"


def test_stance_table_says_how_many_mentions_had_a_lexicon_word(lex):
    docs = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"],
                         "text": ["De NAVO vergadert. De NAVO reist.", "De NAVO is goed. De NAVO praat."]})
    m = st.find_mentions(docs, {"NAVO": ["NAVO"]}, lexicon=lex)
    t = with_intervals(st.stance_table(m, docs, min_n=2, n_bootstrap=200), value="mean").iloc[0]
    assert (t["n_mentions"], t["n_scored"]) == (4, 1)  # only "goed" is in the lexicon
    assert t["mean"] == pytest.approx(round(0.55 / 4, 3))


def test_a_cell_whose_mentions_hold_no_lexicon_word_has_no_score_not_zero(lex):
    # before: "0.000 [0.000, 0.000]", which reads as neutral
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["X", "X", "X"],
                         "text": ["De NAVO vergadert.", "De NAVO reist. De NAVO praat.", "De NAVO zwijgt."]})
    m = st.find_mentions(docs, {"NAVO": ["NAVO"]}, lexicon=lex)
    t = with_intervals(st.stance_table(m, docs, min_n=2, n_bootstrap=200), value="mean").iloc[0]
    assert (t["n_documents"], t["n_mentions"], t["n_scored"]) == (3, 4, 0)
    assert np.isnan(t["mean"]) and np.isnan(t["ci_low"]) and np.isnan(t["ci_high"])
    assert (t["missing"], t["result"]) == ("no scored words", "no scored words (n = 4 mentions)")
    # too few documents stays "insufficient data", whatever the words
    few = with_intervals(st.stance_table(m, docs, min_n=5, n_bootstrap=200), value="mean").iloc[0]
    assert (few["missing"], few["result"]) == ("insufficient data", "insufficient data")


def test_find_mentions_take_the_analysis_settings_and_score_every_word(lex, docs, targets):
    from medialens.text import TextSettings

    plain = st.find_mentions(docs, targets, lexicon=lex)
    analysis = TextSettings(remove_stopwords=True, reduce="lemma", min_length=3)
    pd.testing.assert_frame_equal(plain, st.find_mentions(docs, targets, lexicon=lex, settings=analysis))
    assert "niet goed" in " ".join(plain["context"])  # the negation stays visible
    with pytest.raises(ValueError, match=r"^on_missing = 'skip': choose 'raise' or 'keep'"):
        st.find_mentions(docs, targets, lexicon=lex, on_missing="skip")


# --------------------------------------------------------------------------------------------
# Evidence counts documents
# --------------------------------------------------------------------------------------------
@pytest.fixture
def one_article_many_mentions() -> pd.DataFrame:
    """Outlet X: one article that mentions NAVO in five sentences; outlet Y: three articles."""
    x = " ".join(f"De NAVO is {w}." for w in ("goed", "sterk", "slecht", "goed", "verstandig"))
    return pd.DataFrame({
        "doc_id": ["x1", "y1", "y2", "y3"],
        "outlet": ["X", "Y", "Y", "Y"],
        "text": [x, "De NAVO is goed. Het regent.", "De NAVO is slecht.", "De NAVO is sterk. De NAVO praat."],
    })


@pytest.mark.parametrize("resample", ["documents", "mentions"])
def test_five_mentions_in_one_article_are_insufficient_data_below_min_n_documents(lex, one_article_many_mentions, resample):
    docs = one_article_many_mentions
    m = st.find_mentions(docs, {"NAVO": ["NAVO"]}, lexicon=lex)
    t = with_intervals(st.stance_table(m, docs, min_n=2, n_bootstrap=200, resample=resample), value="mean").set_index("group")
    assert (t.loc["X", "n_documents"], t.loc["X", "n_mentions"]) == (1, 5)
    assert t.loc["X", "result"] == "insufficient data" and np.isnan(t.loc["X", "ci_low"])
    assert (t.loc["Y", "n_documents"], t.loc["Y", "n_mentions"]) == (3, 4)
    assert t.loc["Y", "result"] != "insufficient data"
    # three documents are not enough for min_n = 5 either
    t5 = st.stance_table(m, docs, min_n=5, n_bootstrap=200, resample=resample).set_index("group")
    assert t5["mean"].isna().all()
    assert list(t5.columns[:4]) == ["target", "n_documents", "n_mentions", "n_scored"]


def test_intervals_resample_documents_by_default(lex, one_article_many_mentions):
    docs = one_article_many_mentions
    m = st.find_mentions(docs, {"NAVO": ["NAVO"]}, lexicon=lex)
    default = st.stance_table(m, docs, min_n=2, n_bootstrap=300, random_state=1)
    pd.testing.assert_frame_equal(default, st.stance_table(m, docs, min_n=2, n_bootstrap=300, random_state=1, resample="documents"))
    y = m[m["doc_id"].str.startswith("y")]
    want = st.bootstrap_mean(y["polarity"], clusters=y["doc_id"], n_bootstrap=300, random_state=1)
    row = default.set_index("group").loc["Y"]
    assert (row["ci_low"], row["ci_high"]) == (round(want[0], 3), round(want[1], 3))
    with pytest.raises(ValueError, match="resample = 'sentences'"):
        st.stance_table(m, docs, resample="sentences")
    # with min_n = 1 one article can still be resampled by mention, on request
    one = st.stance_table(m, docs, min_n=1, n_bootstrap=300, resample="mentions").set_index("group")
    assert not np.isnan(one.loc["X", "mean"])


def test_document_bootstrap_is_drawn_in_blocks_with_the_same_numbers(monkeypatch):
    x = np.array([0.1, -0.3, 0.5, 0.0, 0.2, -0.1, 0.4, 0.3])
    docs = ["a", "a", "b", "c", "c", "c", "d", "e"]
    whole = st.bootstrap_mean(x, clusters=docs, n_bootstrap=1000, random_state=5)
    plain = st.bootstrap_mean(x, n_bootstrap=1000, random_state=5)
    monkeypatch.setattr(st, "_BLOCK", 7)
    assert st.bootstrap_mean(x, clusters=docs, n_bootstrap=1000, random_state=5) == whole
    assert st.bootstrap_mean(x, n_bootstrap=1000, random_state=5) == plain
    rng = np.random.default_rng(5)
    by_doc = [x[[i for i, d in enumerate(docs) if d == k]] for k in sorted(set(docs))]
    means = [np.concatenate([by_doc[j] for j in rng.integers(0, 5, size=5)]).mean() for _ in range(1000)]
    assert whole == pytest.approx(tuple(np.quantile(means, [0.025, 0.975])), abs=1e-12)
    with pytest.raises(ValueError, match="clusters: 2 labels for 8 values"):
        st.bootstrap_mean(x, clusters=["a", "b"])


def test_the_name_in_a_quotes_attribution_is_not_talk_about_the_speaker():
    from medialens.quotes import extract_quotes
    from medialens.text import TextSettings

    en = TextSettings(language="en")
    docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "outlet": ["X", "X", "X", "X"], "text": [
        "\"The plan is good,\" Rishi Sunak said. Critics called Rishi Sunak a terrible leader.",
        "According to Rishi Sunak, the decision was good.",
        "The vote was late. \"We are happy,\" said Sunak.",
        # the tag is a pronoun resolved to him: the name in that sentence is talk about him (review)
        "Rishi Sunak spoke. After terrible criticism of Sunak, he said: \"We will go on.\"",
    ]})
    q = extract_quotes(docs, language="en").table
    assert q.loc[q["doc_id"] == "d", ["speaker", "reference"]].values.tolist() == [["Rishi Sunak", "pronoun"]]
    m = st.find_mentions(docs, {"Rishi Sunak": ["Rishi Sunak", "Sunak"]}, lexicon=lx.load_lexicon("textblob-en"), settings=en, quotes=q)
    assert m[["doc_id", "attribution"]].values.tolist() == [["a", True], ["a", False], ["b", True], ["c", True], ["d", False], ["d", False]]
    assert st.mention_summary(m).loc["Rishi Sunak", "attributions"] == 3
    table = st.stance_table(m, docs, min_n=1, resample="mentions")
    assert table[["n_documents", "n_mentions"]].values.tolist() == [[2, 3]]  # the sentences about him
    assert st.stance_table(m, docs, min_n=1, resample="mentions", attributions=True)["n_mentions"].tolist() == [6]
