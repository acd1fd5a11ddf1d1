"""The corpus definition: its YAML schema, validation and the loader's constants."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..paths import resolve
from ..spark.config import backend_problem, backend_spec
from ..text import SUPPORTED_LANGUAGES
from ..yamlfile import YamlError, load_yaml

FORMATS = ("txt", "csv", "jsonl")


DOC_COLUMNS = [
    "doc_id", "source", "line", "outlet", "date", "month", "title", "text", "language",
    "n_chars", "n_paragraphs", "content_hash", "copy_of", "near_duplicate_of",
]


SKIP_COLUMNS = ["source", "line", "reason", "detail", "doc_id"]


NOTE_COLUMNS = ["source", "line", "kind", "detail", "doc_id"]


REMOVAL_COLUMNS = ["doc_id", "kind", "paragraph", "chars", "excerpt"]
#: The removals that are boilerplate (one row per paragraph removed); the other kinds (``html``,
#: ``format_characters``, ``special_spaces``, ``not_nfc``) are clean-ups of the text, one row per
#: document and kind with the number of changes in ``chars``.
BOILERPLATE_KINDS = ("caption", "teaser", "pull_quote")


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
    "bad_json": "a JSONL line that is not a JSON object, has duplicate keys or NaN, or a field that is not text",
    "missing_field": "a record without the declared text or id field",
    "duplicate_id": "a record whose id was already used by an earlier record",
    "duplicate": "the same normalised text as an earlier document kept in the same outlet (or in any outlet,"
    " by cleaning.duplicates_across_outlets: drop)",
    "language": "language not in cleaning.keep_languages",
}


class CorpusError(ValueError):
    """A problem with the corpus definition or its inputs that stops loading."""


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
    defaults: dict = field(default_factory=dict)  # analysis defaults for this corpus (terms, targets); not in the cache key
    backend: dict = field(default_factory=lambda: backend_spec(None))  # the engine (medialens.spark.config)

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


def _need_text(value: Any, where: str, key: str) -> None:
    """Refuse a value that must be text but is a YAML number, date, list or mapping (``path: 2022``,
    ``encoding: 1252``): one line naming the key, with the value in quotes as it would fit."""
    quoted = f", in quotes: {key.rpartition('.')[2]}: \"{value}\"" if isinstance(value, int | float | datetime.date) else ""
    _need(isinstance(value, str), where, f"{key} = {value!r}: give text{quoted}")


#: The keys of ``source:``.
SOURCE_KEYS = ("duplicate_ids", "encoding", "format", "path", "pattern")


def read_definition(path: str | Path) -> CorpusDefinition:
    """Read and validate a corpus definition YAML file (relative paths from the project root).

    Every key is known (an unknown or misspelled key is refused, naming the known ones), and a
    problem is a :class:`CorpusError` of one line naming the file and the key.
    """
    file = resolve(path)
    if not file.is_file():
        raise CorpusError(f"corpus definition {path}: no such file ({file})")
    try:
        raw = load_yaml(file)
    except YamlError as exc:
        raise CorpusError(str(exc)) from None
    where = file.name
    _need(isinstance(raw, dict), where, "must be a mapping with at least 'name' and 'source'")
    known = {"name", "description", "language", "source", "fields", "metadata", "documents", "cleaning", "quotes", "defaults", "backend"}
    unknown = sorted(set(raw) - known)
    _need(not unknown, where, f"unknown keys {unknown}; known keys are {sorted(known)}")
    name = raw.get("name")
    _need(
        isinstance(name, str) and _NAME_RE.fullmatch(name) is not None,
        where,
        f"name = {name!r}: a plain folder name of letters, digits, '-', '_' and inner '.' "
        "(at most 100; it names reports/<name>/, figures/<name>/ and the cache files)",
    )
    language = raw.get("language", "nl")
    _need(
        isinstance(language, str) and language in SUPPORTED_LANGUAGES,
        where,
        f"language = {language!r}: choose one of {SUPPORTED_LANGUAGES} (the corpus's main language)",
    )
    src = raw.get("source")
    _need(isinstance(src, dict) and "path" in src, where, "source.path is required")
    unknown = sorted(set(src) - set(SOURCE_KEYS))
    _need(not unknown, where, f"source: unknown keys {unknown}; known: {list(SOURCE_KEYS)}")
    fmt = src.get("format", "txt")
    _need(fmt in FORMATS, where, f"source.format = {fmt!r}: choose one of {FORMATS}")
    for key in ("path", "encoding", "pattern"):
        if key in src:
            _need_text(src[key], where, f"source.{key}")
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
    _need(backend_problem(raw.get("backend")) is None, where, str(backend_problem(raw.get("backend"))))
    meta = _metadata_spec(raw.get("metadata"), file.parent, where)
    documents = _inline_documents(raw.get("documents"), where)
    return CorpusDefinition(
        name=name,
        path=data_path,
        format=fmt,
        pattern=src.get("pattern", {"txt": "*.txt", "csv": "*.csv", "jsonl": "*.jsonl"}[fmt]),
        encoding=encoding,
        language=language,
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
        defaults=_analysis_defaults(raw.get("defaults"), where),
        backend=backend_spec(raw.get("backend")),
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
    for key in ("path", "encoding"):
        if meta.get(key) is not None or key == "path":
            _need_text(meta[key], where, f"metadata.{key}")
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


def _analysis_defaults(raw: Any, where: str) -> dict:
    """The definition's ``defaults`` section: what notebooks use when a parameter is left empty,
    ``terms`` (a list of words or phrases, notebook 10) and ``targets`` (target -> aliases,
    notebook 30). Without it, the notebooks take them from the corpus (:mod:`medialens.suggest`)."""
    defaults = {} if raw is None else raw
    _need(isinstance(defaults, dict), where, "defaults must be a mapping, e.g. defaults: {terms: [tram], targets: {Council: [council]}}")
    bad = sorted(set(defaults) - {"terms", "targets"})
    _need(not bad, where, f"defaults: unknown keys {bad}; known: ['targets', 'terms']")
    terms = defaults.get("terms", [])
    _need(isinstance(terms, list) and all(isinstance(t, str) and t.strip() for t in terms), where,
          f"defaults.terms = {terms!r}: give a list of words or phrases")
    targets = defaults.get("targets", {})
    _need(
        isinstance(targets, dict) and all(
            isinstance(a, list) and a and all(isinstance(x, str) and x.strip() for x in a) for a in targets.values()
        ),
        where, f"defaults.targets = {targets!r}: map each target to a list of aliases, e.g. {{Council: [council, councillors]}}",
    )
    return {"terms": list(terms), "targets": {str(k): list(v) for k, v in targets.items()}}


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
