"""Term counts: one document-term count (:func:`count_terms`), group sizes and the top terms per group."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import validate
from ..counting import count_ngrams
from ..grouping import group_labels, group_order
from ..grouping import largest_group as _largest_group
from ..results import Result
from ..text import TextSettings, Tokenizer
from ..tokens import WordTable, text_fingerprints


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------
class TermIndex(Mapping):
    """Term → column of a :class:`TermCounts` whose terms are sorted, found by binary search in
    the names themselves (no dictionary of every term: word pairs run to millions).

    Parameters
    ----------
    names : numpy.ndarray of str (object)
        The terms in column order, sorted as Python compares strings, without repeats.
    """

    def __init__(self, names: np.ndarray):
        self._names = names

    def __getitem__(self, term) -> int:
        if isinstance(term, str):
            j = int(np.searchsorted(self._names, term))
            if j < len(self._names) and self._names[j] == term:
                return j
        raise KeyError(term)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.tolist())

    def __len__(self) -> int:
        return len(self._names)


@dataclass(frozen=True)
class TermCounts:
    """A document-term count matrix built once with the shared tokeniser.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Documents × terms, counts (int64). Rows follow ``documents``; columns follow ``terms``.
    terms : pandas.DataFrame
        One row per column of ``matrix``: ``term``, ``n`` (n-gram order) and ``count`` (corpus total).
    documents : pandas.DataFrame
        The corpus document table (without ``text``) plus ``words`` (all words before filtering)
        and ``total_1``, ``total_2`` ... (number of n-grams of each order, before ``min_count``).
    ngram_range : tuple of int
    min_count : int
    settings : TextSettings
    """

    matrix: sp.csr_matrix
    terms: pd.DataFrame
    documents: pd.DataFrame
    ngram_range: tuple[int, int]
    min_count: int
    settings: TextSettings
    index: Mapping = field(repr=False, default_factory=dict)  # term -> column (TermIndex or dict)
    cache: dict = field(repr=False, default_factory=dict, compare=False)

    @property
    def orders(self) -> list[int]:
        return list(range(self.ngram_range[0], self.ngram_range[1] + 1))

    def column(self, term: str) -> int | None:
        return self.index.get(term)

    def presence(self) -> sp.csr_matrix:
        """Documents × terms, 1 where the term occurs (computed once, then reused). The counting
        functions do not need it (:meth:`document_counts`, :meth:`term_documents`): at word pairs
        it is as large as ``matrix``."""
        if "presence" not in self.cache:
            p = self.matrix.copy()
            p.data = np.ones_like(p.data)
            self.cache["presence"] = p
        return self.cache["presence"]

    def document_counts(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Per term (int64): in how many documents of ``rows`` (row numbers of ``documents``;
        default every row) it occurs. A row is one document, whose non-zero cells are its terms,
        unless the rows stand for several documents (the Spark engine's cells, whose counts keep
        a presence matrix of document numbers)."""
        if rows is None and "doc_freq" in self.cache:
            return self.cache["doc_freq"]
        if "presence" in self.cache:
            part = self.cache["presence"] if rows is None else self.cache["presence"][rows]
            out = np.asarray(part.sum(axis=0, dtype=np.int64)).ravel()
        else:
            part = self.matrix if rows is None else self.matrix[rows]
            out = np.bincount(part.indices[part.data != 0], minlength=self.matrix.shape[1]).astype(np.int64)
        if rows is None:
            self.cache["doc_freq"] = out
        return out

    def term_documents(self, j: int) -> np.ndarray:
        """Per row of ``documents`` (int64): how many of its documents have term ``j`` (0 or 1 for
        a document; a Spark cell's count of documents)."""
        if "presence" in self.cache:
            return self.cache["presence"][:, j].toarray().ravel().astype(np.int64)
        return (self.matrix[:, j].toarray().ravel() != 0).astype(np.int64)


#: A count table whose rows are cells of several documents (the Spark engine's) says how many in
#: this column; a table without it has one document per row.
DOCUMENTS_COLUMN = "_documents"


