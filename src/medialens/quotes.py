"""Quotes and their speakers: who speaks in an article, and how much.

Two steps, both rule-based and transparent:

1. **Pairing quote marks** (:func:`find_quotes`). Dutch news uses several styles: ``,,…”`` (also
   closed by ``''`` or ``"``), ``„…”`` (or ``„…“``), ``“…”``, ``‘…’`` (often for short or partial
   quotes) and straight ``"…"``. An apostrophe inside a word (``z’n``, ``auto's``, ``Nato’s``) or
   an elided article (``'s-Hertogenbosch``, ``'t``) is not a quote mark. Quotes inside quotes are
   kept with ``depth = 1``. A mark that cannot be paired within its paragraph becomes a row in
   the warnings table with the document and character offset; it is never silently dropped.
2. **Attribution** (:func:`extract_quotes`). Each quote gets a speaker, the rule that found it and
   a confidence (a fixed number per rule, an ordinal guide rather than a probability):

   ======================  ====  ==========================================================
   rule                    conf  pattern (X = a name, title + name, ``hij``/``zij``, ``de Noor``)
   ======================  ====  ==========================================================
   ``aldus X``             0.95  ``”, aldus X`` right after the quote (0.85 later in the sentence)
   ``zei X``               0.90  ``”, zei X`` / ``zegt X`` / ``gaat hij verder`` (0.85: ``…, zo waarschuwde X.``)
   ``zoals X``             0.80  ``‘…’, zoals X het samenvatte``
   ``dat zei X``           0.80  the next sentence opens with ``Dat zei X``
   ``X zei``               0.80  ``X zei``/``X noemt``/``zei X`` before the quote in its sentence
   ``continuation``        0.60  no marker; the previous quote in the same paragraph had one
   ``previous sentence``   0.50  no marker; the previous sentence names exactly one person
   ``person in sentence``  0.50  no marker; the quote's sentence names exactly one person
   ``volgens X``           0.80  indirect speech: a sentence opening with ``Volgens X``
   ``nested``              —     a quote inside a quote: the outer quote's speaker
   ======================  ====  ==========================================================

   A rule that resolved a pronoun caps the confidence at 0.7, a description at 0.75; an
   unresolved pronoun gets 0.

   Pronouns (``hij``, ``zij``, ``ze``) resolve to the last named person when the last sentence that
   names anyone names exactly one person; otherwise the speaker is ``(unresolved: hij)``.
   Descriptions such as ``de Noor`` or ``de Oekraïense president`` resolve to the most recent
   person they *fit*: a person fits when the description's words appeared in a title written
   beside their name earlier in the document (``De Oekraïense president Volodomir Zelenski``), or
   through the corpus's descriptor hints (``descriptor_hints`` of :func:`extract_quotes`, read from
   the corpus definition: the seeds map ``noor``/``noorse`` to Stoltenberg). A description that fits nobody stays as written (``de leiders``, ``het Kremlin``:
   institutions speak too).

Indirect speech (no quote marks) is found for ``Volgens X …``, ``…, zei X.``, ``…, aldus X.``,
``X zei dat …`` (also ``ontkent``, ``eist``, ``waarschuwt`` … ``dat``) and ``Dat zei X`` (which attributes the previous sentence), with ``kind =
"indirect"``. Quotes are not the outlet's own voice: share of voice says whom an outlet lets speak,
not what it thinks.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .grouping import group_labels, group_order
from .text import normalise, paragraph_spans, sentence_spans

__all__ = [
    "QUOTE_COLUMNS",
    "WARNING_COLUMNS",
    "RULE_CONFIDENCE",
    "find_quotes",
    "extract_quotes",
    "share_of_voice",
    "rule_counts",
]

QUOTE_COLUMNS = [
    "doc_id", "outlet", "paragraph", "start", "end", "depth", "kind", "style",
    "speaker", "rule", "confidence", "n_words", "text",
]
WARNING_COLUMNS = ["doc_id", "offset", "mark", "problem", "context"]

RULE_CONFIDENCE = {
    "aldus X": 0.95,
    "zei X": 0.90,
    "zoals X": 0.80,
    "dat zei X": 0.80,
    "X zei": 0.80,
    "volgens X": 0.80,
    "continuation": 0.60,
    "previous sentence": 0.50,
    "person in sentence": 0.50,
    "unattributed": 0.0,
}

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
# 2. People and references
# --------------------------------------------------------------------------------------------
_CAP = r"[A-ZÀ-ÖØ-Þ][\w’'-]+"
_TITLE_WORD = (
    r"(?i:\b[\w-]*?(?:minister|president|premier|topman|topvrouw|secretaris-generaal|woordvoerder|kanselier|"
    r"leider|ambtgenoot|generaal|commissaris|ambassadeur|voorzitter|burgemeester|directeur|hoogleraar|"
    r"onderzoeker|expert|analist|chef|diplomaat|"
    r"secretary-general|spokesman|spokeswoman|spokesperson|chancellor|ambassador|chairman|chairwoman|"
    r"professor|mayor|governor|senator|analyst|leader))"
)
# [adjective] title [van Capital Capital] Firstname Lastname   (title words are lowercase or Navo-...)
_PERSON_RE = re.compile(
    rf"\b(?P<title>(?:(?:[Dd]e|[Hh]et)[ ]+)?(?:[A-ZÀ-Þ]\w+e[ ]+)?{_TITLE_WORD}(?:[ ]+van[ ]+{_CAP}(?:[ ]+{_CAP})?)?)"
    rf"[ ]+(?P<name>{_CAP}(?:[ ]+(?:van[ ]+der|van[ ]+den|von[ ]+der|van|von|de|der|ter|ten)[ ]+{_CAP}|[ ]+{_CAP})?)\b",
)
_TITLE_STEMS = (
    "minister", "president", "premier", "topman", "topvrouw", "secretaris-generaal", "woordvoerder", "kanselier",
    "leider", "ambtgenoot", "generaal", "commissaris", "ambassadeur", "voorzitter", "burgemeester", "directeur",
    "hoogleraar", "onderzoeker", "expert", "analist", "chef", "diplomaat",
    "secretary-general", "spokes", "chancellor", "ambassador", "chair", "professor", "mayor", "governor",
    "senator", "analyst", "leader",
)


def _person_hits(text: str) -> list[tuple[str, str]]:
    """(title, name) of every ``title Firstname Lastname`` in ``text``.

    Same matches as ``_PERSON_RE.finditer(text)``, but the regex only runs near a title word
    (found with plain substring search), which makes it several times faster on long texts."""
    low = text.lower()
    starts = sorted({i for stem in _TITLE_STEMS if stem in low for i in _find_all(low, stem)})
    hits: list[tuple[str, str]] = []
    last_end = 0
    for i in starts:
        if i < last_end:
            continue
        m = _PERSON_RE.search(text, max(last_end, i - 60), i + 160)
        while m is not None and m.end() <= i:  # a match ending before this title word: look further
            m = _PERSON_RE.search(text, m.end(), i + 160)
        if m is None or m.start() > i:
            continue
        hits.append((m.group("title"), " ".join(m.group("name").split())))
        last_end = m.end()
    return hits


def _find_all(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


_NAME_TAIL = re.compile(rf"{_CAP}(?:\s+(?:van\s+der|van\s+den|von\s+der|van|von|de|der|ter|ten)\s+{_CAP}|\s+{_CAP})?$")
_NOT_NAMES = frozenset(
    """de het een in op ook maar dat dit die deze volgens toch zo en als wat wie waar hoe heel nu dan
    tijdens na voor met bij aan uit over intussen tegelijkertijd vooral komende eerst wel we wij zij
    hij ze ik jullie ons onze er""".split()
)
_PRONOUNS = frozenset({"hij", "zij", "ze", "he", "she"})
_SPEECH_VERBS = (
    r"zei|zegt|zeggen|zeiden|zegde|sprak|spreekt|meldde|meldt|noemde|noemt|stelde|stelt|verklaarde|verklaart|"
    r"waarschuwde|waarschuwt|benadrukte|benadrukt|riep|roept|vroeg|vraagt|somde|antwoordde|antwoordt|"
    r"schreef|schrijft|twitterde|tweette|erkende|erkent|beloofde|belooft|voegde|vervolgde|vervolgt|"
    r"ontkent|ontkende|eist|eiste|dreigt|dreigde|"
    r"gaat|ging|reageerde|reageert|aldus|said|says|added|told|warned|asked|denied|denies|demanded|demands"
)
_VERB_RE = re.compile(rf"\b(?:{_SPEECH_VERBS})\b", re.IGNORECASE)


@dataclass
class _Person:
    name: str  # full name as first written
    surname: str
    titles: set[str]


class _People:
    """The people named in one document, with their titles and the offsets where they appear."""

    def __init__(
        self, text: str, hits: list[tuple[str, str]], known: dict[str, str], known_re: re.Pattern | None,
        hints: Mapping[str, str],
    ):
        self.text = text
        self.hints = hints
        self.by_surname: dict[str, _Person] = {}
        for title, name in hits:  # "title Name" matches of _PERSON_RE in this document
            if name.split()[0].lower() in {"van", "de", "het"}:
                continue
            surname = name.split()[-1]
            person = self.by_surname.get(surname)
            if person is None or len(name) > len(person.name):
                titles = person.titles if person else set()
                person = _Person(known.get(surname, name) if " " not in name else name, surname, titles)
                self.by_surname[surname] = person
            person.titles |= {w.lower() for w in re.split(r"[\s-]+", title) if len(w) > 2}
        self.mentions: list[tuple[int, _Person]] = []
        if known_re is not None:  # every surname known anywhere in the corpus, one scan
            for m in known_re.finditer(text):
                surname = m.group(0)
                person = self.by_surname.get(surname)
                if person is None:
                    person = self.by_surname[surname] = _Person(known[surname], surname, set())
                self.mentions.append((m.start(), person))

    def add(self, name: str, pos: int) -> None:
        """Register a person first met as an attributed speaker (``zei Jan de Vries``) at ``pos``."""
        surname = name.split()[-1]
        if surname in self.by_surname:
            return
        person = self.by_surname[surname] = _Person(name, surname, set())
        for m in re.finditer(rf"\b{re.escape(surname)}\b", self.text):
            bisect.insort(self.mentions, (m.start(), person), key=lambda x: x[0])

    def named_in(self, start: int, end: int) -> list[_Person]:
        seen: dict[str, _Person] = {}
        for pos, p in self.mentions:
            if start <= pos < end:
                seen.setdefault(p.surname, p)
        return list(seen.values())

    def fitting(self, words: list[str], pos: int) -> _Person | None:
        """The most recent person before ``pos`` whose titles (or the hints) fit ``words``."""
        for off, p in reversed(self.mentions):
            if off >= pos:
                continue
            for w in words:
                if w in p.titles or any(t.endswith(w) for t in p.titles) or self.hints.get(w) == p.surname:
                    return p
        return None


_REF_RE = re.compile(
    rf"""^\s*(?:
        (?P<pron>(?i:hij|zij|ze|he|she))\b
      | (?P<named>(?:(?:[Dd]e\s+|[Tt]he\s+)?(?:[A-ZÀ-Þ][\w-]*\s+)?{_TITLE_WORD}(?:\s+van\s+{_CAP}(?:\s+{_CAP})?)?\s+)?
                  {_CAP}(?:\s+(?:van\s+der|van\s+den|von\s+der|van|von|de|der|ter|ten)\s+{_CAP}|\s+{_CAP})?)
      | (?P<desc>[Dd]e\s+(?:[A-ZÀ-Þ]\w+e\s+|[a-z]\w+e\s+)?(?:[\w-]+))
    )""",
    re.VERBOSE,
)


def _resolve_ref(ref_text: str, pos: int, people: _People, sentences: list[tuple[int, int]]) -> tuple[str | None, str]:
    """Resolve the reference at the start of ``ref_text`` (found at offset ``pos``).

    Returns (speaker or None, how): how is 'name', 'pronoun', 'description' or ''.
    """
    m = _REF_RE.match(ref_text)
    if not m:
        return None, ""
    if m.group("pron"):
        return _resolve_pronoun(m.group("pron"), pos, people, sentences), "pronoun"
    if m.group("named"):
        words = m.group("named").split()
        # the name is the run of capitalised words at the end (after title words)
        for surname in reversed(words):
            if surname in people.by_surname:
                return people.by_surname[surname].name, "name"
        titled = any(re.match(rf"^{_TITLE_WORD}$", w, re.I) for w in words)
        tail = _NAME_TAIL.search(" ".join(words))  # "Jan de Vries", "Wopke Hoekstra" at the end
        if tail:
            name = tail.group(0).split()
            if (titled or len(name) >= 2) and name[0].lower() not in _NOT_NAMES:
                return " ".join(name), "name"
        if not (words[0].lower() in ("de", "het") and len(words) >= 2):  # "de Noor", "het Kremlin"
            return None, ""
    if m.group("desc") or m.group("named"):
        desc = (m.group("desc") or m.group("named")).strip()
        words = [w.lower() for w in desc.split()[1:]]
        person = people.fitting(words, pos)
        if person is not None:
            return person.name, "description"
        return desc[0].lower() + desc[1:], "description"
    return None, ""


def _resolve_pronoun(pron: str, pos: int, people: _People, sentences: list[tuple[int, int]]) -> str:
    """Last named person, if the last sentence before ``pos`` that names anyone names one person."""
    for s_start, s_end in reversed(sentences):
        if s_start >= pos:
            continue
        named = people.named_in(s_start, min(s_end, pos))
        if len(named) == 1:
            return named[0].name
        if len(named) > 1:
            return f"(unresolved: {pron.lower()})"
    return f"(unresolved: {pron.lower()})"


# --------------------------------------------------------------------------------------------
# 3. Attribution
# --------------------------------------------------------------------------------------------
_AFTER_ALDUS = re.compile(r"\baldus\b\s*", re.IGNORECASE)
_AFTER_VERB = re.compile(rf"^\s*[,.]?\s*(?:zo\s+|dat\s+)?(?:{_SPEECH_VERBS})\s+", re.IGNORECASE)
_AFTER_REF_VERB = re.compile(
    r"^\s*[,.]?\s*(?=(?:he|she|[A-ZÀ-Þ][\w-]+(?:\s+[A-ZÀ-Þ][\w-]+){0,2})\s+(?:said|says|added|told|warned|asked)\b)"
)
_X_ZEI_DAT = re.compile(rf"^(?P<ref>.{{0,80}}?)\s+(?:{_SPEECH_VERBS})\s+(?:wel\s+|ook\s+)?dat\b")
_AFTER_VERB_LATER = re.compile(rf",\s*zo\s+(?:{_SPEECH_VERBS})\s+(?=[^,;]*$)", re.IGNORECASE)
_AFTER_ZOALS = re.compile(r"^[^.!?]*?,\s*zoals\s+", re.IGNORECASE)
_DAT_ZEI = re.compile(rf"^\s*Dat\s+(?:{_SPEECH_VERBS})\s+", re.IGNORECASE)
_VOLGENS = re.compile(r"^\s*Volgens\s+", re.IGNORECASE)
_ZEI_END = re.compile(rf",\s*(?:zo\s+)?(?P<verb>aldus|{_SPEECH_VERBS})\s+(?P<ref>[^,.!?]+?)\s*[.!?]?\s*$", re.IGNORECASE)


def _attribute_doc(
    doc_id: str, outlet, text: str, hits: list[tuple[str, str]], known: dict[str, str], known_re: re.Pattern | None,
    hints: Mapping[str, str],
) -> tuple[list[dict], list[dict]]:
    raw_quotes, warnings = find_quotes(text, doc_id=doc_id)
    people = _People(text, hits, known, known_re, hints)
    sents3 = sentence_spans(text)
    sents = [(a, b) for a, b, _ in sents3]

    def sent_index(pos: int) -> int:
        for k, (a, b) in enumerate(sents):
            if a <= pos < b:
                return k
        return max(0, len([1 for a, _ in sents if a <= pos]) - 1)

    via: list[str] = []

    def ref_at(pos: int) -> tuple[str | None, str]:
        sp, how = _resolve_ref(text[pos:], pos, people, sents)
        if sp:
            via.append(how)
            if how == "name" and " " in sp:
                people.add(sp, pos)
        return sp, how

    rows: list[dict] = []
    last_attr: dict[int, str] = {}  # paragraph -> speaker of the last attributed quote/indirect
    # indirect speech first (sentence level), so that quotes can continue from it
    indirect: dict[int, tuple[str, str]] = {}  # sentence index -> (speaker, rule)
    quoted_sents = {sent_index(q["start"]) for q in raw_quotes} | {sent_index(max(q["end"] - 1, 0)) for q in raw_quotes}
    for k, (a, b) in enumerate(sents):
        s = text[a:b]
        speaker, rule = None, ""
        if (m := _VOLGENS.match(s)) and k not in quoted_sents:
            speaker, _ = ref_at(a + m.end())
            rule = "volgens X"
        elif (m := _DAT_ZEI.match(s)) and k > 0:
            sp, _ = ref_at(a + m.end())
            if sp and (k - 1) not in quoted_sents and sents3[k - 1][2] == sents3[k][2]:
                indirect[k - 1] = (sp, "dat zei X")
        elif k not in quoted_sents and (m := _ZEI_END.search(s)):
            speaker, _ = ref_at(a + m.start("ref"))
            rule = "aldus X" if m.group("verb").lower() == "aldus" else "zei X"
        elif k not in quoted_sents and " dat " in s and (m := _X_ZEI_DAT.match(s)):
            speaker, _ = ref_at(a)
            rule = "X zei"
        if speaker:
            indirect[k] = (speaker, rule)
    for k, (speaker, rule) in sorted(indirect.items()):
        a, b = sents[k]
        rows.append(_row(doc_id, outlet, sents3[k][2], a, b, 0, "indirect", "", speaker, rule, text[a:b]))

    outer: list[dict] = []
    for q in raw_quotes:
        k_open, k_close = sent_index(q["start"]), sent_index(max(q["end"] - 1, q["start"]))
        para = sents3[k_open][2]
        style = q["open"] + "…" + q["close"]
        if q["depth"] > 0:
            parent = next((o for o in reversed(outer) if o["start"] <= q["start"] and q["end"] <= o["end"]), None)
            sp = parent["speaker"] if parent else None
            rows.append(_row(doc_id, outlet, para, q["start"], q["end"], q["depth"], "nested", style, sp, "nested", q["text"]))
            continue
        close_end = q["end"] + len(q["close"])
        sent_end = sents[k_close][1]
        after = text[close_end:sent_end]
        before = text[sents[k_open][0] : q["start"] - len(q["open"])]
        speaker, rule, conf = None, "unattributed", None
        via.clear()
        # (a) aldus X
        if m := _AFTER_ALDUS.search(after):
            sp, _ = ref_at(close_end + m.end())
            if sp:
                speaker, rule = sp, "aldus X"
                conf = 0.95 if re.match(r"^\s*,?\s*aldus", after, re.I) else 0.85
        # (b) ", zei X" / ", gaat hij verder"
        if speaker is None and (m := _AFTER_VERB.match(after)):
            sp, _ = ref_at(close_end + m.end())
            if sp:
                speaker, rule = sp, "zei X"
        # (b1) English order: "”, he said" / "”, Stoltenberg said"
        if speaker is None and (m := _AFTER_REF_VERB.match(after)):
            sp, _ = ref_at(close_end + m.end())
            if sp:
                speaker, rule = sp, "zei X"
        # (b2) later in the sentence: "‘…’ te doen, zo waarschuwde X."
        if speaker is None and (m := _AFTER_VERB_LATER.search(after)):
            sp, _ = ref_at(close_end + m.end())
            if sp:
                speaker, rule, conf = sp, "zei X", 0.85
        # (c) ", zoals X het samenvatte"
        if speaker is None and (m := _AFTER_ZOALS.match(after)):
            sp, _ = ref_at(close_end + m.end())
            if sp:
                speaker, rule = sp, "zoals X"
        # (d) next sentence "Dat zei X"
        if speaker is None and k_close + 1 < len(sents) and sents3[k_close + 1][2] == para:
            nxt = text[sents[k_close + 1][0] : sents[k_close + 1][1]]
            if m := _DAT_ZEI.match(nxt):
                sp, _ = ref_at(sents[k_close + 1][0] + m.end())
                if sp:
                    speaker, rule = sp, "dat zei X"
        # (e) "X zei ‘…’" / "zei X ‘…’" before the quote in its sentence
        if speaker is None and before.strip():
            for vm in reversed(list(_VERB_RE.finditer(before))):
                # reference right after the verb ("zei de Finse premier Sanna Marin ‘…’")
                sp, how = ref_at(sents[k_open][0] + vm.end() + 1) if vm.end() < len(before) else (None, "")
                if sp and how == "name":
                    speaker, rule = sp, "X zei"
                    break
                # reference before the verb ("Hoekstra noemt het ‘…’", "De Noor noemde ‘…’", "Hij riep")
                head = before[: vm.start()]
                subj = re.search(r"(?:^|[,;:]\s*|\s)(?P<r>(?:[Dd]e\s+)?(?:\S+\s+){0,5}?\S+)\s*$", head)
                for start in _candidate_starts(head):
                    sp, how = ref_at(sents[k_open][0] + start)
                    if sp:
                        speaker, rule = sp, "X zei"
                        break
                if speaker or subj is None:
                    break
        # (e2) a sentence opening with a pronoun ("Hij voorziet ‘…’")
        if speaker is None and (m := re.match(r"^\s*(Hij|Zij|Ze)\b", before)):
            speaker, rule = _resolve_pronoun(m.group(1), q["start"], people, sents), "X zei"
            via.append("pronoun")
        # (f) continuation of the paragraph's last attributed quote
        if speaker is None and para in last_attr and not before.strip():
            speaker, rule = last_attr[para], "continuation"
        # (g) the previous sentence (same paragraph) names exactly one person
        if speaker is None and not before.strip() and k_open > 0 and sents3[k_open - 1][2] == para:
            named = people.named_in(*sents[k_open - 1])
            if k_open - 1 in indirect:
                speaker, rule = indirect[k_open - 1][0], "continuation"
            elif len(named) == 1:
                speaker, rule = named[0].name, "previous sentence"
        # (h) the quote's own sentence names exactly one person (outside the quote)
        if speaker is None:
            named = [
                p for p in people.named_in(sents[k_open][0], sents[k_close][1])
                if not any(q["start"] <= off < q["end"] for off, pp in people.mentions if pp is p)
            ]
            if len(named) == 1:
                speaker, rule = named[0].name, "person in sentence"
        if speaker is not None and not speaker.startswith("(unresolved"):
            last_attr[para] = speaker
        row = _row(doc_id, outlet, para, q["start"], q["end"], 0, "direct", style, speaker, rule, q["text"])
        if conf is not None:
            row["confidence"] = conf
        if speaker and speaker.startswith("(unresolved"):
            row["confidence"] = 0.0
        elif speaker and via and via[-1] == "pronoun":
            row["confidence"] = min(row["confidence"], 0.7)
        elif speaker and via and via[-1] == "description":
            row["confidence"] = min(row["confidence"], 0.75)
        rows.append(row)
        outer.append(row)
    for r in rows:  # nested rows get their parent's speaker after attribution
        if r["rule"] == "nested" and r["speaker"] is None:
            parent = next((o for o in outer if o["start"] <= r["start"] and r["end"] <= o["end"]), None)
            r["speaker"] = parent["speaker"] if parent else None
    return rows, warnings


def _candidate_starts(head: str) -> list[int]:
    """Offsets in ``head`` where a subject reference may start, nearest to the verb first:
    the start of the sentence, after a comma, or at a capitalised word / ``de`` / pronoun."""
    starts = [0]
    for m in re.finditer(r"(?:(?<=\s)|(?<=^))(?:[Dd]e\s|[Hh]ij\b|[Zz]ij\b|[Zz]e\b|[A-ZÀ-Þ])", head):
        starts.append(m.start())
    # a reference must reach the verb: keep starts whose remaining text is short
    return sorted({s for s in starts if len(head[s:].split()) <= 6}, key=lambda s: -s)


def _row(doc_id, outlet, para, start, end, depth, kind, style, speaker, rule, text) -> dict:
    return {
        "doc_id": doc_id, "outlet": outlet, "paragraph": para, "start": start, "end": end,
        "depth": depth, "kind": kind, "style": style,
        "speaker": speaker if speaker else "(unattributed)",
        "rule": rule if speaker else "unattributed",
        "confidence": RULE_CONFIDENCE.get(rule, 0.0) if speaker and rule != "nested" else (0.0 if not speaker else None),
        "n_words": len(text.split()), "text": " ".join(text.split()),
    }


def extract_quotes(
    documents: pd.DataFrame, *, descriptor_hints: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every quote in ``documents`` with its speaker, rule and confidence.

    Parameters
    ----------
    documents : DataFrame
        Needs ``doc_id`` and ``text``; the ``outlet`` column, when present, is copied into the
        quotes' ``outlet`` column (other document columns are joined by :func:`share_of_voice`).
    descriptor_hints : mapping of str to str, optional
        Description word (lowercase) -> the surname it names, for descriptions no title in the text
        explains (``de Noor`` -> ``Stoltenberg``). Corpus knowledge: pass the corpus definition's
        ``quotes.descriptor_hints``. Default: none.

    Returns
    -------
    (quotes, warnings)
        ``quotes`` has :data:`QUOTE_COLUMNS` (``kind`` is ``direct``, ``nested`` or
        ``indirect``; offsets are into the normalised document text), sorted by document and
        offset. ``warnings`` has :data:`WARNING_COLUMNS`: every quote mark that could not be
        paired.
    """
    for col in ("doc_id", "text"):
        if col not in documents.columns:
            raise ValueError(f"documents: missing column {col!r}; columns: {sorted(map(str, documents.columns))}")
    hints = _check_hints(descriptor_hints)
    texts = [normalise(t) if isinstance(t, str) else "" for t in documents["text"]]
    outlets = documents["outlet"].tolist() if "outlet" in documents.columns else [None] * len(documents)
    # people named with a title anywhere in the corpus, so that "Stoltenberg" alone resolves everywhere
    hits_per_doc = [_person_hits(t) for t in texts]
    full: dict[str, str] = {}
    for hits in hits_per_doc:
        for _, name in hits:
            if name.split()[0].lower() in {"van", "de", "het"}:
                continue
            surname = name.split()[-1]
            if surname not in full or (" " in name and " " not in full[surname]):
                full[surname] = name  # the first full name wins over a bare surname
    # a bare "name" that is the first name of a full name ("Frans" of "Frans Timmermans") is not a
    # surname: registering it would make every "Frans Timmermans" look like two people
    first_names = {v.split()[0] for v in full.values() if " " in v}
    known = {k: full[k] for k in sorted(full) if not (" " not in full[k] and k in first_names)}
    known_re = (
        re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(known, key=lambda k: (-len(k), k))) + r")\b")
        if known else None
    )
    rows, warns = [], []
    for doc_id, outlet, text, hits in zip(documents["doc_id"], outlets, texts, hits_per_doc, strict=True):
        r, w = _attribute_doc(str(doc_id), outlet, text, hits, known, known_re, hints)
        rows += r
        warns += w
    quotes = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    quotes = quotes.sort_values(["doc_id", "start", "depth", "end"], kind="stable").reset_index(drop=True)
    quotes["confidence"] = quotes["confidence"].astype(float)
    warnings = pd.DataFrame(warns, columns=WARNING_COLUMNS).sort_values(["doc_id", "offset"], kind="stable")
    return quotes, warnings.reset_index(drop=True)


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
        ``<group_by>, speaker, quotes, words, share_of_quotes, share_of_words, n_quotes_group``,
        sorted by group (:func:`medialens.grouping.group_order`, ``(missing)`` last), then quoted
        words (descending), then speaker.
    """
    if group_by not in quotes.columns and documents is not None and group_by in documents.columns and group_by != "text":
        meta = documents[["doc_id", group_by]].astype({"doc_id": str})
        if meta["doc_id"].duplicated().any():
            raise ValueError("documents: doc_id values repeat; cannot join a document column onto the quotes")
        quotes = quotes.assign(doc_id=quotes["doc_id"].astype(str)).merge(meta, on="doc_id", how="left", validate="many_to_one")
    if group_by not in quotes.columns:
        where = "of the quotes table" + (" or the documents" if documents is not None else "")
        raise ValueError(f"group_by = {group_by!r}: not a column {where}; columns: {list(quotes.columns)}")
    kinds = kinds or ["direct", "indirect"]
    q = quotes[quotes["kind"].isin(kinds)]
    q = q.assign(**{group_by: group_labels(q, group_by)})
    out = q.groupby([group_by, "speaker"]).agg(quotes=("text", "size"), words=("n_words", "sum")).reset_index()
    tot = out.groupby(group_by)[["quotes", "words"]].transform("sum")
    out["share_of_quotes"] = (out["quotes"] / tot["quotes"]).round(3)
    out["share_of_words"] = (out["words"] / tot["words"]).round(3)
    out["n_quotes_group"] = tot["quotes"]
    rank = out[group_by].map({g: i for i, g in enumerate(group_order(out[group_by]))})
    order = out.assign(_rank=rank).sort_values(["_rank", "words", "speaker"], ascending=[True, False, True], kind="stable").index
    return out.loc[order].reset_index(drop=True)
