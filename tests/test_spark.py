"""The Spark engine gives the in-memory engine's numbers (skipped without the ``spark`` extra).

One Spark session for the whole file (``local[2]``, 1 GB driver, UI off, private scratch folder),
stopped at the end. Equality is asserted on the seed corpus, a synthetic 1k corpus and tokeniser
edge cases: tokens per document, vocabulary, document frequencies, group × term counts and totals
as equal integers, keyness and trends tables identical, IDF and TF-IDF within 1e-12, k-means
labels equal from the same starting centres.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from medialens.spark.config import backend_problem, backend_spec

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (make spark adds the extra)")

from medialens.corpus import load_corpus  # noqa: E402
from medialens.frequency import count_terms, keyness, keyness_grid, term_frequencies, trends  # noqa: E402
from medialens.spark.counting import count_terms_spark, documents_rdd, spark_tokens  # noqa: E402
from medialens.spark.session import start_session, stop_session  # noqa: E402
from medialens.text import TextSettings, Tokenizer  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))

EDGE_CASES = [
    "",
    "   \n\n  ",
    "De Navo-topman sprak met de NAVO en de Navo.",
    "Z’n auto's stonden in 's-Hertogenbosch; ’t was ’n dag.",
    "over\u200bheid en re\u00adgering, caf\u0065\u0301 en café",  # zero-width space, soft hyphen, NFD
    "Een\u00a0NBSP en\u2009dunne spatie; Noord\u2010Korea en Zuid\u2011Korea.",
    "Er kwamen 100.000 mensen; 2,5 procent. Dhr. Jansen zei: ‚goed’. Het is 12 u. Daarna.",
    "„Dit is een citaat”, aldus minister Ank Bijleveld. ,,En dit ook'', zei hij!",
    "Geen troepen? Niet nu… Nooit! $5 tot $10 <script>x</script>",
    "ÉÉN ÖSTERREICH İstanbul ΣΊΣΥΦΟΣ straße",
    "Eerste alinea met een zin.\n\nTweede alinea. Met twee zinnen.\n\nDerde",
]


@pytest.fixture(scope="module")
def spark():
    """One local Spark session for this file, stopped (and its scratch folder removed) at the end."""
    session = start_session({"master": "local[2]", "driver_memory": "1g"}, app_name="medialens-tests")
    yield session
    stop_session(session)


@pytest.fixture(scope="module")
def seeds():
    return load_corpus(ROOT / "corpus" / "seeds.yaml")


@pytest.fixture(scope="module")
def synth_1k():
    from synth import ensure_corpus

    return load_corpus(ensure_corpus(1000, fmt="jsonl"))


def _edge_documents() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": [f"e{i:02d}" for i in range(len(EDGE_CASES))],
        "outlet": ["A", "B", None, "A", "B", "A", "B", "A", "B", "A", ""][: len(EDGE_CASES)],
        "month": ["2022-01", "2022-02", None, "2022-01", "2022-03", "2022-02", None, "2022-01", "2022-03", "2022-02", "2022-01"],
        "text": EDGE_CASES,
    })


# ---------------------------------------------------------------------------------------------
# configuration (no Spark needed, but only meaningful with the extra)
# ---------------------------------------------------------------------------------------------
def test_backend_entry_is_checked_with_one_line_messages():
    assert backend_spec(None)["engine"] == "memory"
    spec = backend_spec({"engine": "spark", "conf": {"spark.executor.memory": "4g", "spark.x.flag": True}})
    assert spec == {"engine": "spark", "master": "local[2]", "driver_memory": "1g", "sample": 2000,
                    "conf": {"spark.executor.memory": "4g", "spark.x.flag": "true"}}
    for bad, word in [({"engine": "dask"}, "backend.engine"), ({"master": "local[0]"}, "backend.master"),
                      ({"driver_memory": "lots"}, "backend.driver_memory"), ({"conf": ["a"]}, "backend.conf"),
                      ({"conf": {"spark.x": None}}, "backend.conf.spark.x"), ({"engin": "spark"}, "unknown keys"), ("spark", "mapping"),
                      ({"sample": 0}, "backend.sample"), ({"sample": "all"}, "backend.sample")]:
        message = backend_problem(bad)
        assert message and word in message and "\n" not in message, (bad, message)


def test_session_uses_this_python_loopback_and_a_private_scratch_folder(spark):
    conf = spark.sparkContext.getConf()
    assert conf.get("spark.pyspark.python") == sys.executable
    assert conf.get("spark.ui.enabled") == "false"
    assert conf.get("spark.driver.host") == "127.0.0.1"
    assert "medialens-spark-" in conf.get("spark.local.dir")
    assert spark.sparkContext.parallelize([sys.executable], 1).map(lambda _: __import__("sys").executable).collect() == [sys.executable]


# ---------------------------------------------------------------------------------------------
# tokens
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("settings", [TextSettings(), TextSettings(remove_stopwords=False, numbers=True, min_length=1),
                                      TextSettings(reduce="stem"), TextSettings(language="en", lowercase=False)])
def test_tokens_in_the_workers_equal_the_tokeniser_on_edge_cases(spark, settings):
    docs = _edge_documents()
    got = spark_tokens(documents_rdd(spark, docs, partitions=3), settings=settings)
    tok = Tokenizer(settings)
    assert got == {d: tok(t) for d, t in zip(docs["doc_id"], docs["text"], strict=True)}


def test_tokens_in_the_workers_equal_the_tokeniser_on_the_seeds_and_1k(spark, seeds, synth_1k):
    tok = Tokenizer(TextSettings())
    for corpus in (seeds, synth_1k):
        docs = corpus.documents
        got = spark_tokens(documents_rdd(spark, docs[["doc_id", "text"]], partitions=4), normalised=True)
        assert got == {d: tok(t) for d, t in zip(docs["doc_id"], docs["text"], strict=True)}


# ---------------------------------------------------------------------------------------------
# counts, keyness, trends
# ---------------------------------------------------------------------------------------------
def _cells_in_memory(counts, columns=("outlet", "month")) -> tuple[dict, dict, pd.DataFrame]:
    """The in-memory counts summed per cell: ({(cell, term): count}, {(cell, term): documents}, totals)."""
    docs = counts.documents
    keys = [tuple(None if (v is None or v != v or v == "") else str(v) for v in row) for row in docs[list(columns)].itertuples(index=False)]
    frame = pd.DataFrame({"cell": keys})
    count, present = {}, {}
    m = counts.matrix.tocoo()
    names = counts.terms["term"].to_numpy()
    for i, j, v in zip(m.row.tolist(), m.col.tolist(), m.data.tolist(), strict=True):
        key = (keys[i], names[j])
        count[key] = count.get(key, 0) + v
        present[key] = present.get(key, 0) + 1
    totals = docs.assign(cell=frame["cell"], _documents=1).groupby("cell")[
        ["_documents", "words", *[c for c in docs.columns if c.startswith("total_")]]].sum()
    return count, present, totals


def _cells_in_spark(counts, columns=("outlet", "month")) -> tuple[dict, dict, pd.DataFrame]:
    docs = counts.documents
    keys = [tuple(None if (v is None or v != v) else v for v in row) for row in docs[list(columns)].itertuples(index=False)]
    names = counts.terms["term"].to_numpy()
    count, present = {}, {}
    for matrix, out in ((counts.matrix, count), (counts.presence(), present)):
        m = matrix.tocoo()
        for i, j, v in zip(m.row.tolist(), m.col.tolist(), m.data.tolist(), strict=True):
            out[(keys[i], names[j])] = v
    totals = docs.assign(cell=keys).set_index("cell")[["_documents", "words", *[c for c in docs.columns if c.startswith("total_")]]]
    return count, present, totals


@pytest.mark.parametrize("ngram_range, min_count", [((1, 1), 1), ((1, 2), 2)])
def test_counts_vocabulary_and_document_frequencies_equal_in_memory(spark, seeds, synth_1k, ngram_range, min_count):
    edge = _edge_documents()
    for docs, normalised in ((seeds.documents, True), (synth_1k.documents, True), (edge, False)):
        mem = count_terms(docs, ngram_range=ngram_range, min_count=min_count)
        got = count_terms_spark(documents_rdd(spark, docs, partitions=3), ngram_range=ngram_range, min_count=min_count,
                                normalised=normalised)
        pd.testing.assert_frame_equal(got.terms, mem.terms)  # vocabulary, order, corpus counts
        m_count, m_docs, m_totals = _cells_in_memory(mem)
        s_count, s_docs, s_totals = _cells_in_spark(got)
        assert s_count == m_count and s_docs == m_docs
        assert all(isinstance(v, int) for v in s_count.values())
        m_totals = m_totals.sort_index(key=lambda ix: ix.map(lambda k: tuple((v is None, v or "") for v in k)))
        assert s_totals.index.tolist() == m_totals.index.tolist()
        assert np.array_equal(s_totals.to_numpy(dtype=np.int64), m_totals.to_numpy(dtype=np.int64))
        df_mem = np.asarray(mem.presence().sum(axis=0)).ravel()
        assert np.array_equal(np.asarray(got.presence().sum(axis=0)).ravel(), df_mem)


def test_keyness_frequencies_and_trends_from_spark_counts_are_identical(spark, seeds, synth_1k):
    for corpus, follow in ((seeds, ["Navo", "Rusland", "Oekraïne"]), (synth_1k, ["regering", "minister"])):
        docs = corpus.documents
        mem = count_terms(docs, ngram_range=(1, 2))
        got = count_terms_spark(documents_rdd(spark, docs, partitions=4), ngram_range=(1, 2), normalised=True)
        groups = sorted(docs["outlet"].dropna().unique())
        for kwargs in ({"group": groups[0]}, {"group": groups[-1], "reference": groups[0], "log_likelihood": "two-cell"}):
            a, b = keyness(mem, **kwargs), keyness(got, **kwargs)
            pd.testing.assert_frame_equal(b.table, a.table, check_exact=True)
            assert b.notes == a.notes
        pd.testing.assert_frame_equal(keyness_grid(got).table, keyness_grid(mem).table, check_exact=True)
        for kwargs in ({"top_n": 15}, {"terms": follow}, {"group_by": None, "top_n": 5}):
            a, b = term_frequencies(mem, **kwargs), term_frequencies(got, **kwargs)
            pd.testing.assert_frame_equal(b.table, a.table, check_exact=True)
            assert b.notes == a.notes
        for group_by in ("outlet", None):
            a, b = trends(mem, terms=follow, group_by=group_by), trends(got, terms=follow, group_by=group_by)
            pd.testing.assert_frame_equal(b.table, a.table, check_exact=True)
            assert b.notes == a.notes and b.undated == a.undated


# ---------------------------------------------------------------------------------------------
# TF-IDF and k-means
# ---------------------------------------------------------------------------------------------
def _spark_dense(matrix, doc_ids) -> np.ndarray:
    rows = dict(matrix.rows.collect())
    out = np.zeros((len(doc_ids), len(matrix.terms)))
    for i, d in enumerate(doc_ids):
        for j, w in rows[d].items():
            out[i, j] = w
    return out


@pytest.mark.parametrize("options", [{}, {"min_df": 2, "max_df": 0.9, "ngram_range": (1, 2), "sublinear_tf": False}])
def test_tfidf_and_kmeans_from_the_same_centres_equal_in_memory(spark, seeds, synth_1k, options):
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    from medialens.clustering import make_units, tfidf
    from medialens.spark.clustering import kmeans_spark, starting_centres, tfidf_spark

    for corpus, k in ((seeds, 2), (synth_1k, 8)):
        units = make_units(corpus, unit="document")
        mem = tfidf(units, **options)
        got = tfidf_spark(documents_rdd(spark, corpus.documents, partitions=3), normalised=True, **options)
        assert got.terms.tolist() == mem.terms.tolist()
        ids = mem.units["doc_id"].tolist()
        assert sorted(got.rows.keys().collect()) == sorted(ids)
        assert sorted(got.dropped["doc_id"]) == sorted(mem.dropped["doc_id"])
        ngram_range = options.get("ngram_range", (1, 1))
        vec = TfidfVectorizer(analyzer=functools.partial(_ngrams, ngram_range=ngram_range), min_df=options.get("min_df", 1),
                              max_df=options.get("max_df", 1.0), sublinear_tf=options.get("sublinear_tf", True))
        vec.fit(corpus.documents["text"])
        if options.get("ngram_range", (1, 1)) == (1, 1):  # sentence-bounded bigrams differ from a plain token stream
            assert vec.get_feature_names_out().tolist() == got.terms.tolist()
            np.testing.assert_allclose(got.idf, vec.idf_, rtol=0, atol=1e-12)
        X = mem.X.toarray()
        np.testing.assert_allclose(_spark_dense(got, ids), X, rtol=0, atol=1e-12)
        _, centres = starting_centres(got, k, random_state=3)
        table, _ = kmeans_spark(got, k=k, centres=centres)
        ref = KMeans(n_clusters=k, init=centres, n_init=1, max_iter=300, tol=0, algorithm="lloyd").fit(mem.X)
        expected = pd.DataFrame({"doc_id": ids, "label": ref.labels_}).sort_values("doc_id").reset_index(drop=True)
        assert table["label"].tolist() == expected["label"].tolist()
        again, _ = kmeans_spark(got, k=k, random_state=3)  # seeded sample: the same starting centres
        assert again.equals(table)


@pytest.mark.parametrize("unit, include_headings", [("paragraph", False), ("paragraph", True), ("document", False)])
def test_units_made_in_spark_are_make_units_own(spark, seeds, synth_1k, unit, include_headings):
    """The units of notebook 20 made in the workers: make_units's ids, documents, paragraphs,
    metadata and texts, and the tokeniser's tokens of each."""
    from medialens.clustering import make_units
    from medialens.spark.topics import units_spark

    columns = ["unit_id", "doc_id", "paragraph", "outlet", "date", "month", "text"]
    for corpus in (seeds, synth_1k):
        mem = make_units(corpus, unit=unit, include_headings=include_headings)
        got = units_spark(documents_rdd(spark, corpus.documents, partitions=3), unit=unit, include_headings=include_headings)
        table = pd.DataFrame(got.collect(), columns=columns).astype({"paragraph": "Int64"})
        assert _plain_rows(table, columns) == _plain_rows(mem, columns)
        tokens = spark_tokens(got.map(lambda u: {"doc_id": u["unit_id"], "text": u["text"]}), normalised=True)
        tok = Tokenizer(TextSettings())
        assert tokens == {u: tok(t) for u, t in zip(mem["unit_id"], mem["text"], strict=True)}


