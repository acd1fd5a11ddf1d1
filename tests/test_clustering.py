"""Topic clustering: checked against a plain scikit-learn pipeline written out here, against
hand-worked numbers, and for every bad input the issue lists."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF, TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, silhouette_score

from medialens import clustering as cl
from medialens import plots
from medialens.clustering.resampling import _jaccard_best
from medialens.corpus import load_corpus
from medialens.text import TextSettings, Tokenizer


@pytest.fixture(scope="module")
def seeds():
    return load_corpus("corpus/seeds.yaml")


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer(TextSettings(language="nl"))


@pytest.fixture(scope="module")
def seed_units(seeds):
    return cl.make_units(seeds, unit="paragraph")


def docs(texts: list[str], outlets: list[str] | None = None, dates: list[str | None] | None = None) -> pd.DataFrame:
    n = len(texts)
    outlets = outlets or [f"o{i % 2}" for i in range(n)]
    dates = dates or ["2022-01-05"] * n
    return pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "outlet": outlets,
            "date": dates,
            "month": [d[:7] if d else None for d in dates],
            "text": texts,
        }
    )


TOPICS = [
    "De Navo stuurt troepen naar Polen en Roemenië.\n\nDe troepen versterken de oostgrens van het bondgenootschap.",
    "Extra troepen en gevechtsvliegtuigen gaan naar de oostgrens van de Navo.\n\nPolen verwelkomt de troepen.",
    "De sancties tegen Rusland raken banken en gas.\n\nDe Europese Unie overlegt over nieuwe sancties.",
    "Nieuwe sancties treffen Russische banken.\n\nDe gasprijs stijgt door de sancties tegen Rusland.",
    "Zelensky vraagt om vliegtuigen en tanks.\n\nOekraïne wil wapens om zich te verdedigen.",
    "Oekraïne vraagt opnieuw om tanks en wapens.\n\nZelensky spreekt de Navo-leiders toe via video.",
]


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------
def test_paragraph_units_keep_metadata_and_leave_out_headings(seeds, seed_units):
    paras = seeds.paragraphs()
    body = paras[paras["kind"] == "body"]
    assert len(seed_units) == len(body) == 40
    assert list(seed_units.columns) == cl.UNIT_COLUMNS
    row = seed_units.iloc[0]
    doc = seeds.documents.set_index("doc_id").loc[row["doc_id"]]
    assert (row["outlet"], row["date"]) == (doc["outlet"], doc["date"])
    assert row["unit_id"] == f"{row['doc_id']}#p{row['paragraph']}"
    with_headings = cl.make_units(seeds, unit="paragraph", include_headings=True)
    assert len(with_headings) == len(paras) == 49
    # the undated document keeps its units, with date missing
    undated = seeds.documents.loc[seeds.documents["date"].isna(), "doc_id"].item()
    assert seed_units.loc[seed_units["doc_id"] == undated, "date"].isna().all()


def test_document_units_from_a_plain_table():
    u = cl.make_units(docs(TOPICS), unit="document")
    assert list(u["unit_id"]) == [f"d{i}" for i in range(6)]
    assert u["paragraph"].isna().all()
    p = cl.make_units(docs(TOPICS), unit="paragraph")
    assert len(p) == 12 and list(p["paragraph"][:2]) == [1, 2]


# --------------------------------------------------------------------------------------------
# Against a plain scikit-learn pipeline
# --------------------------------------------------------------------------------------------
def _top(center: np.ndarray, terms: np.ndarray, n: int) -> list[str]:
    """Top terms by weight, ties by term: written out independently of the library."""
    idx = [j for j in range(len(center)) if center[j] > 0]
    idx.sort(key=lambda j: (-center[j], str(terms[j])))
    return [str(terms[j]) for j in idx[:n]]


@pytest.mark.parametrize("k", [3, 5])
def test_kmeans_equals_plain_sklearn_pipeline(seed_units, tokenizer, k):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5, sublinear_tf=True)
    res = cl.cluster(m, k=k, random_state=0)

    vec = TfidfVectorizer(analyzer=tokenizer, min_df=2, max_df=0.5, sublinear_tf=True)
    X = vec.fit_transform(seed_units["text"])
    km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)

    assert list(m.terms) == list(vec.get_feature_names_out())
    assert abs(m.X - X).max() < 1e-12
    # same partition: ARI 1 and a one-to-one map between label sets
    assert adjusted_rand_score(km.labels_, res.labels) == 1.0
    pairs = set(zip(res.labels, km.labels_, strict=True))
    assert len(pairs) == k
    terms = cl.top_terms(m, res, top_n=10)
    for ours, theirs in pairs:
        expected = _top(km.cluster_centers_[theirs], vec.get_feature_names_out(), 10)
        got = terms.loc[terms["cluster"] == ours, "term"].tolist()
        assert got == expected
        weights = terms.loc[terms["cluster"] == ours, "weight"].to_numpy()
        assert np.allclose(weights, np.sort(km.cluster_centers_[theirs])[::-1][:10])
        # scikit-learn example's argsort gives the same set of top terms when there are no ties at the cut
    # silhouette equals scikit-learn's cosine silhouette
    assert res.silhouette == pytest.approx(silhouette_score(X, km.labels_, metric="cosine"), abs=1e-12)
    # clusters are numbered by size, largest first
    sizes = np.bincount(res.labels)[1:]
    assert list(sizes) == sorted(sizes, reverse=True)


def test_nmf_equals_plain_sklearn(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k=4, algorithm="nmf", random_state=0)
    nmf = NMF(n_components=4, init="nndsvda", random_state=0, max_iter=1000)
    W = nmf.fit_transform(m.X)
    assert adjusted_rand_score(W.argmax(axis=1), res.labels) == 1.0
    terms = cl.top_terms(m, res, top_n=5)
    for ours, theirs in set(zip(res.labels, W.argmax(axis=1), strict=True)):
        assert terms.loc[terms["cluster"] == ours, "term"].tolist() == _top(nmf.components_[theirs], m.terms, 5)


def test_auto_k_picks_the_best_silhouette(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k="auto", k_min=2, k_max=5, random_state=0)
    expected = {}
    for k in range(2, 6):
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(m.X)
        expected[k] = silhouette_score(m.X, labels, metric="cosine")
    assert np.allclose(res.table["silhouette"], [expected[k] for k in range(2, 6)])
    assert res.k == max(expected, key=lambda k: (expected[k], -k))
    assert res.table["chosen"].sum() == 1 and res.auto
    assert res.silhouette == pytest.approx(expected[res.k])
    spread = max(expected.values()) - min(expected.values())
    assert res.notes[0] == res.verdict  # the silhouette's reading first, then how k was chosen
    assert res.notes[-2] == f"The silhouettes of all k tried lie within {spread:.3f} of each other."
    assert (res.k == 5) == res.notes[1].startswith("The chosen k = 5 is the largest tried")
    fixed = cl.cluster(m, k=3, random_state=0)
    assert fixed.notes[1:-1] == ("k was fixed at 3; set k = 'auto' to compare values of k",)
    assert not fixed.auto and fixed.table.to_dict("records") == [
        {"k": 3, "silhouette": fixed.silhouette, "smallest": int(np.bincount(fixed.labels)[1:].min()), "nonempty": 3, "chosen": True}
    ]


def test_ngrams_are_built_on_the_token_stream(tokenizer):
    u = cl.make_units(docs(["De Navo stuurt troepen naar Polen.", "Een ander stuk over iets anders."]), unit="document")
    m = cl.tfidf(u, settings=tokenizer.settings, ngram_range=[1, 2])
    first = set(m.terms[m.X[0].indices])
    assert first == {"navo", "stuurt", "troepen", "polen", "navo stuurt", "stuurt troepen", "troepen polen"}
    m = cl.tfidf(cl.make_units(docs(TOPICS), unit="document"), settings=tokenizer.settings, ngram_range=[1, 2])
    # "... naar Polen en Roemenië.\n\nDe troepen ...": no pair across the blank line
    assert "roemenië troepen" not in m.terms and "troepen polen" in m.terms and "oostgrens navo" in m.terms


def test_units_carry_token_and_term_counts(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    assert list(m.units["tokens"]) == [len(tokenizer(t)) for t in seed_units["text"]]
    assert list(m.units["terms"]) == list(np.diff(m.X.indptr))
    assert np.allclose(np.asarray(m.X.multiply(m.X).sum(axis=1)).ravel(), 1.0)  # rows L2-normalised


def test_filter_report_counts_terms_per_filter(tokenizer):
    u = cl.make_units(docs(TOPICS), unit="document")
    m = cl.tfidf(u, settings=tokenizer.settings, min_df=2, max_df=0.5)
    vocab_all = TfidfVectorizer(analyzer=tokenizer).fit(u["text"]).get_feature_names_out()
    vocab_min = TfidfVectorizer(analyzer=tokenizer, min_df=2).fit(u["text"]).get_feature_names_out()
    vocab_both = TfidfVectorizer(analyzer=tokenizer, min_df=2, max_df=0.5).fit(u["text"]).get_feature_names_out()
    assert list(m.filters["terms_left"]) == [len(vocab_all), len(vocab_min), len(vocab_both)]
    assert list(m.filters["removed"]) == [0, len(vocab_all) - len(vocab_min), len(vocab_min) - len(vocab_both)]
    assert list(m.terms) == list(vocab_both)


TINY = ["The mayor opened a new bridge.", "Farmers protested against water rules.", "A storm flooded the harbour overnight."]


def test_default_df_bounds_adapt_to_fewer_than_four_units_with_a_note():
    en = TextSettings(language="en")
    u = cl.make_units(docs(TINY), unit="document")
    with pytest.raises(ValueError, match=r"^max_df = 0.5 \(at most 1.5 of 3 documents\) is below min_df = 2"):
        cl.tfidf(u, settings=en, min_df=cl.DEFAULT_MIN_DF, max_df=cl.DEFAULT_MAX_DF)
    m = cl.tfidf(u, settings=en, min_df=cl.DEFAULT_MIN_DF, max_df=cl.DEFAULT_MAX_DF, adapt_defaults=True)
    assert m.settings["min_df"] == 1 and m.settings["max_df"] == 1.0 and m.shape[0] == 3
    assert len(m.notes) == 1 and "the defaults" in m.notes[0] and "min_df = 1, max_df = 1.0" in m.notes[0]
    # values the user set are used as given, even with adapt_defaults
    with pytest.raises(ValueError, match="^max_df = 0.4"):
        cl.tfidf(u, settings=en, min_df=2, max_df=0.4, adapt_defaults=True)
    # four units or more: the defaults hold and are used unchanged
    m4 = cl.tfidf(cl.make_units(docs(TOPICS), unit="document"), settings=en, min_df=2, max_df=0.5, adapt_defaults=True)
    assert m4.notes == () and m4.settings["min_df"] == 2


def test_too_few_units_with_terms_names_those_left_out():
    en = TextSettings(language="en")
    texts = TINY + ["Teachers demand smaller classes this autumn.", "The mayor said the bridge will reopen soon."]
    m = cl.tfidf(cl.make_units(docs(texts), unit="document"), settings=en, min_df=2, max_df=0.5)
    with pytest.raises(ValueError, match=r"^k: only 2 documents have terms \(3 more had no term left"):
        cl.cluster(m, k="auto")


# --------------------------------------------------------------------------------------------
# Stability, representatives, tables, map
# --------------------------------------------------------------------------------------------
def _ari_by_hand(a, b) -> float:
    """Hubert & Arabie's adjusted Rand index from the contingency table."""
    table = pd.crosstab(np.asarray(a), np.asarray(b)).to_numpy()
    n = table.sum()
    index = sum(comb(int(x), 2) for x in table.ravel())
    rows = sum(comb(int(x), 2) for x in table.sum(axis=1))
    cols = sum(comb(int(x), 2) for x in table.sum(axis=0))
    expected = rows * cols / comb(int(n), 2)
    return (index - expected) / ((rows + cols) / 2 - expected)


