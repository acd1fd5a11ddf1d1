"""Benchmark: Krippendorff's alpha with a 1,000-resample bootstrap, against calling the package
once per resample.

    python benchmarks/bench_reliability.py [--sizes 10000] [--coders 5] [--resamples 1000]

For every size (number of units) a seeded synthetic coding is made: ``--coders`` coders code every
unit on a 5-point scale, agreeing with a true value 80% of the time, 10% of codes missing. Then,
each in a fresh child process (so that peak memory is the step's own):

``pairs``     ``medialens.reliability.agreement`` at all four levels with the Hayes & Krippendorff
              bootstrap (pair draws from the coincidences);
``units``     the same with the bootstrap over units;
``baseline``  the obvious loop: resample units and call ``krippendorff.alpha`` once per resample
              (ordinal level; 20 resamples timed, the time for ``--resamples`` extrapolated).

It prints seconds and peak MB per step, the target of issue 16 (10,000 units × 5 coders, 1,000
resamples: under 30 s) and ``uptime`` load (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from harness import load_avg, peak_mb, run_child  # noqa: E402
from synth import parse_sizes  # noqa: E402

TARGET_SECONDS = 30.0
TARGET_UNITS = 10_000
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def synthetic_codes(n_units: int, n_coders: int, *, seed: int = 0):
    """A long table (unit_id, coder, value) of a 5-point variable: each code is the unit's true
    value with probability 0.8, else a random value; 10% of codes missing."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, n_units)
    frames = []
    for c in range(n_coders):
        value = np.where(rng.random(n_units) < 0.8, truth, rng.integers(1, 6, n_units)).astype(float)
        value[rng.random(n_units) < 0.1] = np.nan
        frames.append(pd.DataFrame({"unit_id": np.arange(n_units), "coder": f"coder{c + 1}", "value": value}))
    return pd.concat(frames, ignore_index=True)


def _child(step: str, n_units: int, n_coders: int, resamples: int) -> dict:
    import numpy as np

    from medialens import reliability as rel

    codes = synthetic_codes(n_units, n_coders)
    if step in ("pairs", "units"):
        out = {}
        t0 = time.perf_counter()
        for level in LEVELS:
            t = time.perf_counter()
            row = rel.agreement(codes, level=level, n_bootstrap=resamples, bootstrap=step, random_state=0).table.iloc[0]
            out[level] = {"seconds": time.perf_counter() - t, "alpha": row["alpha"], "ci": [row["ci_low"], row["ci_high"]]}
        return {"seconds": time.perf_counter() - t0, "levels": out, "peak_mb": peak_mb()}
    import krippendorff

    data = rel.reliability_data(codes, level="ordinal")
    matrix = np.where(data.matrix >= 0, data.matrix, np.nan).astype(float)
    rng = np.random.default_rng(0)
    timed = 20
    t0 = time.perf_counter()
    for _ in range(timed):
        idx = rng.integers(0, matrix.shape[1], matrix.shape[1])
        krippendorff.alpha(reliability_data=matrix[:, idx], level_of_measurement="ordinal")
    per = (time.perf_counter() - t0) / timed
    return {"seconds": per * resamples, "per_resample": per, "timed": timed, "peak_mb": peak_mb()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=str(TARGET_UNITS), help="comma-separated numbers of units (default 10000)")
    ap.add_argument("--coders", type=int, default=5)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--units", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.units, args.coders, args.resamples)))
        return 0
    print(f"load before: {load_avg()}")
    ok = True
    for n in parse_sizes(args.sizes):
        extra = ["--units", str(n), "--coders", str(args.coders), "--resamples", str(args.resamples)]
        res = {step: run_child(__file__, step, extra) for step in ("pairs", "units", "baseline")}
        print(f"\n{n:,} units x {args.coders} coders, {args.resamples} resamples, all four levels:")
        for step in ("pairs", "units"):
            r = res[step]
            per_level = ", ".join(f"{lv} {v['seconds']:.2f} s" for lv, v in r["levels"].items())
            print(f"  {step:<9} {r['seconds']:7.2f} s  peak {r['peak_mb']:6.0f} MB  ({per_level})")
            for lv, v in r["levels"].items():
                print(f"            {lv:<9} alpha {v['alpha']:.4f}  95% CI {v['ci'][0]:.4f} to {v['ci'][1]:.4f}")
        b = res["baseline"]
        print(f"  baseline  {b['seconds']:7.2f} s  (one level; {b['per_resample']:.3f} s per package call x {args.resamples})")
        if n == TARGET_UNITS:
            worst = max(res["pairs"]["levels"][lv]["seconds"] for lv in LEVELS)
            worst = max(worst, *(res["units"]["levels"][lv]["seconds"] for lv in LEVELS))
            met = worst < TARGET_SECONDS
            ok &= met
            print(f"  target: alpha + {args.resamples}-resample bootstrap on {TARGET_UNITS:,} units under "
                  f"{TARGET_SECONDS:.0f} s: slowest level/method {worst:.2f} s -> {'met' if met else 'NOT met'}")
    print(f"\nload after: {load_avg()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
