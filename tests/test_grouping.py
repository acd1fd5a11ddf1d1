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
    t = grp.documents_per_group(d, group_by="month")
    assert t["documents"].to_dict() == {"2022-01": 1, "2022-02": 2, "(missing)": 1}
    assert list(t.index) == ["2022-01", "2022-02", "(missing)"] and t.index.name == "month"
    with pytest.raises(ValueError, match="group_by = 'krant'"):
        grp.documents_per_group(d, group_by="krant")


DOCS = pd.DataFrame(
    {
        "doc_id": ["a", "b", "c", "d", "e"],
        "outlet": ["X", "Y", None, "X", ""],
        "month": ["2022-02", None, "2022-01", float("nan"), "2022-02"],
        "year": [2022, 2022, None, 2021, 2022],
        "text": ["een", "twee", "drie", "vier", "vijf"],
        "words": [1, 1, 1, 1, 1],
        "total_1": [1, 1, 1, 1, 1],
    }
)


def test_group_labels_one_label_for_every_kind_of_missing_value():
    assert grp.group_labels(DOCS, "outlet").tolist() == ["X", "Y", "(missing)", "X", "(missing)"]
    assert grp.group_labels(DOCS, "month").tolist() == ["2022-02", "(missing)", "2022-01", "(missing)", "2022-02"]
    # numbers become their text; the index is kept
    labels = grp.group_labels(DOCS.set_index("doc_id"), "year")
    assert labels.to_dict() == {"a": "2022.0", "b": "2022.0", "c": "(missing)", "d": "2021.0", "e": "2022.0"}
    assert grp.group_labels(DOCS, None).tolist() == ["all documents"] * 5
    assert grp.MISSING_GROUP == "(missing)"


@pytest.mark.parametrize("group_by", ["krant", "text", "words", "total_1", 3])
def test_group_labels_names_the_argument_and_the_usable_columns(group_by):
    with pytest.raises(ValueError, match=rf"^group_by = {group_by!r}: no such document column; choose one of \['doc_id', 'month', 'outlet', 'year'\]"):
        grp.group_labels(DOCS, group_by)


def test_group_order_sorts_and_puts_missing_last():
    assert grp.group_order(["b", "(missing)", "a", "b"]) == ["a", "b", "(missing)"]
    assert grp.group_order(pd.Series(["(missing)", "(not quoted)", "Z"])) == ["(not quoted)", "Z", "(missing)"]
    assert grp.group_order([]) == []


def test_every_analysis_labels_a_missing_month_alike():
    from medialens import clustering as cl
    from medialens import frequency as mf
    from medialens.corpus import counts_by
    from medialens.quotes import extract_quotes, share_of_voice

    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "outlet": ["X", "X", "Y"],
            "month": ["2022-01", None, "2022-02"],
            "date": ["2022-01-03", None, "2022-02-01"],
            "text": [
                "“De NAVO is sterk”, aldus minister Ank Bijleveld.",
                "“Rusland zwijgt”, zei minister Wopke Hoekstra.",
                "“Over het weer”, aldus minister Ank Bijleveld.",
            ],
        }
    )
    expected = ["2022-01", "2022-02", "(missing)"]
    sizes = mf.group_sizes(mf.count_terms(docs), group_by="month")
    assert list(sizes.index) == expected
    units = cl.make_units(docs, unit="document")
    assert list(cl.cluster_table(units, [1, 1, 2], group_by="month").columns) == [*expected, "total"]
    assert cl.units_per_document(units)["month"].tolist() == ["2022-01", "(missing)", "2022-02"]
    assert list(counts_by(docs, rows="outlet", columns="month").columns) == [*expected, "total"]
    quotes = extract_quotes(docs).table
    assert share_of_voice(quotes, group_by="month", documents=docs)["month"].tolist() == expected
    assert list(grp.documents_per_group(docs, group_by="month").index) == expected


def test_largest_group_is_one_rule_for_keyness_and_log_odds():
    from medialens import frequency as mf

    sizes = pd.DataFrame({"documents": [20, 5, 5]}, index=pd.Index(["(missing)", "B", "A"], name="outlet"))
    assert grp.largest_group(sizes["documents"]) == "A"  # the largest group with a value; ties by name
    assert mf.largest_group(sizes) == "A"
    assert grp.largest_group({"(missing)": 3}) == "(missing)"  # the only group
    assert grp.largest_group({"(missing)": 3, "A": 1}, exclude="A") == "(missing)"
    with pytest.raises(ValueError, match="no groups"):
        grp.largest_group({})


def test_a_placeholder_speaker_is_never_the_default_group():
    from medialens import log_odds as lod
    from medialens import quotes as mq
    from medialens import stance as st

    # the placeholders are the ones the quote and stance tables write
    assert mq.UNATTRIBUTED == grp.UNATTRIBUTED and mq.BELOW == grp.BELOW_MIN_CONFIDENCE
    sizes = {"(unattributed)": 10, "(below min_confidence)": 9, "(not quoted)": 8, "(unresolved: he)": 7, "(missing)": 6, "Warren": 2, "Biden": 2}
    assert grp.largest_group(sizes) == "Biden"
    assert grp.largest_group({"(unattributed)": 3, "(unresolved: she)": 2}) == "(unattributed)"  # only placeholders left
    units = pd.DataFrame({"doc_id": list("abcde"), "speaker": ["(unattributed)"] * 3 + ["Warren", "Biden"], "text": ["x"] * 5})
    assert lod.choose_groups(units, group_by="speaker") == ("Biden", None)
    assert lod.choose_groups(units, group_by="speaker", group="(unattributed)") == ("(unattributed)", None)  # still choosable
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["Biden left."]})
    found = st.find_mentions(docs, {"Biden": ["Biden"]}, lexicon=None, window=1, quotes=mq.extract_quotes(docs).table)
    assert grp.is_placeholder(found["speaker"].iloc[0])
