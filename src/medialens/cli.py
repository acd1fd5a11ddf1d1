"""Command line: ``medialens report``, ``medialens store-outputs``, ``medialens corpus``, ``medialens lab``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="medialens", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("report", help="run every notebook with a parameter file and render HTML")
    rep.add_argument("params", help="parameter file (YAML), e.g. corpus/seeds.params.yaml")
    rep.add_argument("--out", help="output folder (default: reports/<corpus name>)")
    rep.add_argument("--figures", help="figures folder (default: figures/<corpus name>)")
    rep.add_argument("--notebook", action="append", help="run only this notebook (repeatable)")
    rep.add_argument("--no-html", action="store_true", help="skip the HTML rendering")
    rep.add_argument("--jobs", type=int, help="notebooks run at once (default: $MEDIALENS_JOBS, else one per core, at most 2)")
    rep.add_argument("--check", action="store_true", help="only validate the parameters (names, types, and values against the corpus), run nothing")

    store = sub.add_parser("store-outputs", help="re-run notebooks with their defaults and store outputs (for nbval)")
    store.add_argument("notebooks", nargs="*", help="notebooks (default: all in notebooks/)")

    cor = sub.add_parser("corpus", help="load a corpus definition and print its totals and skip report")
    cor.add_argument("definition", help="corpus definition (YAML), e.g. corpus/seeds.yaml")
    cor.add_argument("--no-cache", action="store_true")
    cor.add_argument("--limit", type=int, default=20, help="notes shown per kind (default 20)")

    lab = sub.add_parser(
        "lab", help="open working copies of the notebooks (work/) in JupyterLab; other arguments go to JupyterLab",
        description="Copy the notebooks missing from the working folder (work/, ignored by git) from notebooks/ "
        "and start JupyterLab there. Arguments medialens does not know go to JupyterLab, e.g. "
        "`medialens lab --no-browser --port 9999`.",
    )
    lab.add_argument("--work", help="working folder (default: work/ in the project root)")
    lab.add_argument("--params", help="parameter file: new copies get its values (in work/<corpus name>/)")

    args, extra = parser.parse_known_args(argv)
    if args.command == "lab":
        from .lab import main as lab_main

        return lab_main(extra, work_dir=args.work, params=args.params)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "report":
        from .report import plan_report, run_report
        from .staging import check_replaceable

        if args.check:
            from .checks import check_plan
            from .report import read_parameter_file

            try:
                out, figs, plan = plan_report(args.params, out_dir=args.out, figures_dir=args.figures, only=args.notebook)
                if problem := check_replaceable(out):
                    raise ValueError(f"{problem}; nothing was run")
                pf = read_parameter_file(args.params)
            except ValueError as exc:
                print(f"medialens report: {exc}", file=sys.stderr)
                return 2
            problems = check_plan(plan, pf.path, pf.common)  # against the corpus: terms, targets, groups ...
            if problems:
                print("medialens report: parameter check against the corpus failed; nothing was run:", file=sys.stderr)
                for line in problems:
                    print(f"  - {line}", file=sys.stderr)
                return 2
            for nb, params in plan:
                print(f"{nb.name}: {sorted(params)}")
            print(f"{len(plan)} notebook(s) checked against the corpus: every parameter name, type and value fits; nothing was run")
            return 0
        return run_report(args.params, out_dir=args.out, figures_dir=args.figures, only=args.notebook, html_output=not args.no_html,
                          jobs=args.jobs)
    if args.command == "store-outputs":
        from .store import store_outputs

        return store_outputs(args.notebooks or None)
    if args.command == "corpus":
        import pandas as pd

        from .corpus import load_corpus

        try:
            corpus = load_corpus(args.definition, use_cache=not args.no_cache, progress=sys.stderr.isatty())
        except ValueError as exc:
            print(f"medialens corpus: {exc}", file=sys.stderr)
            return 2
        with pd.option_context("display.width", 200, "display.max_colwidth", 100):
            print(corpus)
            print(corpus.summary().to_string())
            if len(corpus.skipped):
                print("\nskipped:")
                print(corpus.skipped.to_string(index=False))
            _print_notes(corpus.notes, max(args.limit, 0))
        return 0
    return 2


def _print_notes(notes, limit: int) -> None:
    """Print ``notes`` grouped by kind (kinds sorted), at most ``limit`` rows of each kind."""
    if not len(notes):
        return
    counts = notes["kind"].value_counts().sort_index()
    print(f"\nnotes ({len(notes)}): " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))
    for kind, n in counts.items():
        rows = notes[notes["kind"] == kind]
        print(f"\n{kind} ({n}):")
        if limit:
            print(rows.head(limit).drop(columns="kind").to_string(index=False))
        if n > limit:
            print(f"… and {n - limit} more (--limit {n} shows them all)")


if __name__ == "__main__":
    sys.exit(main())
