"""TF-IDF topic clustering that a student can check: units, one TF-IDF matrix, k-means or NMF,
the silhouette for choosing k, stability across seeds, and where outlets and months fall.

The pipeline follows scikit-learn's examples "Clustering text documents using k-means" and "Topic
extraction with NMF and LDA", with the shared tokeniser of :mod:`medialens.text` and checks that
fit a small corpus:

1. :func:`make_units` -- documents or paragraphs, each keeping ``doc_id, outlet, date, month`` and
   its paragraph number. Headings (short lines such as ``Luchtruim``) are left out by default: a
   one- or two-word unit gets an L2-normalised vector made of one or two terms, which k-means then
   places by those words alone; the heading's topic is carried by the paragraphs under it.
2. :func:`tfidf` -- tokens from :class:`medialens.text.Tokenizer` (n-grams built on the token stream),
   counted once, filtered by ``min_df``/``max_df`` (the number of terms surviving each filter is
   reported), weighted with ``sublinear_tf`` and smoothed idf, rows L2-normalised: exactly what
   ``TfidfVectorizer(analyzer=tokenizer, ...)`` computes. The matrix is built once and reused by
   every later step.
3. :func:`cluster` -- ``KMeans(n_init=10, random_state)`` (``MiniBatchKMeans`` for large inputs) or
   ``NMF(init="nndsvda")``; with ``k = "auto"`` the k with the highest cosine silhouette in a range.
   On L2-normalised rows Euclidean k-means behaves like cosine (spherical) k-means.
4. :func:`top_terms`, :func:`representatives`, :func:`cluster_summary`, :func:`cluster_table`,
   :func:`stability`, :func:`lsa_map` -- what each cluster is, how sure we can be, and a map.

Clusters are numbered 1..k by size (largest first; ties by the first unit in corpus order), so
that tables do not depend on scikit-learn's internal label order.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import validate
from .grouping import group_labels, group_order
from .results import Result
from .text import TextSettings, Tokenizer, paragraph_table, split_paragraphs

__all__ = [
    "UNIT_COLUMNS",
    "TfidfMatrix",
    "ClusterMap",
    "Clustering",
    "Stability",
    "make_units",
    "units_per_document",
    "tfidf",
    "cluster",
    "silhouette_verdict",
    "top_terms",
    "representatives",
    "cluster_summary",
    "cluster_table",
    "stability",
    "lsa_map",
]

UNIT_COLUMNS = ["unit_id", "doc_id", "paragraph", "outlet", "date", "month", "text"]
ALGORITHMS = ("kmeans", "nmf")
#: Above this many units ``minibatch="auto"`` uses MiniBatchKMeans (see benchmarks/bench_clustering.py).
MINIBATCH_THRESHOLD = 20_000


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------
def _documents_of(corpus) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if isinstance(corpus, pd.DataFrame):
        return corpus, None
    if hasattr(corpus, "documents") and hasattr(corpus, "paragraphs"):
        return corpus.documents, corpus.paragraphs()
    raise ValueError(f"corpus: expected a loaded Corpus or a documents DataFrame, got {type(corpus).__name__}")


def make_units(corpus, *, unit: str = "paragraph", include_headings: bool = False) -> pd.DataFrame:
    """The units to cluster: whole documents or their paragraphs.

    Parameters
    ----------
    corpus : Corpus or DataFrame
        A loaded :class:`medialens.corpus.Corpus`, or a documents table with at least ``doc_id``
        and ``text`` (``outlet``, ``date``, ``month`` are used when present).
    unit : "document" | "paragraph"
        What one row of the TF-IDF matrix is.
    include_headings : bool
        With paragraphs, keep short heading lines as units of their own. Default False: a heading
        of one or two words is too short to place by topic.

    Returns
    -------
    DataFrame
        ``unit_id, doc_id, paragraph, outlet, date, month, text`` in corpus order; ``paragraph``
        is the 1-based paragraph number (missing for document units).
    """
    validate.choice(unit, "unit", ("document", "paragraph"))
    validate.flag(include_headings, "include_headings")
    docs, paragraphs = _documents_of(corpus)
    missing = [c for c in ("doc_id", "text") if c not in docs.columns]
    if missing:
        raise ValueError(f"corpus: the documents table has no column(s) {missing}")
    n_docs = len(docs)
    if n_docs < 2:
        raise ValueError(
            f"corpus: has {n_docs} document{'s' if n_docs != 1 else ''}; topic clustering compares "
            "documents (or their paragraphs across documents), so it needs at least 2"
        )
    meta = docs.set_index("doc_id")
    for col in ("outlet", "date", "month"):
        if col not in meta.columns:
            meta[col] = None
    if unit == "document":
        out = pd.DataFrame(
            {
                "unit_id": docs["doc_id"].astype(str).to_numpy(),
                "doc_id": docs["doc_id"].to_numpy(),
                "paragraph": pd.array([pd.NA] * n_docs, dtype="Int64"),
                "outlet": meta["outlet"].to_numpy(),
                "date": meta["date"].to_numpy(),
                "month": meta["month"].to_numpy(),
                "text": docs["text"].to_numpy(),
            }
        )
        return out[UNIT_COLUMNS]
    paras = paragraphs if paragraphs is not None else paragraph_table(docs)
    per_doc = paras.groupby("doc_id", sort=False).size().reindex(docs["doc_id"]).fillna(0)
    if (per_doc <= 1).all():
        raise ValueError(
            f"unit = 'paragraph': none of the {n_docs} documents has more than one paragraph "
            "(paragraphs are separated by a blank line), so paragraph units would just be the "
            "documents; use unit = 'document', or keep the blank lines when exporting the texts"
        )
    if not include_headings:
        paras = paras[paras["kind"] != "heading"]
    if paras.empty:
        raise ValueError("include_headings = False: every paragraph is a heading; set include_headings = True")
    out = pd.DataFrame(
        {
            "unit_id": [f"{d}#p{p}" for d, p in zip(paras["doc_id"], paras["paragraph"], strict=True)],
            "doc_id": paras["doc_id"].to_numpy(),
            "paragraph": pd.array(paras["paragraph"].to_numpy(), dtype="Int64"),
            "outlet": meta.loc[paras["doc_id"], "outlet"].to_numpy(),
            "date": meta.loc[paras["doc_id"], "date"].to_numpy(),
            "month": meta.loc[paras["doc_id"], "month"].to_numpy(),
            "text": paras["text"].to_numpy(),
        }
    )
    return out[UNIT_COLUMNS].reset_index(drop=True)


def units_per_document(units: pd.DataFrame) -> pd.DataFrame:
    """How many units each document contributes, with its outlet and month.

    Parameters
    ----------
    units : DataFrame
        From :func:`make_units`.

    Returns
    -------
    DataFrame
        Indexed by ``doc_id`` (sorted): ``outlet, month, units``; a missing month or outlet shows
        as ``(missing)`` (:func:`medialens.grouping.group_labels`).
    """
    need = [c for c in ("unit_id", "doc_id", "outlet", "month") if c not in units.columns]
    if need:
        raise ValueError(f"units: missing column(s) {need}; make them with make_units")
    u = units.assign(outlet=group_labels(units, "outlet"), month=group_labels(units, "month"))
    return u.groupby("doc_id", sort=True).agg(outlet=("outlet", "first"), month=("month", "first"), units=("unit_id", "size"))


# --------------------------------------------------------------------------------------------
# TF-IDF
# --------------------------------------------------------------------------------------------
@dataclass
class TfidfMatrix:
    """One TF-IDF matrix and everything needed to read it.

    Attributes
    ----------
    units : DataFrame
        The units that are rows of ``X`` (``UNIT_COLUMNS`` plus ``tokens`` and ``terms``: tokens
        after the tokeniser and distinct vocabulary terms kept).
    X : scipy.sparse.csr_matrix
        TF-IDF weights, rows L2-normalised.
    terms : ndarray of str
        Column names of ``X`` (sorted, as scikit-learn sorts them).
    filters : DataFrame
        ``step, rule, terms``: how many terms survive each filter.
    dropped : DataFrame
        Units left out and why: ``unit_id, doc_id, paragraph, reason``.
    settings : dict
        The TF-IDF settings used, with ``min_df``/``max_df`` as unit counts.
    """

    units: pd.DataFrame
    X: sp.csr_matrix
    terms: np.ndarray
    filters: pd.DataFrame
    dropped: pd.DataFrame
    settings: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.X.shape


def token_stream(tokenizer: Tokenizer, text: str, ngram_range: tuple[int, int] = (1, 1)) -> list[str]:
    """The shared tokeniser's tokens of ``text`` and, for ``ngram_range`` above 1, its word n-grams.

    N-grams are built on the filtered token stream (so one may bridge a removed stopword:
    ``navo stuurt`` from *de Navo stuurt*) within each paragraph, never across a blank line.
    """
    lo, hi = ngram_range
    if hi == 1:
        return tokenizer(text)
    out: list[str] = []
    paragraphs = [tokenizer(p) for p in split_paragraphs(text)]
    for n in range(lo, hi + 1):
        for toks in paragraphs:
            out.extend(toks if n == 1 else [" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)])
    return out


def _describe(units: pd.DataFrame, mask: np.ndarray, limit: int = 8) -> str:
    """'3 of 5 units (2 of 5 documents: a, b)' for the units selected by ``mask``."""
    sel = units.loc[mask]
    docs = sorted(sel["doc_id"].astype(str).unique())
    all_docs = units["doc_id"].nunique()
    names = ", ".join(docs[:limit]) + (f", ... ({len(docs) - limit} more)" if len(docs) > limit else "")
    if units["paragraph"].isna().all():
        return f"{int(mask.sum())} of {len(units)} documents ({names})"
    by_outlet = ""
    if "outlet" in sel.columns and sel["outlet"].notna().any():
        counts = group_labels(sel, "outlet").value_counts()
        by_outlet = "; by outlet: " + ", ".join(f"{o} {counts[o]}" for o in group_order(counts.index))
    return f"{int(mask.sum())} of {len(units)} units from {len(docs)} of {all_docs} documents ({names}){by_outlet}"


def tfidf(
    units: pd.DataFrame,
    *,
    settings: TextSettings | None = None,
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    ngram_range: tuple[int, int] | list[int] = (1, 1),
    sublinear_tf: bool = True,
) -> TfidfMatrix:
    """Build the TF-IDF matrix of ``units`` once, reporting what each filter removed.

    Parameters
    ----------
    units : DataFrame
        From :func:`make_units` (needs ``unit_id, doc_id, paragraph, text``).
    settings : TextSettings, optional
        The shared tokeniser's settings (stopwords, lemmas or stems as chosen for every analysis;
        default ``TextSettings()``).
    min_df, max_df : int or float
        Keep terms occurring in at least ``min_df`` and at most ``max_df`` units; a whole number
        counts units, a float in (0, 1] is a share of units (scikit-learn's meaning).
    ngram_range : [lowest, highest]
        Word n-grams built on the token stream. Default ``[1, 1]`` (single tokens).
    sublinear_tf : bool
        Use 1 + log(tf) instead of raw counts (the usual choice for news). Default True.

    Returns
    -------
    TfidfMatrix
        Equal to ``TfidfVectorizer(analyzer=..., min_df, max_df, sublinear_tf)`` on the same
        tokens, with units that have no tokens at all left out beforehand (listed in ``dropped``).
        Units whose terms were all removed by ``min_df``/``max_df`` are also left out (they have no
        place in the space) and listed.
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    if settings is not None:
        validate.instance(settings, "settings", TextSettings, "a TextSettings")
    tokenizer = Tokenizer(settings or TextSettings())
    need = [c for c in ("unit_id", "doc_id", "paragraph", "text") if c not in units.columns]
    if need:
        raise ValueError(f"units: missing column(s) {need}; build units with make_units()")
    min_df = validate.count_or_share(min_df, "min_df")
    max_df = validate.count_or_share(max_df, "max_df")
    ngrams = validate.ngram_range(ngram_range)
    validate.flag(sublinear_tf, "sublinear_tf")
    what = "documents" if units["paragraph"].isna().all() else "units"

    units = units.reset_index(drop=True)
    # Tokens are counted as they are made (never all held at once: 100k articles of token lists
    # take gigabytes). The CSR matrix is kept exactly as CountVectorizer returns it (entries in
    # order of appearance, float counts as TfidfVectorizer makes them): that keeps the weights
    # bit-identical to TfidfVectorizer's, and k-means on near-ties depends on the last bit.
    def analyzer(text: str) -> list[str]:
        return token_stream(tokenizer, text, ngrams)

    counter = CountVectorizer(analyzer=analyzer, dtype=np.float64)
    try:
        counts = counter.fit_transform(units["text"])
    except ValueError:  # scikit-learn: empty vocabulary
        counts = None
    n_tokens = np.zeros(len(units), dtype=int) if counts is None else np.asarray(counts.sum(axis=1)).ravel().astype(int)
    no_tokens = n_tokens == 0
    dropped = [
        (u, d, p, "no tokens left after the tokeniser (only stopwords, numbers or very short words)")
        for u, d, p in zip(units.loc[no_tokens, "unit_id"], units.loc[no_tokens, "doc_id"], units.loc[no_tokens, "paragraph"], strict=True)
    ]
    if no_tokens.all():
        raise ValueError(
            f"tokenizer: no {what} has any token left after the tokeniser "
            f"({_describe(units, no_tokens)}); check language and remove_stopwords"
        )
    kept_units = units.loc[~no_tokens].reset_index(drop=True)
    if no_tokens.any():
        counts = counts[np.flatnonzero(~no_tokens)]  # row selection keeps each row's entry order
    n = len(kept_units)

    all_terms = counter.get_feature_names_out()
    df = np.bincount(counts.indices, minlength=len(all_terms))  # units per term (no explicit zeros)
    max_count = max_df if isinstance(max_df, int) else max_df * n
    min_count = min_df if isinstance(min_df, int) else min_df * n
    if max_count < min_count:
        raise ValueError(
            f"max_df = {max_df!r} (at most {_fmt_count(max_count)} of {n} {what}) is below "
            f"min_df = {min_df!r} (at least {_fmt_count(min_count)} of {n} {what}): no term can pass both; "
            "lower min_df or raise max_df"
        )
    if min_count > n:
        raise ValueError(
            f"min_df = {min_df!r}: a term would have to occur in at least {_fmt_count(min_count)} {what}, "
            f"but there are only {n}; lower min_df"
        )
    keep_min = df >= min_count
    keep_max = df <= max_count
    keep = keep_min & keep_max
    after_min = int(keep_min.sum())
    filters = pd.DataFrame(
        {
            "step": ["tokeniser", "min_df", "max_df"],
            "rule": [
                f"distinct terms in {n} {what} (n-grams {ngrams[0]}-{ngrams[1]})",
                f"keep terms in at least {_fmt_count(min_count)} {what} (min_df = {min_df!r})",
                f"keep terms in at most {_fmt_count(max_count)} {what} (max_df = {max_df!r})",
            ],
            "removed": [0, len(all_terms) - after_min, after_min - int(keep.sum())],
            "terms_left": [len(all_terms), after_min, int(keep.sum())],
        }
    )
    counts = counts[:, np.flatnonzero(keep)]
    row_terms = np.diff(counts.indptr)
    lost = row_terms == 0
    if lost.all():
        reasons = []
        if (~keep_min).any():
            reasons.append(f"{int((~keep_min).sum())} of {len(all_terms)} terms occur in fewer than {_fmt_count(min_count)} {what} (min_df)")
        if (~keep_max).any():
            reasons.append(f"{int((~keep_max).sum())} of {len(all_terms)} terms occur in more than {_fmt_count(max_count)} {what} (max_df)")
        raise ValueError(
            f"min_df = {min_df!r}, max_df = {max_df!r}: no term is left. {'; '.join(reasons)}. So "
            f"{_describe(kept_units, lost)} lost all their terms; lower min_df or raise max_df"
        )
    transformer = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=sublinear_tf)
    X = transformer.fit_transform(counts).tocsr()
    for u, d, p in zip(kept_units.loc[lost, "unit_id"], kept_units.loc[lost, "doc_id"], kept_units.loc[lost, "paragraph"], strict=True):
        dropped.append((u, d, p, f"all its terms removed by min_df = {min_df!r} / max_df = {max_df!r}"))
    if lost.any():
        X = X[np.flatnonzero(~lost)]
        kept_units = kept_units.loc[~lost].reset_index(drop=True)
        row_terms = row_terms[~lost]
    kept_units = kept_units.assign(
        tokens=n_tokens[~no_tokens][~lost] if lost.any() else n_tokens[~no_tokens], terms=row_terms
    )
    dropped_df = pd.DataFrame(dropped, columns=["unit_id", "doc_id", "paragraph", "reason"]).astype({"paragraph": "Int64"})
    return TfidfMatrix(
        units=kept_units,
        X=X,
        terms=np.asarray(all_terms[keep], dtype=object),
        filters=filters,
        dropped=dropped_df,
        settings={
            "min_df": min_df,
            "max_df": max_df,
            "min_units": min_count,
            "max_units": max_count,
            "ngram_range": list(ngrams),
            "sublinear_tf": sublinear_tf,
            "tokenizer": tokenizer.settings.as_dict(),
        },
    )


