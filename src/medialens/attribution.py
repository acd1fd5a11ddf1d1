"""Who speaks: the attribution rules behind :func:`medialens.quotes.extract_quotes`.

Each direct quote gets a speaker by the first rule that applies, in this order (an explicit
marker always wins over a guess from proximity):

======================  ===========================================================================
rule                    pattern (X = a name, a role + name, a surname, ``hij``/``zij``, ``de trainer``)
======================  ===========================================================================
``aldus X``             ``”, aldus X`` after the quote, in its sentence
``zei X``               ``”, zei X`` / ``zegt X`` / ``laat X weten`` / ``said X`` / ``X said`` after
                        the quote (also ``…, zo waarschuwde X``, and the second half of a quote
                        split by its marker: ``,,Wij,'' zegt X, ,,gaan door.''``)
``dat zei X``           the next sentence opens with ``Dat zei X``
``X zei``               ``X zei``/``X noemt het``/``zei X:``/``X told …:`` before the quote, in its
                        sentence
``X: quote``            ``X: ‘…’`` (a colon after a name: headlines, reports of a reply)
``volgens X``           the quote's sentence opens with ``Volgens X`` / ``According to X``
``continuation``        no marker; the quote follows the previous attributed quote in the same
                        paragraph, in the same or the next sentence, with no other person named
                        between them
``previous sentence``   no marker; the sentence before (same paragraph) names exactly one person
``person in sentence``  no marker; the quote's own sentence names exactly one person
``nested``              a quote inside a quote: the outer quote's speaker
======================  ===========================================================================

The ``reference`` column says how the speaker was named where the rule found it: ``name``,
``pronoun`` or ``description``; a rule's confidence is measured separately for each.

Who a name, a pronoun or a description refers to (a surname, ``hij``, ``de trainer``) is
worked out by :mod:`medialens.attribution_refs`; names and roles come from :mod:`medialens.speakers`.
"""

from __future__ import annotations

import re

from .attribution_refs import NO_INVERSION, PRON_RE, VERB_RE, VERBS, Doc, Ref
from .speakers import NameSignal

__all__ = ["attribute"]

_AFTER_VERB = re.compile(rf"^[\s,.;–-]*(?:zo\s+)?(?:{VERBS})\b", re.IGNORECASE)
_ALDUS = re.compile(r"\baldus\b", re.IGNORECASE)
_LATER_VERB = re.compile(rf",\s*zo\s+(?:{VERBS})\b(?=[^,;]*$)", re.IGNORECASE)
_ZOALS = re.compile(r"^[^.!?]*?,\s*zoals\b", re.IGNORECASE)
_DAT_ZEI = re.compile(rf"^\s*Dat\s+(?:{VERBS})\b", re.IGNORECASE)
_VOLGENS = re.compile(r"^\s*(?:Volgens|According\s+to)\b", re.IGNORECASE)
_ZEI_END = re.compile(rf",\s*(?:zo\s+)?(?P<verb>aldus|{VERBS})\s+(?P<ref>[^,.!?]+?)\s*[.!?]?\s*$", re.IGNORECASE)
_X_ZEI_DAT = re.compile(rf"^(?P<ref>.{{0,80}}?)\s+(?:{VERBS})\s+(?:wel\s+|ook\s+)?dat\b")


def _apply_ref(ref: Ref, rule: str) -> tuple[str | None, str, str, str]:
    if not ref.speaker:
        return None, "unattributed", "", ""
    return ref.speaker, rule, ref.role, ref.how if ref.how in ("pronoun", "description") else "name"


