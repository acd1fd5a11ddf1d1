"""What each notebook's results say, as :class:`~medialens.findings.Findings` computed from them.

One function per statement a notebook makes about its results; each takes the tables the
analysis returned (never the corpus text itself, except names and terms, which are escaped when
shown) and returns a few sentences that are true of the corpus in hand.
"""

from __future__ import annotations

import re

import pandas as pd

from .corpus.definition import BOILERPLATE_KINDS
from .corpus.overview import REPEATED_MIN_DOCUMENTS, REPEATED_MIN_OUTLET_SHARE
from .findings import Code, Findings, Sentence, count, group_sizes_sentence, listing, say
from .frequency.counts import document_weights
from .grouping import MISSING_GROUP, UNATTRIBUTED, group_labels, group_order, is_placeholder
from .results import NO_SCORED_WORDS

__all__ = [
    "describe_outlets",
    "outlets_inferred",
    "describe_corpus_checks",
    "describe_top_terms",
    "describe_keyness",
    "describe_reference",
    "describe_trends",
    "describe_units",
    "describe_clustering",
    "describe_share_of_voice",
    "describe_copies",
    "describe_polarity",
    "describe_log_odds",
    "describe_classifier",
    "describe_stance",
]


# --------------------------------------------------------------------------------------------
# 00 corpus
# --------------------------------------------------------------------------------------------
def _outlet_counts(documents: pd.DataFrame) -> pd.Series:
    """Documents per outlet (weighted by ``_documents`` in a table of cells), without ``(missing)``."""
    if "outlet" not in documents.columns:
        return pd.Series(dtype=int)
    labels = group_labels(documents, "outlet")
    per = pd.Series(document_weights(documents), index=documents.index).groupby(labels).sum()
    return per[per.index != MISSING_GROUP].sort_index().astype(int)


def outlets_inferred(documents: pd.DataFrame) -> bool:
    """True when the corpus definition inferred the outlets (a non-empty ``outlet_evidence`` column)."""
    return "outlet_evidence" in documents.columns and bool(documents["outlet_evidence"].notna().any())


def describe_outlets(documents: pd.DataFrame, *, inferred: bool | None = None) -> Findings:
    """Outlets: how many, documents per outlet, documents without one, and whether the outlets were
    inferred.

    Parameters
    ----------
    documents : DataFrame
        The document table, or a table of cells with a ``_documents`` column
        (:func:`medialens.corpus.document_cells`).
    inferred : bool, optional
        The outlets were inferred (default: :func:`outlets_inferred` of ``documents``).

    Returns
    -------
    Findings
    """
    per = _outlet_counts(documents)
    n = int(document_weights(documents).sum())
    missing = n - int(per.sum())
    if per.empty:
        return Findings([say(
            "No document has an outlet: tables by outlet have one group, {m}. Compare groups of another "
            "document column with {g} where a notebook offers it.", m=MISSING_GROUP, g=Code("group_by"),
        )])
    out = [say("{n} from {k}: {per}.", n=count(n, "document"), k=count(len(per), "outlet"), per=listing(f"{o} {v}" for o, v in per.items()))]
    if missing:
        out.append(say("{m} no outlet; {they} the group {g}.", m=count(missing, "document has", "documents have"),
                       they="it forms" if missing == 1 else "they form", g=MISSING_GROUP))
    if outlets_inferred(documents) if inferred is None else inferred:
        out.append(say("The outlets were inferred by the corpus definition; the column {c} says from what.", c=Code("outlet_evidence")))
    return Findings(out)