def test_stability_ari_equals_sklearn_and_hand_formula(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k=4, random_state=0)
    st = cl.stability(m, res, n_seeds=3, n_bootstrap=2)
    assert list(st.runs["run"]) == ["seed 0", "seed 1", "seed 2", "bootstrap 1", "bootstrap 2"]
    assert len(st.ari) == 10
    for a, b, v in st.ari.itertuples(index=False):
        assert v == pytest.approx(adjusted_rand_score(st.labels[a], st.labels[b]), abs=1e-12)
        assert v == pytest.approx(_ari_by_hand(st.labels[a], st.labels[b]), abs=1e-12)
    # seed 1 is KMeans with random_state=1
    km1 = KMeans(n_clusters=4, n_init=10, random_state=1).fit_predict(m.X)
    assert adjusted_rand_score(km1, st.labels["seed 1"]) == 1.0
    assert np.array_equal(st.labels["seed 0"], res.labels)
    mat = st.ari_matrix
    assert np.allclose(mat.to_numpy(), mat.to_numpy().T) and np.allclose(np.diag(mat), 1)


def test_cluster_survival_jaccard_hand_worked():
    ref = np.array([1, 1, 1, 2, 2, 3])
    other = np.array([5, 5, 6, 6, 6, 7])
    # cluster 1 {0,1,2}: best is {0,1} -> 2/3; cluster 2 {3,4}: {2,3,4} -> 2/3; cluster 3 {5}: {5} -> 1
    assert np.allclose(_jaccard_best(ref, other, 3), [2 / 3, 2 / 3, 1.0])


