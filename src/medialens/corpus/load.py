"""load_corpus: read, clean, label, de-duplicate and tokenise a corpus, cached."""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from pathlib import Path

import pandas as pd

from ..paths import cache_dir
from ..tokens import WordTable
from .cache import (
    _STAT_INDEX,
    _build_lock,
    _cache_key,
    _cache_not_written,
    _indexed_key,
    _load_cached,
    _stat_signature,
    _write_cache,
    cache_file_for,
)
from .cleaning import _clean_body
from .definition import (
    DOC_COLUMNS,
    NOTE_COLUMNS,
    REMOVAL_COLUMNS,
    SKIP_COLUMNS,
    CorpusDefinition,
    CorpusError,
    _parse_date,
    _reserved,
    read_definition,
)
from .labels import (
    _fields_to_find,
    _join_metadata,
    _missing_field_message,
    _one_line,
    _plain,
    _read_labels,
    _RepeatedIds,
    _see_fields,
)
from .readers import _input_files, _records_csv, _records_jsonl, _records_txt
from .table import Corpus, _Log


def load_corpus(definition: str | Path | CorpusDefinition, *, use_cache: bool = True, progress: bool = False) -> Corpus:
    """Load the corpus described by ``definition`` (a YAML path or a :class:`CorpusDefinition`).

    Raw files are only read. The result is cached under the project's cache folder keyed by the
    bytes of every input and every setting; ``use_cache=False`` always rebuilds. A cache folder
    that cannot be read or written (read-only, full) is not an error: the corpus is loaded without
    it, with a ``cache_not_written`` note and one warning.
    """
    defn = definition if isinstance(definition, CorpusDefinition) else read_definition(definition)
    files = _input_files(defn)
    if not use_cache:  # no cache to look up or write: the inputs need not be read twice for a key
        return _build(defn, files, None, progress=progress)
    stat_ns = time.time_ns()
    signature, newest = _stat_signature(defn, files)
    index = cache_dir() / f"corpus-{defn.name}-stat-{signature}.json"
    if _STAT_INDEX and (key := _indexed_key(index, newest, stat_ns)) is not None:
        if (corpus := _load_cached(cache_file_for(defn, key), defn)) is not None:
            return corpus
    key = _cache_key(defn, files)  # from the bytes: what a new build is stored under
    with _build_lock(cache_file_for(defn, key)):  # one build at a time; the others read what it cached
        corpus = _load_cached(cache_file_for(defn, key), defn)
        problem = None
        if corpus is None:
            corpus = _build(defn, files, key, progress=progress)
            if _stat_signature(defn, files)[0] != signature:  # an input changed while it was read:
                return corpus  # the key may not describe what was read, so nothing is cached
            problem = _write_cache(
                cache_file_for(defn, key), "wb", lambda fh: pickle.dump(corpus, fh, protocol=pickle.HIGHEST_PROTOCOL)
            )
    if _STAT_INDEX and problem is None:
        problem = _write_cache(index, "w", lambda fh: json.dump({"key": key, "stat_ns": stat_ns}, fh))
    return corpus if problem is None else _cache_not_written(corpus, problem)


