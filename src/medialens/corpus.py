"""Read a corpus definition, load every input, lose nothing.

A corpus definition is a small YAML file (``corpus/seeds.yaml`` for the embedded seeds)::

    name: seeds                      # used for report and cache names
    language: nl                     # expected language (ISO 639-1)
    source:
      path: ../seeds                 # relative to this YAML file
      format: txt                    # txt | csv | jsonl
      pattern: "*.txt"               # for folders
      encoding: utf-8                # decoded strictly; declare cp1252 for Windows exports
      duplicate_ids: first           # first | error | suffix (a repeated id: skipped, fatal, or id~2)
    fields: {id: id, text: text, date: date, outlet: outlet, title: title}   # csv / jsonl
    metadata: {path: meta.csv, key: doc_id}      # optional labels file (csv or jsonl) joined on a key
    documents: {<doc_id>: {outlet: ..., ...}}   # optional per-document metadata inline
    cleaning: {boilerplate: true, html: auto, max_doc_bytes: 5000000, near_duplicate_threshold: 0.8,
               duplicates_within_outlet: drop, duplicates_across_outlets: flag}

Fields. A ``fields`` entry for ``date``, ``outlet`` or ``title`` names a key of the records or a
column of the labels file (the records' value wins, the labels file fills where a record has none;
in ``.txt`` sources these come from header lines, so an entry there must name a labels column). An
entry that neither the records nor the labels file has stops loading with an error naming the
field, the file and the keys it does have. Other record keys become columns of their own; one named
like a column the loader sets (``source``, ``language``, ``_id``, ...) is kept as ``record_<key>``
and noted (``renamed_column``).

Metadata. A labels file (``metadata.path``; CSV or JSONL by its extension ``.csv``, ``.jsonl``,
``.ndjson`` or a declared ``metadata.format``; ``metadata.encoding`` defaults to the source's) and
inline ``documents:`` may set ``outlet``, ``date``, ``title`` and columns of their own, never a
column the loader sets (:data:`RESERVED_COLUMNS` and names starting with ``_``). Inline values
replace the record's; the labels file fills only what the document does not say, and a value that
differs from the document's own is noted (``metadata_conflict``). A date from metadata is checked
like any date: inline (a YAML date object too) when the definition is read, from a labels file by
``cleaning.bad_date``. A labels key that repeats: the first row is used and the others noted
(an error under ``duplicate_ids: error``; paired by occurrence under ``suffix``, below).

Repeated ids (``source.duplicate_ids``). ``first`` keeps the first record and skips the others
(``duplicate_id``); ``error`` stops loading; ``suffix`` keeps every record, the n-th occurrence of
id X as ``X~n``, and pairs a labels file whose key X repeats by occurrence (its n-th row labels
``X~n``, as a line-by-line pairing would; a key given once labels every occurrence); labels that
differ for one key are noted (``metadata_conflict``), as is a count that does not match.

Exact copies (the same text once case and white space are ignored). Each document is compared
with the first earlier one (in ``doc_id`` order) with the same text: in its own outlet by
``cleaning.duplicates_within_outlet`` (default ``drop``: skipped as ``duplicate``), otherwise in
another outlet by ``cleaning.duplicates_across_outlets`` (default ``flag``: kept, with ``copy_of``
naming the kept document, because each outlet chose to print it); ``keep`` leaves it unmarked.
Documents without an outlet are one group. Skips and ``copy`` notes name both documents with their
outlet and labels. Near-duplicates are only flagged (``near_duplicate_of``, :mod:`medialens.dedup`).

``.txt`` files may start with header lines ``date YYYY-MM[-DD]``, ``title …`` and ``outlet …``;
what happens to a repeated, empty, over-long or misplaced header line is set out in
:func:`_split_txt_headers` (each case is kept out of the body or kept in it on purpose, with a
note). CSV and JSONL files are streamed by :mod:`medialens.records`: a bad byte costs one line or
record, a broken CSV quote never lets the lines of a quoted field be read as rows.

:func:`load_corpus` returns a :class:`Corpus`: one document table plus the skip report, the
cleaning log and the input totals, so that ``processed + skipped == inputs`` can be checked, and
the word table (every document split into words once, :class:`medialens.tokens.WordTable`).
Results are cached on disk under a key made from the inputs' bytes and every setting.
"""

from __future__ import annotations

import csv
import datetime
import fnmatch
import hashlib
import html
import io
import json
import logging
import os
import pickle
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, validate
from .grouping import group_labels, group_order
from .paths import atomic_write, cache_dir, relative_to_root, resolve
from .records import _C1_CHARS, _MOJIBAKE_LEADS, _MOJIBAKE_RE, Lines, csv_rows, line_safe
from .text import (
    TextSettings,
    Tokenizer,
    normalise,
    normalise_counted,
    paragraph_table,
    split_paragraphs,
    split_sentences,
)
from .tokens import WordTable
from .yamlfile import YamlError, load_yaml

__all__ = [
    "CorpusDefinition",
    "CorpusError",
    "Corpus",
    "load_corpus",
    "read_definition",
    "house_style_markers",
    "SKIP_REASONS",
]

FORMATS = ("txt", "csv", "jsonl")
DOC_COLUMNS = [
    "doc_id", "source", "line", "outlet", "date", "month", "title", "text", "language",
    "n_chars", "n_paragraphs", "content_hash", "copy_of", "near_duplicate_of",
]
SKIP_COLUMNS = ["source", "line", "reason", "detail", "doc_id"]
NOTE_COLUMNS = ["source", "line", "kind", "detail", "doc_id"]
REMOVAL_COLUMNS = ["doc_id", "kind", "paragraph", "chars", "excerpt"]

#: Every reason an input can be skipped for, with what it means.
SKIP_REASONS = {
    "empty": "the file or record has no text at all",
    "unreadable": "the file could not be opened or read (permissions)",
    "empty_body": "only header lines, no body text",
    "too_large": "larger than cleaning.max_doc_bytes",
    "nul_byte": "contains NUL bytes (binary or UTF-16 data)",
    "decode_error": "bytes invalid in the declared encoding",
    "control_chars": "C1 control characters after decoding (wrong encoding declared?)",
    "bad_date": "a date header or field that is not YYYY-MM or YYYY-MM-DD",
    "bad_row": "a CSV row with the wrong number of fields or broken quoting",
    "bad_json": "a JSONL line that is not a JSON object, has duplicate keys or NaN",
    "missing_field": "a record without the declared text or id field",
    "duplicate_id": "a record whose id was already used by an earlier record",
    "duplicate": "the same normalised text as an earlier document kept in the same outlet (or in any outlet,"
    " by cleaning.duplicates_across_outlets: drop)",
    "language": "language not in cleaning.keep_languages",
}


class CorpusError(ValueError):
    """A problem with the corpus definition or its inputs that stops loading."""


# --------------------------------------------------------------------------------------------
# Definition
# --------------------------------------------------------------------------------------------
_DEFAULT_CLEANING = {
    "boilerplate": True,
    "html": "auto",  # auto | strip | keep
    "max_doc_bytes": 5_000_000,
    "near_duplicate_threshold": 0.8,
    "detect_language": True,
    "languages": ["nl", "en", "de", "fr"],
    "keep_languages": None,  # None keeps all
    "bad_date": "skip",  # skip | keep (date missing, noted) | error
    "duplicates_within_outlet": "drop",  # drop | flag | keep: exact copies within one outlet
    "duplicates_across_outlets": "flag",  # drop | flag | keep: the same text in another outlet
}
_DEFAULT_FIELDS = {"id": None, "text": "text", "date": "date", "outlet": "outlet", "title": "title"}
_COPY_POLICIES = ("drop", "flag", "keep")
DUPLICATE_ID_POLICIES = ("first", "error", "suffix")
#: Document columns the loader itself sets: metadata (a labels file, inline ``documents:``) may not
#: set them. Names starting with ``_`` are reserved too. Metadata may set ``outlet``, ``date``
#: (validated like any date) and ``title``, and any column of its own.
RESERVED_COLUMNS = frozenset(
    {
        "doc_id", "source", "line", "text", "month", "language", "n_chars", "n_paragraphs",
        "content_hash", "copy_of", "near_duplicate_of",
    }
)
LABEL_FORMATS = ("csv", "jsonl")


@dataclass(frozen=True)
class CorpusDefinition:
    """A parsed, validated corpus definition. Paths are absolute."""

    name: str
    path: Path
    format: str
    pattern: str = "*.txt"
    encoding: str = "utf-8"
    language: str = "nl"
    fields: dict = field(default_factory=lambda: dict(_DEFAULT_FIELDS))
    metadata_path: Path | None = None
    metadata_key: str = "doc_id"
    metadata_format: str = "csv"
    metadata_encoding: str | None = None  # None: source.encoding
    duplicate_ids: str = "first"
    declared_fields: tuple = ()
    documents: dict = field(default_factory=dict)
    cleaning: dict = field(default_factory=lambda: dict(_DEFAULT_CLEANING))
    definition_file: Path | None = None
    description: str = ""
    quotes: dict = field(default_factory=lambda: {"descriptor_hints": {}})

    def settings(self) -> dict:
        """Everything that changes the loaded corpus, for the cache key."""
        return {
            "name": self.name,
            "format": self.format,
            "pattern": self.pattern,
            "encoding": self.encoding,
            "language": self.language,
            "fields": self.fields,
            "metadata_key": self.metadata_key,
            "metadata_format": self.metadata_format,
            "metadata_encoding": self.metadata_encoding,
            "duplicate_ids": self.duplicate_ids,
            "declared_fields": self.declared_fields,
            "documents": self.documents,
            "cleaning": self.cleaning,
            "version": __version__,
        }


def _need(cond: bool, where: str, msg: str) -> None:
    if not cond:
        raise CorpusError(f"{where}: {msg}")


