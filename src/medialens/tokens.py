"""Every document's words, split once when the corpus is loaded (a corpus-wide word table).

The loader splits each document into words with the shared tokeniser (``Tokenizer.words``, with
case kept) and stores them as integer ids into one vocabulary: quanteda's ``tokens`` object,
for the same reason. Splitting is the costly step of tokenising (a regular expression over every
character); everything after it (lowercasing, number/length/stopword filters, lemma or stem)
works word by word, so :meth:`WordTable.tokens` applies any :class:`~medialens.text.TextSettings`
once per *distinct* word and then looks the answers up for every occurrence. The result is the
same list of tokens, document by document, as ``Tokenizer(settings)(text)`` (tested), for a
fraction of the time (figures in ``benchmarks/README.md``, ``bench_ingest.py``).

The same word ids serve near-duplicate detection (lowercased, :meth:`WordTable.lowercase_ids`),
so each text is split once for loading and every analysis that counts whole documents.

Memory: 4 bytes per word (45 million words for 100k articles of 450 words: 180 MB), plus the
vocabulary. Units smaller than a document (paragraphs for clustering, sentences and windows
for stance) are still tokenised from their text with :class:`~medialens.text.Tokenizer`.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .text import TextSettings, Tokenizer, _split_words, normalise

__all__ = ["WordTable", "text_fingerprints"]

_BLOCK_WORDS = 4_000_000  # tokens() works on blocks of documents with about this many words
_FLUSH_WORDS = 1_000_000  # from_texts moves its list of ids into the array every so many words


def text_fingerprints(texts: Iterable[str]) -> np.ndarray:
    """A 64-bit fingerprint of each text, exactly as given: its CRC-32 and its length (a check
    against passing other texts than the table was made from, not a cryptographic hash)."""
    return np.array(
        [(zlib.crc32(t.encode("utf-8", "surrogatepass")) << 32) | (len(t) & 0xFFFFFFFF) for t in texts],
        dtype=np.uint64,
    )


class _Ids(dict):
    """word -> id, a new id for each word on first sight."""

    def __missing__(self, word: str) -> int:
        self[word] = j = len(self)
        return j


@dataclass
class WordTable:
    """The words of every document as ids into one vocabulary.

    Attributes
    ----------
    doc_ids : list of str
        One per document, in the order of the corpus document table.
    vocabulary : list of str
        Distinct word forms (normalised, case kept, apostrophes and hyphens folded as the
        tokeniser does); a word's id is its position here.
    ids : numpy.ndarray of int32
        Every document's words, concatenated in document order.
    offsets : numpy.ndarray of int64
        ``len(doc_ids) + 1`` positions: document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
    fingerprints : numpy.ndarray of uint64
        A 64-bit hash of each text the words were split from (:func:`text_fingerprints`), so a
        user of the table can check it was made from the texts in hand.
    """

    doc_ids: list[str]
    vocabulary: list[str]
    ids: np.ndarray
    offsets: np.ndarray
    fingerprints: np.ndarray

    @classmethod
    def from_texts(cls, doc_ids: Sequence[str], texts: Iterable[str], *, normalised: bool = False) -> WordTable:
        """Split every text into words once.

        Parameters
        ----------
        doc_ids : list of str
            One id per text.
        texts : iterable of str
            The texts, in the order of ``doc_ids``.
        normalised : bool
            The texts are already normalised (:func:`medialens.text.normalise`), as the loader's
            are; skips normalising them again.
        """
        vocab = _Ids()
        number = vocab.__getitem__
        flat = array("i")
        offsets = array("q", [0])
        pending: list[int] = []  # a list grows faster than an array; moved over every ~1M words
        done = 0
        texts = list(texts)
        for text in texts:
            pending += map(number, _split_words(text if normalised else normalise(text)))
            offsets.append(done + len(pending))
            if len(pending) > _FLUSH_WORDS:
                flat.extend(pending)
                done += len(pending)
                pending = []
        flat.extend(pending)
        doc_ids = list(doc_ids)
        if len(offsets) != len(doc_ids) + 1:
            raise ValueError(f"doc_ids: {len(doc_ids)} ids for {len(offsets) - 1} texts")
        return cls(
            doc_ids=doc_ids,
            vocabulary=list(vocab),
            ids=np.frombuffer(flat, dtype=np.int32).copy() if len(flat) else np.zeros(0, dtype=np.int32),
            offsets=np.frombuffer(offsets, dtype=np.int64).copy(),
            fingerprints=text_fingerprints(texts),
        )

    def __len__(self) -> int:
        return len(self.doc_ids)

    def __repr__(self) -> str:
        return f"<WordTable: {len(self.doc_ids)} documents, {len(self.ids):,} words, {len(self.vocabulary):,} distinct>"

    def lengths(self) -> np.ndarray:
        """Words per document (before any filter)."""
        return np.diff(self.offsets)

    def positions(self, doc_ids: Iterable[str], *, parameter: str = "doc_ids") -> np.ndarray:
        """Row numbers of ``doc_ids`` in this table; an unknown id is a ``ValueError`` naming
        ``parameter``."""
        index = {d: i for i, d in enumerate(self.doc_ids)}
        out = []
        for d in doc_ids:
            if d not in index:
                raise ValueError(f"{parameter}: document {d!r} is not in the corpus word table (was it loaded with this corpus?)")
            out.append(index[d])
        return np.asarray(out, dtype=np.int64)

    def select(self, doc_ids: Iterable[str], *, parameter: str = "doc_ids") -> WordTable:
        """The table of ``doc_ids`` only, in that order (the vocabulary is shared)."""
        rows = self.positions(doc_ids, parameter=parameter)
        starts, ends = self.offsets[rows], self.offsets[rows + 1]
        lengths = ends - starts
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        if len(rows) and offsets[-1]:
            # the word positions of the chosen documents, in their new order, without a loop per word
            take = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1] - starts, lengths)
            ids = self.ids[take]
        else:
            ids = np.zeros(0, dtype=np.int32)
        return WordTable([self.doc_ids[r] for r in rows.tolist()], self.vocabulary, ids, offsets, self.fingerprints[rows])

    def lowercase_ids(self) -> np.ndarray:
        """``ids`` with words that differ only in case sharing one id (``NAVO``, ``Navo``, ``navo``)."""
        lower = _Ids()
        to_lower = np.fromiter((lower[w.lower()] for w in self.vocabulary), dtype=np.int32, count=len(self.vocabulary))
        return to_lower[self.ids]

    def _verdicts(self, settings: TextSettings | None) -> tuple[np.ndarray, np.ndarray]:
        """What the tokeniser makes of each distinct word: ``(verdict, terms)`` with ``verdict[j]``
        the number in ``terms`` of word j's token, or -1 when the filters drop it."""
        if settings is not None and not isinstance(settings, TextSettings):
            raise ValueError(f"settings: expected a TextSettings, got {type(settings).__name__}")
        tok = Tokenizer(settings or TextSettings())
        lowercase, keep = tok.settings.lowercase, tok.filter
        names: dict[str, int] = {}
        verdict = np.empty(len(self.vocabulary), dtype=np.int32)
        for j, word in enumerate(self.vocabulary):
            kept = keep([word.lower() if lowercase else word])
            verdict[j] = names.setdefault(kept[0], len(names)) if kept else -1
        return verdict, np.array(list(names), dtype=object)

    def token_ids(self, settings: TextSettings | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every document's tokens under ``settings`` as numbers: ``(ids, offsets, terms)``.

        ``terms[ids[offsets[i]:offsets[i + 1]]]`` are document i's tokens, the same as
        ``Tokenizer(settings)(text_i)``; ``terms`` holds only tokens that occur (sorted by first
        appearance of a word form that makes them).
        """
        verdict, terms = self._verdicts(settings)
        mapped = verdict[self.ids]
        kept = mapped >= 0
        flat = mapped[kept]
        del mapped
        # tokens kept per document, summed segment by segment (a running sum over every word would
        # cost 8 bytes per word); reduceat over the non-empty documents' starts only
        counts = np.zeros(len(self.doc_ids), dtype=np.int64)
        nonempty = np.flatnonzero(np.diff(self.offsets) > 0)
        if len(nonempty):
            counts[nonempty] = np.add.reduceat(kept, self.offsets[nonempty], dtype=np.int64)
        offsets = np.zeros(len(self.doc_ids) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        present = np.flatnonzero(np.bincount(flat, minlength=len(terms)))
        if len(present) < len(terms):  # number only the tokens these documents have
            renumber = np.full(len(terms), -1, dtype=np.int32)
            renumber[present] = np.arange(len(present), dtype=np.int32)
            flat, terms = renumber[flat], terms[present]
        return flat, offsets, terms

    def tokens(self, settings: TextSettings | None = None) -> list[list[str]]:
        """Every document's tokens under ``settings``: ``tokens(s)[i] == Tokenizer(s)(text_i)``.

        Parameters
        ----------
        settings : TextSettings, optional
            Default ``TextSettings()`` (Dutch, lowercased, stopwords removed, negations kept).

        Returns
        -------
        list of list of str
            One list per document, in the order of ``doc_ids``.
        """
        verdict, terms = self._verdicts(settings)
        if not len(terms):
            terms = np.array([""], dtype=object)
        out: list[list[str]] = []
        n = len(self.doc_ids)
        first = 0
        while first < n:  # blocks of documents bound the memory of the temporary arrays
            last = int(np.searchsorted(self.offsets, self.offsets[first] + _BLOCK_WORDS, side="right")) - 1
            last = min(max(last, first + 1), n)
            lo, hi = self.offsets[first], self.offsets[last]
            mapped = verdict[self.ids[lo:hi]]
            kept_mask = mapped >= 0
            words = terms[mapped[kept_mask]]
            cum = np.concatenate(([0], np.cumsum(kept_mask, dtype=np.int64)))
            bounds = cum[self.offsets[first : last + 1] - lo].tolist()
            out.extend(words[a:b].tolist() for a, b in zip(bounds[:-1], bounds[1:], strict=True))
            first = last
        return out
