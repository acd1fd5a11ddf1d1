"""Overview tables about a loaded corpus (notebook 00) and escaping for display."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import validate
from ..counting import word_table
from ..frequency.counts import DOCUMENTS_COLUMN, document_weights
from ..grouping import MISSING_GROUP, group_labels, group_order
from ..text import TextSettings
from ..tokens import WordTable
from .definition import BOILERPLATE_KINDS
from .table import Corpus, flagged_copies

#: The columns of the cells notebook 00 describes the corpus by (:func:`document_cells`).
CELL_COLUMNS = ("outlet", "month", "language")


def house_style_markers(raw_text: str) -> dict[str, int]:
    """Count the house-style markers that tell the seed articles' sources apart.

    Counted on the raw text (before boilerplate removal): opening quote styles, ``NAVO`` vs
    ``Navo`` spelling, and the web boilerplate each site adds.
    """
    return {
        "quotes_low_double_comma": raw_text.count(",,"),
        "quotes_low_double": raw_text.count("„"),
        "quotes_curly_double": raw_text.count("“"),
        "quotes_curly_single": raw_text.count("‘"),
        "spelling_NAVO": len(re.findall(r"\bNAVO\b", raw_text)),
        "spelling_Navo": len(re.findall(r"\bNavo\b", raw_text)),
        "caption_volledig_scherm": len(re.findall(r"^Volledig scherm\b.*©", raw_text, re.M)),
        "teaser_lees_ook": len(re.findall(r"^Lees ook:", raw_text, re.M)),
        "pull_quote": len(re.findall(r"^Quote ", raw_text, re.M)),
    }


def escape(text: str) -> str:
    """HTML-escape corpus text before it is shown anywhere as HTML."""
    return html.escape(text, quote=True)


def counts_by(documents: pd.DataFrame, rows: str = "outlet", columns: str = "month") -> pd.DataFrame:
    """Documents per ``rows`` × ``columns`` groups with totals; a missing value is the group
    ``(missing)`` (:func:`medialens.grouping.group_labels`, listed last), never dropped.
    ``documents`` is the document table, or a table of cells whose ``_documents`` column says how
    many documents each row stands for (:func:`document_cells`)."""
    for name, col in (("rows", rows), ("columns", columns)):
        if col not in documents.columns:
            raise ValueError(f"{name} = {col!r}: not a document column; columns: {sorted(documents.columns)}")
    r, c = group_labels(documents, rows), group_labels(documents, columns)
    weights = pd.Series(document_weights(documents), index=documents.index)
    table = pd.crosstab(r.rename(rows), c.rename(columns), values=weights, aggfunc="sum", margins=True, margins_name="total")
    table = table.reindex(index=[*group_order(r), "total"], columns=[*group_order(c), "total"]).fillna(0).astype("int64")
    table.columns.name = columns
    return table


def document_cells(documents: pd.DataFrame, columns: Sequence[str] = CELL_COLUMNS) -> pd.DataFrame:
    """Documents per combination of ``columns`` values: a small table of cells that
    :func:`counts_by` and the corpus descriptions take in place of the document table (the Spark
    engine counts the same table in Spark: :meth:`medialens.spark.engine.SparkEngine.document_cells`).

    Parameters
    ----------
    documents : DataFrame
        The corpus document table.
    columns : sequence of str
        Document columns (those it lacks are left out); a missing or empty value is ``None``.

    Returns
    -------
    DataFrame
        ``columns`` and ``_documents``, one row per combination present, sorted (missing last).
    """
    cols = [c for c in columns if c in documents.columns]
    keys = [tuple(None if v is None or v is pd.NA or (isinstance(v, float) and v != v) or v == "" else str(v) for v in row)
            for row in documents[cols].itertuples(index=False)] if cols else [() for _ in range(len(documents))]
    return cells_table(Counter(keys), cols)


def cells_table(counts: Mapping[tuple, int], columns: Sequence[str]) -> pd.DataFrame:
    """The table of cells of ``counts`` (``{values: documents}``): ``columns`` and ``_documents``,
    sorted by the values with missing (None) last."""
    order = sorted(counts, key=lambda key: tuple((v is None, v or "") for v in key))
    table = pd.DataFrame([list(key) for key in order], columns=list(columns), dtype=object)
    table[DOCUMENTS_COLUMN] = np.array([counts[key] for key in order], dtype=np.int64)
    return table


def token_stats(documents: pd.DataFrame, settings: TextSettings | None = None, *, words: WordTable | None = None) -> pd.DataFrame:
    """Per document: words before filtering, tokens after the filters of the tokeniser with
    ``settings`` (default ``TextSettings()``), distinct types.

    ``words`` (the corpus word table, ``Corpus.words``) is used for the documents whose text it
    was made from, so that no text is split again; the counts are the same either way.
    """
    if settings is not None:
        validate.instance(settings, "settings", TextSettings, "a TextSettings")
    table = word_table(documents["doc_id"].astype(str).tolist(), documents["text"].tolist(), words=words)
    flat, offsets, terms = table.token_ids(settings or TextSettings())
    return pd.DataFrame({
        "doc_id": documents["doc_id"].to_numpy(), "outlet": documents["outlet"].to_numpy(), "month": documents["month"].to_numpy(),
        "words": table.lengths().astype(np.int64), "tokens": np.diff(offsets).astype(np.int64),
        "types": _distinct_per_document(flat, offsets, len(terms)),
    })


def _distinct_per_document(flat: np.ndarray, offsets: np.ndarray, n_terms: int, *, block: int = 4_000_000) -> np.ndarray:
    """How many distinct ids each document has (``flat[offsets[i]:offsets[i + 1]]`` are document
    i's ids, all below ``n_terms``): (document, id) pairs sorted and counted once each, in blocks
    of documents holding about ``block`` ids (np.unique would hash them, slower here)."""
    n, width = len(offsets) - 1, max(n_terms, 1)
    out = np.zeros(n, dtype=np.int64)
    start = 0
    while start < n:
        stop = min(n, max(start + 1, int(np.searchsorted(offsets, offsets[start] + block, side="right")) - 1))
        owner = np.repeat(np.arange(stop - start, dtype=np.int64), np.diff(offsets[start:stop + 1]))
        pairs = np.sort(owner * width + flat[offsets[start]:offsets[stop]])
        first = np.ones(len(pairs), dtype=bool)
        first[1:] = pairs[1:] != pairs[:-1]
        out[start:stop] = np.bincount(pairs[first] // width, minlength=stop - start)
        start = stop
    return out


def removals_summary(corpus: Corpus) -> pd.DataFrame:
    """What cleaning removed, per kind: how many items in how many documents, and characters."""
    r = corpus.removals
    kinds = {
        "pull_quote": "'Quote ...' pull quote repeating the body",
        "caption": "'Volledig scherm ... ©' photo caption",
        "teaser": "'Lees ook:' teaser block (heading and teasers)",
        "html": "HTML tags and entities",
        "format_characters": "format characters (zero-width space, soft hyphen, BOM)",
        "special_spaces": "non-breaking and other special spaces (made plain)",
        "not_nfc": "texts not in Unicode NFC (normalised)",
    }
    if r.empty:
        return pd.DataFrame(columns=["kind", "meaning", "items", "documents", "characters"])
    counted = r["kind"].isin(BOILERPLATE_KINDS)
    out = (
        r.assign(items=counted.map({True: 1, False: 0}) + (~counted) * r["chars"], characters=r["chars"].where(counted, 0))
        .groupby("kind", sort=True)
        .agg(items=("items", "sum"), documents=("doc_id", "nunique"), characters=("characters", "sum"))
        .reset_index()
    )
    out.insert(1, "meaning", out["kind"].map(kinds).fillna(""))
    return out


def structure_counts(corpus: Corpus) -> pd.DataFrame:
    """Per document: paragraphs, headings among them, and sentences (0 where there are none).
    Sentences are counted in the corpus word table when it holds the corpus's documents in order
    (the sentences of ``Corpus.sentences()``, without splitting and copying every one)."""
    paras = corpus.paragraphs()
    ids = pd.Index(corpus.documents["doc_id"], name="doc_id")
    words = corpus.words
    if words is not None and words.doc_ids == ids.tolist():
        sentences = pd.Series(np.diff(words.doc_sentences), index=ids)
    else:
        sentences = corpus.sentences().groupby("doc_id").size()
    return pd.DataFrame(
        {
            "paragraphs": paras.groupby("doc_id").size(),
            "headings": paras[paras["kind"] == "heading"].groupby("doc_id").size(),
            "sentences": sentences,
        }
    ).reindex(ids).fillna(0).astype(int)


def preview(documents: pd.DataFrame, preview_chars: int = 240) -> pd.DataFrame:
    """The first ``preview_chars`` characters of every document with its metadata, for a first
    look (shown escaped as HTML)."""
    n_chars = validate.whole_number(preview_chars, "preview_chars", minimum=1)

    def cut(t: str) -> str:
        flat = " ".join(t.split())
        return flat if len(flat) <= n_chars else flat[: n_chars - 1].rstrip() + "…"

    cols = [c for c in ("doc_id", "outlet", "date", "language", "n_chars") if c in documents.columns]
    out = documents[cols].copy()
    out["start of text"] = documents["text"].map(cut)
    return out


#: A paragraph counts as repeated when, word for word (case and spacing ignored), it is in at
#: least this many documents ...
REPEATED_MIN_DOCUMENTS = 5
#: ... and in at least this share of one outlet's documents (documents without an outlet count as
#: one outlet, ``(missing)``): a footer, subscription line or disclaimer a site adds to every
#: article, which the built-in cleaning rules (Dutch web boilerplate) do not know.
REPEATED_MIN_OUTLET_SHARE = 0.2
#: How many characters of a repeated paragraph :func:`repeated_paragraphs` shows.
REPEATED_SHOW_CHARS = 120

REPEATED_COLUMNS = ["paragraph", "documents", "outlets", "top_outlet", "top_outlet_documents", "top_outlet_share"]


def repeated_paragraphs(
    corpus: Corpus,
    *,
    min_documents: int = REPEATED_MIN_DOCUMENTS,
    min_outlet_share: float = REPEATED_MIN_OUTLET_SHARE,
) -> pd.DataFrame:
    """Paragraphs repeated word for word in many documents: boilerplate the cleaning rules do not
    know, which every analysis counts as words unless it is removed.

    A paragraph is compared after folding case and spacing, by a hash of that text (one pass over
    the paragraphs, no comparison of pairs). Documents flagged as a copy or near-duplicate of
    another (``copy_of``, ``near_duplicate_of``) are left out of the counts and of the outlets'
    totals, so that a reprinted story does not look like boilerplate.

    Parameters
    ----------
    corpus : Corpus
        Its paragraphs (:meth:`Corpus.paragraphs`) and documents.
    min_documents : int
        A paragraph is listed when it is in at least this many documents
        (:data:`REPEATED_MIN_DOCUMENTS`) ...
    min_outlet_share : float
        ... and in at least this share of one outlet's documents (:data:`REPEATED_MIN_OUTLET_SHARE`).

    Returns
    -------
    DataFrame
        One row per repeated paragraph, most documents first: ``paragraph`` (its first
        :data:`REPEATED_SHOW_CHARS` characters, as first written), ``documents``, ``outlets``,
        ``top_outlet`` (the outlet where it is in the largest share of documents),
        ``top_outlet_documents`` (that outlet's documents) and ``top_outlet_share`` (rounded to 3 decimals).
    """
    min_docs = validate.whole_number(min_documents, "min_documents", minimum=2)
    if not (isinstance(min_outlet_share, int | float) and not isinstance(min_outlet_share, bool) and 0 <= min_outlet_share <= 1):
        raise ValueError(f"min_outlet_share = {min_outlet_share!r}: a share between 0 and 1 (e.g. 0.2)")
    empty = pd.DataFrame({c: pd.Series(dtype=object if c in ("paragraph", "top_outlet") else float if c == "top_outlet_share" else int)
                          for c in REPEATED_COLUMNS})
    docs = corpus.documents
    originals = ~flagged_copies(docs)
    outlet_of = pd.Series(group_labels(docs, "outlet").to_numpy() if "outlet" in docs.columns else MISSING_GROUP,
                          index=docs["doc_id"].to_numpy())[originals.to_numpy()]
    if len(outlet_of) < min_docs:
        return empty
    paras = corpus.paragraphs()
    paras = paras[paras["doc_id"].isin(outlet_of.index)]
    norm = paras["text"].map(lambda t: " ".join(t.split()).casefold())
    hashes = pd.util.hash_array(norm.to_numpy(dtype=object))
    keys = pd.DataFrame({"hash": hashes, "doc_id": paras["doc_id"].to_numpy()})
    keys = keys[norm.to_numpy() != ""].drop_duplicates()  # a paragraph twice in one document counts once
    n_docs = keys.groupby("hash", sort=False).size()
    candidates = n_docs.index[n_docs.to_numpy() >= min_docs]
    if not len(candidates):
        return empty
    hits = keys[keys["hash"].isin(candidates)].copy()
    hits["outlet"] = outlet_of.reindex(hits["doc_id"]).to_numpy()
    outlet_size = outlet_of.value_counts()
    per = hits.groupby(["hash", "outlet"], sort=True).size().rename("n").reset_index()
    per["share"] = per["n"] / per["outlet"].map(outlet_size).to_numpy()
    # the outlet with the largest share; ties go to the larger outlet, then the first name
    per["size"] = per["outlet"].map(outlet_size).to_numpy()
    top = per.sort_values(["hash", "share", "size", "outlet"], ascending=[True, False, False, True], kind="stable").drop_duplicates("hash")
    top = top[top["share"] >= min_outlet_share].set_index("hash")
    if top.empty:
        return empty
    wanted = np.isin(hashes, top.index.to_numpy())
    first = pd.Series(paras["text"].to_numpy()[wanted]).groupby(hashes[wanted], sort=False).first()

    def cut(t: str) -> str:
        flat = " ".join(t.split())
        return flat if len(flat) <= REPEATED_SHOW_CHARS else flat[: REPEATED_SHOW_CHARS - 1].rstrip() + "…"

    out = pd.DataFrame({
        "paragraph": [cut(first[h]) for h in top.index],
        "documents": n_docs.reindex(top.index).to_numpy().astype(int),
        "outlets": per.groupby("hash")["outlet"].nunique().reindex(top.index).to_numpy().astype(int),
        "top_outlet": top["outlet"].to_numpy(),
        "top_outlet_documents": top["size"].to_numpy().astype(int),
        "top_outlet_share": top["share"].round(3).to_numpy(),
    })
    return out.sort_values(["documents", "paragraph"], ascending=[False, True], kind="stable").reset_index(drop=True)
