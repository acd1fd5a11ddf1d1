"""Readers of CSV and JSONL inputs (medialens.records and the corpus readers that use it): no
document is ever made from anything but one written record, every record is counted, memory is
bounded by a record, and a file is measured from ``stat`` before it is read.

Crafted files are written inline or generated here, with Python's own writers where the point is
that the file is valid.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_corpus import CSV_FIELDS, assert_conserved, body, load, q, skip_of, write_corpus

from medialens import records as mr
from medialens.corpus import CorpusError, load_corpus

FAST = {"detect_language": False, "near_duplicate_threshold": None, "boilerplate": False}


def csv_text(rows: list[list[str]], **kw) -> str:
    """Rows written by Python's csv.writer (the header first)."""
    out = io.StringIO(newline="")
    csv.writer(out, **kw).writerows(rows)
    return out.getvalue()


def csv_count(text: str) -> int:
    """Non-blank rows after the header, as csv.reader with an unlimited field size counts them."""
    old = csv.field_size_limit(2**31 - 1)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    finally:
        csv.field_size_limit(old)
    return sum(1 for r in rows[1:] if r and not (len(r) == 1 and not r[0].strip()))


INJECTED = "6,Invented article about nothing,2022-01,Injected,Fake"


def long_body_with_injected_rows(n_chars: int) -> str:
    """A body longer than ``n_chars`` whose lines include lines that look like CSV rows."""
    paras = []
    while sum(len(p) + 1 for p in paras) <= n_chars:
        paras.append(body(len(paras)))
        if len(paras) % 50 == 1:
            paras.append(INJECTED)
    return "\n".join(paras)


# --------------------------------------------------------------------------------------------
# Point 1: CSV resynchronisation never invents documents
# --------------------------------------------------------------------------------------------
def test_a_csv_field_over_131072_characters_is_one_row_and_nothing_is_invented(tmp_path):
    big = long_body_with_injected_rows(140_000)
    assert len(big) > 131_072 and INJECTED in big
    rows = [
        ["id", "text", "date", "outlet", "title"],
        ["1", body(1), "2022-01", "A", "a"],
        ["2", big, "2022-01", "B", "b"],
        ["3", body(3), "2022-01", "C", "c"],
    ]
    data = csv_text(rows)
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["1", "2", "3"]
    assert c.documents.set_index("doc_id").loc["2", "text"].count("Invented article") == big.count(
        "Invented article"
    )
    assert int(c.inputs["records"].sum()) == csv_count(data) == 3
    assert c.skipped.empty
    assert_conserved(c)


def test_a_csv_field_over_the_field_limit_is_skipped_whole_without_inventing(tmp_path):
    big = long_body_with_injected_rows(140_000)
    rows = [
        ["id", "text", "date", "outlet", "title"],
        ["1", body(1), "2022-01", "A", "a"],
        ["2", big, "2022-01", "B", "b"],
        ["3", body(3), "2022-01", "C", "c"],
    ]
    data = csv_text(rows)
    # max_doc_bytes 20,000: the field limit is 80,000 characters, below the big field
    c = load(
        tmp_path,
        {"c.csv": data},
        fmt="csv",
        fields=CSV_FIELDS,
        cleaning={**FAST, "max_doc_bytes": 20_000},
    )
    assert c.documents["doc_id"].tolist() == ["1", "3"]
    assert not c.documents["text"].str.contains("Invented").any()
    s = skip_of(c, "c.csv")
    assert s["reason"] == "too_large" and s["line"] == 3
    assert s["detail"].startswith("c.csv:3 a field of more than 80,000 characters")
    assert int(c.inputs["records"].sum()) == csv_count(data) == 3
    assert_conserved(c)


