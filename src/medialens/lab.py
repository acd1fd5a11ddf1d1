"""Working copies for JupyterLab: ``make lab`` (``medialens lab``) opens ``work/``, never ``notebooks/``.

The notebooks in ``notebooks/`` are references: their stored outputs are what ``make test``
compares against, and ``make store`` records them (:mod:`medialens.store`). JupyterLab saves an
open notebook every two minutes without asking, so students and analysts work on copies:
``medialens lab`` copies every notebook missing from the working folder (``work/``, ignored by
git) from ``notebooks/``, leaves copies that exist alone (your edits stay), says which copies are
older than their reference, and starts JupyterLab there. A kernel still resolves every path from
the project root (:mod:`medialens.paths`) and works in it (:func:`medialens.kernel.prepare`), and
an interactive run writes its figures under ``work/`` (:func:`figures_folder`), never over the
figures a report or ``make store`` wrote.

``medialens lab --params class.params.yaml`` (``make lab ARGS="--params ..."``) makes the copies
for one corpus: in ``work/<corpus name>/``, each with the parameter file's values written into
its parameters cell (checked as ``medialens report`` checks them) and no stored outputs, so a
class can share one corpus definition and parameter file.
"""

from __future__ import annotations

import ast
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .kernel import RUN_ENV, interactive
from .paths import project_root, relative_to_root, resolve

if TYPE_CHECKING:  # nbformat is imported where used: every notebook kernel imports this module (through
    import nbformat  # medialens.session), and nbformat's schema checks take seconds of CPU to import

__all__ = [
    "WORK_DIR", "figures_folder", "seed_working_copies", "with_parameters", "parameter_plan", "lab_command",
    "lab_environment", "main",
]

#: The working folder, relative to the project root (git ignores it).
WORK_DIR = "work"


def figures_folder(folder: str | os.PathLike) -> Path:
    """Where a notebook writes the figures it is asked to write to ``folder`` (a resolved path).

    In a report run, ``make store`` or the tests: ``folder`` itself. In an interactive kernel
    (JupyterLab): the same place under the working folder when ``folder`` lies inside the project
    (``figures/seeds`` becomes ``work/figures/seeds``), so an interactive run never overwrites the
    tracked figures; a folder already under ``work/`` or outside the project is kept.
    """
    folder = Path(folder)
    if not interactive():
        return folder
    root = project_root()
    work = root / WORK_DIR
    if folder.is_relative_to(work) or not folder.is_relative_to(root):
        return folder
    return work / folder.relative_to(root)


def _stored_record(path: Path) -> object:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("medialens")
    except (OSError, ValueError, AttributeError):
        return None


def with_parameters(nb: nbformat.NotebookNode, values: dict[str, Any], origin: str) -> nbformat.NotebookNode:
    """Write ``values`` into the parameters cell of ``nb`` (in place; returned), keeping each
    line's comment, and clear the outputs (they were stored for the defaults). A first comment
    line names ``origin``, where the values come from. Names the cell does not declare are left
    out (:func:`parameter_plan` has checked them)."""
    from .report import _parameters_cell

    cell = _parameters_cell(nb, "notebook")
    lines = cell.source.splitlines()
    for stmt in reversed(ast.parse(cell.source).body):
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        if target.id not in values:
            continue
        first = lines[stmt.lineno - 1]
        head = first[: stmt.value.col_offset]  # "name = " or "name: type = "
        comment = f"  # {first.partition('#')[2].strip()}" if "#" in first else ""
        lines[stmt.lineno - 1 : stmt.end_lineno] = [f"{head}{values[target.id]!r}{comment}"]
    cell.source = "\n".join([f"# values from {origin} (medialens lab --params)", *lines])
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    return nb


def parameter_plan(params_file: str | os.PathLike) -> tuple[str, dict[str, dict[str, Any]]]:
    """The corpus name and, per notebook file name, the values a parameter file gives it, checked
    as ``medialens report`` checks them (raises :class:`medialens.report.ParameterError`). The
    output folders a report run would use (``tables_dir``, ``output_*``) are left out: a working
    copy keeps its interactive defaults; ``figures_dir`` stays (:func:`figures_folder` moves it
    under ``work/``)."""
    from .report import OUTPUT_PATH_NAMES, plan_report

    out, _figures, plan = plan_report(params_file)
    kept = {nb.name: {k: v for k, v in values.items() if k == "figures_dir" or not OUTPUT_PATH_NAMES.match(k)}
            for nb, values in plan}
    return out.name, kept


