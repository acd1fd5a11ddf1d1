"""Run every ``benchmarks/bench_*.py`` in name order, passing ``--sizes`` through.

    python benchmarks/run.py [--sizes 1000,10000,100000]

Each benchmark prints its own figures; this script only runs them one after the other (never in
parallel: they measure time and memory) and exits non-zero if any of them failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synth import parse_sizes  # noqa: E402


def _sizes_text(text: str) -> str:
    parse_sizes(text)  # refuse bad sizes before running anything; pass the text on as given
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run every benchmarks/bench_*.py in order.")
    ap.add_argument("--sizes", type=_sizes_text, help="comma-separated article counts passed to every benchmark, e.g. 1000,10000")
    args = ap.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("no benchmarks/bench_*.py found", file=sys.stderr)
        return 1
    failed = []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        cmd = [sys.executable, str(script)] + (["--sizes", args.sizes] if args.sizes else [])
        t0 = time.perf_counter()
        rc = subprocess.call(cmd)
        print(f"=== {script.name}: exit {rc} after {time.perf_counter() - t0:.0f} s\n", flush=True)
        if rc != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
