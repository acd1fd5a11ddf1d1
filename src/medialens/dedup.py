"""Near-duplicate detection (wire copy reprinted with small edits) by MinHash over word shingles.

Documents are compared on their sets of 5-word shingles; the Jaccard similarity of two sets is
estimated from 128 min-hashes, and candidate pairs are found with locality-sensitive hashing
(32 bands of 4 rows), so the cost grows with the number of documents, not its square. A document
is flagged with the first earlier document (in ``doc_id`` order) whose estimated similarity
reaches ``threshold``; nothing is deleted.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["near_duplicates", "minhash_signatures"]

_WORD_RE = re.compile(r"\w+")
_N_PERM = 128
_BANDS = 32
_SHINGLE = 5
_MASK = np.uint64((1 << 61) - 1)


def _shingle_hashes(ids: np.ndarray, *, unique: bool = True) -> np.ndarray:
    if len(ids) < _SHINGLE:
        ids = np.concatenate([ids, np.zeros(_SHINGLE - len(ids), dtype=np.uint64)])
    h = np.zeros(len(ids) - _SHINGLE + 1, dtype=np.uint64)
    p = np.uint64(1_000_003)
    for k in range(_SHINGLE):
        h = h * p + ids[k : len(ids) - _SHINGLE + 1 + k]
    return np.unique(h) if unique else h


def minhash_signatures(texts: list[str], *, seed: int = 0) -> np.ndarray:
    """Return an ``(n_docs, 128)`` array of min-hash signatures of 5-word shingles."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**62, size=_N_PERM, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**62, size=_N_PERM, dtype=np.uint64)
    vocab: dict[str, int] = {}
    known, number = vocab.get, vocab.__getitem__
    shift = np.uint64(3)
    sigs = np.empty((len(texts), _N_PERM), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, text in enumerate(texts):
            words = _WORD_RE.findall(text.lower())
            ids = list(map(known, words))
            if None in ids:  # new words are numbered 1, 2, ... in order of first occurrence
                for w in dict.fromkeys(words):
                    if w not in vocab:
                        vocab[w] = len(vocab) + 1
                ids = list(map(number, words))
            ids = np.array(ids, dtype=np.uint64)
            # repeated shingles do not change a minimum, so no np.unique here
            sh = _shingle_hashes(ids, unique=False)
            # multiply-shift hashing of every shingle under every permutation, minimum per row;
            # in place, and shifted after the minimum (x >> 3 is monotonic: same values)
            h = np.multiply.outer(a, sh)
            h += b[:, None]
            sigs[i] = h.min(axis=1) >> shift
    return sigs


def near_duplicates(doc_ids: list[str], texts: list[str], *, threshold: float = 0.8) -> list[str | None]:
    """For each document, the ``doc_id`` of the first earlier near-duplicate, else ``None``.

    ``doc_ids`` must be in the order that decides which copy counts as the original.
    """
    n = len(texts)
    result: list[str | None] = [None] * n
    if n < 2 or threshold is None or threshold > 1:
        return result
    sigs = minhash_signatures(texts)
    rows = _N_PERM // _BANDS
    candidates: set[tuple[int, int]] = set()
    for band in range(_BANDS):
        # bucket the documents by this band's rows: a stable sort puts equal rows next to each
        # other with their documents in index order; buckets of 2..200 give candidate pairs
        block = sigs[:, band * rows : (band + 1) * rows]
        order = np.lexsort(block.T[::-1])
        ordered = block[order]
        starts = np.flatnonzero(np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)])
        sizes = np.diff(np.r_[starts, n])
        keep = (sizes > 1) & (sizes <= 200)
        for start, size in zip(starts[keep].tolist(), sizes[keep].tolist(), strict=True):
            members = order[start : start + size].tolist()
            for x in range(size):
                for y in range(x + 1, size):
                    candidates.add((members[x], members[y]))
    for i, j in sorted(candidates):
        if result[j] is not None:
            continue
        similarity = float(np.mean(sigs[i] == sigs[j]))
        if similarity >= threshold:
            root = result[i] if result[i] is not None else doc_ids[i]
            result[j] = root
    return result
