"""Hand-coded stance and other labels: reading a coding file, and a classifier trained on it
(TF-IDF + logistic regression, stratified k-fold cross-validation, macro-F1 with its spread over
the folds beside the majority baseline), applied to the sentences that mention a target.

The classifier takes any label column with at least two classes: the ``stance`` of a coding file,
another variable of hand-coded units (sentences, mentions or documents), or a document column of
the corpus metadata (:func:`document_codes`, e.g. a partisan flag). Codes are applied at their own
level (:func:`code_level`): codes of whole documents to whole documents (:func:`document_units`),
codes of sentences to the sentences that mention a target (:func:`mention_sentences`); stance codes
(favour and against among the labels) give a net stance per group (:func:`predict_stance`), any
other labels the share of each label per group (:func:`predict_labels`).

The classifier's features are token counts from the one counting path (the word table and
:func:`medialens.counting.count_ngrams`, as :func:`medialens.frequency.count_terms` counts),
with the analysis settings in the variant that keeps negations (:func:`classifier_settings`);
TF-IDF weights (``sublinear_tf``, smoothed idf, rows L2-normalised) are computed from those counts
on each training set's vocabulary, as scikit-learn's ``TfidfVectorizer`` would.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import validate
from .codebook import make_codebook, read_coded
from .counting import count_ngrams, word_table
from .grouping import group_column, group_labels, group_order
from .results import Result
from .stance import _check_bootstrap, bootstrap_mean, check_evidence, enough_evidence
from .text import TextSettings

__all__ = [
    "STANCE_LABELS",
    "CODE_COLUMNS",
    "Evaluation",
    "read_codes",
    "classifier_settings",
    "document_codes",
    "code_level",
    "is_stance",
    "evaluate_classifier",
    "mention_sentences",
    "document_units",
    "predict_stance",
    "predict_labels",
    "classifier_top_terms",
]


STANCE_LABELS = ("favour", "against", "neutral")


CODE_COLUMNS = ("unit_id", "text", "target", "stance", "coder")


@dataclass(frozen=True)
class Evaluation(Result):
    """:func:`evaluate_classifier`: ``table`` holds the scores per fold and their mean; ``summary``
    the macro-F1 of the model and of the majority baseline with its spread over the folds."""

    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    confusion: pd.DataFrame = field(default_factory=pd.DataFrame)
    report: pd.DataFrame = field(default_factory=pd.DataFrame)
    n: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))


def read_codes(coding_file: str | Path, *, labels: tuple[str, ...] | None = STANCE_LABELS) -> pd.DataFrame:
    """Read a stance coding file: one row per coded unit, ``unit_id, text, target, stance, coder``
    (lines starting with ``#`` before the header are comments), through the one reader of coding
    files, :func:`medialens.codebook.read_coded`, with ``stance`` as the codebook's one variable.

    Parameters
    ----------
    coding_file : path
        The CSV file.
    labels : tuple of str, or None
        The stance labels allowed (matched ignoring case); ``None`` allows any label (the
        classifier then needs at least two).

    Returns
    -------
    DataFrame
        ``line, unit_id, text, target, stance, coder`` in the file's order.

    Raises ``ValueError`` naming the file, the line and the problem (a missing column, an empty
    text, target or stance, a label not in ``labels``, a coder who coded a unit twice).
    """
    path = Path(coding_file)
    if not path.is_file():
        raise ValueError(f"coding_file = {str(path)!r}: no such file")
    book = make_codebook({"stance": "open" if labels is None else list(labels)}, missing=(), what="labels")
    codes = read_coded(path, codebook=book, info=("text", "target"), required=("text", "target", "stance")).table
    codes = codes.sort_values("line", kind="stable").rename(columns={"value": "stance"}).astype({"stance": str})
    return codes[["line", *CODE_COLUMNS]].reset_index(drop=True)


def classifier_settings(settings: TextSettings | None = None) -> TextSettings:
    """The tokeniser settings the classifier counts with: ``settings`` (default ``TextSettings()``)
    with negations kept (``niet``, ``geen``; ``not``, ``no``), which are stance cues.

    Returns
    -------
    TextSettings
    """
    base = validate.instance(settings, "settings", TextSettings, "a TextSettings") if settings is not None else TextSettings()
    return dataclasses.replace(base, keep_negations=True)


def _counts(texts, settings: TextSettings) -> tuple[sp.csr_matrix, np.ndarray]:
    """Texts × tokens counts (float64) and the tokens, columns sorted by token, by the one
    counting path (each text split into sentences and words as the corpus word table is)."""
    texts = list(texts)
    counted = count_ngrams(word_table([str(i) for i in range(len(texts))], texts), settings, (1, 1))
    names = counted.names().astype(str)
    order = np.argsort(names, kind="stable")
    return counted.matrix[:, order].astype(np.float64).tocsr(), names[order]


@dataclass(frozen=True)
class _Model:
    """A fitted classifier: the training vocabulary's columns, its TF-IDF weights and the model."""

    columns: np.ndarray
    tfidf: object
    model: object

    def predict(self, counts: sp.csr_matrix) -> np.ndarray:
        return self.model.predict(self.tfidf.transform(counts[:, self.columns]))


def _fit(counts: sp.csr_matrix, y: np.ndarray, random_state: int) -> _Model:
    """TF-IDF on the vocabulary of ``counts`` (the tokens that occur in these training units) and
    a class-balanced logistic regression, fitted on them."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    columns = np.flatnonzero(counts.getnnz(axis=0))
    x = counts[:, columns]
    tfidf = TfidfTransformer(sublinear_tf=True).fit(x)
    model = LogisticRegression(max_iter=2000, class_weight="balanced", random_state=random_state)
    model.fit(tfidf.transform(x), y)
    return _Model(columns, tfidf, model)


def document_codes(documents: pd.DataFrame, label_column: str) -> Result:
    """Training units from a document column of the corpus metadata: every document with a value
    in ``label_column`` is a unit, its whole text the input and the value its label.

    Parameters
    ----------
    documents : DataFrame
        The corpus documents (``doc_id``, ``text`` and ``label_column``).
    label_column : str
        The column holding the label (e.g. a partisan flag).

    Returns
    -------
    Result
        ``table``: ``unit_id, doc_id, text, <label_column>`` (values as text), one row per labelled
        document; ``notes`` say how many documents had no value and were left out.

    Raises ``ValueError`` when the column does not exist or holds fewer than two values.
    """
    validate.frame(documents, "documents", columns=("doc_id", "text"), what="the corpus document table")
    if not isinstance(label_column, str) or label_column not in documents.columns or label_column in ("doc_id", "text"):
        cols = [c for c in documents.columns if c not in ("doc_id", "text")]
        raise ValueError(f"label_column = {label_column!r}: not a column of the documents; columns: {cols}")
    values = documents[label_column].astype(object).where(documents[label_column].notna(), None)
    values = values.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())
    has = values.notna().to_numpy()
    classes = sorted(set(values[has]))
    if len(classes) < 2:
        what = f"one value ({classes[0]!r})" if classes else "no values"
        raise ValueError(f"label_column = {label_column!r}: has {what} in {int(has.sum())} documents; a classifier needs at least two classes")
    table = pd.DataFrame({
        "unit_id": documents["doc_id"].astype(str).to_numpy()[has], "doc_id": documents["doc_id"].astype(str).to_numpy()[has],
        "text": documents["text"].to_numpy()[has], label_column: values.to_numpy()[has],
    })
    left = int((~has).sum())
    notes = (f"{left} of {len(documents)} documents have no {label_column!r} and are left out.",) if left else ()
    return Result(table, notes)


def code_level(codes: pd.DataFrame, documents: pd.DataFrame) -> str:
    """The level the hand codes were made at, from their unit ids: ``"document"`` when every
    ``unit_id`` is a document id of the corpus (a code of a whole document), else ``"sentence"``
    (``<doc_id>:<sentence>``, a sentence coded toward its target).

    Parameters
    ----------
    codes : DataFrame
        Coded units with a ``unit_id`` column (e.g. from :func:`read_codes`).
    documents : DataFrame
        The corpus documents (``doc_id``).

    Returns
    -------
    str
        ``"document"`` or ``"sentence"``.
    """
    ids = set(documents["doc_id"].astype(str))
    units = codes["unit_id"].astype(str)
    return "document" if len(units) and units.isin(ids).all() else "sentence"


def is_stance(codes: pd.DataFrame, label: str = "stance") -> bool:
    """True when the labels of ``codes[label]`` include *favour* and *against* (ignoring case):
    the codes are a stance, and a net stance (favour − against) means something."""
    values = {str(v).casefold() for v in codes[label].dropna()}
    return {"favour", "against"} <= values


def document_units(documents: pd.DataFrame, *, group_by: str) -> pd.DataFrame:
    """One unit per document (its whole text) with its group: the units that codes of whole
    documents are applied to (:func:`predict_stance`, :func:`predict_labels`), never sentences.

    Parameters
    ----------
    documents : DataFrame
        The corpus documents (``doc_id``, ``text`` and the ``group_by`` column).
    group_by : str
        A document column (groups labelled by :func:`medialens.grouping.group_labels`).

    Returns
    -------
    DataFrame
        ``doc_id, target, text, <group_by>`` with ``target`` ``"(whole document)"``, by document.
    """
    group_column(documents, group_by=group_by)
    groups = group_labels(documents, group_by)
    units = pd.DataFrame({
        "doc_id": documents["doc_id"].astype(str).to_numpy(), "target": "(whole document)",
        "text": documents["text"].to_numpy(), group_by: groups.to_numpy(),
    })
    return units.sort_values("doc_id", kind="stable").reset_index(drop=True)


def _classes(codes: pd.DataFrame, label: str, n_splits: int, source: str) -> pd.Series:
    """Units per class of ``codes[label]``, checked: at least two classes, ``n_splits`` units each."""
    if not isinstance(label, str) or label not in codes.columns:
        raise ValueError(f"label = {label!r}: not a column of the codes; columns: {list(codes.columns)}")
    if "text" not in codes.columns:
        raise ValueError(f"{source}: no 'text' column; columns: {list(codes.columns)}")
    counts = codes[label].astype(str).value_counts().sort_index()
    if len(counts) < 2:
        only = f"({counts.index[0]!r}) " if len(counts) else ""
        raise ValueError(f"{source}: only one {label} class {only}is coded; a classifier needs at least two")
    if counts.min() < n_splits:
        small = ", ".join(f"{k!r}: {v}" for k, v in counts.items() if v < n_splits)
        raise ValueError(
            f"{source}: too few examples per class for n_splits = {n_splits} folds ({small}); "
            f"code at least {n_splits} units per class or lower n_splits"
        )
    return counts


def _summary(scores: pd.DataFrame, n_units: int, n_classes: int) -> pd.DataFrame:
    """Macro-F1 of the model and the baseline: mean, standard deviation over the folds, min, max."""
    rows = []
    for name, col in (("model", "macro_f1_model"), ("majority baseline", "macro_f1_majority")):
        f = scores[col].astype(float)
        rows.append((name, f.mean(), f.std(ddof=1) if len(f) > 1 else np.nan, f.min(), f.max(), len(f), n_units, n_classes))
    out = pd.DataFrame(rows, columns=["classifier", "macro_f1", "sd_over_folds", "min", "max", "folds", "units", "classes"])
    return out.set_index("classifier").round(3)


def evaluate_classifier(
    codes: pd.DataFrame,
    *,
    label: str = "stance",
    settings: TextSettings | None = None,
    n_splits: int = 5,
    random_state: int = 0,
    source: str = "coding_file",
) -> Evaluation:
    """TF-IDF (the one counting path, :func:`classifier_settings`) + logistic regression with
    stratified k-fold cross-validation, beside always predicting the most common class.

    Parameters
    ----------
    codes : DataFrame
        Coded units: ``text`` and the ``label`` column (any labels, at least two classes), from
        :func:`read_codes`, a coding sheet, or :func:`document_codes`.
    label : str
        The column holding the labels (default ``"stance"``).
    settings : TextSettings, optional
        The analysis settings.
    n_splits, random_state : int
        Folds (every class needs at least this many units) and the seed of folds and model.
    source : str
        What to name in messages (the parameter the codes came from).

    Returns
    -------
    Evaluation
        ``table``: macro-F1 of the model and of the majority baseline, per fold and mean;
        ``summary``: both with their spread over the folds; ``confusion``: true × predicted over
        all folds; ``report``: per-class precision/recall/F1/support; ``n``: units per class.
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import classification_report, confusion_matrix, f1_score
    from sklearn.model_selection import StratifiedKFold

    validate.whole_number(n_splits, "n_splits", minimum=2)
    settings = classifier_settings(settings)
    counts = _classes(codes, label, n_splits, source)
    y = codes[label].astype(str).to_numpy()
    X, _ = _counts(codes["text"], settings)
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    labels = sorted(counts.index)
    pred = np.empty(len(y), dtype=object)
    base = np.empty(len(y), dtype=object)
    rows = []
    for fold, (tr, te) in enumerate(cv.split(np.zeros(len(y)), y), start=1):
        pred[te] = _fit(X[tr], y[tr], random_state).predict(X[te])
        dummy = DummyClassifier(strategy="most_frequent").fit(np.zeros((len(tr), 1)), y[tr])
        base[te] = dummy.predict(np.zeros((len(te), 1)))
        rows.append((fold, len(te), f1_score(y[te], pred[te], average="macro", labels=labels, zero_division=0),
                     f1_score(y[te], base[te], average="macro", labels=labels, zero_division=0)))
    scores = pd.DataFrame(rows, columns=["fold", "n_test", "macro_f1_model", "macro_f1_majority"])
    summary = _summary(scores, len(y), len(labels))
    mean = pd.DataFrame([("mean", len(y), scores["macro_f1_model"].mean(), scores["macro_f1_majority"].mean())], columns=scores.columns)
    scores = pd.concat([scores.astype({"fold": object}), mean], ignore_index=True).round(3)
    cm = pd.DataFrame(confusion_matrix(y, pred, labels=labels), index=pd.Index(labels, name="true"),
                      columns=pd.Index(labels, name="predicted"))
    rep = classification_report(y, pred, labels=labels, output_dict=True, zero_division=0)
    report = pd.DataFrame({k: rep[k] for k in [*labels, "macro avg"]}).T.round(3)
    report["support"] = report["support"].astype(int)
    return Evaluation(scores, summary=summary, confusion=cm, report=report, n=counts)


def mention_sentences(
    mentions: pd.DataFrame, sentences: pd.DataFrame, documents: pd.DataFrame, *, group_by: str, attributions: bool = False
) -> pd.DataFrame:
    """One unit per sentence × target that mentions it, with the sentence text and its group:
    the units :func:`predict_stance` classifies. As in :func:`medialens.stance.stance_table`, a
    mention that is only a quote's attribution (``…, said Rishi Sunak``) makes no unit unless
    ``attributions`` is True.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`medialens.stance.find_mentions` (sentence contexts or windows; the unit is the sentence).
    sentences : DataFrame
        :meth:`medialens.corpus.Corpus.sentences` (``doc_id, sentence, text``).
    documents : DataFrame
        The corpus documents (for the group column).
    group_by : str
        ``"speaker"`` (the speaker of the mention) or a document column.
    attributions : bool
        Keep the mentions :func:`medialens.stance.find_mentions` marks as a quote's attribution.

    Returns
    -------
    DataFrame
        ``doc_id, sentence, target, speaker, text`` (+ the ``group_by`` column), sorted by
        document, sentence and target.
    """
    group_column(documents, group_by=group_by)
    for col in ("doc_id", "sentence", "text"):
        if col not in sentences.columns:
            raise ValueError(f"sentences: missing column {col!r}")
    if not attributions and "attribution" in mentions.columns:
        mentions = mentions[~mentions["attribution"].astype(bool)]
    units = mentions[["doc_id", "sentence", "target", "speaker"]].drop_duplicates(["doc_id", "sentence", "target"])
    units = units.merge(sentences[["doc_id", "sentence", "text"]], on=["doc_id", "sentence"], how="left", validate="many_to_one")
    if group_by != "speaker":
        groups = group_labels(documents, group_by)
        groups.index = documents["doc_id"].astype(str)
        units[group_by] = units["doc_id"].astype(str).map(groups)
    return units.sort_values(["doc_id", "sentence", "target"], kind="stable").reset_index(drop=True)


def predict_stance(
    codes: pd.DataFrame,
    units: pd.DataFrame,
    *,
    settings: TextSettings | None = None,
    group_by: str,
    random_state: int = 0,
    n_bootstrap: int = 2000,
    min_n: int = 5,
    resample: str = "documents",
) -> pd.DataFrame:
    """Fit on all coded units, predict ``units['text']``, and give per group × target the share
    predicted *favour*, *against* and the net stance (favour − against) with a bootstrap interval.

    Parameters
    ----------
    codes : DataFrame
        Coded units (``text``, ``stance``), e.g. from :func:`read_codes`.
    units : DataFrame
        The units to classify (``doc_id``, ``target``, ``text`` and ``group_by``), e.g. from
        :func:`mention_sentences`; groups are labelled by :func:`medialens.grouping.group_labels`.
    settings : TextSettings, optional
        The analysis settings (:func:`classifier_settings` keeps negations).
    group_by : str
        A column of ``units``.
    random_state, n_bootstrap : int
        Seed of the model and the bootstrap; bootstrap resamples.
    min_n : int
        Cells whose units come from fewer documents get NaN shares and no interval (insufficient
        data); a cell with one unit, or with ``resample="documents"`` one document, never gets one.
    resample : "documents" | "mentions"
        The bootstrap resamples whole documents (default) or single units.

    Returns
    -------
    DataFrame
        ``group, target, n_documents, n_units, share_favour, share_against, net_stance, ci_low,
        ci_high``; :func:`medialens.results.with_intervals` formats the intervals for display.
    """
    _check_bootstrap(n_bootstrap, random_state)
    check_evidence(min_n, resample)
    rows = []
    for (g, t), cell in _predicted_cells(codes, units, label="stance", settings=settings, group_by=group_by, random_state=random_state):
        n, nd = len(cell), cell["doc_id"].nunique()
        said = cell["predicted"].astype(str).str.casefold()  # labels as coded: Favour is favour
        net = (said == "favour").astype(float) - (said == "against").astype(float)
        if not enough_evidence(n, nd, min_n=min_n, resample=resample):
            rows.append((g, t, nd, n, np.nan, np.nan, np.nan, np.nan, np.nan))
            continue
        clusters = cell["doc_id"].astype(str).to_numpy() if resample == "documents" else None
        lo, hi = bootstrap_mean(net.to_numpy(), clusters=clusters, n_bootstrap=n_bootstrap, random_state=random_state)
        rows.append((g, t, nd, n, round((said == "favour").mean(), 3),
                     round((said == "against").mean(), 3), round(net.mean(), 3), round(lo, 3), round(hi, 3)))
    return pd.DataFrame(rows, columns=["group", "target", "n_documents", "n_units", "share_favour", "share_against",
                                       "net_stance", "ci_low", "ci_high"])


def _predicted_cells(codes: pd.DataFrame, units: pd.DataFrame, *, label: str, settings, group_by: str, random_state: int):
    """Fit on all coded units, predict ``units['text']``; the (group, target) cells of the
    predicted units (column ``predicted``), groups in :func:`medialens.grouping.group_order`."""
    labels = group_labels(units, group_by)
    X, _ = _counts([*codes["text"], *units["text"]], classifier_settings(settings))
    n_codes = len(codes)
    pred = _fit(X[:n_codes], codes[label].astype(str).to_numpy(), random_state).predict(X[n_codes:])
    u = units.assign(predicted=pred, group=labels)
    rank = {g: i for i, g in enumerate(group_order(labels))}
    return sorted(u.groupby(["group", "target"]), key=lambda kv: (rank[kv[0][0]], str(kv[0][1])))


def predict_labels(
    codes: pd.DataFrame,
    units: pd.DataFrame,
    *,
    label: str = "stance",
    settings: TextSettings | None = None,
    group_by: str,
    random_state: int = 0,
    n_bootstrap: int = 2000,
    min_n: int = 5,
    resample: str = "documents",
) -> pd.DataFrame:
    """Fit on all coded units, predict ``units['text']``, and give per group × target the share of
    units predicted as each label, with a bootstrap interval: for codes with any labels (a frame,
    a topic, a genre), where a net stance means nothing.

    Parameters
    ----------
    codes : DataFrame
        Coded units (``text`` and the ``label`` column, at least two labels).
    units : DataFrame
        The units to classify at the codes' own level: :func:`document_units` for codes of whole
        documents, :func:`mention_sentences` for coded sentences.
    label : str
        The column of ``codes`` holding the labels.
    settings, group_by, random_state, n_bootstrap, min_n, resample
        As in :func:`predict_stance`.

    Returns
    -------
    DataFrame
        ``group, target, label, n_documents, n_units, share, ci_low, ci_high``: one row per group ×
        target × label (labels sorted); cells with too little evidence have NaN share and interval.
    """
    _check_bootstrap(n_bootstrap, random_state)
    check_evidence(min_n, resample)
    classes = sorted(_classes(codes, label, 1, "codes").index)
    rows = []
    for (g, t), cell in _predicted_cells(codes, units, label=label, settings=settings, group_by=group_by, random_state=random_state):
        n, nd = len(cell), cell["doc_id"].nunique()
        enough = enough_evidence(n, nd, min_n=min_n, resample=resample)
        clusters = cell["doc_id"].astype(str).to_numpy() if resample == "documents" else None
        for cls in classes:
            hit = (cell["predicted"] == cls).astype(float).to_numpy()
            if not enough:
                rows.append((g, t, cls, nd, n, np.nan, np.nan, np.nan))
                continue
            lo, hi = bootstrap_mean(hit, clusters=clusters, n_bootstrap=n_bootstrap, random_state=random_state)
            rows.append((g, t, cls, nd, n, round(hit.mean(), 3), round(lo, 3), round(hi, 3)))
    return pd.DataFrame(rows, columns=["group", "target", "label", "n_documents", "n_units", "share", "ci_low", "ci_high"])


def classifier_top_terms(
    codes: pd.DataFrame, *, label: str = "stance", settings: TextSettings | None = None, top_n: int = 8, random_state: int = 0
) -> pd.DataFrame:
    """The ``top_n`` terms with the largest logistic-regression weight per class of ``codes[label]``,
    fitted on all coded units: what the classifier has learned to look at (validate it: target
    names here mean the model learned the topic, not the stance). The first column is named
    ``label``."""
    n = validate.whole_number(top_n, "top_n", minimum=1)
    _classes(codes, label, 1, "codes")
    X, names = _counts(codes["text"], classifier_settings(settings))
    fitted = _fit(X, codes[label].astype(str).to_numpy(), random_state)
    model, terms = fitted.model, names[fitted.columns]
    coef = model.coef_ if len(model.classes_) > 2 else np.vstack([-model.coef_[0], model.coef_[0]])
    rows = []
    for k, cls in enumerate(model.classes_):
        order = sorted(range(len(terms)), key=lambda i: (-coef[k, i], terms[i]))[:n]
        rows.append((cls, ", ".join(f"{terms[i]} ({coef[k, i]:.2f})" for i in order)))
    return pd.DataFrame(rows, columns=[label, "strongest terms (weight)"])
