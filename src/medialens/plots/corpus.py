"""The corpus notebook's figure: documents per month and outlet, tokens per document."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from ..grouping import group_labels, group_order
from .figures import MAX_GROUPS, RASTER_POINTS, STYLE, _top_groups, new_figure

__all__ = ["corpus_overview"]


def corpus_overview(documents: pd.DataFrame, tokens_per_doc: pd.Series, *, max_groups: int = MAX_GROUPS) -> Figure:
    """Two panels: documents per month and outlet (a missing month or outlet shown as its own group,
    ``(missing)``), and tokens per document by outlet.

    At most ``max_groups`` outlets are drawn (those with most documents); every document is drawn
    as a dot beside its box only up to :data:`RASTER_POINTS` documents (beyond that the boxes
    alone, without outlier markers), so the figure stays small for any corpus.
    """
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=9, height=3.6)
        ax1, ax2 = fig.subplots(1, 2)
        docs = documents.assign(month=group_labels(documents, "month"), outlet=group_labels(documents, "outlet"))
        outlets, left_out = _top_groups(docs["outlet"].value_counts(), max_groups)
        table = pd.crosstab(docs["month"], docs["outlet"]).reindex(index=group_order(docs["month"]), columns=outlets)
        bottom = None
        for outlet in table.columns:
            ax1.bar(table.index, table[outlet], bottom=bottom, label=outlet)
            bottom = table[outlet] if bottom is None else bottom + table[outlet]
        ax1.set_title(f"Documents per month (n = {len(docs)}{left_out})")
        ax1.set_ylabel("documents")
        ax1.yaxis.get_major_locator().set_params(integer=True)
        ax1.legend(title="outlet", fontsize=8)
        if len(table.index) > 24:
            ax1.tick_params(axis="x", labelrotation=90, labelsize=6)
        data = [tokens_per_doc[docs["outlet"] == o].to_numpy() for o in outlets]
        dots = len(docs) <= RASTER_POINTS
        ax2.boxplot(data, tick_labels=outlets, showfliers=dots)
        if dots:
            for i, values in enumerate(data, start=1):
                ax2.scatter([i] * len(values), values, s=14, zorder=3, color="black")
        ax2.set_title("Tokens per document, by outlet" + ("" if dots else " (boxes: quartiles; outliers not drawn)"))
        ax2.set_ylabel("tokens (after stopwords)")
    return fig
