"""Benchmark: term counting, keyness across 10 outlets and monthly trends, against a bare
scikit-learn ``CountVectorizer`` baseline in the same run.

    python benchmarks/bench_frequency.py --sizes 1000,10000,100000

For every size the synthetic corpus of ``benchmarks/synth.py`` is made (once) and loaded once
through ``medialens.corpus.load_corpus`` into its cache; then each step runs in a fresh child
process that reads the corpus from that cache (the cached load is timed separately and not
counted), so the peak memory printed is that step's own (``ru_maxrss`` of the child, which
includes the loaded document table in every step alike):

``baseline``    ``CountVectorizer()`` (default regex analyzer, unigrams) ``fit_transform`` over the texts;
``sklearn+tok`` ``CountVectorizer(analyzer=Tokenizer(TextSettings()))``: the same with the shared tokeniser;
``ours``        ``medialens.frequency.count_terms`` (unigrams), then ``keyness`` of each of the 10
                outlets against the rest, then ``trends`` of 4 followed terms by outlet and month.

Printed: seconds and peak MB per step, the sub-step times of ``ours``, the ratios to the baseline,
the targets of issue 3 (counting within 1.5x of the baseline, peak < 4 GB) and ``uptime`` load.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
from harness import load_avg, peak_mb, run_child  # noqa: E402

STEPS = ("baseline", "sklearn+tok", "ours")
TARGET_RATIO = 1.5
TARGET_PEAK_MB = 4096.0


# --------------------------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------------------------
def _child(step: str, yaml_path: str) -> dict:
    from medialens.corpus import load_corpus

    t0 = time.perf_counter()
    corpus = load_corpus(yaml_path, use_cache=True)
    docs = corpus.documents
    t1 = time.perf_counter()
    out = {"step": step, "docs": len(docs), "load_s": t1 - t0, "from_cache": corpus.from_cache}
    if step == "baseline":
        from sklearn.feature_extraction.text import CountVectorizer

        t2 = time.perf_counter()
        x = CountVectorizer().fit_transform(docs["text"])
        out.update(seconds=time.perf_counter() - t2, tokens=int(x.sum()), terms=x.shape[1])
    elif step == "sklearn+tok":
        from sklearn.feature_extraction.text import CountVectorizer

        from medialens.text import TextSettings, Tokenizer

        t2 = time.perf_counter()
        x = CountVectorizer(analyzer=Tokenizer(TextSettings())).fit_transform(docs["text"])
        out.update(seconds=time.perf_counter() - t2, tokens=int(x.sum()), terms=x.shape[1])
    else:
        from medialens import frequency as mf

        t2 = time.perf_counter()
        counts = mf.count_terms(docs, ngram_range=[1, 1])
        t3 = time.perf_counter()
        outlets = sorted(docs["outlet"].dropna().unique())
        n_rows = 0
        for outlet in outlets:
            n_rows += len(mf.keyness(counts, group_by="outlet", group=outlet).table)
        t4 = time.perf_counter()
        ranked = counts.terms.sort_values(["count", "term"], ascending=[False, True])["term"].tolist()
        followed = [ranked[k] for k in (100, 200, 300) if k < len(ranked)] + ["vliegverbod"]
        tr = mf.trends(counts, terms=followed, group_by="outlet")
        t5 = time.perf_counter()
        out.update(
            seconds=t5 - t2, count_s=t3 - t2, keyness_s=t4 - t3, trends_s=t5 - t4,
            tokens=int(counts.documents["total_1"].sum()), terms=len(counts.terms),
            keyness_rows=n_rows, outlets=len(outlets), trend_rows=len(tr.table), undated=tr.undated,
        )
    out["peak_mb"] = peak_mb()
    return out


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------
def bench_size(n: int, fmt: str) -> dict:
    from synth import ensure_corpus

    from medialens.corpus import load_corpus

    yaml_path = ensure_corpus(n, fmt=fmt)
    t0 = time.perf_counter()
    corpus = load_corpus(yaml_path, use_cache=True)  # once: builds the cache if needed
    first_load = time.perf_counter() - t0
    n_docs = len(corpus.documents)
    del corpus
    before = load_avg()
    results = {step: run_child(__file__, step, ["--yaml", str(yaml_path)]) for step in STEPS}
    after = load_avg()
    b, bt, o = (results[s] for s in STEPS)
    print(f"\n{n:,} articles requested, {n_docs:,} documents after loading ({fmt}); "
          f"first load {first_load:.1f} s, cached load {o['load_s']:.1f} s (not counted); load {before} -> {after}")
    print(f"  {'step':<13} {'seconds':>8} {'peak MB':>9} {'tokens':>12} {'terms':>9}  ratio to baseline")
    for label, r in (("baseline", b), ("sklearn+tok", bt), ("ours (all)", o)):
        print(f"  {label:<13} {r['seconds']:>8.2f} {r['peak_mb']:>9,.0f} {r['tokens']:>12,} {r['terms']:>9,}  "
              f"{r['seconds'] / b['seconds']:.2f}x")
    print(f"  {'':<13} ours: count_terms {o['count_s']:.2f} s ({o['count_s'] / b['seconds']:.2f}x baseline, "
          f"{o['count_s'] / bt['seconds']:.2f}x sklearn+tok); keyness x {o['outlets']} outlets {o['keyness_s']:.2f} s "
          f"({o['keyness_rows']:,} rows); trends {o['trends_s']:.2f} s ({o['trend_rows']} rows, {o['undated']} undated)")
    checks = [
        (f"counting <= {TARGET_RATIO}x baseline", o["count_s"] / b["seconds"] <= TARGET_RATIO),
        (f"counting <= {TARGET_RATIO}x sklearn with the shared tokeniser", o["count_s"] / bt["seconds"] <= TARGET_RATIO),
        (f"all of ours <= {TARGET_RATIO}x baseline", o["seconds"] / b["seconds"] <= TARGET_RATIO),
        (f"peak < {TARGET_PEAK_MB / 1024:.0f} GB", o["peak_mb"] < TARGET_PEAK_MB),
    ]
    scope = "" if n >= 100_000 else " (targets are set for 100k articles)"
    print("  targets: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks) + scope)
    return {"n": n, "docs": n_docs, "load_before": before, "load_after": after, **results}


def main(argv: list[str] | None = None) -> int:
    return harness.main(
        "bench_frequency", __doc__.split("\n\n")[0], steps=STEPS, child=_child, bench_size=bench_size, argv=argv
    )


if __name__ == "__main__":
    sys.exit(main())