def document_weights(documents: pd.DataFrame) -> np.ndarray:
    """How many documents each row of a count table's ``documents`` stands for: 1 per row, or the
    ``_documents`` column of a table of cells (:func:`medialens.spark.counting.count_terms_spark`)."""
    if DOCUMENTS_COLUMN in documents.columns:
        return documents[DOCUMENTS_COLUMN].to_numpy(dtype=np.int64)
    return np.ones(len(documents), dtype=np.int64)


def _check_documents(documents: pd.DataFrame) -> None:
    validate.frame(documents, "documents", columns=("doc_id", "text"), what="the corpus document table")


def _word_table(documents: pd.DataFrame, words: WordTable | None) -> WordTable:
    """The word table of ``documents``, one row per document: ``words`` (the corpus word table)
    narrowed to these documents after checking it was made from their texts, or, without it, the
    texts split here."""
    ids_in = documents["doc_id"].tolist()
    texts_in = [t if isinstance(t, str) else "" for t in documents["text"].tolist()]
    if words is None:
        # split the texts into words here, once; the same table the loader keeps as Corpus.words
        return WordTable.from_texts(ids_in, texts_in)
    # the words as split when loading: no text is split again
    if len(set(ids_in)) != len(ids_in):
        raise ValueError("words: the corpus word table holds whole documents; documents has repeated doc_ids (paragraphs?): count without words=")
    # the whole table as it is when the documents are its own, in its order (no copy of every word)
    table = words if ids_in == words.doc_ids else words.select(ids_in, parameter="words")
    differs = np.flatnonzero(table.fingerprints != text_fingerprints(texts_in))
    if len(differs):
        raise ValueError(
            f"words: the word table was not made from these texts (document {ids_in[differs[0]]!r} and "
            f"{len(differs) - 1} more differ); pass the corpus's own documents, or count without words="
        )
    return table


def count_terms(
    documents: pd.DataFrame,
    *,
    settings: TextSettings | None = None,
    ngram_range=(1, 1),
    min_count: int = 1,
    keep_terms=(),
    words: WordTable | None = None,
) -> TermCounts:
    """Count every n-gram in every document once, with the shared tokeniser.

    Parameters
    ----------
    documents : DataFrame
        The corpus document table (``Corpus.documents``): ``doc_id``, ``text`` and metadata.
    settings : TextSettings, optional
        Tokeniser settings (default ``TextSettings()``: Dutch, stopwords removed).
    ngram_range : [lowest, highest]
        N-gram orders to count; n-grams are joined with a space and built on the filtered tokens
        of one sentence (never across a sentence end, a paragraph break or the document's end).
    min_count : int
        Keep terms occurring at least this many times in the whole corpus (totals per document
        are counted before this filter, so relative frequencies do not change).
    keep_terms : list of str
        Terms (already normalised by the tokeniser) kept even when below ``min_count``.
    words : WordTable, optional
        The corpus word table (``Corpus.words``): the documents' words as split when loading,
        so they are not split again (the same counts, several times faster). Every ``doc_id`` of
        ``documents`` must be in it.

    Returns
    -------
    TermCounts
    """
    _check_documents(documents)
    lo, hi = validate.ngram_range(ngram_range)
    validate.whole_number(min_count, "min_count", minimum=1)
    settings = settings or TextSettings()
    if words is not None:
        validate.instance(words, "words", WordTable, "the corpus word table (Corpus.words)")
    orders = list(range(lo, hi + 1))
    table = _word_table(documents, words)
    # Every n-gram of every order counted once, within sentences (medialens.counting); the
    # tokeniser's filter works word by word, so the table applies it once per distinct word.
    counted = count_ngrams(table, settings, (lo, hi))
    word_counts = table.lengths()
    totals = counted.totals
    full = counted.matrix
    keep = np.asarray(full.sum(axis=0)).ravel() >= min_count
    keep_terms = list(keep_terms)
    if keep_terms:
        vocabulary = {t: j for j, t in enumerate(counted.terms.tolist())}
        wanted = [counted.column(t, vocabulary) for t in set(keep_terms)]
        keep[[j for j in wanted if j is not None]] = True
    cols = np.flatnonzero(keep)
    mat = full[:, cols].tocsr()
    del full
    term_n = counted.n[cols]
    corpus_count = np.asarray(mat.sum(axis=0)).ravel()
    order = counted.name_order(cols)  # kept columns, sorted by term
    mat = mat[:, order].tocsr()
    names = counted.names(cols[order])
    terms = pd.DataFrame({"term": names, "n": term_n[order], "count": corpus_count[order]})
    docs = documents.drop(columns=["text"]).reset_index(drop=True).copy()
    docs["words"] = word_counts
    for k, n in enumerate(orders):
        docs[f"total_{n}"] = totals[:, k]
    return TermCounts(
        matrix=mat,
        terms=terms,
        documents=docs,
        ngram_range=(lo, hi),
        min_count=int(min_count),
        settings=settings,
        index=TermIndex(names),
    )


