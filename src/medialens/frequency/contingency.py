"""The statistics of a 2×2 table for keyness: signed chi-square and G², Williams' q, Hardie's log ratio."""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from .. import validate

CORRECTIONS = ("default", "yates", "none")

# --------------------------------------------------------------------------------------------
# 2. Keyness
# --------------------------------------------------------------------------------------------
def chi2_signed(a, b, c, d, *, correction: str = "default") -> np.ndarray:
    """Signed chi-square of 2×2 tables [[a, b], [c, d]] (vectorised).

    ``correction``: ``"none"`` (Pearson, equals scipy ``correction=False``), ``"yates"`` (equals
    scipy ``correction=True``: |ad − bc| reduced by N/2 but not below 0), or ``"default"``
    (quanteda's conditional rule: Yates only when |ad − bc| >= N/2 and some expected cell < 5).
    Positive when ``a`` is above its expected value.
    """
    validate.choice(correction, "correction", CORRECTIONS)
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    diff = a * d - b * c
    absdiff = np.abs(diff)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    if correction == "none":
        delta = np.zeros_like(n)
    elif correction == "yates":
        delta = np.full_like(n, 0.5)
    else:
        e_min = np.minimum.reduce([(a + b) * (a + c), (a + b) * (b + d), (c + d) * (a + c), (c + d) * (b + d)]) / n
        delta = np.where((absdiff >= n / 2) & (e_min < 5), 0.5, 0.0)
    num = n * np.maximum(absdiff - n * delta, 0.0) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = np.where(denom > 0, num / denom, 0.0)
    return np.sign(diff) * chi


def williams_q(a, b, c, d) -> np.ndarray:
    """Williams' correction factor q for a 2×2 table (G² / q is the corrected statistic)."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    return 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)


def g2_signed(a, b, c, d, *, williams: bool = False) -> np.ndarray:
    """Signed log-likelihood G² = 2 Σ O ln(O/E) over the four cells (0 ln 0 = 0), optionally
    divided by Williams' q. Positive when ``a`` is above its expected value."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    r1, r2, c1, c2 = a + b, c + d, a + c, b + d
    with np.errstate(divide="ignore", invalid="ignore"):
        g = 2 * (
            xlogy(a, a / (r1 * c1 / n)) + xlogy(b, b / (r1 * c2 / n)) + xlogy(c, c / (r2 * c1 / n)) + xlogy(d, d / (r2 * c2 / n))
        )
    g = np.where(np.isfinite(g), np.maximum(g, 0.0), 0.0)
    if williams:
        g = g / williams_q(a, b, c, d)
    return np.sign(a * d - b * c) * g


def log_ratio(a, b, total_t, total_r) -> np.ndarray:
    """Hardie's log ratio log2((a / total_t) / (b / total_r)), with 0.5 in place of a zero count."""
    a = np.where(np.asarray(a, dtype=float) == 0, 0.5, a)
    b = np.where(np.asarray(b, dtype=float) == 0, 0.5, b)
    return np.log2((a / np.asarray(total_t, dtype=float)) / (b / np.asarray(total_r, dtype=float)))
