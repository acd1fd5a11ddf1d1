"""The corpus word table: split once, and the same tokens as the tokeniser gives text by text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medialens.corpus import load_corpus
from medialens.paths import resolve
from medialens.text import TextSettings, Tokenizer
from medialens.tokens import WordTable

TEXTS = [
    "De NAVO en de Navo: Navo-topman Stoltenberg zei ‘niet’ en „geen” op 24 februari 2022.",
    "’s-Hertogenbosch, 't Gooi en z’n auto's; 100.000 euro of 2,5 procent.",
    "",
    "Een‐twee‑drie (U+2010 en U+2011) en co\u00adordinatie, NBSP\u00a0hier.",
    "The Kremlin did not deny it; NATO's chief said no.",
    "navo NAVO Navo nAvO",
]

SETTINGS = [
    TextSettings(),
    TextSettings(lowercase=False),
    TextSettings(remove_stopwords=False, min_length=1, numbers=True),
    TextSettings(keep_negations=False, extra_stopwords=["navo"]),
    TextSettings(reduce="stem"),
    TextSettings(reduce="lemma", lowercase=False),
    TextSettings(language="en", min_length=3),
]


@pytest.mark.parametrize("s", SETTINGS, ids=repr)
def test_tokens_equal_the_tokeniser_text_by_text(s):
    table = WordTable.from_texts([f"d{i}" for i in range(len(TEXTS))], TEXTS)
    assert table.tokens(s) == [Tokenizer(s)(t) for t in TEXTS]


@pytest.mark.parametrize("s", SETTINGS[:5], ids=repr)
def test_tokens_on_the_seeds_equal_the_tokeniser(s):
    c = load_corpus(resolve("corpus/seeds.yaml"), use_cache=False)
    texts = c.documents["text"].tolist()
    assert c.words.doc_ids == c.documents["doc_id"].tolist()
    assert c.words.tokens(s) == [Tokenizer(s)(t) for t in texts]
    assert c.words.lengths().tolist() == [len(Tokenizer(s).words(t)) for t in texts]


_CHARS = st.sampled_from(list("aAbZ éëÉ-‐‑'’ .,0123456789\n\u00a0\u200bſİß") + ["NAVO", "Navo", "niet", "de", "'s", "’t"])


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.lists(_CHARS, max_size=30).map("".join), min_size=1, max_size=6), st.sampled_from(SETTINGS))
def test_tokens_equal_the_tokeniser_on_random_text(texts, s):
    table = WordTable.from_texts(list(map(str, range(len(texts)))), texts)
    assert table.tokens(s) == [Tokenizer(s)(t) for t in texts]


def test_vocabulary_and_ids_by_hand():
    table = WordTable.from_texts(["a", "b", "c"], ["Navo NAVO navo", "", "navo z’n"])
    assert table.vocabulary == ["Navo", "NAVO", "navo", "z'n"]
    assert table.ids.tolist() == [0, 1, 2, 2, 3]
    assert table.offsets.tolist() == [0, 3, 3, 5]
    assert table.lengths().tolist() == [3, 0, 2]
    # case folded: Navo/NAVO/navo one id, z'n another
    assert table.lowercase_ids().tolist() == [0, 0, 0, 0, 1]


def test_select_reorders_and_keeps_empty_documents():
    table = WordTable.from_texts(["a", "b", "c"], ["een twee", "", "drie vier vijf"])
    sub = table.select(["c", "b", "a"])
    assert sub.doc_ids == ["c", "b", "a"]
    assert sub.offsets.tolist() == [0, 3, 3, 5]
    assert sub.tokens(TextSettings(remove_stopwords=False)) == [["drie", "vier", "vijf"], [], ["een", "twee"]]
    assert table.select([]).tokens() == []


def test_tokens_span_several_blocks(monkeypatch):
    import medialens.tokens as mt

    monkeypatch.setattr(mt, "_BLOCK_WORDS", 3)  # blocks of about three words: every boundary case
    monkeypatch.setattr(mt, "_FLUSH_WORDS", 2)
    texts = ["een twee drie vier", "", "vijf", "zes zeven", "acht negen tien elf twaalf", ""]
    table = WordTable.from_texts(list("abcdef"), texts)
    assert table.offsets.tolist() == [0, 4, 4, 5, 7, 12, 12]
    s = TextSettings(remove_stopwords=False)
    assert table.tokens(s) == [Tokenizer(s)(t) for t in texts]


def test_unknown_document_and_bad_settings_are_named():
    table = WordTable.from_texts(["a"], ["een"])
    with pytest.raises(ValueError, match=r"^doc_ids: document 'zz' is not in the corpus word table"):
        table.select(["zz"])
    with pytest.raises(ValueError, match=r"^settings: expected a TextSettings, got dict"):
        table.tokens({"language": "nl"})
    with pytest.raises(ValueError, match=r"^doc_ids: 2 ids for 1 texts"):
        WordTable.from_texts(["a", "b"], ["een"])


def test_ids_are_compact_integers():
    table = WordTable.from_texts(["a"], ["een twee een"])
    assert table.ids.dtype == np.int32 and table.offsets.dtype == np.int64


@pytest.mark.parametrize("s", SETTINGS, ids=repr)
def test_token_ids_number_the_same_tokens(s):
    table = WordTable.from_texts([f"d{i}" for i in range(len(TEXTS))], TEXTS).select(["d5", "d0", "d2"])
    ids, offsets, terms = table.token_ids(s)
    got = [terms[ids[a:b]].tolist() for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    assert got == [Tokenizer(s)(TEXTS[i]) for i in (5, 0, 2)]
    assert sorted(set(terms.tolist())) == sorted({t for doc in got for t in doc})  # only tokens that occur


def test_fingerprints_follow_the_texts_through_select():
    texts = ["een twee", "", "drie"]
    table = WordTable.from_texts(["a", "b", "c"], texts)
    from medialens.tokens import text_fingerprints

    assert table.fingerprints.tolist() == text_fingerprints(texts).tolist()
    assert table.select(["c", "a"]).fingerprints.tolist() == text_fingerprints(["drie", "een twee"]).tolist()
    assert len(set(table.fingerprints.tolist())) == 3