def describe_corpus_checks(
    corpus, *, documents: pd.DataFrame | None = None, summary: pd.DataFrame | None = None, repeated: pd.DataFrame | None = None
) -> Findings:
    """The checks before trusting anything built on the corpus, with this corpus's numbers:
    totals, skips, group sizes, dates, boilerplate removed and paragraphs repeated word for word.

    Parameters
    ----------
    corpus : medialens.corpus.Corpus
        Its skip report and removals are described.
    documents : DataFrame, optional
        The documents described (default ``corpus.documents``), or a table of cells with a
        ``_documents`` column (:func:`medialens.corpus.document_cells`; undated = no ``month``).
    summary : DataFrame, optional
        The totals (default ``corpus.summary()``).
    repeated : DataFrame, optional
        Paragraphs repeated word for word in many documents
        (:func:`medialens.corpus.repeated_paragraphs`): a sentence says how many when there are any.

    Returns
    -------
    Findings
    """
    s = (corpus.summary() if summary is None else summary)["count"]
    docs = corpus.documents if documents is None else documents
    weights = pd.Series(document_weights(docs), index=docs.index)
    n = int(weights.sum())
    out = [say(
        "{i} = {k} kept + {s} skipped.", lead="Totals add up.",
        i=count(s["input records"], "input record"), k=count(s["documents kept"], "document"), s=int(s["records skipped"]),
    )]
    if len(corpus.skipped):
        reasons = corpus.skipped["reason"].value_counts().sort_index()
        out.append(say("Skipped by reason: {r}; read them before comparing groups.", lead="Skips.",
                       r=listing(f"{k} {v}" for k, v in reasons.items())))
    per = _outlet_counts(docs)
    if per.empty:
        out.append(say("No document has an outlet, so there are no outlets to compare.", lead="Group sizes."))
    else:
        sent = group_sizes_sentence(per, group_by="outlet")
        out.append(say(sent.template, lead="Group sizes.", **sent.values))
    dated = "date" if "date" in docs.columns else "month"
    undated = int(weights[docs[dated].isna()].sum()) if dated in docs.columns else n
    if undated == n:
        out.append(say("No document has a date: analyses over time have nothing to place.", lead="Dates."))
    else:
        months = sorted(docs["month"].dropna().astype(str).unique()) if "month" in docs.columns else []
        span = f"{months[0]} to {months[-1]}" if months else "?"
        n_span = len(pd.period_range(months[0], months[-1], freq="M")) if months else 0
        text = "{d} of {n} dated ({span}, {m})" if n_span == len(months) else "{d} of {n} dated ({span}, {s}, {m} of them with documents)"
        text += "; {u} undated, left out of analyses over time (and said so)." if undated else "."
        out.append(say(text, lead="Dates.", d=n - undated, n=count(n, "document"), span=span, s=count(n_span, "month"),
                       m=count(len(months), "month") if n_span == len(months) else len(months), u=undated))
    removals = corpus.removals
    boilerplate = removals[removals["kind"].isin(BOILERPLATE_KINDS)] if len(removals) else removals
    if len(boilerplate):
        out.append(say("{r} of boilerplate removed from {d}, listed above.", lead="Boilerplate.",
                       r=count(len(boilerplate), "piece"), d=count(boilerplate["doc_id"].nunique(), "document")))
    else:
        out.append(say("Nothing was removed as boilerplate; text the cleaning rules do not know is counted as words.", lead="Boilerplate."))
    if repeated is not None and len(repeated):
        out.append(_repeated_sentence(repeated))
    cleaned = removals[~removals["kind"].isin(BOILERPLATE_KINDS)] if len(removals) else removals
    if len(cleaned):
        per_kind = cleaned.groupby("kind", sort=True)["doc_id"].nunique()
        out.append(say("Not boilerplate, and not counted as such: {k}.", lead="Text clean-up.",
                       k=listing(f"{_CLEAN_UPS.get(kind, kind)} in {count(n, 'document')}" for kind, n in per_kind.items())))
    return Findings(out)


