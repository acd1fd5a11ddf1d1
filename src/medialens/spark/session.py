"""Starting and stopping a Spark session for medialens, with the settings local mode needs.

Local mode (``master: local[N]``) runs the driver and the workers on this machine. Five things
must be set for it to work cleanly, and :func:`start_session` sets them:

- the workers run this process's Python (``PYSPARK_PYTHON``, set only when unset, and
  ``spark.pyspark.python``), not the first ``python3`` on the PATH, so that they import the same
  medialens and tokenise identically;
- Spark binds to 127.0.0.1 (``SPARK_LOCAL_IP``, set only when unset and only in local mode), which
  also silences the hostname warning;
- its scratch files go to a private folder (``spark.local.dir`` and the JVM's temporary folder),
  removed by :func:`stop_session` (or, when the process ended without it, by the next
  :func:`start_session`: :func:`remove_stale_folders`), not to the system temporary folder;
- the web UI is off (``spark.ui.enabled``), so no port is opened;
- the JVM's own output (log4j start-up lines, warnings) goes to ``jvm.log`` in the scratch folder,
  not to the console (a report run shows medialens's one line per notebook).

On a cluster (``spark://``, ``yarn``, ``k8s://``) medialens must be installed on the workers with
the same version; the session then uses the cluster's Python unless ``conf`` names one.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import backend_spec

try:
    import fcntl
except ImportError:  # not POSIX: scratch folders of killed sessions are not found again
    fcntl = None

__all__ = ["require_pyspark", "session_conf", "start_session", "stop_session", "spark_session", "remove_stale_folders", "keep_on_disk"]

_PREFIX = "medialens-spark-"  # the private scratch folders start_session makes
_OWNER = ".owner"  # in each: a file its session holds locked while it runs
_HELD: dict[str, int] = {}  # scratch folder -> the open, locked descriptor of its owner file
_USERS: dict[str, int] = {}  # scratch folder of a running session -> start_session calls sharing it


def _claim(folder: str) -> None:
    """Lock ``folder``'s owner file for this process (the lock ends when the process does). The
    file is locked before it gets its name, so no other process sees it unlocked."""
    if fcntl is None:
        return
    tmp = os.path.join(folder, f"{_OWNER}.{os.getpid()}")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.replace(tmp, os.path.join(folder, _OWNER))
    _HELD[folder] = fd


def remove_stale_folders(parent: str | None = None) -> list[str]:
    """Remove the scratch folders of sessions whose process has ended without stopping them (a
    kernel killed at shutdown): those whose owner file is no longer locked.

    Parameters
    ----------
    parent : str, optional
        Where to look (default: the system temporary folder).

    Returns
    -------
    list of str
        The folders removed.
    """
    removed = []
    if fcntl is None:
        return removed
    for folder in sorted(Path(parent or tempfile.gettempdir()).glob(_PREFIX + "*")):
        try:
            fd = os.open(folder / _OWNER, os.O_RDWR)
        except OSError:  # no owner file: not made by start_session, or not claimed yet
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # its session is running
            os.close(fd)
            continue
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)
        removed.append(str(folder))
    return removed


def require_pyspark():
    """The ``pyspark.sql.SparkSession`` class; a one-line ``ImportError`` when the extra is missing."""
    # pyspark warns (when it first converts, not only at import) that pandas 3 is "not yet fully
    # supported"; the conversions medialens uses are tested, so a notebook does not show it
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ImportError(
            "backend.engine = 'spark' needs pyspark: install the extra with `make spark` "
            "(or pip install 'medialens[spark]' -c requirements-spark.lock)"
        ) from None
    return SparkSession


def _is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[")


def session_conf(spec: dict, local_dir: str) -> dict[str, str]:
    """The Spark settings for ``spec`` (a checked backend entry, :func:`backend_spec`): medialens's
    defaults first, then ``spec["conf"]``, which wins.

    Parameters
    ----------
    spec : dict
        ``engine``, ``master``, ``driver_memory``, ``conf``.
    local_dir : str
        The private scratch folder.

    Returns
    -------
    dict of str to str
    """
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": spec["driver_memory"],
        "spark.local.dir": local_dir,
        "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={local_dir}",
        "spark.sql.session.timeZone": "UTC",
    }
    if _is_local(spec["master"]):
        conf["spark.pyspark.python"] = sys.executable
        conf["spark.pyspark.driver.python"] = sys.executable
        conf["spark.driver.host"] = "127.0.0.1"
        conf["spark.driver.bindAddress"] = "127.0.0.1"
        conf["spark.sql.shuffle.partitions"] = "8"
    conf.update(spec["conf"])
    return conf


def start_session(backend: dict | None = None, *, app_name: str = "medialens"):
    """Start a Spark session for ``backend`` (a corpus definition's ``backend:`` entry; default
    ``local[2]`` with a 1 GB driver).

    Parameters
    ----------
    backend : dict, optional
        ``master``, ``driver_memory``, ``conf`` (see :mod:`medialens.spark.config`).
    app_name : str
        The application name shown by the cluster.

    Returns
    -------
    pyspark.sql.SparkSession
        Stop it with :func:`stop_session` (or use :func:`spark_session`).
    """
    spec = backend_spec({**(backend or {}), "engine": "spark"})
    session_class = require_pyspark()
    remove_stale_folders()
    local_dir = tempfile.mkdtemp(prefix=_PREFIX)
    _claim(local_dir)
    if _is_local(spec["master"]):  # read by the JVM and by SparkContext when they start
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = session_class.builder.master(spec["master"]).appName(app_name)
    for key, value in session_conf(spec, local_dir).items():
        builder = builder.config(key, value)
    log = os.path.join(local_dir, "jvm.log")
    try:
        with _jvm_output(log):
            spark = builder.getOrCreate()
    except Exception as exc:  # the JVM's own reason is in its log, not on the console
        said = _last_lines(log)
        if not said:
            raise
        raise RuntimeError(f"Spark did not start ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); "
                           f"the JVM said: {said}") from None
    spark.sparkContext.setLogLevel("ERROR")
    running = spark.sparkContext.getConf().get("spark.local.dir") or ""
    if running != local_dir:  # this process already ran a session: getOrCreate returned it
        if local_dir in _HELD:
            os.close(_HELD.pop(local_dir))
        shutil.rmtree(local_dir, ignore_errors=True)
    _USERS[running] = _USERS.get(running, 0) + 1
    return spark


@contextmanager
def _jvm_output(path: str) -> Iterator[None]:
    """While this process starts its JVM (the first session), its file descriptors 1 and 2 point to
    ``path``: the JVM inherits them, so its start-up lines (log4j, ``WARN NativeCodeLoader``, JDK
    notes) go to that log in the scratch folder instead of the console of a report run. Nothing
    changes when the JVM already runs."""
    from pyspark import SparkContext

    if SparkContext._gateway is not None:
        yield
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass
    saved = [os.dup(1), os.dup(2)]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (*saved, fd):
            os.close(f)


def _last_lines(path: str, n: int = 3) -> str:
    """The last ``n`` non-empty lines of a log, joined by `` | `` ("" when there is none)."""
    try:
        lines = [x.strip() for x in Path(path).read_text(encoding="utf-8", errors="replace").splitlines() if x.strip()]
    except OSError:
        return ""
    return " | ".join(lines[-n:])


def stop_session(spark) -> None:
    """Stop ``spark`` and remove the private scratch folder :func:`start_session` made for it.
    When several :func:`start_session` calls of this process share the session (Spark runs one per
    process), only the last stop stops it."""
    conf = spark.sparkContext.getConf()
    running = conf.get("spark.local.dir") or ""
    if _USERS.get(running, 0) > 1:
        _USERS[running] -= 1
        return
    _USERS.pop(running, None)
    java = (conf.get("spark.driver.extraJavaOptions") or "").split("-Djava.io.tmpdir=")[1:]
    folders = {conf.get("spark.local.dir") or "", *(j.split()[0] for j in java if j.strip())}
    spark.stop()
    for folder in sorted(folders):
        if Path(folder).name.startswith(_PREFIX):
            shutil.rmtree(folder, ignore_errors=True)
        if folder in _HELD:
            os.close(_HELD.pop(folder))


@contextmanager
def spark_session(backend: dict | None = None, *, app_name: str = "medialens") -> Iterator:
    """``with spark_session(backend) as spark:`` — :func:`start_session`, then :func:`stop_session`."""
    spark = start_session(backend, app_name=app_name)
    try:
        yield spark
    finally:
        stop_session(spark)


def keep_on_disk(rdd):
    """Persist ``rdd`` on the executors' local disks only (``DISK_ONLY``) and return it.

    Every RDD of documents, units or per-document rows is kept this way: in local mode the JVM heap
    is the driver's, and blocks kept in memory (the texts of a million articles are gigabytes)
    fill it until Spark stops with ``OutOfMemoryError``; read back from the scratch folder they
    cost a disk read (mostly from the page cache) and nothing of the heap.
    """
    from pyspark import StorageLevel

    return rdd.persist(StorageLevel.DISK_ONLY)
