"""Versions of the packages an analysis depends on (shown at the end of every notebook)."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

PACKAGES = (
    "medialens", "pandas", "numpy", "scikit-learn", "scipy", "matplotlib", "stop-words",
    "simplemma", "PyStemmer", "lingua-language-detector", "papermill", "nbconvert",
)


def versions(packages: tuple[str, ...] = PACKAGES) -> pd.DataFrame:
    """Python and package versions as a two-column table."""
    rows = [("python", platform.python_version())]
    for name in packages:
        try:
            rows.append((name, version(name)))
        except PackageNotFoundError:
            rows.append((name, "not installed"))
    return pd.DataFrame(rows, columns=["package", "version"])
