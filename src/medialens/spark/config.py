"""The ``backend:`` entry of a corpus definition: which engine counts the corpus, checked.

::

    backend:
      engine: spark              # memory (default) | spark
      master: "local[2]"         # a Spark master URL: local[N], spark://host:7077, yarn, k8s://...
      driver_memory: 1g          # spark.driver.memory (only used when this process starts Spark)
      sample: 2000               # documents (a seeded sample) brought into memory for the steps
                                 # that read single documents: concordance, x-ray, bootstrap
      conf:                      # any Spark settings, passed on as given
        spark.executor.memory: 4g

Nothing here imports pyspark, so a definition is checked the same way with or without the extra.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["ENGINES", "DEFAULT_BACKEND", "DEFAULT_MASTER", "DEFAULT_SAMPLE", "backend_spec", "backend_problem"]

ENGINES = ("memory", "spark")
DEFAULT_MASTER = "local[2]"
DEFAULT_DRIVER_MEMORY = "1g"
DEFAULT_SAMPLE = 2000
DEFAULT_BACKEND = {"engine": "memory", "master": DEFAULT_MASTER, "driver_memory": DEFAULT_DRIVER_MEMORY,
                   "sample": DEFAULT_SAMPLE, "conf": {}}

_KEYS = ("engine", "master", "driver_memory", "sample", "conf")
_MEMORY_RE = re.compile(r"[1-9][0-9]*[kmgt]?", re.IGNORECASE)
_CONF_KEY_RE = re.compile(r"[A-Za-z0-9_.-]+")
_MASTER_RE = re.compile(r"local(\[(\*|[1-9][0-9]*)(, *[1-9][0-9]*)?\])?|(spark|k8s|mesos)://\S+|yarn")


def backend_problem(raw: Any) -> str | None:
    """What is wrong with a ``backend:`` entry (one line, naming the key), or None when it is fine."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        return f"backend must be a mapping such as {{engine: spark, master: 'local[2]'}}, got {raw!r}"
    unknown = sorted(set(map(str, raw)) - set(_KEYS))
    if unknown:
        return f"backend: unknown keys {unknown}; known keys are {sorted(_KEYS)}"
    engine = raw.get("engine", "memory")
    if engine not in ENGINES:
        return f"backend.engine = {engine!r}: choose one of {ENGINES}"
    master = raw.get("master", DEFAULT_MASTER)
    if not isinstance(master, str) or not _MASTER_RE.fullmatch(master.strip()):
        return (f"backend.master = {master!r}: a Spark master URL such as 'local[2]', 'spark://host:7077', "
                "'yarn' or 'k8s://https://host:443'")
    memory = raw.get("driver_memory", DEFAULT_DRIVER_MEMORY)
    if not isinstance(memory, str) or not _MEMORY_RE.fullmatch(memory.strip()):
        return f"backend.driver_memory = {memory!r}: an amount such as '1g' or '512m'"
    sample = raw.get("sample", DEFAULT_SAMPLE)
    if not isinstance(sample, int) or isinstance(sample, bool) or sample < 1:
        return f"backend.sample = {sample!r}: a whole number of documents (1 or more), such as 2000"
    conf = raw.get("conf") or {}
    if not isinstance(conf, dict):
        return f"backend.conf must be a mapping of Spark settings (spark.executor.memory: 4g), got {conf!r}"
    for key, value in conf.items():
        if not isinstance(key, str) or not _CONF_KEY_RE.fullmatch(key):
            return f"backend.conf: {key!r} is not a Spark setting name (letters, digits, '.', '_', '-')"
        if not isinstance(value, str | int | float | bool) or value is None:
            return f"backend.conf.{key} = {value!r}: give a string, number or true/false"
    return None


def backend_spec(raw: Any) -> dict:
    """The ``backend:`` entry with defaults filled in: ``engine``, ``master``, ``driver_memory``,
    ``sample`` and ``conf`` (values as strings, booleans as ``true``/``false``).

    Parameters
    ----------
    raw : dict or None
        The entry as read from YAML (None: the in-memory engine).

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        With :func:`backend_problem`'s one-line message.
    """
    problem = backend_problem(raw)
    if problem:
        raise ValueError(problem)
    raw = raw or {}
    conf = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in sorted((raw.get("conf") or {}).items())}
    return {
        "engine": raw.get("engine", "memory"),
        "master": raw.get("master", DEFAULT_MASTER).strip(),
        "driver_memory": raw.get("driver_memory", DEFAULT_DRIVER_MEMORY).strip(),
        "sample": raw.get("sample", DEFAULT_SAMPLE),
        "conf": conf,
    }