def _fmt_count(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


# --------------------------------------------------------------------------------------------
# Clustering
# --------------------------------------------------------------------------------------------
@dataclass
class Clustering:
    """A fitted clustering of a :class:`TfidfMatrix`.

    Attributes
    ----------
    labels : ndarray of int
        Cluster 1..k per row of the matrix (numbered by size, largest first).
    centers : ndarray, shape (k, n_terms)
        Centroids (k-means) or components (NMF), rows in cluster order.
    k, algorithm, random_state, minibatch
        What was fitted.
    silhouette : float
        Mean cosine silhouette of the solution (NaN when undefined).
    silhouette_sampled : int or None
        Sample size when the silhouette was computed on a seeded sample.
    by_k : DataFrame or None
        With ``k = "auto"``: ``k, silhouette, smallest, nonempty, chosen`` for every k tried
        (``smallest``: size of the smallest cluster; ``nonempty``: clusters with members).
    """

    labels: np.ndarray
    centers: np.ndarray
    k: int
    algorithm: str
    random_state: int
    minibatch: bool
    silhouette: float
    silhouette_sampled: int | None
    by_k: pd.DataFrame | None
    model: object = field(repr=False, default=None)
    order: np.ndarray = field(repr=False, default=None)  # order[cluster - 1] = scikit-learn's label

    def verdict(self, n_units: int | None = None) -> str:
        """:func:`silhouette_verdict` for this solution (saying so when the silhouette is sampled)."""
        text = silhouette_verdict(self.silhouette, k=self.k, n_units=n_units or len(self.labels))
        if self.silhouette_sampled:
            text += f" (silhouette from a seeded sample of {self.silhouette_sampled:,} units)"
        return text

    def k_choice(self) -> list[str]:
        """How k was chosen, in plain words: what a reader of the silhouette-by-k plot should know."""
        if self.by_k is None:
            return [f"k was fixed at {self.k}; set k = 'auto' to compare values of k"]
        lines = []
        if self.k == self.by_k["k"].max():
            lines.append(
                f"The chosen k = {self.k} is the largest tried: the silhouette may still rise beyond it, "
                "which on sparse text says little (see below)."
            )
        spread = self.by_k["silhouette"].max() - self.by_k["silhouette"].min()
        lines.append(f"The silhouettes of all k tried lie within {spread:.3f} of each other.")
        return lines


def _check_k(k, n: int, distinct: int, units_word: str, name: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ValueError(f"{name} = {k!r}: give a whole number of clusters (>= 2) or 'auto'")
    k = int(k)
    if k < 2:
        raise ValueError(f"{name} = {k}: a clustering needs at least 2 clusters (k = 1 puts everything together)")
    if k >= n:
        raise ValueError(
            f"{name} = {k}: larger than or equal to the number of {units_word} ({n}); the silhouette needs "
            f"at least one cluster with two members, so {name} must be at most {n - 1}"
        )
    if k > distinct:
        raise ValueError(
            f"{name} = {k}: only {distinct} of the {n} {units_word} differ in their terms "
            f"(the others are identical after tokenising), so at most {distinct} clusters can be told apart"
        )
    return k


def _distinct_rows(X: sp.csr_matrix) -> int:
    X = X.tocsr().copy()  # never reorder the caller's matrix in place
    X.sort_indices()
    keys = {
        (X.indices[a:b].tobytes(), np.round(X.data[a:b], 12).tobytes())
        for a, b in zip(X.indptr[:-1], X.indptr[1:], strict=True)
    }
    return len(keys)


def _use_minibatch(minibatch, n: int) -> bool:
    if minibatch == "auto":
        return n > MINIBATCH_THRESHOLD
    if isinstance(minibatch, bool):
        return minibatch
    raise ValueError(f"minibatch = {minibatch!r}: True, False or 'auto' (MiniBatchKMeans above {MINIBATCH_THRESHOLD:,} units)")


def _fit(X, k: int, algorithm: str, random_state: int, minibatch: bool):
    """Fit one model; return (model, raw labels, raw centers)."""
    if algorithm == "kmeans":
        if minibatch:
            from sklearn.cluster import MiniBatchKMeans

            model = MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=4096, random_state=random_state)
        else:
            from sklearn.cluster import KMeans

            model = KMeans(n_clusters=k, n_init=10, random_state=random_state)
        labels = model.fit_predict(X)
        return model, labels, np.asarray(model.cluster_centers_)
    from sklearn.decomposition import NMF

    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=1000)
    W = model.fit_transform(X)
    return model, _nmf_labels(W), np.asarray(model.components_)


