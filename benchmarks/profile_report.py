"""Where the report's time goes: per notebook, kernel start-up, every cell and the HTML page.

    OMP_NUM_THREADS=1 python benchmarks/profile_report.py PARAMS [--out DIR] [--top 12] [NOTEBOOK ...]

Renders the notebooks with the report runner (``medialens.report.run_report``, one notebook at a
time, all in this process as ``medialens report`` does) and prints, per notebook: the runner's
wall seconds, the execution (kernel start-up, imports and shutdown outside the cells; the cells
themselves) and the HTML rendering, the CPU seconds of runner and kernel (robust to load), then
the slowest cells with their first line. Cell times are
the kernel's own timestamps (nbclient's ``iopub.execute_input`` to ``shell.execute_reply``), read
before the runner strips them from the stored notebook. A parameter file of
``bench_report.py --keep DIR`` (``DIR/report-N/bench.params.yaml``) profiles the benchmark's runs.
Wall seconds: on a shared machine, read them beside the load average printed with them.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from harness import load_avg  # noqa: E402


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def cell_times(nb) -> list[tuple[float, int, str]]:
    """``(seconds, cell index, first line)`` of every executed code cell of an executed notebook."""
    rows = []
    for i, cell in enumerate(nb.cells):
        stamps = cell.metadata.get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            first = next((ln for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")), "")
            rows.append((_seconds(stamps["shell.execute_reply"]) - _seconds(stamps["iopub.execute_input"]), i, first[:90]))
    return rows


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the kernels)."""
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))


def profile(params: str, out: Path, stems: list[str], top: int) -> None:
    """Run ``stems`` one by one into ``out`` and print their profiles."""
    from medialens import report
    from medialens.paths import project_root

    seen: dict = {}
    strip, render, execute = report._strip_volatile_metadata, report._render_html, report._execute

    def timed_strip(nb):
        seen["cells"] = cell_times(nb)
        return strip(nb)

    def timed_render(nb, path):
        t0 = time.perf_counter()
        render(nb, path)
        seen["html"] = time.perf_counter() - t0

    def timed_execute(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return execute(*args, **kwargs)
        finally:
            seen["execute"] = time.perf_counter() - t0

    report._strip_volatile_metadata, report._render_html, report._execute = timed_strip, timed_render, timed_execute
    stems = stems or [nb.stem for nb in sorted((project_root() / "notebooks").glob("[0-9]*.ipynb"))]
    for stem in stems:
        seen.clear()
        t0, cpu0 = time.perf_counter(), _cpu()
        rc = report.run_report(params, out_dir=out / "report", figures_dir=out / "figures", only=[stem], stream=io.StringIO(), jobs=1)
        total, cpu = time.perf_counter() - t0, _cpu() - cpu0
        cells = sum(s for s, _, _ in seen.get("cells", []))
        print(f"{stem}: rc {rc}, {total:.1f} s = execution {seen.get('execute', 0):.1f} s (cells {cells:.1f} s, outside them "
              f"{seen.get('execute', 0) - cells:.1f} s) + HTML {seen.get('html', 0):.1f} s + runner; "
              f"CPU {cpu:.1f} s (runner and kernel); load {load_avg()}")
        for s, i, first in sorted(seen.get("cells", []), reverse=True)[:top]:
            print(f"  {s:8.2f} s  cell {i:>2}: {first}")
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Per-cell profile of the report's notebooks.")
    ap.add_argument("params", help="report parameter file")
    ap.add_argument("notebooks", nargs="*", help="notebook stems (default: every notebook)")
    ap.add_argument("--out", help="folder for the report and figures (default: a temporary folder)")
    ap.add_argument("--top", type=int, default=12, help="slowest cells shown per notebook")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve() if args.out else Path(tempfile.mkdtemp(prefix="profile-report-"))
    print(f"profile_report: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {load_avg()}, output in {out}")
    profile(str(Path(args.params).resolve()), out, args.notebooks, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
