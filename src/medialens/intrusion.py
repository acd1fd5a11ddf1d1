"""Do people see what a cluster is about? Word-intrusion and unit-intrusion tests in the style of
R's oolong (Chan & Sältzer 2020, after Chang et al. 2009).

Word intrusion: a coder sees the top words of a cluster and one word that is a top word of
another cluster but not a word of this one, and picks the odd one out. Unit intrusion: a coder
sees texts (paragraphs or documents) of one cluster and one text of another cluster. When the
clusters mean something, coders find the intruder far more often than chance (one in the number
of options shown).

The tests are drawn with a fixed seed and written as ordinary coding sheets (one row per item,
the options numbered in the ``text`` cell, the answer in the column ``intruder``); the answers are
read back by :func:`medialens.codebook.read_coded`, so every problem is reported by file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import clustering as cl
from . import validate
from .checks import Stop, clustering_unit, names_parameter
from .codebook import DONT_KNOW, Codebook, Variable, read_coded
from .handcoding import write_sheets
from .results import Result

__all__ = ["IntrusionTest", "MAX_UNITS", "PreparedTests", "bounded_units", "prepare_tests", "word_intrusion", "unit_intrusion", "write_intrusion_sheets", "read_answers", "intrusion_results"]

ANSWER = "intruder"
MAX_SHOWN_CHARS = 1500  # a unit shown longer than this is cut (marked [...])
#: Units clustered for the tests at most (:func:`bounded_units`); a larger corpus is sampled.
#: The tests draw a few items per cluster (``intrusion_items``, default 1) from at most 8
#: clusters: 5,000 units leave hundreds per cluster, at a quarter of the cost of 20,000.
MAX_UNITS = 5_000


@dataclass(frozen=True)
class IntrusionTest:
    """A drawn test. ``items``: one row per item (``unit_id`` is the item id) with ``test``,
    ``cluster``, ``options`` (a tuple: words or unit ids), ``intruder`` (its option number,
    from 1), ``intruder_from`` (the cluster it comes from) and ``text`` (the options as shown).
    ``codebook``: the answer variable (option numbers). ``notes``: how it was drawn."""

    items: pd.DataFrame
    codebook: Codebook
    notes: tuple[str, ...] = ()


def bounded_units(units: pd.DataFrame, *, max_units: int = MAX_UNITS, random_state: int = 0) -> Result:
    """The units clustered for the intrusion tests: all of them, or a seeded sample of
    ``max_units`` when there are more.

    The tests need clusters to draw a few items from, not the clustering of every unit (notebook
    20's job): above the bound, clustering a sample gives the items at a bounded cost.

    Parameters
    ----------
    units : DataFrame
        Units to cluster (:func:`medialens.clustering.make_units`).
    max_units : int
        Units kept at most.
    random_state : int
        Seed of the sample.

    Returns
    -------
    Result
        ``table``: ``units`` unchanged when there are at most ``max_units``, else ``max_units`` of
        them drawn without replacement, in their order (index reset); ``notes``: what was drawn and
        why (none when nothing was).
    """
    validate.frame(units, "units", columns=("unit_id",), what="units (make_units())")
    validate.whole_number(max_units, "max_units", minimum=1)
    validate.whole_number(random_state, "random_state", minimum=0)
    if len(units) <= max_units:
        return Result(table=units, notes=())
    rows = np.sort(np.random.default_rng(random_state).choice(len(units), size=max_units, replace=False))
    note = (f"The intrusion tests cluster {max_units:,} of the {len(units):,} units, drawn at random with seed {random_state}: "
            f"a few items per cluster need clusters to draw from, not every unit clustered again (notebook 20 clusters them all).")
    return Result(table=units.iloc[rows].reset_index(drop=True), notes=(note,))


@dataclass(frozen=True)
class PreparedTests:
    """What :func:`prepare_tests` drew: ``word`` and ``unit`` (:class:`IntrusionTest`, both None when
    the tests were skipped), ``skipped`` (the one-line reason, or None), ``notes`` (the lines to show, in
    order: the unit clustered, the TF-IDF notes, the sample, the clustering, how the items were drawn),
    and the ``unit`` clustered, the ``matrix`` and the ``clusters`` (None when skipped)."""

    word: IntrusionTest | None
    unit: IntrusionTest | None
    skipped: str | None = None
    notes: tuple[str, ...] = ()
    unit_used: str | None = None
    matrix: object = None
    clusters: object = None


#: Messages of the clustering that start with these name a setting too little text cannot meet.
_SKIP_ON = ("min_df", "max_df", "tokenizer", "k")


def _skip_reason(message: str, *, unit: str, unit_used: str) -> str:
    """The first line of a clustering error, ``k`` named as notebook 40's ``intrusion_k`` and the
    unit count it speaks of tied to ``intrusion_unit``."""
    line = message.splitlines()[0]
    if not re.match(r"k\b(?!_)", line):
        return line
    line = re.sub(r"\bk\b(?!_)(?= (=|must))|^k(?=:)", "intrusion_k", line)
    fallback = ", clustered as documents: no document has more than one paragraph" if unit_used != unit else ""
    return f"{line} (intrusion_unit = {unit!r}{fallback})"


def prepare_tests(
    corpus,
    settings,
    *,
    unit: str = "paragraph",
    k: int | str = "auto",
    items: int = 1,
    random_state: int = 0,
    max_units: int = MAX_UNITS,
) -> PreparedTests:
    """Cluster the corpus as notebook 20 does with its default settings and draw the word- and
    unit-intrusion tests from the clusters; or say in one line why there is nothing to cluster.

    The unit is ``unit``, or whole documents when no document has more than one paragraph
    (:func:`medialens.checks.clustering_unit`); at most ``max_units`` units are clustered (a seeded
    sample, :func:`bounded_units`); TF-IDF with notebook 20's defaults (``min_df``, ``max_df``,
    adapted to a small corpus as there); k as ``k`` (``"auto"``: the best silhouette in 2..8), with
    MiniBatchKMeans when notebook 20 would use it for all the units.

    Parameters
    ----------
    corpus : medialens.corpus.Corpus
    settings : medialens.text.TextSettings
    unit : "paragraph" | "document"
        Notebook 40's ``intrusion_unit``.
    k : int or "auto"
        Notebook 40's ``intrusion_k``.
    items : int
        Items per cluster in each test (``intrusion_items``).
    random_state : int
        Seed of the sample, the clustering and the items.
    max_units : int
        Units clustered at most.

    Returns
    -------
    PreparedTests
        With ``skipped`` set (and no tests) when the corpus has fewer than two documents or too little
        text to cluster; the reason names ``intrusion_k`` (and ``intrusion_unit``) where they are meant.
        Any other error is raised.
    """
    try:
        unit_used = clustering_unit(corpus, unit)
    except Stop as why:  # fewer than two documents
        return PreparedTests(None, None, skipped=str(why))
    units = cl.make_units(corpus, unit=unit_used)
    pick = bounded_units(units, max_units=max_units, random_state=random_state)
    try:
        matrix = cl.tfidf(pick.table, settings=settings, min_df=cl.DEFAULT_MIN_DF, max_df=cl.DEFAULT_MAX_DF,
                          words=corpus.words, adapt_defaults=True)  # notebook 20's defaults, adapted to a small corpus as there
        clusters = cl.cluster(matrix, k=k, k_min=2, k_max=8, random_state=random_state,
                              minibatch=len(units) > cl.MINIBATCH_THRESHOLD)  # as 20 would for all the units
    except ValueError as exc:
        message = str(exc)
        if not names_parameter(message, _SKIP_ON):
            raise
        return PreparedTests(None, None, skipped=_skip_reason(message, unit=unit, unit_used=unit_used), unit_used=unit_used)
    word = word_intrusion(cl.top_terms(matrix, clusters, top_n=50), n_top=5, pool=10, n_items=items, random_state=random_state)
    unit_test = unit_intrusion(matrix.units, clusters.labels, n_shown=3, n_items=items, random_state=random_state)
    notes = []
    if unit_used != unit:
        notes.append(f"intrusion_unit = {unit!r}: no document has more than one paragraph, so whole documents are clustered")
    notes += [f"note: {note}" for note in matrix.notes]
    notes += list(pick.notes)
    notes.append(f"{len(matrix.units)} {unit_used} units in {clusters.k} clusters ({clusters.algorithm})")
    notes += list(word.notes) + list(unit_test.notes)
    return PreparedTests(word, unit_test, notes=tuple(notes), unit_used=unit_used, matrix=matrix, clusters=clusters)


def _codebook(n_options: int, what: str) -> Codebook:
    values = tuple(str(i) for i in range(1, n_options + 1))
    desc = f"The number of the {what} that does not belong with the others."
    return Codebook((Variable(ANSWER, values, "nominal", desc),))


def _item_ids(prefix: str, n: int, rng: np.random.Generator) -> list[str]:
    """Item ids in a shuffled order, so that a sheet does not list a cluster's items together."""
    width = len(str(n))
    return [f"{prefix}{i + 1:0{width}d}" for i in rng.permutation(n)]