def _by_size(unit_ids, raw) -> list[int]:
    """Labels 1..k numbered by size (largest first), ties by the smallest unit id, as cluster_spark numbers them."""
    frame = pd.DataFrame({"unit_id": list(unit_ids), "raw": list(raw)})
    stats = frame.groupby("raw").agg(n=("unit_id", "size"), first=("unit_id", "min")).sort_values(["n", "first"], ascending=[False, True])
    new = {r: i + 1 for i, r in enumerate(stats.index)}
    return [new[r] for r in frame["raw"]]


def test_clustering_every_unit_in_spark_from_the_same_centres_gives_the_in_memory_clusters(spark, seeds, synth_1k):
    """Notebook 20 on Spark (issue 17's acceptance point): every unit's TF-IDF row is the in-memory
    one (1e-12); from the same starting centres, k-means in Spark gives scikit-learn's labels on the
    in-memory TF-IDF (paragraphs of the seeds, documents of synthetic 1k), and the tables brought
    back (sizes, summary, top terms, cluster × group, example units) are the in-memory ones."""
    from sklearn.cluster import KMeans

    from medialens.clustering import (
        Clustering,
        cluster_summary,
        cluster_table,
        make_units,
        representatives,
        tfidf,
        top_terms,
    )
    from medialens.spark.clustering import starting_centres
    from medialens.spark.topics import cluster_spark, units_spark

    for corpus, k, unit in ((seeds, 3, "paragraph"), (synth_1k, 6, "document")):
        units = make_units(corpus, unit=unit)
        mem = tfidf(units, min_df=2, max_df=0.5, words=corpus.words)
        got = cluster_spark(units_spark(documents_rdd(spark, corpus.documents, partitions=3), unit=unit), k=k, min_df=2,
                            max_df=0.5, random_state=1)
        assert got.matrix.terms.tolist() == mem.terms.tolist()
        rows = dict(got.matrix.rows.collect())
        assert sorted(rows) == sorted(mem.units["unit_id"])
        for i, unit_id in enumerate(mem.units["unit_id"]):
            a, b = mem.X.getrow(i), rows[unit_id]
            assert sorted(a.indices.tolist()) == sorted(b)
            np.testing.assert_allclose([b[j] for j in a.indices.tolist()], a.data, rtol=0, atol=1e-12)
        start, centres = starting_centres(got.matrix, k, random_state=1)
        assert start == got.start
        ids = mem.units["unit_id"].tolist()
        ref = KMeans(n_clusters=k, init=centres, n_init=1, max_iter=300, tol=0, algorithm="lloyd").fit(mem.X)
        expected = pd.DataFrame({"unit_id": ids, "cluster": _by_size(ids, ref.labels_)}).sort_values("unit_id").reset_index(drop=True)
        labels = got.labels_table()
        pd.testing.assert_frame_equal(labels, expected)
        assert got.sizes.tolist() == np.bincount(expected["cluster"], minlength=k + 1)[1:].tolist()
        clustering = Clustering(table=pd.DataFrame(), labels=np.array(_by_size(ids, ref.labels_)), centers=got.centers, k=k)
        a, b = cluster_summary(mem, clustering, top_n=5), got.summary(top_n=5)
        pd.testing.assert_frame_equal(b.drop(columns="top_terms"), a.drop(columns="top_terms"))
        assert b["top_terms"].tolist() == a["top_terms"].tolist()
        pd.testing.assert_frame_equal(got.top_terms(top_n=5), top_terms(mem, clustering, top_n=5))
        for group_by in ("outlet", "month"):
            for shares in (False, True):
                pd.testing.assert_frame_equal(got.cluster_table(group_by=group_by, shares=shares),
                                              cluster_table(mem.units, clustering.labels, group_by=group_by, shares=shares, k=k))
        a, b = representatives(mem, clustering, n_representatives=2), got.representatives(n_representatives=2)
        pd.testing.assert_frame_equal(b.drop(columns="similarity"), a.drop(columns="similarity"))
        np.testing.assert_allclose(b["similarity"], a["similarity"], rtol=0, atol=1e-9)
        sampled = corpus.documents["doc_id"].iloc[:2].tolist()
        shown = got.assignments(sampled)
        assert set(shown["doc_id"]) == set(sampled) and shown["cluster"].tolist() == labels.set_index("unit_id").loc[shown["unit_id"], "cluster"].tolist()


