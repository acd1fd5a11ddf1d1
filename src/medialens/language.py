"""Language detection on whole documents (lingua, restricted to a few candidate languages).

Short strings misdetect ("NAVO"), so only documents are detected, on their first 400 characters
(two or three sentences); documents with fewer than 20 letters in their first 200 characters get
``"und"`` (undetermined), and so do documents lingua cannot decide.

Why 400 and not the whole text: lingua's cost grows with the length it reads and it was the
slowest step of loading (10k synthetic articles: 5.0 s CPU at 1,000 characters, 2.3 s at 400).
With nl/en/de/fr as candidates the answer did not change: 400 versus 1,000 characters agreed on
all 9,944 synthetic articles, on all 5 seeds and on 65 windows of 400 characters taken every 200
characters through the seeds (all ``nl``), and 240 Dutch, German, French and English texts of
1,200 characters built from vim's message catalogues were all detected correctly at 200 to 1,000.

A cheap first pass (common words), then lingua
-----------------------------------------------
Even at 400 characters lingua costs about 1.7 CPU seconds per 10,000 articles. Most running
text settles its language in its common words, so a document is first looked at through them:

* per candidate, the ``TOP_N`` = 20,000 most frequent words of ``wordfreq`` (alphabetic, two
  letters or more), keeping only the *distinctive* ones: at least ``TIMES`` = 10 times as frequent
  in that language as in every other candidate ("het", "niet" for Dutch; "the", "and" for
  English; "und", "nicht" for German; "les", "pas" for French; "de", "in", "die", "en", "is",
  "was" belong to no one). See :func:`function_words`. Computed once per candidate set.
* the 400-character prefix (the one lingua reads) is case-folded and split at white space,
  commas and full stops; per candidate, the number of *distinct* distinctive words is counted.
* the document is decided as language L only when L has at least ``MIN_WORDS`` = 10 such words,
  at least ``RATIO`` = 4 times (the runner-up's count + 1), and at least ``COVERAGE`` = 45% of
  all the prefix's words (tokens, numbers and code included). Every other document goes to
  lingua exactly as before, in one ``detect_languages_in_parallel_of`` call. The "und" rule
  (fewer than 20 letters in the first 200 characters) applies to both paths.

Below ``FIRST_PASS_FROM`` = 2,000 texts the first pass is skipped by default: reading the
lists costs about 0.4 s once per process, what lingua spends on some 2,000 texts.

If ``wordfreq`` has no list for one of the candidates (it would silently use a related
language: Afrikaans -> Dutch), there is no first pass for that candidate set: every document
goes to lingua.

Why "ten times as frequent" and not "in no other candidate's list": wordfreq's lists of Dutch,
German and French contain English ("the" is the 150th Dutch word), so with lists long enough to
cover most of a text, plain list exclusion dropped every English function word, and "und",
"les", "het" too. With 100-word lists it keeps them, but then the first pass could decide only
70% of the synthetic articles, and 7 of its decisions on mixed texts disagreed with lingua.

Why these thresholds: ``benchmarks/check_language.py --sweep 20000`` counts, over 15,167 texts
(the seeds and 61 windows through them; 1,799 windows of vim's tutor and 3,230 of man pages in
nl/de/fr/en; 3,600 texts joined from gettext catalogues; 6,472 adversarial texts: English quotes
opening Dutch text, two-language cuts (of gettext texts and of tutor prose) and alternating
sentences, names and numbers, very short texts, Spanish, Italian, Portuguese, Swedish, Danish
and Polish) and 9,944 synthetic articles, how many first-pass decisions disagree with lingua.
Coverage is what separates: every disagreement is a mixed or technical text where the leading
language holds under 45% of the words while lingua reads the rest (German compounds, code) as
another language; lingua itself is erratic there (an English man page read as German, a French
one as English). At COVERAGE 0.45 no decision disagrees for any MIN_WORDS from 6 to 14 and RATIO
from 2 to 8; at 0.40 one to six do (e.g. 8 French words of 19, lingua says English). The margin
costs decisions on technical text (about 25% of man pages and tutor are decided), not on news:
97% of the seed windows (lowest coverage 0.41) and 98.6% of the synthetic articles are decided.
A review found one more kind: ten short Dutch function words between long German compounds hold
half the words but a tenth of the letters, and lingua says German. So the winning words must
also hold ``LETTER_COVERAGE`` = 0.3 of the letters of the prefix's distinct words (decided seed windows hold 0.40 or
more, synthetic articles 0.50 or more); the check script then still agrees on every set and
decides the same shares. These are agreements on the sets checked, not a proof: a text built to
fool the first pass can still get an answer lingua would not give.

What it gives (``benchmarks/check_language.py``; best of 3; load 1.5 to 2.5 from other jobs):

==================  ======  =====  ==========  ===============  ================
set                 n       agree  first pass  lingua wall/CPU  cascade wall/CPU
==================  ======  =====  ==========  ===============  ================
seeds; windows      5; 61   100%   100%; 97%
vim tutor, man      5,029   100%   11-46%
gettext texts       3,600   100%   18-27%
adversarial         6,472   100%   0-3%
synthetic 10k       9,944   100%   98.6%       1.35 / 1.62 s    0.12 / 0.12 s
synthetic 100k      99,484  100%   98.6%       15.6 / 15.9 s    1.23 / 1.21 s
==================  ======  =====  ==========  ===============  ================

Of the cascade's CPU time per 10k articles, the first pass is about 0.1 s and lingua on the 1.4%
left about 0.03 s; the word lists cost about 0.4 s once per process (reading wordfreq's lists).
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
#: ... and the winning candidate's words must hold at least this share of the prefix's letters:
#: ten short Dutch words between long German compounds are not Dutch text (lingua says German).
#: Decided news texts hold 0.40 or more (seed windows; synthetic articles 0.50 or more).
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
        ``FIRST_PASS_FROM`` = 2,000 texts or more, because reading wordfreq's lists once costs
        about 0.4 s, what lingua spends on some 2,000 texts. The answers agreed on every set checked.

    Returns
    -------
    list of str
        One code per text, in input order: a candidate, or ``"und"`` when the first 200
        characters hold fewer than 20 letters or lingua cannot decide. The answer is lingua's
        (the common-word first pass decides only where the evidence is overwhelming; see the
        module notes for how that was checked against lingua).
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
