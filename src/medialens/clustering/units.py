"""The units to cluster: whole documents or their paragraphs."""

from __future__ import annotations

import pandas as pd

from .. import validate
from ..grouping import group_labels
from ..text import paragraph_table

UNIT_COLUMNS = ["unit_id", "doc_id", "paragraph", "outlet", "date", "month", "text"]
# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------
def _documents_of(corpus) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if isinstance(corpus, pd.DataFrame):
        return corpus, None
    if hasattr(corpus, "documents") and hasattr(corpus, "paragraphs"):
        return corpus.documents, corpus.paragraphs()
    raise ValueError(f"corpus: expected a loaded Corpus or a documents DataFrame, got {type(corpus).__name__}")


def make_units(corpus, *, unit: str = "paragraph", include_headings: bool = False) -> pd.DataFrame:
    """The units to cluster: whole documents or their paragraphs.

    Parameters
    ----------
    corpus : Corpus or DataFrame
        A loaded :class:`medialens.corpus.Corpus`, or a documents table with at least ``doc_id``
        and ``text`` (``outlet``, ``date``, ``month`` are used when present).
    unit : "document" | "paragraph"
        What one row of the TF-IDF matrix is.
    include_headings : bool
        With paragraphs, keep short heading lines as units of their own. Default False: a heading
        of one or two words is too short to place by topic.

    Returns
    -------
    DataFrame
        ``unit_id, doc_id, paragraph, outlet, date, month, text`` in corpus order; ``paragraph``
        is the 1-based paragraph number (missing for document units).
    """
    validate.choice(unit, "unit", ("document", "paragraph"))
    validate.flag(include_headings, "include_headings")
    docs, paragraphs = _documents_of(corpus)
    missing = [c for c in ("doc_id", "text") if c not in docs.columns]
    if missing:
        raise ValueError(f"corpus: the documents table has no column(s) {missing}")
    n_docs = len(docs)
    if n_docs < 2:
        raise ValueError(
            f"corpus: has {n_docs} document{'s' if n_docs != 1 else ''}; topic clustering compares "
            "documents (or their paragraphs across documents), so it needs at least 2"
        )
    meta = docs.set_index("doc_id")
    for col in ("outlet", "date", "month"):
        if col not in meta.columns:
            meta[col] = None
    if unit == "document":
        out = pd.DataFrame(
            {
                "unit_id": docs["doc_id"].astype(str).to_numpy(),
                "doc_id": docs["doc_id"].to_numpy(),
                "paragraph": pd.array([pd.NA] * n_docs, dtype="Int64"),
                "outlet": meta["outlet"].to_numpy(),
                "date": meta["date"].to_numpy(),
                "month": meta["month"].to_numpy(),
                "text": docs["text"].to_numpy(),
            }
        )
        return out[UNIT_COLUMNS]
    paras = paragraphs if paragraphs is not None else paragraph_table(docs)
    per_doc = paras.groupby("doc_id", sort=False).size().reindex(docs["doc_id"]).fillna(0)
    if (per_doc <= 1).all():
        raise ValueError(
            f"unit = 'paragraph': none of the {n_docs} documents has more than one paragraph "
            "(paragraphs are separated by a blank line), so paragraph units would just be the "
            "documents; use unit = 'document', or keep the blank lines when exporting the texts"
        )
    if not include_headings:
        paras = paras[paras["kind"] != "heading"]
    if paras.empty:
        raise ValueError("include_headings = False: every paragraph is a heading; set include_headings = True")
    out = pd.DataFrame(
        {
            "unit_id": [f"{d}#p{p}" for d, p in zip(paras["doc_id"], paras["paragraph"], strict=True)],
            "doc_id": paras["doc_id"].to_numpy(),
            "paragraph": pd.array(paras["paragraph"].to_numpy(), dtype="Int64"),
            "outlet": meta.loc[paras["doc_id"], "outlet"].to_numpy(),
            "date": meta.loc[paras["doc_id"], "date"].to_numpy(),
            "month": meta.loc[paras["doc_id"], "month"].to_numpy(),
            "text": paras["text"].to_numpy(),
        }
    )
    return out[UNIT_COLUMNS].reset_index(drop=True)


def units_per_document(units: pd.DataFrame) -> pd.DataFrame:
    """How many units each document contributes, with its outlet and month.

    Parameters
    ----------
    units : DataFrame
        From :func:`make_units`.

    Returns
    -------
    DataFrame
        Indexed by ``doc_id`` (sorted): ``outlet, month, units``; a missing month or outlet shows
        as ``(missing)`` (:func:`medialens.grouping.group_labels`).
    """
    need = [c for c in ("unit_id", "doc_id", "outlet", "month") if c not in units.columns]
    if need:
        raise ValueError(f"units: missing column(s) {need}; make them with make_units")
    u = units.assign(outlet=group_labels(units, "outlet"), month=group_labels(units, "month"))
    return u.groupby("doc_id", sort=True).agg(outlet=("outlet", "first"), month=("month", "first"), units=("unit_id", "size"))