def _ngrams(text: str, ngram_range) -> list[str]:
    tok = Tokenizer(TextSettings())(text)
    return [" ".join(tok[i:i + n]) for n in range(ngram_range[0], ngram_range[1] + 1) for i in range(len(tok) - n + 1)]


# ---------------------------------------------------------------------------------------------
# reading a corpus definition in Spark
# ---------------------------------------------------------------------------------------------
_DOC_COLUMNS = ["doc_id", "source", "line", "outlet", "date", "title", "text", "month", "copy_of", "n_chars"]


def _plain_rows(frame: pd.DataFrame, columns) -> list[tuple]:
    out = []
    for row in frame[columns].itertuples(index=False):
        out.append(tuple(None if (v is None or v is pd.NA or (isinstance(v, float) and v != v)) else (int(v) if isinstance(v, np.integer) else v) for v in row))
    return sorted(out, key=repr)


def _same_as_loader(spark, definition, **options):
    from medialens.spark.reading import read_corpus

    mem = load_corpus(definition, use_cache=False)
    got = read_corpus(spark, definition, partitions=3, **options)
    try:
        docs = pd.DataFrame(got.documents.collect())
        columns = _DOC_COLUMNS + sorted(set(mem.documents.columns) & set(docs.columns) - set(_DOC_COLUMNS) - {"language", "content_hash", "n_paragraphs", "near_duplicate_of"})
        assert got.n_documents == len(mem.documents)
        assert _plain_rows(docs, columns) == _plain_rows(mem.documents, columns)
        assert _plain_rows(got.skipped, list(got.skipped.columns)) == _plain_rows(mem.skipped, list(mem.skipped.columns))
        assert _plain_rows(got.removals, list(got.removals.columns)) == _plain_rows(mem.removals, list(mem.removals.columns))
        kinds = set(got.notes["kind"]) - {"not_at_scale"}
        mine = got.notes[got.notes["kind"].isin(kinds)]
        theirs = mem.notes[mem.notes["kind"].isin(kinds)]
        assert _plain_rows(mine, list(mine.columns)) == _plain_rows(theirs, list(theirs.columns))
        steps = (defn := got.definition).cleaning["detect_language"] + (defn.cleaning["near_duplicate_threshold"] is not None)
        assert (got.notes["kind"] == "not_at_scale").sum() == steps
        return got, mem
    finally:
        got.documents.unpersist()


