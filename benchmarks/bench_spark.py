"""Benchmark: the Spark engine (local mode) beside the in-memory engine, read -> counts -> TF-IDF -> k-means.

    python benchmarks/bench_spark.py [--sizes 100000] [--fmt txt] [--master 'local[2]'] [--driver-memory 2g]

Needs the spark extra (``make spark``). Each engine runs in a child process of its own:

``memory``  ``load_corpus`` (no cache) -> ``count_terms`` (unigrams, from the corpus word table) ->
            ``tfidf`` of the documents (min_df=5, max_df=0.5, sublinear tf) -> scikit-learn
            ``KMeans`` (Lloyd, k=8, one start from the rows of a seeded sample of 8 documents);
``spark``   ``read_corpus`` -> ``count_terms_spark`` (per outlet × month) -> ``tfidf_spark`` (the
            same settings) -> ``kmeans_spark`` (k=8, the same kind of seeded start), in a
            ``local[2]`` session started and stopped inside the step.

Printed per size and engine: wall seconds per stage and in all, the Python driver's peak memory and,
for Spark, the JVM's peak (``VmHWM`` of the Spark driver process, read before it stops; the Python
workers' memory is not in it). On 2 cores Spark is expected to be slower: the figures are about
memory and about where the time goes, not a race. ``uptime`` load is printed beside them.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
from harness import load_avg, peak_mb, run_child  # noqa: E402
from synth import ensure_corpus  # noqa: E402

K = 8
MIN_DF = 5
MAX_DF = 0.5


def _seeded_rows(doc_ids: list[str], k: int) -> list[str]:
    import numpy as np

    ids = sorted(doc_ids)
    return [ids[i] for i in np.random.RandomState(0).choice(len(ids), size=k, replace=False).tolist()]


def _memory(yaml_path: str) -> dict:
    import numpy as np
    from sklearn.cluster import KMeans

    from medialens.clustering import make_units, tfidf
    from medialens.corpus import load_corpus
    from medialens.frequency import count_terms

    times = {}
    t = time.perf_counter()
    corpus = load_corpus(yaml_path, use_cache=False)
    times["read"] = time.perf_counter() - t
    t = time.perf_counter()
    count_terms(corpus.documents, words=corpus.words)
    times["counts"] = time.perf_counter() - t
    t = time.perf_counter()
    matrix = tfidf(make_units(corpus, unit="document"), min_df=MIN_DF, max_df=MAX_DF, words=corpus.words)
    times["tfidf"] = time.perf_counter() - t
    t = time.perf_counter()
    ids = matrix.units["doc_id"].tolist()
    rows = [ids.index(d) for d in _seeded_rows(ids, K)]
    KMeans(n_clusters=K, init=matrix.X[rows].toarray(), n_init=1, algorithm="lloyd").fit(matrix.X)
    times["kmeans"] = time.perf_counter() - t
    return {"documents": len(corpus.documents), "terms": len(matrix.terms), "times": times,
            "python_peak_mb": peak_mb(), "jvm_peak_mb": None, "total": float(np.sum(list(times.values())))}


def _jvm_peak_mb(spark) -> float | None:
    """VmHWM of the Spark driver JVM (this process's gateway child), in MB."""
    try:
        pid = spark.sparkContext._gateway.proc.pid
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (AttributeError, OSError, ValueError):
        return None
    return None


def _spark(yaml_path: str) -> dict:
    from medialens.spark.clustering import kmeans_spark, tfidf_spark
    from medialens.spark.counting import count_terms_spark
    from medialens.spark.reading import read_corpus
    from medialens.spark.session import start_session, stop_session

    backend = json.loads(os.environ["BENCH_SPARK_BACKEND"])
    times = {}
    t = time.perf_counter()
    spark = start_session(backend, app_name="medialens-bench")
    times["session"] = time.perf_counter() - t
    try:
        t = time.perf_counter()
        corpus = read_corpus(spark, yaml_path)
        times["read"] = time.perf_counter() - t
        t = time.perf_counter()
        count_terms_spark(corpus.documents, normalised=True)
        times["counts"] = time.perf_counter() - t
        t = time.perf_counter()
        matrix = tfidf_spark(corpus.documents, min_df=MIN_DF, max_df=MAX_DF, normalised=True)
        times["tfidf"] = time.perf_counter() - t
        t = time.perf_counter()
        kmeans_spark(matrix, k=K, random_state=0)
        times["kmeans"] = time.perf_counter() - t
        jvm = _jvm_peak_mb(spark)
    finally:
        stop_session(spark)
    return {"documents": corpus.n_documents, "terms": len(matrix.terms), "times": times,
            "python_peak_mb": peak_mb(), "jvm_peak_mb": jvm, "total": sum(times.values())}


def _child(step: str, yaml_path: str) -> dict:
    return _memory(yaml_path) if step == "memory" else _spark(yaml_path)


def _show(n: int, engine: str, r: dict) -> None:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in r["times"].items())
    jvm = f", JVM driver peak {r['jvm_peak_mb']:,.0f} MB" if r["jvm_peak_mb"] else ""
    print(f"  {n:>9,} {engine:<7} {r['total']:7.1f} s ({stages}); Python peak {r['python_peak_mb']:,.0f} MB{jvm}; "
          f"{r['documents']:,} documents, {r['terms']:,} terms", flush=True)


def _options(ap) -> None:
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="2g")
    ap.add_argument("--engines", default="memory,spark", help="memory, spark or both")


def _bench_size(n: int, fmt: str, *, master: str, driver_memory: str, engines: str) -> list[dict]:
    """Both engines on the synthetic corpus of ``n`` articles, each in a child process (one cache folder)."""
    backend = json.dumps({"master": master, "driver_memory": driver_memory})
    yaml_path = ensure_corpus(n, fmt=fmt)
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-spark-cache-") as cache:
        for engine in engines.split(","):
            r = run_child(__file__, engine, ["--yaml", str(yaml_path)], env={"MEDIALENS_CACHE": cache, "BENCH_SPARK_BACKEND": backend})
            _show(n, engine, r)
            out.append({"n": n, "engine": engine, **r})
    print(f"  load after: {load_avg()}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_spark", __doc__.splitlines()[0], steps=("memory", "spark"), child=_child,
                        bench_size=_bench_size, argv=argv, options=_options, sizes="100000")


if __name__ == "__main__":
    raise SystemExit(main())
