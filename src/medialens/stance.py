"""Stance toward targets by lexicon polarity: target mentions, their contexts' polarity, and the
group × target table with bootstrap intervals.

* **Targets** are named by alias lists (``{"NAVO": ["NAVO", "Navo", "bondgenootschap", ...]}``) and
  found on the tokens of the shared tokeniser (:mod:`medialens.text`, with stopwords *off* so that
  ``niet``/``geen``/``nooit`` stay visible). A single-word alias also matches as a part of a
  hyphenated compound (``Navo-topman`` mentions NAVO). The context of a mention is its sentence
  (:func:`medialens.text.sentence_spans`) or ``window`` tokens either side.
* **Polarity** of a context comes from a lexicon (:mod:`medialens.lexicon`).
* **The table** gives the mean polarity per group × target with a bootstrap interval over
  documents (or mentions), how many documents and mentions it rests on, and how many mentions had
  any lexicon word at all. Evidence counts documents: a cell needs ``min_n`` documents.

Words that separate groups are in :mod:`medialens.log_odds`; the classifier for hand-coded units
in :mod:`medialens.coding`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import validate
from .grouping import NOT_QUOTED, group_labels, group_order, is_placeholder
from .lexicon import Lexicon, score_tokens, scoring_settings
from .results import INSUFFICIENT, NO_SCORED_WORDS
from .text import TextSettings, Tokenizer, fold_hyphens, normalise, sentence_spans

__all__ = [
    "DEFAULT_TARGETS",
    "MENTION_COLUMNS",
    "find_mentions",
    "mention_summary",
    "RESAMPLE",
    "bootstrap_mean",
    "check_evidence",
    "enough_evidence",
    "stance_table",
]


#: Default targets for the seed corpus (NATO, Russia, Ukraine, the no-fly zone) with their aliases.
DEFAULT_TARGETS: dict[str, list[str]] = {
    "NAVO": ["NAVO", "Navo", "NATO", "bondgenootschap", "alliantie"],
    "Rusland": ["Rusland", "Ruslands", "Moskou", "Kremlin", "Poetin", "Poetins"],
    "Oekraïne": ["Oekraïne", "Kyiv", "Kiev", "Zelensky", "Zelenski"],
    "no-flyzone": ["no-flyzone", "no-fly-zone", "vliegverbod"],
}


# --------------------------------------------------------------------------------------------
# Target mentions
# --------------------------------------------------------------------------------------------
MENTION_COLUMNS = [
    "doc_id", "sentence", "target", "alias", "position", "speaker", "in_quote", "attribution",
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
    lexicon: Lexicon | None,
    window: int | str = "sentence",
    settings: TextSettings | None = None,
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
    lexicon : Lexicon or None
        Scores each context; ``None`` (no lexicon for the language): mentions are found, their
        ``polarity`` is NaN and the lexicon counts are 0.
    window : "sentence" or int
        The mention's sentence, or this many tokens either side (within the document).
    settings : TextSettings, optional
        The analysis settings; mentions are found and scored on the words of
        :func:`medialens.lexicon.scoring_settings` of them (every word kept, no reduction).
    quotes : DataFrame, optional
        From :func:`medialens.quotes.extract_quotes`: mentions inside a direct quote (or an
        indirect-speech sentence) get that quote's speaker; others ``(not quoted)``. A mention
        that names the speaker of a quote in the quote's own sentence (``…, said Rishi Sunak``,
        ``According to Rishi Sunak, …``) is the quote's attribution, not talk about the speaker:
        its ``attribution`` is True, and :func:`stance_table` leaves it out.
    on_missing : "raise" | "keep"
        What to do with a target none of whose aliases occurs.

    Returns
    -------
    DataFrame with :data:`MENTION_COLUMNS`, sorted by document, position and target. With
    ``window = "sentence"`` a sentence counts once per target (and speaker), however often it
    names the target: the sentence is the unit scored (a mention that is talk about the target
    first, an attribution only when the sentence holds no other mention).
    """
    targets = _check_targets(targets)
    if window != "sentence" and (isinstance(window, bool) or not isinstance(window, int) or window < 1):
        raise ValueError(f"window = {window!r}: use 'sentence' or a whole number of tokens >= 1")
    validate.choice(on_missing, "on_missing", ("raise", "keep"))
    validate.whole_number(negation_window, "negation_window", minimum=0)
    validate.number(negation_factor, "negation_factor")
    validate.frame(documents, "documents", columns=("doc_id", "text"), what="the corpus document table")
    tok = Tokenizer(scoring_settings(settings))
    alias_map = _alias_map(targets, tok)
    single = {k[0]: v for k, v in alias_map.items() if len(k) == 1}
    multi = sorted((k for k in alias_map if len(k) > 1), key=len, reverse=True)
    spans_by_doc = _quote_spans(quotes)
    tags_by_doc = _speaker_spans(quotes, tok)
    rows = []
    first_tokens = sorted({k[0] for k in alias_map})
    for doc_id, text in zip(documents["doc_id"].astype(str), documents["text"], strict=True):
        text = normalise(text) if isinstance(text, str) else ""
        # fast path: a document in which no alias occurs even as a substring has no mentions
        low = fold_hyphens(text).lower()
        if not any(a in low for a in first_tokens):
            continue
        doc = _document_tokens(text, sorted(spans_by_doc.get(doc_id, [])), tok)
        named = _speakers_by_sentence(text, tags_by_doc.get(doc_id, []))
        for i, length, hit in _hits(doc[0], alias_map, single, multi):
            row = _mention(doc_id, *doc, i, length, hit, window, lexicon, negation_window, negation_factor)
            words = set(doc[0][i : i + length]) - {""}
            row["attribution"] = not row["in_quote"] and any(words <= who for who in named.get(row["sentence"], ()))
            rows.append(row)
    out = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    out["attribution"] = out["attribution"].astype(bool)
    if window == "sentence":  # one context per sentence, target and speaker: a sentence is one unit
        out = out.sort_values("attribution", kind="stable").drop_duplicates(["doc_id", "sentence", "target", "speaker"], keep="first")
    missing = [t for t in targets if t not in set(out["target"])]
    if missing and on_missing == "raise":
        detail = "; ".join(f"{t!r} (aliases {targets[t]})" for t in missing)
        raise ValueError(
            f"targets: {detail} never occur(s) in the {len(documents)} documents; check the spelling, "
            "add aliases, or remove the target"
        )
    return out.sort_values(["doc_id", "position", "target"], kind="stable").reset_index(drop=True)