def _nmf_labels(W: np.ndarray) -> np.ndarray:
    return np.asarray(W).argmax(axis=1)


def _predict(model, X, algorithm: str) -> np.ndarray:
    if algorithm == "kmeans":
        return model.predict(X)
    return _nmf_labels(model.transform(X))


def _renumber(raw: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Map raw labels to 1..k by size (desc), ties by first occurrence. Returns (labels, order)
    where order[new - 1] = raw label."""
    raw = np.asarray(raw)
    sizes = np.bincount(raw, minlength=k)
    first = np.full(k, len(raw))
    present, first_idx = np.unique(raw, return_index=True)
    first[present] = first_idx
    order = np.array(sorted(range(k), key=lambda c: (-sizes[c], first[c], c)))
    new_of_raw = np.empty(k, dtype=int)
    new_of_raw[order] = np.arange(1, k + 1)
    return new_of_raw[raw], order


def _silhouette(X, labels, sample_size: int, random_state: int) -> tuple[float, int | None]:
    from sklearn.metrics import silhouette_score

    n = X.shape[0]
    n_labels = len(np.unique(labels))
    if n_labels < 2 or n_labels > n - 1:
        return float("nan"), None
    if n > sample_size:
        return float(silhouette_score(X, labels, metric="cosine", sample_size=sample_size, random_state=random_state)), sample_size
    return float(silhouette_score(X, labels, metric="cosine")), None


def cluster(
    matrix: TfidfMatrix,
    *,
    k: int | str = "auto",
    k_min: int = 2,
    k_max: int = 8,
    algorithm: str = "kmeans",
    random_state: int = 0,
    minibatch: bool | str = "auto",
    silhouette_sample: int = 2000,
) -> Clustering:
    """Cluster the rows of ``matrix``.

    Parameters
    ----------
    matrix : TfidfMatrix
        From :func:`tfidf`.
    k : int or "auto"
        Number of clusters, or ``"auto"``: try every k from ``k_min`` to ``k_max`` (capped at the
        number of units - 1) and keep the one with the highest cosine silhouette (ties: the smaller k).
    k_min, k_max : int
        The range for ``k = "auto"``.
    algorithm : "kmeans" | "nmf"
        k-means (``KMeans(n_init=10)``) on the L2-normalised rows, or NMF (``init="nndsvda"``) with
        each unit assigned to its strongest component.
    random_state : int
        Seed for k-means initialisation, NMF and the silhouette sample.
    minibatch : bool or "auto"
        Use ``MiniBatchKMeans`` (``"auto"``: above ``MINIBATCH_THRESHOLD`` units). k-means only.
    silhouette_sample : int
        Above this many units the silhouette is computed on a seeded random sample of this size.

    Returns
    -------
    Clustering
    """
    validate.choice(algorithm, "algorithm", ALGORITHMS)
    validate.whole_number(random_state, "random_state", minimum=0)
    validate.whole_number(silhouette_sample, "silhouette_sample", minimum=10)
    X = matrix.X
    n = X.shape[0]
    what = "documents" if matrix.units["paragraph"].isna().all() else "units"
    use_mb = _use_minibatch(minibatch, n) and algorithm == "kmeans"
    if n < 3:
        raise ValueError(f"k: only {n} {what} have terms; clustering needs at least 3 (2 clusters, one with 2 members)")
    distinct = _distinct_rows(X)
    if distinct < 2:
        raise ValueError(
            f"k: all {n} {what} are identical after tokenising ({_describe(matrix.units, np.ones(n, bool))}); "
            "there is nothing to cluster"
        )
    by_k = None
    if isinstance(k, str):
        if k != "auto":
            raise ValueError(f"k = {k!r}: give a whole number of clusters (>= 2) or 'auto'")
        for name, v in (("k_min", k_min), ("k_max", k_max)):
            validate.whole_number(v, name, minimum=2)
        if k_min > k_max:
            raise ValueError(f"k_min = {k_min} is larger than k_max = {k_max}")
        hi = min(int(k_max), n - 1, distinct)
        if k_min > hi:
            raise ValueError(
                f"k_min = {k_min}: with {n} {what} ({distinct} distinct) k can be at most {hi}; lower k_min"
            )
        rows, fits = [], {}
        for kk in range(int(k_min), hi + 1):
            model, raw, centers = _fit(X, kk, algorithm, random_state, use_mb)
            sil, _ = _silhouette(X, raw, silhouette_sample, random_state)
            sizes = np.bincount(raw, minlength=kk)
            rows.append((kk, sil, int(sizes.min()), int((sizes > 0).sum())))
            fits[kk] = (model, raw, centers)
        by_k = pd.DataFrame(rows, columns=["k", "silhouette", "smallest", "nonempty"])
        valid = by_k.dropna(subset=["silhouette"])
        if valid.empty:
            raise ValueError(f"k = 'auto': no k in {k_min}..{hi} gives a defined silhouette")
        best = valid.sort_values(["silhouette", "k"], ascending=[False, True], kind="stable").iloc[0]
        chosen = int(best["k"])
        by_k["chosen"] = by_k["k"] == chosen
        model, raw, centers = fits[chosen]
    else:
        chosen = _check_k(k, n, distinct, what)
        model, raw, centers = _fit(X, chosen, algorithm, random_state, use_mb)
    labels, order = _renumber(raw, chosen)
    sil, sampled = _silhouette(X, labels, silhouette_sample, random_state)
    return Clustering(
        labels=labels,
        centers=centers[order],
        k=chosen,
        algorithm=algorithm,
        random_state=int(random_state),
        minibatch=use_mb,
        silhouette=sil,
        silhouette_sampled=sampled,
        by_k=by_k,
        model=model,
        order=order,
    )


def silhouette_verdict(silhouette: float, *, k: int, n_units: int) -> str:
    """A plain-words reading of a mean silhouette (Kaufman & Rousseeuw's bands: above 0.70 strong,
    0.51-0.70 reasonable, 0.26-0.50 weak, 0.25 or less no substantial structure)."""
    if silhouette is None or not math.isfinite(silhouette):
        return f"silhouette undefined for k = {k} on {n_units} units (a cluster is empty or all units are in one)"
    s = f"mean cosine silhouette {silhouette:.3f} for k = {k} on {n_units} units: "
    if silhouette > 0.70:
        return s + "strong structure; the clusters are well separated."
    if silhouette > 0.50:
        return s + "reasonable structure; most units sit clearly in their cluster."
    if silhouette > 0.25:
        return s + "weak structure; the clusters overlap and may be an artefact of the method. Check them by reading."
    return s + (
        "no substantial cluster structure. The units do not fall into well-separated groups; the clusters "
        "are one convenient way to cut a continuum, not distinct topics. That is a finding, not a failure: "
        "read the representative texts before naming any cluster."
    )


# --------------------------------------------------------------------------------------------
# Describing clusters
# --------------------------------------------------------------------------------------------
def _check_pair(matrix: TfidfMatrix, clustering: Clustering) -> None:
    if len(clustering.labels) != matrix.X.shape[0]:
        raise ValueError(
            f"clustering: has {len(clustering.labels)} labels but the matrix has {matrix.X.shape[0]} units; "
            "use the clustering made from this matrix"
        )


def top_terms(matrix: TfidfMatrix, clustering: Clustering, *, top_n: int = 10) -> pd.DataFrame:
    """The highest-weighted terms of each centroid (k-means) or component (NMF).

    Returns
    -------
    DataFrame
        ``cluster, rank, term, weight``; sorted by weight then term; terms with weight 0 are
        never listed (a small cluster may have fewer than ``top_n``).
    """
    _check_pair(matrix, clustering)
    n = validate.whole_number(top_n, "top_n", minimum=1)
    rows = []
    for c, center in enumerate(clustering.centers, start=1):
        nz = np.flatnonzero(center > 0)
        order = sorted(nz, key=lambda j: (-center[j], matrix.terms[j]))[:n]
        rows.extend((c, r, matrix.terms[j], float(center[j])) for r, j in enumerate(order, start=1))
    return pd.DataFrame(rows, columns=["cluster", "rank", "term", "weight"])


def _similarities(matrix: TfidfMatrix, clustering: Clustering) -> np.ndarray:
    """Cosine similarity of every unit to its own cluster's centroid/component."""
    centers = clustering.centers
    norms = np.linalg.norm(centers, axis=1)
    norms[norms == 0] = 1.0
    unit_centers = centers / norms[:, None]
    sims = np.asarray(matrix.X @ unit_centers.T)  # rows are L2-normalised
    return sims[np.arange(len(clustering.labels)), clustering.labels - 1]


def representatives(
    matrix: TfidfMatrix, clustering: Clustering, *, n_representatives: int = 3, max_chars: int = 400
) -> pd.DataFrame:
    """The ``n_representatives`` units of each cluster closest to its centroid (cosine), with their text.

    Returns
    -------
    DataFrame
        ``cluster, rank, similarity, unit_id, doc_id, paragraph, outlet, date, text``; text is
        plain (shown escaped in a notebook) and cut to ``max_chars`` characters.
    """
    _check_pair(matrix, clustering)
    n = validate.whole_number(n_representatives, "n_representatives", minimum=1)
    max_chars = validate.whole_number(max_chars, "max_chars", minimum=1)
    sims = _similarities(matrix, clustering)
    u = matrix.units.assign(cluster=clustering.labels, similarity=sims)
    u = u.sort_values(["cluster", "similarity", "unit_id"], ascending=[True, False, True], kind="stable")
    top = u.groupby("cluster", sort=True).head(n).copy()
    top["rank"] = top.groupby("cluster").cumcount() + 1

    def cut(t: str) -> str:
        flat = " ".join(str(t).split())
        return flat if len(flat) <= max_chars else flat[: max_chars - 1].rstrip() + "…"

    top["text"] = top["text"].map(cut)
    cols = ["cluster", "rank", "similarity", "unit_id", "doc_id", "paragraph", "outlet", "date", "text"]
    return top[cols].reset_index(drop=True)


def cluster_summary(matrix: TfidfMatrix, clustering: Clustering, *, top_n: int = 8) -> pd.DataFrame:
    """One row per cluster: size, share, how many documents and outlets it draws on, the largest
    share coming from a single document, and its ``top_n`` top terms.

    A cluster whose units mostly come from one document is that document, not a topic shared
    across the corpus: ``top_document_share`` shows it.
    """
    _check_pair(matrix, clustering)
    terms = top_terms(matrix, clustering, top_n=top_n)
    joined = terms.groupby("cluster")["term"].agg(", ".join)
    u = matrix.units.assign(cluster=clustering.labels)
    rows = []
    for c in range(1, clustering.k + 1):
        g = u[u["cluster"] == c]
        doc_counts = g["doc_id"].value_counts()
        rows.append(
            (
                c,
                len(g),
                len(g) / len(u),
                g["doc_id"].nunique(),
                (doc_counts.iloc[0] / len(g)) if len(g) else float("nan"),
                g["outlet"].dropna().nunique(),
                joined.get(c, ""),
            )
        )
    return pd.DataFrame(
        rows, columns=["cluster", "units", "share", "documents", "top_document_share", "outlets", "top_terms"]
    )


def cluster_table(units: pd.DataFrame, labels, *, group_by: str = "outlet", shares: bool = False, k: int | None = None) -> pd.DataFrame:
    """Cluster × group table (``group_by = "outlet"`` or ``"month"``, or any unit column).

    ``k`` (the number of clusters, e.g. ``Clustering.k``) keeps a cluster that no unit falls in
    (possible with NMF) as a row of zeros; without it the rows are the labels present.

    Missing values are a group of their own, ``(missing)``, the last column.
    Counts come with ``total`` margins; with ``shares=True`` each column holds the share of that
    group's units falling in each cluster (columns sum to 1), with the group's n as the last row.

    Returns
    -------
    DataFrame
        Rows ``cluster 1..k`` (+ ``total`` or ``n``), columns the groups (+ ``total``).
    """
    groups = group_labels(units, group_by).to_numpy()
    labels = np.asarray(labels)
    if len(labels) != len(units):
        raise ValueError(f"labels: {len(labels)} labels for {len(units)} units")
    order = group_order(groups)
    table = pd.crosstab(pd.Series(labels, name="cluster"), pd.Series(groups, name=group_by))
    table = table.reindex(columns=order, fill_value=0)
    if k is not None:
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1 or k < labels.max():
            raise ValueError(f"k = {k!r}: must be the number of clusters (>= the largest label, {labels.max()})")
        table = table.reindex(index=pd.RangeIndex(1, int(k) + 1, name="cluster"), fill_value=0)
    if not shares:
        table["total"] = table.sum(axis=1)
        table.loc["total"] = table.sum(axis=0)
        return table
    n = table.sum(axis=0)
    out = table / n
    out["all"] = table.sum(axis=1) / n.sum()
    out = out.astype(float)
    out.loc["n"] = list(n.astype(float)) + [float(n.sum())]
    return out


# --------------------------------------------------------------------------------------------
# Stability
# --------------------------------------------------------------------------------------------
@dataclass
class Stability:
    """Re-runs of the same clustering with other seeds (and bootstrap samples).

    Attributes
    ----------
    runs : DataFrame
        ``run, kind, seed, silhouette`` (run ``seed <random_state>`` is the reported solution).
    ari : DataFrame
        Pairwise adjusted Rand index: ``run_a, run_b, ari``.
    survival : DataFrame
        Per cluster of the reported solution: ``cluster, units, mean_jaccard, min_jaccard,
        verdict``: the best-matching cluster's Jaccard overlap in every other run (Hennig 2007:
        0.75 or more stable, 0.5-0.75 a pattern, below 0.5 dissolved).
    labels : DataFrame
        Labels of every run, one column per run.
    """

    runs: pd.DataFrame
    ari: pd.DataFrame
    survival: pd.DataFrame
    labels: pd.DataFrame

    def ari_matrix(self) -> pd.DataFrame:
        names = list(self.runs["run"])
        m = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
        for a, b, v in self.ari.itertuples(index=False):
            m.loc[a, b] = m.loc[b, a] = v
        return m

    def ari_with_reported(self) -> pd.Series:
        """Adjusted Rand index of the reported run (the first of :attr:`runs`) with each other
        run, indexed by the other run's name."""
        first = self.runs["run"].iloc[0]
        pairs = self.ari[(self.ari["run_a"] == first) | (self.ari["run_b"] == first)]
        other = pairs["run_b"].where(pairs["run_a"] == first, pairs["run_a"])
        return pd.Series(pairs["ari"].to_numpy(), index=pd.Index(other.to_numpy(), name="run"), name="ari")


def _jaccard_best(ref: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    best = np.zeros(k)
    for c in range(1, k + 1):
        a = ref == c
        for d in np.unique(other):
            b = other == d
            union = (a | b).sum()
            if union:
                best[c - 1] = max(best[c - 1], (a & b).sum() / union)
    return best


def stability(
    matrix: TfidfMatrix,
    clustering: Clustering,
    *,
    n_seeds: int = 5,
    n_bootstrap: int = 0,
    silhouette_sample: int = 2000,
) -> Stability:
    """Re-fit the chosen solution with ``n_seeds`` seeds (``random_state``, ``random_state + 1``,
    ...) and on ``n_bootstrap`` resamples of the units (drawn with replacement, seeded; a resample
    with fewer than k distinct units is drawn again; every unit is then assigned to its nearest
    centroid/strongest component so that runs can be compared).

    Returns
    -------
    Stability
    """
    from sklearn.metrics import adjusted_rand_score

    _check_pair(matrix, clustering)
    n_seeds = validate.whole_number(n_seeds, "n_seeds", minimum=1)
    n_bootstrap = validate.whole_number(n_bootstrap, "n_bootstrap", minimum=0)
    if n_seeds + n_bootstrap < 2:
        raise ValueError(f"n_seeds = {n_seeds}: stability needs at least 2 runs (n_seeds + n_bootstrap >= 2)")
    X, k, alg, rs = matrix.X, clustering.k, clustering.algorithm, clustering.random_state
    runs, labels = [], {}
    for i in range(n_seeds):
        seed = rs + i
        name = f"seed {seed}"
        if i == 0:
            lab = clustering.labels
        else:
            _, raw, _ = _fit(X, k, alg, seed, clustering.minibatch)
            lab, _ = _renumber(raw, k)
        labels[name] = lab
        runs.append((name, "seed", seed, _silhouette(X, lab, silhouette_sample, rs)[0]))
    rng = np.random.RandomState(rs)
    n = X.shape[0]
    for b in range(n_bootstrap):
        # a resample with fewer distinct units than k cannot hold k clusters (scikit-learn would
        # only warn and return duplicate centres): draw again, a bounded number of times
        for _ in range(100):
            idx = np.sort(rng.randint(0, n, size=n))
            if _distinct_rows(X[idx]) >= k:
                break
        else:
            raise ValueError(
                f"n_bootstrap = {n_bootstrap}: resamples of the {n} units almost never hold {k} distinct units; "
                "use n_bootstrap = 0 or a smaller k"
            )
        model, raw, _ = _fit(X[idx], k, alg, rs, clustering.minibatch)
        lab, _ = _renumber(_predict(model, X, alg), k)
        name = f"bootstrap {b + 1}"
        labels[name] = lab
        runs.append((name, "bootstrap", rs, _silhouette(X, lab, silhouette_sample, rs)[0]))
    runs_df = pd.DataFrame(runs, columns=["run", "kind", "seed", "silhouette"])
    names = list(labels)
    ari = pd.DataFrame(
        [(a, b, float(adjusted_rand_score(labels[a], labels[b]))) for a, b in combinations(names, 2)],
        columns=["run_a", "run_b", "ari"],
    )
    ref = clustering.labels
    best = np.array([_jaccard_best(ref, labels[nm], k) for nm in names[1:]])
    sizes = np.bincount(ref, minlength=k + 1)[1:]
    mean_j, min_j = best.mean(axis=0), best.min(axis=0)

    def verdict(j: float) -> str:
        return "stable" if j >= 0.75 else ("a pattern, not firm" if j >= 0.5 else "dissolves")

    survival = pd.DataFrame(
        {
            "cluster": np.arange(1, k + 1),
            "units": sizes,
            "mean_jaccard": mean_j,
            "min_jaccard": min_j,
            "verdict": [verdict(j) for j in mean_j],
        }
    )
    labels_df = pd.DataFrame(labels)
    labels_df.insert(0, "unit_id", matrix.units["unit_id"].to_numpy())
    return Stability(runs=runs_df, ari=ari, survival=survival, labels=labels_df)


# --------------------------------------------------------------------------------------------
# Map
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClusterMap(Result):
    """:func:`lsa_map`: one row per unit with its map position, and the share of variance each
    of the two axes explains."""

    explained: tuple[float, float] = (float("nan"), float("nan"))


def lsa_map(matrix: TfidfMatrix, clustering: Clustering | None = None, *, random_state: int = 0) -> ClusterMap:
    """Two-dimensional LSA map: ``TruncatedSVD(n_components=2)`` of the TF-IDF matrix (capped by
    its rank), one row per unit.

    Returns
    -------
    ClusterMap
        ``table``: ``unit_id, doc_id, paragraph, outlet, month, cluster, x, y``; ``explained``: the
        share of variance each axis explains.
    """
    from sklearn.decomposition import TruncatedSVD

    X = matrix.X
    n_comp = max(1, min(2, X.shape[1] - 1, X.shape[0] - 1))
    svd = TruncatedSVD(n_components=n_comp, random_state=random_state, algorithm="arpack" if min(X.shape) <= 500 else "randomized")
    if X.shape[1] < 2:
        coords = np.asarray(X.toarray())
        explained = [1.0]
    else:
        coords = svd.fit_transform(X)
        explained = list(svd.explained_variance_ratio_)
    # fix the sign of each axis (SVD signs are arbitrary): largest absolute coordinate positive
    for j in range(coords.shape[1]):
        col = coords[:, j]
        if col[np.argmax(np.abs(col))] < 0:
            coords[:, j] = -col
    if coords.shape[1] == 1:
        coords = np.column_stack([coords[:, 0], np.zeros(len(coords))])
        explained = explained + [0.0]
    out = matrix.units[["unit_id", "doc_id", "paragraph", "outlet", "month"]].copy()
    if clustering is not None:
        _check_pair(matrix, clustering)
        out["cluster"] = clustering.labels
    out["x"] = coords[:, 0]
    out["y"] = coords[:, 1]
    return ClusterMap(out.reset_index(drop=True), explained=(float(explained[0]), float(explained[1])))
