"""Term frequencies: counts, keyness, trends over time, keyword-in-context and dispersion.

Everything starts from one document-term count built once with the shared tokeniser
(:func:`count_terms`); every other function reads that :class:`TermCounts` and returns a tidy
DataFrame. Notes about the data (a followed term that never occurs, a group with one document,
``top_n`` larger than a group's vocabulary ...) are returned as the ``notes`` of a
:class:`medialens.results.Result` (a tuple of plain sentences) beside its ``table``, so a notebook
can show them; nothing is printed.

Definitions:

- **Tokens.** Words after the tokeniser's filters (stopwords, numbers, short words) and optional
  lemma/stem reduction. **N-grams are built on this filtered token stream within each sentence**
  (:mod:`medialens.counting`), so the bigram ``buitenlandse zaken`` can span a removed stopword,
  but no word pair spans a sentence end, a paragraph break or two documents.
- **Relative frequency** of an n-gram of order ``n`` in a group = count / number of n-grams of
  order ``n`` in the group × 1,000. For unigrams the denominator is the group's token total.
- **Keyness** of term w for a target group t against a reference r uses the 2×2 table
  a = count of w in t, b = count in r, c = total of t − a, d = total of r − b (totals of the term's
  n-gram order). Chi-square and G² are signed: positive when a is above its expected value
  (the term is over-represented in the target). G² is the four-cell statistic (quanteda, scipy);
  the two-cell log-likelihood of the UCREL calculator is an option. The corrections and their
  relation to quanteda, scipy and R are described in :mod:`medialens.frequency.contingency`.
- **Documents behind a key term.** ``docs_target`` counts the target's documents that hold the
  term; ``min_docs`` (default 2 for a side of 5 or more documents) drops terms that only one
  article makes key.

The package by job: ``counts`` (the count and top terms per group), ``contingency`` (2×2 statistics),
``comparison`` (keyness), ``over_time`` (trends), ``concordance`` (keyword in context, dispersion).
"""

from __future__ import annotations

from .comparison import (
    KEY_COLUMNS,
    WORDFREQ_FLOOR,
    bootstrap_log_ratio,
    keyness,
    keyness_grid,
    min_docs_default,
    reference_keyness,
)
from .concordance import KWIC_COLUMNS, Concordance, Dispersion, dispersion, kwic
from .contingency import (
    CORRECTIONS,
    LOG_LIKELIHOODS,
    chi2_signed,
    g2_signed,
    ll_two_cell,
    log_ratio,
    williams_q,
)
from .counts import (
    FREQ_COLUMNS,
    TermCounts,
    TermIndex,
    count_table,
    count_terms,
    export_threshold,
    group_sizes,
    largest_group,
    normalise_term,
    term_frequencies,
)
from .over_time import TREND_COLUMNS, Trends, trends

__all__ = [
    "TermCounts",
    "TermIndex",
    "Trends",
    "Concordance",
    "Dispersion",
    "count_terms",
    "group_sizes",
    "largest_group",
    "term_frequencies",
    "count_table",
    "export_threshold",
    "keyness",
    "keyness_grid",
    "bootstrap_log_ratio",
    "chi2_signed",
    "g2_signed",
    "ll_two_cell",
    "williams_q",
    "min_docs_default",
    "log_ratio",
    "reference_keyness",
    "trends",
    "kwic",
    "dispersion",
    "CORRECTIONS",
    "LOG_LIKELIHOODS",
    "normalise_term",
    "FREQ_COLUMNS",
    "KEY_COLUMNS",
    "TREND_COLUMNS",
    "KWIC_COLUMNS",
    "WORDFREQ_FLOOR",
]
