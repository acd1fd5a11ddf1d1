"""Language detection on whole documents (lingua, restricted to a few candidate languages).

Short strings misdetect ("NAVO"), so only documents are detected, on their first 400 characters
(two or three sentences); documents with fewer than 20 letters in their first 200 characters get
``"und"`` (undetermined), and so do documents lingua cannot decide.

A cheap first pass decides the clear cases from common words before lingua:

* per candidate, the ``TOP_N`` most frequent words of ``wordfreq`` (alphabetic, two letters or
  more), keeping only the *distinctive* ones: at least ``TIMES`` times as frequent in that language
  as in every other candidate ("het", "niet" for Dutch; "the", "and" for English). See
  :func:`function_words`. Computed once per candidate set.
* the 400-character prefix is case-folded and split at white space, commas and full stops; per
  candidate, the number of *distinct* distinctive words is counted.
* the document is decided as language L only when L has at least ``MIN_WORDS`` such words, at
  least ``RATIO`` times (the runner-up's count + 1), at least ``COVERAGE`` of all the prefix's
  words and at least ``LETTER_COVERAGE`` of the letters of its distinct words. Every other
  document goes to lingua, in one ``detect_languages_in_parallel_of`` call. The "und" rule applies
  to both paths.

Below ``FIRST_PASS_FROM`` texts the first pass is skipped by default (reading the word lists costs
more than lingua spends on that many texts). If ``wordfreq`` has no list for one of the candidates
(it would silently use a related language: Afrikaans -> Dutch), every document goes to lingua.
How the thresholds were chosen and checked against lingua, with figures, is in
``benchmarks/README.md`` (``check_language.py``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import islice

__all__ = ["detect_languages", "function_words"]

_MIN_LETTERS = 20
_PREFIX = 400
_NOT_ASCII_LETTER = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))

#: How many of wordfreq's most frequent words per candidate are looked at.
TOP_N = 20000
#: A word is distinctive for a candidate when it is at least ten times as frequent there as in
#: every other candidate (100 centibel bins of wordfreq).
TIMES = 10
_TIMES_BINS = round(100 * math.log10(TIMES))
#: Distinct distinctive words the winning candidate needs at least.
MIN_WORDS = 10
#: ... and it needs at least this many times (runner-up + 1).
RATIO = 4
#: ... and they must be at least this share of the prefix's words.
COVERAGE = 0.45
#: ... and the winning candidate's words must hold at least this share of the prefix's letters
#: (ten short Dutch words between long German compounds are not Dutch text).
LETTER_COVERAGE = 0.3
#: Fewer texts than this go to lingua alone by default (the lists cost more than they save).
FIRST_PASS_FROM = 2000


def _codes(candidates: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(candidates)))


@lru_cache(maxsize=4)
def _detector(codes: tuple[str, ...]):
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = []
    for code in codes:
        try:
            langs.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except AttributeError:
            raise ValueError(f"cleaning.languages: {code!r} is not an ISO 639-1 code lingua knows") from None
    if len(langs) < 2:
        raise ValueError("cleaning.languages: name at least two candidate languages")
    return LanguageDetectorBuilder.from_languages(*langs).build()


@lru_cache(maxsize=4)
def _distinctive(codes: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...] | None:
    """(code, distinctive words) per candidate in code order, or None when wordfreq lacks one.

    wordfreq stores each language's words in bins of one centibel (bin i: frequency 10**(-i/100)),
    so "ten times as frequent" is "at least 100 bins earlier"."""
    from wordfreq import available_languages, get_frequency_list

    known = available_languages(wordlist="best")
    if any(code not in known for code in codes):  # wordfreq would silently use a related language
        return None
    bins = {code: get_frequency_list(code, wordlist="best") for code in codes}
    top: dict[str, list[tuple[int, str]]] = {}
    for code in codes:
        ranked = ((i, w) for i, words in enumerate(bins[code]) for w in words)
        top[code] = list(islice(ranked, TOP_N))
    reach = max(top[code][-1][0] for code in codes) + _TIMES_BINS
    where = {code: {w: i for i, words in enumerate(bins[code][:reach]) for w in words} for code in codes}
    out = []
    for code in codes:
        others = [where[o] for o in codes if o != code]
        words = frozenset(
            w
            for i, w in top[code]
            if w.isalpha() and len(w) >= 2 and w == w.casefold() and all(o.get(w, reach) >= i + _TIMES_BINS for o in others)
        )
        out.append((code, words))
    return tuple(out)


def function_words(candidates: list[str]) -> dict[str, list[str]]:
    """The distinctive common words the first pass counts, per candidate language.

    Parameters
    ----------
    candidates
        ISO 639-1 codes (``cleaning.languages``), at least two that lingua knows.

    Returns
    -------
    dict
        Candidate code -> its distinctive words, sorted (disjoint across candidates); empty
        when wordfreq has no list for some candidate (no first pass for that candidate set).
    """
    codes = _codes(candidates)
    _detector(codes)  # validates the codes, with the message naming cleaning.languages
    table = _distinctive(codes)
    if table is None:
        return {}
    return {code: sorted(words) for code, words in table}


def _words(prefix: str) -> list[str]:
    """The prefix's words as the first pass sees them: case-folded, split at white space, commas
    and full stops (other punctuation stays attached, so "(het" does not count)."""
    return prefix.casefold().replace(",", " ").replace(".", " ").split()


def _scores(prefix: str, table) -> tuple[str | None, int, int, int]:
    """(leading candidate, its count of distinct common words, the runner-up's count, words)."""
    words = _words(prefix)
    best = second = 0
    best_code = None
    for code, vocab in table:
        n = len(vocab.intersection(words))
        if n > best:
            best, second, best_code = n, best, code
        elif n > second:
            second = n
    return best_code, best, second, len(words)


def _decide(best: int, second: int, n_words: int) -> bool:
    """The first pass's rule (see the module notes for the thresholds)."""
    return best >= MIN_WORDS and best >= RATIO * (second + 1) and best >= COVERAGE * n_words


def _first_pass(prefixes: list[str], table) -> list[str | None]:
    """Language decided from common words, or None (send to lingua)."""
    out: list[str | None] = []
    for prefix in prefixes:
        words = _words(prefix)
        distinct = set(words)
        best = second = 0
        best_code, best_hits = None, ()
        for code, vocab in table:  # as _scores, keeping the winner's words for the letter share
            hits = vocab.intersection(distinct)
            if len(hits) > best:
                best, second, best_code, best_hits = len(hits), best, code, hits
            elif len(hits) > second:
                second = len(hits)
        decided = _decide(best, second, len(words)) and _letter_share(best_hits, distinct) >= LETTER_COVERAGE
        out.append(best_code if decided else None)
    return out


def _letter_share(hits, distinct) -> float:
    """Share of the letters of the prefix's distinct words that are in the winner's words."""
    total = sum(map(len, distinct))
    return sum(map(len, hits)) / total if total else 0.0


def detect_languages(texts: list[str], candidates: list[str], *, first_pass: bool | None = None) -> list[str]:
    """ISO 639-1 code per text (``"und"`` when too short or undecided).

    Parameters
    ----------
    texts
        Document texts; the first 400 characters of each are read.
    candidates
        ISO 639-1 codes of the candidate languages (``cleaning.languages``), at least two.
    first_pass
        Decide clear cases from common words before lingua. ``None`` (default): only for
        ``FIRST_PASS_FROM`` texts or more.

    Returns
    -------
    list of str
        One code per text, in input order: a candidate, or ``"und"`` when the first 200
        characters hold fewer than 20 letters or lingua cannot decide. The common-word first
        pass decides only where the evidence is overwhelming.
    """
    codes = _codes(candidates)
    detector = _detector(codes)
    prefixes = [t[:_PREFIX] for t in texts]
    if first_pass is None:
        first_pass = len(texts) >= FIRST_PASS_FROM
    table = _distinctive(codes) if first_pass else None
    fast = _first_pass(prefixes, table) if table is not None else [None] * len(prefixes)
    rest = [i for i, lang in enumerate(fast) if lang is None]
    results = detector.detect_languages_in_parallel_of([prefixes[i] for i in rest]) if rest else []
    langs: list[str | None] = list(fast)
    for i, lang in zip(rest, results, strict=True):
        langs[i] = None if lang is None else lang.iso_code_639_1.name.lower()
    return ["und" if lang is None or not _enough_letters(p[:200]) else lang for p, lang in zip(prefixes, langs, strict=True)]


def _enough_letters(start: str) -> bool:
    """At least 20 letters (``str.isalpha``) in ``start``. ASCII letters are counted first with a
    byte translation (fast); only when they fall short are all letters counted."""
    if len(start.encode("utf-8", "surrogatepass").translate(None, _NOT_ASCII_LETTER)) >= _MIN_LETTERS:
        return True
    return sum(map(str.isalpha, start)) >= _MIN_LETTERS


def _lingua_only(texts: list[str], candidates: list[str]) -> list[str]:
    """lingua alone on every text (the reference the first pass is checked against)."""
    detector = _detector(_codes(candidates))
    prefixes = [t[:_PREFIX] for t in texts]
    results = detector.detect_languages_in_parallel_of(prefixes)
    return [
        "und" if lang is None or sum(map(str.isalpha, p[:200])) < _MIN_LETTERS else lang.iso_code_639_1.name.lower()
        for p, lang in zip(prefixes, results, strict=True)
    ]
