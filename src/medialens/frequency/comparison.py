"""Keyness: a group against the rest or a reference group, every group against the rest, bootstrap
intervals for the log ratio, and the corpus against general language (wordfreq)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import progress, validate
from ..grouping import group_labels, group_order
from ..results import Result
from .contingency import (
    CORRECTIONS,
    LOG_LIKELIHOODS,
    chi2_sf_1,
    chi2_signed,
    g2_signed,
    ll_two_cell,
    log_ratio,
)
from .counts import (
    DOCUMENTS_COLUMN,
    TermCounts,
    TermIndex,
    _check_top_n,
    _order_of,
    document_weights,
    grouped,
)

KEY_COLUMNS = [
    "target", "reference", "term", "n", "a", "b", "c", "d", "per_1000_target", "per_1000_reference",
    "chi2", "p_chi2", "g2", "p_g2", "log_ratio", "docs_target", "docs_reference", "n_docs_target",
    "n_docs_reference", "tokens_target", "tokens_reference",
]


def _sides(labels: pd.Series, groups: list[str], group: str, reference: str | None, group_by) -> tuple[np.ndarray, np.ndarray, str]:
    if group not in groups:
        raise ValueError(f"group = {group!r}: no such {group_by} value; groups are {groups}")
    t = (labels == group).to_numpy()
    if reference is None:
        return t, ~t, "rest"
    if reference not in groups:
        raise ValueError(f"reference = {reference!r}: no such {group_by} value; groups are {groups}")
    if reference == group:
        raise ValueError(f"reference = {reference!r}: must differ from group (or None for 'all other documents')")
    return t, (labels == reference).to_numpy(), reference


def keyness(
    counts: TermCounts,
    *,
    group_by: str | None = "outlet",
    group: str,
    reference: str | None = None,
    correction: str = "default",
    williams: bool = False,
    log_likelihood: str = "four-cell",
    ngram: int | list | None = None,
    min_count: int = 1,
    min_docs: int | None = None,
    top_n: int | None = None,
) -> Result:
    """Keyness of every term for ``group`` (the target) against ``reference`` (default: all other
    documents).

    Parameters
    ----------
    counts : TermCounts
    group_by : str
        Document column whose values name the groups.
    group, reference : str
        Group values; ``reference=None`` compares ``group`` with the rest of the corpus. The result
        calls ``group`` the target.
    correction : "default" | "yates" | "none"
        Chi-square continuity correction: "default" is quanteda's conditional Yates (only when
        |ad − bc| >= N/2 and some expected cell < 5), "yates" the always-on Yates of scipy and R
        (capped at |O − E|; quanteda's own "yates" is conditional), "none" Pearson's.
    williams : bool
        Divide the four-cell G² by Williams' q (a zero cell as in R's Deducer; quanteda uses q = 1
        there). Default False (quanteda's documentation and code disagree on its own default; we
        use the plain G² that ``scipy.stats.chi2_contingency`` computes).
    log_likelihood : "four-cell" | "two-cell"
        What the ``g2`` column holds: the four-cell G² (quanteda, scipy; default) or the two-cell
        log-likelihood of the UCREL calculator (:func:`ll_two_cell`). A note says which.
    ngram : int or list, optional
        N-gram orders to test (default all counted).
    min_count : int
        Only terms with a + b >= min_count.
    min_docs : int, optional
        A term is listed only when the side it is over-represented on (the target when a is at
        or above its expected value, else the reference) has it in at least ``min_docs``
        documents, so that one article cannot make a key term. Default (``None``): 2 for a side
        with 5 or more documents, else 1 (:func:`min_docs_default`). A note counts the terms
        left out.
    top_n : int, optional
        Keep only the ``top_n`` terms at each end (most over- and most under-represented), which
        saves time and memory on large vocabularies; default all terms.

    Returns
    -------
    Result
        ``table``:        One row per term, sorted by chi2 (descending) then term: the 2×2 cells ``a, b, c, d``,
        relative frequencies per 1,000, signed ``chi2`` and ``g2`` with p-values (1 degree of
        freedom), ``log_ratio`` (Hardie; 0.5 replaces a zero count), documents containing the term
        (``docs_target``, ``docs_reference``) and document/token totals per side. Notes say which
        log-likelihood ``g2`` is, warn about n=1 sides and count the terms ``min_docs`` left out.
    """
    top_n = _check_keyness_arguments(correction, log_likelihood, williams, min_count, min_docs, top_n)
    orders = _order_of(ngram, counts)
    labels = group_labels(counts.documents, group_by)
    groups = group_order(labels)
    t_mask, r_mask, ref_name = _sides(labels, groups, group, reference, group_by)
    notes = [_g2_note(log_likelihood, williams)]
    side_info = {
        side: _side_size(counts, mask, side, argument, name, group_by, notes)
        for side, argument, mask, name in (("target", "group", t_mask, group), ("reference", "reference", r_mask, ref_name))
    }
    side_counts = _side_counts(counts, group_by, group, reference)
    out = _keyness_table(counts, group, ref_name, side_counts, side_info, orders=orders, min_count=min_count,
                         correction=correction, williams=williams, top_n=top_n, log_likelihood=log_likelihood,
                         min_docs=min_docs, notes=notes)
    out = _by_chi2(out, counts)
    if top_n is not None and len(out) > 2 * top_n:
        out = pd.concat([out.head(top_n), out.tail(top_n)], ignore_index=True)
    return Result(out, tuple(notes))


def _by_chi2(table: pd.DataFrame, counts: TermCounts) -> pd.DataFrame:
    """``table`` (rows in column order of ``counts``) sorted by ``chi2`` (largest first), then
    term: with sorted terms (a :class:`TermIndex`) the column order is the term order, so two
    numeric keys do what sorting millions of strings would."""
    if isinstance(counts.index, TermIndex):
        order = np.lexsort((np.arange(len(table)), -table["chi2"].to_numpy()))
        return table.iloc[order].reset_index(drop=True)
    return table.sort_values(["chi2", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _check_keyness_arguments(correction, log_likelihood, williams, min_count, min_docs, top_n) -> int | None:
    """:func:`keyness`'s options checked; returns ``top_n`` (None: every term)."""
    validate.choice(correction, "correction", CORRECTIONS)
    validate.choice(log_likelihood, "log_likelihood", LOG_LIKELIHOODS)
    validate.flag(williams, "williams")
    if williams and log_likelihood == "two-cell":
        raise ValueError("williams = True: Williams' correction applies to the four-cell G²; use log_likelihood = 'four-cell'")
    validate.whole_number(min_count, "min_count", minimum=1)
    if min_docs is not None:
        validate.whole_number(min_docs, "min_docs", minimum=1)
    return None if top_n is None else _check_top_n(top_n)


