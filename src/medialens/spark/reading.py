"""Reading a corpus definition's sources in Spark, with the loader's own checks and skip reasons.

The driver lists the input files (in the loader's order) and each Spark task reads whole files
with the loader's readers (.txt with header lines, CSV, JSONL) and passes every record through the
loader's per-record checks (size, date, empty body, cleaning: :func:`medialens.corpus.load._admit_record`),
so a record is skipped for the same reason, with the same ``file:line``, as in memory. Repeated ids
(``source.duplicate_ids: first`` or ``error``) and exact copies (``cleaning.duplicates_*``) need the
whole corpus: Spark finds the repeated ids and texts, and only those come back to the driver,
which decides as the loader does.

Not done at this scale, each with one note in ``notes``: near-duplicate flags
(``near_duplicate_of`` is empty) and language detection (``language`` is the corpus language). A
labels file (``metadata:``), ``source.duplicate_ids: suffix`` and ``cleaning.keep_languages`` are
refused with a one-line error: join labels to the counted cells instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..corpus.definition import (
    NOTE_COLUMNS,
    REMOVAL_COLUMNS,
    SKIP_COLUMNS,
    CorpusDefinition,
    CorpusError,
    read_definition,
)
from ..corpus.load import _admit_record, _content_hash, _exact_copies
from ..corpus.readers import _input_files, _records_csv, _records_jsonl, _records_txt
from ..corpus.table import _Log

__all__ = ["SparkCorpus", "read_corpus"]

_READERS = {"txt": _records_txt, "csv": _records_csv, "jsonl": _records_jsonl}


@dataclass
class SparkCorpus:
    """A corpus read in Spark: the documents stay there, the reports come back.

    Attributes
    ----------
    definition : CorpusDefinition
    documents : pyspark.RDD of dict
        One dict per document: ``doc_id, source, line, outlet, date, title, text, month, copy_of,
        language, n_chars`` and the record's other keys and inline metadata (persisted; unpersist
        when done).
    skipped, notes, removals : DataFrame
        As ``Corpus.skipped``, ``Corpus.notes`` and ``Corpus.removals``.
    inputs : DataFrame
        ``source, format, records`` per input file.
    n_documents : int
    """

    definition: CorpusDefinition
    documents: object
    skipped: pd.DataFrame
    notes: pd.DataFrame
    removals: pd.DataFrame
    inputs: pd.DataFrame
    n_documents: int


def _check_supported(defn: CorpusDefinition) -> None:
    where = defn.definition_file.name if defn.definition_file else defn.name
    if defn.metadata_path is not None:
        raise CorpusError(f"{where}: metadata (a labels file) is not read on the Spark engine; join the labels to the counted cells")
    if defn.duplicate_ids == "suffix":
        raise CorpusError(f"{where}: source.duplicate_ids = 'suffix' is not available on the Spark engine; use 'first' or 'error'")
    if defn.cleaning["keep_languages"]:
        raise CorpusError(f"{where}: cleaning.keep_languages needs language detection, which the Spark engine does not run")


def _read_files(files: Iterable[tuple[int, str]], defn: CorpusDefinition) -> Iterator[tuple]:
    """Every record of some input files (runs in a worker): ``("r", doc_id, order, where, row or
    None, skips, notes, removals)`` per record, ``("f", skips, notes, removals, inputs)`` per file,
    ``("e", order, message)`` when a check stops loading."""
    plain_keys: set[str] = set()
    renamed: set = set()
    for index, path in files:
        log = _Log()
        seq = 0
        try:
            for doc_id, source, line, fields in _READERS[defn.format](defn, [path], log):
                own = _Log()
                row = _admit_record(defn, doc_id, source, line, fields, own, plain_keys, renamed)
                yield "r", doc_id, (index, seq), f"{source}:{line}", row, own.skipped, own.notes, own.removals
                seq += 1
        except CorpusError as exc:
            yield "e", (index, seq), str(exc)
        yield "f", log.skipped, log.notes, log.removals, log.inputs


def _repeated_ids(records, defn: CorpusDefinition) -> tuple[set, list[tuple]]:
    """The records to leave out because an earlier record has their id, and their skips."""
    repeated = set(records.map(lambda r: (r[1], 1)).reduceByKey(lambda a, b: a + b).filter(lambda kv: kv[1] > 1).keys().collect())
    if not repeated:
        return set(), []
    found = sorted(records.filter(lambda r: r[1] in repeated).map(lambda r: (r[1], r[2], r[3])).collect(), key=lambda x: x[1])
    first: dict[str, str] = {}
    out, skips = set(), []
    for doc_id, order, where in found:
        if doc_id not in first:
            first[doc_id] = where
            continue
        if defn.duplicate_ids == "error":
            raise CorpusError(f"{where} id {doc_id!r} already used at {first[doc_id]} (source.duplicate_ids: error)")
        source, _, line = where.rpartition(":")
        skips.append((source, int(line) if line.isdigit() else None, "duplicate_id", f"{where} id {doc_id!r} already used at {first[doc_id]}", doc_id))
        out.add((doc_id, order))
    return out, skips


def _copies(docs, defn: CorpusDefinition, log: _Log) -> tuple[set, dict]:
    """The exact copies (same text after folding white space and case): ``(dropped ids, copy_of)``,
    decided by the loader's own rule on the documents whose text repeats."""
    hashes = docs.map(lambda d: (d["content_hash"], 1)).reduceByKey(lambda a, b: a + b).filter(lambda kv: kv[1] > 1).keys().collect()
    if not hashes:
        return set(), {}
    wanted = set(hashes)
    rows = docs.filter(lambda d: d["content_hash"] in wanted).map(lambda d: {k: v for k, v in d.items() if k != "text"}).collect()
    subset = pd.DataFrame(rows).sort_values("doc_id", kind="stable").reset_index(drop=True)
    kept = _exact_copies(defn, subset, log)
    copy_of = {d: c for d, c in zip(kept["doc_id"], kept["copy_of"], strict=True) if isinstance(c, str)}
    return set(subset["doc_id"]) - set(kept["doc_id"]), copy_of


