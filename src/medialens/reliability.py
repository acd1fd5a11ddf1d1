"""Agreement between coders: Krippendorff's alpha with a bootstrap interval, percent agreement,
per-category agreement, the coder × coder matrix and the list of disagreements to adjudicate.

Every function takes one variable's codes as a long table, one row per coder × unit
(``unit_id``, ``coder``, ``value``; missing values are NaN or None), and returns a small result
with a ``table`` (numbers stay numbers) and ``notes`` (plain sentences about how it was computed).

The point estimate of alpha comes from the ``krippendorff`` package (Castro 2017). The bootstrap
follows Hayes & Krippendorff (2007) and Krippendorff's "Algorithm for bootstrapping a distribution
of alpha" (rev. 2011): pairs of values are drawn from the observed coincidences with the expected
disagreement held fixed; drawing pair counts from one multinomial per resample makes 1,000
resamples cost the same for 10 units or 10 million. A bootstrap over units (documents, the
sampled units) is offered beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import krippendorff
import numpy as np
import pandas as pd

from . import validate
from .codebook import LEVELS
from .results import Result

__all__ = [
    "LEVELS",
    "AlphaResult",
    "CoderMatrix",
    "ReliabilityData",
    "reliability_data",
    "coincidences",
    "distances",
    "alpha",
    "verdict",
    "bootstrap_pairs",
    "bootstrap_units",
    "agreement",
    "undefined_reason",
    "category_agreement",
    "coder_matrix",
    "disagreements",
]

RELIABLE, TENTATIVE = 0.800, 0.667


@dataclass(frozen=True)
class AlphaResult(Result):
    """Alpha with its interval; ``resamples`` holds the bootstrap alphas (sorted)."""

    resamples: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)


# --------------------------------------------------------------------------------------------
# Reliability data
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReliabilityData:
    """One variable's codes as arrays.

    ``counts`` is units × values (how many coders gave unit u value v), over units with at least
    one value; ``matrix`` is coders × units with the index of the value (-1 = missing);
    ``values`` is the value domain in order; ``units`` and ``coders`` name the rows/columns.
    """

    counts: np.ndarray
    matrix: np.ndarray
    values: tuple
    units: tuple
    coders: tuple
    level: str

    @property
    def pairable(self) -> np.ndarray:
        """Boolean mask over units: coded by at least two coders."""
        return self.counts.sum(axis=1) >= 2

    @property
    def numeric_values(self) -> np.ndarray:
        return np.asarray(self.values, dtype=float)


def reliability_data(
    codes: pd.DataFrame,
    *,
    level: str = "nominal",
    values: Sequence | None = None,
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "value",
) -> ReliabilityData:
    """Turn a long table of codes into reliability data.

    Parameters
    ----------
    codes : DataFrame
        One row per coder × unit with columns ``unit``, ``coder`` and ``value``.
    level : {"nominal", "ordinal", "interval", "ratio"}
    values : sequence, optional
        The value domain in its order (the codebook's values). Required for ``ordinal`` with
        text labels; by default the sorted values seen. Interval and ratio values must be numbers.
    unit, coder, value : str
        Column names.

    Returns
    -------
    ReliabilityData

    Raises ``ValueError`` for missing columns, a coder who coded a unit twice, a value outside
    ``values``, text values at interval or ratio level, and fewer than two values in the domain.
    """
    validate.choice(level, "level", LEVELS)
    missing = [c for c in (unit, coder, value) if c not in codes.columns]
    if missing:
        raise ValueError(f"codes: missing column(s) {missing}; found {list(codes.columns)}")
    df = codes[[unit, coder, value]].reset_index(drop=True)
    df[value] = df[value].where(df[value].notna() & (df[value].astype(str).str.strip() != ""), None)
    twice = df[df.duplicated([unit, coder], keep=False)]
    if len(twice):
        r = twice.iloc[0]
        raise ValueError(
            f"codes: coder {_plain(r[coder])!r} coded unit {_plain(r[unit])!r} {int(((df[unit] == r[unit]) & (df[coder] == r[coder])).sum())} "
            f"times ({len(twice)} row(s) affected); keep one code per coder and unit"
        )
    observed = df[value].dropna()
    if level in ("interval", "ratio"):
        observed = _as_numbers(observed, level)
        df.loc[observed.index, value] = observed
    domain = _domain(observed, values, level)
    index = {v: i for i, v in enumerate(domain)}
    outside = observed[~observed.isin(list(domain))]
    if len(outside):
        raise ValueError(
            f"codes: value {_plain(outside.iloc[0])!r} is not in values = {list(domain)} ({len(outside)} row(s) affected)"
        )
    units = tuple(sorted(df[unit].unique(), key=str))
    coders = tuple(sorted(df[coder].unique(), key=str))
    u_pos = {u: i for i, u in enumerate(units)}
    c_pos = {c: i for i, c in enumerate(coders)}
    matrix = np.full((len(coders), len(units)), -1, dtype=np.int64)
    coded = df[df[value].notna()]
    matrix[coded[coder].map(c_pos).to_numpy(), coded[unit].map(u_pos).to_numpy()] = coded[value].map(index).to_numpy()
    counts = np.zeros((len(units), len(domain)), dtype=np.int64)
    np.add.at(counts, (coded[unit].map(u_pos).to_numpy(), coded[value].map(index).to_numpy()), 1)
    keep = counts.sum(axis=1) > 0
    return ReliabilityData(
        counts=counts[keep],
        matrix=matrix[:, keep],
        values=tuple(domain),
        units=tuple(u for u, k in zip(units, keep, strict=True) if k),
        coders=coders,
        level=level,
    )


def _as_numbers(observed: pd.Series, level: str) -> pd.Series:
    nums = pd.to_numeric(observed, errors="coerce")
    bad = observed[nums.isna()]
    if len(bad):
        raise ValueError(
            f"codes: value {_plain(bad.iloc[0])!r} is not a number; level = {level!r} needs numeric codes "
            f"({len(bad)} row(s) affected)"
        )
    if level == "ratio" and (nums < 0).any():
        raise ValueError(f"codes: value {_plain(nums[nums < 0].iloc[0])!r} is negative; level = 'ratio' needs values >= 0")
    return nums.astype(float)


def _plain(v):
    """A numpy scalar as the Python value (so that messages show 2, not np.int64(2))."""
    return v.item() if isinstance(v, np.generic) else v


def _domain(observed: pd.Series, values: Sequence | None, level: str) -> list:
    if values is None:
        if level == "ordinal" and any(isinstance(v, str) for v in observed):
            raise ValueError("values: level = 'ordinal' with text codes needs the values in their order")
        domain = sorted(observed.unique(), key=lambda v: (isinstance(v, str), v))
    else:
        domain = list(values)
        if level in ("interval", "ratio"):
            domain = sorted(_as_numbers(pd.Series(domain, dtype=object), level).tolist())
        if len(set(domain)) != len(domain):
            raise ValueError(f"values = {list(values)!r}: a value is listed twice")
    domain = [_plain(v) for v in domain]
    if len(domain) < 2:
        raise ValueError(f"values: alpha needs at least two possible values; found {list(domain)}")
    return domain


# --------------------------------------------------------------------------------------------
# Coincidences and alpha
# --------------------------------------------------------------------------------------------
def coincidences(counts: np.ndarray) -> np.ndarray:
    """Observed coincidence matrix (values × values) of Krippendorff (2011) from units × values
    counts; units with fewer than two values contribute nothing."""
    counts = np.asarray(counts, dtype=float)
    m = counts.sum(axis=1)
    use = m >= 2
    c, m = counts[use], m[use]
    o = (c / (m - 1)[:, None]).T @ c
    o[np.diag_indices_from(o)] -= (c / (m - 1)[:, None]).sum(axis=0)
    return o


def distances(level: str, values: np.ndarray | Sequence, n_v: np.ndarray) -> np.ndarray:
    """Squared difference function δ² (values × values) for a level of measurement; ``n_v`` (the
    pairable values per value) is used by the ordinal metric only."""
    k = len(n_v)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(n_v)])
        lo, hi = np.minimum.outer(np.arange(k), np.arange(k)), np.maximum.outer(np.arange(k), np.arange(k))
        return (cum[hi + 1] - cum[lo] - (n_v[lo] + n_v[hi]) / 2.0) ** 2
    v = np.asarray(values, dtype=float)
    diff = np.subtract.outer(v, v)
    if level == "interval":
        return diff**2
    total = np.add.outer(v, v)
    return np.divide(diff, total, out=np.zeros_like(diff), where=total != 0) ** 2


def _metric_values(data: ReliabilityData) -> np.ndarray:
    if data.level in ("interval", "ratio"):
        return data.numeric_values
    return np.arange(len(data.values), dtype=float)


def alpha(data: ReliabilityData) -> float:
    """Krippendorff's alpha of reliability data at its level (computed by the ``krippendorff``
    package). Raises ``ValueError`` when no unit has two values or only one value is pairable."""
    _check_pairable(data)
    return float(
        krippendorff.alpha(value_counts=data.counts, value_domain=_metric_values(data), level_of_measurement=data.level)
    )


def _check_pairable(data: ReliabilityData) -> None:
    """Refuse data alpha is undefined for (:func:`undefined_reason`, the one rule)."""
    why = undefined_reason(data)
    if why:
        raise ValueError(f"codes: {why}; alpha is undefined")


def verdict(a: float) -> str:
    """The plain-words reading of an alpha: reliable (≥ .800), tentative (.667–.800) or not."""
    if not np.isfinite(a):
        return "undefined"
    if a >= RELIABLE:
        return "reliable"
    if a >= TENTATIVE:
        return "tentative"
    return "not reliable"


_VERDICT_WORDS = {
    "reliable": "reliable: alpha is at least .800, Krippendorff's standard for drawing conclusions",
    "tentative": "tentative: alpha is between .667 and .800, enough only for tentative conclusions",
    "not reliable": "not reliable: alpha is below .667, too low to draw conclusions from these codes",
    "undefined": "undefined: there is no variation to judge agreement on",
}


# --------------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------------
def _pair_draws(o: np.ndarray, n_coders: int) -> int:
    """Hayes & Krippendorff's number M of pairs drawn per resample: min(25 Q, (m − 1) n.. / 2),
    Q the number of non-empty cells of the coincidence matrix, m the number of coders."""
    q = int((o > 1e-12).sum())
    return max(1, int(min(25 * q, (n_coders - 1) * o.sum() / 2.0)))


def bootstrap_pairs(
    data: ReliabilityData, *, n_bootstrap: int = 1000, random_state: int = 0, draws: int | None = None
) -> tuple[np.ndarray, int]:
    """Bootstrap alphas by drawing pairs of values from the observed coincidences (Hayes &
    Krippendorff 2007), the expected disagreement held fixed.

    Each resample draws ``draws`` pairs (default: Hayes & Krippendorff's M) with probability
    o_cc / n.. for an agreeing pair and 2 o_ck / n.. for a disagreeing one, and gives
    1 − (mean δ² of the draws) / D_e, floored at −1. A resample whose draws are all the same
    agreeing value has no variation; its alpha is counted as 0, as in the KALPHA macro.

    Returns the sorted alphas and the number of pairs drawn per resample.
    """
    o = coincidences(data.counts)
    n = o.sum()
    n_v = o.sum(axis=0)
    delta = distances(data.level, _metric_values(data), n_v)
    e = (np.outer(n_v, n_v) - np.diag(n_v)) / (n - 1)
    d_e = (e * delta).sum() / n
    m = _pair_draws(o, len(data.coders)) if draws is None else int(draws)
    iu = np.triu_indices(len(n_v))
    p = np.where(iu[0] == iu[1], o[iu], 2 * o[iu]) / n
    p = np.clip(p, 0, None)
    p = p / p.sum()
    rng = np.random.default_rng(random_state)
    counts = rng.multinomial(m, p, size=n_bootstrap)
    d_o = counts @ delta[iu] / m
    alphas = np.maximum(1.0 - d_o / d_e, -1.0)
    diagonal = np.flatnonzero(iu[0] == iu[1])
    alphas[(counts[:, diagonal] == m).any(axis=1)] = 0.0
    return np.sort(alphas), m


def bootstrap_units(
    data: ReliabilityData, *, n_bootstrap: int = 1000, random_state: int = 0, chunk: int = 100
) -> np.ndarray:
    """Bootstrap alphas by resampling units (with replacement) among the units coded by at least
    two coders: coincidences, expected disagreement and (ordinal) distances are recomputed for
    each resample. A resample with no variation gives NaN (dropped by the caller).

    Returns the sorted alphas (NaN last).
    """
    counts = data.counts[data.pairable].astype(float)
    n_units, k = counts.shape
    per_unit = counts[:, :, None] * counts[:, None, :]
    per_unit[:, np.arange(k), np.arange(k)] -= counts
    per_unit = (per_unit / (counts.sum(axis=1) - 1)[:, None, None]).reshape(n_units, k * k)
    values = _metric_values(data)
    rng = np.random.default_rng(random_state)
    out = []
    for start in range(0, n_bootstrap, chunk):
        size = min(chunk, n_bootstrap - start)
        idx = rng.integers(0, n_units, size=(size, n_units))
        w = np.bincount((np.arange(size)[:, None] * n_units + idx).ravel(), minlength=size * n_units)
        o = (w.reshape(size, n_units).astype(float) @ per_unit).reshape(size, k, k)
        out.append(_alpha_from_coincidences(o, data.level, values))
    return np.sort(np.concatenate(out))


def _alpha_from_coincidences(o: np.ndarray, level: str, values: np.ndarray) -> np.ndarray:
    """Alpha for a stack of coincidence matrices (resamples × values × values)."""
    n_v = o.sum(axis=1)
    n = n_v.sum(axis=1)
    if level == "ordinal":
        delta = np.stack([distances(level, values, nv) for nv in n_v])
    else:
        delta = np.broadcast_to(distances(level, values, n_v[0]), o.shape)
    e = (n_v[:, :, None] * n_v[:, None, :] - n_v[:, :, None] * np.eye(len(values))) / (n - 1)[:, None, None]
    d_o = (o * delta).sum(axis=(1, 2))
    d_e = (e * delta).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d_e > 0, 1.0 - d_o / d_e, np.nan)


def _interval(alphas: np.ndarray, ci: float) -> tuple[float, float]:
    """Percentile interval as KALPHA takes it from the sorted resamples."""
    a = alphas[np.isfinite(alphas)]
    if len(a) == 0:
        return (np.nan, np.nan)
    x = len(a)
    lo = max(int((1 - ci) / 2 * x), 1) - 1
    hi = min(int((1 + ci) / 2 * x) + 1, x) - 1
    return float(a[lo]), float(a[hi])


# --------------------------------------------------------------------------------------------
# The agreement report
# --------------------------------------------------------------------------------------------
def agreement(
    codes: pd.DataFrame,
    *,
    level: str = "nominal",
    values: Sequence | None = None,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    bootstrap: str = "pairs",
    random_state: int = 0,
    unit: str = "unit_id",
    coder: str = "coder",
    value: str = "value",
) -> AlphaResult:
    """Krippendorff's alpha of one variable with a bootstrap interval, percent agreement and the
    verdict in plain words.

    Parameters
    ----------
    codes : DataFrame
        Long table, one row per coder × unit (see :func:`reliability_data`).
    level : {"nominal", "ordinal", "interval", "ratio"}
    values : sequence, optional
        The codebook's values in order.
    n_bootstrap : int
        Bootstrap resamples (0 for none).
    ci : float
        Coverage of the interval, e.g. 0.95.
    bootstrap : {"pairs", "units"}
        ``pairs``: Hayes & Krippendorff (2007); ``units``: resample the coded units.
    random_state : int
        Seed of the bootstrap.
    unit, coder, value : str
        Column names.

    Returns
    -------
    AlphaResult
        ``table`` has one row: level, alpha, ci_low, ci_high, verdict, n_units (units with two or
        more values), n_values (pairable values), n_coders, percent_agreement, and the bootstrap
        shares of alpha below .800 and .667 (``q_800``, ``q_667``). When alpha is undefined (no
        unit coded by two coders, or no variation in the pairable values; Krippendorff's
        convention, not 0 or 1), alpha and its interval are NaN, the verdict is ``undefined``, the
        notes give the reason, and percent agreement is given where units were coded twice.
    """
    validate.choice(bootstrap, "bootstrap", ("pairs", "units"))
    validate.whole_number(n_bootstrap, "n_bootstrap", minimum=0)
    validate.share(ci, "ci")
    validate.whole_number(random_state, "random_state", minimum=0)
    data = reliability_data(codes, level=level, values=values, unit=unit, coder=coder, value=value)
    n_values = int(data.counts[data.pairable].sum())
    n_units = int(data.pairable.sum())
    why = undefined_reason(data)
    if why:  # Krippendorff: alpha is undefined without overlap or variation; not 0, not 1
        return _undefined(data, level, why, n_units, n_values)
    a = alpha(data)
    notes = [
        f"Krippendorff's alpha ({level}) = {a:.3f} over {n_units} units coded by two or more of "
        f"{len(data.coders)} coders ({n_values} pairable values).",
        f"The codes are {_VERDICT_WORDS[verdict(a)]}.",
    ]
    single = len(data.units) - n_units
    if single:
        notes.append(f"{single} unit(s) coded by only one coder do not count towards alpha.")
    resamples, lo, hi = np.empty(0), np.nan, np.nan
    if n_bootstrap:
        resamples, boot_notes = _bootstrap(data, n_bootstrap, bootstrap, random_state, n_values)
        lo, hi = _interval(resamples, ci)
        notes += [boot_notes[0], f"{ci:.0%} interval {lo:.3f} to {hi:.3f} from {boot_notes[1]}.", *boot_notes[2:]]
    finite = resamples[np.isfinite(resamples)]
    row = {
        "level": level,
        "alpha": a,
        "ci_low": lo,
        "ci_high": hi,
        "verdict": verdict(a),
        "n_units": n_units,
        "n_values": n_values,
        "n_coders": len(data.coders),
        "percent_agreement": _percent_agreement(data.counts),
        "q_800": float((finite < RELIABLE).mean()) if len(finite) else np.nan,
        "q_667": float((finite < TENTATIVE).mean()) if len(finite) else np.nan,
    }
    return AlphaResult(table=pd.DataFrame([row]), notes=tuple(n for n in notes if n), resamples=resamples)


def undefined_reason(data: ReliabilityData) -> str:
    """Why alpha is undefined for these data (no unit coded by two coders, or one value only among
    the pairable values), with the counts; ``""`` when it is defined."""
    if not data.pairable.any():
        return (f"no unit coded by two coders ({len(data.units)} unit(s), {len(data.coders)} coder(s)); "
                "alpha needs overlapping codes")
    n_v = coincidences(data.counts).sum(axis=0)
    if (n_v > 0).sum() < 2:
        only = data.values[int(np.flatnonzero(n_v)[0])]
        return (f"no variation in the {int(data.counts[data.pairable].sum())} pairable values "
                f"(every one is {_plain(only)!r})")
    return ""


def _undefined(data: ReliabilityData, level: str, why: str, n_units: int, n_values: int) -> AlphaResult:
    """The agreement report when alpha is undefined: the reason, and percent agreement where the
    units were coded by two or more coders."""
    pct = _percent_agreement(data.counts)
    notes = [f"Krippendorff's alpha ({level}) is undefined: {why}."]
    if n_units:
        notes.append(f"Percent agreement {pct:.3f} over {n_units} units coded by two or more of "
                     f"{len(data.coders)} coders ({n_values} pairable values).")
    single = len(data.units) - n_units
    if single and n_units:
        notes.append(f"{single} unit(s) coded by only one coder do not count towards agreement.")
    row = {"level": level, "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan, "verdict": "undefined",
           "n_units": n_units, "n_values": n_values, "n_coders": len(data.coders), "percent_agreement": pct,
           "q_800": np.nan, "q_667": np.nan}
    return AlphaResult(table=pd.DataFrame([row]), notes=tuple(notes), resamples=np.empty(0))


def _bootstrap(data: ReliabilityData, n_bootstrap: int, how: str, random_state: int, n_values: int) -> tuple[np.ndarray, list[str]]:
    """The sorted bootstrap alphas and the notes about them: a note on the pairs cap (or ""), how
    the resamples were drawn (to follow "from"), and a note on undefined resamples (if any)."""
    cap = ""
    if how == "pairs":
        resamples, m = bootstrap_pairs(data, n_bootstrap=n_bootstrap, random_state=random_state)
        drawn = (f"{n_bootstrap} resamples of {m} pairs of values each, drawn from the observed "
                 f"coincidences (Hayes & Krippendorff 2007), seed {random_state}")
        if m < int((len(data.coders) - 1) * n_values / 2):
            cap = (f"The pairs bootstrap draws at most 25 pairs per non-empty cell of the coincidence "
                   f"matrix (KALPHA's practical limit, here {m}), so its interval does not narrow "
                   f"further with more units; bootstrap = 'units' resamples all {int(data.pairable.sum())} units.")
    else:
        resamples = bootstrap_units(data, n_bootstrap=n_bootstrap, random_state=random_state)
        drawn = f"{n_bootstrap} resamples of the {int(data.pairable.sum())} coded units, seed {random_state}"
    undefined = int((~np.isfinite(resamples)).sum())
    notes = [cap, drawn]
    if undefined:
        notes.append(f"{undefined} resample(s) had no variation (alpha undefined) and are left out.")
    return resamples, notes


def _percent_agreement(counts: np.ndarray) -> float:
    """Share of pairs of codes within units that agree (every pair of coders of a unit counts once)."""
    c = np.asarray(counts, dtype=float)
    m = c.sum(axis=1)
    pairs = (m * (m - 1) / 2).sum()
    return float((c * (c - 1) / 2).sum() / pairs) if pairs else np.nan


# The per-category and per-coder diagnostics live in reliability_coders; they are part of this
# module's interface (imported last: they build on the functions above).
from .reliability_coders import (  # noqa: E402
    CoderMatrix,
    category_agreement,
    coder_matrix,
    disagreements,
)
