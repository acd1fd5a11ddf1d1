"""Notebook 20 on the Spark engine: every unit clustered in Spark, small tables brought back.

:func:`units_spark` makes the units of :func:`medialens.clustering.make_units` (documents, or
their paragraphs) from the documents in Spark, with the same ids and texts, in the workers.
:func:`cluster_spark` weighs them (:func:`medialens.spark.clustering.tfidf_spark`), runs k-means
from starting centres drawn from a seeded sample of the units
(:func:`medialens.spark.clustering.starting_centres`) and keeps the labels in Spark. A
:class:`SparkClustering` then gives the notebook's tables from Spark, each small: the top terms of
every centre, a summary per cluster (units, share, documents, outlets), the units closest to each
centre, cluster × group counts, and the labels of chosen documents' units.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import validate
from ..clustering.description import cluster_table, top_terms_of
from ..clustering.units import UNIT_COLUMNS
from ..text import paragraph_table
from .clustering import SparkTfidf, starting_centres, tfidf_spark, train_kmeans
from .session import keep_on_disk

__all__ = ["units_spark", "SparkClustering", "cluster_spark"]


def _units_of_partition(rows: Iterable[dict], unit: str, include_headings: bool) -> Iterator[dict]:
    """The units of one partition's documents (runs in a worker), as :func:`make_units` makes them."""
    rows = list(rows)
    if not rows:
        return
    meta = {r["doc_id"]: r for r in rows}
    if unit == "document":
        for r in rows:
            yield {"unit_id": str(r["doc_id"]), "doc_id": r["doc_id"], "paragraph": None, "outlet": r.get("outlet"),
                   "date": r.get("date"), "month": r.get("month"), "text": r.get("text") or ""}
        return
    paras = paragraph_table(pd.DataFrame({"doc_id": [r["doc_id"] for r in rows], "text": [r.get("text") or "" for r in rows]}))
    if not include_headings:
        paras = paras[paras["kind"] != "heading"]
    for doc_id, number, text in zip(paras["doc_id"], paras["paragraph"], paras["text"], strict=True):
        r = meta[doc_id]
        yield {"unit_id": f"{doc_id}#p{number}", "doc_id": doc_id, "paragraph": int(number), "outlet": r.get("outlet"),
               "date": r.get("date"), "month": r.get("month"), "text": text}


def units_spark(documents, *, unit: str = "paragraph", include_headings: bool = False):
    """The units to cluster, made in Spark: :func:`medialens.clustering.make_units`'s rows (the
    same ``unit_id`` and ``text``; ``paragraph`` None for document units).

    Parameters
    ----------
    documents : pyspark.RDD of dict
        Documents with ``doc_id``, ``text`` and (when present) ``outlet``, ``date``, ``month``.
    unit : "paragraph" | "document"
    include_headings : bool
        With paragraphs, keep short heading lines as units of their own.

    Returns
    -------
    pyspark.RDD of dict
        One dict per unit with the keys of :data:`medialens.clustering.units.UNIT_COLUMNS`.
    """
    validate.choice(unit, "unit", ("document", "paragraph"))
    validate.flag(include_headings, "include_headings")
    return documents.mapPartitions(lambda rows: _units_of_partition(rows, unit, include_headings))


def _top(pairs: Iterable[tuple], n: int) -> list:
    return heapq.nsmallest(n, pairs)


