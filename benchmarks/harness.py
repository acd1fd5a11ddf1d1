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
from typing import Any

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
    bench_size: Callable[..., Any],
    argv: list[str] | None = None,
    options: Callable[[argparse.ArgumentParser], None] | None = None,
    sizes: str = "1000,10000,100000",
) -> int:
    """The command line shared by the benchmarks that run ``steps`` per corpus size:
    ``--sizes`` (default ``sizes``), ``--fmt``, ``--json``; ``--child STEP --yaml PATH`` is the
    measured child's side.

    ``options`` (optional) adds a benchmark's own options to the parser; their values are printed
    in the header line and passed to ``bench_size(n, fmt, **values)`` by their ``dest`` names.
    """
    from synth import parse_sizes

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--sizes", type=parse_sizes, default=sizes, help="comma-separated article counts")
    ap.add_argument("--fmt", default="txt", choices=["txt", "jsonl"])
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--child", choices=steps, help=argparse.SUPPRESS)
    ap.add_argument("--yaml", help=argparse.SUPPRESS)
    shared = {a.dest for a in ap._actions}
    if options is not None:
        options(ap)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.yaml)))
        return 0
    extra = {k: v for k, v in vars(args).items() if k not in shared}
    shown = "".join(f", {k.replace('_', ' ')} {v}" for k, v in extra.items())
    print(f"{name}: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}{shown}, load {load_avg()}")
    out = [bench_size(n, args.fmt, **extra) for n in args.sizes]
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0
