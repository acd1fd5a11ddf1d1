"""Grouping documents by a column: labels, missing values, the per-group document table."""

from __future__ import annotations

import pandas as pd
import pytest

from medialens import grouping as grp


def test_group_column_names_the_parameter(docs):
    assert grp.group_column(docs, group_by="outlet") == "outlet"
    assert grp.group_column(docs, group_by="speaker") == "outlet"
    with pytest.raises(ValueError, match=r"group_by = 'krant': use 'speaker' or one of \['doc_id', 'outlet'\]"):
        grp.group_column(docs, group_by="krant")
    with pytest.raises(ValueError, match="group_by = 'text'"):
        grp.group_column(docs, group_by="text")


def test_documents_per_group_labels_missing_values_like_the_tables():
    d = pd.DataFrame({"doc_id": list("abcd"), "month": ["2022-02", None, "2022-01", "2022-02"], "text": [""] * 4})
    t = grp.documents_per_group(d, column="month")
    assert t["documents"].to_dict() == {"2022-01": 1, "2022-02": 2, "(missing)": 1}
    assert list(t.index) == ["2022-01", "2022-02", "(missing)"] and t.index.name == "month"
    with pytest.raises(ValueError, match="column = 'krant'"):
        grp.documents_per_group(d, column="krant")
