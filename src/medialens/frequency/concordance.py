"""Keyword in context and dispersion: where followed terms occur in the documents."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import validate
from ..results import Result
from ..text import TextSettings, Tokenizer
from .counts import _check_documents


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


def _matches(words: list[str], pattern: list[str]) -> list[int]:
    k = len(pattern)
    first = pattern[0]
    return [i for i, w in enumerate(words) if w == first and words[i : i + k] == pattern]


KWIC_COLUMNS = ["doc_id", "outlet", "date", "position", "left", "keyword", "right", "term"]


def kwic(
    documents: pd.DataFrame,
    *,
    terms,
    window: int = 8,
    settings: TextSettings | None = None,
    sort_by: str = "position",
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
    patterns = [(t, _term_words(t, tok)) for t in terms]
    rows = []
    hits = dict.fromkeys(terms, 0)
    n_words = []
    for rec in documents.itertuples(index=False):
        words = tok.words(rec.text or "")
        n_words.append(len(words))
        for t, pat in patterns:
            for i in _matches(words, pat):
                hits[t] += 1
                rows.append(
                    (
                        rec.doc_id, getattr(rec, "outlet", None), getattr(rec, "date", None), i,
                        " ".join(words[max(0, i - window) : i]), " ".join(words[i : i + len(pat)]),
                        " ".join(words[i + len(pat) : i + len(pat) + window]), t,
                    )
                )
    out = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    if sort_by == "position":
        out = out.sort_values(["doc_id", "position", "term"], kind="stable")
    elif sort_by == "left":
        key = out["left"].map(lambda s: " ".join(reversed(s.split())))
        out = out.assign(_k=key).sort_values(["_k", "doc_id", "position"], kind="stable").drop(columns="_k")
    else:
        out = out.sort_values([sort_by, "doc_id", "position"], kind="stable")
    out = out.reset_index(drop=True)
    notes = [f"terms: {t!r} does not occur in the documents." for t, h in hits.items() if h == 0]
    return Concordance(out, tuple(notes), n_words=tuple(n_words))


def dispersion(documents: pd.DataFrame, *, terms, settings: TextSettings | None = None) -> Dispersion:
    """Where each term occurs in each document, for an x-ray (dispersion) plot.

    Returns
    -------
    Dispersion
        ``table``:        ``doc_id, outlet, term, position, n_words, offset`` with ``offset = position / n_words``
        (0 = start of the article, 1 = end); ``documents`` holds every document's id and length
        so the plot can show documents without hits.
    """
    k = kwic(documents, terms=terms, window=0, settings=settings)  # tokenises every document once
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