#: A corpus name is one plain folder name: no separators, no '.' or '..', no leading '-' or '.',
#: no trailing '.' (Windows drops it), so reports/<name>/ can only be a folder inside reports/.
_NAME_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,98}[A-Za-z0-9_-])?")


def read_definition(path: str | Path) -> CorpusDefinition:
    """Read and validate a corpus definition YAML file (relative paths from the project root)."""
    file = resolve(path)
    if not file.is_file():
        raise CorpusError(f"corpus definition {path}: no such file ({file})")
    try:
        raw = load_yaml(file)
    except YamlError as exc:
        raise CorpusError(str(exc)) from None
    where = file.name
    _need(isinstance(raw, dict), where, "must be a mapping with at least 'name' and 'source'")
    known = {"name", "description", "language", "source", "fields", "metadata", "documents", "cleaning", "quotes"}
    unknown = sorted(set(raw) - known)
    _need(not unknown, where, f"unknown keys {unknown}; known keys are {sorted(known)}")
    name = raw.get("name")
    _need(
        isinstance(name, str) and _NAME_RE.fullmatch(name) is not None,
        where,
        f"name = {name!r}: a plain folder name of letters, digits, '-', '_' and inner '.' "
        "(at most 100; it names reports/<name>/, figures/<name>/ and the cache files)",
    )
    src = raw.get("source")
    _need(isinstance(src, dict) and "path" in src, where, "source.path is required")
    fmt = src.get("format", "txt")
    _need(fmt in FORMATS, where, f"source.format = {fmt!r}: choose one of {FORMATS}")
    data_path = resolve(src["path"], base=file.parent)
    _need(data_path.exists(), where, f"source.path = {src['path']!r}: {data_path} does not exist")
    encoding = src.get("encoding", "utf-8")
    try:
        "x".encode(encoding)
    except LookupError:
        raise CorpusError(f"{where}: source.encoding = {encoding!r} is not a known encoding") from None
    fields = dict(_DEFAULT_FIELDS)
    extra_fields = raw.get("fields") or {}
    _need(isinstance(extra_fields, dict), where, "fields must be a mapping")
    bad = sorted(set(extra_fields) - set(_DEFAULT_FIELDS))
    _need(not bad, where, f"fields: unknown keys {bad}; known: {sorted(_DEFAULT_FIELDS)}")
    fields.update(extra_fields)
    for key, col in extra_fields.items():
        _need(
            (key != "text" and col is None) or (isinstance(col, str) and col.strip() != ""),
            where,
            f"fields.{key} = {col!r}: name a column (or key) of the records or of the labels file",
        )
    duplicate_ids = src.get("duplicate_ids", "first")
    _need(
        duplicate_ids in DUPLICATE_ID_POLICIES,
        where,
        f"source.duplicate_ids = {duplicate_ids!r}: choose one of {DUPLICATE_ID_POLICIES}",
    )
    cleaning = dict(_DEFAULT_CLEANING)
    extra_cleaning = raw.get("cleaning") or {}
    bad = sorted(set(extra_cleaning) - set(_DEFAULT_CLEANING))
    _need(not bad, where, f"cleaning: unknown keys {bad}; known: {sorted(_DEFAULT_CLEANING)}")
    cleaning.update(extra_cleaning)
    _need(cleaning["html"] in ("auto", "strip", "keep"), where, "cleaning.html: auto, strip or keep")
    _need(cleaning["bad_date"] in ("skip", "keep", "error"), where, "cleaning.bad_date: skip, keep or error")
    for key in ("duplicates_within_outlet", "duplicates_across_outlets"):
        _need(
            cleaning[key] in _COPY_POLICIES, where, f"cleaning.{key} = {cleaning[key]!r}: choose one of {_COPY_POLICIES}"
        )
    _need(
        isinstance(cleaning["max_doc_bytes"], int) and cleaning["max_doc_bytes"] > 0,
        where,
        "cleaning.max_doc_bytes must be a positive whole number",
    )
    for key in ("boilerplate", "detect_language"):
        _need(isinstance(cleaning[key], bool), where, f"cleaning.{key} = {cleaning[key]!r}: must be true or false")
    for key in ("languages", "keep_languages"):
        value = cleaning[key]
        _need(
            (value is None and key == "keep_languages")
            or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
            where,
            f"cleaning.{key} = {value!r}: give a list of ISO 639-1 codes, e.g. [nl, en]",
        )
    ndt = cleaning["near_duplicate_threshold"]
    _need(
        ndt is None or (isinstance(ndt, int | float) and not isinstance(ndt, bool) and 0 < ndt <= 1),
        where,
        f"cleaning.near_duplicate_threshold = {ndt!r}: a share of shared word sequences between 0 and 1 (e.g. 0.8)",
    )
    meta = _metadata_spec(raw.get("metadata"), file.parent, where)
    documents = _inline_documents(raw.get("documents"), where)
    return CorpusDefinition(
        name=name,
        path=data_path,
        format=fmt,
        pattern=src.get("pattern", {"txt": "*.txt", "csv": "*.csv", "jsonl": "*.jsonl"}[fmt]),
        encoding=encoding,
        language=raw.get("language", "nl"),
        fields=fields,
        metadata_path=meta["path"],
        metadata_key=meta["key"],
        metadata_format=meta["format"],
        metadata_encoding=meta["encoding"],
        duplicate_ids=duplicate_ids,
        declared_fields=tuple(sorted(k for k in ("date", "outlet", "title") if extra_fields.get(k) is not None)),
        documents=documents,
        cleaning=cleaning,
        definition_file=file,
        description=str(raw.get("description", "")),
        quotes=_quote_settings(raw.get("quotes"), where),
    )


def _metadata_spec(meta: Any, base: Path, where: str) -> dict:
    """Check the ``metadata:`` entry (a labels file). Returns ``path`` (absolute or None), ``key``,
    ``format`` (``csv`` or ``jsonl``: declared, else from the file's extension) and ``encoding``."""
    spec = {"path": None, "key": "doc_id", "format": "csv", "encoding": None}
    if meta is None:
        return spec
    _need(isinstance(meta, dict) and "path" in meta, where, "metadata needs 'path' (and 'key')")
    known = {"path", "key", "format", "encoding"}
    unknown = sorted(set(meta) - known)
    _need(not unknown, where, f"metadata: unknown keys {unknown}; known: {sorted(known)}")
    path = resolve(meta["path"], base=base)
    _need(path.is_file(), where, f"metadata.path = {meta['path']!r}: no such file")
    key = meta.get("key", "doc_id")
    _need(isinstance(key, str) and key.strip() != "", where, f"metadata.key = {key!r}: name the labels file's id column")
    ext = path.suffix.lower()
    fmt = meta.get("format", "jsonl" if ext in (".jsonl", ".ndjson") else "csv")
    _need(fmt in LABEL_FORMATS, where, f"metadata.format = {fmt!r}: choose one of {LABEL_FORMATS}")
    encoding = meta.get("encoding")
    if encoding is not None:
        try:
            "x".encode(encoding)
        except (LookupError, TypeError):
            raise CorpusError(f"{where}: metadata.encoding = {encoding!r} is not a known encoding") from None
    return {"path": path, "key": key.strip(), "format": fmt, "encoding": encoding}


def _inline_documents(documents: Any, where: str) -> dict:
    """Check inline ``documents:`` metadata: each entry a mapping, no reserved column, a ``date``
    valid like any date (a YAML date object becomes its ``YYYY-MM-DD`` text). Returns
    ``{doc_id: {column: value}}``."""
    documents = documents or {}
    _need(isinstance(documents, dict), where, "documents must map doc_id to metadata")
    out = {}
    for doc_id, values in documents.items():
        _need(isinstance(values, dict), where, f"documents.{doc_id} must be a mapping")
        values = dict(values)
        for col in values:
            _need(
                not _reserved(str(col)),
                where,
                f"documents.{doc_id}.{col}: {col!r} is a column the loader sets; metadata may set outlet,"
                " date, title and columns of its own",
            )
        if values.get("date") is not None:
            date, err = _parse_date(_date_text(values["date"]))
            _need(err is None, where, f"documents.{doc_id}.date: {err}")
            values["date"] = date
        out[str(doc_id)] = values
    return out


def _reserved(column: str) -> bool:
    return column in RESERVED_COLUMNS or column.startswith("_")


