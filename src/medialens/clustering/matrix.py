"""One TF-IDF matrix of the units, from the one counting path, with what each filter removed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import validate
from ..counting import count_ngrams
from ..grouping import group_labels, group_order
from ..text import TextSettings, Tokenizer
from ..tokens import WordTable, text_fingerprints

# --------------------------------------------------------------------------------------------
# TF-IDF
# --------------------------------------------------------------------------------------------
#: notebook 20's defaults (scikit-learn's example): terms in at least 2 units and at most half of
#: them. Both can hold only from 4 units on; :func:`tfidf` with ``adapt_defaults`` then keeps every term.
DEFAULT_MIN_DF = 2
DEFAULT_MAX_DF = 0.5


@dataclass
class TfidfMatrix:
    """One TF-IDF matrix and everything needed to read it.

    Attributes
    ----------
    units : DataFrame
        The units that are rows of ``X`` (``UNIT_COLUMNS`` plus ``tokens`` and ``terms``: tokens
        after the tokeniser and distinct vocabulary terms kept).
    X : scipy.sparse.csr_matrix
        TF-IDF weights, rows L2-normalised.
    terms : ndarray of str
        Column names of ``X`` (sorted, as scikit-learn sorts them).
    filters : DataFrame
        ``step, rule, terms``: how many terms survive each filter.
    dropped : DataFrame
        Units left out and why: ``unit_id, doc_id, paragraph, reason``.
    settings : dict
        The TF-IDF settings used, with ``min_df``/``max_df`` as unit counts.
    notes : tuple of str
        Sentences about the settings used (the defaults adapted to a small corpus).
    """

    units: pd.DataFrame
    X: sp.csr_matrix
    terms: np.ndarray
    filters: pd.DataFrame
    dropped: pd.DataFrame
    settings: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def shape(self) -> tuple[int, int]:
        return self.X.shape


def _describe(units: pd.DataFrame, mask: np.ndarray, limit: int = 8) -> str:
    """'3 of 5 units (2 of 5 documents: a, b)' for the units selected by ``mask``."""
    sel = units.loc[mask]
    docs = sorted(sel["doc_id"].astype(str).unique())
    all_docs = units["doc_id"].nunique()
    names = ", ".join(docs[:limit]) + (f", ... ({len(docs) - limit} more)" if len(docs) > limit else "")
    if units["paragraph"].isna().all():
        return f"{int(mask.sum())} of {len(units)} documents ({names})"
    by_outlet = ""
    if "outlet" in sel.columns and sel["outlet"].notna().any():
        counts = group_labels(sel, "outlet").value_counts()
        by_outlet = "; by outlet: " + ", ".join(f"{o} {counts[o]}" for o in group_order(counts.index))
    return f"{int(mask.sum())} of {len(units)} units from {len(docs)} of {all_docs} documents ({names}){by_outlet}"


def _unit_table(units: pd.DataFrame, words: WordTable | None) -> WordTable:
    """The word table of ``units``, one row per unit: from the corpus word table when given
    (documents, or :meth:`WordTable.paragraphs` for paragraph units), else from the units' texts."""
    texts = [t if isinstance(t, str) else "" for t in units["text"].tolist()]
    if words is None:
        return WordTable.from_texts(units["unit_id"].astype(str).tolist(), texts)
    if not isinstance(words, WordTable):
        raise ValueError(f"words: expected the corpus word table (Corpus.words), got {type(words).__name__}")
    if units["paragraph"].isna().all():
        table = words.select(units["doc_id"].tolist(), parameter="words")
        differs = np.flatnonzero(table.fingerprints != text_fingerprints(texts))
        if len(differs):
            raise ValueError(
                f"words: the word table was not made from these texts (document {units['doc_id'].iloc[differs[0]]!r} "
                f"and {len(differs) - 1} more differ); pass the corpus's own word table, or leave words out"
            )
        return table
    if units["paragraph"].isna().any():
        raise ValueError("units: mixes documents and paragraphs; make them with make_units")
    return words.paragraphs().select(units["unit_id"].astype(str).tolist(), parameter="words")


