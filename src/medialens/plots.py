"""Plots: functions take tidy DataFrames and return a matplotlib Figure; one helper saves them.

Figures are built with ``matplotlib.figure.Figure`` directly (not pyplot), so nothing is shown
twice in a notebook and no global state changes. :func:`save_figure` writes PNG and SVG
deterministically (fixed SVG hash salt, no dates in metadata) and returns an object that a
notebook displays as the PNG.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from . import validate
from .grouping import MISSING_GROUP, group_labels, group_order
from .paths import atomic_write, relative_to_root

if TYPE_CHECKING:
    from .clustering import ClusterMap
    from .frequency import Dispersion, Trends

__all__ = ["save_figure", "SavedFigure", "STYLE", "corpus_overview"]

#: rcParams applied while drawing and saving every figure.
STYLE = {
    "svg.hashsalt": "medialens",
    "svg.fonttype": "path",
    "text.parse_math": False,  # '$' in titles is text, not maths
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


@dataclass(frozen=True)
class SavedFigure:
    """Paths of a saved figure; displays as its PNG in a notebook."""

    name: str
    png: Path
    svg: Path

    def _repr_png_(self) -> bytes:
        return self.png.read_bytes()

    def __repr__(self) -> str:
        return f"figure {self.name!r}: {relative_to_root(self.png)} (+ .svg)"


def _slug(name: str) -> str:
    import re

    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
    if not slug:
        raise ValueError(f"figure name {name!r} has no usable characters")
    return slug


def save_figure(fig: Figure, name: str, figures_dir: str | Path) -> SavedFigure:
    """Write ``fig`` as ``<figures_dir>/<name>.png`` and ``.svg``, atomically and reproducibly."""
    folder = Path(figures_dir)
    slug = _slug(name)
    paths = {}
    with matplotlib.rc_context(STYLE):
        for fmt in ("png", "svg"):
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, metadata=_METADATA[fmt], bbox_inches="tight")
            path = folder / f"{slug}.{fmt}"
            with atomic_write(path) as fh:
                fh.write(buf.getvalue())
            paths[fmt] = path
    return SavedFigure(slug, paths["png"], paths["svg"])


def new_figure(*, width: float = 8.0, height: float = 4.0) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def corpus_overview(documents: pd.DataFrame, tokens_per_doc: pd.Series) -> Figure:
    """Two panels: documents per month and outlet (a missing month or outlet shown as its own group,
    ``(missing)``), and tokens per document by outlet."""
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=9, height=3.6)
        ax1, ax2 = fig.subplots(1, 2)
        docs = documents.assign(month=group_labels(documents, "month"), outlet=group_labels(documents, "outlet"))
        table = pd.crosstab(docs["month"], docs["outlet"]).reindex(index=group_order(docs["month"]), columns=group_order(docs["outlet"]))
        bottom = None
        for outlet in table.columns:
            ax1.bar(table.index, table[outlet], bottom=bottom, label=outlet)
            bottom = table[outlet] if bottom is None else bottom + table[outlet]
        ax1.set_title(f"Documents per month (n = {len(docs)})")
        ax1.set_ylabel("documents")
        ax1.yaxis.get_major_locator().set_params(integer=True)
        ax1.legend(title="outlet", fontsize=8)
        order = group_order(docs["outlet"])
        data = [tokens_per_doc[docs["outlet"] == o].to_numpy() for o in order]
        ax2.boxplot(data, tick_labels=order, showfliers=True)
        for i, values in enumerate(data, start=1):
            ax2.scatter([i] * len(values), values, s=14, zorder=3, color="black")
        ax2.set_title("Tokens per document, by outlet")
        ax2.set_ylabel("tokens (after stopwords)")
    return fig


# ---- topic clustering ----
__all__ += ["silhouette_by_k", "cluster_map", "stability_heatmap"]

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")


def silhouette_by_k(by_k: pd.DataFrame, *, chosen_k: int, n_units: int) -> Figure:
    """Mean cosine silhouette for every k tried, the chosen k marked, with the 0.25 line below
    which Kaufman & Rousseeuw speak of no substantial structure."""
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=6, height=3.4)
        ax = fig.subplots()
        ax.plot(by_k["k"], by_k["silhouette"], marker="o", color="tab:blue")
        chosen = by_k[by_k["k"] == chosen_k]
        ax.scatter(chosen["k"], chosen["silhouette"], s=140, facecolors="none", edgecolors="tab:red",
                   linewidths=2, zorder=3, label=f"chosen k = {chosen_k}")
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.axhline(0.25, color="grey", linewidth=0.8, linestyle="--", label="0.25: below = no substantial structure")
        top = max(0.3, float(by_k["silhouette"].max()) * 1.15)
        ax.set_ylim(min(0.0, float(by_k["silhouette"].min()) * 1.15), top)
        ax.set_xticks(list(by_k["k"]))
        ax.set_xlabel("k (number of clusters)")
        ax.set_ylabel("mean silhouette (cosine)")
        ax.set_title(f"Silhouette by k (n = {n_units} units)")
        ax.legend(fontsize=8, loc="upper left")
    return fig


def cluster_map(points: ClusterMap, *, title: str = "LSA map of the TF-IDF matrix") -> Figure:
    """2-D map from :func:`medialens.clustering.lsa_map`: colour = cluster, marker = outlet, axes
    labelled with the share of variance they explain."""
    explained = points.explained
    points = points.table
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=7.5, height=5)
        ax = fig.subplots()
        pts = points.assign(outlet=group_labels(points, "outlet"))
        outlets = group_order(pts["outlet"])
        clusters = sorted(pts["cluster"].unique()) if "cluster" in pts.columns else [None]
        cmap = matplotlib.colormaps["tab10" if len(clusters) <= 10 else "tab20"]
        for ci, c in enumerate(clusters):
            sel_c = pts if c is None else pts[pts["cluster"] == c]
            color = cmap(ci % cmap.N)
            for oi, o in enumerate(outlets):
                sel = sel_c[sel_c["outlet"] == o]
                if len(sel):
                    ax.scatter(sel["x"], sel["y"], color=color, marker=_MARKERS[oi % len(_MARKERS)], s=36,
                               edgecolors="black", linewidths=0.4, alpha=0.85)
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=cmap(ci % cmap.N), marker="o", linestyle="", label=f"cluster {c}")
                   for ci, c in enumerate(clusters) if c is not None]
        handles += [Line2D([], [], color="grey", marker=_MARKERS[oi % len(_MARKERS)], linestyle="", label=o)
                    for oi, o in enumerate(outlets)]
        ax.legend(handles=handles, fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        ax.set_xlabel(f"LSA axis 1 ({explained[0]:.1%} of variance)")
        ax.set_ylabel(f"LSA axis 2 ({explained[1]:.1%} of variance)")
        ax.set_title(f"{title} (n = {len(points)} units)")
    return fig


def stability_heatmap(ari: pd.DataFrame, *, n_units: int) -> Figure:
    """Pairwise adjusted Rand index between runs (a square table, e.g. ``Stability.ari_matrix()``)."""
    with matplotlib.rc_context(STYLE):
        size = 1.2 + 0.55 * len(ari)
        fig = new_figure(width=size + 1.2, height=size)
        ax = fig.subplots()
        im = ax.imshow(ari.to_numpy(dtype=float), vmin=-0.1, vmax=1, cmap="viridis")
        ax.set_xticks(range(len(ari.columns)), labels=list(ari.columns), rotation=45, ha="right")
        ax.set_yticks(range(len(ari.index)), labels=list(ari.index))
        for i in range(len(ari)):
            for j in range(len(ari)):
                v = float(ari.iat[i, j])
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if v < 0.6 else "black")
        fig.colorbar(im, ax=ax, label="adjusted Rand index")
        ax.set_title(f"Agreement between runs (n = {n_units} units)")
    return fig


# ---- stance comparison ----
__all__ += ["share_of_voice_chart", "stance_intervals", "log_odds_chart"]


def share_of_voice_chart(sov: pd.DataFrame, *, group_by: str = "outlet", top_n: int = 6) -> Figure:
    """One panel per group: quoted words per speaker (the ``top_n`` speakers with most words),
    with the group's number of quotes in the panel title."""
    with matplotlib.rc_context(STYLE):
        groups = group_order(sov[group_by].astype(str))
        fig = new_figure(width=3.2 * max(1, len(groups)), height=3.2)
        axes = fig.subplots(1, max(1, len(groups)), squeeze=False)[0]
        for ax, g in zip(axes, groups, strict=False):
            part = sov[sov[group_by].astype(str) == g].sort_values(["words", "speaker"], ascending=[False, True]).head(top_n)
            part = part.iloc[::-1]
            ax.barh(part["speaker"], part["words"], color="#4c72b0")
            for y, (w, q) in enumerate(zip(part["words"], part["quotes"], strict=True)):
                ax.text(w, y, f" {q}q", va="center", fontsize=7)
            n_q = int(sov.loc[sov[group_by].astype(str) == g, "quotes"].sum())
            ax.set_title(f"{g} (n = {n_q} quotes)")
            ax.set_xlabel("quoted words")
        fig.suptitle("Share of voice: quoted words per speaker (label: number of quotes)")
    return fig