def _date_text(value: Any) -> str:
    """A date value from metadata as text: a YAML date object gives ``YYYY-MM-DD``; a date with a
    time of day keeps it (and is refused as not YYYY-MM or YYYY-MM-DD)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _quote_settings(raw: Any, where: str) -> dict:
    """The definition's ``quotes`` section: ``descriptor_hints`` (description word -> surname)."""
    quotes = {"descriptor_hints": {}} if raw is None else raw
    _need(isinstance(quotes, dict), where, "quotes must be a mapping (e.g. quotes: {descriptor_hints: {noor: Stoltenberg}})")
    bad = sorted(set(quotes) - {"descriptor_hints"})
    _need(not bad, where, f"quotes: unknown keys {bad}; known: ['descriptor_hints']")
    hints = quotes.get("descriptor_hints") or {}
    _need(
        isinstance(hints, dict) and all(isinstance(k, str) and isinstance(v, str) and k and v for k, v in hints.items()),
        where,
        f"quotes.descriptor_hints = {hints!r}: map a description word to a surname, e.g. {{noor: Stoltenberg}}",
    )
    return {"descriptor_hints": {k.lower(): v for k, v in sorted(hints.items())}}


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------
@dataclass
class Corpus:
    """A loaded corpus.

    Attributes
    ----------
    documents : DataFrame
        One row per document kept: ``doc_id, source, line, outlet, date, month, title, text,
        language, n_chars, n_paragraphs, content_hash, copy_of, near_duplicate_of`` plus metadata
        columns (``copy_of``: the kept document with the same text in another outlet, when flagged).
    skipped : DataFrame
        One row per input (file, row or line) not in ``documents``: ``source, line, reason,
        detail, doc_id``.
    removals : DataFrame
        What cleaning removed: ``doc_id, kind, paragraph, chars, excerpt``.
    notes : DataFrame
        Things worth knowing that did not cost a document (BOM stripped, date missing, ...).
    inputs : DataFrame
        Per input file: ``source, format, records, kept, skipped``.
    words : WordTable
        Every document's words, split once while loading, in the order of ``documents``
        (:class:`medialens.tokens.WordTable`; ``words.tokens(settings)`` gives each document's
        tokens, the same as ``Tokenizer(settings)(text)``).
    key : str or None
        The cache key: a hash of every input's bytes, every setting and the loader's code
        (``None`` when loaded with ``use_cache=False``, which neither reads nor writes the cache).
    """

    name: str
    definition: CorpusDefinition
    documents: pd.DataFrame
    skipped: pd.DataFrame
    removals: pd.DataFrame
    notes: pd.DataFrame
    inputs: pd.DataFrame
    key: str | None
    words: WordTable | None = None
    from_cache: bool = False
    _paragraphs: pd.DataFrame | None = None
    _sentences: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.documents)

    def __repr__(self) -> str:
        return (
            f"<Corpus {self.name!r}: {len(self.documents)} documents, "
            f"{len(self.skipped)} skipped, from {len(self.inputs)} input file(s)>"
        )

    def summary(self) -> pd.DataFrame:
        """Totals that must add up: inputs = kept + skipped."""
        records = int(self.inputs["records"].sum())
        return pd.DataFrame(
            {
                "count": [
                    len(self.inputs), records, len(self.documents), len(self.skipped),
                    int(self.documents["date"].isna().sum()),
                    int(self.documents["copy_of"].notna().sum()),
                    int(self.documents["near_duplicate_of"].notna().sum()),
                    len(self.removals),
                ]
            },
            index=pd.Index(
                [
                    "input files", "input records", "documents kept", "records skipped",
                    "documents without date", "exact copies flagged", "near-duplicates flagged",
                    "boilerplate removals",
                ],
                name="what",
            ),
        )

    def paragraphs(self) -> pd.DataFrame:
        """One row per paragraph: ``doc_id, paragraph (1-based), kind (heading|body), text``."""
        if self._paragraphs is None:
            self._paragraphs = paragraph_table(self.documents)
        return self._paragraphs

    def sentences(self) -> pd.DataFrame:
        """One row per sentence: ``doc_id, paragraph, sentence (1-based within the document),
        text``. Headings are single sentences."""
        if self._sentences is None:
            rows = []
            for doc_id, group in self.paragraphs().groupby("doc_id", sort=False):
                n = 0
                for para, kind, text in zip(group["paragraph"], group["kind"], group["text"], strict=True):
                    for sent in [text] if kind == "heading" else split_sentences(text):
                        n += 1
                        rows.append((doc_id, para, n, sent))
            self._sentences = pd.DataFrame(rows, columns=["doc_id", "paragraph", "sentence", "text"])
        return self._sentences


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
class _Log:
    """Collects documents, skips, notes and removals while reading."""

    def __init__(self) -> None:
        self.docs: list[dict] = []
        self.skipped: list[tuple] = []
        self.notes: list[tuple] = []
        self.removals: list[tuple] = []
        self.inputs: list[dict] = []

    def skip(self, source: str, line: int | None, reason: str, detail: str, doc_id: str | None = None) -> None:
        assert reason in SKIP_REASONS, reason
        self.skipped.append((source, line, reason, detail, doc_id))

    def note(self, source: str, line: int | None, kind: str, detail: str, doc_id: str | None = None) -> None:
        self.notes.append((source, line, kind, detail, doc_id))


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def _decode(data: bytes, encoding: str, source: str, log: _Log) -> str | None:
    """Strictly decode ``data``; on failure record a skip with line, column and a hint.

    Text in an encoding whose bytes may hold zeros (UTF-16, UTF-32) is decoded before it is
    checked for NUL characters; in any other encoding a NUL byte is refused before decoding.
    Returns the text, or None when the input is skipped."""
    if not line_safe(encoding):
        return _decode_wide(data, encoding, source, log)
    if b"\x00" in data:
        line, col = _line_col(data, data.index(b"\x00"))
        hint = " (UTF-16 text? declare or convert it to UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        log.skip(source, line, "nul_byte", f"{source}:{line}:{col} NUL byte{hint}")
        return None
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-8", "utf8", "utf-8-sig"):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
            log.note(source, 1, "bom", "UTF-8 byte order mark removed")
        enc = "utf-8"
    try:
        text = data.decode(enc, errors="strict")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        bad = data[exc.start]
        hint = ""
        if enc == "utf-8":
            try:
                data.decode("cp1252")
                hint = " (is it cp1252? declare source.encoding: cp1252)"
            except UnicodeDecodeError:
                pass
        log.skip(source, line, "decode_error", f"{source}:{line}:{col} byte 0x{bad:02x} is not valid {encoding}{hint}")
        return None
    # a substring test per character first: far faster than a scan with a character class, and
    # the scans run only when one of the characters they look for occurs at all (same results)
    plain = text.isascii()  # O(1): no C1 character, no mojibake
    c1 = re.search("[\u0080-\u009f]", text) if not plain and any(c in text for c in _C1_CHARS) else None
    if c1:
        prefix = text[: c1.start()]
        line = prefix.count("\n") + 1
        col = c1.start() - (prefix.rfind("\n") + 1) + 1
        log.skip(
            source, line, "control_chars",
            f"{source}:{line}:{col} control character U+{ord(c1.group()):04X} after decoding as {encoding}"
            " (is it cp1252?)",
        )
        return None
    moji = _MOJIBAKE_RE.search(text) if not plain and any(c in text for c in _MOJIBAKE_LEADS) else None
    if moji:
        prefix = text[: moji.start()]
        line = prefix.count("\n") + 1
        col = moji.start() - (prefix.rfind("\n") + 1) + 1
        n = len(_MOJIBAKE_RE.findall(text))
        log.note(
            source, line, "mojibake",
            f"{source}:{line}:{col} {moji.group()!r} looks like UTF-8 read as cp1252 ({n} place(s));"
            " kept as is: re-export the file as UTF-8 to repair it",
        )
    return text


def _decode_wide(data: bytes, encoding: str, source: str, log: _Log) -> str | None:
    """Decode UTF-16/UTF-32 ``data`` strictly, then refuse NUL and C1 control characters."""
    try:
        text = data.decode(encoding, errors="strict")
    except UnicodeDecodeError as exc:
        log.skip(source, None, "decode_error", f"{source}: bytes {exc.start}–{exc.end} are not valid {encoding}: {exc.reason}")
        return None
    for pattern, reason, what in (("\x00", "nul_byte", "NUL character"), ("[\u0080-\u009f]", "control_chars", "control character")):
        if (m := re.search(pattern, text)) is not None:
            prefix = text[: m.start()]
            line, col = prefix.count("\n") + 1, m.start() - (prefix.rfind("\n") + 1) + 1
            log.skip(source, line, reason, f"{source}:{line}:{col} {what} U+{ord(m.group()):04X} after decoding as {encoding}")
            return None
    return text


_DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def _parse_date(value: str) -> tuple[str | None, str | None]:
    """Return (date, error). Accepts YYYY-MM and YYYY-MM-DD with a real month/day."""
    value = value.strip()
    m = _DATE_RE.match(value)
    if not m:
        return None, f"date {value!r} is not YYYY-MM or YYYY-MM-DD"
    year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
    if not 1 <= month <= 12:
        return None, f"date {value!r} has month {month:02d}"
    if day is not None:
        try:
            pd.Timestamp(year=year, month=month, day=int(day))
        except ValueError:
            return None, f"date {value!r} is not a calendar day"
    return value, None


_HEADER_RE = re.compile(r"^[ \t]*(date|title|outlet)(?:[ \t]+(.*?))?[ \t]*$")
#: An ``outlet`` or ``title`` line longer than this (characters, words) is body text, not a header.
_HEADER_MAX = {"outlet": (100, 8), "title": (300, 60)}
_LATE_HEADER_RE = re.compile(r"^[ \t]*(?:date[ \t]+\d{4}-\d{2}|outlet[ \t]|title[ \t])[^\n]*$", re.M)


def _header(line: str) -> tuple[str, str] | None:
    """``(key, rest of the line)`` when ``line`` is a header line, else None."""
    m = _HEADER_RE.match(line)
    if m is None:
        return None
    key, rest = m.group(1), (m.group(2) or "").strip()
    if key in _HEADER_MAX:
        chars, words = _HEADER_MAX[key]
        if len(rest) > chars or len(rest.split()) > words:
            return None
    return key, rest


