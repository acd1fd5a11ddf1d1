"""Stored outputs of the tracked notebooks, and the record that protects them.

``make store`` (``medialens store-outputs``) re-runs every notebook in ``notebooks/`` with its own
defaults and stores the outputs in place: nbval compares the notebooks against them. nbval compares
a notebook with its *own* stored outputs, so a notebook edited and saved in JupyterLab (which
autosaves every two minutes) would still pass. Storing therefore also records, in the notebook's
metadata (``medialens`` → ``stored``), what was stored: the parameter defaults, a short hash of
every cell's source and of every code cell's outputs. :func:`check_stored` compares a notebook
with its record (the tests run it over every tracked notebook), and names what changed.

Every stored notebook gets :data:`KERNELSPEC`, the kernelspec JupyterLab writes for the
environment's own kernel, so opening and saving a notebook unchanged changes nothing.

The record also lists the figures the notebook drew. Storing it again removes a figure the last
storing drew and this one does not (:func:`remove_stale_figures`): a silhouette plot drawn while
``k`` was ``"auto"`` does not stay beside the new figures once ``k`` is fixed. Figures other runs
drew in the same folder (a report run with other parameters) are left alone.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import nbformat

from .paths import atomic_write, project_root, relative_to_root, resolve

__all__ = [
    "KERNELSPEC",
    "record",
    "check_stored",
    "stored_message",
    "store_outputs",
    "snapshot_figures",
    "remove_stale_figures",
]

#: The kernelspec every notebook carries: what JupyterLab writes for the environment's Python kernel.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: The notebook metadata key holding the record.
RECORD_KEY = "medialens"
#: Files in a figures folder that a run writes (and so may remove when it no longer writes them).
FIGURE_SUFFIXES = (".png", ".svg")


def _hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _source(cell: dict) -> list:
    return [cell["cell_type"], cell["source"], sorted(cell.get("metadata", {}).get("tags", []))]


def _outputs(cell: dict) -> list:
    """A code cell's execution count and outputs, without what a save may rewrite (output
    metadata, the trailing newline of a base64 image, text split in lines or not)."""
    shown = []
    for out in cell.get("outputs", []):
        item = {k: out[k] for k in ("output_type", "name", "text", "ename", "evalue") if k in out}
        if "data" in out:
            item["data"] = {mime: v.rstrip("\n") if isinstance(v, str) else v for mime, v in out["data"].items()}
        shown.append(item)
    return [cell.get("execution_count"), shown]


def _parameters(nb: nbformat.NotebookNode, name: str) -> dict[str, Any]:
    from .report import ParameterError, notebook_parameters

    try:
        return {n: p.default for n, p in notebook_parameters(nb, name=name).items()}
    except ParameterError as exc:
        return {"(unreadable)": str(exc)}


def fingerprint(nb: nbformat.NotebookNode, name: str = "notebook") -> dict[str, Any]:
    """What :func:`record` records for ``nb``: its parameter defaults, one hash per cell source and
    one per code cell's outputs."""
    return {
        "parameters": _parameters(nb, name),
        "sources": [_hash(_source(c)) for c in nb.cells],
        "outputs": [_hash(_outputs(c)) for c in nb.cells if c["cell_type"] == "code"],
    }


