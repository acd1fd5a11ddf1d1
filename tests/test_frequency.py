"""Tests for medialens.frequency: every statistic against an independent computation."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from medialens import frequency as mf
from medialens import plots
from medialens.corpus import load_corpus
from medialens.text import TextSettings, Tokenizer, ngrams, sentence_spans

TABLES = [  # [[a, b], [c, d]]: small and large counts, both signs, expected cells above and below 5
    (10, 5, 90, 195),
    (3, 7, 7, 2),  # quanteda's own test table
    (1, 30, 500, 400),
    (0, 4, 120, 300),
    (25, 25, 1000, 1000),
    (7, 0, 250, 180),
    (2, 9, 40, 38),
    (120, 40, 9000, 11000),
]


def _scipy(table, correction, lambda_=None):
    a, b, c, d = table
    kw = {"lambda_": lambda_} if lambda_ else {}
    stat = chi2_contingency(np.array([[a, b], [c, d]]), correction=correction, **kw)[0]
    return math.copysign(stat, a * d - b * c) if a * d != b * c else 0.0


def _docs(rows):
    """rows: (doc_id, outlet, date, text) -> a document table like Corpus.documents."""
    df = pd.DataFrame(rows, columns=["doc_id", "outlet", "date", "text"])
    df["month"] = df["date"].map(lambda d: d[:7] if isinstance(d, str) else None)
    return df


@pytest.fixture(scope="module")
def seeds():
    return load_corpus("corpus/seeds.yaml")


@pytest.fixture(scope="module")
def seed_counts(seeds):
    return mf.count_terms(seeds.documents, ngram_range=[1, 2])


# ------------------------------------------------------------------------------------------
# Keyness statistics against scipy
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", TABLES)
def test_chi2_none_and_yates_equal_scipy(table):
    a, b, c, d = table
    assert mf.chi2_signed(a, b, c, d, correction="none") == pytest.approx(_scipy(table, False), abs=1e-9, rel=1e-9)
    assert mf.chi2_signed(a, b, c, d, correction="yates") == pytest.approx(_scipy(table, True), abs=1e-9, rel=1e-9)


@pytest.mark.parametrize("table", TABLES)
def test_g2_equals_scipy_log_likelihood(table):
    a, b, c, d = table
    expected = _scipy(table, False, "log-likelihood")
    assert mf.g2_signed(a, b, c, d) == pytest.approx(expected, abs=1e-9, rel=1e-9)


def test_sign_rule():
    # over-represented in the target (a above its expected value) -> positive; under -> negative
    assert mf.chi2_signed(10, 5, 90, 195) > 0 and mf.g2_signed(10, 5, 90, 195) > 0
    assert mf.chi2_signed(5, 10, 195, 90) < 0 and mf.g2_signed(5, 10, 195, 90) < 0
    assert mf.chi2_signed(5, 5, 95, 95) == 0 and mf.g2_signed(5, 5, 95, 95) == 0


def _default_formula(a, b, c, d):
    """quanteda's conditional correction written out from its documentation."""
    n = a + b + c + d
    e = [(a + b) * (a + c) / n, (a + b) * (b + d) / n, (c + d) * (a + c) / n, (c + d) * (b + d) / n]
    delta = 0.5 if abs(a * d - b * c) >= n / 2 and min(e) < 5 else 0.0
    stat = n * (abs(a * d - b * c) - n * delta) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    return math.copysign(stat, a * d - b * c)


@pytest.mark.parametrize(
    "table, branch",
    [
        ((3, 7, 7, 2), "yates"),  # |ad-bc| = 43 >= N/2 = 9.5; expected (c+d)(b+d)/N = 81/19 = 4.26 < 5
        ((7, 0, 250, 180), "yates"),  # |ad-bc| = 1260 >= 218.5; expected (a+b)(b+d)/N = 1260/437 = 2.88 < 5
        ((10, 5, 90, 195), "none"),  # smallest expected cell is exactly 5 (not < 5) -> no correction
        ((1, 30, 500, 400), "none"),  # smallest expected cell 31*430/931 = 14.3 -> no correction
        ((25, 25, 1000, 1000), "none"),  # |ad-bc| = 0 < N/2
        ((1, 1, 100, 99), "none"),  # |ad-bc| = 1 < N/2 = 100.5 although expected cells are ~1 -> no correction
    ],
)
def test_default_correction_branches(table, branch):
    a, b, c, d = table
    got = mf.chi2_signed(a, b, c, d, correction="default")
    assert got == pytest.approx(_default_formula(a, b, c, d), abs=1e-12, rel=1e-12)
    n = a + b + c + d
    min_e = min((a + b) * (a + c), (a + b) * (b + d), (c + d) * (a + c), (c + d) * (b + d)) / n
    triggered = abs(a * d - b * c) >= n / 2 and min_e < 5
    assert triggered == (branch == "yates")
    assert got == pytest.approx(_scipy(table, branch == "yates"), abs=1e-9, rel=1e-9)


def test_default_differs_from_scipy_yates_below_half_n():
    # |ad - bc| = 1 < N/2: scipy's Yates shrinks the difference to 0, quanteda's default leaves it
    assert mf.chi2_signed(1, 1, 100, 99, correction="yates") == 0
    assert mf.chi2_signed(1, 1, 100, 99, correction="default") == pytest.approx(_scipy((1, 1, 100, 99), False))
    assert mf.chi2_signed(1, 1, 100, 99, correction="default") != 0


def test_williams_q_formula():
    # q = 1 + (N/(a+b) + N/(c+d) - 1)(N/(a+c) + N/(b+d) - 1) / (6N), for a=10 b=5 c=90 d=195, N=300:
    # (300/15 + 300/285 - 1) = 20.0526315789..., (300/100 + 300/200 - 1) = 3.5
    # q = 1 + 20.0526315789 * 3.5 / 1800 = 1.0389912280...
    q = mf.williams_q(10, 5, 90, 195)
    assert q == pytest.approx(1 + (20 + 300 / 285 - 1) * 3.5 / 1800, rel=1e-12)
    assert q == pytest.approx(1.038991228, abs=1e-9)
    assert mf.g2_signed(10, 5, 90, 195, williams=True) == pytest.approx(mf.g2_signed(10, 5, 90, 195) / q, rel=1e-12)


