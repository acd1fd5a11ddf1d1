"""Agreement diagnostics by category and by coder: per-category agreement, the coder × coder
matrix and the list of disagreements to adjudicate.

Part of :mod:`medialens.reliability` (which re-exports every name here); the same long-table
input, one row per coder × unit (``unit_id``, ``coder``, ``value``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .reliability import ReliabilityData, alpha, coincidences, reliability_data
from .results import Result

__all__ = ["CoderMatrix", "category_agreement", "coder_matrix", "disagreements"]


@dataclass(frozen=True)
class CoderMatrix(Result):
    """``table``: coder × coder percent agreement; ``n_units``: units both coded; ``pairs``: one
    row per pair of coders with its agreement and alpha."""

    n_units: pd.DataFrame = field(default_factory=pd.DataFrame)
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame)

def category_agreement(
    codes: pd.DataFrame,
    *,
    values: Sequence | None = None,
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "value",
) -> Result:
    """Agreement per category of a nominal (or ordinal) variable.

    Returns a Result whose table has one row per value: ``n_codes`` (times it was given),
    ``n_pairable`` (of those, in units with two or more codes), ``agreement`` (share of its
    pairings within units that are with the same value, o_cc / n_c) and ``alpha`` (nominal alpha
    of this value against all others; NaN when undefined).
    """
    data = reliability_data(codes, level="nominal", values=values, unit=unit, coder=coder, value=value)
    o = coincidences(data.counts)
    n_c = o.sum(axis=0)
    rows = []
    for i, v in enumerate(data.values):
        binary = np.stack([data.counts[:, i], data.counts.sum(axis=1) - data.counts[:, i]], axis=1)
        ob = coincidences(binary)
        nb = ob.sum(axis=0)
        d_e = nb[0] * nb[1] * 2 / (nb.sum() - 1) if nb.sum() > 1 else 0.0
        a = 1.0 - 2 * ob[0, 1] / d_e if d_e > 0 else np.nan
        rows.append({
            "value": v,
            "n_codes": int(data.counts[:, i].sum()),
            "n_pairable": float(n_c[i]),
            "agreement": float(o[i, i] / n_c[i]) if n_c[i] else np.nan,
            "alpha": float(a),
        })
    notes = ("agreement: of the pairings of a value with another coder's value of the same unit, the "
             "share that are the same value; alpha: that value against all others, as a binary variable.",)
    return Result(table=pd.DataFrame(rows), notes=notes)


def coder_matrix(
    codes: pd.DataFrame,
    *,
    level: str = "nominal",
    values: Sequence | None = None,
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "value",
) -> CoderMatrix:
    """Agreement of every pair of coders on the units both coded.

    Returns a CoderMatrix: ``table`` (coder × coder share of shared units with the same value;
    NaN on the diagonal), ``n_units`` (units both coded; the diagonal holds each coder's own
    count) and ``pairs`` (coder_a, coder_b, n_units, agreement, alpha at ``level``; alpha is NaN
    when the pair shares fewer than two values or has no variation).
    """
    data = reliability_data(codes, level=level, values=values, unit=unit, coder=coder, value=value)
    mat = data.matrix
    names = list(data.coders)
    agree = pd.DataFrame(np.nan, index=pd.Index(names, name="coder"), columns=names)
    shared = pd.DataFrame(0, index=pd.Index(names, name="coder"), columns=names)
    rows = []
    for i, a in enumerate(names):
        shared.iloc[i, i] = int((mat[i] >= 0).sum())
        for j in range(i + 1, len(names)):
            both = (mat[i] >= 0) & (mat[j] >= 0)
            n = int(both.sum())
            share = float((mat[i][both] == mat[j][both]).mean()) if n else np.nan
            agree.iloc[i, j] = agree.iloc[j, i] = share
            shared.iloc[i, j] = shared.iloc[j, i] = n
            rows.append({"coder_a": a, "coder_b": names[j], "n_units": n, "agreement": share,
                         "alpha": _pair_alpha(data, mat[[i, j]][:, both])})
    notes = (f"{len(names)} coders; agreement is the share of units both coded that got the same value.",)
    pairs = pd.DataFrame(rows, columns=["coder_a", "coder_b", "n_units", "agreement", "alpha"])  # none for one coder
    return CoderMatrix(table=agree, notes=notes, n_units=shared, pairs=pairs)


def _pair_alpha(data: ReliabilityData, sub: np.ndarray) -> float:
    k = len(data.values)
    counts = np.zeros((sub.shape[1], k), dtype=np.int64)
    for row in sub:
        counts[np.arange(sub.shape[1]), row] += 1
    if len(counts) == 0 or (coincidences(counts).sum(axis=0) > 0).sum() < 2:
        return np.nan
    pair = ReliabilityData(counts, sub, data.values, (), ("a", "b"), data.level)
    return alpha(pair)


def disagreements(
    codes: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    values: Sequence | None = None,
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "value",
) -> Result:
    """Units on which coders gave different values, for adjudication.

    Parameters
    ----------
    codes : DataFrame
        Long table of one variable's codes.
    units : DataFrame, optional
        Unit table with ``unit`` and any of ``text`` and ``context``, joined in.
    values : sequence, optional
        The codebook's values; by default the values seen (then at least two are needed, so give
        them when every coder may have given the same one).

    Returns
    -------
    Result
        One row per disputed unit, in unit order: the unit id, (text, context), one column per
        coder (empty where the coder did not code it), ``n_coders``, ``n_distinct`` and
        ``majority`` (the most frequent value when there is exactly one, else empty).
    """
    data = reliability_data(codes, level="nominal", values=values, unit=unit, coder=coder, value=value)
    distinct = (data.counts > 0).sum(axis=1)
    disputed = np.flatnonzero(distinct >= 2)
    table = pd.DataFrame({unit: [data.units[i] for i in disputed]})
    if units is not None:
        extra = [c for c in ("text", "context") if c in units.columns]
        table = table.merge(units[[unit, *extra]].drop_duplicates(unit), on=unit, how="left")
    for ci, name in enumerate(data.coders):
        col = data.matrix[ci, disputed]
        table[str(name)] = [data.values[x] if x >= 0 else "" for x in col]
    c = data.counts[disputed]
    top = c.max(axis=1) if len(c) else np.empty(0)
    table["n_coders"] = c.sum(axis=1)
    table["n_distinct"] = distinct[disputed]
    table["majority"] = [
        data.values[int(np.argmax(row))] if (row == t).sum() == 1 else "" for row, t in zip(c, top, strict=True)
    ]
    n_pairable = int(data.pairable.sum())
    notes = (f"{len(disputed)} of {n_pairable} units coded by two or more coders have differing values.",)
    return Result(table=table, notes=notes)
