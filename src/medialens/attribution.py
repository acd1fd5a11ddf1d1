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

References: a surname (``De Vries``) is the most recent earlier person of the document whose
name ends with it (else a later one, for headlines; else the surname as written). A pronoun is the
person named nearest before it in its own sentence, else in the previous sentence, when that
sentence names one person only; otherwise it stays ``(unresolved: hij)``. A description (``de
trainer``, ``de Noor``) is the most recent person whose role holds its words (or who fits the
hints table); one that names a person by a capitalised word (``de Zutphenaar``) and fits nobody
stays unresolved; others are the speaker as written (``de leiders``, ``het Kremlin``). Names and
roles come from :mod:`medialens.speakers`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .speakers import Mention, NameSignal, find_names, person_gender
from .text import sentence_spans

__all__ = ["attribute"]

_NL_VERBS = (
    "zei|zegt|zeggen|zeiden|zegde|sprak|spreekt|meldde|meldt|noemde|noemt|stelde|stelt|verklaarde|verklaart|"
    "waarschuwde|waarschuwt|benadrukte|benadrukt|riep|roept|vroeg|vraagt|somde|antwoordde|antwoordt|"
    "schreef|schrijft|twitterde|tweette|erkende|erkent|beloofde|belooft|voegde|voegt|vervolgde|vervolgt|"
    "ontkent|ontkende|eist|eiste|dreigt|dreigde|gaat|ging|reageerde|reageert|vindt|vond|vertelt|vertelde|"
    "legt|legde|laat|liet|oordeelde|oordeelt|concludeert|concludeerde|aldus|zucht|zuchtte|lacht|lachte"
)
_EN_VERBS = (
    "said|says|say|told|tells|added|adds|wrote|writes|warned|warns|asked|asks|denied|denies|demanded|"
    "demands|insisted|explained|replied|answered|stated|noted|argued|claimed|admitted|announced|"
    "continued|recalled|laughed|stressed"
)
_VERBS = f"{_NL_VERBS}|{_EN_VERBS}"
_VERB_RE = re.compile(rf"\b(?:{_VERBS})\b", re.IGNORECASE)
# English verbs whose subject never follows them ("told the BBC", not "told Mary Jones")
_NO_INVERSION = frozenset("told tells warned warns denied denies demanded demands insisted explained replied "
                          "answered stated noted argued claimed admitted announced recalled laughed stressed".split())
_SURNAME_START = frozenset("De Van Ter Ten Te Der Den In Op Von Du Da Di La Le".split())
_POSSESSIVE = frozenset("zijn haar hun mijn onze jouw his her their my our its".split())
_PRONOUN_GENDER = {"hij": "m", "he": "m", "zij": "f", "ze": "f", "she": "f"}
_PRON_RE = re.compile(r"^\s*(?P<p>hij|zij|ze|he|she|they)\b", re.IGNORECASE)
_DESC_RE = re.compile(r"^\s*(?P<d>(?:[Dd]e|[Hh]et|[Ee]en|[Tt]he|[Aa]n?)\s+(?:[\w’'-]+)(?:\s+[\w’'-]+){0,5})")
_AFTER_VERB = re.compile(rf"^[\s,.;–-]*(?:zo\s+)?(?:{_VERBS})\b", re.IGNORECASE)
_ALDUS = re.compile(r"\baldus\b", re.IGNORECASE)
_LATER_VERB = re.compile(rf",\s*zo\s+(?:{_VERBS})\b(?=[^,;]*$)", re.IGNORECASE)
_ZOALS = re.compile(r"^[^.!?]*?,\s*zoals\b", re.IGNORECASE)
_DAT_ZEI = re.compile(rf"^\s*Dat\s+(?:{_VERBS})\b", re.IGNORECASE)
_VOLGENS = re.compile(r"^\s*(?:Volgens|According\s+to)\b", re.IGNORECASE)
_ZEI_END = re.compile(rf",\s*(?:zo\s+)?(?P<verb>aldus|{_VERBS})\s+(?P<ref>[^,.!?]+?)\s*[.!?]?\s*$", re.IGNORECASE)
_X_ZEI_DAT = re.compile(rf"^(?P<ref>.{{0,80}}?)\s+(?:{_VERBS})\s+(?:wel\s+|ook\s+)?dat\b")
# words that end a description (prepositions, adverbs, verbs): "de moeder na afloop", "de leiders in"
_DESC_STOP = re.compile(
    rf"^(?:{_VERBS}|na|bij|in|op|tegen|tijdens|met|voor|aan|uit|over|donderdag|maandag|dinsdag|woensdag|vrijdag|"
    r"zaterdag|zondag|vanmiddag|vanochtend|vanavond|gisteren|vandaag|zich|ook|nog|verder|daarbij|at|in|on|to|"
    r"with|after|before|during|when|who|die|dat|which|that|speaking|weten|toe|af|mee|was|were|is|would|will|"
    r"has|had|werd|wordt|heeft|had|kan|moet|wil|zal|gaat)$",
    re.IGNORECASE,
)


