"""Scoring quote attribution against a hand-annotated evaluation set.

The set (``tests/data/quotes/``, format in its README) holds short documents with the true speaker
of every direct quote. :func:`score` runs :func:`medialens.quotes.extract_quotes` over them and
lines each gold quote up with the extracted quote that starts with the same words;
:func:`summary` and :func:`calibration` turn that into precision, recall and F1 overall, per
language and per rule, and the share correct at each confidence level. The per-rule precision is
what :mod:`medialens.quotes` uses as each rule's confidence (``data/quote_rule_precision.csv``,
rewritten by ``benchmarks/eval_quotes.py --write``).

The set has two parts: the development passages (``tests/data/quotes/*.txt``), on which the rules
were written and the confidences are measured, and held-out passages
(``tests/data/quotes/heldout/*.txt``), never used to set a rule or a confidence, whose figures
say how well both carry over to text the rules were not tuned on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .text import normalise, sentence_spans

__all__ = ["EvalDoc", "load_eval_set", "score", "summary", "calibration", "rule_precision", "seed_hints"]


def seed_hints() -> dict[str, str]:
    """The descriptor hints of the seed corpus definition (``corpus/seeds.yaml``)."""
    from .corpus import read_definition
    from .paths import resolve

    return dict(read_definition(resolve("corpus/seeds.yaml")).quotes["descriptor_hints"])

SCORE_COLUMNS = [
    "doc_id", "lang", "quote", "gold", "gold_role", "near", "found", "speaker", "role", "rule",
    "confidence", "attributed", "correct",
]


@dataclass
class EvalDoc:
    """One annotated document: its text and ``(quote start, speakers, role)`` per direct quote."""

    doc_id: str
    lang: str
    text: str
    gold: list[tuple[str, list[str], str]] = field(default_factory=list)
    source: str = ""


_HEAD_RE = re.compile(r"^=== (\S+) (nl|en)\s*$")


def load_eval_set(folder: str | Path) -> list[EvalDoc]:
    """Read every ``*.txt`` file of ``folder`` (sorted) into :class:`EvalDoc` objects.

    Raises ``ValueError`` naming file and line for a malformed header or gold line, a repeated
    document id, a document without its ``---`` line, or a gold quote start not in its text.
    """
    docs: list[EvalDoc] = []
    for path in sorted(Path(folder).glob("*.txt")):
        docs.extend(_read_file(path, {d.doc_id for d in docs}))
    for d in docs:
        flat = " ".join(d.text.split())
        for start, _, _ in d.gold:
            if start not in flat:
                raise ValueError(f"{d.source}: document {d.doc_id!r}: gold quote {start!r} is not in the text")
    return docs


def _read_file(path: Path, seen: set[str]) -> list[EvalDoc]:
    out: list[EvalDoc] = []
    lines: list[str] = []
    in_text = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path.name}, line {n}"
        if line.startswith("==="):
            if in_text:
                raise ValueError(f"{where}: document {out[-1].doc_id!r} has no '---' line after its text")
            m = _HEAD_RE.match(line)
            if not m:
                raise ValueError(f"{where}: a document header is '=== <id> <nl|en>', got {line!r}")
            if m.group(1) in seen:
                raise ValueError(f"{where}: document id {m.group(1)!r} repeats")
            seen.add(m.group(1))
            out.append(EvalDoc(m.group(1), m.group(2), "", source=path.name))
            in_text, lines = True, []
        elif not out:
            if line.strip() and not line.startswith("#"):
                raise ValueError(f"{where}: text outside a document (start one with '=== <id> <lang>')")
        elif in_text:
            if line.strip() == "---":
                out[-1].text, in_text = normalise("\n".join(lines).strip()), False
            else:
                lines.append(line)
        elif line.strip() and not line.startswith("#"):
            if " => " not in line:
                raise ValueError(f"{where}: a gold line is '<quote start> => <speaker>[ | <role>]'")
            start, rest = line.split(" => ", 1)
            speaker, _, role = rest.partition(" | ")
            alts = [s.strip() for s in speaker.split(" / ") if s.strip()]
            out[-1].gold.append((" ".join(start.split()), alts, role.strip()))
    if in_text:
        raise ValueError(f"{path.name}, end: document {out[-1].doc_id!r} has no '---' line after its text")
    return out


def _canon(name: str) -> str:
    s = " ".join(name.lower().replace("’", "'").split())
    return re.sub(r"^(?:de|het|the)\s+", "", s)


def _near(text: str, q_start: int, q_end: int, speakers: list[str]) -> bool:
    """Is one of ``speakers`` named (by its last word) in the quote's sentence or a neighbour?"""
    spans = sentence_spans(text)
    ks = [k for k, (a, b, _) in enumerate(spans) if a < q_end and q_start < b]
    if not ks:
        return False
    lo, hi = spans[max(0, ks[0] - 1)][0], spans[min(len(spans) - 1, ks[-1] + 1)][1]
    window = text[lo:q_start] + " " + text[q_end:hi]
    return any(re.search(rf"\b{re.escape(s.split()[-1])}\b", window) for s in speakers if s != "none")


