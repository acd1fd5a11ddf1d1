"""The one result convention: a table of numbers and the notes that say what to know about it.

An analysis that has something to say beside its numbers (a group of one document, a followed
term that never occurs, a step skipped) returns a :class:`Result`: ``table`` is a DataFrame whose
columns hold numbers as numbers, ``notes`` a tuple of plain sentences. A result with more than one
table or a figure's extra facts subclasses it (e.g. :class:`medialens.frequency.Trends`).
Functions without notes return a plain DataFrame.

Intervals stay two numeric columns in a table (``ci_low``, ``ci_high``); :func:`with_intervals`
formats them as ``"0.123 [0.010, 0.250]"`` for display only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Result", "INSUFFICIENT", "NO_SCORED_WORDS", "with_intervals"]

#: What a displayed interval says for a cell without a value (too few units for an interval).
INSUFFICIENT = "insufficient data"
#: ... for a cell whose mentions hold no scored (lexicon) word: no evidence, which is not neutral.
NO_SCORED_WORDS = "no scored words"


@dataclass(frozen=True)
class Result:
    """A table of numbers and the notes that say how they were computed and what to know."""

    table: pd.DataFrame
    notes: tuple[str, ...] = ()


def with_intervals(
    table: pd.DataFrame,
    *,
    value: str,
    low: str = "ci_low",
    high: str = "ci_high",
    digits: int = 3,
    column: str = "result",
) -> pd.DataFrame:
    """``table`` with one more column for display: ``value [low, high]`` as text.

    Parameters
    ----------
    table : DataFrame
        Holds the numeric columns ``value``, ``low`` and ``high``.
    value, low, high : str
        The estimate and its interval bounds.
    digits : int
        Decimals shown.
    column : str
        Name of the added column.

    Returns
    -------
    DataFrame
        A copy of ``table`` with ``column`` added: ``"0.123 [0.010, 0.250]"``, or where the
        estimate is missing the table's reason (its column ``missing``, as
        :func:`medialens.stance.stance_table` gives: ``"no scored words (n = 4 mentions)"``),
        else ``"insufficient data"``.
    """
    missing = [c for c in (value, low, high) if c not in table.columns]
    if missing:
        raise ValueError(f"table: missing column(s) {missing}; columns: {list(table.columns)}")
    reasons = [_reason(row, table) for row in range(len(table))]
    text = [
        reason if pd.isna(v) else f"{v:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
        for v, lo, hi, reason in zip(table[value], table[low], table[high], reasons, strict=True)
    ]
    return table.assign(**{column: text})


def _reason(row: int, table: pd.DataFrame) -> str:
    """Why row ``row`` of ``table`` may have no value: its ``missing`` text (with the mentions
    behind it for no scored words), else "insufficient data"."""
    why = table["missing"].iloc[row] if "missing" in table.columns else ""
    if not isinstance(why, str) or not why:
        return INSUFFICIENT
    if why == NO_SCORED_WORDS and "n_mentions" in table.columns:
        n = int(table["n_mentions"].iloc[row])
        return f"{why} (n = {n} mention{'' if n == 1 else 's'})"
    return why
