"""Validation of automatic measures against human codes: adjudication of the coders' codes into
one code per unit, then precision, recall and F1 per class with bootstrap intervals over units
(lexicon polarity and the stance classifier against human stance codes), and the quote
attribution against human speaker codes.

The units are the sampled, coded units (sentences or target mentions, quotes): every interval
comes from resampling them with replacement, and every figure carries its n.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import validate
from .results import Result

__all__ = [
    "NOT_SCORED",
    "Validation",
    "adjudicate",
    "coded_sentences",
    "no_targets",
    "polarity_labels",
    "label_scores",
    "compare_labels",
    "lexicon_validation",
    "attribution_validation",
]

#: The prediction of a unit the automatic measure could not score (e.g. no target mention found).
NOT_SCORED = "(not scored)"
MACRO = "macro average"


@dataclass(frozen=True)
class Validation(Result):
    """``table``: per class (and the macro average) precision, recall and F1 with their
    intervals; ``confusion``: human code × automatic label; ``units``: one row per unit compared."""

    confusion: pd.DataFrame = field(default_factory=pd.DataFrame)
    units: pd.DataFrame = field(default_factory=pd.DataFrame)


def _check_boot(n_bootstrap, random_state, ci) -> None:
    validate.whole_number(n_bootstrap, "n_bootstrap", minimum=0)
    validate.whole_number(random_state, "random_state", minimum=0)
    validate.share(ci, "ci")


# --------------------------------------------------------------------------------------------
# Adjudication
# --------------------------------------------------------------------------------------------
def adjudicate(codes: pd.DataFrame, *, variable: str, decisions: pd.DataFrame | None = None) -> Result:
    """One code per unit from several coders' codes of ``variable``.

    A unit whose coders gave one value (missing answers aside) gets it (``agreed``, or ``one
    coder`` when only one coded it); a disputed unit gets the value in ``decisions`` when there
    is one (``decided``), else the value most coders gave when one value leads (``majority``);
    the rest stay unresolved and are left out (counted in the notes).

    Parameters
    ----------
    codes : DataFrame
        Long codes from :func:`medialens.codebook.read_coded` (``unit_id, coder, variable,
        value`` and any info columns, which are kept from the unit's first row).
    variable : str
        The variable adjudicated.
    decisions : DataFrame, optional
        Adjudication decisions in the same long format (any coder name), e.g. read from a file of
        decisions with :func:`medialens.codebook.read_coded`.

    Returns
    -------
    Result
        ``table``: ``unit_id, value, how`` and the info columns, one row per resolved unit in
        unit order; ``notes``: how many units were resolved each way and how many were not.
    """
    validate.frame(codes, "codes", columns=("unit_id", "coder", "variable", "value"), what="long codes (read_coded())")
    sub = codes[(codes["variable"] == variable) & codes["value"].notna()]
    if sub.empty:
        raise ValueError(f"variable = {variable!r}: no codes of this variable; variables coded: {sorted(codes['variable'].unique())}")
    info = [c for c in codes.columns if c not in ("unit_id", "coder", "variable", "value", "file", "line")]
    decided = {}
    if decisions is not None:
        validate.frame(decisions, "decisions", columns=("unit_id", "variable", "value"), what="long codes (read_coded())")
        d = decisions[(decisions["variable"] == variable) & decisions["value"].notna()]
        twice = d[d["unit_id"].duplicated()]
        if len(twice):
            raise ValueError(f"decisions: unit {twice['unit_id'].iloc[0]!r} has more than one decision for {variable!r}")
        decided = dict(zip(d["unit_id"], d["value"], strict=True))
    rows, unresolved = [], []
    for unit, part in sub.groupby("unit_id", sort=True):
        counts = part["value"].value_counts()
        if len(counts) == 1:
            value, how = counts.index[0], "agreed" if len(part) > 1 else "one coder"
        elif unit in decided:
            value, how = decided[unit], "decided"
        elif (counts == counts.iloc[0]).sum() == 1:
            value, how = counts.index[0], "majority"
        else:
            unresolved.append(unit)
            continue
        rows.append({"unit_id": unit, "value": value, "how": how, **part.iloc[0][info].to_dict()})
    table = pd.DataFrame(rows, columns=["unit_id", "value", "how", *info])
    ways = table["how"].value_counts()
    notes = [f"{len(table)} of {sub['unit_id'].nunique()} coded units have one {variable} code: "
             + ", ".join(f"{int(ways.get(w, 0))} {w}" for w in ("agreed", "one coder", "decided", "majority")) + "."]
    unused = sorted(set(decided) - set(table.loc[table["how"] == "decided", "unit_id"]))
    if unresolved:
        notes.append(f"{len(unresolved)} disputed unit(s) without a decision or a majority are left out: "
                     + ", ".join(map(str, unresolved[:10])) + (" ..." if len(unresolved) > 10 else "") + ".")
    if unused:
        notes.append(f"{len(unused)} decision(s) concern units the coders did not dispute and are not used.")
    return Result(table=table, notes=tuple(notes))


# --------------------------------------------------------------------------------------------
# Labels from a polarity score
# --------------------------------------------------------------------------------------------
def polarity_labels(polarity, *, neutral_band: float = 0.0) -> np.ndarray:
    """Stance labels from lexicon polarity: ``favour`` above ``neutral_band``, ``against`` below
    minus it, ``neutral`` in between (a context without lexicon words has polarity 0); NaN
    (no score) gives :data:`NOT_SCORED`."""
    band = validate.number(neutral_band, "neutral_band", minimum=0)
    p = np.asarray(polarity, dtype=float)
    out = np.where(p > band, "favour", np.where(p < -band, "against", "neutral")).astype(object)
    out[np.isnan(p)] = NOT_SCORED
    return out


# --------------------------------------------------------------------------------------------
# Precision, recall and F1 with bootstrap intervals over units
# --------------------------------------------------------------------------------------------
def _prf(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 per class of a stack of confusion matrices (… × k × k, true ×
    predicted over the same k labels); NaN where undefined (no prediction, no true unit)."""
    tp = np.diagonal(counts, axis1=-2, axis2=-1).astype(float)
    pred = counts.sum(axis=-2).astype(float)
    true = counts.sum(axis=-1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(pred > 0, tp / pred, np.nan)
        r = np.where(true > 0, tp / true, np.nan)
        f = np.where(pred + true > 0, 2 * tp / (pred + true), np.nan)
    return p, r, f


def label_scores(
    confusion: pd.DataFrame,
    *,
    n_bootstrap: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
) -> Validation:
    """Precision, recall and F1 per class and their macro average, with percentile bootstrap
    intervals over units, from a confusion matrix (human code × automatic label).

    Resampling units with replacement is drawing the cells of the confusion matrix from a
    multinomial with the observed shares, which is what is done.

    Parameters
    ----------
    confusion : DataFrame
        Counts, index the human codes, columns the automatic labels; the classes scored are the
        index labels (a predicted label that is no class counts as a wrong prediction).
    n_bootstrap : int
        Resamples (0 for none).
    random_state : int
    ci : float

    Returns
    -------
    Validation
        ``table``: ``label, n_true, n_predicted, precision, precision_low, precision_high,
        recall, ..., f1, ...``, one row per class and a last row ``macro average``;
        ``confusion``: the matrix.
    """
    _check_boot(n_bootstrap, random_state, ci)
    validate.frame(confusion, "confusion", what="a confusion matrix (human × automatic)")
    labels = [str(x) for x in confusion.index]
    extra = [str(c) for c in confusion.columns if str(c) not in labels]
    full = confusion.copy()
    full.index, full.columns = labels, [str(c) for c in confusion.columns]
    full = full.reindex(columns=[*labels, *extra], fill_value=0).astype(int)
    m = full.to_numpy()
    n = int(m.sum())
    if n == 0:
        raise ValueError("confusion: no units to score")
    square = np.concatenate([m, np.zeros((len(extra), m.shape[1]), dtype=int)]) if extra else m
    stats = [np.atleast_2d(x) for x in _prf(square[None])]
    rows = {"label": [*labels, MACRO], "n_true": [*m.sum(axis=1).tolist(), n],
            "n_predicted": [*m[:, : len(labels)].sum(axis=0).tolist(), n]}
    boot = None
    if n_bootstrap:
        rng = np.random.default_rng(random_state)
        draws = rng.multinomial(n, square.ravel() / n, size=n_bootstrap).reshape(n_bootstrap, *square.shape)
        boot = _prf(draws)
    for name, est, b in zip(("precision", "recall", "f1"), stats, boot or (None,) * 3, strict=True):
        est = est[0, : len(labels)]
        rows[name] = [*est.tolist(), float(np.nanmean(est)) if np.isfinite(est).any() else np.nan]
        lo, hi = _intervals(b[:, : len(labels)], ci) if b is not None else (np.full(len(labels) + 1, np.nan),) * 2
        rows[f"{name}_low"], rows[f"{name}_high"] = list(lo), list(hi)
    order = ["label", "n_true", "n_predicted"] + [f"{k}{s}" for k in ("precision", "recall", "f1") for s in ("", "_low", "_high")]
    table = pd.DataFrame(rows)[order]
    notes = (f"{n} units compared; precision, recall and F1 per class, their unweighted (macro) average, "
             + (f"and {ci:.0%} intervals from {n_bootstrap} bootstrap resamples of the units (seed {random_state})." if n_bootstrap
                else "without intervals (n_bootstrap = 0)."),)
    return Validation(table=table, notes=notes, confusion=full)


def _intervals(boot: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals per class and of the macro average (mean over the defined classes of
    each resample); NaN where a class is undefined in most resamples."""
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: undefined, set below
        macro = np.nanmean(boot, axis=1)
        full = np.concatenate([boot, macro[:, None]], axis=1)
        q = [(1 - ci) / 2, 1 - (1 - ci) / 2]
        lo, hi = np.nanquantile(full, q, axis=0)
    undefined = np.isnan(full).mean(axis=0) > 0.5
    lo[undefined], hi[undefined] = np.nan, np.nan
    return lo, hi


def compare_labels(
    units: pd.DataFrame,
    *,
    labels: Sequence[str],
    truth: str = "human",
    predicted: str = "automatic",
    n_bootstrap: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
) -> Validation:
    """:func:`label_scores` of a table with one row per unit, its human code and its automatic
    label. Units the measure did not score (:data:`NOT_SCORED`) are left out of the scores and
    counted in the notes; ``units`` of the result holds every row."""
    validate.frame(units, "units", columns=(truth, predicted))
    labels = [str(x) for x in labels]
    outside = sorted(set(units[truth].astype(str)) - set(labels))
    if outside:
        raise ValueError(f"units: human code {outside[0]!r} is not one of labels = {labels}")
    scored = units[units[predicted] != NOT_SCORED]
    if scored.empty:
        raise ValueError(f"units: the automatic measure scored none of the {len(units)} units")
    confusion = pd.crosstab(pd.Categorical(scored[truth].astype(str), categories=labels),
                            scored[predicted].astype(str), dropna=False)
    confusion = confusion.reindex(columns=[*labels, *sorted(set(confusion.columns) - set(labels))], fill_value=0)
    confusion.index.name, confusion.columns.name = "human", "automatic"
    v = label_scores(confusion, n_bootstrap=n_bootstrap, random_state=random_state, ci=ci)
    notes = v.notes
    left = len(units) - len(scored)
    if left:
        notes = (*notes, f"{left} of {len(units)} coded units were not scored by the automatic measure and are left out.")
    return Validation(table=v.table, notes=notes, confusion=v.confusion, units=units.reset_index(drop=True))


def no_targets(codes: pd.DataFrame, units: pd.DataFrame, *, unit_kind: str = "sentences") -> str:
    """Why the coded units cannot validate a stance measure, or ``""`` when at least one has a target.

    A stance code is about a target; sentence units carry none, and the sheets written for them
    have no ``target`` column, so codes of sentence units can only validate a measure when the
    coding file names each unit's target (as the seeds' example codes do). When no coded unit has
    a target from either place, the validation step is skipped with this reason; when some have
    one and others not, :func:`coded_sentences` names the first without.

    Parameters
    ----------
    codes : DataFrame
        :func:`adjudicate`'s table (``unit_id`` and, if the coding file had one, ``target``).
    units : DataFrame
        The coding units (``unit_id`` and, for mention units, ``target``).
    unit_kind : str
        The kind of the coding units, for the message.
    """
    validate.frame(codes, "codes", columns=("unit_id",), what="adjudicated codes (adjudicate())")
    validate.frame(units, "units", columns=("unit_id",), what="coding units")
    coded = set(codes["unit_id"])

    def named(frame) -> int:
        if "target" not in frame.columns:
            return 0
        t = frame.loc[frame["unit_id"].isin(coded), "target"].fillna("").astype(str).str.strip()
        return int((t != "").sum())

    if named(codes) or named(units):
        return ""
    kind = unit_kind[:-1] if unit_kind.endswith("s") else unit_kind
    return (f"none of the {len(coded)} coded {kind} units has a target (the coding file names none "
            f"and {kind} units carry none), and a stance code is about a target; set unit_kind = 'mentions' "
            "to code one target per unit, or add a target column to the coded sheets")


def coded_sentences(codes: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Adjudicated stance codes with the sentence and target each is about.

    Parameters
    ----------
    codes : DataFrame
        :func:`adjudicate`'s table; its ``target`` column (read from the coding file) names the
        target where the units do not.
    units : DataFrame
        Sentence or mention units (:func:`medialens.handcoding.coding_units`): ``unit_id, doc_id,
        sentence, text`` (and ``target`` for mentions).

    Returns
    -------
    DataFrame
        ``unit_id, value, doc_id, sentence, target, text``, one row per coded unit with a target.
    """
    validate.frame(units, "units", columns=("unit_id", "doc_id", "sentence", "text"),
                   what="sentence or mention units (coding_units(kind='sentences' or 'mentions'))")
    coded_target = codes["target"] if "target" in codes.columns else pd.Series("", index=codes.index)
    out = codes[["unit_id", "value"]].assign(_coded=coded_target.fillna("").astype(str).to_numpy())
    keep = [c for c in ("unit_id", "doc_id", "sentence", "text", "target") if c in units.columns]
    out = out.merge(units[keep], on="unit_id", how="inner", validate="one_to_one")
    unit_target = out["target"].fillna("").astype(str) if "target" in out.columns else ""
    out["target"] = out["_coded"].where(out["_coded"] != "", unit_target)
    missing = out[out["target"] == ""]
    if len(missing):
        raise ValueError(f"codes: unit {missing['unit_id'].iloc[0]!r} has no target; code mention units, or give the "
                         f"coding file a target column ({len(missing)} unit(s) affected)")
    return out[["unit_id", "value", "doc_id", "sentence", "target", "text"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Lexicon polarity against human stance codes
# --------------------------------------------------------------------------------------------
def lexicon_validation(
    codes: pd.DataFrame,
    mentions: pd.DataFrame,
    *,
    labels: Sequence[str] = ("favour", "against", "neutral"),
    neutral_band: float = 0.0,
    n_bootstrap: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
) -> Validation:
    """Lexicon polarity of each coded unit's target mention against its human stance code.

    Parameters
    ----------
    codes : DataFrame
        One human code per unit (:func:`adjudicate`) with ``unit_id, value, doc_id, sentence,
        target``: the sentence and the target the code is about.
    mentions : DataFrame
        From :func:`medialens.stance.find_mentions`; a unit's polarity is the mean polarity of its
        target's mentions in that sentence. A unit whose sentence has no mention of its target
        (the aliases miss it) is not scored.
    labels : list of str
        The stance classes, as in the codes.
    neutral_band : float
        Polarity within ±band counts as ``neutral`` (:func:`polarity_labels`).

    Returns
    -------
    Validation
        As :func:`compare_labels`; ``units`` has ``unit_id, doc_id, sentence, target, human,
        polarity, automatic``.
    """
    validate.frame(codes, "codes", columns=("unit_id", "value", "doc_id", "sentence", "target"), what="adjudicated codes")
    validate.frame(mentions, "mentions", columns=("doc_id", "sentence", "target", "polarity"), what="target mentions (find_mentions())")
    pol = mentions.groupby(["doc_id", "sentence", "target"], sort=False)["polarity"].mean().rename("polarity").reset_index()
    u = codes[["unit_id", "doc_id", "sentence", "target", "value"]].rename(columns={"value": "human"})
    u = u.astype({"doc_id": str, "target": str}).merge(pol.astype({"doc_id": str, "target": str}),
                                                        on=["doc_id", "sentence", "target"], how="left")
    u["automatic"] = polarity_labels(u["polarity"], neutral_band=neutral_band)
    v = compare_labels(u, labels=labels, n_bootstrap=n_bootstrap, random_state=random_state, ci=ci)
    missed = int((u["automatic"] == NOT_SCORED).sum())
    notes = v.notes[:1] + (
        f"Lexicon label: favour above polarity {neutral_band:g}, against below {-neutral_band if neutral_band else 0:g}, "
        "neutral in between (a sentence without lexicon words is neutral).",
    )
    if missed:
        notes += (f"In {missed} of {len(u)} coded sentences the target's aliases find no mention, so the lexicon "
                  "scores nothing there: a recall question for the alias lists.",)
    return Validation(table=v.table, notes=notes, confusion=v.confusion, units=v.units)


# --------------------------------------------------------------------------------------------
# Quote attribution against human speaker codes
# --------------------------------------------------------------------------------------------
NO_SPEAKER = "none"


def _canon(name: str) -> str:
    s = " ".join(str(name).lower().replace("’", "'").split())
    return re.sub(r"^(?:de|het|the)\s+", "", s)


def _same_speaker(human: str, automatic: str) -> bool:
    """Does the automatic speaker name the human code's speaker? Alternatives in the code are
    separated by `` / ``; names compare ignoring case and a leading article; a code of one word
    (a surname) matches a full name ending in it."""
    auto = _canon(automatic)
    for alt in str(human).split(" / "):
        a = _canon(alt)
        if a == auto or (" " not in a and auto.split(" ")[-1:] == [a]):
            return True
    return False


def attribution_validation(
    codes: pd.DataFrame,
    units: pd.DataFrame,
    *,
    n_bootstrap: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
) -> Validation:
    """Quote attribution against human speaker codes.

    Parameters
    ----------
    codes : DataFrame
        One human code per quote unit (:func:`adjudicate`): ``unit_id, value``, the speaker as the
        text names them (``none``: nobody is quoted, or the text does not say who).
    units : DataFrame
        Quote units (:func:`medialens.handcoding.coding_units` with ``kind="quotes"``): ``unit_id``
        and ``speaker``, the automatic attribution.

    Returns
    -------
    Validation
        ``table``: ``measure, value, ci_low, ci_high, n`` for precision (correct among attributed
        quotes), recall (correct among quotes with a speaker) and F1; ``units``: one row per quote
        with ``human, automatic, attributed, correct``.
    """
    _check_boot(n_bootstrap, random_state, ci)
    validate.frame(codes, "codes", columns=("unit_id", "value"), what="adjudicated speaker codes")
    validate.frame(units, "units", columns=("unit_id", "speaker"), what="quote units (coding_units(kind='quotes'))")
    u = codes[["unit_id", "value"]].rename(columns={"value": "human"}).merge(
        units[["unit_id", "speaker"]].rename(columns={"speaker": "automatic"}), on="unit_id", how="left")
    unknown = u[u["automatic"].isna()]
    if len(unknown):
        raise ValueError(f"codes: unit {unknown['unit_id'].iloc[0]!r} is not a quote unit ({len(unknown)} code(s) affected)")
    auto = u["automatic"].astype(str)
    u["attributed"] = ~(auto.eq("(unattributed)") | auto.str.startswith("(unresolved"))
    u["with_speaker"] = u["human"].map(lambda h: _canon(h) != NO_SPEAKER)
    same = np.array([_same_speaker(h, a) for h, a in zip(u["human"], auto, strict=True)], dtype=bool)
    u["correct"] = u["attributed"] & u["with_speaker"] & same
    flags = u[["attributed", "with_speaker", "correct"]].to_numpy(dtype=float)
    est = _attribution_prf(flags.sum(axis=0)[None])[0]
    lo = hi = np.full(3, np.nan)
    if n_bootstrap:
        rng = np.random.default_rng(random_state)
        idx = rng.integers(0, len(u), size=(n_bootstrap, len(u)))
        boot = _attribution_prf(flags[idx].sum(axis=1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanquantile(boot, [(1 - ci) / 2, 1 - (1 - ci) / 2], axis=0)
    n = [int(u["attributed"].sum()), int(u["with_speaker"].sum()), len(u)]
    table = pd.DataFrame({"measure": ["precision", "recall", "f1"], "value": est, "ci_low": lo, "ci_high": hi, "n": n})
    notes = (f"{len(u)} coded quotes: {n[1]} with a speaker in the human codes, {n[0]} attributed by the rules, "
             f"{int(u['correct'].sum())} to the speaker the coders named.",
             "precision: correct among attributed quotes; recall: correct among quotes with a speaker; "
             + (f"{ci:.0%} intervals from {n_bootstrap} bootstrap resamples of the quotes (seed {random_state})." if n_bootstrap
                else "no intervals (n_bootstrap = 0)."))
    return Validation(table=table, notes=notes, units=u.drop(columns="with_speaker"))


def _attribution_prf(sums: np.ndarray) -> np.ndarray:
    """Precision, recall, F1 from summed (attributed, with_speaker, correct) flags (… × 3)."""
    a, w, c = sums[:, 0], sums[:, 1], sums[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(a > 0, c / a, np.nan)
        r = np.where(w > 0, c / w, np.nan)
        f = np.where(a + w > 0, 2 * c / (a + w), np.nan)
    return np.stack([p, r, f], axis=1)