def word_intrusion(
    top_terms: pd.DataFrame,
    *,
    n_top: int = 5,
    pool: int = 10,
    n_items: int = 1,
    random_state: int = 0,
) -> IntrusionTest:
    """Draw a word-intrusion test.

    Parameters
    ----------
    top_terms : DataFrame
        ``cluster, rank, term`` (:func:`medialens.clustering.top_terms`); give many terms per
        cluster (e.g. ``top_n=50``), so that "not a term of this cluster" means a low weight in it.
    n_top : int
        Top words shown per item (the intruder makes ``n_top + 1`` options).
    pool : int
        The shown words are drawn from a cluster's ``pool`` best terms (``pool = n_top``: always
        the top words) and the intruder from the other clusters' ``pool`` best terms that are
        not among this cluster's terms.
    n_items : int
        Items per cluster.
    random_state : int

    Returns
    -------
    IntrusionTest
    """
    validate.frame(top_terms, "top_terms", columns=("cluster", "rank", "term"), what="top terms (clustering.top_terms())")
    n_top = validate.whole_number(n_top, "n_top", minimum=2)
    pool = validate.whole_number(pool, "pool", minimum=n_top)
    n_items = validate.whole_number(n_items, "n_items", minimum=1)
    rng = np.random.default_rng(validate.whole_number(random_state, "random_state", minimum=0))
    terms = {c: g.sort_values(["rank", "term"])["term"].astype(str).tolist() for c, g in top_terms.groupby("cluster", sort=True)}
    if len(terms) < 2:
        raise ValueError(f"top_terms: an intrusion test needs at least two clusters; found {len(terms)}")
    rows, skipped = [], []
    for c, words in terms.items():
        best = words[:pool]
        candidates = sorted({w for o, ws in terms.items() if o != c for w in ws[:pool]} - set(words))
        if len(best) < n_top or not candidates:
            skipped.append(f"{c} ({len(best)} terms, {len(candidates)} possible intruders)")
            continue
        for _ in range(n_items):
            shown = [best[i] for i in sorted(rng.choice(len(best), n_top, replace=False))]
            intruder = candidates[rng.integers(len(candidates))]
            origin = min(o for o, ws in terms.items() if o != c and intruder in ws[:pool])
            rows.append(_item("words", c, shown, intruder, origin, rng))
    notes = [f"{len(rows)} word-intrusion items: {n_top} of the {pool} best terms of a cluster and one of another "
             f"cluster's {pool} best terms that is no term of this cluster, in random order (seed {random_state}); "
             f"chance of spotting the intruder: 1 in {n_top + 1}."]
    if skipped:
        notes.append("Clusters without an item (too few terms or no possible intruder): " + ", ".join(skipped) + ".")
    return _test(rows, "w", rng, n_top + 1, "word", notes)


