"""One analysis context per notebook: the loaded corpus, the text settings, the tokeniser, the
figure saver and the table shower, opened once from the notebook's common parameters.

Every notebook's set-up cell is one call::

    session = open_session(corpus, figures_dir=figures_dir, language=language,
                           remove_stopwords=remove_stopwords, reduce=reduce, use_cache=use_cache)

and every analysis then takes ``session.settings`` (a :class:`~medialens.text.TextSettings`), so
all notebooks see the same tokens. :data:`SESSION_PARAMETERS` lists the common parameters; a
notebook that declares one declares it with the same name, type and default (a test checks this).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from . import validate
from .corpus import Corpus, load_corpus
from .paths import relative_to_root, resolve
from .plots import SavedFigure, save_figure
from .tables import ShownTable, TableFolder, show, tables_folder
from .text import TextSettings, Tokenizer

__all__ = ["Session", "open_session", "SESSION_PARAMETERS"]

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
    tables : TableFolder or None
        Where :meth:`show` writes full tables (None: nowhere).
    """

    corpus: Corpus
    settings: TextSettings
    tokenizer: Tokenizer
    figures_dir: Path
    random_state: int = 0
    tables: TableFolder | None = None

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
        Folder for figures, relative to the project root.
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
        Raises ``ValueError`` naming the parameter when one is not usable.
    """
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
    loaded = load_corpus(resolve(corpus), use_cache=use_cache)
    settings = TextSettings.for_corpus(
        loaded.definition.language,
        language=language,
        remove_stopwords=remove_stopwords,
        keep_negations=keep_negations,
        reduce=reduce,
    )
    tables = tables_folder(tables_dir, loaded.name)
    return Session(loaded, settings, Tokenizer(settings), resolve(figures_dir), random_state, tables)
