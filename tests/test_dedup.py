"""Near-duplicate detection over word ids, against an independent brute force (Python sets of
5-tuples of words, every pair compared)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medialens import dedup
from medialens.dedup import near_duplicates, near_duplicates_from_texts
from medialens.text import TextSettings, Tokenizer

WORDS = Tokenizer(TextSettings(lowercase=True, remove_stopwords=False, min_length=1, numbers=True)).words


def to_ids(texts: list[str], dtype=np.int64) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """Word ids (one vocabulary, numbered in order of first occurrence), offsets, and the words."""
    vocab: dict[str, int] = {}
    words = [WORDS(t) for t in texts]
    flat = [vocab.setdefault(w, len(vocab)) for ws in words for w in ws]
    offsets = np.cumsum([0] + [len(ws) for ws in words])
    return np.array(flat, dtype=dtype), offsets.astype(np.int64), words


def brute_force(doc_ids: list[str], docs: list[list], threshold: float | None) -> list[str | None]:
    """Every earlier document, in order, with the exact Jaccard similarity of 5-tuple sets."""
    if threshold is None or threshold > 1:
        return [None] * len(docs)
    sets = []
    for w in docs:
        if not w:
            sets.append(None)
        elif len(w) < 5:
            sets.append({tuple(w) + ("<pad>",) * (5 - len(w))})
        else:
            sets.append({tuple(w[k : k + 5]) for k in range(len(w) - 4)})
    result: list[str | None] = [None] * len(docs)
    for j in range(len(docs)):
        for i in range(j):
            if sets[i] and sets[j] and len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= threshold:
                result[j] = result[i] if result[i] is not None else doc_ids[i]
                break
    return result


def run(texts: list[str], threshold: float | None = 0.8, doc_ids: list[str] | None = None) -> list[str | None]:
    doc_ids = doc_ids or [f"d{k:02d}" for k in range(len(texts))]
    ids, offsets, _ = to_ids(texts)
    return near_duplicates(doc_ids, ids, offsets, threshold=threshold)


def base_text(rng: np.random.Generator, n_words: int) -> list[str]:
    return [f"woord{int(k)}" for k in rng.zipf(1.3, n_words) % 400]


def edit(rng: np.random.Generator, words: list[str], n_edits: int) -> list[str]:
    words = list(words)
    for _ in range(n_edits):
        k = int(rng.integers(len(words)))
        action = rng.integers(3)
        if action == 0:
            words[k] = f"nieuw{int(rng.integers(1000))}"
        elif action == 1 and len(words) > 1:
            del words[k]
        else:
            words.insert(k, f"extra{int(rng.integers(1000))}")
    return words


def random_corpus(seed: int) -> list[str]:
    """About 60 documents: copies of a few base texts with 0..8 random edits, unrelated texts,
    short and empty documents, in random order."""
    rng = np.random.default_rng(seed)
    docs = []
    for _ in range(6):
        base = base_text(rng, int(rng.integers(30, 120)))
        docs.append(base)
        for _ in range(int(rng.integers(3, 9))):
            docs.append(edit(rng, base, int(rng.integers(0, 9))))
    docs += [base_text(rng, int(rng.integers(20, 100))) for _ in range(8)]
    docs += [["kort", "bericht"], ["kort", "bericht"], ["kort", "bericht", "nu"], ["één"], [], []]
    order = rng.permutation(len(docs))
    return [" ".join(docs[k]) for k in order]


# --------------------------------------------------------------------------------------------
# Against the brute force
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("threshold", [0.7, 0.8, 0.9, 1.0])
def test_equals_brute_force_on_random_corpora(seed, threshold):
    texts = random_corpus(seed)
    doc_ids = [f"d{k:02d}" for k in range(len(texts))]
    _, _, words = to_ids(texts)
    expected = brute_force(doc_ids, words, threshold)
    assert run(texts, threshold, doc_ids) == expected


def test_equals_brute_force_with_large_clusters():
    """Four stories reprinted 40 times each with 0..4 edits (candidates verified round by round)."""
    rng = np.random.default_rng(11)
    docs = []
    for _ in range(4):
        base = base_text(rng, 60)
        docs += [base] + [edit(rng, base, int(rng.integers(0, 5))) for _ in range(40)]
    texts = [" ".join(docs[k]) for k in rng.permutation(len(docs))]
    doc_ids = [f"d{k:03d}" for k in range(len(texts))]
    _, _, words = to_ids(texts)
    for threshold in (0.75, 0.9):
        expected = brute_force(doc_ids, words, threshold)
        assert sum(e is not None for e in expected) > 40
        assert run(texts, threshold, doc_ids) == expected


def test_random_corpora_are_not_trivial():
    """The brute force flags a fair share of the random corpora (the comparison above means something)."""
    flagged = []
    for seed in range(8):
        texts = random_corpus(seed)
        _, _, words = to_ids(texts)
        flagged.append(sum(r is not None for r in brute_force([str(k) for k in range(len(texts))], words, 0.8)))
    assert min(flagged) >= 5 and sum(flagged) >= 80


def test_chunking_does_not_change_the_result(monkeypatch):
    texts = random_corpus(3)
    expected = run(texts)
    monkeypatch.setattr(dedup, "_CHUNK_TOKENS", 150)  # a few documents per sketch chunk
    monkeypatch.setattr(dedup, "_VERIFY_TOKENS", 200)  # one or two pairs per verification chunk
    assert run(texts) == expected


def test_id_values_and_dtype_do_not_matter():
    texts = random_corpus(5)
    doc_ids = [f"d{k:02d}" for k in range(len(texts))]
    ids, offsets, _ = to_ids(texts)
    expected = near_duplicates(doc_ids, ids, offsets)
    assert near_duplicates(doc_ids, ids.astype(np.int32), offsets) == expected
    spread = ids * np.int64(1_000_003) + np.int64(2**40)  # arbitrary non-negative ids, still one per word
    assert near_duplicates(doc_ids, spread, offsets) == expected


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    docs=st.lists(st.lists(st.integers(0, 5), max_size=14), min_size=0, max_size=9),
    threshold=st.sampled_from([0.8, 0.9, 1.0]),
)
def test_equals_brute_force_on_tiny_corpora(docs, threshold):
    doc_ids = [f"x{k}" for k in range(len(docs))]
    ids = np.array([w for d in docs for w in d], dtype=np.int64)
    offsets = np.cumsum([0] + [len(d) for d in docs])
    assert near_duplicates(doc_ids, ids, offsets, threshold=threshold) == brute_force(doc_ids, docs, threshold)


# --------------------------------------------------------------------------------------------
# Hand-made cases
# --------------------------------------------------------------------------------------------
ARTICLE = " ".join(f"w{k}" for k in range(100))  # 100 distinct words: 96 shingles


def change(text: str, position: int, word: str) -> str:
    words = text.split()
    words[position] = word
    return " ".join(words)


def test_one_changed_word_in_a_hundred():
    # 5 of 96 shingles replaced: Jaccard 91 / 101 = 0.901
    copy = change(ARTICLE, 50, "anders")
    assert run([ARTICLE, copy, "iets heel anders dan de rest van dit"], 0.9) == [None, "d00", None]
    assert run([ARTICLE, copy], 0.902) == [None, None]


def test_threshold_none_or_above_one_flags_nothing():
    texts = [ARTICLE, ARTICLE, ARTICLE]
    assert run(texts, None) == [None, None, None]
    assert run(texts, 1.01) == [None, None, None]
    assert run(texts, 1.0) == [None, "d00", "d00"]


@pytest.mark.parametrize("bad", [0, -0.5, float("nan"), "0.8", True])
def test_a_bad_threshold_is_rejected_naming_it(bad):
    with pytest.raises(ValueError, match=r"^threshold = "):
        run([ARTICLE, ARTICLE], bad)


def test_fewer_than_two_documents():
    assert run([]) == []
    assert run([ARTICLE]) == [None]


def test_identical_documents_point_to_the_first():
    assert run([ARTICLE, "iets anders helemaal", ARTICLE, ARTICLE]) == [None, None, "d00", "d00"]


def test_short_documents_are_one_padded_shingle():
    texts = ["kort bericht", "Kort bericht!", "kort bericht nu", "kort", "kort bericht nu en dan"]
    # same two words (case and punctuation are not words): a copy; anything else differs
    assert run(texts) == [None, "d00", None, None, None]
    # a short text inside a long one is not a copy of it (the padding is no word)
    assert run(["a b c d e f g", "a b c d"]) == [None, None]
    assert run(["a b c d", "a b c d e"]) == [None, None]
    assert run(["a b", "a b"]) == [None, "d00"]  # fewer than five words in all


def test_empty_documents_are_never_flagged_nor_originals():
    assert run(["", "", ARTICLE, "", ARTICLE]) == [None, None, None, None, "d02"]
    assert run(["", ""]) == [None, None]


def test_a_chain_points_to_its_first_document():
    a = ARTICLE
    b = change(a, 30, "x")
    c = change(b, 70, "y")
    # J(a, b) = J(b, c) = 91/101 = 0.901 >= 0.85; J(a, c) = 86/106 = 0.811 < 0.85
    _, _, words = to_ids([a, b, c])
    assert brute_force(["a", "b", "c"], words, 0.85) == [None, "a", "a"]
    assert run([a, b, c], 0.85, ["a", "b", "c"]) == [None, "a", "a"]
    # from c's side, b is the first similar document, and it is the root of the chain
    assert run([c, b, a], 0.85, ["c", "b", "a"]) == [None, "c", "c"]


def test_order_of_doc_ids_decides_the_original():
    copy = change(ARTICLE, 10, "anders")
    assert run([ARTICLE, copy], 0.8, ["orig", "copy"]) == [None, "orig"]
    assert run([copy, ARTICLE], 0.8, ["copy", "orig"]) == [None, "copy"]


def test_the_texts_form_equals_the_ids_form():
    texts = random_corpus(1)
    doc_ids = [f"d{k:02d}" for k in range(len(texts))]
    expected = run(texts, 0.8, doc_ids)
    assert near_duplicates_from_texts(doc_ids, texts, threshold=0.8) == expected


@pytest.mark.parametrize(
    ("ids", "offsets", "message"),
    [
        (np.array([1, 2, 3]), np.array([0, 3]), r"^offsets: must be 3 integers"),
        (np.array([1, 2, 3]), np.array([0, 2, 2]), r"^offsets: must rise from 0 to len\(ids\) = 3"),
        (np.array([1, 2, 3]), np.array([0, 2, 1]), r"^offsets: must rise"),
        (np.array([1, -2, 3]), np.array([0, 1, 3]), r"^ids: word ids must be >= 0"),
        (np.array([1, 2**63, 3], dtype=np.uint64), np.array([0, 1, 3]), r"^ids: word ids must be < 2\*\*63"),
        (np.array([1.0, 2.0, 3.0]), np.array([0, 1, 3]), r"^ids: must be a 1-D array of integer"),
        (np.array([[1, 2, 3]]), np.array([0, 1, 3]), r"^ids: must be a 1-D array"),
    ],
)
def test_bad_ids_or_offsets_are_rejected_naming_them(ids, offsets, message):
    with pytest.raises(ValueError, match=message):
        near_duplicates(["a", "b"], ids, offsets)


def test_ids_without_offsets_are_rejected_naming_offsets():
    with pytest.raises(ValueError, match=r"^offsets: give the document boundaries"):
        near_duplicates(["a", "b"], [1, 2, 3])
    with pytest.raises(ValueError, match=r"^offsets: give the document boundaries"):
        near_duplicates(["a", "b"], ["een twee", "drie"])  # texts: near_duplicates_from_texts
    with pytest.raises(ValueError, match=r"^offsets: give the document boundaries"):
        near_duplicates(["a", "b"], np.array([1, 2, 3]))


def test_the_texts_form_checks_its_lengths_and_threshold():
    with pytest.raises(ValueError, match=r"^texts: 1 texts for 2 doc_ids"):
        near_duplicates_from_texts(["a", "b"], [ARTICLE])
    with pytest.raises(ValueError, match=r"^threshold = 0: "):
        near_duplicates_from_texts(["a", "b"], [ARTICLE, ARTICLE], threshold=0)


# --------------------------------------------------------------------------------------------
# The sketch behaves as the banding formula says (recall; the decision itself is exact)
# --------------------------------------------------------------------------------------------
def candidate_rate(n_pairs: int, length: int, changes: int, seed: int) -> tuple[float, float]:
    """Share of planted pairs (a copy with ``changes`` words replaced) that become candidates,
    and the mean of 1 - (1 - J^4)^32 over their exact Jaccard similarities J."""
    rng = np.random.default_rng(seed)
    docs = []
    for _ in range(n_pairs):
        a = rng.integers(0, 10**6, length)
        b = a.copy()
        b[rng.choice(length, changes, replace=False)] = rng.integers(10**6, 2 * 10**6, changes)
        docs += [a, b]
    ids, offsets = np.concatenate(docs), np.cumsum([0] + [len(d) for d in docs])
    lengths = np.diff(offsets)
    keys = np.concatenate([dedup._band_keys(ids[offsets[a] : offsets[b]], lengths[a:b]) for a, b in dedup._chunks(offsets, 10**6)])
    i, j = dedup._candidate_pairs(keys, lengths > 0)
    first, second = np.arange(0, 2 * n_pairs, 2), np.arange(1, 2 * n_pairs, 2)
    jac = dedup._jaccard(ids, offsets, first, second)
    found = set(zip(i.tolist(), j.tolist(), strict=True))
    rate = np.mean([(x, y) in found for x, y in zip(first.tolist(), second.tolist(), strict=True)])
    return float(rate), float(np.mean(1 - (1 - jac**4) ** 32))


@pytest.mark.parametrize(
    ("length", "changes"),
    [(450, 40), (450, 55), (60, 4), (20, 1)],  # J about 0.46, 0.35, 0.54, 0.61 (20 words: most bins densified)
)
def test_candidate_rate_follows_the_banding_formula(length, changes):
    n = 600
    rate, expected = candidate_rate(n, length, changes, seed=length + changes)
    assert 0.3 < expected < 0.97  # a range where the rate says something
    assert abs(rate - expected) < 4 * np.sqrt(expected * (1 - expected) / n) + 0.01


def test_pairs_at_the_default_threshold_are_always_candidates():
    rate, expected = candidate_rate(300, 450, 11, seed=1)  # J about 0.79
    assert rate == 1.0 and expected > 0.999999


def test_more_than_200_copies_of_one_story_are_all_found():
    rng = np.random.default_rng(7)
    base = rng.integers(0, 10**6, 400)
    docs = [base]
    for _ in range(299):  # one word edited per copy: every copy is J ~ 0.95 from the original
        copy = base.copy()
        copy[rng.integers(0, 400)] = rng.integers(10**6, 2 * 10**6)
        docs.append(copy)
    ids, offsets = np.concatenate(docs), np.cumsum([0] + [len(d) for d in docs])
    doc_ids = [f"d{k:03d}" for k in range(len(docs))]
    result = near_duplicates(doc_ids, ids, offsets, threshold=0.8)
    assert result[0] is None and all(r == "d000" for r in result[1:])
