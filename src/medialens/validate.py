"""Argument checks shared by every analysis.

Each check takes the value and the name of the argument it was passed as, returns the value
(converted to a plain Python type) and raises ``ValueError`` with one message style,
``"<name> = <value>: must be ..."``. The name is the calling function's own argument; notebooks
use the same names for the parameters they pass on, so the message names the notebook parameter
too.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = [
    "whole_number",
    "number",
    "share",
    "flag",
    "choice",
    "ngram_range",
    "count_or_share",
    "df_counts",
    "df_bounds_hold",
    "word_list",
    "frame",
    "instance",
    "MAX_NGRAM",
]

#: The longest n-gram any analysis counts.
MAX_NGRAM = 5


def _is_whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def whole_number(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check that ``value`` is a whole number (not a bool) within ``minimum``..``maximum``.

    Parameters
    ----------
    value : any
        The argument as passed.
    name : str
        The argument's name, for the message.
    minimum, maximum : int, optional
        Inclusive bounds.

    Returns
    -------
    int
    """
    if not _is_whole(value) or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if minimum is not None and maximum is not None:
            bound = f" between {minimum} and {maximum}"
        elif minimum is not None:
            bound = f" >= {minimum}"
        elif maximum is not None:
            bound = f" <= {maximum}"
        else:
            bound = ""
        raise ValueError(f"{name} = {value!r}: must be a whole number{bound}")
    return int(value)


def number(value: Any, name: str, *, above: float | None = None, minimum: float | None = None) -> float:
    """Check that ``value`` is a real number (not a bool), ``> above`` and ``>= minimum`` when given.

    Returns
    -------
    float
    """
    bad = not _is_number(value) or value != value  # NaN is not a usable number
    if not bad and above is not None and not value > above:
        bad = True
    if not bad and minimum is not None and value < minimum:
        bad = True
    if bad:
        bound = f" > {above:g}" if above is not None else f" >= {minimum:g}" if minimum is not None else ""
        raise ValueError(f"{name} = {value!r}: must be a number{bound}")
    return float(value)


def share(value: Any, name: str, *, example: float = 0.95, closed: bool = False) -> float:
    """Check that ``value`` is a number strictly between 0 and 1 (a confidence level), or from 0
    to 1 inclusive with ``closed=True`` (a share that may be none or all).

    Returns
    -------
    float
    """
    inside = _is_number(value) and (0 <= value <= 1 if closed else 0 < value < 1)
    if not inside:
        span = "from 0 to 1" if closed else "between 0 and 1"
        raise ValueError(f"{name} = {value!r}: must be {span}, e.g. {example:g}")
    return float(value)


def flag(value: Any, name: str) -> bool:
    """Check that ``value`` is ``True`` or ``False`` (not 0/1, not a string).

    Returns
    -------
    bool
    """
    if not isinstance(value, bool):
        raise ValueError(f"{name} = {value!r}: must be True or False")
    return value


def _listing(choices: Iterable[Any]) -> str:
    shown = [repr(c) for c in choices]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def choice(value: Any, name: str, choices: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``choices`` (compared with ``==``; a bool never matches 0/1).

    Returns
    -------
    the value
    """
    options = list(choices)
    if not any(type(value) is type(c) and value == c for c in options):
        raise ValueError(f"{name} = {value!r}: choose {_listing(options)}")
    return value


def ngram_range(value: Any, name: str = "ngram_range") -> tuple[int, int]:
    """Check ``[lowest, highest]`` n-gram orders, ``1 <= lowest <= highest <= MAX_NGRAM``.

    Returns
    -------
    tuple of int
        ``(lowest, highest)``.
    """
    ok = isinstance(value, list | tuple) and len(value) == 2 and all(_is_whole(v) for v in value)
    if not ok or not 1 <= value[0] <= value[1] <= MAX_NGRAM:
        raise ValueError(
            f"{name} = {value!r}: give [lowest, highest] with 1 <= lowest <= highest <= {MAX_NGRAM}, "
            "e.g. [1, 1] for words or [1, 2] for words and word pairs"
        )
    return int(value[0]), int(value[1])


def count_or_share(value: Any, name: str, *, what: str = "units") -> int | float:
    """Check a count of ``what`` (a whole number >= 1) or a share of them (a float in (0, 1]),
    scikit-learn's meaning of ``min_df``/``max_df``.

    Returns
    -------
    int or float
    """
    if not _is_number(value):
        raise ValueError(f"{name} = {value!r}: give a whole number of {what} (e.g. 2) or a share between 0 and 1 (e.g. 0.5)")
    if _is_whole(value):
        if value < 1:
            raise ValueError(f"{name} = {value!r}: a count of {what} must be >= 1 (or give a share such as 0.5)")
        return int(value)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{name} = {value!r}: a share of {what} must be > 0 and <= 1 (or give a whole count)")
    return float(value)


def df_counts(min_df: int | float, max_df: int | float, n: int) -> tuple[float, float]:
    """``min_df`` and ``max_df`` (checked by :func:`count_or_share`) as numbers of units out of ``n``."""
    return (min_df if isinstance(min_df, int) else min_df * n), (max_df if isinstance(max_df, int) else max_df * n)


def df_bounds_hold(min_df: int | float, max_df: int | float, n: int) -> bool:
    """Whether a term could pass both ``min_df`` and ``max_df`` among ``n`` units."""
    min_count, max_count = df_counts(min_df, max_df, n)
    return min_count <= max_count and min_count <= n


def word_list(value: Any, name: str, *, allow_empty: bool = False) -> list[str]:
    """Check a list of words or phrases; one string is taken as a list of one.

    Returns
    -------
    list of str
    """
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, Iterable) and not isinstance(value, bytes | dict | set | frozenset):
        items = list(value)
    else:
        items = None
    if items is None or (not items and not allow_empty):
        raise ValueError(f"{name} = {value!r}: give a list of words, e.g. ['navo']")
    bad = [v for v in items if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ValueError(f"{name}: {bad[0]!r} is not a word or phrase")
    return items


def frame(value: Any, name: str, *, columns: Iterable[str] = (), what: str = "a table") -> pd.DataFrame:
    """Check that ``value`` is a DataFrame holding ``columns``.

    Parameters
    ----------
    value : any
    name : str
    columns : iterable of str
        Columns it must have.
    what : str
        What the table is, for the message (``"the corpus document table"``).

    Returns
    -------
    DataFrame
    """
    if not isinstance(value, pd.DataFrame):
        raise ValueError(f"{name}: expected {what} (a DataFrame), got {type(value).__name__}")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ValueError(f"{name}: needs columns {missing}; columns: {sorted(map(str, value.columns))}")
    return value


def instance(value: Any, name: str, cls: type | tuple[type, ...], what: str) -> Any:
    """Check that ``value`` is an instance of ``cls``; ``what`` describes it for the message
    (``"the corpus word table (Corpus.words)"``).

    Returns
    -------
    the value
    """
    if not isinstance(value, cls):
        raise ValueError(f"{name}: expected {what}, got {type(value).__name__}")
    return value