def _repeated_sentence(repeated: pd.DataFrame) -> Sentence:
    """How many paragraphs are repeated word for word (:func:`medialens.corpus.repeated_paragraphs`),
    the most repeated one, and how to remove them (the definition has no setting for it)."""
    top = repeated.iloc[0]
    return say(
        "{k} repeated word for word in at least {m} documents and at least {p}% of one outlet's documents (listed in the table of repeated paragraphs); "
        "the most repeated is in {d} ({share}% of {o}'s {n} not flagged as copies): \u201c{text}\u201d. Repeated text like this (a footer, a "
        "subscription line) is counted as words in every analysis and can top the key terms and form a cluster of its own. "
        "The corpus definition has no setting that removes a given paragraph ({b} only switches the built-in rules for "
        "Dutch web captions, teasers and pull quotes on or off): remove it from a copy of the input files and load that copy.",
        lead="Repeated paragraphs.",
        k=count(len(repeated), "paragraph is", "paragraphs are"), m=REPEATED_MIN_DOCUMENTS,
        p=round(REPEATED_MIN_OUTLET_SHARE * 100), d=count(int(top["documents"]), "document"),
        share=round(float(top["top_outlet_share"]) * 100), o=top["top_outlet"], n=count(int(top["top_outlet_documents"]), "document"),
        text=top["paragraph"], b=Code("cleaning.boilerplate"),
    )


#: what each clean-up kind of ``Corpus.removals`` did, for a sentence
_CLEAN_UPS = {
    "html": "HTML tags and entities stripped",
    "format_characters": "format characters (zero-width space, soft hyphen) dropped",
    "special_spaces": "non-breaking and other special spaces made plain",
    "not_nfc": "text normalised to Unicode NFC",
}


# --------------------------------------------------------------------------------------------
# 10 term frequency
# --------------------------------------------------------------------------------------------
def describe_top_terms(overall: pd.DataFrame, top: pd.DataFrame, *, group_by: str, show: int = 5) -> Findings:
    """The corpus's most frequent terms, how many of them top every group's list, and how many
    top terms occur in one document only."""
    has_words = "n" in overall.columns and bool((overall["n"] == 1).any())
    head = (overall[overall["n"] == 1] if has_words else overall).sort_values("rank", kind="stable").head(show)
    first = head["term"].tolist()  # words, not ranked together with word pairs
    out = [say("The most frequent {u} of the corpus: {t}.", u="words" if has_words else "terms", t=listing(first, code=True))]
    lone = head.loc[head["docs_with_term"] == 1, "term"].tolist() if "docs_with_term" in head.columns else []
    if lone:
        out.append(say("{k} of them occur in a single document ({t}): that article's words, not the corpus's.",
                       k=len(lone), t=listing(lone, code=True)))
    groups = sorted(top["group"].unique())
    if len(groups) > 1:
        shared = [t for t in first if all(t in set(top.loc[top["group"] == g, "term"]) for g in groups)]
        if shared:
            out.append(say("{k} of them are in the top list of every {g} group ({s}): vocabulary the groups share, "
                           "not a difference between them.", k=len(shared), g=Code(group_by), s=listing(shared, code=True)))
        else:
            out.append(say("None of them is in the top list of every {g} group.", g=Code(group_by)))
    single = top[top["docs_with_term"] == 1]
    if len(top):
        out.append(say("{k} of the {n} entries in the groups' top lists occur in a single document (docs_with_term = 1): "
                       "that article's topic, not the group's habit.", k=len(single), n=len(top)))
    return Findings(out)


def describe_copies(documents: pd.DataFrame) -> Findings:
    """How many documents are flagged as an exact copy or near-duplicate of another: they stay in
    every analysis, so a text printed several times (a wire story) counts once per copy wherever
    evidence is counted in documents. No sentence when none is flagged."""
    from .corpus.table import flagged_copies

    k = int(flagged_copies(documents).sum())
    if not k:
        return Findings([])
    out = [say(
        "{k} of the {n} flagged as a copy or near-duplicate of another, and kept: a text printed several times counts once "
        "per copy in these documents, the tests and intervals over them and the clusters; check that a finding does not "
        "rest on one reprinted text (notebook 00 lists the copies).", k=k, n=count(len(documents), "document is", "documents are"))]
    exact = int(documents["copy_of"].notna().sum()) if "copy_of" in documents.columns else 0
    if exact:
        out.append(say("To analyse each text once, set {key} in the corpus definition: it drops the {e} (near-duplicates are only flagged).",
                       e=count(exact, "exact copy", "exact copies"), key=Code("cleaning.duplicates_across_outlets: drop")))
    return Findings(out)


