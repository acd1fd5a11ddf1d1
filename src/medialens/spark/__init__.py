"""Apache Spark as an optional engine for the heavy, aggregable steps (``pip install medialens[spark]``).

The corpus definition's ``backend:`` entry chooses the engine (:mod:`medialens.spark.config`; the
default is the in-memory engine). With ``engine: spark`` the corpus is read in Spark
(:mod:`medialens.spark.reading`), tokenised with the project's own tokeniser inside the workers,
and only small tables come back to the notebook (:mod:`medialens.spark.counting`): group × month ×
term counts and document frequencies as a :class:`~medialens.frequency.TermCounts`, so keyness,
trends and their plots run unchanged. TF-IDF and k-means for topic clustering run in Spark too
(:mod:`medialens.spark.clustering`).

Importing this package does not import pyspark; the functions that need it say so with a one-line
error when it is missing (:func:`medialens.spark.session.require_pyspark`).
"""

from __future__ import annotations

from .config import DEFAULT_BACKEND, ENGINES, backend_spec

__all__ = ["DEFAULT_BACKEND", "ENGINES", "backend_spec", "available"]


def available() -> bool:
    """True when pyspark can be imported (the ``spark`` extra is installed)."""
    import importlib.util

    return importlib.util.find_spec("pyspark") is not None
