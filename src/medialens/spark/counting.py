"""Counting in Spark: every document tokenised in the workers with the project's own tokeniser,
only small tables brought back.

The workers split and count each partition of documents with the in-memory code itself
(:meth:`medialens.tokens.WordTable.from_texts` and :func:`medialens.counting.count_ngrams`), so
tokens and n-grams are the same by construction (NFC, zero-width characters, curly apostrophes,
Dutch compounds, n-grams within sentences). What comes back is aggregated per *cell*: one cell per
combination of the grouping columns and the month. :func:`count_terms_spark` returns those cells
as a :class:`~medialens.frequency.TermCounts` whose rows are cells (the ``_documents`` column says
how many documents each holds, and its document-presence matrix holds document frequencies), so
term frequencies, keyness and trends run on it unchanged and give the in-memory tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import validate
from ..counting import count_ngrams
from ..frequency.counts import TermCounts, TermIndex
from ..text import TextSettings
from ..tokens import WordTable

__all__ = ["DOCUMENTS_COLUMN", "documents_rdd", "spark_tokens", "count_terms_spark", "cell_id"]

#: The column of a cell table that counts its documents (cells stand for several documents).
DOCUMENTS_COLUMN = "_documents"


def documents_rdd(spark, documents: pd.DataFrame, *, partitions: int | None = None):
    """The rows of a document table (``doc_id``, ``text`` and any metadata) as a Spark RDD of dicts.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    documents : DataFrame
        A corpus document table (``Corpus.documents``).
    partitions : int, optional
        Number of partitions (default: Spark's default parallelism).

    Returns
    -------
    pyspark.RDD of dict
    """
    validate.frame(documents, "documents", columns=("doc_id", "text"), what="the corpus document table")
    rows = [{k: (None if _missing(v) else v) for k, v in row.items()} for row in documents.to_dict("records")]
    return spark.sparkContext.parallelize(rows, partitions or spark.sparkContext.defaultParallelism)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def _texts(rows: list[dict]) -> tuple[list[str], list[str]]:
    return [str(r["doc_id"]) for r in rows], [t if isinstance(t := r.get("text"), str) else "" for r in rows]


def _tokens_of_partition(rows: Iterable[dict], settings: TextSettings, normalised: bool) -> Iterator[tuple[str, list[str]]]:
    """(doc_id, tokens) of every document of one partition (runs in a worker)."""
    rows = list(rows)
    ids, texts = _texts(rows)
    table = WordTable.from_texts(ids, texts, normalised=normalised)
    yield from zip(ids, table.tokens(settings), strict=True)


def spark_tokens(rdd, *, settings: TextSettings | None = None, normalised: bool = False) -> dict[str, list[str]]:
    """Every document's tokens as the workers make them: ``{doc_id: tokens}`` (for checks and
    samples; the tokens of a large corpus stay in Spark).

    Parameters
    ----------
    rdd : pyspark.RDD of dict
        Documents with ``doc_id`` and ``text`` (:func:`documents_rdd`, :func:`medialens.spark.reading.read_corpus`).
    settings : TextSettings, optional
    normalised : bool
        The texts are already normalised (the loader's and reader's are).

    Returns
    -------
    dict of str to list of str
    """
    settings = settings or TextSettings()
    return dict(rdd.mapPartitions(lambda rows: _tokens_of_partition(rows, settings, normalised)).collect())


def cell_id(values: Sequence) -> str:
    """The name of a cell: its grouping values joined by `` | `` (missing shown as ``(missing)``)."""
    return " | ".join("(missing)" if v is None else str(v) for v in values)


def _cell_key(row: dict, columns: tuple[str, ...]) -> tuple:
    out = []
    for c in columns:
        v = row.get(c)
        out.append(None if _missing(v) or v == "" else str(v))
    return tuple(out)


def _counts_of_partition(rows: Iterable[dict], settings: TextSettings, ngram_range: tuple[int, int],
                         columns: tuple[str, ...], normalised: bool) -> Iterator[tuple]:
    """The cell sums of one partition (runs in a worker): ``(("t", cell, term), (count, documents))``
    for every term present, and ``(("c", cell), (documents, words, total_lo, ... total_hi))``."""
    rows = list(rows)
    if not rows:
        return
    ids, texts = _texts(rows)
    table = WordTable.from_texts(ids, texts, normalised=normalised)
    counted = count_ngrams(table, settings, ngram_range)
    keys = [_cell_key(r, columns) for r in rows]
    cells: dict[tuple, int] = {}
    codes = np.array([cells.setdefault(k, len(cells)) for k in keys], dtype=np.int64)
    ind = sp.csr_matrix((np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))), shape=(len(cells), len(codes)))
    sums = (ind @ counted.matrix).tocsr()
    presence = counted.matrix.copy()
    presence.data = np.ones_like(presence.data)
    docs = (ind @ presence).tocsr()
    sums.sort_indices()
    docs.sort_indices()  # the same entries as sums (a term is counted where it is present)
    names = counted.names()
    cell_keys = list(cells)
    rows_of = np.repeat(np.arange(len(cells)), np.diff(sums.indptr)).tolist()
    for i, j, c, d in zip(rows_of, sums.indices.tolist(), sums.data.tolist(), docs.data.tolist(), strict=True):
        yield ("t", cell_keys[i], names[j]), (c, d)
    words = ind @ table.lengths().astype(np.int64)
    totals = ind @ counted.totals.astype(np.int64)
    n_docs = np.bincount(codes, minlength=len(cells))
    for i, key in enumerate(cell_keys):
        yield ("c", key), (int(n_docs[i]), int(words[i]), *map(int, totals[i]))


def _add(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _sort_key(key: tuple) -> tuple:
    return tuple((v is None, v or "") for v in key)


def _cell_columns(group_by) -> tuple[str, ...]:
    if group_by is None:
        group_by = ()
    elif isinstance(group_by, str):
        group_by = (group_by,)
    columns = tuple(dict.fromkeys([*group_by, "month"]))
    for c in columns:
        if not isinstance(c, str) or c in ("text", "doc_id") or c.startswith("total_"):
            raise ValueError(f"group_by = {group_by!r}: {c!r} is not a document column to group by")
    return columns


def count_terms_spark(
    rdd,
    *,
    settings: TextSettings | None = None,
    ngram_range=(1, 1),
    min_count: int = 1,
    keep_terms=(),
    group_by=("outlet",),
    normalised: bool = False,
) -> TermCounts:
    """Count every n-gram of every document in Spark and return the counts per cell.

    Parameters
    ----------
    rdd : pyspark.RDD of dict
        Documents with ``doc_id``, ``text``, ``month`` and the ``group_by`` columns
        (:func:`documents_rdd`, :func:`medialens.spark.reading.read_corpus`).
    settings, ngram_range, min_count, keep_terms
        As :func:`medialens.frequency.count_terms` (the same checks, the same meaning).
    group_by : str or list of str
        Document columns the notebooks group by (``outlet`` by default); ``month`` is always
        added, for trends. Groupings by other columns need them here.
    normalised : bool
        The texts are already normalised (the reader's are).

    Returns
    -------
    TermCounts
        One row per cell (grouping values × month) instead of one per document: ``documents``
        holds ``doc_id`` (the cell's name), the grouping columns, ``month``, ``words``,
        ``total_<n>`` and ``_documents`` (documents in the cell); ``matrix`` holds the cells'
        term counts and ``presence()`` the number of the cell's documents with the term.
    """
    lo, hi = validate.ngram_range(ngram_range)
    validate.whole_number(min_count, "min_count", minimum=1)
    settings = settings or TextSettings()
    validate.instance(settings, "settings", TextSettings, "a TextSettings")
    columns = _cell_columns(group_by)
    keep = frozenset(keep_terms)
    sums = rdd.mapPartitions(lambda rows: _counts_of_partition(rows, settings, (lo, hi), columns, normalised)).reduceByKey(_add)
    sums.persist()
    try:
        cells = sorted(((k[1], v) for k, v in sums.filter(lambda kv: kv[0][0] == "c").collect()), key=lambda kv: _sort_key(kv[0]))
        per_term = sums.filter(lambda kv: kv[0][0] == "t").map(lambda kv: (kv[0][2], (kv[0][1], *kv[1])))
        if min_count > 1:
            totals = per_term.map(lambda kv: (kv[0], kv[1][1])).reduceByKey(lambda a, b: a + b)
            kept = totals.filter(lambda kv: kv[1] >= min_count or kv[0] in keep)
            per_term = per_term.join(kept).map(lambda kv: (kv[0], kv[1][0]))
        entries = per_term.collect()
    finally:
        sums.unpersist()
    return _term_counts(cells, entries, columns, (lo, hi), min_count, settings)


def _term_counts(cells: list, entries: list, columns: tuple[str, ...], ngram_range: tuple[int, int], min_count: int,
                 settings: TextSettings) -> TermCounts:
    """The :class:`TermCounts` of the collected cell totals and (term, (cell, count, documents)) entries."""
    lo, hi = ngram_range
    row_of = {key: i for i, (key, _) in enumerate(cells)}
    names = np.array(sorted({t for t, _ in entries}), dtype=object)
    col_of = {t: j for j, t in enumerate(names.tolist())}
    r = np.fromiter((row_of[v[0]] for _, v in entries), dtype=np.int64, count=len(entries))
    c = np.fromiter((col_of[t] for t, _ in entries), dtype=np.int64, count=len(entries))
    shape = (len(cells), len(names))
    matrix = sp.csr_matrix((np.fromiter((v[1] for _, v in entries), dtype=np.int64, count=len(entries)), (r, c)), shape=shape)
    docs = sp.csr_matrix((np.fromiter((v[2] for _, v in entries), dtype=np.int64, count=len(entries)), (r, c)), shape=shape)
    table = pd.DataFrame([dict(zip(columns, key, strict=True)) for key, _ in cells], columns=list(columns))
    table.insert(0, "doc_id", [cell_id(key) for key, _ in cells])
    values = np.array([v for _, v in cells], dtype=np.int64).reshape(len(cells), 2 + hi - lo + 1)
    table["words"] = values[:, 1]
    for k, n in enumerate(range(lo, hi + 1)):
        table[f"total_{n}"] = values[:, 2 + k]
    table[DOCUMENTS_COLUMN] = values[:, 0]
    terms = pd.DataFrame({
        "term": names,
        "n": np.array([t.count(" ") + 1 for t in names.tolist()], dtype=np.int64),
        "count": np.asarray(matrix.sum(axis=0)).ravel().astype(np.int64),
    })
    counts = TermCounts(matrix=matrix, terms=terms, documents=table, ngram_range=(lo, hi), min_count=int(min_count),
                        settings=settings, index=TermIndex(names))
    counts.cache["presence"] = docs
    return counts
