"""The Spark engine behind a notebook session (``backend: {engine: spark}`` in the corpus definition).

:func:`open_engine` starts Spark with the definition's ``backend:`` settings, reads the whole
corpus there (:func:`medialens.spark.reading.read_corpus`) and brings a seeded sample of its
documents into memory as an ordinary :class:`~medialens.corpus.Corpus`. The notebook session
(:mod:`medialens.session`) then counts the whole corpus in Spark
(:meth:`SparkEngine.count_terms`: per cell, see :mod:`medialens.spark.counting`), describes it
(:meth:`SparkEngine.summary`, :meth:`SparkEngine.document_cells`), clusters every unit
(:meth:`SparkEngine.cluster_units`, :mod:`medialens.spark.topics`) and gives the steps that read
single documents or need a whole matrix in memory (concordance, x-ray, the bootstrap over
documents, silhouette, stability) the sample; :meth:`SparkEngine.line` and
:meth:`SparkEngine.sample_line` say so.

The sample: every document gets a rank from a hash of ``random_state`` and its id, and the
``backend.sample`` documents with the smallest ranks are kept. It depends only on the ids and the
seed (not on Spark's partitions), and it is the whole corpus when the corpus is not larger than
``backend.sample``.
"""

from __future__ import annotations

import atexit
import hashlib
from dataclasses import dataclass, field

import pandas as pd

from ..corpus.definition import DOC_COLUMNS, CorpusDefinition
from ..corpus.overview import CELL_COLUMNS, cells_table
from ..corpus.table import Corpus, boilerplate_removals, summary_table
from ..frequency.counts import TermCounts
from ..results import Result
from ..text import TextSettings
from ..tokens import WordTable
from .reading import SparkCorpus, read_corpus
from .session import start_session, stop_session

__all__ = ["SparkEngine", "open_engine", "sample_rank", "sample_corpus"]