def test_an_unescaped_quote_inside_a_multiline_field_invents_nothing(tmp_path):
    data = (
        "id,text,date,outlet,title\n"
        f"1,{q(body(1))},2022-01,A,a\n"
        f'2,"{body(2)} with an "unescaped quote\n{INJECTED}\nand the end of the paragraph",2022-01,B,b\n'
        f"3,{q(body(3))},2022-01,C,c\n"
    )
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["1", "3"]
    assert "Invented" not in " ".join(c.documents["text"])
    s = skip_of(c, "c.csv")
    assert s["reason"] == "bad_row" and s["line"] == 3
    assert s["detail"].startswith("c.csv:3 ") and "lines 3–5 skipped" in s["detail"]
    assert_conserved(c)


def test_a_single_stray_quote_in_a_multiline_field_invents_nothing(tmp_path):
    data = (
        "id,text,date,outlet,title\n"
        f'2,"it"s a stray quote\n{INJECTED}\nend of the paragraph",2022-01,B,b\n'
        f"3,{q(body(3))},2022-01,C,c\n"
    )
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["3"]
    assert skip_of(c, "c.csv")["line"] == 2
    assert_conserved(c)


@pytest.mark.parametrize("bad", [b"\xff", b"\x00"])
def test_a_bad_byte_before_an_opening_quote_invents_nothing(tmp_path, bad):
    data = (
        "id,text,date,outlet,title\n"
        f"1,{q(body(1))},2022-01,A,a\n"
        f'2,"{body(2)}\n{INJECTED}\nand the end of the paragraph",2022-01,B,b\n'
        f"3,{q(body(3))},2022-01,C,c\n"
    ).encode()
    data = data.replace(b'2,"', b"2," + bad + b'"', 1)
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["1", "3"]
    s = skip_of(c, "c.csv")
    assert s["line"] == 3 and "lines 3–5 skipped" in s["detail"]
    assert_conserved(c)


def test_a_quote_inside_an_unquoted_field_is_refused(tmp_path):
    # Python's csv reader takes 'ab"c' as text; a strict parser does not
    data = f'id,text\n1,{body(1).replace(",", "")} with a "quote\n2,{q(body(2))}\n'
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["2"]
    s = skip_of(c, "c.csv")
    assert s["reason"] == "bad_row" and s["line"] == 2 and "unquoted field" in s["detail"]
    assert_conserved(c)


def test_an_unclosed_quote_skips_the_rest_of_the_file_as_one_record(tmp_path):
    data = f'id,text\n1,{q(body(1))}\n2,"{body(2)}\n3,no closing quote anywhere\n4,nor here\n'
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["1"]
    s = skip_of(c, "c.csv")
    assert s["line"] == 3 and "lines 3–5 (the rest of the file) skipped" in s["detail"]
    assert_conserved(c)


def test_valid_csv_rows_and_lines_are_those_of_csv_reader(tmp_path):
    rows = [
        ["id", "text"],
        *[[str(i), f'{body(i)}\n\n"quoted", she said,\r\nand more'] for i in range(1, 6)],
    ]
    data = csv_text(rows)
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    reader = csv.reader(io.StringIO(data, newline=""))
    next(reader)
    starts, line = [], reader.line_num
    for _ in reader:
        starts.append(line + 1)
        line = reader.line_num
    assert c.documents["line"].tolist() == starts
    assert c.skipped.empty


# --------------------------------------------------------------------------------------------
# Point 2: JSONL per line; whole-file skips count what they held
# --------------------------------------------------------------------------------------------
def test_one_bad_byte_on_line_501_of_1000_skips_one_line(tmp_path):
    lines = [
        json.dumps({"id": str(i), "text": f"Artikel nummer {i} over de Navo."})
        for i in range(1, 1001)
    ]
    data = "\n".join(lines).encode()
    data = data.replace(b"Artikel nummer 501 ", b"Artikel nummer 501 \xff", 1)
    c = load(tmp_path, {"j.jsonl": data}, fmt="jsonl", fields=CSV_FIELDS, cleaning=FAST)
    assert len(c) == 999 and int(c.inputs["records"].sum()) == 1000
    s = skip_of(c, "j.jsonl")
    assert s["reason"] == "decode_error" and s["line"] == 501
    assert s["detail"].startswith("j.jsonl:501:") and "0xff" in s["detail"]
    assert_conserved(c)


