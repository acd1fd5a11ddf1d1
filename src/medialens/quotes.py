"""Quotes and their speakers: who speaks in an article, and how much.

Two steps, both rule-based and transparent:

1. **Pairing quote marks** (:func:`find_quotes`). Dutch news uses several styles: ``,,…”`` (also
   closed by ``''`` or ``"``), ``„…”`` (or ``„…“``), ``“…”``, ``‘…’`` (often for short or partial
   quotes) and straight ``"…"``. An apostrophe inside a word (``z’n``, ``auto's``, ``Nato’s``) or
   an elided article (``'s-Hertogenbosch``, ``'t``) is not a quote mark. Quotes inside quotes are
   kept with ``depth = 1``. A mark that cannot be paired within its paragraph becomes a row in
   the warnings table with the document and character offset; it is never silently dropped.
2. **Attribution** (:func:`extract_quotes`, rules in :mod:`medialens.attribution`). Each quote
   gets a speaker (a name as written, with particles; the descriptor before it in ``role``), the
   rule that found it and a confidence: the precision that rule reached on the hand-annotated
   evaluation set (``tests/data/quotes/``), read from :data:`RULE_CONFIDENCE` (the table
   ``data/quote_rule_precision.csv``, rewritten by ``benchmarks/eval_quotes.py --write``). A
   rule the set has no measurement for gets the lowest measured precision. What to do with
   the confidence (a ``min_confidence`` threshold, the calibration table, a sample to check by
   hand) is in :mod:`medialens.quote_confidence`; its functions are importable from here too.
   Descriptions such as ``de Noor`` resolve through titles written beside a name earlier in the
   document or through the corpus's descriptor hints (``descriptor_hints`` of
   :func:`extract_quotes`, read from the corpus definition: the seeds map ``noor``/``noorse`` to
   Stoltenberg).

Indirect speech (no quote marks) is found for ``Volgens X …``, ``…, zei X.``, ``…, aldus X.``,
``X zei dat …`` (also ``ontkent``, ``eist``, ``waarschuwt`` … ``dat``) and ``Dat zei X`` (which attributes the previous sentence), with ``kind =
"indirect"``. Quotes are not the outlet's own voice: share of voice says whom an outlet lets speak,
not what it thinks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from . import progress
from .attribution import attribute
from .grouping import group_labels, group_order, is_placeholder
from .quote_confidence import (
    BELOW,
    RULE_CONFIDENCE,
    UNATTRIBUTED,
    confidence_key,
    confidence_levels,
    precision_table,
    rule_confidence,
    rule_sample,
    with_min_confidence,
)
from .results import Result
from .speakers import NameSignal, lowercase_words
from .text import normalise, paragraph_spans

__all__ = [
    "Quotes",
    "QUOTE_COLUMNS",
    "WARNING_COLUMNS",
    "QUOTE_LANGUAGES",
    "RULE_CONFIDENCE",
    "find_quotes",
    "extract_quotes",
    "share_of_voice",
    "rule_counts",
    "precision_table",
    "confidence_levels",
    "with_min_confidence",
    "attribution_counts",
    "rule_sample",
    "BELOW",
    "UNATTRIBUTED",
]

QUOTE_COLUMNS = [
    "doc_id", "outlet", "paragraph", "start", "end", "depth", "kind", "style",
    "speaker", "role", "rule", "reference", "confidence", "n_words", "text",
]
WARNING_COLUMNS = ["doc_id", "offset", "mark", "problem", "context"]
#: Languages whose quote verbs and attribution patterns the rules know (Dutch: ``zei X``,
#: ``aldus X``, ``volgens X``; English: ``said X``, ``X said``, ``X told``, ``according to X``,
#: ``he added``).
QUOTE_LANGUAGES = ("nl", "en")

@dataclass(frozen=True)
class Quotes(Result):
    """:func:`extract_quotes`: the quotes (``table``, :data:`QUOTE_COLUMNS`), notes on what was
    left without a speaker, and ``warnings`` (:data:`WARNING_COLUMNS`): every quote mark that could
    not be paired."""

    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WARNING_COLUMNS))


# --------------------------------------------------------------------------------------------
# 1. Pairing quote marks
# --------------------------------------------------------------------------------------------
# closing marks accepted for each opening style
_CLOSERS = {
    ",,": ("”", "''", '"', "“"),
    "„": ("”", "“", '"'),
    "“": ("”",),
    "‘": ("’",),
    '"': ('"',),
    "'": ("'",),
}
_MARK_RE = re.compile(r",,|''|[„“”‘’\"']")
_WORDCHAR = re.compile(r"\w")


def _is_word(ch: str) -> bool:
    return bool(ch) and bool(_WORDCHAR.match(ch))


def _classify(text: str, i: int, mark: str) -> str:
    """'open', 'close', 'both' (straight quotes), 'apostrophe' or 'none' for the mark at ``i``."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + len(mark)] if i + len(mark) < len(text) else ""
    if mark == ",,":
        # ,, opens a quote when followed by a non-space (",,We"); "a,,b" is not expected in prose
        return "open" if after and not after.isspace() else "none"
    if mark in ("„", "“", "‘"):
        if mark == "“" and after and (after.isspace() or after in ".,;:!?)") and before and not before.isspace():
            return "close"  # German-style closing “ after „
        return "open" if after and not after.isspace() else "none"
    if mark in ("’", "'"):
        if _is_word(before) and _is_word(after):
            return "apostrophe"  # z’n, auto's, Nato’s
        if mark == "'" and re.match(r"'[stn](?:-|\b)", text[i : i + 3]) and not _is_word(before):
            return "apostrophe"  # 's-Hertogenbosch, 't, 'n
        if mark == "’" and not _is_word(before) and re.match(r"’[stn](?:-|\b)", text[i : i + 3]):
            return "apostrophe"
        if mark == "'":
            if not _is_word(before) and after and not after.isspace():
                return "both"
            return "close" if before and not before.isspace() else "none"
        return "close" if before and not before.isspace() else "none"
    if mark == "''":
        return "close"
    if mark == "”":
        return "close"
    if mark == '"':
        open_ok = (not before or before.isspace() or before in "([") and after and not after.isspace()
        close_ok = before and not before.isspace()
        if open_ok and close_ok:
            return "both"
        return "open" if open_ok else ("close" if close_ok else "both")
    return "none"


