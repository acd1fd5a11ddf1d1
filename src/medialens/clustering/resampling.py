"""How stable a clustering is: re-runs with other seeds and on bootstrap samples of the units."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from .. import progress, validate
from ..results import Result
from .description import _check_pair
from .fitting import Clustering, _distinct_rows, _fit, _predict, _renumber, _silhouette
from .matrix import TfidfMatrix

#: Above this many units :func:`stability` fits and compares its re-runs on a seeded sample of this size.
STABILITY_SAMPLE = 20_000


# --------------------------------------------------------------------------------------------
# Stability
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stability(Result):
    """Re-runs of the same clustering with other seeds (and bootstrap samples) (:func:`stability`).

    Attributes
    ----------
    table : DataFrame
        Per cluster of the reported solution: ``cluster, units, mean_jaccard, min_jaccard,
        verdict``: the best-matching cluster's Jaccard overlap in every other run (Hennig 2007:
        0.75 or more stable, 0.5-0.75 a pattern, below 0.5 dissolved).
    notes : tuple of str
        How far the reported run agrees with the others (adjusted Rand index) and which clusters survive.
    runs : DataFrame
        ``run, kind, seed, silhouette`` (run ``seed <random_state>`` is the reported solution).
    ari : DataFrame
        Pairwise adjusted Rand index: ``run_a, run_b, ari``.
    ari_matrix : DataFrame
        The same as a square table, runs × runs, 1 on the diagonal.
    ari_with_reported : Series
        Adjusted Rand index of the reported run (the first of ``runs``) with each other run,
        indexed by the other run's name.
    labels : DataFrame
        ``unit_id`` and the labels of every run, one column per run.
    """

    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    ari: pd.DataFrame = field(default_factory=pd.DataFrame)
    ari_matrix: pd.DataFrame = field(default_factory=pd.DataFrame)
    ari_with_reported: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    labels: pd.DataFrame = field(default_factory=pd.DataFrame)


def _ari_matrix(names: list[str], ari: pd.DataFrame) -> pd.DataFrame:
    """Runs × runs adjusted Rand index from the pairs of ``ari``."""
    m = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for a, b, v in ari.itertuples(index=False):
        m.loc[a, b] = m.loc[b, a] = v
    return m


def _ari_with(first: str, ari: pd.DataFrame) -> pd.Series:
    """Adjusted Rand index of run ``first`` with each other run, indexed by the other run's name."""
    pairs = ari[(ari["run_a"] == first) | (ari["run_b"] == first)]
    other = pairs["run_b"].where(pairs["run_a"] == first, pairs["run_a"])
    return pd.Series(pairs["ari"].to_numpy(), index=pd.Index(other.to_numpy(), name="run"), name="ari")


def _stability_notes(ari: pd.DataFrame, others: pd.Series, survival: pd.DataFrame, n_runs: int) -> tuple[str, ...]:
    """What to know about the re-runs: the agreement of the reported run with the others and over
    all pairs, and the clusters that survive."""
    stable = survival.loc[survival["verdict"] == "stable", "cluster"].tolist()
    return (
        f"ARI of the reported run with the {len(others)} other runs: median {others.median():.3f}, "
        f"range {others.min():.3f} to {others.max():.3f}.",
        f"Agreement between the {n_runs} runs: median ARI over all pairs {ari['ari'].median():.3f}; "
        f"clusters that survive re-runs (mean Jaccard 0.75 or more): {stable if stable else 'none'}.",
    )


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
    sample_size: int = STABILITY_SAMPLE,
) -> Stability:
    """Re-fit the chosen solution with ``n_seeds`` seeds (``random_state``, ``random_state + 1``,
    ...) and on ``n_bootstrap`` resamples of the units (drawn with replacement, seeded; a resample
    with fewer than k distinct units is drawn again; every unit is then assigned to its nearest
    centroid/strongest component so that runs can be compared).

    Parameters
    ----------
    matrix, clustering
        The TF-IDF matrix and the reported clustering of it (:func:`cluster`).
    n_seeds : int
        Runs with seeds ``random_state``, ``random_state + 1``, ...; the first is the reported run.
    n_bootstrap : int
        Extra runs on bootstrap resamples of the units.
    silhouette_sample : int
        Each run's silhouette is computed on a seeded sample of this many units when there are more.
    sample_size : int
        Above this many units (default :data:`STABILITY_SAMPLE`, 20,000) every re-run is fitted and
        compared on the same seeded sample of this many units (with the reported labels of those
        units), so each re-run costs a fit of the sample, not of the whole corpus.

    Returns
    -------
    Stability
        ``table``: each cluster's survival; ``notes``: the agreement between runs in plain words
        and whether the runs used a sample; the runs, their pairwise ARI and labels as attributes.
    """
    from sklearn.metrics import adjusted_rand_score

    _check_pair(matrix, clustering)
    n_seeds = validate.whole_number(n_seeds, "n_seeds", minimum=1)
    n_bootstrap = validate.whole_number(n_bootstrap, "n_bootstrap", minimum=0)
    sample_size = validate.whole_number(sample_size, "sample_size", minimum=10)
    if n_seeds + n_bootstrap < 2:
        raise ValueError(f"n_seeds = {n_seeds}: stability needs at least 2 runs (n_seeds + n_bootstrap >= 2)")
    rows = _sample_rows(matrix.X, clustering, sample_size)
    X, ref = (matrix.X, clustering.labels) if rows is None else (matrix.X[rows], clustering.labels[rows])
    runs, labels = _runs(X, ref, clustering, n_seeds=n_seeds, n_bootstrap=n_bootstrap, silhouette_sample=silhouette_sample)
    runs_df = pd.DataFrame(runs, columns=["run", "kind", "seed", "silhouette"])
    names = list(labels)
    ari = pd.DataFrame(
        [(a, b, float(adjusted_rand_score(labels[a], labels[b]))) for a, b in combinations(names, 2)],
        columns=["run_a", "run_b", "ari"],
    )
    survival = _survival(ref, [labels[nm] for nm in names[1:]], clustering.k)
    labels_df = pd.DataFrame(labels)
    unit_ids = matrix.units["unit_id"].to_numpy()
    labels_df.insert(0, "unit_id", unit_ids if rows is None else unit_ids[rows])
    others = _ari_with(names[0], ari)
    notes = (*_stability_notes(ari, others, survival, len(names)), _sample_note(matrix, rows, sample_size))
    return Stability(
        survival, notes,
        runs=runs_df, ari=ari, ari_matrix=_ari_matrix(names, ari), ari_with_reported=others, labels=labels_df,
    )


