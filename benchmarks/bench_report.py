"""Benchmark: the whole report (every notebook, rendered to HTML) against its bare computations.

    OMP_NUM_THREADS=1 python benchmarks/bench_report.py [--sizes 1000,10000] [--keep DIR]

For every size, on the synthetic JSONL corpus of ``synth.py`` (generated once):

1. A parameter file is written beside the outputs: the corpus, two followed terms for notebook 10
   (``terms``: the most frequent word of the first 1,000 articles and a rare one, in 3 of them;
   the same words at every size, since article i is the same in every size) and, for notebook 30,
   the planted speakers ``Mark Rutte`` and ``Wopke Hoekstra`` as stance targets (no hand-coded
   stance file, no context target). Everything else keeps the notebooks' defaults.
2. Each notebook is rendered by the report runner (``medialens.report.run_report``, the code
   behind ``medialens report``) in a child process of its own, so the kernel's peak memory is that
   notebook's: the kernel is the runner's child, and ``RUSAGE_CHILDREN`` holds its peak once it
   has exited. The corpus cache is private to the run and empty at the start, so notebook 00 builds
   it and the later notebooks load it, as in a first report run.
3. The whole report once more, as ``medialens report`` runs it: one runner, every notebook, the
   default number at once (``medialens.jobs.default_jobs``), its own empty corpus cache. Its wall
   seconds are the ones the targets are about.
4. The bare computations, called directly in one more child: ``load_corpus`` (building, no cache),
   ``count_terms`` as notebook 10 counts, ``make_units`` + ``tfidf`` + ``cluster`` with notebook
   20's defaults, and ``extract_quotes``.

Printed per notebook: wall seconds of the runner, CPU seconds (runner and kernel), peak RSS of the
kernel, size of the executed notebook and of its HTML page, and the largest figure; for the whole
report, each notebook's seconds from its start to its page, its largest page and figure; then the bare
steps and the ratio of the report's total to the bare total (wall, and CPU, which a busy machine
disturbs less). Targets (issue 14): the whole report at 100k articles under 10
minutes and 6 GB, at 10k under 90 s; pages under 5 MB and figures under 1 MB at 100k; the report
within 2x its bare computations. ``uptime`` load is printed beside the figures: the machine is
shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from harness import cpu_seconds, load_avg, peak_mb, run_child  # noqa: E402
from synth import ensure_corpus, parse_sizes  # noqa: E402

#: Planted speakers of ``synth.py`` used as stance targets (each quoted in many articles).
TARGETS = {"Mark Rutte": ["Rutte"], "Wopke Hoekstra": ["Hoekstra"]}
#: Articles read to choose the followed terms (a prefix of every size).
TERM_SAMPLE = 1000
#: Document frequency, in the sample, of the rare followed term.
RARE_DOCS = 3
TARGET_TOTAL_S = {10_000: 90.0, 100_000: 600.0}
TARGET_PEAK_MB = 6144.0
TARGET_PAGE_MB = 5.0
TARGET_FIGURE_MB = 1.0


# --------------------------------------------------------------------------------------------
# Choosing the parameters
# --------------------------------------------------------------------------------------------
def _records_file(yaml_path: Path) -> Path:
    """The JSONL file of a synthetic corpus (its definition names it)."""
    from medialens.corpus import read_definition

    return Path(read_definition(yaml_path).path)  # absolute


def followed_terms(yaml_path: Path) -> list[str]:
    """``[frequent, rare]``: the word in most of the first :data:`TERM_SAMPLE` articles and the
    first word (alphabetically) in exactly :data:`RARE_DOCS` of them, words of 5 letters or more
    after the tokeniser's stopwords and filters."""
    from medialens.text import TextSettings, Tokenizer

    tok = Tokenizer(TextSettings(language="nl"))
    df: Counter[str] = Counter()
    with _records_file(yaml_path).open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= TERM_SAMPLE:
                break
            df.update({w for w in tok(json.loads(line).get("text") or "") if len(w) >= 5 and w.isalpha()})
    if not df:
        raise SystemExit(f"{yaml_path}: no words in the first {TERM_SAMPLE} articles")
    frequent = min(df, key=lambda w: (-df[w], w))
    rare = min((w for w, n in df.items() if n == RARE_DOCS), default=min(df, key=lambda w: (df[w], w)))
    return [frequent, rare]