@dataclass
class _Open:
    mark: str
    start: int  # offset of the mark


def find_quotes(text: str, *, doc_id: str = "") -> tuple[list[dict], list[dict]]:
    """Pair the quote marks in ``text`` paragraph by paragraph.

    Parameters
    ----------
    text : str
        A document's text (normalised by :func:`medialens.text.normalise`).
    doc_id : str
        Written into every warning.

    Returns
    -------
    (quotes, warnings) : two lists of dicts
        A quote has ``start``/``end`` (offsets of the text between the marks), ``open``/``close``
        (the marks), ``depth`` (0 outermost) and ``text``; a warning has ``doc_id``, ``offset``,
        ``mark``, ``problem`` and ``context``.
    """
    quotes: list[dict] = []
    warnings: list[dict] = []
    for p_start, p_end in paragraph_spans(text):
        stack: list[_Open] = []
        para = text[p_start:p_end]
        for m in _MARK_RE.finditer(para):
            mark, i = m.group(), p_start + m.start()
            kind = _classify(text, i, mark)
            if kind in ("none", "apostrophe"):
                continue
            if kind in ("close", "both"):
                idx = next((k for k in range(len(stack) - 1, -1, -1) if mark in _CLOSERS[stack[k].mark]), None)
                if idx is not None and (kind == "close" or stack[idx].mark in ('"', "'") or idx == len(stack) - 1):
                    for dangling in stack[idx + 1 :]:
                        warnings.append(_warning(doc_id, text, dangling.start, dangling.mark, "opening mark never closed"))
                    op = stack[idx]
                    del stack[idx:]
                    q_start, q_end = op.start + len(op.mark), i
                    quotes.append(
                        {"start": q_start, "end": q_end, "open": op.mark, "close": mark, "depth": len(stack),
                         "text": text[q_start:q_end].strip()}
                    )
                    continue
                if kind == "close":
                    if mark != "’":  # a lone ’ is an apostrophe (Kees’ fiets), not a problem
                        warnings.append(_warning(doc_id, text, i, mark, "closing mark without an opening one"))
                    continue
            stack.append(_Open(mark, i))
        for dangling in stack:
            warnings.append(_warning(doc_id, text, dangling.start, dangling.mark, "opening mark never closed"))
    quotes.sort(key=lambda q: (q["start"], -q["end"]))
    return quotes, warnings


