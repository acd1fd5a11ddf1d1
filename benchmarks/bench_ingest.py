"""Benchmark: corpus ingestion + tokenisation, against a bare scikit-learn baseline.

    python benchmarks/bench_ingest.py --sizes 1000,10000,100000 [--fmt txt]

For every size it makes (once) the synthetic corpus of ``benchmarks/synth.py`` and runs, each in
a fresh child process so that peak memory is that step's own (``ru_maxrss`` of the child):

``ours``      ``medialens.corpus.load_corpus(..., use_cache=False)`` with an empty
              ``MEDIALENS_CACHE``, then every document's tokens under ``TextSettings()`` from the
              corpus word table (``corpus.words.tokens``: the loader split each text once); for
              comparison, not counted in its time, ``Tokenizer(TextSettings())`` text by text;
``lean``      the same with ``cleaning.detect_language: false`` and no near-duplicate detection
              (``near_duplicate_threshold: null``), to show what those two cost;
``baseline``  the files read in sorted order (JSONL: lines parsed) and scikit-learn's default
              ``CountVectorizer().build_analyzer()`` over every text;
``cache 1/2`` ``load_corpus(..., use_cache=True)`` twice with one fresh cache folder: the first
              builds and stores the cache, the second is served from it.

It prints seconds, articles/s, MB/s (input bytes on disk) and peak memory per step, the ratio
ours/baseline and cache 2/cache 1, the targets of issue 2 (100k articles: < 120 s, <= 3x
baseline, < 4 GB, cached < 10% of the first run) and ``uptime`` load, since the machine is
shared; ``cpu s`` (user + system time of the child, all threads) is less disturbed by other load
than wall time, but lingua detects languages on two threads, so ours can use more CPU than wall
time. Timings exclude interpreter start-up and imports (reported separately as ``import s``).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
from harness import cpu_seconds, load_avg, peak_mb, run_child  # noqa: E402

STEPS = ("ours", "lean", "baseline", "cache1", "cache2")
TARGET_SECONDS = 120.0
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 4096.0
TARGET_CACHE_RATIO = 0.10


# --------------------------------------------------------------------------------------------
# Child side: one measured step, result as one JSON line on stdout
# --------------------------------------------------------------------------------------------
def _child(step: str, yaml_path: str) -> dict:
    t_import = time.perf_counter()
    if step == "baseline":
        from sklearn.feature_extraction.text import CountVectorizer

        from medialens.corpus import read_definition

        defn = read_definition(yaml_path)
        t0, c0 = time.perf_counter(), cpu_seconds()
        analyze = CountVectorizer().build_analyzer()
        n_docs = n_tokens = 0
        if defn.format == "txt":
            for path in sorted(defn.path.glob(defn.pattern)):
                text = path.read_text(encoding="utf-8")
                n_tokens += len(analyze(text))
                n_docs += 1
        else:
            with defn.path.open(encoding="utf-8") as fh:
                for line in fh:
                    text = json.loads(line)["text"]
                    n_tokens += len(analyze(text))
                    n_docs += 1
        t1 = time.perf_counter()
        return {"step": step, "docs": n_docs, "tokens": n_tokens, "seconds": t1 - t0, "cpu_s": cpu_seconds() - c0, "load_s": None,
                "tokenise_s": None, "import_s": t0 - t_import, "peak_mb": peak_mb()}
    from medialens.corpus import load_corpus, read_definition
    from medialens.text import TextSettings, Tokenizer

    stages = _time_stages()
    definition = read_definition(yaml_path)
    if step == "lean":  # the same loader with the two optional detections switched off
        cleaning = {**definition.cleaning, "detect_language": False, "near_duplicate_threshold": None}
        definition = dataclasses.replace(definition, cleaning=cleaning)
    t0, c0 = time.perf_counter(), cpu_seconds()
    corpus = load_corpus(definition, use_cache=step.startswith("cache"))
    t1 = time.perf_counter()
    n_tokens = 0
    if step in ("ours", "lean"):
        n_tokens = sum(map(len, corpus.words.tokens(TextSettings())))
    t2, c2 = time.perf_counter(), cpu_seconds()
    by_text = None
    if step == "ours":  # the same tokens text by text, as clustering and stance still tokenise units
        tok = Tokenizer(TextSettings())
        n_by_text = sum(len(tok(text)) for text in corpus.documents["text"])
        by_text = {"seconds": time.perf_counter() - t2, "same_count": n_by_text == n_tokens}
    return {"step": step, "docs": len(corpus.documents), "tokens": n_tokens, "seconds": t2 - t0, "cpu_s": c2 - c0,
            "load_s": t1 - t0, "tokenise_s": t2 - t1 if step in ("ours", "lean") else None, "by_text": by_text,
            "import_s": t0 - t_import, "peak_mb": peak_mb(), "from_cache": corpus.from_cache,
            "skipped": len(corpus.skipped), "stages": stages}


def _time_stages() -> dict[str, float]:
    """Wrap the two costliest steps of loading so the child can say where the time went."""
    from medialens import dedup, language

    spent = {"near_duplicates": 0.0, "detect_languages": 0.0}

    def timed(module, name):
        inner = getattr(module, name)

        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t

        setattr(module, name, wrapper)

    timed(dedup, "near_duplicates")
    timed(language, "detect_languages")
    return spent


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------
def _input_bytes(yaml_path: Path) -> tuple[int, int]:
    from medialens.corpus import read_definition

    defn = read_definition(yaml_path)
    files = sorted(defn.path.glob(defn.pattern)) if defn.path.is_dir() else [defn.path]
    return sum(p.stat().st_size for p in files), len(files)


def _warm_page_cache(yaml_path: Path) -> None:
    from medialens.corpus import read_definition

    defn = read_definition(yaml_path)
    files = sorted(defn.path.glob(defn.pattern)) if defn.path.is_dir() else [defn.path]
    for p in files:
        with p.open("rb") as fh:
            while fh.read(1 << 20):
                pass


def _fmt_row(label: str, r: dict, n_inputs: int, mb: float) -> str:
    s = r["seconds"]
    return (f"  {label:<10} {r['docs']:>8,} {s:>9.2f} {r['cpu_s']:>7.2f} {n_inputs / s:>11,.0f} {mb / s:>8.2f} "
            f"{r['peak_mb']:>9,.0f} {r['import_s']:>9.2f}")


def bench_size(n: int, fmt: str) -> dict:
    from synth import ensure_corpus

    yaml_path = ensure_corpus(n, fmt=fmt)
    n_bytes, n_files = _input_bytes(yaml_path)
    mb = n_bytes / 1e6
    results: dict[str, dict] = {}
    _warm_page_cache(yaml_path)  # every step reads from memory, none pays for a cold disk
    load_before = load_avg()
    with tempfile.TemporaryDirectory(prefix="medialens-bench-") as tmp:
        for step in STEPS:
            cache = Path(tmp) / ("cache" if step.startswith("cache") else f"cache-{step}")
            results[step] = run_child(__file__, step, ["--yaml", str(yaml_path)], env={"MEDIALENS_CACHE": str(cache)})
    load_after = load_avg()
    o, lean, b, c1, c2 = (results[s] for s in STEPS)
    ratio = o["seconds"] / b["seconds"]
    lean_ratio = lean["seconds"] / b["seconds"]
    cpu_ratio = o["cpu_s"] / b["cpu_s"]
    cache_ratio = c2["seconds"] / c1["seconds"]
    print(f"\n{n:,} articles ({fmt}, {mb:,.1f} MB in {n_files:,} file(s)); load before {load_before}, after {load_after}")
    print(f"  {'step':<10} {'docs':>8} {'seconds':>9} {'cpu s':>7} {'articles/s':>11} {'MB/s':>8} {'peak MB':>9} {'import s':>9}")
    print(_fmt_row("ours", o, n, mb))
    st = o["stages"]
    print(f"  {'':<10} {'':>8} load {o['load_s']:.2f} s (near-duplicates {st['near_duplicates']:.2f} s, "
          f"language {st['detect_languages']:.2f} s, rest {o['load_s'] - sum(st.values()):.2f} s) "
          f"+ tokens from the word table {o['tokenise_s']:.2f} s; {o['tokens']:,} tokens")
    print(f"  {'':<10} {'':>8} (not counted: Tokenizer text by text {o['by_text']['seconds']:.2f} s, "
          f"same number of tokens: {'yes' if o['by_text']['same_count'] else 'NO'})")
    print(_fmt_row("lean", lean, n, mb))
    print(f"  {'':<10} {'':>8} ours without language and near-duplicate detection: load {lean['load_s']:.2f} s "
          f"+ tokens {lean['tokenise_s']:.2f} s")
    print(_fmt_row("baseline", b, n, mb))
    print(f"  {'':<10} {'':>8} {b['tokens']:,} tokens (CountVectorizer default analyzer)")
    print(_fmt_row("cache 1", c1, n, mb))
    print(_fmt_row("cache 2", c2, n, mb) + ("" if c2.get("from_cache") else "   (NOT served from cache!)"))
    print(f"  ours / baseline: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU    lean / baseline: {lean_ratio:.2f}x wall, "
          f"{lean['cpu_s'] / b['cpu_s']:.2f}x CPU    cache 2 / cache 1: {cache_ratio:.1%}")
    checks = [
        (f"ours < {TARGET_SECONDS:.0f} s", o["seconds"] < TARGET_SECONDS),
        (f"ours <= {TARGET_RATIO:.0f}x baseline", ratio <= TARGET_RATIO),
        (f"peak < {TARGET_PEAK_MB / 1024:.0f} GB", max(o["peak_mb"], c1["peak_mb"], c2["peak_mb"]) < TARGET_PEAK_MB),
        (f"cached < {TARGET_CACHE_RATIO:.0%} of first", cache_ratio < TARGET_CACHE_RATIO and bool(c2.get("from_cache"))),
    ]
    scope = "" if n >= 100_000 else " (targets are set for 100k articles)"
    print("  targets: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks) + scope)
    return {"n": n, "fmt": fmt, "mb": mb, "files": n_files, "load_before": load_before,
            "load_after": load_after, "ratio": ratio, "cpu_ratio": cpu_ratio, "lean_ratio": lean_ratio, "cache_ratio": cache_ratio, **{s: results[s] for s in STEPS}}


def main(argv: list[str] | None = None) -> int:
    return harness.main(
        "bench_ingest", __doc__.split("\n\n")[0], steps=STEPS, child=_child, bench_size=bench_size, argv=argv
    )


if __name__ == "__main__":
    sys.exit(main())
