"""Log-odds with an informative Dirichlet prior (against the formula written out here and against
scattertext's implementation transcribed below), and the units it compares."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from medialens import log_odds as lod
from medialens import stance as st
from medialens.text import TextSettings, Tokenizer


def formula(y_i: dict, y_j: dict, alpha: dict, *, extra_variance: bool) -> dict:
    """Monroe, Colaresi & Quinn (2008), eqs. for δ and σ², term by term with math.log."""
    n_i, n_j, a0 = sum(y_i.values()), sum(y_j.values()), sum(alpha.values())
    out = {}
    for w in alpha:
        yi, yj, a = y_i.get(w, 0), y_j.get(w, 0), alpha[w]
        delta = math.log((yi + a) / (n_i + a0 - yi - a)) - math.log((yj + a) / (n_j + a0 - yj - a))
        var = 1 / (yi + a) + 1 / (yj + a)
        if extra_variance:
            var += 1 / (n_i + a0 - yi - a) + 1 / (n_j + a0 - yj - a)
        out[w] = delta / math.sqrt(var)
    return out


def scattertext_zeta(y_i: np.ndarray, y_j: np.ndarray, priors: np.ndarray, sigma: float = 10, scale_type: str = "none",
                     prior_power: float = 1) -> np.ndarray:
    """Transcribed from scattertext's LogOddsRatioInformativeDirichletPrior.get_zeta_i_j_given_separate_counts
    (JasonKessler/scattertext, scattertext/termsignificance/LogOddsRatioInformativeDirichletPiror.py; the
    same class is exported as scattertext.LogOddsRatioInformativeDirichletPrior). scattertext itself does
    not install here (it pins scipy<1.14 and needs spacy/gensim)."""
    n_i, n_j = y_i.sum(), y_j.sum()
    prior_scale_j = prior_scale_i = 1
    if scale_type == "class-size":
        prior_scale_i = ((n_i) * sigma * 1. / np.sum(priors))
        prior_scale_j = ((n_j) * sigma * 1. / np.sum(priors))
    elif scale_type == "corpus-size":
        prior_scale_j = prior_scale_i = ((n_i + n_j) * sigma * 1. / np.sum(priors))
    elif scale_type == "word":
        prior_scale_j = prior_scale_i = sigma / np.sum(priors)
    elif scale_type == "background-corpus-size":
        prior_scale_j = prior_scale_i = sigma
    a_wj = (priors * prior_scale_j) ** prior_power
    a_0j = np.sum(a_wj)
    a_wi = (priors * prior_scale_i) ** prior_power
    a_0i = np.sum(a_wi)
    delta_i_j = (np.log((y_i + a_wi) / (n_i + a_0i - y_i - a_wi))
                 - np.log((y_j + a_wj) / (n_j + a_0j - y_j - a_wj)))
    var_delta_i_j = (1. / (y_i + a_wi)
                     + 1. / (n_i + a_0i - y_i - a_wi)
                     + 1. / (y_j + a_wj)
                     + 1. / (n_j + a_0j - y_j - a_wj))
    return delta_i_j / np.sqrt(var_delta_i_j)


Y_I = {"navo": 10, "rusland": 3, "vrede": 0, "oorlog": 5, "overleg": 2}


Y_J = {"navo": 4, "rusland": 9, "vrede": 2, "oorlog": 5, "overleg": 0}


def test_log_odds_equals_the_formula_with_the_papers_variance():
    terms = sorted(Y_I)
    pooled = {w: Y_I[w] + Y_J[w] for w in terms}
    alpha = {w: 10 * pooled[w] / sum(pooled.values()) for w in terms}
    got = lod.log_odds_dirichlet(Y_I, Y_J, prior="pooled", alpha0=10, variance="mcq").set_index("term")["z"]
    want = formula(Y_I, Y_J, alpha, extra_variance=False)
    for w in terms:
        assert got[w] == pytest.approx(want[w], abs=1e-9)


def test_log_odds_hand_worked_value():
    # navo: y_i = 10, y_j = 4, pooled share 14/40 -> alpha = 3.5; n_i = n_j = 20, alpha0 = 10
    # delta = ln(13.5 / 16.5) - ln(7.5 / 22.5) = 0.897942; var = 1/13.5 + 1/7.5 = 0.207407; z = 1.971678
    r = lod.log_odds_dirichlet(Y_I, Y_J).set_index("term").loc["navo"]
    assert r["alpha"] == pytest.approx(3.5)
    assert r["delta"] == pytest.approx(math.log(13.5 / 16.5) - math.log(7.5 / 22.5), abs=1e-12)
    assert r["z"] == pytest.approx(1.971678, abs=1e-6)


@pytest.mark.parametrize(("prior", "scale_type"), [("pooled", "word"), ("tidylo", "none")])
def test_log_odds_equals_scattertext_with_its_variance(prior, scale_type):
    terms = sorted(Y_I)
    yi = np.array([Y_I[w] for w in terms], dtype=float)
    yj = np.array([Y_J[w] for w in terms], dtype=float)
    want = scattertext_zeta(yi, yj, yi + yj, sigma=10, scale_type=scale_type)
    got = lod.log_odds_dirichlet(Y_I, Y_J, prior=prior, alpha0=10, variance="scattertext").set_index("term")["z"]
    np.testing.assert_allclose(got.reindex(terms).to_numpy(), want, rtol=0, atol=1e-9)
    # and the formula with the two extra terms agrees too
    alpha = {w: (10 * (Y_I[w] + Y_J[w]) / 40 if prior == "pooled" else Y_I[w] + Y_J[w]) for w in terms}
    f = formula(Y_I, Y_J, alpha, extra_variance=True)
    np.testing.assert_allclose(got.reindex(terms).to_numpy(), [f[w] for w in terms], rtol=0, atol=1e-9)


def test_log_odds_background_prior_and_sorting():
    bg = {"navo": 100, "rusland": 100, "vrede": 50, "oorlog": 200, "overleg": 50}
    r = lod.log_odds_dirichlet(Y_I, Y_J, prior=bg, alpha0=20)
    assert r["alpha"].sum() == pytest.approx(20)
    assert r["z"].is_monotonic_decreasing
    assert r["term"].iloc[0] == "navo" and r["term"].iloc[-1] == "rusland"


def test_log_odds_bad_inputs():
    with pytest.raises(ValueError, match="variance = 'x'"):
        lod.log_odds_dirichlet(Y_I, Y_J, variance="x")
    with pytest.raises(ValueError, match="alpha0 = 0"):
        lod.log_odds_dirichlet(Y_I, Y_J, alpha0=0)
    with pytest.raises(ValueError, match="counts_j: this group has no tokens"):
        lod.log_odds_dirichlet(Y_I, {"navo": 0})
    with pytest.raises(ValueError, match="prior = 'flat'"):
        lod.log_odds_dirichlet(Y_I, Y_J, prior="flat")


def test_log_odds_groups_one_vs_rest_and_bad_group(docs):
    r = lod.log_odds_groups(docs, group_by="outlet", group="Y", settings=TextSettings())
    assert r["comparison"].iloc[0] == "Y vs rest"
    assert r.set_index("term").loc["moskou", "count_i"] == 1
    with pytest.raises(ValueError, match="group = 'Q': not a value of 'outlet'"):
        lod.log_odds_groups(docs, group_by="outlet", group="Q")
    with pytest.raises(ValueError, match="reference = 'X': compare group 'X' with another group"):
        lod.log_odds_groups(docs, group_by="outlet", group="X", reference="X")
    with pytest.raises(ValueError, match=r"^settings: expected a TextSettings, got Tokenizer"):
        lod.log_odds_groups(docs, group_by="outlet", group="Y", settings=Tokenizer(TextSettings()))


def test_comparison_units_documents_or_quotes(docs):
    from medialens.quotes import extract_quotes

    d = docs.assign(outlet=["X", None, "Y"])
    u = lod.comparison_units(d, group_by="outlet")
    assert u[["doc_id", "outlet"]].values.tolist() == [["a", "X"], ["b", "(missing)"], ["c", "Y"]]
    q = extract_quotes(docs).table
    s = lod.comparison_units(docs, q, group_by="speaker")
    assert s[["doc_id", "speaker", "text"]].values.tolist() == [["b", "Ank Bijleveld", "De alliantie is goed"]]
    with pytest.raises(ValueError, match="quotes: group_by = 'speaker'"):
        lod.comparison_units(docs, group_by="speaker")


def test_choose_groups_default_largest_then_name_and_bad_values():
    u = pd.DataFrame({"outlet": ["B", "A", "B", "A", "C"], "text": ["x"] * 5})
    assert lod.choose_groups(u, group_by="outlet") == ("A", None)  # A and B tie on 2: by name
    assert lod.choose_groups(u, group_by="outlet", group="C") == ("C", None)
    assert lod.choose_groups(u, group_by="outlet", group="C", reference="B") == ("C", "B")
    assert lod.choose_groups(u, group_by="outlet", reference="A") == ("B", "A")  # the largest other group
    with pytest.raises(ValueError, match=r"group = \['A', 'B', 'C'\]: give a group name"):
        lod.choose_groups(u, group_by="outlet", group=["A", "B", "C"])
    with pytest.raises(ValueError, match=r"group = 'Q': not a value of 'outlet'; values: \['A', 'B', 'C'\]"):
        lod.choose_groups(u, group_by="outlet", group="Q")
    with pytest.raises(ValueError, match=r"reference = 'Q': not a value of 'outlet'"):
        lod.choose_groups(u, group_by="outlet", reference="Q")
    with pytest.raises(ValueError, match="not itself"):
        lod.choose_groups(u, group_by="outlet", group="A", reference="A")


def test_the_default_group_is_never_the_missing_group_unless_named():
    u = pd.DataFrame({"outlet": [None, "", None, "A", "B", "A"], "text": ["x"] * 6})  # (missing) is the largest
    assert lod.choose_groups(u, group_by="outlet") == ("A", None)
    assert lod.choose_groups(u, group_by="outlet", reference="A") == ("B", "A")
    assert lod.choose_groups(u, group_by="outlet", group="(missing)") == ("(missing)", None)  # named: chosen
    only = pd.DataFrame({"outlet": [None, None, "A"], "text": ["x"] * 3})
    assert lod.choose_groups(only, group_by="outlet", reference="A") == ("(missing)", "A")  # the one group left


def test_target_contexts_count_each_context_token_once(lex):
    docs = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"],
                         "text": ["De NAVO en de NAVO zijn goed. Rusland zwijgt.", "Over het weer."]})
    units = lod.comparison_units(docs, group_by="outlet")
    for window, expected in [("sentence", "de navo en de navo zijn goed"), (2, "de navo en de navo zijn goed")]:
        m = st.find_mentions(docs, {"NAVO": ["NAVO"], "Rusland": ["Rusland"]}, lexicon=lex, window=window)
        ctx = lod.target_contexts(units, m, context_target="NAVO")
        # before: the notebook joined one context per mention, so with two mentions in one sentence
        # (window: two overlapping windows) the shared words were counted twice
        assert ctx["text"].tolist() == [expected, ""]
        assert lod.term_counts(ctx["text"], settings=TextSettings(remove_stopwords=False, min_length=1))["goed"] == 1
    with pytest.raises(ValueError, match="context_target = 'EU': not a target with mentions"):
        lod.target_contexts(units, m, context_target="EU")
    with pytest.raises(ValueError, match="units: give one row per document"):
        lod.target_contexts(pd.concat([units, units]), m, context_target="NAVO")


def test_speaker_units_leave_out_the_speakers_own_name_from_indirect_speech(docs):
    q = pd.DataFrame({
        "doc_id": ["a", "a", "b", "b"],
        "kind": ["indirect", "direct", "indirect", "nested"],
        "speaker": ["Jens Stoltenberg", "Jens Stoltenberg", "de leiders", "Jens Stoltenberg"],
        "text": ["Volgens Navo-topman Jens Stoltenberg gaat de opbouw door, zei Stoltenberg.",
                 "Stoltenberg is een naam", "De leiders zeiden dat het kan.", "x"],
    })
    u = lod.comparison_units(docs, q, group_by="speaker")
    # before: "stoltenberg" and "jens" topped the speaker's distinctive words in notebook 30
    assert u["text"].tolist() == ["Volgens Navo-topman gaat de opbouw door, zei .",
                                  "Stoltenberg is een naam", "De leiders zeiden dat het kan."]
    assert "stoltenberg" not in lod.term_counts(u["text"].iloc[[0]], settings=TextSettings())


def test_log_odds_counts_and_prior_share_one_vocabulary():
    # a term seen in only one group is in both count columns (0 in the other) and in the prior
    r = lod.log_odds_dirichlet({"a": 3, "b": 1}, {"b": 2, "c": 4}, alpha0=10).set_index("term")
    assert sorted(r.index) == ["a", "b", "c"]
    assert r.loc[["a", "b", "c"], "count_i"].tolist() == [3, 1, 0]
    assert r.loc[["a", "b", "c"], "count_j"].tolist() == [0, 2, 4]
    assert r["alpha"].sum() == pytest.approx(10.0)
    assert r.loc[["a", "b", "c"], "alpha"].tolist() == pytest.approx([10 * 3 / 10, 10 * 3 / 10, 10 * 4 / 10])
    # c by hand: y_i = 0, y_j = 4, α = 4, n_i = 4, n_j = 6, α0 = 10
    delta_c = math.log(4 / (4 + 10 - 0 - 4)) - math.log((4 + 4) / (6 + 10 - 4 - 4))
    assert r.loc["c", "delta"] == pytest.approx(delta_c)
    assert r.loc["c", "z"] == pytest.approx(delta_c / math.sqrt(1 / 4 + 1 / 8))


# --------------------------------------------------------------------------------------------
# One counting path: log-odds counts are count_terms' counts
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds():
    from medialens.corpus import load_corpus

    return load_corpus("corpus/seeds.yaml")


def _count_terms_series(documents, settings, words=None):
    from medialens.frequency import count_terms

    counts = count_terms(documents, settings=settings, words=words)
    total = np.asarray(counts.matrix.sum(axis=0)).ravel()
    s = pd.Series(total, index=counts.terms["term"].to_numpy())
    return s[s > 0].sort_index()


@pytest.mark.parametrize("settings", [TextSettings(), TextSettings(remove_stopwords=False, min_length=1),
                                      TextSettings(reduce="stem"), TextSettings(keep_negations=False)])
def test_log_odds_counts_equal_count_terms_counts_on_the_same_documents(seeds, settings):
    docs = seeds.documents
    units = lod.comparison_units(docs, group_by="outlet")
    group, reference = lod.choose_groups(units, group_by="outlet")
    lo = lod.log_odds_groups(units, group_by="outlet", group=group, reference=reference, settings=settings, words=seeds.words)
    labels = units["outlet"]
    want_i = _count_terms_series(docs[(labels == group).to_numpy()], settings)
    want_j = _count_terms_series(docs[(labels != group).to_numpy()], settings)
    got = lo.set_index("term")
    assert got.loc[got["count_i"] > 0, "count_i"].sort_index().to_dict() == want_i.to_dict()
    assert got.loc[got["count_j"] > 0, "count_j"].sort_index().to_dict() == want_j.to_dict()
    assert sorted(got.index) == sorted(set(want_i.index) | set(want_j.index))
    # without the word table: the texts are split here, with the same counts
    again = lod.log_odds_groups(units, group_by="outlet", group=group, reference=reference, settings=settings)
    pd.testing.assert_frame_equal(lo, again)
    # term_counts of all documents is count_terms' corpus total
    total = lod.term_counts(docs["text"], settings=settings, doc_ids=docs["doc_id"], words=seeds.words)
    assert total.to_dict() == _count_terms_series(docs, settings, words=seeds.words).to_dict()


def test_log_odds_unigram_counts_equal_the_tokenisers_counts(seeds):
    # unigrams do not depend on sentences: the counts are what Counter over the tokeniser gave before
    from collections import Counter

    tok = Tokenizer(TextSettings())
    want = Counter()
    for text in seeds.documents["text"]:
        want.update(tok(text))
    assert lod.term_counts(seeds.documents["text"]).to_dict() == dict(sorted(want.items()))


def test_term_counts_with_other_texts_than_the_word_tables_splits_them(seeds):
    docs = seeds.documents
    other = [t.upper() + " zwoeltje kwispelstaart" for t in docs["text"]]
    got = lod.term_counts(other, doc_ids=docs["doc_id"], words=seeds.words)
    assert got["zwoeltje"] == len(docs) and got["kwispelstaart"] == len(docs)
    assert got.to_dict() == lod.term_counts(other).to_dict()
    with pytest.raises(ValueError, match="^words: expected the corpus word table"):
        lod.term_counts(other, doc_ids=docs["doc_id"], words="tabel")
