"""Evaluation: quote attribution against the hand-annotated set in ``tests/data/quotes/``.

Prints, for the development passages (``tests/data/quotes/*.txt``: the rules were written on
them and the confidences are measured on them, so these figures are in-sample) and for the
held-out passages (``tests/data/quotes/heldout/``: never used to set a rule or a confidence, so
out-of-sample): precision, recall and F1 overall and per language, the recall of quotes whose
speaker is named in the same or an adjacent sentence (``recall_near``), per rule, and the
calibration table (share correct at each confidence level). With ``--write`` it stores the
per-rule precision (and the held-out counts) in ``src/medialens/data/quote_rule_precision.csv``,
the table :mod:`medialens.quotes` takes each rule's confidence from (run it twice after a rule
change: the second run scores with the new confidences). ``--errors`` lists every wrong or missed
attribution of the development set (``--errors-heldout`` those of the held-out set: reading them
to change a rule makes the held-out set part of the development set).

    .venv/bin/python benchmarks/eval_quotes.py [--write] [--errors] [--errors-heldout]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from medialens import quote_eval

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "tests" / "data" / "quotes"
HELDOUT_DIR = EVAL_DIR / "heldout"
TABLE = ROOT / "src" / "medialens" / "data" / "quote_rule_precision.csv"


def _report(title: str, docs, scored: pd.DataFrame) -> None:
    tables = quote_eval.summary(scored)
    print(f"== {title}: {len(docs)} documents, {len(scored)} quotes "
          f"({', '.join(f'{k}: {v}' for k, v in scored.groupby('lang').size().items())})\n")
    print("per language (precision = correct / attributed; recall = correct / quotes with a speaker)")
    print(tables["language"].to_string(index=False), "\n")
    print("per rule")
    print(tables["rule"].to_string(index=False), "\n")
    print("calibration (attributed quotes at each confidence level)")
    print(quote_eval.calibration(scored).to_string(index=False), "\n")


def _errors(scored: pd.DataFrame) -> None:
    bad = scored[(scored["attributed"] & ~scored["correct"]) | (~scored["attributed"] & (scored["gold"] != "none"))]
    print("wrong or missed")
    print(bad[["doc_id", "quote", "gold", "speaker", "rule"]].to_string(index=False), "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="store the per-rule precision table")
    ap.add_argument("--errors", action="store_true", help="list every wrong or missed attribution (development set)")
    ap.add_argument("--errors-heldout", action="store_true", help="the same for the held-out set")
    args = ap.parse_args(argv)
    pd.set_option("display.width", 160)
    docs = quote_eval.load_eval_set(EVAL_DIR)
    scored = quote_eval.score(docs, quote_eval.seed_hints())
    held_docs = quote_eval.load_eval_set(HELDOUT_DIR)
    held = quote_eval.score(held_docs)
    _report("development set (rules written and confidences measured on it: in-sample)", docs, scored)
    if args.errors:
        _errors(scored)
    _report("held-out set (not used for rules or confidences: out-of-sample)", held_docs, held)
    if args.errors_heldout:
        _errors(held)
    if args.write:
        table = quote_eval.rule_precision(scored, held)
        TABLE.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(TABLE, index=False, lineterminator="\n")
        print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