def _alias_map(targets: dict[str, list[str]], tok: Tokenizer) -> dict[tuple[str, ...], tuple[str, str]]:
    """Alias words (as the tokeniser splits them) -> (target, alias as written); first alias wins."""
    alias_map: dict[tuple[str, ...], tuple[str, str]] = {}
    for name, aliases in targets.items():
        for a in aliases:
            key = tuple(tok.words(a))
            if not key:
                raise ValueError(f"targets[{name!r}]: alias {a!r} has no word characters")
            alias_map.setdefault(key, (name, a))
    return alias_map


def _quote_spans(quotes: pd.DataFrame | None) -> dict[str, list[tuple[int, int, str, str]]]:
    """Per document: ``(start, end, speaker, kind)`` of its outer direct quotes and indirect speech."""
    spans_by_doc: dict[str, list[tuple[int, int, str, str]]] = {}
    if quotes is not None and len(quotes):
        q = quotes[((quotes["kind"] == "direct") & (quotes["depth"] == 0)) | (quotes["kind"] == "indirect")]
        for d, s, e, sp, k in zip(q["doc_id"], q["start"], q["end"], q["speaker"], q["kind"], strict=True):
            spans_by_doc.setdefault(str(d), []).append((int(s), int(e), str(sp), k))
    return spans_by_doc


