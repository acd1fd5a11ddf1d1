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

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from .paths import atomic_write, relative_to_root

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
    """Two panels: documents per month and outlet (undated shown as its own bar), and tokens per
    document by outlet."""
    with matplotlib.rc_context(STYLE):
        fig = new_figure(width=9, height=3.6)
        ax1, ax2 = fig.subplots(1, 2)
        docs = documents.assign(
            month=documents["month"].fillna("undated"), outlet=documents["outlet"].fillna("(no outlet)")
        )
        table = pd.crosstab(docs["month"], docs["outlet"]).sort_index(key=lambda s: s.map(lambda m: (m == "undated", m)))
        bottom = None
        for outlet in table.columns:
            ax1.bar(table.index, table[outlet], bottom=bottom, label=outlet)
            bottom = table[outlet] if bottom is None else bottom + table[outlet]
        ax1.set_title(f"Documents per month (n = {len(docs)})")
        ax1.set_ylabel("documents")
        ax1.yaxis.get_major_locator().set_params(integer=True)
        ax1.legend(title="outlet", fontsize=8)
        order = sorted(docs["outlet"].unique())
        data = [tokens_per_doc[docs["outlet"] == o].to_numpy() for o in order]
        ax2.boxplot(data, tick_labels=order, showfliers=True)
        for i, values in enumerate(data, start=1):
            ax2.scatter([i] * len(values), values, s=14, zorder=3, color="black")
        ax2.set_title("Tokens per document, by outlet")
        ax2.set_ylabel("tokens (after stopwords)")
    return fig
