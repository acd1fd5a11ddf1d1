"""The corpus notebook's figure: documents per month and outlet, tokens per document."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from ..grouping import MISSING_GROUP, group_labels
from .figures import MAX_GROUPS, RASTER_POINTS, STYLE, _top_groups, new_figure

__all__ = ["corpus_overview"]


#: a month axis longer than this is binned by quarter, and longer than this many quarters by year
MAX_BARS = 48
#: more outlets than this: the legend goes below the panels and the box labels are turned
_LEGEND_BELOW = 6


def corpus_overview(documents: pd.DataFrame, tokens_per_doc: pd.Series, *, max_groups: int = MAX_GROUPS) -> Figure:
    """Two panels: documents per month and outlet (a missing month or outlet shown as its own group,
    ``(missing)``), and tokens per document by outlet.

    The time axis is continuous: every month from the first to the last dated document has its
    bar, zero when no document is from it. More than :data:`MAX_BARS` months are binned by quarter,
    more than that many quarters by year, and the title says so. At most ``max_groups`` outlets are
    drawn (those with most documents), each in its own colour; every document is drawn as a dot
    beside its box only up to :data:`RASTER_POINTS` documents (beyond that the boxes alone, without
    outlier markers), so the figure stays small for any corpus.
    """
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=9, height=3.6)
        ax1, ax2 = fig.subplots(1, 2)
        docs = documents.assign(month=group_labels(documents, "month"), outlet=group_labels(documents, "outlet"))
        outlets, left_out = _top_groups(docs["outlet"].value_counts(), max_groups)
        period, bins, binned, n_months = _time_bins(docs["month"])
        table = pd.crosstab(period, docs["outlet"]).reindex(index=bins, columns=outlets, fill_value=0)
        tab20 = matplotlib.colormaps["tab20"].colors  # the default cycle has 10 colours: more outlets would share them
        colors = [tab20[i % len(tab20)] for i in range(len(outlets))] if len(outlets) > 10 else [None] * len(outlets)
        bottom = None
        for outlet, color in zip(table.columns, colors, strict=True):
            ax1.bar(table.index, table[outlet], bottom=bottom, label=outlet, color=color)
            bottom = table[outlet] if bottom is None else bottom + table[outlet]
        ax1.set_title(f"Documents per {binned or 'month'} (n = {len(docs)}{left_out})" if not binned else
                      f"Documents per {binned} (n = {len(docs)}; {n_months} months, binned by {binned}{left_out})")
        ax1.set_ylabel("documents")
        ax1.yaxis.get_major_locator().set_params(integer=True)
        if len(outlets) > _LEGEND_BELOW:
            fig.legend(*ax1.get_legend_handles_labels(), title="outlet", fontsize=7, loc="outside lower center", ncols=min(6, len(outlets)))
        else:
            ax1.legend(title="outlet", fontsize=8)
        if len(table.index) > 24:
            ax1.tick_params(axis="x", labelrotation=90, labelsize=6)
        data = [tokens_per_doc[docs["outlet"] == o].to_numpy() for o in outlets]
        dots = len(docs) <= RASTER_POINTS
        ax2.boxplot(data, tick_labels=outlets, showfliers=dots)
        if len(outlets) > _LEGEND_BELOW:
            ax2.tick_params(axis="x", labelrotation=90, labelsize=7)
        if dots:
            for i, values in enumerate(data, start=1):
                ax2.scatter([i] * len(values), values, s=14, zorder=3, color="black")
        ax2.set_title("Tokens per document, by outlet" + ("" if dots else " (boxes: quartiles; outliers not drawn)"))
        ax2.set_ylabel("tokens (after stopwords)")
    return fig


def _time_bins(months: pd.Series) -> tuple[pd.Series, list[str], str, int]:
    """Each document's bar label (``months`` are ``YYYY-MM`` labels or ``(missing)``), every bar
    from the first to the last dated month in order (``(missing)`` last, if any document is
    undated), ``""``, ``"quarter"`` or ``"year"`` for how the months were binned, and the number
    of months from the first to the last."""
    dated = months != MISSING_GROUP
    if not dated.any():
        return months, [MISSING_GROUP], "", 0
    periods = pd.PeriodIndex(months[dated], freq="M")
    span = pd.period_range(periods.min(), periods.max(), freq="M")
    binned, n_months = "", len(span)
    for freq, name in (("Q", "quarter"), ("Y", "year")):
        if len(span) <= MAX_BARS:
            break
        periods = periods.asfreq(freq)
        span = pd.period_range(periods.min(), periods.max(), freq=freq)
        binned = name
    labels = months.astype(object).copy()
    labels[dated] = [str(p) for p in periods]
    return labels, [str(p) for p in span] + ([MISSING_GROUP] if not dated.all() else []), binned, n_months