def _speaker_spans(quotes: pd.DataFrame | None, tok: Tokenizer) -> dict[str, list[tuple[int, int, frozenset[str]]]]:
    """Per document: ``(start, end, speaker words)`` of its direct and indirect quotes whose tag
    names the speaker (``reference`` ``name``: ``…, said Rishi Sunak``; not a pronoun or a
    description resolved to a name, whose sentence may name the person otherwise, nor a
    placeholder such as ``(unattributed)`` or one below ``min_confidence``)."""
    out: dict[str, list[tuple[int, int, frozenset[str]]]] = {}
    if quotes is not None and len(quotes):
        q = quotes[quotes["kind"].isin(["direct", "indirect"]) & ~quotes["speaker"].map(is_placeholder)]
        if "reference" in q.columns:
            q = q[q["reference"].astype(str) == "name"]
        for d, s, e, sp in zip(q["doc_id"], q["start"], q["end"], q["speaker"], strict=True):
            words = frozenset(tok.words(str(sp)))
            if words:
                out.setdefault(str(d), []).append((int(s), int(e), words))
    return out


def _speakers_by_sentence(text: str, tags: list[tuple[int, int, frozenset[str]]]) -> dict[int, list[frozenset[str]]]:
    """Sentence number (as :func:`_document_tokens` counts them) -> the speaker words of the quotes
    in that sentence (the sentences a quote's span touches: its attribution is written there)."""
    if not tags:
        return {}
    out: dict[int, list[frozenset[str]]] = {}
    for k, (a, b, _) in enumerate(sentence_spans(text), start=1):
        for s, e, words in tags:
            if s < b and a < e:
                out.setdefault(k, []).append(words)
    return out


def _document_tokens(text: str, spans: list[tuple[int, int, str, str]], tok: Tokenizer):
    """The tokens of a whole document with, per token, its sentence number and (speaker,
    inside a direct quote); and each sentence's token range.

    Returns ``(tokens, sentence_of, who, sentence_bounds)``."""
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
            who += [((inside[0], inside[1] == "direct") if inside else (NOT_QUOTED, False))] * len(seg)
        sent_bounds[k] = (first, len(toks))
    return toks, sent_of, who, sent_bounds


def _hits(toks: list[str], alias_map: dict, single: dict, multi: list):
    """Yield ``(position, length, (target, alias))`` for every alias found in ``toks``, in order:
    the longest multiword alias first, then a single word, then the parts of a hyphenated
    compound (which may mention several targets: ``Navo-Rusland-raad``)."""
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
                for h in dict.fromkeys(single[p] for p in t.split("-") if p in single):
                    yield i, 1, h
                i += 1
                continue
        if hit is not None:
            yield i, length, hit
        i += length


def _mention(doc_id, toks, sent_of, who, sent_bounds, i, length, hit, window, lexicon, neg_w, neg_f) -> dict:
    if window == "sentence":
        lo, hi = sent_bounds[sent_of[i]]
    else:
        lo, hi = max(0, i - window), min(len(toks), i + length + window)
    ctx = toks[lo:hi]
    skip = set(range(i - lo, i - lo + length))
    score, n_lex, n_neg, n_guard = (float("nan"), 0, 0, 0) if lexicon is None else score_tokens(
        ctx, lexicon, skip=skip, negation_window=neg_w, negation_factor=neg_f, sentence_ids=sent_of[lo:hi]
    )
    speaker, in_quote = who[i]
    return {
        "doc_id": doc_id, "sentence": sent_of[i], "target": hit[0], "alias": toks[i] if length == 1 else " ".join(toks[i : i + length]),
        "position": i, "speaker": speaker, "in_quote": in_quote, "attribution": False, "polarity": score,
        "n_lexicon_words": n_lex, "n_negated": n_neg, "n_guarded": n_guard, "context_start": lo,
        "context": " ".join(ctx),
    }


