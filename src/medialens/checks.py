"""Every notebook parameter checked against the corpus before anything runs.

The same checks serve two places:

* the cell right after each notebook's parameters cell, ``session = checked_session("10_term_frequency",
  globals())``: it checks the values, opens the analysis session (loads the corpus) and checks
  what depends on the corpus; a value that does not fit stops the notebook with one line
  (:class:`Stop`, shown without a traceback) naming the parameter, the value and what would fit;
* ``medialens report --check``: :func:`check_plan` runs them for every notebook of a report and
  names the parameter-file key to change.

What is checked: a corpus that kept no document (every input skipped: one line with the skips by
reason, for every notebook, instead of a library's traceback further down), choices and ranges (``unit``, ``k``, ``min_df`` ...), a ``group_by`` column the
documents do not have, ``group``/``reference`` that are not groups of it, followed ``terms`` and
stance ``targets`` that never occur in the corpus (with the closest spellings that do), a
``context_target`` that is not a target, and input files that do not exist.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import validate
from .handcoding import UNIT_KINDS

__all__ = ["Stop", "Problem", "alias_words", "problems_before_loading", "problems_with_corpus", "checked_session", "check_plan",
           "clustering_unit", "names_parameter", "stops_on", "stops_reading"]


class Stop(ValueError):
    """A notebook stops here: one sentence that says what to change.

    Jupyter shows an exception with ``_render_traceback_`` as the lines it returns, so a
    notebook shows ``Stop: <message>`` and no traceback; the report runner lists the notebook as
    ``stopped: <message>``.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"Stop: {self}"]


@dataclass(frozen=True)
class Problem:
    """One parameter that does not fit: its name and the one-line message."""

    parameter: str
    message: str
    #: what to change when it is not the value of ``parameter`` (``medialens report --check``
    #: names it instead of the parameter-file key)
    change: str | None = None


# --------------------------------------------------------------------------------------------
# Checks that need no corpus
# --------------------------------------------------------------------------------------------
def _whole(minimum: int) -> Callable[[Any, str], Any]:
    return lambda v, name: validate.whole_number(v, name, minimum=minimum)


def _choice(*choices: Any) -> Callable[[Any, str], Any]:
    return lambda v, name: validate.choice(v, name, choices)


def _k(value: Any, name: str) -> Any:
    if value == "auto" and isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 2:
        raise ValueError(f"{name} = {value!r}: give a whole number of clusters (>= 2) or 'auto'")
    return value


def _minibatch(value: Any, name: str) -> Any:
    if not isinstance(value, bool) and value != "auto":
        raise ValueError(f"{name} = {value!r}: choose True, False or 'auto'")
    return value


def _word_list(value: Any, name: str) -> Any:
    return validate.word_list(value, name, allow_empty=True)


def _targets(value: Any, name: str) -> Any:
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} = {value!r}: give a mapping of target -> list of aliases, or {{}} for the corpus's most named")
    for target, aliases in value.items():
        aliases = [aliases] if isinstance(aliases, str) else aliases
        if not isinstance(aliases, list | tuple) or not aliases or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ValueError(f"{name}[{target!r}] = {aliases!r}: give a non-empty list of aliases, e.g. [{str(target)!r}]")
    return value


#: What notebook 20 (``unit``) and notebook 40's intrusion tests (``intrusion_unit``) cluster: the
#: units of :func:`medialens.clustering.make_units` (not imported: it loads scikit-learn).
CLUSTER_UNITS = ("paragraph", "document")