def unit_intrusion(
    units: pd.DataFrame,
    labels,
    *,
    n_shown: int = 3,
    n_items: int = 1,
    random_state: int = 0,
) -> IntrusionTest:
    """Draw a unit-intrusion test: ``n_shown`` units of a cluster and one unit of another
    cluster, at random (seeded).

    Parameters
    ----------
    units : DataFrame
        The clustered units (``unit_id``, ``text``), in the order of ``labels``.
    labels : array-like
        Cluster of each unit.
    n_shown : int
        Units of the cluster shown per item (``n_shown + 1`` options).
    n_items : int
        Items per cluster (drawn independently; a unit may appear in several items).
    random_state : int

    Returns
    -------
    IntrusionTest
        Clusters with fewer than ``n_shown`` units get no item (named in the notes).
    """
    validate.frame(units, "units", columns=("unit_id", "text"), what="the clustered units")
    labels = np.asarray(labels)
    if len(labels) != len(units):
        raise ValueError(f"labels: {len(labels)} labels for {len(units)} units")
    n_shown = validate.whole_number(n_shown, "n_shown", minimum=2)
    n_items = validate.whole_number(n_items, "n_items", minimum=1)
    rng = np.random.default_rng(validate.whole_number(random_state, "random_state", minimum=0))
    ids = units["unit_id"].astype(str).to_numpy()
    clusters = sorted(set(labels.tolist()))
    if len(clusters) < 2:
        raise ValueError(f"labels: an intrusion test needs at least two clusters; found {len(clusters)}")
    rows, skipped = [], []
    for c in clusters:
        own, other = np.flatnonzero(labels == c), np.flatnonzero(labels != c)
        if len(own) < n_shown:
            skipped.append(f"{c} ({len(own)} units)")
            continue
        for _ in range(n_items):
            shown = ids[np.sort(rng.choice(own, n_shown, replace=False))].tolist()
            pick = other[rng.integers(len(other))]
            rows.append(_item("units", c, shown, ids[pick], labels[pick].item(), rng))
    notes = [f"{len(rows)} unit-intrusion items: {n_shown} units of a cluster and one unit of another cluster, in "
             f"random order (seed {random_state}); chance of spotting the intruder: 1 in {n_shown + 1}."]
    if skipped:
        notes.append(f"Clusters with fewer than {n_shown} units get no item: " + ", ".join(skipped) + ".")
    texts = dict(zip(ids, units["text"].astype(str), strict=True))
    return _test(rows, "u", rng, n_shown + 1, "text", notes, texts)


