"""Hand coding: draw a coding sample, write coding sheets and a codebook template, and compute
agreement per variable of the coded sheets.

The workflow of a content-analysis reliability test: units (documents, paragraphs or sentences)
are drawn stratified by a group column with a fixed seed; an overlap share is coded by every
coder (for agreement) and the rest split between coders; each coder gets one CSV sheet. The coded
sheets are read back by :func:`medialens.codebook.read_coded`; :func:`agreement_table` gives
Krippendorff's alpha per variable (:mod:`medialens.reliability`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import reliability, validate
from .codebook import SHEET_COLUMNS, Codebook, codebook_markdown, neutralise
from .grouping import group_labels
from .paths import atomic_write
from .results import Result
from .text import paragraph_table, sentence_table

__all__ = ["UNIT_KINDS", "MAX_CELL", "coding_units", "unit_index", "with_text", "draw_sample", "write_sheets", "agreement_table"]

UNIT_KINDS = ("documents", "paragraphs", "sentences", "mentions", "quotes")
MAX_CELL = 32_000  # spreadsheets hold at most 32,767 characters in a cell
UNIT_COLUMNS = ("unit_id", "doc_id", "group", "text", "context")
#: Groups named in the allocation note of :func:`draw_sample` at most (the table has all).
_NOTE_GROUPS = 10


# --------------------------------------------------------------------------------------------
# Units and the sample
# --------------------------------------------------------------------------------------------
def coding_units(
    corpus,
    *,
    kind: str = "documents",
    group_by: str | None = None,
    mentions: pd.DataFrame | None = None,
    quotes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The units a sample is drawn from, with their text and context.

    :func:`unit_index` with :func:`with_text` for every unit; a sample needs only the index
    (:func:`draw_sample`), and its drawn units their text.

    Parameters
    ----------
    corpus : Corpus
    kind : str
        ``documents`` (unit id: the doc_id; context: the title), ``paragraphs``
        (``<doc_id>:p<n>``; context: the title), ``sentences`` (``<doc_id>:<n>`` as in
        ``Corpus.sentences()``; context: the sentences before and after), ``mentions`` (one unit
        per sentence and target it mentions, ``<doc_id>:<n>:<target>``; text: the sentence;
        context: its neighbours) or ``quotes`` (one unit per direct quote,
        ``<doc_id>:q<start>``; text: the quote; context: its paragraph and the one before).
    group_by : str or None
        The document column whose groups the sample is stratified by (None: one group).
    mentions : DataFrame
        For ``kind="mentions"``: target mentions from :func:`medialens.stance.find_mentions`.
    quotes : DataFrame
        For ``kind="quotes"``: quotes from :func:`medialens.quotes.extract_quotes` (direct quotes
        not nested in another are the units).

    Returns
    -------
    DataFrame
        ``unit_id, doc_id, group, text, context`` (+ ``sentence`` for sentences and mentions,
        ``target`` for mentions, ``speaker`` (the automatic attribution) for quotes), in corpus
        order.
    """
    index = unit_index(corpus, kind=kind, group_by=group_by, mentions=mentions, quotes=quotes)
    return with_text(corpus, index, kind=kind, quotes=quotes)