def mention_summary(mentions: pd.DataFrame, *, targets: list[str] | None = None) -> pd.DataFrame:
    """Per target: mentions, documents, mentions inside quotes, mentions that are a quote's
    attribution (the speaker named in the tag: left out of :func:`stance_table`), mentions whose
    context holds a lexicon word (the others score 0.0 for lack of evidence, not for neutrality).

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
        Indexed by ``target``: ``mentions, documents, inside_quotes, attributions,
        with_lexicon_words`` (``attributions`` is 0 for a table without that column).
    """
    need = [c for c in ("doc_id", "target", "in_quote", "n_lexicon_words") if c not in mentions.columns]
    if need:
        raise ValueError(f"mentions: missing column(s) {need}; make the table with find_mentions")
    if "attribution" not in mentions.columns:
        mentions = mentions.assign(attribution=False)
    out = mentions.groupby("target").agg(
        mentions=("doc_id", "size"),
        documents=("doc_id", "nunique"),
        inside_quotes=("in_quote", "sum"),
        attributions=("attribution", "sum"),
        with_lexicon_words=("n_lexicon_words", lambda s: int((s > 0).sum())),
    ).astype(int)
    if targets is not None:
        out = out.reindex(pd.Index(list(targets), name="target"), fill_value=0)
    return out


# --------------------------------------------------------------------------------------------
# Group × target table with bootstrap intervals
# --------------------------------------------------------------------------------------------
def _check_bootstrap(n_bootstrap, random_state) -> None:
    validate.whole_number(n_bootstrap, "n_bootstrap", minimum=100)
    validate.whole_number(random_state, "random_state", minimum=0)


RESAMPLE = ("documents", "mentions")

_BLOCK = 4_000_000  # bootstrap draws are made in blocks of about this many numbers


