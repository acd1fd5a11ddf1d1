"""Term frequency figures: top terms, keyness, trends, the x-ray and the dispersion profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import validate
from ..grouping import MISSING_GROUP, group_labels
from .figures import MAX_GROUPS, RASTER_POINTS, STYLE, _facet_grid, _top_groups, new_figure

if TYPE_CHECKING:
    from ..frequency import Dispersion, Trends

__all__ = ["top_terms_plot", "keyness_plot", "trends_plot", "xray_plot", "dispersion_profile_plot"]

def top_terms_plot(freq: pd.DataFrame, *, value: str = "per_1000", ncols: int = 3, max_groups: int = MAX_GROUPS) -> Figure:
    """Horizontal bars of the top terms per group (one facet per group and n-gram order), from
    :func:`medialens.frequency.term_frequencies`. Facet titles carry the group's documents and
    token total; bars are labelled with the absolute count. At most ``max_groups`` groups are
    drawn (those with most documents; the title says how many are left out)."""
    validate.choice(value, "value", ("per_1000", "count"))
    if freq.empty:
        raise ValueError("freq: no rows to plot")
    groups, left_out = _top_groups(freq.drop_duplicates("group").set_index("group")["n_docs"], max_groups)
    freq = freq[freq["group"].isin(groups)]
    facets = list(freq.groupby(["group", "n"], sort=False).groups)
    first_seen = {g: i for i, g in enumerate(freq["group"].drop_duplicates())}
    facets = sorted(dict.fromkeys(facets), key=lambda k: (k[1], first_seen[k[0]]))
    with matplotlib.rc_context(STYLE):
        per = freq.groupby(["group", "n"]).size().max()
        ncols_eff = max(1, min(ncols, len(facets)))
        nrows = -(-len(facets) // ncols_eff)
        fig = new_figure(width=3.3 * ncols_eff, height=max(2.2, 0.22 * per + 0.9) * nrows)
        for ax, (group, n) in zip(_facet_grid(fig, len(facets), ncols=ncols), facets, strict=True):
            sub = freq[(freq["group"] == group) & (freq["n"] == n)].sort_values(["rank"], ascending=False)
            ax.barh(sub["term"], sub[value], color="#4c72b0")
            for y, (v, c) in enumerate(zip(sub[value], sub["count"], strict=True)):
                ax.text(v, y, f" {c}", va="center", fontsize=7)
            first = sub.iloc[0]
            unit = "tokens" if n == 1 else f"{n}-grams"
            ax.set_title(f"{group} ({n}-grams)\nn = {first['n_docs']} docs, {first['group_total']:,} {unit}", fontsize=8)
            ax.set_xlabel("per 1,000 tokens" if value == "per_1000" else "count")
            ax.tick_params(axis="y", labelsize=7)
            ax.margins(x=0.18)
        fig.suptitle(f"Top terms per group (bar labels: absolute counts{left_out})")
    return fig


def _extreme(key: pd.DataFrame, measure: str, top_n: int, *, largest: bool) -> pd.DataFrame:
    """The ``top_n`` rows of ``key`` with the largest positive (or most negative) ``measure``,
    ties by term; only the candidates at or beyond the cut are sorted (a keyness table of word
    pairs has millions of rows)."""
    side = key[key[measure] > 0] if largest else key[key[measure] < 0]
    values = side[measure].to_numpy()
    if len(values) > top_n:
        if largest:
            side = side[values >= np.partition(values, len(values) - top_n)[len(values) - top_n]]
        else:
            side = side[values <= np.partition(values, top_n - 1)[top_n - 1]]
    return side.sort_values([measure, "term"], ascending=[not largest, True]).head(top_n)


def keyness_plot(key: pd.DataFrame, *, top_n: int = 10, measure: str = "chi2") -> Figure:
    """Two-sided keyness plot (as quanteda's ``textplot_keyness``): the ``top_n`` terms most
    over-represented in the target (right) and in the reference (left), with n per side."""
    top_n = validate.whole_number(top_n, "top_n", minimum=1)
    validate.choice(measure, "measure", ("chi2", "g2", "log_ratio"))
    if key.empty:
        raise ValueError("key: no rows to plot")
    pos, neg = _extreme(key, measure, top_n, largest=True), _extreme(key, measure, top_n, largest=False)
    both = pd.concat([pos.iloc[::-1], neg.iloc[::-1]])
    first = key.iloc[0]
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=7.5, height=max(2.5, 0.24 * len(both) + 1.2))
        ax = fig.subplots()
        colors = ["#c44e52" if v > 0 else "#8c8c8c" for v in both[measure]]
        y = range(len(both))
        ax.barh(list(y), both[measure], color=colors)
        for yi, (v, term, a, b) in enumerate(zip(both[measure], both["term"], both["a"], both["b"], strict=True)):
            ax.text(v, yi, f" {term} ({a}/{b}) " if v > 0 else f" {term} ({a}/{b}) ", va="center",
                    ha="left" if v > 0 else "right", fontsize=7)
        ax.set_yticks([])
        ax.axvline(0, color="black", lw=0.8)
        ax.margins(x=0.45)
        ax.set_xlabel(f"signed {measure} (right: more in target; labels: term (target count/reference count))")
        ax.set_title(
            f"Keyness: target {first['target']} (n = {first['n_docs_target']} docs, {first['tokens_target']:,} tokens) "
            f"vs {first['reference']} (n = {first['n_docs_reference']} docs, {first['tokens_reference']:,} tokens)",
            fontsize=8,
        )
    return fig


def trends_plot(trends: Trends, *, value: str = "per_1000", ncols: int = 2, max_groups: int = 10) -> Figure:
    """Monthly lines of followed terms, one facet per term, one line per group. Months in which
    a group has no documents are gaps (NaN), not zeros; undated documents are left out and
    counted in the title. At most ``max_groups`` lines per facet (the groups with most dated
    documents; the title says how many are left out)."""
    validate.choice(value, "value", ("per_1000", "share_docs"))
    trend = trends.table
    dated = trend[trend["month"] != MISSING_GROUP]
    if dated.empty:
        raise ValueError("trend: no dated months to plot")
    terms = list(dict.fromkeys(dated["term"]))
    months = sorted(dated["month"].unique())
    groups, left_out = _top_groups(dated.drop_duplicates(["group", "month"]).groupby("group")["n_docs"].sum(), max_groups)
    undated = trends.undated
    with matplotlib.rc_context(STYLE):
        ncols_eff = max(1, min(ncols, len(terms)))
        nrows = -(-len(terms) // ncols_eff)
        fig = new_figure(width=4.2 * ncols_eff, height=2.6 * nrows + 0.5)
        for ax, term in zip(_facet_grid(fig, len(terms), ncols=ncols), terms, strict=True):
            sub = dated[dated["term"] == term]
            for g in groups:
                line = sub[sub["group"] == g].set_index("month").reindex(months)
                ax.plot(range(len(months)), line[value].to_numpy(dtype=float), marker="o", ms=4, label=g)
            step = -(-len(months) // 24)  # at most 24 month labels
            ax.set_xticks(range(0, len(months), step), months[::step], rotation=45, ha="right", fontsize=7)
            ax.set_title(f"{term} (n = {int(sub['count'].sum())} occurrences)", fontsize=8)
            ax.set_ylabel("per 1,000 tokens" if value == "per_1000" else "share of documents")
            ax.set_ylim(bottom=0)  # rates from zero: a small change does not look large
        fig.axes[0].legend(fontsize=7, title="group", title_fontsize=7)
        docs = int(dated.drop_duplicates(["group", "month"])["n_docs"].sum())
        fig.suptitle(
            f"Followed terms by month (n = {docs} dated documents; {undated} undated left out; gaps = no documents{left_out})"
        )
    return fig


def _xray_documents(dispersion: Dispersion, max_docs: int, sample: bool, random_state: int) -> tuple[pd.DataFrame, str]:
    """The documents the x-ray shows (sorted by ``doc_id``) and how they were chosen, for the title."""
    docs = dispersion.documents
    if len(docs) <= max_docs:
        return docs.sort_values("doc_id"), f"n = {len(docs)} documents"
    if sample:
        chosen = docs.sample(n=max_docs, random_state=random_state)
        how = f"a random sample of {max_docs} of {len(docs):,} documents (random_state = {random_state})"
    else:
        hits = dispersion.table["doc_id"].value_counts()
        ranked = docs.assign(_hits=docs["doc_id"].map(hits).fillna(0)).sort_values(["_hits", "doc_id"], ascending=[False, True])
        chosen = ranked.head(max_docs).drop(columns="_hits")
        how = f"the {max_docs} documents with most hits of {len(docs):,}"
    return chosen.sort_values("doc_id"), how


def xray_plot(dispersion: Dispersion, *, max_docs: int = 50, sample: bool = False, random_state: int = 0) -> Figure:
    """Dispersion (x-ray) plot as quanteda's ``textplot_xray``: one row per document, one panel
    per term, a tick wherever the term occurs (0 = start of the article, 1 = end).

    Parameters
    ----------
    dispersion : Dispersion
        From :func:`medialens.frequency.dispersion`.
    max_docs : int
        At most this many rows: with more documents, the ``max_docs`` documents with most hits
        (ties by ``doc_id``), or a random sample of them when ``sample`` is True (seeded by
        ``random_state``). The title says which; :func:`dispersion_profile_plot` shows the whole
        corpus.

    Returns
    -------
    Figure
        Panels of at most ``max_docs`` rows; a panel with more than :data:`RASTER_POINTS` ticks is
        rasterised.
    """
    max_docs = validate.whole_number(max_docs, "max_docs", minimum=1)
    disp = dispersion.table
    terms = list(dispersion.terms) or sorted(disp["term"].unique())
    if not terms:
        raise ValueError("disp: no occurrences to plot")
    order, how = _xray_documents(dispersion, max_docs, sample, random_state)
    subset = len(order) < len(dispersion.documents)
    labels = [f"{d} ({o}, {w} words)" for d, o, w in zip(order["doc_id"], order["outlet"], order["n_words"], strict=True)]
    ypos = {d: i for i, d in enumerate(order["doc_id"])}
    shown = disp[disp["doc_id"].isin(ypos)]
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=min(2.4 * len(terms) + 2.5, 12), height=0.35 * len(order) + 1.2)
        axes = fig.subplots(1, len(terms), sharey=True, squeeze=False)[0]
        for ax, term in zip(axes, terms, strict=True):
            sub = shown[shown["term"] == term]
            ax.scatter(sub["offset"], sub["doc_id"].map(ypos), marker="|", s=120, color="black",
                       rasterized=len(sub) > RASTER_POINTS)
            ax.set_xlim(0, 1)
            ax.set_ylim(-0.5, len(order) - 0.5)
            n_term = int((disp["term"] == term).sum())
            ax.set_title(f"{term} (n = {n_term:,}; {len(sub):,} shown)" if subset else f"{term} (n = {len(sub)})", fontsize=8)
            ax.set_xlabel("relative position")
            ax.set_yticks(range(len(order)), labels, fontsize=7)
        axes[0].invert_yaxis()
        fig.suptitle(f"Where the terms occur ({how})")
    return fig


def dispersion_profile_plot(
    dispersion: Dispersion,
    *,
    documents: pd.DataFrame | None = None,
    group_by: str | None = "outlet",
    bins: int = 10,
    max_groups: int = 10,
    ncols: int = 3,
) -> Figure:
    """Where in the documents each term occurs, over the whole corpus: the share of a term's hits
    in each of ``bins`` equal stretches of relative position (0 = start, 1 = end), one line per
    group and one for all documents, a dashed line for an even spread.

    Parameters
    ----------
    dispersion : Dispersion
        From :func:`medialens.frequency.dispersion`.
    documents : DataFrame, optional
        The corpus document table, for a ``group_by`` column the dispersion does not hold
        (it holds ``outlet``).
    group_by : str or None
        Document column whose groups get a line each; None for the line of all documents only.
    bins : int
        Stretches of relative position (2 to 100).
    max_groups : int
        Lines drawn at most (the groups with most hits; the title says how many are left out).

    Returns
    -------
    Figure
        One panel per term; every line has ``bins`` points, whatever the corpus size.
    """
    import numpy as np

    bins = validate.whole_number(bins, "bins", minimum=2, maximum=100)
    disp = dispersion.table
    terms = list(dispersion.terms) or sorted(disp["term"].unique())
    if not terms:
        raise ValueError("disp: no terms to plot")
    source = dispersion.documents if documents is None else documents
    label = group_labels(source, group_by).set_axis(source["doc_id"].to_numpy())
    hits = disp.assign(_group=disp["doc_id"].map(label), _bin=np.minimum((disp["offset"].fillna(0) * bins).astype(int), bins - 1))
    groups, left_out = _top_groups(hits["_group"].value_counts(), max_groups) if group_by else ([], "")
    centres = (np.arange(bins) + 0.5) / bins
    cmap = matplotlib.colormaps["tab10"]  # one colour per group in every panel
    with matplotlib.rc_context(STYLE):
        ncols_eff = max(1, min(ncols, len(terms)))
        nrows = -(-len(terms) // ncols_eff)
        fig = new_figure(width=3.6 * ncols_eff + 1.6, height=2.6 * nrows + 0.6)
        for ax, term in zip(_facet_grid(fig, len(terms), ncols=ncols), terms, strict=True):
            sub = hits[hits["term"] == term]
            lines = [("all documents", sub, {"color": "black", "linewidth": 2})]
            lines += [(g, sub[sub["_group"] == g], {"linewidth": 1, "color": cmap(i % cmap.N)}) for i, g in enumerate(groups)]
            for name, part, style in lines:
                if len(part):
                    share = np.bincount(part["_bin"], minlength=bins) / len(part)
                    ax.plot(centres, share, marker="o", ms=3, label=f"{name} (n = {len(part):,})", **style)
            ax.axhline(1 / bins, color="grey", lw=0.8, ls="--")
            ax.set_xlim(0, 1)
            ax.set_ylim(bottom=0)
            n_docs = sub["doc_id"].nunique()
            ax.set_title(f"{term} (n = {len(sub):,} hits in {n_docs:,} document{'' if n_docs == 1 else 's'})", fontsize=8)
            ax.set_xlabel("relative position in the document")
            ax.set_ylabel("share of the hits")
            ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        fig.suptitle(
            f"Where the terms occur in all {len(source):,} documents: share of hits per {1 / bins:.0%} of the text"
            f" (dashed: even spread{left_out})"
        )
    return fig