def describe_keyness(key: pd.DataFrame, *, top_n: int = 10, alpha: float = 0.05) -> Findings:
    """Keyness of one group against its reference: sizes, how many terms pass p < ``alpha``
    against how many would by chance, and how many top terms rest on one document."""
    if key.empty:
        return Findings([say("No term was tested.")])
    row = key.iloc[0]
    tested, passing = len(key), int((key["p_chi2"] < alpha).sum())
    out = [say(
        "{t} ({dt}) against {r} ({dr}): {n} tested, {p} with p < {a} by chi-square, where "
        "chance alone would give about {c}.", t=str(row["target"]), dt=count(row["n_docs_target"], "document"), r=str(row["reference"]),
        dr=count(row["n_docs_reference"], "document"), n=count(tested, "term"), p=passing, a=f"{alpha:g}", c=int(round(tested * alpha)),
    )]
    over = key[key["chi2"] > 0].head(top_n)
    if len(over):
        one = int((over["docs_target"] <= 1).sum())
        out.append(say("Most over-represented: {t}; {o} of these {n} occur in a single target document.",
                       t=listing(over["term"].head(5), code=True), o=one, n=len(over)))
    if int(row["n_docs_target"]) <= 2:
        out.append(say("With {d} in the target group, its key terms describe {those}, not a group.",
                       d=count(row["n_docs_target"], "document"), those="that article" if int(row["n_docs_target"]) == 1 else "those articles"))
    return Findings(out)


def describe_reference(ref: pd.DataFrame, *, show: int = 5) -> Findings:
    """The words most over-represented against general language, and how many are not in the
    reference list at all (names, compounds)."""
    if ref.empty:
        return Findings([say("No word is over-represented against general language.")])
    absent = int(ref["note"].astype(str).str.startswith("not in wordfreq").sum())
    return Findings([
        say("Most over-represented against general language: {t}.", t=listing(ref["term"].head(show), code=True)),
        say("{a} of the {n} listed are not in the reference list at all (often names and compounds).", a=absent, n=len(ref)),
    ])


def describe_trends(trend, *, terms: list[str]) -> Findings:
    """Followed terms over time: months, how many group-months rest on one document, terms that
    never occur, undated documents left out."""
    t = trend.table
    dated = t[t["month"].notna() & (t["month"] != MISSING_GROUP)]
    months = sorted(dated["month"].unique())
    points = dated.drop_duplicates(["group", "month"])
    with_docs = points[points["n_docs"] > 0]
    out = []
    if not months:
        out.append(say("No document is dated: there is no time line to follow {t} on.", t=listing(terms, code=True)))
    elif len(with_docs["month"].unique()) == 1:
        out.append(say("Every dated document falls in {m}: there is no time line to follow {t} on (the table gives that "
                       "month's rates).", m=str(with_docs["month"].iloc[0]), t=listing(terms, code=True)))
    else:
        out.append(say("{t} followed over {m}; {one} of the {p} group-months with documents rest on a single document.",
                       t=listing(terms, code=True), m=count(len(months), "month"), one=int((with_docs["n_docs"] == 1).sum()), p=len(with_docs)))
    never = [term for term, n in t.groupby("term", sort=True)["count"].sum().items() if n == 0]
    if never:
        out.append(say("Never counted: {t} (check the spelling against the tokens).", t=listing(never, code=True)))
    if trend.undated:
        out.append(say("{u} left out of the lines.", u=count(trend.undated, "undated document is", "undated documents are")))
    return Findings(out)


# --------------------------------------------------------------------------------------------
# 20 topic clustering
# --------------------------------------------------------------------------------------------
def describe_units(units: pd.DataFrame, *, unit: str, requested: str) -> Findings:
    """The clustering units: how many, from how many documents, and a fallback from paragraphs."""
    per_doc = units.groupby("doc_id").size()
    out = [say("{n} from {d} (median {m} per document).", n=count(len(units), f"{unit} unit"),
               d=count(units["doc_id"].nunique(), "document"), m=f"{per_doc.median():g}" if len(per_doc) else "0")]
    if unit != requested:
        out.append(say("{p} asks for {r} units, but no document has more than one paragraph: the units are whole documents "
                       "instead.", p=Code("unit"), r=Code(requested)))
    return Findings(out)


