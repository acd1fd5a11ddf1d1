"""Plots: functions take tidy DataFrames and return a matplotlib Figure; one helper saves them.

Figures are built with ``matplotlib.figure.Figure`` directly (not pyplot), so nothing is shown
twice in a notebook and no global state changes. :func:`save_figure` writes PNG and SVG
deterministically (fixed SVG hash salt, no dates in metadata) and returns an object that a
notebook displays as the PNG.

Every figure draws a bounded number of elements whatever the corpus size: figures are sized by
what they show, never by the number of documents; rows and panels per group are capped (the
groups with most documents, hits or mentions, said in the title); a layer of more than
:data:`RASTER_POINTS` markers is drawn as one embedded image in the SVG (``rasterized``); the
x-ray shows at most ``max_docs`` documents and :func:`dispersion_profile_plot` summarises where
terms occur over the whole corpus.

The figures of each notebook sit in a module of their own (:mod:`.corpus`, :mod:`.terms`,
:mod:`.clustering`, :mod:`.stance`, :mod:`.coding`) beside what they share (:mod:`.figures`);
every public name is available here as ``plots.<name>``.
"""

from __future__ import annotations

from .clustering import cluster_map, silhouette_by_k, stability_heatmap
from .coding import alpha_bootstrap
from .corpus import corpus_overview
from .figures import MAX_GROUPS, RASTER_POINTS, STYLE, SavedFigure, new_figure, save_figure
from .stance import log_odds_chart, share_of_voice_chart, stance_intervals
from .terms import dispersion_profile_plot, keyness_plot, top_terms_plot, trends_plot, xray_plot

__all__ = [
    "save_figure",
    "SavedFigure",
    "STYLE",
    "new_figure",
    "RASTER_POINTS",
    "MAX_GROUPS",
    "corpus_overview",
    "silhouette_by_k",
    "cluster_map",
    "stability_heatmap",
    "share_of_voice_chart",
    "stance_intervals",
    "log_odds_chart",
    "top_terms_plot",
    "keyness_plot",
    "trends_plot",
    "xray_plot",
    "dispersion_profile_plot",
    "alpha_bootstrap",
]
