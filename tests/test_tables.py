"""Bounded displays and full tables: medialens.tables and Session.show."""

from __future__ import annotations

import pandas as pd
import pytest

from medialens.paths import project_root
from medialens.tables import (
    INTERACTIVE_DIR,
    ShownTable,
    TableFolder,
    sample_rows,
    show,
    tables_folder,
)


@pytest.fixture
def folder(tmp_path) -> TableFolder:
    return TableFolder(tmp_path / "report" / "tables", tmp_path / "report")


@pytest.fixture
def big() -> pd.DataFrame:
    return pd.DataFrame({
        "term": [f"t{i % 3}" for i in range(250)], "count": range(250), "share": [i / 7 for i in range(250)],
    })


def test_show_displays_a_bounded_table_and_writes_the_whole_one(big, folder):
    shown = show(big, "counts", folder=folder, max_rows=20)
    assert isinstance(shown, ShownTable) and len(shown.rows) == 20 and shown.total == 250
    assert shown.path == folder.path / "counts.csv" and shown.link == "tables/counts.csv"
    back = pd.read_csv(shown.path)
    pd.testing.assert_frame_equal(back, big)  # every row, numbers as numbers, unrounded
    assert shown.footer() == "… and 230 more rows. Full table (250 rows): tables/counts.csv"
    html = shown._repr_html_()
    assert html.count("<tr") == 21  # header + 20 rows
    assert '<a href="tables/counts.csv">tables/counts.csv</a>' in html
    assert repr(shown).endswith("… and 230 more rows. Full table (250 rows): tables/counts.csv")


def test_a_small_table_is_shown_whole_and_says_where_the_file_is(folder):
    small = pd.DataFrame({"a": [1, 2]})
    shown = show(small, "small", folder=folder)
    assert len(shown.rows) == 2 and shown.footer() == "Full table (2 rows): tables/small.csv"
    assert show(small).footer() == "" and repr(show(small)) == repr(small)  # nothing written, nothing said


def test_display_options_change_the_display_not_the_file(big, folder):
    shown = show(big, "rounded", folder=folder, columns=["term", "share"], digits=2, max_rows=5)
    assert list(shown.rows.columns) == ["term", "share"] and shown.rows["share"].iloc[1] == 0.14
    assert list(pd.read_csv(shown.path).columns) == ["term", "count", "share"]
    assert pd.read_csv(shown.path)["share"].iloc[1] == pytest.approx(1 / 7)
    tail = show(big, "tail", folder=folder, rows=big.tail(3).iloc[::-1], max_rows=10)
    assert tail.rows["count"].tolist() == [249, 248, 247] and tail.footer().startswith("… and 247 more rows.")


def test_chosen_rows_are_described(big, folder):
    rows = sample_rows(big, by="term", n=4, random_state=0)
    shown = show(big, "sample", folder=folder, rows=rows, chosen="a random sample of 4 lines per term")
    assert shown.footer() == "12 of 250 rows shown (a random sample of 4 lines per term). Full table (250 rows): tables/sample.csv"


def test_sample_rows_is_seeded_bounded_and_in_table_order(big):
    a = sample_rows(big, by="term", n=4, random_state=1)
    assert a.equals(sample_rows(big, by="term", n=4, random_state=1))
    assert not a.equals(sample_rows(big, by="term", n=4, random_state=2))
    assert a["term"].value_counts().to_dict() == {"t0": 4, "t1": 4, "t2": 4}
    assert list(a.index) == sorted(a.index)
    few = sample_rows(big.head(2), by="term", n=5)
    assert len(few) == 2  # a term with fewer rows keeps them all
    assert sample_rows(big.head(0), by="term", n=5).empty


def test_html_is_escaped(folder):
    hostile = pd.DataFrame({"text": ["<script>alert(1)</script>"]})
    html = show(hostile, "hostile", folder=folder)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("name", ["", "../escape", "a b", "/abs"])
def test_a_table_name_is_a_plain_file_name(name, folder):
    with pytest.raises(ValueError, match="name"):
        show(pd.DataFrame({"a": [1]}), name, folder=folder)


def test_the_index_is_kept_when_it_has_a_name(folder):
    table = pd.DataFrame({"documents": [3, 2]}, index=pd.Index(["A", "B"], name="outlet"))
    path = show(table, "per_outlet", folder=folder).path
    assert path.read_text().splitlines() == ["outlet,documents", "A,3", "B,2"]


def test_tables_folder_for_reports_and_interactive_runs():
    root = project_root()
    report = tables_folder("reports/seeds/tables", "seeds")
    assert report.path == root / "reports" / "seeds" / "tables" and report.page_dir == root / "reports" / "seeds"
    assert report.link(report.path / "keyness.csv") == "tables/keyness.csv"
    lab = tables_folder("", "seeds")
    assert lab.path == root / INTERACTIVE_DIR / "seeds"
    assert lab.link(lab.path / "keyness.csv") == f"../{INTERACTIVE_DIR}/seeds/keyness.csv"
    with pytest.raises(ValueError, match="tables_dir"):
        tables_folder(3, "seeds")


def test_interactive_tables_are_ignored_by_git():
    ignored = (project_root() / ".gitignore").read_text().splitlines()
    assert f"/{INTERACTIVE_DIR}/" in ignored


def test_bad_arguments_are_named(folder):
    with pytest.raises(ValueError, match="max_rows"):
        show(pd.DataFrame({"a": [1]}), max_rows=0)
    with pytest.raises(ValueError, match="table"):
        show([1, 2])
    with pytest.raises(ValueError, match="term"):
        sample_rows(pd.DataFrame({"a": [1]}), by="term", n=1)


def test_every_row_it_says_is_shown_is_rendered_whatever_pandas_display_options(folder):
    # pandas' display.max_rows (60) and min_rows (10) used to cut 100 shown rows to 10 and "..."
    table = pd.DataFrame({"group": [f"g{i // 10:02d}" for i in range(570)], "term": [f"t{i}" for i in range(570)]})
    shown = show(table, "groups", folder=folder, rows=table, chosen="the top 10 words per group", max_rows=100, by="group")
    with pd.option_context("display.max_rows", 60, "display.min_rows", 10):
        page = shown._repr_html_()
        text = repr(shown)
    assert page.count("<tr") == 101 and "t99<" in page and "..." not in page
    assert "t99" in text and "\n...\n" not in text.replace(" ", "")
    assert shown.footer().startswith("100 of 570 rows shown (the top 10 words per group; the first 10 of 57 groups).")
    assert show(table, rows=table, chosen="the top 100", max_rows=100).footer() == "100 of 570 rows shown (the top 100)."  # no groups named
    assert show(table, rows=table.head(50), chosen="a choice", max_rows=100).footer() == "50 of 570 rows shown (a choice)."