def describe_clustering(matrix, clustering, stability, *, unit: str) -> Findings:
    """The clustering in numbers: size, verdict on the structure, agreement between re-runs, and
    how many documents each outlet and month contributes."""
    n_units, n_terms = matrix.shape
    stable = stability.table[stability.table["verdict"] == "stable"]["cluster"].tolist()
    out = [
        say("{n}, {t}, {k} ({a}).", n=count(n_units, f"{unit} unit"), t=count(n_terms, "term"), k=count(clustering.k, "cluster"),
            a=clustering.algorithm),
        say("{v}", v=clustering.verdict),
        say("Agreement between the {r} runs: median ARI over all pairs {m}; clusters that survive re-runs: {s}.",
            r=len(stability.runs), m=float(stability.ari["ari"].median()), s=listing(stable)),
    ]
    units = matrix.units
    for column in ("outlet", "month"):
        if column in units.columns and units[column].notna().any():
            per = group_labels(units.drop_duplicates("doc_id"), column).value_counts()
            if per.min() <= 2:
                out.append(say("The smallest {c} group has {lo}: the cross-tables by {c} describe articles, not {c} groups.",
                               c=Code(column), lo=count(per.min(), "document")))
    return Findings(out)


# --------------------------------------------------------------------------------------------
# 30 stance
# --------------------------------------------------------------------------------------------
def describe_share_of_voice(sov: pd.DataFrame, *, group_by: str, limit: int = 8) -> Findings:
    """Per group, the most quoted speaker and their share of the group's quotes."""
    if sov.empty:
        return Findings([say("No quotes were found, so there is no share of voice to report.")])
    named = sov[~sov["speaker"].map(is_placeholder)].sort_values(["share_of_quotes", "speaker"], ascending=[False, True], kind="stable")
    out = []
    groups = group_order(sov[group_by].astype(str).unique())  # sorted, (missing) last
    for g in groups[:limit]:
        rows = named[named[group_by].astype(str) == g]
        total = int(sov.loc[sov[group_by].astype(str) == g, "n_quotes_group"].iloc[0])
        if rows.empty:
            out.append(say("{g}: none of its {n} is attributed.", g=g, n=count(total, "quote")))
        else:
            r = rows.iloc[0]
            most, values, each = _most_quoted(rows.set_index(rows["speaker"].astype(str))["quotes"])
            out.append(say("{g}: " + most + ", {q}" + each + " of {n} ({p}" + each + ").", g=g, **values,
                           n=count(total, "quote"), p=f"{r['share_of_quotes']:.0%}"))
    if len(groups) > limit:
        out.append(say("... and {k} more groups (see the table).", k=len(groups) - limit))
    unattributed = int(sov.loc[sov["speaker"] == UNATTRIBUTED, "quotes"].sum())
    out.append(say("{u} of {n} unattributed.", u=unattributed, n=count(sov["quotes"].sum(), "quote is", "quotes are")))
    return Findings(out, heading="Who speaks")


def _most_quoted(quotes: pd.Series, *, named: int = 3) -> tuple[str, dict, str]:
    """Who is quoted most (``quotes``: speaker -> quotes), ties named: ``"{s} is quoted most"``,
    ``"{s} are quoted most"`` (up to ``named`` tied speakers) or ``"{k} tie for most quoted"``;
    the values (``q``: the most quotes) and ``" each"`` for a tie (else ``""``)."""
    top = int(quotes.max())
    tied = sorted(str(s) for s, q in quotes.items() if int(q) == top)
    if len(tied) == 1:
        return "{s} is quoted most", {"s": tied[0], "q": top}, ""
    if len(tied) <= named:
        return "{s} are quoted most", {"s": listing(tied), "q": top}, " each"
    return "{k} tie for most quoted", {"k": count(len(tied), "speaker"), "q": top}, " each"