def test_representatives_are_closest_to_the_centroid(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k=3, random_state=0)
    reps = cl.representatives(m, res, n_representatives=3)
    X = m.X.toarray()
    for c in range(1, 4):
        members = np.flatnonzero(res.labels == c)
        centroid = X[members].mean(axis=0)  # k-means centre = mean of its members
        sims = X[members] @ centroid / np.linalg.norm(centroid)
        best = m.units["unit_id"].to_numpy()[members[np.argsort(-sims, kind="stable")[:3]]]
        got = reps[reps["cluster"] == c]
        assert list(got["unit_id"]) == list(best)
        assert np.allclose(got["similarity"], np.sort(sims)[::-1][:3])
    assert set(reps.columns) >= {"doc_id", "outlet", "date", "text"}


def test_representative_text_is_shown_escaped(tokenizer):
    texts = [t + "\n\n<script>alert(1)</script> troepen sancties" for t in TOPICS]
    u = cl.make_units(docs(texts), unit="document")
    m = cl.tfidf(u, settings=tokenizer.settings)
    reps = cl.representatives(m, cl.cluster(m, k=3), n_representatives=1)
    html = reps.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_cluster_tables_counts_shares_and_missing_months(tokenizer):
    d = docs(TOPICS, outlets=["A", "A", "B", "B", "C", None], dates=["2022-01-02", None, "2022-02-01", "2022-02-03", None, "2022-01-09"])
    u = cl.make_units(d, unit="document")
    labels = np.array([1, 1, 2, 2, 3, 3])
    counts = cl.cluster_table(u, labels, group_by="month")
    assert list(counts.columns) == ["2022-01", "2022-02", "(missing)", "total"]
    assert counts.loc["total", "total"] == 6 and counts.loc[3, "(missing)"] == 1 and counts.loc[1, "(missing)"] == 1
    shares = cl.cluster_table(u, labels, group_by="outlet", shares=True)
    assert list(shares.columns) == ["A", "B", "C", "(missing)", "all"]
    assert np.allclose(shares.drop(index="n").sum(axis=0), 1.0)
    assert list(shares.loc["n"]) == [2, 2, 1, 1, 6]


