"""What every benchmark shares: a measured step runs in a child process of its own (so its peak
memory is its own), reports one JSON line, and the machine's load is printed beside the figures."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

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