def _unit_counts(units: pd.DataFrame, settings, ngrams: tuple[int, int], words: WordTable | None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Units × terms counts (float64) and the terms (sorted), from the one counting path.

    The matrix is laid out exactly as scikit-learn's ``CountVectorizer`` lays out its result for
    the same tokens (entries of a row in the order the terms first appeared in the corpus, column
    numbers then changed to the sorted terms' numbers): that keeps the TF-IDF weights
    bit-identical to ``TfidfVectorizer``'s, and k-means on near-ties depends on the last bit.
    """
    counted = count_ngrams(_unit_table(units, words), settings, ngrams)
    rank = counted.appearance_order()
    names = counted.names()
    m = counted.matrix
    # entries in first-appearance order within each row, as CountVectorizer's sort_indices leaves them
    by_rank = sp.csr_matrix((m.data.astype(np.float64), rank[m.indices], m.indptr), shape=m.shape)
    by_rank.sort_indices()
    order = np.argsort(names.astype(str), kind="stable")
    to_sorted = np.empty(len(order), dtype=np.int64)
    to_sorted[order] = np.arange(len(order), dtype=np.int64)
    by_name = np.empty(len(order), dtype=np.int64)  # rank -> sorted column
    by_name[rank] = to_sorted
    out = sp.csr_matrix((by_rank.data, by_name[by_rank.indices].astype(np.int32), by_rank.indptr.astype(np.int32)), shape=m.shape)
    return out, names[order]


def tfidf(
    units: pd.DataFrame,
    *,
    settings: TextSettings | None = None,
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    ngram_range: tuple[int, int] | list[int] = (1, 1),
    sublinear_tf: bool = True,
    words: WordTable | None = None,
    adapt_defaults: bool = False,
) -> TfidfMatrix:
    """Build the TF-IDF matrix of ``units`` once, reporting what each filter removed.

    Parameters
    ----------
    units : DataFrame
        From :func:`make_units` (needs ``unit_id, doc_id, paragraph, text``).
    settings : TextSettings, optional
        The shared tokeniser's settings (stopwords, lemmas or stems as chosen for every analysis;
        default ``TextSettings()``).
    min_df, max_df : int or float
        Keep terms occurring in at least ``min_df`` and at most ``max_df`` units; a whole number
        counts units, a float in (0, 1] is a share of units (scikit-learn's meaning).
    ngram_range : [lowest, highest]
        Word n-grams built on the token stream. Default ``[1, 1]`` (single tokens).
    sublinear_tf : bool
        Use 1 + log(tf) instead of raw counts (the usual choice for news). Default True.
    words : WordTable, optional
        The corpus word table (``Corpus.words``): the units' words as split when loading, so no
        text is split again. Without it the units' texts are split here (the same counts).
    adapt_defaults : bool
        When ``min_df`` and ``max_df`` are the defaults (:data:`DEFAULT_MIN_DF`,
        :data:`DEFAULT_MAX_DF`) and cannot both hold for this many units (fewer than 4), keep every
        term (``min_df = 1``, ``max_df = 1.0``) and say so in ``notes``. Values that are not the
        defaults are used as given (a ValueError naming them when they cannot hold).

    Returns
    -------
    TfidfMatrix
        Equal to ``TfidfVectorizer(analyzer=..., min_df, max_df, sublinear_tf)`` on the same
        tokens, with units that have no tokens at all left out beforehand (listed in ``dropped``).
        Units whose terms were all removed by ``min_df``/``max_df`` are also left out (they have no
        place in the space) and listed.
    """
    from sklearn.feature_extraction.text import TfidfTransformer

    tokenizer, min_df, max_df, ngrams = _check_arguments(units, settings, min_df, max_df, ngram_range, sublinear_tf)
    what = "documents" if units["paragraph"].isna().all() else "units"

    units = units.reset_index(drop=True)
    counts, all_terms = _unit_counts(units, tokenizer.settings, ngrams, words)
    kept_units, counts, n_tokens, no_tokens, dropped = _without_empty_units(units, counts, what)
    n = len(kept_units)

    df = np.bincount(counts.indices, minlength=len(all_terms))  # units per term (no explicit zeros)
    notes = []
    if adapt_defaults and (min_df, max_df) == (DEFAULT_MIN_DF, DEFAULT_MAX_DF) and not validate.df_bounds_hold(min_df, max_df, n):
        notes.append(f"min_df = {min_df!r} and max_df = {max_df!r} (the defaults) cannot both hold for {n} {what} "
                     "(they need at least 4): every term is kept (min_df = 1, max_df = 1.0)")
        min_df, max_df = 1, 1.0
    min_count, max_count = _df_bounds(min_df, max_df, n, what)
    keep_min = df >= min_count
    keep_max = df <= max_count
    keep = keep_min & keep_max
    filters = _filter_table(keep_min, keep, n=n, what=what, ngrams=ngrams, min_df=min_df, max_df=max_df,
                            min_count=min_count, max_count=max_count)
    counts = counts[:, np.flatnonzero(keep)]
    row_terms = np.diff(counts.indptr)
    lost = row_terms == 0
    if lost.all():
        raise _no_term_left(kept_units, lost, keep_min, keep_max, what=what, min_df=min_df, max_df=max_df,
                            min_count=min_count, max_count=max_count)
    transformer = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=sublinear_tf)
    X = transformer.fit_transform(counts).tocsr()
    dropped += _dropped_rows(kept_units, lost, f"all its terms removed by min_df = {min_df!r} / max_df = {max_df!r}")
    if lost.any():
        X = X[np.flatnonzero(~lost)]
        kept_units = kept_units.loc[~lost].reset_index(drop=True)
        row_terms = row_terms[~lost]
    kept_units = kept_units.assign(
        tokens=n_tokens[~no_tokens][~lost] if lost.any() else n_tokens[~no_tokens], terms=row_terms
    )
    dropped_df = pd.DataFrame(dropped, columns=["unit_id", "doc_id", "paragraph", "reason"]).astype({"paragraph": "Int64"})
    used = {
        "min_df": min_df, "max_df": max_df, "min_units": min_count, "max_units": max_count, "ngram_range": list(ngrams),
        "sublinear_tf": sublinear_tf, "tokenizer": tokenizer.settings.as_dict(),
    }
    return TfidfMatrix(
        units=kept_units, X=X, terms=np.asarray(all_terms[keep], dtype=object), filters=filters, dropped=dropped_df, settings=used,
        notes=tuple(notes),
    )


def _check_arguments(units: pd.DataFrame, settings, min_df, max_df, ngram_range, sublinear_tf):
    """:func:`tfidf`'s arguments checked: ``(tokenizer, min_df, max_df, ngram_range)``."""
    if settings is not None:
        validate.instance(settings, "settings", TextSettings, "a TextSettings")
    tokenizer = Tokenizer(settings or TextSettings())
    need = [c for c in ("unit_id", "doc_id", "paragraph", "text") if c not in units.columns]
    if need:
        raise ValueError(f"units: missing column(s) {need}; build units with make_units()")
    min_df = validate.count_or_share(min_df, "min_df")
    max_df = validate.count_or_share(max_df, "max_df")
    ngrams = validate.ngram_range(ngram_range)
    validate.flag(sublinear_tf, "sublinear_tf")
    return tokenizer, min_df, max_df, ngrams


def _dropped_rows(units: pd.DataFrame, mask: np.ndarray, reason: str) -> list[tuple]:
    """``(unit_id, doc_id, paragraph, reason)`` for the units selected by ``mask``."""
    sel = units.loc[mask]
    return [(u, d, p, reason) for u, d, p in zip(sel["unit_id"], sel["doc_id"], sel["paragraph"], strict=True)]


def _without_empty_units(units: pd.DataFrame, counts: sp.csr_matrix, what: str):
    """Leave out the units with no token: ``(kept units, their counts, tokens per unit, the
    no-token mask, dropped rows)``; a ValueError when no unit has a token."""
    n_tokens = np.asarray(counts.sum(axis=1)).ravel().astype(int)
    no_tokens = n_tokens == 0
    dropped = _dropped_rows(units, no_tokens, "no tokens left after the tokeniser (only stopwords, numbers or very short words)")
    if no_tokens.all():
        raise ValueError(
            f"tokenizer: no {what} has any token left after the tokeniser "
            f"({_describe(units, no_tokens)}); check language and remove_stopwords"
        )
    kept_units = units.loc[~no_tokens].reset_index(drop=True)
    if no_tokens.any():
        counts = counts[np.flatnonzero(~no_tokens)]  # row selection keeps each row's entry order
    return kept_units, counts, n_tokens, no_tokens, dropped


def _df_bounds(min_df, max_df, n: int, what: str) -> tuple[float, float]:
    """``min_df`` and ``max_df`` as numbers of units out of ``n``; a ValueError when no term
    could pass both or ``min_df`` asks for more units than there are."""
    min_count, max_count = validate.df_counts(min_df, max_df, n)
    if max_count < min_count:
        raise ValueError(
            f"max_df = {max_df!r} (at most {_fmt_count(max_count)} of {n} {what}) is below "
            f"min_df = {min_df!r} (at least {_fmt_count(min_count)} of {n} {what}): no term can pass both; "
            "lower min_df or raise max_df"
        )
    if min_count > n:
        raise ValueError(
            f"min_df = {min_df!r}: a term would have to occur in at least {_fmt_count(min_count)} {what}, "
            f"but there are only {n}; lower min_df"
        )
    return min_count, max_count


def _filter_table(keep_min: np.ndarray, keep: np.ndarray, *, n: int, what: str, ngrams, min_df, max_df,
                  min_count: float, max_count: float) -> pd.DataFrame:
    """``step, rule, removed, terms_left``: how many terms the tokeniser found and each filter removed."""
    after_min = int(keep_min.sum())
    return pd.DataFrame(
        {
            "step": ["tokeniser", "min_df", "max_df"],
            "rule": [
                f"distinct terms in {n} {what} (n-grams {ngrams[0]}-{ngrams[1]})",
                f"keep terms in at least {_fmt_count(min_count)} {what} (min_df = {min_df!r})",
                f"keep terms in at most {_fmt_count(max_count)} {what} (max_df = {max_df!r})",
            ],
            "removed": [0, len(keep_min) - after_min, after_min - int(keep.sum())],
            "terms_left": [len(keep_min), after_min, int(keep.sum())],
        }
    )


def _no_term_left(units: pd.DataFrame, lost: np.ndarray, keep_min: np.ndarray, keep_max: np.ndarray, *, what: str,
                  min_df, max_df, min_count: float, max_count: float) -> ValueError:
    """The error when ``min_df``/``max_df`` leave no unit with a term: how many terms each removed
    and which units lost everything."""
    reasons = []
    if (~keep_min).any():
        reasons.append(f"{int((~keep_min).sum())} of {len(keep_min)} terms occur in fewer than {_fmt_count(min_count)} {what} (min_df)")
    if (~keep_max).any():
        reasons.append(f"{int((~keep_max).sum())} of {len(keep_max)} terms occur in more than {_fmt_count(max_count)} {what} (max_df)")
    return ValueError(
        f"min_df = {min_df!r}, max_df = {max_df!r}: no term is left. {'; '.join(reasons)}. So "
        f"{_describe(units, lost)} lost all their terms; lower min_df or raise max_df"
    )


def _fmt_count(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"
