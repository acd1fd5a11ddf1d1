"""The codebook and the one reader of coding files: codebook specs, the Markdown template,
formula cells, coder sheets and long exports read back with every bad input named by file and
line, and the stance codes of notebook 30 read by the same reader."""

from __future__ import annotations

import pytest

from medialens import codebook as cbk

CB = cbk.make_codebook({"stance": ["favour", "against", "neutral"], "tone": {"values": [1, 2, 3, 4, 5], "level": "ordinal"}})


def test_codebook_template_lists_every_value():
    md = cbk.codebook_markdown(CB)
    assert "## `stance` (nominal)" in md and "## `tone` (ordinal)" in md
    for v in ("favour", "against", "neutral", "1", "5"):
        assert f"| `{v}` | | |" in md
    assert "don't know" in md


@pytest.mark.parametrize(
    "spec, message",
    [
        ({}, "at least one variable"),
        ({"stance": ["favour"]}, "at least two values"),
        ({"stance": ["a", "A"]}, "repeated value"),
        ({"stance": ["a", ""]}, "empty or repeated"),
        ({"text": ["a", "b"]}, "variable name 'text'"),
        ({"my stance": ["a", "b"]}, "plain name"),
        ({"stance": {"values": ["a", "b"], "level": "metric"}}, "level = 'metric'"),
        ({"stance": ["a", "dk"]}, "missing-value answer"),
    ],
)
def test_codebook_bad_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        cbk.make_codebook(spec)


def test_formula_cells_are_neutralised_and_restored():
    for cell in ("=HYPERLINK(\"x\")", "+31 6", "-2", "@SUM(A1)", "\tx"):
        assert cbk.neutralise(cell) == "'" + cell
        assert cbk.restore(cbk.neutralise(cell)) == cell
    assert cbk.neutralise("De Navo") == "De Navo" and cbk.restore("'s-Hertogenbosch") == "'s-Hertogenbosch"


def test_read_the_long_format(tmp_path):
    f = tmp_path / "codes.csv"
    f.write_text("unit_id,coder,variable,value\nu1,ann,stance,favour\nu1,bob,stance,against\nu2,ann,tone,3\nu2,bob,tone,\n",
                 encoding="utf-8")
    r = cbk.read_coded(f, codebook=CB)
    assert r.table[["unit_id", "coder", "variable", "value", "line"]].values.tolist() == [
        ["u1", "ann", "stance", "favour", 2], ["u1", "bob", "stance", "against", 3], ["u2", "ann", "tone", "3", 4]]
    assert "1 empty cell(s) skipped" in r.notes[0]


@pytest.mark.parametrize(
    "content, message",
    [
        ("unit_id,coder,variable,value\nu1,ann,stance,favour\nu9,bob,stance,favour\n", "codes.csv:3: unit 'u9' is not in the sample"),
        ("unit_id,coder,variable,value\nu1,ann,stance,pro\n", "codes.csv:2: stance = 'pro' is not in the codebook"),
        ("unit_id,coder,variable,value\nu1,ann,tone,6\n", "codes.csv:2: tone = '6' is not in the codebook"),
        ("unit_id,coder,variable,value\nu1,ann,frame,x\n", "codes.csv:2: variable 'frame' is not in the codebook"),
        ("unit_id,coder,variable,value\nu1,ann,stance,favour\nu2,ann,stance,favour\nu1,ann,stance,against\n",
         "codes.csv:4: coder 'ann' coded unit 'u1' twice for 'stance' \\(also at codes.csv:2\\)"),
        ("unit_id,variable,value\nu1,stance,favour\n", "codes.csv:1: missing column\\(s\\) \\['coder'\\]"),
        ("unit_id,coder,stance,frame\nu1,ann,favour,x\n", "codes.csv:1: column\\(s\\) \\['frame'\\] are not codebook variables"),
        ("unit_id,coder,variable,value\nu1,ann,stance\n", "codes.csv:2: 3 fields, the header has 4"),
        ("unit_id,coder,variable,value\n,ann,stance,favour\n", "codes.csv:2: empty unit_id"),
        ("unit_id,coder,coder\nu1,a,b\n", "codes.csv:1: a column name is repeated"),
        ("", "codes.csv: the file is empty"),
        ('unit_id,coder,variable,value\n"u1\nu2",ann,stance,favour\nu1,ann,stance,"x\n', "codes.csv:4: not a well-formed CSV"),
    ],
)
def test_read_coded_bad_inputs(tmp_path, content, message):
    f = tmp_path / "codes.csv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        cbk.read_coded(f, codebook=CB, units=["u1", "u2", "u1\nu2"])
    assert "\n" not in str(err.value)


