"""Words that separate two groups: the log-odds ratio with an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008), and the units it compares (documents by a document column, quotes
by speaker, or only the contexts of one target).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import validate
from .counting import count_ngrams, word_table
from .grouping import group_column, group_labels, largest_group
from .text import TextSettings
from .tokens import WordTable

__all__ = [
    "term_counts",
    "log_odds_dirichlet",
    "log_odds_groups",
    "comparison_units",
    "choose_groups",
    "target_contexts",
]


# --------------------------------------------------------------------------------------------
# Counts: the one counting path
# --------------------------------------------------------------------------------------------
def _check_settings(settings: TextSettings | None) -> TextSettings:
    return validate.instance(settings, "settings", TextSettings, "a TextSettings") if settings is not None else TextSettings()


def _unit_counts(texts, settings: TextSettings, *, doc_ids=None, words: WordTable | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Texts × tokens counts and the tokens, from the corpus word table
    (:func:`medialens.counting.word_table`, :func:`medialens.counting.count_ngrams`)."""
    texts = list(texts)
    ids = [str(i) for i in range(len(texts))] if doc_ids is None else list(doc_ids)
    counted = count_ngrams(word_table(ids, texts, words=words), settings, (1, 1))
    return counted.matrix, counted.names()


def term_counts(texts, *, settings: TextSettings | None = None, doc_ids=None, words: WordTable | None = None) -> pd.Series:
    """How often each token occurs in ``texts`` altogether, counted as :func:`medialens.frequency.count_terms`
    counts (the corpus word table and :mod:`medialens.counting`).

    Parameters
    ----------
    texts : sequence of str
        The texts (documents, quotes, target contexts).
    settings : TextSettings, optional
        Tokeniser settings (default ``TextSettings()``).
    doc_ids, words : optional
        The texts' document ids and the corpus word table (``Corpus.words``): whole documents are
        then not split again (the same counts).

    Returns
    -------
    Series
        Token -> count (int64), tokens sorted; tokens that do not occur are absent.
    """
    matrix, names = _unit_counts(texts, _check_settings(settings), doc_ids=doc_ids, words=words)
    total = np.asarray(matrix.sum(axis=0)).ravel().astype(np.int64)
    return pd.Series(total, index=pd.Index(names.astype(str), name="term"), name="count").sort_index()