@dataclass
class SparkEngine:
    """A running Spark session, the corpus read in it and the seeded sample held in memory.

    Attributes
    ----------
    spark : pyspark.sql.SparkSession
    corpus : SparkCorpus
        The whole corpus, its documents in Spark.
    sample : Corpus
        The sampled documents (sorted by ``doc_id``), with the whole corpus's skip report, notes
        and inputs.
    random_state : int
        The seed of the sample.
    """

    spark: object
    corpus: SparkCorpus
    sample: Corpus
    random_state: int
    _cells: dict = field(default_factory=dict, repr=False)

    @property
    def n_documents(self) -> int:
        """Documents in the whole corpus."""
        return self.corpus.n_documents

    def line(self, *, sample: str, spark: str = "") -> str:
        """One line: the engine, its master and Spark version, the documents read, what is computed
        in Spark (``spark``: "term counts are made", or "") and the steps that use the sample
        (``sample``), with its size and seed."""
        spec = self.corpus.definition.backend
        n, m = self.n_documents, len(self.sample.documents)
        out = f"engine: spark (master {spec['master']}, Spark {self.spark.version}): {n:,} documents read in Spark"
        out += f", where {spark}; " if spark else "; "
        if m >= n:
            return out + f"{sample} use all {n:,} documents (backend.sample = {spec['sample']:,} covers the corpus)"
        return out + (f"{sample} use a seeded sample of {m:,} documents "
                      f"(backend.sample = {spec['sample']:,}, random_state = {self.random_state})")

    def sample_line(self, what: str) -> str:
        """One line saying that ``what`` (``"the preview below"``) uses the seeded sample: its size,
        the corpus's and the seed (or that the sample is the whole corpus)."""
        spec = self.corpus.definition.backend
        n, m = self.n_documents, len(self.sample.documents)
        if m >= n:
            return f"{what}: all {n:,} documents (backend.sample = {spec['sample']:,} covers the corpus)"
        return (f"{what}: the seeded sample of {m:,} of the {n:,} documents "
                f"(backend.sample = {spec['sample']:,}, random_state = {self.random_state})")

    def document_cells(self, columns=CELL_COLUMNS) -> pd.DataFrame:
        """Documents per combination of ``columns`` values, counted in Spark over every document:
        the table :func:`medialens.corpus.document_cells` makes in memory (computed once per
        ``columns``).

        Parameters
        ----------
        columns : sequence of str
            Document columns (a document without one has None there).

        Returns
        -------
        DataFrame
            ``columns`` and ``_documents``, sorted (missing last).
        """
        from .counting import _cell_key

        cols = tuple(columns)
        if cols not in self._cells:
            counts = self.corpus.documents.map(lambda d: _cell_key(d, cols)).countByValue()
            self._cells[cols] = cells_table(dict(counts), cols)
        return self._cells[cols].copy()

    def columns(self) -> list[str]:
        """The document columns of the whole corpus (any document's keys, sorted; computed once)."""
        if "columns" not in self._cells:
            self._cells["columns"] = sorted(self.corpus.documents.flatMap(lambda d: list(d)).distinct().collect())
        return list(self._cells["columns"])

    def summary(self) -> pd.DataFrame:
        """The corpus totals (:meth:`medialens.corpus.Corpus.summary`) of every document read in
        Spark: input records = documents kept + records skipped. Near duplicates are not flagged at
        this scale (0; a note says so)."""
        if "summary" not in self._cells:
            flags = self.corpus.documents.map(lambda d: (d.get("date") is None, d.get("copy_of") is not None)).countByValue()
            c = self.corpus
            self._cells["summary"] = summary_table(
                input_files=len(c.inputs), input_records=int(c.inputs["records"].sum()), kept=c.n_documents,
                skipped=len(c.skipped), undated=sum(v for (undated, _), v in flags.items() if undated),
                copies=sum(v for (_, copy), v in flags.items() if copy), near_duplicates=0, removals=boilerplate_removals(c.removals),
            )
        return self._cells["summary"].copy()

    @property
    def corpus_line(self) -> str:
        """The corpus in one line, as ``repr(Corpus)`` with the documents read in Spark and the sample."""
        c = self.sample
        return (f"<Corpus {c.name!r}: {self.n_documents} documents in Spark ({len(c.documents)} sampled), "
                f"{len(c.skipped)} skipped, from {len(c.inputs)} input file(s)>")

    def count_terms(self, *, settings: TextSettings, ngram_range=(1, 1), min_count: int = 1, keep_terms=(),
                    group_by="outlet") -> TermCounts:
        """The whole corpus's counts per cell (``group_by`` values × month), counted in Spark
        (:func:`medialens.spark.counting.count_terms_spark`; the same arguments)."""
        from .counting import count_terms_spark

        return count_terms_spark(self.corpus.documents, settings=settings, ngram_range=ngram_range, min_count=min_count,
                                 keep_terms=keep_terms, group_by=group_by, normalised=True)

    def words_present(self, words, *, settings: TextSettings | None = None) -> set[str]:
        """Which of ``words`` occur in some document read in Spark (one pass over the corpus: the
        checks ask only for the words the sample lacks).

        Parameters
        ----------
        words : iterable of str
        settings : TextSettings, optional
            Look for tokens as the counts know them (after these settings' filters); None: for
            the words lower-cased and the parts of hyphenated compounds (what a target's alias
            matches, :func:`medialens.checks.alias_words`).

        Returns
        -------
        set of str
            The words of ``words`` found.
        """
        wanted = frozenset(words)
        if not wanted:
            return set()
        return set(self.corpus.documents.mapPartitions(lambda rows: _present_in_partition(rows, wanted, settings)).distinct().collect())

    def cluster_units(self, *, unit: str = "paragraph", include_headings: bool = False, k: int, **options):
        """Notebook 20's clustering of every unit in Spark: the units of every document
        (:func:`medialens.spark.topics.units_spark`), their TF-IDF and k-means from seeded starting
        centres (:func:`medialens.spark.topics.cluster_spark`; ``options`` as it takes them).

        Returns
        -------
        SparkClustering
            Its tables (top terms, summary, representatives, cluster × group) come from Spark.
        """
        from .topics import cluster_spark, units_spark

        units = units_spark(self.corpus.documents, unit=unit, include_headings=include_headings)
        return cluster_spark(units, k=k, **options)

    def bootstrap_log_ratio(self, counts: TermCounts, *, group_by: str | None, group: str, reference: str | None = None,
                            terms, **options) -> Result:
        """:func:`medialens.frequency.bootstrap_log_ratio` on the sample's documents, counted in
        memory as ``counts`` was (settings and n-gram orders): the bootstrap resamples documents,
        which Spark's per-cell counts no longer hold. Terms and groups the sample lacks are left
        out with a note.

        Parameters
        ----------
        counts : TermCounts
            The whole corpus's counts (:meth:`count_terms`), for the settings.
        group_by, group, reference, terms, options
            As :func:`medialens.frequency.bootstrap_log_ratio`.

        Returns
        -------
        Result
        """
        from ..frequency import bootstrap_log_ratio, count_terms
        from ..grouping import group_labels

        docs = self.sample.documents
        m = len(docs)
        where = f"the bootstrap resamples the {m:,} sampled documents"
        present = set(group_labels(docs, group_by)) if m else set()
        empty = pd.DataFrame(columns=["term", "log_ratio", "low", "high", "n_docs_target", "n_docs_reference"])
        absent = [g for g in (group, reference) if g is not None and g not in present]
        if absent:
            return Result(empty, (f"{where}, and they hold no document of {', '.join(map(repr, absent))}: no interval",))
        sample = count_terms(docs, settings=counts.settings, ngram_range=counts.ngram_range, words=self.sample.words)
        kept = [t for t in terms if sample.column(t) is not None]
        notes = [where]
        if len(kept) < len(terms):
            notes.append(f"not in the sample, so without an interval: {', '.join(t for t in terms if t not in kept)}")
        if not kept:
            return Result(empty, tuple(notes))
        result = bootstrap_log_ratio(sample, group_by=group_by, group=group, reference=reference, terms=kept, **options)
        return Result(result.table, (*notes, *result.notes))

    def stop(self) -> None:
        """Release the documents and stop Spark (also done when the process ends)."""
        if self.spark is None:
            return
        self.corpus.documents.unpersist()
        stop_session(self.spark)
        self.spark = None


