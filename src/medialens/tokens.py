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

Sentences and paragraphs are found in the same scan (:func:`medialens.text._segmented_words`:
one ``findall`` per paragraph matches words and sentence ends together), so the table also holds
every sentence's word range and paragraph number, the same sentences as
:func:`medialens.text.sentence_spans`. Counting (:mod:`medialens.counting`) builds n-grams within
these sentences, and units smaller than a document are ranges of the table
(:meth:`WordTable.paragraphs`).

Memory: 4 bytes per word (45 million words for 100k articles of 450 words: 180 MB), 12 bytes
per sentence, plus the vocabulary.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .text import _END_CHARS, _HYPHENS, TextSettings, Tokenizer, _segmented_words, normalise

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


def _take_ranges(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``values[starts[0]:ends[0]], values[starts[1]:ends[1]], ...`` concatenated without a loop
    per item, and the offsets of the pieces in the result."""
    lengths = ends - starts
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if not offsets[-1]:
        return values[:0].copy(), offsets
    take = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1] - starts, lengths)
    return values[take], offsets


def _segment_sums(kept: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Offsets of the segments ``bounds`` (word offsets) counted in kept words only: each
    segment's kept words summed by ``reduceat`` over the non-empty segments' starts (a running
    sum over every word would cost 8 bytes per word)."""
    counts = np.zeros(len(bounds) - 1, dtype=np.int64)
    nonempty = np.flatnonzero(np.diff(bounds) > 0)
    if len(nonempty):
        counts[nonempty] = np.add.reduceat(kept, bounds[nonempty], dtype=np.int64)
    out = np.zeros(len(bounds), dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


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
    sentences : numpy.ndarray of int64
        ``n_sentences + 1`` word positions: sentence ``s`` is ``ids[sentences[s]:sentences[s + 1]]``.
    doc_sentences : numpy.ndarray of int64
        ``len(doc_ids) + 1`` sentence numbers: document ``i`` has sentences ``doc_sentences[i]``
        up to ``doc_sentences[i + 1]`` (as many as ``sentence_spans`` of its text).
    paragraph : numpy.ndarray of int32
        Every sentence's paragraph number within its document, from 1.
    """

    doc_ids: list[str]
    vocabulary: list[str]
    ids: np.ndarray
    offsets: np.ndarray
    fingerprints: np.ndarray
    sentences: np.ndarray | None = None
    doc_sentences: np.ndarray | None = None
    paragraph: np.ndarray | None = None

    @classmethod
    def from_texts(cls, doc_ids: Sequence[str], texts: Iterable[str], *, normalised: bool = False) -> WordTable:
        """Split every text into words and sentences once.

        Parameters
        ----------
        doc_ids : list of str
            One id per text.
        texts : iterable of str
            The texts, in the order of ``doc_ids``.
        normalised : bool
            The texts are already normalised (:func:`medialens.text.normalise`), as the loader's
            are; skips normalising them again.

        Returns
        -------
        WordTable
            With the sentences and paragraphs of :func:`medialens.text.sentence_spans`.
        """
        vocab = _Ids()
        number = vocab.__getitem__
        flat = array("i")
        offsets = array("q", [0])
        pending: list[int] = []  # a list grows faster than an array; moved over every ~1M words
        done = 0
        texts = list(texts)
        for text in texts:
            pending += map(number, _segmented_words(text if normalised else normalise(text)))
            offsets.append(done + len(pending))
            if len(pending) > _FLUSH_WORDS:
                flat.extend(pending)
                done += len(pending)
                pending = []
        flat.extend(pending)
        del pending
        doc_ids = list(doc_ids)
        if len(offsets) != len(doc_ids) + 1:
            raise ValueError(f"doc_ids: {len(doc_ids)} ids for {len(offsets) - 1} texts")
        raw = np.frombuffer(flat, dtype=np.int32) if len(flat) else np.zeros(0, dtype=np.int32)
        raw_offsets = np.frombuffer(offsets, dtype=np.int64)
        return cls._from_stream(doc_ids, list(vocab), raw, raw_offsets, text_fingerprints(texts))

    @classmethod
    def _from_stream(cls, doc_ids, forms, raw, raw_offsets, fingerprints) -> WordTable:
        """The table from ``_segmented_words`` streams coded as ids into ``forms``: word forms
        folded as the tokeniser folds them (one id per folded form), markers turned into
        sentence and paragraph boundaries."""
        # 0: a word, 1: a sentence end, 2: a paragraph start (always a sentence start too)
        kind = np.array([2 if f == "\n" else (1 if f[0] in _END_CHARS else 0) for f in forms], dtype=np.int8)
        folded = _Ids()
        remap = np.array([folded[f.translate(_HYPHENS)] if k == 0 else -1 for f, k in zip(forms, kind.tolist(), strict=True)], dtype=np.int32)
        raw_kind = kind[raw]
        is_word = raw_kind == 0
        ids = remap[raw[is_word]]
        del is_word
        marks = np.flatnonzero(raw_kind != 0)  # stream positions of the markers
        mark_kind = raw_kind[marks]
        del raw_kind
        # a marker at stream position p has p - (markers before it) words before it
        sentences = np.append(marks - np.arange(len(marks)), len(ids)).astype(np.int64)
        doc_sentences = np.searchsorted(marks, raw_offsets).astype(np.int64)  # markers before each document
        offsets = (raw_offsets - doc_sentences).astype(np.int64)
        # paragraph number (from 1, within its document) of every sentence
        paragraph = np.cumsum(mark_kind == 2, dtype=np.int32)
        starts = doc_sentences[:-1][np.diff(doc_sentences) > 0]
        base = np.zeros(len(marks), dtype=np.int32)
        base[starts] = paragraph[starts] - 1
        if len(base):
            paragraph -= np.maximum.accumulate(base)
        return cls(
            doc_ids=doc_ids,
            vocabulary=list(folded),
            ids=ids,
            offsets=offsets,
            fingerprints=fingerprints,
            sentences=sentences,
            doc_sentences=doc_sentences,
            paragraph=paragraph,
        )

    def __len__(self) -> int:
        return len(self.doc_ids)

    def __repr__(self) -> str:
        return f"<WordTable: {len(self.doc_ids)} documents, {len(self.ids):,} words, {len(self.vocabulary):,} distinct>"

    def lengths(self) -> np.ndarray:
        """Words per document (before any filter)."""
        return np.diff(self.offsets)

    def paragraph_counts(self) -> np.ndarray:
        """Paragraphs per document (int64): as many as :func:`medialens.text.split_paragraphs`
        finds in its text (a paragraph without words counts too: it still starts a sentence)."""
        n_sent = np.diff(self.doc_sentences)
        out = np.zeros(len(self.doc_ids), dtype=np.int64)
        has = n_sent > 0
        # paragraph numbers run from 1 within a document: its last sentence's is the count
        out[has] = self.paragraph[self.doc_sentences[1:][has] - 1]
        return out

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
        ids, offsets = _take_ranges(self.ids, self.offsets[rows], self.offsets[rows + 1])
        s_from, s_to = self.doc_sentences[rows], self.doc_sentences[rows + 1]
        take = _take_ranges(np.arange(len(self.sentences), dtype=np.int64), s_from, s_to)[0]
        n_sent = s_to - s_from
        # each chosen sentence keeps its place within its document, in the document's new place
        shift = np.repeat(offsets[:-1] - self.offsets[rows], n_sent)
        sentences = np.append(self.sentences[take] + shift, offsets[-1]).astype(np.int64)
        doc_sentences = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(n_sent, out=doc_sentences[1:])
        return WordTable(
            [self.doc_ids[r] for r in rows.tolist()], self.vocabulary, ids, offsets, self.fingerprints[rows],
            sentences, doc_sentences, self.paragraph[take],
        )

    def paragraphs(self) -> WordTable:
        """One row per paragraph (``doc_id#p<k>``, k from 1 as :func:`medialens.text.split_paragraphs`
        numbers them, the ``unit_id`` of :func:`medialens.clustering.make_units`), with its
        sentences; the same word ids, not copied. Fingerprints are 0 (no text is kept)."""
        n_sent = len(self.sentences) - 1
        owner = np.repeat(np.arange(len(self.doc_ids), dtype=np.int64), np.diff(self.doc_sentences))
        first = np.ones(n_sent, dtype=bool)
        if n_sent:
            first[1:] = (self.paragraph[1:] != self.paragraph[:-1]) | (owner[1:] != owner[:-1])
        heads = np.flatnonzero(first)
        names = [f"{self.doc_ids[d]}#p{k}" for d, k in zip(owner[heads].tolist(), self.paragraph[heads].tolist(), strict=True)]
        return WordTable(
            names, self.vocabulary, self.ids, np.append(self.sentences[heads], self.sentences[-1]).astype(np.int64),
            np.zeros(len(heads), dtype=np.uint64), self.sentences, np.append(heads, n_sent).astype(np.int64),
            np.ones(n_sent, dtype=np.int32),
        )

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
        flat, offsets, _, terms = self.sentence_token_ids(settings)
        return flat, offsets, terms

    def sentence_token_ids(self, settings: TextSettings | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`token_ids` with the sentences: ``(ids, offsets, sentence_offsets, terms)``;
        sentence s's tokens are ``ids[sentence_offsets[s]:sentence_offsets[s + 1]]`` (the
        sentences of document i are ``doc_sentences[i]`` to ``doc_sentences[i + 1]``)."""
        verdict, terms = self._verdicts(settings)
        mapped = verdict[self.ids]
        kept = mapped >= 0
        flat = mapped[kept]
        del mapped
        offsets = _segment_sums(kept, self.offsets)
        sentence_offsets = _segment_sums(kept, self.sentences)
        present = np.flatnonzero(np.bincount(flat, minlength=len(terms)))
        if len(present) < len(terms):  # number only the tokens these documents have
            renumber = np.full(len(terms), -1, dtype=np.int32)
            renumber[present] = np.arange(len(present), dtype=np.int32)
            flat, terms = renumber[flat], terms[present]
        return flat, offsets, sentence_offsets, terms

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
