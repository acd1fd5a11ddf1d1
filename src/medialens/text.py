"""One tokeniser and normaliser shared by every analysis.

All settings live in :class:`TextSettings`; every notebook passes the same few parameters through
to it, so term frequencies, clustering and stance see exactly the same tokens.

What the tokeniser does, in order (each step documented on :class:`TextSettings`):

1. ``normalise`` the text: Unicode NFC, format characters dropped (zero-width space, soft hyphen,
   BOM), every kind of space (NBSP, narrow NBSP, ...) turned into a plain space. Idempotent.
2. Split into tokens with one regular expression that keeps Dutch word shapes whole:
   hyphenated compounds (``Navo-topman``, ``no-flyzone``, ``de-escalatie``), in-word apostrophes
   (``z’n``, ``auto's``, ``Nato’s``), elided articles (``'s-Hertogenbosch``, ``'t``) and numbers with
   separators (``100.000``). The curly apostrophe ``’`` is folded to ``'``.
3. Lowercase (folds ``NAVO`` and ``Navo`` together) unless ``lowercase=False``.
4. Drop numbers (``numbers=False``), tokens shorter than ``min_length``, and stopwords from a
   maintained list (Dutch: the Snowball list shipped by the ``stop-words`` package, 106 words;
   English: scikit-learn's list), **keeping negations** (``niet``, ``geen``, ``nooit`` ...) unless
   ``keep_negations=False``: every common list removes them and stance analysis needs them.
5. Optionally reduce words to lemmas (simplemma) or stems (Snowball ``dutch_porter`` via
   PyStemmer; the newer ``dutch`` stemmer strips ``ge-`` and turns ``bondgenootschap`` into
   ``bondnootschap``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = [
    "TextSettings",
    "Tokenizer",
    "normalise",
    "normalise_counted",
    "normalisation_changes",
    "split_paragraphs",
    "split_sentences",
    "paragraph_kind",
    "paragraph_spans",
    "sentence_spans",
    "paragraph_table",
    "sentence_table",
    "stopwords",
    "NEGATIONS",
    "EXAMPLE_SENTENCES",
    "ngrams",
]

SUPPORTED_LANGUAGES = ("nl", "en")

#: Negation words kept by default even though stopword lists remove them.
NEGATIONS: dict[str, frozenset[str]] = {
    "nl": frozenset({"niet", "geen", "nooit", "niets", "niemand", "nergens", "noch"}),
    "en": frozenset({"not", "no", "never", "nothing", "nobody", "none", "nor", "nowhere", "cannot"}),
}

#: One sentence per language showing the word shapes the tokeniser keeps whole (compounds with
#: hyphens, apostrophes, numbers), its case folding and its stopwords (for the corpus notebook).
EXAMPLE_SENTENCES: dict[str, str] = {
    "nl": "De Knmi-woordvoerder zei dat z’n KNMI geen no-go-zone wil boven 's-Hertogenbosch.",
    "en": "The Council's vice-chair said it isn't a no-go zone, and the council won't spend 100,000 pounds.",
}

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------
_SPACE_CHARS = "".join(
    chr(c) for c in range(0x80, 0x3001) if unicodedata.category(chr(c)) == "Zs"
)  # NBSP, narrow NBSP, en/em spaces, ideographic space ...
_SPACE_RE = re.compile(f"[{re.escape(_SPACE_CHARS)}]")
_FORMAT_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufe00-\ufe0f]"
)


# The characters of both classes, for a quick "is any of them here at all?" test: one substring
# search per character is far faster than a regex scan with a large character class, and most
# texts contain none of them (normalise was a third of the loader's time on 10k articles).
_FORMAT_CHARS = tuple(chr(c) for c in range(0x80, 0x10000) if _FORMAT_RE.match(chr(c)))
_SPACE_TUPLE = tuple(_SPACE_CHARS)


def _has_any(text: str, chars: tuple[str, ...]) -> bool:
    return any(c in text for c in chars)


def normalise(text: str) -> str:
    """Return ``text`` in NFC, without format characters, with all space characters as ``' '``
    and line ends as ``\\n``. Applying it twice changes nothing."""
    if not text:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # O(1): no format or special space character, and NFC already
        return text
    if _has_any(text, _FORMAT_CHARS):
        text = _FORMAT_RE.sub("", text)
    if _has_any(text, _SPACE_TUPLE):
        text = _SPACE_RE.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def normalise_counted(text: str) -> tuple[str, dict[str, int]]:
    """``(normalise(text), normalisation_changes(text))``, looking for the characters once."""
    if text.isascii():
        return text.replace("\r\n", "\n").replace("\r", "\n"), {"format_characters": 0, "special_spaces": 0, "not_nfc": 0}
    has_format, has_space = _has_any(text, _FORMAT_CHARS), _has_any(text, _SPACE_TUPLE)
    changes = {
        "format_characters": len(_FORMAT_RE.findall(text)) if has_format else 0,
        "special_spaces": len(_SPACE_RE.findall(text)) if has_space else 0,
        "not_nfc": int(not unicodedata.is_normalized("NFC", text)),
    }
    out = text.replace("\r\n", "\n").replace("\r", "\n")
    if has_format:
        out = _FORMAT_RE.sub("", out)
    if has_space:
        out = _SPACE_RE.sub(" ", out)
    return unicodedata.normalize("NFC", out), changes


def normalisation_changes(text: str) -> dict[str, int]:
    """Count what :func:`normalise` would change in ``text`` (for the cleaning report)."""
    return {
        "format_characters": len(_FORMAT_RE.findall(text)) if _has_any(text, _FORMAT_CHARS) else 0,
        "special_spaces": len(_SPACE_RE.findall(text)) if _has_any(text, _SPACE_TUPLE) else 0,
        "not_nfc": int(not unicodedata.is_normalized("NFC", text)),
    }


# --------------------------------------------------------------------------------------------
# Segmentation
# --------------------------------------------------------------------------------------------
_PARA_SPLIT_RE = re.compile(r"\n[ \t]*\n+")


def split_paragraphs(text: str) -> list[str]:
    """Split on blank lines; strip each paragraph and drop empty ones."""
    return [p.strip() for p in _PARA_SPLIT_RE.split(text) if p.strip()]


# Abbreviations after which a full stop does not end a sentence (lowercased, without the stop).
_ABBREVIATIONS = frozenset(
    """red bijv o.a m.n d.w.z i.p.v t.o.v e.a ca dhr mevr mw mr dr drs ir ing prof nr blz jl
    vs etc enz z.g zgn resp incl excl ca st mrs ms jr sr e.g i.e u.s u.k a.s c.q n.a.v
    jan feb mrt apr jun jul aug sep sept okt nov dec""".split()
)
# A sentence may end at . ! ? (optionally followed by closing quotes/brackets) before whitespace
# and a character that can start a sentence: an uppercase letter, a digit or an opening quote.
# (The stops written [.!?…][.!?…]* rather than [.!?…]+: a pattern that opens with a character
# class lets the engine skip to the next stop instead of trying every position.)
_SENT_END_RE = re.compile(
    r"""([.!?…][.!?…]*)([”"’'»)\]]*)\s+(?=(?:,,|[„“"‘'«(\[])?\s*[A-ZÀ-ÖØ-Þ0-9])"""
)
_WORD_BEFORE_RE = re.compile(r"([\w.]+)$")
# \w and the full stop on ASCII text: the word before a stop, read by rstrip where the window is ASCII
_ASCII_WORD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_."


def split_sentences(text: str) -> list[str]:
    """Rule-based sentence splitter for Dutch and English news prose.

    Splits after ``. ! ?`` (and closing quotes) when the next word starts with a capital, a digit
    or an opening quote, except after common abbreviations (``o.a.``, ``red.``, ``dhr.``) and
    single initials (``J. Stoltenberg``). Works per paragraph: call it on one paragraph at a time.
    """
    sentences: list[str] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        if m.group(1) == ".":
            window = text[max(0, m.start() - 40) : m.start()]  # not from 0: O(n) per stop
            if window.isascii() and not window.endswith("\n"):  # ($ of the pattern also matches before a final newline)
                word = window[len(window.rstrip(_ASCII_WORD)) :].lower()
            else:
                before = _WORD_BEFORE_RE.search(text, max(0, m.start() - 40), m.start())
                word = before.group(1).lower() if before else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        end = m.end(2)
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


_HEADING_END = tuple(".!?:;,”\"’')")


def paragraph_kind(para: str) -> str:
    """``"heading"`` for a short line with no closing punctuation (``Luchtruim``, ``Dialoog``) or a
    quoted line used as a subheading; else ``"body"``."""
    if "\n" in para or len(para) > 90 or len(para.split()) > 12:
        return "body"
    if not para.endswith(_HEADING_END):
        return "heading"
    # a quoted line used as a subheading: ‘Een aanval op één is een aanval op allen’
    if para[0] in "‘“„'\"" and para[-1] in "’”'\"" and not re.search(r"[.!?]\W*$", para[:-1]):
        return "heading"
    return "body"


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets into ``text`` of the paragraphs :func:`split_paragraphs` returns."""
    spans, pos = [], 0
    for para in split_paragraphs(text):
        start = text.find(para, pos)
        spans.append((start, start + len(para)))
        pos = start + len(para)
    return spans


def sentence_spans(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, paragraph number from 1)`` of every sentence, as offsets into ``text``.

    The one segmentation every analysis shares: paragraphs by :func:`split_paragraphs`, a heading
    paragraph (:func:`paragraph_kind`) is a single sentence, other paragraphs are split by
    :func:`split_sentences`. ``Corpus.sentences()`` yields exactly these sentences.
    """
    spans = []
    for k, (p_start, p_end) in enumerate(paragraph_spans(text), start=1):
        para = text[p_start:p_end]
        pos = 0
        for sent in [para] if paragraph_kind(para) == "heading" else split_sentences(para):
            s = para.find(sent, pos)
            spans.append((p_start + s, p_start + s + len(sent), k))
            pos = s + len(sent)
    return spans



def paragraph_table(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per paragraph of ``documents``: ``doc_id, paragraph (1-based), kind (heading|body),
    text`` (what :meth:`medialens.corpus.Corpus.paragraphs` returns, for any documents table)."""
    rows = [
        (doc_id, i, paragraph_kind(para), para)
        for doc_id, text in zip(documents["doc_id"], documents["text"], strict=True)
        for i, para in enumerate(split_paragraphs(text), start=1)
    ]
    return pd.DataFrame(rows, columns=["doc_id", "paragraph", "kind", "text"])


def sentence_table(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence of ``paragraphs`` (:func:`paragraph_table`): ``doc_id, paragraph,
    sentence (1-based within the document), text``; a heading paragraph is a single sentence
    (what :meth:`medialens.corpus.Corpus.sentences` returns, for any paragraph table)."""
    # a document's paragraphs together, documents in order of first appearance (as a groupby
    # without sorting), walked as plain lists: no pandas call per document
    codes, _ = pd.factorize(paragraphs["doc_id"])
    order = codes.argsort(kind="stable")
    columns = [paragraphs[col].to_numpy()[order].tolist() for col in ("doc_id", "paragraph", "kind", "text")]
    rows, previous, n = [], None, 0
    for doc_id, para, kind, text in zip(*columns, strict=True):
        if doc_id != previous:
            previous, n = doc_id, 0
        for sent in [text] if kind == "heading" else split_sentences(text):
            n += 1
            rows.append((doc_id, para, n, sent))
    return pd.DataFrame(rows, columns=["doc_id", "paragraph", "sentence", "text"])


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------
_APOS = "'’"
# Written for speed with the same matches as the plain form
#   (?<![\w']) ' [stn] (?:-\w+(?:[-']\w+)*)? (?!\w)  |  \d+(?:[.,]\d+)+  |  \w+(?:[-']\w+)*
# (' standing for both apostrophes, - for the three hyphens): the apostrophe is matched before
# the look-behind (which then spans two characters), so the look-behind runs only at apostrophes
# instead of at every position; the number and word branches have nothing after them that could
# make a shorter repetition succeed, so they are possessive (no backtracking).
TOKEN_PATTERN = re.compile(
    rf"""
    [{_APOS}](?<![\w{_APOS}][{_APOS}])[stn](?:-\w+(?:[-‐‑{_APOS}]\w+)*)?(?![\w])  # 's-Hertogenbosch, 't, 'n
    | \d++(?:[.,]\d++)++                                                             # 100.000, 2,5
    | \w++(?:[-‐‑{_APOS}]\w++)*+                                                     # Navo-topman, z’n, auto's
    """,
    re.VERBOSE,
)
_FOLDS = {"‐": "-", "‑": "-", "’": "'"}
_HYPHENS = str.maketrans(_FOLDS)


def fold_hyphens(text: str) -> str:
    """``text.translate(_HYPHENS)`` (the two Unicode hyphens as ``-``, ``’`` as ``'``), with
    ``str.replace``: several times faster than ``str.translate`` on long non-ASCII texts."""
    for char, folded in _FOLDS.items():
        if char in text:
            text = text.replace(char, folded)
    return text


_NUMERIC_RE = re.compile(r"^[\d.,]+$")


def _split_words(text: str) -> list[str]:
    """The word tokens of an already normalised ``text``, case kept (steps 2 of the module doc)."""
    if "\u2010" in text or "\u2011" in text:
        return [t.translate(_HYPHENS) for t in TOKEN_PATTERN.findall(text)]
    # ’ and ' are interchangeable everywhere in TOKEN_PATTERN: fold before, same tokens
    return TOKEN_PATTERN.findall(text.replace("’", "'"))


# Words and sentence ends in one scan (for the corpus word table): the word branches of
# TOKEN_PATTERN, then split_sentences' rule as two more branches, so that one findall over a
# paragraph returns its words with a marker (a string starting with . ! ? or …) where a sentence
# ends. A lone full stop ends a sentence unless the word before it (the run of word characters
# and dots) is an abbreviation or a single letter: written as negative look-behinds, with each
# letter's class holding every character whose lowercase is that letter (str.lower, as
# split_sentences compares). Same sentences as split_sentences (tested on random text).
def _letter_classes(letters: frozenset[str]) -> tuple[dict[str, str], str]:
    """For each of ``letters``, the regex class of the characters whose lowercase is that letter
    (as ``str.lower`` compares), and the class of the single letters (word characters whose
    lowercase is one letter). Exact over every code point, lowercased a block at a time (a block
    whose lowercase changes length, and a run whose lowercase is not all letters, goes character
    by character); lone surrogates are neither letters nor alphanumeric."""
    sources: dict[str, list[int]] = {letter: [] for letter in letters}
    singles: list[tuple[int, int]] = []  # [first, last] code point runs
    wanted = re.compile("[" + "".join(re.escape(c) for c in sorted(letters)) + "]")
    for start, block in _blocks():
        low = block.lower()
        if len(low) != len(block):
            _letter_classes_slowly(start, block, sources, singles)
            continue
        for m in wanted.finditer(low):
            sources[m.group()].append(start + m.start())
        for m in _ALNUM_RUN.finditer(block):  # re's \w is str.isalnum() or "_"
            if low[m.start():m.end()].isalpha():
                singles.append((start + m.start(), start + m.end() - 1))
            else:
                _letter_classes_slowly(start + m.start(), m.group(), {}, singles)
    classes = {k: "[" + "".join(re.escape(chr(c)) for c in sorted(v)) + "]" for k, v in sources.items()}
    return classes, "[" + "".join(_ranges(singles)) + "]"


_ALNUM_RUN = re.compile(r"[^\W_]+")


def _blocks(size: int = 0x1000):
    """Every code point but the surrogates, as (first code point, string) blocks in order."""
    for lo, hi in ((0, 0xD800), (0xE000, 0x110000)):
        text = np.arange(lo, hi, dtype="<u4").tobytes().decode("utf-32-le")
        for i in range(0, len(text), size):
            yield lo + i, text[i:i + size]


def _letter_classes_slowly(start: int, block: str, sources: dict[str, list[int]], singles: list) -> None:
    """:func:`_letter_classes` for one block, one character at a time."""
    for i, ch in enumerate(block):
        low = ch.lower()
        if len(low) != 1:
            continue
        if low in sources:
            sources[low].append(start + i)
        if ch.isalnum() and low.isalpha():
            singles.append((start + i, start + i))


def _ranges(runs: list[tuple[int, int]]) -> list[str]:
    """Code point runs ``(first, last)`` in order, adjacent runs joined, as regex class ranges."""
    merged: list[list[int]] = []
    for first, last in runs:
        if merged and first == merged[-1][1] + 1:
            merged[-1][1] = last
        else:
            merged.append([first, last])
    return [re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in merged]


def _sentence_end_pattern() -> str:
    lower_class, single_letters = _letter_classes(frozenset("".join(_ABBREVIATIONS)) - {"."})
    by_length: dict[int, list[str]] = {}
    for abbr in sorted(_ABBREVIATIONS):
        body = "".join(r"\." if ch == "." else lower_class[ch] for ch in abbr)
        by_length.setdefault(len(abbr), []).append(body)
    guards = "".join(rf"(?<!(?<![\w.])(?:{'|'.join(b)})\.)" for _, b in sorted(by_length.items()))
    guards += rf"(?<!(?<![\w.]){single_letters}\.)"
    after = r"""[”"’'»)\]]*\s+(?=(?:,,|[„“"‘'«(\[])?\s*[A-ZÀ-ÖØ-Þ0-9])"""
    # a lone '.' (guarded; a word of 6+ word characters or dots before it is never guarded),
    # or a run of two or more stops, or one of ! ? …
    return rf"\.(?![.!?…])(?:(?<=[\w.]{{6}}\.)|{guards}){after}|(?:[.!?…]{{2,}}|[!?…]){after}"


@lru_cache(maxsize=1)
def _words_and_ends() -> re.Pattern:
    """The compiled words-and-sentence-ends pattern, built on first use (about a fifth of a second: one
    block-wise pass over every code point), so that importing the package stays fast."""
    return re.compile(TOKEN_PATTERN.pattern + "|" + _sentence_end_pattern(), re.VERBOSE)
_END_CHARS = frozenset(".!?…")


def _segmented_words(text: str) -> list[str]:
    """The words of an already normalised ``text`` (case kept, ``’`` and hyphens *not* folded)
    with ``"\n"`` before every paragraph and a sentence-end marker (starting with ``. ! ?`` or
    ``…``) between sentences, as :func:`sentence_spans` segments: ``[“\n”, w, w, ".", w, "\n", w]``."""
    out: list[str] = []
    for para in split_paragraphs(text):
        out.append("\n")
        out += TOKEN_PATTERN.findall(para) if paragraph_kind(para) == "heading" else _words_and_ends().findall(para)
    return out


@lru_cache(maxsize=8)
def _stopword_list(language: str) -> frozenset[str]:
    if language == "nl":
        from stop_words import get_stop_words

        return frozenset(get_stop_words("dutch"))
    if language == "en":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS)
    raise ValueError(f"language = {language!r}: supported languages are {SUPPORTED_LANGUAGES}")


def stopwords(language: str, *, keep_negations: bool = True, extra: Iterable[str] = ()) -> frozenset[str]:
    """The stopword set used by the tokeniser for ``language`` (``"nl"`` or ``"en"``)."""
    words = set(_stopword_list(language)) | {w.lower() for w in extra}
    if keep_negations:
        words -= NEGATIONS[language]
    return frozenset(words)


@dataclass(frozen=True)
class TextSettings:
    """Tokeniser settings, shared by every analysis.

    Parameters
    ----------
    language : "nl" | "en"
        Chooses the stopword list, lemmatiser and stemmer.
    lowercase : bool
        Fold case (``NAVO``/``Navo`` → ``navo``). Default True.
    remove_stopwords : bool
        Remove the language's stopwords. Default True.
    keep_negations : bool
        Keep negation words (``niet``, ``geen``, ``nooit``; ``not``, ``no``, ``never``) even when
        removing stopwords. Default True.
    extra_stopwords : tuple of str
        More words to remove (compared after lowercasing).
    numbers : bool
        Keep purely numeric tokens (``2022``, ``100.000``). Default False.
    min_length : int
        Drop tokens shorter than this many characters. Default 2.
    reduce : "none" | "lemma" | "stem"
        Reduce words to lemmas (simplemma) or stems (Snowball ``dutch_porter``/``english``).
    """

    language: str = "nl"
    lowercase: bool = True
    remove_stopwords: bool = True
    keep_negations: bool = True
    extra_stopwords: tuple[str, ...] = field(default_factory=tuple)
    numbers: bool = False
    min_length: int = 2
    reduce: str = "none"

    def __post_init__(self) -> None:
        if self.language not in SUPPORTED_LANGUAGES:
            raise ValueError(
                f"language = {self.language!r}: supported languages are {SUPPORTED_LANGUAGES}"
            )
        if self.reduce not in ("none", "lemma", "stem"):
            raise ValueError(f"reduce = {self.reduce!r}: choose 'none', 'lemma' or 'stem'")
        if not isinstance(self.min_length, int) or isinstance(self.min_length, bool) or self.min_length < 1:
            raise ValueError(f"min_length = {self.min_length!r}: must be a whole number >= 1")
        for name in ("lowercase", "remove_stopwords", "keep_negations", "numbers"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} = {getattr(self, name)!r}: must be True or False")
        if isinstance(self.extra_stopwords, str) or not all(isinstance(w, str) for w in self.extra_stopwords):
            raise ValueError(f"extra_stopwords = {self.extra_stopwords!r}: give a list of words, e.g. ['navo']")
        object.__setattr__(self, "extra_stopwords", tuple(self.extra_stopwords))

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def for_corpus(cls, corpus_language: str, *, language: str = "auto", **options) -> TextSettings:
        """Settings from a notebook's parameters: ``language = "auto"`` takes the corpus
        definition's language (``corpus_language``); every other option is passed on."""
        return cls(language=corpus_language if language == "auto" else language, **options)


class Tokenizer:
    """Callable tokeniser: ``Tokenizer(settings)(text) -> list[str]``.

    Usable directly as scikit-learn's ``analyzer=`` so that TF-IDF sees the same tokens as every
    other analysis.
    """

    def __init__(self, settings: TextSettings | None = None, **kwargs) -> None:
        if settings is None:
            settings = TextSettings(**kwargs)
        elif kwargs:
            raise TypeError("pass either a TextSettings or keyword settings, not both")
        self.settings = settings
        self._stop = (
            stopwords(settings.language, keep_negations=settings.keep_negations, extra=settings.extra_stopwords)
            if settings.remove_stopwords
            else frozenset(w.lower() for w in settings.extra_stopwords)
        )
        self._reducer = _make_reducer(settings.language, settings.reduce)

    def __repr__(self) -> str:
        return f"Tokenizer({self.settings!r})"

    def words(self, text: str) -> list[str]:
        """All word tokens, normalised and (if set) lowercased, before any filtering."""
        toks = _split_words(normalise(text))
        if self.settings.lowercase:
            toks = list(map(str.lower, toks))
        return toks

    def filter(self, tokens: list[str]) -> list[str]:
        """Apply number, length and stopword filters, then lemma/stem reduction."""
        s = self.settings
        stop, min_length, numeric = self._stop, s.min_length, _NUMERIC_RE.match
        # _NUMERIC_RE needs a first character that is a decimal digit (\d is str.isdecimal), '.' or ','
        if s.lowercase:
            out = [t for t in tokens if len(t) >= min_length and t not in stop]
        else:
            out = [t for t in tokens if len(t) >= min_length and t.lower() not in stop]
        if not s.numbers:
            out = [t for t in out if not ((t[0].isdecimal() or t[0] in ".,") and numeric(t))]
        if self._reducer is not None:
            out = [self._reducer(t) for t in out]
        return out

    def __call__(self, text: str) -> list[str]:
        return self.filter(self.words(text))


def _make_reducer(language: str, reduce: str):
    if reduce == "none":
        return None
    if reduce == "lemma":
        import simplemma

        @lru_cache(maxsize=200_000)
        def lemma(token: str) -> str:
            # simplemma lemmatises the last part of a compound poorly; keep hyphenated words whole
            if "-" in token:
                return token
            return simplemma.lemmatize(token, lang=language)

        return lemma
    import Stemmer

    stemmer = Stemmer.Stemmer("dutch_porter" if language == "nl" else "english")

    @lru_cache(maxsize=200_000)
    def stem(token: str) -> str:
        if "-" in token:
            return "-".join(stemmer.stemWord(part) for part in token.split("-"))
        return stemmer.stemWord(token)

    return stem


def ngrams(tokens: list[str], n: int) -> list[str]:
    """Join runs of ``n`` consecutive tokens with a space (``n = 1`` returns the tokens)."""
    if n == 1:
        return list(tokens)
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