def _present_in_partition(rows, wanted: frozenset, settings: TextSettings | None):
    """The words of ``wanted`` that the documents of one partition contain (runs in a worker)."""
    from ..checks import alias_words
    from .counting import _texts

    rows = list(rows)
    if not rows:
        return
    table = WordTable.from_texts(*_texts(rows), normalised=True)
    vocabulary = alias_words(table.vocabulary) if settings is None else set(table.token_ids(settings)[2].tolist())
    yield from wanted & vocabulary


def sample_rank(random_state: int, doc_id: str) -> int:
    """A document's place in the seeded sample order (smaller first): a hash of seed and id."""
    digest = hashlib.blake2b(f"{int(random_state)}\x00{doc_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def sample_corpus(corpus: SparkCorpus, size: int, *, random_state: int = 0) -> Corpus:
    """The ``size`` documents of ``corpus`` with the smallest :func:`sample_rank`, as an in-memory
    :class:`~medialens.corpus.Corpus` (the loader's columns, sorted by ``doc_id``; no near
    duplicates flagged, ``language`` the corpus language), with the whole corpus's skip report.

    Parameters
    ----------
    corpus : SparkCorpus
    size : int
        Documents to keep (all when the corpus has no more).
    random_state : int
        The seed.

    Returns
    -------
    Corpus
    """
    seed = int(random_state)
    rows = corpus.documents.takeOrdered(int(size), key=lambda d: (sample_rank(seed, d["doc_id"]), d["doc_id"]))
    docs = pd.DataFrame(rows)
    if docs.empty:
        docs = pd.DataFrame(columns=DOC_COLUMNS)
    docs = docs.sort_values("doc_id", kind="stable").reset_index(drop=True)
    words = WordTable.from_texts(docs["doc_id"].tolist(), docs["text"].tolist(), normalised=True)
    docs["near_duplicate_of"] = None
    docs["n_paragraphs"] = words.paragraph_counts() if len(docs) else []
    extra = sorted(c for c in docs.columns if c not in DOC_COLUMNS and not c.startswith("_"))
    docs = docs[DOC_COLUMNS + extra].astype({"line": "Int64", "n_chars": "int64", "n_paragraphs": "int64"})
    kept = pd.Series(corpus.documents.map(lambda d: d["source"]).countByValue(), dtype="int64")
    inputs = corpus.inputs.copy()
    inputs["kept"] = inputs["source"].map(kept).fillna(0).astype(int)
    inputs["skipped"] = inputs["source"].map(corpus.skipped.groupby("source").size()).fillna(0).astype(int)
    defn: CorpusDefinition = corpus.definition
    return Corpus(name=defn.name, definition=defn, documents=docs, skipped=corpus.skipped, removals=corpus.removals,
                  notes=corpus.notes, inputs=inputs, key=None, words=words)


def open_engine(definition: CorpusDefinition, *, random_state: int = 0) -> SparkEngine:
    """Start Spark for ``definition.backend``, read the corpus there and draw the sample.

    Parameters
    ----------
    definition : CorpusDefinition
        A definition with ``backend.engine = 'spark'``.
    random_state : int
        The seed of the sample.

    Returns
    -------
    SparkEngine
        Stopped with :meth:`SparkEngine.stop`, or when the process ends.
    """
    spark = start_session(definition.backend, app_name=f"medialens {definition.name}")
    try:
        corpus = read_corpus(spark, definition)
        sample = sample_corpus(corpus, definition.backend["sample"], random_state=random_state)
    except BaseException:
        stop_session(spark)
        raise
    engine = SparkEngine(spark, corpus, sample, int(random_state))
    atexit.register(engine.stop)
    return engine
