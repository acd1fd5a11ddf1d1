"""Near-duplicate detection (wire copy reprinted with small edits) over word ids.

Meaning
-------
Every document is compared on its **set of 5-word shingles** (runs of five consecutive lowercased
words). Document ``j`` is a near-duplicate of the **first earlier** document ``i`` (in ``doc_ids``
order) whose shingle set has Jaccard similarity ``|A ∩ B| / |A ∪ B| >= threshold`` with ``j``'s;
the result for ``j`` is the ``doc_id`` of ``i``'s root, the first document of its chain (if ``i``
is itself a near-duplicate of ``h``, ``j`` is reported as a near-duplicate of ``h``'s root). A
document with 1 to 4 words has one shingle: its words padded to five with a value no word has
(so it can only match a document with exactly the same short word sequence). A document with no
words is never flagged and never an original. Nothing is deleted.

Method
------
1. Shingles are hashed to 64 bits (a polynomial over the word ids modulo 2**64 followed by a
   multiply-xorshift finaliser). The similarity decision below is **exact on these 64-bit
   hashes**; two different shingles share a hash with probability about 2**-64 per pair.
2. Sketch: one-permutation MinHash (OPH; Li, Owen & Zhang, "One permutation hashing", NIPS 2012)
   with 128 bins (the top 7 bits of the shingle hash choose the bin, the minimum hash in a bin is
   its value), and empty bins filled by optimal densification (Shrivastava, "Optimal
   densification for fast and accurate minwise hashing", ICML 2017): an empty bin takes the value
   of the first non-empty bin in a fixed pseudo-random order of the bins that depends on the empty
   bin only, never on the document.
3. Candidates: locality-sensitive hashing with 32 bands of 4 bins; two documents that agree on
   all four bins of any band are a candidate pair. A bucket of more than 200 documents (a story
   reprinted hundreds of times) pairs each member with its first document only, so the cost
   stays linear; a copy that is close to another copy but not to that first one can then be
   missed.
   A pair with Jaccard similarity J is a candidate with probability about
   ``1 - (1 - J**4)**32``: 0.99999995 at J = 0.8, 0.9996 at J = 0.7, 0.87 at J = 0.5.
4. Verification: a candidate pair's Jaccard similarity is computed exactly from the two
   shingle-hash sets; a pair counts only if it reaches ``threshold``. Each document's candidates
   are verified in order of the earlier document, round by round, and a document stops at its
   first success (a story reprinted k times costs k - 1 verifications, not k (k - 1) / 2). The
   sketch therefore decides only which pairs are looked at (recall), never whether a pair is
   flagged: with every pair a candidate, the result is the exact answer defined above.

Everything is vectorised numpy over chunks (about two million words, or a million candidate
pairs, at a time), so the extra memory stays near 200 MB for 100,000 articles, with fixed
seeds: the result depends neither on Python's hash randomisation nor on the chunking.
"""

from __future__ import annotations

import numpy as np

__all__ = ["near_duplicates", "near_duplicates_from_texts"]

_SHINGLE = 5
_BINS = 128
_BIN_SHIFT = np.uint64(64 - 7)  # top 7 bits choose one of the 128 bins
_BANDS = 32
_ROWS = _BINS // _BANDS
_MAX_BUCKET = 200
_CHUNK_TOKENS = 2_000_000  # words per chunk of the sketch pass
_PAIR_BATCH = 1_000_000  # candidate pairs (before removing repeats) per batch
_VERIFY_TOKENS = 2_000_000  # words (both sides of every pair) per chunk of the verification pass
_EMPTY = np.uint64(np.iinfo(np.uint64).max)
_PAD = np.uint64(np.iinfo(np.uint64).max)  # fills a short document's shingle; no word id


