"""How far to trust a quote's speaker: each rule's measured precision and what to do with it.

Every attribution rule of :mod:`medialens.attribution` was scored on the hand-annotated
evaluation set (``tests/data/quotes/``, by ``benchmarks/eval_quotes.py --write``); the result is
one table, ``data/quote_rule_precision.csv``: per rule (and reference kind) the attributions and
correct ones on the development passages, whose share correct is the rule's confidence, and the
same counts on held-out passages no rule or confidence was set on. From it:
:func:`confidence_levels` (what each ``min_confidence`` keeps, and how often it is right),
:func:`with_min_confidence` (speakers below a threshold set aside, with counts) and
:func:`rule_sample` (a seeded sample of attributions per rule, with their sentences, to check by
hand).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .grouping import (
    BELOW_MIN_CONFIDENCE as BELOW,  # the speaker below min_confidence (with_min_confidence)
)
from .grouping import UNATTRIBUTED  # the speaker of a quote with none
from .results import Result
from .text import normalise, sentence_spans
from .validate import frame, number, whole_number

__all__ = [
    "BELOW",
    "UNATTRIBUTED",
    "RULE_CONFIDENCE",
    "confidence_key",
    "rule_confidence",
    "precision_table",
    "confidence_levels",
    "with_min_confidence",
    "rule_sample",
    "SAMPLE_COLUMNS",
]

_PRECISION_TABLE = Path(__file__).parent / "data" / "quote_rule_precision.csv"
_TABLE_COLUMNS = ["rule", "attributed", "correct", "precision", "heldout_attributed", "heldout_correct"]
#: The columns of :func:`rule_sample`.
SAMPLE_COLUMNS = ["rule", "precision", "n_evaluated", "doc_id", "before", "sentence", "after", "speaker", "role"]


@lru_cache(maxsize=1)
def _precision_rows() -> tuple[dict, ...]:
    if not _PRECISION_TABLE.is_file():
        return ()
    with _PRECISION_TABLE.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def _load_confidence() -> dict[str, float]:
    return {r["rule"]: round(float(r["precision"]), 3) for r in _precision_rows() if r["precision"]}


#: Per rule: the precision measured on the evaluation set (``rule -> share correct``).
RULE_CONFIDENCE: dict[str, float] = dict(_load_confidence())


def precision_table() -> pd.DataFrame:
    """The stored evaluation of every rule (``data/quote_rule_precision.csv``).

    Returns
    -------
    DataFrame
        ``rule, attributed, correct, precision`` on the development set (the precision is the
        rule's confidence) and ``heldout_attributed, heldout_correct`` on the held-out set.
    """
    rows = [{c: r.get(c, "") for c in _TABLE_COLUMNS} for r in _precision_rows()]
    t = pd.DataFrame(rows, columns=_TABLE_COLUMNS).replace("", None)
    return t.astype({c: float for c in _TABLE_COLUMNS[1:]}).astype(
        {c: int for c in ("attributed", "correct", "heldout_attributed", "heldout_correct")})


def confidence_levels() -> pd.DataFrame:
    """What each ``min_confidence`` keeps on the evaluation set: the calibration table.

    Returns
    -------
    DataFrame
        One row per confidence level (highest first): ``confidence``, the ``rules`` at that level,
        and for attributions at or above it the development set's ``attributed``, ``correct``,
        ``share_correct`` and ``share_kept`` (of all its attributions), and the same
        ``heldout_attributed``, ``heldout_correct``, ``heldout_share_correct`` and
        ``heldout_share_kept`` for the held-out set (out-of-sample).
    """
    t = precision_table().dropna(subset=["precision"])
    t = t.assign(confidence=t["precision"].round(3))
    g = t.groupby("confidence").agg(
        rules=("rule", lambda r: ", ".join(sorted(r))), attributed=("attributed", "sum"), correct=("correct", "sum"),
        heldout_attributed=("heldout_attributed", "sum"), heldout_correct=("heldout_correct", "sum"),
    ).sort_index(ascending=False)
    cum = g[["attributed", "correct", "heldout_attributed", "heldout_correct"]].cumsum()
    out = pd.DataFrame({"confidence": g.index, "rules": g["rules"].to_numpy()})
    for pre in ("", "heldout_"):
        a, c = cum[f"{pre}attributed"].to_numpy(), cum[f"{pre}correct"].to_numpy()
        total = a[-1] if len(a) else 0
        out[f"{pre}attributed"], out[f"{pre}correct"] = a, c
        out[f"{pre}share_correct"] = [round(x / y, 3) if y else float("nan") for x, y in zip(c, a, strict=True)]
        out[f"{pre}share_kept"] = [round(y / total, 3) if total else float("nan") for y in a]
    return out.reset_index(drop=True)


def confidence_key(rule: str, reference: str) -> str:
    """The key of the precision table: the rule, with the reference kind when it was not a name
    (``zei X (pronoun)``)."""
    return f"{rule} ({reference})" if reference in ("pronoun", "description") else rule


def rule_confidence(rule: str) -> float:
    """The measured precision of ``rule``; the lowest measured one for a rule not in the table."""
    if rule in RULE_CONFIDENCE:
        return RULE_CONFIDENCE[rule]
    return min(RULE_CONFIDENCE.values(), default=0.5)


def _check_min_confidence(min_confidence) -> float:
    value = number(min_confidence, "min_confidence", minimum=0)
    if value > 1:
        raise ValueError(f"min_confidence = {min_confidence!r}: must be a number from 0 to 1, e.g. 0.9")
    return value


def with_min_confidence(quotes: pd.DataFrame, min_confidence: float) -> Result:
    """The quotes with only the attributions at or above ``min_confidence`` kept as speakers.

    Parameters
    ----------
    quotes : DataFrame
        From :func:`extract_quotes` (``.table``).
    min_confidence : float
        From 0 to 1: an attribution whose confidence (its rule's measured precision) is lower
        gets the speaker :data:`BELOW`; a quote without a speaker (unattributed, or an unresolved
        pronoun or description) gets :data:`UNATTRIBUTED`. Nested quotes follow their outer quote.

    Returns
    -------
    Result
        ``table``: the quotes with ``speaker`` replaced as above and an ``attribution`` column
        (``used``, ``below min_confidence`` or ``unattributed``); ``notes``: how many direct and
        indirect quotes fall in each.
    """
    threshold = _check_min_confidence(min_confidence)
    need = [c for c in ("kind", "start", "end", "speaker", "confidence", "doc_id") if c not in quotes.columns]
    if need:
        raise ValueError(f"quotes: missing column(s) {need}; make the table with extract_quotes")
    q = quotes.copy()
    none = (q["confidence"] == 0) | q["speaker"].astype(str).str.startswith(("(unattributed", "(unresolved"))
    status = pd.Series("used", index=q.index)
    status[~none & (q["confidence"] < threshold)] = "below min_confidence"
    status[none] = "unattributed"
    nested = q["kind"] == "nested"
    for i in q.index[nested]:  # a nested quote takes its outer quote's status
        outer = q[(q["doc_id"] == q.at[i, "doc_id"]) & (q["kind"] == "direct") & (q["start"] <= q.at[i, "start"])
                  & (q["end"] >= q.at[i, "end"]) & ~nested]
        status[i] = status[outer.index[-1]] if len(outer) else "unattributed"
    q["attribution"] = status
    q.loc[status == "below min_confidence", "speaker"] = BELOW
    q.loc[status == "unattributed", "speaker"] = UNATTRIBUTED
    counted = status[~nested]
    n = {k: int((counted == k).sum()) for k in ("used", "below min_confidence", "unattributed")}
    note = (f"Of {len(counted)} quotes (direct and indirect), {n['used']} are attributed at or above "
            f"min_confidence = {threshold:g}, {n['below min_confidence']} are attributed below it (speaker "
            f"'{BELOW}') and {n['unattributed']} have no speaker ('{UNATTRIBUTED}').")
    return Result(q, (note,))


def rule_sample(quotes: pd.DataFrame, documents: pd.DataFrame, *, per_rule: int = 3, random_state: int = 0,
                max_chars: int = 200) -> pd.DataFrame:
    """A seeded sample of attributions per rule, with the text a reader needs to check them.

    Parameters
    ----------
    quotes : DataFrame
        From :func:`extract_quotes` (``.table``); nested quotes are left out.
    documents : DataFrame
        The documents the quotes come from (``doc_id``, ``text``).
    per_rule : int
        Attributions drawn per rule (and reference kind); every one when a rule has fewer.
    random_state : int
        Seed of the draw.
    max_chars : int
        Longer sentences are cut to this many characters (with ``…``), at least 20.

    Returns
    -------
    DataFrame
        :data:`SAMPLE_COLUMNS`: the rule (with its reference kind when not a name), its measured
        precision and the number of evaluation attributions behind it, the document, the
        sentence before the quote, the quote's own sentence(s) and the sentence after (both
        within the paragraph; ``Dat zei X`` attributes the sentence before it), the speaker and
        role; sorted by precision (highest first), rule, document and offset.
    """
    whole_number(per_rule, "per_rule", minimum=1)
    whole_number(random_state, "random_state", minimum=0)
    whole_number(max_chars, "max_chars", minimum=20)
    frame(documents, "documents", columns=("doc_id", "text"), what="the corpus document table")
    q = quotes[quotes["kind"] != "nested"]
    q = q.assign(key=[confidence_key(r, f) for r, f in zip(q["rule"], q["reference"], strict=True)])
    drawn = pd.concat(
        [g.sample(n=min(per_rule, len(g)), random_state=random_state) for _, g in q.groupby("key", sort=True)]
        or [q.iloc[0:0]]
    )
    texts = {str(d): normalise(t) if isinstance(t, str) else "" for d, t in zip(documents["doc_id"], documents["text"], strict=True)}
    table = precision_table().set_index("rule")
    rows = []
    for r in drawn.itertuples(index=False):
        text = texts.get(str(r.doc_id), "")
        spans = sentence_spans(text)
        ks = [k for k, (a, b, _) in enumerate(spans) if a < r.end and r.start < b] or [0]
        k0 = ks[0]
        k1 = ks[-1]
        before = text[spans[k0 - 1][0] : spans[k0 - 1][1]] if k0 > 0 and spans[k0 - 1][2] == spans[k0][2] else ""
        after = text[spans[k1 + 1][0] : spans[k1 + 1][1]] if k1 + 1 < len(spans) and spans[k1 + 1][2] == spans[k1][2] else ""
        sentence = text[spans[k0][0] : spans[k1][1]] if spans else ""
        known = r.key in table.index
        rows.append({
            "rule": r.key, "precision": float(table.at[r.key, "precision"]) if known else float("nan"),
            "n_evaluated": int(table.at[r.key, "attributed"]) if known else 0, "doc_id": r.doc_id,
            "before": _cut(before, max_chars), "sentence": _cut(sentence, max_chars), "after": _cut(after, max_chars),
            "speaker": r.speaker, "role": r.role, "_start": r.start,
        })
    out = pd.DataFrame(rows, columns=[*SAMPLE_COLUMNS, "_start"])
    out = out.sort_values(["precision", "rule", "doc_id", "_start"], ascending=[False, True, True, True], kind="stable")
    return out.drop(columns="_start").reset_index(drop=True)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
