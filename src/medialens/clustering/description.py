"""What each cluster is: top terms, representative units, a summary per cluster and cluster × group tables."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import validate
from ..grouping import group_labels, group_order
from .fitting import Clustering
from .matrix import TfidfMatrix


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
    return top_terms_of(clustering.centers, matrix.terms, top_n=top_n)


def top_terms_of(centers: np.ndarray, terms: np.ndarray, *, top_n: int = 10) -> pd.DataFrame:
    """:func:`top_terms` of ``centers`` (``k × terms``, rows in cluster order) whose columns are ``terms``."""
    n = validate.whole_number(top_n, "top_n", minimum=1)
    rows = []
    for c, center in enumerate(centers, start=1):
        nz = np.flatnonzero(center > 0)
        order = sorted(nz, key=lambda j: (-center[j], terms[j]))[:n]
        rows.extend((c, r, terms[j], float(center[j])) for r, j in enumerate(order, start=1))
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


def cluster_table(units: pd.DataFrame, labels, *, group_by: str = "outlet", shares: bool = False, k: int | None = None,
                  weights=None) -> pd.DataFrame:
    """Cluster × group table (``group_by = "outlet"`` or ``"month"``, or any unit column).

    ``k`` (the number of clusters, e.g. ``Clustering.k``) keeps a cluster that no unit falls in
    (possible with NMF) as a row of zeros; without it the rows are the labels present.

    Missing values are a group of their own, ``(missing)``, the last column.
    Counts come with ``total`` margins; with ``shares=True`` each column holds the share of that
    group's units falling in each cluster (columns sum to 1), with the group's n as the last row.

    ``weights`` (optional, one whole number per row) makes each row of ``units`` stand for so many
    units: a table of counts per cluster and group (the Spark engine's).

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
    if weights is None:
        table = pd.crosstab(pd.Series(labels, name="cluster"), pd.Series(groups, name=group_by))
    else:
        table = pd.crosstab(pd.Series(labels, name="cluster"), pd.Series(groups, name=group_by),
                            values=np.asarray(weights, dtype=np.int64), aggfunc="sum").fillna(0).astype("int64")
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


@dataclass(frozen=True)
class Described:
    """A clustering in memory, asked for its tables with the methods of the Spark engine's
    :class:`~medialens.spark.topics.SparkClustering`, so that a notebook asks one object whichever
    engine clustered."""

    matrix: TfidfMatrix
    clustering: Clustering

    def top_terms(self, *, top_n: int = 10) -> pd.DataFrame:
        """:func:`top_terms`."""
        return top_terms(self.matrix, self.clustering, top_n=top_n)

    def summary(self, *, top_n: int = 8) -> pd.DataFrame:
        """:func:`cluster_summary`."""
        return cluster_summary(self.matrix, self.clustering, top_n=top_n)

    def representatives(self, *, n_representatives: int = 3, max_chars: int = 400) -> pd.DataFrame:
        """:func:`representatives`."""
        return representatives(self.matrix, self.clustering, n_representatives=n_representatives, max_chars=max_chars)

    def cluster_table(self, *, group_by: str = "outlet", shares: bool = False) -> pd.DataFrame:
        """:func:`cluster_table` of every unit."""
        return cluster_table(self.matrix.units, self.clustering.labels, group_by=group_by, shares=shares, k=self.clustering.k)