def _item(test: str, cluster, shown: list[str], intruder: str, origin, rng) -> dict:
    at = int(rng.integers(len(shown) + 1))
    options = tuple(shown[:at] + [intruder] + shown[at:])
    return {"test": test, "cluster": cluster, "options": options, "intruder": at + 1, "intruder_from": origin}


def _test(rows, prefix, rng, n_options, what, notes, texts=None) -> IntrusionTest:
    items = pd.DataFrame(rows, columns=["test", "cluster", "options", "intruder", "intruder_from"])
    items.insert(0, "unit_id", _item_ids(prefix, len(items), rng))
    items["text"] = [_shown(o, texts) for o in items["options"]]
    items = items.sort_values("unit_id", kind="stable").reset_index(drop=True)
    return IntrusionTest(items=items, codebook=_codebook(n_options, what), notes=tuple(notes))


def _shown(options: tuple, texts: dict | None) -> str:
    if texts is None:
        return "   ".join(f"{i}) {w}" for i, w in enumerate(options, start=1))
    cut = [t if len(t) <= MAX_SHOWN_CHARS else t[: MAX_SHOWN_CHARS - 5] + "[...]" for t in (texts[o] for o in options)]
    return "\n\n".join(f"{i}) {t}" for i, t in enumerate(cut, start=1))


def write_intrusion_sheets(test: IntrusionTest, folder: str | Path, *, coders: list[str], bom: bool = True) -> list[Path]:
    """Write the test as coding sheets, the same items for every coder
    (:func:`medialens.handcoding.write_sheets`: ``unit_id`` is the item, ``text`` the numbered
    options, the column ``intruder`` empty for the answer); returns the paths written."""
    if isinstance(coders, str) or not coders or len(set(coders)) != len(coders):
        raise ValueError(f"coders = {coders!r}: give a list of distinct coder names")
    sample = pd.concat([test.items.assign(coder=c, group="", context="") for c in coders], ignore_index=True)
    return write_sheets(sample, folder, codebook=test.codebook, bom=bom)