def test_reading_the_seeds_and_1k_in_spark_gives_the_loaders_documents_and_skips(spark):
    from synth import ensure_corpus

    for definition in (ROOT / "corpus" / "seeds.yaml", ensure_corpus(1000, fmt="jsonl")):
        _same_as_loader(spark, definition)


def test_bad_records_are_skipped_in_spark_for_the_loaders_reasons(spark, tmp_path):
    from medialens.corpus import CorpusError
    from medialens.spark.reading import read_corpus

    lines = [
        '{"id": "a", "date": "2022-01-03", "outlet": "X", "text": "De NAVO sprak. Rusland zweeg."}',
        '{"id": "b", "date": "2022-13-01", "outlet": "X", "text": "Een slechte datum."}',
        '{"id": "c", "outlet": "Y", "text": ""}',
        '{"id": "d", "outlet": "Y", "text": "Zonder datum, met de Navo."',
        '{"id": "a", "date": "2022-01-04", "outlet": "Y", "text": "Herhaald id."}',
        '{"id": "e", "date": "2022-02-01", "outlet": "Y", "text": "De  NAVO sprak.  Rusland zweeg."}',
        '{"id": "f", "date": "2022-02-02", "outlet": "X", "text": "de navo sprak. rusland zweeg."}',
        '{"id": "g", "outlet": "Y", "text": "<p>Zonder <b>datum</b> &amp; met HTML.</p>", "rubriek": "binnenland"}',
    ]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "data" / "b.jsonl").write_bytes(b'{"id": "h", "text": "caf\xe9"}\n')
    (tmp_path / "c.yaml").write_text("name: bad\nsource: {path: data, format: jsonl}\nfields: {id: id}\n"
                                     "cleaning: {detect_language: false}\n", encoding="utf-8")
    got, mem = _same_as_loader(spark, tmp_path / "c.yaml")
    assert {"bad_date", "empty", "duplicate_id", "duplicate"} <= set(mem.skipped["reason"])
    (tmp_path / "c.yaml").write_text("name: bad\nsource: {path: data, format: jsonl, duplicate_ids: error}\nfields: {id: id}\n",
                                     encoding="utf-8")
    with pytest.raises(CorpusError, match=r"a\.jsonl:5 id 'a' already used at .*a\.jsonl:1"):
        read_corpus(spark, tmp_path / "c.yaml")
    with pytest.raises(CorpusError, match=r"a\.jsonl:5 id 'a' already used at .*a\.jsonl:1"):
        read_corpus(spark, tmp_path / "c.yaml", part_bytes=150)


