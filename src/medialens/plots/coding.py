"""Coding reliability figures: the bootstrap distribution of Krippendorff's alpha."""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure

from .figures import STYLE, new_figure

__all__ = ["alpha_bootstrap"]


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