def describe_polarity(polarity: pd.DataFrame, *, min_n: int | None = None) -> Findings:
    """How many group × target cells have a score, how many rest on too few documents (the
    evidence rule: ``min_n`` documents, not mentions), how many rest on no lexicon word, how many
    intervals include zero.

    Parameters
    ----------
    polarity : DataFrame
        From :func:`medialens.stance.stance_table`.
    min_n : int, optional
        The documents a cell needs: the ``min_n`` the stance table was made with. Without it the
        sentence says "too few documents" without the number.
    """
    scored = polarity[polarity["mean"].notna()]
    no_words = (polarity["missing"] == NO_SCORED_WORDS) if "missing" in polarity.columns else pd.Series(False, index=polarity.index)
    unscored = int(no_words.sum())
    short = polarity[polarity["mean"].isna() & ~no_words]
    head = "{s} of {n} group × target cells have a score"
    if min_n is not None and "n_documents" in polarity.columns:
        few = int((short["n_documents"] < min_n).sum())
        rule = "; {i} on fewer than {m} each (min_n: documents are the evidence, not mentions)"
        values = {"i": count(few, "cell rests", "cells rest"), "m": count(min_n, "document")}
        if len(short) - few:
            rule += ", {o} a single mention or all mentions in one document (no interval)"
            values["o"] = len(short) - few
        out = [say(head + rule + ": insufficient data.", s=len(scored), n=len(polarity), **values)]
    else:
        out = [say(head + "; {i} too few documents (insufficient data).", s=len(scored), n=len(polarity),
                   i=count(len(short), "has", "have"))]
    if unscored:
        out.append(say("{u} mentions but no lexicon word in any of their contexts: no score (no evaluative words, not neutral).",
                       u=count(unscored, "cell has", "cells have")))
    if len(scored):
        zero_words = int((scored["n_scored"] == 0).sum())
        spans_zero = int(((scored["ci_low"] <= 0) & (scored["ci_high"] >= 0)).sum())
        if zero_words:
            out.append(say("{z} no lexicon word in any context (n_scored 0): a score there means no evaluative words, not neutral.",
                           z=count(zero_words, "scored cell has", "scored cells have")))
        out.append(say("{k} of the {s} " + ("includes" if spans_zero == 1 else "include") + " zero.", k=spans_zero,
                       s=count(len(scored), "interval")))
    return Findings(out)


def describe_log_odds(lo: pd.DataFrame, *, threshold: float = 1.96, show: int = 3) -> Findings:
    """A log-odds comparison: tokens on each side, how many words pass |z| > ``threshold``, the
    most distinctive words each way."""
    if lo.empty:
        return Findings([say("No words to compare.")])
    strong = int((lo["z"].abs() > threshold).sum())
    out = [say("{c}: {i} vs {j} tokens; {s} of {n} terms have |z| > {t}.", c=str(lo["comparison"].iloc[0]),
               i=int(lo["count_i"].sum()), j=int(lo["count_j"].sum()), s=strong, n=len(lo), t=f"{threshold:g}")]
    if strong == 0:
        out.append(say("No word passes: the top of the list is what would be distinctive with more text."))
    ordered = lo.sort_values("z", ascending=False, kind="stable")
    first, _, second = str(lo["comparison"].iloc[0]).partition(" vs ")
    out.append(say("Most distinctive for {f}: {a}; for {s}: {b}.", f=first, s=second or "the other side",
                   a=listing(ordered["term"].head(show), code=True), b=listing(ordered["term"].tail(show)[::-1], code=True)))
    return Findings(out)


def describe_classifier(evaluation) -> Findings:
    """Cross-validated macro-F1 of the classifier beside the majority baseline (when the
    evaluation table has those columns)."""
    t = getattr(evaluation, "table", None)
    needed = {"fold", "macro_f1_model", "macro_f1_majority"}
    if t is None or not needed <= set(t.columns) or not (t["fold"].astype(str) == "mean").any():
        return Findings([])
    mean = t[t["fold"].astype(str) == "mean"].iloc[0]
    folds = t[t["fold"].astype(str) != "mean"]
    return Findings([say(
        "Macro-F1 {m} (folds {lo} to {hi}) against {b} for always predicting the most common label, over {n} coded units.",
        m=float(mean["macro_f1_model"]), lo=float(folds["macro_f1_model"].min()), hi=float(folds["macro_f1_model"].max()),
        b=float(mean["macro_f1_majority"]), n=int(folds["n_test"].sum()) if "n_test" in folds else int(mean.get("n_test", 0)),
    )])


