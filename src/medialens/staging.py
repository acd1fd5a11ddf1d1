"""A report folder is replaced as a whole: each run writes into a staging folder and swaps it in.

A run killed halfway (``kill -9``, a power cut) must not leave ``reports/<corpus>/`` holding some
pages from this run and some from the last one with nothing to say so. The runner therefore
writes every page of a run into ``.<name>.staging-<pid>-<token>/`` beside the report folder (same
file system, so a rename moves it) and, when the run is over, renames the old folder away
(``.<name>.old-<pid>-<token>``), renames the staging folder into its place and deletes the old
one. POSIX cannot exchange two folders in one step: a run killed between the two renames leaves
no report folder at all (never a mixed one), and the next run builds it afresh. Folders left by a
run that no longer lives (its process id is gone) are removed at the start of the next run.

Figures are not staged: ``figures/<corpus>/`` is an export folder the notebooks write while
they run (and, for the seeds, a folder tracked by git); every figure file is written whole
(temporary file and rename), and the report pages embed their own copies of the images, so a
page never shows a figure from another run. After an interrupted run some figure files may be
from the earlier run until the next run rewrites them; the runner says so when it cleans up.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from .paths import project_root, relative_to_root, resolve

__all__ = ["check_replaceable", "new_staging", "remove_leftovers", "restage", "swap_in", "unstage"]


def _leftover_re(out: Path) -> re.Pattern:
    return re.compile(rf"\.{re.escape(out.name)}\.(?:staging|old)-(\d+)-[A-Za-z0-9_]+")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (POSIX); elsewhere every other process counts as gone."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path)


def remove_leftovers(out: Path) -> list[Path]:
    """Remove the staging and old folders of ``out`` left by runs whose process is gone.

    Returns the folders removed (sorted). Folders of a run still going (another process, or this
    one) are left alone.
    """
    if not out.parent.is_dir():
        return []
    pattern = _leftover_re(out)
    removed = []
    for entry in sorted(out.parent.iterdir()):
        m = pattern.fullmatch(entry.name)
        if m and not _alive(int(m.group(1))):
            _remove(entry)
            removed.append(entry)
    return removed


def check_replaceable(out: Path) -> str | None:
    """Why ``out`` may not be replaced by a report folder (``None`` when it may).

    A folder inside the project's ``reports/`` is the runner's own. Anywhere else (``--out``) the
    folder must be new, empty, or a report written earlier (it holds ``index.html``): the runner
    replaces it whole, so a folder holding other files is refused rather than deleted.
    """
    root = project_root()
    if out == root or out in root.parents:
        return f"the output folder {out} holds the project itself"
    if not out.exists() and not out.is_symlink():
        return None
    if not out.is_dir():
        return f"the output folder {out} exists and is not a folder"
    if (root / "reports") in out.parents or not any(out.iterdir()) or (out / "index.html").is_file():
        return None
    return (
        f"the output folder {out} holds files but no index.html, so it is not a report folder; a run "
        "replaces its output folder as a whole: name a new or empty folder"
    )


def new_staging(out: Path) -> Path:
    """Create and return a fresh, empty staging folder beside ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-{os.getpid()}-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp made it 0700; the report folder gets an ordinary folder's mode
    return staging


def swap_in(staging: Path, out: Path) -> None:
    """Put ``staging`` in the place of ``out``; the old ``out`` (if any) is deleted afterwards.

    If the second rename fails, the old folder is put back before the error is raised.
    """
    retired = None
    if out.exists() or out.is_symlink():
        token = staging.name.rpartition("-")[2]
        retired = out.with_name(f".{out.name}.old-{os.getpid()}-{token}")
        os.replace(out, retired)
    try:
        os.replace(staging, out)
    except OSError:
        if retired is not None:
            os.replace(retired, out)
        raise
    if retired is not None:
        _remove(retired)


def restage(value: str, out: Path, staging: Path) -> str:
    """A path parameter ``value`` (relative to the project root, or absolute) that points inside
    ``out``, pointed at the same place inside ``staging``; any other value unchanged."""
    path = resolve(value)
    if path != out and out not in path.parents:
        return value
    return relative_to_root(staging / path.relative_to(out))


def unstage(text: str, staging: Path, out: Path) -> str:
    """``text`` (an executed notebook) with every mention of the staging folder replaced by the
    report folder it becomes, so that the stored parameters name the final paths."""
    for a, b in ((str(staging), str(out)), (relative_to_root(staging), relative_to_root(out))):
        text = text.replace(a, b)
    return text