@pytest.mark.parametrize("bad", [b"\x00", b"\xc2\x85"])
def test_a_nul_or_c1_character_skips_one_csv_record(tmp_path, bad):
    data = f"id,text\n1,{q(body(1))}\n2,{q(body(2))}\n3,{q(body(3))}\n".encode().replace(
        b"dag 2", b"dag " + bad + b"2"
    )
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["1", "3"]
    assert skip_of(c, "c.csv")["reason"] == ("nul_byte" if bad == b"\x00" else "control_chars")
    assert_conserved(c)


def test_a_csv_with_a_bad_byte_keeps_the_other_records(tmp_path):
    data = f'id,text\n1,{q(body(1))}\n2,"{body(2)}\n\nTweede \x84alinea"\n3,{q(body(3))}\n'.encode()
    data = data.replace("\x84".encode(), b"\x84")
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["1", "3"]
    s = skip_of(c, "c.csv")
    assert s["reason"] == "decode_error" and s["line"] == 5 and "(is it cp1252?" in s["detail"]
    assert_conserved(c)


def test_a_csv_skipped_whole_counts_every_row_it_held(tmp_path):
    data = f'id,body\n1,{q(body(1))}\n2,{q(body(2))}\n3,"{body(3)}\n\nmet alinea"\n'
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS, cleaning=FAST)
    assert int(c.inputs["records"].sum()) == 3 == len(c.skipped)
    assert set(c.skipped["reason"]) == {"missing_field"} and set(c.skipped["line"]) == {1}
    assert (
        c.skipped["detail"]
        .str.endswith(("line 2 is not read", "line 3 is not read", "line 4 is not read"))
        .all()
    )
    assert_conserved(c)


def test_a_utf16_jsonl_read_as_utf8_counts_its_lines(tmp_path):
    lines = [json.dumps({"id": str(i), "text": body(i)}) for i in range(1, 8)]
    c = load(
        tmp_path,
        {"j.jsonl": "\n".join(lines).encode("utf-16")},
        fmt="jsonl",
        fields=CSV_FIELDS,
        cleaning=FAST,
    )
    assert len(c) == 0 and len(c.skipped) == 7
    assert set(c.skipped["reason"]) == {"nul_byte"}
    assert "UTF-16 text?" in c.skipped.iloc[0]["detail"]
    assert_conserved(c)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_declared_utf16_and_utf32_are_decoded(tmp_path, fmt):
    if fmt == "csv":
        text = csv_text([["id", "text"], ["1", body(1)], ["2", f"{body(2)}\n\nTweede „alinea”"]])
    else:
        text = "\n".join(
            json.dumps({"id": str(i), "text": body(i)}, ensure_ascii=False) for i in (1, 2)
        )
    for enc in ("utf-16", "utf-32"):
        c = load(
            tmp_path / enc,
            {f"u.{fmt}": text.encode(enc)},
            fmt=fmt,
            encoding=enc,
            fields=CSV_FIELDS,
            cleaning=FAST,
        )
        assert c.documents["doc_id"].tolist() == ["1", "2"] and c.skipped.empty


def test_a_utf16_file_broken_halfway_counts_what_it_read(tmp_path):
    lines = [json.dumps({"id": str(i), "text": body(i)}) for i in range(1, 6)]
    data = "\n".join(lines).encode("utf-16-le")
    lone = data.replace(
        "dag 3 ".encode("utf-16-le"), "dag 3 ".encode("utf-16-le") + b"\x00\xd8"
    )  # a lone surrogate
    c = load(
        tmp_path / "lone",
        {"j.jsonl": lone},
        fmt="jsonl",
        encoding="utf-16-le",
        fields=CSV_FIELDS,
        cleaning=FAST,
    )
    assert len(c) == 4
    s = skip_of(c, "j.jsonl")
    assert s["reason"] == "decode_error" and s["line"] == 3 and "U+D800" in s["detail"]
    assert_conserved(c)
    odd = data + b"A"  # an odd number of bytes: the decoder stops at the last line
    c = load(
        tmp_path / "odd",
        {"j.jsonl": odd},
        fmt="jsonl",
        encoding="utf-16-le",
        fields=CSV_FIELDS,
        cleaning=FAST,
    )
    assert len(c) == 4
    s = skip_of(c, "j.jsonl")
    assert (
        s["reason"] == "decode_error"
        and s["line"] == 5
        and "the rest of the file is not read" in s["detail"]
    )
    assert_conserved(c)