def stance_intervals(table: pd.DataFrame, *, title: str = "Lexicon polarity per group and target") -> Figure:
    """Mean polarity with its bootstrap 95% interval per group (rows) for each target (panels);
    cells with insufficient data are marked, every point is labelled with its n."""
    with matplotlib.rc_context(STYLE):
        targets = list(dict.fromkeys(table["target"]))
        groups = sorted(table["group"].astype(str).unique())
        fig = new_figure(width=2.8 * max(1, len(targets)), height=0.45 * len(groups) + 1.6)
        axes = fig.subplots(1, max(1, len(targets)), squeeze=False, sharey=True)[0]
        for ax, t in zip(axes, targets, strict=False):
            part = table[table["target"] == t].set_index("group")
            for y, g in enumerate(groups):
                if g not in part.index:
                    continue
                r = part.loc[g]
                if pd.isna(r["mean"]):
                    ax.text(0, y, f"insufficient (n={int(r['n_mentions'])})", ha="center", va="center", fontsize=7, color="grey")
                    continue
                ax.errorbar(r["mean"], y, xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]], fmt="o",
                            color="black", capsize=3)
                ax.text(r["ci_high"], y + 0.15, f" n={int(r['n_mentions'])}", fontsize=7)
            ax.axvline(0, color="grey", lw=0.8, ls=":")
            ax.set_xlim(-1, 1)
            ax.set_yticks(range(len(groups)), groups)
            ax.set_ylim(-0.6, len(groups) - 0.4)
            ax.set_title(t)
            ax.set_xlabel("polarity (−1 … +1)")
        fig.suptitle(f"{title} (mean, bootstrap 95% interval; n = {int(table['n_mentions'].sum())} mentions)")
    return fig