@dataclass
class SparkClustering:
    """k-means of every unit, run in Spark; the labels stay there.

    Attributes
    ----------
    units : pyspark.RDD of dict
        The units (:func:`units_spark`).
    matrix : SparkTfidf
        Their TF-IDF rows (keyed by ``unit_id``).
    labels : pyspark.RDD
        ``(unit_id, cluster)`` per unit of ``matrix``, clusters 1..k numbered by size (largest
        first; ties by the smallest unit id).
    centers : numpy.ndarray
        ``k × terms`` centres, rows in cluster order.
    sizes : numpy.ndarray of int
        Units per cluster.
    k : int
    start : list of str
        The units whose rows were the starting centres (drawn with ``random_state``).
    random_state : int
    """

    units: object
    matrix: SparkTfidf
    labels: object
    centers: np.ndarray
    sizes: np.ndarray
    k: int
    start: list
    random_state: int

    @property
    def n_units(self) -> int:
        """Units clustered."""
        return int(self.sizes.sum())

    def top_terms(self, *, top_n: int = 10) -> pd.DataFrame:
        """:func:`medialens.clustering.top_terms` of the centres: ``cluster, rank, term, weight``."""
        return top_terms_of(self.centers, self.matrix.terms, top_n=top_n)

    def _meta(self):
        """``(unit_id, (cluster, unit dict without text))`` per clustered unit."""
        meta = self.units.map(lambda u: (u["unit_id"], {k: v for k, v in u.items() if k != "text"}))
        return self.labels.join(meta)

    def summary(self, *, top_n: int = 8) -> pd.DataFrame:
        """:func:`medialens.clustering.cluster_summary`'s table, counted in Spark: ``cluster, units,
        share, documents, top_document_share, outlets, top_terms``."""
        joined = self._meta()
        per_doc = dict(joined.map(lambda kv: ((kv[1][0], kv[1][1]["doc_id"]), 1)).reduceByKey(lambda a, b: a + b)
                       .map(lambda kv: (kv[0][0], (1, kv[1]))).reduceByKey(lambda a, b: (a[0] + b[0], max(a[1], b[1]))).collect())
        outlets = dict(joined.filter(lambda kv: kv[1][1].get("outlet") not in (None, "")).map(lambda kv: (kv[1][0], kv[1][1]["outlet"]))
                       .distinct().countByKey())
        terms = self.top_terms(top_n=top_n).groupby("cluster")["term"].agg(", ".join)
        n = self.n_units
        rows = []
        for c in range(1, self.k + 1):
            size = int(self.sizes[c - 1])
            docs, largest = per_doc.get(c, (0, 0))
            rows.append((c, size, size / n, docs, largest / size if size else float("nan"), int(outlets.get(c, 0)), terms.get(c, "")))
        return pd.DataFrame(rows, columns=["cluster", "units", "share", "documents", "top_document_share", "outlets", "top_terms"])

    def representatives(self, *, n_representatives: int = 3, max_chars: int = 400) -> pd.DataFrame:
        """:func:`medialens.clustering.representatives`'s table, found in Spark: the units closest
        (cosine) to their cluster's centre, ``n_representatives`` per cluster, text cut to ``max_chars``."""
        n = validate.whole_number(n_representatives, "n_representatives", minimum=1)
        max_chars = validate.whole_number(max_chars, "max_chars", minimum=1)
        norms = np.linalg.norm(self.centers, axis=1)
        norms[norms == 0] = 1.0
        unit_centres = self.labels.context.broadcast(self.centers / norms[:, None])
        sims = self.matrix.rows.join(self.labels).map(
            lambda kv: (kv[1][1], (-float(sum(w * unit_centres.value[kv[1][1] - 1, j] for j, w in kv[1][0].items())), kv[0])))
        best = sims.aggregateByKey([], lambda acc, x: _top([*acc, x], n), lambda a, b: _top([*a, *b], n)).collect()
        chosen = {u: (c, r, -s) for c, pairs in best for r, (s, u) in enumerate(pairs, start=1)}
        wanted = set(chosen)
        units = self.units.filter(lambda u: u["unit_id"] in wanted).collect()
        rows = []
        for u in units:
            c, r, s = chosen[u["unit_id"]]
            flat = " ".join(str(u["text"]).split())
            text = flat if len(flat) <= max_chars else flat[: max_chars - 1].rstrip() + "…"
            rows.append((c, r, s, u["unit_id"], u["doc_id"], u["paragraph"], u.get("outlet"), u.get("date"), text))
        out = pd.DataFrame(rows, columns=["cluster", "rank", "similarity", "unit_id", "doc_id", "paragraph", "outlet", "date", "text"])
        return out.astype({"paragraph": "Int64"}).sort_values(["cluster", "rank"], kind="stable").reset_index(drop=True)

    def cluster_table(self, *, group_by: str = "outlet", shares: bool = False) -> pd.DataFrame:
        """:func:`medialens.clustering.cluster_table` of every unit, counted in Spark per cluster and
        ``group_by`` value (a unit column: ``outlet``, ``month``)."""
        counts = self._meta().map(lambda kv: ((kv[1][0], kv[1][1].get(group_by)), 1)).reduceByKey(lambda a, b: a + b).collect()
        cells = pd.DataFrame([(c, g, n) for (c, g), n in sorted(counts, key=lambda x: (x[0][0], str(x[0][1])))],
                             columns=["cluster", group_by, "units"])
        return cluster_table(cells, cells["cluster"].to_numpy(), group_by=group_by, shares=shares, k=self.k,
                             weights=cells["units"].to_numpy())

    def assignments(self, doc_ids: Sequence[str]) -> pd.DataFrame:
        """The clusters of the units of ``doc_ids`` (a few documents, such as the seeded sample):
        the unit columns without ``text``, and ``cluster``, sorted by ``unit_id``."""
        wanted = frozenset(doc_ids)
        rows = self._meta().filter(lambda kv: kv[1][1]["doc_id"] in wanted).map(lambda kv: {**kv[1][1], "cluster": kv[1][0]}).collect()
        columns = [c for c in UNIT_COLUMNS if c != "text"] + ["cluster"]
        out = pd.DataFrame(rows, columns=columns).sort_values("unit_id", kind="stable").reset_index(drop=True)
        return out.astype({"paragraph": "Int64", "cluster": "int64"})

    def labels_table(self) -> pd.DataFrame:
        """Every unit's cluster, ``unit_id, cluster`` sorted by ``unit_id`` (collected: for checks and
        small corpora)."""
        return pd.DataFrame(sorted(self.labels.collect()), columns=["unit_id", "cluster"])