# --------------------------------------------------------------------------------------------
# Point 10: sizes from stat, streaming
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_5gb_file_is_refused_from_stat_without_reading(tmp_path, fmt, monkeypatch):
    definition = write_corpus(
        tmp_path,
        {f"small.{fmt}": "id,text\n" if fmt == "csv" else "\n"},
        fmt=fmt,
        fields=CSV_FIELDS,
    )
    big = tmp_path / "data" / f"big.{fmt}"
    with open(big, "wb") as fh:
        fh.truncate(5 * 1024**3)  # sparse: nothing is written
    read = mr.Lines.__iter__
    monkeypatch.setattr(
        mr.Lines,
        "__iter__",
        lambda self: pytest.fail("read") if "big" in self.source else read(self),
    )
    c = load_corpus(definition, use_cache=False)
    s = skip_of(c, f"big.{fmt}")
    assert s["reason"] == "too_large"
    assert (
        s["detail"]
        == f"big.{fmt}: 5,368,709,120 bytes is over the file limit 1000 × max_doc_bytes = 5,000,000,000 (not read)"
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_reading_in_small_blocks_gives_the_same_corpus(tmp_path, fmt, monkeypatch):
    texts = [body(i) + "\n\nTweede „alinea” met ë" for i in range(1, 30)]
    if fmt == "csv":
        data = csv_text([["id", "text"], *[[str(i), t] for i, t in enumerate(texts)]]).encode()
    else:
        data = "\n".join(
            json.dumps({"id": str(i), "text": t}, ensure_ascii=False) for i, t in enumerate(texts)
        ).encode()
    data = b"\xef\xbb\xbf" + data.replace(b"dag 7 ", b"dag 7 \xff", 1)
    whole = load(tmp_path / "whole", {f"a.{fmt}": data}, fmt=fmt, fields=CSV_FIELDS, cleaning=FAST)
    monkeypatch.setattr(mr, "_BLOCK", 97)
    small = load(tmp_path / "small", {f"a.{fmt}": data}, fmt=fmt, fields=CSV_FIELDS, cleaning=FAST)
    for attr in ("documents", "skipped", "notes", "inputs"):
        assert getattr(small, attr).to_dict() == getattr(whole, attr).to_dict()
    assert len(whole) == len(texts) - 1 and "bom" in set(whole.notes["kind"])


def _read_lines(lines: mr.Lines) -> list[tuple]:
    out = []
    for line in lines:
        out.append((lines.line_num, line, lines.problem))
        lines.problem = None
    return out


@pytest.mark.parametrize("block", [97, 1 << 20])
def test_a_file_read_in_parts_gives_the_lines_line_numbers_and_problems_of_reading_it_whole(tmp_path, block, monkeypatch):
    """The Spark reader reads a large JSONL file in parts cut just after newline bytes: the parts'
    lines, numbers and problems, one after the other, are those of the whole file, the byte order
    mark is the first part's, and the parts' mojibake adds up to the whole file's note."""
    rows = [json.dumps({"id": str(i), "text": body(i)}, ensure_ascii=False) for i in range(40)]
    data = b"\xef\xbb\xbf" + "\n".join(rows).encode().replace(b"dag 7 ", b"dag 7 \xff", 1)
    data = data.replace(b"dag 3 ", "dag 3 Ã« ".encode(), 1).replace(b"dag 30 ", "dag 30 Ã« Ã« ".encode(), 1) + b"\n\n{}"
    path = tmp_path / "a.jsonl"
    path.write_bytes(data)
    monkeypatch.setattr(mr, "_BLOCK", block)
    whole = mr.Lines(path, "a.jsonl", "utf-8", keep_ends=False)
    expected = _read_lines(whole)
    assert [k for _, k, _ in whole.notes] == ["bom", "mojibake"] and whole.mojibake[3] == 3
    assert [p[0] for _, _, p in expected if p] == ["decode_error"] and expected[-1][1] == "{}"
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 10]
    for cuts in ([starts[5], starts[17], starts[33]], starts[1:-1], [starts[-1]]):
        got, found, notes = [], [], []
        for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
            part = mr.Lines(path, "a.jsonl", "utf-8", keep_ends=False, start=start, end=end, first_line=data[:start].count(b"\n") + 1)
            got += _read_lines(part)
            notes += part.notes
            if part.mojibake:  # the first place, the places added up
                found = found or [*part.mojibake[:3], 0]
                found[3] += part.mojibake[3]
        assert got == expected
        assert notes == whole.notes[:1]  # the byte order mark, noted by the first part; the mojibake is the caller's
        assert mr.mojibake_note("a.jsonl", found) == whole.notes[1]
    with pytest.raises(ValueError, match="a part of a file is read only in an encoding where a newline byte is a newline"):
        mr.Lines(path, "a.jsonl", "utf-16", keep_ends=False, start=4, end=8)