def _keyness_table(counts: TermCounts, group: str, ref_name: str, side_counts, side_info: dict, *, orders: list[int],
                   min_count: int, correction: str, williams: bool, top_n: int | None, log_likelihood: str,
                   min_docs: int | None, notes: list[str]) -> pd.DataFrame:
    """The keyness rows (:data:`KEY_COLUMNS`, unsorted) of every term of the ``orders`` with
    a + b >= ``min_count`` and enough documents (``min_docs``, a note in ``notes`` counts the
    others); with ``top_n`` only the terms at both ends of chi2 (ties at the cuts included).
    ``side_counts`` is :func:`_side_counts`' result, ``side_info`` the sides' sizes."""
    a_all, b_all, da, db = side_counts
    term_n = counts.terms["n"].to_numpy()
    keep = np.isin(term_n, orders) & ((a_all + b_all) >= min_count) & ((a_all + b_all) > 0)
    tot_t = np.zeros(max(counts.orders) + 1)
    tot_r = np.zeros(max(counts.orders) + 1)
    for n in counts.orders:
        tot_t[n], tot_r[n] = side_info["target"][2][n], side_info["reference"][2][n]
    keep &= _enough_documents((a_all, b_all, tot_t[term_n], tot_r[term_n], da, db), side_info, min_docs, keep, group, notes)
    idx = np.flatnonzero(keep)
    a, b = a_all[idx], b_all[idx]
    tt, tr = tot_t[term_n[idx]], tot_r[term_n[idx]]
    c, d = tt - a, tr - b
    chi = chi2_signed(a, b, c, d, correction=correction)
    if top_n is not None and len(chi) > 2 * top_n:  # keep both ends (ties at the cuts included)
        hi = np.partition(chi, len(chi) - top_n)[len(chi) - top_n]
        lo = np.partition(chi, top_n - 1)[top_n - 1]
        sel = (chi >= hi) | (chi <= lo)
        idx, a, b, c, d, tt, tr, chi = idx[sel], a[sel], b[sel], c[sel], d[sel], tt[sel], tr[sel], chi[sel]
    g2 = g2_signed(a, b, c, d, williams=williams) if log_likelihood == "four-cell" else ll_two_cell(a, b, tt, tr)
    return pd.DataFrame(
        {
            "target": group,
            "reference": ref_name,
            "term": counts.terms["term"].to_numpy()[idx],
            "n": term_n[idx],
            "a": a.astype(np.int64),
            "b": b.astype(np.int64),
            "c": c.astype(np.int64),
            "d": d.astype(np.int64),
            "per_1000_target": a / tt * 1000,
            "per_1000_reference": b / tr * 1000,
            "chi2": chi,
            "p_chi2": chi2_sf_1(chi),
            "g2": g2,
            "p_g2": chi2_sf_1(g2),
            "log_ratio": log_ratio(a, b, tt, tr),
            "docs_target": da[idx],
            "docs_reference": db[idx],
            "n_docs_target": side_info["target"][0],
            "n_docs_reference": side_info["reference"][0],
            "tokens_target": side_info["target"][1],
            "tokens_reference": side_info["reference"][1],
        },
        columns=KEY_COLUMNS,
    )


