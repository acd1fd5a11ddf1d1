"""The one counting path: sentences in the word table, n-grams within sentences, and the same
counts for term frequencies and clustering."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

from medialens import clustering as cl
from medialens import frequency as mf
from medialens.corpus import load_corpus
from medialens.counting import count_ngrams
from medialens.text import (
    TextSettings,
    Tokenizer,
    ngrams,
    paragraph_table,
    sentence_spans,
    split_paragraphs,
)
from medialens.tokens import WordTable


@pytest.fixture(scope="module")
def seeds():
    return load_corpus("corpus/seeds.yaml")


def _sentences_of(table: WordTable, i: int) -> list[tuple[int, list[str]]]:
    """(paragraph, words) of every sentence of row i, from the table."""
    out = []
    for s in range(table.doc_sentences[i], table.doc_sentences[i + 1]):
        ids = table.ids[table.sentences[s] : table.sentences[s + 1]]
        out.append((int(table.paragraph[s]), [table.vocabulary[j] for j in ids]))
    return out


def _expected(text: str) -> list[tuple[int, list[str]]]:
    tok = Tokenizer(TextSettings(lowercase=False, remove_stopwords=False, min_length=1, numbers=True))
    return [(p, tok.words(text[a:b])) for a, b, p in sentence_spans(text)]


def test_word_table_sentences_are_sentence_spans(seeds):
    table = seeds.words
    for i, text in enumerate(seeds.documents["text"]):
        assert _sentences_of(table, i) == _expected(text)
    assert table.select(table.doc_ids[::-1]).paragraph.tolist() != []
    back = table.select(table.doc_ids[::-1])
    for i, text in enumerate(seeds.documents["text"].iloc[::-1]):
        assert _sentences_of(back, i) == _expected(text)


PIECES = [
    "Navo", "de", "NAVO", "z’n", "auto's", "o.a.", "bijv.", "J.", "dhr.", "U.S.", "Ř.", "ſt.", "100.000", "2,5",
    ".", "!", "?", "…", "...", "”", "’", "'", ",,", "„", "(", ")", " ", " ", "\n", "\n\n", "\n \n", "Dan", "Het",
    "3", "Navo-topman", "‘t", "'s-Hertogenbosch", "é", "É", "K", "İ", "abcdefgh", "x.y.", "Kop",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=25).map(" ".join).map(lambda s: s.replace("  ", " ")), min_size=1, max_size=4))
def test_sentences_equal_sentence_spans_on_random_text(texts):
    table = WordTable.from_texts([f"d{i}" for i in range(len(texts))], texts)
    for i, text in enumerate(texts):
        assert _sentences_of(table, i) == _expected(text)
    assert table.tokens() == [Tokenizer(TextSettings())(t) for t in texts]
    for i, t in enumerate(texts):
        paras = [p for p in table.paragraphs().doc_ids if p.startswith(f"d{i}#")]
        assert len(paras) == len(paragraph_table(pd.DataFrame({"doc_id": [f"d{i}"], "text": [t]})))
    # the loader's n_paragraphs comes from the table: the count split_paragraphs gives
    assert table.paragraph_counts().tolist() == [len(split_paragraphs(t)) for t in texts]
    order = table.doc_ids[::-1]
    assert table.select(order).paragraph_counts().tolist() == [len(split_paragraphs(t)) for t in texts[::-1]]


def test_loaded_paragraph_counts_are_the_word_tables(seeds):
    docs = seeds.documents
    assert docs["n_paragraphs"].tolist() == seeds.words.paragraph_counts().tolist()
    assert docs["n_paragraphs"].tolist() == [len(split_paragraphs(t)) for t in docs["text"]]
    empty = WordTable.from_texts(["a", "b", "c"], ["", "Kop\n\n...\n\nTekst hier.", "   "])
    assert empty.paragraph_counts().tolist() == [0, 3, 0]


def test_ngrams_never_cross_a_sentence_paragraph_or_document():
    texts = [
        "Navo stuurt troepen naar Polen. Rusland protesteert luid tegen de komst van troepen hier.\n\n"
        "Polen verwelkomt de komst van de troepen en spreekt van steun voor het bondgenootschap.",
        "Europa overlegt over sancties tegen Moskou en banken in het hele land vandaag nog.",
    ]
    table = WordTable.from_texts(["a", "b"], texts)
    c = count_ngrams(table, TextSettings(), (1, 3))
    names = set(c.names())
    assert {"navo stuurt", "stuurt troepen polen", "rusland protesteert"} <= names
    assert "polen rusland" not in names  # a sentence end
    assert "hier polen" not in names and "troepen hier polen" not in names  # a paragraph break
    assert "bondgenootschap europa" not in names  # two documents
    tok = Tokenizer(TextSettings())
    for i, text in enumerate(texts):
        sents = [tok(text[a:b]) for a, b, _ in sentence_spans(text)]
        for k, n in enumerate((1, 2, 3)):
            assert c.totals[i, k] == sum(max(len(s) - n + 1, 0) for s in sents)


def test_count_terms_on_paragraphs_equals_tfidf_counts(seeds):
    """The words (and word pairs) counted for clustering are the words counted in term frequencies."""
    s = TextSettings()
    units = cl.make_units(seeds, unit="paragraph")
    m = cl.tfidf(units, settings=s, ngram_range=[1, 2], min_df=1, max_df=1.0, words=seeds.words)
    as_docs = units.rename(columns={"doc_id": "source_doc", "unit_id": "doc_id"})[["doc_id", "text"]]
    counts = mf.count_terms(as_docs, settings=s, ngram_range=(1, 2))
    assert list(counts.terms["term"]) == list(m.terms)
    expected = TfidfTransformer(sublinear_tf=True).fit_transform(counts.matrix.astype(float))
    assert np.allclose(expected.toarray(), m.X.toarray(), rtol=0, atol=1e-12)
    # and the same counts without the corpus word table (the units' texts split again)
    m2 = cl.tfidf(units, settings=s, ngram_range=[1, 2], min_df=1, max_df=1.0)
    assert (m2.X != m.X).nnz == 0 and list(m2.terms) == list(m.terms)


@pytest.mark.parametrize("unit", ["document", "paragraph"])
def test_unigram_tfidf_is_bit_identical_to_tfidfvectorizer(seeds, unit):
    tok = Tokenizer(TextSettings())
    units = cl.make_units(seeds, unit=unit)
    m = cl.tfidf(units, settings=tok.settings, min_df=1, max_df=1.0, words=seeds.words)
    vec = TfidfVectorizer(analyzer=tok, sublinear_tf=True)
    X = vec.fit_transform(units["text"])
    assert list(vec.get_feature_names_out()) == list(m.terms)
    assert np.array_equal(X.indptr, m.X.indptr) and np.array_equal(X.indices, m.X.indices)
    assert np.array_equal(X.data, m.X.data)


def test_count_terms_keep_terms_finds_ngrams(seeds):
    c = mf.count_terms(seeds.documents, ngram_range=(1, 3), min_count=1000, keep_terms=["navo", "navo-topman jens", "zzz"], words=seeds.words)
    assert set(c.terms["term"]) <= {"navo", "navo-topman jens"}
    full = mf.count_terms(seeds.documents, ngram_range=(1, 3), words=seeds.words)
    trigrams = Counter()
    tok = Tokenizer(TextSettings())
    for text in seeds.documents["text"]:
        for a, b, _ in sentence_spans(text):
            trigrams.update(ngrams(tok(text[a:b]), 3))
    got = full.terms[full.terms["n"] == 3]
    assert dict(zip(got["term"], got["count"], strict=True)) == dict(trigrams)


def test_columns_without_sorting_equal_numpy_unique():
    """``_columns_of`` is ``np.unique(..., return_index=True, return_inverse=True)`` whether or not
    the values are numbered in order of first appearance, and never hands back its input."""
    import numpy as np

    from medialens.counting import _columns_of

    rng = np.random.default_rng(0)
    first_seen = np.array([0, 1, 0, 2, 1, 3, 3, 4], dtype=np.int32)  # the records shortcut
    shuffled = rng.integers(0, 50, 2_000)  # numbered in no particular order, with gaps
    for values, size in ((first_seen, 5), (shuffled, 60), (np.zeros(0, dtype=np.int64), 0)):
        numbers, first, inverse = _columns_of(values, size)
        expected = np.unique(values, return_index=True, return_inverse=True)
        for got, want in zip((numbers, first, inverse), expected, strict=True):
            assert np.array_equal(got, want)
        assert inverse is not values


def test_name_order_sorts_as_the_names_do():
    """``NgramCounts.name_order`` (from token numbers) sorts columns exactly as sorting their
    names would: prefixes, hyphens, apostrophes, digits, capitals and accents; and the fallback
    for a token holding a character at or below the space agrees too."""
    texts = [
        "Ab a-b a ab. A b a'b één zee Zee 2022 a b c a.",
        "Zee één a ab a b. Ab-c a-b-c ab c abc één één zee.",
    ]
    table = WordTable.from_texts(["d1", "d2"], texts)
    for text_settings in (TextSettings(), TextSettings(lowercase=False, remove_stopwords=False, numbers=True, min_length=1)):
        counted = count_ngrams(table, text_settings, (1, 3))
        names = counted.names()
        assert [names[j] for j in counted.name_order()] == sorted(names.tolist())
        cols = np.array([5, 0, 3, len(names) - 1])
        assert names[cols][counted.name_order(cols)].tolist() == sorted(names[cols].tolist())
        counted.terms = np.array([t + "\t" if k == 0 else t for k, t in enumerate(counted.terms.tolist())], dtype=object)
        names = counted.names()
        assert [names[j] for j in counted.name_order()] == sorted(names.tolist())


def test_term_index_finds_every_term_and_only_those(seeds):
    counts = mf.count_terms(seeds.documents, ngram_range=[1, 2], words=seeds.words)
    assert isinstance(counts.index, mf.TermIndex)
    assert len(counts.index) == len(counts.terms)
    assert dict(counts.index) == {t: j for j, t in enumerate(counts.terms["term"])}
    for j in (0, len(counts.terms) // 2, len(counts.terms) - 1):
        assert counts.column(counts.terms["term"].iloc[j]) == j
    assert counts.column("geen zulk woord") is None and counts.column("") is None and counts.column(None) is None
    assert "navo" in counts.index and 3 not in counts.index