# --------------------------------------------------------------------------------------------
# Point 13: identifiers
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "kind"), [([1], "JSON array"), ({"a": 1}, "JSON object"), (True, "boolean")]
)
def test_jsonl_ids_that_are_lists_objects_or_booleans_are_refused(tmp_path, value, kind):
    lines = [json.dumps({"id": value, "text": body(1)}), json.dumps({"id": "2", "text": body(2)})]
    c = load(tmp_path, {"j.jsonl": "\n".join(lines)}, fmt="jsonl", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["2"]
    s = skip_of(c, "j.jsonl")
    assert s["reason"] == "bad_json" and s["line"] == 1
    assert s["detail"].startswith("j.jsonl:1 id ") and kind in s["detail"]


def test_jsonl_ids_2_and_2_point_0_are_one_id(tmp_path):
    lines = [
        json.dumps({"id": 2, "text": body(1)}),
        json.dumps({"id": 2.0, "text": body(2)}),
        json.dumps({"id": 2.5, "text": body(3)}),
    ]
    c = load(tmp_path, {"j.jsonl": "\n".join(lines)}, fmt="jsonl", fields=CSV_FIELDS, cleaning=FAST)
    assert c.documents["doc_id"].tolist() == ["2", "2.5"]
    s = skip_of(c, "j.jsonl")
    assert s["reason"] == "duplicate_id" and s["line"] == 2
    assert_conserved(c)


def test_a_csv_header_with_a_repeated_column_is_an_error_naming_it(tmp_path):
    with pytest.raises(CorpusError, match=r"^c\.csv:1 header repeats column 'text'"):
        load(
            tmp_path,
            {"c.csv": f"id,text,date,text\n1,{q(body(1))},2022-01,x\n"},
            fmt="csv",
            fields=CSV_FIELDS,
        )


# --------------------------------------------------------------------------------------------
# The property: random valid files, damaged at random places
# --------------------------------------------------------------------------------------------
_TEXT = st.lists(
    st.sampled_from([*'ab é„”,"', "\n", "\r\n", "xy", "Navo", "\n6,Invented,2022-01\n"]),
    min_size=1,
    max_size=12,
).map("".join)
# Bytes a decoder or the loader refuses (invalid UTF-8, NUL), and for CSV a quote. A quote can
# also make another valid file ('a""' + '"' closes a field one quote early; in JSON '\\n' becomes
# '\\"n'): no reader can tell, so the record a quote lands in may change, but no other, and no
# document may come from anything but one written record.
_BAD_BYTES = [b"\xff", b"\x00", b"\xc3"]
_CSV_DAMAGE = st.lists(
    st.tuples(st.integers(0, 10**6), st.sampled_from([b'"', *_BAD_BYTES])), max_size=3
)
_JSONL_DAMAGE = st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(_BAD_BYTES)), max_size=3)