def _sample_rows(X, clustering: Clustering, sample_size: int) -> np.ndarray | None:
    """The rows (sorted) of the seeded sample the re-runs use, or None when every unit is used."""
    n = X.shape[0]
    if n <= sample_size:
        return None
    rows = np.sort(np.random.default_rng(clustering.random_state).choice(n, size=sample_size, replace=False))
    if _distinct_rows(X[rows], stop_after=clustering.k) < clustering.k:
        raise ValueError(
            f"sample_size = {sample_size}: the seeded sample holds fewer than k = {clustering.k} distinct units; "
            "raise sample_size"
        )
    return rows


def _sample_note(matrix: TfidfMatrix, rows: np.ndarray | None, sample_size: int) -> str:
    """One sentence: whether the re-runs used every unit or a sample, and why."""
    what = "documents" if matrix.units["paragraph"].isna().all() else "units"
    n = matrix.X.shape[0]
    if rows is None:
        return f"No shortcut: every run uses all {n:,} {what} (a sample is used above sample_size = {sample_size:,})."
    return (
        f"Shortcut: the re-runs are fitted and compared on one seeded sample of {len(rows):,} of the {n:,} {what} "
        f"(sample_size), with the reported labels of those {what}, because each re-run is a whole new fit; "
        "survival counts units in the sample."
    )


def _runs(X, ref: np.ndarray, clustering: Clustering, *, n_seeds: int, n_bootstrap: int, silhouette_sample: int):
    """The runs compared: ``ref`` (the reported labels of the rows of ``X``) as the first, re-fits
    with the next seeds, then fits on bootstrap resamples with every row assigned.

    Returns ``(rows of run, kind, seed, silhouette; labels by run name)``.
    """
    k, alg, rs = clustering.k, clustering.algorithm, clustering.random_state
    runs, labels = [], {}
    for i in progress.bar(range(n_seeds), desc="stability: seeds", unit="run"):
        seed = rs + i
        name = f"seed {seed}"
        if i == 0:
            lab = ref
        else:
            _, raw, _ = _fit(X, k, alg, seed, clustering.minibatch)
            lab, _ = _renumber(raw, k)
        labels[name] = lab
        runs.append((name, "seed", seed, _silhouette(X, lab, silhouette_sample, rs)[0]))
    rng = np.random.RandomState(rs)
    for b in progress.bar(range(n_bootstrap), desc="stability: bootstrap samples", unit="run"):
        idx = _resample(rng, X, k, n_bootstrap)
        model, raw, _ = _fit(X[idx], k, alg, rs, clustering.minibatch)
        lab, _ = _renumber(_predict(model, X, alg), k)
        name = f"bootstrap {b + 1}"
        labels[name] = lab
        runs.append((name, "bootstrap", rs, _silhouette(X, lab, silhouette_sample, rs)[0]))
    return runs, labels


def _resample(rng: np.random.RandomState, X, k: int, n_bootstrap: int) -> np.ndarray:
    """Row numbers of one bootstrap resample of ``X`` (sorted) that holds at least ``k`` distinct units.

    A resample with fewer distinct units than k cannot hold k clusters (scikit-learn would only
    warn and return duplicate centres): it is drawn again, a bounded number of times.
    """
    n = X.shape[0]
    for _ in range(100):
        idx = np.sort(rng.randint(0, n, size=n))
        if _distinct_rows(X[idx], stop_after=k) >= k:
            return idx
    raise ValueError(
        f"n_bootstrap = {n_bootstrap}: resamples of the {n} units almost never hold {k} distinct units; "
        "use n_bootstrap = 0 or a smaller k"
    )


def _survival(ref: np.ndarray, others: list[np.ndarray], k: int) -> pd.DataFrame:
    """Per cluster of ``ref``: ``cluster, units, mean_jaccard, min_jaccard, verdict`` over the
    best-matching cluster of each run in ``others``; a cluster with no unit among the rows compared
    (an empty NMF component, or a small cluster outside a sample) has NaN overlaps."""
    best = np.array([_jaccard_best(ref, other, k) for other in others])
    sizes = np.bincount(ref, minlength=k + 1)[1:]
    mean_j = np.where(sizes > 0, best.mean(axis=0), np.nan)
    min_j = np.where(sizes > 0, best.min(axis=0), np.nan)

    def verdict(j: float) -> str:
        if np.isnan(j):
            return "no units to compare"
        return "stable" if j >= 0.75 else ("a pattern, not firm" if j >= 0.5 else "dissolves")

    return pd.DataFrame(
        {
            "cluster": np.arange(1, k + 1),
            "units": sizes,
            "mean_jaccard": mean_j,
            "min_jaccard": min_j,
            "verdict": [verdict(j) for j in mean_j],
        }
    )
