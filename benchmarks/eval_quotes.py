"""Evaluation: quote attribution against the hand-annotated set in ``tests/data/quotes/``.

Prints precision, recall and F1 overall, per language and per rule, the recall of quotes whose
speaker is named in the same or an adjacent sentence (``recall_near``), and the calibration
table (share correct at each confidence level). With ``--write`` it stores the per-rule
precision in ``src/medialens/data/quote_rule_precision.csv``, the table
:mod:`medialens.quotes` takes each rule's confidence from (run it twice after a rule change:
the second run scores with the new confidences). ``--errors`` lists every wrong or missed
attribution.

    .venv/bin/python benchmarks/eval_quotes.py [--write] [--errors]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from medialens import quote_eval

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "tests" / "data" / "quotes"
TABLE = ROOT / "src" / "medialens" / "data" / "quote_rule_precision.csv"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="store the per-rule precision table")
    ap.add_argument("--errors", action="store_true", help="list every wrong or missed attribution")
    args = ap.parse_args(argv)
    docs = quote_eval.load_eval_set(EVAL_DIR)
    scored = quote_eval.score(docs, quote_eval.seed_hints())
    tables = quote_eval.summary(scored)
    pd.set_option("display.width", 160)
    print(f"evaluation set: {len(docs)} documents, {len(scored)} quotes "
          f"({', '.join(f'{k}: {v}' for k, v in scored.groupby('lang').size().items())})\n")
    print("per language (precision = correct / attributed; recall = correct / quotes with a speaker)")
    print(tables["language"].to_string(index=False), "\n")
    print("per rule")
    print(tables["rule"].to_string(index=False), "\n")
    print("calibration (attributed quotes at each confidence level)")
    print(quote_eval.calibration(scored).to_string(index=False))
    if args.errors:
        bad = scored[(scored["attributed"] & ~scored["correct"]) | (~scored["attributed"] & (scored["gold"] != "none"))]
        print("\nwrong or missed")
        print(bad[["doc_id", "quote", "gold", "speaker", "rule"]].to_string(index=False))
    if args.write:
        table = quote_eval.rule_precision(scored)
        TABLE.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(TABLE, index=False, lineterminator="\n")
        print(f"\nwrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