def cluster_spark(units, *, k: int, settings=None, min_df: int | float = 1, max_df: int | float = 1.0, ngram_range=(1, 1),
                  sublinear_tf: bool = True, random_state: int = 0, centres: np.ndarray | None = None,
                  max_iterations: int = 300) -> SparkClustering:
    """TF-IDF and k-means of every unit in Spark (``units``: :func:`units_spark`).

    Parameters
    ----------
    units : pyspark.RDD of dict
    k : int
        Number of clusters.
    settings, min_df, max_df, ngram_range, sublinear_tf
        As :func:`medialens.clustering.tfidf` (units are the rows).
    random_state : int
        Seed of the units drawn as starting centres (:func:`starting_centres`).
    centres : numpy.ndarray, optional
        ``k × terms`` starting centres instead (to reproduce another run).
    max_iterations : int

    Returns
    -------
    SparkClustering
    """
    units = keep_on_disk(units)
    rows = units.map(lambda u: {"doc_id": u["unit_id"], "text": u["text"]})
    matrix = tfidf_spark(rows, settings=settings, min_df=min_df, max_df=max_df, ngram_range=ngram_range,
                         sublinear_tf=sublinear_tf, normalised=True)
    start: list = []
    if centres is None:
        start, centres = starting_centres(matrix, k, random_state=random_state)
    raw, model_centres = train_kmeans(matrix, k=k, centres=centres, max_iterations=max_iterations)
    sizes = dict(raw.map(lambda kv: kv[1]).countByValue())
    first = dict(raw.map(lambda kv: (kv[1], kv[0])).reduceByKey(min).collect())
    order = sorted(range(k), key=lambda c: (-sizes.get(c, 0), first.get(c, "\U0010ffff"), c))
    new_of_raw = {c: i + 1 for i, c in enumerate(order)}
    labels = raw.mapValues(lambda c: new_of_raw[c]).persist()
    return SparkClustering(units=units, matrix=matrix, labels=labels, centers=model_centres[order],
                           sizes=np.array([sizes.get(c, 0) for c in order], dtype=np.int64), k=int(k), start=list(start),
                           random_state=int(random_state))
