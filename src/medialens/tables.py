"""Tables a notebook shows, and the full tables a user takes away.

A notebook never displays a whole table of corpus size: :func:`show` displays at most
``max_rows`` rows (the first ones, or the rows the notebook chose, e.g. a seeded sample of a
concordance) with a line saying how many more there are, and writes the **full** table as CSV
(UTF-8, comma-separated, numbers as numbers, every row) to the run's tables folder, linked from
the displayed table so that a researcher can go on in pandas, R or a spreadsheet.

Where tables go: a report run writes them to ``reports/<corpus>/tables/`` beside its pages (the
runner passes ``tables_dir``); an interactive run (JupyterLab, ``make store``) writes them to
``tables/<corpus>/`` (:data:`INTERACTIVE_DIR`, ignored by git), never over tracked files. The
link is relative to the page's folder: the folder holding ``tables_dir`` for a report, the
notebook's folder (one below the project root: ``notebooks/`` or a working copy) otherwise.

Table names are file names (letters, digits, ``_ . -``) and unique across the notebooks of a
report, as figure names are.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import validate
from .paths import atomic_write, project_root, resolve

__all__ = [
    "INTERACTIVE_DIR",
    "ShownTable",
    "TableFolder",
    "show",
    "sample_rows",
    "tables_folder",
    "write_table",
    "table_files",
    "written_since",
    "TABLES_LOG_ENV",
    "logged_tables",
]

#: Where an interactive run writes its full tables: ``tables/<corpus name>/`` from the project root.
INTERACTIVE_DIR = "tables"
#: Rows displayed at most unless a notebook says otherwise.
MAX_ROWS = 20

#: Set by the report runner for each kernel: a file to which :func:`write_table` appends the path of
#: every table it writes, so that the runner knows which notebook wrote which tables even when two
#: notebooks run at once.
TABLES_LOG_ENV = "MEDIALENS_TABLES_LOG"

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class TableFolder:
    """Where full tables are written (``path``) and the folder links are relative to (``page_dir``)."""

    path: Path
    page_dir: Path

    def link(self, file: Path) -> str:
        """The relative link (forward slashes) from a page in ``page_dir`` to ``file``."""
        return Path(os.path.relpath(file, self.page_dir)).as_posix()


def tables_folder(tables_dir: str | Path, corpus_name: str) -> TableFolder:
    """The tables folder of a run from the notebooks' ``tables_dir`` parameter.

    Parameters
    ----------
    tables_dir : str or Path
        A folder relative to the project root (a report run passes ``reports/<corpus>/tables``;
        pages sit in the folder above it), or ``""`` for an interactive run:
        ``tables/<corpus_name>/`` (ignored by git), with links from a notebook one folder below
        the project root.
    corpus_name : str
        The corpus definition's name.

    Returns
    -------
    TableFolder
    """
    if not isinstance(tables_dir, str | Path):
        raise ValueError(f"tables_dir = {tables_dir!r}: give a folder for the tables, or '' for tables/<corpus>/")
    root = project_root()
    if str(tables_dir) == "":
        return TableFolder(root / INTERACTIVE_DIR / corpus_name, root / "notebooks")
    path = resolve(tables_dir)
    return TableFolder(path, path.parent)


def write_table(table: pd.DataFrame, name: str, folder: TableFolder) -> Path:
    """Write ``table`` whole as ``<folder>/<name>.csv`` (atomically; index kept only when named).

    Returns
    -------
    Path
        The file written.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name = {name!r}: a table name is a file name (letters, digits, '_', '.', '-')")
    path = folder.path / f"{name}.csv"
    keep_index = any(n is not None for n in table.index.names)
    with atomic_write(path, "w") as fh:
        table.to_csv(fh, index=keep_index, lineterminator="\n")
    if log := os.environ.get(TABLES_LOG_ENV):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{path.resolve()}\n")
    return path


@dataclass(frozen=True)
class ShownTable:
    """A bounded view of a table: displays its rows and a line about the rest and the full table.

    Attributes
    ----------
    rows : DataFrame
        The rows displayed.
    total : int
        Rows in the full table.
    chosen : str
        How the rows were chosen (``""`` for the first rows); said only when fewer rows are
        shown than the full table has.
    path : Path or None
        The CSV the full table was written to (None: not written).
    link : str
        The relative link to it from the page.
    cut : str
        What ``max_rows`` left out of the chosen rows ("the first 10 of 57 groups"), or ``""``.
    """

    rows: pd.DataFrame
    total: int
    chosen: str = ""
    path: Path | None = None
    link: str = ""
    cut: str = ""

    def footer(self) -> str:
        """The line below the table, as plain text."""
        more = self.total - len(self.rows)
        parts = []
        if self.chosen and more > 0:
            chosen = f"{self.chosen}; {self.cut}" if self.cut else self.chosen
            parts.append(f"{len(self.rows):,} of {self.total:,} rows shown ({chosen}).")
        elif more > 0:
            parts.append(f"… and {more:,} more rows.")
        if self.path is not None:
            parts.append(f"Full table ({self.total:,} row{'' if self.total == 1 else 's'}): {self.link}")
        return " ".join(parts)

    def _repr_html_(self) -> str:
        with _every_row(self.rows):  # the rows are bounded already: pandas must not cut them again
            table = self.rows._repr_html_() or ""
        footer = html.escape(self.footer())
        if self.path is not None:
            link = html.escape(self.link)
            footer = footer.replace(link, f'<a href="{html.escape(self.link, quote=True)}">{link}</a>')
        return f"{table}\n<p>{footer}</p>" if footer else table

    def __repr__(self) -> str:
        footer = self.footer()
        with _every_row(self.rows):
            rows = repr(self.rows)
        return f"{rows}\n{footer}" if footer else rows