@dataclass
class _Ref:
    speaker: str | None
    how: str  # "name", "pronoun", "description", ""
    role: str = ""


class _Doc:
    """One document: its sentences, the spans of its quotes and the names outside them."""

    def __init__(self, text: str, quotes: list[dict], signal: NameSignal, hints: dict[str, str]):
        self.text = text
        self.hints = hints
        self.signal = signal
        spans = sentence_spans(text)
        self.sents = [(a, b) for a, b, _ in spans]
        self.para = [p for _, _, p in spans]
        self.starts = [a for a, _ in self.sents]
        inside = sorted((q["start"] - len(q["open"]), q["end"] + len(q["close"])) for q in quotes if q["depth"] == 0)
        self.inside = inside
        found = [m for m in find_names(text, signal) if not any(a <= m.start < b for a, b in inside)]
        surnames = {m.name.split()[-1] for m in found if not m.common and self._full(m)}
        for j, m in enumerate(found):
            toks = m.name.split()
            if len(toks) >= 3 and toks[0] in surnames and toks[1].islower() and not any(
                    f.start < m.start and f.name.endswith(m.name) for f in found):
                found[j] = Mention(m.start, m.start + len(toks[0]), toks[0], m.role)  # "Zelenski de Navo"
        fulls = {m.name.lower() for m in found if not m.common and self._full(m)}
        # a name made of common words only (Knapen, De Boer) counts when someone has it as surname
        self.mentions = [m for m in found if not m.common or any(f.endswith(" " + m.name.lower()) for f in fulls)]
        self.m_starts = [m.start for m in self.mentions]
        self.people: dict[str, str] = {}  # full name -> role
        self.resolved: list[_Ref] = []
        for m in self.mentions:
            ref = self._resolve_mention(m)
            self.resolved.append(ref)

    # ---- sentences
    def sent_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    # ---- names
    @staticmethod
    def _full(m: Mention) -> bool:
        toks = m.name.split()
        # "De Vries", "Van der Wal", "Ter Horst" are surnames; "Ben Knapen", "El Amrani …" can be full names
        return len(toks) >= 2 and not (toks[0].islower() or toks[0] in _SURNAME_START)

    def _role_before(self, m: Mention) -> str:
        """Role words written before a name: its own stripped capitalised words and the lower-case
        words right before it (``emeritus hoogleraar strafrecht``), up to a verb or punctuation."""
        head = self.text[max(0, m.start - 80) : m.start]
        words = re.findall(r"[\w’'-]+(?=\s*$)|[\w’'-]+", head.split("\n")[-1])
        tail = re.split(r"[,.;:!?()„“”\"‘’]", head)[-1].split()
        keep: list[str] = []
        for w in reversed(tail):
            if _VERB_RE.fullmatch(w) or w.lower() in ("de", "het", "een", "the", "a", "an", "van", "of") and not keep:
                break
            if w[:1].isupper() and not self.signal.is_common(w):
                break
            if w.lower() in ("de", "het", "een", "the", "a", "an", "zijn", "haar", "hun", "his", "her"):
                break
            keep.append(w)
        del words
        role = " ".join(reversed(keep))
        return role if len(keep) <= 6 else ""

    def _resolve_mention(self, m: Mention) -> _Ref:
        if " " in m.name:  # "El Idrissi", "Ben Haddou": the surname of someone named before
            low = " " + m.name.lower()
            for ref in reversed(self.resolved):
                if ref.how == "name" and ref.speaker and ref.speaker in self.people and ref.speaker.lower().endswith(low):
                    return _Ref(ref.speaker, "name", self.people.get(ref.speaker, ""))
        if self._full(m):
            role = m.role or self._role_before(m)
            if m.name not in self.people or (role and not self.people[m.name]):
                self.people[m.name] = role
            return _Ref(m.name, "name", role)
        low = m.name.lower()
        # the most recent earlier full name ending with this surname
        for off, ref in zip(reversed(self.m_starts[: len(self.resolved)]), reversed(self.resolved), strict=True):
            if ref.how == "name" and ref.speaker and (ref.speaker.lower().endswith(" " + low)) and off < m.start:
                return _Ref(ref.speaker, "name", self.people.get(ref.speaker, ""))
        return _Ref(None, "later")  # resolved in a second pass

    def finish(self) -> None:
        """Second pass: surnames named before their full name (headlines), or never fully."""
        for k, (m, ref) in enumerate(zip(self.mentions, self.resolved, strict=True)):
            if ref.how != "later":
                continue
            low = m.name.lower()
            later = [r.speaker for r in self.resolved if r.how == "name" and r.speaker and r.speaker.lower().endswith(" " + low)]
            if later:
                self.resolved[k] = _Ref(later[0], "name", self.people.get(later[0], ""))
            elif m.name.split()[0] in ("De", "Het") and len(m.name.split()) == 2:
                self.resolved[k] = self._description("de " + m.name.split()[1], m.start)
            else:
                self.resolved[k] = _Ref(m.name, "name", m.role)

    def persons_in(self, start: int, end: int) -> list[str]:
        """Distinct people named (full names or surnames of people) between the offsets."""
        out: list[str] = []
        i = bisect.bisect_left(self.m_starts, start)
        while i < len(self.mentions) and self.m_starts[i] < end:
            m, ref = self.mentions[i], self.resolved[i]
            if ref.speaker and ref.speaker in self.people and self._person_like(m) and ref.speaker not in out:
                out.append(ref.speaker)
            i += 1
        return out

    def _person_like(self, m: Mention) -> bool:
        """Not a place or an institution: no article or preposition right before the name."""
        prev = re.findall(r"[\w’'-]+", self.text[max(0, m.start - 20) : m.start])
        if not prev or m.role:
            return True
        tag = self.signal.nl.get(prev[-1].lower()) or self.signal.nl.get(prev[-1]) or ""
        return not (tag.startswith("Art") or tag.startswith("Prep")) or prev[-1].lower() == "volgens"

    # ---- references at a position
    def ref_at(self, pos: int, limit: int | None = None) -> tuple[_Ref, int]:
        """The reference starting at ``pos`` (a pronoun, a name after role words, a description),
        and where it ends; ``_Ref(None, "")`` when there is none."""
        rest = self.text[pos : limit if limit is not None else min(len(self.text), pos + 160)]
        if m := _PRON_RE.match(rest):
            return _Ref(self.pronoun(m.group("p"), pos), "pronoun"), pos + m.end()
        i = bisect.bisect_left(self.m_starts, pos)
        if i < len(self.mentions) and (limit is None or self.mentions[i].start < limit):
            m = self.mentions[i]
            gap = self.text[pos : m.start]
            words = gap.split()
            if re.fullmatch(r"[\s\w’'-]*", gap) and len(words) <= 6 and not any(_VERB_RE.fullmatch(w) for w in words) \
                    and not any(w.lower() in _POSSESSIVE or self._function_word(w, j) for j, w in enumerate(words)):
                nxt = self.mentions[i + 1] if i + 1 < len(self.mentions) else None
                if nxt is not None and not self._full(m) and self._full(nxt) and (limit is None or nxt.start < limit):
                    between = self.text[m.end : nxt.start].split()
                    if re.fullmatch(r"[\s\w’'-]*", self.text[m.end : nxt.start]) and len(between) <= 3 \
                            and all(w.islower() for w in between):
                        i, m = i + 1, nxt  # "NFU president Helen Lacey": the name after the organisation
                ref = self.resolved[i]
                if words and words[0].lower() in ("de", "het", "the") and not ref.how == "name":
                    pass
                elif words and words[0].lower() in ("de", "het") and len(words) == 1 and not self._full(m) \
                        and ref.speaker == m.name:
                    return self._description(f"{words[0].lower()} {m.name}", pos), m.end
                else:
                    role = " ".join(w for w in words if w.lower() not in ("de", "het", "the", "een", "a", "an"))
                    return _Ref(ref.speaker, ref.how if ref.how != "later" else "name", role or ref.role), m.end
        if m := _DESC_RE.match(rest):
            words = m.group("d").split()
            keep = [words[0]]
            for w in words[1:]:
                if _DESC_STOP.match(w) or (w[:1].isupper() and not self.signal.is_common(w) and len(keep) > 1 and keep[-1] != "van"):
                    break
                keep.append(w)
            while keep and keep[-1].lower() in ("van", "de", "het", "of", "the"):
                keep.pop()
            if len(keep) >= 2:
                return self._description(" ".join(keep), pos), pos + m.start("d") + len(" ".join(keep))
        return _Ref(None, ""), pos

    def _function_word(self, word: str, j: int) -> bool:
        """A preposition, conjunction, pronoun, verb or adverb: not part of a role before a name
        (``stelt vast dat de relatie met Rusland``); ``van``/``of`` and a leading article are."""
        low = word.lower()
        if low in ("van", "of") or j == 0 and low in ("de", "het", "the", "een", "a", "an"):
            return False
        tag = self.signal.nl.get(low) or ""
        en = self.signal.en.get(low) or ""
        return tag.startswith(("Prep", "Conj", "Pron", "V(", "Adv", "Art")) or (
            not tag and en.startswith(("IN", "CC", "PRP", "VB", "RB", "WDT", "WP", "DT")))

    def _description(self, desc: str, pos: int) -> _Ref:
        words = [w.lower() for w in desc.split()[1:] if len(w) > 2 and w.lower() not in ("van", "the", "het")]
        for i in range(bisect.bisect_left(self.m_starts, pos) - 1, -1, -1):
            ref = self.resolved[i]
            if ref.how != "name" or not ref.speaker or ref.speaker not in self.people:
                continue
            role = (self.people.get(ref.speaker) or "").lower()
            titles = set(re.split(r"[\s-]+", role))
            if any(w in titles or any(t.endswith(w) for t in titles if len(t) > 3) for w in words) or any(
                self.hints.get(w) and ref.speaker.endswith(self.hints[w]) for w in words
            ):
                return _Ref(ref.speaker, "description", self.people.get(ref.speaker, ""))
        head = desc.split()[-1]
        if desc.split()[0].lower() in ("de", "the") and head[:1].isupper() and "-" not in head and not head.isupper():
            # "de Zutphenaar", "de Spaanse middenvelder": a person no title or hint explains
            return _Ref(f"(unresolved: {desc[0].lower()}{desc[1:]})", "description")
        first = desc.split()[0].lower()
        return _Ref(first + desc[len(first) :], "description")

    def pronoun(self, pron: str, pos: int) -> str:
        """The person a pronoun at ``pos`` refers to: among the people named before it in its
        sentence, else in the previous sentence (stepping over sentences that are quotes or open
        with a pronoun), those whose gender does not contradict the pronoun's (``hij``/``he``
        male, ``zij``/``ze``/``she`` female; gender from the first name or an honorific,
        :func:`medialens.speakers.person_gender`, unknown for many names); exactly one left is the
        referent, otherwise ``(unresolved: pron)``."""
        want = _PRONOUN_GENDER.get(pron.lower())

        def agreeing(people: list[str]) -> list[str]:
            return [p for p in people if want is None or person_gender(p, self.people.get(p, "")) in (None, want)]

        k = self.sent_of(pos)
        q = next(((a, b) for a, b in self.inside if a < self.sents[k][0] < b), None)
        if q is not None:  # the sentence begins inside a quote: count from the quote's first sentence
            k = self.sent_of(q[0])
        named = agreeing(self.persons_in(self.sents[k][0], pos))
        if len(named) == 1:
            return named[0]
        j = k - 1
        # step back over sentences that name no one because they are a quote or open with a
        # pronoun themselves ("Hij toonde zich pessimistisch. Hij voorziet ‘…’")
        while not named and j >= 0 and k - j <= 3:
            named = agreeing(self.persons_in(*self.sents[j]))
            a, b = self.sents[j]
            if named or not (_PRON_RE.match(self.text[a:b]) or any(x <= a and b <= y for x, y in self.inside)):
                break
            j -= 1
        if len(named) == 1:
            return named[0]
        return f"(unresolved: {pron.lower()})"

    def ref_before(self, head_start: int, head_end: int) -> _Ref:
        """The reference nearest before ``head_end`` (the subject of a verb or a colon)."""
        head = self.text[head_start:head_end]
        i = bisect.bisect_left(self.m_starts, head_end) - 1
        while i > 0 and self.m_starts[i - 1] >= head_start and (
            self.text[max(0, self.m_starts[i] - 1) : self.m_starts[i]] == "("
            or re.search(r"\b(?:of|van|bij|from|at|uit|voor|for)\s+(?:de\s+|het\s+|the\s+)?$",
                         self.text[max(0, self.m_starts[i] - 12) : self.m_starts[i]])
        ):
            i -= 1  # "Pieter Bos (SP) noemt", "Raj Mehta of Barclays said": the person, not the affiliation
        mention_ref = None
        if i >= 0 and self.m_starts[i] >= head_start:
            m = self.mentions[i]
            between = self.text[m.end : head_end]
            if len(between.split()) <= 6 and not re.search(r"[.;:!?]", between):
                mention_ref = (m.start, self.ref_at(max(head_start, m.start - 4) if
                                                    self.text[max(head_start, m.start - 4) : m.start].lower() in ("het ", " de ", "de ")
                                                    else m.start, m.end + 1)[0])
        pm = list(re.finditer(r"(?:^|(?<=[\s,]))(?:[Hh]ij|[Zz]ij|[Zz]e|[Hh]e|[Ss]he)\b", head))
        if pm and (mention_ref is None or head_start + pm[-1].start() > mention_ref[0]):
            between = head[pm[-1].end() :]
            if len(between.split()) <= 3:
                return _Ref(self.pronoun(pm[-1].group(), head_start + pm[-1].start()), "pronoun")
        if mention_ref is not None and mention_ref[1].speaker:
            return mention_ref[1]
        d = re.match(r"^\s*((?:[Dd]e|[Hh]et|[Tt]he|[Aa]n?|[Ee]en)\s+[\w\s’'-]{2,60})$", head)
        if d:
            ref, end = self.ref_at(head_start + d.start(1))
            if ref.speaker and ref.how == "description" and not self.text[end:head_end].strip():
                return ref
        return _Ref(None, "")


