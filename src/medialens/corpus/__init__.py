"""Read a corpus definition, load every input, lose nothing.

A corpus definition is a small YAML file (``corpus/seeds.yaml`` for the embedded seeds)::

    name: seeds                      # used for report and cache names
    language: nl                     # expected language (ISO 639-1)
    source:
      path: ../seeds                 # relative to this YAML file
      format: txt                    # txt | csv | jsonl
      pattern: "*.txt"               # for folders
      encoding: utf-8                # decoded strictly; declare cp1252 for Windows exports
      duplicate_ids: first           # first | error | suffix (a repeated id: skipped, fatal, or id~2)
    fields: {id: id, text: text, date: date, outlet: outlet, title: title}   # csv / jsonl
    metadata: {path: meta.csv, key: doc_id}      # optional labels file (csv or jsonl) joined on a key
    documents: {<doc_id>: {outlet: ..., ...}}   # optional per-document metadata inline
    cleaning: {boilerplate: true, html: auto, max_doc_bytes: 5000000, near_duplicate_threshold: 0.8,
               duplicates_within_outlet: drop, duplicates_across_outlets: flag}

Fields. A ``fields`` entry for ``date``, ``outlet`` or ``title`` names a key of the records or a
column of the labels file (the records' value wins, the labels file fills where a record has none;
in ``.txt`` sources these come from header lines, so an entry there must name a labels column). An
entry that neither the records nor the labels file has stops loading with an error naming the
field, the file and the keys it does have. Other record keys become columns of their own; one named
like a column the loader sets (``source``, ``language``, ``_id``, ...) is kept as ``record_<key>``
and noted (``renamed_column``).

Metadata. A labels file (``metadata.path``; CSV or JSONL by its extension ``.csv``, ``.jsonl``,
``.ndjson`` or a declared ``metadata.format``; ``metadata.encoding`` defaults to the source's) and
inline ``documents:`` may set ``outlet``, ``date``, ``title`` and columns of their own, never a
column the loader sets (:data:`RESERVED_COLUMNS` and names starting with ``_``). Inline values
replace the record's; the labels file fills only what the document does not say, and a value that
differs from the document's own is noted (``metadata_conflict``). A date from metadata is checked
like any date: inline (a YAML date object too) when the definition is read, from a labels file by
``cleaning.bad_date``. A labels key that repeats: the first row is used and the others noted
(an error under ``duplicate_ids: error``; paired by occurrence under ``suffix``, below).

Repeated ids (``source.duplicate_ids``). ``first`` keeps the first record and skips the others
(``duplicate_id``); ``error`` stops loading; ``suffix`` keeps every record, the n-th occurrence of
id X as ``X~n``, and pairs a labels file whose key X repeats by occurrence (its n-th row labels
``X~n``, as a line-by-line pairing would; a key given once labels every occurrence); labels that
differ for one key are noted (``metadata_conflict``), as is a count that does not match.

Exact copies (the same text once case and white space are ignored). Each document is compared
with the first earlier one (in input order: files in sorted path order, then lines) with the same text: in its own outlet by
``cleaning.duplicates_within_outlet`` (default ``drop``: skipped as ``duplicate``), otherwise in
another outlet by ``cleaning.duplicates_across_outlets`` (default ``flag``: kept, with ``copy_of``
naming the kept document, because each outlet chose to print it); ``keep`` leaves it unmarked.
Documents without an outlet are one group. Skips and ``copy`` notes name both documents with their
outlet and labels. Near-duplicates are only flagged (``near_duplicate_of``, :mod:`medialens.dedup`).

``.txt`` files may start with header lines ``date YYYY-MM[-DD]``, ``title …`` and ``outlet …``;
what happens to a repeated, empty, over-long or misplaced header line is set out in
:func:`_split_txt_headers` (each case is kept out of the body or kept in it on purpose, with a
note). CSV and JSONL files are streamed by :mod:`medialens.records`: a bad byte costs one line or
record, a broken CSV quote never lets the lines of a quoted field be read as rows.

:func:`load_corpus` returns a :class:`Corpus`: one document table plus the skip report, the
cleaning log and the input totals, so that ``processed + skipped == inputs`` can be checked, and
the word table (every document split into words once, :class:`medialens.tokens.WordTable`).
Results are cached on disk under a key made from the inputs' bytes and every setting.

The package by job: ``definition``, ``table``, ``cleaning``, ``readers``, ``labels``, ``cache``, ``load``, ``overview``.
"""

from __future__ import annotations

from .cache import cache_file_for
from .definition import (
    BOILERPLATE_KINDS,
    DOC_COLUMNS,
    DUPLICATE_ID_POLICIES,
    FORMATS,
    LABEL_FORMATS,
    NOTE_COLUMNS,
    REMOVAL_COLUMNS,
    RESERVED_COLUMNS,
    SKIP_COLUMNS,
    SKIP_REASONS,
    CorpusDefinition,
    CorpusError,
    read_definition,
)
from .load import load_corpus
from .overview import (
    REPEATED_MIN_DOCUMENTS,
    REPEATED_MIN_OUTLET_SHARE,
    counts_by,
    document_cells,
    escape,
    house_style_markers,
    preview,
    removals_summary,
    repeated_paragraphs,
    structure_counts,
    token_stats,
)
from .table import Corpus, summary_table

__all__ = [
    "CorpusDefinition",
    "CorpusError",
    "Corpus",
    "load_corpus",
    "read_definition",
    "house_style_markers",
    "SKIP_REASONS",
    "FORMATS",
    "DOC_COLUMNS",
    "SKIP_COLUMNS",
    "NOTE_COLUMNS",
    "REMOVAL_COLUMNS",
    "BOILERPLATE_KINDS",
    "DUPLICATE_ID_POLICIES",
    "RESERVED_COLUMNS",
    "LABEL_FORMATS",
    "cache_file_for",
    "escape",
    "counts_by",
    "document_cells",
    "token_stats",
    "REPEATED_MIN_DOCUMENTS",
    "REPEATED_MIN_OUTLET_SHARE",
    "removals_summary",
    "repeated_paragraphs",
    "structure_counts",
    "preview",
    "summary_table",
]