#: parameter -> check, for every notebook that declares it
RULES: dict[str, Callable[[Any, str], Any]] = {
    "language": _choice("auto", "nl", "en"),
    "reduce": _choice("none", "lemma", "stem"),
    "remove_stopwords": validate.flag,
    "keep_negations": validate.flag,
    "use_cache": validate.flag,
    "williams": validate.flag,
    "include_headings": validate.flag,
    "sublinear_tf": validate.flag,
    "bom": validate.flag,
    "random_state": _whole(0),
    "preview_chars": _whole(1),
    "top_n": _whole(1),
    "min_count": _whole(1),
    "kwic_window": _whole(0),
    "ngram_range": validate.ngram_range,
    "correction": _choice("default", "yates", "none"),
    "terms": _word_list,
    "unit": _choice(*CLUSTER_UNITS),
    "k": _k,
    "k_min": _whole(2),
    "k_max": _whole(2),
    "algorithm": _choice("kmeans", "nmf"),
    "minibatch": _minibatch,
    "min_df": lambda v, name: validate.count_or_share(v, name),
    "max_df": lambda v, name: validate.count_or_share(v, name),
    "n_seeds": _whole(1),
    "n_representatives": _whole(1),
    "targets": _targets,
    "window": _whole(0),
    "negation_window": _whole(0),
    "min_n": _whole(1),
    "n_splits": _whole(2),
    "unit_kind": _choice(*UNIT_KINDS),
    "sample_n": _whole(1),
    "bootstrap": _choice("pairs", "units"),
    "intrusion_unit": _choice(*CLUSTER_UNITS),
    "intrusion_k": _k,
    "intrusion_items": _whole(1),
}

#: per notebook (by its number): rules that differ from :data:`RULES`
NOTEBOOK_RULES: dict[str, dict[str, Callable[[Any, str], Any]]] = {
    "10": {"n_bootstrap": _whole(10)},
    "20": {"n_bootstrap": _whole(0)},
    "30": {"n_bootstrap": _whole(100)},
    "40": {"n_bootstrap": _whole(0)},
}

#: parameters that name an input file ("" for none), checked to exist
INPUT_FILES = ("coding_file", "coded_path")

#: the parameters every notebook shares (:data:`medialens.session.SESSION_PARAMETERS`)
COMMON = ("language", "reduce", "remove_stopwords", "keep_negations", "use_cache", "random_state")
#: per notebook (by its number): the parameters checked besides :data:`COMMON`; a variable of
#: the same name made later in a notebook (notebook 20's ``terms`` table) is never mistaken for one
SCOPE = {
    "00": ("preview_chars",),
    "10": ("terms", "top_n", "min_count", "kwic_window", "ngram_range", "correction", "williams", "group_by", "group",
           "reference", "n_bootstrap"),
    "20": ("unit", "include_headings", "k", "k_min", "k_max", "algorithm", "minibatch", "min_df", "max_df", "ngram_range",
           "sublinear_tf", "n_seeds", "n_bootstrap", "top_n", "n_representatives"),
    "30": ("group_by", "targets", "window", "negation_window", "min_n", "n_bootstrap", "group", "reference",
           "context_target", "top_n", "coding_file", "n_splits"),
    "40": ("unit_kind", "group_by", "sample_n", "bom", "coded_path", "n_bootstrap", "bootstrap", "intrusion_unit", "intrusion_k",
           "intrusion_items"),
}


def _in_scope(notebook: str) -> set[str]:
    return set(COMMON) | set(SCOPE.get(notebook[:2], ()))


def _rules(notebook: str) -> dict[str, Callable[[Any, str], Any]]:
    rules = {**RULES, **NOTEBOOK_RULES.get(notebook[:2], {})}
    scope = _in_scope(notebook)
    return {name: rule for name, rule in rules.items() if name in scope}


def problems_before_loading(notebook: str, values: Mapping[str, Any]) -> list[Problem]:
    """Problems with ``values`` (parameter -> value) that need no corpus to see.

    Parameters
    ----------
    notebook : str
        The notebook's file stem (``"10_term_frequency"``); its number selects notebook-specific
        rules.
    values : mapping
        Parameter values; names without a rule are not checked here.

    Returns
    -------
    list of Problem
    """
    from .paths import resolve

    found = []
    for name, check in _rules(notebook).items():
        if name in values:
            try:
                check(values[name], name)
            except ValueError as exc:
                found.append(Problem(name, str(exc)))
    if isinstance(values.get("k_min"), int) and isinstance(values.get("k_max"), int) and values["k_min"] > values["k_max"]:
        found.append(Problem("k_max", f"k_max = {values['k_max']!r}: must be at least k_min = {values['k_min']!r}"))
    for name in INPUT_FILES:
        value = values.get(name) if name in _in_scope(notebook) else None
        if isinstance(value, str) and value and not resolve(value).exists():
            found.append(Problem(name, f"{name} = {value!r}: no such file (relative to the project root); \"\" skips it"))
    return found