def _constants() -> tuple:
    rng = np.random.default_rng(20120929)  # fixed: the result never depends on a run
    odd = rng.integers(2**62, 2**63, size=2 + _ROWS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    salts = rng.integers(0, 2**63, size=_BANDS, dtype=np.uint64)
    # for every bin, the order in which densification borrows from the other bins
    order = np.stack([rng.permutation(_BINS) for _ in range(_BINS)])
    return odd[0], odd[1], odd[2:], salts, order


_P, _C, _BAND_MULT, _BAND_SALT, _DENSIFY_ORDER = _constants()


# --------------------------------------------------------------------------------------------
# Shingle hashes
# --------------------------------------------------------------------------------------------
def _finalise(h: np.ndarray) -> np.ndarray:
    """Multiply-xorshift finaliser, in place (all three steps are bijections of 64-bit words)."""
    h *= _P
    h ^= h >> np.uint64(32)
    h *= _C
    return h


def _shingle_hashes(tokens: np.ndarray, lengths: np.ndarray) -> tuple:
    """64-bit hashes of the 5-word shingles of consecutive documents.

    ``tokens`` holds the documents' word ids one after the other, ``lengths`` their word counts.
    Returns ``(h, bad, short, hs)``: ``h[p]`` is the hash of the five words from position ``p``
    (for every ``p``, also those running over a document's end), ``bad`` those positions (which
    belong to no document), ``short`` the documents of 1..4 words and ``hs`` their one padded shingle.
    """
    ends = np.cumsum(lengths)
    with np.errstate(over="ignore"):
        y = tokens.astype(np.uint64)  # ids are < 2**63: the padding 2**64 - 1 is no word
        p = _P
        if len(y) >= _SHINGLE:
            # h = y0 P^4 + y1 P^3 + y2 P^2 + y3 P + y4 (mod 2^64) by doubling: 6 array passes
            s2 = y[:-1] * p
            s2 += y[1:]
            s4 = s2[:-2] * (p * p)
            s4 += s2[2:]
            del s2
            h = s4[:-1] * p
            h += y[4:]
            del s4
            _finalise(h)
        else:
            h = np.empty(0, dtype=np.uint64)
        # the shingles that start in the last four words of a document run over its end
        bad = (ends[:, None] - np.arange(1, _SHINGLE, dtype=np.int64)).ravel()
        bad = bad[(bad >= 0) & (bad < len(h))]
        short = np.flatnonzero((lengths > 0) & (lengths < _SHINGLE))
        padded = np.full((len(short), _SHINGLE), _PAD, dtype=np.uint64)
        for k in range(_SHINGLE - 1):
            has = lengths[short] > k
            padded[has, k] = y[ends[short][has] - lengths[short][has] + k]
        hs = padded[:, 0].copy()
        for k in range(1, _SHINGLE):
            hs *= p
            hs += padded[:, k]
        _finalise(hs)
    return h, bad, short, hs


def _shingles(tokens: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(doc, hash)`` of every shingle of consecutive documents (repeats kept, any order):
    ``doc`` is the document's index in this call. A document of 1..4 words has one padded shingle."""
    h, bad, short, hs = _shingle_hashes(tokens, lengths)
    keep = np.ones(len(h), dtype=bool)
    keep[bad] = False
    doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)[: len(h)][keep]
    return np.concatenate([doc, short]), np.concatenate([h[keep], hs])


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """``np.unique(x)`` by a sort (numpy 2.4's np.unique hashes first: 40x slower on 64-bit ints)."""
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]] if len(x) else x


