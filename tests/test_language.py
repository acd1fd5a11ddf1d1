"""Language detection: the common-word first pass gives lingua's answers, and the "und" rule holds.

The reference is lingua itself, called here directly (its own detector, the same 400-character
prefix and the same "und" rule written out again), not through medialens.language.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lingua import Language, LanguageDetectorBuilder

from medialens import language
from medialens.corpus import load_corpus
from medialens.language import detect_languages, function_words
from medialens.paths import project_root

CANDIDATES = ["nl", "en", "de", "fr"]
LINGUA = {"nl": Language.DUTCH, "en": Language.ENGLISH, "de": Language.GERMAN, "fr": Language.FRENCH}

NL = (
    "De ministers van Buitenlandse Zaken van de NAVO kwamen donderdag in Brussel bijeen om te praten "
    "over de oorlog in Oekraïne. Ze besloten meer troepen naar de oostflank te sturen, maar een "
    "vliegverbod wezen ze af. Volgens de secretaris-generaal is het bondgenootschap nog nooit zo "
    "eensgezind geweest, al bleef het onduidelijk hoe lang de steun zal duren en wie dat gaat betalen."
)
NL2 = (
    "Het kabinet wil dat gemeenten sneller woningen bouwen. De minister zei dinsdag dat er te veel "
    "regels zijn en dat procedures vaak jaren duren. Wethouders reageerden kritisch: zij wijzen erop "
    "dat er geen geld is voor extra ambtenaren en dat de bouwsector al maanden met tekorten kampt. "
    "Een woordvoerder van de woningcorporaties noemde het plan een goede eerste stap, niet meer dan dat."
)
EN = (
    "The foreign ministers of the alliance met in Brussels on Thursday to discuss the war in Ukraine. "
    "They agreed to send more troops to the eastern flank but ruled out a no-fly zone. The secretary "
    "general said the alliance had never been more united, although it was not clear how long the "
    "support would last or who would pay for it in the end, and several members asked for more time."
)
DE = (
    "Die Außenminister des Bündnisses haben sich am Donnerstag in Brüssel getroffen, um über den Krieg "
    "in der Ukraine zu sprechen. Sie wollen mehr Truppen an die Ostflanke schicken, lehnen eine "
    "Flugverbotszone aber ab. Der Generalsekretär sagte, das Bündnis sei noch nie so geschlossen "
    "gewesen, doch es blieb unklar, wie lange die Unterstützung dauern wird und wer sie bezahlen soll."
)
FR = (
    "Les ministres des Affaires étrangères de l'Alliance se sont réunis jeudi à Bruxelles pour parler "
    "de la guerre en Ukraine. Ils ont décidé d'envoyer davantage de troupes sur le flanc est, mais ils "
    "ont écarté une zone d'exclusion aérienne. Selon le secrétaire général, l'Alliance n'a jamais été "
    "aussi unie, même si personne ne sait combien de temps ce soutien durera ni qui va le payer."
)
ES = (
    "Los ministros de Asuntos Exteriores de la Alianza se reunieron el jueves en Bruselas para hablar "
    "de la guerra en Ucrania. Acordaron enviar más tropas al flanco oriental, pero descartaron una "
    "zona de exclusión aérea, y el secretario general dijo que la Alianza nunca había estado tan unida."
)
IT = (
    "I ministri degli Esteri dell'Alleanza si sono riuniti giovedì a Bruxelles per parlare della guerra "
    "in Ucraina. Hanno deciso di inviare più truppe sul fianco orientale, ma hanno escluso una zona di "
    "interdizione al volo, e il segretario generale ha detto che l'Alleanza non è mai stata così unita."
)
NAMES = "Jan de Vries 12, Piet van Dam 7, Anna Müller 31, Pierre Dupont 4, John Smith 18, Els Bakker 9, Klaus Meyer 22"

#: Texts every language gets decided by the first pass (news prose, one language).
CLEAR = {"nl": [NL, NL2], "en": [EN], "de": [DE], "fr": [FR]}
ADVERSARIAL = [
    f'"{EN[:300]}", zei de minister. {NL}',  # a long English quote opening Dutch text
    f'"{EN[:120]}", zei de minister. {NL}',
    NL[:200] + " " + DE,  # Dutch then German
    DE[:200] + " " + NL,
    ". ".join(a + ". " + b for a, b in zip(NL.split(". "), DE.split(". "), strict=False)),  # alternating
    NAMES,
    " ".join(str(n * 7919 % 100000) for n in range(60)),
    ES,
    IT,
    EN[:200] + " " + FR,
]
UND = [
    "",
    "NAVO",
    "Ja.",
    "a" * 19,
    "1234567890123456789 " * 10 + NL,  # Dutch prose, but fewer than 20 letters in the first 200 characters
    "het is niet de het",
]
ALL = [t for ts in CLEAR.values() for t in ts] + ADVERSARIAL + UND


def lingua_reference(texts: list[str]) -> list[str]:
    """lingua alone, restricted to the candidates, on the first 400 characters, with the "und" rule."""
    detector = LanguageDetectorBuilder.from_languages(*LINGUA.values()).build()
    code = {v: k for k, v in LINGUA.items()}
    out = []
    for text in texts:
        lang = detector.detect_language_of(text[:400])
        letters = sum(ch.isalpha() for ch in text[:200])
        out.append("und" if lang is None or letters < 20 else code[lang])
    return out


def test_cascade_equals_lingua_alone():
    assert detect_languages(ALL, CANDIDATES, first_pass=True) == lingua_reference(ALL)


def test_clear_texts_are_decided_by_the_first_pass_and_correct():
    texts = [t for ts in CLEAR.values() for t in ts]
    expected = [lang for lang, ts in CLEAR.items() for _ in ts]
    table = language._distinctive(language._codes(CANDIDATES))
    assert language._first_pass([t[:400] for t in texts], table) == expected
    assert detect_languages(texts, CANDIDATES, first_pass=True) == expected == lingua_reference(texts)


def test_mixed_and_foreign_texts_go_to_lingua():
    """The first pass leaves every adversarial text to lingua (none of them is overwhelming)."""
    table = language._distinctive(language._codes(CANDIDATES))
    assert language._first_pass([t[:400] for t in ADVERSARIAL], table) == [None] * len(ADVERSARIAL)


def test_und_rule_applies_to_the_first_pass_too():
    text = UND[4]
    table = language._distinctive(language._codes(CANDIDATES))
    assert language._first_pass([text[:400]], table) == ["nl"]  # decided, but ...
    assert detect_languages([text], CANDIDATES, first_pass=True) == ["und"]  # ... fewer than 20 letters in the first 200
    assert detect_languages(UND, CANDIDATES, first_pass=True) == ["und"] * len(UND) == lingua_reference(UND)


def test_rule_on_a_hand_worked_example():
    """MIN_WORDS 10, RATIO 4, COVERAGE 0.45: 10 of 22 words, runner-up 1 -> 10 >= 4 * 2 and 10 >= 9.9."""
    assert (language.MIN_WORDS, language.RATIO, language.COVERAGE) == (10, 4, 0.45)
    assert language._decide(10, 1, 22)
    assert not language._decide(9, 0, 10)  # too few words
    assert not language._decide(11, 2, 20)  # 11 < 4 * (2 + 1)
    assert not language._decide(10, 0, 23)  # 10 < 0.45 * 23 = 10.35
    assert language._decide(20, 4, 40)


def test_seed_windows_agree_and_are_decided_by_the_first_pass(tmp_path, monkeypatch):
    """Real Dutch news: 400-character windows every 200 characters through the seeds
    (check_language.py: 61 windows, 59 decided by the first pass, all agree with lingua)."""
    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path))
    docs = load_corpus(project_root() / "corpus" / "seeds.yaml", use_cache=False).documents["text"]
    windows = []
    for text in docs:
        text = " ".join(text.split())
        windows += [text[i : i + 400] for i in range(0, max(len(text) - 400, 0) + 1, 200)]
    table = language._distinctive(language._codes(CANDIDATES))
    decided = language._first_pass(windows, table)
    assert len(windows) == 61
    assert sum(d is not None for d in decided) == 59
    assert detect_languages(windows, CANDIDATES, first_pass=True) == lingua_reference(windows) == ["nl"] * 61


def test_function_words_are_distinctive_and_deterministic():
    words = function_words(CANDIDATES)
    assert sorted(words) == sorted(CANDIDATES)
    for code, ws in words.items():
        assert ws == sorted(set(ws)) and len(ws) > 10_000
        for other, ows in words.items():
            if other != code:
                assert not set(ws) & set(ows), (code, other)
    assert {"het", "niet"} <= set(words["nl"]) and {"the", "and"} <= set(words["en"])
    assert {"und", "nicht"} <= set(words["de"]) and {"les", "pas"} <= set(words["fr"])
    assert not {"de", "in", "die", "en"} & {w for ws in words.values() for w in ws}  # shared words dropped
    language._distinctive.cache_clear()
    assert function_words(list(reversed(CANDIDATES))) == words


def test_a_candidate_wordfreq_lacks_sends_everything_to_lingua():
    # Afrikaans: lingua knows it, wordfreq has no list -> no first pass for this candidate set
    assert function_words(["nl", "af"]) == {}
    texts = [NL, EN, "Die minister het Donderdag gesê dat die regering nie die plan sal steun nie, want dit kos te veel."]
    detector = LanguageDetectorBuilder.from_languages(Language.DUTCH, Language.AFRIKAANS).build()
    expected = [detector.detect_language_of(t[:400]).iso_code_639_1.name.lower() for t in texts]
    assert detect_languages(texts, ["nl", "af"], first_pass=True) == expected


@pytest.mark.parametrize(
    "candidates, message",
    [
        (["nl", "xx"], r"cleaning.languages: 'xx' is not an ISO 639-1 code lingua knows"),
        (["nl"], r"cleaning.languages: name at least two candidate languages"),
        (["nl", "nl"], r"cleaning.languages: name at least two candidate languages"),
    ],
)
def test_bad_candidates_name_the_setting(candidates, message):
    with pytest.raises(ValueError, match=message):
        detect_languages([NL], candidates)
    with pytest.raises(ValueError, match=message):
        function_words(candidates)


def test_small_inputs_skip_the_first_pass_by_default_with_the_same_answers(monkeypatch):
    expected = lingua_reference(ALL)
    assert len(ALL) < language.FIRST_PASS_FROM
    assert detect_languages(ALL, CANDIDATES) == detect_languages(ALL, CANDIDATES, first_pass=False) == expected
    calls = []
    monkeypatch.setattr(language, "_first_pass", lambda prefixes, table: calls.append(len(prefixes)) or [None] * len(prefixes))
    detect_languages(ALL, CANDIDATES)
    assert calls == []
    monkeypatch.setattr(language, "FIRST_PASS_FROM", 3)
    assert detect_languages(ALL, CANDIDATES) == expected and calls == [len(ALL)]
    assert detect_languages([], CANDIDATES) == []


def test_same_answer_twice_and_independent_of_order():
    first = detect_languages(ALL, CANDIDATES, first_pass=True)
    assert detect_languages(ALL, CANDIDATES, first_pass=True) == first
    order = list(range(len(ALL)))
    random.Random(0).shuffle(order)
    shuffled = detect_languages([ALL[i] for i in order], ["fr", "de", "en", "nl"], first_pass=True)
    assert shuffled == [first[i] for i in order]


@given(st.text(max_size=60) | st.text(alphabet="aé1 .\u00df\ud800-_Zz9", max_size=60))
@settings(max_examples=300, deadline=None)
def test_letter_count_shortcut_equals_counting_every_letter(text):
    assert language._enough_letters(text) == (sum(ch.isalpha() for ch in text) >= 20)


def test_letter_count_on_hand_worked_strings():
    assert language._enough_letters("a" * 20) and not language._enough_letters("a" * 19)
    assert language._enough_letters("é" * 20)  # no ASCII letters: every letter counted
    assert language._enough_letters("a" * 19 + "ß") and not language._enough_letters("a" * 19 + "1 ,.")


def test_short_common_words_between_long_foreign_words_go_to_lingua():
    # ten Dutch function words between German compounds: by word count Dutch, by letters German
    de = ("Rüstungsexportkontrollgesetzes Bundesverteidigungsministeriums Sicherheitsüberprüfungsverfahren "
          "Grundstückverkehrsgenehmigungszuständigkeit Verkehrsinfrastrukturfinanzierungsgesellschaft "
          "Rindfleischetikettierungsüberwachung Kraftfahrzeughaftpflichtversicherung Bundesausbildungsförderungsgesetz "
          "Arbeitsunfähigkeitsbescheinigungen Steuerhinterziehungsbekämpfungsgesetz").split()
    nl = ["het", "niet", "ook", "maar", "zijn", "wordt", "heeft", "nog", "wel", "naar", "deze"]
    text = " ".join(w for pair in zip(nl, de + [""], strict=True) for w in pair if w)[:400]
    cands = ["nl", "en", "de", "fr"]
    assert language._first_pass([text], language._distinctive(language._codes(cands))) == [None]
    assert language.detect_languages([text], cands, first_pass=True) == language._lingua_only([text], cands)