def _g2_note(log_likelihood: str, williams: bool) -> str:
    """The sentence that says which log-likelihood the ``g2`` column holds."""
    if log_likelihood == "two-cell":
        return ("g2 is the two-cell log-likelihood of the UCREL calculator, 2 [a ln(a/E1) + b ln(b/E2)] "
                "(the c and d cells left out), signed.")
    return ("g2 is the four-cell log-likelihood G², 2 Σ O ln(O/E) over a, b, c and d (as quanteda and scipy), signed"
            + (", divided by Williams' q." if williams else ", without Williams' correction."))


def min_docs_default(n_docs: int) -> int:
    """The default ``min_docs`` for a side of ``n_docs`` documents: 2 from 5 documents on, else 1."""
    return 2 if n_docs >= 5 else 1


def _enough_documents(cells, side_info: dict, min_docs: int | None, candidates, group: str, notes: list[str]) -> np.ndarray:
    """Terms whose over-represented side has them in at least ``min_docs`` documents; a note
    counts the ``candidates`` left out. ``cells`` is ``(a, b, tokens_t, tokens_r, docs_t, docs_r)``
    per term."""
    a, b, tot_t, tot_r, da, db = cells
    need_t = min_docs or min_docs_default(side_info["target"][0])
    need_r = min_docs or min_docs_default(side_info["reference"][0])
    over = a * tot_r >= b * tot_t  # at or above the expected count in the target
    ok = np.where(over, da >= need_t, db >= need_r)
    dropped = (~ok) & candidates
    if dropped.any():
        n_t, n_r = int((dropped & over).sum()), int((dropped & ~over).sum())
        notes.append(
            f"min_docs ({group!r}): {n_t:,} term(s) over-represented in the target occur in fewer than {need_t} of its "
            f"documents, {n_r:,} under-represented term(s) in fewer than {need_r} reference documents; they are left out."
        )
    return ok


def _side_size(counts: TermCounts, mask: np.ndarray, side: str, argument: str, name: str, group_by, notes: list[str]):
    """``(documents, tokens, n-grams per order)`` of one side of a keyness comparison.

    Raises a ValueError naming ``argument`` when the side has no documents or no tokens; a side of
    one document adds a sentence to ``notes``. ``tokens`` is None when unigrams are not counted.
    """
    docs = counts.documents
    n_docs = int(document_weights(docs)[mask].sum())
    tokens = int(docs.loc[mask, "total_1"].sum()) if 1 in counts.orders else None
    if n_docs == 0:
        raise ValueError(f"{argument} = {name!r}: no documents")
    totals = {n: int(docs.loc[mask, f"total_{n}"].sum()) for n in counts.orders}
    if totals[counts.orders[0]] == 0:
        raise ValueError(
            f"{argument} = {name!r}: {group_by} group has 0 tokens after stopwords and filters "
            f"({n_docs} documents); nothing to compare"
        )
    if n_docs == 1:
        notes.append(f"{side} {name!r} is a single document (n=1): keyness describes that article, not a group.")
    return n_docs, tokens, totals


def _side_counts(counts: TermCounts, group_by: str | None, group: str, reference: str | None):
    """Every term's count and document count in the target ``group`` and in the ``reference``
    group: ``(a, b, docs_a, docs_b)``; with ``reference=None`` the reference is the corpus minus
    the target. From the per-group sums kept with ``counts`` (:func:`grouped`)."""
    by = grouped(counts, group_by)

    def row(matrix, name: str) -> np.ndarray:
        return matrix.getrow(by.groups.index(name)).toarray().ravel()

    a_all, da = row(by.counts, group), row(by.docs, group)
    if reference is None:  # the rest of the corpus: corpus totals minus the target
        return a_all, counts.terms["count"].to_numpy() - a_all, da, counts.document_counts() - da
    return a_all, row(by.counts, reference), da, row(by.docs, reference)