# --------------------------------------------------------------------------------------------
# Checks against the corpus
# --------------------------------------------------------------------------------------------
def _listing(items: list[str]) -> str:
    shown = [repr(i) for i in items]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _closest(word: str, vocabulary) -> str:
    from .suggest import closest_spellings

    close = closest_spellings(word, vocabulary)
    return f"closest spellings that do occur: {_listing(close)}" if close else "no word in the corpus is spelled like it"


def _group_problems(notebook: str, values: Mapping[str, Any], documents, engine=None) -> list[Problem]:
    """``group_by`` against the document columns, ``group``/``reference`` against its groups: of
    ``documents``, or on the Spark engine of every document read there (counted in Spark)."""
    from .grouping import _groupable, group_labels

    if "group_by" not in values:
        return []
    group_by = values["group_by"]
    columns = _groupable(engine.columns() if engine is not None else documents.columns)
    allowed = {"30": ["speaker"], "40": [""]}.get(notebook[:2], [])
    if not isinstance(group_by, str) or (group_by not in columns and group_by not in allowed):
        close = [c for c in columns if group_by and isinstance(group_by, str) and c.casefold().startswith(group_by.casefold()[:3])]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return [Problem("group_by", f"group_by = {group_by!r}: no such document column{hint}; choose {_listing(allowed + columns)}")]
    if group_by in allowed:
        return []
    groups = sorted(set(group_labels(engine.document_cells([group_by]) if engine is not None else documents, group_by)))
    found = []
    for name in ("group", "reference"):
        value = values.get(name)
        if isinstance(value, str) and value and value not in groups:
            shown = groups if len(groups) <= 12 else groups[:12] + [f"... ({len(groups)} groups)"]
            found.append(Problem(name, f"{name} = {value!r}: not a group of {group_by!r}; groups: {', '.join(map(repr, shown))}"))
    return found


def _in_whole_corpus(words: list[list[str]], present: set[str], corpus, engine, settings=None) -> tuple[set[str], int]:
    """``present`` (the words of the loaded corpus) with those of ``words`` that only documents
    outside the Spark engine's sample contain (looked up in Spark), and the number of documents
    the words were looked for in."""
    if engine is None:
        return present, len(corpus.documents)
    missing = {w for ws in words for w in ws if w not in present}
    return present | engine.words_present(missing, settings=settings), engine.n_documents


def _term_problems(values: Mapping[str, Any], corpus, settings, engine=None) -> list[Problem]:
    from .text import Tokenizer

    terms = values.get("terms")
    if not terms or not isinstance(terms, list):
        return []
    _, _, vocabulary = corpus.words.token_ids(settings)
    tok = Tokenizer(settings)
    split = [tok(term) if isinstance(term, str) else [] for term in terms]
    present, n = _in_whole_corpus(split, set(vocabulary.tolist()), corpus, engine, settings)
    found = []
    for term, words in zip(terms, split, strict=True):
        missing = [w for w in words if w not in present]
        if not words:
            found.append(Problem("terms", f"terms: {term!r} has no words left after stopwords and filters; remove it or choose another term"))
        elif missing:
            found.append(Problem(
                "terms",
                f"terms: {term!r} never occurs in the {n:,} documents"
                f"{f' ({missing[0]!r} does not)' if len(words) > 1 else ''}; "
                f"{_closest(missing[0], present)}; or give terms = [] for the corpus's top key terms",
            ))
    return found


def alias_words(vocabulary) -> set[str]:
    """The words of ``vocabulary`` lower-cased, and the parts of its hyphenated compounds (what a
    target's alias matches)."""
    words = {w.casefold() for w in vocabulary}
    return words | {p for w in words if "-" in w for p in w.split("-") if p}


