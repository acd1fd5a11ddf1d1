"""The loaded corpus (:class:`Corpus`) and the log of skips and notes that loading keeps."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..text import paragraph_table, sentence_table
from ..tokens import WordTable
from .definition import BOILERPLATE_KINDS, SKIP_REASONS, CorpusDefinition


def flagged_copies(documents: pd.DataFrame) -> pd.Series:
    """Per document: is it flagged as an exact copy (``copy_of``) or a near-duplicate
    (``near_duplicate_of``) of another? They are kept in every analysis; this is the one rule for
    counting them (the corpus line, notebook 00's repeated paragraphs, the copies finding)."""
    flagged = pd.Series(False, index=documents.index)
    for col in ("copy_of", "near_duplicate_of"):
        if col in documents.columns:
            flagged |= documents[col].notna()
    return flagged


@dataclass
class Corpus:
    """A loaded corpus.

    Attributes
    ----------
    documents : DataFrame
        One row per document kept: ``doc_id, source, line, outlet, date, month, title, text,
        language, n_chars, n_paragraphs, content_hash, copy_of, near_duplicate_of`` plus metadata
        columns (``copy_of``: the kept document with the same text in another outlet, when flagged).
    skipped : DataFrame
        One row per input (file, row or line) not in ``documents``: ``source, line, reason,
        detail, doc_id``.
    removals : DataFrame
        What cleaning removed: ``doc_id, kind, paragraph, chars, excerpt``.
    notes : DataFrame
        Things worth knowing that did not cost a document (BOM stripped, date missing, ...).
    inputs : DataFrame
        Per input file: ``source, format, records, kept, skipped``.
    words : WordTable
        Every document's words, split once while loading, in the order of ``documents``
        (:class:`medialens.tokens.WordTable`; ``words.tokens(settings)`` gives each document's
        tokens, the same as ``Tokenizer(settings)(text)``).
    key : str or None
        The cache key: a hash of every input's bytes, every setting and the loader's code
        (``None`` when loaded with ``use_cache=False``, which neither reads nor writes the cache).
    """

    name: str
    definition: CorpusDefinition
    documents: pd.DataFrame
    skipped: pd.DataFrame
    removals: pd.DataFrame
    notes: pd.DataFrame
    inputs: pd.DataFrame
    key: str | None
    words: WordTable | None = None
    from_cache: bool = False
    _paragraphs: pd.DataFrame | None = None
    _sentences: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.documents)

    def __repr__(self) -> str:
        # flagged copies stay in every analysis: each notebook's corpus line says how many there are
        docs = self.documents
        flagged = int(flagged_copies(docs).sum())
        copies = f" ({flagged} flagged as a copy or near-duplicate of another, kept)" if flagged else ""
        return (
            f"<Corpus {self.name!r}: {len(docs)} documents{copies}, "
            f"{len(self.skipped)} skipped, from {len(self.inputs)} input file(s)>"
        )

    def summary(self) -> pd.DataFrame:
        """Totals that must add up: inputs = kept + skipped (:func:`summary_table`)."""
        return summary_table(
            input_files=len(self.inputs), input_records=int(self.inputs["records"].sum()), kept=len(self.documents),
            skipped=len(self.skipped), undated=int(self.documents["date"].isna().sum()),
            copies=int(self.documents["copy_of"].notna().sum()),
            # disjoint from the exact copies (which are near-duplicates too): the two rows add up
            near_duplicates=int((self.documents["near_duplicate_of"].notna() & self.documents["copy_of"].isna()).sum()),
            removals=boilerplate_removals(self.removals),
        )

    def paragraphs(self) -> pd.DataFrame:
        """One row per paragraph: ``doc_id, paragraph (1-based), kind (heading|body), text``."""
        if self._paragraphs is None:
            self._paragraphs = paragraph_table(self.documents)
        return self._paragraphs

    def sentences(self) -> pd.DataFrame:
        """One row per sentence: ``doc_id, paragraph, sentence (1-based within the document),
        text``. Headings are single sentences."""
        if self._sentences is None:
            self._sentences = sentence_table(self.paragraphs())
        return self._sentences


def summary_table(*, input_files: int, input_records: int, kept: int, skipped: int, undated: int, copies: int,
                  near_duplicates: int, removals: int) -> pd.DataFrame:
    """The corpus totals as one ``count`` column indexed by ``what`` (:meth:`Corpus.summary`, and the
    Spark engine's totals of every document read there).

    Parameters
    ----------
    input_files, input_records, kept, skipped : int
        Input files and records, documents kept and records skipped (records = kept + skipped).
    undated, copies, near_duplicates, removals : int
        Documents without a date, exact copies and near duplicates flagged (those that are not exact
        copies: the two counts add up), boilerplate removals
        (:func:`boilerplate_removals`: captions, teasers, pull quotes; not HTML or character clean-ups).

    Returns
    -------
    DataFrame
    """
    values = [input_files, input_records, kept, skipped, undated, copies, near_duplicates, removals]
    return pd.DataFrame(
        {"count": [int(v) for v in values]},
        index=pd.Index(
            [
                "input files", "input records", "documents kept", "records skipped",
                "documents without date", "exact copies flagged", "near-duplicates flagged (besides exact copies)",
                "boilerplate removals",
            ],
            name="what",
        ),
    )


def boilerplate_removals(removals: pd.DataFrame) -> int:
    """The rows of ``removals`` (``Corpus.removals``) that removed boilerplate
    (:data:`~medialens.corpus.definition.BOILERPLATE_KINDS`), not the clean-ups of HTML or characters."""
    return int(removals["kind"].isin(BOILERPLATE_KINDS).sum()) if len(removals) else 0


class _Log:
    """Collects documents, skips, notes and removals while reading."""

    def __init__(self) -> None:
        self.docs: list[dict] = []
        self.skipped: list[tuple] = []
        self.notes: list[tuple] = []
        self.removals: list[tuple] = []
        self.inputs: list[dict] = []

    def skip(self, source: str, line: int | None, reason: str, detail: str, doc_id: str | None = None) -> None:
        assert reason in SKIP_REASONS, reason
        self.skipped.append((source, line, reason, detail, doc_id))

    def note(self, source: str, line: int | None, kind: str, detail: str, doc_id: str | None = None) -> None:
        self.notes.append((source, line, kind, detail, doc_id))