def _warning(doc_id: str, text: str, offset: int, mark: str, problem: str) -> dict:
    ctx = text[max(0, offset - 30) : offset + 30].replace("\n", " ")
    return {"doc_id": doc_id, "offset": offset, "mark": mark, "problem": problem, "context": ctx}


# --------------------------------------------------------------------------------------------
# 2. Attribution (the rules live in medialens.attribution)
# --------------------------------------------------------------------------------------------
def _row(doc_id, outlet, r: dict) -> dict:
    speaker, rule = r["speaker"], r["rule"]
    if not speaker:
        conf = 0.0
    elif rule == "nested":
        conf = None
    elif speaker.startswith("(unresolved"):
        conf = 0.0
    else:
        conf = rule_confidence(confidence_key(rule, r.get("reference", "")))
    return {
        "doc_id": doc_id, "outlet": outlet, "paragraph": r["paragraph"], "start": r["start"], "end": r["end"],
        "depth": r["depth"], "kind": r["kind"], "style": r["style"],
        "speaker": speaker if speaker else UNATTRIBUTED,
        "role": r.get("role") or "",
        "rule": rule if speaker else "unattributed",
        "reference": (r.get("reference") or "") if speaker else "",
        "confidence": conf,
        "n_words": len(r["text"].split()), "text": " ".join(r["text"].split()),
    }



def extract_quotes(
    documents: pd.DataFrame, *, descriptor_hints: Mapping[str, str] | None = None, language: str | None = None
) -> Quotes:
    """Every quote in ``documents`` with its speaker, rule and confidence.

    Parameters
    ----------
    documents : DataFrame
        Needs ``doc_id`` and ``text``; the ``outlet`` column, when present, is copied into the
        quotes' ``outlet`` column (other document columns are joined by :func:`share_of_voice`).
    language : str, optional
        The documents' language (the analysis language). The attribution rules know Dutch and
        English (:data:`QUOTE_LANGUAGES`); both sets are always active, since a Dutch article can
        quote an English sentence and the other way round (precision per language on the
        evaluation set: ``benchmarks/eval_quotes.py``). Another language is a ``ValueError``
        naming ``language``. Default: not checked.
    descriptor_hints : mapping of str to str, optional
        Description word (lowercase) -> the surname it names, for descriptions no title in the text
        explains (``de Noor`` -> ``Stoltenberg``). Corpus knowledge: pass the corpus definition's
        ``quotes.descriptor_hints``. Default: none.

    Returns
    -------
    Quotes
        ``table`` has :data:`QUOTE_COLUMNS` (``kind`` is ``direct``, ``nested`` or
        ``indirect``; offsets are into the normalised document text), sorted by document and
        offset; ``warnings`` has :data:`WARNING_COLUMNS`: every quote mark that could not be
        paired; ``notes`` say how many quotes have no speaker and how many marks were unpaired.
    """
    for col in ("doc_id", "text"):
        if col not in documents.columns:
            raise ValueError(f"documents: missing column {col!r}; columns: {sorted(map(str, documents.columns))}")
    if language is not None and language not in QUOTE_LANGUAGES:
        raise ValueError(f"language = {language!r}: the quote attribution rules know {', '.join(QUOTE_LANGUAGES)} only")
    hints = _check_hints(descriptor_hints)
    texts = [normalise(t) if isinstance(t, str) else "" for t in documents["text"]]
    outlets = documents["outlet"].tolist() if "outlet" in documents.columns else [None] * len(documents)
    signal = NameSignal(lowercase_words(texts))
    rows, warns = [], []
    for doc_id, outlet, text in progress.bar(zip(documents["doc_id"], outlets, texts, strict=True), desc="quotes", total=len(texts), unit="doc"):
        raw, w = find_quotes(text, doc_id=str(doc_id))
        rows += [_row(str(doc_id), outlet, r) for r in attribute(text, raw, signal, hints)]
        warns += w
    quotes = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    quotes = quotes.sort_values(["doc_id", "start", "depth", "end"], kind="stable").reset_index(drop=True)
    quotes["confidence"] = quotes["confidence"].astype(float)
    warnings = pd.DataFrame(warns, columns=WARNING_COLUMNS).sort_values(["doc_id", "offset"], kind="stable")
    return Quotes(quotes, _notes(quotes, warnings), warnings.reset_index(drop=True))


