"""Labels files and inline metadata joined onto the documents, with repeated-id policies."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

import pandas as pd

from ..text import (
    normalise,
)
from .cleaning import _decode
from .definition import CorpusDefinition, CorpusError, _date_text, _parse_date, _reserved
from .readers import _json_id, _no_constants, _no_duplicate_keys
from .table import _Log


def _one_line(value: str | None) -> str | None:
    """Normalise a short field (outlet, title) like the text, on one line: 'NRC\u00a0X' == 'NRC X'."""
    return None if value is None else " ".join(normalise(value).split())


def _plain(v: Any) -> Any:
    """YAML lists become '; '-joined strings so document columns stay flat and hashable."""
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    return v


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