def test_lsa_map_equals_truncated_svd_up_to_sign(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k=3)
    result = cl.lsa_map(m, res)
    pts = result.table
    ref = TruncatedSVD(n_components=2, algorithm="arpack", random_state=0).fit_transform(m.X)
    for j, col in enumerate(["x", "y"]):
        assert np.allclose(np.abs(pts[col]), np.abs(ref[:, j]), atol=1e-9)
    assert len(result.explained) == 2 and list(pts["cluster"]) == list(res.labels)
    assert all(0 < e < 1 for e in result.explained)


def test_lsa_map_capped_by_rank(tokenizer):
    u = cl.make_units(docs(["troepen polen", "troepen sancties", "sancties polen"]), unit="document")
    m = cl.tfidf(u, settings=tokenizer.settings)
    pts = cl.lsa_map(m).table
    assert pts[["x", "y"]].notna().all().all()


def test_rerunning_gives_identical_tables(seed_units, tokenizer):
    def run():
        m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
        r = cl.cluster(m, k="auto", k_max=6, random_state=0)
        s = cl.stability(m, r, n_seeds=3, n_bootstrap=2)
        return [
            m.filters, r.table, cl.cluster_summary(m, r), cl.top_terms(m, r), cl.representatives(m, r),
            cl.cluster_table(m.units, r.labels, group_by="outlet"), cl.cluster_table(m.units, r.labels, group_by="month", shares=True),
            s.runs, s.ari, s.table, cl.lsa_map(m, r).table,
        ]

    for a, b in zip(run(), run(), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_plots_return_figures(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    r = cl.cluster(m, k="auto", k_max=4)
    s = cl.stability(m, r, n_seeds=2)
    assert isinstance(plots.silhouette_by_k(r.table, chosen_k=r.k, n_units=40), Figure)
    assert isinstance(plots.cluster_map(cl.lsa_map(m, r)), Figure)
    assert isinstance(plots.stability_heatmap(s.ari_matrix, n_units=40), Figure)


def test_verdict_says_weak_structure_plainly():
    assert "no substantial cluster structure" in cl.silhouette_verdict(0.03, k=4, n_units=40)
    assert "weak structure" in cl.silhouette_verdict(0.3, k=4, n_units=40)
    assert "strong" in cl.silhouette_verdict(0.8, k=2, n_units=40)
    assert "undefined" in cl.silhouette_verdict(float("nan"), k=2, n_units=40)


# --------------------------------------------------------------------------------------------
# Bad input: each names the parameter, in the corpus's terms
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def topic_matrix(tokenizer):
    return cl.tfidf(cl.make_units(docs(TOPICS), unit="document"), settings=tokenizer.settings)


def test_k_larger_than_units(topic_matrix):
    with pytest.raises(ValueError, match=r"^k = 9: larger than or equal to the number of documents \(6\)"):
        cl.cluster(topic_matrix, k=9)
    with pytest.raises(ValueError, match=r"^k = 6: .*at most 5"):
        cl.cluster(topic_matrix, k=6)


@pytest.mark.parametrize("k", [1, 0, -3])
def test_k_below_two(topic_matrix, k):
    with pytest.raises(ValueError, match=rf"^k = {k}: a clustering needs at least 2 clusters"):
        cl.cluster(topic_matrix, k=k)


@pytest.mark.parametrize("k", ["many", 2.5, True])
def test_k_of_wrong_type(topic_matrix, k):
    with pytest.raises(ValueError, match=r"^k = .*whole number of clusters"):
        cl.cluster(topic_matrix, k=k)


def test_corpus_of_one_document():
    with pytest.raises(ValueError, match=r"^corpus: has 1 document;.*at least 2"):
        cl.make_units(docs(TOPICS[:1]), unit="document")
    with pytest.raises(ValueError, match=r"^corpus: has 1 document"):
        cl.make_units(docs(TOPICS[:1]), unit="paragraph")


def test_identical_documents(tokenizer):
    # differ only in case, punctuation and stopwords: the loader keeps them, the tokeniser does not
    texts = ["De Navo stuurt troepen.", "de NAVO stuurt troepen!", "Navo: stuurt troepen", "En de Navo stuurt troepen."]
    m = cl.tfidf(cl.make_units(docs(texts), unit="document"), settings=tokenizer.settings)
    with pytest.raises(ValueError, match=r"^k: all 4 documents are identical after tokenising \(4 of 4 documents \(d0, d1, d2, d3\)\)"):
        cl.cluster(m, k=2)
    with pytest.raises(ValueError, match=r"identical after tokenising"):
        cl.cluster(m, k="auto")


def test_more_clusters_than_distinct_documents(tokenizer):
    texts = ["Navo troepen.", "NAVO troepen!", "Sancties Rusland.", "sancties rusland", "Zelensky tanks"]
    m = cl.tfidf(cl.make_units(docs(texts), unit="document"), settings=tokenizer.settings)
    with pytest.raises(ValueError, match=r"^k = 4: only 3 of the 5 documents differ in their terms"):
        cl.cluster(m, k=4)
    assert cl.cluster(m, k="auto", k_max=4).k <= 3


def test_vocabulary_emptied_by_min_df_names_the_documents(tokenizer):
    texts = ["Troepen naar Polen", "Sancties tegen banken", "Zelensky vraagt tanks"]
    u = cl.make_units(docs(texts), unit="document")
    with pytest.raises(ValueError, match=r"^min_df = 2, max_df = 1.0: no term is left\. 7 of 7 terms occur in fewer than 2 documents \(min_df\)\. So") as exc:
        cl.tfidf(u, settings=tokenizer.settings, min_df=2)
    assert "3 of 3 documents (d0, d1, d2) lost all their terms" in str(exc.value)


def test_vocabulary_emptied_by_max_df(tokenizer):
    texts = ["Navo troepen", "Navo troepen", "navo troepen!"]
    u = cl.make_units(docs(texts), unit="document")
    with pytest.raises(ValueError, match=r"^min_df = 1, max_df = 0.5: no term is left\. 2 of 2 terms occur in more than 1.5 documents \(max_df\)\. So 3 of 3 documents \(d0, d1, d2\) lost"):
        cl.tfidf(u, settings=tokenizer.settings, max_df=0.5)


def test_units_losing_all_terms_are_listed_not_clustered(tokenizer):
    texts = TOPICS + ["Kerstmarkt in Maastricht"]
    u = cl.make_units(docs(texts), unit="document")
    m = cl.tfidf(u, settings=tokenizer.settings, min_df=2)
    assert list(m.dropped["unit_id"]) == ["d6"]
    assert "min_df = 2" in m.dropped["reason"].item()
    assert m.X.shape[0] == 6 and "d6" not in set(m.units["unit_id"])


def test_units_without_tokens_are_listed(tokenizer):
    texts = [*TOPICS, "En de het van een."]
    m = cl.tfidf(cl.make_units(docs(texts), unit="document"), settings=tokenizer.settings)
    assert m.dropped["reason"].str.contains("no tokens").all() and list(m.dropped["unit_id"]) == ["d6"]


def test_max_df_below_min_df(tokenizer):
    u = cl.make_units(docs(TOPICS[:5]), unit="document")
    with pytest.raises(ValueError, match=r"^max_df = 0.4 \(at most 2 of 5 documents\) is below min_df = 3 \(at least 3 of 5 documents\)"):
        cl.tfidf(u, settings=tokenizer.settings, min_df=3, max_df=0.4)
    with pytest.raises(ValueError, match=r"^max_df = 2 .* below min_df = 0.6"):
        cl.tfidf(u, settings=tokenizer.settings, min_df=0.6, max_df=2)


def test_min_df_above_number_of_units(tokenizer):
    u = cl.make_units(docs(TOPICS[:3]), unit="document")
    with pytest.raises(ValueError, match=r"^min_df = 5: .*at least 5 documents, but there are only 3"):
        cl.tfidf(u, settings=tokenizer.settings, min_df=5, max_df=10)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"min_df": 0}, r"^min_df = 0: a count of units must be >= 1"),
        ({"max_df": 1.5}, r"^max_df = 1.5: a share of units must be > 0 and <= 1"),
        ({"min_df": "2"}, r"^min_df = '2': give a whole number"),
        ({"ngram_range": [2, 1]}, r"^ngram_range = \[2, 1\]"),
        ({"ngram_range": (1,)}, r"^ngram_range = \(1,\)"),
        ({"sublinear_tf": "yes"}, r"^sublinear_tf = 'yes'"),
    ],
)
def test_bad_tfidf_settings(tokenizer, kwargs, pattern):
    u = cl.make_units(docs(TOPICS), unit="document")
    with pytest.raises(ValueError, match=pattern):
        cl.tfidf(u, settings=tokenizer.settings, **kwargs)