def test_read_coded_line_numbers_follow_multiline_fields(tmp_path):
    f = tmp_path / "codes.csv"
    f.write_text('unit_id,coder,stance,comment\nu1,ann,favour,"two\nlines"\nu2,ann,pro,\n', encoding="utf-8")
    with pytest.raises(ValueError, match="codes.csv:4: stance = 'pro'"):
        cbk.read_coded(f, codebook=CB)


def test_twice_across_files_names_both(tmp_path):
    (tmp_path / "a.csv").write_text("unit_id,coder,stance\nu1,ann,favour\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("unit_id,coder,stance\nu2,ann,favour\nu1,ann,neutral\n", encoding="utf-8")
    with pytest.raises(ValueError, match="b.csv:3: coder 'ann' coded unit 'u1' twice for 'stance' \\(also at a.csv:2\\)"):
        cbk.read_coded(tmp_path, codebook=CB)


def test_read_coded_bad_sources(tmp_path):
    with pytest.raises(ValueError, match="no such file or folder"):
        cbk.read_coded(tmp_path / "nope", codebook=CB)
    with pytest.raises(ValueError, match="holds no .csv files"):
        cbk.read_coded(tmp_path, codebook=CB)
    f = tmp_path / "x.csv"
    f.write_bytes("unit_id,coder,stance\nu1,ann,\x84favour\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"x.csv:2: byte 0x84 is not valid UTF-8 \(is it cp1252\?\)"):
        cbk.read_coded(f, codebook=CB)


def test_neutralised_ids_are_restored_when_read(tmp_path):
    f = tmp_path / "codes.csv"
    f.write_text("unit_id,coder,stance\n'-u1,ann,favour\n", encoding="utf-8")
    assert cbk.read_coded(f, codebook=CB, units=["-u1"]).table["unit_id"].tolist() == ["-u1"]


def test_comment_lines_before_the_header_keep_line_numbers(tmp_path):
    f = tmp_path / "codes.csv"
    f.write_text("# example codes\n# two lines\nunit_id,coder,variable,value\nu1,ann,stance,favour\nu1,bob,stance,pro\n", encoding="utf-8")
    with pytest.raises(ValueError, match="codes.csv:5: stance = 'pro'"):
        cbk.read_coded(f, codebook=CB)
    f.write_text("# example codes\nunit_id,coder,coder\n", encoding="utf-8")
    with pytest.raises(ValueError, match="codes.csv:2: a column name is repeated"):
        cbk.read_coded(f, codebook=CB)




# --------------------------------------------------------------------------------------------
# One reader for every coding file
# --------------------------------------------------------------------------------------------
def test_the_stance_codes_of_notebook_30_are_read_by_the_same_reader():
    from medialens import coding as cod
    from medialens.paths import resolve

    path = resolve("corpus/seeds.stance_codes.csv")
    stance = cbk.make_codebook({"stance": list(cod.STANCE_LABELS)}, missing=())
    long = cbk.read_coded(path, codebook=stance, info=("text", "target")).table
    wide = cod.read_codes(path)
    assert len(long) == len(wide) and set(long["variable"]) == {"stance"}
    merged = wide.merge(long, on=["unit_id", "coder", "line"], validate="one_to_one")
    assert (merged["stance"] == merged["value"]).all()
    assert (merged["text_x"] == merged["text_y"]).all() and (merged["target_x"] == merged["target_y"]).all()


def test_stance_codes_get_the_readers_checks(tmp_path):
    from medialens import coding as cod

    header = "unit_id,text,target,stance,coder\n"
    f = tmp_path / "codes.csv"
    f.write_text(header + "1,Goed,NAVO,favour,a\n2,Slecht,NAVO,against,a\n1,Goed,NAVO,neutral,a\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"codes\.csv:4: coder 'a' coded unit '1' twice for 'stance' \(also at codes\.csv:2\)"):
        cod.read_codes(f)
    f.write_text(header + "1,Goed,NAVO,,a\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"codes\.csv:2: empty 'stance'"):
        cod.read_codes(f)
    f.write_text(header + "1,Goed,NAVO,dk,a\n", encoding="utf-8")  # no missing answers for the classifier
    with pytest.raises(ValueError, match=r"codes\.csv:2: stance = 'dk' is not in the codebook \(favour, against, neutral\)$"):
        cod.read_codes(f)
    f.write_text(header + "1,Goed,NAVO,FAVOUR,a\n", encoding="utf-8")
    assert cod.read_codes(f)["stance"].tolist() == ["favour"]


def test_a_sheet_needs_a_variable_column_and_info_names_known_columns(tmp_path):
    f = tmp_path / "codes.csv"
    f.write_text("unit_id,coder,text\nu1,ann,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"codes\.csv:1: no column is a codebook variable \['stance', 'tone'\]"):
        cbk.read_coded(f, codebook=CB)
    f.write_text("unit_id,coder,target,stance\nu1,ann,NAVO,favour\n", encoding="utf-8")
    assert cbk.read_coded(f, codebook=CB, info=("target",)).table["target"].tolist() == ["NAVO"]
    with pytest.raises(ValueError, match=r"info = \('speaker',\): choose columns from"):
        cbk.read_coded(f, codebook=CB, info=("speaker",))
    with pytest.raises(ValueError, match=r"coded_path = '': give a CSV file or a folder"):
        cbk.read_coded("", codebook=CB)
    with pytest.raises(ValueError, match=r"codes\.csv:1: missing column\(s\) \['text'\]"):
        cbk.read_coded(f, codebook=CB, required=("text",))


def test_open_variables_take_any_text_but_the_missing_answers(tmp_path):
    book = cbk.make_codebook({"speaker": {"values": "open"}, "stance": ["favour", "against"]})
    assert book.variable("speaker").open and not book.variable("stance").open
    assert "(open answer" in cbk.codebook_markdown(book)
    f = tmp_path / "codes.csv"
    f.write_text("unit_id,coder,variable,value\nq1,ann,speaker, Jens Stoltenberg \nq2,ann,speaker,dk\n", encoding="utf-8")
    t = cbk.read_coded(f, codebook=book).table
    assert t["value"].tolist()[0] == "Jens Stoltenberg" and t["value"].isna().tolist() == [False, True]
    with pytest.raises(ValueError, match="open values; its level must be nominal"):
        cbk.make_codebook({"speaker": {"values": "open", "level": "ordinal"}})
    with pytest.raises(ValueError, match="needs a list of at least two values"):
        cbk.make_codebook({"speaker": "closed"})


def test_a_semicolon_csv_from_a_regional_spreadsheet_is_read_with_a_note(tmp_path):
    quoted = ('\ufeffunit_id;coder;text;stance\nu1;ann;"He said ""no"", twice.";favour\n'
              'u2;ann;"a; b";neutral\n')
    (tmp_path / "a.csv").write_text(quoted, encoding="utf-8")
    (tmp_path / "b.csv").write_text("unit_id,coder,stance\nu1,bob,favour\n", encoding="utf-8")
    r = cbk.read_coded(tmp_path, codebook=CB)
    assert r.table[["unit_id", "coder", "value", "line"]].values.tolist() == [
        ["u1", "ann", "favour", 2], ["u1", "bob", "favour", 2], ["u2", "ann", "neutral", 3]]
    assert r.notes[-1] == "1 of 2 file(s) use ';' as delimiter (a spreadsheet's regional CSV setting) and were read with it: a.csv."
    plain = tmp_path / "plain.csv"
    plain.write_text("unit_id;coder;stance\nu1;ann;sideways\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"^plain.csv:2: stance = 'sideways' is not in the codebook"):
        cbk.read_coded(plain, codebook=CB)
