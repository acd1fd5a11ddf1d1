"""Trends over time: monthly relative frequency and share of documents for followed terms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..grouping import MISSING_GROUP, group_labels, group_order
from ..results import Result
from .counts import TermCounts, _followed, document_weights


@dataclass(frozen=True)
class Trends(Result):
    """:func:`trends`: the monthly table, its notes, and how many undated documents it left out."""

    undated: int = 0

    @property
    def no_time_line(self) -> str:
        """Why there is no time line to draw (``""`` when there is one): no document is dated, or
        every dated document falls in one month (a line needs two months)."""
        t = self.table
        months = t.loc[(t["n_docs"] > 0) & t["month"].notna() & (t["month"] != MISSING_GROUP), "month"].unique() if len(t) else []
        if len(months) == 0:
            return "no document is dated: there is no time line to draw"
        if len(months) == 1:
            return f"every dated document falls in {months[0]}: a time line needs two months with documents"
        return ""


_DATE_COLUMNS = ("month", "date")

# --------------------------------------------------------------------------------------------
# 4. Trends over time
# --------------------------------------------------------------------------------------------
TREND_COLUMNS = ["group", "month", "term", "count", "per_1000", "group_total", "n_docs", "docs_with_term", "share_docs"]


def trends(counts: TermCounts, *, terms, group_by: str | None = "outlet") -> Trends:
    """Monthly relative frequency and share of documents mentioning each followed term, per group.

    Every calendar month between the first and last dated document is present for every group;
    a month in which a group has no documents has ``n_docs = 0`` and NaN rates (a gap, not a
    zero). Undated documents are left out of the lines and counted in ``Trends.undated``.

    Parameters
    ----------
    terms : list of str
        Followed terms, normalised with the corpus's tokeniser settings.
    group_by : str or None
        Lines per group (None: one line for the whole corpus). ``month`` or ``date`` (the time
        axis itself) gives one line for the whole corpus, with a note saying so.

    Returns
    -------
    Trends
        ``table``:        ``group, month, term, count, per_1000, group_total, n_docs, docs_with_term, share_docs``
        (``share_docs`` = documents mentioning the term / documents, Media Cloud's attention measure).
    """
    notes_first = []
    if group_by in _DATE_COLUMNS:
        notes_first.append(f"group_by = {group_by!r} is the time axis itself: the trends show one line per term for all documents.")
        group_by = None
    if terms is None or (not isinstance(terms, str) and len(terms) == 0):
        raise ValueError("terms: give at least one term to follow")
    docs = counts.documents
    if "month" not in docs.columns:
        raise ValueError(f"group_by: the documents have no 'month' column; columns: {sorted(docs.columns)}")
    labels = group_labels(docs, group_by)
    pairs, notes = _followed(terms, counts)
    notes = notes_first + list(notes)
    month = docs["month"].astype(object)
    dated = month.notna() & (month.astype(str) != "")
    weights = document_weights(docs)
    n_undated = int(weights[(~dated).to_numpy()].sum())
    if n_undated:
        notes.append(f"{n_undated} undated document(s) are counted here but left out of the monthly lines.")
    groups = group_order(labels)
    if dated.any():
        periods = pd.PeriodIndex(month[dated].astype(str), freq="M")
        months = [str(p) for p in pd.period_range(periods.min(), periods.max(), freq="M")]
    else:
        months = []
        notes.append("no document has a date: there are no trends to show.")
    rows = []
    lab = labels.to_numpy()
    mon = month.where(dated, MISSING_GROUP).astype(str).to_numpy()
    for _orig, norm in pairs:
        j = counts.column(norm)
        n = norm.count(" ") + 1
        col = counts.matrix[:, j].toarray().ravel() if j is not None else np.zeros(len(docs), dtype=np.int64)
        has = counts.term_documents(j) if j is not None else np.zeros(len(docs), dtype=np.int64)
        tot = docs[f"total_{n}"].to_numpy() if n in counts.orders else np.zeros(len(docs), dtype=np.int64)
        frame = pd.DataFrame({"group": lab, "month": mon, "c": col, "t": tot, "w": weights, "m": has})
        agg = frame.groupby(["group", "month"]).agg(count=("c", "sum"), group_total=("t", "sum"), n_docs=("w", "sum"), docs_with_term=("m", "sum"))
        full = pd.MultiIndex.from_product([groups, months + ([MISSING_GROUP] if n_undated else [])], names=["group", "month"])
        agg = agg.reindex(full).fillna({"count": 0, "group_total": 0, "n_docs": 0, "docs_with_term": 0}).astype("int64").reset_index()
        agg["term"] = norm
        rows.append(agg)
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=TREND_COLUMNS)
    if len(out):
        has_docs = out["n_docs"] > 0
        out["per_1000"] = np.where(has_docs & (out["group_total"] > 0), out["count"] / out["group_total"].where(out["group_total"] > 0) * 1000, np.nan)
        out["share_docs"] = np.where(has_docs, out["docs_with_term"] / out["n_docs"].where(has_docs), np.nan)
    out = out[TREND_COLUMNS]
    return Trends(out, tuple(notes), undated=n_undated)