def normalise_term(term: str, settings: TextSettings) -> str:
    """A followed term as the counts know it: tokenised, filtered and reduced like the corpus."""
    return " ".join(Tokenizer(settings)(term))


# --------------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------------
def group_sizes(counts: TermCounts, *, group_by: str | None) -> pd.DataFrame:
    """Documents, words (before filters) and tokens (unigrams after stopwords and filters) per
    group, indexed by group, ``(missing)`` last. Every comparison rests on these sizes.

    When unigrams are not counted (``ngram_range`` starting above 1), the lowest order counted is
    shown instead, as ``<n>-grams``.
    """
    labels = group_labels(counts.documents, group_by)
    table = _group_table(counts, labels, group_order(labels))
    low = min(counts.orders)
    out = table[["n_docs", "words", f"total_{low}"]].rename(
        columns={"n_docs": "documents", f"total_{low}": "tokens" if low == 1 else f"{low}-grams"}
    )
    out.index.name = "group"
    return out.astype("int64")


def largest_group(sizes: pd.DataFrame) -> str:
    """The group with most documents (ties: the first by name), the default keyness target; the
    group of documents without a value, ``(missing)``, only when it is the only group
    (:func:`medialens.grouping.largest_group`, the rule of every comparison)."""
    if sizes.empty:
        raise ValueError("group_by: there are no groups (the corpus has no documents)")
    return _largest_group(sizes["documents"])


@dataclass(frozen=True)
class Grouped:
    """A :class:`TermCounts` summed per group of one ``group_by`` (see :func:`grouped`).

    Attributes
    ----------
    labels : Series of str
        The group of each row of ``counts.documents`` (:func:`medialens.grouping.group_labels`).
    groups : list of str
        The distinct labels in group order; row ``i`` of the matrices is ``groups[i]``.
    counts : scipy.sparse.csr_matrix
        Groups × terms: each term's count in each group (int64, indices sorted).
    docs : scipy.sparse.csr_matrix
        Groups × terms, the same cells: in how many of the group's documents the term occurs.
    """

    labels: pd.Series
    groups: list[str]
    counts: sp.csr_matrix
    docs: sp.csr_matrix


