"""Reading a corpus definition's sources in Spark, with the loader's own checks and skip reasons.

The driver lists the input files (in the loader's order) and Spark tasks read them with the
loader's readers (.txt with header lines, CSV, JSONL) and pass every record through the loader's
per-record checks (size, date, empty body, cleaning: :func:`medialens.corpus.load._admit_record`),
so a record is skipped for the same reason, with the same ``file:line``, as in memory. Each task
reads about :data:`PART_BYTES` of input: small files are grouped, and a JSONL file larger than
that is read in parts cut at newline bytes (the number of each part's first line counted in Spark
first), so one large export is read by many tasks and no task holds more than a part of it. A CSV
file is read whole by one task (a quoted field may hold a newline, so it cannot be cut blind). Repeated ids
(``source.duplicate_ids: first`` or ``error``) and exact copies (``cleaning.duplicates_*``) need the
whole corpus: Spark finds the repeated ids and texts, and only those come back to the driver,
which decides as the loader does.

Not done at this scale, each with one note in ``notes``: near-duplicate flags
(``near_duplicate_of`` is empty) and language detection (``language`` is the corpus language). A
labels file (``metadata:``), ``source.duplicate_ids: suffix`` and ``cleaning.keep_languages`` are
refused with a one-line error: join labels to the counted cells instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
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
from ..corpus.readers import (
    _close_records_file,
    _input_files,
    _jsonl_lines,
    _path_order,
    _records_csv,
    _records_jsonl,
    _records_txt,
    _source_name,
)
from ..corpus.table import _Log
from ..records import Lines, line_safe, mojibake_note
from .session import keep_on_disk

__all__ = ["PART_BYTES", "SparkCorpus", "read_corpus"]

#: Bytes of input a reading task reads at most, about: smaller files are grouped up to it, and a
#: JSONL file larger than it is read in parts of about this size.
PART_BYTES = 64 << 20

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


@dataclass(frozen=True)
class _Part:
    """What one reading step reads: a whole input file (``end`` None) or the bytes ``start`` to
    ``end`` of a JSONL file, whose first line is line ``first_line``."""

    index: int
    path: str
    part: int = 0
    start: int = 0
    end: int | None = None
    first_line: int = 1
    size: int = 0


def _newlines(path: str, start: int, end: int) -> int:
    """Newline bytes from ``start`` to ``end`` of ``path`` (runs in a worker)."""
    n = 0
    with open(path, "rb") as fh:
        fh.seek(start)
        left = end - start
        while left > 0:
            block = fh.read(min(left, 16 << 20))
            if not block:
                break
            n += block.count(b"\n")
            left -= len(block)
    return n


def _plan_parts(sc, defn: CorpusDefinition, files: list[str], part_bytes: int) -> list[list[_Part]]:
    """The reading tasks: the input files in the loader's order, a JSONL file over ``part_bytes``
    (in an encoding where a newline byte is a newline, and within the file limit) cut into parts
    at newline bytes, grouped into tasks of about ``part_bytes`` each."""
    cut = defn.format == "jsonl" and line_safe(defn.encoding)
    limit = defn.cleaning["max_doc_bytes"] * 1000
    parts: list[_Part] = []
    for index, path in enumerate(files):
        try:
            size = os.stat(path).st_size
        except OSError:  # the reader records why
            parts.append(_Part(index, path))
            continue
        if not cut or size <= part_bytes or size > limit:
            parts.append(_Part(index, path, size=size))
            continue
        bounds = [0]
        with open(path, "rb") as fh:
            for at in range(part_bytes, size, part_bytes):
                if at <= bounds[-1]:
                    continue
                fh.seek(at - 1)  # a part starts just after a newline byte
                fh.readline()
                if bounds[-1] < fh.tell() < size:
                    bounds.append(fh.tell())
        parts += [_Part(index, path, i, a, b, size=b - a) for i, (a, b) in enumerate(zip(bounds, [*bounds[1:], size], strict=True))]
    counted = [p for p in parts if p.end is not None]
    if counted:
        lines = sc.parallelize(counted, len(counted)).map(lambda p: _newlines(p.path, p.start, p.end)).collect()
        first, done = {}, []
        for p, n in zip(counted, lines, strict=True):
            done.append(replace(p, first_line=first.get(p.index, 1)))
            first[p.index] = done[-1].first_line + n
        numbered = {(p.index, p.part): p for p in done}
        parts = [numbered.get((p.index, p.part), p) for p in parts]
    groups: list[list[_Part]] = []
    for p in parts:
        if groups and sum(q.size for q in groups[-1]) + p.size <= part_bytes:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _read_part(p: _Part, defn: CorpusDefinition, log: _Log, mojibake: list):
    """The records of one part of a JSONL file, counted in ``log``'s inputs as that file's; its
    mojibake (``(source, Lines.mojibake)``) is appended to ``mojibake``."""
    source = _source_name(defn, p.path)
    entry = {"source": source, "format": "jsonl", "records": 0}
    log.inputs.append(entry)
    lines = Lines(p.path, source, defn.encoding, keep_ends=False, start=p.start, end=p.end, first_line=p.first_line)
    yield from _jsonl_lines(defn, p.path, source, entry, lines, log)
    _close_records_file(lines, entry, log)
    if lines.mojibake:
        mojibake.append((source, lines.mojibake))


def _read_files(parts: Iterable[_Part], defn: CorpusDefinition) -> Iterator[tuple]:
    """Every record of some input files or parts of files (runs in a worker): ``("r", doc_id,
    order, where, row or None, skips, notes, removals)`` per record, ``("f", order, skips, notes,
    removals, inputs, mojibake)`` per file or part, ``("e", order, message)`` when a check stops
    loading."""
    plain_keys: set[str] = set()
    renamed: set = set()
    for p in parts:
        log = _Log()
        seq = 0
        found: list = []
        records = _READERS[defn.format](defn, [p.path], log) if p.end is None else _read_part(p, defn, log, found)
        try:
            for doc_id, source, line, fields in records:
                own = _Log()
                row = _admit_record(defn, doc_id, source, line, fields, own, plain_keys, renamed)
                yield "r", doc_id, (p.index, p.part, seq), f"{source}:{line}", row, own.skipped, own.notes, own.removals
                seq += 1
        except CorpusError as exc:
            yield "e", (p.index, p.part, seq), str(exc)
        yield "f", (p.index, p.part), log.skipped, log.notes, log.removals, log.inputs, found[0] if found else None


def _file_reports(reports: list[tuple], log: _Log) -> None:
    """Add the files' skips, notes, removals and inputs to ``log`` in file order: the parts of a
    file make one inputs row (their records added up) and one mojibake note (the first place, the
    places added up), as reading it whole does."""
    inputs: dict[str, dict] = {}
    mojibake: dict[str, list] = {}
    for _, skipped, notes, removals, entries, found in sorted(reports, key=lambda f: f[0]):
        log.skipped += skipped
        log.notes += notes
        log.removals += removals
        for e in entries:
            if e["source"] in inputs:
                inputs[e["source"]]["records"] += e["records"]
            else:
                inputs[e["source"]] = dict(e)
        if found is not None:
            source, (line, col, text, n) = found
            first = mojibake.setdefault(source, [line, col, text, 0])
            first[3] += n
    log.inputs += list(inputs.values())
    for source, found in mojibake.items():
        line, kind, detail = mojibake_note(source, found)
        log.note(source, line, kind, detail)


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
    # in input order, as the loader judges them: files in sorted path order, then line order
    subset = pd.DataFrame(rows)
    subset["_order"] = [
        (_path_order(source.replace("/", os.sep)), int(line) if isinstance(line, int | float) and line == line else 0)
        for source, line in zip(subset["source"], subset["line"], strict=True)
    ]
    subset = subset.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
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


def read_corpus(spark, definition: str | Path | CorpusDefinition, *, partitions: int | None = None,
                part_bytes: int = PART_BYTES) -> SparkCorpus:
    """Read the corpus described by ``definition`` in Spark.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    definition : str, Path or CorpusDefinition
        A corpus definition (YAML path) or a parsed one.
    partitions : int, optional
        Partitions of the documents after reading at least (default: Spark's default
        parallelism); there are as many as reading tasks when those are more.
    part_bytes : int
        Bytes of input per reading task, about (:data:`PART_BYTES`).

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
    groups = _plan_parts(sc, defn, _input_files(defn), part_bytes)
    items = sc.parallelize(groups, max(1, len(groups))).mapPartitions(lambda gs: _read_files((p for g in gs for p in g), defn))
    keep_on_disk(items)
    try:
        errors = items.filter(lambda x: x[0] == "e").collect()
        if errors:
            raise CorpusError(min(errors, key=lambda e: e[1])[2])
        log = _Log()
        _file_reports([x[1:] for x in items.filter(lambda x: x[0] == "f").collect()], log)
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
        renamed = set()  # a key the loader renames is noted once per file, by whichever part met it first
        for _, skipped, notes, removals in sorted(records.map(lambda r: (r[2], r[5], r[6], r[7])).filter(lambda x: any(x[1:])).collect()):
            log.skipped += skipped
            log.removals += removals
            for note in notes:
                if note[2] == "renamed_column":
                    if note in renamed:
                        continue
                    renamed.add(note)
                log.notes.append(note)
        language = defn.language
        docs = records.filter(lambda r: r[4] is not None).map(lambda r: _finish_row(r[4], language))
        keep_on_disk(docs)
        dropped, copy_of = _copies(docs, defn, log)
        kept = docs.filter(lambda d: d["doc_id"] not in dropped).map(lambda d: {**d, "copy_of": copy_of.get(d["doc_id"])})
        kept = keep_on_disk(kept.repartition(max(parts, len(groups))))
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