def write_parameters(folder: Path, yaml_path: Path, terms: list[str]) -> Path:
    """The parameter file of one run, keeping only names some notebook declares."""
    from medialens.paths import project_root
    from medialens.report import notebook_parameters

    declared = {nb.stem: notebook_parameters(nb) for nb in sorted((project_root() / "notebooks").glob("[0-9]*.ipynb"))}
    per_notebook = {
        "10_term_frequency": {"terms": terms},
        "30_stance_comparison": {"targets": TARGETS, "context_target": "", "coding_file": ""},
    }
    kept = {stem: {k: v for k, v in values.items() if k in declared.get(stem, {})} for stem, values in per_notebook.items()}
    dropped = [f"{stem}.{k}" for stem, values in per_notebook.items() for k in values if k not in kept[stem]]
    if dropped:
        print(f"  (not declared by the notebooks, left out: {', '.join(dropped)})")
    text = json.dumps({"corpus": str(yaml_path), "notebooks": {s: v for s, v in kept.items() if v}}, ensure_ascii=False, indent=1)
    path = folder / "bench.params.yaml"  # JSON is YAML
    path.write_text(text + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------------------------
def child_notebook(params: str, out: str, figures: str, stem: str | None) -> dict:
    """Render one notebook with the report runner (every notebook, as ``medialens report`` does,
    when ``stem`` is None); its wall time and its kernel's peak memory (the largest kernel's)."""
    import io

    from medialens.report import run_report

    log = io.StringIO()
    t0 = time.perf_counter()
    rc = run_report(params, out_dir=out, figures_dir=figures, only=[stem] if stem else None, stream=log)
    seconds = time.perf_counter() - t0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    kernel_mb = kids.ru_maxrss / 1024
    status = re.findall(rf"\] {re.escape(stem or '')}.*\.ipynb (.*) \([\d.]+ s\)$", log.getvalue(), flags=re.M)
    # the runner's line for every notebook that ended: "[i/n] NAME.ipynb STATUS (SECONDS s)"
    per_notebook = {name: float(s) for name, s in re.findall(r"^\[\d+/\d+\] (\S+)\.ipynb .* \(([\d.]+) s\)$", log.getvalue(), flags=re.M)}
    return {"rc": rc, "seconds": seconds, "kernel_peak_mb": kernel_mb, "runner_peak_mb": peak_mb(),
            "cpu_s": cpu_seconds() + kids.ru_utime + kids.ru_stime,
            "status": status[-1] if status else log.getvalue()[-500:], "notebook_seconds": per_notebook}


def _notebook_defaults(stem: str) -> dict:
    from medialens.paths import project_root
    from medialens.report import notebook_parameters

    return {k: p.default for k, p in notebook_parameters(project_root() / "notebooks" / f"{stem}.ipynb").items()}


def child_bare(yaml_path: str, terms: list[str]) -> dict:
    """The computations of the report called directly, with the notebooks' defaults: seconds per step."""
    from medialens import clustering as cl
    from medialens import frequency as mf
    from medialens import quotes as mq
    from medialens.corpus import load_corpus
    from medialens.text import TextSettings

    nb10, nb20 = _notebook_defaults("10_term_frequency"), _notebook_defaults("20_topic_clustering")
    out = {}
    cpu0 = cpu_seconds()  # imports are not counted, as the wall seconds do not count them
    t0 = time.perf_counter()
    corpus = load_corpus(yaml_path, use_cache=False)
    out["load_s"] = time.perf_counter() - t0
    language = corpus.definition.language
    settings = TextSettings(language=language)
    t0 = time.perf_counter()
    followed = [mf.normalise_term(t, settings) or t for t in terms]
    mf.count_terms(corpus.documents, settings=settings, ngram_range=nb10["ngram_range"], keep_terms=followed, words=corpus.words)
    out["count_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    settings20 = TextSettings(language=language, keep_negations=nb20.get("keep_negations", True))
    units = cl.make_units(corpus, unit=nb20["unit"], include_headings=nb20["include_headings"])
    m = cl.tfidf(units, settings=settings20, min_df=nb20["min_df"], max_df=nb20["max_df"], ngram_range=nb20["ngram_range"],
                 sublinear_tf=nb20["sublinear_tf"], words=corpus.words)
    r = cl.cluster(m, k=nb20["k"], k_min=nb20["k_min"], k_max=nb20["k_max"], algorithm=nb20["algorithm"],
                   random_state=nb20["random_state"], minibatch=nb20["minibatch"])
    out["tfidf_kmeans_s"] = time.perf_counter() - t0
    out["units"], out["k"] = int(m.shape[0]), int(r.k)
    t0 = time.perf_counter()
    q = mq.extract_quotes(corpus.documents, language=language, descriptor_hints=corpus.definition.quotes.get("descriptor_hints"))
    out["quotes_s"] = time.perf_counter() - t0
    out["quotes"] = int(len(q.table))
    out["seconds"] = out["load_s"] + out["count_s"] + out["tfidf_kmeans_s"] + out["quotes_s"]
    out["peak_mb"] = peak_mb()
    out["cpu_s"] = cpu_seconds() - cpu0
    return out


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------
def _mb(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.is_file() else float("nan")


def bench_size(n: int, keep: Path | None, *, alone: bool = True) -> dict:
    """Render the report on the ``n``-article corpus and print its figures; without ``alone``
    only the whole report and the bare computations (not each notebook on its own)."""
    from medialens.paths import project_root

    yaml_path = ensure_corpus(n, fmt="jsonl")
    work = Path(tempfile.mkdtemp(prefix=f"bench-report-{n}-")) if keep is None else keep / f"report-{n}"
    if keep is not None:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    out, figures, cache = work / "report", work / "figures", work / "cache"
    try:
        terms = followed_terms(yaml_path)
        params = write_parameters(work, yaml_path, terms)
        stems = [nb.stem for nb in sorted((project_root() / "notebooks").glob("[0-9]*.ipynb"))]
        print(f"\n{n:,} articles ({yaml_path.parent.name}); followed terms {terms}; stance targets {list(TARGETS)}; "
              f"load {load_avg()}")
        print(f"  {'notebook':<30} {'wall s':>8} {'cpu s':>8} {'kernel MB':>10} {'ipynb MB':>9} {'html MB':>8} {'status'}")
        env = {"MEDIALENS_CACHE": str(cache)}
        rows = []
        for stem in stems if alone else []:
            before = {p: p.stat().st_size for p in figures.glob("*") if p.is_file()} if figures.is_dir() else {}
            r = run_child(__file__, "notebook", ["--params", str(params), "--out", str(out), "--figures", str(figures),
                                                 "--stem", stem], env=env)
            r.update(notebook=stem, ipynb_mb=_mb(out / f"{stem}.ipynb"), html_mb=_mb(out / f"{stem}.html"), load=load_avg())
            new = [p for p in figures.glob("*") if p.is_file() and before.get(p) != p.stat().st_size] if figures.is_dir() else []
            r["largest_figure"] = max(((p.stat().st_size / 1e6, p.name) for p in new), default=(0.0, ""))
            rows.append(r)
            print(f"  {stem:<30} {r['seconds']:>8.1f} {r['cpu_s']:>8.1f} {r['kernel_peak_mb']:>10,.0f} {r['ipynb_mb']:>9.2f} {r['html_mb']:>8.2f} "
                  f"{r['status']} (load {r['load']})", flush=True)
        total = sum(r["seconds"] for r in rows)
        total_cpu = sum(r["cpu_s"] for r in rows)
        if rows:
            print(f"  {'report total':<30} {total:>8.1f} {total_cpu:>8.1f} {max(r['kernel_peak_mb'] for r in rows):>10,.0f} "
                  f"{max(r['ipynb_mb'] for r in rows):>9.2f} {max(r['html_mb'] for r in rows):>8.2f} (largest page sizes); largest figure "
                  f"{max(r['largest_figure'] for r in rows)[1]} {max(r['largest_figure'] for r in rows)[0]:.2f} MB")
        from medialens.jobs import default_jobs

        jobs = default_jobs()
        whole = run_child(__file__, "notebook", ["--params", str(params), "--out", str(work / "whole"), "--figures",
                                                 str(work / "whole-figures")], env={"MEDIALENS_CACHE": str(work / "whole-cache")})
        print(f"  {'whole report, one runner':<30} {whole['seconds']:>8.1f} {whole['cpu_s']:>8.1f} {whole['kernel_peak_mb']:>10,.0f} "
              f"{'':>9} {'':>8} ({jobs} notebook(s) at once, as medialens report runs them; rc {whole['rc']}; load {load_avg()})", flush=True)
        whole_out, whole_figures = work / "whole", work / "whole-figures"
        pages = [(_mb(p), p.name) for p in [*whole_out.glob("*.ipynb"), *whole_out.glob("*.html")]]
        figs = [(p.stat().st_size / 1e6, p.name) for p in whole_figures.glob("*") if p.is_file()] if whole_figures.is_dir() else []
        print("    its notebooks, seconds from start to page: "
              + ", ".join(f"{name} {sec:.1f}" for name, sec in whole.get("notebook_seconds", {}).items())
              + (f"; largest page {max(pages)[1]} {max(pages)[0]:.2f} MB" if pages else "")
              + (f"; largest figure {max(figs)[1]} {max(figs)[0]:.2f} MB" if figs else ""), flush=True)
        peak = max([whole["kernel_peak_mb"], *(r["kernel_peak_mb"] for r in rows)])
        page_mb = max([p for p, _ in pages] + [max(r["ipynb_mb"], r["html_mb"]) for r in rows] + [0.0])
        fig_mb = max([f for f, _ in figs] + [r["largest_figure"][0] for r in rows] + [0.0])
        bare = run_child(__file__, "bare", ["--yaml", str(yaml_path), "--terms", json.dumps(terms)], env=env)
        print(f"  bare computations: load {bare['load_s']:.1f} s + count {bare['count_s']:.1f} s + TF-IDF/k-means "
              f"{bare['tfidf_kmeans_s']:.1f} s ({bare['units']:,} units, k = {bare['k']}) + quotes {bare['quotes_s']:.1f} s "
              f"({bare['quotes']:,}) = {bare['seconds']:.1f} s ({bare['cpu_s']:.1f} s CPU), peak {bare['peak_mb']:,.0f} MB; load {load_avg()}")
        ratio = total / bare["seconds"] if bare["seconds"] and rows else float("nan")
        cpu_ratio = total_cpu / bare["cpu_s"] if bare["cpu_s"] and rows else float("nan")
        print(("" if not rows else f"  each notebook alone / bare: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU; ")
              + f"  whole report / bare: {whole['seconds'] / bare['seconds']:.2f}x wall, {whole['cpu_s'] / bare['cpu_s']:.2f}x CPU (target 2x)")
        failed = [r["notebook"] for r in rows if r["rc"] != 0]
        verdicts = [f"{len(failed)} notebook(s) failed: {', '.join(failed)}" if failed else "every notebook ran"]
        if whole["rc"] != 0:
            verdicts.append(f"the whole report failed (rc {whole['rc']})")
        if n in TARGET_TOTAL_S:
            wall = whole["seconds"]
            verdicts.append(f"whole report {wall:.0f} s {'<=' if wall <= TARGET_TOTAL_S[n] else '>'} {TARGET_TOTAL_S[n]:.0f} s")
        verdicts.append(f"peak {peak:,.0f} MB {'<=' if peak <= TARGET_PEAK_MB else '>'} {TARGET_PEAK_MB:,.0f} MB")
        if n >= 100_000:
            verdicts.append(f"largest page {page_mb:.2f} MB {'<=' if page_mb <= TARGET_PAGE_MB else '>'} {TARGET_PAGE_MB} MB")
            verdicts.append(f"largest figure {fig_mb:.2f} MB {'<=' if fig_mb <= TARGET_FIGURE_MB else '>'} {TARGET_FIGURE_MB} MB")
        print("  " + "; ".join(verdicts))
        return {"n": n, "terms": terms, "notebooks": rows, "total_s": total, "total_cpu_s": total_cpu, "whole": whole, "bare": bare,
                "ratio": ratio, "cpu_ratio": cpu_ratio, "failed": failed}
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render the whole report on synthetic corpora and time it against its bare computations.")
    ap.add_argument("--sizes", type=parse_sizes, default="1000,10000,100000", help="comma-separated article counts")
    ap.add_argument("--keep", help="keep the reports, figures and parameter files in this folder (default: a temporary folder, removed)")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--whole-only", action="store_true", help="only the whole report and the bare computations, not each notebook alone")
    ap.add_argument("--child", choices=("notebook", "bare"), help=argparse.SUPPRESS)
    for hidden in ("--params", "--out", "--figures", "--stem", "--yaml", "--terms"):
        ap.add_argument(hidden, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child == "notebook":
        print(json.dumps(child_notebook(args.params, args.out, args.figures, args.stem or None)))
        return 0
    if args.child == "bare":
        print(json.dumps(child_bare(args.yaml, json.loads(args.terms))))
        return 0
    print(f"bench_report: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, load {load_avg()}")
    keep = Path(args.keep).resolve() if args.keep else None
    results = [bench_size(n, keep, alone=not args.whole_only) for n in args.sizes]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 1 if any(r["failed"] or r["whole"]["rc"] != 0 for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
