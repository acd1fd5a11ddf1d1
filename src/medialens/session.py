"""One analysis context per notebook: the loaded corpus, the text settings, the tokeniser, the
figure saver and the table shower, opened once from the notebook's common parameters.

Every notebook's set-up cell is one call::

    session = open_session(corpus, figures_dir=figures_dir, language=language,
                           remove_stopwords=remove_stopwords, reduce=reduce, use_cache=use_cache)

and every analysis then takes ``session.settings`` (a :class:`~medialens.text.TextSettings`), so
all notebooks see the same tokens. :data:`SESSION_PARAMETERS` lists the common parameters; a
notebook that declares one declares it with the same name, type and default (a test checks this).

**One language per analysis.** The tokeniser, stopwords, negations and lexicon follow one language
(the ``language`` parameter, or the corpus definition's). In a corpus whose documents were
detected in several languages (``cleaning.detect_language``), ``session.corpus`` holds the
documents in that language and those whose language could not be decided (``"und"``: too short to
tell); the others are left out of the analyses and listed in ``session.left_out``;
``session.language_note`` says so in one sentence. ``session.loaded`` is the corpus as loaded (what
the corpus notebook describes). With detection off, the language column is the definition's
language, not evidence, and nothing is left out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from . import progress, validate
from .corpus import Corpus, document_cells, load_corpus, read_definition
from .corpus.overview import CELL_COLUMNS
from .frequency import TermCounts, bootstrap_log_ratio, count_terms
from .kernel import prepare
from .lab import figures_folder
from .paths import relative_to_root, resolve
from .plots import SavedFigure, save_figure
from .results import Result
from .tables import ShownTable, TableFolder, show, tables_folder
from .text import TextSettings, Tokenizer

__all__ = ["Session", "open_session", "load_with_engine", "SESSION_PARAMETERS", "LEFT_OUT_COLUMNS", "in_language"]

#: Columns of :attr:`Session.left_out`.
LEFT_OUT_COLUMNS = ["doc_id", "language", "outlet", "title"]

#: The language code of a document whose language could not be decided (kept in every analysis).
UNDETERMINED = "und"

#: The common notebook parameters :func:`open_session` takes, with their defaults.
SESSION_PARAMETERS = {
    "corpus": "corpus/seeds.yaml",
    "figures_dir": "figures/seeds",
    "tables_dir": "",
    "language": "auto",
    "remove_stopwords": True,
    "keep_negations": True,
    "reduce": "none",
    "random_state": 0,
    "use_cache": True,
}


@dataclass(frozen=True)
class Session:
    """What a notebook works with after its set-up cell.

    Attributes
    ----------
    corpus : Corpus
        The loaded corpus (documents, skip report, word table ...).
    settings : TextSettings
        The tokeniser settings every analysis takes as ``settings=``.
    tokenizer : Tokenizer
        A tokeniser with those settings.
    figures_dir : Path
        Where :meth:`save_figure` writes.
    random_state : int
        The seed for every random step.
    loaded : Corpus or None
        The corpus as loaded, every language included (``None``: the same as ``corpus``).
    left_out : DataFrame or None
        The documents of ``loaded`` in another language than ``settings.language``, left out of
        ``corpus``: :data:`LEFT_OUT_COLUMNS` (``None``: none).
    tables : TableFolder or None
        Where :meth:`show` writes full tables (None: nowhere).
    engine : SparkEngine or None
        The Spark engine when the corpus definition asks for it (``backend: {engine: spark}``;
        :mod:`medialens.spark.engine`): then ``corpus`` holds a seeded sample of the documents and
        :meth:`count_terms` counts them all in Spark. None: the in-memory engine.
    """

    corpus: Corpus
    settings: TextSettings
    tokenizer: Tokenizer
    figures_dir: Path
    random_state: int = 0
    loaded: Corpus | None = None
    left_out: pd.DataFrame | None = None
    tables: TableFolder | None = None
    engine: Any = None

    def engine_line(self, *, sample: str, spark: str = "") -> str:
        """One line saying which engine ran and which steps used a sample ("" on the in-memory engine,
        which reads every document).

        Parameters
        ----------
        sample : str
            The notebook's steps that read single documents (``"the concordance"``).
        spark : str
            What is computed in Spark from every document (``"term counts are made"``), or "".

        Returns
        -------
        str
        """
        return self.engine.line(sample=sample, spark=spark) if self.engine is not None else ""

    @property
    def corpus_line(self) -> str:
        """The corpus in one line: ``repr(corpus)``; on the Spark engine with the documents read
        there and the number sampled."""
        return self.engine.corpus_line if self.engine is not None else repr(self.corpus)

    @property
    def loaded_line(self) -> str:
        """The corpus as loaded in one line: ``repr(loaded)``; on the Spark engine as :attr:`corpus_line`."""
        return self.engine.corpus_line if self.engine is not None else repr(self.loaded if self.loaded is not None else self.corpus)

    def sample_line(self, what: str) -> str:
        """On the Spark engine one line saying that ``what`` uses the seeded sample, with its size and
        seed (:meth:`SparkEngine.sample_line <medialens.spark.engine.SparkEngine.sample_line>`); ""
        in memory, where every document is used."""
        return self.engine.sample_line(what) if self.engine is not None else ""

    def note_sample(self, what: str) -> None:
        """Print :meth:`sample_line` on the Spark engine; nothing in memory."""
        if self.engine is not None:
            print(self.sample_line(what))

    def summary(self) -> pd.DataFrame:
        """The totals of the corpus as loaded (:meth:`medialens.corpus.Corpus.summary`); on the Spark
        engine of every document read there, not of the sample."""
        if self.engine is not None:
            return self.engine.summary()
        return (self.loaded if self.loaded is not None else self.corpus).summary()

    def document_cells(self, columns=CELL_COLUMNS) -> pd.DataFrame:
        """Documents per combination of ``columns`` values in the corpus as loaded
        (:func:`medialens.corpus.document_cells`); on the Spark engine counted there over every
        document. ``columns`` and ``_documents``, sorted."""
        if self.engine is not None:
            return self.engine.document_cells(columns)
        return document_cells((self.loaded if self.loaded is not None else self.corpus).documents, columns)

    @property
    def n_documents(self) -> int:
        """Documents analysed: the corpus's, or on the Spark engine every document read there."""
        return self.engine.n_documents if self.engine is not None else len(self.corpus.documents)

    def count_terms(self, *, ngram_range=(1, 1), min_count: int = 1, keep_terms=(), group_by="outlet") -> TermCounts:
        """Count the corpus's terms once, for every table of a notebook.

        Parameters
        ----------
        ngram_range, min_count, keep_terms
            As :func:`medialens.frequency.count_terms`.
        group_by : str or list of str
            The columns tables will group by. In memory it is not used (one row per document);
            the Spark engine sums its counts per cell of these columns × month.

        Returns
        -------
        TermCounts
            In memory: one row per document, from the corpus word table. On the Spark engine: one
            row per cell, over every document read there (not only the sample in ``corpus``).
        """
        if self.engine is not None:
            return self.engine.count_terms(settings=self.settings, ngram_range=ngram_range, min_count=min_count,
                                           keep_terms=keep_terms, group_by=group_by)
        return count_terms(self.corpus.documents, settings=self.settings, ngram_range=ngram_range, min_count=min_count,
                           keep_terms=keep_terms, words=self.corpus.words)

    def bootstrap_log_ratio(self, counts: TermCounts, **options) -> Result:
        """:func:`medialens.frequency.bootstrap_log_ratio` of ``counts`` (the same arguments); on
        the Spark engine over the sample's documents (:meth:`SparkEngine.bootstrap_log_ratio
        <medialens.spark.engine.SparkEngine.bootstrap_log_ratio>`), with a note saying so."""
        if self.engine is not None:
            return self.engine.bootstrap_log_ratio(counts, **options)
        return bootstrap_log_ratio(counts, **options)

    @property
    def language_note(self) -> str:
        """One plain sentence (corpus text not included, only counts, codes and document ids):
        the analysis language, how many documents are analysed, and which documents were left
        out for being in another language."""
        docs = self.corpus.documents
        lang = self.settings.language
        counts = _language_counts(docs["language"]) if "language" in docs.columns else ""
        left = self.left_out if self.left_out is not None else pd.DataFrame(columns=LEFT_OUT_COLUMNS)
        if self.engine is not None:  # no detection on the Spark engine: nothing is left out
            return f"Analysis language {lang!r}: {self.n_documents:,} document(s) analysed; languages are not detected on the Spark engine."
        head = f"Analysis language {lang!r}: {len(docs):,} document(s) analysed"
        head += f" (language column: {counts})" if counts else ""
        if left.empty:
            return head + "; no document left out for its language."
        parts = []
        for code, group in left.groupby("language", sort=True):
            ids = group["doc_id"].astype(str).tolist()
            shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5:,} more" if len(ids) > 5 else "")
            parts.append(f"{code} {len(ids):,} ({shown})")
        return (
            f"{head}; {len(left):,} document(s) in another language left out: {'; '.join(parts)}. "
            "Run with that language (language: nl or en) to analyse them."
        )

    @property
    def documents(self) -> pd.DataFrame:
        """The corpus document table."""
        return self.corpus.documents

    def save_figure(self, fig: Figure, name: str) -> SavedFigure:
        """Write ``fig`` as ``<figures_dir>/<name>.png`` and ``.svg`` (see :func:`medialens.plots.save_figure`)."""
        return save_figure(fig, name, self.figures_dir)

    def show(self, table: pd.DataFrame, name: str | None = None, **options) -> ShownTable:
        """Display at most ``max_rows`` rows of ``table`` and write it whole as ``<name>.csv`` to the
        run's tables folder (see :func:`medialens.tables.show` for the options)."""
        return show(table, name, folder=self.tables, **options)

    def __repr__(self) -> str:
        return (
            f"Session({self.corpus.name!r}: {len(self.corpus.documents)} documents; {self.settings!r}; "
            f"figures in {relative_to_root(self.figures_dir)}; random_state={self.random_state})"
        )