def read_answers(test: IntrusionTest, answers_path: str | Path, *, missing=DONT_KNOW) -> Result:
    """Read the answers to ``test``: the coders' sheets (a folder, as written by
    :func:`write_intrusion_sheets`) or one long CSV ``unit_id, coder, variable, value`` (the
    variable ``intruder``; a ``text`` column is optional).

    Parameters
    ----------
    test : IntrusionTest
        The test the sheets were written from.
    answers_path : path
        The folder or file (:func:`medialens.codebook.read_coded`: every problem is an error
        naming file and line).
    missing : list of str
        Answers that count as "don't know" (not answered).

    Returns
    -------
    Result
        ``table`` for :func:`intrusion_results`; ``notes`` from the reader.
    """
    codebook = Codebook(test.codebook.variables, tuple(str(m) for m in missing))
    return read_coded(answers_path, codebook=codebook, units=test.items["unit_id"], info=("text",))


def intrusion_results(test: IntrusionTest, answers: pd.DataFrame) -> Result:
    """The share of correctly spotted intruders per cluster.

    Parameters
    ----------
    test : IntrusionTest
        The test the sheets were written from (drawn again with the same seed and inputs).
    answers : DataFrame
        The answers read by :func:`read_answers` (or :func:`medialens.codebook.read_coded` with
        ``codebook=test.codebook, units=test.items["unit_id"], info=("text",)``); an item whose
        shown options differ from the test's is an error (the sheet was drawn from other clusters
        or another seed). Answers without the shown options (a long file without a ``text``
        column) cannot be checked so; the notes count them.

    Returns
    -------
    Result
        ``table``: ``cluster, n_items, n_answers, n_correct, share_correct, chance``, one row per
        cluster and a last row ``all``; missing answers ("don't know") and empty cells count as
        not answered.
    """
    validate.frame(answers, "answers", columns=("unit_id", "coder", "value", "text"), what="answer sheets read with info=('text',)")
    items = test.items.set_index("unit_id")
    shown = answers["text"].fillna("").astype(str) != ""
    bad = answers[shown & (answers["text"] != answers["unit_id"].map(items["text"]))]
    if len(bad):
        r = bad.iloc[0]
        raise ValueError(f"{r['file']}:{int(r['line'])}: item {r['unit_id']!r} shows other options than the test drawn "
                         "here; draw the test with the clusters and the seed the sheets were made from")
    given = answers[answers["value"].notna()]
    right = given["value"].astype(int).to_numpy() == given["unit_id"].map(items["intruder"]).to_numpy()
    done = given.assign(correct=right, cluster=given["unit_id"].map(items["cluster"]))
    chance = 1 / len(test.codebook.variables[0].values)
    rows = []
    for c, part in test.items.groupby("cluster", sort=True):
        mine = done[done["cluster"] == c]
        rows.append(_row(c, len(part), mine, chance))
    rows.append(_row("all", len(test.items), done, chance))
    table = pd.DataFrame(rows)
    notes = (f"{len(done)} answers from {done['coder'].nunique()} coder(s) to {len(test.items)} items; "
             f"{len(answers) - len(done)} 'don't know' answer(s) count as not answered. Chance level is {chance:.3f}.",)
    if (~shown).any():
        notes += (f"{int((~shown).sum())} answer(s) came without the options shown (no text column), so whether they "
                  "answer this draw (the same clusters and seed) was not checked.",)
    return Result(table=table, notes=notes)


def _row(cluster, n_items: int, part: pd.DataFrame, chance: float) -> dict:
    n = len(part)
    k = int(part["correct"].sum())
    return {"cluster": cluster, "n_items": n_items, "n_answers": n, "n_correct": k,
            "share_correct": k / n if n else np.nan, "chance": chance}