# --------------------------------------------------------------------------------------------
# Sketch: one-permutation MinHash with optimal densification, then band keys
# --------------------------------------------------------------------------------------------
def _band_keys(tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``(m, 32)`` uint64 band keys of consecutive documents (rows of empty documents unused)."""
    m = len(lengths)
    h, bad, short, hs = _shingle_hashes(tokens, lengths)
    # OPH: the top 7 bits of a shingle's hash choose its bin; a bin keeps its smallest hash.
    # The shingles that run over a document's end go to a spare row m.
    key = np.repeat(np.arange(m, dtype=np.int64) * _BINS, lengths)[: len(h)]
    key += (h >> _BIN_SHIFT).view(np.int64)
    key[bad] = m * _BINS
    sig = np.full((m + 1) * _BINS, _EMPTY, dtype=np.uint64)
    np.minimum.at(sig, key, h)
    np.minimum.at(sig, short * _BINS + (hs >> _BIN_SHIFT).view(np.int64), hs)
    del key, h
    sig = sig[: m * _BINS].reshape(m, _BINS)
    empty = sig == _EMPTY
    empty[lengths == 0] = False  # nothing to borrow: these documents take part in no band
    d, b = np.nonzero(empty)
    filled = sig.copy()
    for t in range(_BINS):  # optimal densification; the remaining empty bins shrink geometrically
        if not len(d):
            break
        src = _DENSIFY_ORDER[b, t]
        ok = ~empty[d, src]
        filled[d[ok], b[ok]] = sig[d[ok], src[ok]]
        d, b = d[~ok], b[~ok]
    with np.errstate(over="ignore"):
        rows = filled.reshape(m, _BANDS, _ROWS)
        keys = rows[:, :, 0] * _BAND_MULT[0]
        for r in range(1, _ROWS):
            keys += rows[:, :, r] * _BAND_MULT[r]
        keys ^= _BAND_SALT  # the same four values in two bands are two different keys
    return keys


def _chunks(offsets: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Consecutive document ranges ``[a, b)`` of about ``budget`` words each (at least one doc)."""
    n = len(offsets) - 1
    out, a = [], 0
    while a < n:
        b = int(np.searchsorted(offsets, offsets[a] + budget, side="right")) - 1
        b = min(max(b, a + 1), n)
        out.append((a, b))
        a = b
    return out


def _candidate_pairs(keys: np.ndarray, nonempty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)``, ``i < j``, of documents sharing a band bucket: every pair in a bucket of
    2..200 documents, each member with the first document in a larger bucket."""
    docs = np.flatnonzero(nonempty)
    if len(docs) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    flat = keys[docs].ravel()
    owner = np.repeat(docs, _BANDS)
    order = np.argsort(flat)  # buckets only; the pairs are normalised and sorted below
    sk = flat[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    sizes = np.diff(np.r_[starts, len(sk)])
    n = int(keys.shape[0])
    leads = np.minimum.reduceat(owner[order], starts)  # each bucket's first document
    codes: list[np.ndarray] = []
    big = sizes > _MAX_BUCKET
    if big.any():
        # a bucket of more than _MAX_BUCKET documents (a story reprinted hundreds of times): every
        # member is paired with the bucket's first document only, linear instead of quadratic;
        # the exact check decides, so a copy is still found when it is close to that first one
        bst, bsz = starts[big], sizes[big]
        pos = np.repeat(bst, bsz) + (np.arange(bsz.sum()) - np.repeat(np.cumsum(bsz) - bsz, bsz))
        x, y = np.repeat(leads[big], bsz), owner[order[pos]]
        codes.append(_sorted_unique(x[x != y] * n + y[x != y]))
    keep = (sizes > 1) & (sizes <= _MAX_BUCKET)
    lead = leads[keep]
    starts, sizes = starts[keep], sizes[keep]
    if not len(starts) and not codes:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # every pair of positions within every kept bucket, vectorised, in batches of buckets that
    # give at most _PAIR_BATCH pairs (a story reprinted 200 times gives 19,900 pairs per band);
    # buckets in order of their first document, so that a cluster's buckets from all 32 bands
    # (the same pairs again) tend to fall in one batch, whose repeats are removed at once
    by_first = np.argsort(lead, kind="stable")
    starts, sizes = starts[by_first], sizes[by_first]
    n_pairs = np.cumsum(sizes * (sizes - 1) // 2)
    lo = 0
    while lo < len(starts):
        hi = max(int(np.searchsorted(n_pairs, (n_pairs[lo - 1] if lo else 0) + _PAIR_BATCH, side="right")), lo + 1)
        st, sz = starts[lo:hi], sizes[lo:hi]
        pos = np.repeat(st, sz) + (np.arange(sz.sum()) - np.repeat(np.cumsum(sz) - sz, sz))
        after = np.repeat(st + sz, sz) - pos - 1  # partners after each position
        first = np.repeat(pos, after)
        second = first + 1 + (np.arange(after.sum()) - np.repeat(np.cumsum(after) - after, after))
        x, y = owner[order[first]], owner[order[second]]
        del first, second
        i, j = np.minimum(x, y), np.maximum(x, y)
        codes.append(_sorted_unique(i[i != j] * n + j[i != j]))
        if sum(map(len, codes)) > 4 * _PAIR_BATCH:  # bounded memory whatever the order
            codes = [_sorted_unique(np.concatenate(codes))]
        lo = hi
    code = _sorted_unique(np.concatenate(codes)) if len(codes) > 1 else codes[0]
    return code // n, code % n


# --------------------------------------------------------------------------------------------
# Exact verification
# --------------------------------------------------------------------------------------------
def _jaccard(ids: np.ndarray, offsets: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of the shingle-hash sets of documents ``i[k]`` and ``j[k]``."""
    lengths = np.diff(offsets)
    out = np.empty(len(i), dtype=np.float64)
    cost = np.cumsum(lengths[i] + lengths[j])
    lo = 0
    while lo < len(i):
        hi = max(int(np.searchsorted(cost, (cost[lo - 1] if lo else 0) + _VERIFY_TOKENS, side="right")), lo + 1)
        a, b = i[lo:hi], j[lo:hi]
        docs = _sorted_unique(np.concatenate([a, b]))
        lens = lengths[docs]
        gather = np.repeat(offsets[docs] - (np.cumsum(lens) - lens), lens) + np.arange(lens.sum())
        doc, h = _shingles(ids[gather], lens)
        values, rank = np.unique(h, return_inverse=True)
        width = np.int64(len(values))
        # distinct (document, shingle) keys, sorted: each document's set is one sorted segment
        sets = _sorted_unique(doc * width + rank.reshape(-1))
        seg = np.searchsorted(sets, np.arange(len(docs) + 1, dtype=np.int64) * width)
        size = np.diff(seg)
        la, lb = np.searchsorted(docs, a), np.searchsorted(docs, b)
        # look up the smaller set's elements in the larger one
        small = np.where(size[la] <= size[lb], la, lb)
        large = np.where(size[la] <= size[lb], lb, la)
        qn = size[small]
        q = np.repeat(seg[small], qn) + (np.arange(qn.sum()) - np.repeat(np.cumsum(qn) - qn, qn))
        query = sets[q] + np.repeat((large - small) * width, qn)
        found = np.searchsorted(sets, query)
        hit = sets[np.minimum(found, len(sets) - 1)] == query
        inter = np.bincount(np.repeat(np.arange(len(a)), qn), weights=hit, minlength=len(a))
        out[lo:hi] = inter / (size[la] + size[lb] - inter)
        lo = hi
    return out


# --------------------------------------------------------------------------------------------
# Public
# --------------------------------------------------------------------------------------------
def _check_threshold(threshold) -> float | None:
    if threshold is None:
        return None
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)) or not (
        threshold > 0
    ):
        raise ValueError(
            f"threshold = {threshold!r}: a share of shared word sequences above 0 (e.g. 0.8), or None for no check"
        )
    return float(threshold)