def open_session(
    corpus: str | Path = SESSION_PARAMETERS["corpus"],
    *,
    figures_dir: str | Path = SESSION_PARAMETERS["figures_dir"],
    tables_dir: str | Path = SESSION_PARAMETERS["tables_dir"],
    language: str = SESSION_PARAMETERS["language"],
    remove_stopwords: bool = SESSION_PARAMETERS["remove_stopwords"],
    keep_negations: bool = SESSION_PARAMETERS["keep_negations"],
    reduce: str = SESSION_PARAMETERS["reduce"],
    random_state: int = SESSION_PARAMETERS["random_state"],
    use_cache: bool = SESSION_PARAMETERS["use_cache"],
) -> Session:
    """Load the corpus and build the text settings from a notebook's common parameters.

    Parameters
    ----------
    corpus : str or Path
        The corpus definition (YAML), relative to the project root.
    figures_dir : str or Path
        Folder for figures, relative to the project root. In an interactive kernel (JupyterLab)
        the figures go to the same place under ``work/`` (:func:`medialens.lab.figures_folder`):
        only report runs and ``make store`` write the tracked figures.
    tables_dir : str or Path
        Folder for full tables (CSV), relative to the project root (a report run passes
        ``reports/<corpus>/tables``), or ``""`` for ``tables/<corpus>/`` (ignored by git); see
        :func:`medialens.tables.tables_folder`.
    language : str
        ``"nl"``, ``"en"`` or ``"auto"`` for the corpus definition's language.
    remove_stopwords, keep_negations : bool
        Drop the language's stopwords; keep negations (niet, geen ...) although they are stopwords.
    reduce : str
        ``"none"``, ``"lemma"`` or ``"stem"``.
    random_state : int
        Seed for every random step of the notebook (>= 0).
    use_cache : bool
        Reuse the cached corpus when the input files and settings are unchanged.

    Returns
    -------
    Session
        Raises ``ValueError`` naming the parameter when one is not usable. Opening a session also
        sets up the kernel (:func:`medialens.kernel.prepare`: threads, warnings, working folder).
    """
    prepare()
    if not isinstance(corpus, str | Path) or not str(corpus):
        raise ValueError(f"corpus = {corpus!r}: give the path of a corpus definition (YAML)")
    if not isinstance(figures_dir, str | Path) or not str(figures_dir):
        raise ValueError(f"figures_dir = {figures_dir!r}: give a folder for the figures")
    if not isinstance(tables_dir, str | Path):
        raise ValueError(f"tables_dir = {tables_dir!r}: give a folder for the tables, or '' for tables/<corpus>/")
    validate.choice(language, "language", ("auto", "nl", "en"))
    validate.flag(remove_stopwords, "remove_stopwords")
    validate.flag(keep_negations, "keep_negations")
    validate.choice(reduce, "reduce", ("none", "lemma", "stem"))
    random_state = validate.whole_number(random_state, "random_state", minimum=0)
    validate.flag(use_cache, "use_cache")
    loaded, engine = load_with_engine(corpus, use_cache=use_cache, random_state=random_state)
    settings = TextSettings.for_corpus(
        loaded.definition.language,
        language=language,
        remove_stopwords=remove_stopwords,
        keep_negations=keep_negations,
        reduce=reduce,
    )
    analysed, left_out = in_language(loaded, settings.language)
    tables = tables_folder(tables_dir, loaded.name)
    return Session(
        analysed, settings, Tokenizer(settings), figures_folder(resolve(figures_dir)), random_state, loaded, left_out, tables,
        engine,
    )


