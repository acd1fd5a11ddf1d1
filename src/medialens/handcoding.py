"""Hand coding: draw a coding sample, write coding sheets and a codebook template, read the coded
sheets back, and compute agreement per variable.

The workflow of a content-analysis reliability test: units (documents, paragraphs or sentences)
are drawn stratified by a group column with a fixed seed; an overlap share is coded by every
coder (for agreement) and the rest split between coders; each coder gets one CSV sheet; the coded
sheets are read back with every problem named by file and line; :func:`agreement_table` gives
Krippendorff's alpha per variable (:mod:`medialens.reliability`).
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

from medialens import reliability
from medialens.grouping import group_labels
from medialens.paths import atomic_write
from medialens.results import Result

UNIT_KINDS = ("documents", "paragraphs", "sentences")
DONT_KNOW = ("don't know", "dont know", "dk", "weet niet", "n/a")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_000  # spreadsheets hold at most 32,767 characters in a cell
SHEET_COLUMNS = ("unit_id", "coder", "group", "text", "context")


# --------------------------------------------------------------------------------------------
# Codebook
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variable:
    """One coded variable: its name, allowed values (in order), level and instruction."""

    name: str
    values: tuple[str, ...]
    level: str = "nominal"
    description: str = ""


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

    ``spec`` maps a variable name to either a list of values or a dict with ``values`` and
    optionally ``level`` (nominal, ordinal, interval, ratio) and ``description``. Values are
    compared as text, so ``[1, 2, 3]`` and ``["1", "2", "3"]`` are the same codebook.
    """
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError(f"{what}: give at least one variable as {{name: [values]}}")
    variables = []
    for name, body in spec.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in SHEET_COLUMNS:
            raise ValueError(f"{what}: variable name {name!r} must be a plain name (letters, digits, _) other than {list(SHEET_COLUMNS)}")
        body = {"values": body} if isinstance(body, list | tuple) else dict(body or {})
        values = body.get("values")
        if not isinstance(values, list | tuple) or len(values) < 2:
            raise ValueError(f"{what}: variable {name!r} needs a list of at least two values")
        text = tuple(_text(v) for v in values)
        if len({v.casefold() for v in text}) != len(text) or any(v == "" for v in text):
            raise ValueError(f"{what}: variable {name!r} lists an empty or repeated value: {list(text)}")
        level = body.get("level", "nominal")
        if level not in reliability.LEVELS:
            raise ValueError(f"{what}: variable {name!r} has level = {level!r}; use one of {list(reliability.LEVELS)}")
        clash = [v for v in text if v.casefold() in {m.casefold() for m in missing}]
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
             f"Answers that count as missing (not as a category): {', '.join(codebook.missing)}.", ""]
    for v in codebook.variables:
        lines += [f"## `{v.name}` ({v.level})", "", v.description or "_What the variable captures; the coding unit; the rule for hard cases._", "",
                  "| value | definition | example |", "|---|---|---|"]
        lines += [f"| `{x}` | | |" for x in v.values]
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Units and the sample
# --------------------------------------------------------------------------------------------
def coding_units(corpus, *, kind: str = "documents", group_by: str | None = None) -> pd.DataFrame:
    """The units a sample is drawn from: ``unit_id, doc_id, group, text, context``.

    ``kind`` is documents (context: the title), paragraphs (``<doc_id>:p<n>``; context: the
    title) or sentences (``<doc_id>:<n>`` as in ``Corpus.sentences()``; context: the sentences
    before and after). ``group`` comes from the document column ``group_by``.
    """
    if kind not in UNIT_KINDS:
        raise ValueError(f"kind = {kind!r}: use one of {list(UNIT_KINDS)}")
    docs = corpus.documents
    groups = pd.Series(group_labels(docs, group_by).to_numpy(), index=docs["doc_id"])
    titles = pd.Series(docs["title"].fillna("").astype(str).to_numpy(), index=docs["doc_id"])
    if kind == "documents":
        out = pd.DataFrame({"unit_id": docs["doc_id"], "doc_id": docs["doc_id"], "text": docs["text"]})
        out["context"] = out["doc_id"].map(titles)
    elif kind == "paragraphs":
        p = corpus.paragraphs()
        out = pd.DataFrame({"unit_id": p["doc_id"] + ":p" + p["paragraph"].astype(str), "doc_id": p["doc_id"], "text": p["text"]})
        out["context"] = out["doc_id"].map(titles)
    else:
        s = corpus.sentences()
        out = pd.DataFrame({"unit_id": s["doc_id"] + ":" + s["sentence"].astype(str), "doc_id": s["doc_id"], "text": s["text"]})
        same = s["doc_id"].to_numpy()
        before = s["text"].shift(1).where(s["doc_id"].shift(1).to_numpy() == same, "")
        after = s["text"].shift(-1).where(s["doc_id"].shift(-1).to_numpy() == same, "")
        out["context"] = (before.fillna("") + " [...] " + after.fillna("")).str.strip()
    out.insert(2, "group", out["doc_id"].map(groups))
    return out.reset_index(drop=True)


