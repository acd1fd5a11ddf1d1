"""One place for paths: everything is resolved from the project root, never the working directory.

papermill runs a kernel in the caller's working directory and nbval in the notebook's, so a
relative path such as ``corpus/seeds.yaml`` must mean the same thing in both. The project root is
``$MEDIALENS_ROOT`` when set, else the folder holding this package's ``pyproject.toml`` (an
editable install), else the nearest parent of the working directory that has ``corpus/`` and
``notebooks/``.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["project_root", "resolve", "confine", "atomic_write", "relative_to_root", "cache_dir"]


def _looks_like_root(path: Path) -> bool:
    return (path / "pyproject.toml").is_file() and (path / "notebooks").is_dir()


def project_root() -> Path:
    """Return the project root (see module docstring)."""
    env = os.environ.get("MEDIALENS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2]
    if _looks_like_root(here):
        return here
    for parent in [Path.cwd().resolve(), *Path.cwd().resolve().parents]:
        if _looks_like_root(parent):
            return parent
    raise RuntimeError(
        "cannot find the medialens project root; set MEDIALENS_ROOT to the folder holding "
        "pyproject.toml, corpus/ and notebooks/"
    )


def resolve(path: str | os.PathLike, *, base: str | os.PathLike | None = None) -> Path:
    """Resolve ``path``: absolute paths are kept, relative ones are taken from ``base``
    (default: the project root)."""
    p = Path(path).expanduser()
    if p.is_absolute():
        return p.resolve()
    return (Path(base) if base is not None else project_root()).joinpath(p).resolve()


def relative_to_root(path: str | os.PathLike) -> str:
    """Show ``path`` relative to the project root when it lies inside it (for stable output)."""
    p = Path(path).resolve()
    try:
        return p.relative_to(project_root()).as_posix()
    except ValueError:
        return p.as_posix()


def confine(path: str | os.PathLike, root: str | os.PathLike, *, what: str = "path") -> Path:
    """Resolve ``path`` against ``root`` and refuse it unless it stays inside ``root``.

    ``what`` names the parameter in the error message.
    """
    root_p = Path(root).resolve()
    p = Path(path)
    full = (p if p.is_absolute() else root_p / p).resolve()
    if full != root_p and root_p not in full.parents:
        raise ValueError(
            f"{what} = {str(path)!r} resolves to {full}, outside the output folder {root_p}; "
            "outputs may only be written inside it"
        )
    return full


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    If the body raises, the old file (if any) is left untouched and the temporary file removed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(target))  # mkstemp made it 0600
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _file_mode(target: Path) -> int:
    """The mode an ordinary write would give: the existing file's, else 0666 minus the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def cache_dir() -> Path:
    """Folder for derived, rebuildable data (``$MEDIALENS_CACHE`` or ``<root>/.cache/medialens``)."""
    env = os.environ.get("MEDIALENS_CACHE")
    return Path(env).resolve() if env else project_root() / ".cache" / "medialens"