def _split_txt_headers(text: str) -> tuple[dict[str, tuple[str, int]], str, int, list[tuple[int, str, str]]]:
    """Take the header lines (``date YYYY-MM[-DD]``, ``title …``, ``outlet …``) off the top.

    The header block is the run of header lines at the top of the file (blank lines between them
    allowed). What happens to each case, with the note it gets:

    - ``date`` at the top is always the date header: its value is its first word and the rest of
      the line is the first body text (the seeds write `` date 2022-03 Navo-topman …``); a value
      that is not a date is handled by ``cleaning.bad_date``.
    - a header repeated in the block: the first is used, the later line is dropped (not body
      text); note ``repeated_header`` with its value.
    - a header without a value (``outlet`` alone): that field is missing; note ``empty_header``.
    - an ``outlet`` line of more than 100 characters or 8 words, or a ``title`` line of more than
      300 characters or 60 words, is not a header: the body starts there; note ``not_a_header``.
    - a header line after the body began stays body text; note ``header_in_body`` (the first such
      line, and how many).

    Returns (headers {key: (value, line)}, body, line number where the body starts, notes as
    ``(line, kind, detail)``).
    """
    headers: dict[str, tuple[str, int]] = {}
    notes: list[tuple[int, str, str]] = []
    lines = text.split("\n")
    i = 0
    body_prefix = ""
    while i < len(lines):
        if not lines[i].strip():  # blank lines inside the header block, not after it
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j == len(lines) or _header(lines[j]) is None:
                break
            i = j
        found = _header(lines[i])
        if found is None:
            if _HEADER_RE.match(lines[i]):
                key = _HEADER_RE.match(lines[i]).group(1)
                notes.append((i + 1, "not_a_header", f"begins with {key!r} but is too long for a header: read as body text"))
            break
        key, rest = found
        value, tail = rest.partition(" ")[::2] if key == "date" else (rest, "")
        if key in headers:
            first, first_line = headers[key]
            notes.append((i + 1, "repeated_header", f"a second {key!r} header ({value!r}) is not used: the first (line {first_line}, {first!r}) is"))
        else:
            headers[key] = (value, i + 1)
            if not value:
                notes.append((i + 1, "empty_header", f"{key!r} header without a value: {key} missing"))
        i += 1
        if tail.strip():
            body_prefix = tail.strip()
            break
    body_lines = lines[i:]
    start_line = i + 1
    if body_prefix:
        body_lines = [body_prefix, *body_lines]
        start_line = i
    body = "\n".join(body_lines)
    if "date" in body or "outlet" in body or "title" in body:
        late = [m for m in _LATE_HEADER_RE.finditer(body) if (h := _header(m.group())) is not None and h[1]]
        if late:
            line = start_line + body.count("\n", 0, late[0].start())
            notes.append((line, "header_in_body", f"{late[0].group().strip()[:60]!r} looks like a header line but comes after the body began: kept as body text ({len(late)} such line(s))"))
    return headers, body, start_line, notes


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # noqa: D401
        self.tags += 1
        if tag in ("script", "style"):
            self._skip += 1
        if tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def _strip_html(text: str, mode: str) -> tuple[str, int]:
    """Strip tags and unescape entities once. Returns (text, number of tags + entities)."""
    if mode == "keep" or ("<" not in text and "&" not in text):  # no tag, no entity: nothing to do
        return text, 0
    n_tags, n_ent = len(_TAG_RE.findall(text)), len(_ENTITY_RE.findall(text))
    if mode == "auto" and n_tags + n_ent < 2:
        return text, 0
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)), n_tags + n_ent


# Web boilerplate seen in the seeds
_CAPTION_RE = re.compile(r"^Volledig scherm\b.*©", re.S)
_TEASER_RE = re.compile(r"^Lees (?:ook|meer)\s*:?\s*$", re.I)
_PULL_QUOTE_RE = re.compile(r"^Quote\s+(.+)$", re.S)
_TEASER_MAX_PARAGRAPHS = 6


def _remove_boilerplate(doc_id: str, paragraphs: list[str], log: _Log) -> list[str]:
    """Drop photo captions, 'Lees ook:' teaser blocks and pull quotes that repeat the body.

    Every removal is logged with its kind, paragraph number and length.
    """
    keep: list[str] = []
    body = "\n".join(paragraphs)
    i = 0
    while i < len(paragraphs):
        para = paragraphs[i]
        if _CAPTION_RE.match(para):
            log.removals.append((doc_id, "caption", i + 1, len(para), para[:80]))
        elif _TEASER_RE.match(para):
            rest = len(paragraphs) - i - 1
            if rest <= _TEASER_MAX_PARAGRAPHS:
                for j in range(i, len(paragraphs)):
                    log.removals.append((doc_id, "teaser", j + 1, len(paragraphs[j]), paragraphs[j][:80]))
                break
            log.removals.append((doc_id, "teaser", i + 1, len(para), para[:80]))
            log.note("", None, "teaser_unclear", f"'Lees ook:' followed by {rest} paragraphs; only the heading removed", doc_id)
        elif (m := _PULL_QUOTE_RE.match(para)) and _repeats(m.group(1), body.replace(para, "")):
            log.removals.append((doc_id, "pull_quote", i + 1, len(para), para[:80]))
        else:
            keep.append(para)
        i += 1
    return keep


def _repeats(snippet: str, body: str, n_chars: int = 40) -> bool:
    """True when the first ``n_chars`` of ``snippet`` occur elsewhere in ``body``."""
    probe = snippet.strip()[:n_chars]
    return len(probe) >= 20 and probe in body


# Same result as re.sub(r"[ \t]+", " ", p) but leaves single spaces alone: substituting every
# single space with itself made this the slowest line of loading (1.3 s per 10k articles).
_BLANK_RUN_RE = re.compile(r"[ \t]{2,}|\t")


def _squeeze_blanks(para: str) -> str:
    return _BLANK_RUN_RE.sub(" ", para) if ("\t" in para or "  " in para) else para


def _clean_body(
    doc_id: str, body: str, cleaning: dict, log: _Log, source: str, changes: dict[str, int] | None = None
) -> str:
    """``changes``: normalisation counts of the raw text, when the reader normalised it already."""
    if changes is None:
        text, changes = normalise_counted(body)
    else:
        text = body
    for kind, n in changes.items():
        if n:
            log.removals.append((doc_id, kind, None, n, ""))
    text, n_html = _strip_html(text, cleaning["html"])
    if n_html:
        log.removals.append((doc_id, "html", None, n_html, ""))
        text = normalise(text)
    paragraphs = [_squeeze_blanks(p) for p in split_paragraphs(text)]
    if cleaning["boilerplate"]:
        paragraphs = _remove_boilerplate(doc_id, paragraphs, log)
    return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------------------------
# Format readers: each yields raw records (doc_id, source, line, fields) and records skips.
# --------------------------------------------------------------------------------------------
def _check_file(path: str | Path, source: str, limit: int, log: _Log, what: str = "max_doc_bytes") -> bool:
    """Whether ``path`` may be read: its size from ``stat`` (nothing is read) within ``limit``, not
    empty, and it opens. Otherwise records the skip (``unreadable``, ``too_large``, ``empty``)."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        log.skip(source, None, "unreadable", f"{source}: cannot be read: {exc.strerror}")
        return False
    if size > limit:
        log.skip(source, None, "too_large", f"{source}: {size:,} bytes is over {what} = {limit:,} (not read)")
        return False
    if size == 0:
        log.skip(source, None, "empty", f"{source}: empty file")
        return False
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        log.skip(source, None, "unreadable", f"{source}: cannot be read: {exc.strerror}")
        return False
    return True


def _read_bytes(path: str | Path, source: str, limit: int, log: _Log, what: str = "max_doc_bytes") -> bytes | None:
    """The bytes of ``path`` once :func:`_check_file` allows it, or None (the skip recorded)."""
    if not _check_file(path, source, limit, log, what):
        return None
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        log.skip(source, None, "unreadable", f"{source}: cannot be read: {exc.strerror}")
        return None


def _suffix(name: str) -> str:
    """``PurePath(name).suffix``: from the last dot, unless the name starts or ends with it."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _records_txt(defn: CorpusDefinition, files: list[str], log: _Log):
    base = defn.path if defn.path.is_dir() else defn.path.parent  # as in _source_name, once
    prefix = len(str(base).rstrip(os.sep)) + 1
    for path in files:
        # = _source_name, and the doc_id is it without its suffix
        # (string slicing: Path.relative_to cost a tenth of reading a 10k-file corpus)
        source = path[prefix:]
        if os.sep != "/":
            source = source.replace(os.sep, "/")
        suffix = _suffix(source.rpartition("/")[2])
        doc_id = source[: -len(suffix)] if suffix else source
        log.inputs.append({"source": source, "format": "txt", "records": 1})
        data = _read_bytes(path, source, defn.cleaning["max_doc_bytes"], log)
        if data is None:
            continue
        text = _decode(data, defn.encoding, source, log)
        if text is None:
            continue
        if not text.strip():
            log.skip(source, None, "empty", f"{source}: only white space")
            continue
        normalised, changes = normalise_counted(text)  # counted before the headers are taken off
        headers, body, body_line, header_notes = _split_txt_headers(normalised)
        for line, kind, detail in header_notes:
            log.note(source, line, kind, f"{source}:{line} {detail}", doc_id)
        fields = {k: v for k, (v, _line) in headers.items()}
        fields["text"] = body
        fields["_changes"] = changes
        fields["_date_line"] = headers.get("date", (None, 1))[1]
        yield doc_id, source, body_line if body.strip() else 1, fields


def _open_records_file(defn: CorpusDefinition, path: str, fmt: str, log: _Log) -> tuple[str, dict, Lines | None]:
    """Register a CSV/JSONL input and open it as a stream of lines.

    Returns (source, its inputs entry, :class:`medialens.records.Lines` or None). A file refused
    before reading (its size from ``stat`` over 1000 × ``max_doc_bytes``, empty, unreadable)
    counts as one input record, skipped with its reason: its records are not counted, as that
    would mean reading it.
    """
    source = _source_name(defn, path)
    entry = {"source": source, "format": fmt, "records": 0}
    log.inputs.append(entry)
    limit = defn.cleaning["max_doc_bytes"] * 1000
    if not _check_file(path, source, limit, log, "the file limit 1000 × max_doc_bytes"):
        entry["records"] = 1
        return source, entry, None
    return source, entry, Lines(path, source, defn.encoding, keep_ends=fmt == "csv")


def _close_records_file(lines: Lines, entry: dict, log: _Log) -> None:
    """Record what reading the stream found besides records: notes, and an error that ended it
    (one more record, skipped)."""
    for line, kind, detail in lines.notes:
        log.note(entry["source"], line, kind, detail)
    if lines.fatal is not None:
        reason, line, detail = lines.fatal
        entry["records"] += 1
        log.skip(entry["source"], line, reason, detail + " (the rest of the file is not read)")