def _largest_remainder(total: int, weights: pd.Series) -> pd.Series:
    """Split ``total`` over the index of ``weights`` in proportion, whole numbers summing to total
    (largest remainder; ties go to the earlier label)."""
    if total == 0 or weights.sum() == 0:
        return pd.Series(0, index=weights.index)
    quota = weights * total / weights.sum()
    base = np.floor(quota).astype(int)
    rest = total - int(base.sum())
    frac = (quota - base).to_numpy()
    order = sorted(range(len(frac)), key=lambda i: (-frac[i], i))
    for i in order[:rest]:
        base.iloc[i] += 1
    return base


def draw_sample(
    units: pd.DataFrame,
    *,
    n: int,
    coders: Sequence[str],
    overlap: float = 0.2,
    seed: int = 0,
) -> Result:
    """Draw a coding sample stratified by ``units['group']`` and assign it to coders.

    Parameters
    ----------
    units : DataFrame
        From :func:`coding_units` (``unit_id`` and ``group`` are needed).
    n : int
        Units to draw, split over groups in proportion to their size (largest remainder).
    coders : list of str
        Coder names (at least two when ``overlap`` > 0).
    overlap : float
        Share of the sample coded by every coder (drawn in proportion within each group); the
        rest is dealt to coders in turn, so each codes the same number ±1.
    seed : int

    Returns
    -------
    Result
        ``table``: the sampled units with ``overlap`` (bool) and ``coder``, one row per unit and
        coder who codes it; ``notes``: the allocation per group.
    """
    _check_sample_args(units, n, coders, overlap)
    rng = np.random.default_rng(seed)
    ordered = units.sort_values("unit_id", kind="stable").reset_index(drop=True)
    sizes = ordered.groupby("group", sort=True).size()
    take = _largest_remainder(n, sizes)
    shared = _largest_remainder(int(round(overlap * n)), take)
    rows, turn = [], 0
    for group in sizes.index:
        members = ordered[ordered["group"] == group]
        picked = members.iloc[rng.permutation(len(members))[: take[group]]]
        for i, (_, unit) in enumerate(picked.iterrows()):
            if i < shared[group]:
                rows += [{**unit.to_dict(), "overlap": True, "coder": c} for c in coders]
            else:
                rows.append({**unit.to_dict(), "overlap": False, "coder": coders[turn % len(coders)]})
                turn += 1
    table = pd.DataFrame(rows)
    alloc = "; ".join(f"{g}: {take[g]} of {sizes[g]} ({shared[g]} shared)" for g in sizes.index)
    notes = (f"{n} of {len(units)} units drawn with seed {seed}, in proportion to group size: {alloc}.",
             f"{int(shared.sum())} units ({overlap:.0%}) are coded by all {len(coders)} coders; "
             f"{n - int(shared.sum())} are split between them.")
    return Result(table=table, notes=notes)


def _check_sample_args(units: pd.DataFrame, n, coders, overlap) -> None:
    for col in ("unit_id", "group"):
        if col not in units.columns:
            raise ValueError(f"units: missing column {col!r}; make units with coding_units()")
    if units["unit_id"].duplicated().any():
        raise ValueError(f"units: unit_id {units['unit_id'][units['unit_id'].duplicated()].iloc[0]!r} appears twice")
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= len(units):
        raise ValueError(f"n = {n!r}: must be a whole number from 1 to the {len(units)} units available")
    if isinstance(coders, str) or not coders or len(set(coders)) != len(coders) or any(not str(c).strip() for c in coders):
        raise ValueError(f"coders = {coders!r}: give a list of distinct, non-empty coder names")
    if not isinstance(overlap, int | float) or isinstance(overlap, bool) or not 0 <= overlap <= 1:
        raise ValueError(f"overlap = {overlap!r}: must be a share from 0 to 1, e.g. 0.2")
    if overlap > 0 and len(coders) < 2:
        raise ValueError(f"coders = {list(coders)!r}: an overlap needs at least two coders")