def log_odds_chart(scores: pd.DataFrame, *, top_n: int = 10, title: str | None = None) -> Figure:
    """The standard Fightin' Words plot: z-score against log10 of the term's total count, the
    ``top_n`` most distinctive terms on each side labelled, |z| = 1.96 marked."""
    import numpy as np

    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=8, height=4.6)
        ax = fig.subplots()
        x = np.log10(scores["count"].clip(lower=1))
        ax.scatter(x, scores["z"], s=8, color="#999999", alpha=0.6, linewidths=0)
        top = scores.sort_values(["z", "term"], ascending=[False, True]).head(top_n)
        bottom = scores.sort_values(["z", "term"], ascending=[True, True]).head(top_n)
        for part, color in ((top, "#c44e52"), (bottom, "#4c72b0")):
            ax.scatter(np.log10(part["count"].clip(lower=1)), part["z"], s=14, color=color)
            # terms with the same count and z sit on one point: one label listing them
            tied = part.assign(zr=part["z"].round(9)).groupby(["count", "zr"], sort=True)["term"].apply(", ".join)
            for (cnt, z), label in tied.items():
                ax.annotate(label, (np.log10(max(cnt, 1)), z), fontsize=7, xytext=(3, 0),
                            textcoords="offset points", va="center", color=color)
        for v in (1.96, -1.96):
            ax.axhline(v, color="grey", lw=0.8, ls=":")
        ax.set_xlabel("log10 total count of the term")
        ax.set_ylabel("z-score (log-odds, informative Dirichlet prior)")
        comp = scores["comparison"].iloc[0] if "comparison" in scores.columns and len(scores) else ""
        n_i, n_j = int(scores["count_i"].sum()), int(scores["count_j"].sum())
        ax.set_title(title or f"{comp}: n = {n_i} vs {n_j} tokens, {len(scores)} terms")
    return fig


# ---- term frequency ----
__all__ += ["top_terms_plot", "keyness_plot", "trends_plot", "xray_plot"]


def _facet_grid(fig: Figure, n: int, *, ncols: int = 3):
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return flat[:n]


def top_terms_plot(freq: pd.DataFrame, *, value: str = "per_1000", ncols: int = 3) -> Figure:
    """Horizontal bars of the top terms per group (one facet per group and n-gram order), from
    :func:`medialens.frequency.term_frequencies`. Facet titles carry the group's documents and
    token total; bars are labelled with the absolute count."""
    validate.choice(value, "value", ("per_1000", "count"))
    if freq.empty:
        raise ValueError("freq: no rows to plot")
    facets = list(freq.groupby(["group", "n"], sort=False).groups)
    facets = sorted(dict.fromkeys(facets), key=lambda k: (k[1], freq["group"].drop_duplicates().tolist().index(k[0])))
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
        fig.suptitle("Top terms per group (bar labels: absolute counts)")
    return fig