def _csv_header(row: list[str], source: str, f: dict) -> tuple[list[str], str | None]:
    """The stripped header, and why the file cannot be read with it (a declared column missing),
    or None. A column name used twice is an error."""
    header = [h.strip() for h in row]
    repeated = sorted(h for h, n in Counter(header).items() if n > 1)
    if repeated:
        raise CorpusError(
            f"{source}:1 header repeats column {', '.join(map(repr, repeated))}: every column needs its own name"
        )
    missing = [col for col in (f["text"], f["id"]) if col and col not in header]
    if missing:
        return header, f"{source}:1 header has no column {missing}; declared in fields (header: {header})"
    return header, None


def _records_csv(defn: CorpusDefinition, files: list[str], log: _Log):
    """Yield (doc_id, source, line, fields) for every CSV row; skips recorded in ``log``.

    A file whose header lacks a declared column is skipped whole: every row it holds is counted
    and skipped (at line 1, where the reason is), so the totals show the real loss.
    """
    f = defn.fields
    for path in files:
        source, entry, lines = _open_records_file(defn, path, "csv", log)
        if lines is None:
            continue
        header: list[str] | None = None
        refused: tuple[str, str] | None = None  # (reason, why) when the whole file is skipped
        # a field of up to 4 × max_doc_bytes characters is read and measured (its size named in
        # the skip); a longer one is over max_doc_bytes in any encoding and is skipped unread
        for start, row, problem in csv_rows(lines, 4 * defn.cleaning["max_doc_bytes"]):
            if header is None and refused is None:
                if row is None:
                    refused = (problem[0], f"{source}: no readable header row ({problem[2]})")
                    continue
                header, why = _csv_header(row, source, f)
                if why:
                    refused = ("missing_field", why)
                continue
            entry["records"] += 1
            if refused is not None:
                log.skip(source, 1, refused[0], f"{refused[1]}; the record at line {start} is not read")
                continue
            if row is None:
                log.skip(source, problem[1], problem[0], problem[2])
                continue
            if len(row) != len(header):
                log.skip(source, start, "bad_row", f"{source}:{start} has {len(row)} fields, header has {len(header)}")
                continue
            rec = dict(zip(header, row, strict=True))
            doc_id = rec[f["id"]].strip() if f["id"] else f"{Path(path).stem}:{start}"
            if f["id"] and not doc_id:
                log.skip(source, start, "missing_field", f"{source}:{start} empty id in column {f['id']!r}")
                continue
            yield doc_id, source, start, _map_fields(rec, f)
        if header is None and refused is None:
            entry["records"] += 1
            log.skip(source, 1, "empty", f"{source}: no header row")
        elif header is None and entry["records"] == 0:  # not even a header: the file is one record
            entry["records"] += 1
            log.skip(source, 1, refused[0], refused[1])
        elif refused is not None and entry["records"] == 0:
            log.note(source, 1, refused[0], f"{refused[1]}; the file holds no rows")
        _close_records_file(lines, entry, log)


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted(k for k, n in Counter(keys).items() if n > 1)
    if dup:
        raise ValueError(f"duplicate keys {dup}")
    return dict(pairs)


def _no_constants(name):
    raise ValueError(f"{name} is not valid JSON")


def _records_jsonl(defn: CorpusDefinition, files: list[str], log: _Log):
    """Yield (doc_id, source, line, fields) for every JSONL line; skips recorded in ``log``.

    Each line is decoded on its own: a line with a bad byte is one skipped record.
    """
    f = defn.fields
    for path in files:
        source, entry, lines = _open_records_file(defn, path, "jsonl", log)
        if lines is None:
            continue
        for raw in lines:
            lineno = lines.line_num
            if lines.problem is not None:
                reason, line, detail = lines.problem
                lines.problem = None
                entry["records"] += 1
                log.skip(source, line, reason, detail)
                continue
            if not raw.strip():
                continue
            entry["records"] += 1
            try:
                rec = json.loads(raw, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
            except ValueError as exc:
                log.skip(source, lineno, "bad_json", f"{source}:{lineno} {exc}")
                continue
            if not isinstance(rec, dict):
                log.skip(source, lineno, "bad_json", f"{source}:{lineno} is a JSON {type(rec).__name__}, not an object")
                continue
            missing = [k for k in (f["text"], f["id"]) if k and k not in rec]
            if missing:
                log.skip(source, lineno, "missing_field", f"{source}:{lineno} has no field {missing}")
                continue
            if not isinstance(rec[f["text"]], str | None):
                kind = type(rec[f["text"]]).__name__
                log.skip(source, lineno, "bad_json", f"{source}:{lineno} field {f['text']!r} is a {kind}, not a string")
                continue
            if f["id"]:
                doc_id, wrong = _json_id(rec[f["id"]])
                if wrong:
                    log.skip(source, lineno, "bad_json", f"{source}:{lineno} id {rec[f['id']]!r} in field {f['id']!r} is {wrong}")
                    continue
            else:
                doc_id = f"{Path(path).stem}:{lineno}"
            if not doc_id:
                log.skip(source, lineno, "missing_field", f"{source}:{lineno} empty id in field {f['id']!r}")
                continue
            yield doc_id, source, lineno, _map_fields(rec, f)
        _close_records_file(lines, entry, log)


def _json_id(value: Any) -> tuple[str, str | None]:
    """A JSON id as text, and why it cannot be an id (or None).

    Strings are stripped; numbers are written as JSON would write the integer when they are whole
    (``2`` and ``2.0`` are both ``'2'``); null and blank give '' (refused by the caller as a
    missing id); true/false, arrays and objects are refused.
    """
    if value is None:
        return "", None
    if isinstance(value, bool):
        return "", "a boolean, not a string or number"
    if isinstance(value, list | dict):
        return "", f"a JSON {'array' if isinstance(value, list) else 'object'}, not a string or number"
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), None
    return str(value).strip(), None


def _map_fields(rec: dict, f: dict) -> dict:
    out = {}
    for key in ("text", "date", "outlet", "title"):
        col = f.get(key)
        if col and col in rec:
            value = rec[col]
            if value is not None:
                out[key] = str(value)
            elif key != "text":  # the key is there (the record has the field), without a value
                out[key] = None
    extra = {k: v for k, v in rec.items() if k not in {f.get(x) for x in ("text", "date", "outlet", "title", "id")}}
    out["_extra"] = extra
    return out


def _source_name(defn: CorpusDefinition, path: str | Path) -> str:
    base = defn.path if defn.path.is_dir() else defn.path.parent
    return Path(path).relative_to(base).as_posix()


_CASE_FOLDS = os.path.normcase("A") == "a"  # Windows: names compare and match without case


def _path_order(path: str) -> list[str]:
    """Sort key: the path's components, the order ``Path`` objects compare in."""
    return os.path.normcase(path).split(os.sep)


def _input_files(defn: CorpusDefinition) -> list[str]:
    """Every input file as an absolute path (a string), sorted by path components.

    The files ``sorted(p for p in path.rglob(pattern) if p.is_file())`` gives (tested), listed with
    ``os.scandir`` as rglob does (into folders, not into links to folders; unreadable folders
    passed over) but without a ``Path`` object per file: for 100k files 0.15 s instead of 0.8 s.
    A pattern with a folder in it (``sub/*.txt``, ``**``) goes to rglob itself.
    """
    if defn.path.is_file():
        return [str(defn.path)]
    if not defn.path.is_dir():
        raise CorpusError(
            f"source.path {defn.path}: neither a file nor a folder (a pipe or a device?): give a folder or one file"
        )
    pattern = defn.pattern
    if "/" in pattern or os.sep in pattern or "**" in pattern:
        files = [str(p) for p in defn.path.rglob(pattern) if p.is_file()]
    else:
        match = re.compile(fnmatch.translate(pattern), re.IGNORECASE if _CASE_FOLDS else 0).fullmatch
        files = []
        folders = [str(defn.path)]
        while folders:
            try:
                with os.scandir(folders.pop()) as it:
                    entries = list(it)
            except PermissionError:  # as rglob: an unreadable folder is passed over
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif match(entry.name) and entry.is_file():
                        files.append(entry.path)
                except PermissionError:  # a link into a folder we may not enter: listed, and the
                    files.append(entry.path)  # reader records it as skipped ("unreadable")
                except OSError:  # a link loop or a link to nothing: not a file, as for rglob
                    continue
    files.sort(key=_path_order)
    if not files:
        raise CorpusError(f"source.path {defn.path} holds no files matching {defn.pattern!r}")
    return files


# --------------------------------------------------------------------------------------------
# Assembling the corpus
# --------------------------------------------------------------------------------------------
#: Modules whose code decides what a loaded corpus holds: a change to any of them invalidates
#: every cached corpus (the package version alone is not bumped for every fix).
_LOADER_MODULES = ("corpus.py", "records.py", "text.py", "tokens.py", "dedup.py", "language.py")


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    h = hashlib.blake2b(digest_size=16)
    for name in _LOADER_MODULES:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()


def _inputs_of(defn: CorpusDefinition, files: list[str]) -> list[str]:
    return [*files, *([str(defn.metadata_path)] if defn.metadata_path else [])]


def _cache_key(defn: CorpusDefinition, files: list[str]) -> str:
    """Hash of every setting, the loader's code, and every input file's path and bytes."""
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps(defn.settings(), sort_keys=True, default=str).encode())
    h.update(_code_fingerprint().encode())
    for path in _inputs_of(defn, files):
        h.update(os.fsencode(path) + b"\0")  # fsencode: a name that is not UTF-8 is still bytes
        try:
            with open(path, "rb") as fh:
                h.update(hashlib.file_digest(fh, lambda: hashlib.blake2b(digest_size=16)).digest())
        except OSError as exc:  # unreadable: the loader skips it with its reason; so does the key
            h.update(f"unreadable {exc.errno}".encode())
    return h.hexdigest()


