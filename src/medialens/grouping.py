"""Groups of documents: the one way an analysis or a plot turns a ``group_by`` column into labels.

Every table and figure that compares groups (term frequency, clustering, quotes, stance) labels
its groups with :func:`group_labels`, so that a document lands in the same group everywhere. A
missing value (``None``, ``NaN`` or an empty string) is the group :data:`MISSING_GROUP`,
``(missing)``, in every column, ``month`` included: a document without a date is never dropped and
never gets a second name. Groups are listed in :func:`group_order`: sorted, ``(missing)`` last.
The default group of a comparison is :func:`largest_group`: the largest group with a value that
is no placeholder (:func:`is_placeholder`).

The placeholder speakers of the quote and stance tables are defined here, once, since they are
group labels too (``group_by = "speaker"``): :data:`UNATTRIBUTED`, :data:`BELOW_MIN_CONFIDENCE`,
:data:`NOT_QUOTED` and the :data:`UNRESOLVED` references (``(unresolved: he)``).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = [
    "MISSING_GROUP",
    "ALL_DOCUMENTS",
    "group_labels",
    "group_order",
    "group_column",
    "documents_per_group",
    "largest_group",
    "UNATTRIBUTED",
    "BELOW_MIN_CONFIDENCE",
    "NOT_QUOTED",
    "UNRESOLVED",
    "is_placeholder",
]

#: The label of a missing value in every grouping (every column, dates included).
MISSING_GROUP = "(missing)"
#: The one group of ``group_by = None``.
ALL_DOCUMENTS = "all documents"
#: The speaker of a quote no rule attributed, or whose pronoun or description stayed unresolved
#: after :func:`medialens.quote_confidence.with_min_confidence`.
UNATTRIBUTED = "(unattributed)"
#: The speaker shown for an attribution below ``min_confidence``.
BELOW_MIN_CONFIDENCE = "(below min_confidence)"
#: The speaker of a target mention outside every quote (the outlet's own text).
NOT_QUOTED = "(not quoted)"
#: How an unresolved reference starts (``(unresolved: he)``, ``(unresolved: the senator)``).
UNRESOLVED = "(unresolved: "
_PLACEHOLDERS = frozenset({MISSING_GROUP, UNATTRIBUTED, BELOW_MIN_CONFIDENCE, NOT_QUOTED})


def is_placeholder(label) -> bool:
    """Is ``label`` a placeholder rather than a value: :data:`MISSING_GROUP`, :data:`UNATTRIBUTED`,
    :data:`BELOW_MIN_CONFIDENCE`, :data:`NOT_QUOTED` or an :data:`UNRESOLVED` reference?"""
    label = str(label)
    return label in _PLACEHOLDERS or label.startswith(UNRESOLVED)

# columns that hold text or counts, never groups
_NOT_GROUPS = ("text", "words")


def _groupable(columns: Iterable) -> list[str]:
    return sorted(str(c) for c in columns if c not in _NOT_GROUPS and not str(c).startswith("total_"))


def group_labels(documents: pd.DataFrame, group_by: str | None) -> pd.Series:
    """One group label per row of ``documents``.

    Parameters
    ----------
    documents : DataFrame
        The corpus documents, or any table with the column ``group_by`` (units, quotes, mentions).
    group_by : str or None
        A column of ``documents`` (``outlet``, ``month``, ``speaker``...), or None: every row in the
        group ``all documents``.

    Returns
    -------
    Series of str
        Indexed like ``documents``; a missing value is ``(missing)``.
    """
    if group_by is None:
        return pd.Series(ALL_DOCUMENTS, index=documents.index, dtype=object)
    if not isinstance(group_by, str) or group_by not in _groupable(documents.columns):
        raise ValueError(f"group_by = {group_by!r}: no such document column; choose one of {_groupable(documents.columns)}")
    values = documents[group_by].astype(object)
    values = values.where(values.notna() & (values.astype(str) != ""), MISSING_GROUP)
    return values.map(str)


def group_order(labels: Iterable[str]) -> list[str]:
    """The distinct ``labels`` sorted, with ``(missing)`` last: the order of every group table."""
    distinct = labels.unique() if isinstance(labels, pd.Series) else set(labels)
    return sorted(distinct, key=lambda g: (g == MISSING_GROUP, g))


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


def documents_per_group(documents: pd.DataFrame, *, group_by: str) -> pd.DataFrame:
    """Documents per group of a document column.

    Parameters
    ----------
    documents : DataFrame
    group_by : str
        A document column, e.g. what :func:`group_column` returns.

    Returns
    -------
    DataFrame
        Indexed by the groups (:func:`group_order`), named ``group_by``: ``documents``.
    """
    counts = group_labels(documents, group_by).value_counts()
    return counts.reindex(group_order(counts.index)).rename("documents").rename_axis(group_by).to_frame()


def largest_group(sizes, *, exclude: str | None = None) -> str:
    """The default group of a comparison (keyness, log-odds): the group with most units, ties by
    name, among the groups with a value. A placeholder (:func:`is_placeholder`: ``(missing)``,
    ``(unattributed)``, ``(below min_confidence)``, ``(not quoted)``, ``(unresolved: …)``) is
    chosen only when only placeholders are left (each can always be named explicitly).

    Parameters
    ----------
    sizes : Series or mapping
        Group label -> units (documents, quotes).
    exclude : str, optional
        A group that cannot be chosen (the reference it is compared with).

    Returns
    -------
    str
    """
    candidates = [(str(g), int(n)) for g, n in dict(sizes).items() if str(g) != exclude]
    if not candidates:
        raise ValueError("group_by: there are no groups to choose from")
    real = [kv for kv in candidates if not is_placeholder(kv[0])] or candidates
    return min(real, key=lambda kv: (-kv[1], kv[0]))[0]
