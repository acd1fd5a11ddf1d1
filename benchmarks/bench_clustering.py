"""Benchmark: TF-IDF + clustering, against a bare scikit-learn pipeline in the same run.

    OMP_NUM_THREADS=1 python benchmarks/bench_clustering.py [--sizes 100000] [--paragraph-size 10000] [--k 8]

Each step runs in a fresh child process, so its peak memory (``ru_maxrss``) is its own. The corpus
is loaded from the medialens cache (built once, in a private cache folder); loading is timed
separately and not part of the figures compared.

For every size in ``--sizes`` (document units):

``load``       ``load_corpus`` only: the memory floor every other step starts from;
``ours``       ``make_units(unit="document")`` -> ``tfidf`` (shared tokeniser, min_df=5,
               max_df=0.5, sublinear tf) -> ``cluster(k, minibatch="auto")`` (MiniBatchKMeans above
               20,000 units) with the cosine silhouette on a seeded sample of 2,000;
``baseline``   ``TfidfVectorizer(min_df=5, max_df=0.5, sublinear_tf=True)`` with scikit-learn's
               default analyzer -> the same k-means variant -> ``silhouette_score(sample_size=2000)``;
``ours, full`` ``ours`` with full ``KMeans(n_init=10)`` forced (``minibatch=False``).

For the ``--paragraph-size`` corpus (default 10,000 articles) the same as paragraphs (ours: body
paragraphs of ``Corpus.paragraphs()``; baseline: the text split on blank lines), and the quality of
MiniBatchKMeans against full KMeans (``n_init=10``) on that set, as documents and as paragraphs:
seconds, silhouette on the same seeded sample, adjusted Rand index between the two, and (documents)
ARI against the main topic planted by ``synth.py``.

Target (issue 4): 100k documents in under 3 minutes and under 6 GB. ``uptime`` load is printed
beside the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from harness import load_avg, peak_mb, run_child  # noqa: E402
from synth import parse_sizes  # noqa: E402

K = 8
MIN_DF = 5
MAX_DF = 0.5
SAMPLE = 2000
TARGET_SECONDS = 180.0
TARGET_PEAK_MB = 6144.0


# --------------------------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------------------------
def _child(step: str, yaml_path: str, unit: str, k: int, minibatch: str) -> dict:
    t_import = time.perf_counter()
    import sklearn.cluster  # noqa: F401  imports are not timed, for ours and the baseline alike
    import sklearn.decomposition  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401
    import sklearn.metrics  # noqa: F401

    from medialens.corpus import load_corpus

    import_s = time.perf_counter() - t_import
    t_load = time.perf_counter()
    corpus = load_corpus(yaml_path, use_cache=True)
    load_s = time.perf_counter() - t_load
    out = {"step": step, "unit": unit, "docs": len(corpus.documents), "load_s": load_s, "import_s": import_s}
    if step == "load":
        return {**out, "seconds": 0.0, "peak_mb": peak_mb()}
    mb = {"auto": "auto", "true": True, "false": False}[minibatch]
    if step == "ours":
        from medialens import clustering as cl
        from medialens.text import TextSettings, Tokenizer

        tokenizer = Tokenizer(TextSettings())
        tokenizer("warm up: stopword list loaded")
        t0 = time.perf_counter()
        units = cl.make_units(corpus, unit=unit)
        m = cl.tfidf(units, settings=tokenizer.settings, min_df=MIN_DF, max_df=MAX_DF)
        t1 = time.perf_counter()
        r = cl.cluster(m, k=k, random_state=0, minibatch=mb, silhouette_sample=SAMPLE)
        t2 = time.perf_counter()
        labels = r.labels
        out.update(units=m.shape[0], terms=m.shape[1], nnz=int(m.X.nnz), tfidf_s=t1 - t0, cluster_s=t2 - t1,
                   seconds=t2 - t0, silhouette=r.silhouette, minibatch=r.minibatch, k=r.k)
        doc_ids = m.units["doc_id"].tolist()
    else:  # baseline: bare scikit-learn
        import numpy as np
        from sklearn.cluster import KMeans, MiniBatchKMeans
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics import silhouette_score

        texts = corpus.documents["text"].tolist()
        ids = corpus.documents["doc_id"].tolist()
        t0 = time.perf_counter()
        if unit == "paragraph":
            pairs = [(d, p) for d, t in zip(ids, texts, strict=True) for p in re.split(r"\n\s*\n", t) if p.strip()]
            ids, texts = [d for d, _ in pairs], [p for _, p in pairs]
        X = TfidfVectorizer(min_df=MIN_DF, max_df=MAX_DF, sublinear_tf=True).fit_transform(texts)
        t1 = time.perf_counter()
        use_mb = X.shape[0] > 20_000 if mb == "auto" else mb
        model = (MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=4096, random_state=0) if use_mb
                 else KMeans(n_clusters=k, n_init=10, random_state=0))
        labels = model.fit_predict(X)
        sample = min(SAMPLE, X.shape[0])
        sil = float(silhouette_score(X, labels, metric="cosine", sample_size=sample, random_state=0))
        t2 = time.perf_counter()
        out.update(units=X.shape[0], terms=X.shape[1], nnz=int(X.nnz), tfidf_s=t1 - t0, cluster_s=t2 - t1,
                   seconds=t2 - t0, silhouette=sil, minibatch=bool(use_mb), k=k)
        labels = np.asarray(labels)
        doc_ids = ids
    out["peak_mb"] = peak_mb()
    out["labels"] = [int(x) for x in labels]
    out["doc_ids"] = doc_ids if unit == "document" else None
    return out


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------
def _run(step: str, yaml_path: Path, cache: Path, *, unit: str = "document", k: int = K, minibatch: str = "auto") -> dict:
    args = ["--yaml", str(yaml_path), "--unit", unit, "--k", str(k), "--minibatch", minibatch]
    return run_child(__file__, step, args, env={"MEDIALENS_CACHE": str(cache)})


def _row(label: str, r: dict) -> str:
    sil = r.get("silhouette")
    return (f"  {label:<24} {r.get('units', 0):>8,} {r.get('terms', 0):>7,} {r.get('tfidf_s', 0):>8.1f} "
            f"{r.get('cluster_s', 0):>9.1f} {r['seconds']:>8.1f} {r['peak_mb']:>8,.0f} "
            f"{'' if sil is None else f'{sil:.3f}':>6} {'mini' if r.get('minibatch') else ('full' if 'minibatch' in r else ''):>5}")


HEADER = (f"  {'step':<24} {'units':>8} {'terms':>7} {'tfidf s':>8} {'cluster s':>9} {'total s':>8} "
          f"{'peak MB':>8} {'silh.':>6} {'kmeans':>5}")


def _truth_topics(yaml_path: Path) -> dict[str, str]:
    import csv

    truth = yaml_path.parent / "truth" / "documents.csv"
    if not truth.is_file():
        return {}
    with truth.open(encoding="utf-8") as fh:
        return {row["doc_id"]: row["topic"] for row in csv.DictReader(fh)}


def bench_documents(n: int, cache: Path, k: int) -> dict:
    from synth import ensure_corpus

    yaml_path = ensure_corpus(n, fmt="txt")
    _run("load", yaml_path, cache)  # builds the cache once (not measured)
    before = load_avg()
    res = {s: _run(s, yaml_path, cache, k=k) for s in ("load", "ours", "baseline")}
    res["ours, full KMeans"] = _run("ours", yaml_path, cache, k=k, minibatch="false")
    after = load_avg()
    o, b = res["ours"], res["baseline"]
    print(f"\n{n:,} articles as documents, k = {k}; load before {before}, after {after}")
    print(f"  corpus from cache in {res['load']['load_s']:.1f} s, peak {res['load']['peak_mb']:,.0f} MB (not counted below)")
    print(HEADER)
    print(_row("ours", o))
    print(_row("baseline (sklearn)", b))
    print(_row("ours, full KMeans", res["ours, full KMeans"]))
    print(f"  ours / baseline: {o['seconds'] / b['seconds']:.2f}x time, {o['peak_mb'] / b['peak_mb']:.2f}x peak memory")
    if n >= 100_000:
        ok_t, ok_m = o["seconds"] < TARGET_SECONDS, o["peak_mb"] < TARGET_PEAK_MB
        print(f"  target 100k documents < {TARGET_SECONDS:.0f} s: {'met' if ok_t else 'MISSED'}; "
              f"< {TARGET_PEAK_MB / 1024:.0f} GB: {'met' if ok_m else 'MISSED'}")
    return {"n": n, "unit": "document", "load_before": before, "load_after": after,
            **{s: {kk: v for kk, v in r.items() if kk not in ("labels", "doc_ids")} for s, r in res.items()}}


def bench_quality(n: int, cache: Path, k: int) -> dict:
    """Paragraph units of the n-article corpus (ours vs baseline), and MiniBatchKMeans vs full
    KMeans on that set, as documents and as paragraphs."""
    from sklearn.metrics import adjusted_rand_score
    from synth import ensure_corpus

    yaml_path = ensure_corpus(n, fmt="txt")
    _run("load", yaml_path, cache)
    before = load_avg()
    res = {
        "paragraphs ours (auto)": _run("ours", yaml_path, cache, unit="paragraph", k=k),
        "paragraphs baseline": _run("baseline", yaml_path, cache, unit="paragraph", k=k),
        "paragraphs ours, full": _run("ours", yaml_path, cache, unit="paragraph", k=k, minibatch="false"),
        "paragraphs ours, mini": _run("ours", yaml_path, cache, unit="paragraph", k=k, minibatch="true"),
        "documents ours, full": _run("ours", yaml_path, cache, unit="document", k=k, minibatch="false"),
        "documents ours, mini": _run("ours", yaml_path, cache, unit="document", k=k, minibatch="true"),
    }
    after = load_avg()
    print(f"\n{n:,} articles as paragraphs, and MiniBatchKMeans vs full KMeans, k = {k}; load before {before}, after {after}")
    print(HEADER)
    for label, r in res.items():
        print(_row(label, r))
    p_o, p_b = res["paragraphs ours (auto)"], res["paragraphs baseline"]
    print(f"  paragraphs ours / baseline: {p_o['seconds'] / p_b['seconds']:.2f}x time, {p_o['peak_mb'] / p_b['peak_mb']:.2f}x peak memory")
    truth = _truth_topics(yaml_path)
    quality = {}
    for unit in ("paragraphs", "documents"):
        full, mini = res[f"{unit} ours, full"], res[f"{unit} ours, mini"]
        ari = adjusted_rand_score(full["labels"], mini["labels"])
        line = (f"  {unit}: MiniBatchKMeans silhouette {mini['silhouette']:.3f} vs full KMeans {full['silhouette']:.3f} "
                f"(same seeded sample of {SAMPLE}); ARI mini vs full {ari:.3f}; "
                f"time {mini['cluster_s']:.1f} s vs {full['cluster_s']:.1f} s")
        q = {"ari_mini_full": ari}
        if unit == "documents" and truth:
            topics = [truth.get(d, "") for d in full["doc_ids"]]
            q["ari_full_truth"] = adjusted_rand_score(topics, full["labels"])
            q["ari_mini_truth"] = adjusted_rand_score(topics, mini["labels"])
            line += f"; ARI with planted main topic: full {q['ari_full_truth']:.3f}, mini {q['ari_mini_truth']:.3f}"
        quality[unit] = q
        print(line)
    return {"n": n, "load_before": before, "load_after": after, "quality": quality,
            **{s: {kk: v for kk, v in r.items() if kk not in ("labels", "doc_ids")} for s, r in res.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=parse_sizes, default="100000", help="comma-separated article counts clustered as documents")
    ap.add_argument("--paragraph-size", type=int, default=10_000,
                    help="articles clustered as paragraphs and used for MiniBatch vs full KMeans (capped at the largest size)")
    ap.add_argument("--k", type=int, default=K, help="number of clusters")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--child", choices=("load", "ours", "baseline"), help=argparse.SUPPRESS)
    ap.add_argument("--yaml", help=argparse.SUPPRESS)
    ap.add_argument("--unit", default="document", help=argparse.SUPPRESS)
    ap.add_argument("--minibatch", default="auto", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.yaml, args.unit, args.k, args.minibatch)))
        return 0
    sizes = args.sizes
    if args.k < 2:
        ap.error(f"--k = {args.k}: must be >= 2")
    print(f"bench_clustering: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS', '(unset: 1 in children)')}, load {load_avg()}")
    cache = Path(os.environ.get("MEDIALENS_BENCH_CACHE", Path(tempfile.gettempdir()) / "medialens-bench-clustering-cache"))
    out = {"documents": [bench_documents(n, cache, args.k) for n in sizes]}
    para_n = min(args.paragraph_size, max(sizes))
    out["paragraphs"] = bench_quality(para_n, cache, args.k)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