#: The stat index is trusted only when every input last changed this long before the moment its
#: metadata was read (git's "racy" rule; 3 s covers file systems with 1 s and 2 s timestamps).
_RACY_NS = 3_000_000_000
#: Windows reports a file's creation time as st_ctime, which an edit does not move: no index there.
_STAT_INDEX = os.name == "posix"


def _stat_signature(defn: CorpusDefinition, files: list[str]) -> tuple[str, int]:
    """Hash of every setting, the loader's code and every input's path, size, inode, modification
    and change times (no file is read); and the newest of those times."""
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps(defn.settings(), sort_keys=True, default=str).encode())
    h.update(_code_fingerprint().encode())
    newest = 0
    for path in _inputs_of(defn, files):
        h.update(os.fsencode(path) + b"\0")
        try:
            st = os.stat(path)
        except OSError as exc:
            h.update(f"unreadable {exc.errno}\n".encode())
            continue
        h.update(f"{st.st_size}\0{st.st_dev}\0{st.st_ino}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\n".encode())
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    return h.hexdigest(), newest


def _indexed_key(index: Path, newest: int, stat_ns: int) -> str | None:
    """The cache key remembered in ``index`` for the inputs' current metadata, if it can be trusted.

    Reading 100k inputs to hash them took half the time of loading a corpus from the cache. As git
    does with its index, the content key is remembered under a hash of the inputs' file-system
    metadata (size, inode, modification and change time: writing a file's bytes moves its change
    time, which tools such as ``touch -r`` or ``cp -p`` cannot set back) and reused while that is
    unchanged, unless an input changed within ``_RACY_NS`` of the moment the metadata was read
    (``stat_ns``) or carries a time in the future. POSIX only. The key is used only for a cache
    hit, never to store a new build.
    """
    try:
        record = json.loads(index.read_text(encoding="utf-8"))
        key = record["key"]
        trusted = newest < record["stat_ns"] - _RACY_NS and newest <= stat_ns
        if trusted and isinstance(key, str) and re.fullmatch(r"[0-9a-f]{32}", key):
            return key
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _load_cached(cache_file: Path, defn: CorpusDefinition) -> Corpus | None:
    """The corpus cached in ``cache_file``, or ``None`` when there is none or it cannot be read."""
    try:
        if not cache_file.is_file():
            return None
        fh = cache_file.open("rb")
    except OSError:  # an unreadable cache folder or file: load without it
        return None
    try:
        with fh:
            corpus = pickle.load(fh)
    except Exception:  # a broken cache is rebuilt, never trusted
        try:
            cache_file.unlink(missing_ok=True)
        except OSError:
            pass
        return None
    corpus.definition = defn
    corpus.from_cache = True
    return corpus


def _write_cache(path: Path, mode: str, write) -> OSError | None:
    """Write one cache file atomically with ``write(fh)``; return the error if the cache folder
    cannot be written (read-only, full, not a folder), ``None`` on success."""
    try:
        with atomic_write(path, mode) as fh:
            write(fh)
    except OSError as exc:
        return exc
    return None


#: Cache folders already reported as unwritable in this process (the warning is given once).
_UNWRITABLE_CACHE_WARNED: set[str] = set()


def _cache_not_written(corpus: Corpus, exc: OSError) -> Corpus:
    """Record in ``corpus.notes`` (and warn once per folder) that the cache could not be written."""
    folder = relative_to_root(cache_dir())
    detail = (
        f"the cache folder {folder} cannot be written ({exc.strerror or type(exc).__name__}): nothing was "
        "cached and the next load reads every input again (MEDIALENS_CACHE names another folder)"
    )
    if folder not in _UNWRITABLE_CACHE_WARNED:
        _UNWRITABLE_CACHE_WARNED.add(folder)
        logging.getLogger(__name__).warning("medialens: %s", detail)
    rows = [*corpus.notes.itertuples(index=False, name=None), ("", None, "cache_not_written", detail, None)]
    corpus.notes = pd.DataFrame(rows, columns=corpus.notes.columns).astype(corpus.notes.dtypes.to_dict())
    return corpus


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


def cache_file_for(defn: CorpusDefinition, key: str) -> Path:
    """Where the corpus loaded with ``key`` is cached."""
    return cache_dir() / f"corpus-{defn.name}-{key}.pkl"


def _build(defn: CorpusDefinition, files: list[str], key: str | None, *, progress: bool) -> Corpus:
    log = _Log()
    reader = {"txt": _records_txt, "csv": _records_csv, "jsonl": _records_jsonl}[defn.format]
    records = reader(defn, files, log)
    if progress:
        from tqdm.auto import tqdm

        records = tqdm(records, total=len(files) if defn.format == "txt" else None, desc="reading", unit="doc")
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
        limit = defn.cleaning["max_doc_bytes"]  # .txt files are guarded whole, before reading
        body = fields.get("text", "")
        if defn.format != "txt" and len(body) * 4 > limit and (size := len(body.encode("utf-8"))) > limit:
            log.skip(source, line, "too_large", f"{where} text of {size:,} bytes is over max_doc_bytes = {limit:,}", doc_id)
            continue
        date_raw = fields.get("date")
        date = None
        if date_raw not in (None, ""):
            date, err = _parse_date(date_raw)
            if err:
                date_line = fields.get("_date_line", line)
                msg = f"{source}:{date_line} {err}"
                if defn.cleaning["bad_date"] == "error":
                    raise CorpusError(msg)
                if defn.cleaning["bad_date"] == "skip":
                    log.skip(source, date_line, "bad_date", msg, doc_id)
                    continue
                log.note(source, date_line, "bad_date", msg + "; kept with date missing", doc_id)
        if not body.strip():
            log.skip(source, line, "empty_body" if defn.format == "txt" else "empty", f"{where} has no body text", doc_id)
            continue
        text = _clean_body(doc_id, body, defn.cleaning, log, source, fields.get("_changes"))
        if not text.strip():
            log.skip(source, line, "empty_body", f"{where} has no text left after cleaning", doc_id)
            continue
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


def _one_line(value: str | None) -> str | None:
    """Normalise a short field (outlet, title) like the text, on one line: 'NRC\u00a0X' == 'NRC X'."""
    return None if value is None else " ".join(normalise(value).split())


def _plain(v: Any) -> Any:
    """YAML lists become '; '-joined strings so document columns stay flat and hashable."""
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    return v


# --------------------------------------------------------------------------------------------
# Ids, declared fields and the labels file
# --------------------------------------------------------------------------------------------
class _RepeatedIds:
    """What happens to a record whose id an earlier record has (``source.duplicate_ids``).

    ``first``: skipped (``duplicate_id``); ``error``: loading stops; ``suffix``: kept as ``id~2``,
    ``id~3``, ... in order of occurrence (``made`` maps each new id to ``(id, occurrence)``).
    """

    def __init__(self, policy: str, seen: dict[str, str]) -> None:
        self.policy = policy
        self.seen = seen
        self.count: dict[str, int] = {}
        self.made: dict[str, tuple[str, int]] = {}

    def admit(self, doc_id: str, where: str, source: str, line: int | None, log: _Log) -> str | None:
        """The id the record at ``where`` is kept under, or None when it is skipped."""
        first = self.seen[doc_id]
        if doc_id in self.made:
            base, n = self.made[doc_id]
            raise CorpusError(
                f"{where} id {doc_id!r} is also the id given to occurrence {n} of {base!r} ({first}) by"
                " source.duplicate_ids: suffix; rename the ids or choose another policy"
            )
        if self.policy == "first":
            log.skip(source, line, "duplicate_id", f"{where} id {doc_id!r} already used at {first}", doc_id)
            return None
        if self.policy == "error":
            raise CorpusError(f"{where} id {doc_id!r} already used at {first} (source.duplicate_ids: error)")
        n = self.count.get(doc_id, 1) + 1
        self.count[doc_id] = n
        new = f"{doc_id}~{n}"
        if new in self.seen:
            raise CorpusError(
                f"{where} id {doc_id!r} repeats ({first}); its suffixed id {new!r} is already the id of"
                f" {self.seen[new]} (source.duplicate_ids: suffix); rename the ids or choose another policy"
            )
        self.made[new] = (doc_id, n)
        return new

    def occurrences(self) -> dict[str, int]:
        """How often each repeated id occurred among the records (only ids that repeat)."""
        return dict(self.count)


def _fields_to_find(defn: CorpusDefinition, label_columns: list[str] | None) -> dict[str, str]:
    """The declared ``fields`` entries (date, outlet, title) that no record has shown yet and the
    labels file does not have: ``{field: column}``. In .txt sources a field comes from a header
    line of its own name, so there an entry naming another column must be a labels column."""
    label_cols = set(label_columns or ())
    pending = {k: defn.fields[k] for k in defn.declared_fields if defn.fields[k] not in label_cols}
    if defn.format == "txt":
        wrong = {k: col for k, col in pending.items() if col != k}
        if wrong:
            k, col = sorted(wrong.items())[0]
            where = defn.definition_file.name if defn.definition_file else "corpus definition"
            have = f" (its columns: {sorted(label_cols)})" if label_columns is not None else ""
            raise CorpusError(
                f"{where}: fields.{k} = {col!r}: .txt files give {k} by a '{k} …' header line; a fields"
                f" entry for them must name a column of the labels file (metadata.path){have}"
            )
        return {}
    return pending


