"""A two-dimensional LSA map of the units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..results import Result
from .description import _check_pair
from .fitting import Clustering
from .matrix import TfidfMatrix


# --------------------------------------------------------------------------------------------
# Map
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClusterMap(Result):
    """:func:`lsa_map`: one row per unit with its map position, and the share of variance each
    of the two axes explains."""

    explained: tuple[float, float] = (float("nan"), float("nan"))


def lsa_map(matrix: TfidfMatrix, clustering: Clustering | None = None, *, random_state: int = 0) -> ClusterMap:
    """Two-dimensional LSA map: ``TruncatedSVD(n_components=2)`` of the TF-IDF matrix (capped by
    its rank), one row per unit.

    Returns
    -------
    ClusterMap
        ``table``: ``unit_id, doc_id, paragraph, outlet, month, cluster, x, y``; ``explained``: the
        share of variance each axis explains.
    """
    from sklearn.decomposition import TruncatedSVD

    X = matrix.X
    n_comp = max(1, min(2, X.shape[1] - 1, X.shape[0] - 1))
    svd = TruncatedSVD(n_components=n_comp, random_state=random_state, algorithm="arpack" if min(X.shape) <= 500 else "randomized")
    if X.shape[1] < 2:
        coords = np.asarray(X.toarray())
        explained = [1.0]
    else:
        coords = svd.fit_transform(X)
        explained = list(svd.explained_variance_ratio_)
    # fix the sign of each axis (SVD signs are arbitrary): largest absolute coordinate positive
    for j in range(coords.shape[1]):
        col = coords[:, j]
        if col[np.argmax(np.abs(col))] < 0:
            coords[:, j] = -col
    if coords.shape[1] == 1:
        coords = np.column_stack([coords[:, 0], np.zeros(len(coords))])
        explained = explained + [0.0]
    out = matrix.units[["unit_id", "doc_id", "paragraph", "outlet", "month"]].copy()
    if clustering is not None:
        _check_pair(matrix, clustering)
        out["cluster"] = clustering.labels
    out["x"] = coords[:, 0]
    out["y"] = coords[:, 1]
    return ClusterMap(out.reset_index(drop=True), explained=(float(explained[0]), float(explained[1])))