def keyness_grid(counts: TermCounts, *, group_by: str | None = "outlet", top_n: int = 10, **kwargs) -> Result:
    """One-vs-rest keyness for every group: the ``top_n`` most over-represented terms of each
    group (by signed chi2, ties by term). Other options as :func:`keyness`; its ``min_docs``
    default (2 for a group of 5 or more documents) keeps a group's top terms from resting on one
    article, and ``docs_target`` shows in how many of the group's documents each term occurs.
    Groups with no tokens are skipped with a note."""
    top_n = _check_top_n(top_n)
    labels = group_labels(counts.documents, group_by)
    groups = group_order(labels)
    if len(groups) < 2:
        raise ValueError(f"group_by = {group_by!r}: needs at least two groups for one-vs-rest keyness, found {groups}")
    frames, notes = [], []
    for g in groups:
        try:
            k = keyness(counts, group_by=group_by, group=g, top_n=top_n, **kwargs)
        except ValueError as exc:
            notes.append(f"skipped: {exc}")
            continue
        notes += [n for n in k.notes if n not in notes]  # the g2 note once, not once per group
        frames.append(k.table[k.table["chi2"] > 0].head(top_n))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEY_COLUMNS)
    return Result(out, tuple(notes))


def bootstrap_log_ratio(
    counts: TermCounts,
    *,
    group_by: str | None = "outlet",
    group: str,
    reference: str | None = None,
    terms,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    random_state: int = 0,
) -> Result:
    """Percentile bootstrap intervals for the log ratio, resampling **documents** (not tokens)
    within ``group`` and within the reference, so that one long article cannot pass for many.

    Parameters
    ----------
    group, reference : str
        As in :func:`keyness`.
    terms : list of str
        Terms (as in the counts, e.g. from :func:`keyness`) to compute intervals for.
    n_bootstrap : int
        Bootstrap replicates (fixed ``random_state`` makes them repeatable).
    ci : float
        Interval coverage, e.g. 0.95.

    Returns
    -------
    Result
        ``table``:        ``term, log_ratio, low, high, n_docs_target, n_docs_reference``; with one document on a
        side the interval is NaN (nothing to resample) and a note says so.
    """
    if DOCUMENTS_COLUMN in counts.documents.columns:
        raise ValueError("counts: the bootstrap resamples documents; these counts are per cell (Spark engine): "
                         "run it on a sample of documents counted in memory")
    n_bootstrap = validate.whole_number(n_bootstrap, "n_bootstrap", minimum=10)
    ci = validate.share(ci, "ci")
    labels = group_labels(counts.documents, group_by)
    groups = group_order(labels)
    t_mask, r_mask, ref_name = _sides(labels, groups, group, reference, group_by)
    cols = []
    for t in terms:
        j = counts.column(t)
        if j is None:
            raise ValueError(f"terms: {t!r} is not in the counts")
        cols.append(j)
    # per document: the terms' counts, then its n-gram totals of the orders they have (exact
    # integers in float64, so any order of summing gives the same sums)
    term_n = counts.terms["n"].to_numpy()[cols]
    orders = sorted(set(term_n.tolist()))
    both = np.column_stack([counts.matrix[:, cols].toarray()] + [counts.documents[f"total_{n}"].to_numpy() for n in orders]).astype(float)
    total_of = len(cols) + np.searchsorted(orders, term_n)  # column of each term's total

    def ratios(t_sums: np.ndarray, r_sums: np.ndarray) -> np.ndarray:
        return log_ratio(t_sums[: len(cols)], r_sums[: len(cols)], t_sums[total_of], r_sums[total_of])

    rng = np.random.default_rng(random_state)
    t_idx, r_idx = np.flatnonzero(t_mask), np.flatnonzero(r_mask)
    on_t, on_r = both[t_idx], both[r_idx]
    point = ratios(on_t.sum(0), on_r.sum(0))
    notes = []
    if len(t_idx) < 2 or len(r_idx) < 2:
        low = high = np.full(len(cols), np.nan)
        notes.append("bootstrap: a side has a single document (n=1); there is nothing to resample, so no interval.")
    else:
        reps = np.empty((n_bootstrap, len(cols)))
        n_t, n_r = len(t_idx), len(r_idx)
        for i in progress.bar(range(n_bootstrap), desc="bootstrap", unit="resample"):
            # a resample with replacement as how often each document was drawn (the draws of
            # rng.choice(t_idx, n_t) and rng.choice(r_idx, n_r)), summed as one product per side
            t_draws = np.bincount(rng.integers(0, n_t, size=n_t, dtype=np.int64), minlength=n_t)
            r_draws = np.bincount(rng.integers(0, n_r, size=n_r, dtype=np.int64), minlength=n_r)
            reps[i] = ratios(t_draws @ on_t, r_draws @ on_r)
        alpha = (1 - ci) / 2
        low, high = np.quantile(reps, [alpha, 1 - alpha], axis=0)
    out = pd.DataFrame(
        {
            "term": list(terms), "log_ratio": point, "low": low, "high": high,
            "n_docs_target": len(t_idx), "n_docs_reference": len(r_idx),
        }
    )
    return Result(out, tuple(notes))


