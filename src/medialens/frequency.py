"""Term frequencies: counts, keyness, trends over time, keyword-in-context and dispersion.

Everything starts from one document-term count built once with the shared tokeniser
(:func:`count_terms`); every other function reads that :class:`TermCounts` and returns a tidy
DataFrame. Notes about the data (a followed term that never occurs, a group with one document,
``top_n`` larger than a group's vocabulary ...) are returned as the ``notes`` of a
:class:`medialens.results.Result` (a tuple of plain sentences) beside its ``table``, so a notebook
can show them; nothing is printed.

Definitions:

- **Tokens.** Words after the tokeniser's filters (stopwords, numbers, short words) and optional
  lemma/stem reduction. **N-grams are built on this filtered token stream** with
  :func:`medialens.text.ngrams`, so the bigram ``buitenlandse zaken`` can span a removed stopword.
- **Relative frequency** of an n-gram of order ``n`` in a group = count / number of n-grams of
  order ``n`` in the group × 1,000. For unigrams the denominator is the group's token total.
- **Keyness** of term w for a target group t against a reference r uses the 2×2 table
  a = count of w in t, b = count in r, c = total of t − a, d = total of r − b (totals of the term's
  n-gram order). Chi-square and G² are signed: positive when a is above its expected value
  (the term is over-represented in the target).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from scipy.special import xlogy

from . import validate
from .grouping import MISSING_GROUP, group_labels, group_order
from .results import Result
from .text import TextSettings, Tokenizer, ngrams
from .tokens import WordTable, text_fingerprints

__all__ = [
    "TermCounts",
    "Trends",
    "Concordance",
    "Dispersion",
    "count_terms",
    "group_sizes",
    "largest_group",
    "term_frequencies",
    "keyness",
    "keyness_grid",
    "bootstrap_log_ratio",
    "chi2_signed",
    "g2_signed",
    "williams_q",
    "log_ratio",
    "reference_keyness",
    "trends",
    "kwic",
    "dispersion",
    "CORRECTIONS",
]

CORRECTIONS = ("default", "yates", "none")


@dataclass(frozen=True)
class Trends(Result):
    """:func:`trends`: the monthly table, its notes, and how many undated documents it left out."""

    undated: int = 0


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


class _Vocabulary(dict):
    """term -> column number, a new number for each term on first sight."""

    def __missing__(self, term: str) -> int:
        self[term] = j = len(self)
        return j


_DATE_COLUMNS = ("month", "date")


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------
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
    index: dict = field(repr=False, default_factory=dict)
    cache: dict = field(repr=False, default_factory=dict, compare=False)

    @property
    def orders(self) -> list[int]:
        return list(range(self.ngram_range[0], self.ngram_range[1] + 1))

    def column(self, term: str) -> int | None:
        return self.index.get(term)

    def presence(self) -> sp.csr_matrix:
        """Documents × terms, 1 where the term occurs (computed once, then reused)."""
        if "presence" not in self.cache:
            p = self.matrix.copy()
            p.data = np.ones_like(p.data)
            self.cache["presence"] = p
        return self.cache["presence"]


def _check_documents(documents: pd.DataFrame) -> None:
    validate.frame(documents, "documents", columns=("doc_id", "text"), what="the corpus document table")


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
        N-gram orders to count; n-grams are joined with a space and built on the filtered tokens.
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
    n_docs = len(documents)
    ids_in = documents["doc_id"].tolist()
    texts_in = [t if isinstance(t, str) else "" for t in documents["text"].tolist()]
    if words is None:
        # split the texts into words here, once; the same table the loader keeps as Corpus.words
        table = WordTable.from_texts(ids_in, texts_in)
    else:
        # the words as split when loading: no text is split again
        if len(set(ids_in)) != len(ids_in):
            raise ValueError("words: the corpus word table holds whole documents; documents has repeated doc_ids (paragraphs?): count without words=")
        table = words.select(ids_in, parameter="words")
        differs = np.flatnonzero(table.fingerprints != text_fingerprints(texts_in))
        if len(differs):
            raise ValueError(
                f"words: the word table was not made from these texts (document {ids_in[differs[0]]!r} and "
                f"{len(differs) - 1} more differ); pass the corpus's own documents, or count without words="
            )
    # Unigram ids per document (bigrams are coded from them), n >= 3 as joined strings. The
    # tokeniser's filter works word by word, so the table applies it once per distinct word.
    tids, uptr_a, unames = table.token_ids(settings)
    ids = tids.astype(np.int64)
    del tids
    word_counts = table.lengths()
    lengths = np.diff(uptr_a)
    totals = np.zeros((n_docs, len(orders)), dtype=np.int64)
    for k, n in enumerate(orders):
        totals[:, k] = np.maximum(lengths - n + 1, 0)
    uvocab = {t: j for j, t in enumerate(unames.tolist())}
    svocab = _Vocabulary()
    scol = svocab.__getitem__
    sflat, sptr = array("q"), [0]
    if hi >= 3:
        for i in range(n_docs):
            toks = unames[ids[uptr_a[i] : uptr_a[i + 1]]].tolist()
            for n in orders:
                if n >= 3:
                    sflat.extend(map(scol, ngrams(toks, n)))
            sptr.append(len(sflat))
    else:
        sptr.extend([0] * n_docs)
    wanted = set(keep_terms)
    parts: list[tuple[sp.csr_matrix, np.ndarray]] = []  # (matrix, names) per n-gram order

    def pruned(mat: sp.csr_matrix, wanted_cols: list[int], names_of) -> None:
        """Keep the columns with count >= min_count or asked for in keep_terms."""
        mat.sum_duplicates()
        keep = np.asarray(mat.sum(axis=0)).ravel() >= min_count
        keep[np.asarray(wanted_cols, dtype=np.int64)] = True
        cols = np.flatnonzero(keep)
        parts.append((mat[:, cols].tocsr(), names_of(cols)))

    if 1 in orders:
        m1 = sp.csr_matrix((np.ones(len(ids), dtype=np.int64), ids, uptr_a), shape=(n_docs, len(uvocab)))
        pruned(m1, [uvocab[t] for t in wanted if t in uvocab], lambda cols: unames[cols])
        del m1  # the pruned copy is kept; free the full one before the next order
    if 2 in orders:
        # a bigram is coded as (first id) * 2**32 + (second id): no string per occurrence
        lengths = np.diff(uptr_a)
        pair_ok = np.ones(max(len(ids) - 1, 0), dtype=bool)
        last = uptr_a[1:][lengths > 0] - 1  # the last token of a document starts no bigram
        pair_ok[last[last < len(pair_ok)]] = False
        if len(ids) > 1:
            codes = ids[:-1] << 32
            codes |= ids[1:]
            codes = codes[pair_ok]
        else:
            codes = np.zeros(0, dtype=np.int64)
        del pair_ok
        uniq, inv = np.unique(codes, return_inverse=True)
        del codes
        bptr = np.concatenate([[0], np.cumsum(np.maximum(lengths - 1, 0))]).astype(np.int64)
        m2 = sp.csr_matrix((np.ones(len(inv), dtype=np.int64), inv.astype(np.int64, copy=False), bptr), shape=(n_docs, len(uniq)))
        del inv

        wanted2 = []  # columns of keep_terms that are bigrams of known words
        for t in wanted:
            pair = t.split(" ")
            if len(pair) == 2 and pair[0] in uvocab and pair[1] in uvocab:
                code = (uvocab[pair[0]] << 32) | uvocab[pair[1]]
                k = int(np.searchsorted(uniq, code))
                if k < len(uniq) and uniq[k] == code:
                    wanted2.append(k)

        def bigram_names(cols):
            sel = uniq[cols]
            return np.array([f"{a} {b}" for a, b in zip(unames[sel >> 32], unames[sel & 0xFFFFFFFF], strict=True)], dtype=object)

        pruned(m2, wanted2, bigram_names)
        del m2
    if any(n >= 3 for n in orders):
        sflat_a = np.frombuffer(sflat, dtype=np.int64) if len(sflat) else np.zeros(0, dtype=np.int64)
        m3 = sp.csr_matrix((np.ones(len(sflat_a), dtype=np.int64), sflat_a, np.asarray(sptr, dtype=np.int64)), shape=(n_docs, len(svocab)))
        snames = np.empty(len(svocab), dtype=object)
        for term, j in svocab.items():
            snames[j] = term
        pruned(m3, [svocab[t] for t in wanted if t in svocab], lambda cols: snames[cols])
        del m3
    del ids, sflat
    mat = sp.hstack([m for m, _ in parts], format="csr") if parts else sp.csr_matrix((n_docs, 0), dtype=np.int64)
    names = np.concatenate([np.asarray(nm, dtype=object) for _, nm in parts]) if parts else np.empty(0, dtype=object)
    parts.clear()
    corpus_count = np.asarray(mat.sum(axis=0)).ravel()
    order = np.argsort(names.astype(str), kind="stable")  # kept columns, sorted by term
    mat = mat[:, order].tocsr()
    names = names[order]
    terms = pd.DataFrame(
        {"term": names.astype(str), "n": [t.count(" ") + 1 for t in names], "count": corpus_count[order]}
    )
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
        index={t: j for j, t in enumerate(terms["term"])},
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
    """The group with most documents (ties: the first by name), the default keyness target."""
    if sizes.empty:
        raise ValueError("group_by: there are no groups (the corpus has no documents)")
    return str(sizes["documents"].sort_index().idxmax())


def _group_sums(counts: TermCounts, labels: pd.Series, groups: list[str]):
    """Counts per group (groups × terms, dense int64 only if small; else sparse)."""
    codes = pd.Categorical(labels, categories=groups).codes
    ind = sp.csr_matrix(
        (np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))), shape=(len(groups), len(codes))
    )
    return (ind @ counts.matrix).tocsr(), ind


def _order_of(n: int | list | None, counts: TermCounts) -> list[int]:
    if n is None:
        return counts.orders
    ns = [n] if isinstance(n, (int, np.integer)) else list(n)
    bad = [x for x in ns if x not in counts.orders]
    if bad:
        raise ValueError(f"ngram = {n!r}: the counts hold n-gram orders {counts.orders} (set ngram_range to count others)")
    return ns


def _group_table(counts: TermCounts, labels: pd.Series, groups: list[str]) -> pd.DataFrame:
    docs = counts.documents.assign(_g=labels.to_numpy())
    agg = {"n_docs": ("doc_id", "size"), "words": ("words", "sum")}
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
    labels = group_labels(counts.documents, group_by)
    groups = group_order(labels)
    table = _group_table(counts, labels, groups)
    notes = _group_notes(table, group_by)
    sums, _ = _group_sums(counts, labels, groups)
    present = counts.presence()
    codes = pd.Categorical(labels, categories=groups).codes
    ind = sp.csr_matrix((np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))), shape=(len(groups), len(codes)))
    doc_freq = (ind @ present).tocsr()
    term_n = counts.terms["n"].to_numpy()
    term_names = counts.terms["term"].to_numpy()
    rows = []
    if terms is not None:
        pairs, tnotes = _followed(terms, counts)
        notes += tnotes
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
        return Result(out, tuple(notes))
    for gi, g in enumerate(groups):
        row = sums.getrow(gi)
        drow = doc_freq.getrow(gi)
        dorder = np.argsort(drow.indices)
        d_idx, d_val = drow.indices[dorder], drow.data[dorder]
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
    out = pd.DataFrame(rows, columns=FREQ_COLUMNS)
    return Result(out, tuple(notes))


# --------------------------------------------------------------------------------------------
# 2. Keyness
# --------------------------------------------------------------------------------------------
def chi2_signed(a, b, c, d, *, correction: str = "default") -> np.ndarray:
    """Signed chi-square of 2×2 tables [[a, b], [c, d]] (vectorised).

    ``correction``: ``"none"`` (Pearson, equals scipy ``correction=False``), ``"yates"`` (equals
    scipy ``correction=True``: |ad − bc| reduced by N/2 but not below 0), or ``"default"``
    (quanteda's conditional rule: Yates only when |ad − bc| >= N/2 and some expected cell < 5).
    Positive when ``a`` is above its expected value.
    """
    validate.choice(correction, "correction", CORRECTIONS)
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    diff = a * d - b * c
    absdiff = np.abs(diff)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    if correction == "none":
        delta = np.zeros_like(n)
    elif correction == "yates":
        delta = np.full_like(n, 0.5)
    else:
        e_min = np.minimum.reduce([(a + b) * (a + c), (a + b) * (b + d), (c + d) * (a + c), (c + d) * (b + d)]) / n
        delta = np.where((absdiff >= n / 2) & (e_min < 5), 0.5, 0.0)
    num = n * np.maximum(absdiff - n * delta, 0.0) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = np.where(denom > 0, num / denom, 0.0)
    return np.sign(diff) * chi


def williams_q(a, b, c, d) -> np.ndarray:
    """Williams' correction factor q for a 2×2 table (G² / q is the corrected statistic)."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    return 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)


def g2_signed(a, b, c, d, *, williams: bool = False) -> np.ndarray:
    """Signed log-likelihood G² = 2 Σ O ln(O/E) over the four cells (0 ln 0 = 0), optionally
    divided by Williams' q. Positive when ``a`` is above its expected value."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    r1, r2, c1, c2 = a + b, c + d, a + c, b + d
    with np.errstate(divide="ignore", invalid="ignore"):
        g = 2 * (
            xlogy(a, a / (r1 * c1 / n)) + xlogy(b, b / (r1 * c2 / n)) + xlogy(c, c / (r2 * c1 / n)) + xlogy(d, d / (r2 * c2 / n))
        )
    g = np.where(np.isfinite(g), np.maximum(g, 0.0), 0.0)
    if williams:
        g = g / williams_q(a, b, c, d)
    return np.sign(a * d - b * c) * g


def log_ratio(a, b, total_t, total_r) -> np.ndarray:
    """Hardie's log ratio log2((a / total_t) / (b / total_r)), with 0.5 in place of a zero count."""
    a = np.where(np.asarray(a, dtype=float) == 0, 0.5, a)
    b = np.where(np.asarray(b, dtype=float) == 0, 0.5, b)
    return np.log2((a / np.asarray(total_t, dtype=float)) / (b / np.asarray(total_r, dtype=float)))


KEY_COLUMNS = [
    "target", "reference", "term", "n", "a", "b", "c", "d", "per_1000_target", "per_1000_reference",
    "chi2", "p_chi2", "g2", "p_g2", "log_ratio", "docs_target", "docs_reference", "n_docs_target",
    "n_docs_reference", "tokens_target", "tokens_reference",
]


def _sides(labels: pd.Series, groups: list[str], group: str, reference: str | None, group_by) -> tuple[np.ndarray, np.ndarray, str]:
    if group not in groups:
        raise ValueError(f"group = {group!r}: no such {group_by} value; groups are {groups}")
    t = (labels == group).to_numpy()
    if reference is None:
        return t, ~t, "rest"
    if reference not in groups:
        raise ValueError(f"reference = {reference!r}: no such {group_by} value; groups are {groups}")
    if reference == group:
        raise ValueError(f"reference = {reference!r}: must differ from group (or None for 'all other documents')")
    return t, (labels == reference).to_numpy(), reference


def keyness(
    counts: TermCounts,
    *,
    group_by: str | None = "outlet",
    group: str,
    reference: str | None = None,
    correction: str = "default",
    williams: bool = False,
    ngram: int | list | None = None,
    min_count: int = 1,
    top_n: int | None = None,
) -> Result:
    """Keyness of every term for ``group`` (the target) against ``reference`` (default: all other
    documents).

    Parameters
    ----------
    counts : TermCounts
    group_by : str
        Document column whose values name the groups.
    group, reference : str
        Group values; ``reference=None`` compares ``group`` with the rest of the corpus. The result
        calls ``group`` the target.
    correction : "default" | "yates" | "none"
        Chi-square continuity correction; "default" is quanteda's conditional Yates.
    williams : bool
        Divide G² by Williams' q. Default False (quanteda's documentation and code disagree on its
        own default; we use the plain G² that ``scipy.stats.chi2_contingency`` computes).
    ngram : int or list, optional
        N-gram orders to test (default all counted).
    min_count : int
        Only terms with a + b >= min_count.
    top_n : int, optional
        Keep only the ``top_n`` terms at each end (most over- and most under-represented), which
        saves time and memory on large vocabularies; default all terms.

    Returns
    -------
    Result
        ``table``:        One row per term, sorted by chi2 (descending) then term: the 2×2 cells ``a, b, c, d``,
        relative frequencies per 1,000, signed ``chi2`` and ``g2`` with p-values (1 degree of
        freedom), ``log_ratio`` (Hardie; 0.5 replaces a zero count), documents containing the term
        and document/token totals per side. Notes warn about n=1 sides.
    """
    validate.choice(correction, "correction", CORRECTIONS)
    validate.whole_number(min_count, "min_count", minimum=1)
    if top_n is not None:
        top_n = _check_top_n(top_n)
    orders = _order_of(ngram, counts)
    labels = group_labels(counts.documents, group_by)
    groups = group_order(labels)
    t_mask, r_mask, ref_name = _sides(labels, groups, group, reference, group_by)
    docs = counts.documents
    notes = []
    side_info = {}
    for side, argument, mask, name in (("target", "group", t_mask, group), ("reference", "reference", r_mask, ref_name)):
        n_docs = int(mask.sum())
        tokens = int(docs.loc[mask, "total_1"].sum()) if 1 in counts.orders else None
        if n_docs == 0:
            raise ValueError(f"{argument} = {name!r}: no documents")
        totals = {n: int(docs.loc[mask, f"total_{n}"].sum()) for n in counts.orders}
        if totals[counts.orders[0]] == 0:
            raise ValueError(
                f"{argument} = {name!r}: {group_by} group has 0 tokens after stopwords and filters "
                f"({n_docs} documents); nothing to compare"
            )
        if n_docs == 1:
            notes.append(f"{side} {name!r} is a single document (n=1): keyness describes that article, not a group.")
        side_info[side] = (n_docs, tokens, totals)
    x = counts.matrix
    present = counts.presence()
    a_all = np.asarray(x[t_mask].sum(axis=0)).ravel()
    da = np.asarray(present[t_mask].sum(axis=0)).ravel()
    if reference is None:  # the rest of the corpus: corpus totals minus the target
        b_all = counts.terms["count"].to_numpy() - a_all
        db = np.asarray(present.sum(axis=0)).ravel() - da
    else:
        b_all = np.asarray(x[r_mask].sum(axis=0)).ravel()
        db = np.asarray(present[r_mask].sum(axis=0)).ravel()
    term_n = counts.terms["n"].to_numpy()
    keep = np.isin(term_n, orders) & ((a_all + b_all) >= min_count) & ((a_all + b_all) > 0)
    idx = np.flatnonzero(keep)
    a, b = a_all[idx], b_all[idx]
    tot_t = np.zeros(max(counts.orders) + 1)
    tot_r = np.zeros(max(counts.orders) + 1)
    for n in counts.orders:
        tot_t[n], tot_r[n] = side_info["target"][2][n], side_info["reference"][2][n]
    tt, tr = tot_t[term_n[idx]], tot_r[term_n[idx]]
    c, d = tt - a, tr - b
    chi = chi2_signed(a, b, c, d, correction=correction)
    if top_n is not None and len(chi) > 2 * top_n:  # keep both ends (ties at the cuts included)
        hi = np.partition(chi, len(chi) - top_n)[len(chi) - top_n]
        lo = np.partition(chi, top_n - 1)[top_n - 1]
        sel = (chi >= hi) | (chi <= lo)
        idx, a, b, c, d, tt, tr, chi = idx[sel], a[sel], b[sel], c[sel], d[sel], tt[sel], tr[sel], chi[sel]
    g2 = g2_signed(a, b, c, d, williams=williams)
    out = pd.DataFrame(
        {
            "target": group,
            "reference": ref_name,
            "term": counts.terms["term"].to_numpy()[idx],
            "n": term_n[idx],
            "a": a.astype(np.int64),
            "b": b.astype(np.int64),
            "c": c.astype(np.int64),
            "d": d.astype(np.int64),
            "per_1000_target": a / tt * 1000,
            "per_1000_reference": b / tr * 1000,
            "chi2": chi,
            "p_chi2": stats.chi2.sf(np.abs(chi), 1),
            "g2": g2,
            "p_g2": stats.chi2.sf(np.abs(g2), 1),
            "log_ratio": log_ratio(a, b, tt, tr),
            "docs_target": da[idx],
            "docs_reference": db[idx],
            "n_docs_target": side_info["target"][0],
            "n_docs_reference": side_info["reference"][0],
            "tokens_target": side_info["target"][1],
            "tokens_reference": side_info["reference"][1],
        },
        columns=KEY_COLUMNS,
    )
    out = out.sort_values(["chi2", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
    if top_n is not None and len(out) > 2 * top_n:
        out = pd.concat([out.head(top_n), out.tail(top_n)], ignore_index=True)
    return Result(out, tuple(notes))


def keyness_grid(counts: TermCounts, *, group_by: str | None = "outlet", top_n: int = 10, **kwargs) -> Result:
    """One-vs-rest keyness for every group: the ``top_n`` most over-represented terms of each
    group (by signed chi2, ties by term). Other options as :func:`keyness`. Groups with no tokens
    are skipped with a note."""
    top_n = _check_top_n(top_n)
    labels = group_labels(counts.documents, group_by)
    groups = group_order(labels)
    if len(groups) < 2:
        raise ValueError(f"group_by = {group_by!r}: needs at least two groups for one-vs-rest keyness, found {groups}")
    frames, notes = [], []
    for g in groups:
        try:
            k = keyness(counts, group_by=group_by, group=g, top_n=top_n, **kwargs)
        except ValueError as exc:
            notes.append(f"skipped: {exc}")
            continue
        notes += k.notes
        frames.append(k.table[k.table["chi2"] > 0].head(top_n))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEY_COLUMNS)
    return Result(out, tuple(notes))


def bootstrap_log_ratio(
    counts: TermCounts,
    *,
    group_by: str | None = "outlet",
    group: str,
    reference: str | None = None,
    terms,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    random_state: int = 0,
) -> Result:
    """Percentile bootstrap intervals for the log ratio, resampling **documents** (not tokens)
    within ``group`` and within the reference, so that one long article cannot pass for many.

    Parameters
    ----------
    group, reference : str
        As in :func:`keyness`.
    terms : list of str
        Terms (as in the counts, e.g. from :func:`keyness`) to compute intervals for.
    n_bootstrap : int
        Bootstrap replicates (fixed ``random_state`` makes them repeatable).
    ci : float
        Interval coverage, e.g. 0.95.

    Returns
    -------
    Result
        ``table``:        ``term, log_ratio, low, high, n_docs_target, n_docs_reference``; with one document on a
        side the interval is NaN (nothing to resample) and a note says so.
    """
    n_bootstrap = validate.whole_number(n_bootstrap, "n_bootstrap", minimum=10)
    ci = validate.share(ci, "ci")
    labels = group_labels(counts.documents, group_by)
    groups = group_order(labels)
    t_mask, r_mask, ref_name = _sides(labels, groups, group, reference, group_by)
    cols = []
    for t in terms:
        j = counts.column(t)
        if j is None:
            raise ValueError(f"terms: {t!r} is not in the counts")
        cols.append(j)
    sub = counts.matrix[:, cols].toarray().astype(float)
    term_n = counts.terms["n"].to_numpy()[cols]
    tot = np.column_stack([counts.documents[f"total_{n}"].to_numpy() for n in term_n]).astype(float)
    rng = np.random.default_rng(random_state)
    t_idx, r_idx = np.flatnonzero(t_mask), np.flatnonzero(r_mask)
    point = log_ratio(sub[t_idx].sum(0), sub[r_idx].sum(0), tot[t_idx].sum(0), tot[r_idx].sum(0))
    notes = []
    if len(t_idx) < 2 or len(r_idx) < 2:
        low = high = np.full(len(cols), np.nan)
        notes.append("bootstrap: a side has a single document (n=1); there is nothing to resample, so no interval.")
    else:
        reps = np.empty((n_bootstrap, len(cols)))
        for i in range(n_bootstrap):
            ti = rng.choice(t_idx, size=len(t_idx), replace=True)
            ri = rng.choice(r_idx, size=len(r_idx), replace=True)
            reps[i] = log_ratio(sub[ti].sum(0), sub[ri].sum(0), tot[ti].sum(0), tot[ri].sum(0))
        alpha = (1 - ci) / 2
        low, high = np.quantile(reps, [alpha, 1 - alpha], axis=0)
    out = pd.DataFrame(
        {
            "term": list(terms), "log_ratio": point, "low": low, "high": high,
            "n_docs_target": len(t_idx), "n_docs_reference": len(r_idx),
        }
    )
    return Result(out, tuple(notes))


# --------------------------------------------------------------------------------------------
# 3. Against general language (wordfreq)
# --------------------------------------------------------------------------------------------
#: Smallest frequency wordfreq's "large" lists hold (1 per 100 million words); a word it does not
#: know is given half of it, as the log ratio gives 0.5 to a zero count.
WORDFREQ_FLOOR = 0.5e-8


def reference_keyness(
    counts: TermCounts,
    *,
    reference_size: float = 1e9,
    top_n: int = 20,
    min_count: int = 2,
) -> Result:
    """Unigrams of the whole corpus against general-language frequencies from ``wordfreq``.

    wordfreq gives a word's frequency (share of running words in a large mix of sources:
    subtitles, Wikipedia, web text, news, social media), not counts. We therefore
    (1) compare with the corpus's rate per **running word before stopword removal** (``words``),
    since wordfreq's frequencies are shares of all words, stopwords included; and
    (2) build a nominal reference of ``reference_size`` words (b = frequency × size). The log
    ratio does not depend on that size; chi2/G² grow with it, and with a size much larger than the
    corpus they become the test of the corpus count against a known rate. Words wordfreq does not
    list get :data:`WORDFREQ_FLOOR`. Hyphenated compounds (``no-flyzone``) are not in wordfreq's
    lists as one word; wordfreq estimates them from their parts (flagged in ``note``).

    Returns
    -------
    Result
        ``table``:        ``term, count, per_million, reference_per_million, log_ratio, g2, p_g2, note`` for the
        ``top_n`` most over-represented words (positive G², ties by term); notes: the corpus size and
        the reference used.
    """
    from wordfreq import word_frequency

    top_n = _check_top_n(top_n)
    if counts.settings.reduce != "none":
        raise ValueError(
            f"reduce = {counts.settings.reduce!r}: wordfreq lists word forms, so compare counts made with reduce = 'none'"
        )
    if 1 not in counts.orders:
        raise ValueError(f"ngram_range = {list(counts.ngram_range)}: reference keyness needs unigrams (start the range at 1)")
    if not reference_size or reference_size <= 0:
        raise ValueError(f"reference_size = {reference_size!r}: must be a positive number of words")
    total = int(counts.documents["words"].sum())
    if total == 0:
        raise ValueError("documents: the corpus has no words")
    uni = counts.terms[(counts.terms["n"] == 1) & (counts.terms["count"] >= min_count)]
    freq = np.array([word_frequency(t, counts.settings.language) for t in uni["term"]])
    note = np.where(freq == 0, "not in wordfreq (floor used)", np.where(uni["term"].str.contains("-"), "compound: wordfreq estimate from parts", ""))
    f = np.where(freq > 0, freq, WORDFREQ_FLOOR)
    a = uni["count"].to_numpy().astype(float)
    b = f * reference_size
    c, d = total - a, reference_size - b
    g2 = g2_signed(a, b, c, d)
    out = pd.DataFrame(
        {
            "term": uni["term"].to_numpy(),
            "count": a.astype(np.int64),
            "per_million": a / total * 1e6,
            "reference_per_million": f * 1e6,
            "log_ratio": np.log2((a / total) / f),
            "g2": g2,
            "p_g2": stats.chi2.sf(np.abs(g2), 1),
            "note": note,
        }
    )
    out = out[out["g2"] > 0].sort_values(["g2", "term"], ascending=[False, True], kind="stable").head(top_n)
    out = out.reset_index(drop=True)
    notes = [
        f"Corpus rate per running word (before stopword removal): {total:,} words. Reference: wordfreq "
        f"'{counts.settings.language}' frequencies as a nominal corpus of {reference_size:,.0f} words."
    ]
    return Result(out, tuple(notes))


# --------------------------------------------------------------------------------------------
# 4. Trends over time
# --------------------------------------------------------------------------------------------
TREND_COLUMNS = ["group", "month", "term", "count", "per_1000", "group_total", "n_docs", "docs_with_term", "share_docs"]


def trends(counts: TermCounts, *, terms, group_by: str | None = "outlet") -> Trends:
    """Monthly relative frequency and share of documents mentioning each followed term, per group.

    Every calendar month between the first and last dated document is present for every group;
    a month in which a group has no documents has ``n_docs = 0`` and NaN rates (a gap, not a
    zero). Undated documents are left out of the lines and counted in ``Trends.undated``.

    Parameters
    ----------
    terms : list of str
        Followed terms, normalised with the corpus's tokeniser settings.
    group_by : str or None
        Lines per group (None: one line for the whole corpus). Must not be ``month``.

    Returns
    -------
    Trends
        ``table``:        ``group, month, term, count, per_1000, group_total, n_docs, docs_with_term, share_docs``
        (``share_docs`` = documents mentioning the term / documents, Media Cloud's attention measure).
    """
    if group_by in _DATE_COLUMNS:
        raise ValueError(f"group_by = {group_by!r}: trends are already by month; group by outlet or None")
    if terms is None or (not isinstance(terms, str) and len(terms) == 0):
        raise ValueError("terms: give at least one term to follow")
    docs = counts.documents
    if "month" not in docs.columns:
        raise ValueError(f"group_by: the documents have no 'month' column; columns: {sorted(docs.columns)}")
    labels = group_labels(docs, group_by)
    pairs, notes = _followed(terms, counts)
    month = docs["month"].astype(object)
    dated = month.notna() & (month.astype(str) != "")
    n_undated = int((~dated).sum())
    if n_undated:
        notes.append(f"{n_undated} undated document(s) are counted here but left out of the monthly lines.")
    groups = group_order(labels)
    if dated.any():
        periods = pd.PeriodIndex(month[dated].astype(str), freq="M")
        months = [str(p) for p in pd.period_range(periods.min(), periods.max(), freq="M")]
    else:
        months = []
        notes.append("no document has a date: there are no trends to show.")
    rows = []
    lab = labels.to_numpy()
    mon = month.where(dated, MISSING_GROUP).astype(str).to_numpy()
    for _orig, norm in pairs:
        j = counts.column(norm)
        n = norm.count(" ") + 1
        col = counts.matrix[:, j].toarray().ravel() if j is not None else np.zeros(len(docs), dtype=np.int64)
        tot = docs[f"total_{n}"].to_numpy() if n in counts.orders else np.zeros(len(docs), dtype=np.int64)
        frame = pd.DataFrame({"group": lab, "month": mon, "c": col, "t": tot, "m": (col > 0).astype(int)})
        agg = frame.groupby(["group", "month"]).agg(count=("c", "sum"), group_total=("t", "sum"), n_docs=("c", "size"), docs_with_term=("m", "sum"))
        full = pd.MultiIndex.from_product([groups, months + ([MISSING_GROUP] if n_undated else [])], names=["group", "month"])
        agg = agg.reindex(full).fillna({"count": 0, "group_total": 0, "n_docs": 0, "docs_with_term": 0}).astype("int64").reset_index()
        agg["term"] = norm
        rows.append(agg)
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=TREND_COLUMNS)
    if len(out):
        has_docs = out["n_docs"] > 0
        out["per_1000"] = np.where(has_docs & (out["group_total"] > 0), out["count"] / out["group_total"].where(out["group_total"] > 0) * 1000, np.nan)
        out["share_docs"] = np.where(has_docs, out["docs_with_term"] / out["n_docs"].where(has_docs), np.nan)
    out = out[TREND_COLUMNS]
    return Trends(out, tuple(notes), undated=n_undated)


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