def _written(texts: list[str], fmt: str, variant: bool) -> tuple[dict[str, tuple[int, int]], bytes]:
    """The bytes the standard writer makes of the records, and each record's byte span."""
    parts, spans, at = [], {}, 0
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL if variant else csv.QUOTE_MINIMAL)
    rows = [("id", "text"), *[(f"r{i}", f"{i} {t}") for i, t in enumerate(texts)]]  # no two alike
    for n, (k, v) in enumerate(rows):
        if fmt == "csv":
            out.seek(0)
            out.truncate()
            writer.writerow([k, v])
            part = out.getvalue().encode()
        elif n == 0:
            continue
        else:
            part = json.dumps({"id": k, "text": v}, ensure_ascii=variant).encode() + b"\n"
        if n:
            spans[k] = (at, at + len(part))
        parts.append(part)
        at += len(part)
    return spans, b"".join(parts)


def _damage(data: bytes, damage: list[tuple[int, bytes]]) -> tuple[bytes, list[int]]:
    """``data`` with bytes inserted at positions of the original; and (position, byte) of each."""
    places = sorted(
        ((pos % len(data), byte) for pos, byte in damage), reverse=True
    )  # not after the end
    for i, byte in places:
        data = data[:i] + byte + data[i:]
    return data, places


@settings(
    max_examples=30,
    derandomize=True,  # the same examples on every run: a failure is reproducible, never flaky
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(_TEXT, min_size=1, max_size=6), st.data(), st.booleans())
def test_damaged_files_never_yield_a_document_that_was_not_written(
    tmp_path_factory, texts, data, variant
):
    """Records written by csv.writer / json.dumps, then bytes inserted at random places: every
    document kept is one written record (its id, and the text the loader makes of that record
    undamaged, unless a quote landed in it), and while only refused bytes were inserted (none
    beside a quote or inside a line end) the records counted are the records written (kept + skipped)."""
    fmt = data.draw(st.sampled_from(["csv", "jsonl"]))
    damage = data.draw(_CSV_DAMAGE if fmt == "csv" else _JSONL_DAMAGE)
    root = tmp_path_factory.mktemp("damaged")
    spans, raw = _written(texts, fmt, variant)
    clean = load_corpus(
        write_corpus(root / "clean", {f"d.{fmt}": raw}, fmt=fmt, fields=CSV_FIELDS, cleaning=FAST),
        use_cache=False,
    )
    assert int(clean.inputs["records"].sum()) == len(spans)
    loaded = dict(zip(clean.documents["doc_id"], clean.documents["text"], strict=True))
    damaged, places = _damage(raw, damage)
    c = load_corpus(
        write_corpus(
            root / "bad", {f"d.{fmt}": damaged}, fmt=fmt, fields=CSV_FIELDS, cleaning=FAST
        ),
        use_cache=False,
    )
    assert_conserved(c)
    quoted = {
        k for k, (a, b) in spans.items() for i, byte in places if byte == b'"' and a <= i <= b
    }
    for doc_id, text in zip(c.documents["doc_id"], c.documents["text"], strict=True):
        assert doc_id in spans, (doc_id, text, damaged)  # never an invented id
        assert doc_id in quoted or loaded.get(doc_id) == text, (doc_id, text, damaged)
    beside = [raw[max(0, i - 1) : i + 1] for i, _ in places]
    if all(byte != b'"' for _, byte in places) and not any(b'"' in b or b == b"\r\n" for b in beside):
        # only refused bytes, none beside a quote or inside a CRLF (where it would change the
        # quoting or the lines): every record is counted
        assert int(c.inputs["records"].sum()) == len(spans), (damaged, c.skipped.to_dict("records"))