# --------------------------------------------------------------------------------------------
# 3. Against general language (wordfreq)
# --------------------------------------------------------------------------------------------
#: Smallest frequency wordfreq's "large" lists hold (1 per 100 million words); a word it does not
#: know is given half of it, as the log ratio gives 0.5 to a zero count.
WORDFREQ_FLOOR = 0.5e-8


def reference_keyness(
    counts: TermCounts,
    *,
    reference_size: float = 1e9,
    top_n: int = 20,
    min_count: int = 2,
) -> Result:
    """Unigrams of the whole corpus against general-language frequencies from ``wordfreq``.

    wordfreq gives a word's frequency (share of running words in a large mix of sources:
    subtitles, Wikipedia, web text, news, social media), not counts. We therefore
    (1) compare with the corpus's rate per **running word before stopword removal** (``words``),
    since wordfreq's frequencies are shares of all words, stopwords included; and
    (2) build a nominal reference of ``reference_size`` words (b = frequency × size). The log
    ratio does not depend on that size; chi2/G² grow with it, and with a size much larger than the
    corpus they become the test of the corpus count against a known rate. Words wordfreq does not
    list get :data:`WORDFREQ_FLOOR`. Hyphenated compounds (``no-flyzone``) are not in wordfreq's
    lists as one word; wordfreq estimates them from their parts (flagged in ``note``).

    Returns
    -------
    Result
        ``table``:        ``term, count, per_million, reference_per_million, log_ratio, g2, p_g2, note`` for the
        ``top_n`` most over-represented words (positive G², ties by term); notes: the corpus size and
        the reference used.
    """
    from wordfreq import word_frequency

    top_n = _check_top_n(top_n)
    if counts.settings.reduce != "none":
        raise ValueError(
            f"reduce = {counts.settings.reduce!r}: wordfreq lists word forms, so compare counts made with reduce = 'none'"
        )
    if 1 not in counts.orders:
        raise ValueError(f"ngram_range = {list(counts.ngram_range)}: reference keyness needs unigrams (start the range at 1)")
    if not reference_size or reference_size <= 0:
        raise ValueError(f"reference_size = {reference_size!r}: must be a positive number of words")
    total = int(counts.documents["words"].sum())
    if total == 0:
        raise ValueError("documents: the corpus has no words")
    uni = counts.terms[(counts.terms["n"] == 1) & (counts.terms["count"] >= min_count)]
    freq = np.array([word_frequency(t, counts.settings.language) for t in uni["term"]])
    note = np.where(freq == 0, "not in wordfreq (floor used)", np.where(uni["term"].str.contains("-"), "compound: wordfreq estimate from parts", ""))
    f = np.where(freq > 0, freq, WORDFREQ_FLOOR)
    a = uni["count"].to_numpy().astype(float)
    b = f * reference_size
    c, d = total - a, reference_size - b
    g2 = g2_signed(a, b, c, d)

    out = pd.DataFrame(
        {
            "term": uni["term"].to_numpy(),
            "count": a.astype(np.int64),
            "per_million": a / total * 1e6,
            "reference_per_million": f * 1e6,
            "log_ratio": np.log2((a / total) / f),
            "g2": g2,
            "p_g2": chi2_sf_1(g2),
            "note": note,
        }
    )
    out = out[out["g2"] > 0].sort_values(["g2", "term"], ascending=[False, True], kind="stable").head(top_n)
    out = out.reset_index(drop=True)
    notes = [
        f"Corpus rate per running word (before stopword removal): {total:,} words. Reference: wordfreq "
        f"'{counts.settings.language}' frequencies as a nominal corpus of {reference_size:,.0f} words."
    ]
    return Result(out, tuple(notes))