def test_paragraph_units_when_documents_have_no_paragraphs():
    one_paragraph = docs(["De Navo stuurt troepen naar Polen.", "Sancties tegen Rusland.", "Zelensky vraagt tanks."])
    with pytest.raises(ValueError, match=r"^unit = 'paragraph': none of the 3 documents has more than one paragraph"):
        cl.make_units(one_paragraph, unit="paragraph")
    # some documents with one paragraph is fine: they become one unit each
    mixed = docs([TOPICS[0], "Sancties tegen Rusland.", TOPICS[2]])
    assert list(cl.make_units(mixed, unit="paragraph")["doc_id"]) == ["d0", "d0", "d1", "d2", "d2"]


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"unit": "sentence"}, r"^unit = 'sentence': choose 'document' or 'paragraph'"),
        ({"include_headings": "no"}, r"^include_headings = 'no'"),
    ],
)
def test_bad_unit_settings(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        cl.make_units(docs(TOPICS), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"algorithm": "lda"}, r"^algorithm = 'lda': choose 'kmeans' or 'nmf'"),
        ({"k": "auto", "k_min": 4, "k_max": 3}, r"^k_min = 4 is larger than k_max = 3"),
        ({"k": "auto", "k_min": 1}, r"^k_min = 1: must be a whole number >= 2"),
        ({"k": "auto", "k_min": 6, "k_max": 9}, r"^k_min = 6: with 6 documents \(6 distinct\) k can be at most 5"),
        ({"random_state": -1}, r"^random_state = -1"),
        ({"minibatch": "yes"}, r"^minibatch = 'yes'"),
    ],
)
def test_bad_cluster_settings(topic_matrix, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        cl.cluster(topic_matrix, **kwargs)


def test_bad_stability_and_display_settings(topic_matrix):
    res = cl.cluster(topic_matrix, k=3)
    with pytest.raises(ValueError, match=r"^n_seeds = 0"):
        cl.stability(topic_matrix, res, n_seeds=0)
    with pytest.raises(ValueError, match=r"^n_seeds = 1: stability needs at least 2 runs"):
        cl.stability(topic_matrix, res, n_seeds=1)
    with pytest.raises(ValueError, match=r"^top_n = 0"):
        cl.top_terms(topic_matrix, res, top_n=0)
    with pytest.raises(ValueError, match=r"^group_by = 'region'"):
        cl.cluster_table(topic_matrix.units, res.labels, group_by="region")


def test_minibatch_path_runs(topic_matrix):
    res = cl.cluster(topic_matrix, k=3, minibatch=True)
    assert res.minibatch and res.k == 3 and len(set(res.labels)) <= 3


def test_silhouette_on_a_seeded_sample_when_large(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k=3, random_state=7, silhouette_sample=20)
    expected = silhouette_score(m.X, res.labels, metric="cosine", sample_size=20, random_state=7)
    assert res.silhouette == pytest.approx(expected, abs=1e-12) and res.silhouette_sampled == 20
    assert "seeded sample of 20 units" in res.verdict and res.verdict in res.notes


def test_notebook_parameters_accept_auto_or_a_number():
    from medialens.paths import project_root
    from medialens.report import notebook_parameters, validate_parameters

    declared = notebook_parameters(project_root() / "notebooks" / "20_topic_clustering.ipynb")
    assert declared["k"].default == "auto" and declared["unit"].default == "paragraph"
    ok = {"k": 5, "min_df": 0.05, "max_df": 3, "ngram_range": [1, 2], "algorithm": "nmf", "unit": "document"}
    assert validate_parameters(ok, declared, "20_topic_clustering") == []
    bad = validate_parameters({"k": [3], "ngram_range": ["1", "2"]}, declared, "20_topic_clustering")
    assert len(bad) == 2 and "'k'" in bad[0] and "'ngram_range'" in bad[1]


# --------------------------------------------------------------------------------------------
# Review: independent checks and the helpers notebook 20 calls
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["kmeans", "nmf"])
def test_representatives_equal_a_brute_force_cosine_ranking(seed_units, tokenizer, algorithm):
    from sklearn.metrics.pairwise import cosine_similarity

    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k=3, random_state=0, algorithm=algorithm)
    reps = cl.representatives(m, res, n_representatives=2)
    sims = cosine_similarity(m.X, res.centers)  # every unit against every centre, by scikit-learn
    ids = m.units["unit_id"].to_numpy()
    for c in range(1, res.k + 1):
        members = [i for i in range(len(ids)) if res.labels[i] == c]
        ranked = sorted(members, key=lambda i: (-sims[i, c - 1], ids[i]))[:2]
        got = reps[reps["cluster"] == c]
        assert list(got["unit_id"]) == list(ids[ranked])
        assert np.allclose(got["similarity"], [round(sims[i, c - 1], 3) for i in ranked], atol=1e-3)


