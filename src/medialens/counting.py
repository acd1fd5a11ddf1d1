"""The one counting path: words and word n-grams counted from the corpus word table.

Every analysis that counts terms (term frequencies, TF-IDF for clustering, log-odds, the stance
classifier's features) counts them here, from a :class:`~medialens.tokens.WordTable`: the words
as split once, with the sentences and paragraphs of :func:`medialens.text.sentence_spans`.
Tokens are the tokeniser's (stopwords, numbers, short words removed; lemma or stem), and an
n-gram is ``n`` consecutive tokens of one sentence: it may bridge a removed stopword (``buitenlandse zaken``), never a sentence end, a
paragraph break or the end of a document.

N-grams are coded as numbers, never as a string per occurrence: an n-gram is the pair (its
first ``n - 1`` tokens' number, its last token), numbered by ``np.unique``; names are made only
for the columns asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .text import TextSettings
from .tokens import WordTable, text_fingerprints

__all__ = ["NgramCounts", "count_ngrams", "word_table"]

_LOW32 = np.int64(0xFFFFFFFF)


@dataclass
class NgramCounts:
    """Rows (the word table's documents or units) × n-grams, counted once.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Counts (int64); columns numbered order by order, within an order by the n-gram's number.
    n : numpy.ndarray
        The n-gram order of every column.
    totals : numpy.ndarray
        Rows × orders: how many n-grams of each order (``ngram_range[0]`` up) every row has.
    ngram_range : (int, int)
    terms : numpy.ndarray
        The unigram names (token strings) the codes refer to.
    """

    matrix: sp.csr_matrix
    n: np.ndarray
    totals: np.ndarray
    ngram_range: tuple[int, int]
    terms: np.ndarray
    _codes: dict = field(repr=False, default_factory=dict)  # order -> sorted pair codes (order >= 2)
    _columns: dict = field(repr=False, default_factory=dict)  # order -> (first column, n-gram numbers)
    _first: np.ndarray = field(repr=False, default=None)  # per column: (row, position in row) of first use

    def names(self, cols=None) -> np.ndarray:
        """The names (tokens joined by a space) of columns ``cols`` (default: all)."""
        cols = np.arange(self.matrix.shape[1]) if cols is None else np.asarray(cols, dtype=np.int64)
        out = np.empty(len(cols), dtype=object)
        for order, (start, numbers) in self._columns.items():
            sel = np.flatnonzero((cols >= start) & (cols < start + len(numbers)))
            if not len(sel):
                continue
            parts = self._decode(order, numbers[cols[sel] - start])
            out[sel] = [" ".join(p) for p in zip(*parts, strict=True)] if order > 1 else parts[0]
        return out

    def _decode(self, order: int, numbers: np.ndarray) -> list[list[str]]:
        """The tokens of the order-``order`` n-grams ``numbers``: one list per position."""
        return [self.terms[x].tolist() for x in self._token_numbers(order, numbers)]

    def _token_numbers(self, order: int, numbers: np.ndarray) -> list[np.ndarray]:
        """The token numbers (into :attr:`terms`) of the order-``order`` n-grams ``numbers``: one
        array per position."""
        lasts = []
        while order > 1:
            code = self._codes[order][numbers]
            lasts.append(code & _LOW32)
            numbers = code >> 32
            order -= 1
        return [numbers] + lasts[::-1]

    def name_order(self, cols=None) -> np.ndarray:
        """The positions that sort columns ``cols`` (default: all) by :meth:`names`, by code
        point as Python compares strings, without making the names.

        A name is its tokens joined by a space, and no token holds a character at or below the
        space, so names sort as their token sequences do: by the first token's place among the
        sorted tokens, then the second's (a name that ends first comes first). Tokens with such a
        character fall back to sorting the names themselves.
        """
        cols = np.arange(self.matrix.shape[1]) if cols is None else np.asarray(cols, dtype=np.int64)
        tokens = self.terms.tolist()
        if any(not t or min(t) <= " " for t in tokens):
            return np.argsort(self.names(cols), kind="stable")
        rank = np.empty(len(tokens), dtype=np.int64)
        rank[np.argsort(np.array(tokens, dtype=object), kind="stable")] = np.arange(len(tokens), dtype=np.int64)
        width = max((order for order in self._columns), default=1)
        key = np.full((width, len(cols)), -1, dtype=np.int64)
        for order, (start, numbers) in self._columns.items():
            sel = np.flatnonzero((cols >= start) & (cols < start + len(numbers)))
            for position, token in enumerate(self._token_numbers(order, numbers[cols[sel] - start])):
                key[position, sel] = rank[token]
        return np.lexsort(key[::-1])

    def column(self, term: str, vocabulary: dict[str, int]) -> int | None:
        """The column of ``term`` (tokens joined by a space), or None; ``vocabulary`` maps each
        token to its number in :attr:`terms`."""
        words = term.split(" ")
        order = len(words)
        if order not in self._columns or any(w not in vocabulary for w in words):
            return None
        number = vocabulary[words[0]]
        for k in range(2, order + 1):
            code = (number << 32) | vocabulary[words[k - 1]]
            codes = self._codes[k]
            j = int(np.searchsorted(codes, code))
            if j == len(codes) or codes[j] != code:
                return None
            number = j
        start, numbers = self._columns[order]
        j = int(np.searchsorted(numbers, number))
        return start + j if j < len(numbers) and numbers[j] == number else None

    def appearance_order(self) -> np.ndarray:
        """Every column's rank in order of first appearance when each row is read as its unigrams,
        then its bigrams ... (the order in which scikit-learn's ``CountVectorizer`` numbers its
        vocabulary for the same stream, before sorting it)."""
        row, pos = self._first
        rank = np.empty(len(self.n), dtype=np.int64)
        rank[np.lexsort((pos, self.n, row))] = np.arange(len(self.n), dtype=np.int64)
        return rank


def word_table(doc_ids, texts, *, words: WordTable | None = None) -> WordTable:
    """The word table of ``texts``: the rows of the corpus word table ``words`` when every text
    is its document's own text there (same ``doc_id``, same fingerprint), else split here.

    Either way the words, sentences and paragraphs are the same (:meth:`WordTable.from_texts`),
    so counts do not depend on it; ``words`` only saves splitting whole documents again. Texts
    that are not whole documents (quotes, sentences, target contexts) are split here.

    Parameters
    ----------
    doc_ids : sequence of str
        One id per text (repeated ids are allowed: several quotes of one document).
    texts : sequence of str
        The texts to count (non-strings count as empty).
    words : WordTable, optional
        The corpus word table (``Corpus.words``).

    Returns
    -------
    WordTable
        One row per text, in the order given.
    """
    ids = [str(d) for d in doc_ids]
    texts = [t if isinstance(t, str) else "" for t in texts]
    if len(ids) != len(texts):
        raise ValueError(f"doc_ids: {len(ids)} ids for {len(texts)} texts")
    if words is not None:
        if not isinstance(words, WordTable):
            raise ValueError(f"words: expected the corpus word table (Corpus.words), got {type(words).__name__}")
        known = set(words.doc_ids)
        if all(d in known for d in ids):
            table = words.select(ids, parameter="words")
            if np.array_equal(table.fingerprints, text_fingerprints(texts)):
                return table
    return WordTable.from_texts(ids, texts)


def _starts_within_sentences(length: int, sentence_offsets: np.ndarray, n: int) -> np.ndarray:
    """Boolean per token position: an n-gram of order ``n`` starting there stays in its sentence."""
    ok = np.ones(length, dtype=bool)
    ok[max(length - n + 1, 0):] = False
    ends, starts = sentence_offsets[1:], sentence_offsets[:-1]
    for j in range(1, n):
        pos = ends - j
        pos = pos[(pos >= starts) & (pos >= 0)]
        ok[pos] = False
    return ok


def _segment_counts(mask: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    counts = np.zeros(len(offsets) - 1, dtype=np.int64)
    nonempty = np.flatnonzero(np.diff(offsets) > 0)
    if len(nonempty):
        counts[nonempty] = np.add.reduceat(mask, offsets[nonempty], dtype=np.int64)
    return counts


def _first_positions(values: np.ndarray, size: int) -> np.ndarray:
    """Where each of ``0 .. size - 1`` first occurs in ``values`` (every one occurs).

    When the values are numbered in order of first appearance (as a whole corpus's word table
    numbers its tokens), the first occurrences are exactly the places where the running maximum
    grows, found in one pass; otherwise every position is compared (``np.minimum.at``).
    """
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    running = np.maximum.accumulate(values)
    grows = np.empty(len(values), dtype=bool)
    grows[0] = True
    np.greater(running[1:], running[:-1], out=grows[1:])
    records = np.flatnonzero(grows)
    del running, grows
    if len(records) == size:  # strictly rising values in 0 .. size - 1: each is a first use
        return records.astype(np.int64, copy=False)
    first = np.full(size, len(values), dtype=np.int64)
    np.minimum.at(first, values, np.arange(len(values), dtype=np.int64))
    return first


def _columns_of(used: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(used, return_index=True, return_inverse=True)`` for values below ``size``,
    without sorting: ``(numbers, first, inverse)``; ``inverse`` is always a new array."""
    numbers = np.flatnonzero(np.bincount(used, minlength=size))
    if len(numbers) < size:
        renumber = np.full(size, -1, dtype=np.int64)
        renumber[numbers] = np.arange(len(numbers), dtype=np.int64)
        inverse = renumber[used]
    else:
        inverse = used.copy()  # the caller's matrix sorts its indices in place
    return numbers, _first_positions(inverse, len(numbers)), inverse


def count_ngrams(table: WordTable, settings: TextSettings | None, ngram_range: tuple[int, int]) -> NgramCounts:
    """Count every n-gram of orders ``ngram_range`` in every row of ``table``.

    Parameters
    ----------
    table : WordTable
        The words (documents, or units such as :meth:`WordTable.paragraphs`), with sentences.
    settings : TextSettings or None
        Tokeniser settings (default ``TextSettings()``).
    ngram_range : (lowest, highest)
        Orders to count, already checked (1 <= lowest <= highest).

    Returns
    -------
    NgramCounts
    """
    lo, hi = ngram_range
    flat, offsets, sentence_offsets, terms = table.sentence_token_ids(settings)
    length, n_rows = len(flat), len(table)
    mats, orders, totals = [], [], []
    first_row, first_pos = [], []
    codes_of: dict[int, np.ndarray] = {}
    columns: dict[int, tuple[int, np.ndarray]] = {}
    numbered = flat  # the number of the n-gram starting at each position (order n - 1, then n)
    size = len(terms)  # how many numbers of the current order there are
    start = 0
    for n in range(1, hi + 1):
        if n > 1:
            if length - n + 1 > 0:
                pairs = numbered[: length - n + 1].astype(np.int64) << 32
                pairs |= flat[n - 1 :]
                codes_of[n], numbered = np.unique(pairs, return_inverse=True)
                del pairs
            else:
                codes_of[n], numbered = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
            size = len(codes_of[n])
        if n < lo:
            continue
        ok = _starts_within_sentences(length, sentence_offsets, n)
        per_row = _segment_counts(ok, offsets)
        ptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(per_row, out=ptr[1:])
        used = numbered if n == 1 else numbered[ok[: len(numbered)]]  # every unigram is in its sentence
        numbers, first, inverse = _columns_of(used, size)
        del used
        mat = sp.csr_matrix((np.ones(len(inverse), dtype=np.int64), inverse, ptr), shape=(n_rows, len(numbers)))
        del inverse
        mat.sum_duplicates()
        row = np.searchsorted(ptr, first, side="right") - 1
        mats.append(mat)
        orders.append(np.full(len(numbers), n, dtype=np.int64))
        totals.append(per_row)
        first_row.append(row)
        first_pos.append(first - ptr[row])
        columns[n] = (start, numbers)
        start += len(numbers)
    matrix = sp.hstack(mats, format="csr") if mats else sp.csr_matrix((n_rows, 0), dtype=np.int64)
    matrix.sum_duplicates()
    return NgramCounts(
        matrix=matrix,
        n=np.concatenate(orders),
        totals=np.column_stack(totals) if totals else np.zeros((n_rows, 0), dtype=np.int64),
        ngram_range=(lo, hi),
        terms=terms,
        _codes=codes_of,
        _columns=columns,
        _first=(np.concatenate(first_row), np.concatenate(first_pos)),
    )