# --------------------------------------------------------------------------------------------
# Log-odds ratio with informative Dirichlet prior
# --------------------------------------------------------------------------------------------
def log_odds_dirichlet(
    counts_i: dict | pd.Series,
    counts_j: dict | pd.Series,
    *,
    prior: str | dict | pd.Series = "pooled",
    alpha0: float = 10.0,
    variance: str = "mcq",
) -> pd.DataFrame:
    """Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    δ_w = ln((y_w^i + α_w) / (n^i + α_0 − y_w^i − α_w)) − ln((y_w^j + α_w) / (n^j + α_0 − y_w^j − α_w))

    Parameters
    ----------
    counts_i, counts_j : mapping term -> count
        Term counts of group i (positive z: more typical of i) and group j.
    prior : "pooled" | "tidylo" | mapping
        ``"pooled"``: α_w = α_0 × the term's share of the pooled counts (scattertext's
        ``scale_type='word'``: the priors sum to α_0). ``"tidylo"``: α_w = the term's pooled count
        (α_0 = all tokens). A mapping term -> background count: α_w = α_0 × its share of the
        background (terms missing from it get the smallest background count).
    alpha0 : float
        Prior strength for ``"pooled"``/background priors (default 10, scattertext's σ).
    variance : "mcq" | "scattertext"
        ``"mcq"``: σ² = 1/(y_w^i + α_w) + 1/(y_w^j + α_w) (the paper's approximation, default).
        ``"scattertext"`` adds 1/(n^i + α_0 − y_w^i − α_w) + 1/(n^j + α_0 − y_w^j − α_w).

    Returns
    -------
    DataFrame
        ``term, count_i, count_j, count, alpha, delta, var, z`` sorted by z (descending), then term.
    """
    validate.choice(variance, "variance", ("mcq", "scattertext"))
    validate.number(alpha0, "alpha0", above=0)
    yi, yj = pd.Series(dict(counts_i), dtype=float), pd.Series(dict(counts_j), dtype=float)
    terms = sorted(set(yi.index) | set(yj.index))
    if not terms:
        raise ValueError("counts_i, counts_j: both groups are empty; no terms to compare")
    yi, yj = yi.reindex(terms, fill_value=0.0), yj.reindex(terms, fill_value=0.0)
    if (yi < 0).any() or (yj < 0).any():
        raise ValueError("counts_i, counts_j: counts must be >= 0")
    if yi.sum() == 0 or yj.sum() == 0:
        which = "counts_i" if yi.sum() == 0 else "counts_j"
        raise ValueError(f"{which}: this group has no tokens; nothing to compare")
    pooled = yi + yj
    if isinstance(prior, str):
        if prior == "pooled":
            a = alpha0 * pooled / pooled.sum()
        elif prior == "tidylo":
            a = pooled.copy()
        else:
            raise ValueError(f"prior = {prior!r}: use 'pooled', 'tidylo' or a mapping of background counts")
    else:
        bg = pd.Series(dict(prior), dtype=float)
        if bg.empty or (bg <= 0).all():
            raise ValueError("prior: the background counts are empty")
        floor = bg[bg > 0].min()
        bg = bg.reindex(terms).fillna(floor).clip(lower=floor)
        a = alpha0 * bg / bg.sum()
    a0 = a.sum()
    ni, nj = yi.sum(), yj.sum()
    delta = np.log((yi + a) / (ni + a0 - yi - a)) - np.log((yj + a) / (nj + a0 - yj - a))
    var = 1.0 / (yi + a) + 1.0 / (yj + a)
    if variance == "scattertext":
        var = var + 1.0 / (ni + a0 - yi - a) + 1.0 / (nj + a0 - yj - a)
    out = pd.DataFrame(
        {"term": terms, "count_i": yi.to_numpy().astype(int), "count_j": yj.to_numpy().astype(int),
         "count": pooled.to_numpy().astype(int), "alpha": a.to_numpy(), "delta": delta.to_numpy(),
         "var": var.to_numpy()}
    )
    out["z"] = out["delta"] / np.sqrt(out["var"])
    return out.sort_values(["z", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


def log_odds_groups(
    documents: pd.DataFrame,
    *,
    group_by: str,
    group: str,
    reference: str | None = None,
    settings: TextSettings | None = None,
    texts: pd.Series | None = None,
    words: WordTable | None = None,
    **kwargs,
) -> pd.DataFrame:
    """:func:`log_odds_dirichlet` for one group against another (``reference``) or the rest.

    Parameters
    ----------
    documents : DataFrame
        The units compared (``doc_id``, ``text`` and ``group_by``), e.g. from :func:`comparison_units`.
    group_by, group, reference : str
        The group column, the group compared, and the group it is compared with (``None``: the rest).
    settings : TextSettings, optional
        Tokeniser settings (default ``TextSettings()``). Tokens are counted as
        :func:`medialens.frequency.count_terms` counts them, so a group's counts here equal
        ``count_terms`` of its documents.
    texts : Series, optional
        Aligned with ``documents``: replaces the texts (e.g. with the target contexts only).
    words : WordTable, optional
        The corpus word table (``Corpus.words``): when the units are the corpus documents
        themselves, their words are not split again (the same counts).
    **kwargs
        Passed to :func:`log_odds_dirichlet`.

    Returns
    -------
    DataFrame
        :func:`log_odds_dirichlet`'s table with a first column ``comparison`` (``"A vs B"``).
    """
    settings = _check_settings(settings)
    labels = group_labels(documents, group_by)
    known = sorted(set(labels))
    if group not in known:
        raise ValueError(f"group = {group!r}: not a value of {group_by!r}; values: {known}")
    if reference is not None and reference not in known:
        raise ValueError(f"reference = {reference!r}: not a value of {group_by!r}; values: {known}")
    if reference == group:
        raise ValueError(f"reference = {reference!r}: compare group {group!r} with another group, not itself")
    src = documents["text"] if texts is None else texts
    doc_ids = documents["doc_id"].astype(str).tolist() if "doc_id" in documents.columns else None
    matrix, names = _unit_counts(list(src), settings, doc_ids=doc_ids, words=words)
    mask_i = (labels == group).to_numpy()
    mask_j = (labels == reference).to_numpy() if reference is not None else ~mask_i
    index = names.astype(str)
    ci = pd.Series(np.asarray(matrix[mask_i].sum(axis=0)).ravel(), index=index)
    cj = pd.Series(np.asarray(matrix[mask_j].sum(axis=0)).ravel(), index=index)
    ci, cj = ci[ci > 0], cj[cj > 0]  # a term occurs in the comparison only where it occurs
    ref_name = reference if reference is not None else "rest"
    if ci.sum() == 0 or cj.sum() == 0:
        empty = group if ci.sum() == 0 else ref_name
        which = "group" if ci.sum() == 0 else "reference"
        raise ValueError(f"{which} = {empty!r}: has no tokens here; nothing to compare")
    out = log_odds_dirichlet(ci, cj, **kwargs)
    out.insert(0, "comparison", f"{group} vs {ref_name}")
    return out


# --------------------------------------------------------------------------------------------
# The units compared
# --------------------------------------------------------------------------------------------
def comparison_units(documents: pd.DataFrame, quotes: pd.DataFrame | None = None, *, group_by: str) -> pd.DataFrame:
    """The texts a log-odds comparison counts, with their group.

    Parameters
    ----------
    documents : DataFrame
        The corpus documents (``doc_id``, ``text`` and the column ``group_by``).
    quotes : DataFrame, optional
        From :func:`medialens.quotes.extract_quotes`; needed when ``group_by = "speaker"``.
    group_by : str
        ``"speaker"``: the units are the direct and indirect quotes (nested quotes are inside their
        outer quote already), grouped by speaker. An indirect quote is its whole sentence, with the
        attribution (``Stoltenberg zei dat ...``): the words of the speaker's own name are removed
        from it, or the name would top the list of "distinctive" words of every speaker. Titles
        (``Navo-topman``) and speech verbs stay. Otherwise the units are whole documents grouped
        by that document column, missing values as the group ``(missing)``.

    Returns
    -------
    DataFrame
        ``doc_id, <group_by>, text``, one row per quote or document, in corpus order.
    """
    group_column(documents, group_by=group_by)
    if group_by == "speaker":
        if quotes is None:
            raise ValueError("quotes: group_by = 'speaker' compares quoted speakers; pass the quotes table")
        q = quotes[quotes["kind"].isin(["direct", "indirect"])]
        texts = [_drop_name(t, sp) if kind == "indirect" else t for t, sp, kind in zip(q["text"], q["speaker"], q["kind"], strict=True)]
        return pd.DataFrame({"doc_id": q["doc_id"].to_numpy(), "speaker": q["speaker"].to_numpy(), "text": texts})
    return pd.DataFrame(
        {"doc_id": documents["doc_id"].astype(str).to_numpy(), group_by: group_labels(documents, group_by).to_numpy(),
         "text": documents["text"].to_numpy()}
    )


def _drop_name(text: str, speaker: str) -> str:
    """``text`` without the words of ``speaker`` (whole words, any case)."""
    words = [w for w in re.findall(r"\w+", str(speaker)) if len(w) > 1 and not w.islower()]
    if not words or not isinstance(text, str):
        return text
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + r")(?:['’]s)?(?![\w-])", re.IGNORECASE)
    return re.sub(r"\s{2,}", " ", pattern.sub("", text)).strip()


def choose_groups(units: pd.DataFrame, *, group_by: str, group: str = "", reference: str = "") -> tuple[str, str | None]:
    """Which groups a log-odds comparison sets against each other.

    Parameters
    ----------
    units : DataFrame
        From :func:`comparison_units`.
    group_by : str
        The group column of ``units``.
    group : str
        The group compared; ``""``: the largest group (most units; ties by name) other than
        ``reference`` and, unless it is the only one, other than ``(missing)``
        (:func:`medialens.grouping.largest_group`).
    reference : str
        The group it is compared with; ``""``: all other units ("the rest").

    Returns
    -------
    (group, reference)
        ``reference`` is ``None`` for "the rest".
    """
    if group_by not in units.columns:
        raise ValueError(f"group_by = {group_by!r}: not a column of the units; columns: {list(units.columns)}")
    for name, value in (("group", group), ("reference", reference)):
        if not isinstance(value, str):
            raise ValueError(f"{name} = {value!r}: give a group name, or \"\" (see the docstring)")
    sizes = group_labels(units, group_by).value_counts()
    known = sorted(sizes.index)
    if not known:
        raise ValueError(f"group_by = {group_by!r}: there are no units to compare (no {'quotes' if group_by == 'speaker' else 'documents'})")
    for name, value in (("group", group), ("reference", reference)):
        if value and value not in sizes.index:
            raise ValueError(f"{name} = {value!r}: not a value of {group_by!r}; values: {known}")
    if group and group == reference:
        raise ValueError(f"reference = {reference!r}: compare group {group!r} with another group, not itself")
    if len(known) < 2:
        raise ValueError(f"group_by = {group_by!r}: has only the group {known}; nothing to compare with")
    if not group:
        group = largest_group(sizes, exclude=reference or None)
    return str(group), (reference or None)


def target_contexts(units: pd.DataFrame, mentions: pd.DataFrame, *, context_target: str) -> pd.DataFrame:
    """``units`` with each document's text replaced by the contexts of its mentions of
    ``context_target``.

    Every context token is counted once: two mentions in one sentence, or overlapping token
    windows, do not count the shared words twice. Documents without a mention get ``""``.

    Parameters
    ----------
    units : DataFrame
        Document units from :func:`comparison_units` (one row per document, with ``doc_id``).
    mentions : DataFrame
        From :func:`medialens.stance.find_mentions`.
    context_target : str
        A target of ``mentions``.

    Returns
    -------
    DataFrame
        ``units`` with ``text`` the document's context tokens of ``context_target``, in text order.
    """
    if "doc_id" not in units.columns or units["doc_id"].duplicated().any():
        raise ValueError("units: give one row per document (target contexts are per document, not per quote)")
    known = sorted(set(mentions["target"]))
    if context_target not in known:
        raise ValueError(f"context_target = {context_target!r}: not a target with mentions; targets: {known}")
    m = mentions[mentions["target"] == context_target]
    tokens: dict[str, dict[int, str]] = {}
    for d, start, ctx in zip(m["doc_id"].astype(str), m["context_start"], m["context"], strict=True):
        at = tokens.setdefault(d, {})
        for j, tok in enumerate(ctx.split(" ") if ctx else []):
            at[int(start) + j] = tok
    joined = {d: " ".join(at[i] for i in sorted(at)) for d, at in tokens.items()}
    return units.assign(text=units["doc_id"].astype(str).map(joined).fillna("").to_numpy())