def score(docs: list[EvalDoc], descriptor_hints: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per gold quote: the gold speaker, what :func:`extract_quotes` said, and whether
    that is right (``correct``) and attributed at all (``attributed``: a named speaker, not
    ``(unattributed)`` or an unresolved reference). ``descriptor_hints`` go to
    :func:`extract_quotes` (the seed corpus's, for the seed passages). Columns
    :data:`SCORE_COLUMNS`."""
    from .quotes import confidence_key, extract_quotes

    frame = pd.DataFrame({"doc_id": [d.doc_id for d in docs], "outlet": [d.lang for d in docs],
                          "text": [d.text for d in docs]})
    quotes = extract_quotes(frame, descriptor_hints=descriptor_hints).table
    quotes = quotes[(quotes["kind"] == "direct") & (quotes["depth"] == 0)]
    by_doc = {k: g for k, g in quotes.groupby("doc_id", sort=False)}
    rows = []
    for d in docs:
        got = by_doc.get(d.doc_id, quotes.iloc[0:0])
        used: set[int] = set()
        for start, alts, role in d.gold:
            free = got[~got.index.isin(used)]
            hit = free[free["text"] == start]
            hit = hit if len(hit) else free[free["text"].str.startswith(start)]
            used.update(hit.index[:1])
            gold = " / ".join(alts)
            if len(hit):
                r = hit.iloc[0]
                sp = str(r["speaker"])
                attributed = not (sp == "(unattributed)" or sp.startswith("(unresolved"))
                correct = attributed and alts != ["none"] and _canon(sp) in {_canon(a) for a in alts}
                near = alts != ["none"] and _near(d.text, int(r["start"]), int(r["end"]), alts)
                rule = confidence_key(r["rule"], r["reference"])
                rows.append([d.doc_id, d.lang, start, gold, role, near, True, sp,
                             str(r.get("role", "") or ""), rule, float(r["confidence"]), attributed, correct])
            else:
                rows.append([d.doc_id, d.lang, start, gold, role, False, False, "(not found)", "", "not found",
                             0.0, False, False])
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def _prf(part: pd.DataFrame) -> dict:
    attributed = int(part["attributed"].sum())
    correct = int(part["correct"].sum())
    with_speaker = int((part["gold"] != "none").sum())
    p = correct / attributed if attributed else float("nan")
    r = correct / with_speaker if with_speaker else float("nan")
    f = 2 * p * r / (p + r) if attributed and with_speaker and (p + r) else float("nan")
    return {"quotes": len(part), "with_speaker": with_speaker, "attributed": attributed, "correct": correct,
            "precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def summary(scored: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Precision, recall and F1: ``overall``, ``language`` (with the recall of quotes whose
    speaker is named in the same or an adjacent sentence, ``recall_near``) and ``rule``."""
    lang_rows = []
    for lang, part in [("all", scored)] + sorted(scored.groupby("lang"), key=lambda x: x[0]):
        row = {"lang": lang, **_prf(part)}
        near = part[part["near"]]
        row["near"] = len(near)
        row["recall_near"] = round(near["correct"].sum() / len(near), 3) if len(near) else float("nan")
        lang_rows.append(row)
    rule_rows = []
    for rule, part in sorted(scored.groupby("rule"), key=lambda x: x[0]):
        a = int(part["attributed"].sum())
        rule_rows.append({"rule": rule, "quotes": len(part), "attributed": a, "correct": int(part["correct"].sum()),
                          "precision": round(part["correct"].sum() / a, 3) if a else float("nan")})
    return {"language": pd.DataFrame(lang_rows), "rule": pd.DataFrame(rule_rows)}


def calibration(scored: pd.DataFrame) -> pd.DataFrame:
    """Share correct among attributed quotes at each confidence level (``confidence, attributed,
    correct, share_correct``), highest confidence first."""
    a = scored[scored["attributed"]]
    out = a.groupby("confidence").agg(attributed=("correct", "size"), correct=("correct", "sum")).reset_index()
    out["share_correct"] = (out["correct"] / out["attributed"]).round(3)
    return out.sort_values("confidence", ascending=False, kind="stable").reset_index(drop=True)


def rule_precision(scored: pd.DataFrame, heldout: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per rule: attributed quotes, correct ones and the precision on the development set
    (``rule, attributed, correct, precision``), the table :mod:`medialens.quotes` reads its
    confidences from; with ``heldout`` (scored held-out quotes) also ``heldout_attributed`` and
    ``heldout_correct`` (0 for a rule the held-out set has no attribution of; a rule only the
    held-out set saw has an empty precision)."""
    r = summary(scored)["rule"]
    r = r[r["attributed"] > 0][["rule", "attributed", "correct", "precision"]].reset_index(drop=True)
    if heldout is None:
        return r
    h = heldout[heldout["attributed"]].groupby("rule").agg(
        heldout_attributed=("correct", "size"), heldout_correct=("correct", "sum"))
    # a rule only the held-out set saw keeps an empty precision: it gets the lowest measured one
    r = r.merge(h.reset_index(), on="rule", how="outer").sort_values("rule", kind="stable")
    return r.fillna({"attributed": 0, "correct": 0, "heldout_attributed": 0, "heldout_correct": 0}).astype(
        {"attributed": int, "correct": int, "heldout_attributed": int, "heldout_correct": int}).reset_index(drop=True)