def test_hand_worked_example_through_keyness():
    # Target: 'kern' 10 times in 100 tokens; reference: 'kern' 5 times in 200 tokens.
    # a=10, b=5, c=90, d=195, N=300; ad - bc = 1950 - 450 = 1500
    # margins: a+b=15, c+d=285, a+c=100, b+d=200; product = 85,500,000
    # chi2 (no correction) = 300 * 1500^2 / 85,500,000 = 150/19 = 7.894736842
    # expected cells 5, 10, 95, 190 -> none below 5 -> quanteda's default applies no correction
    # chi2 (Yates) = 300 * (1500 - 150)^2 / 85,500,000 = 6.394736842
    # G2 = 2 [10 ln(10/5) + 5 ln(5/10) + 90 ln(90/95) + 195 ln(195/190)]
    #    = 2 [5 ln 2 + 90 ln(18/19) + 195 ln(39/38)] = 2 [3.465736 - 4.866050 + 5.065220] = 7.329812
    # log ratio = log2((10/100) / (5/200)) = log2(4) = 2
    docs = _docs([("t1", "T", "2022-01-01", "kern " * 10 + "vulling " * 90), ("r1", "R", "2022-01-02", "kern " * 5 + "vulling " * 195)])
    counts = mf.count_terms(docs)
    key_result = mf.keyness(counts, group_by="outlet", group="T")
    key = key_result.table.set_index("term")
    row = key.loc["kern"]
    assert (row["a"], row["b"], row["c"], row["d"]) == (10, 5, 90, 195)
    assert row["chi2"] == pytest.approx(150 / 19, abs=1e-9)
    assert row["chi2"] == pytest.approx(7.894736842, abs=1e-9)
    assert mf.chi2_signed(10, 5, 90, 195, correction="yates") == pytest.approx(6.394736842, abs=1e-9)
    assert row["g2"] == pytest.approx(2 * (5 * math.log(2) + 90 * math.log(18 / 19) + 195 * math.log(39 / 38)), abs=1e-12)
    assert row["g2"] == pytest.approx(7.329812, abs=1e-6)
    assert row["log_ratio"] == pytest.approx(2.0, abs=1e-12)
    assert row["p_chi2"] == pytest.approx(chi2_contingency([[10, 5], [90, 195]], correction=False)[1], abs=1e-12)
    assert key.loc["vulling", "chi2"] == pytest.approx(-150 / 19, abs=1e-9)  # the mirror table
    assert row["n_docs_target"] == 1 and row["tokens_target"] == 100 and row["tokens_reference"] == 200
    assert any("n=1" in n for n in key_result.notes)


def test_p_values_are_scipys_chi2_survival_function_with_one_degree_of_freedom():
    from scipy import stats

    from medialens.frequency.contingency import chi2_sf_1

    x = np.array([0.0, 1e-12, 0.5, 3.841458820694124, 7.894736842, 19185.34, -7.2, -0.5, np.inf, -np.inf, np.nan, 1e300])
    assert np.array_equal(chi2_sf_1(x), stats.chi2.sf(np.abs(x), 1), equal_nan=True)
    assert chi2_sf_1(3.841458820694124) == pytest.approx(0.05, abs=1e-12)


def test_log_ratio_half_for_zero():
    # b = 0 -> 0.5: log2((4/100) / (0.5/200)) = log2(16) = 4
    assert mf.log_ratio(4, 0, 100, 200) == pytest.approx(4.0)
    assert mf.log_ratio(0, 4, 200, 100) == pytest.approx(-4.0)


def test_keyness_matches_scipy_on_seed_tables(seed_counts):
    key = mf.keyness(seed_counts, group_by="outlet", group="style-B", reference="style-A", correction="yates").table
    for _, r in key.head(30).iterrows():
        table = (r["a"], r["b"], r["c"], r["d"])
        assert r["chi2"] == pytest.approx(_scipy(table, True), abs=1e-9)
        assert r["g2"] == pytest.approx(_scipy(table, False, "log-likelihood"), abs=1e-9)
    assert set(key["reference"]) == {"style-A"}
    assert (key["chi2"].diff().dropna() <= 1e-12).all()  # sorted by statistic


# ------------------------------------------------------------------------------------------
# Counts and frequencies
# ------------------------------------------------------------------------------------------
def test_counts_equal_plain_counter(seeds, seed_counts):
    tok = Tokenizer(TextSettings())
    expected = Counter()
    across, inside = set(), set()  # pairs of the whole token stream; pairs within a sentence
    for text in seeds.documents["text"]:
        expected.update(tok(text))
        within = []
        for start, end, _ in sentence_spans(text):  # word pairs never cross a sentence end
            within += ngrams(tok(text[start:end]), 2)
        expected.update(within)
        across |= set(ngrams(tok(text), 2))
        inside |= set(within)
    got = dict(zip(seed_counts.terms["term"], seed_counts.terms["count"], strict=True))
    assert got == dict(expected)
    across -= inside  # pairs that occur only across a sentence end or paragraph break
    assert across and not across & set(got)
    # per document too
    row = seed_counts.matrix[2].toarray().ravel()
    doc = Counter(tok(seeds.documents["text"].iloc[2]))
    for term, n in doc.items():
        assert row[seed_counts.column(term)] == n


def test_min_count_keeps_totals_and_followed_terms(seeds):
    full = mf.count_terms(seeds.documents)
    trimmed = mf.count_terms(seeds.documents, min_count=3, keep_terms=["escalatie"])
    assert (trimmed.terms["count"] >= 3).sum() == len(trimmed.terms) - 1
    assert "escalatie" in trimmed.index
    assert trimmed.documents["total_1"].tolist() == full.documents["total_1"].tolist()


def test_relative_frequencies_consistent(seed_counts):
    freq_result = mf.term_frequencies(seed_counts, group_by="outlet", top_n=100_000, ngram=1)
    freq = freq_result.table
    for _group, sub in freq.groupby("group"):
        total = sub["group_total"].iloc[0]
        assert sub["count"].sum() == total  # every token of the group is listed
        assert sub["per_1000"].sum() == pytest.approx(1000.0)
        assert np.allclose(sub["per_1000"], sub["count"] / total * 1000)
    assert freq_result.notes  # top_n is larger than every vocabulary -> notes


def test_top_n_deterministic_ties(seed_counts):
    freq = mf.term_frequencies(seed_counts, group_by="outlet", top_n=10, ngram=2).table
    for _group, sub in freq.groupby("group"):
        keys = list(zip(-sub["count"], sub["term"], strict=True))
        assert keys == sorted(keys)
        assert sub["rank"].tolist() == list(range(1, len(sub) + 1))