def _build(defn: CorpusDefinition, files: list[str], key: str | None, *, progress: bool) -> Corpus:
    log = _Log()
    reader = {"txt": _records_txt, "csv": _records_csv, "jsonl": _records_jsonl}[defn.format]
    records = reader(defn, files, log)
    if progress:
        from .. import progress as bars

        records = bars.bar(records, total=len(files) if defn.format == "txt" else None, desc="reading", unit="doc", enabled=True)
    labels, label_columns = _read_labels(defn, log)  # first: a broken labels file stops before any input is read
    pending = _fields_to_find(defn, label_columns)  # declared fields no record has shown yet
    keys_seen: dict[str, set] = {}
    seen_ids: dict[str, str] = {}
    ids = _RepeatedIds(defn.duplicate_ids, seen_ids)
    inline = defn.documents
    plain_keys: set[str] = set()  # record keys kept under their own name (see _record_column)
    renamed: set[tuple[str, str]] = set()  # (source, key) of the keys kept as record_<key>
    for doc_id, source, line, fields in records:
        where = f"{source}:{line}"
        if doc_id in seen_ids:
            doc_id = ids.admit(doc_id, where, source, line, log)
            if doc_id is None:
                continue
        seen_ids[doc_id] = where
        if pending:
            pending = _see_fields(pending, fields, source, keys_seen, defn.fields)
        row = _admit_record(defn, doc_id, source, line, fields, log, plain_keys, renamed)
        if row is not None:
            log.docs.append(row)
    if pending and keys_seen:
        raise CorpusError(_missing_field_message(defn, pending, keys_seen, label_columns))
    unknown_inline = sorted(set(inline) - set(seen_ids))
    for doc_id in unknown_inline:
        log.note("", None, "unmatched_metadata", f"documents.{doc_id} in the definition matches no input", doc_id)
    docs = pd.DataFrame(log.docs)
    if docs.empty:
        docs = pd.DataFrame(columns=["doc_id", "source", "line", "outlet", "date", "title", "text"])
    docs = _join_metadata(defn, docs, labels, ids, log)
    docs, words = _finish(defn, docs, log)
    skipped = pd.DataFrame(log.skipped, columns=SKIP_COLUMNS).astype({"line": "Int64"})
    inputs = pd.DataFrame(log.inputs, columns=["source", "format", "records"])
    per_source_skips = skipped.groupby("source").size()
    per_source_kept = docs.groupby("source").size() if len(docs) else pd.Series(dtype=int)
    inputs["kept"] = inputs["source"].map(per_source_kept).fillna(0).astype(int)
    inputs["skipped"] = inputs["source"].map(per_source_skips).fillna(0).astype(int)
    return Corpus(
        name=defn.name,
        definition=defn,
        documents=docs.reset_index(drop=True),
        skipped=skipped,
        removals=pd.DataFrame(log.removals, columns=REMOVAL_COLUMNS).astype({"paragraph": "Int64"}),
        notes=pd.DataFrame(log.notes, columns=NOTE_COLUMNS).astype({"line": "Int64"}),
        inputs=inputs,
        key=key,
        words=words,
    )


def _admit_record(defn: CorpusDefinition, doc_id: str, source: str, line, fields: dict, log: _Log,
                  plain_keys: set[str], renamed: set) -> dict | None:
    """One record (its id already admitted) after the checks every record gets: size, date, empty
    body, cleaning; with its record keys and inline metadata. Returns the document row, or None
    when it is skipped (the skip is in ``log``). Used by the loader and by the Spark reader."""
    where = f"{source}:{line}"
    inline = defn.documents
    limit = defn.cleaning["max_doc_bytes"]  # .txt files are guarded whole, before reading
    body = fields.get("text", "")
    if defn.format != "txt" and len(body) * 4 > limit and (size := len(body.encode("utf-8"))) > limit:
        log.skip(source, line, "too_large", f"{where} text of {size:,} bytes is over max_doc_bytes = {limit:,}", doc_id)
        return None
    date_raw = fields.get("date")
    date = None
    if date_raw not in (None, ""):
        date, err = _parse_date(date_raw)
        if err and (whole := fields.get("_date_text")):  # a .txt date line: quote all of it
            err = _parse_date(whole if len(whole) <= 60 else whole[:59] + "…")[1]
            err += f" (the date is the line's first word, {date_raw!r})"
        if err:
            date_line = fields.get("_date_line", line)
            msg = f"{source}:{date_line} {err}"
            if defn.cleaning["bad_date"] == "error":
                raise CorpusError(msg)
            if defn.cleaning["bad_date"] == "skip":
                log.skip(source, date_line, "bad_date", msg, doc_id)
                return None
            log.note(source, date_line, "bad_date", msg + "; kept with date missing", doc_id)
    if not body.strip():
        log.skip(source, line, "empty_body" if defn.format == "txt" else "empty", f"{where} has no body text", doc_id)
        return None
    text = _clean_body(doc_id, body, defn.cleaning, log, source, fields.get("_changes"))
    if not text.strip():
        log.skip(source, line, "empty_body", f"{where} has no text left after cleaning", doc_id)
        return None
    meta = inline.get(doc_id)
    if date is None and date_raw in (None, "") and not (meta and meta.get("date")):
        log.note(source, line, "date_missing", "no date; kept with date missing", doc_id)
    row = {
        "doc_id": doc_id,
        "source": source,
        "line": line,
        "outlet": _one_line(fields.get("outlet")),
        "date": date,
        "title": _one_line(fields.get("title")),
        "text": text,
    }
    extra = fields.get("_extra")
    if extra:
        for k, v in extra.items():
            if k in plain_keys:
                row[k] = v
            else:  # first time this key is seen in this source, or a loader column
                row[_record_column(k, source, plain_keys, renamed, log)] = v
    if meta:
        for k, v in meta.items():
            row[k] = _plain(v)
    return row