def test_a_large_jsonl_file_read_in_parts_gives_the_loaders_documents_skips_and_notes(spark, tmp_path):
    """A JSONL file larger than ``part_bytes`` is read by several tasks, in parts cut at newline
    bytes: the documents, skips (with their line numbers), removals and notes are the loader's,
    the file is one inputs row, a renamed key is noted once and mojibake once, with every place."""
    from medialens.spark.reading import _plan_parts

    lines = [json.dumps({"id": f"d{i}", "date": f"2022-01-{i % 28 + 1:02d}", "outlet": "XY"[i % 2],
                         "text": f"Stuk {i} over de Navo." + (" Ã« zegt iets." if i % 7 == 3 else ""),
                         **({"doc_id": f"eigen-{i}"} if i % 9 == 1 else {})}, ensure_ascii=False) for i in range(60)]
    lines[11] = '{"id": "kapot", "text": "geen einde"'
    lines[40] = lines[40].replace("Stuk", "Stuk \u0000")
    data = b"\xef\xbb\xbf" + "\n".join(lines).encode().replace(b"Stuk 25 ", b"Stuk 25 \xff", 1) + b"\n\n"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.jsonl").write_bytes(data)
    (tmp_path / "data" / "b.jsonl").write_text('{"id": "b1", "text": "Een klein bestand."}\n', encoding="utf-8")
    (tmp_path / "c.yaml").write_text("name: parts\nsource: {path: data, format: jsonl}\nfields: {id: id}\n"
                                     "cleaning: {detect_language: false}\n", encoding="utf-8")
    from medialens.corpus import read_definition
    from medialens.corpus.readers import _input_files

    defn = read_definition(tmp_path / "c.yaml")
    groups = _plan_parts(spark.sparkContext, defn, _input_files(defn), 700)
    parts = [p for g in groups for p in g]
    assert len([p for p in parts if p.index == 0]) >= 5 and len(groups) >= 5
    assert [p.first_line for p in parts if p.index == 0] == [data[:p.start].count(b"\n") + 1 for p in parts if p.index == 0]
    got, mem = _same_as_loader(spark, tmp_path / "c.yaml", part_bytes=700)
    assert {"bad_json", "decode_error", "nul_byte"} <= set(mem.skipped["reason"])
    assert {"bom", "mojibake", "renamed_column"} <= set(mem.notes["kind"])
    assert _plain_rows(got.inputs, list(got.inputs.columns)) == _plain_rows(mem.inputs, ["source", "format", "records"])
    assert got.documents.getNumPartitions() >= len(groups)



def _bad_records_corpus(folder, backend: str) -> Path:
    """A small JSONL corpus with skips of several reasons and an exact copy, read with ``backend``."""
    lines = [
        '{"id": "a", "date": "2022-01-03", "outlet": "X", "text": "De NAVO sprak. Rusland zweeg."}',
        '{"id": "b", "date": "2022-13-01", "outlet": "X", "text": "Een slechte datum."}',
        '{"id": "c", "outlet": "Y", "text": ""}',
        '{"id": "d", "outlet": "Y", "text": "Zonder datum, met de Navo."}',
        '{"id": "a", "date": "2022-01-04", "outlet": "Y", "text": "Herhaald id."}',
        '{"id": "e", "date": "2022-02-01", "outlet": "Y", "text": "De  NAVO sprak.  Rusland zweeg."}',
        '{"id": "f", "date": "2022-02-02", "outlet": "X", "text": "de navo sprak. rusland zweeg."}',
        '{"id": "g", "outlet": "Z", "text": "<p>Zonder <b>datum</b> &amp; met HTML.</p>"}',
        '{"id": "h", "date": "2022-03-05", "text": "Geen outlet, wel een datum."}',
        '{"id": "i", "date": "2022-03-06", "outlet": "X", "text": "Nog een stuk over de Navo."}',
    ]
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "data" / "b.jsonl").write_bytes(b'{"id": "j", "text": "caf\xe9"}\n')
    (folder / "c.yaml").write_text("name: skips\nsource: {path: data, format: jsonl}\nfields: {id: id}\n"
                                   f"cleaning: {{detect_language: false, near_duplicate_threshold: null}}\nbackend: {backend}\n", encoding="utf-8")
    return folder / "c.yaml"