def _see_fields(pending: dict[str, str], fields: dict, source: str, keys_seen: dict[str, set], f: dict) -> dict[str, str]:
    """Drop from ``pending`` the fields this record has; remember the record's keys per source
    (``f``: the definition's fields, to name the mapped keys by their own names)."""
    still = {k: col for k, col in pending.items() if k not in fields}
    if still:
        keys = keys_seen.setdefault(source, set())
        keys.update(fields.get("_extra") or ())
        keys.update(f[k] for k in ("text", "date", "outlet", "title") if k in fields and f.get(k))
        if f.get("id"):
            keys.add(f["id"])
    return still


def _missing_field_message(defn: CorpusDefinition, pending: dict[str, str], keys_seen: dict, label_columns) -> str:
    """The error for declared fields no record has: names the field, the file(s) and their keys."""
    k, col = sorted(pending.items())[0]
    sources = sorted(keys_seen)
    keys = sorted(set().union(*keys_seen.values()))
    files = sources[0] if len(sources) == 1 else f"{len(sources)} files ({', '.join(sources[:3])}{', …' if len(sources) > 3 else ''})"
    where = defn.definition_file.name if defn.definition_file else "corpus definition"
    msg = f"{where}: fields.{k} = {col!r}: no record in {files} has a key {col!r}; keys there: {keys}"
    if label_columns is not None:
        msg += f"; nor has the labels file {defn.metadata_path.name} (columns: {sorted(label_columns)})"
    return msg


def _read_labels(defn: CorpusDefinition, log: _Log) -> tuple[pd.DataFrame | None, list[str] | None]:
    """The labels file (``metadata.path``) as a table of text: its columns, with the key column
    renamed ``doc_id`` and ``_line`` the line each row starts on; and its column names as in the
    file. ``(None, None)`` without a labels file.
    Reserved columns, a repeated column and rows without a key are refused naming file and line."""
    if defn.metadata_path is None:
        return None, None
    source = defn.metadata_path.name
    try:
        data = defn.metadata_path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"metadata file {source}: cannot be read: {exc.strerror}") from None
    text = _decode(data, defn.metadata_encoding or defn.encoding, source, log)
    if text is None:
        detail = log.skipped.pop()[3]  # the labels file is no input record: an error, not a skip
        raise CorpusError(f"metadata file {source} could not be decoded: {detail}")
    reader = _metadata_jsonl if defn.metadata_format == "jsonl" else _metadata_table
    meta, lines = reader(text, source, defn.metadata_key)
    key = defn.metadata_key
    if key not in meta.columns:
        raise CorpusError(f"metadata file {source}: no key column {key!r} (columns: {list(meta.columns)})")
    for col in meta.columns:
        if col != key and _reserved(col):
            raise CorpusError(
                f"metadata file {source}: column {col!r} is a column the loader sets; metadata may set"
                " outlet, date, title and columns of its own (rename it)"
            )
    columns = list(meta.columns)
    meta = meta.rename(columns={key: "doc_id"})
    meta["_line"] = lines
    for k in ("date", "outlet", "title"):  # a fields entry may name a labels column
        col = defn.fields.get(k)
        if col and col != k and col in meta.columns and col != "doc_id":
            if k in meta.columns:
                raise CorpusError(
                    f"metadata file {source}: has both {k!r} and {col!r}, and fields.{k} names {col!r}; keep one"
                )
            meta = meta.rename(columns={col: k})
    return meta, columns


def _metadata_table(text: str, source: str, key: str) -> tuple[pd.DataFrame, list[int]]:
    """Read a labels CSV strictly (all text, ``NA`` stays text); refuse it naming file:line when
    a row is broken (pandas would shift a row with an extra field into a different key) or a
    column name repeats. Returns the table and the line each row starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        header = next(reader)
        start = reader.line_num + 1
        for row in reader:
            if row and len(row) != len(header):
                raise CorpusError(
                    f"metadata file {source}: not readable as CSV: line {start} has {len(row)} fields, header has {len(header)}"
                )
            if row:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except StopIteration:
        raise CorpusError(f"metadata file {source}: not readable as CSV: the file is empty") from None
    except csv.Error as exc:
        raise CorpusError(f"metadata file {source}: not readable as CSV: line {reader.line_num}: {exc}") from None
    header = [h.strip() for h in header]
    repeated = sorted(h for h, n in Counter(header).items() if n > 1)
    if repeated:
        raise CorpusError(f"metadata file {source}:1 column {repeated[0]!r} appears more than once in the header")
    meta = pd.DataFrame(rows, columns=header, dtype=object)
    if key in meta.columns:
        meta[key] = meta[key].str.strip()
    return meta, lines


def _metadata_jsonl(text: str, source: str, key: str) -> tuple[pd.DataFrame, list[int]]:
    """Read a labels JSONL file: one flat JSON object per line (lists become '; '-joined text),
    with the same checks as the corpus reader (duplicate keys, NaN); the key is read as the
    reader reads ids. A broken line is refused naming file:line. Returns the table and each row's line."""
    rows: list[dict] = []
    lines: list[int] = []
    for lineno, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
        except ValueError as exc:
            raise CorpusError(f"metadata file {source}:{lineno} not readable as JSON: {exc}") from None
        if not isinstance(rec, dict):
            raise CorpusError(f"metadata file {source}:{lineno} is a JSON {type(rec).__name__}, not an object")
        for k, v in rec.items():
            if isinstance(v, dict):
                raise CorpusError(f"metadata file {source}:{lineno} field {k!r} is an object; labels must be flat")
        row = {k: _plain(v) for k, v in rec.items()}
        if key in row:
            row[key], wrong = _json_id(rec[key])
            if wrong:
                raise CorpusError(f"metadata file {source}:{lineno} key {rec[key]!r} in field {key!r} is {wrong}")
        rows.append(row)
        lines.append(lineno)
    if not rows:
        raise CorpusError(f"metadata file {source}: no labels in it (the file is empty)")
    return pd.DataFrame(rows, dtype=object), lines


def _join_metadata(defn: CorpusDefinition, docs: pd.DataFrame, labels: pd.DataFrame | None, ids: _RepeatedIds, log: _Log) -> pd.DataFrame:
    """Join the labels file on its key: rows never multiplied, repeated keys reported (paired by
    occurrence with repeated ids under ``duplicate_ids: suffix``), the documents' own values kept
    and the labels filling what the documents do not say (a label date validated like any date)."""
    if labels is None:
        return docs
    source = defn.metadata_path.name
    if defn.duplicate_ids == "suffix":
        meta = _pair_labels(labels, ids.occurrences(), source, log)
    else:
        meta = _first_labels(labels, source, defn.duplicate_ids, log)
    unmatched = sorted(set(meta["doc_id"]) - set(docs["doc_id"]))
    for k in unmatched:
        log.note(source, None, "unmatched_metadata", f"{source}: key {k!r} matches no document", k)
    overlap = [c for c in meta.columns if c not in ("doc_id", "_line") and c in docs.columns]
    merged = docs.merge(meta, on="doc_id", how="left", suffixes=("", "_meta"), validate="one_to_one")
    assert len(merged) == len(docs)
    for col in overlap:  # the labels file fills what the documents themselves do not say
        merged = _fill_from_labels(defn, merged, col, source, log)
    return merged.drop(columns="_line")


def _first_labels(labels: pd.DataFrame, source: str, policy: str, log: _Log) -> pd.DataFrame:
    """One labels row per key: the first; each later row with a repeated key noted (an error
    under ``duplicate_ids: error``)."""
    dup_mask = labels["doc_id"].duplicated(keep="first")
    first_line = labels.drop_duplicates("doc_id").set_index("doc_id")["_line"]
    for k, line in zip(labels.loc[dup_mask, "doc_id"], labels.loc[dup_mask, "_line"], strict=True):
        msg = f"{source}:{line} key {k!r} repeats line {first_line[k]}"
        if policy == "error":
            raise CorpusError(f"metadata file {msg} (source.duplicate_ids: error)")
        log.note(source, line, "duplicate_metadata_key", f"{msg}; the first row is used", k)
    return labels[~dup_mask]


def _pair_labels(labels: pd.DataFrame, repeats: dict[str, int], source: str, log: _Log) -> pd.DataFrame:
    """Labels for ``duplicate_ids: suffix``: the n-th row with key X labels the n-th record with id
    X (``X~n``), as a line-by-line pairing would; a key given once labels every occurrence. A key
    whose rows differ is noted (``metadata_conflict``), and so is a count that does not match."""
    occurrence = labels.groupby("doc_id", sort=False).cumcount() + 1
    count = labels["doc_id"].map(labels["doc_id"].value_counts())
    out = labels.copy()
    out["doc_id"] = [k if n == 1 else f"{k}~{n}" for k, n in zip(labels["doc_id"], occurrence, strict=True)]
    once = [(k, r) for k, r in repeats.items() if k in set(labels.loc[count == 1, "doc_id"])]
    if once:  # a key given once labels every occurrence of its id
        firsts = labels.loc[count == 1].set_index("doc_id")
        extra = [{**firsts.loc[k].to_dict(), "doc_id": f"{k}~{n}"} for k, r in once for n in range(2, r + 1)]
        out = pd.concat([out, pd.DataFrame(extra, columns=out.columns)], ignore_index=True)
    values = [c for c in labels.columns if c not in ("doc_id", "_line")]
    for k, rows in labels.loc[count > 1].groupby("doc_id", sort=True):
        lines = ", ".join(str(x) for x in rows["_line"])
        n_records = repeats.get(k, 1)
        if len(rows) != n_records:
            log.note(
                source, int(rows["_line"].iloc[0]), "metadata_count",
                f"{source}: key {k!r} has {len(rows)} rows (lines {lines}) for {n_records} record(s) with that id;"
                " paired in order of occurrence, the rest unmatched", k,
            )
        differ = [c for c in values if rows[c].astype(str).nunique(dropna=False) > 1]
        if differ:
            shown = "; ".join(f"{c}: " + " / ".join(repr(v) for v in rows[c]) for c in differ)
            log.note(
                source, int(rows["_line"].iloc[0]), "metadata_conflict",
                f"{source}: key {k!r} has different labels on lines {lines} ({shown}); paired with the"
                " records in order of occurrence", k,
            )
    return out


