"""Who a name, a pronoun or a description refers to, within one document: the references behind
the attribution rules of :mod:`medialens.attribution`.

References: a surname (``De Vries``) is the most recent earlier person of the document whose
name ends with it (else a later one, for headlines; else the surname as written). A pronoun is the
person named nearest before it in its own sentence, else in the previous sentence, when that
sentence names one person only; otherwise it stays ``(unresolved: hij)``. A plural pronoun
(``they``, ``zeggen ze``) is the nearest group of people named by a plural noun (``de bewoners``),
never one person. A description (``de
trainer``, ``de Noor``) is the most recent person whose role holds its words (or who fits the
hints table); one that names a person by a capitalised word (``de Zutphenaar``) and fits nobody
stays unresolved; others are the speaker as written (``de leiders``, ``het Kremlin``). Names and
roles come from :mod:`medialens.speakers`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .speakers import Mention, NameSignal, find_names, person_gender, trim_role
from .text import sentence_spans

__all__ = ["Ref", "Doc", "VERBS", "VERB_RE", "NO_INVERSION", "PRON_RE"]

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
VERBS = f"{_NL_VERBS}|{_EN_VERBS}"
VERB_RE = re.compile(rf"\b(?:{VERBS})\b", re.IGNORECASE)
# English verbs whose subject never follows them ("told the BBC", not "told Mary Jones")
NO_INVERSION = frozenset("told tells warned warns denied denies demanded demands insisted explained replied "
                          "answered stated noted argued claimed admitted announced recalled laughed stressed".split())
_SURNAME_START = frozenset("De Van Ter Ten Te Der Den In Op Von Du Da Di La Le".split())
_POSSESSIVE = frozenset("zijn haar hun mijn onze jouw his her their my our its".split())
_PRONOUN_GENDER = {"hij": "m", "he": "m", "zij": "f", "ze": "f", "she": "f"}
# a plural noun that names people (bewoners, boeren, studenten, tenants, residents): a plural noun
# in the tagger lexicon (N(soort,mv...) or NNS) with a person ending, a plural adjective or participle
# used as a noun (deskundigen, gedupeerden: Adj(zelfst...verv_mv), V(...verv_mv)), or one of these words
_PERSON_PLURAL = re.compile(r"(?:ers|aars|eren|anten|enten|isten|lingen|ants|ents|ists|ians|ors)$")
_PEOPLE_WORDS = frozenset("mensen ouders fans families gezinnen people children officials staff".split())
_GROUP_WORDS = frozenset("de het alle veel sommige enkele andere deze die the all many some several other these those".split())
PRON_RE = re.compile(r"^\s*(?P<p>hij|zij|ze|he|she|they)\b", re.IGNORECASE)
_DESC_RE = re.compile(r"^\s*(?P<d>(?:[Dd]e|[Hh]et|[Ee]en|[Tt]he|[Aa]n?)\s+(?:[\w’'-]+)(?:\s+[\w’'-]+){0,5})")
# words that end a description (prepositions, adverbs, verbs): "de moeder na afloop", "de leiders in"
_DESC_STOP = re.compile(
    rf"^(?:{VERBS}|na|bij|in|op|tegen|tijdens|met|voor|aan|uit|over|donderdag|maandag|dinsdag|woensdag|vrijdag|"
    r"zaterdag|zondag|vanmiddag|vanochtend|vanavond|gisteren|vandaag|zich|ook|nog|verder|daarbij|at|in|on|to|"
    r"with|after|before|during|when|who|die|dat|which|that|speaking|weten|toe|af|mee|was|were|is|would|will|"
    r"has|had|werd|wordt|heeft|had|kan|moet|wil|zal|gaat)$",
    re.IGNORECASE,
)


@dataclass
class Ref:
    """What a reference names: the ``speaker`` (None when nothing), ``how`` it was named
    (``name``, ``pronoun``, ``description``, ``later`` while a surname waits for the second pass,
    or empty) and the ``role`` written with it."""

    speaker: str | None
    how: str  # "name", "pronoun", "description", ""
    role: str = ""


class Doc:
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
        found = find_names(text, signal)
        if inside:
            found = [m for m in found if not any(a <= m.start < b for a, b in inside)]
        surnames = {m.name.split()[-1] for m in found if not m.common and self._full(m)}
        for j, m in enumerate(found):
            toks = m.name.split()
            if len(toks) >= 3 and toks[0] in surnames and toks[1].islower() and not any(
                    f.start < m.start and f.name.endswith(m.name) for f in found):
                found[j] = Mention(m.start, m.start + len(toks[0]), toks[0], m.role)  # "Zelenski de Navo"
        fulls = {m.name.lower() for m in found if not m.common and self._full(m)}
        # a name made of common words only (Knapen, De Boer) counts when someone has it as surname,
        # or when a role is written before it and it opens with a particle (minister De Jonge)
        self.titled: dict[int, str] = {}
        for m in found:
            if m.common and m.name.split()[0] in _SURNAME_START and len(m.name.split()) >= 2:
                if role := m.role or self._role_before(m):
                    self.titled[m.start] = role
        # the word runs after a space of every full name: a name ending one of them is its surname
        surname_ends = {f[i + 1 :] for f in fulls for i, ch in enumerate(f) if ch == " "}
        self.mentions = [m for m in found if not m.common or m.start in self.titled or m.name.lower() in surname_ends]
        self.m_starts = [m.start for m in self.mentions]
        self.people: dict[str, str] = {}  # full name -> role
        self.resolved: list[Ref] = []
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
        tail = re.split(r"[,.;:!?()„“”\"‘’]", head)[-1].split()
        keep: list[str] = []
        for w in reversed(tail):
            if VERB_RE.fullmatch(w) or w.lower() in ("de", "het", "een", "the", "a", "an", "van", "of") and not keep:
                break
            if w[:1].isupper() and not self.signal.is_common(w):
                break
            if w.lower() in ("de", "het", "een", "the", "a", "an", "zijn", "haar", "hun", "his", "her"):
                break
            keep.append(w)
        role = trim_role(" ".join(reversed(keep)), self.signal)
        return role if len(keep) <= 6 else ""

    def _resolve_mention(self, m: Mention) -> Ref:
        if " " in m.name:  # "El Idrissi", "Ben Haddou": the surname of someone named before
            low = " " + m.name.lower()
            for ref in reversed(self.resolved):
                if ref.how == "name" and ref.speaker and ref.speaker in self.people and ref.speaker.lower().endswith(low):
                    return Ref(ref.speaker, "name", self.people.get(ref.speaker, ""))
        if self._full(m):
            role = m.role or self._role_before(m)
            if m.name not in self.people or (role and not self.people[m.name]):
                self.people[m.name] = role
            return Ref(m.name, "name", role)
        low = m.name.lower()
        # the most recent earlier full name ending with this surname
        for off, ref in zip(reversed(self.m_starts[: len(self.resolved)]), reversed(self.resolved), strict=True):
            if ref.how == "name" and ref.speaker and (ref.speaker.lower().endswith(" " + low)) and off < m.start:
                return Ref(ref.speaker, "name", self.people.get(ref.speaker, ""))
        return Ref(None, "later")  # resolved in a second pass

    def finish(self) -> None:
        """Second pass: surnames named before their full name (headlines), or never fully."""
        for k, (m, ref) in enumerate(zip(self.mentions, self.resolved, strict=True)):
            if ref.how != "later":
                continue
            low = m.name.lower()
            later = [r.speaker for r in self.resolved if r.how == "name" and r.speaker and r.speaker.lower().endswith(" " + low)]
            if later:
                self.resolved[k] = Ref(later[0], "name", self.people.get(later[0], ""))
            elif m.start in self.titled:  # "minister De Jonge": a surname, never a description
                self.people.setdefault(m.name, self.titled[m.start])
                self.resolved[k] = Ref(m.name, "name", self.titled[m.start])
            elif m.name.split()[0] in ("De", "Het") and len(m.name.split()) == 2:
                self.resolved[k] = self._description("de " + m.name.split()[1], m.start)
            else:
                self.resolved[k] = Ref(m.name, "name", m.role)

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
    def ref_at(self, pos: int, limit: int | None = None) -> tuple[Ref, int]:
        """The reference starting at ``pos`` (a pronoun, a name after role words, a description),
        and where it ends; ``Ref(None, "")`` when there is none."""
        rest = self.text[pos : limit if limit is not None else min(len(self.text), pos + 160)]
        if m := PRON_RE.match(rest):
            return Ref(self.pronoun(m.group("p"), pos), "pronoun"), pos + m.end()
        i = bisect.bisect_left(self.m_starts, pos)
        if i < len(self.mentions) and (limit is None or self.mentions[i].start < limit):
            m = self.mentions[i]
            gap = self.text[pos : m.start]
            words = gap.split()
            if re.fullmatch(r"[\s\w’'-]*", gap) and len(words) <= 6 and not any(VERB_RE.fullmatch(w) for w in words) \
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
                    return Ref(ref.speaker, ref.how if ref.how != "later" else "name", role or ref.role), m.end
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
        return Ref(None, ""), pos

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

    def _description(self, desc: str, pos: int) -> Ref:
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
                return Ref(ref.speaker, "description", self.people.get(ref.speaker, ""))
        head = desc.split()[-1]
        if desc.split()[0].lower() in ("de", "the") and head[:1].isupper() and "-" not in head and not head.isupper():
            # "de Zutphenaar", "de Spaanse middenvelder": a person no title or hint explains
            return Ref(f"(unresolved: {desc[0].lower()}{desc[1:]})", "description")
        first = desc.split()[0].lower()
        return Ref(first + desc[len(first) :], "description")

    def pronoun(self, pron: str, pos: int) -> str:
        """The person a pronoun at ``pos`` refers to: among the people named before it in its
        sentence, else in the previous sentence (stepping over sentences that are quotes or open
        with a pronoun), those whose gender does not contradict the pronoun's (``hij``/``he``
        male, ``zij``/``ze``/``she`` female; gender from the first name or an honorific,
        :func:`medialens.speakers.person_gender`, unknown for many names); exactly one left is the
        referent, otherwise ``(unresolved: pron)``. A plural pronoun (:meth:`_plural`) goes to
        the nearest group of people named by a plural noun (:meth:`_plural_group`), never to one
        person."""
        if self._plural(pron, pos):
            return self._plural_group(pos) or f"(unresolved: {pron.lower()})"
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
            if named or not (PRON_RE.match(self.text[a:b]) or any(x <= a and b <= y for x, y in self.inside)):
                break
            j -= 1
        if len(named) == 1:
            return named[0]
        return f"(unresolved: {pron.lower()})"

    def _plural_group(self, pos: int) -> str | None:
        """The group a plural pronoun at ``pos`` refers to: the nearest plural noun that names
        people (:data:`_PERSON_PLURAL`) before it in its sentence, else in the previous sentence
        (outside quotes), as written with its article and adjectives (``de bewoners``, ``boeren``,
        ``the tenants``); None when there is none."""
        k = self.sent_of(pos)
        q = next(((a, b) for a, b in self.inside if a < self.sents[k][0] < b), None)
        if q is not None:  # the sentence begins inside a quote: count from the quote's first sentence
            k = self.sent_of(q[0])
        for a, b in ((self.sents[k][0], pos), self.sents[k - 1] if k > 0 else (0, 0)):
            words = [m for m in re.finditer(r"[\w’'-]+", self.text[a:b])
                     if not any(x <= a + m.start() < y for x, y in self.inside)]
            for j in range(len(words) - 1, -1, -1):
                low = words[j].group().lower()
                tag = self.signal.nl.get(low) or ""
                if not (low in _PEOPLE_WORDS or _PERSON_PLURAL.search(low) and (
                        tag.startswith("N(soort,mv") or self.signal.en.get(low) == "NNS")
                        or tag.startswith(("Adj(zelfst", "V(")) and tag.endswith("verv_mv)")):
                    continue
                i = j
                while i > 0 and (words[i - 1].group().lower() in _GROUP_WORDS or words[i - 1].group().isdigit()
                                 or (self.signal.nl.get(words[i - 1].group()) or "").startswith("Adj")
                                 or self.signal.en.get(words[i - 1].group()) == "JJ"):
                    i -= 1
                    if words[i].group().lower() in ("de", "het", "the"):
                        break
                phrase = self.text[a + words[i].start() : a + words[j].end()]
                return phrase[0].lower() + phrase[1:]
        return None

    def _plural(self, pron: str, pos: int) -> bool:
        """Does the pronoun at ``pos`` mean several people? ``they`` always; ``zij``/``ze`` when
        the verb right before or after it is plural (``zeggen ze``, ``ze zeiden``: a plural or
        infinitive tag in the Dutch lexicon, or an untagged word ending in ``-en``). A named
        person is one person, so a plural pronoun is never resolved to one."""
        low = pron.lower()
        if low == "they":
            return True
        if low not in ("zij", "ze"):
            return False
        before = re.findall(r"[\w’'-]+", self.text[max(0, pos - 25) : pos])
        after = re.match(r"\s*\w+\s+([\w’'-]+)", self.text[pos : pos + 40])
        for word in ([before[-1]] if before else []) + ([after.group(1)] if after else []):
            tag = self.signal.nl.get(word.lower())
            if tag is not None and tag.startswith("V(") and (",mv" in tag or ",inf" in tag):
                return True
            if tag is None and len(word) > 4 and word.endswith("en") and word.islower():
                return True
        return False

    def ref_before(self, head_start: int, head_end: int) -> Ref:
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
                return Ref(self.pronoun(pm[-1].group(), head_start + pm[-1].start()), "pronoun")
        if mention_ref is not None and mention_ref[1].speaker:
            return mention_ref[1]
        d = re.match(r"^\s*((?:[Dd]e|[Hh]et|[Tt]he|[Aa]n?|[Ee]en)\s+[\w\s’'-]{2,60})$", head)
        if d:
            ref, end = self.ref_at(head_start + d.start(1))
            if ref.speaker and ref.how == "description" and not self.text[end:head_end].strip():
                return ref
        return Ref(None, "")