# --------------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------------
def neutralise(cell: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula: a leading ``'`` before ``=``, ``+``,
    ``-``, ``@``, tab or carriage return (spreadsheets show the text without the quote)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def restore(cell: str) -> str:
    """Undo :func:`neutralise`."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(name)).strip("-.")
    return slug or "coder"


def write_sheets(
    sample: pd.DataFrame,
    folder: str | Path,
    *,
    codebook: Codebook,
    bom: bool = True,
) -> list[Path]:
    """Write one coding sheet per coder, ``<folder>/sheet_<coder>.csv``, plus ``codebook.md``.

    Columns: unit_id, coder, group, text, context, then one empty column per codebook variable.
    Rows follow the sample's order; text cells that look like formulas are neutralised and cells
    longer than a spreadsheet holds are cut (marked ``[...]``). ``bom=True`` starts each file with
    a UTF-8 byte-order mark so that spreadsheet programs read the accents correctly.

    Returns the paths written (sheets in coder order, then the codebook).
    """
    missing = [c for c in ("unit_id", "coder", "text") if c not in sample.columns]
    if missing:
        raise ValueError(f"sample: missing column(s) {missing}; draw it with draw_sample()")
    folder = Path(folder)
    slugs: dict[str, str] = {}
    for coder in dict.fromkeys(sample["coder"]):
        slug = _slug(coder)
        if slug in slugs.values():
            raise ValueError(f"coders: {coder!r} and another coder give the same file name sheet_{slug}.csv")
        slugs[coder] = slug
    written = []
    for coder, slug in slugs.items():
        rows = sample[sample["coder"] == coder]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([*SHEET_COLUMNS, *codebook.names])
        for _, r in rows.iterrows():
            cells = [_cell(r.get(c, "")) for c in SHEET_COLUMNS]
            w.writerow([*cells, *([""] * len(codebook.names))])
        path = folder / f"sheet_{slug}.csv"
        with atomic_write(path, "wb") as fh:
            fh.write(("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8"))
        written.append(path)
    path = folder / "codebook.md"
    with atomic_write(path, "w") as fh:
        fh.write(codebook_markdown(codebook))
    return [*written, path]


def _cell(v) -> str:
    text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 5] + "[...]"
    return neutralise(text)


# --------------------------------------------------------------------------------------------
# Reading coded sheets
# --------------------------------------------------------------------------------------------
def read_coded(
    source: str | Path,
    *,
    codebook: Codebook,
    units: Sequence[str] | pd.Series | None = None,
) -> Result:
    """Read coded sheets: a folder of CSV sheets (as written by :func:`write_sheets`, one column
    per variable) or one long CSV with columns ``unit_id, coder, variable, value``.

    Lines starting with ``#`` before the header are comments. Values are matched to the codebook
    ignoring case and surrounding spaces; the codebook's
    missing answers (e.g. "don't know") become missing values; empty cells are not codes.

    Parameters
    ----------
    source : path
        A folder (every ``*.csv`` in it, in name order) or one CSV file.
    codebook : Codebook
    units : list of unit ids, optional
        The sample: a unit not in it is an error.

    Returns
    -------
    Result
        ``table``: ``unit_id, coder, variable, value, file, line`` (value NaN for a missing
        answer), sorted by variable, unit and coder; ``notes``: counts of codes, missing answers
        and empty cells.

    Raises ``ValueError`` naming file and line for: an unknown unit, a value outside the
    codebook, an unknown variable, a coder who coded a unit twice, missing columns.
    """
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        if not files:
            raise ValueError(f"coded = {str(source)!r}: the folder holds no .csv files")
    elif path.is_file():
        files = [path]
    else:
        raise ValueError(f"coded = {str(source)!r}: no such file or folder")
    frames, blanks = [], 0
    for f in files:
        long, empty = _read_one(f, codebook)
        frames.append(long)
        blanks += empty
    table = pd.concat(frames, ignore_index=True)
    _check_units(table, units)
    _check_twice(table)
    table = _match_values(table, codebook)
    n_missing = int(table["value"].isna().sum())
    table = table.sort_values(["variable", "unit_id", "coder"], kind="stable").reset_index(drop=True)
    notes = (f"{len(table)} codes from {table['coder'].nunique()} coder(s) on {table['unit_id'].nunique()} "
             f"unit(s) in {len(files)} file(s); {n_missing} 'missing' answer(s) ({', '.join(codebook.missing)}) "
             f"count as no code; {blanks} empty cell(s) skipped.",)
    return Result(table=table, notes=notes)


def _read_one(path: Path, codebook: Codebook) -> tuple[pd.DataFrame, int]:
    """One CSV as long codes (strings) with file and line; returns it and the empty cells."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"{path.name}:{line}: byte 0x{raw[exc.start]:02x} is not valid UTF-8 (is it cp1252?); "
            "save the sheet as CSV UTF-8"
        ) from None
    text, skipped = _drop_comments(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValueError(f"{path.name}:{reader.line_num + skipped}: not a well-formed CSV ({exc})") from None
    if not rows:
        raise ValueError(f"{path.name}: the file is empty")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        raise ValueError(f"{path.name}:{skipped + 1}: a column name is repeated: {header}")
    long_form = {"variable", "value"} <= set(header)
    need = ["unit_id", "coder", "variable", "value"] if long_form else ["unit_id", "coder"]
    missing = [c for c in need if c not in header]
    if missing:
        raise ValueError(f"{path.name}:{skipped + 1}: missing column(s) {missing}; found {header}")
    if not long_form:
        unknown = [h for h in header if h not in SHEET_COLUMNS and h not in codebook.names and h not in ("comment", "note")]
        if unknown:
            raise ValueError(f"{path.name}:{skipped + 1}: column(s) {unknown} are not codebook variables {codebook.names}")
    out, empty = [], 0
    lines = [n + skipped for n in _line_numbers(text)]
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
        pairs = [(rec["variable"], rec["value"])] if long_form else [(v, rec[v]) for v in codebook.names if v in rec]
        for var, value in pairs:
            if value == "":
                empty += 1
                continue
            out.append((unit, coder, var, value, path.name, line))
    return pd.DataFrame(out, columns=["unit_id", "coder", "variable", "value", "file", "line"]), empty


def _drop_comments(text: str) -> tuple[str, int]:
    """Leading lines starting with ``#`` (a file's description) and how many there were."""
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and lines[n].lstrip().startswith("#"):
        n += 1
    return "".join(lines[n:]), n


def _line_numbers(text: str) -> list[int]:
    """The physical line on which each CSV record starts (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
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
    values = []
    for _, r in table.iterrows():
        allowed = {v.casefold(): v for v in codebook.variable(r["variable"]).values}
        key = r["value"].casefold()
        if key in missing:
            values.append(np.nan)
        elif key in allowed:
            values.append(allowed[key])
        elif _numeric_key(key) in allowed:
            values.append(allowed[_numeric_key(key)])
        else:
            raise ValueError(
                f"{_where(r)}: {r['variable']} = {r['value']!r} is not in the codebook "
                f"({', '.join(allowed.values())}; missing: {', '.join(codebook.missing)})"
            )
    return table.assign(value=pd.Series(values, index=table.index, dtype=object))


def _numeric_key(key: str) -> str:
    """'2.0' -> '2' so that a spreadsheet's number formatting still matches the codebook."""
    try:
        x = float(key.replace(",", "."))
    except ValueError:
        return key
    return str(int(x)) if x.is_integer() else str(x)


# --------------------------------------------------------------------------------------------
# Agreement per variable
# --------------------------------------------------------------------------------------------
def agreement_table(
    codes: pd.DataFrame,
    *,
    codebook: Codebook,
    n_boot: int = 1000,
    ci: float = 0.95,
    bootstrap: str = "pairs",
    seed: int = 0,
) -> Result:
    """Krippendorff's alpha with its interval and verdict for every codebook variable, one row per
    variable (see :func:`medialens.reliability.agreement`); the notes of each are kept, prefixed
    by the variable's name."""
    rows, notes = [], []
    for var in codebook.variables:
        sub = codes[codes["variable"] == var.name]
        if sub.empty:
            notes.append(f"{var.name}: no codes.")
            continue
        values = var.values if var.level in ("nominal", "ordinal") else None
        r = reliability.agreement(sub, level=var.level, values=values, n_boot=n_boot, ci=ci,
                                  bootstrap=bootstrap, seed=seed)
        rows.append(r.table.assign(variable=var.name))
        notes += [f"{var.name}: {n}" for n in r.notes]
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if len(table):
        table = table[["variable", *[c for c in table.columns if c != "variable"]]]
    return Result(table=table, notes=tuple(notes))