def _notes(quotes: pd.DataFrame, warnings: pd.DataFrame) -> tuple[str, ...]:
    """Plain sentences on what :func:`extract_quotes` could not do: quotes without a speaker and
    quote marks without a partner."""
    notes = []
    q = quotes[quotes["kind"] != "nested"]
    none = int((q["confidence"] == 0).sum())
    if none:
        notes.append(f"{none} of {len(q)} quotes have no speaker: no rule applied, or a pronoun or description "
                     "could not be resolved (speaker '(unattributed)' or '(unresolved: …)').")
    if len(warnings):
        notes.append(f"{len(warnings)} quote mark(s) could not be paired within their paragraph (see warnings).")
    split = _split_speakers(q)
    if split:
        notes.append("Counted apart, possibly one person: " + "; ".join(split) + ". A surname alone is given the full "
                     "name only when its own document writes it (in another document the surname can be someone "
                     "else's): join them by hand if they are one person.")
    return tuple(notes)


def _split_speakers(quotes: pd.DataFrame, *, limit: int = 10) -> list[str]:
    """Speakers named by a surname alone (``Warren``) beside a speaker whose full name ends with it
    (``Elizabeth Warren``, :func:`medialens.speakers.surname_owners`): share of voice counts them
    apart, since attribution resolves a surname only within its document. At most ``limit`` are
    listed (the most quoted first), then how many more; quotes at every confidence are counted."""
    from .speakers import surname_owners

    named = quotes[~quotes["speaker"].map(is_placeholder).astype(bool)]
    if named.empty:
        return []
    per = named.groupby(named["speaker"].astype(str)).agg(quotes=("doc_id", "size"), documents=("doc_id", "nunique"))
    by_last: dict[str, list[str]] = {}  # full names by their last word: the only owners a surname can have
    for speaker in per.index:
        words = speaker.split()
        if len(words) >= 2:
            by_last.setdefault(words[-1].casefold(), []).append(speaker)
    found = []
    for speaker, n_quotes, n_docs in zip(per.index, per["quotes"], per["documents"], strict=True):
        words = speaker.split()
        candidates = [f for f in by_last.get(words[-1].casefold(), ()) if f != speaker] if words else []
        owners = surname_owners(speaker, candidates) if candidates else []
        if owners:
            found.append((-int(n_quotes), speaker, f"{speaker!r} ({n_quotes} quote(s) in {n_docs} document(s)) and "
                          + " or ".join(repr(o) for o in owners)))
    found.sort()
    listed = [text for _, _, text in found[:limit]]
    if len(found) > limit:
        listed.append(f"{len(found) - limit} more such surname(s)")
    return listed


def _check_hints(hints: Mapping[str, str] | None) -> dict[str, str]:
    if hints is None:
        return {}
    if not isinstance(hints, Mapping) or not all(isinstance(k, str) and isinstance(v, str) and k and v for k, v in hints.items()):
        raise ValueError(f"descriptor_hints = {hints!r}: give a mapping of description word -> surname, e.g. {{'noor': 'Stoltenberg'}}")
    return {k.lower(): v for k, v in hints.items()}