def bootstrap_mean(
    values, *, clusters=None, n_bootstrap: int = 2000, random_state: int = 0, ci: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values``, reproducible for a fixed
    ``random_state``.

    Parameters
    ----------
    values : sequence of float
    clusters : sequence, optional
        One label per value (e.g. its ``doc_id``): whole clusters are resampled with replacement
        (the mean of all values of the drawn clusters), so values from one document stay together.
        Without it the values themselves are resampled.
    n_bootstrap, random_state : int
        Resamples (>= 100) and the seed.
    ci : float
        Coverage (default 0.95).

    Returns
    -------
    (low, high)
        NaN, NaN for no values.
    """
    _check_bootstrap(n_bootstrap, random_state)
    ci = validate.share(ci, "ci")
    x = np.asarray(values, dtype=float)
    if clusters is not None and len(clusters) != len(x):
        raise ValueError(f"clusters: {len(clusters)} labels for {len(x)} values")
    if len(x) == 0:
        return float("nan"), float("nan")
    if clusters is None:
        sums, sizes = x, np.ones(len(x))
    else:  # clusters in sorted order, as sorted(set(clusters)) lists them
        _, inverse = np.unique(np.asarray(clusters).astype(str), return_inverse=True)
        sums = np.bincount(inverse, weights=x)
        sizes = np.bincount(inverse).astype(float)
    rng = np.random.default_rng(random_state)
    k = len(sums)
    means = np.empty(n_bootstrap)
    step = max(1, _BLOCK // k)
    for first in range(0, n_bootstrap, step):  # one draw after another: blocks give the same numbers
        pick = rng.integers(0, k, size=(min(step, n_bootstrap - first), k))
        means[first : first + len(pick)] = sums[pick].sum(axis=1) / sizes[pick].sum(axis=1)
    lo, hi = np.quantile(means, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    return float(lo), float(hi)


def check_evidence(min_n, resample) -> None:
    """Check ``min_n`` (a whole number of documents >= 1) and ``resample`` (:data:`RESAMPLE`)."""
    validate.whole_number(min_n, "min_n", minimum=1)
    validate.choice(resample, "resample", RESAMPLE)


def enough_evidence(n_units: int, n_documents: int, *, min_n: int, resample: str) -> bool:
    """Whether a cell gets an estimate: at least ``min_n`` documents, at least two units (one value
    has no interval) and, when documents are resampled, at least two documents."""
    return n_documents >= min_n and n_units >= 2 and (resample == "mentions" or n_documents >= 2)


def stance_table(
    mentions: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    group_by: str = "outlet",
    min_n: int = 5,
    n_bootstrap: int = 2000,
    random_state: int = 0,
    resample: str = "documents",
    targets: list[str] | None = None,
    attributions: bool = False,
) -> pd.DataFrame:
    """Mean polarity per group × target with a bootstrap 95% interval, n documents and n mentions.

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
        Cells whose mentions come from fewer documents get no mean and no interval (NaN:
        insufficient data): documents are the sampled units, and five mentions in one article
        are one article's view. A cell with a single mention never gets one (one value has no
        interval), nor, with ``resample="documents"``, a cell whose mentions all come from one
        document.
    n_bootstrap, random_state : int
        Bootstrap resamples and seed (each cell uses a generator seeded with ``random_state``).
    resample : "documents" | "mentions"
        Resample whole documents (default: honest about mentions in one article being alike) or
        single mentions (narrower intervals that treat every mention as independent).
    targets : list of str, optional
        Targets to show (default: those in ``mentions``), in this order.
    attributions : bool
        Keep the mentions that are a quote's attribution (``attribution`` column of
        :func:`find_mentions`: ``…, said Rishi Sunak``). Default False: the tag that names a
        speaker says nothing about how the text talks about them; :func:`mention_summary` counts
        them.

    Returns
    -------
    DataFrame
        ``group, target, n_documents, n_mentions, n_scored, mean, ci_low, ci_high, missing``
        (numbers rounded to 3) where ``n_scored`` counts the mentions whose context holds a lexicon
        word (in a scored cell the others count as 0.0). ``mean`` and the interval are NaN, and
        ``missing`` says why, for a cell with too few documents (``"insufficient data"``) and for
        one whose mentions hold no lexicon word at all (``"no scored words"``: no evaluative
        words, which is not "neutral"); ``missing`` is empty where there is a value.
        :func:`medialens.results.with_intervals` formats the intervals for display.
    """
    check_evidence(min_n, resample)
    _check_bootstrap(n_bootstrap, random_state)  # checked first, even when every cell is below min_n
    if not attributions and "attribution" in mentions.columns:
        mentions = mentions[~mentions["attribution"].astype(bool)]
    if group_by == "speaker":
        m = mentions.assign(group=group_labels(mentions, "speaker"))
        groups = group_order(m["group"])
    else:
        labels = group_labels(documents, group_by)
        by_doc = pd.Series(labels.to_numpy(), index=documents["doc_id"].astype(str))
        m = mentions.assign(group=mentions["doc_id"].astype(str).map(by_doc))
        groups = group_order(labels)
    targets = targets if targets is not None else sorted(set(mentions["target"]))
    cells = {key: cell for key, cell in m.groupby(["group", "target"], sort=False)}
    rows = []
    for g in groups:
        for t in targets:
            cell = cells.get((g, t), m.iloc[:0])
            n, nd = len(cell), cell["doc_id"].nunique()
            scored = int((cell["n_lexicon_words"] > 0).sum()) if "n_lexicon_words" in cell.columns else n
            if not enough_evidence(n, nd, min_n=min_n, resample=resample):
                rows.append((g, t, nd, n, scored, np.nan, np.nan, np.nan, INSUFFICIENT))
                continue
            if scored == 0:  # no lexicon word in any context: no evidence either way, not "neutral" 0.0
                rows.append((g, t, nd, n, scored, np.nan, np.nan, np.nan, NO_SCORED_WORDS))
                continue
            clusters = cell["doc_id"].astype(str).to_numpy() if resample == "documents" else None
            lo, hi = bootstrap_mean(cell["polarity"].to_numpy(), clusters=clusters, n_bootstrap=n_bootstrap, random_state=random_state)
            rows.append((g, t, nd, n, scored, round(float(cell["polarity"].mean()), 3), round(lo, 3), round(hi, 3), ""))
    return pd.DataFrame(rows, columns=["group", "target", "n_documents", "n_mentions", "n_scored", "mean", "ci_low", "ci_high", "missing"])