def test_group_by_month_missing_dates_kept(seed_counts):
    freq = mf.term_frequencies(seed_counts, group_by="month", top_n=3, ngram=1).table
    assert "(missing)" in set(freq["group"])
    assert freq.groupby("group")["n_docs"].first().sum() == 5


def test_followed_absent_term_gives_zeros_and_note(seed_counts):
    freq_result = mf.term_frequencies(seed_counts, group_by="outlet", terms=["troepen", "vliegverbod"])
    freq = freq_result.table
    absent = freq[freq["term"] == "vliegverbod"]
    assert len(absent) == 3 and (absent["count"] == 0).all() and (absent["per_1000"] == 0).all()
    assert any("vliegverbod" in n and "never occurs" in n for n in freq_result.notes)
    assert freq.loc[freq["term"] == "troepen", "count"].sum() == 6


def test_followed_term_normalised_and_outside_ngram_range(seed_counts):
    freq_result = mf.term_frequencies(seed_counts, group_by=None, terms=["Buitenlandse Zaken", "minister van buitenlandse zaken"])
    freq = freq_result.table
    assert freq.set_index("term").loc["buitenlandse zaken", "count"] == 7
    assert any("3-gram" in n and "ngram_range" in n for n in freq_result.notes)


# ------------------------------------------------------------------------------------------
# Trends
# ------------------------------------------------------------------------------------------
def test_trends_gaps_are_nan_zeros_are_zero():
    docs = _docs(
        [
            ("a1", "A", "2022-01-05", "sancties tegen rusland"),
            ("a3", "A", "2022-03-05", "geen woord hierover"),
            ("b2", "B", "2022-02-05", "sancties sancties"),
            ("u", "B", None, "sancties zonder datum"),
        ]
    )
    counts = mf.count_terms(docs)
    tr = mf.trends(counts, terms=["sancties", "vliegverbod"], group_by="outlet").table.set_index(["group", "month", "term"])
    assert tr.loc[("A", "2022-01", "sancties"), "per_1000"] == pytest.approx(1000 / 2)  # 1 of 2 tokens
    assert np.isnan(tr.loc[("A", "2022-02", "sancties"), "per_1000"])  # no documents: a gap
    assert tr.loc[("A", "2022-02", "sancties"), "n_docs"] == 0
    assert tr.loc[("A", "2022-03", "sancties"), "per_1000"] == 0  # a document without the term: zero
    assert tr.loc[("A", "2022-03", "sancties"), "share_docs"] == 0
    assert tr.loc[("B", "2022-02", "sancties"), "share_docs"] == 1
    assert (tr.xs("vliegverbod", level="term")["count"] == 0).all()
    out_result = mf.trends(counts, terms=["sancties"], group_by="outlet")
    out = out_result.table
    assert out_result.undated == 1
    assert any("undated" in n for n in out_result.notes)
    assert list(out.loc[out["group"] == "A", "month"]) == ["2022-01", "2022-02", "2022-03", "(missing)"]
    assert out_result.no_time_line == ""


def test_trends_without_two_dated_months_have_no_time_line():
    one = _docs([("a", "A", "2022-01-05", "sancties"), ("b", "B", "2022-01-20", "sancties nu"), ("u", "B", None, "sancties")])
    tr = mf.trends(mf.count_terms(one), terms=["sancties"], group_by="outlet")
    assert tr.no_time_line == "every dated document falls in 2022-01: a time line needs two months with documents"
    undated = _docs([("u", "B", None, "sancties")])
    assert mf.trends(mf.count_terms(undated), terms=["sancties"], group_by="outlet").no_time_line.startswith("no document is dated")


def test_trends_plot_rates_start_at_zero(seed_counts):
    fig = plots.trends_plot(mf.trends(seed_counts, terms=["troepen"], group_by="outlet"))
    assert all(ax.get_ylim()[0] == 0 for ax in fig.axes if ax.get_visible() and ax.lines)


def test_trends_plot_has_gaps(seed_counts):
    tr = mf.trends(seed_counts, terms=["troepen"], group_by="outlet")
    fig = plots.trends_plot(tr)
    ydata = [line.get_ydata() for line in fig.axes[0].get_lines()]
    assert any(np.isnan(y).any() for y in ydata)