def test_cluster_shares_sum_to_one_per_column_and_keep_empty_clusters(tokenizer):
    d = docs(TOPICS, outlets=["A", "A", "B", "B", "B", "C"])
    u = cl.make_units(d, unit="document")
    labels = np.array([1, 2, 1, 1, 2, 2])
    shares = cl.cluster_table(u, labels, group_by="outlet", shares=True, k=3)
    body = shares.drop(index="n")
    assert list(body.index) == [1, 2, 3]  # cluster 3 has no units (possible with NMF): a row of zeros
    assert np.allclose(body.sum(axis=0), 1.0)  # each column: one outlet's units over the clusters
    assert body.loc[1].tolist() == pytest.approx([1 / 2, 2 / 3, 0.0, 3 / 6])
    assert (body.loc[3] == 0).all()
    counts = cl.cluster_table(u, labels, group_by="outlet", k=3)
    assert counts.loc[3, "total"] == 0 and counts.loc["total", "total"] == 6
    with pytest.raises(ValueError, match="k = 1: must be the number of clusters"):
        cl.cluster_table(u, labels, group_by="outlet", k=1)


def test_auto_k_range_is_capped_by_units_and_distinct_units(tokenizer):
    u = cl.make_units(docs(TOPICS), unit="document")
    m = cl.tfidf(u, settings=tokenizer.settings, min_df=1, max_df=1.0)
    res = cl.cluster(m, k="auto", k_min=2, k_max=8)
    assert res.table["k"].tolist() == [2, 3, 4, 5]  # 6 units: at most 5 clusters
    dup = cl.make_units(docs(TOPICS[:3] * 2), unit="document")  # 6 units, 3 distinct
    res = cl.cluster(cl.tfidf(dup, settings=tokenizer.settings, min_df=1, max_df=1.0), k="auto", k_min=2, k_max=8)
    assert res.table["k"].tolist() == [2, 3]  # capped at the 3 distinct units
    assert res.k == 3 and res.silhouette == pytest.approx(1.0)  # three pairs of identical documents