def attribute(text: str, raw_quotes: list[dict], signal: NameSignal, hints: dict[str, str]) -> list[dict]:
    """Speakers of the quotes of one document.

    Parameters
    ----------
    text : str
        The normalised document text.
    raw_quotes : list of dict
        From :func:`medialens.quotes.find_quotes` (offsets, marks, depth).
    signal : NameSignal
        Tells names from capitalised common words.
    hints : dict
        Description word (lower case) -> surname it fits (``noor`` -> ``Stoltenberg``).

    Returns
    -------
    list of dict
        One per quote (``start, end, depth, kind, style, paragraph, speaker, rule, role,
        text``) and one per sentence of indirect speech (``kind = "indirect"``).
    """
    doc = Doc(text, raw_quotes, signal, hints)
    doc.finish()
    rows = _indirect(doc, raw_quotes)
    indirect_by_sent = {doc.sent_of(r["start"]): r for r in rows}
    last: dict | None = None  # the previous attributed direct quote
    outer: list[dict] = []
    for q in raw_quotes:
        k_open, k_close = doc.sent_of(q["start"]), doc.sent_of(max(q["end"] - 1, q["start"]))
        row = {"start": q["start"], "end": q["end"], "depth": q["depth"], "style": q["open"] + "…" + q["close"],
               "paragraph": doc.para[k_open], "text": q["text"]}
        if q["depth"] > 0:
            parent = next((o for o in reversed(outer) if o["start"] <= q["start"] and q["end"] <= o["end"]), None)
            row.update(kind="nested", speaker=parent["speaker"] if parent else None, rule="nested",
                       role=parent["role"] if parent else "", reference="")
            rows.append(row)
            continue
        speaker, rule, role, via = _attribute_quote(doc, q, k_open, k_close, last, outer, indirect_by_sent)
        row.update(kind="direct", speaker=speaker, rule=rule, role=role, reference=via)
        rows.append(row)
        outer.append(row)
        if speaker and not speaker.startswith("(unresolved"):
            last = row | {"k_close": k_close}
    return rows


def _attribute_quote(doc: Doc, q: dict, k_open: int, k_close: int, last: dict | None, outer: list[dict],
                     indirect: dict[int, dict]) -> tuple[str | None, str, str, str]:
    """Who speaks the direct quote ``q`` (sentences ``k_open``..``k_close``): the rules after the
    quote, then before it, then its context, the first that names a speaker wins.

    ``last`` is the previous attributed quote, ``outer`` the direct quotes so far, ``indirect``
    the indirect quotes by sentence. Returns ``(speaker, rule, role, reference)``.
    """
    text = doc.text
    close_end = q["end"] + len(q["close"])
    open_start = q["start"] - len(q["open"])
    s_start, s_end = doc.sents[k_open][0], doc.sents[k_close][1]
    # the sentence part after the quote, up to the next quote in the same sentence
    nxt = next((o for o in (_next_quote(doc, q)) if o < s_end), s_end)
    after = text[close_end:nxt]
    prev_close = max([o["end"] + 1 for o in outer if o["end"] < open_start and o["end"] >= s_start], default=s_start)
    before = text[max(s_start, prev_close) : open_start]
    found = (
        _after_quote(doc, q, after, k_close=k_close, s_start=s_start, last=last, outer=outer)
        or _before_quote(doc, before, open_start)
        or _from_context(doc, before, k_open=k_open, span=(s_start, open_start, close_end, s_end), last=last, indirect=indirect)
    )
    return found or (None, "unattributed", "", "")


def _after_quote(doc: Doc, q: dict, after: str, *, k_close: int, s_start: int, last: dict | None,
                 outer: list[dict]) -> tuple[str | None, str, str, str] | None:
    """Rules (a)-(d): a speaker named after the quote (``after``: the rest of its sentence up to
    the next quote), in a split quote's middle, or in the next sentence; None when none applies."""
    text = doc.text
    close_end = q["end"] + len(q["close"])
    open_start = q["start"] - len(q["open"])
    # (a) aldus X
    lim = close_end + len(after)
    if m := _ALDUS.search(after):
        ref, _ = doc.ref_at(close_end + m.end(), lim)
        if ref.speaker:
            return _apply_ref(ref, "aldus X")
    # (b) ", zegt X" / ", laat X weten" / ", said X"
    if m := _AFTER_VERB.match(after):
        ref, _ = doc.ref_at(close_end + m.end(), lim)
        if ref.speaker:
            return _apply_ref(ref, "zei X")
    # (b1) ", X said" / ", hij zei"
    ref, end = doc.ref_at(close_end + len(after) - len(after.lstrip(" ,.;–-")), close_end + len(after))
    if ref.speaker and VERB_RE.match(text, end + (len(text[end:]) - len(text[end:].lstrip()))) \
            and end < close_end + len(after):
        return _apply_ref(ref, "zei X")
    # (b2) "…, zo waarschuwde X."
    if m := _LATER_VERB.search(after):
        ref, _ = doc.ref_at(close_end + m.end(), lim)
        if ref.speaker:
            return _apply_ref(ref, "zei X")
    # (b3) the second half of a split quote: ,,Wij,'' zegt X, ,,gaan door.''
    if last is not None and outer and outer[-1] is not None and outer[-1]["end"] >= s_start \
            and last["start"] == outer[-1]["start"] and last["rule"].startswith(("zei X", "aldus X")):
        gap = text[outer[-1]["end"] + len(q["close"]) : open_start]
        if re.fullmatch(rf"\s*,?\s*(?:{VERBS})\s+[^,.!?]{{1,60}},\s*", gap, re.IGNORECASE):
            return last["speaker"], "zei X", last["role"], last["reference"]
    # (c) ", zoals X het samenvatte"
    if m := _ZOALS.match(after):
        ref, _ = doc.ref_at(close_end + m.end(), lim)
        if ref.speaker:
            return _apply_ref(ref, "zoals X")
    # (d) next sentence: "Dat zei X"
    if k_close + 1 < len(doc.sents) and doc.para[k_close + 1] == doc.para[k_close]:
        a = doc.sents[k_close + 1][0]
        if m := _DAT_ZEI.match(text[a : doc.sents[k_close + 1][1]]):
            ref, _ = doc.ref_at(a + m.end())
            if ref.speaker:
                return _apply_ref(ref, "dat zei X")
    return None