# ------------------------------------------------------------------------------------------
# KWIC and dispersion
# ------------------------------------------------------------------------------------------
def test_kwic_tiny_text():
    docs = _docs([("d1", "X", "2022-01-01", "De NAVO wil geen no-flyzone boven Oekraïne. Een no-flyzone? Nee, zegt de Navo.")])
    got_result = mf.kwic(docs, terms=["no-flyzone", "navo", "boven Oekraïne", "flyzone"], window=2)
    got = got_result.table
    # words: de navo wil geen no-flyzone boven oekraïne een no-flyzone nee zegt de navo
    #        0  1    2   3    4          5     6        7   8          9   10   11 12
    expected = pd.DataFrame(
        [
            ("d1", "X", "2022-01-01", 1, "de", "navo", "wil geen", "navo"),
            ("d1", "X", "2022-01-01", 4, "wil geen", "no-flyzone", "boven oekraïne", "no-flyzone"),
            ("d1", "X", "2022-01-01", 5, "geen no-flyzone", "boven oekraïne", "een no-flyzone", "boven Oekraïne"),
            ("d1", "X", "2022-01-01", 8, "oekraïne een", "no-flyzone", "nee zegt", "no-flyzone"),
            ("d1", "X", "2022-01-01", 12, "zegt de", "navo", "", "navo"),
        ],
        columns=mf.KWIC_COLUMNS,
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert got_result.notes == ("terms: 'flyzone' does not occur in the documents.",)
    right = mf.kwic(docs, terms=["navo", "no-flyzone"], window=2, sort_by="right").table
    assert right["right"].tolist() == sorted(right["right"].tolist())


def test_dispersion_offsets():
    docs = _docs([("d1", "X", "2022-01-01", "sancties een twee drie sancties vijf zes zeven acht negen")])
    disp_result = mf.dispersion(docs, terms=["sancties"])
    disp = disp_result.table
    assert disp["position"].tolist() == [0, 4]
    assert disp["offset"].tolist() == [0.0, 0.4]
    assert disp_result.documents["n_words"].tolist() == [10]


def _kwic_oracle(documents, terms, window, settings=None):
    """The concordance the plain way: split every text, compare word runs (the definition)."""
    tok = Tokenizer(settings or TextSettings())
    rows = []
    for rec in documents.itertuples(index=False):
        words = tok.words(rec.text if isinstance(rec.text, str) else "")
        for t in terms:
            pat = tok.words(t)
            for i in range(len(words)):
                if words[i : i + len(pat)] == pat:
                    rows.append((rec.doc_id, rec.outlet, rec.date, i, " ".join(words[max(0, i - window) : i]),
                                 " ".join(words[i : i + len(pat)]), " ".join(words[i + len(pat) : i + len(pat) + window]), t))
    return pd.DataFrame(rows, columns=mf.KWIC_COLUMNS).sort_values(["doc_id", "position", "term"], kind="stable").reset_index(drop=True)


TRICKY = [
    ("a", "X", "2022-01-01", "De NAVO‐top en de Navo-top. Navo! navo z’n NAVO\n\nBoven Oekraïne. Boven\n\nOekraïne boven"),
    ("b", "Y", None, "Niets hier, of toch: navo-top navo-top navo"),
    ("c", "Y", "2022-02-01", ""),
    ("d", "X", "2022-03-01", None),
    ("e", None, "2022-03-01", "oekraïne boven oekraïne z'n navo"),
]


@pytest.mark.parametrize("window", [0, 2, 8])
def test_kwic_matches_the_plain_definition_with_and_without_the_word_table(window, seeds):
    terms = ["navo", "navo-top", "boven oekraïne", "z'n navo", "ontbreekt", "oekraïne boven oekraïne"]
    for docs in (_docs(TRICKY), seeds.documents):
        expected = _kwic_oracle(docs, terms, window)
        plain = mf.kwic(docs, terms=terms, window=window).table
        pd.testing.assert_frame_equal(plain, expected, check_dtype=False)
    words = seeds.words
    for sort_by in ("position", "left", "right", "keyword"):
        a = mf.kwic(seeds.documents, terms=terms, window=window, sort_by=sort_by)
        b = mf.kwic(seeds.documents, terms=terms, window=window, sort_by=sort_by, words=words)
        pd.testing.assert_frame_equal(a.table, b.table)
        assert a.notes == b.notes and a.n_words == b.n_words
    a = mf.dispersion(seeds.documents, terms=["troepen", "navo", "boven oekraïne"])
    b = mf.dispersion(seeds.documents, terms=["troepen", "navo", "boven oekraïne"], words=words)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.documents, b.documents)


def test_kwic_refuses_a_word_table_of_other_texts(seeds):
    other = seeds.documents.assign(text=seeds.documents["text"].str.upper())
    with pytest.raises(ValueError, match="words: the word table was not made from these texts"):
        mf.kwic(other, terms=["navo"], words=seeds.words)
    with pytest.raises(ValueError, match="words"):
        mf.dispersion(seeds.documents, terms=["navo"], words="not a table")


def test_count_table_holds_every_count_the_top_lists_show(seed_counts):
    full = mf.count_table(seed_counts, group_by="outlet")
    assert list(full.columns) == ["group", "term", "n", "count", "per_1000", "docs_with_term", "group_total", "n_docs"]
    # every (group, term) with a count, no more: the matrix summed per group
    groups = seed_counts.documents["outlet"].to_numpy()
    expected = {}
    for j, term in enumerate(seed_counts.terms["term"]):
        col = seed_counts.matrix[:, j].toarray().ravel()
        for g in set(groups):
            c = int(col[groups == g].sum())
            if c:
                expected[(g, term)] = (c, int((col[groups == g] > 0).sum()))
    got = {(r.group, r.term): (r.count, r.docs_with_term) for r in full.itertuples()}
    assert got == expected
    top = mf.term_frequencies(seed_counts, group_by="outlet", top_n=5).table
    merged = top.merge(full, on=["group", "term", "n"], suffixes=("", "_full"))
    assert len(merged) == len(top)
    for col in ("count", "per_1000", "docs_with_term", "group_total", "n_docs"):
        assert np.allclose(merged[col], merged[f"{col}_full"]), col
    # sorted: group, order, count (largest first), term
    first = full[(full["group"] == full["group"].iloc[0]) & (full["n"] == 1)]
    assert list(zip(-first["count"], first["term"], strict=True)) == sorted(zip(-first["count"], first["term"], strict=True))
    assert mf.count_table(seed_counts, group_by=None, min_count=3)["count"].min() >= 3
    assert mf.export_threshold(seed_counts) == 1
    m = mf.export_threshold(seed_counts, max_terms=50)
    assert (seed_counts.terms["count"] >= m).sum() <= 50 < (seed_counts.terms["count"] >= m - 1).sum()
    frequent = mf.count_table(seed_counts, group_by="outlet", min_total=4)
    corpus_count = seed_counts.terms.set_index("term")["count"]
    assert frequent["term"].map(corpus_count).min() >= 4
    assert len(frequent) == (full["term"].map(corpus_count) >= 4).sum()
    assert set(mf.count_table(seed_counts, group_by=None)["group"]) == {"all documents"}


# ------------------------------------------------------------------------------------------
# Bootstrap and reference
# ------------------------------------------------------------------------------------------
def test_bootstrap_deterministic_and_n1(seed_counts):
    a = mf.bootstrap_log_ratio(seed_counts, group="style-A", terms=["staan", "oekraïne"], n_bootstrap=200, random_state=3).table
    b = mf.bootstrap_log_ratio(seed_counts, group="style-A", terms=["staan", "oekraïne"], n_bootstrap=200, random_state=3).table
    pd.testing.assert_frame_equal(a, b)
    assert (a["low"] <= a["log_ratio"] + 1e-9).all() and (a["high"] >= a["log_ratio"] - 1e-9).all()
    one_result = mf.bootstrap_log_ratio(seed_counts, group="style-C", terms=["inval"], n_bootstrap=50)
    one = one_result.table
    assert one["low"].isna().all() and any("n=1" in n for n in one_result.notes)