def seed_working_copies(
    work: Path, references: Path, parameters: dict[str, dict[str, Any]] | None = None, origin: str = ""
) -> tuple[list[str], list[str]]:
    """Copy every notebook of ``references`` that ``work`` does not have; never overwrite one.

    With ``parameters`` (per notebook file name, from :func:`parameter_plan`), each new copy gets
    those values in its parameters cell (:func:`with_parameters`, naming ``origin``).
    Returns (copied, outdated): the names copied, and the names of copies whose reference was
    stored anew since the copy was made (its ``make store`` record differs).
    """
    work.mkdir(parents=True, exist_ok=True)
    copied, outdated = [], []
    for ref in sorted(p for p in references.glob("*.ipynb") if not p.name.startswith(".")):  # not a store's scratch
        copy = work / ref.name
        if not copy.exists():
            if parameters is None:
                shutil.copyfile(ref, copy)
            else:
                import nbformat

                nb = with_parameters(nbformat.read(ref, as_version=4), parameters.get(ref.name, {}), origin)
                nbformat.write(nb, copy)
            copied.append(ref.name)
        elif _stored_record(copy) != _stored_record(ref):
            outdated.append(ref.name)
    return copied, outdated


def lab_environment() -> dict[str, str]:
    """The environment JupyterLab and its kernels get: the project root, and no report-run marker
    (so kernels know they are interactive); deterministic settings are the kernel's own business
    (:func:`medialens.kernel.prepare`)."""
    env = dict(os.environ)
    env.pop(RUN_ENV, None)
    env["MEDIALENS_ROOT"] = str(project_root())
    return env


def lab_command(work: Path, args: list[str]) -> list[str]:
    """The command that starts JupyterLab in ``work`` with the extra ``args`` (port, no browser ...).

    As root, JupyterLab refuses to start without ``--allow-root``: it is added. Kernels talk to
    the server over IPC sockets where the system has them (no unencrypted TCP, no warning).
    """
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={work}"]
    if os.name == "posix":
        cmd.append("--KernelManager.transport=ipc")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        cmd.append("--allow-root")
    return cmd + list(args)


def main(args: list[str], *, work_dir: str | None = None, params: str | None = None, stream=sys.stderr) -> int:
    """Seed the working folder and replace this process with JupyterLab (see module docstring).

    ``args`` go to JupyterLab; ``work_dir`` is the working folder (default ``work/``, or
    ``work/<corpus name>/`` with ``params``, a parameter file whose values the new copies get).
    Returns 2 after a one-line message when the parameter file is not usable."""
    from .report import ParameterError

    root = project_root()
    plan, origin, name = None, "", None
    if params:
        try:
            name, plan = parameter_plan(resolve(params, base=Path.cwd()))
        except (ParameterError, OSError, ValueError) as exc:
            print(f"medialens lab: {exc}", file=stream)
            return 2
        origin = relative_to_root(resolve(params, base=Path.cwd()))
    work = resolve(work_dir, base=Path.cwd()) if work_dir else root / WORK_DIR / (name or "")
    copied, outdated = seed_working_copies(work, root / "notebooks", plan, origin)
    where = relative_to_root(work)
    for nb_name in copied:
        print(f"medialens lab: {where}/{nb_name}: copied from notebooks/{nb_name}"
              + (f" with the values of {origin}" if plan is not None else ""), file=stream)
    for nb_name in outdated:
        print(
            f"medialens lab: {where}/{nb_name}: notebooks/{nb_name} changed since this copy was made; "
            f"delete {where}/{nb_name} to get a fresh copy (your edits in it are lost)",
            file=stream,
        )
    print(f"medialens lab: JupyterLab on {where}/ (working copies; notebooks/ holds the references)", file=stream, flush=True)
    cmd = lab_command(work, args)
    os.execve(cmd[0], cmd, lab_environment())
    return 0  # not reached