def _target_problems(values: Mapping[str, Any], corpus, settings, engine=None) -> list[Problem]:
    from .lexicon import scoring_settings
    from .text import Tokenizer

    targets = values.get("targets")
    found = []
    if isinstance(targets, Mapping) and targets:
        tok = Tokenizer(scoring_settings(settings))
        aliases_of = {t: [a] if isinstance(a, str) else list(a) for t, a in targets.items()}
        split_of = {t: [[w.casefold() for w in tok.words(a)] for a in aliases] for t, aliases in aliases_of.items()}
        present, n = _in_whole_corpus([ws for split in split_of.values() for ws in split], alias_words(corpus.words.vocabulary), corpus, engine)
        for target, aliases in aliases_of.items():
            split = split_of[target]
            if not any(words and all(w in present for w in words) for words in split):
                first = next((w for words in split for w in words if w not in present), str(target))
                found.append(Problem(
                    "targets",
                    f"targets[{str(target)!r}]: none of its aliases {aliases} occurs in the {n:,} documents; "
                    f"{_closest(first, present)}; or give targets = {{}} for the corpus's most named people and organisations",
                ))
    context = values.get("context_target")
    if isinstance(targets, Mapping) and not targets:  # the corpus definition's, when it names them
        targets = corpus.definition.defaults.get("targets") or {}
    if isinstance(context, str) and context and isinstance(targets, Mapping) and targets and context not in targets:
        found.append(Problem("context_target", f"context_target = {context!r}: not one of the targets; choose {_listing([str(t) for t in targets])} or \"\" for the first"))
    return found


def _empty_corpus(corpus, engine=None) -> Problem | None:
    """The problem of a corpus that kept no document (every input skipped), or None: one line with
    the skips by reason and where to see them."""
    if (engine.n_documents if engine is not None else len(corpus.documents)) > 0:
        return None
    from .paths import relative_to_root

    reasons = corpus.skipped["reason"].value_counts()
    reasons = reasons.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    skipped = f"{len(corpus.skipped):,} skipped: {', '.join(f'{r} {n:,}' for r, n in reasons.items())}" if len(reasons) else "nothing skipped"
    defn = corpus.definition.definition_file
    name = relative_to_root(defn) if defn is not None else corpus.name
    return Problem(
        "corpus",
        f"0 documents kept ({skipped}); see the skip report: medialens corpus {name}",
        change=f"the corpus definition {Path(name).name} or its input files",
    )


def problems_with_corpus(notebook: str, values: Mapping[str, Any], corpus, settings, *, engine=None) -> list[Problem]:
    """Problems with ``values`` that the loaded corpus shows (see the module docstring).

    Parameters
    ----------
    notebook : str
        The notebook's file stem.
    values : mapping
        Parameter values.
    corpus : medialens.corpus.Corpus
    settings : medialens.text.TextSettings
        The notebook's tokeniser settings (terms are compared as the counts know them).
    engine : SparkEngine, optional
        The Spark engine (``corpus`` is then its sample): groups are checked against every
        document read in Spark (:meth:`~medialens.spark.engine.SparkEngine.document_cells`), not
        the sample; terms and targets against the sample first, and the words the sample
        lacks against every document (:meth:`~medialens.spark.engine.SparkEngine.words_present`).

    Returns
    -------
    list of Problem
    """
    if (empty := _empty_corpus(corpus, engine)) is not None:
        return [empty]  # nothing else can be checked, and every notebook would fail
    values = {k: v for k, v in values.items() if k in _in_scope(notebook)}
    found = _group_problems(notebook, values, corpus.documents, engine)
    if notebook.startswith("10"):
        found += _term_problems(values, corpus, settings, engine)
    if notebook.startswith("30"):
        found += _target_problems(values, corpus, settings, engine)
    if notebook.startswith("20"):
        found += _df_problems(values, corpus.documents)
    return found