@pytest.mark.parametrize("reference", [None, "style-B"])
def test_bootstrap_equals_a_plain_resampling_of_documents(seed_counts, reference):
    """The intervals are those of drawing each side's documents with ``rng.choice`` and summing
    their rows: word and word-pair terms (their own n-gram totals), the rest or one reference."""
    terms = ["staan", "oekraïne", "buitenlandse zaken", "navo"]
    got = mf.bootstrap_log_ratio(seed_counts, group="style-A", reference=reference, terms=terms, n_bootstrap=300, random_state=5).table
    cols = [seed_counts.column(t) for t in terms]
    sub = seed_counts.matrix[:, cols].toarray().astype(float)
    tot = np.column_stack([seed_counts.documents[f"total_{t.count(' ') + 1}"].to_numpy() for t in terms]).astype(float)
    outlet = seed_counts.documents["outlet"].to_numpy()
    t_idx = np.flatnonzero(outlet == "style-A")
    r_idx = np.flatnonzero(outlet != "style-A" if reference is None else outlet == reference)
    rng = np.random.default_rng(5)
    reps = []
    for _ in range(300):
        ti, ri = rng.choice(t_idx, size=len(t_idx), replace=True), rng.choice(r_idx, size=len(r_idx), replace=True)
        reps.append(mf.log_ratio(sub[ti].sum(0), sub[ri].sum(0), tot[ti].sum(0), tot[ri].sum(0)))
    low, high = np.quantile(np.array(reps), [0.025, 0.975], axis=0)
    point = mf.log_ratio(sub[t_idx].sum(0), sub[r_idx].sum(0), tot[t_idx].sum(0), tot[r_idx].sum(0))
    assert got["log_ratio"].tolist() == point.tolist()
    assert got["low"].tolist() == low.tolist() and got["high"].tolist() == high.tolist()


def test_reference_keyness_against_wordfreq(seed_counts):
    from wordfreq import word_frequency

    ref = mf.reference_keyness(seed_counts, top_n=5).table.set_index("term")
    words = int(seed_counts.documents["words"].sum())
    f = word_frequency("navo", "nl")
    assert ref.loc["navo", "log_ratio"] == pytest.approx(math.log2((18 / words) / f), rel=1e-12)
    assert ref.loc["navo", "per_million"] == pytest.approx(18 / words * 1e6)


# ------------------------------------------------------------------------------------------
# Bad input: each message names the parameter
# ------------------------------------------------------------------------------------------
def test_bad_ngram_range(seeds):
    with pytest.raises(ValueError, match=r"ngram_range = \[3, 1\]"):
        mf.count_terms(seeds.documents, ngram_range=[3, 1])
    with pytest.raises(ValueError, match="ngram_range"):
        mf.count_terms(seeds.documents, ngram_range=[0, 2])


def test_unknown_metadata_column(seed_counts):
    with pytest.raises(ValueError, match=r"group_by = 'newspaper': no such document column"):
        mf.term_frequencies(seed_counts, group_by="newspaper")
    with pytest.raises(ValueError, match="group_by"):
        mf.keyness(seed_counts, group_by="newspaper", group="x")
    with pytest.raises(ValueError, match="group_by"):
        mf.trends(seed_counts, terms=["troepen"], group_by="newspaper")


def test_top_n_larger_than_vocabulary(seed_counts):
    freq_result = mf.term_frequencies(seed_counts, group_by="outlet", top_n=5000, ngram=1)
    freq = freq_result.table
    assert len(freq) == (freq.groupby("group")["term"].nunique()).sum()
    assert any(n.startswith("top_n = 5000") and "style-C" in n for n in freq_result.notes)
    with pytest.raises(ValueError, match="top_n = 0"):
        mf.term_frequencies(seed_counts, top_n=0)


def test_term_that_never_occurs(seed_counts):
    tr_result = mf.trends(seed_counts, terms=["vliegverbod"], group_by="outlet")
    tr = tr_result.table
    assert (tr["count"] == 0).all()
    assert any("'vliegverbod'" in n for n in tr_result.notes)
    conc_result = mf.kwic(pd.DataFrame({"doc_id": ["x"], "text": ["niets"]}), terms=["vliegverbod"])
    conc = conc_result.table
    assert conc.empty and conc_result.notes


def test_group_with_one_document_carries_n1(seed_counts):
    freq_result = mf.term_frequencies(seed_counts, group_by="outlet", top_n=3)
    freq = freq_result.table
    assert (freq.loc[freq["group"] == "style-C", "n_docs"] == 1).all()
    assert any("'style-C' has 1 document (n=1)" in n for n in freq_result.notes)
    key_result = mf.keyness(seed_counts, group="style-C")
    key = key_result.table
    assert (key["n_docs_target"] == 1).all()
    assert any("n=1" in n for n in key_result.notes)


def test_group_with_zero_tokens_after_stopwords():
    docs = _docs(
        [
            ("a", "A", "2022-01-01", "sancties tegen rusland en troepen"),
            ("b", "B", "2022-01-02", "de het een en van"),  # stopwords only
        ]
    )
    counts = mf.count_terms(docs)
    with pytest.raises(ValueError, match=r"group = 'B': outlet group has 0 tokens after stopwords"):
        mf.keyness(counts, group="B")
    with pytest.raises(ValueError, match=r"reference = 'B'.*0 tokens"):
        mf.keyness(counts, group="A", reference="B")
    freq_result = mf.term_frequencies(counts, top_n=3)
    assert any("'B' has 0 tokens" in n for n in freq_result.notes)
    grid_result = mf.keyness_grid(counts, top_n=3)
    assert any("'B'" in n and "0 tokens" in n for n in grid_result.notes)


def test_other_bad_options(seed_counts, seeds):
    with pytest.raises(ValueError, match="correction = 'williams'"):
        mf.keyness(seed_counts, group="style-A", correction="williams")
    with pytest.raises(ValueError, match="group = 'style-Z'"):
        mf.keyness(seed_counts, group="style-Z")
    with pytest.raises(ValueError, match="reference = 'style-A': must differ"):
        mf.keyness(seed_counts, group="style-A", reference="style-A")
    with pytest.raises(ValueError, match="min_count = 0"):
        mf.count_terms(seeds.documents, min_count=0)
    with pytest.raises(ValueError, match="window = -1"):
        mf.kwic(seeds.documents, terms=["navo"], window=-1)
    with pytest.raises(ValueError, match="sort_by"):
        mf.kwic(seeds.documents, terms=["navo"], sort_by="outlet")
    with pytest.raises(ValueError, match="reduce = 'lemma'"):
        mf.reference_keyness(mf.count_terms(seeds.documents, settings=TextSettings(reduce="lemma")))
    with pytest.raises(ValueError, match="ngram = 3"):
        mf.term_frequencies(seed_counts, ngram=3)
    with pytest.raises(ValueError, match="terms"):
        mf.trends(seed_counts, terms=[])


