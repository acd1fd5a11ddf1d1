"""Benchmark: quote extraction now against the implementation before issue 13.

``medialens.quotes.extract_quotes`` (pairing and attribution, every document of the synthetic
corpus of ``synth.py``) is timed twice, each in a fresh child process: with the package of this
checkout (``ours``) and with the package as it was before issue 13 (``before``: the revision
``--before``, default ``c14dbeb^``, the commit before the first commit of issue 13, exported with
``git archive`` into a temporary folder and put first on the child's ``PYTHONPATH``). Both read
the same documents (loaded once by this checkout and handed over as a pickle), so only the
extraction is timed. It prints wall and CPU seconds, articles/s, peak MB and the number of quotes
per step, the ratio ours/before (target of issue 13: within 2x) and ``uptime`` load: on a shared
machine, CPU seconds are the steadier figure.

    .venv/bin/python benchmarks/bench_quotes.py --sizes 10000 [--repeat 2] [--before REV]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from harness import cpu_seconds, load_avg, peak_mb, run_child  # noqa: E402
from synth import ensure_corpus, parse_sizes  # noqa: E402

TARGET_RATIO = 2.0


def _child(step: str, path: str) -> dict:
    if step == "prepare":  # load the corpus with this checkout, keep what extract_quotes reads
        from medialens.corpus import load_corpus

        docs = load_corpus(path, use_cache=True).documents[["doc_id", "outlet", "text"]]
        out = Path(path).with_suffix(".quotes-bench.pkl")
        with open(out, "wb") as fh:
            pickle.dump(docs, fh)
        return {"pickle": str(out), "docs": len(docs)}
    with open(path, "rb") as fh:
        docs = pickle.load(fh)
    import medialens
    from medialens.quotes import extract_quotes

    c0, t0 = cpu_seconds(), time.perf_counter()
    result = extract_quotes(docs)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    quotes = result.table if hasattr(result, "table") else result[0]  # before issue 13: a tuple
    return {"seconds": seconds, "cpu": cpu, "docs": len(docs), "quotes": int((quotes["kind"] != "nested").sum()),
            "attributed": int(sum(isinstance(s, str) and not s.startswith("(") for s in quotes["speaker"])),
            "peak_mb": peak_mb(),
            "package": str(Path(medialens.__file__).parent)}


def _export(rev: str, folder: Path) -> Path:
    """The package ``src/medialens`` at ``rev``, unpacked under ``folder``; returns its src folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src/medialens"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=parse_sizes, default="10000", help="comma-separated article counts")
    ap.add_argument("--repeat", type=int, default=1, help="runs per step (the best is reported)")
    ap.add_argument("--before", default="c14dbeb^", help="git revision of the implementation to compare with")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--child", choices=["prepare", "ours", "before"], help=argparse.SUPPRESS)
    ap.add_argument("--yaml", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.yaml)))
        return 0
    script = str(Path(__file__).resolve())
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.before], capture_output=True,
                         text=True, check=True).stdout.strip()
    print(f"bench_quotes: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"before = {args.before} ({rev}), load {load_avg()}")
    out = []
    with tempfile.TemporaryDirectory(prefix="medialens-before-") as tmp:
        old_src = _export(args.before, Path(tmp))
        for n in args.sizes:
            yaml_path = ensure_corpus(n, fmt="txt")
            pkl = run_child(script, "prepare", ["--yaml", str(yaml_path)])["pickle"]
            row: dict = {"docs": n}
            for step, env in (("before", {"PYTHONPATH": str(old_src)}), ("ours", {"PYTHONPATH": str(ROOT / "src")})):
                runs = [run_child(script, step, ["--yaml", pkl], env=env) for _ in range(args.repeat)]
                best = min(runs, key=lambda r: r["cpu"])
                assert best["package"].startswith(str(old_src if step == "before" else ROOT / "src")), best["package"]
                row[step] = best
                print(f"  {n:>7} {step:<6}: {best['seconds']:7.1f} s wall, {best['cpu']:7.1f} s CPU, "
                      f"{n / best['seconds']:7.0f} articles/s, peak {best['peak_mb']:6.0f} MB, {best['quotes']} quotes, "
                      f"{best['attributed']} with a speaker (load {load_avg()})")
            wall = row["ours"]["seconds"] / row["before"]["seconds"]
            cpu = row["ours"]["cpu"] / row["before"]["cpu"]
            verdict = "met" if cpu <= TARGET_RATIO else "NOT met"
            print(f"  {n:>7} ratio ours/before: {wall:.2f}x wall, {cpu:.2f}x CPU (target <= {TARGET_RATIO:g}x: {verdict})")
            row.update(ratio_wall=wall, ratio_cpu=cpu)
            out.append(row)
            Path(pkl).unlink(missing_ok=True)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
