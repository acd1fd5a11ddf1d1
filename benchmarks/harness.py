"""What every benchmark shares: a measured step runs in a child process of its own (so its peak
memory is its own), reports one JSON line, and the machine's load is printed beside the figures."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

#: Thread pins for measured children (kept if the caller's environment sets them already).
THREAD_DEFAULTS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def peak_mb() -> float:
    """Peak resident memory of this process in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU seconds of this process, all threads (less disturbed by a busy machine than wall time)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load_avg() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    la = os.getloadavg()
    return f"{la[0]:.2f} {la[1]:.2f} {la[2]:.2f}"


def run_child(script: str, step: str, args: list[str], *, env: dict[str, str] | None = None) -> dict:
    """Run ``python script --child step *args`` and return the dict on its last line of output."""
    child_env = {**THREAD_DEFAULTS, **os.environ, "PYTHONHASHSEED": "0", "TQDM_DISABLE": "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, script, "--child", step, *args], env=child_env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"step {step} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(
    name: str,
    description: str,
    *,
    steps: tuple[str, ...],
    child: Callable[[str, str], dict],
    bench_size: Callable[[int, str], dict],
    argv: list[str] | None = None,
) -> int:
    """The command line shared by the benchmarks that run ``steps`` per corpus size:
    ``--sizes``, ``--fmt``, ``--json``; ``--child STEP --yaml PATH`` is the measured child's side."""
    from synth import parse_sizes

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--sizes", type=parse_sizes, default="1000,10000,100000", help="comma-separated article counts")
    ap.add_argument("--fmt", default="txt", choices=["txt", "jsonl"])
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--child", choices=steps, help=argparse.SUPPRESS)
    ap.add_argument("--yaml", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.yaml)))
        return 0
    print(f"{name}: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, load {load_avg()}")
    out = [bench_size(n, args.fmt) for n in args.sizes]
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0