def unit_index(
    corpus,
    *,
    kind: str = "documents",
    group_by: str | None = None,
    mentions: pd.DataFrame | None = None,
    quotes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The units a sample is drawn from, without their text: what :func:`coding_units` returns
    apart from ``text`` and ``context``, built from unit counts (sentences: the corpus word
    table's sentences per document) so that no sentence is split or copied.

    Parameters
    ----------
    corpus, kind, group_by, mentions, quotes
        As in :func:`coding_units`.

    Returns
    -------
    DataFrame
        ``unit_id, doc_id, group`` (+ ``sentence`` for sentences and mentions, ``target`` for
        mentions, ``speaker`` for quotes), in corpus order: the rows of :func:`coding_units`.
    """
    validate.choice(kind, "kind", UNIT_KINDS)
    for name, table, needed in (("mentions", mentions, "mentions"), ("quotes", quotes, "quotes")):
        if (table is None) == (kind == needed):
            raise ValueError(f"{name}: give it with kind = {needed!r} (and only then)")
    docs = corpus.documents
    groups = pd.Series(group_labels(docs, group_by).to_numpy(), index=docs["doc_id"])
    if kind == "documents":
        out = pd.DataFrame({"unit_id": docs["doc_id"], "doc_id": docs["doc_id"]})
    elif kind == "paragraphs":
        p = corpus.paragraphs()
        out = pd.DataFrame({"unit_id": p["doc_id"] + ":p" + p["paragraph"].astype(str), "doc_id": p["doc_id"]})
    elif kind == "quotes":
        q = _direct_quotes(quotes)
        out = pd.DataFrame({"unit_id": q["doc_id"].astype(str) + ":q" + q["start"].astype(str), "doc_id": q["doc_id"].astype(str),
                            "speaker": q["speaker"]})
    else:
        out = _sentence_index(corpus)
        out = _mention_units(mentions, out) if kind == "mentions" else out.drop(columns="_order")
        out = out.rename(columns={"_sentence": "sentence"})
    out.insert(2, "group", out["doc_id"].map(groups))
    return out.reset_index(drop=True)


def with_text(corpus, units: pd.DataFrame, *, kind: str, quotes: pd.DataFrame | None = None) -> pd.DataFrame:
    """``units`` with the ``text`` and ``context`` of each unit, built for their documents only.

    Parameters
    ----------
    corpus : Corpus
    units : DataFrame
        Rows of :func:`unit_index` of the same ``kind`` (or of a sample drawn from it, any order,
        a unit on several rows).
    kind : str
        The units' kind (:func:`coding_units`).
    quotes : DataFrame
        For ``kind="quotes"``: the quotes the units were made from.

    Returns
    -------
    DataFrame
        ``units`` in their order with ``text`` and ``context`` after ``group``: the text and
        context :func:`coding_units` gives the same units.
    """
    validate.choice(kind, "kind", UNIT_KINDS)
    validate.frame(units, "units", columns=("unit_id", "doc_id", "group"), what="units (unit_index())")
    if (quotes is None) == (kind == "quotes"):
        raise ValueError("quotes: give it with kind = 'quotes' (and only then)")
    docs = corpus.documents
    docs = docs[docs["doc_id"].isin(set(units["doc_id"]))]
    titles = pd.Series(docs["title"].fillna("").astype(str).to_numpy(), index=docs["doc_id"])
    if kind == "documents":
        texts = pd.Series(docs["text"].to_numpy(), index=docs["doc_id"])
        text, context = units["doc_id"].map(texts), units["doc_id"].map(titles)
    elif kind == "paragraphs":
        p = paragraph_table(docs)
        texts = pd.Series(p["text"].to_numpy(), index=p["doc_id"] + ":p" + p["paragraph"].astype(str))
        text, context = units["unit_id"].map(texts), units["doc_id"].map(titles)
    elif kind == "quotes":
        q = _direct_quotes(quotes)
        q = q[(q["doc_id"].astype(str) + ":q" + q["start"].astype(str)).isin(set(units["unit_id"]))]
        built = _quote_text(q, paragraph_table(docs)).set_index("unit_id")
        text, context = units["unit_id"].map(built["text"]), units["unit_id"].map(built["context"])
    else:
        built = _sentence_units(sentence_table(paragraph_table(docs)))
        key = units["doc_id"].astype(str) + ":" + units["sentence"].astype(str)
        built = built.set_index("unit_id")
        text, context = key.map(built["text"]), key.map(built["context"])
    if text.isna().any():
        raise ValueError(f"units: unit {units['unit_id'][text.isna().to_numpy()].iloc[0]!r} is not a {kind[:-1]} unit of this corpus")
    out = units.copy()
    at = out.columns.get_loc("group") + 1
    # no units: empty columns of the types coding_units gives (a quote's text as the quotes table's)
    empty = (quotes["text"].dtype, "float64") if kind == "quotes" else ("str", "str")
    for i, (name, values) in enumerate((("text", text), ("context", context))):
        out.insert(at + i, name, values.to_numpy() if len(values) else pd.Series([], dtype=empty[i]))
    return out


def _sentence_index(corpus) -> pd.DataFrame:
    """Sentence unit ids ``<doc_id>:<n>`` in corpus order, with ``_sentence`` and ``_order``: from
    the corpus word table's sentence counts (the sentences of ``Corpus.sentences()``), else from
    the sentence table."""
    words, doc_ids = corpus.words, corpus.documents["doc_id"]
    if words is not None and len(words.doc_ids) == len(doc_ids) and list(words.doc_ids) == doc_ids.tolist():
        counts = np.diff(words.doc_sentences)
        owner = np.repeat(doc_ids.to_numpy(dtype=object), counts)
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        number = np.arange(len(owner), dtype=np.int64) - starts + 1
    else:
        s = corpus.sentences()
        owner, number = s["doc_id"].to_numpy(dtype=object), s["sentence"].to_numpy(dtype=np.int64)
    return pd.DataFrame({"unit_id": [f"{d}:{n}" for d, n in zip(owner.tolist(), number.tolist(), strict=True)],
                         "doc_id": owner, "_sentence": number, "_order": np.arange(len(owner))})


def _sentence_units(s: pd.DataFrame) -> pd.DataFrame:
    """Sentence units with their neighbours as context; ``_order`` and ``_sentence`` kept for mentions."""
    same = s["doc_id"].to_numpy()
    before = s["text"].shift(1).where(s["doc_id"].shift(1).to_numpy() == same, "")
    after = s["text"].shift(-1).where(s["doc_id"].shift(-1).to_numpy() == same, "")
    context = (before.fillna("") + " [...] " + after.fillna("")).str.strip()
    return pd.DataFrame({"unit_id": (s["doc_id"] + ":" + s["sentence"].astype(str)).to_numpy(), "doc_id": s["doc_id"].to_numpy(),
                         "text": s["text"].to_numpy(), "context": context.to_numpy(),
                         "_sentence": s["sentence"].to_numpy(), "_order": np.arange(len(s))})


def _mention_units(mentions: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """One unit per sentence × target of ``mentions``, in corpus order, targets by name."""
    validate.frame(mentions, "mentions", columns=("doc_id", "sentence", "target"), what="target mentions (find_mentions())")
    m = mentions[["doc_id", "sentence", "target"]].astype({"doc_id": str, "target": str}).drop_duplicates()
    m = m.rename(columns={"sentence": "_sentence"})
    out = sentences.merge(m, on=["doc_id", "_sentence"], how="inner", validate="one_to_many")
    if len(out) < len(m):
        raise ValueError(f"mentions: {len(m) - len(out)} mention(s) name a sentence this corpus does not have")
    out = out.sort_values(["_order", "target"], kind="stable")
    out["unit_id"] = out["unit_id"] + ":" + out["target"]
    return out[[c for c in ("unit_id", "doc_id", "text", "context", "_sentence", "target") if c in out.columns]]


def _direct_quotes(quotes: pd.DataFrame) -> pd.DataFrame:
    """The direct quotes at depth 0 of ``quotes``: the quote units."""
    validate.frame(quotes, "quotes", columns=("doc_id", "paragraph", "start", "kind", "depth", "speaker", "text"),
                   what="quotes (extract_quotes())")
    return quotes[(quotes["kind"] == "direct") & (quotes["depth"] == 0)]


def _quote_text(q: pd.DataFrame, paragraphs: pd.DataFrame) -> pd.DataFrame:
    """``unit_id, text, context`` of direct quotes ``q``: the quote, its paragraph and the one before."""
    para = {(d, int(n)): t for d, n, t in zip(paragraphs["doc_id"], paragraphs["paragraph"], paragraphs["text"], strict=True)}
    context = [" [...] ".join(t for t in (para.get((d, int(n) - 1), ""), para.get((d, int(n)), "")) if t)
               for d, n in zip(q["doc_id"], q["paragraph"], strict=True)]
    return pd.DataFrame({"unit_id": q["doc_id"].astype(str) + ":q" + q["start"].astype(str), "text": q["text"],
                         "context": context}).reset_index(drop=True)


def _largest_remainder(total: int, weights: pd.Series) -> pd.Series:
    """Split ``total`` over the index of ``weights`` in proportion, whole numbers summing to total
    (largest remainder; ties go to the earlier label)."""
    if total == 0 or weights.sum() == 0:
        return pd.Series(0, index=weights.index)
    quota = weights * total / weights.sum()
    base = np.floor(quota).astype(int)
    rest = total - int(base.sum())
    frac = (quota - base).to_numpy()
    order = sorted(range(len(frac)), key=lambda i: (-frac[i], i))
    for i in order[:rest]:
        base.iloc[i] += 1
    return base


def draw_sample(
    units: pd.DataFrame,
    *,
    n: int,
    coders: Sequence[str],
    overlap: float = 0.2,
    random_state: int = 0,
) -> Result:
    """Draw a coding sample stratified by ``units['group']`` and assign it to coders.

    Parameters
    ----------
    units : DataFrame
        From :func:`coding_units` (``unit_id`` and ``group`` are needed).
    n : int
        Units to draw, split over groups in proportion to their size (largest remainder).
    coders : list of str
        Coder names (at least two when ``overlap`` > 0).
    overlap : float
        Share of the sample coded by every coder (drawn in proportion within each group); the
        rest is dealt to coders in turn, so each codes the same number ±1.
    random_state : int
        Seed of the draw.

    Returns
    -------
    Result
        ``table``: the sampled units with ``overlap`` (bool) and ``coder``, one row per unit and
        coder who codes it; ``notes``: the allocation per group.
    """
    _check_sample_args(units, n, coders, overlap, random_state)
    rng = np.random.default_rng(random_state)
    ordered = units.sort_values("unit_id", kind="stable").reset_index(drop=True)
    sizes = ordered.groupby("group", sort=True).size()
    take = _largest_remainder(n, sizes)
    shared = _largest_remainder(int(round(overlap * n)), take)
    rows, turn = [], 0
    for group in sizes.index:
        members = ordered[ordered["group"] == group]
        picked = members.iloc[rng.permutation(len(members))[: take[group]]]
        for i, (_, unit) in enumerate(picked.iterrows()):
            if i < shared[group]:
                rows += [{**unit.to_dict(), "overlap": True, "coder": c} for c in coders]
            else:
                rows.append({**unit.to_dict(), "overlap": False, "coder": coders[turn % len(coders)]})
                turn += 1
    table = pd.DataFrame(rows)
    alloc = "; ".join(f"{g}: {take[g]} of {sizes[g]} ({shared[g]} shared)" for g in sizes.index[:_NOTE_GROUPS])
    if len(sizes) > _NOTE_GROUPS:  # the note stays one line; every group is in the table
        alloc += f"; and {len(sizes) - _NOTE_GROUPS} more groups"
    notes = (f"{n} of {len(units)} units drawn with seed {random_state}, in proportion to group size: {alloc}.",
             f"{int(shared.sum())} units ({overlap:.0%}) are coded by all {len(coders)} coders; "
             f"{n - int(shared.sum())} are split between them.")
    return Result(table=table, notes=notes)


def _check_sample_args(units: pd.DataFrame, n, coders, overlap, random_state) -> None:
    for col in ("unit_id", "group"):
        if col not in units.columns:
            raise ValueError(f"units: missing column {col!r}; make units with coding_units()")
    if units["unit_id"].duplicated().any():
        raise ValueError(f"units: unit_id {units['unit_id'][units['unit_id'].duplicated()].iloc[0]!r} appears twice")
    validate.whole_number(n, "n", minimum=1, maximum=len(units))
    if isinstance(coders, str) or not coders or len(set(coders)) != len(coders) or any(not str(c).strip() for c in coders):
        raise ValueError(f"coders = {coders!r}: give a list of distinct, non-empty coder names")
    validate.share(overlap, "overlap", example=0.2, closed=True)
    if overlap > 0 and len(coders) < 2:
        raise ValueError(f"coders = {list(coders)!r}: an overlap needs at least two coders")
    validate.whole_number(random_state, "random_state", minimum=0)


# --------------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------------
def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(name)).strip("-.")
    return slug or "coder"


def write_sheets(
    sample: pd.DataFrame,
    folder: str | Path,
    *,
    codebook: Codebook,
    bom: bool = True,
) -> list[Path]:
    """Write one coding sheet per coder, ``<folder>/sheet_<coder>.csv``, plus ``codebook.md``.

    Columns: unit_id, coder, group, text, context (and target, for mention units), then one
    empty column per codebook variable; nothing else of the units (an automatic speaker or score
    would steer the coder). Rows follow the sample's order; text cells that look like formulas are neutralised and cells
    longer than a spreadsheet holds are cut (marked ``[...]``). ``bom=True`` starts each file with
    a UTF-8 byte-order mark so that spreadsheet programs read the accents correctly.

    Returns the paths written (sheets in coder order, then the codebook).
    """
    validate.frame(sample, "sample", columns=("unit_id", "coder", "text"), what="a coding sample (draw_sample())")
    validate.flag(bom, "bom")
    folder = Path(folder)
    columns = (*SHEET_COLUMNS, "target") if "target" in sample.columns else SHEET_COLUMNS
    slugs: dict[str, str] = {}
    for coder in dict.fromkeys(sample["coder"]):
        slug = _slug(coder)
        if slug in slugs.values():
            raise ValueError(f"coders: {coder!r} and another coder give the same file name sheet_{slug}.csv")
        slugs[coder] = slug
    written = []
    for coder, slug in slugs.items():
        rows = sample[sample["coder"] == coder]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([*columns, *codebook.names])
        for _, r in rows.iterrows():
            cells = [_cell(r.get(c, "")) for c in columns]
            w.writerow([*cells, *([""] * len(codebook.names))])
        path = folder / f"sheet_{slug}.csv"
        with atomic_write(path, "wb") as fh:
            fh.write(("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8"))
        written.append(path)
    path = folder / "codebook.md"
    with atomic_write(path, "w") as fh:
        fh.write(codebook_markdown(codebook))
    return [*written, path]


def _cell(v) -> str:
    text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 5] + "[...]"
    return neutralise(text)


# --------------------------------------------------------------------------------------------
# Agreement per variable
# --------------------------------------------------------------------------------------------
def agreement_table(
    codes: pd.DataFrame,
    *,
    codebook: Codebook,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    bootstrap: str = "pairs",
    random_state: int = 0,
) -> Result:
    """Krippendorff's alpha with its interval and verdict for every codebook variable.

    Parameters
    ----------
    codes : DataFrame
        Long codes ``unit_id, coder, variable, value`` (:func:`medialens.codebook.read_coded`).
    codebook : Codebook
    n_bootstrap, ci, bootstrap, random_state
        As in :func:`medialens.reliability.agreement`.

    Returns
    -------
    Result
        One row per variable (see :func:`medialens.reliability.agreement`); the notes of each,
        prefixed by the variable's name.
    """
    validate.frame(codes, "codes", columns=("unit_id", "coder", "variable", "value"), what="long codes (read_coded())")
    rows, notes = [], []
    for var in codebook.variables:
        sub = codes[codes["variable"] == var.name]
        if sub.empty:
            notes.append(f"{var.name}: no codes.")
            continue
        r = reliability.agreement(sub, level=var.level, values=var.agreement_values, n_bootstrap=n_bootstrap, ci=ci,
                                  bootstrap=bootstrap, random_state=random_state)
        rows.append(r.table.assign(variable=var.name))
        notes += [f"{var.name}: {n}" for n in r.notes]
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if len(table):
        table = table[["variable", *[c for c in table.columns if c != "variable"]]]
    return Result(table=table, notes=tuple(notes))