def _finish_row(row: dict, language: str) -> dict:
    """The derived columns of one document row (runs in a worker)."""
    date = row.get("date")
    row["content_hash"] = _content_hash(row["text"])
    row["month"] = date[:7] if isinstance(date, str) else None
    row["n_chars"] = len(row["text"])
    row["language"] = language
    for col in ("outlet", "date", "title"):
        if row.get(col) == "":
            row[col] = None
    return row


def read_corpus(spark, definition: str | Path | CorpusDefinition, *, partitions: int | None = None) -> SparkCorpus:
    """Read the corpus described by ``definition`` in Spark.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    definition : str, Path or CorpusDefinition
        A corpus definition (YAML path) or a parsed one.
    partitions : int, optional
        Partitions of the documents after reading (default: Spark's default parallelism); files
        are read in as many tasks as there are files, up to that number.

    Returns
    -------
    SparkCorpus

    Raises
    ------
    CorpusError
        One line naming the file, line and setting, as the loader's (the first by file order).
    """
    defn = definition if isinstance(definition, CorpusDefinition) else read_definition(definition)
    _check_supported(defn)
    sc = spark.sparkContext
    parts = partitions or sc.defaultParallelism
    files = _input_files(defn)
    items = sc.parallelize(list(enumerate(files)), max(1, min(len(files), parts))).mapPartitions(lambda fs: _read_files(fs, defn))
    items.persist()
    try:
        errors = items.filter(lambda x: x[0] == "e").collect()
        if errors:
            raise CorpusError(min(errors, key=lambda e: e[1])[2])
        log = _Log()
        for _, skipped, notes, removals, inputs in items.filter(lambda x: x[0] == "f").collect():
            log.skipped += skipped
            log.notes += notes
            log.removals += removals
            log.inputs += inputs
        records = items.filter(lambda x: x[0] == "r")
        left_out, skips = _repeated_ids(records, defn)
        log.skipped += skips
        if left_out:
            records = records.filter(lambda r: (r[1], r[2]) not in left_out)
        if defn.documents:
            inline = frozenset(defn.documents)
            seen = set(records.map(lambda r: r[1]).filter(lambda d: d in inline).collect())
            for doc_id in sorted(inline - seen):
                log.note("", None, "unmatched_metadata", f"documents.{doc_id} in the definition matches no input", doc_id)
        for skipped, notes, removals in records.map(lambda r: (r[5], r[6], r[7])).filter(lambda x: any(x)).collect():
            log.skipped += skipped
            log.notes += notes
            log.removals += removals
        language = defn.language
        docs = records.filter(lambda r: r[4] is not None).map(lambda r: _finish_row(r[4], language))
        docs.persist()
        dropped, copy_of = _copies(docs, defn, log)
        kept = docs.filter(lambda d: d["doc_id"] not in dropped).map(lambda d: {**d, "copy_of": copy_of.get(d["doc_id"])})
        kept = kept.repartition(parts).persist()
        n = kept.count()
        docs.unpersist()
    finally:
        items.unpersist()
    _scale_notes(defn, log)
    return SparkCorpus(
        definition=defn, documents=kept, n_documents=n,
        skipped=pd.DataFrame(log.skipped, columns=SKIP_COLUMNS).astype({"line": "Int64"}),
        notes=pd.DataFrame(log.notes, columns=NOTE_COLUMNS).astype({"line": "Int64"}),
        removals=pd.DataFrame(log.removals, columns=REMOVAL_COLUMNS).astype({"paragraph": "Int64"}),
        inputs=pd.DataFrame(log.inputs, columns=["source", "format", "records"]),
    )


def _scale_notes(defn: CorpusDefinition, log: _Log) -> None:
    """The notes that say which loader steps the Spark engine does not run."""
    if defn.cleaning["near_duplicate_threshold"] is not None:
        log.note("", None, "not_at_scale", "near duplicates are not flagged on the Spark engine (near_duplicate_of is empty)")
    if defn.cleaning["detect_language"]:
        log.note("", None, "not_at_scale", f"languages are not detected on the Spark engine (language is the corpus language, {defn.language!r})")
