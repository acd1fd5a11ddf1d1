"""Fitting the clusters: k-means (MiniBatchKMeans for large inputs) or NMF, k chosen by the silhouette."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import progress, validate
from ..results import Result
from .matrix import TfidfMatrix, _describe

ALGORITHMS = ("kmeans", "nmf")
#: Above this many units ``minibatch="auto"`` uses MiniBatchKMeans (see benchmarks/bench_clustering.py).
MINIBATCH_THRESHOLD = 20_000

# --------------------------------------------------------------------------------------------
# Clustering
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clustering(Result):
    """A fitted clustering of a :class:`TfidfMatrix` (:func:`cluster`).

    Attributes
    ----------
    table : DataFrame
        The silhouette by k: ``k, silhouette, smallest, nonempty, chosen`` for every k tried with
        ``k = "auto"``, or one row for a fixed k (``smallest``: size of the smallest cluster;
        ``nonempty``: clusters with members).
    notes : tuple of str
        The silhouette's reading (``verdict``), how k was chosen, and the shortcuts taken for a
        large input and why (or that none was).
    labels : ndarray of int
        Cluster 1..k per row of the matrix (numbered by size, largest first).
    centers : ndarray, shape (k, n_terms)
        Centroids (k-means) or components (NMF), rows in cluster order.
    k, algorithm, random_state, minibatch
        What was fitted.
    auto : bool
        Whether k was chosen by the silhouette (``k = "auto"``).
    silhouette : float
        Mean cosine silhouette of the solution (NaN when undefined).
    silhouette_sampled : int or None
        Sample size when the silhouette was computed on a seeded sample.
    verdict : str
        :func:`silhouette_verdict` for this solution (saying so when the silhouette is sampled).
    """

    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    centers: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    k: int = 0
    algorithm: str = "kmeans"
    random_state: int = 0
    minibatch: bool = False
    auto: bool = False
    silhouette: float = float("nan")
    silhouette_sampled: int | None = None
    verdict: str = ""
    model: object = field(repr=False, default=None, compare=False)
    order: np.ndarray = field(repr=False, default=None, compare=False)  # order[cluster - 1] = scikit-learn's label


def _verdict(silhouette: float, sampled: int | None, *, k: int, n_units: int) -> str:
    """:func:`silhouette_verdict`, saying so when the silhouette comes from a sample."""
    text = silhouette_verdict(silhouette, k=k, n_units=n_units)
    if sampled:
        text += f" (silhouette from a seeded sample of {sampled:,} units)"
    return text


def _k_choice(by_k: pd.DataFrame | None, k: int) -> list[str]:
    """How k was chosen, in plain words: what a reader of the silhouette-by-k plot should know."""
    if by_k is None:
        return [f"k was fixed at {k}; set k = 'auto' to compare values of k"]
    lines = []
    if k == by_k["k"].max():
        lines.append(
            f"The chosen k = {k} is the largest tried: the silhouette may still rise beyond it, "
            "which on sparse text says little (see below)."
        )
    spread = by_k["silhouette"].max() - by_k["silhouette"].min()
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


def _distinct_rows(X: sp.csr_matrix, *, stop_after: int | None = None) -> int:
    """How many rows of ``X`` differ (entries compared to 12 decimals).

    With ``stop_after`` the count stops once it passes that number: the result is exact up to
    ``stop_after`` and ``stop_after + 1`` means "more" (callers only need to know whether k
    clusters can be told apart, and on a large matrix the first rows usually answer that).
    """
    X = X.tocsr()
    keys = set()
    for a, b in zip(X.indptr[:-1], X.indptr[1:], strict=True):
        order = np.argsort(X.indices[a:b], kind="stable")  # never reorder the caller's matrix in place
        keys.add((X.indices[a:b][order].tobytes(), np.round(X.data[a:b][order], 12).tobytes()))
        if stop_after is not None and len(keys) > stop_after:
            break
    return len(keys)


def _use_minibatch(minibatch, n: int, threshold: int = MINIBATCH_THRESHOLD) -> bool:
    if minibatch == "auto":
        return n > threshold
    if isinstance(minibatch, bool):
        return minibatch
    raise ValueError(f"minibatch = {minibatch!r}: True, False or 'auto' (MiniBatchKMeans above {threshold:,} units)")


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
    """Mean silhouette with **cosine** distance (NaN when undefined) and the sample size used
    (None: every unit). scikit-learn's k-means text example reports the Euclidean silhouette (the
    metric's default); its values differ from these, so compare only cosine silhouettes."""
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
    minibatch_threshold: int = MINIBATCH_THRESHOLD,
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
        Use ``MiniBatchKMeans`` (batches of 4,096 units, 3 initialisations) instead of ``KMeans``
        (10 initialisations); ``"auto"``: above ``minibatch_threshold`` units. k-means only.
    minibatch_threshold : int
        With ``minibatch = "auto"``, MiniBatchKMeans for more units than this (default
        :data:`MINIBATCH_THRESHOLD`, 20,000: full KMeans below, where it takes seconds).
    silhouette_sample : int
        Above this many units the silhouette is computed on a seeded random sample of this size
        (the exact silhouette compares every pair of units).

    Returns
    -------
    Clustering
        ``table``: the silhouette by k; ``notes``: its reading, how k was chosen and the shortcuts
        taken for a large input (or that none was); the labels, centres and settings as attributes.
    """
    validate.choice(algorithm, "algorithm", ALGORITHMS)
    validate.whole_number(random_state, "random_state", minimum=0)
    validate.whole_number(silhouette_sample, "silhouette_sample", minimum=10)
    validate.whole_number(minibatch_threshold, "minibatch_threshold", minimum=1)
    X = matrix.X
    n = X.shape[0]
    what = "documents" if matrix.units["paragraph"].isna().all() else "units"
    use_mb = _use_minibatch(minibatch, n, minibatch_threshold) and algorithm == "kmeans"
    distinct = _distinct_units(matrix, k_max if isinstance(k, str) else k, what)
    by_k = None
    if isinstance(k, str):
        if k != "auto":
            raise ValueError(f"k = {k!r}: give a whole number of clusters (>= 2) or 'auto'")
        chosen, by_k, (model, raw, centers) = _choose_k(
            X, k_min, k_max, distinct=distinct, what=what, algorithm=algorithm, random_state=random_state,
            minibatch=use_mb, silhouette_sample=silhouette_sample,
        )
    else:
        chosen = _check_k(k, n, distinct, what)
        model, raw, centers = _fit(X, chosen, algorithm, random_state, use_mb)
    labels, order = _renumber(raw, chosen)
    sil, sampled = _silhouette(X, labels, silhouette_sample, random_state)
    verdict = _verdict(sil, sampled, k=chosen, n_units=n)
    table = by_k if by_k is not None else _fixed_k_table(labels, chosen, sil)
    shortcuts = _shortcuts(n, what, algorithm=algorithm, minibatch=minibatch, used_minibatch=use_mb,
                           threshold=minibatch_threshold, silhouette_sampled=sampled)
    return Clustering(
        table, (verdict, *_k_choice(by_k, chosen), shortcuts),
        labels=labels, centers=centers[order], k=chosen, algorithm=algorithm, random_state=int(random_state),
        minibatch=use_mb, auto=by_k is not None, silhouette=sil, silhouette_sampled=sampled, verdict=verdict,
        model=model, order=order,
    )


def _distinct_units(matrix: TfidfMatrix, largest, what: str) -> int:
    """The number of distinct units of ``matrix``, exact up to ``largest`` (the largest k asked
    for: beyond it their number does not matter); a ValueError when there are too few to cluster."""
    X = matrix.X
    n = X.shape[0]
    if n < 3:
        left_out = len(matrix.dropped)
        why = f" ({left_out} more had no term left after the tokeniser and min_df/max_df)" if left_out else ""
        raise ValueError(f"k: only {n} {what} have terms{why}; clustering needs at least 3 (2 clusters, one with 2 members)")
    exact_up_to = int(largest) if isinstance(largest, numbers.Integral) and not isinstance(largest, bool) and largest >= 2 else None
    distinct = _distinct_rows(X, stop_after=exact_up_to)
    if distinct < 2:
        raise ValueError(
            f"k: all {n} {what} are identical after tokenising ({_describe(matrix.units, np.ones(n, bool))}); "
            "there is nothing to cluster"
        )
    return distinct


def _fixed_k_table(labels: np.ndarray, k: int, silhouette: float) -> pd.DataFrame:
    """The silhouette-by-k table of a fixed k: one row."""
    sizes = np.bincount(labels, minlength=k + 1)[1:]
    return pd.DataFrame({"k": [k], "silhouette": [silhouette], "smallest": [int(sizes.min())],
                         "nonempty": [int((sizes > 0).sum())], "chosen": [True]})


def _shortcuts(n: int, what: str, *, algorithm: str, minibatch, used_minibatch: bool, threshold: int,
               silhouette_sampled: int | None) -> str:
    """One sentence: the shortcuts :func:`cluster` took for ``n`` units and why, or that it took none."""
    taken = []
    if used_minibatch:
        why = (f"there are more than minibatch_threshold = {threshold:,} {what} (minibatch = 'auto')" if minibatch == "auto"
               else "minibatch = True")
        taken.append(f"MiniBatchKMeans (batches of 4,096 {what}, 3 initialisations) instead of KMeans with 10 "
                     f"initialisations, because {why}; its clusters are close to full k-means, not identical")
    if silhouette_sampled:
        taken.append(f"the silhouette (of every k tried and of the result) on a seeded sample of {silhouette_sampled:,} "
                     f"{what} (silhouette_sample), because the exact one compares all {n * (n - 1) // 2:,} pairs")
    if taken:
        return f"Shortcuts for {n:,} {what}: " + "; ".join(taken) + "."
    method = "KMeans with 10 initialisations" if algorithm == "kmeans" else "NMF"
    if algorithm == "kmeans" and minibatch is False:
        return f"No shortcut: {method} (minibatch = False) and the silhouette over all {n:,} {what}."
    return f"No shortcut: {method} and the silhouette over all {n:,} {what}" + (
        f" (MiniBatchKMeans is used above {threshold:,} {what})." if algorithm == "kmeans" else "."
    )


def _choose_k(X, k_min, k_max, *, distinct: int, what: str, algorithm: str, random_state: int, minibatch: bool,
              silhouette_sample: int):
    """Fit every k from ``k_min`` to ``k_max`` (capped at the units - 1 and the distinct units) and
    keep the one with the highest silhouette (ties: the smaller k).

    Returns ``(chosen k, by_k table, (model, raw labels, raw centers) of the chosen k)``.
    """
    n = X.shape[0]
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
    for kk in progress.bar(range(int(k_min), hi + 1), desc=f"{algorithm}, k = {k_min}..{hi}", unit="k"):
        model, raw, centers = _fit(X, kk, algorithm, random_state, minibatch)
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
    return chosen, by_k, fits[chosen]


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
