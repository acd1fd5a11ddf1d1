"""TF-IDF and k-means in Spark for topic clustering, weighted as the in-memory path weights them.

:func:`tfidf_spark` counts every document's n-grams in the workers (the one counting path, as
:mod:`medialens.spark.counting`), brings back only the vocabulary with its document frequencies,
keeps the terms within ``min_df``/``max_df``, and weights each document's row in the workers:
``1 + ln(tf)`` (sublinear tf), times ``idf = ln((1 + n) / (1 + df)) + 1`` (scikit-learn's smooth
idf, which is Spark's ``IDF`` plus one), L2-normalised. The rows stay in Spark.

:func:`kmeans_spark` runs Spark's k-means (the RDD API, ``KMeans.train`` with an initial model)
from starting centres drawn from a seeded sample of documents, so a run is reproducible. It is not
the in-memory clustering (scikit-learn's best of ten k-means++ starts): given the same starting
centres the two give the same labels, otherwise they may end at different local optima.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import validate
from ..counting import count_ngrams
from ..text import TextSettings
from ..tokens import WordTable
from .counting import _texts
from .session import keep_on_disk

__all__ = ["SparkTfidf", "tfidf_spark", "kmeans_spark", "starting_centres", "train_kmeans"]


@dataclass
class SparkTfidf:
    """A TF-IDF matrix whose rows stay in Spark.

    Attributes
    ----------
    rows : pyspark.RDD
        ``(doc_id, {column: weight})`` per kept document (columns index ``terms``), L2-normalised.
    terms : numpy.ndarray of str
        The kept terms, sorted (the columns).
    df : numpy.ndarray of int64
        Documents containing each kept term.
    idf : numpy.ndarray of float64
        ``ln((1 + n) / (1 + df)) + 1`` per kept term.
    n_documents : int
        Documents with at least one token (the ``n`` of the idf).
    dropped : DataFrame
        ``doc_id, reason`` of the documents left out (no token; no term left after the filters).
    settings : dict
        ``min_df``, ``max_df`` (as given), ``min_units``, ``max_units`` (as counts), ``ngram_range``,
        ``sublinear_tf``, ``tokenizer``.
    """

    rows: object
    terms: np.ndarray
    df: np.ndarray
    idf: np.ndarray
    n_documents: int
    dropped: pd.DataFrame
    settings: dict


def _rows_of_partition(rows: Iterable[dict], settings: TextSettings, ngram_range: tuple[int, int],
                       normalised: bool) -> Iterator[tuple[str, dict[str, int]]]:
    """(doc_id, {term: count}) of every document of one partition (runs in a worker)."""
    rows = list(rows)
    if not rows:
        return
    ids, texts = _texts(rows)
    counted = count_ngrams(WordTable.from_texts(ids, texts, normalised=normalised), settings, ngram_range)
    m = counted.matrix
    names = counted.names()
    for i, doc_id in enumerate(ids):
        a, b = m.indptr[i], m.indptr[i + 1]
        yield doc_id, dict(zip(names[m.indices[a:b]].tolist(), m.data[a:b].tolist(), strict=True))


def _weigh(counts: dict[str, int], column: dict[str, int], idf: np.ndarray, sublinear_tf: bool) -> dict[int, float]:
    """One document's TF-IDF row (runs in a worker): kept terms only, sorted by column, L2-normalised."""
    cols = np.array(sorted(column[t] for t in counts if t in column), dtype=np.int64)
    if not len(cols):
        return {}
    names_by_col = {column[t]: c for t, c in counts.items() if t in column}
    tf = np.array([names_by_col[j] for j in cols.tolist()], dtype=np.float64)
    if sublinear_tf:
        tf = np.log(tf) + 1
    w = tf * idf[cols]
    w /= np.sqrt(np.dot(w, w))
    return dict(zip(cols.tolist(), w.tolist(), strict=True))


def tfidf_spark(rdd, *, settings: TextSettings | None = None, min_df: int | float = 1, max_df: int | float = 1.0,
                ngram_range=(1, 1), sublinear_tf: bool = True, normalised: bool = False) -> SparkTfidf:
    """The TF-IDF matrix of the documents of ``rdd``, computed in Spark.

    Parameters
    ----------
    rdd : pyspark.RDD of dict
        Documents with ``doc_id`` and ``text``.
    settings, min_df, max_df, ngram_range, sublinear_tf
        As :func:`medialens.clustering.tfidf` (the same checks and meaning; units are documents).
    normalised : bool
        The texts are already normalised.

    Returns
    -------
    SparkTfidf
        Within 1e-12 of :func:`medialens.clustering.tfidf` on the same documents (tested).
    """
    from ..clustering.matrix import _df_bounds

    settings = settings or TextSettings()
    validate.instance(settings, "settings", TextSettings, "a TextSettings")
    min_df, max_df = validate.count_or_share(min_df, "min_df"), validate.count_or_share(max_df, "max_df")
    ngrams = validate.ngram_range(ngram_range)
    validate.flag(sublinear_tf, "sublinear_tf")
    counted = rdd.mapPartitions(lambda rows: _rows_of_partition(rows, settings, ngrams, normalised))
    keep_on_disk(counted)
    empty = sorted(counted.filter(lambda kv: not kv[1]).keys().collect())
    vocabulary = counted.flatMap(lambda kv: ((t, 1) for t in kv[1])).reduceByKey(lambda a, b: a + b).collect()
    n = counted.count() - len(empty)
    if n == 0:
        counted.unpersist()
        raise ValueError("tokenizer: no document has any token left after the tokeniser; check language and remove_stopwords")
    min_count, max_count = _df_bounds(min_df, max_df, n, "documents")
    kept = sorted((t, d) for t, d in vocabulary if min_count <= d <= max_count)
    terms = np.array([t for t, _ in kept], dtype=object)
    df = np.array([d for _, d in kept], dtype=np.int64)
    idf = np.log((n + 1) / (df + 1).astype(np.float64)) + 1  # scikit-learn's smooth idf, term by term
    sc = rdd.context
    column = sc.broadcast({t: j for j, t in enumerate(terms.tolist())})
    weights = sc.broadcast(idf)
    rows = counted.filter(lambda kv: bool(kv[1])).mapValues(lambda c: _weigh(c, column.value, weights.value, sublinear_tf))
    lost = sorted(rows.filter(lambda kv: not kv[1]).keys().collect())
    reason = f"all its terms removed by min_df = {min_df!r} / max_df = {max_df!r}"
    dropped = pd.DataFrame(
        [(d, "no tokens left after the tokeniser (only stopwords, numbers or very short words)") for d in empty]
        + [(d, reason) for d in lost], columns=["doc_id", "reason"])
    used = {"min_df": min_df, "max_df": max_df, "min_units": min_count, "max_units": max_count,
            "ngram_range": list(ngrams), "sublinear_tf": sublinear_tf, "tokenizer": settings.as_dict()}
    return SparkTfidf(rows=rows.filter(lambda kv: bool(kv[1])), terms=terms, df=df, idf=idf, n_documents=n,
                      dropped=dropped, settings=used)


