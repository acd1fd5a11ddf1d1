"""The statistics of a 2×2 table for keyness: signed chi-square and G², Williams' q, Hardie's log ratio.

The table is [[a, b], [c, d]]: a = count of the term in the target, b = in the reference, c and d
= the other tokens of each side; N = a + b + c + d, E = row total × column total / N.

* **Chi-square corrections.** ``"none"`` is Pearson's statistic (scipy ``chi2_contingency(...,
  correction=False)``). ``"yates"`` is the always-on Yates correction of scipy
  (``correction=True``) and R (``chisq.test(correct=TRUE)``): every |O − E| is reduced by 0.5 but
  never below 0 (the reduction is capped at |O − E|, so a table with |ad − bc| < N/2 scores 0).
  quanteda's own ``correction = "yates"`` is *not* this: in its C++ it is conditional, like its
  default. ``"default"`` is quanteda's conditional rule: δ = 0.5 only when |ad − bc| ≥ N/2 **and**
  some expected cell is below 5, else no correction.
* **G²** is the four-cell log-likelihood 2 Σ O ln(O/E) over a, b, c and d (quanteda's ``"lr"``,
  scipy's ``lambda_="log-likelihood"``). :func:`ll_two_cell` is the two-cell log-likelihood of
  the UCREL log-likelihood calculator (Rayson & Garside 2000), 2 [a ln(a/E1) + b ln(b/E2)]: it
  leaves out the c and d cells and is slightly smaller on most tables.
* **Williams' q** (Williams 1976) divides G²: q = 1 + (N/(a+b) + N/(c+d) − 1)(N/(a+c) + N/(b+d) −
  1)/(6N). With a zero cell the formula is applied as it stands, as R's Deducer
  (``likelihood.test(conservative=TRUE)``) does; quanteda instead sets q = 1 when a cell is 0.
"""

from __future__ import annotations

import numpy as np
from scipy.special import chdtrc, xlogy

from .. import validate

CORRECTIONS = ("default", "yates", "none")
#: The log-likelihood variants keyness offers: the four-cell G² (quanteda, scipy) or the two-cell
#: LL of the UCREL calculator.
LOG_LIKELIHOODS = ("four-cell", "two-cell")


def chi2_sf_1(statistic) -> np.ndarray:
    """p-values of signed chi-square or G² statistics with one degree of freedom: the chi-square
    survival function of |statistic| (``scipy.stats.chi2.sf(abs(x), 1)``, computed with the same
    ``scipy.special.chdtrc`` without importing ``scipy.stats``, which costs a notebook kernel
    about half a second)."""
    return chdtrc(1, np.abs(np.asarray(statistic, dtype=float)))


# --------------------------------------------------------------------------------------------
# 2. Keyness
# --------------------------------------------------------------------------------------------
def chi2_signed(a, b, c, d, *, correction: str = "default") -> np.ndarray:
    """Signed chi-square of 2×2 tables [[a, b], [c, d]] (vectorised).

    ``correction``: ``"none"`` (Pearson, equals scipy ``correction=False``); ``"yates"`` (always
    on, equals scipy ``correction=True`` and R's ``chisq.test``: |ad − bc| reduced by N/2 but not
    below 0, i.e. each |O − E| reduced by at most itself; quanteda's ``"yates"`` is conditional
    instead); or ``"default"`` (quanteda's conditional rule: Yates only when |ad − bc| >= N/2
    **and** some expected cell < 5). Positive when ``a`` is above its expected value.
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
    """Williams' correction factor q for a 2×2 table (G² / q is the corrected statistic).

    A zero cell does not change the formula (as R's Deducer ``likelihood.test``; quanteda returns
    q = 1 when a cell is 0)."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    return 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)


def g2_signed(a, b, c, d, *, williams: bool = False) -> np.ndarray:
    """Signed four-cell log-likelihood G² = 2 Σ O ln(O/E) over a, b, c and d (0 ln 0 = 0; as
    quanteda and scipy), optionally divided by Williams' q. Positive when ``a`` is above its
    expected value."""
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


def ll_two_cell(a, b, total_t, total_r) -> np.ndarray:
    """Signed two-cell log-likelihood of the UCREL calculator (Rayson & Garside 2000).

    LL = 2 [a ln(a/E1) + b ln(b/E2)] with E1 = total_t (a + b) / (total_t + total_r) and
    E2 = total_r (a + b) / (total_t + total_r) (0 ln 0 = 0): only the term's own two cells, where
    the four-cell G² (:func:`g2_signed`) adds the c and d cells.

    Parameters
    ----------
    a, b : array-like
        The term's count in the target and in the reference.
    total_t, total_r : array-like
        Tokens of the target and of the reference (the calculator's corpus sizes).

    Returns
    -------
    ndarray
        LL, positive when the term's rate in the target is above its rate in the reference.
    """
    a, b, t, r = (np.asarray(x, dtype=float) for x in (a, b, total_t, total_r))
    n = t + r
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = 2 * (xlogy(a, a / (t * (a + b) / n)) + xlogy(b, b / (r * (a + b) / n)))
    ll = np.where(np.isfinite(ll), np.maximum(ll, 0.0), 0.0)
    return np.sign(a * r - b * t) * ll


def log_ratio(a, b, total_t, total_r) -> np.ndarray:
    """Hardie's log ratio log2((a / total_t) / (b / total_r)), with 0.5 in place of a zero count."""
    a = np.where(np.asarray(a, dtype=float) == 0, 0.5, a)
    b = np.where(np.asarray(b, dtype=float) == 0, 0.5, b)
    return np.log2((a / np.asarray(total_t, dtype=float)) / (b / np.asarray(total_r, dtype=float)))