def _sum_rows(counts: TermCounts, codes: np.ndarray, n_groups: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``counts``' rows summed per group code (rows of code ``i`` into row ``i``), as term counts
    and as document counts: each group's column sums, which at millions of terms cost a
    fraction of an indicator-matrix product."""
    matrix, n_terms = counts.matrix, counts.matrix.shape[1]
    cells: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for i in range(n_groups):
        rows = None if n_groups == 1 else np.flatnonzero(codes == i)
        part = matrix if rows is None else matrix[rows]
        total = np.asarray(part.sum(axis=0, dtype=np.int64)).ravel()
        j = np.flatnonzero(total)
        cells.append((j, total[j], counts.document_counts(rows)[j]))
    indptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum([len(j) for j, _, _ in cells], out=indptr[1:])
    indices = np.concatenate([j for j, _, _ in cells]) if cells else np.zeros(0, dtype=np.int64)
    return tuple(
        sp.csr_matrix((np.concatenate([c[k] for c in cells]) if cells else np.zeros(0, dtype=np.int64), indices, indptr),
                      shape=(n_groups, n_terms))
        for k in (1, 2)
    )


def grouped(counts: TermCounts, group_by: str | None) -> Grouped:
    """Every term's count and document frequency per group of ``group_by`` (None: one group of
    every document), kept with ``counts`` until another ``group_by`` is asked for (frequencies,
    count tables and keyness all start from these sums).

    Parameters
    ----------
    counts : TermCounts
    group_by : str or None
        A document column, as in :func:`medialens.grouping.group_labels`.

    Returns
    -------
    Grouped
    """
    key = ("grouped", group_by)
    if key not in counts.cache:
        labels = group_labels(counts.documents, group_by)
        groups = group_order(labels)
        codes = pd.Categorical(labels, categories=groups).codes
        for old in [k for k in counts.cache if isinstance(k, tuple) and k[0] == "grouped"]:
            del counts.cache[old]  # one grouping kept at a time: at word pairs each is hundreds of MB
        counts.cache[key] = Grouped(labels, groups, *_sum_rows(counts, codes, len(groups)))
    return counts.cache[key]


def _order_of(n: int | list | None, counts: TermCounts) -> list[int]:
    if n is None:
        return counts.orders
    ns = [n] if isinstance(n, (int, np.integer)) else list(n)
    bad = [x for x in ns if x not in counts.orders]
    if bad:
        raise ValueError(f"ngram = {n!r}: the counts hold n-gram orders {counts.orders} (set ngram_range to count others)")
    return ns


def _group_table(counts: TermCounts, labels: pd.Series, groups: list[str]) -> pd.DataFrame:
    docs = counts.documents.assign(_g=labels.to_numpy(), _w=document_weights(counts.documents))
    agg = {"n_docs": ("_w", "sum"), "words": ("words", "sum")}
    agg.update({f"total_{n}": (f"total_{n}", "sum") for n in counts.orders})
    return docs.groupby("_g").agg(**agg).reindex(groups)


def _group_notes(table: pd.DataFrame, group_by: str | None) -> list[str]:
    notes = []
    for g, row in table.iterrows():
        if row["n_docs"] == 1:
            notes.append(f"{group_by or 'group'} {g!r} has 1 document (n=1): its numbers describe one article, not a group.")
        if row.get("total_1", 1) == 0:
            notes.append(f"{group_by or 'group'} {g!r} has 0 tokens after stopwords and filters ({int(row['n_docs'])} documents): it has no frequencies.")
    return notes


def _check_top_n(top_n) -> int:
    return validate.whole_number(top_n, "top_n", minimum=1)


def _followed(terms, counts: TermCounts) -> tuple[list[tuple[str, str]], list[str]]:
    """(original, normalised) pairs for followed terms, and notes for those that cannot be counted."""
    terms = validate.word_list(terms, "terms", allow_empty=True)
    pairs, notes = [], []
    for t in terms:
        norm = normalise_term(t, counts.settings)
        if not norm:
            notes.append(f"terms: {t!r} has no tokens left after stopwords and filters; it cannot be counted.")
            continue
        n = norm.count(" ") + 1
        if n not in counts.orders:
            notes.append(f"terms: {t!r} is a {n}-gram ({norm!r}) but ngram_range = {list(counts.ngram_range)}; it is shown as 0.")
        elif norm not in counts.index:
            notes.append(f"terms: {t!r} ({norm!r}) never occurs in the corpus; its counts are 0.")
        pairs.append((t, norm))
    return pairs, notes


# --------------------------------------------------------------------------------------------
# 1. Frequencies
# --------------------------------------------------------------------------------------------
FREQ_COLUMNS = ["group", "rank", "term", "n", "count", "per_1000", "group_total", "n_docs", "docs_with_term"]


def term_frequencies(
    counts: TermCounts,
    *,
    group_by: str | None = "outlet",
    top_n: int = 20,
    terms=None,
    ngram: int | list | None = None,
    min_count: int = 1,
) -> Result:
    """Top terms per group (or the followed ``terms``) with counts and relative frequencies.

    Parameters
    ----------
    counts : TermCounts
        From :func:`count_terms`.
    group_by : str or None
        A document column (``outlet``, ``month``, any metadata column) or None for the whole corpus.
    top_n : int
        Terms per group and n-gram order, by count (ties broken alphabetically).
    terms : list of str, optional
        Followed terms: when given, exactly these terms are returned for every group (zeros when
        absent, with a note) instead of the top terms.
    ngram : int or list of int, optional
        N-gram orders to report (default: all counted).
    min_count : int
        Only terms with at least this count in the group enter the top list.

    Returns
    -------
    Result
        ``table``:        ``group, rank, term, n, count, per_1000, group_total, n_docs, docs_with_term``;
        ``group_total`` is the group's number of n-grams of that order (tokens, for unigrams).
        Notes: what to know (n=1 groups, absent terms, short vocabularies).
    """
    top_n = _check_top_n(top_n)
    validate.whole_number(min_count, "min_count", minimum=1)
    orders = _order_of(ngram, counts)
    by = grouped(counts, group_by)
    labels, groups, sums, doc_freq = by.labels, by.groups, by.counts, by.docs
    table = _group_table(counts, labels, groups)
    notes = _group_notes(table, group_by)
    if terms is not None:
        pairs, tnotes = _followed(terms, counts)
        out = _followed_frequencies(counts, pairs, table, groups, sums, doc_freq)
        return Result(out, tuple(notes + tnotes))
    rows = []
    for gi, g in enumerate(groups):
        rows += _top_rows(counts, g, sums.getrow(gi), doc_freq.getrow(gi), table, orders, top_n, min_count, group_by, notes)
    out = pd.DataFrame(rows, columns=FREQ_COLUMNS)
    return Result(out, tuple(notes))


def _followed_frequencies(counts: TermCounts, pairs, table: pd.DataFrame, groups: list[str], sums, doc_freq) -> pd.DataFrame:
    """The frequency rows of the followed terms (``pairs`` from :func:`_followed`) in every group,
    zeros for a term the counts do not hold; ``rank`` by count within each group."""
    rows = []
    for gi, g in enumerate(groups):
        for _orig, norm in pairs:
            j = counts.column(norm)
            n = norm.count(" ") + 1
            total = int(table.at[g, f"total_{n}"]) if n in counts.orders else 0
            cnt = int(sums[gi, j]) if j is not None else 0
            dfreq = int(doc_freq[gi, j]) if j is not None else 0
            rows.append((g, 0, norm, n, cnt, cnt / total * 1000 if total else np.nan, total, int(table.at[g, "n_docs"]), dfreq))
    out = pd.DataFrame(rows, columns=FREQ_COLUMNS)
    out["rank"] = out.groupby("group", sort=False)["count"].rank(method="first", ascending=False).astype(int)
    return out


def _top_rows(counts: TermCounts, g: str, row, drow, table: pd.DataFrame, orders: list[int], top_n: int, min_count: int,
              group_by: str | None, notes: list[str]) -> list[tuple]:
    """The ``top_n`` terms of group ``g`` for each n-gram order, as rows of :data:`FREQ_COLUMNS`.

    ``row`` and ``drow`` are the group's counts and document frequencies (one sparse row each);
    a group with fewer terms than ``top_n`` adds a sentence to ``notes``.
    """
    term_n = counts.terms["n"].to_numpy()
    term_names = counts.terms["term"].to_numpy()
    dorder = np.argsort(drow.indices)
    d_idx, d_val = drow.indices[dorder], drow.data[dorder]
    rows = []
    for n in orders:
        total = int(table.at[g, f"total_{n}"])
        mask = (term_n[row.indices] == n) & (row.data >= min_count)
        idx, cnt = row.indices[mask], row.data[mask]
        if len(idx) < top_n:
            notes.append(
                f"top_n = {top_n}: {group_by or 'group'} {g!r} has only {len(idx)} {n}-gram terms"
                f"{f' with count >= {min_count}' if min_count > 1 else ''}; all are shown."
            )
        if len(cnt) > top_n:  # only the candidates (ties at the cut included) are sorted by term
            kth = np.partition(cnt, len(cnt) - top_n)[len(cnt) - top_n]
            keep = cnt >= kth
            idx, cnt = idx[keep], cnt[keep]
        sel = np.lexsort((term_names[idx].astype(str), -cnt))[:top_n]
        for rank, k in enumerate(sel, start=1):
            c = int(cnt[k])
            rows.append((g, rank, term_names[idx[k]], n, c, c / total * 1000, total, int(table.at[g, "n_docs"]), int(d_val[np.searchsorted(d_idx, idx[k])])))
    return rows


COUNT_COLUMNS = ["group", "term", "n", "count", "per_1000", "docs_with_term", "group_total", "n_docs"]


def count_table(counts: TermCounts, *, group_by: str | None = "outlet", min_count: int = 1, min_total: int = 1) -> pd.DataFrame:
    """Every term's count in every group it occurs in: the full table behind :func:`term_frequencies`
    (which keeps the top terms), for taking away.

    Parameters
    ----------
    counts : TermCounts
        From :func:`count_terms`.
    group_by : str or None
        A document column, or None for the whole corpus.
    min_count : int
        Leave out a term in a group where it occurs fewer times.
    min_total : int
        Leave out a term occurring fewer times in the whole corpus (most distinct word pairs
        occur once: at 10,000 articles, 1.8 million terms, 70,000 of them at least five times).

    Returns
    -------
    DataFrame
        ``group, term, n, count, per_1000, docs_with_term, group_total, n_docs``, one row per group
        and term with a count of at least ``min_count``; sorted by group (group order), n-gram
        order, count (largest first) and term.
    """
    min_count = validate.whole_number(min_count, "min_count", minimum=1)
    min_total = validate.whole_number(min_total, "min_total", minimum=1)
    by = grouped(counts, group_by)
    labels, groups, sums, present = by.labels, by.groups, by.counts, by.docs  # the same cells: a group counts a term iff a document has it
    table = _group_table(counts, labels, groups)
    g = np.repeat(np.arange(len(groups)), np.diff(sums.indptr))
    j, c, d = sums.indices, sums.data, present.data
    keep = (c >= min_count) & (counts.terms["count"].to_numpy()[j] >= min_total)
    g, j, c, d = g[keep], j[keep], c[keep], d[keep]
    n = counts.terms["n"].to_numpy()[j]
    per_order = table[[f"total_{o}" for o in counts.orders]].to_numpy(dtype=np.int64)  # orders are a range
    totals = per_order[g, n - counts.orders[0]]
    names = counts.terms["term"].to_numpy()
    kept = np.unique(j)  # rank by term only the terms kept (all of them can be millions of word pairs)
    alpha = np.zeros(len(names), dtype=np.int64)
    alpha[kept[np.argsort(names[kept].astype(str), kind="stable")]] = np.arange(len(kept))
    order = np.lexsort((alpha[j], -c, n, g))
    g, j, c, d, n, totals = g[order], j[order], c[order], d[order], n[order], totals[order]
    return pd.DataFrame({
        "group": np.asarray(groups, dtype=object)[g], "term": names[j], "n": n, "count": c,
        "per_1000": np.where(totals > 0, c / np.maximum(totals, 1) * 1000, np.nan), "docs_with_term": d,
        "group_total": totals, "n_docs": table["n_docs"].to_numpy(dtype=np.int64)[g],
    }, columns=COUNT_COLUMNS)


def export_threshold(counts: TermCounts, *, max_terms: int = 100_000) -> int:
    """The smallest corpus count ``m`` such that at most ``max_terms`` terms occur ``m`` times or
    more: the ``min_total`` that keeps a full table of terms to a size a spreadsheet opens.

    Returns
    -------
    int
        1 when the counts hold at most ``max_terms`` terms.
    """
    max_terms = validate.whole_number(max_terms, "max_terms", minimum=1)
    by_count = np.sort(counts.terms["count"].to_numpy())[::-1]
    return 1 if len(by_count) <= max_terms else int(by_count[max_terms]) + 1