def record(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """Give ``nb`` the project's kernelspec and record its current state in its metadata; return it."""
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata[RECORD_KEY] = {"stored": fingerprint(nb, name)}
    return nb


def _cell_label(nb: nbformat.NotebookNode, index: int) -> str:
    cell = nb.cells[index]
    first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
    first = first if len(first) <= 50 else first[:49] + "…"
    return f"cell {index} ({cell.cell_type}: {first!r})"


def check_stored(path: str | Path) -> list[str]:
    """What differs between the notebook at ``path`` and what ``make store`` recorded in it.

    Returns short descriptions (an empty list when the notebook is as stored): a parameter whose
    default changed (both values), the cells whose source changed, the code cells whose outputs
    changed, cells added or removed, another kernelspec, or no record at all.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    stored = nb.metadata.get(RECORD_KEY, {}).get("stored")
    if not isinstance(stored, dict):
        return ["no record of `make store` in its metadata"]
    problems = []
    if nb.metadata.get("kernelspec") != KERNELSPEC:
        problems.append(f"kernelspec {nb.metadata.get('kernelspec')} instead of {KERNELSPEC}")
    now = fingerprint(nb, path.name)
    old_p, new_p = stored.get("parameters", {}), now["parameters"]
    for name in sorted(set(old_p) | set(new_p)):
        if name not in new_p:
            problems.append(f"parameter {name} removed (recorded {old_p[name]!r})")
        elif name not in old_p:
            problems.append(f"parameter {name} = {new_p[name]!r} added")
        elif old_p[name] != new_p[name]:
            problems.append(f"parameter {name} = {new_p[name]!r} (recorded {old_p[name]!r})")
    old_s, new_s = stored.get("sources", []), now["sources"]
    if len(old_s) != len(new_s):
        problems.append(f"{len(new_s)} cells, recorded {len(old_s)}")
    problems += [f"{_cell_label(nb, i)} changed" for i, (a, b) in enumerate(zip(old_s, new_s, strict=False)) if a != b]
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    old_o, new_o = stored.get("outputs", []), now["outputs"]
    problems += [
        f"outputs of {_cell_label(nb, code[j])} changed"
        for j, (a, b) in enumerate(zip(old_o, new_o, strict=False))
        if a != b
    ]
    return problems


def stored_message(path: str | Path, problems: list[str], shown: int = 6) -> str:
    """The message ``make test`` gives for a tracked notebook that no longer matches its record
    (``problems`` from :func:`check_stored`): what changed (the first ``shown`` items), and the two
    ways out, ``git checkout`` for an edit saved by accident, ``make store`` for a change meant."""
    name = Path(path).name
    listed = "; ".join(problems[:shown]) + (f"; ... and {len(problems) - shown} more" if len(problems) > shown else "")
    return (
        f"notebooks/{name} is not what `make store` recorded: {listed}. "
        f"Saved by accident (JupyterLab autosaves what it opens; `make lab` opens copies in work/)? "
        f"Run `git checkout notebooks/{name}`. A change you mean? Run `make store`."
    )


def _own_figures_folder(folder: Path) -> bool:
    return Path(folder).resolve().is_relative_to(project_root() / "figures")


def snapshot_figures(folder: Path) -> dict[str, tuple[int, int]]:
    """The figure files directly in ``folder``, each with its inode and modification time."""
    if not folder.is_dir():
        return {}
    return {
        p.name: (st.st_ino, st.st_mtime_ns)
        for p in sorted(folder.iterdir())
        if p.suffix in FIGURE_SUFFIXES and p.is_file() and not p.is_symlink() and (st := p.stat())
    }


def remove_stale_figures(folder: Path, before: dict[str, tuple[int, int]]) -> list[str]:
    """Remove the figures of ``folder`` that are exactly as in the snapshot ``before``, i.e. that
    no notebook rewrote since (every figure is written whole into a new file, so a figure written
    by the run has a new inode or time). Only a folder inside the project's ``figures/`` is
    touched: a folder given with ``--figures`` elsewhere may hold pictures of the user's own.
    Returns the names removed, sorted."""
    if not _own_figures_folder(folder):
        return []
    removed = []
    for name, stamp in snapshot_figures(folder).items():
        if before.get(name) == stamp:
            (folder / name).unlink()
            removed.append(name)
    return removed


def _merge_adjacent_streams(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Join stream outputs of one name that follow each other: how a kernel splits one print
    into messages depends on timing, and stored outputs must not."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if out["output_type"] == "stream" and prev and prev["output_type"] == "stream" and prev["name"] == out["name"]:
                prev["text"] += out["text"]
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def _figures_folder(path: Path) -> Path | None:
    """The folder a notebook's ``figures_dir`` default names (None when it declares none)."""
    from .report import notebook_parameters

    declared = notebook_parameters(path).get("figures_dir")
    return resolve(declared.default) if declared is not None and isinstance(declared.default, str) else None


def _store_one(path: Path, stream) -> bool:
    """Run one notebook with its defaults and store it with its record; False when it failed
    (it is then left unchanged). Figures its previous storing drew and this one did not are
    removed from its figures folder."""
    from papermill.exceptions import PapermillExecutionError

    from .report import _execute, _strip_volatile_metadata

    folder = _figures_folder(path)  # also refuses a parameters cell that cannot be checked
    before = snapshot_figures(folder) if folder else {}
    tmp = path.with_name(f".{path.stem}.storing.ipynb")
    print(f"storing outputs of {relative_to_root(path)} ...", file=stream, flush=True)
    try:
        nb = _execute(path, tmp, {})
    except PapermillExecutionError as exc:
        print(f"  FAILED in cell {exc.cell_index}: {exc.ename}: {exc.evalue}; {path.name} left unchanged", file=stream)
        tmp.unlink(missing_ok=True)
        return False
    drawn = sorted(n for n, stamp in snapshot_figures(folder).items() if before.get(n) != stamp) if folder else []
    earlier = nbformat.read(path, as_version=4).metadata.get(RECORD_KEY, {}).get("stored", {}).get("figures", [])
    nb = record(_merge_adjacent_streams(_strip_volatile_metadata(nb)), path.name)
    nb.metadata[RECORD_KEY]["stored"]["figures"] = drawn
    with atomic_write(path, "w") as fh:
        nbformat.write(nb, fh)
    tmp.unlink(missing_ok=True)
    stale = {n: before[n] for n in earlier if n not in drawn and n in before}
    if folder and (removed := remove_stale_figures(folder, stale)):
        print(f"  removed {len(removed)} figure(s) it no longer draws from {relative_to_root(folder)}: "
              f"{', '.join(removed)}", file=stream)
    return True


def store_outputs(notebooks: list[str | Path] | None = None, *, stream=sys.stderr) -> int:
    """Re-run notebooks with their own defaults, store their outputs in place and record them.

    Stored outputs therefore always come from a clean, in-order run (execution counts 1..n). The
    record (see the module docstring) also lists the figures the run drew: a figure the previous
    storing of the same notebook drew and this one does not is removed.

    Parameters
    ----------
    notebooks : list of paths, optional
        The notebooks to store (default: every notebook in ``<project root>/notebooks``).
    stream : file
        Where progress and failures are printed.

    Returns
    -------
    int
        0 when every notebook was stored, 1 when one failed (that notebook is left unchanged).
    """
    from .report import _set_env

    _set_env("store")
    nb_dir = project_root() / "notebooks"
    paths = [resolve(p, base=Path.cwd()) for p in notebooks] if notebooks else sorted(p for p in nb_dir.glob("*.ipynb") if not p.name.startswith("."))  # never a scratch .X.storing.ipynb
    for path in paths:  # refuse a notebook whose parameters cell cannot be checked, before anything runs
        _figures_folder(path)
    failed = sum(not _store_one(path, stream) for path in paths)
    return 1 if failed else 0
