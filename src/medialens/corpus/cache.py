"""The on-disk corpus cache: content keys, the stat index and reading a cached corpus."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..paths import atomic_write, cache_dir, relative_to_root
from .definition import CorpusDefinition
from .table import Corpus

#: Modules whose code decides what a loaded corpus holds: a change to any of them invalidates
#: every cached corpus (the package version alone is not bumped for every fix).
_LOADER_MODULES = ("records.py", "text.py", "tokens.py", "dedup.py", "language.py")  # beside the corpus package


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")) + [package.parent / name for name in _LOADER_MODULES]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _inputs_of(defn: CorpusDefinition, files: list[str]) -> list[str]:
    return [*files, *([str(defn.metadata_path)] if defn.metadata_path else [])]


def _cache_key(defn: CorpusDefinition, files: list[str]) -> str:
    """Hash of every setting, the loader's code, and every input file's path and bytes."""
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps(defn.settings(), sort_keys=True, default=str).encode())
    h.update(_code_fingerprint().encode())
    for path in _inputs_of(defn, files):
        h.update(os.fsencode(path) + b"\0")  # fsencode: a name that is not UTF-8 is still bytes
        try:
            with open(path, "rb") as fh:
                h.update(hashlib.file_digest(fh, lambda: hashlib.blake2b(digest_size=16)).digest())
        except OSError as exc:  # unreadable: the loader skips it with its reason; so does the key
            h.update(f"unreadable {exc.errno}".encode())
    return h.hexdigest()


#: The stat index is trusted only when every input last changed this long before the moment its
#: metadata was read (git's "racy" rule; 3 s covers file systems with 1 s and 2 s timestamps).
_RACY_NS = 3_000_000_000


#: Windows reports a file's creation time as st_ctime, which an edit does not move: no index there.
_STAT_INDEX = os.name == "posix"


def _stat_signature(defn: CorpusDefinition, files: list[str]) -> tuple[str, int]:
    """Hash of every setting, the loader's code and every input's path, size, inode, modification
    and change times (no file is read); and the newest of those times."""
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps(defn.settings(), sort_keys=True, default=str).encode())
    h.update(_code_fingerprint().encode())
    newest = 0
    for path in _inputs_of(defn, files):
        h.update(os.fsencode(path) + b"\0")
        try:
            st = os.stat(path)
        except OSError as exc:
            h.update(f"unreadable {exc.errno}\n".encode())
            continue
        h.update(f"{st.st_size}\0{st.st_dev}\0{st.st_ino}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\n".encode())
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    return h.hexdigest(), newest


def _indexed_key(index: Path, newest: int, stat_ns: int) -> str | None:
    """The cache key remembered in ``index`` for the inputs' current metadata, if it can be trusted.

    Reading 100k inputs to hash them took half the time of loading a corpus from the cache. As git
    does with its index, the content key is remembered under a hash of the inputs' file-system
    metadata (size, inode, modification and change time: writing a file's bytes moves its change
    time, which tools such as ``touch -r`` or ``cp -p`` cannot set back) and reused while that is
    unchanged, unless an input changed within ``_RACY_NS`` of the moment the metadata was read
    (``stat_ns``) or carries a time in the future. POSIX only. The key is used only for a cache
    hit, never to store a new build.
    """
    try:
        record = json.loads(index.read_text(encoding="utf-8"))
        key = record["key"]
        trusted = newest < record["stat_ns"] - _RACY_NS and newest <= stat_ns
        if trusted and isinstance(key, str) and re.fullmatch(r"[0-9a-f]{32}", key):
            return key
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _load_cached(cache_file: Path, defn: CorpusDefinition) -> Corpus | None:
    """The corpus cached in ``cache_file``, or ``None`` when there is none or it cannot be read."""
    try:
        if not cache_file.is_file():
            return None
        fh = cache_file.open("rb")
    except OSError:  # an unreadable cache folder or file: load without it
        return None
    try:
        with fh:
            corpus = pickle.load(fh)
    except Exception:  # a broken cache is rebuilt, never trusted
        try:
            cache_file.unlink(missing_ok=True)
        except OSError:
            pass
        return None
    corpus.definition = defn
    corpus.from_cache = True
    return corpus


@contextmanager
def _build_lock(cache_file: Path) -> Iterator[None]:
    """Held while this process looks up and builds the corpus cached in ``cache_file``: another
    process loading the same corpus at the same time (two notebooks of a report run side by side)
    waits, then reads the cache instead of building the corpus again. The lock file beside the
    cache file is removed on release (a waiter that then holds a removed file tries again). No
    lock where there is no ``fcntl`` (Windows), the cache folder cannot be written or the file
    system has no locks: each process then builds for itself, as without the lock."""
    lock = cache_file.with_suffix(".lock")
    try:
        import fcntl

        cache_file.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fh = open(lock, "a")  # noqa: SIM115 (closed below)
            try:
                fcntl.flock(fh, fcntl.LOCK_EX)
                if os.fstat(fh.fileno()).st_ino == os.stat(lock).st_ino:
                    break  # the lock file that is still in place: ours
            except FileNotFoundError:  # removed by the holder we waited for: try again
                pass
            except OSError:
                fh.close()
                raise
            fh.close()
    except (ImportError, OSError):
        yield
        return
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
        fh.close()  # releases the lock


def _write_cache(path: Path, mode: str, write) -> OSError | None:
    """Write one cache file atomically with ``write(fh)``; return the error if the cache folder
    cannot be written (read-only, full, not a folder), ``None`` on success."""
    try:
        with atomic_write(path, mode) as fh:
            write(fh)
    except OSError as exc:
        return exc
    return None


#: Cache folders already reported as unwritable in this process (the warning is given once).
_UNWRITABLE_CACHE_WARNED: set[str] = set()


def _cache_not_written(corpus: Corpus, exc: OSError) -> Corpus:
    """Record in ``corpus.notes`` (and warn once per folder) that the cache could not be written."""
    folder = relative_to_root(cache_dir())
    detail = (
        f"the cache folder {folder} cannot be written ({exc.strerror or type(exc).__name__}): nothing was "
        "cached and the next load reads every input again (MEDIALENS_CACHE names another folder)"
    )
    if folder not in _UNWRITABLE_CACHE_WARNED:
        _UNWRITABLE_CACHE_WARNED.add(folder)
        logging.getLogger(__name__).warning("medialens: %s", detail)
    rows = [*corpus.notes.itertuples(index=False, name=None), ("", None, "cache_not_written", detail, None)]
    corpus.notes = pd.DataFrame(rows, columns=corpus.notes.columns).astype(corpus.notes.dtypes.to_dict())
    return corpus


def cache_file_for(defn: CorpusDefinition, key: str) -> Path:
    """Where the corpus loaded with ``key`` is cached."""
    return cache_dir() / f"corpus-{defn.name}-{key}.pkl"
