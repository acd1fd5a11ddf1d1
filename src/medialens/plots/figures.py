"""What every figure shares: the style, the one saver (PNG + SVG, deterministic), a new empty
figure, and the bounds that keep a figure small whatever the corpus size."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from ..grouping import group_order
from ..paths import atomic_write, relative_to_root

__all__ = ["save_figure", "SavedFigure", "STYLE", "new_figure", "RASTER_POINTS", "MAX_GROUPS"]

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
#: A scatter layer with more markers than this is rasterised (one image in the SVG, not one
#: element per marker).
RASTER_POINTS = 1000
#: Groups (outlets, months, speakers ...) drawn at most in one figure; the rest are left out and
#: the title says how many.
MAX_GROUPS = 12


def _top_groups(weights: pd.Series, max_groups: int) -> tuple[list[str], str]:
    """The at most ``max_groups`` groups of ``weights`` (group -> documents, hits ...) with the
    largest weight (ties in group order), listed in group order, and a phrase for the title
    (empty when every group is shown)."""
    order = group_order(weights.index)
    if len(order) <= max_groups:
        return order, ""
    place = {g: i for i, g in enumerate(order)}
    ranked = sorted(order, key=lambda g: (-float(weights.get(g, 0)), place[g]))
    keep = set(ranked[:max_groups])
    return [g for g in order if g in keep], f"; the {max_groups} largest of {len(order)} groups shown"


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
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
    if not slug:
        raise ValueError(f"figure name {name!r} has no usable characters")
    return slug


def save_figure(fig: Figure, name: str, figures_dir: str | Path) -> SavedFigure:
    """Write ``fig`` as ``<figures_dir>/<name>.png`` and ``.svg``, atomically and reproducibly."""
    folder = Path(figures_dir)
    slug = _slug(name)
    paths = {}
    engine = fig.get_layout_engine()
    with matplotlib.rc_context(STYLE):
        try:
            bbox = "tight"
            for fmt in ("png", "svg"):
                buf = io.BytesIO()
                fig.savefig(buf, format=fmt, metadata=_METADATA[fmt], bbox_inches=bbox)
                path = folder / f"{slug}.{fmt}"
                with atomic_write(path) as fh:
                    fh.write(buf.getvalue())
                paths[fmt] = path
                if bbox == "tight":
                    # The SVG keeps the PNG's layout and crop: laying out and measuring the figure
                    # again (the larger part of drawing it) would move it by fractions of a point.
                    if engine is not None:
                        fig.set_layout_engine("none")
                    bbox = fig.get_tightbbox().padded(matplotlib.rcParams["savefig.pad_inches"])
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)
    return SavedFigure(slug, paths["png"], paths["svg"])


def new_figure(*, width: float = 8.0, height: float = 4.0) -> Figure:
    """An empty figure of ``width`` × ``height`` inches in the house style (constrained layout)."""
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def _facet_grid(fig: Figure, n: int, *, ncols: int = 3):
    """``n`` axes on a grid of ``ncols`` columns (fewer when ``n`` is smaller); unused cells hidden."""
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return flat[:n]