def test_the_engines_totals_and_documents_per_group_are_every_documents_not_the_samples(spark, tmp_path):
    """Notebook 00 on Spark: the totals and documents per outlet × month × language are counted in
    Spark over every document, equal to the loader's (records = kept + skipped), while the sample
    is smaller than the corpus."""
    from medialens.corpus import counts_by, document_cells, read_definition
    from medialens.describe import describe_corpus_checks, describe_outlets, outlets_inferred
    from medialens.spark.engine import open_engine

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    _seeds_definition(seeds / "seeds.yaml", '{engine: spark, master: "local[2]", sample: 2}')
    for definition in (_bad_records_corpus(tmp_path, '{engine: spark, master: "local[2]", sample: 3}'), seeds / "seeds.yaml"):
        mem = load_corpus(definition, use_cache=False)
        engine = open_engine(read_definition(definition), random_state=0)
        try:
            assert len(engine.sample.documents) < engine.n_documents == len(mem.documents)
            summary = engine.summary()
            expected = mem.summary()
            pd.testing.assert_frame_equal(summary, expected)
            s = summary["count"]
            assert s["input records"] == s["documents kept"] + s["records skipped"]
            cells = engine.document_cells()
            pd.testing.assert_frame_equal(cells, document_cells(mem.documents))
            pd.testing.assert_frame_equal(counts_by(cells), counts_by(mem.documents))
            inferred = outlets_inferred(engine.sample.documents)
            assert describe_outlets(cells, inferred=inferred).text == describe_outlets(mem.documents).text
            assert (describe_corpus_checks(engine.sample, documents=cells, summary=summary).text
                    == describe_corpus_checks(mem).text)
            assert "seeded sample of 2 of the 5 documents" in engine.sample_line("x") or definition.name == "c.yaml"
        finally:
            engine.stop()
    assert {"bad_date", "empty", "duplicate_id", "decode_error"} <= set(load_corpus(tmp_path / "c.yaml", use_cache=False).skipped["reason"])


def test_stopping_removes_the_private_scratch_folders_only(tmp_path):
    """stop_session removes the folders start_session made (spark.local.dir, java.io.tmpdir) and no other."""
    from medialens.spark.session import _PREFIX

    mine, theirs = tmp_path / (_PREFIX + "x"), tmp_path / "user-scratch"
    mine.mkdir()
    theirs.mkdir()
    conf = {"spark.local.dir": str(theirs), "spark.driver.extraJavaOptions": f"-Xss4m -Djava.io.tmpdir={mine} -Dx=1"}

    class _Session:
        stopped = False
        sparkContext = type("C", (), {"getConf": lambda self: conf})()

        def stop(self):
            self.stopped = True

    session = _Session()
    stop_session(session)
    assert session.stopped and not mine.exists() and theirs.exists()


# ---------------------------------------------------------------------------------------------
# the notebooks on the Spark engine (backend: in the corpus definition)
# ---------------------------------------------------------------------------------------------
def _seeds_definition(path, backend: str = "") -> None:
    """The seed corpus definition at ``path``, reading the seeds where they are, with ``backend``."""
    text = (ROOT / "corpus" / "seeds.yaml").read_text(encoding="utf-8")
    text = text.replace("path: ../seeds ", f"path: {(ROOT / 'seeds').as_posix()} ", 1)
    path.write_text(text + (f"backend: {backend}\n" if backend else ""), encoding="utf-8")


NOTEBOOKS = ("00_corpus", "10_term_frequency", "20_topic_clustering")


def _report(tmp_path, name: str, backend: str) -> tuple:
    """Notebooks 00, 10 and 20 rendered by the report runner on the seeds with ``backend``: (out,
    each notebook's printed text, each notebook's displayed text)."""
    import io

    import nbformat
    import yaml

    from medialens.report import run_report

    folder = tmp_path / name
    folder.mkdir()
    _seeds_definition(folder / "seeds.yaml", backend)
    (folder / "params.yaml").write_text(yaml.safe_dump({"corpus": "seeds.yaml", "use_cache": False,
                                                         "notebooks": {"10_term_frequency": {"n_bootstrap": 100}}}))
    stream, out = io.StringIO(), folder / "out"
    rc = run_report(folder / "params.yaml", out_dir=out, figures_dir=folder / "figs", html_output=False,
                    only=list(NOTEBOOKS), stream=stream)
    assert rc == 0, stream.getvalue()
    text, shown = {}, {}
    for nb in NOTEBOOKS:
        executed = nbformat.read(out / f"{nb}.ipynb", as_version=4)
        outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        text[nb] = "".join(o.get("text", "") for o in outputs)
        shown[nb] = [o.get("data", {}).get("text/plain", "") for o in outputs]
    return out, text, shown