def test_units_per_document_counts_units_by_hand():
    d = docs(TOPICS[:3], outlets=["A", None, "B"], dates=["2022-01-02", None, "2022-02-01"])
    u = cl.make_units(d, unit="paragraph")
    t = cl.units_per_document(u)
    assert t.to_dict("index") == {
        "d0": {"outlet": "A", "month": "2022-01", "units": 2},
        "d1": {"outlet": "(missing)", "month": "(missing)", "units": 2},
        "d2": {"outlet": "B", "month": "2022-02", "units": 2},
    }
    with pytest.raises(ValueError, match="units: missing column"):
        cl.units_per_document(u.drop(columns="month"))


def test_ari_with_reported_run_equals_sklearn(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k=3, random_state=0)
    stab = cl.stability(m, res, n_seeds=3, n_bootstrap=1)
    got = stab.ari_with_reported
    assert list(got.index) == ["seed 1", "seed 2", "bootstrap 1"]
    for run, v in got.items():
        assert v == pytest.approx(adjusted_rand_score(res.labels, stab.labels[run]), abs=1e-12)
    assert stab.notes[0] == (
        f"ARI of the reported run with the 3 other runs: median {got.median():.3f}, range {got.min():.3f} to {got.max():.3f}."
    )


def test_clustering_and_stability_are_results_with_notes(seed_units, tokenizer):
    from medialens.results import Result

    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k=3, random_state=0)
    stab = cl.stability(m, res, n_seeds=3)
    for r in (res, stab):
        assert isinstance(r, Result) and isinstance(r.table, pd.DataFrame) and isinstance(r.notes, tuple)
        assert r.notes and all(isinstance(n, str) for n in r.notes)
    assert list(stab.table.columns) == ["cluster", "units", "mean_jaccard", "min_jaccard", "verdict"]
    stable = stab.table.loc[stab.table["mean_jaccard"] >= 0.75, "cluster"].tolist()
    assert stab.notes[1] == (
        f"Agreement between the 3 runs: median ARI over all pairs {stab.ari['ari'].median():.3f}; "
        f"clusters that survive re-runs (mean Jaccard 0.75 or more): {stable if stable else 'none'}."
    )


def test_bootstrap_resamples_hold_k_distinct_units(seeds, tokenizer):
    import warnings

    u = cl.make_units(seeds, unit="document")
    m = cl.tfidf(u, settings=tokenizer.settings, min_df=1, max_df=1.0)
    res = cl.cluster(m, k=4, random_state=0)
    with warnings.catch_warnings():
        # before: a resample of 5 documents with 3 distinct ones gave scikit-learn's
        # "Number of distinct clusters (3) found smaller than n_clusters (4)" warning
        warnings.simplefilter("error")
        stab = cl.stability(m, res, n_seeds=2, n_bootstrap=3)
    assert len(stab.runs) == 5
    # 30 distinct documents, k = 29: a resample of 30 holds about 19 distinct ones, never 29
    many = docs([f"woord{chr(97 + i % 26)}{chr(97 + i // 26)} gedeeld" for i in range(30)])
    mm = cl.tfidf(cl.make_units(many, unit="document"), settings=tokenizer.settings, min_df=1, max_df=1.0)
    with pytest.raises(ValueError, match="n_bootstrap = 2: resamples of the 30 units almost never hold 29 distinct units"):
        cl.stability(mm, cl.cluster(mm, k=29), n_seeds=1, n_bootstrap=2)


def test_tfidf_takes_the_settings_every_analysis_takes(seed_units, tokenizer):
    with pytest.raises(ValueError, match=r"^settings: expected a TextSettings, got Tokenizer"):
        cl.tfidf(seed_units, settings=tokenizer)
    lemma = cl.tfidf(seed_units, settings=TextSettings(reduce="stem"), min_df=2, max_df=0.5)
    plain = cl.tfidf(seed_units, settings=TextSettings(), min_df=2, max_df=0.5)
    assert set(lemma.terms) != set(plain.terms)  # the reduction reaches the matrix