def rule_counts(quotes: pd.DataFrame) -> pd.DataFrame:
    """How many quotes each attribution rule resolved, with the rule's confidence.

    Parameters
    ----------
    quotes : DataFrame
        From :func:`extract_quotes`. Nested quotes are left out (they are part of their outer
        quote, which carries the attribution).

    Returns
    -------
    DataFrame
        ``rule, confidence, quotes``, sorted by confidence (highest first), then rule.
    """
    need = [c for c in ("kind", "rule", "confidence") if c not in quotes.columns]
    if need:
        raise ValueError(f"quotes: missing column(s) {need}; make the table with extract_quotes")
    q = quotes[quotes["kind"] != "nested"]
    out = q.groupby(["rule", "confidence"], dropna=False).size().rename("quotes").reset_index()
    return out.sort_values(["confidence", "rule"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _with_group(quotes: pd.DataFrame, group_by: str, documents: pd.DataFrame | None) -> pd.DataFrame:
    """``quotes`` with the ``group_by`` column (joined from ``documents`` on ``doc_id`` when the
    quotes lack it)."""
    if group_by not in quotes.columns and documents is not None and group_by in documents.columns and group_by != "text":
        meta = documents[["doc_id", group_by]].astype({"doc_id": str})
        if meta["doc_id"].duplicated().any():
            raise ValueError("documents: doc_id values repeat; cannot join a document column onto the quotes")
        quotes = quotes.assign(doc_id=quotes["doc_id"].astype(str)).merge(meta, on="doc_id", how="left", validate="many_to_one")
    if group_by not in quotes.columns:
        where = "of the quotes table" + (" or the documents" if documents is not None else "")
        raise ValueError(f"group_by = {group_by!r}: not a column {where}; columns: {list(quotes.columns)}")
    return quotes


def share_of_voice(
    quotes: pd.DataFrame,
    *,
    group_by: str = "outlet",
    kinds: list[str] | None = None,
    documents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Quotes and quoted words per speaker within each group of ``group_by``.

    Parameters
    ----------
    quotes : DataFrame
        From :func:`extract_quotes`.
    group_by : str
        Grouping column (``outlet``, any column of ``quotes``, or with ``documents`` any document
        column such as ``month``).
    kinds : list of str
        Which kinds count (default ``["direct", "indirect"]``; nested quotes are part of their
        outer quote already).
    documents : DataFrame, optional
        The corpus documents: a ``group_by`` column the quotes lack is taken from the quote's document
        (joined on ``doc_id``, one row per document).

    Returns
    -------
    DataFrame
        ``<group_by>, speaker, quotes, documents, words, share_of_quotes, share_of_words,
        n_quotes_group`` (``documents``: the documents the speaker's quotes in the group come from),
        sorted by group (:func:`medialens.grouping.group_order`, ``(missing)`` last), then quoted
        words (descending), then speaker.
    """
    quotes = _with_group(quotes, group_by, documents)
    kinds = kinds or ["direct", "indirect"]
    q = quotes[quotes["kind"].isin(kinds)]
    q = q.assign(**{group_by: group_labels(q, group_by)})
    out = q.groupby([group_by, "speaker"]).agg(quotes=("text", "size"), documents=("doc_id", "nunique"),
                                              words=("n_words", "sum")).reset_index()
    tot = out.groupby(group_by)[["quotes", "words"]].transform("sum")
    out["share_of_quotes"] = (out["quotes"] / tot["quotes"]).round(3)
    out["share_of_words"] = (out["words"] / tot["words"]).round(3)
    out["n_quotes_group"] = tot["quotes"]
    rank = out[group_by].map({g: i for i, g in enumerate(group_order(out[group_by]))})
    order = out.assign(_rank=rank).sort_values(["_rank", "words", "speaker"], ascending=[True, False, True], kind="stable").index
    return out.loc[order].reset_index(drop=True)


def attribution_counts(quotes: pd.DataFrame, *, group_by: str = "outlet", documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per group: how many quotes have a speaker used, below ``min_confidence`` or none.

    Parameters
    ----------
    quotes : DataFrame
        From :func:`with_min_confidence` (``.table``; it has the ``attribution`` column).
    group_by : str
        Grouping column of the quotes, or with ``documents`` any document column.
    documents : DataFrame, optional
        The corpus documents, for a ``group_by`` column the quotes lack.

    Returns
    -------
    DataFrame
        ``<group_by>, quotes, used, below_min_confidence, unattributed, share_used`` (direct and
        indirect quotes), in :func:`medialens.grouping.group_order`.
    """
    if "attribution" not in quotes.columns:
        raise ValueError("quotes: no 'attribution' column; pass with_min_confidence(quotes, min_confidence).table")
    q = _with_group(quotes[quotes["kind"] != "nested"], group_by, documents)
    q = q.assign(**{group_by: group_labels(q, group_by)})
    out = pd.crosstab(q[group_by], q["attribution"]).reindex(
        columns=["used", "below min_confidence", "unattributed"], fill_value=0)
    out = out.rename(columns={"below min_confidence": "below_min_confidence"})
    out.insert(0, "quotes", out.sum(axis=1))
    out["share_used"] = (out["used"] / out["quotes"]).round(3)
    out = out.reindex(group_order(out.index)).reset_index()
    out.columns.name = None
    return out