def test_notebooks_on_the_spark_engine_say_so_and_count_as_in_memory(tmp_path, capfd):
    """Rendered through the report runner with ``backend: {engine: spark}``, notebook 10 prints the
    engine line and gives the in-memory run's counts, keyness and trends; notebook 00 gives the
    in-memory run's totals and documents per outlet and month (every document, counted in Spark)
    and labels what it shows of the sample; notebook 20 says it clusters the seeded sample. The
    in-memory run prints no engine line. The JVMs' start-up lines stay off the console."""
    mem_out, mem_text, mem_shown = _report(tmp_path, "memory", "")
    capfd.readouterr()
    got_out, got_text, got_shown = _report(tmp_path, "spark", '{engine: spark, master: "local[2]", sample: 4}')
    console = "".join(capfd.readouterr())  # what the kernels (and their JVMs) wrote to this process's console
    assert not any(noise in console for noise in ("log4j", "NativeCodeLoader", "WARN", "incubator")), console[:500]
    assert not any("engine: spark" in t for t in mem_text.values())
    assert not any("Warning" in t for t in got_text.values())  # pyspark's pandas 3 warning is not shown
    line = [x for x in got_text["10_term_frequency"].splitlines() if x.startswith("engine: spark")]
    assert line == [f"engine: spark (master local[2], Spark {pyspark.__version__}): 5 documents read in Spark, where the term "
                    "counts per group and month are made; the concordance, x-ray and bootstrap over documents use a "
                    "seeded sample of 4 documents (backend.sample = 4, random_state = 0)"]
    line = [x for x in got_text["20_topic_clustering"].splitlines() if x.startswith("engine: spark")]
    assert line == [f"engine: spark (master local[2], Spark {pyspark.__version__}): 5 documents read in Spark, where every unit "
                    "is weighted and clustered (k-means), with the top terms, cluster sizes, example units and cluster tables; "
                    "the units described, the choice of k, the stability check, the map and the findings use a seeded sample "
                    "of 4 documents (backend.sample = 4, random_state = 0)"]
    assert "in Spark: k-means of all " in got_text["20_topic_clustering"]
    assert len([x for x in got_text["20_topic_clustering"].splitlines() if "seeded sample of 4 of the 5 documents" in x]) >= 5
    assert "<Corpus 'seeds': 5 documents in Spark (4 sampled)" in got_text["10_term_frequency"]
    for table in ("term_counts", "keyness", "keyness_grid", "trends"):
        a = pd.read_csv(mem_out / "tables" / f"{table}.csv", keep_default_na=False)
        b = pd.read_csv(got_out / "tables" / f"{table}.csv", keep_default_na=False)
        pd.testing.assert_frame_equal(b, a, check_exact=True, obj=table)
    sampled = set(pd.read_csv(got_out / "tables" / "cluster_assignments.csv")["doc_id"])
    assert len(sampled) == 4 and sampled <= set(pd.read_csv(mem_out / "tables" / "cluster_assignments.csv")["doc_id"])
    assert set(pd.read_csv(got_out / "tables" / "concordance.csv")["doc_id"]) <= sampled
    # notebook 00: totals and documents per group of every document, the sample labelled
    totals = [x for x in mem_text["00_corpus"].splitlines() if "input records =" in x]
    assert totals == ["5 input records = 5 kept + 0 skipped"]
    assert totals[0] in got_text["00_corpus"].splitlines()
    mem_tables = [t for t in mem_shown["00_corpus"] if t.startswith(("month", "         count", "          documents"))]
    assert len(mem_tables) >= 2 and all(t in got_shown["00_corpus"] for t in mem_tables)
    assert mem_shown["00_corpus"][-3:-1] != [] and [t for t in mem_shown["00_corpus"] if "Totals add up" in t] == [
        t for t in got_shown["00_corpus"] if "Totals add up" in t]
    labels = [x for x in got_text["00_corpus"].splitlines() if "seeded sample of 4 of the 5 documents" in x]
    assert len(labels) >= 4, got_text["00_corpus"]


def test_scratch_folders_of_sessions_that_ended_without_stopping_are_removed(tmp_path):
    """A kernel killed at shutdown cannot stop its session: the next start removes its scratch
    folder (owner file no longer locked), never a running session's or a folder it did not make."""
    from medialens.spark.session import _HELD, _OWNER, _PREFIX, _claim, remove_stale_folders

    running, ended, foreign = (tmp_path / (_PREFIX + name) for name in ("running", "ended", "foreign"))
    for folder in (running, ended, foreign):
        folder.mkdir()
    _claim(str(running))
    (ended / _OWNER).write_text("")
    (ended / "blockmgr-1").mkdir()
    try:
        assert remove_stale_folders(str(tmp_path)) == [str(ended)]
        assert running.is_dir() and foreign.is_dir() and not ended.exists()
    finally:
        os.close(_HELD.pop(str(running)))
    assert remove_stale_folders(str(tmp_path)) == [str(running)]


def test_report_check_on_the_spark_engine_checks_the_sample_and_stops_spark(tmp_path, monkeypatch):
    """``medialens report --check`` (check_plan) does not load a Spark corpus in memory: it checks
    the parameters against the engine (groups over every document, terms against the sample), then
    stops the engine."""
    import medialens.session as session_module
    from medialens.checks import check_plan
    from medialens.report import plan_report, read_parameter_file
    from medialens.spark.session import _HELD

    def refuse(*args, **kwargs):
        raise AssertionError("load_corpus called for a Spark corpus")

    monkeypatch.setattr(session_module, "load_corpus", refuse)
    _seeds_definition(tmp_path / "seeds.yaml", '{engine: spark, master: "local[2]", sample: 3}')
    (tmp_path / "params.yaml").write_text("corpus: seeds.yaml\n")
    held = set(_HELD)
    _, _, plan = plan_report(tmp_path / "params.yaml", out_dir=tmp_path / "out", figures_dir=tmp_path / "figs",
                             only=["10_term_frequency"])
    assert check_plan(plan, tmp_path / "params.yaml", read_parameter_file(tmp_path / "params.yaml").common) == []
    assert set(_HELD) == held  # the engine was stopped (its scratch folder released)