def _df_problems(values: Mapping[str, Any], documents) -> list[Problem]:
    """``min_df``/``max_df`` set to other values than the defaults that no term could pass for
    even the most units the corpus can give (its paragraphs, or its documents); the defaults
    adapt to a small corpus (:func:`medialens.clustering.tfidf`) and are not checked."""
    from .clustering.matrix import DEFAULT_MAX_DF, DEFAULT_MIN_DF

    min_df, max_df = values.get("min_df", DEFAULT_MIN_DF), values.get("max_df", DEFAULT_MAX_DF)
    if (min_df, max_df) == (DEFAULT_MIN_DF, DEFAULT_MAX_DF):
        return []
    try:
        min_df, max_df = validate.count_or_share(min_df, "min_df"), validate.count_or_share(max_df, "max_df")
    except ValueError:
        return []  # reported before loading
    paragraphs = documents["n_paragraphs"].fillna(0).clip(lower=1).sum() if "n_paragraphs" in documents.columns else 0
    n = int(max(len(documents), paragraphs if values.get("unit", "paragraph") == "paragraph" else 0))
    if validate.df_bounds_hold(min_df, max_df, n):
        return []
    min_count, max_count = validate.df_counts(min_df, max_df, n)
    name = "min_df" if min_df != DEFAULT_MIN_DF else "max_df"
    return [Problem(name, f"min_df = {min_df!r}, max_df = {max_df!r}: no term can occur in at least {min_count:g} and at most "
                          f"{max_count:g} of the (at most) {n} units this corpus gives; lower min_df or raise max_df")]


def _stop(notebook: str, found: list[Problem]) -> None:
    if found:
        more = f" (and {len(found) - 1} more problem(s): {', '.join(sorted({p.parameter for p in found[1:]}))})" if len(found) > 1 else ""
        raise Stop(f"{found[0].message}{more}")


def checked_session(notebook: str, namespace: Mapping[str, Any]):
    """Check a notebook's parameters, open its session, and check them against the corpus.

    Parameters
    ----------
    notebook : str
        The notebook's file stem (``"30_stance_comparison"``).
    namespace : mapping
        The notebook's variables (``globals()``): the parameters are read from it by name.

    Returns
    -------
    medialens.session.Session
        Raises :class:`Stop` (one line, no traceback) at the first parameter that does not fit,
        naming it, its value, and the valid choices or the closest spellings.
    """
    from .session import SESSION_PARAMETERS, open_session

    values = {k: namespace[k] for k in _in_scope(notebook) | {"corpus", "figures_dir", "tables_dir"} if k in namespace}
    _stop(notebook, problems_before_loading(notebook, values))
    kwargs = {k: values[k] for k in SESSION_PARAMETERS if k in values}
    try:
        session = open_session(**kwargs)
    except ValueError as exc:
        raise Stop(str(exc).splitlines()[0]) from None
    _stop(notebook, problems_with_corpus(notebook, values, session.corpus, session.settings, engine=session.engine))
    return session


def check_plan(plan: list[tuple[Path, dict[str, Any]]], param_file: Path, common: Mapping[str, Any]) -> list[str]:
    """Check every notebook of a report plan against its corpus (``medialens report --check``).

    Parameters
    ----------
    plan : list of (notebook path, parameters)
        From :func:`medialens.report.plan_report`: the values the file gives each notebook.
    param_file : Path
        The parameter file, named in the messages.
    common : mapping
        Its top-level keys (to tell a top-level key from a per-notebook one).

    Returns
    -------
    list of str
        One line per problem, naming the notebook, the parameter file key to change and why.
    """
    from .report import notebook_parameters

    loaded: dict[tuple[str, bool], Any] = {}  # (corpus, use_cache) -> (corpus or sample, Spark engine or None)
    lines = []
    try:
        for nb, given in plan:
            values = {name: p.default for name, p in notebook_parameters(nb).items()}
            values.update(given)
            lines += _plan_lines(nb, given, common, param_file, _notebook_problems(nb, values, loaded))
    finally:
        for _, engine in loaded.values():  # the Spark engines, stopped once every notebook is checked
            if engine is not None:
                engine.stop()
    return list(dict.fromkeys(lines))