@pytest.mark.parametrize("group_by", ["month", "date"])
def test_trends_by_the_time_axis_run_ungrouped_with_a_note(seed_counts, group_by):
    # notebook 10's exercise 1 sets group_by = "month": its trends are one line per term, with a note
    got = mf.trends(seed_counts, terms=["navo"], group_by=group_by)
    plain = mf.trends(seed_counts, terms=["navo"], group_by=None)
    pd.testing.assert_frame_equal(got.table, plain.table)
    assert got.undated == plain.undated
    assert any("time axis" in note and "one line per term" in note for note in got.notes)


def test_plots_return_figures(seeds, seed_counts, tmp_path):
    figs = [
        plots.top_terms_plot(mf.term_frequencies(seed_counts, top_n=5).table),
        plots.keyness_plot(mf.keyness(seed_counts, group="style-A").table),
        plots.xray_plot(mf.dispersion(seeds.documents, terms=["troepen", "navo"])),
    ]
    for i, fig in enumerate(figs):
        saved = plots.save_figure(fig, f"f{i}", tmp_path)
        assert saved.png.is_file() and saved.svg.is_file()
    assert "n = 2 docs" in figs[1].axes[0].get_title()


def test_hyphen_and_apostrophe_variants_count_as_one_term():
    # U+2011 non-breaking hyphen and U+2019 apostrophe are folded by the tokeniser
    docs = _docs([("d1", "X", "2022-01-01", "Een no\u2011flyzone, een no-flyzone en \u2019s-Gravenhage, 's-Gravenhage.")])
    counts = mf.count_terms(docs, settings=TextSettings(remove_stopwords=False))
    got = dict(zip(counts.terms["term"], counts.terms["count"], strict=True))
    assert got["no-flyzone"] == 2 and got["'s-gravenhage"] == 2


def test_kwic_shown_escaped():
    docs = _docs([("d1", "X", "2022-01-01", "De navo <script>alert(1)</script> en <img src=x onerror=alert(2)> troepen")])
    html = mf.kwic(docs, terms=["troepen", "navo"], window=6).table.to_html()
    assert "<script" not in html and "<img" not in html
    assert "&lt;img" in html or "img src" in html  # the tokeniser keeps words only; either way nothing live


def test_keyness_top_n_keeps_both_ends_exactly(seed_counts):
    full = mf.keyness(seed_counts, group="style-B").table
    short = mf.keyness(seed_counts, group="style-B", top_n=7).table
    expected = pd.concat([full.head(7), full.tail(7)], ignore_index=True)
    pd.testing.assert_frame_equal(short, expected)
    grid = mf.keyness_grid(seed_counts, top_n=4).table
    for g, sub in grid.groupby("target"):
        ref = mf.keyness(seed_counts, group=g).table
        assert sub["term"].tolist() == ref[ref["chi2"] > 0]["term"].head(4).tolist()


@pytest.mark.parametrize("group_by", [None, "outlet", "month"])
def test_grouped_sums_equal_an_indicator_product_and_are_kept(seed_counts, group_by):
    import scipy.sparse as sp

    from medialens.frequency.counts import grouped
    from medialens.grouping import group_labels, group_order

    by = grouped(seed_counts, group_by)
    labels = group_labels(seed_counts.documents, group_by)
    assert by.labels.tolist() == labels.tolist() and by.groups == group_order(labels)
    codes = pd.Categorical(labels, categories=by.groups).codes
    ind = sp.csr_matrix((np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))), shape=(len(by.groups), len(codes)))
    for got, matrix in ((by.counts, seed_counts.matrix), (by.docs, seed_counts.presence())):
        want = (ind @ matrix).tocsr()
        want.sort_indices()
        assert got.has_sorted_indices and got.dtype == want.dtype
        assert (got.indptr == want.indptr).all() and (got.indices == want.indices).all() and (got.data == want.data).all()
    assert grouped(seed_counts, group_by) is by  # computed once per group_by


def test_document_counts_equal_the_presence_matrix(seeds):
    counts = mf.count_terms(seeds.documents, ngram_range=[1, 2])  # its own: no presence matrix yet
    rows = np.array([0, 2, 3])
    got_all, got_rows = counts.document_counts(), counts.document_counts(rows)
    got_cols = [counts.term_documents(j) for j in (0, 5, len(counts.terms) - 1)]
    assert "presence" not in counts.cache  # found from the counts' non-zero cells
    present = counts.presence()
    assert got_all.dtype == np.int64 and (got_all == np.asarray(present.sum(axis=0)).ravel()).all()
    assert (got_rows == np.asarray(present[rows].sum(axis=0)).ravel()).all()
    for j, col in zip((0, 5, len(counts.terms) - 1), got_cols, strict=True):
        assert col.dtype == np.int64 and (col == present[:, j].toarray().ravel()).all()
    assert (counts.document_counts(rows) == got_rows).all()  # and from a presence matrix when there is one


def test_keyness_order_by_column_equals_sorting_terms(seed_counts):
    import dataclasses

    plain = dataclasses.replace(seed_counts, index={t: j for j, t in enumerate(seed_counts.terms["term"])}, cache={})
    assert isinstance(seed_counts.index, mf.TermIndex) and not isinstance(plain.index, mf.TermIndex)
    for kwargs in ({"group": "style-B"}, {"group": "style-A", "reference": "style-C"}, {"group": "style-C", "top_n": 5}):
        fast, slow = mf.keyness(seed_counts, **kwargs).table, mf.keyness(plain, **kwargs).table
        pd.testing.assert_frame_equal(fast, slow)
        assert fast["chi2"].is_monotonic_decreasing


def test_top_terms_match_a_plain_sort(seed_counts):
    freq = mf.term_frequencies(seed_counts, group_by="outlet", top_n=6, ngram=2).table
    full = mf.term_frequencies(seed_counts, group_by="outlet", top_n=100_000, ngram=2).table
    for g, sub in freq.groupby("group"):
        ref = full[full["group"] == g].sort_values(["count", "term"], ascending=[False, True]).head(6)
        assert sub["term"].tolist() == ref["term"].tolist()
        assert sub["docs_with_term"].tolist() == ref["docs_with_term"].tolist()