def _record_column(key: str, source: str, plain_keys: set[str], renamed: set, log: _Log) -> str:
    """The document column for an unmapped record key: its own name, unless that is a column the
    loader sets (or ``outlet``, ``date``, ``title`` when ``fields`` maps another key there, or a name
    starting with ``_``): then ``record_<key>``, noted once per file (``renamed_column``)."""
    if not (_reserved(key) or key in ("outlet", "date", "title")):
        plain_keys.add(key)
        return key
    target = "record_" + key.lstrip("_")
    if (source, key) not in renamed:
        renamed.add((source, key))
        log.note(
            source, None, "renamed_column",
            f"{source}: key {key!r} is a column the loader sets; kept as {target!r} (or map it in fields)", key,
        )
    return target


def _content_hash(text: str) -> str:
    """Hash of the text with white space collapsed and case folded (equal hash: exact duplicate)."""
    # str.split() splits on exactly the characters re's \s matches (Py_UNICODE_ISSPACE), so this is
    # re.sub(r"\s+", " ", text).strip() without a match object per space (5x faster)
    canon = " ".join(text.split()).casefold()
    return hashlib.blake2b(canon.encode("utf-8"), digest_size=12).hexdigest()


def _exact_copies(defn: CorpusDefinition, docs: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Apply the exact-copy policies to ``docs`` (in input order, with ``content_hash``).

    Each document is judged against the first earlier document with the same text (earlier in
    input order: files in sorted order, then line order, whatever the ids): the first in
    its own outlet while that one is kept (``cleaning.duplicates_within_outlet``), else the first
    of all, in another outlet (``cleaning.duplicates_across_outlets``). Documents without an outlet
    form one group. ``drop`` skips it (reason ``duplicate``), ``flag`` keeps it with ``copy_of``
    naming the kept document and a ``copy`` note, ``keep`` keeps it unmarked. Skips and notes name
    both documents with their outlet and labels. Returns the documents kept, with ``copy_of``.
    """
    docs["copy_of"] = None
    repeated = docs["content_hash"].duplicated(keep=False)
    if not repeated.any():
        return docs
    within, across = defn.cleaning["duplicates_within_outlet"], defn.cleaning["duplicates_across_outlets"]
    sub = docs.loc[repeated]
    label_cols = [c for c in sub.columns if not _reserved(c) and c not in ("date", "title", "outlet")]
    rows = dict(zip(sub.index, sub[["doc_id", "source", "line", "outlet", *label_cols]].itertuples(index=False), strict=True))
    first: dict[str, int] = {}  # content hash -> its first document
    first_in: dict[tuple, int] = {}  # (content hash, outlet) -> the first document there
    dropped: set[int] = set()
    copy_of: dict[int, str] = {}
    for i, h in zip(sub.index, sub["content_hash"], strict=True):
        outlet = rows[i][3] if isinstance(rows[i][3], str) and rows[i][3] else None
        if h not in first:
            first[h] = first_in[(h, outlet)] = i
            continue
        own = first_in.setdefault((h, outlet), i)
        if own != i and own not in dropped:
            policy, ref, scope = within, own, "in the same outlet"
        else:
            policy, ref, scope = across, first[h], "in another outlet"
        if policy == "keep":
            continue
        doc_id, source, line = rows[i][:3]
        detail = f"same text as {rows[ref][0]}, {scope} ({_who(rows[i], label_cols)}; {_who(rows[ref], label_cols)})"
        if policy == "drop":
            log.skip(source, line, "duplicate", detail, doc_id)
            dropped.add(i)
        else:
            copy_of[i] = rows[ref][0]
            log.note(source, line, "copy", detail, doc_id)
    if copy_of:
        docs["copy_of"] = pd.Series([copy_of.get(i) for i in docs.index], index=docs.index, dtype=object)
    return docs.drop(index=sorted(dropped)).reset_index(drop=True) if dropped else docs


def _who(row: tuple, label_cols: list[str]) -> str:
    """A document in a copy report: ``doc_id``, outlet and labels (``row``: doc_id, source, line,
    outlet, then the values of ``label_cols``, the metadata columns)."""
    outlet = row[3]
    parts = [f"{row[0]}: " + (f"outlet {outlet!r}" if isinstance(outlet, str) and outlet else "no outlet")]
    for col, value in zip(label_cols, row[4:], strict=True):
        if isinstance(value, str | int | float) and not isinstance(value, bool) and value == value and value != "":
            parts.append(f"{col} {str(value)[:60]!r}")
    return ", ".join(parts)


def _finish(defn: CorpusDefinition, docs: pd.DataFrame, log: _Log) -> tuple[pd.DataFrame, WordTable]:
    """Derived columns, exact-duplicate collapse, the word table, near-duplicate flags, language."""
    if docs.empty:
        for col in DOC_COLUMNS:
            if col not in docs.columns:
                docs[col] = pd.Series(dtype=object)
        return docs[DOC_COLUMNS], WordTable.from_texts([], [])
    # copies are judged in input order (files in sorted order, then line order): the first record
    # written is the original, whatever the ids; the documents are then listed by doc_id
    docs["content_hash"] = [_content_hash(t) for t in docs["text"]]
    docs = _exact_copies(defn, docs.reset_index(drop=True), log)
    input_order = docs["doc_id"].tolist()
    docs = docs.sort_values("doc_id", kind="stable").reset_index(drop=True)
    # every text is split into words once, here; cleaning left the texts normalised
    words = WordTable.from_texts(docs["doc_id"].tolist(), docs["text"].tolist(), normalised=True)
    from ..dedup import near_duplicates

    # on the lowercased words of the word table (no text is split again), in input order
    in_order = words if input_order == words.doc_ids else words.select(input_order)
    near = near_duplicates(
        in_order.doc_ids, in_order.lowercase_ids(), in_order.offsets, threshold=defn.cleaning["near_duplicate_threshold"]
    )
    near_of = dict(zip(in_order.doc_ids, near, strict=True))
    docs["near_duplicate_of"] = [near_of[d] for d in words.doc_ids]
    docs["month"] = docs["date"].map(lambda d: d[:7] if isinstance(d, str) else None)
    docs["n_chars"] = docs["text"].str.len()
    docs["n_paragraphs"] = words.paragraph_counts()  # the paragraphs of the word table (split_paragraphs)
    if defn.cleaning["detect_language"]:
        from ..language import detect_languages

        docs["language"] = detect_languages(docs["text"].tolist(), defn.cleaning["languages"])
        mismatch = docs["language"] != defn.language
        for _, row in docs.loc[mismatch].iterrows():
            log.note(row["source"], row["line"], "language", f"detected {row['language']!r}, corpus language is {defn.language!r}", row["doc_id"])
    else:
        docs["language"] = defn.language
    keep_langs = defn.cleaning["keep_languages"]
    if keep_langs:
        off = ~docs["language"].isin(keep_langs)
        for _, row in docs.loc[off].iterrows():
            log.skip(row["source"], row["line"], "language", f"language {row['language']!r} not in {keep_langs}", row["doc_id"])
        docs = docs.loc[~off].reset_index(drop=True)
        words = words.select(docs["doc_id"].tolist())
    for col in ("outlet", "date", "title"):
        docs[col] = docs[col].astype(object).where(docs[col].notna() & (docs[col] != ""), None)
    extra = [c for c in docs.columns if c not in DOC_COLUMNS and not c.startswith("_")]
    docs = docs[DOC_COLUMNS + sorted(extra)]
    return docs.astype({"line": "Int64", "n_chars": "int64", "n_paragraphs": "int64"}), words