def load_with_engine(corpus: str | Path, *, use_cache: bool = True, random_state: int = 0) -> tuple[Corpus, Any]:
    """Load a corpus with the engine its definition names (``backend:``).

    Parameters
    ----------
    corpus : str or Path
        The corpus definition (YAML), relative to the project root.
    use_cache : bool
        Reuse the cached corpus (in-memory engine).
    random_state : int
        The seed of the Spark engine's sample.

    Returns
    -------
    (Corpus, SparkEngine or None)
        In memory: the whole corpus and None. On Spark: the seeded sample of documents (the whole
        corpus's skip report) and the running engine (:mod:`medialens.spark.engine`; stop it with
        ``engine.stop()`` when done, or let the process end). Raises ``ValueError`` (one line)
        when the definition asks for Spark and pyspark is not installed.
    """
    definition = read_definition(resolve(corpus))
    if definition.backend["engine"] == "spark":  # imported here: the default install has no pyspark
        from .spark.engine import open_engine

        try:
            engine = open_engine(definition, random_state=random_state)
        except ImportError as exc:  # the extra is not installed: its one-line message, no traceback
            raise ValueError(f"corpus = {str(corpus)!r}: {exc}") from None
        return engine.sample, engine
    return load_corpus(definition, use_cache=use_cache, progress=progress.interactive()), None  # a bar in JupyterLab only