def _every_row(rows: pd.DataFrame):
    """pandas display options under which ``rows`` are rendered whole (``display.max_rows`` is 60
    and ``min_rows`` 10 by default: a longer frame would show 10 rows and "...")."""
    return pd.option_context("display.max_rows", max(len(rows), 1), "display.min_rows", max(len(rows), 1))


def show(
    table: pd.DataFrame,
    name: str | None = None,
    *,
    folder: TableFolder | None = None,
    max_rows: int = MAX_ROWS,
    rows: pd.DataFrame | None = None,
    chosen: str = "",
    columns: list[str] | None = None,
    digits: int | None = None,
    by: str | None = None,
) -> ShownTable:
    """Display at most ``max_rows`` rows of ``table`` and write it whole as CSV.

    Parameters
    ----------
    table : DataFrame
        The full table (written unrounded, every row and column).
    name : str, optional
        File name of the CSV (without ``.csv``); None writes nothing.
    folder : TableFolder, optional
        Where to write (:func:`tables_folder`); None writes nothing.
    max_rows : int
        Rows displayed at most.
    rows : DataFrame, optional
        The rows to display instead of the first ones (e.g. :func:`sample_rows`, the last rows),
        cut to ``max_rows``.
    chosen : str
        How ``rows`` were chosen, for the line below the table ("a random sample per term ...").
    columns : list of str, optional
        Columns displayed (the CSV keeps all).
    digits : int, optional
        Round displayed floats to this many decimals.
    by : str, optional
        A column of ``rows`` holding groups (``"group"``): when ``max_rows`` cuts the chosen rows,
        the line below says how many of the groups are shown ("the first 10 of 57 groups").

    Returns
    -------
    ShownTable
        Displays as the bounded table and a line: "… and N more rows. Full table (N rows): link".
    """
    validate.frame(table, "table")
    max_rows = validate.whole_number(max_rows, "max_rows", minimum=1)
    path = link = None
    if name is not None and folder is not None:
        path = write_table(table, name, folder)
        link = folder.link(path)
    chosen_rows = table if rows is None else rows
    shown = chosen_rows.head(max_rows)
    cut = ""
    if by is not None and rows is not None and len(rows) > max_rows:
        validate.frame(rows, "rows", columns=(by,))
        if shown[by].nunique() < rows[by].nunique():
            cut = f"the first {shown[by].nunique():,} of {rows[by].nunique():,} groups"
    if columns is not None:
        shown = shown[list(columns)]
    if digits is not None:
        shown = shown.round(digits)
    return ShownTable(shown, len(table), chosen, path, link or "", cut)


def sample_rows(table: pd.DataFrame, *, by: str, n: int, random_state: int = 0) -> pd.DataFrame:
    """At most ``n`` rows per value of column ``by``, drawn at random (seeded), in table order.

    Parameters
    ----------
    table : DataFrame
    by : str
        Column whose values each get up to ``n`` rows (e.g. ``term`` of a concordance).
    n : int
        Rows per value at most.
    random_state : int
        Seed of the draw.

    Returns
    -------
    DataFrame
        The drawn rows, in the order they have in ``table``.
    """
    validate.frame(table, "table", columns=(by,))
    n = validate.whole_number(n, "n", minimum=1)
    if table.empty:
        return table
    drawn = table.groupby(by, sort=False, group_keys=False)[table.columns.tolist()].apply(
        lambda part: part.sample(n=min(n, len(part)), random_state=random_state)
    )
    return table.loc[table.index.isin(drawn.index)]


def table_files(folder: Path) -> dict[str, tuple[int, int]]:
    """The CSV files in ``folder`` with their modification time (ns) and size ({} when none)."""
    if not folder.is_dir():
        return {}
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.csv") if p.is_file()}


def written_since(folder: Path, before: dict[str, tuple[int, int]]) -> list[str]:
    """Names of the CSV files in ``folder`` that are new or changed since ``before``
    (:func:`table_files`), sorted."""
    return sorted(name for name, stamp in table_files(folder).items() if before.get(name) != stamp)


def logged_tables(log: Path, folder: Path) -> list[str]:
    """Names of the tables in ``folder`` that the log ``log`` (see :data:`TABLES_LOG_ENV`) records
    and that exist, sorted; [] when there is no log.

    Parameters
    ----------
    log : Path
        The log file a kernel wrote (one path per line).
    folder : Path
        The tables folder of the run.

    Returns
    -------
    list of str
    """
    try:
        lines = log.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    folder = folder.resolve()
    paths = {Path(line) for line in lines if line}
    return sorted(p.name for p in paths if p.parent == folder and p.is_file())