# --------------------------------------------------------------------------------------------
# At scale (issue 14 item 3): the thresholds, tested with small values
# --------------------------------------------------------------------------------------------
def test_minibatch_above_the_threshold_kmeans_at_or_below(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    n = m.X.shape[0]
    below = cl.cluster(m, k=3, random_state=0, minibatch_threshold=n)  # n units: not above the threshold
    assert not below.minibatch
    assert adjusted_rand_score(KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(m.X), below.labels) == 1.0
    assert below.notes[-1] == (
        f"No shortcut: KMeans with 10 initialisations and the silhouette over all {n} units "
        f"(MiniBatchKMeans is used above {n} units)."
    )
    above = cl.cluster(m, k=3, random_state=0, minibatch_threshold=n - 1, silhouette_sample=20)
    assert above.minibatch and above.silhouette_sampled == 20
    assert above.notes[-1] == (
        f"Shortcuts for {n} units: MiniBatchKMeans (batches of 4,096 units, 3 initialisations) instead of KMeans "
        f"with 10 initialisations, because there are more than minibatch_threshold = {n - 1} units (minibatch = 'auto'); "
        "its clusters are close to full k-means, not identical; the silhouette (of every k tried and of the result) "
        f"on a seeded sample of 20 units (silhouette_sample), because the exact one compares all {n * (n - 1) // 2:,} pairs."
    )
    forced = cl.cluster(m, k=3, random_state=0, minibatch=False, minibatch_threshold=1)
    assert not forced.minibatch and forced.notes[-1].startswith("No shortcut: KMeans with 10 initialisations (minibatch = False)")
    assert "because minibatch = True" in cl.cluster(m, k=3, minibatch=True).notes[-1]
    assert cl.cluster(m, k=3, algorithm="nmf", minibatch_threshold=1).notes[-1] == (
        f"No shortcut: NMF and the silhouette over all {n} units."
    )
    with pytest.raises(ValueError, match=r"^minibatch_threshold = 0: "):
        cl.cluster(m, k=3, minibatch_threshold=0)


def test_the_default_threshold_keeps_the_seeds_on_full_kmeans(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    assert m.X.shape[0] <= cl.MINIBATCH_THRESHOLD and m.X.shape[0] <= cl.STABILITY_SAMPLE
    res = cl.cluster(m, k=3, random_state=0)
    assert not res.minibatch and res.notes[-1].startswith("No shortcut")
    assert cl.stability(m, res, n_seeds=2).notes[-1].startswith("No shortcut: every run uses all")


def test_stability_on_a_seeded_sample_above_sample_size(seed_units, tokenizer):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2, max_df=0.5)
    res = cl.cluster(m, k=3, random_state=0)
    st = cl.stability(m, res, n_seeds=3, n_bootstrap=1, sample_size=25)
    rows = np.sort(np.random.default_rng(0).choice(m.X.shape[0], size=25, replace=False))
    assert st.labels["unit_id"].tolist() == m.units["unit_id"].to_numpy()[rows].tolist()
    assert np.array_equal(st.labels["seed 0"], res.labels[rows])  # the reported labels of the sampled units
    km1 = KMeans(n_clusters=3, n_init=10, random_state=1).fit_predict(m.X[rows])  # re-runs fit the sample only
    assert adjusted_rand_score(km1, st.labels["seed 1"]) == 1.0
    assert st.table["units"].tolist() == np.bincount(res.labels[rows], minlength=4)[1:].tolist()
    assert st.notes[-1].startswith(f"Shortcut: the re-runs are fitted and compared on one seeded sample of 25 of the {m.X.shape[0]} units")
    again = cl.stability(m, res, n_seeds=3, n_bootstrap=1, sample_size=25)
    pd.testing.assert_frame_equal(st.table, again.table)
    pd.testing.assert_frame_equal(st.ari, again.ari)
    full = cl.stability(m, res, n_seeds=3, n_bootstrap=1, sample_size=m.X.shape[0])  # not above: every unit
    assert len(full.labels) == m.X.shape[0] and full.notes[-1].startswith("No shortcut")
    with pytest.raises(ValueError, match=r"^sample_size = 5: "):
        cl.stability(m, res, n_seeds=2, sample_size=5)


def test_a_cluster_with_no_unit_to_compare_has_no_overlap():
    from medialens.clustering.resampling import _survival

    ref = np.array([1, 1, 2, 2])  # cluster 3 has no unit here (outside a sample, or an empty component)
    out = _survival(ref, [np.array([1, 1, 2, 2]), np.array([2, 2, 1, 1])], 3)
    assert out["verdict"].tolist() == ["stable", "stable", "no units to compare"]
    assert out["mean_jaccard"].iloc[:2].tolist() == [1.0, 1.0] and np.isnan(out["mean_jaccard"].iloc[2])


def test_distinct_rows_stops_counting_past_what_is_asked():
    import scipy.sparse as sp

    from medialens.clustering.fitting import _distinct_rows

    X = sp.csr_matrix(np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0, 1.0, 1.0], [0, 1.0, 0]]))
    assert _distinct_rows(X) == 4
    assert _distinct_rows(X, stop_after=10) == 4  # exact up to stop_after
    assert _distinct_rows(X, stop_after=2) == 3  # more than 2: stops at the third distinct row
    unsorted = sp.csr_matrix((np.array([2.0, 1.0, 1.0, 2.0]), np.array([1, 0, 0, 1]), np.array([0, 2, 4])), shape=(2, 2))
    assert _distinct_rows(unsorted) == 1 and unsorted.indices.tolist() == [1, 0, 0, 1]  # same row; not reordered


def test_described_gives_the_description_functions_tables(seeds, seed_units, tokenizer, capsys):
    m = cl.tfidf(seed_units, settings=tokenizer.settings, min_df=2)
    result = cl.cluster(m, k=3, random_state=0)
    d = cl.Described(m, result)
    pd.testing.assert_frame_equal(d.summary(top_n=4), cl.cluster_summary(m, result, top_n=4))
    pd.testing.assert_frame_equal(d.top_terms(top_n=5), cl.top_terms(m, result, top_n=5))
    pd.testing.assert_frame_equal(d.representatives(n_representatives=2), cl.representatives(m, result, n_representatives=2))
    for shares in (False, True):
        pd.testing.assert_frame_equal(d.cluster_table(group_by="outlet", shares=shares),
                                      cl.cluster_table(m.units, result.labels, group_by="outlet", shares=shares, k=result.k))