def keyness_plot(key: pd.DataFrame, *, top_n: int = 10, measure: str = "chi2") -> Figure:
    """Two-sided keyness plot (as quanteda's ``textplot_keyness``): the ``top_n`` terms most
    over-represented in the target (right) and in the reference (left), with n per side."""
    top_n = validate.whole_number(top_n, "top_n", minimum=1)
    validate.choice(measure, "measure", ("chi2", "g2", "log_ratio"))
    if key.empty:
        raise ValueError("key: no rows to plot")
    pos = key[key[measure] > 0].sort_values([measure, "term"], ascending=[False, True]).head(top_n)
    neg = key[key[measure] < 0].sort_values([measure, "term"], ascending=[True, True]).head(top_n)
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


def trends_plot(trends: Trends, *, value: str = "per_1000", ncols: int = 2) -> Figure:
    """Monthly lines of followed terms, one facet per term, one line per group. Months in which
    a group has no documents are gaps (NaN), not zeros; undated documents are left out and
    counted in the title."""
    validate.choice(value, "value", ("per_1000", "share_docs"))
    trend = trends.table
    dated = trend[trend["month"] != MISSING_GROUP]
    if dated.empty:
        raise ValueError("trend: no dated months to plot")
    terms = list(dict.fromkeys(dated["term"]))
    months = sorted(dated["month"].unique())
    groups = group_order(dated["group"])
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
            ax.set_xticks(range(len(months)), months, rotation=45, ha="right", fontsize=7)
            ax.set_title(f"{term} (n = {int(sub['count'].sum())} occurrences)", fontsize=8)
            ax.set_ylabel("per 1,000 tokens" if value == "per_1000" else "share of documents")
        fig.axes[0].legend(fontsize=7, title="group", title_fontsize=7)
        docs = int(dated.drop_duplicates(["group", "month"])["n_docs"].sum())
        fig.suptitle(
            f"Followed terms by month (n = {docs} dated documents; {undated} undated left out; gaps = no documents)"
        )
    return fig


def xray_plot(dispersion: Dispersion) -> Figure:
    """Dispersion (x-ray) plot as quanteda's ``textplot_xray``: one row per document, one panel
    per term, a tick wherever the term occurs (0 = start of the article, 1 = end)."""
    disp, docs = dispersion.table, dispersion.documents
    terms = list(dispersion.terms) or sorted(disp["term"].unique())
    if not terms:
        raise ValueError("disp: no occurrences to plot")
    order = docs.sort_values("doc_id")
    labels = [f"{d} ({o}, {w} words)" for d, o, w in zip(order["doc_id"], order["outlet"], order["n_words"], strict=True)]
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=min(2.4 * len(terms) + 2.5, 12), height=0.35 * len(order) + 1.2)
        axes = fig.subplots(1, len(terms), sharey=True, squeeze=False)[0]
        for ax, term in zip(axes, terms, strict=True):
            sub = disp[disp["term"] == term]
            ypos = {d: i for i, d in enumerate(order["doc_id"])}
            ax.scatter(sub["offset"], [ypos[d] for d in sub["doc_id"]], marker="|", s=120, color="black")
            ax.set_xlim(0, 1)
            ax.set_ylim(-0.5, len(order) - 0.5)
            ax.set_title(f"{term} (n = {len(sub)})", fontsize=8)
            ax.set_xlabel("relative position")
            ax.set_yticks(range(len(order)), labels, fontsize=7)
        axes[0].invert_yaxis()
        fig.suptitle(f"Where the terms occur (n = {len(order)} documents)")
    return fig


# ---- coding reliability ----
__all__ += ["alpha_bootstrap"]


def alpha_bootstrap(resamples, *, alpha: float, ci: tuple[float, float], title: str) -> Figure:
    """Histogram of bootstrap alphas with the estimate, its interval and the .667 / .800 lines."""
    import numpy as np

    values = np.asarray(resamples, dtype=float)
    values = values[np.isfinite(values)]
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=6.5, height=3.0)
        ax = fig.subplots()
        ax.hist(values, bins=40, color="#8da0cb")
        for x, style, label in ((0.667, ":", ".667 tentative"), (0.8, "--", ".800 reliable")):
            ax.axvline(x, color="0.3", linestyle=style, linewidth=1, label=label)
        ax.axvline(alpha, color="#d95f02", linewidth=2, label=f"alpha {alpha:.3f}")
        ax.axvspan(ci[0], ci[1], color="#d95f02", alpha=0.12, label=f"95% interval {ci[0]:.3f} to {ci[1]:.3f}")
        ax.set_xlabel("Krippendorff's alpha in a bootstrap resample")
        ax.set_ylabel("resamples")
        ax.set_title(f"{title} (n = {len(values)} resamples)")
        ax.legend(fontsize=7, loc="upper left", frameon=False)
    return fig