def near_duplicates(
    doc_ids: list[str],
    ids,
    offsets: np.ndarray | None = None,
    *,
    threshold: float | None = 0.8,
) -> list[str | None]:
    """For each document, the ``doc_id`` of the root of its first earlier near-duplicate, else ``None``.

    Parameters
    ----------
    doc_ids : list of str
        Document ids, in the order that decides which copy counts as the original.
    ids : numpy.ndarray
        1-D integer array of lowercased word ids (non-negative; equal word, equal id) of all
        documents one after the other, in ``doc_ids`` order. (For texts, see
        :func:`near_duplicates_from_texts`.)
    offsets : numpy.ndarray
        Integer array of length ``len(doc_ids) + 1``: document ``k`` is ``ids[offsets[k]:offsets[k+1]]``.
    threshold : float or None
        Jaccard similarity of the 5-word shingle sets at which a document counts as a
        near-duplicate (default 0.8). ``None`` or a value above 1 flags nothing.

    Returns
    -------
    list of str or None
        One entry per document (see the module docstring for the exact meaning).
    """
    if offsets is None:
        raise ValueError("offsets: give the document boundaries in ids (length len(doc_ids) + 1)")
    threshold = _check_threshold(threshold)
    n = len(doc_ids)
    ids = np.asarray(ids)
    offsets = np.asarray(offsets)
    if ids.ndim != 1 or not (np.issubdtype(ids.dtype, np.integer) or ids.size == 0):
        raise ValueError(f"ids: must be a 1-D array of integer word ids (got shape {ids.shape}, dtype {ids.dtype})")
    if offsets.shape != (n + 1,) or not np.issubdtype(offsets.dtype, np.integer):
        raise ValueError(f"offsets: must be {n + 1} integers (one more than doc_ids), got shape {offsets.shape}")
    offsets = offsets.astype(np.int64)
    if offsets[0] != 0 or offsets[-1] != len(ids) or (np.diff(offsets) < 0).any():
        raise ValueError(f"offsets: must rise from 0 to len(ids) = {len(ids)}")
    if ids.size and ids.min() < 0:
        raise ValueError("ids: word ids must be >= 0")
    if ids.size and ids.dtype == np.uint64 and ids.max() >= 2**63:
        raise ValueError("ids: word ids must be < 2**63")
    return _near_duplicates(doc_ids, ids, offsets, threshold)


