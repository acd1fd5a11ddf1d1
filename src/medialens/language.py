"""Language detection on whole documents (lingua, restricted to a few candidate languages).

Short strings misdetect ("NAVO"), so only documents are detected, on their first 1,000
characters; documents with fewer than 20 letters get ``"und"`` (undetermined).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["detect_languages"]

_MIN_LETTERS = 20
_PREFIX = 1000


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


def detect_languages(texts: list[str], candidates: list[str]) -> list[str]:
    """ISO 639-1 code per text (``"und"`` when too short or undecided)."""
    detector = _detector(tuple(sorted(set(candidates))))
    prefixes = [t[:_PREFIX] for t in texts]
    results = detector.detect_languages_in_parallel_of(prefixes)
    out = []
    for text, lang in zip(prefixes, results, strict=True):
        if lang is None or sum(ch.isalpha() for ch in text[:200]) < _MIN_LETTERS:
            out.append("und")
        else:
            out.append(lang.iso_code_639_1.name.lower())
    return out