def _notebook_problems(nb: Path, values: dict[str, Any], loaded: dict) -> list[Problem]:
    """The problems of one notebook's ``values``, loading its corpus into ``loaded`` once (on the
    Spark engine its sample and the running engine, which checks groups, and the words the sample
    lacks, over every document)."""
    from .session import in_language, load_with_engine
    from .text import TextSettings

    found = problems_before_loading(nb.stem, values)
    if found or not isinstance(values.get("corpus"), str):
        return found
    key = (values["corpus"], bool(values.get("use_cache", True)))
    try:
        if key not in loaded:
            loaded[key] = load_with_engine(key[0], use_cache=key[1], random_state=values.get("random_state", 0))
        corpus, engine = loaded[key]
        settings = TextSettings.for_corpus(
            corpus.definition.language, language=values.get("language", "auto"),
            remove_stopwords=values.get("remove_stopwords", True), keep_negations=values.get("keep_negations", True),
            reduce=values.get("reduce", "none"),
        )
    except ValueError as exc:
        return [Problem("corpus", str(exc).splitlines()[0])]
    if (empty := _empty_corpus(corpus, engine)) is not None:
        return [empty]
    try:  # the documents the notebook analyses, as its session takes them (open_session)
        corpus, _ = in_language(corpus, settings.language)
    except ValueError as exc:
        return [Problem("language", str(exc).splitlines()[0])]
    return problems_with_corpus(nb.stem, values, corpus, settings, engine=engine)


def _plan_lines(nb: Path, given: Mapping[str, Any], common: Mapping[str, Any], param_file: Path, found: list[Problem]) -> list[str]:
    """One line per problem, naming the notebook and the parameter-file key to change."""
    lines = []
    for p in found:
        if p.change is not None:
            lines.append(f"{nb.stem}: {p.message} [change {p.change}]")
            continue
        if p.parameter in given and p.parameter not in common:
            where = f"notebooks: {nb.stem}: {p.parameter}"
        elif p.parameter in given:
            where = p.parameter
        else:
            where = f"{p.parameter} (the notebook's default; set it under notebooks: {nb.stem}:)"
        lines.append(f"{nb.stem}: {p.message} [change {where} in {param_file.name}]")
    return lines


def names_parameter(message: str, parameters) -> bool:
    """Does ``message`` start by naming one of ``parameters`` (``"min_df = 2 ..."``, ``"k: only 2
    documents ..."``), as the messages of a parameter that cannot be met do?"""
    return any(message.startswith((f"{p} ", f"{p}:", f"{p}=")) for p in parameters)


@contextmanager
def stops_on(*parameters: str) -> Iterator[None]:
    """Inside the ``with`` block, a ValueError whose message starts with one of ``parameters``
    (``"min_df = 2 ..."``, ``"k: only 2 documents ..."``) stops the notebook with its first line
    (a :class:`Stop`, no traceback); any other error passes unchanged.

    Parameters
    ----------
    parameters : str
        Argument names, as the messages of the functions called inside start with them.
    """
    try:
        yield
    except Stop:
        raise
    except ValueError as exc:
        message = str(exc)
        if names_parameter(message, parameters):
            raise Stop(message.splitlines()[0]) from None
        raise


@contextmanager
def stops_reading(parameter: str, value: object) -> Iterator[None]:
    """Inside the ``with`` block, which reads the file a path parameter names, any ValueError (a
    problem in the file: its line, a value the codebook does not have ...) stops the notebook with
    one line naming the parameter, its value and the problem (a :class:`Stop`, no traceback).

    Parameters
    ----------
    parameter : str
        The path parameter (``coded_path``).
    value : object
        Its value, as the user gave it.
    """
    try:
        yield
    except Stop:
        raise
    except (ValueError, OSError) as exc:
        raise Stop(f"{parameter} = {value!r}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def clustering_unit(corpus, unit: str) -> str:
    """The unit notebook 20 clusters: ``unit``, or ``"document"`` when ``unit = "paragraph"`` and no
    document has more than one paragraph (paragraph units would be the documents themselves).

    Parameters
    ----------
    corpus : medialens.corpus.Corpus
    unit : "paragraph" | "document"

    Returns
    -------
    str
        Raises :class:`Stop` when the corpus has fewer than two documents.
    """
    validate.choice(unit, "unit", CLUSTER_UNITS)
    n = len(corpus.documents)
    if n < 2:
        raise Stop(
            f"topic clustering compares documents (or their paragraphs across documents) and this corpus has {n}: "
            "add documents to the corpus to cluster them"
        )
    if unit == "paragraph" and (corpus.documents["n_paragraphs"].fillna(0) <= 1).all():
        return "document"
    return unit
