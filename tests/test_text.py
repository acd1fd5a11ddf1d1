"""The shared tokeniser on Dutch (and English) word shapes, its settings, and the segmenters."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medialens.text import (
    _HYPHENS,
    NEGATIONS,
    TextSettings,
    Tokenizer,
    fold_hyphens,
    ngrams,
    split_paragraphs,
    split_sentences,
    stopwords,
)

SENTENCE = (
    "De Navo-topman zei dat z’n NAVO en de Navo geen auto's naar 's-Hertogenbosch sturen; "
    "100.000 man, niet nu en nooit later."
)


def test_dutch_word_shapes_stay_whole():
    words = Tokenizer().words(SENTENCE)
    assert words == [
        "de", "navo-topman", "zei", "dat", "z'n", "navo", "en", "de", "navo", "geen", "auto's",
        "naar", "'s-hertogenbosch", "sturen", "100.000", "man", "niet", "nu", "en", "nooit", "later",
    ]


def test_navo_spellings_fold_together():
    counts = Counter(Tokenizer()("NAVO, Navo en navo. De Navo-top."))
    assert counts["navo"] == 3 and counts["navo-top"] == 1
    assert Tokenizer(lowercase=False).words("NAVO Navo") == ["NAVO", "Navo"]


def test_curly_and_straight_apostrophes_give_one_token():
    assert Tokenizer().words("z’n z'n Nato’s Nato's") == ["z'n", "z'n", "nato's", "nato's"]


def test_quotes_are_not_part_of_words():
    assert Tokenizer().words("„Vrede”, ,,oorlog'' en ‘steun’ “nu”") == ["vrede", "oorlog", "en", "steun", "nu"]


def test_numbers_dropped_unless_asked():
    assert "100.000" not in Tokenizer()(SENTENCE)
    assert "100.000" in Tokenizer(numbers=True)(SENTENCE)
    assert Tokenizer(numbers=True)("2,5 procent in 2022") == ["2,5", "procent", "2022"]


def test_stopwords_removed_but_negations_kept():
    toks = Tokenizer()(SENTENCE)
    assert {"niet", "geen", "nooit"} <= set(toks)
    assert not {"de", "dat", "en", "naar"} & set(toks)


def test_keep_negations_false_lets_the_stopword_list_decide():
    toks = Tokenizer(keep_negations=False)(SENTENCE)
    assert "niet" not in toks and "geen" not in toks
    # the Snowball list (stop-words package) has no 'nooit', so it stays either way
    assert "nooit" in toks
    assert "nooit" not in stopwords("nl", keep_negations=False)
    assert {"niet", "geen"} <= stopwords("nl", keep_negations=False)
    assert not NEGATIONS["nl"] & stopwords("nl")


def test_stopwords_off_keeps_everything_but_numbers_and_short_tokens():
    toks = Tokenizer(remove_stopwords=False)("De NAVO en ik, 2022.")
    assert toks == ["de", "navo", "en", "ik"]
    assert Tokenizer(remove_stopwords=False, min_length=3)("De NAVO en ik") == ["navo"]


def test_extra_stopwords_are_compared_lowercased():
    assert Tokenizer(extra_stopwords=["NAVO"])("De NAVO stuurt troepen") == ["stuurt", "troepen"]


def test_english_works():
    tok = Tokenizer(language="en")
    assert tok("NATO's chief said the alliance will not send troops.") == [
        "nato's", "chief", "said", "alliance", "not", "send", "troops",
    ]
    assert tok("We can't and won't, never.") == ["can't", "won't", "never"]


def test_lemmas_and_stems():
    text = "De troepen en vliegtuigen van het bondgenootschap en de Navo-landen"
    assert Tokenizer(reduce="lemma")(text) == ["troep", "vliegtuig", "bondgenootschap", "navo-landen"]
    stems = Tokenizer(reduce="stem")(text)
    assert stems[:2] == ["troep", "vliegtuig"]
    # dutch_porter: no ge- stripping, so the alliance stays recognisable (new 'dutch' gives bondnootschap)
    assert stems[2] == "bondgenootschap"
    assert stems[3] == "navo-land"
    assert Tokenizer(language="en", reduce="stem")("troops sending") == ["troop", "send"]


def test_tokenizer_is_a_scikit_learn_analyzer():
    from sklearn.feature_extraction.text import CountVectorizer

    docs = ["De Navo-topman zei iets.", "NAVO en Navo zeggen iets."]
    vec = CountVectorizer(analyzer=Tokenizer())
    X = vec.fit_transform(docs)
    assert list(vec.get_feature_names_out()) == ["navo", "navo-topman", "zeggen"]  # 'zei' is a stopword
    assert X.toarray().tolist() == [[0, 1, 0], [2, 0, 1]]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"language": "de"}, r"^language = 'de': supported languages are"),
        ({"reduce": "lemmas"}, r"^reduce = 'lemmas': choose"),
        ({"min_length": 0}, r"^min_length = 0: must be"),
        ({"min_length": 2.5}, r"^min_length = 2.5: must be"),
        ({"min_length": True}, r"^min_length = True: must be"),
        ({"extra_stopwords": "navo"}, r"^extra_stopwords = 'navo': give a list of words"),
        ({"numbers": "no"}, r"^numbers = 'no': must be True or False"),
        ({"lowercase": None}, r"^lowercase = None: must be True or False"),
        ({"remove_stopwords": 1}, r"^remove_stopwords = 1: must be True or False"),
        ({"keep_negations": "yes"}, r"^keep_negations = 'yes': must be True or False"),
    ],
)
def test_bad_settings_name_the_setting(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TextSettings(**kwargs)
    with pytest.raises(ValueError, match=message):
        Tokenizer(**kwargs)


def test_stopwords_for_unknown_language():
    with pytest.raises(ValueError, match="^language = 'fr'"):
        stopwords("fr")


def test_ngrams():
    assert ngrams(["a", "b", "c"], 2) == ["a b", "b c"]
    assert ngrams(["a", "b"], 1) == ["a", "b"]
    assert ngrams(["a"], 3) == []


# --------------------------------------------------------------------------------------------
# Segmentation
# --------------------------------------------------------------------------------------------
def test_sentences_do_not_end_at_abbreviations_or_initials():
    text = (
        "Dat zei o.a. minister Hoekstra. J. Stoltenberg was er ook. De heer dhr. Rutte, m.n. "
        "tegen de red. Volgens d.w.z. iedereen kwam het goed."
    )
    assert split_sentences(text) == [
        "Dat zei o.a. minister Hoekstra.",
        "J. Stoltenberg was er ook.",
        "De heer dhr. Rutte, m.n. tegen de red. Volgens d.w.z. iedereen kwam het goed.",
    ]


def test_sentences_split_before_opening_quotes():
    text = "Hij was boos. ,,Het is genoeg,'' zei hij. „Nee”, zei ze. ‘Klaar.’ “Echt?” Ja! 2022 was zwaar."
    assert split_sentences(text) == [
        "Hij was boos.",
        ",,Het is genoeg,'' zei hij.",
        "„Nee”, zei ze.",
        "‘Klaar.’",
        "“Echt?”",
        "Ja!",
        "2022 was zwaar.",
    ]


def test_sentences_need_a_capital_after_the_stop():
    assert split_sentences("Het kost 2,5 mln. euro per jaar. Dat is veel") == [
        "Het kost 2,5 mln. euro per jaar.",
        "Dat is veel",
    ]
    assert split_sentences("") == []


def test_sentence_pieces_rebuild_the_text():
    text = "Eén. Twee! Drie? ,,Vier.'' Vijf…  Zes"
    pieces = split_sentences(text)
    assert re.sub(r"\s+", "", "".join(pieces)) == re.sub(r"\s+", "", text)
    assert len(pieces) == 6


def test_paragraphs_split_on_blank_lines_only():
    text = "Kop\n\n\nEerste alinea\nloopt door.\n \t\nTweede alinea.\n\n"
    assert split_paragraphs(text) == ["Kop", "Eerste alinea\nloopt door.", "Tweede alinea."]
    assert split_paragraphs("  \n\n ") == []


def test_settings_for_corpus_take_the_corpus_language_only_for_auto():
    assert TextSettings.for_corpus("nl").language == "nl"
    assert TextSettings.for_corpus("nl", language="en", reduce="stem") == TextSettings(language="en", reduce="stem")
    with pytest.raises(ValueError, match="language = 'xx'"):
        TextSettings.for_corpus("nl", language="xx")


def test_letter_classes_equal_a_pass_over_every_code_point():
    """The block-wise letter classes behind the sentence-end pattern equal the obvious
    character-by-character definition (lowercase as str.lower compares; single letters are
    alphanumeric characters whose lowercase is one letter)."""
    from medialens import text as _text

    letters = frozenset("".join(_text._ABBREVIATIONS)) - {"."} | {"ß", "i", "k"}
    sources = {letter: [] for letter in letters}
    singles = []
    for c in range(0x110000):
        ch = chr(c)
        low = ch.lower()
        if len(low) != 1:
            continue
        if low in sources:
            sources[low].append(c)
        if ch.isalnum() and low.isalpha():
            singles.append((c, c))
    expected = {k: "[" + "".join(re.escape(chr(c)) for c in v) + "]" for k, v in sources.items()}
    classes, single_letters = _text._letter_classes(letters)
    assert classes == expected
    assert single_letters == "[" + "".join(_text._ranges(singles)) + "]"
    assert classes["k"] == "[Kk\u212a]"  # KELVIN SIGN lowercases to k


def _split_by_the_rule(text: str) -> list[str]:
    """split_sentences' rule written plainly: every stop the pattern finds, the word before it read
    by a regular expression (the splitter reads it with rstrip where it can)."""
    from medialens.text import _ABBREVIATIONS

    sentences, start = [], 0
    for m in re.finditer(r"""([.!?…]+)([”"’'»)\]]*)\s+(?=(?:,,|[„“"‘'«(\[])?\s*[A-ZÀ-ÖØ-Þ0-9])""", text):
        if m.group(1) == ".":
            before = re.compile(r"([\w.]+)$").search(text, max(0, m.start() - 40), m.start())
            word = before.group(1).lower() if before else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        if piece := text[start:m.end(2)].strip():
            sentences.append(piece)
        start = m.end()
    return [*sentences, text[start:].strip()] if text[start:].strip() else sentences


_SENTENCE_PIECES = ["Navo", "de", "o.a.", "bijv.", "J.", "dhr.", "U.S.", "Ř.", "ſt.", "é.", "x_y.", "100.000", ".", "!",
                    "?", "…", "...", "”", "'", ",,", "„", "(", " ", "\n", "\nK.", "\n.", "Dan", "3", "İ", "abcdefghijklmnopqrstuvwxyz"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SENTENCE_PIECES), max_size=40).map("".join))
def test_split_sentences_follows_its_rule_on_random_text(text):
    assert split_sentences(text) == _split_by_the_rule(text)


def test_the_word_before_a_stop_on_a_new_line_is_the_word_before_the_line_break():
    for text in ("Zie J\n. Dan weer", "Zie o.a\n. Dan weer", "Zie é J\n. Dan", "Zie Navo\n. Dan"):
        assert split_sentences(text) == _split_by_the_rule(text)
    assert split_sentences("Zie J\n. Dan weer") == ["Zie J\n. Dan weer"]


@given(st.text(alphabet=st.sampled_from("ab -'\u2010\u2011\u2019\u2012é\n"), max_size=40))
def test_fold_hyphens_is_the_translation_table(text):
    assert fold_hyphens(text) == text.translate(_HYPHENS)
