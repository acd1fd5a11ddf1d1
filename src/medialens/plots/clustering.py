"""Topic clustering figures: silhouette by k, the LSA map, agreement between runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from ..grouping import group_labels, group_order
from .figures import MAX_GROUPS, RASTER_POINTS, STYLE, _top_groups, new_figure

if TYPE_CHECKING:
    from ..clustering import ClusterMap

__all__ = ["silhouette_by_k", "cluster_map", "stability_heatmap"]

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*", "h", "p")  # one per group up to MAX_GROUPS
_OTHER_MARKER = "."


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


def cluster_map(
    points: ClusterMap, *, title: str = "LSA map of the TF-IDF matrix", max_points: int = 5000, random_state: int = 0,
    max_groups: int = MAX_GROUPS,
) -> Figure:
    """2-D map from :func:`medialens.clustering.lsa_map`: colour = cluster, marker = outlet, axes
    labelled with the share of variance they explain.

    More than ``max_points`` units are drawn as a seeded random sample of ``max_points``
    (``random_state``; the title says so); more than :data:`RASTER_POINTS` markers are rasterised.
    The ``max_groups`` outlets with most units get a marker each; the units of the other outlets
    are drawn as dots, one legend entry, and the title says how many outlets that is.
    """
    explained = points.explained
    points = points.table
    n_all = len(points)
    if n_all > max_points:
        points = points.sample(n=max_points, random_state=random_state).sort_index()
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=7.5, height=5)
        ax = fig.subplots()
        pts = points.assign(outlet=group_labels(points, "outlet"))
        outlets, _ = _top_groups(pts["outlet"].value_counts(), max_groups)
        others = [o for o in group_order(pts["outlet"]) if o not in set(outlets)]
        if others:
            pts = pts.assign(outlet=pts["outlet"].where(pts["outlet"].isin(outlets), _OTHERS))
        clusters = sorted(pts["cluster"].unique()) if "cluster" in pts.columns else [None]
        cmap = matplotlib.colormaps["tab10" if len(clusters) <= 10 else "tab20"]
        dense = len(pts) > RASTER_POINTS
        for ci, c in enumerate(clusters):
            sel_c = pts if c is None else pts[pts["cluster"] == c]
            color = cmap(ci % cmap.N)
            for o, marker in _outlet_markers(outlets, others):
                sel = sel_c[sel_c["outlet"] == o]
                if len(sel):
                    ax.scatter(sel["x"], sel["y"], color=color, marker=marker, s=8 if dense else 36,
                               edgecolors="black", linewidths=0 if dense else 0.4, alpha=0.6 if dense else 0.85,
                               rasterized=dense)
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=cmap(ci % cmap.N), marker="o", linestyle="", label=f"cluster {c}")
                   for ci, c in enumerate(clusters) if c is not None]
        handles += [Line2D([], [], color="grey", marker=marker, linestyle="", label=f"{len(others)} other outlets" if o == _OTHERS else o)
                    for o, marker in _outlet_markers(outlets, others)]
        ax.legend(handles=handles, fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        ax.set_xlabel(f"LSA axis 1 ({explained[0]:.1%} of variance)")
        ax.set_ylabel(f"LSA axis 2 ({explained[1]:.1%} of variance)")
        shown = "" if n_all == len(points) else f"; a random sample of {len(points):,} shown (random_state = {random_state})"
        if others:
            shown += f"; markers for the {len(outlets)} outlets with most units, the other {len(others)} as dots"
        ax.set_title(f"{title} (n = {n_all} units{shown})" if not shown else f"{title}\n(n = {n_all:,} units{shown})")
    return fig


#: the outlet label of the units of every outlet beyond ``max_groups`` (no outlet is called so: labels are strings)
_OTHERS = object()


def _outlet_markers(outlets: list[str], others: list[str]) -> list[tuple]:
    """(outlet label, marker) for the outlets drawn with a marker of their own, then the others' dot."""
    pairs = [(o, _MARKERS[i % len(_MARKERS)]) for i, o in enumerate(outlets)]
    return pairs + ([(_OTHERS, _OTHER_MARKER)] if others else [])


def stability_heatmap(ari: pd.DataFrame, *, n_units: int) -> Figure:
    """Pairwise adjusted Rand index between runs (a square table, e.g. ``Stability.ari_matrix``)."""
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
