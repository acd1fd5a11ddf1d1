"""TF-IDF topic clustering that a student can check: units, one TF-IDF matrix, k-means or NMF,
the silhouette for choosing k, stability across seeds, and where outlets and months fall.

The pipeline follows scikit-learn's examples "Clustering text documents using k-means" and "Topic
extraction with NMF and LDA", with the shared tokeniser of :mod:`medialens.text` and checks that
fit a small corpus:

1. :func:`make_units` -- documents or paragraphs, each keeping ``doc_id, outlet, date, month`` and
   its paragraph number. Headings (short lines such as ``Luchtruim``) are left out by default: a
   one- or two-word unit gets an L2-normalised vector made of one or two terms, which k-means then
   places by those words alone; the heading's topic is carried by the paragraphs under it.
2. :func:`tfidf` -- tokens and n-grams (within sentences) counted once by the one counting path
   (:mod:`medialens.counting`, from the corpus word table: the words counted in term
   frequencies), filtered by ``min_df``/``max_df`` (the number of terms surviving each filter is
   reported), weighted with ``sublinear_tf`` and smoothed idf, rows L2-normalised: exactly what
   ``TfidfVectorizer(analyzer=tokenizer, ...)`` computes. The matrix is built once and reused by
   every later step.
3. :func:`cluster` -- ``KMeans(n_init=10, random_state)`` (``MiniBatchKMeans`` for large inputs) or
   ``NMF(init="nndsvda")``; with ``k = "auto"`` the k with the highest cosine silhouette in a range.
   On L2-normalised rows Euclidean k-means behaves like cosine (spherical) k-means. The silhouette
   is computed with cosine distance; scikit-learn's example reports the Euclidean one, whose
   values differ.
4. :func:`top_terms`, :func:`representatives`, :func:`cluster_summary`, :func:`cluster_table`,
   :func:`stability`, :func:`lsa_map` -- what each cluster is, how sure we can be, and a map.

Clusters are numbered 1..k by size (largest first; ties by the first unit in corpus order), so
that tables do not depend on scikit-learn's internal label order.

The package by job: ``units``, ``matrix`` (TF-IDF), ``fitting`` (k-means/NMF, choosing k),
``description`` (top terms, representatives, tables), ``resampling`` (stability), ``lsa`` (the map).
"""

from __future__ import annotations

from .description import Described, cluster_summary, cluster_table, representatives, top_terms
from .fitting import ALGORITHMS, MINIBATCH_THRESHOLD, Clustering, cluster, silhouette_verdict
from .lsa import ClusterMap, lsa_map
from .matrix import DEFAULT_MAX_DF, DEFAULT_MIN_DF, TfidfMatrix, tfidf
from .resampling import STABILITY_SAMPLE, Stability, stability
from .units import UNIT_COLUMNS, make_units, units_per_document

__all__ = [
    "UNIT_COLUMNS",
    "TfidfMatrix",
    "ClusterMap",
    "Clustering",
    "Stability",
    "make_units",
    "units_per_document",
    "tfidf",
    "cluster",
    "silhouette_verdict",
    "top_terms",
    "Described",
    "representatives",
    "cluster_summary",
    "cluster_table",
    "stability",
    "lsa_map",
    "ALGORITHMS",
    "MINIBATCH_THRESHOLD",
    "STABILITY_SAMPLE",
    "DEFAULT_MIN_DF",
    "DEFAULT_MAX_DF",
]