def _joined(first, second, *, lead: str):
    """Two sentences as one finding, the second's values renamed where the first uses the name."""
    template, values = second.template, dict(second.values)
    for key in [k for k in values if k in first.values]:
        new = f"{key}_2"
        template = re.sub(r"\{" + re.escape(key) + r"(?=[}:!])", "{" + new, template)
        values[new] = values.pop(key)
    return say(f"{first.template} {template}", lead=lead, **first.values, **values)


def describe_stance(
    per_group: pd.DataFrame, *, group_by: str, sov=None, polarity=None, lo=None, evaluation=None, label_evaluation=None, label_column: str = "",
    min_n: int | None = None, compared_by: str | None = None,
) -> Findings:
    """The closing findings of the stance notebook: group sizes, who speaks, polarity, distinctive
    words, the classifier of the hand codes (``evaluation``) and of a document label column
    (``label_evaluation``, ``label_column``), each from its table (a section that did not run is
    left out); ``min_n`` is the stance table's (see :func:`describe_polarity`).

    ``group_by`` is the document column of ``per_group`` (documents per group); ``compared_by``
    the grouping of the comparisons when it is not that column: ``"speaker"`` (the notebook's
    ``group_by``), whose groups are the named speakers of ``sov`` (placeholders such as
    ``(unattributed)`` are no speaker)."""
    sizes = per_group["documents"] if "documents" in per_group.columns else per_group.iloc[:, 0]
    g = group_sizes_sentence(sizes, group_by=group_by)
    if compared_by == "speaker" and compared_by != group_by:
        q = sov if sov is not None else pd.DataFrame(columns=["speaker", "quotes"])
        named_q = q[~q["speaker"].map(is_placeholder)]
        out = [say("Compared by {c}: {sp}, to whom {a} of {nq} are attributed (by name or description); the documents: " + g.template[:1].lower() + g.template[1:],
                   lead="Groups.", c=Code(compared_by), sp=count(named_q["speaker"].nunique(), "speaker"), a=int(named_q["quotes"].sum()),
                   nq=count(int(q["quotes"].sum()), "quote"), **g.values)]
    else:
        out = [say(g.template, lead="Groups.", **g.values)]
    if sov is not None and not sov.empty:
        named = sov[~sov["speaker"].map(is_placeholder)]  # not (unattributed), (below min_confidence)
        if len(named):
            most, values, each = _most_quoted(named.groupby("speaker")["quotes"].sum())
            whose = "the outlets'" if group_by == "outlet" else "the {g} groups'"
            out.append(say(most + " ({q}" + each + " of {n} quotes); share of voice is about " + whose + " choices, not their opinion.",
                           lead="Who speaks.", **values, n=int(sov["quotes"].sum()), g=Code(group_by)))
    if polarity is not None and len(polarity):
        p = describe_polarity(polarity, min_n=min_n).sentences
        out.append(_joined(p[0], p[-1], lead="Polarity.") if len(p) > 1 else say(p[0].template, lead="Polarity.", **p[0].values))
    if lo is not None and len(lo):
        strong = int((lo["z"].abs() > 1.96).sum())
        out.append(say("{s} of {n} terms have |z| > 1.96 in {c}.", lead="Distinctive words.", s=strong, n=len(lo), c=str(lo["comparison"].iloc[0])))
    if evaluation is not None:
        c = describe_classifier(evaluation).sentences
        if c:
            out.append(say(c[0].template, lead="Hand codes.", **c[0].values))
    if label_evaluation is not None:
        c = describe_classifier(label_evaluation).sentences
        if c:
            template = c[0].template.replace("coded units", "documents")
            out.append(say("{col}, learnt from whole documents: " + template, lead="Document label.", col=Code(label_column), **c[0].values))
    return Findings(out, heading="Findings")