def _fill_from_labels(defn: CorpusDefinition, merged: pd.DataFrame, col: str, source: str, log: _Log) -> pd.DataFrame:
    """Fill column ``col`` from the labels' ``{col}_meta`` where the document has no value; a value
    that differs from the document's own is noted (``metadata_conflict``). A label ``date`` is
    checked like any date (``cleaning.bad_date`` decides), and outlet and title are normalised."""
    mine, theirs = merged[col], merged[f"{col}_meta"]
    empty = mine.isna() | (mine.astype(str) == "")
    has = theirs.notna() & (theirs.astype(str) != "")
    conflict = ~empty & has & (mine.astype(str) != theirs.astype(str))
    for i in merged.index[conflict]:
        log.note(
            source, int(merged.at[i, "_line"]), "metadata_conflict",
            f"{source}:{int(merged.at[i, '_line'])} {col} {theirs[i]!r} differs from {mine[i]!r} in"
            f" {merged.at[i, 'source']}:{merged.at[i, 'line']}; the document's own value is kept",
            merged.at[i, "doc_id"],
        )
    fill = empty & has
    values = theirs[fill]
    drop = []
    if col == "date":
        checked = []
        for i, v in values.items():
            date, err = _parse_date(_date_text(v))
            checked.append(date)
            if err is None:
                continue
            line = int(merged.at[i, "_line"])
            msg = f"{source}:{line} {err} (labels of {merged.at[i, 'doc_id']})"
            if defn.cleaning["bad_date"] == "error":
                raise CorpusError(msg)
            if defn.cleaning["bad_date"] == "skip":
                log.skip(merged.at[i, "source"], merged.at[i, "line"], "bad_date", msg, merged.at[i, "doc_id"])
                drop.append(i)
            else:
                log.note(source, line, "bad_date", msg + "; kept with date missing", merged.at[i, "doc_id"])
        values = pd.Series(checked, index=values.index, dtype=object)
        filled = set(merged.loc[values.index[values.notna()], "doc_id"])
        if filled:  # a date from the labels: no longer missing
            log.notes[:] = [n for n in log.notes if not (n[2] == "date_missing" and n[4] in filled)]
    elif col in ("outlet", "title"):
        values = values.map(lambda v: _one_line(str(v)))
    merged[col] = mine.astype(object).where(~fill, values.reindex(merged.index))
    merged = merged.drop(columns=f"{col}_meta")
    return merged.drop(index=drop).reset_index(drop=True) if drop else merged


def _content_hash(text: str) -> str:
    """Hash of the text with white space collapsed and case folded (equal hash: exact duplicate)."""
    # str.split() splits on exactly the characters re's \s matches (Py_UNICODE_ISSPACE), so this is
    # re.sub(r"\s+", " ", text).strip() without a match object per space (5x faster)
    canon = " ".join(text.split()).casefold()
    return hashlib.blake2b(canon.encode("utf-8"), digest_size=12).hexdigest()


def _exact_copies(defn: CorpusDefinition, docs: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Apply the exact-copy policies to ``docs`` (in ``doc_id`` order, with ``content_hash``).

    Each document is judged against the first earlier document with the same text: the first in
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
    docs = docs.sort_values("doc_id", kind="stable").reset_index(drop=True)
    docs["content_hash"] = [_content_hash(t) for t in docs["text"]]
    docs = _exact_copies(defn, docs, log)
    # every text is split into words once, here; cleaning left the texts normalised
    words = WordTable.from_texts(docs["doc_id"].tolist(), docs["text"].tolist(), normalised=True)
    from .dedup import near_duplicates

    # on the lowercased words of the word table: no text is split again
    docs["near_duplicate_of"] = near_duplicates(
        words.doc_ids, words.lowercase_ids(), words.offsets, threshold=defn.cleaning["near_duplicate_threshold"]
    )
    docs["month"] = docs["date"].map(lambda d: d[:7] if isinstance(d, str) else None)
    docs["n_chars"] = docs["text"].str.len()
    docs["n_paragraphs"] = docs["text"].map(lambda t: len(split_paragraphs(t)))
    if defn.cleaning["detect_language"]:
        from .language import detect_languages

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


# --------------------------------------------------------------------------------------------
# House style (seed outlets are inferred from what the text shows, never named)
# --------------------------------------------------------------------------------------------
def house_style_markers(raw_text: str) -> dict[str, int]:
    """Count the house-style markers that tell the seed articles' sources apart.

    Counted on the raw text (before boilerplate removal): opening quote styles, ``NAVO`` vs
    ``Navo`` spelling, and the web boilerplate each site adds.
    """
    return {
        "quotes_low_double_comma": raw_text.count(",,"),
        "quotes_low_double": raw_text.count("„"),
        "quotes_curly_double": raw_text.count("“"),
        "quotes_curly_single": raw_text.count("‘"),
        "spelling_NAVO": len(re.findall(r"\bNAVO\b", raw_text)),
        "spelling_Navo": len(re.findall(r"\bNavo\b", raw_text)),
        "caption_volledig_scherm": len(re.findall(r"^Volledig scherm\b.*©", raw_text, re.M)),
        "teaser_lees_ook": len(re.findall(r"^Lees ook:", raw_text, re.M)),
        "pull_quote": len(re.findall(r"^Quote ", raw_text, re.M)),
    }


def escape(text: str) -> str:
    """HTML-escape corpus text before it is shown anywhere as HTML."""
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------------------------
# Overview tables for the corpus notebook
# --------------------------------------------------------------------------------------------
def counts_by(documents: pd.DataFrame, rows: str = "outlet", columns: str = "month") -> pd.DataFrame:
    """Documents per ``rows`` × ``columns`` groups with totals; a missing value is the group
    ``(missing)`` (:func:`medialens.grouping.group_labels`, listed last), never dropped."""
    for name, col in (("rows", rows), ("columns", columns)):
        if col not in documents.columns:
            raise ValueError(f"{name} = {col!r}: not a document column; columns: {sorted(documents.columns)}")
    r, c = group_labels(documents, rows), group_labels(documents, columns)
    table = pd.crosstab(r.rename(rows), c.rename(columns), margins=True, margins_name="total")
    table = table.reindex(index=[*group_order(r), "total"], columns=[*group_order(c), "total"])
    table.columns.name = columns
    return table


def token_stats(documents: pd.DataFrame, settings: TextSettings | None = None) -> pd.DataFrame:
    """Per document: words before filtering, tokens after the filters of the tokeniser with
    ``settings`` (default ``TextSettings()``), distinct types."""
    if settings is not None:
        validate.instance(settings, "settings", TextSettings, "a TextSettings")
    tokenizer = Tokenizer(settings or TextSettings())
    rows = []
    for doc_id, outlet, month, text in zip(
        documents["doc_id"], documents["outlet"], documents["month"], documents["text"], strict=True
    ):
        words = tokenizer.words(text)
        toks = tokenizer.filter(words)
        rows.append((doc_id, outlet, month, len(words), len(toks), len(set(toks))))
    return pd.DataFrame(rows, columns=["doc_id", "outlet", "month", "words", "tokens", "types"])


def removals_summary(corpus: Corpus) -> pd.DataFrame:
    """What cleaning removed, per kind: how many items in how many documents, and characters."""
    r = corpus.removals
    kinds = {
        "pull_quote": "'Quote ...' pull quote repeating the body",
        "caption": "'Volledig scherm ... ©' photo caption",
        "teaser": "'Lees ook:' teaser block (heading and teasers)",
        "html": "HTML tags and entities",
        "format_characters": "format characters (zero-width space, soft hyphen, BOM)",
        "special_spaces": "non-breaking and other special spaces (made plain)",
        "not_nfc": "texts not in Unicode NFC (normalised)",
    }
    if r.empty:
        return pd.DataFrame(columns=["kind", "meaning", "items", "documents", "characters"])
    counted = r["kind"].isin(["pull_quote", "caption", "teaser"])
    out = (
        r.assign(items=counted.map({True: 1, False: 0}) + (~counted) * r["chars"], characters=r["chars"].where(counted, 0))
        .groupby("kind", sort=True)
        .agg(items=("items", "sum"), documents=("doc_id", "nunique"), characters=("characters", "sum"))
        .reset_index()
    )
    out.insert(1, "meaning", out["kind"].map(kinds).fillna(""))
    return out


def structure_counts(corpus: Corpus) -> pd.DataFrame:
    """Per document: paragraphs, headings among them, and sentences (0 where there are none)."""
    paras, sents = corpus.paragraphs(), corpus.sentences()
    ids = pd.Index(corpus.documents["doc_id"], name="doc_id")
    return pd.DataFrame(
        {
            "paragraphs": paras.groupby("doc_id").size(),
            "headings": paras[paras["kind"] == "heading"].groupby("doc_id").size(),
            "sentences": sents.groupby("doc_id").size(),
        }
    ).reindex(ids).fillna(0).astype(int)


def preview(documents: pd.DataFrame, preview_chars: int = 240) -> pd.DataFrame:
    """The first ``preview_chars`` characters of every document with its metadata, for a first
    look (shown escaped as HTML)."""
    n_chars = validate.whole_number(preview_chars, "preview_chars", minimum=1)

    def cut(t: str) -> str:
        flat = " ".join(t.split())
        return flat if len(flat) <= n_chars else flat[: n_chars - 1].rstrip() + "…"

    cols = [c for c in ("doc_id", "outlet", "date", "language", "n_chars") if c in documents.columns]
    out = documents[cols].copy()
    out["start of text"] = documents["text"].map(cut)
    return out
