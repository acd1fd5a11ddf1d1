"""The result convention: a frozen Result with a table and a tuple of notes, numbers as numbers in
tables, intervals formatted only for display, and no result notes in DataFrame.attrs."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from medialens.paths import project_root
from medialens.results import INSUFFICIENT, Result, with_intervals


def test_result_is_a_frozen_table_with_notes():
    r = Result(pd.DataFrame({"x": [1]}), ("a note",))
    assert r.notes == ("a note",) and r.table["x"].tolist() == [1]
    assert Result(pd.DataFrame()).notes == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.notes = ()


def test_with_intervals_formats_for_display_only():
    t = pd.DataFrame({"mean": [0.1234, np.nan, -0.5], "ci_low": [0.01, np.nan, -0.75], "ci_high": [0.25, np.nan, -0.125]})
    shown = with_intervals(t, value="mean")
    assert shown["result"].tolist() == ["0.123 [0.010, 0.250]", INSUFFICIENT, "-0.500 [-0.750, -0.125]"]
    assert "result" not in t.columns  # the table itself is not changed
    assert with_intervals(t, value="mean", digits=1, column="text")["text"].iloc[0] == "0.1 [0.0, 0.2]"
    with pytest.raises(ValueError, match=r"table: missing column\(s\) \['net'\]"):
        with_intervals(t, value="net")
    # a table that says why a value is missing (the stance table's column `missing`) is shown so
    reasons = t.assign(n_mentions=[5, 3, 0], missing=["", "no scored words", "insufficient data"])
    assert with_intervals(reasons, value="mean")["result"].tolist()[1] == "no scored words (n = 3 mentions)"
    assert with_intervals(reasons.assign(missing=["", "insufficient data", ""]), value="mean")["result"].tolist()[1] == INSUFFICIENT


def test_no_module_keeps_results_in_dataframe_attrs():
    # pandas calls DataFrame.attrs experimental: notes and extra facts travel in Result objects
    src = project_root() / "src" / "medialens"
    offenders = [f"{p.relative_to(src)}:{i}" for p in sorted(src.rglob("*.py"))
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if re.search(r"\.attrs\b", line)]
    assert offenders == []


def test_analysis_results_carry_notes_as_tuples(seed_counts_small):
    from medialens import frequency as mf

    counts, docs = seed_counts_small
    results = [
        mf.term_frequencies(counts, group_by="outlet", top_n=3),
        mf.keyness(counts, group_by="outlet", group="A"),
        mf.keyness_grid(counts, group_by="outlet", top_n=3),
        mf.bootstrap_log_ratio(counts, group_by="outlet", group="A", terms=["navo"], n_bootstrap=20),
        mf.trends(counts, terms=["navo"], group_by="outlet"),
        mf.kwic(docs, terms=["navo", "vliegverbod"]),
        mf.dispersion(docs, terms=["navo"]),
    ]
    for r in results:
        assert isinstance(r, Result) and isinstance(r.table, pd.DataFrame) and isinstance(r.notes, tuple)
        assert all(isinstance(n, str) for n in r.notes)
    assert results[3].notes  # one document on the target side: no interval, and a note says so
    assert results[4].undated == 1 and any("undated" in n for n in results[4].notes)
    assert results[5].notes == ("terms: 'vliegverbod' does not occur in the documents.",)
    assert results[6].terms == ("navo",) and results[6].documents["doc_id"].tolist() == ["a", "b", "c"]


def test_stance_tables_hold_numbers_not_formatted_intervals(lex, docs, targets):
    from medialens import stance as st

    m = st.find_mentions(docs, targets, lexicon=lex)
    t = st.stance_table(m, docs, min_n=1, n_bootstrap=200)
    assert "result" not in t.columns
    assert all(pd.api.types.is_numeric_dtype(t[c]) for c in ("n_mentions", "mean", "ci_low", "ci_high"))


@pytest.fixture
def seed_counts_small():
    from medialens import frequency as mf

    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "outlet": ["A", "B", "B"],
            "month": ["2022-01", "2022-02", None],
            "text": ["De NAVO stuurt troepen.", "De NAVO zwijgt over troepen.", "Over het weer en de NAVO."],
        }
    )
    return mf.count_terms(docs), docs