def test_keep_terms_bigram_survives_min_count(seeds):
    counts = mf.count_terms(seeds.documents, ngram_range=[1, 2], min_count=100, keep_terms=["buitenlandse zaken", "navo"])
    assert counts.terms.set_index("term")["count"].to_dict() == {"buitenlandse zaken": 7, "navo": 18}
    # totals are counted before min_count (1,143 word pairs before pairs stopped crossing
    # sentence ends and paragraph breaks)
    assert counts.documents["total_2"].sum() == 1025


def test_group_sizes_match_a_hand_count_on_the_seeds_and_pick_the_largest_group():
    from medialens import corpus as mc
    from medialens import frequency as mf
    from medialens import text as mt

    c = mc.load_corpus("corpus/seeds.yaml")
    tok = mt.Tokenizer(mt.TextSettings())
    counts = mf.count_terms(c.documents, settings=tok.settings, ngram_range=[1, 2])
    sizes = mf.group_sizes(counts, group_by="outlet")
    assert list(sizes.columns) == ["documents", "words", "tokens"]
    for outlet, group in c.documents.groupby("outlet"):
        assert sizes.loc[outlet, "documents"] == len(group)
        assert sizes.loc[outlet, "tokens"] == sum(len(tok(t)) for t in group["text"])
        assert sizes.loc[outlet, "words"] == sum(len(tok.words(t)) for t in group["text"])
    assert mf.largest_group(sizes) == "style-A"  # style-A and style-B both have 2: first by name
    only_bigrams = mf.count_terms(c.documents, settings=tok.settings, ngram_range=[2, 2])
    assert "2-grams" in mf.group_sizes(only_bigrams, group_by="outlet").columns


def _assert_same_counts(a: mf.TermCounts, b: mf.TermCounts) -> None:
    assert (a.matrix != b.matrix).nnz == 0 and a.matrix.shape == b.matrix.shape
    pd.testing.assert_frame_equal(a.terms, b.terms, check_exact=True)
    pd.testing.assert_frame_equal(a.documents, b.documents, check_exact=True)
    assert a.index == b.index


@pytest.mark.parametrize(
    "kw",
    [
        {"ngram_range": [1, 2]},
        {"ngram_range": [1, 3], "min_count": 2, "keep_terms": ["escalatie", "navo", "nergens"]},
        {"ngram_range": [2, 4], "settings": TextSettings(lowercase=False, reduce="stem")},
        {"settings": TextSettings(remove_stopwords=False, numbers=True, min_length=1)},
    ],
)
def test_counts_from_the_word_table_equal_counts_from_the_text(seeds, kw):
    _assert_same_counts(mf.count_terms(seeds.documents, words=seeds.words, **kw), mf.count_terms(seeds.documents, **kw))
    # a subset in another order: the table is looked up by doc_id
    subset = seeds.documents.iloc[[3, 0, 4]]
    _assert_same_counts(mf.count_terms(subset, words=seeds.words, **kw), mf.count_terms(subset, **kw))


def test_word_table_must_hold_the_documents(seeds):
    other = seeds.documents.assign(doc_id=lambda d: d["doc_id"] + "-x")
    with pytest.raises(ValueError, match=r"^words: document '.*-x' is not in the corpus word table"):
        mf.count_terms(other, words=seeds.words)
    with pytest.raises(ValueError, match=r"^words: expected the corpus word table \(Corpus.words\), got list"):
        mf.count_terms(seeds.documents, words=[])


def test_word_table_must_match_the_texts(seeds):
    cut = seeds.documents.assign(text=lambda d: d["text"].str[:300])
    with pytest.raises(ValueError, match=r"^words: the word table was not made from these texts \(document '.*' and 4 more differ\)"):
        mf.count_terms(cut, words=seeds.words)
    paragraphs = seeds.paragraphs()
    with pytest.raises(ValueError, match=r"^words: .*repeated doc_ids"):
        mf.count_terms(paragraphs, words=seeds.words)


# ------------------------------------------------------------------------------------------
# The two-cell log-likelihood (UCREL calculator), which G² a number is, min_docs
@pytest.mark.parametrize(
    ("a", "b", "size_t", "size_r", "expected"),
    [
        # E1 = 100 * 15 / 300 = 5, E2 = 200 * 15 / 300 = 10: LL = 2 [10 ln 2 + 5 ln 0.5] = 10 ln 2
        (10, 5, 100, 200, 6.931472),
        # E1 = 10000 * 70 / 50000 = 14, E2 = 56: LL = 2 [50 ln(50/14) + 20 ln(20/56)]
        #    = 2 [63.648283 - 20.592388] = 86.111790
        (50, 20, 10_000, 40_000, 86.111790),
        # E1 = E2 = 10: LL = 2 [0 + 20 ln 2] = 27.725887, under-represented in the target
        (0, 20, 1000, 1000, -27.725887),
        # E1 = 1000 / 1,001,000, E2 = 1,000,000 / 1,001,000: LL = 2 ln 1001 = 2 (6.907755 + 0.0009995) = 13.817510
        (1, 0, 1000, 1_000_000, 13.817510),
        # the same rate on both sides: E1 = a, E2 = b, LL = 0
        (4, 8, 1000, 2000, 0.0),
    ],
)
def test_two_cell_log_likelihood_equals_hand_computed_ucrel_values(a, b, size_t, size_r, expected):
    assert mf.ll_two_cell(a, b, size_t, size_r) == pytest.approx(expected, abs=1e-6)


def test_two_cell_and_four_cell_differ_by_the_c_and_d_cells():
    a, b, c, d = 10, 5, 90, 195  # E3 = 95, E4 = 190
    rest = 2 * (c * math.log(c / 95) + d * math.log(d / 190))
    assert mf.g2_signed(a, b, c, d) == pytest.approx(mf.ll_two_cell(a, b, a + c, b + d) + rest, abs=1e-12)