def starting_centres(matrix: SparkTfidf, k: int, *, random_state: int = 0) -> tuple[list[str], np.ndarray]:
    """``k`` starting centres: the rows of the ``k`` kept rows (documents or units) with the smallest
    seeded rank (:func:`medialens.spark.engine.sample_rank` of ``random_state`` and the id), the
    same draw on any partitioning and without collecting every id.

    Returns
    -------
    (list of str, numpy.ndarray)
        The ids drawn (in rank order), and their rows as a dense ``k × terms`` array.
    """
    from .engine import sample_rank

    k = validate.whole_number(k, "k", minimum=1)
    seed = int(random_state)
    found = matrix.rows.takeOrdered(k, key=lambda kv: (sample_rank(seed, kv[0]), kv[0]))
    if k > len(found):
        raise ValueError(f"k = {k}: there are only {len(found)} documents to cluster")
    centres = np.zeros((k, len(matrix.terms)), dtype=np.float64)
    for i, (_, row) in enumerate(found):
        for j, w in row.items():
            centres[i, j] = w
    return [d for d, _ in found], centres


def train_kmeans(matrix: SparkTfidf, *, k: int, centres: np.ndarray, max_iterations: int = 300,
                 epsilon: float = 1e-10) -> tuple[object, np.ndarray]:
    """Lloyd's k-means in Spark from ``centres`` (``k × terms``), the labels left in Spark.

    Returns
    -------
    (pyspark.RDD, numpy.ndarray)
        ``(id, label)`` per row (0-based, persisted) and the final ``k × terms`` centres.
    """
    from pyspark.mllib.clustering import KMeans, KMeansModel
    from pyspark.mllib.linalg import DenseVector, SparseVector

    centres = np.asarray(centres, dtype=np.float64)
    if centres.shape != (k, len(matrix.terms)):
        raise ValueError(f"centres: expected {k} × {len(matrix.terms)} starting centres, got {centres.shape}")
    width = len(matrix.terms)
    vectors = matrix.rows.mapValues(lambda row: SparseVector(width, sorted(row.items())))
    keep_on_disk(vectors)
    model = KMeans.train(vectors.values(), k, maxIterations=max_iterations, epsilon=epsilon,
                         initialModel=KMeansModel([DenseVector(c) for c in centres]))
    broadcast = vectors.context.broadcast(model)
    labels = vectors.mapValues(lambda v: int(broadcast.value.predict(v))).persist()
    labels.count()
    vectors.unpersist()
    return labels, np.array([np.asarray(c) for c in model.clusterCenters])


def kmeans_spark(matrix: SparkTfidf, *, k: int, random_state: int = 0, centres: np.ndarray | None = None,
                 max_iterations: int = 300, epsilon: float = 1e-10) -> tuple[pd.DataFrame, np.ndarray]:
    """k-means (Lloyd's algorithm, Euclidean, on the L2-normalised rows) in Spark.

    Parameters
    ----------
    matrix : SparkTfidf
    k : int
        Number of clusters.
    random_state : int
        Seed of the sample of starting centres (:func:`starting_centres`) when ``centres`` is None.
    centres : numpy.ndarray, optional
        ``k × terms`` starting centres (to reproduce another run, or the in-memory clustering).
    max_iterations, epsilon
        Spark's stopping rule: at most so many iterations, or until no centre moves more than ``epsilon``.

    Returns
    -------
    (DataFrame, numpy.ndarray)
        ``doc_id, label`` (0-based, sorted by ``doc_id``) and the final ``k × terms`` centres
        (every label collected: see :func:`medialens.spark.topics.cluster_spark` for labels that
        stay in Spark).
    """
    if centres is None:
        centres = starting_centres(matrix, k, random_state=random_state)[1]
    labels, final = train_kmeans(matrix, k=k, centres=centres, max_iterations=max_iterations, epsilon=epsilon)
    table = pd.DataFrame(sorted(labels.collect()), columns=["doc_id", "label"])
    labels.unpersist()
    return table, final
