"""Keyword in context and dispersion: where followed terms occur in the documents."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import validate
from ..results import Result
from ..text import TextSettings, Tokenizer
from ..tokens import WordTable
from .counts import _check_documents, _word_table


@dataclass(frozen=True)
class Concordance(Result):
    """:func:`kwic`: the concordance, its notes, and the words per document (in input order)."""

    n_words: tuple[int, ...] = ()


@dataclass(frozen=True)
class Dispersion(Result):
    """:func:`dispersion`: the occurrences, its notes, every document's ``doc_id, outlet, n_words``
    (documents without hits too) and the terms asked for, in order."""

    documents: pd.DataFrame = field(default_factory=pd.DataFrame)
    terms: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# 5. Keyword in context and dispersion
# --------------------------------------------------------------------------------------------
def _term_words(term: str, tok: Tokenizer) -> list[str]:
    words = tok.words(term)
    if not words:
        raise ValueError(f"terms: {term!r} has no word characters")
    return words


def _occurrences(table: WordTable, patterns: list[list[str]], lowercase: bool) -> tuple[np.ndarray, ...]:
    """Every match of every pattern in the word table, vectorised over all words.

    Returns ``(doc, position, pattern, forms)``: the document row, the word position in the
    document and the pattern number of each match, in the order (document, pattern, position);
    ``forms`` holds each vocabulary word as the tokeniser gives it (lowercased if set).
    """
    forms = np.array([w.lower() for w in table.vocabulary] if lowercase else table.vocabulary, dtype=object)
    code: dict[str, int] = {}
    form_id = np.fromiter((code.setdefault(f, len(code)) for f in forms.tolist()), dtype=np.int64, count=len(forms))
    ids, offsets = table.ids, table.offsets
    found_doc, found_pos, found_pat = [], [], []
    for p, pattern in enumerate(patterns):
        wanted = [code.get(w, -1) for w in pattern]
        if min(wanted) < 0:
            continue
        at = np.flatnonzero(np.isin(ids, np.flatnonzero(form_id == wanted[0])))
        doc = np.searchsorted(offsets, at, side="right") - 1
        ok = np.ones(len(at), dtype=bool)
        for k, w in enumerate(wanted[1:], start=1):
            nxt = at + k
            ok &= nxt < offsets[doc + 1]
            ok[ok] = form_id[ids[nxt[ok]]] == w
        found_doc.append(doc[ok])
        found_pos.append(at[ok] - offsets[doc[ok]])
        found_pat.append(np.full(int(ok.sum()), p, dtype=np.int64))
    if not found_doc:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), forms
    doc, pos, pat = (np.concatenate(a) for a in (found_doc, found_pos, found_pat))
    order = np.lexsort((pos, pat, doc))
    return doc[order], pos[order], pat[order], forms


KWIC_COLUMNS = ["doc_id", "outlet", "date", "position", "left", "keyword", "right", "term"]


def _column(documents: pd.DataFrame, name: str, rows: np.ndarray) -> np.ndarray:
    if name not in documents.columns:
        return np.full(len(rows), None, dtype=object)
    return documents[name].to_numpy()[rows]


def kwic(
    documents: pd.DataFrame,
    *,
    terms,
    window: int = 8,
    settings: TextSettings | None = None,
    sort_by: str = "position",
    words: WordTable | None = None,
) -> Concordance:
    """Keyword in context: every occurrence of each term with ``window`` words either side.

    Matching is on the tokeniser's **words** (normalised, lowercased, before stopword removal and
    lemmas), so contexts read naturally; a multiword term matches a run of words and a hyphenated
    compound (``no-flyzone``) matches that one word, not ``flyzone`` inside it.

    Parameters
    ----------
    documents : DataFrame
        The corpus document table (``doc_id``, ``text``; ``outlet``, ``date`` if present).
    terms : list of str
    window : int
        Words of context on each side.
    settings : TextSettings, optional
        Only ``language``/``lowercase`` matter here.
    sort_by : "position" | "left" | "right" | "keyword"
        ``position``: by document then position; ``left``: by the words just before the keyword
        (nearest first, as concordancers sort); ``right``: by the words after it.
    words : WordTable, optional
        The corpus word table (``Corpus.words``): the words as split when loading, so no text is
        split again (the same table, much faster). Every ``doc_id`` of ``documents`` must be in it.

    Returns
    -------
    Concordance
        ``table``:        ``doc_id, outlet, date, position, left, keyword, right, term``; ``position`` is the word
        index of the keyword in its document. Notes name terms with no match.
    """
    _check_documents(documents)
    validate.whole_number(window, "window", minimum=0)
    validate.choice(sort_by, "sort_by", ("position", "left", "right", "keyword"))
    terms = validate.word_list(terms, "terms", allow_empty=True)
    tok = Tokenizer(settings or TextSettings())
    patterns = [_term_words(t, tok) for t in terms]
    if words is not None:
        validate.instance(words, "words", WordTable, "the corpus word table (Corpus.words)")
    table = _word_table(documents, words)
    doc, pos, pat, forms = _occurrences(table, patterns, tok.settings.lowercase)
    starts, ends = table.offsets[doc], table.offsets[doc + 1]
    at = starts + pos
    width = np.array([len(p) for p in patterns], dtype=np.int64)[pat] if len(pat) else pat
    ids = table.ids

    def text(lo: np.ndarray, hi: np.ndarray) -> list[str]:
        return [" ".join(forms[ids[a:b]]) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]

    out = pd.DataFrame({
        "doc_id": documents["doc_id"].to_numpy()[doc], "outlet": _column(documents, "outlet", doc),
        "date": _column(documents, "date", doc), "position": pos,
        "left": text(np.maximum(starts, at - window), at), "keyword": text(at, at + width),
        "right": text(at + width, np.minimum(ends, at + width + window)), "term": np.array(terms, dtype=object)[pat],
    }, columns=KWIC_COLUMNS)
    if sort_by == "position":
        out = out.sort_values(["doc_id", "position", "term"], kind="stable")
    elif sort_by == "left":
        key = out["left"].map(lambda s: " ".join(reversed(s.split())))
        out = out.assign(_k=key).sort_values(["_k", "doc_id", "position"], kind="stable").drop(columns="_k")
    else:
        out = out.sort_values([sort_by, "doc_id", "position"], kind="stable")
    out = out.reset_index(drop=True)
    hits = np.bincount(pat, minlength=len(terms))
    notes = [f"terms: {t!r} does not occur in the documents." for t, h in zip(terms, hits.tolist(), strict=True) if h == 0]
    return Concordance(out, tuple(notes), n_words=tuple(table.lengths().tolist()))


def dispersion(
    documents: pd.DataFrame, *, terms, settings: TextSettings | None = None, words: WordTable | None = None
) -> Dispersion:
    """Where each term occurs in each document, for an x-ray (dispersion) plot.

    Parameters
    ----------
    documents : DataFrame
        The corpus document table (``doc_id``, ``text``; ``outlet`` if present).
    terms : list of str
    settings : TextSettings, optional
        Only ``language``/``lowercase`` matter here.
    words : WordTable, optional
        The corpus word table (``Corpus.words``), as for :func:`kwic`.

    Returns
    -------
    Dispersion
        ``table``:        ``doc_id, outlet, term, position, n_words, offset`` with ``offset = position / n_words``
        (0 = start of the article, 1 = end); ``documents`` holds every document's id and length
        so the plot can show documents without hits.
    """
    k = kwic(documents, terms=terms, window=0, settings=settings, words=words)  # words split once
    lengths = pd.DataFrame(
        {
            "doc_id": documents["doc_id"].to_numpy(),
            "outlet": documents["outlet"].to_numpy() if "outlet" in documents.columns else None,
            "n_words": k.n_words,
        }
    )
    out = k.table[["doc_id", "term", "position"]].merge(lengths, on="doc_id", how="left")
    out["offset"] = out["position"] / out["n_words"].where(out["n_words"] > 0)
    out = out[["doc_id", "outlet", "term", "position", "n_words", "offset"]]
    out = out.sort_values(["term", "doc_id", "position"], kind="stable").reset_index(drop=True)
    return Dispersion(
        out, k.notes, documents=lengths.sort_values("doc_id").reset_index(drop=True),
        terms=(terms,) if isinstance(terms, str) else tuple(terms),
    )