def _before_quote(doc: Doc, before: str, open_start: int) -> tuple[str | None, str, str, str] | None:
    """Rules (e)-(g): a speaker named in ``before`` (the sentence part before the quote, which
    ends at ``open_start``); None when none applies."""
    b0 = open_start - len(before)
    # (e) "Volgens X is het ‘…’"
    if m := _VOLGENS.match(before):
        ref, _ = doc.ref_at(b0 + m.end())
        if ref.speaker:
            return _apply_ref(ref, "volgens X")
    # (f) "X zei ‘…’" / "zei X: ‘…’"
    verbs = list(VERB_RE.finditer(before))
    if verbs:
        vm = verbs[-1]
        ref = Ref(None, "")
        if vm.group().lower() not in NO_INVERSION:
            ref, _ = doc.ref_at(b0 + vm.end(), open_start)
            if ref.how not in ("name", "pronoun"):
                ref = Ref(None, "")
        if not ref.speaker:
            ref = doc.ref_before(b0, b0 + vm.start())
        if ref.speaker:
            return _apply_ref(ref, "X zei")
    # (f2) a sentence opening with a pronoun: "Hij voorziet ‘…’"
    if not verbs and (m := PRON_RE.match(before)) and m.group("p").lower() != "they":
        return _apply_ref(Ref(doc.pronoun(m.group("p"), b0 + m.start("p")), "pronoun"), "X zei")
    # (g) "X: ‘…’"
    if before.rstrip().endswith(":"):
        ref = doc.ref_before(b0, b0 + len(before.rstrip()) - 1)
        if ref.speaker:
            return _apply_ref(ref, "X: quote")
    return None


def _from_context(doc: Doc, before: str, *, k_open: int, span: tuple[int, int, int, int], last: dict | None,
                  indirect: dict[int, dict]) -> tuple[str | None, str, str, str] | None:
    """Rules (h)-(j): the speaker of the previous quote continues, or the previous sentence or the
    quote's own sentence names exactly one person. ``span`` is ``(sentence start, quote start,
    quote end, sentence end)``; None when no rule applies."""
    s_start, open_start, close_end, s_end = span
    # (g2) an answer in an interview: the quote opens its sentence right after a question
    if not before.strip() and (who := _interview_answer(doc, k_open)):
        return who, "interview answer", doc.people.get(who, ""), "name"
    # (h) continuation of the previous attributed quote
    if last is not None and doc.para[last["k_close"]] == doc.para[k_open] and k_open - last["k_close"] <= 1:
        between = doc.persons_in(last["end"], open_start)
        if all(p == last["speaker"] for p in between):
            return last["speaker"], "continuation", last["role"], "name"
    if (k_open - 1) in indirect and doc.para[k_open - 1] == doc.para[k_open] and not before.strip():
        r = indirect[k_open - 1]
        return r["speaker"], "continuation", r.get("role", ""), "name"
    # (i) the previous sentence names exactly one person
    if k_open > 0 and doc.para[k_open - 1] == doc.para[k_open] and not before.strip():
        named = doc.persons_in(*doc.sents[k_open - 1])
        if len(named) == 1:
            return named[0], "previous sentence", doc.people.get(named[0], ""), "name"
    # (j) the quote's sentence names exactly one person (outside the quote)
    named = [p for p in doc.persons_in(s_start, open_start) + doc.persons_in(close_end, s_end)]
    if len(set(named)) == 1:
        return named[0], "person in sentence", doc.people.get(named[0], ""), "name"
    return None