def _near_duplicates(doc_ids: list[str], ids: np.ndarray, offsets: np.ndarray, threshold: float | None) -> list[str | None]:
    """:func:`near_duplicates` after its checks (``offsets`` int64)."""
    n = len(doc_ids)
    result: list[str | None] = [None] * n
    if n < 2 or threshold is None or threshold > 1:
        return result
    lengths = np.diff(offsets)
    keys = np.empty((n, _BANDS), dtype=np.uint64)
    for a, b in _chunks(offsets, _CHUNK_TOKENS):
        keys[a:b] = _band_keys(ids[offsets[a] : offsets[b]], lengths[a:b])
    i, j = _candidate_pairs(keys, lengths > 0)
    del keys
    if not len(i):
        return result
    # the first earlier document that is similar enough: each document's candidates are verified
    # in increasing order, one round per rank, and a document stops at its first success (in a
    # cluster of k copies that is k - 1 verifications instead of k (k - 1) / 2)
    order = np.lexsort((i, j))
    i, j = i[order], j[order]
    group = np.flatnonzero(np.r_[True, j[1:] != j[:-1]])
    rank = np.arange(len(j)) - np.repeat(group, np.diff(np.r_[group, len(j)]))
    first = np.arange(n)
    for r in range(int(rank.max()) + 1):
        pick = np.flatnonzero(rank == r)
        pick = pick[first[j[pick]] == j[pick]]  # documents still without an earlier match
        if not len(pick):
            break
        similar = _jaccard(ids, offsets, i[pick], j[pick]) >= threshold
        first[j[pick[similar]]] = i[pick[similar]]
    root = first
    while True:  # follow chains to their first document (pointer jumping)
        nxt = root[root]
        if (nxt == root).all():
            break
        root = nxt
    for k in np.flatnonzero(root != np.arange(n)).tolist():
        result[k] = doc_ids[root[k]]
    return result


def near_duplicates_from_texts(
    doc_ids: list[str], texts: list[str], *, threshold: float | None = 0.8
) -> list[str | None]:
    """:func:`near_duplicates` for texts: their words are split with the shared tokeniser into a
    :class:`~medialens.tokens.WordTable` (as the loader does) and lowercased."""
    from .tokens import WordTable

    threshold = _check_threshold(threshold)
    if len(texts) != len(doc_ids):
        raise ValueError(f"texts: {len(texts)} texts for {len(doc_ids)} doc_ids")
    table = WordTable.from_texts(list(doc_ids), texts)
    # the inner function, not near_duplicates: a benchmark that wraps near_duplicates counts once
    return _near_duplicates(table.doc_ids, table.lowercase_ids(), table.offsets, threshold)
