"""Groups of documents: the labels a ``group_by`` column gives each document.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "MISSING_GROUP",
    "group_column",
    "documents_per_group",
]


MISSING_GROUP = "(missing)"


def _group_labels(documents: pd.DataFrame, column: str) -> pd.Series:
    return documents[column].astype(object).where(documents[column].notna(), MISSING_GROUP).astype(str)


def group_column(documents: pd.DataFrame, *, group_by: str) -> str:
    """Check ``group_by`` and return the document column for per-document tables.

    Parameters
    ----------
    documents : DataFrame
        The corpus documents.
    group_by : str
        ``"speaker"`` (the quoted person) or a document column (``outlet``, ``month``...).

    Returns
    -------
    str
        ``group_by`` itself, or ``"outlet"`` when grouping by speaker (documents have no speaker;
        tables of documents and share of voice are then shown per outlet).
    """
    columns = sorted(str(col) for col in documents.columns if col != "text")
    if not isinstance(group_by, str) or (group_by != "speaker" and group_by not in documents.columns) or group_by == "text":
        raise ValueError(f"group_by = {group_by!r}: use 'speaker' or one of {columns}")
    if group_by != "speaker":
        return group_by
    if "outlet" not in documents.columns:
        raise ValueError(f"group_by = 'speaker': the documents have no 'outlet' column to show beside it; columns: {columns}")
    return "outlet"


def documents_per_group(documents: pd.DataFrame, *, column: str) -> pd.DataFrame:
    """Documents per value of a document column, a missing value as the group ``(missing)``
    (the label :func:`medialens.stance.stance_table` and :func:`medialens.log_odds.comparison_units` use).

    Parameters
    ----------
    documents : DataFrame
    column : str
        A document column, e.g. what :func:`group_column` returns.

    Returns
    -------
    DataFrame
        Indexed by the groups (sorted, ``(missing)`` last): ``documents``.
    """
    if column not in documents.columns or column == "text":
        raise ValueError(f"column = {column!r}: not a document column; columns: {sorted(c for c in documents.columns if c != 'text')}")
    counts = _group_labels(documents, column).value_counts()
    order = sorted(counts.index, key=lambda g: (g == MISSING_GROUP, g))
    return counts.reindex(order).rename("documents").rename_axis(column).to_frame()