def test_report_check_on_the_spark_engine_knows_groups_outside_the_sample(tmp_path, spark):
    """A group present in the corpus but not in the seeded sample is a group (checked over every
    document, counted in Spark); a group the corpus lacks is refused, listing the rare group too."""
    from medialens.checks import check_plan
    from medialens.report import plan_report, read_parameter_file
    from medialens.spark.engine import sample_rank

    ids = [f"d{i}" for i in range(8)]
    rare = max(ids, key=lambda d: sample_rank(0, d))  # last in the sample order: outside a sample of 3
    rows = [{"id": d, "date": f"2022-01-0{i + 1}", "outlet": "Rare" if d == rare else "XY"[i % 2],
             "text": f"Document {d} over de Navo en Rusland."} for i, d in enumerate(ids)]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "c.yaml").write_text("name: rare\nsource: {path: data, format: jsonl}\nfields: {id: id}\n"
                                     "cleaning: {detect_language: false}\n"
                                     'backend: {engine: spark, master: "local[2]", sample: 3}\n', encoding="utf-8")
    for group, expected in (("Rare", []), ("Nope", ["'Rare'"])):
        (tmp_path / "params.yaml").write_text(f"corpus: c.yaml\nnotebooks:\n  10_term_frequency: {{group_by: outlet, group: {group}}}\n")
        _, _, plan = plan_report(tmp_path / "params.yaml", out_dir=tmp_path / "out", figures_dir=tmp_path / "figs",
                                 only=["10_term_frequency"])
        lines = check_plan(plan, tmp_path / "params.yaml", read_parameter_file(tmp_path / "params.yaml").common)
        assert len(lines) == len(expected) and all(e in line for e, line in zip(expected, lines, strict=True)), lines
        assert not lines or "group = 'Nope': not a group of 'outlet'" in lines[0]
    from medialens.corpus import read_definition
    from medialens.spark.engine import open_engine

    engine = open_engine(read_definition(tmp_path / "c.yaml"))
    try:
        assert "Rare" not in set(engine.sample.documents["outlet"]) and len(engine.sample.documents) == 3
    finally:
        engine.stop()
    assert spark.range(2).count() == 2  # the shared session still runs


def test_checks_on_the_spark_engine_find_terms_and_targets_outside_the_sample(tmp_path, spark):
    """A followed term or a target's alias that only a document outside the seeded sample contains
    occurs in the corpus (looked up in Spark over every document); one that no document contains
    is refused, with the number of documents of the whole corpus."""
    from medialens.checks import problems_with_corpus
    from medialens.corpus import read_definition
    from medialens.spark.engine import open_engine, sample_rank
    from medialens.text import TextSettings

    ids = [f"d{i}" for i in range(8)]
    rare = max(ids, key=lambda d: sample_rank(0, d))  # last in the sample order: outside a sample of 3
    rows = [{"id": d, "outlet": "XY"[i % 2],
             "text": f"Document {d} over de Navo en Rusland." + (" Minister Wopke Hoekstra noemde de zeldzaamheid." if d == rare else "")}
            for i, d in enumerate(ids)]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "c.yaml").write_text("name: rare\nsource: {path: data, format: jsonl}\nfields: {id: id}\n"
                                     "cleaning: {detect_language: false}\n"
                                     'backend: {engine: spark, master: "local[2]", sample: 3}\n', encoding="utf-8")
    engine = open_engine(read_definition(tmp_path / "c.yaml"))
    try:
        assert rare not in set(engine.sample.documents["doc_id"]) and len(engine.sample.documents) == 3
        settings = TextSettings()

        def problems(notebook, **values):
            return [p.message for p in problems_with_corpus(notebook, values, engine.sample, settings, engine=engine)]

        assert problems("10_term_frequency", terms=["zeldzaamheid", "Navo"]) == []
        [message] = problems("10_term_frequency", terms=["zeldzaamheid", "nergenswoord"])
        assert message.startswith("terms: 'nergenswoord' never occurs in the 8 documents")
        assert problems("30_stance_comparison", targets={"Wopke Hoekstra": ["Wopke Hoekstra"], "Navo": ["Navo"]}) == []
        [message] = problems("30_stance_comparison", targets={"Wopke Hoekstra": ["Hoekstra"], "Niemand": ["Jan Nergens"]})
        assert message.startswith("targets['Niemand']: none of its aliases ['Jan Nergens'] occurs in the 8 documents")
        assert engine.words_present(["zeldzaamheid", "nergenswoord"], settings=settings) == {"zeldzaamheid"}
        assert engine.words_present(["hoekstra", "wopke", "nergens"]) == {"hoekstra", "wopke"}
    finally:
        engine.stop()
    assert spark.range(2).count() == 2  # the shared session still runs


def test_a_second_start_shares_the_running_session_and_leaves_it_running(spark):
    """Spark runs one session per process: a second start_session gets the running one (its own
    scratch folder removed at once), and its stop does not stop the session the first one uses."""
    import tempfile
    from pathlib import Path

    from medialens.spark.session import _HELD

    held = set(_HELD)
    before = sorted(str(p) for p in Path(tempfile.gettempdir()).glob("medialens-spark-*"))
    second = start_session({"master": "local[2]", "driver_memory": "1g"})
    assert second.sparkContext is spark.sparkContext
    assert set(_HELD) == held
    assert sorted(str(p) for p in Path(tempfile.gettempdir()).glob("medialens-spark-*")) == before
    stop_session(second)
    assert set(_HELD) == held
    assert spark.range(3).count() == 3  # still running