_SECOND_PERSON = re.compile(r"\b(?:u|uw|je|jij|jouw|jullie|you|your)\b", re.IGNORECASE)
_INTERVIEW = re.compile(r"\b(?:interview|vraaggesprek|in gesprek met|Q\s*&\s*A)\b", re.IGNORECASE)


def _interview_answer(doc: Doc, k_open: int) -> str | None:
    """Rule (g2): the interviewee, when the sentence before the quote (same or previous paragraph)
    is a question that holds no quote and addresses someone (``u``, ``je``, ``you``) or the
    document opens as an interview (``Interview:``, ``In gesprek met``, ``Q&A``). The interviewee
    is the one person named before the document's first question; None when there is none, or
    more than one."""
    if k_open == 0:
        return None
    a, b = doc.sents[k_open - 1]
    question = doc.text[a:b].strip()
    if not question.endswith("?") or any(x < b and a < y for x, y in doc.inside):
        return None
    first_para = doc.text[: max(e for (_, e), p in zip(doc.sents, doc.para, strict=True) if p == doc.para[0])]
    if not (_SECOND_PERSON.search(question) or _INTERVIEW.search(first_para)):
        return None
    first_q = next(s for s, e in doc.sents if doc.text[s:e].rstrip().endswith("?"))
    named = doc.persons_in(0, first_q)
    return named[0] if len(named) == 1 else None


def _next_quote(doc: Doc, q: dict) -> list[int]:
    text = doc.text
    out = []
    for mark in (",,", "„", "“", "‘", '"', "'"):
        i = text.find(mark, q["end"] + len(q["close"]))
        if i >= 0 and (mark not in ("'", '"', "‘") or (i + 1 < len(text) and not text[i + 1].isspace())):
            out.append(i)
    return sorted(out)


def _indirect(doc: Doc, raw_quotes: list[dict]) -> list[dict]:
    """Sentences of indirect speech: ``Volgens X …``, ``…, zei X.``, ``X zei dat …`` and a sentence
    followed by ``Dat zei X``; sentences holding a direct quote are left to the quote rules."""
    quoted = {doc.sent_of(q["start"]) for q in raw_quotes} | {doc.sent_of(max(q["end"] - 1, 0)) for q in raw_quotes}
    found: dict[int, tuple[Ref, str]] = {}
    text = doc.text
    for k, (a, b) in enumerate(doc.sents):
        s = text[a:b]
        if k in quoted:
            if (m := _DAT_ZEI.match(s)) and k > 0 and (k - 1) not in quoted and doc.para[k - 1] == doc.para[k]:
                ref, _ = doc.ref_at(a + m.end())
                if ref.speaker:
                    found[k - 1] = (ref, "dat zei X")
            continue
        if m := _VOLGENS.match(s):
            ref, _ = doc.ref_at(a + m.end())
            if ref.speaker:
                found[k] = (ref, "volgens X")
        elif (m := _DAT_ZEI.match(s)) and k > 0:
            ref, _ = doc.ref_at(a + m.end())
            if ref.speaker and (k - 1) not in quoted and doc.para[k - 1] == doc.para[k]:
                found[k - 1] = (ref, "dat zei X")
        elif m := _ZEI_END.search(s):
            ref, end = doc.ref_at(a + m.start("ref"), b)
            rest = text[end:b].strip(" .!?").split()
            prep = bool(rest) and ((doc.signal.nl.get(rest[0].lower()) or "").startswith("Prep")
                                   or (doc.signal.en.get(rest[0].lower()) or "") == "IN")
            if ref.speaker and (ref.how != "description" or not rest or prep and not any(VERB_RE.fullmatch(w) for w in rest)):
                found[k] = (ref, "aldus X" if m.group("verb").lower() == "aldus" else "zei X")
        elif " dat " in s and (m := _X_ZEI_DAT.match(s)):
            ref = doc.ref_before(a, a + m.end("ref"))
            if not ref.speaker:
                ref, _ = doc.ref_at(a)
            if ref.speaker:
                found[k] = (ref, "X zei")
    rows = []
    for k, (ref, rule) in sorted(found.items()):
        a, b = doc.sents[k]
        speaker, rule, role, via = _apply_ref(ref, rule)
        rows.append({"start": a, "end": b, "depth": 0, "kind": "indirect", "style": "", "paragraph": doc.para[k],
                     "speaker": speaker, "rule": rule, "role": role, "reference": via, "text": text[a:b]})
    return rows
