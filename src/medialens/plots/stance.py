"""Stance comparison figures: share of voice, polarity intervals, the Fightin' Words plot."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from ..results import NO_SCORED_WORDS
from .figures import RASTER_POINTS, STYLE, _facet_grid, _top_groups, new_figure

__all__ = ["share_of_voice_chart", "stance_intervals", "log_odds_chart"]


def share_of_voice_chart(sov: pd.DataFrame, *, group_by: str = "outlet", top_n: int = 6, max_groups: int = 8) -> Figure:
    """One panel per group: quoted words per speaker (the ``top_n`` speakers with most words),
    with the group's number of quotes in the panel title; at most ``max_groups`` panels (the
    groups with most quotes)."""
    with matplotlib.rc_context(STYLE):
        labels = sov[group_by].astype(str)
        groups, left_out = _top_groups(sov.groupby(labels)["quotes"].sum(), max_groups)
        if len(groups) <= 4:
            fig = new_figure(width=3.2 * max(1, len(groups)), height=3.2)
            axes = fig.subplots(1, max(1, len(groups)), squeeze=False)[0]
        else:  # rows of four panels
            fig = new_figure(width=3.2 * 4, height=3.2 * -(-len(groups) // 4))
            axes = _facet_grid(fig, len(groups), ncols=4)
        for ax, g in zip(axes, groups, strict=False):
            part = sov[labels == g].sort_values(["words", "speaker"], ascending=[False, True]).head(top_n)
            part = part.iloc[::-1]
            ax.barh(part["speaker"], part["words"], color="#4c72b0")
            for y, (w, q) in enumerate(zip(part["words"], part["quotes"], strict=True)):
                ax.text(w, y, f" {q}q", va="center", fontsize=7)
            n_q = int(sov.loc[labels == g, "quotes"].sum())
            ax.set_title(f"{g} (n = {n_q} quotes)")
            ax.set_xlabel("quoted words")
        fig.suptitle(f"Share of voice: quoted words per speaker (label: number of quotes{left_out})")
    return fig


def _n_label(row) -> str:
    """``n=3 docs, 7 mentions`` (or ``n=7`` without a documents count)."""
    if "n_documents" not in row.index:
        return f"n={int(row['n_mentions'])}"
    return f"n={int(row['n_documents'])} docs, {int(row['n_mentions'])} mentions"


def stance_intervals(
    table: pd.DataFrame, *, title: str = "Lexicon polarity per group and target", max_groups: int = 15
) -> Figure:
    """Mean polarity with its bootstrap 95% interval per group (rows) for each target (panels);
    cells with insufficient data or no scored word are marked, every point is labelled with its n (documents and
    mentions when the table has ``n_documents``, as :func:`medialens.stance.stance_table`'s). At most
    ``max_groups`` rows (the groups with most mentions; the title says how many are left out)."""
    with matplotlib.rc_context(STYLE):
        targets = list(dict.fromkeys(table["target"]))
        labels = table["group"].astype(str)
        groups, left_out = _top_groups(table.groupby(labels)["n_mentions"].sum(), max_groups)
        groups = sorted(groups)
        fig = new_figure(width=2.8 * max(1, len(targets)), height=0.45 * len(groups) + 1.6)
        axes = fig.subplots(1, max(1, len(targets)), squeeze=False, sharey=True)[0]
        for ax, t in zip(axes, targets, strict=False):
            part = table[table["target"] == t].set_index("group")
            for y, g in enumerate(groups):
                if g not in part.index:
                    continue
                r = part.loc[g]
                n = _n_label(r)
                if pd.isna(r["mean"]):
                    why = "no scored words" if r.get("missing") == NO_SCORED_WORDS else "insufficient"
                    ax.text(0, y, f"{why} ({n})", ha="center", va="center", fontsize=7, color="grey")
                    continue
                ax.errorbar(r["mean"], y, xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]], fmt="o",
                            color="black", capsize=3)
                ax.text(r["ci_high"], y + 0.15, f" {n}", fontsize=7)
            ax.axvline(0, color="grey", lw=0.8, ls=":")
            ax.set_xlim(-1, 1)
            ax.set_yticks(range(len(groups)), groups)
            ax.set_ylim(-0.6, len(groups) - 0.4)
            ax.set_title(t)
            ax.set_xlabel("polarity (−1 … +1)")
        fig.suptitle(f"{title} (mean, bootstrap 95% interval; n = {int(table['n_mentions'].sum())} mentions{left_out})")
    return fig


def log_odds_chart(scores: pd.DataFrame, *, top_n: int = 10, title: str | None = None) -> Figure:
    """The standard Fightin' Words plot: z-score against log10 of the term's total count, the
    ``top_n`` most distinctive terms on each side labelled, |z| = 1.96 marked."""
    import numpy as np

    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=8, height=4.6)
        ax = fig.subplots()
        x = np.log10(scores["count"].clip(lower=1))
        ax.scatter(x, scores["z"], s=8, color="#999999", alpha=0.6, linewidths=0, rasterized=len(scores) > RASTER_POINTS)
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
