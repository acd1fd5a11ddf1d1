"""The codebook and the one reader of coding files.

A codebook names the coded variables, their allowed values (in order) and level of measurement,
and the answers that mean "missing" (e.g. "don't know"). Every coding file of the suite is read by
:func:`read_coded`: the coder sheets of notebook 40 (one column per variable), one long export
(``unit_id, coder, variable, value``, the shape annotation tools write), and the stance codes of
notebook 30 (a sheet with ``text`` and ``target`` beside the ``stance`` column; see
:func:`medialens.coding.read_codes`). Every problem is reported with its file and line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .results import Result

__all__ = [
    "LEVELS",
    "DONT_KNOW",
    "SHEET_COLUMNS",
    "INFO_COLUMNS",
    "Variable",
    "Codebook",
    "make_codebook",
    "codebook_markdown",
    "neutralise",
    "restore",
    "read_coded",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
DONT_KNOW = ("don't know", "dont know", "dk", "weet niet", "n/a")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The columns every coding sheet starts with.
SHEET_COLUMNS = ("unit_id", "coder", "group", "text", "context")
#: Columns a coding file may hold beside the ids and the variables (read, never codes).
INFO_COLUMNS = ("group", "target", "text", "context", "comment", "note")
_RESERVED = ("unit_id", "coder", "variable", "value", "file", "line", *INFO_COLUMNS)
CODE_TABLE = ("unit_id", "coder", "variable", "value", "file", "line")


# --------------------------------------------------------------------------------------------
# Codebook
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variable:
    """One coded variable: its name, allowed values (in order; empty for an open answer such as a
    speaker's name), level and instruction."""

    name: str
    values: tuple[str, ...]
    level: str = "nominal"
    description: str = ""

    @property
    def open(self) -> bool:
        """Any text is a value (nominal); only the missing answers are set aside."""
        return not self.values

    @property
    def agreement_values(self) -> tuple[str, ...] | None:
        """The values agreement is computed over (``values`` of
        :func:`medialens.reliability.agreement`): the listed values, in order, of a nominal or
        ordinal variable that lists them; None for an open variable (the values are those coded)
        and for an interval or ratio one (numbers)."""
        return self.values if self.level in ("nominal", "ordinal") and not self.open else None


@dataclass(frozen=True)
class Codebook:
    """The variables to code and the answers that mean "missing" (e.g. "don't know")."""

    variables: tuple[Variable, ...]
    missing: tuple[str, ...] = DONT_KNOW

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def variable(self, name: str) -> Variable:
        return {v.name: v for v in self.variables}[name]


def make_codebook(spec: Mapping, *, missing: Sequence[str] = DONT_KNOW, what: str = "codebook") -> Codebook:
    """Build a Codebook from plain data (a parameter file or a notebook parameter).

    Parameters
    ----------
    spec : mapping
        Variable name -> a list of values, or a dict with ``values`` and optionally ``level``
        (nominal, ordinal, interval, ratio) and ``description``. Values are compared as text, so
        ``[1, 2, 3]`` and ``["1", "2", "3"]`` are the same codebook. ``values: open`` makes an
        open nominal variable (any text, e.g. the speaker of a quote).
    missing : list of str
        Answers that count as missing, not as a category.
    what : str
        The name of the argument ``spec`` came from, for messages.

    Returns
    -------
    Codebook
    """
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError(f"{what}: give at least one variable as {{name: [values]}}")
    if isinstance(missing, str) or not all(isinstance(m, str | int | float) for m in missing):
        raise ValueError(f"missing = {missing!r}: give a list of answers that count as missing")
    variables = []
    for name, body in spec.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in _RESERVED:
            raise ValueError(f"{what}: variable name {name!r} must be a plain name (letters, digits, _) other than {list(_RESERVED)}")
        body = {"values": body} if isinstance(body, list | tuple | str) else dict(body or {})
        values = body.get("values")
        if values == "open":
            if body.get("level", "nominal") != "nominal":
                raise ValueError(f"{what}: variable {name!r} has open values; its level must be nominal")
            variables.append(Variable(name, (), "nominal", str(body.get("description", ""))))
            continue
        if not isinstance(values, list | tuple) or len(values) < 2:
            raise ValueError(f"{what}: variable {name!r} needs a list of at least two values")
        text = tuple(_text(v) for v in values)
        if len({v.casefold() for v in text}) != len(text) or any(v == "" for v in text):
            raise ValueError(f"{what}: variable {name!r} lists an empty or repeated value: {list(text)}")
        level = body.get("level", "nominal")
        if level not in LEVELS:
            raise ValueError(f"{what}: variable {name!r} has level = {level!r}; use one of {list(LEVELS)}")
        clash = [v for v in text if v.casefold() in {_text(m).casefold() for m in missing}]
        if clash:
            raise ValueError(f"{what}: variable {name!r} uses {clash[0]!r}, which is a missing-value answer")
        variables.append(Variable(name, text, level, str(body.get("description", ""))))
    return Codebook(tuple(variables), tuple(_text(m) for m in missing))


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def codebook_markdown(codebook: Codebook, *, title: str = "Codebook") -> str:
    """A Markdown codebook template listing every variable, its level and allowed values, with
    space for definitions and examples."""
    lines = [f"# {title}", "", "Code each unit on its own; read the text first, then the context.",
             f"Answers that count as missing (not as a category): {', '.join(codebook.missing) or 'none'}.", ""]
    for v in codebook.variables:
        lines += [f"## `{v.name}` ({v.level})", "", v.description or "_What the variable captures; the coding unit; the rule for hard cases._", "",
                  "| value | definition | example |", "|---|---|---|"]
        lines += [f"| `{x}` | | |" for x in v.values] or ["| (open answer: write it as the text gives it) | | |"]
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Spreadsheet cells
# --------------------------------------------------------------------------------------------
def neutralise(cell: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula: a leading ``'`` before ``=``, ``+``,
    ``-``, ``@``, tab or carriage return (spreadsheets show the text without the quote)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def restore(cell: str) -> str:
    """Undo :func:`neutralise`."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


# --------------------------------------------------------------------------------------------
# Reading coding files
# --------------------------------------------------------------------------------------------
def read_coded(
    coded_path: str | Path,
    *,
    codebook: Codebook,
    units: Sequence[str] | pd.Series | None = None,
    info: Sequence[str] = (),
    required: Sequence[str] = (),
) -> Result:
    """Read coding files: a folder of CSV sheets (one column per variable, as written by
    :func:`medialens.handcoding.write_sheets`) or one CSV, either a sheet or a long table
    ``unit_id, coder, variable, value``.

    Lines starting with ``#`` before the header are comments. A file whose header splits on ``;``
    and not on ``,`` (a spreadsheet's "CSV" in regions with a decimal comma) is read with ``;``,
    and a note names it. Values are matched to the codebook
    ignoring case and surrounding spaces (``2.0`` matches ``2``); the codebook's missing answers
    (e.g. "don't know") become missing values; empty cells are not codes.

    Parameters
    ----------
    coded_path : path
        A folder (every ``*.csv`` in it, in name order) or one CSV file.
    codebook : Codebook
    units : list of unit ids, optional
        The units that may be coded (the sample, or every unit): any other unit is an error.
    info : list of str
        Columns of :data:`INFO_COLUMNS` to keep beside each code (e.g. ``text``, ``target``).
    required : list of str
        Columns (info columns or, in a sheet, variables) that every row must have filled in.

    Returns
    -------
    Result
        ``table``: ``unit_id, coder, variable, value, file, line`` and the ``info`` columns (value
        NaN for a missing answer), sorted by variable, unit and coder; ``notes``: counts of codes,
        missing answers and empty cells.

    Raises ``ValueError`` naming file and line for: an unknown unit, a value outside the
    codebook, an unknown variable or column, a coder who coded a unit twice, missing columns,
    an empty required cell, a file that is not UTF-8 or not a well-formed CSV.
    """
    unknown = [c for c in info if c not in INFO_COLUMNS]
    if isinstance(info, str) or unknown:
        raise ValueError(f"info = {info!r}: choose columns from {list(INFO_COLUMNS)}")
    files = _coding_files(coded_path)
    frames, blanks, semicolon = [], 0, []
    for f in files:
        long, empty, delimiter = _read_one(f, codebook, tuple(info), tuple(required))
        frames.append(long)
        blanks += empty
        if delimiter == ";":
            semicolon.append(f.name)
    table = pd.concat(frames, ignore_index=True)
    _check_units(table, units)
    _check_twice(table)
    table = _match_values(table, codebook)
    n_missing = int(table["value"].isna().sum())
    table = table.sort_values(["variable", "unit_id", "coder"], kind="stable").reset_index(drop=True)
    notes = (f"{len(table)} codes from {table['coder'].nunique()} coder(s) on {table['unit_id'].nunique()} "
             f"unit(s) in {len(files)} file(s); {n_missing} 'missing' answer(s) ({', '.join(codebook.missing) or 'none listed'}) "
             f"count as no code; {blanks} empty cell(s) skipped.",)
    if semicolon:
        notes += (f"{len(semicolon)} of {len(files)} file(s) use ';' as delimiter (a spreadsheet's regional CSV setting) "
                  f"and were read with it: {', '.join(semicolon)}.",)
    return Result(table=table, notes=notes)


def _coding_files(coded_path) -> list[Path]:
    if not isinstance(coded_path, str | Path) or str(coded_path) == "":
        raise ValueError(f"coded_path = {coded_path!r}: give a CSV file or a folder of CSV files")
    path = Path(coded_path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        if not files:
            raise ValueError(f"coded_path = {str(coded_path)!r}: the folder holds no .csv files")
        return files
    if path.is_file():
        return [path]
    raise ValueError(f"coded_path = {str(coded_path)!r}: no such file or folder")


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"{path.name}:{line}: byte 0x{raw[exc.start]:02x} is not valid UTF-8 (is it cp1252?); "
            "save the file as CSV UTF-8"
        ) from None


def _header(path: Path, rows: list[list[str]], skipped: int, codebook: Codebook, required: tuple) -> tuple[list[str], bool]:
    """The checked header of one file and whether it is the long format."""
    if not rows:
        raise ValueError(f"{path.name}: the file is empty")
    header = [h.strip() for h in rows[0]]
    where = f"{path.name}:{skipped + 1}"
    if len(set(header)) != len(header):
        raise ValueError(f"{where}: a column name is repeated: {header}")
    long_form = {"variable", "value"} <= set(header)
    need = ["unit_id", "coder", *(["variable", "value"] if long_form else [])]
    need += [c for c in required if c not in need and (not long_form or c not in codebook.names)]
    missing = [c for c in need if c not in header]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing}; found {header}")
    if not long_form:
        unknown = [h for h in header if h not in _RESERVED and h not in codebook.names]
        if unknown:
            raise ValueError(f"{where}: column(s) {unknown} are not codebook variables {codebook.names}")
        if not any(h in codebook.names for h in header):
            raise ValueError(f"{where}: no column is a codebook variable {codebook.names}; found {header}")
    return header, long_form


def _delimiter(text: str) -> str:
    """``;`` when the header splits on ``;`` but not on ``,`` (what Excel writes as "CSV" in
    regions where the comma is the decimal sign, e.g. Dutch), else ``,``."""
    first = text.split("\n", 1)[0]
    try:
        by_comma = next(csv.reader([first]), [])
        by_semicolon = next(csv.reader([first], delimiter=";"), [])
    except csv.Error:
        return ","
    return ";" if len(by_comma) <= 1 and len(by_semicolon) > 1 else ","


def _read_one(path: Path, codebook: Codebook, info: tuple, required: tuple) -> tuple[pd.DataFrame, int, str]:
    """One CSV as long codes (strings) with file, line and the info columns; returns it, the
    number of empty cells and the delimiter (``,``, or ``;`` as :func:`_delimiter` detects)."""
    text, skipped = _drop_comments(_decode(path))
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValueError(f"{path.name}:{reader.line_num + skipped}: not a well-formed CSV ({exc})") from None
    header, long_form = _header(path, rows, skipped, codebook, required)
    out, empty = [], 0
    lines = [n + skipped for n in _line_numbers(text, delimiter)]
    for i, row in enumerate(rows[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        line = lines[i] if i < len(lines) else i + 1 + skipped
        if len(row) != len(header):
            raise ValueError(f"{path.name}:{line}: {len(row)} fields, the header has {len(header)}")
        rec = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
        unit, coder = restore(rec["unit_id"]), restore(rec["coder"])
        if not unit or not coder:
            raise ValueError(f"{path.name}:{line}: empty {'unit_id' if not unit else 'coder'}")
        blank = [c for c in required if c in rec and rec[c] == ""]
        if blank:
            raise ValueError(f"{path.name}:{line}: empty {blank[0]!r}")
        extra = tuple(restore(rec.get(c, "")) for c in info)
        pairs = [(rec["variable"], rec["value"])] if long_form else [(v, rec[v]) for v in codebook.names if v in rec]
        for var, value in pairs:
            if value == "":
                empty += 1
                continue
            out.append((unit, coder, var, value, path.name, line, *extra))
    return pd.DataFrame(out, columns=[*CODE_TABLE, *info]), empty, delimiter


def _drop_comments(text: str) -> tuple[str, int]:
    """Leading lines starting with ``#`` (a file's description) and how many there were."""
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and lines[n].lstrip().startswith("#"):
        n += 1
    return "".join(lines[n:]), n


def _line_numbers(text: str, delimiter: str = ",") -> list[int]:
    """The physical line on which each CSV record starts (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    starts, prev = [], 0
    for _ in reader:
        starts.append(prev + 1)
        prev = reader.line_num
    return starts


def _where(r) -> str:
    return f"{r['file']}:{int(r['line'])}"


def _check_units(table: pd.DataFrame, units) -> None:
    if units is None:
        return
    known = {str(u) for u in units}
    bad = table[~table["unit_id"].isin(known)]
    if len(bad):
        r = bad.iloc[0]
        raise ValueError(f"{_where(r)}: unit {r['unit_id']!r} is not in the sample ({len(bad)} code(s) affected)")


def _check_twice(table: pd.DataFrame) -> None:
    dup = table[table.duplicated(["unit_id", "coder", "variable"], keep=False)]
    if len(dup):
        first, second = dup.iloc[0], dup.iloc[1]
        raise ValueError(
            f"{_where(second)}: coder {second['coder']!r} coded unit {second['unit_id']!r} twice for "
            f"{second['variable']!r} (also at {_where(first)})"
        )


def _match_values(table: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    unknown = table[~table["variable"].isin(codebook.names)]
    if len(unknown):
        r = unknown.iloc[0]
        raise ValueError(f"{_where(r)}: variable {r['variable']!r} is not in the codebook {codebook.names}")
    missing = {m.casefold() for m in codebook.missing}
    allowed = {v.name: {x.casefold(): x for x in v.values} for v in codebook.variables}
    values = []
    for var, value, file, line in zip(table["variable"], table["value"], table["file"], table["line"], strict=True):
        key = value.casefold()
        if key in missing:
            values.append(np.nan)
        elif not allowed[var]:  # an open variable
            values.append(value)
        elif key in allowed[var] or _numeric_key(key) in allowed[var]:
            values.append(allowed[var].get(key, allowed[var].get(_numeric_key(key))))
        else:
            also = f"; missing: {', '.join(codebook.missing)}" if codebook.missing else ""
            raise ValueError(
                f"{file}:{int(line)}: {var} = {value!r} is not in the codebook ({', '.join(allowed[var].values())}{also})"
            )
    return table.assign(value=pd.Series(values, index=table.index, dtype=object))


def _numeric_key(key: str) -> str:
    """'2.0' -> '2' so that a spreadsheet's number formatting still matches the codebook."""
    try:
        x = float(key.replace(",", "."))
    except ValueError:
        return key
    return str(int(x)) if x.is_integer() else str(x)