def _apply_ref(ref: _Ref, rule: str) -> tuple[str | None, str, str, str]:
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
    doc = _Doc(text, raw_quotes, signal, hints)
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


def _attribute_quote(doc: _Doc, q: dict, k_open: int, k_close: int, last: dict | None, outer: list[dict],
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


def _after_quote(doc: _Doc, q: dict, after: str, *, k_close: int, s_start: int, last: dict | None,
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
    if ref.speaker and _VERB_RE.match(text, end + (len(text[end:]) - len(text[end:].lstrip()))) \
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
        if re.fullmatch(rf"\s*,?\s*(?:{_VERBS})\s+[^,.!?]{{1,60}},\s*", gap, re.IGNORECASE):
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


def _before_quote(doc: _Doc, before: str, open_start: int) -> tuple[str | None, str, str, str] | None:
    """Rules (e)-(g): a speaker named in ``before`` (the sentence part before the quote, which
    ends at ``open_start``); None when none applies."""
    b0 = open_start - len(before)
    # (e) "Volgens X is het ‘…’"
    if m := _VOLGENS.match(before):
        ref, _ = doc.ref_at(b0 + m.end())
        if ref.speaker:
            return _apply_ref(ref, "volgens X")
    # (f) "X zei ‘…’" / "zei X: ‘…’"
    verbs = list(_VERB_RE.finditer(before))
    if verbs:
        vm = verbs[-1]
        ref = _Ref(None, "")
        if vm.group().lower() not in _NO_INVERSION:
            ref, _ = doc.ref_at(b0 + vm.end(), open_start)
            if ref.how not in ("name", "pronoun"):
                ref = _Ref(None, "")
        if not ref.speaker:
            ref = doc.ref_before(b0, b0 + vm.start())
        if ref.speaker:
            return _apply_ref(ref, "X zei")
    # (f2) a sentence opening with a pronoun: "Hij voorziet ‘…’"
    if not verbs and (m := _PRON_RE.match(before)) and m.group("p").lower() != "they":
        return _apply_ref(_Ref(doc.pronoun(m.group("p"), b0 + m.start("p")), "pronoun"), "X zei")
    # (g) "X: ‘…’"
    if before.rstrip().endswith(":"):
        ref = doc.ref_before(b0, b0 + len(before.rstrip()) - 1)
        if ref.speaker:
            return _apply_ref(ref, "X: quote")
    return None


def _from_context(doc: _Doc, before: str, *, k_open: int, span: tuple[int, int, int, int], last: dict | None,
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


def _interview_answer(doc: _Doc, k_open: int) -> str | None:
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


def _next_quote(doc: _Doc, q: dict) -> list[int]:
    text = doc.text
    out = []
    for mark in (",,", "„", "“", "‘", '"', "'"):
        i = text.find(mark, q["end"] + len(q["close"]))
        if i >= 0 and (mark not in ("'", '"', "‘") or (i + 1 < len(text) and not text[i + 1].isspace())):
            out.append(i)
    return sorted(out)


def _indirect(doc: _Doc, raw_quotes: list[dict]) -> list[dict]:
    """Sentences of indirect speech: ``Volgens X …``, ``…, zei X.``, ``X zei dat …`` and a sentence
    followed by ``Dat zei X``; sentences holding a direct quote are left to the quote rules."""
    quoted = {doc.sent_of(q["start"]) for q in raw_quotes} | {doc.sent_of(max(q["end"] - 1, 0)) for q in raw_quotes}
    found: dict[int, tuple[_Ref, str]] = {}
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
            if ref.speaker and (ref.how != "description" or not rest or prep and not any(_VERB_RE.fullmatch(w) for w in rest)):
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