def test_keyness_says_which_log_likelihood_g2_is():
    docs = _docs([("t1", "T", "2022-01-01", "kern " * 10 + "vulling " * 90), ("r1", "R", "2022-01-02", "kern " * 5 + "vulling " * 195)])
    counts = mf.count_terms(docs)
    four = mf.keyness(counts, group_by="outlet", group="T")
    two = mf.keyness(counts, group_by="outlet", group="T", log_likelihood="two-cell")
    assert four.table.set_index("term").loc["kern", "g2"] == pytest.approx(7.329812, abs=1e-6)
    assert two.table.set_index("term").loc["kern", "g2"] == pytest.approx(6.931472, abs=1e-6)
    assert two.table.set_index("term").loc["kern", "chi2"] == four.table.set_index("term").loc["kern", "chi2"]
    assert any(n.startswith("g2 is the four-cell log-likelihood G²") and "without Williams" in n for n in four.notes)
    assert any(n.startswith("g2 is the two-cell log-likelihood of the UCREL calculator") for n in two.notes)
    williams = mf.keyness(counts, group_by="outlet", group="T", williams=True)
    assert any("divided by Williams' q" in n for n in williams.notes)
    with pytest.raises(ValueError, match=r"^williams = True: Williams' correction applies to the four-cell G²"):
        mf.keyness(counts, group_by="outlet", group="T", williams=True, log_likelihood="two-cell")
    with pytest.raises(ValueError, match=r"^log_likelihood = 'ucrel': choose 'four-cell' or 'two-cell'"):
        mf.keyness(counts, group_by="outlet", group="T", log_likelihood="ucrel")
    grid = mf.keyness_grid(counts, top_n=2, log_likelihood="two-cell")
    assert sum(n.startswith("g2 is the two-cell") for n in grid.notes) == 1  # once, not once per group


def test_yates_is_always_on_and_capped_at_the_difference():
    # scipy / R: each |O - E| is reduced by min(0.5, |O - E|). Here |ad - bc| = 1, N = 201, so
    # |O - E| = 1/201 < 0.5: the corrected table equals its expected values and chi2 is 0, although no
    # expected cell is below 5 (quanteda's conditional rules would not correct at all).
    assert mf.chi2_signed(1, 1, 100, 99, correction="yates") == 0 == _scipy((1, 1, 100, 99), True)
    assert mf.chi2_signed(1, 1, 100, 99, correction="default") == pytest.approx(_scipy((1, 1, 100, 99), False))
    # |ad - bc| = 1500 >= N/2 = 150 but every expected cell >= 5: default = none, yates corrects
    assert mf.chi2_signed(10, 5, 90, 195) == pytest.approx(_scipy((10, 5, 90, 195), False))
    assert mf.chi2_signed(10, 5, 90, 195, correction="yates") == pytest.approx(_scipy((10, 5, 90, 195), True))


def test_williams_q_with_a_zero_cell_follows_deducer_not_quanteda():
    # b = 0: N = 437, q = 1 + (437/7 + 437/430 - 1)(437/257 + 437/180 - 1)/(6 * 437), not 1 (quanteda)
    q = mf.williams_q(7, 0, 250, 180)
    assert q == pytest.approx(1 + (437 / 7 + 437 / 430 - 1) * (437 / 257 + 437 / 180 - 1) / (6 * 437), rel=1e-12)
    assert q > 1.05


def _group_docs():
    """A: five documents, 'eenmalig' five times in one of them, 'gedeeld' once in each of two;
    B: five documents, 'elders' five times in one of them."""
    filler = "basis tekst woord " * 6
    rows = [("a1", "A", "2022-01-01", filler + "eenmalig " * 5 + "gedeeld")]
    rows += [("a2", "A", "2022-01-02", filler + "gedeeld")]
    rows += [(f"a{i}", "A", "2022-01-03", filler) for i in range(3, 6)]
    rows += [("b1", "B", "2022-01-04", filler + "elders " * 5)]
    rows += [(f"b{i}", "B", "2022-01-05", filler + "anders") for i in range(2, 6)]
    return _docs(rows)


def test_min_docs_defaults_to_two_documents_in_a_group_of_five():
    counts = mf.count_terms(_group_docs())
    key = mf.keyness(counts, group_by="outlet", group="A")
    terms = set(key.table["term"])
    assert "eenmalig" not in terms and "gedeeld" in terms  # one article cannot make a key term
    assert "elders" not in terms and "anders" in terms  # nor an under-represented one (B has 5 documents)
    row = key.table.set_index("term").loc["gedeeld"]
    assert row["docs_target"] == 2 and row["n_docs_target"] == 5
    assert any(n.startswith("min_docs ('A'): 1 term(s) over-represented") and "fewer than 2" in n for n in key.notes)
    assert mf.min_docs_default(5) == 2 and mf.min_docs_default(4) == 1
    everything = mf.keyness(counts, group_by="outlet", group="A", min_docs=1)
    assert {"eenmalig", "elders"} <= set(everything.table["term"])
    assert (everything.table.set_index("term").loc["eenmalig", "docs_target"]) == 1
    assert not any(n.startswith("min_docs") for n in everything.notes)
    strict = mf.keyness(counts, group_by="outlet", group="A", min_docs=3)
    assert "gedeeld" not in set(strict.table["term"])
    with pytest.raises(ValueError, match=r"^min_docs = 0: must be a whole number >= 1"):
        mf.keyness(counts, group_by="outlet", group="A", min_docs=0)


def test_min_docs_default_is_one_for_a_small_group(seed_counts):
    # the seed groups have one or two documents: nothing is left out, the seed tables stay as they were
    key = mf.keyness(seed_counts, group="style-A")
    assert (key.table["docs_target"] >= 1).any() and not any(n.startswith("min_docs") for n in key.notes)
    assert len(key.table) == len(mf.keyness(seed_counts, group="style-A", min_docs=1).table)


def test_keyness_grid_applies_min_docs_per_group():
    counts = mf.count_terms(_group_docs())
    grid = mf.keyness_grid(counts, top_n=5)
    top_a = grid.table[grid.table["target"] == "A"]
    assert "eenmalig" not in set(top_a["term"]) and (top_a["docs_target"] >= 2).all()
    assert "elders" not in set(grid.table.loc[grid.table["target"] == "B", "term"])
    assert any(n.startswith("min_docs ('A')") for n in grid.notes) and any(n.startswith("min_docs ('B')") for n in grid.notes)


@pytest.mark.parametrize("top_n", [1, 3, 10, 50])
def test_keyness_plot_ends_equal_a_full_sort(top_n):
    from medialens.plots.terms import _extreme

    rng = np.random.default_rng(top_n)
    values = rng.integers(-6, 7, size=200).astype(float)  # many ties at every cut, and zeros
    values[:3] = np.nan
    key = pd.DataFrame({"term": [f"t{i:03d}" for i in rng.permutation(200)], "chi2": values})
    for largest in (True, False):
        side = key[key["chi2"] > 0] if largest else key[key["chi2"] < 0]
        want = side.sort_values(["chi2", "term"], ascending=[not largest, True]).head(top_n)
        pd.testing.assert_frame_equal(_extreme(key, "chi2", top_n, largest=largest), want)