def in_language(corpus: Corpus, language: str) -> tuple[Corpus, pd.DataFrame]:
    """The documents of ``corpus`` an analysis in ``language`` uses, and those it leaves out.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    language : str
        The analysis language (``"nl"``, ``"en"``).

    Returns
    -------
    (Corpus, DataFrame)
        The corpus restricted to documents whose ``language`` is ``language`` or ``"und"``
        (``corpus`` itself when nothing is left out), and the left-out documents
        (:data:`LEFT_OUT_COLUMNS`, sorted by language and id). With
        ``cleaning.detect_language`` off nothing is left out. Raises ``ValueError`` naming
        ``language`` when no document would be left.
    """
    docs = corpus.documents
    empty = pd.DataFrame(columns=LEFT_OUT_COLUMNS)
    if not corpus.definition.cleaning.get("detect_language", False) or "language" not in docs.columns or docs.empty:
        return corpus, empty
    keep = docs["language"].isin([language, UNDETERMINED]).to_numpy()
    if keep.all():
        return corpus, empty
    if not keep.any():
        raise ValueError(
            f"language = {language!r}: none of the {len(docs):,} documents of {corpus.name!r} is in {language!r} "
            f"(language column: {_language_counts(docs['language'])}); set language to one of theirs, or the corpus "
            f"definition's language: to theirs ('auto' takes {corpus.definition.language!r} from there)"
        )
    left = docs.loc[~keep, [c for c in LEFT_OUT_COLUMNS if c in docs.columns]].reindex(columns=LEFT_OUT_COLUMNS)
    left = left.sort_values(["language", "doc_id"], kind="stable").reset_index(drop=True)
    kept = docs.loc[keep].reset_index(drop=True)
    words = corpus.words.select(kept["doc_id"].tolist()) if corpus.words is not None else None
    subset = dataclasses.replace(corpus, documents=kept, words=words, _paragraphs=None, _sentences=None)
    return subset, left


def _language_counts(languages: pd.Series) -> str:
    """``"nl 4, und 1"``: documents per language code, most frequent first."""
    counts = languages.fillna(UNDETERMINED).astype(str).value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    return ", ".join(f"{code} {n:,}" for code, n in counts.items())
