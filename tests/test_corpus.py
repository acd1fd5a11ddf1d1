"""Bad input for the corpus loader: one test per ingestion row of the robustness guide, and the
invariants (conservation, raw files untouched, no new damage, idempotent normalisation, cache).

Every fixture writes its bad files into ``tmp_path`` with a corpus definition beside them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from medialens import corpus as mc
from medialens.corpus import CorpusError, load_corpus, read_definition
from medialens.text import Tokenizer, normalise


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Every test gets its own cache folder; nothing is written into the project."""
    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "cache"))


def body(i: int) -> str:
    """A short Dutch article body, distinct per ``i`` (no exact or near duplicates)."""
    return (
        f"De Navo-top in Brussel besprak op dag {i} de steun aan Oekraïne en de sancties tegen Rusland. "
        f"Minister nummer {i} zei dat het bondgenootschap niet wil escaleren en geen troepen stuurt. "
        f"Volgens diplomaten ging het overleg {i} uur door, langer dan verwacht."
    )


LONG = " ".join(
    [
        "De ministers van Buitenlandse Zaken van het bondgenootschap kwamen donderdag bijeen in Brussel.",
        "Zij spraken over de oorlog in Oekraïne, de levering van wapens en de verdediging van de oostflank.",
        "Secretaris-generaal Stoltenberg zei na afloop dat de Navo geen no-flyzone zal instellen.",
        "Dat zou het bondgenootschap in een direct conflict met Rusland brengen, aldus de Noor.",
        "Wel worden er meer troepen naar Polen, Roemenië en de Baltische staten gestuurd.",
        "Oekraïne vraagt al weken om straaljagers, maar daarover is nog geen besluit genomen.",
        "De volgende top is eind maart, als ook de Amerikaanse president naar Europa komt.",
    ]
)


def write_corpus(
    root,
    files: dict[str, bytes | str],
    *,
    fmt: str = "txt",
    encoding: str | None = None,
    cleaning: dict | None = None,
    fields: dict | None = None,
    metadata: dict | None = None,
    meta_files: dict[str, str] | None = None,
    name: str = "t",
    documents: dict | None = None,
    source_extra: dict | None = None,
):
    """Write ``files`` into ``root/data`` and a corpus definition ``root/corpus.yaml``."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    for fname, content in files.items():
        (data / fname).parent.mkdir(parents=True, exist_ok=True)
        (data / fname).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for fname, content in (meta_files or {}).items():
        (root / fname).write_text(content, encoding="utf-8")
    source = {"path": "data", "format": fmt, **(source_extra or {})}
    if encoding:
        source["encoding"] = encoding
    spec = {"name": name, "language": "nl", "source": source}
    if cleaning:
        spec["cleaning"] = cleaning
    if fields:
        spec["fields"] = fields
    if metadata:
        spec["metadata"] = metadata
    if documents:
        spec["documents"] = documents
    path = root / "corpus.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def load(root, files, **kw) -> mc.Corpus:
    return load_corpus(write_corpus(root, files, **kw), use_cache=False)


def skip_of(c: mc.Corpus, source: str) -> pd.Series:
    rows = c.skipped[c.skipped["source"] == source]
    assert len(rows) == 1, c.skipped.to_string()
    return rows.iloc[0]


def assert_conserved(c: mc.Corpus) -> None:
    s = c.summary()["count"]
    assert s["input records"] == s["documents kept"] + s["records skipped"], c.summary()
    assert int(c.inputs["records"].sum()) == len(c.documents) + len(c.skipped)
    assert (c.inputs["records"] == c.inputs["kept"] + c.inputs["skipped"]).all(), c.inputs
    assert s["input files"] == len(c.inputs)


# --------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------
def test_utf8_bom_is_decoded_and_noted(tmp_path):
    c = load(tmp_path, {"a.txt": b"\xef\xbb\xbfdate 2022-03\n" + body(1).encode()})
    assert len(c) == 1 and c.skipped.empty
    doc = c.documents.iloc[0]
    assert doc["date"] == "2022-03"  # the BOM did not break the header
    assert not doc["text"].startswith("\ufeff")
    notes = c.notes[c.notes["kind"] == "bom"]
    assert notes["source"].tolist() == ["a.txt"]


CP1252_TEXT = "date 2022-03\n„Het is tijd”, zei de minister. " + body(2)


def test_cp1252_declared_decodes_low_quotes(tmp_path):
    c = load(tmp_path, {"x.txt": CP1252_TEXT.encode("cp1252")}, encoding="cp1252")
    assert len(c) == 1 and c.skipped.empty
    assert c.documents.iloc[0]["text"].startswith("„Het is tijd”")


def test_cp1252_undeclared_is_skipped_with_position_and_hint(tmp_path):
    c = load(tmp_path, {"x.txt": CP1252_TEXT.encode("cp1252")})
    assert len(c) == 0
    s = skip_of(c, "x.txt")
    assert s["reason"] == "decode_error"
    assert s["line"] == 2
    assert s["detail"].startswith("x.txt:2:1 byte 0x84 is not valid utf-8 (is it cp1252?")


def test_invalid_bytes_skip_the_file_and_never_replace(tmp_path):
    good = "date 2022-03\n„Het begon goed”, zei hij.\n".encode()
    c = load(tmp_path, {"mixed.txt": good + b"Daarna \x93ging\x94 het mis.\n" + body(3).encode(), "ok.txt": body(4)})
    assert c.documents["doc_id"].tolist() == ["ok"]
    s = skip_of(c, "mixed.txt")
    assert s["reason"] == "decode_error" and s["line"] == 3
    assert s["detail"].startswith("mixed.txt:3:8 byte 0x93")
    assert not c.documents["text"].str.contains("\ufffd").any()


def test_latin1_declared_lets_no_c1_controls_in(tmp_path):
    c = load(tmp_path, {"x.txt": CP1252_TEXT.encode("cp1252")}, encoding="latin-1")
    s = skip_of(c, "x.txt")
    assert s["reason"] == "control_chars" and s["line"] == 2
    assert "U+0084" in s["detail"] and "cp1252" in s["detail"]


def test_mojibake_is_kept_as_is_and_noted(tmp_path):
    """No repair (ftfy would straighten quotes by default): the text is kept and a note names
    file and line so the user can re-export or declare the right encoding."""
    moji = "„Het".encode().decode("cp1252")  # 'â€žHet'
    assert moji == "â€žHet"
    c = load(tmp_path, {"m.txt": f"date 2022-03\n{moji} is tijd”, zei hij. {body(5)}"})
    assert len(c) == 1
    assert c.documents.iloc[0]["text"].startswith("â€žHet")  # kept as is
    note = c.notes[c.notes["kind"] == "mojibake"]
    assert len(note) == 1 and note.iloc[0]["line"] == 2
    assert note.iloc[0]["detail"].startswith("m.txt:2:1")


@pytest.mark.parametrize("ascii_only", [True, False])
def test_json_escapes_get_the_checks_of_raw_text(tmp_path, ascii_only):
    """``json.dumps(ensure_ascii=True)`` writes NUL, C1 controls and mojibake as \\u escapes: the
    record gets what the same text written as raw UTF-8 gets (a skip, or the mojibake note)."""
    moji = "„Het".encode().decode("cp1252")  # 'â€žHet', kept and noted
    recs = [
        {"id": "nul", "text": "een \x00 erin " + body(70)},
        {"id": "c1", "text": body(71), "title": "\u00e2\u0080\u009eHet"},  # UTF-8 read as latin-1
        {"id": "moji", "text": f"{moji} is tijd”, zei hij. {body(72)}"},
        {"id": "ok", "text": "Oekraïne " + body(73)},
    ]
    data = "".join(json.dumps(r, ensure_ascii=ascii_only) + "\n" for r in recs)
    c = load(tmp_path, {"j.jsonl": data}, fmt="jsonl", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["moji", "ok"]
    assert c.skipped.set_index("line")["reason"].to_dict() == {1: "nul_byte", 2: "control_chars"}
    note = c.notes[c.notes["kind"] == "mojibake"]
    assert len(note) == 1 and note.iloc[0]["line"] == 3 and "1 place(s)" in note.iloc[0]["detail"], note.to_string()
    if ascii_only:
        assert c.skipped.iloc[0]["detail"] == "j.jsonl:1 field 'text' holds a NUL character (written as the escape \\u0000)"
        assert "field 'title' holds control character U+0080" in c.skipped.iloc[1]["detail"]
    assert_conserved(c)


def test_a_json_escape_for_half_a_surrogate_pair_is_refused(tmp_path):
    data = '{"id": "s", "text": "half \\ud800 pair"}\n{"id": "ok", "text": "' + body(74) + '"}\n'
    c = load(tmp_path, {"j.jsonl": data}, fmt="jsonl", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["ok"]
    s = skip_of(c, "j.jsonl")
    assert s["reason"] == "bad_json" and s["detail"].startswith("j.jsonl:1 field 'text' holds U+D800")


def test_nul_byte_is_skipped_with_line(tmp_path):
    c = load(tmp_path, {"n.txt": b"date 2022-03\nEerste regel\nmet een \x00 erin\n"})
    s = skip_of(c, "n.txt")
    assert s["reason"] == "nul_byte" and s["line"] == 3
    assert s["detail"].startswith("n.txt:3:9 NUL byte")


def test_utf16_file_is_skipped_as_nul_byte(tmp_path):
    c = load(tmp_path, {"u.txt": ("date 2022-03\n" + body(6)).encode("utf-16")})
    s = skip_of(c, "u.txt")
    assert s["reason"] == "nul_byte" and s["line"] == 1
    assert "UTF-16" in s["detail"]


# --------------------------------------------------------------------------------------------
# Empty files, dates
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"  \n\n\t\n", "empty"),
        (b"date 2022-03\n", "empty_body"),
        (b"title Alleen een kop\ndate 2022-03\n\n\n", "empty_body"),
    ],
)
def test_empty_and_header_only_files(tmp_path, content, reason):
    c = load(tmp_path, {"e.txt": content, "ok.txt": body(7)})
    assert c.documents["doc_id"].tolist() == ["ok"]
    assert skip_of(c, "e.txt")["reason"] == reason
    assert_conserved(c)


@pytest.mark.parametrize("value", ["2022-13", "march", "2022-02-30"])
def test_malformed_date_is_skipped_naming_file_line_and_value(tmp_path, value):
    c = load(tmp_path, {"d.txt": f"date {value}\n{body(8)}", "ok.txt": f"date 2022-03\n{body(9)}"})
    assert c.documents["doc_id"].tolist() == ["ok"]
    s = skip_of(c, "d.txt")
    assert s["reason"] == "bad_date" and s["line"] == 1
    assert s["detail"].startswith("d.txt:1 ") and repr(value) in s["detail"]


def test_a_txt_date_of_several_words_is_quoted_whole(tmp_path):
    c = load(tmp_path, {"d.txt": f"date 5 januari 2022\n{body(8)}", "ok.txt": f"date 2022-03 {body(9)}"})
    assert c.documents["doc_id"].tolist() == ["ok"]
    s = skip_of(c, "d.txt")
    assert s["reason"] == "bad_date"
    assert s["detail"] == "d.txt:1 date '5 januari 2022' is not YYYY-MM or YYYY-MM-DD (the date is the line's first word, '5')"
    long = "2022-13 " + "woord " * 20
    c = load(tmp_path / "long", {"d.txt": f"date {long}\n{body(8)}"}, cleaning={"bad_date": "keep"})
    detail = c.notes[c.notes["kind"] == "bad_date"]["detail"].iloc[0]
    assert detail.startswith("d.txt:1 date '2022-13 woord woord") and "…' is not YYYY-MM" in detail


def test_malformed_date_keep_mode_keeps_document_without_date(tmp_path):
    c = load(tmp_path, {"d.txt": f"date 2022-13\n{body(8)}"}, cleaning={"bad_date": "keep"})
    assert len(c) == 1 and c.skipped.empty
    assert pd.isna(c.documents.iloc[0]["date"])
    note = c.notes[c.notes["kind"] == "bad_date"].iloc[0]
    assert note["line"] == 1 and "'2022-13'" in note["detail"]


def test_malformed_date_error_mode_raises_naming_file_line_and_value(tmp_path):
    with pytest.raises(CorpusError, match=r"d\.txt:1 date 'march'"):
        load(tmp_path, {"d.txt": f"date march\n{body(8)}"}, cleaning={"bad_date": "error"})


def test_missing_date_line_is_kept_and_counted(tmp_path):
    c = load(tmp_path, {"nodate.txt": body(10), "dated.txt": f"date 2022-01\n{body(11)}"})
    assert len(c) == 2 and c.skipped.empty
    docs = c.documents.set_index("doc_id")
    assert pd.isna(docs.loc["nodate", "date"]) and pd.isna(docs.loc["nodate", "month"])
    assert docs.loc["dated", "month"] == "2022-01"
    assert c.summary().loc["documents without date", "count"] == 1
    notes = c.notes[c.notes["kind"] == "date_missing"]
    assert notes["doc_id"].tolist() == ["nodate"]


# --------------------------------------------------------------------------------------------
# .txt header lines: every case has a defined outcome and a note (issue 10, point 11)
# --------------------------------------------------------------------------------------------
OUTLET_SENTENCE = "outlet malls across the country are closing their doors, analysts said on Monday"


@pytest.mark.parametrize(
    ("content", "fields", "note", "body_start"),
    [
        # a second date line: the first is used, the second is dropped, not body text
        ("date 2022-03\ndate 2022-04\n{b}", {"date": "2022-03"}, ("repeated_header", 2), "De Navo-top"),
        # a date line after the body began: body text, noted
        ("title Kop\n{b}\ndate 2022-03\nTweede alinea.", {"date": None, "title": "Kop"}, ("header_in_body", 3), "De Navo-top"),
        # outlet with no value: outlet missing, noted, and the line is not body text
        ("outlet\ndate 2022-03\n{b}", {"outlet": None, "date": "2022-03"}, ("empty_header", 1), "De Navo-top"),
        ("outlet   \n{b}", {"outlet": None}, ("empty_header", 1), "De Navo-top"),
        # blank lines between header lines belong to the header block
        ("date 2022-03\n\noutlet NRC\n{b}", {"date": "2022-03", "outlet": "NRC"}, None, "De Navo-top"),
        # a first body line that merely begins with 'outlet': too long for a header, body text
        (OUTLET_SENTENCE + "\n{b}", {"outlet": None}, ("not_a_header", 1), "outlet malls"),
    ],
)
def test_txt_header_cases_have_a_defined_outcome_and_a_note(tmp_path, content, fields, note, body_start):
    c = load(tmp_path, {"h.txt": content.format(b=body(12))})
    assert len(c) == 1 and c.skipped.empty
    doc = c.documents.iloc[0]
    for key, value in fields.items():
        assert (None if pd.isna(doc[key]) else doc[key]) == value, key
    assert doc["text"].startswith(body_start)
    assert "2022-04" not in doc["text"]  # a header line dropped is never body text
    header_notes = c.notes[c.notes["kind"].isin(["repeated_header", "header_in_body", "empty_header", "not_a_header"])]
    if note is None:
        assert header_notes.empty
    else:
        (row,) = header_notes.itertuples()
        assert (row.kind, row.line) == note and row.detail.startswith(f"h.txt:{note[1]} ")


def test_a_first_line_beginning_with_date_is_the_date_header(tmp_path):
    # documented: 'date' at the top is always the date header; a value that is no date follows
    # cleaning.bad_date (here the default: skipped, naming the value)
    c = load(tmp_path, {"d.txt": f"date night is a tradition\n{body(13)}", "ok.txt": body(14)})
    s = skip_of(c, "d.txt")
    assert s["reason"] == "bad_date" and "'night'" in s["detail"]
    kept = load(tmp_path / "keep", {"d.txt": f"date night is a tradition\n{body(13)}"}, cleaning={"bad_date": "keep"})
    assert kept.documents.iloc[0]["text"].startswith("is a tradition")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_declared_utf16_txt_is_decoded_not_refused_as_nul(tmp_path, encoding):
    text = f"date 2022-03\noutlet NRC\n{body(15)}\n\nTweede „alinea”"
    c = load(tmp_path, {"u.txt": text.encode(encoding)}, encoding=encoding)
    assert len(c) == 1 and c.skipped.empty
    doc = c.documents.iloc[0]
    assert (doc["date"], doc["outlet"]) == ("2022-03", "NRC") and doc["text"].endswith("Tweede „alinea”")
    bad = load(tmp_path / "nul", {"u.txt": (text + "\x00").encode(encoding)}, encoding=encoding)
    assert skip_of(bad, "u.txt")["reason"] == "nul_byte"


@pytest.mark.parametrize(
    ("key", "labels"), [("id", "id,doc_id,label\na,x,1\n"), ("doc_id", "doc_id,doc_id\na,b\n")]
)
def test_a_second_doc_id_column_is_a_one_line_error_naming_the_file(tmp_path, key, labels):
    # pandas said "The column label 'doc_id' is not unique", naming no file
    with pytest.raises(CorpusError, match=r"^metadata file labels\.csv(:1)?:? column 'doc_id' ") as err:
        load(tmp_path, {"a.txt": body(16)}, metadata={"path": "labels.csv", "key": key}, meta_files={"labels.csv": labels})
    assert "\n" not in str(err.value) and "not unique" not in str(err.value)


def test_a_doc_id_column_in_the_records_does_not_replace_the_id(tmp_path):
    c = load(tmp_path, {"c.csv": f"id,doc_id,text\n1,zz,{q(body(17))}\n"}, fmt="csv", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["1"]
    lines = [json.dumps({"id": "1", "doc_id": "zz", "text": body(18)})]
    c = load(tmp_path / "j", {"j.jsonl": "\n".join(lines)}, fmt="jsonl", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["1"]


def test_a_fifo_as_source_path_is_a_one_line_error(tmp_path):
    definition = write_corpus(tmp_path, {})
    (tmp_path / "data").rmdir()
    os.mkfifo(tmp_path / "data")
    with pytest.raises(CorpusError, match=r"^source\.path .*data: neither a file nor a folder"):
        load_corpus(definition, use_cache=False)


# --------------------------------------------------------------------------------------------
# Cleaning: HTML, special characters
# --------------------------------------------------------------------------------------------
def test_html_is_stripped_once_and_counted(tmp_path):
    raw = (
        "<p>De Navo &amp; de EU <b>spraken</b> in Brussel.</p>"
        "<script>alert('live')</script>"
        "<p>Een lezer schreef &lt;script&gt;alert(1)&lt;/script&gt; en &amp;lt;b&amp;gt; in een reactie.</p>"
    )
    c = load(tmp_path, {"h.txt": f"date 2022-03\n{raw}"})
    text = c.documents.iloc[0]["text"]
    assert "De Navo & de EU spraken in Brussel." in text
    assert "alert('live')" not in text  # a real script element is dropped with its content
    assert "<p>" not in text and "<b>" not in text
    # entities are unescaped exactly once: &lt;script&gt; becomes the text <script>, &amp;lt; becomes &lt;
    assert "<script>alert(1)</script>" in text
    assert "&lt;b&gt;" in text
    html_removed = c.removals[c.removals["kind"] == "html"]
    assert html_removed["chars"].tolist() == [15]  # 8 tags + 7 entities found in the raw text
    # ... and that text is never shown as a live tag: every display path escapes it
    shown = mc.preview(c.documents).to_html()
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert mc.escape(text).count("<") == 0


def test_html_keep_mode_leaves_text_alone(tmp_path):
    raw = "<p>De Navo &amp; de EU</p> " + body(12)
    c = load(tmp_path, {"h.txt": raw}, cleaning={"html": "keep"})
    assert c.documents.iloc[0]["text"].startswith("<p>De Navo &amp; de EU</p>")
    assert (c.removals["kind"] != "html").all()


def test_format_characters_spaces_and_nfd_are_normalised(tmp_path):
    raw = "De over\u200bheid en het be\u00adleid in Oekrai\u0308ne:\u00a0100\u202f000 euro.\ufeff " + body(13)
    c = load(tmp_path, {"f.txt": raw})
    text = c.documents.iloc[0]["text"]
    assert text.startswith("De overheid en het beleid in Oekraïne: 100 000 euro.")
    assert unicodedata.is_normalized("NFC", text)
    assert not any(ch in text for ch in "\u200b\u00ad\u00a0\u202f\ufeff")
    kinds = dict(zip(c.removals["kind"], c.removals["chars"], strict=True))
    assert kinds == {"format_characters": 3, "special_spaces": 2, "not_nfc": 1}
    assert "overheid" in Tokenizer().words(text)


def test_raw_zero_width_space_would_split_a_word():
    """Why normalisation comes first: without it the tokeniser sees two words."""
    assert re.findall(r"\w+", "over\u200bheid") == ["over", "heid"]
    assert Tokenizer().words("over\u200bheid") == ["overheid"]


# --------------------------------------------------------------------------------------------
# Duplicates
# --------------------------------------------------------------------------------------------
def test_exact_duplicates_with_space_variants_are_collapsed_deterministically(tmp_path):
    text = body(14)
    variant = "  " + text.replace(" ", "\u00a0", 3).replace(". ", ".\n", 1) + "\n\n"
    files = {"b.txt": text, "a.txt": variant, "c.txt": body(15)}
    first = load(tmp_path / "one", files)
    second = load(tmp_path / "two", dict(reversed(files.items())))
    for c in (first, second):
        assert c.documents["doc_id"].tolist() == ["a", "c"]
        s = skip_of(c, "b.txt")
        assert s["reason"] == "duplicate" and s["doc_id"] == "b"
        # the report names both documents with their outlet (none here: one group) and labels
        assert s["detail"] == "same text as a, in the same outlet (b: no outlet; a: no outlet)"
        assert_conserved(c)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_first_copy_in_input_order_is_the_original_whatever_the_ids(tmp_path, fmt):
    """Ids that sort otherwise than the input (2002 before 2001; generated ids data:3 after
    data:12): the copy written first is kept, the later one dropped or flagged ``copy_of`` it."""
    def write(recs, with_id):
        if fmt == "csv":
            head = "id,outlet,text\n" if with_id else "outlet,text\n"
            return head + "".join((f"{i}," if with_id else "") + f"{o},{q(t)}\n" for i, o, t in recs)
        return "".join(json.dumps({**({"id": i} if with_id else {}), "outlet": o, "text": t}) + "\n" for i, o, t in recs)

    recs = [("2002", "A", body(80)), ("1000", "A", body(81)), ("2001", "B", body(80))]
    c = load(tmp_path / "ids", {f"d.{fmt}": write(recs, True)}, fmt=fmt, fields=CSV_FIELDS)
    assert c.documents.set_index("doc_id")["copy_of"].to_dict() == {"1000": None, "2001": "2002", "2002": None}
    recs = [(None, "A", body(82 + i)) for i in range(12)]
    recs[1] = (None, "A", body(99))
    recs[10] = (None, "A", body(99))  # the same text in the same outlet, later in the file
    c = load(tmp_path / "gen", {f"d.{fmt}": write(recs, False)}, fmt=fmt)
    first, later = (3, 12) if fmt == "csv" else (2, 11)
    assert f"d:{first}" in c.documents["doc_id"].tolist()
    s = skip_of(c, f"d.{fmt}")
    assert s["reason"] == "duplicate" and s["doc_id"] == f"d:{later}" and s["detail"].startswith(f"same text as d:{first},")
    assert_conserved(c)


def test_a_near_duplicate_points_at_the_earlier_record_in_input_order(tmp_path):
    near = LONG.replace("donderdag", "vrijdag")
    recs = [("b", near), ("a", LONG)]
    data = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in recs)
    c = load(tmp_path, {"d.jsonl": data}, fmt="jsonl", fields=CSV_FIELDS)
    assert c.documents.set_index("doc_id")["near_duplicate_of"].dropna().to_dict() == {"a": "b"}


def test_near_duplicates_are_flagged_not_deleted(tmp_path):
    # one word changed: 87 of the 97 distinct 5-word shingles are shared, Jaccard 0.897 >= 0.8
    # (two changed words give 0.786: below the default threshold, now computed exactly)
    edited = LONG.replace("donderdag", "vrijdag")
    c = load(tmp_path, {"orig.txt": LONG, "wire.txt": edited, "other.txt": body(16)})
    assert len(c) == 3 and c.skipped.empty
    flags = c.documents.set_index("doc_id")["near_duplicate_of"]
    assert flags["wire"] == "orig"
    assert pd.isna(flags["orig"]) and pd.isna(flags["other"])
    assert c.summary().loc["near-duplicates flagged (besides exact copies)", "count"] == 1
    # every notebook prints the corpus line: the flagged copy is named there, with its n
    assert repr(c) == "<Corpus 't': 3 documents (1 flagged as a copy or near-duplicate of another, kept), 0 skipped, from 3 input file(s)>"


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------
CSV_FIELDS = {"id": "id"}


def q(text: str) -> str:
    """Quote one CSV field (the bodies contain commas)."""
    return '"' + text.replace('"', '""') + '"'


def test_csv_quoted_newlines_are_one_record(tmp_path):
    data = f'id,date,outlet,text\n1,2022-03,A,"{body(17)}\n\nTweede alinea."\n2,2022-03,B,{q(body(18))}\n'
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["1", "2"]
    assert c.documents.iloc[0]["n_paragraphs"] == 2
    assert c.documents["line"].tolist() == [2, 5]
    assert_conserved(c)


def test_csv_bad_rows_are_recorded_and_the_rest_is_read(tmp_path):
    data = (
        "id,date,outlet,text\n"
        f"1,2022-03,A,{q(body(19))}\n"
        f'2,2022-03,A,"{body(20)}"broken quoting\n'  # line 3: text after a closing quote
        f"3,2022-03,A,{q(body(21))},extra field\n"  # line 4: 5 fields
        f"4,2022-03,A,{q(body(22))}\n"  # line 5: fine
        f'5,2022-03,A,"{body(23)} and no closing quote\n'  # line 6: unbalanced, eats the rest
        f"6,2022-03,A,{q(body(24))}\n"
    )
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["1", "4"]
    bad = c.skipped.sort_values("line")
    assert bad["reason"].tolist() == ["bad_row"] * 3
    assert bad["line"].tolist() == [3, 4, 6]
    assert bad["detail"].iloc[1] == "c.csv:4 has 5 fields, header has 4"
    assert all(d.startswith(f"c.csv:{n} ") for d, n in zip(bad["detail"], bad["line"], strict=True))
    assert_conserved(c)


def test_csv_empty_unnamed_columns_are_ignored_with_a_note(tmp_path):
    # a spreadsheet's trailing ",,": two columns without a name and without values
    data = "id,outlet,text,,\n" + "".join(f"{i},A,{q(body(100 + i))},,\n" for i in range(3))
    c = load(tmp_path, {"x.csv": data}, fmt="csv", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["0", "1", "2"] and c.skipped.empty
    assert "" not in c.documents.columns
    note = c.notes[c.notes["kind"] == "unnamed_column"]
    assert note["detail"].tolist() == ["x.csv:1 column(s) 4, 5 have no name in the header: ignored while empty "
                                       "(a row with a value there is skipped as bad_row)"]
    assert_conserved(c)


def test_csv_a_value_in_an_unnamed_column_skips_its_row_only(tmp_path):
    data = f"id,outlet,text,\n0,A,{q(body(100))},\n1,A,{q(body(101))},oeps\n2,A,{q(body(102))},\n"
    c = load(tmp_path, {"x.csv": data}, fmt="csv", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["0", "2"]
    skipped = c.skipped.iloc[0]
    assert (skipped["reason"], skipped["line"]) == ("bad_row", 3)
    assert skipped["detail"].startswith("x.csv:3 column 4 has no name in the header (line 1) but holds 'oeps'")
    assert_conserved(c)


def test_csv_na_and_null_stay_text(tmp_path):
    data = f"id,date,outlet,title,text\nNA,2022-03,NULL,NA,{q(body(25))}\n"
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS)
    doc = c.documents.iloc[0]
    assert (doc["doc_id"], doc["outlet"], doc["title"]) == ("NA", "NULL", "NA")


def test_csv_missing_required_column(tmp_path):
    data = f"id,date,body\n1,2022-03,{q(body(26))}\n"
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS)
    s = skip_of(c, "c.csv")
    assert s["reason"] == "missing_field" and s["line"] == 1
    assert "'text'" in s["detail"]
    assert_conserved(c)


# --------------------------------------------------------------------------------------------
# JSONL
# --------------------------------------------------------------------------------------------
def test_jsonl_bad_lines_are_skipped_with_line_and_the_rest_kept(tmp_path):
    lines = [
        json.dumps({"id": "1", "date": "2022-03", "text": body(27)}),
        '{"id": "2", "text": "afgebroken',
        "[1, 2, 3]",
        '{"id": "4", "text": "een", "text": "twee"}',
        '{"id": "5", "text": "x", "score": NaN}',
        json.dumps({"id": "6", "date": "2022-03"}),
        "",
        json.dumps({"id": "8", "date": "2022-03", "text": body(28)}),
    ]
    c = load(tmp_path, {"j.jsonl": "\n".join(lines) + "\n"}, fmt="jsonl", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["1", "8"]
    assert c.documents["line"].tolist() == [1, 8]
    got = c.skipped.sort_values("line")[["line", "reason"]].values.tolist()
    assert got == [[2, "bad_json"], [3, "bad_json"], [4, "bad_json"], [5, "bad_json"], [6, "missing_field"]]
    details = c.skipped.set_index("line")["detail"]
    assert "duplicate keys ['text']" in details[4]
    assert "NaN" in details[5]
    assert all(d.startswith(f"j.jsonl:{n} ") for n, d in details.items())
    assert_conserved(c)


def test_jsonl_with_bom_parses(tmp_path):
    data = "\ufeff" + json.dumps({"id": "1", "text": body(29)}) + "\n"
    c = load(tmp_path, {"j.jsonl": data.encode()}, fmt="jsonl", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["1"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_duplicate_ids_are_skipped_naming_the_first(tmp_path, fmt):
    recs = [("7", body(30)), ("8", body(31)), ("7", body(32))]
    if fmt == "csv":
        data = "id,text\n" + "".join(f"{i},{q(t)}\n" for i, t in recs)
    else:
        data = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in recs)
    c = load(tmp_path, {f"d.{fmt}": data}, fmt=fmt, fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["7", "8"]
    assert body(30) in c.documents.iloc[0]["text"]  # the first one wins
    s = skip_of(c, f"d.{fmt}")
    first_line = 2 if fmt == "csv" else 1
    assert s["reason"] == "duplicate_id" and s["line"] == first_line + 2
    assert s["detail"] == f"d.{fmt}:{first_line + 2} id '7' already used at d.{fmt}:{first_line}"
    assert_conserved(c)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_generated_ids_differ_for_files_of_the_same_name_in_different_folders(tmp_path, fmt):
    def records(i):
        if fmt == "csv":
            return "text\n" + q(body(i)) + "\n"
        return json.dumps({"text": body(i)}) + "\n"

    files = {f"top.{fmt}": records(60), f"2021/export.{fmt}": records(61), f"2022/export.{fmt}": records(62)}
    c = load(tmp_path, files, fmt=fmt)
    line = 2 if fmt == "csv" else 1
    # the path from the source folder without its suffix: a file at the top level keeps its stem
    assert c.documents["doc_id"].tolist() == [f"2021/export:{line}", f"2022/export:{line}", f"top:{line}"]
    assert c.skipped.empty, c.skipped.to_string()
    assert_conserved(c)


def test_metadata_file_with_duplicate_keys_is_reported_and_never_multiplies_rows(tmp_path):
    meta = "doc_id,label,outlet\na,eerste,X\nb,tweede,Y\na,derde,Z\nzz,wees,W\n"
    c = load(
        tmp_path,
        {"a.txt": body(33), "b.txt": body(34), "c.txt": body(35)},
        metadata={"path": "labels.csv", "key": "doc_id"},
        meta_files={"labels.csv": meta},
    )
    assert len(c) == 3
    docs = c.documents.set_index("doc_id")
    assert docs.loc["a", "label"] == "eerste" and docs.loc["a", "outlet"] == "X"
    assert pd.isna(docs.loc["c", "label"])
    dup = c.notes[c.notes["kind"] == "duplicate_metadata_key"].iloc[0]
    assert dup["line"] == 4 and "repeats line 2" in dup["detail"]
    unmatched = c.notes[c.notes["kind"] == "unmatched_metadata"]
    assert unmatched["doc_id"].tolist() == ["zz"]
    assert_conserved(c)


def test_metadata_file_without_the_key_column(tmp_path):
    with pytest.raises(CorpusError, match=r"labels\.csv: no key column 'doc_id'"):
        load(tmp_path, {"a.txt": body(36)}, metadata={"path": "labels.csv"}, meta_files={"labels.csv": "id,label\na,x\n"})


# --------------------------------------------------------------------------------------------
# Size, many files, language
# --------------------------------------------------------------------------------------------
def test_file_over_max_doc_bytes_is_skipped(tmp_path):
    c = load(tmp_path, {"big.txt": body(37) * 10, "ok.txt": body(38)}, cleaning={"max_doc_bytes": 1000})
    assert c.documents["doc_id"].tolist() == ["ok"]
    s = skip_of(c, "big.txt")
    assert s["reason"] == "too_large" and "max_doc_bytes = 1,000" in s["detail"]


def test_max_doc_bytes_must_be_positive(tmp_path):
    with pytest.raises(CorpusError, match="max_doc_bytes"):
        load(tmp_path, {"a.txt": body(1)}, cleaning={"max_doc_bytes": 0})


def test_a_folder_of_many_small_files_gives_one_summarised_skip_report(tmp_path):
    files = {f"sub{i % 3}/doc{i:03d}.txt": (b"" if i % 30 == 0 else f"date 2022-{i % 12 + 1:02d}\n{body(i)}") for i in range(300)}
    c = load(tmp_path, files)
    assert len(c.inputs) == 300
    assert len(c) == 290
    by_reason = c.skipped.groupby("reason").size()
    assert by_reason.to_dict() == {"empty": 10}
    assert c.documents["doc_id"].str.match(r"sub\d/doc\d{3}$").all()
    assert c.documents["doc_id"].is_monotonic_increasing
    assert_conserved(c)


def test_other_language_is_detected_and_filterable(tmp_path):
    english = (
        "The foreign ministers of the alliance met in Brussels on Thursday to discuss the war in "
        "Ukraine. They agreed to send more troops to the eastern flank but ruled out a no-fly zone."
    )
    files = {"nl.txt": body(39), "en.txt": english}
    c = load(tmp_path / "all", files)
    assert c.documents.set_index("doc_id")["language"].to_dict() == {"en": "en", "nl": "nl"}
    assert c.notes[c.notes["kind"] == "language"]["doc_id"].tolist() == ["en"]
    kept = load(tmp_path / "nl", files, cleaning={"keep_languages": ["nl"]})
    assert kept.documents["doc_id"].tolist() == ["nl"]
    s = skip_of(kept, "en.txt")
    assert s["reason"] == "language" and "'en'" in s["detail"]
    assert_conserved(kept)


def test_quote_hints_are_read_from_the_definition(tmp_path):
    path = write_corpus(tmp_path, {"a.txt": body(1)})
    assert read_definition(path).quotes == {"descriptor_hints": {}}
    spec = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**spec, "quotes": {"descriptor_hints": {"Noor": "Stoltenberg"}}}))
    assert read_definition(path).quotes == {"descriptor_hints": {"noor": "Stoltenberg"}}


def test_bad_definitions_name_the_setting(tmp_path):
    path = write_corpus(tmp_path, {"a.txt": body(1)})
    spec = yaml.safe_load(path.read_text())
    cases = [
        ({"source": {**spec["source"], "format": "xml"}}, "source.format = 'xml'"),
        ({"source": {**spec["source"], "encoding": "klingon"}}, "source.encoding = 'klingon'"),
        ({"cleaning": {"html": "maybe"}}, "cleaning.html"),
        ({"cleaning": {"bad_date": "ignore"}}, "cleaning.bad_date"),
        ({"cleaning": {"colour": 1}}, "cleaning: unknown keys \\['colour'\\]"),
        ({"name": "../evil"}, "name = '../evil'"),
        ({"extra": 1}, "unknown keys \\['extra'\\]"),
        ({"quotes": {"hints": {}}}, "quotes: unknown keys \\['hints'\\]"),
        ({"quotes": {"descriptor_hints": {"noor": 3}}}, "quotes.descriptor_hints = "),
        ({"quotes": ["noor"]}, "quotes must be a mapping"),
        # a key under source: that the loader does not know is refused, not ignored
        ({"source": {**spec["source"], "delimiter": ";"}},
         r"^corpus.yaml: source: unknown keys \['delimiter'\]; known: \['duplicate_ids', 'encoding', 'format', 'path', 'pattern'\]$"),
        ({"source": {**spec["source"], "encodng": "cp1252"}}, r"source: unknown keys \['encodng'\]"),
        ({"source": {**spec["source"], "duplicate_id": "suffix"}}, r"source: unknown keys \['duplicate_id'\]"),
        ({"language": "dutch"}, r"^corpus.yaml: language = 'dutch': choose one of \('nl', 'en'\)"),
        ({"language": "en-US"}, r"language = 'en-US': choose one of"),
        # a YAML number where text is needed: one line naming the key, never a TypeError
        ({"source": {**spec["source"], "path": 2022}}, r'^corpus.yaml: source.path = 2022: give text, in quotes: path: "2022"$'),
        ({"source": {**spec["source"], "encoding": 1252}}, r'source.encoding = 1252: give text, in quotes: encoding: "1252"$'),
        ({"source": {**spec["source"], "pattern": 5}}, r'source.pattern = 5: give text, in quotes: pattern: "5"$'),
        ({"source": {**spec["source"], "pattern": ["*.txt"]}}, r"source.pattern = \['\*.txt'\]: give text$"),
        ({"metadata": {"path": 7}}, r'metadata.path = 7: give text, in quotes: path: "7"$'),
        ({"metadata": {"path": "labels.csv", "encoding": 1252}}, r"metadata.encoding = 1252: give text"),
    ]
    for change, message in cases:
        path.write_text(yaml.safe_dump({**spec, **change}))
        with pytest.raises(CorpusError, match=message):
            load_corpus(path, use_cache=False)


@pytest.mark.parametrize(
    "name", ["..", ".", "...", ".hidden", "a/b", "a\\b", "/abs", "-x", "x.", "", " ", "a b", "x" * 101, 7, None]
)
def test_a_corpus_name_must_be_a_plain_folder_name(tmp_path, name):
    path = write_corpus(tmp_path, {"a.txt": body(1)})
    spec = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**spec, "name": name}))
    with pytest.raises(CorpusError, match=re.escape(f"corpus.yaml: name = {name!r}: a plain folder name")):
        mc.read_definition(path)


@pytest.mark.parametrize("name", ["seeds", "my-corpus_2", "nrc.2022", "A", "_x", "x" * 100])
def test_plain_corpus_names_are_accepted(tmp_path, name):
    path = write_corpus(tmp_path, {"a.txt": body(1)}, name=name)
    assert mc.read_definition(path).name == name


def test_a_cp1252_corpus_definition_is_named_with_line_and_byte(tmp_path):
    path = write_corpus(tmp_path, {"a.txt": body(1)})
    line = len(path.read_text().splitlines()) + 1
    path.write_bytes(path.read_bytes() + "description: Caf\u00e9-kranten\n".encode("cp1252"))
    with pytest.raises(CorpusError) as exc:
        load_corpus(path, use_cache=False)
    assert str(exc.value).startswith(f"corpus.yaml:{line}:17 byte 0xe9 is not valid UTF-8"), exc.value
    assert "\n" not in str(exc.value) and "codec" not in str(exc.value)


def test_an_alias_bomb_in_a_corpus_definition_is_refused_at_once(tmp_path):
    from test_yamlfile import ALIAS_BOMB

    path = write_corpus(tmp_path, {"a.txt": body(1)})
    path.write_text(path.read_text() + ALIAS_BOMB + "description: *j\n")
    with pytest.raises(CorpusError, match=r"corpus.yaml:\d+:\d+: the aliases .* expand to more than"):
        load_corpus(path, use_cache=False)


# --------------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------------
def mixed_bad_folder(root, fmt: str):
    """A folder with every kind of bad input of one format (plus good ones)."""
    if fmt == "txt":
        files = {
            "bom.txt": b"\xef\xbb\xbfdate 2022-03\n" + body(40).encode(),
            "cp1252.txt": CP1252_TEXT.encode("cp1252"),
            "nul.txt": b"date 2022-03\nab\x00c",
            "utf16.txt": body(41).encode("utf-16"),
            "empty.txt": b"",
            "header.txt": b"date 2022-03\n",
            "baddate.txt": f"date 2022-13\n{body(42)}",
            "nodate.txt": body(43),
            "html.txt": f"<p>{body(44)}</p><p>&lt;script&gt;</p>",
            "dup1.txt": body(45),
            "dup2.txt": body(45).replace(" ", "\u00a0"),
            "near1.txt": LONG,
            "near2.txt": LONG.replace("donderdag", "vrijdag"),
            "big.txt": body(46) * 30,
            "zw.txt": "over\u200bheid " + body(47),
            "ok.txt": f"date 2022-02\n{body(48)}",
        }
        return write_corpus(root, files, cleaning={"max_doc_bytes": 4000})
    if fmt == "csv":
        rows = [
            "id,date,outlet,text",
            f"1,2022-03,A,{q(body(50))}",
            f'2,2022-03,A,"{body(51)}"x',
            f"3,2022-03,A,{q(body(52))},extra",
            f"4,2022-13,A,{q(body(53))}",
            "5,2022-03,A,",
            f"1,2022-03,A,{q(body(54))}",
            f"6,,NA,{q(body(50))}",
            f'7,2022-03,A,"{body(55)}\n\nmet alinea"',
            f'8,2022-03,A,"{body(56)} nooit gesloten',
            f"9,2022-03,A,{q(body(57))}",
        ]
        return write_corpus(root, {"a.csv": "\n".join(rows) + "\n", "b.csv": b"", "c.csv": b"id,text\n"}, fmt="csv", fields=CSV_FIELDS)
    lines = [
        json.dumps({"id": "1", "date": "2022-03", "text": body(60)}),
        "{broken",
        "42",
        '{"id": "3", "id": "4", "text": "x"}',
        '{"id": "5", "text": NaN}',
        json.dumps({"id": "6"}),
        json.dumps({"id": "1", "text": body(61)}),
        json.dumps({"id": "7", "text": body(60)}),
        json.dumps({"id": "8", "date": "march", "text": body(62)}),
        json.dumps({"id": "9", "text": "   "}),
        json.dumps({"id": "10", "text": body(63)}),
    ]
    return write_corpus(
        root, {"a.jsonl": "\n".join(lines), "b.jsonl": "\n\n", "c.jsonl": b"\x00"}, fmt="jsonl", fields=CSV_FIELDS
    )


@pytest.mark.parametrize("fmt", ["txt", "csv", "jsonl"])
def test_conservation_inputs_equal_kept_plus_skipped(tmp_path, fmt):
    c = load_corpus(mixed_bad_folder(tmp_path, fmt), use_cache=False)
    assert len(c) >= 2 and len(c.skipped) >= 5
    assert_conserved(c)
    # every skip names a known reason and a source that is one of the inputs
    assert set(c.skipped["reason"]) <= set(mc.SKIP_REASONS)
    assert set(c.skipped["source"]) <= set(c.inputs["source"])
    assert c.skipped["detail"].str.len().gt(0).all()


def test_conservation_counts_for_the_txt_folder(tmp_path):
    c = load_corpus(mixed_bad_folder(tmp_path, "txt"), use_cache=False)
    assert c.skipped.groupby("reason").size().to_dict() == {
        "bad_date": 1, "decode_error": 1, "duplicate": 1, "empty": 1, "empty_body": 1,
        "nul_byte": 2, "too_large": 1,
    }
    assert len(c) == 16 - 8


def _hashes(folder) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("fmt", ["txt", "csv", "jsonl"])
def test_raw_files_are_untouched_even_in_a_read_only_folder(tmp_path, fmt):
    definition = mixed_bad_folder(tmp_path, fmt)
    data = tmp_path / "data"
    before = _hashes(data)
    mtimes = {p: p.stat().st_mtime_ns for p in data.rglob("*")}
    paths = [*data.rglob("*"), data]
    for p in paths:
        p.chmod(stat.S_IRUSR | stat.S_IRGRP | (stat.S_IXUSR | stat.S_IXGRP if p.is_dir() else 0))
    try:
        first = load_corpus(definition)  # with the cache: still nothing written beside the data
        second = load_corpus(definition)
        assert second.from_cache
        assert len(first) == len(second)
    finally:
        for p in paths:
            p.chmod(stat.S_IRWXU)
    assert _hashes(data) == before
    assert {p: p.stat().st_mtime_ns for p in data.rglob("*")} == mtimes
    assert sorted(os.listdir(data)) == sorted(before)  # no cache, temp or lock files beside the data


_C1 = "[\u0080-\u009f]"


@pytest.mark.parametrize("fmt", ["txt", "csv", "jsonl"])
def test_no_new_damage(tmp_path, fmt):
    c = load_corpus(mixed_bad_folder(tmp_path, fmt), use_cache=False)
    for col in ("text", "title", "outlet", "doc_id"):
        values = c.documents[col].dropna().astype(str)
        assert not values.str.contains("\ufffd").any(), col
        assert not values.str.contains(_C1).any(), col


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])))
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\u00a0" not in once and "\u200b" not in once and "\r" not in once


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.sampled_from(["over", "heid", "\u200b", "\u00ad", "\u00a0", " ", "e", "\u0301", "\r\n", "Ë", "ij"]), max_size=20))
def test_normalise_is_idempotent_on_nasty_mixtures(parts):
    text = "".join(parts)
    assert normalise(normalise(text)) == normalise(text)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])))
def test_normalise_counted_is_normalise_and_its_counts(text):
    from medialens.text import normalisation_changes, normalise_counted

    assert normalise_counted(text) == (normalise(text), normalisation_changes(text))


def test_cache_hit_gives_equal_frames_and_keys_change_with_input_and_settings(tmp_path):
    definition = write_corpus(tmp_path, {"a.txt": f"date 2022-03\n{body(70)}", "b.txt": body(71), "e.txt": b""})
    first = load_corpus(definition)
    second = load_corpus(definition)
    assert not first.from_cache and second.from_cache
    assert second.key == first.key
    for attr in ("documents", "skipped", "removals", "notes", "inputs"):
        pd.testing.assert_frame_equal(getattr(first, attr), getattr(second, attr))
    assert list((tmp_path / "cache").glob("corpus-t-*.pkl")) != []
    # one changed byte in one input: a new key, rebuilt
    data_file = tmp_path / "data" / "b.txt"
    data_file.write_bytes(data_file.read_bytes().replace(b"dag", b"Dag", 1))
    third = load_corpus(definition)
    assert third.key != first.key and not third.from_cache
    # one changed setting: a new key
    spec = yaml.safe_load(definition.read_text())
    spec["cleaning"] = {"near_duplicate_threshold": 0.9}
    definition.write_text(yaml.safe_dump(spec))
    fourth = load_corpus(definition)
    assert fourth.key not in (first.key, third.key) and not fourth.from_cache
    # use_cache=False always rebuilds
    assert not load_corpus(definition, use_cache=False).from_cache


def test_a_change_to_the_loader_code_invalidates_the_cache(tmp_path, monkeypatch):
    import medialens.corpus as corpus_module

    definition = write_corpus(tmp_path, {"a.txt": body(73)})
    first = load_corpus(definition)
    assert load_corpus(definition).from_cache
    monkeypatch.setattr(corpus_module.cache, "_code_fingerprint", lambda: "edited loader")
    again = load_corpus(definition)
    assert again.key != first.key and not again.from_cache


def test_broken_cache_file_is_rebuilt(tmp_path):
    definition = write_corpus(tmp_path, {"a.txt": body(72)})
    first = load_corpus(definition)
    (cache_file,) = (tmp_path / "cache").glob("corpus-t-*.pkl")
    cache_file.write_bytes(b"not a pickle")
    again = load_corpus(definition)
    assert not again.from_cache and again.key == first.key
    pd.testing.assert_frame_equal(again.documents, first.documents)


def assert_loaded_without_cache(c: mc.Corpus, reference: mc.Corpus, reason: str) -> None:
    """``c`` holds what a load without the cache holds, plus one note saying the cache was not written."""
    pd.testing.assert_frame_equal(c.documents, reference.documents)
    notes = c.notes[c.notes["kind"] == "cache_not_written"]
    assert len(notes) == 1, c.notes.to_string()
    assert reason in notes.iloc[0]["detail"] and "nothing was cached" in notes.iloc[0]["detail"]
    pd.testing.assert_frame_equal(c.notes[c.notes["kind"] != "cache_not_written"], reference.notes)


@pytest.fixture
def warnings_seen(caplog, monkeypatch):
    """The cache warnings logged in this test (the once-per-folder memory starts empty)."""
    monkeypatch.setattr(mc.cache, "_UNWRITABLE_CACHE_WARNED", set())
    caplog.set_level("WARNING", logger="medialens.corpus")
    return lambda: [r.getMessage() for r in caplog.records if "cache folder" in r.getMessage()]


def test_a_cache_folder_under_a_regular_file_is_not_fatal(tmp_path, monkeypatch, warnings_seen):
    # a path below a regular file can be written by nobody, root included
    (tmp_path / "plain-file").write_text("not a folder")
    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "plain-file" / "cache"))
    definition = write_corpus(tmp_path, {"a.txt": f"date 2022-03\n{body(88)}", "e.txt": b""})
    reference = load_corpus(definition, use_cache=False)
    first = load_corpus(definition)
    second = load_corpus(definition)
    assert not first.from_cache and not second.from_cache
    assert_loaded_without_cache(first, reference, "Not a directory")
    assert_loaded_without_cache(second, reference, "Not a directory")
    (warning,) = warnings_seen()  # said once, on one line
    assert warning.startswith("medialens: the cache folder ") and "\n" not in warning


def test_a_read_only_cache_folder_is_not_fatal(tmp_path, monkeypatch, warnings_seen):
    # tests may run as root, which writes anywhere: the refusal a read-only folder gives is
    # made where the loader meets it, at the temporary file beside the cache file
    import tempfile as tempfile_module

    definition = write_corpus(tmp_path, {"a.txt": body(89)})
    reference = load_corpus(definition, use_cache=False)
    cache = tmp_path / "cache"
    cache.mkdir()
    real_mkstemp = tempfile_module.mkstemp

    def read_only(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == cache:
            raise PermissionError(13, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile_module, "mkstemp", read_only)
    c = load_corpus(definition)
    assert_loaded_without_cache(c, reference, "Permission denied")
    assert list(cache.iterdir()) == [] and len(warnings_seen()) == 1


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permission bits")
def test_a_chmod_read_only_cache_folder_is_not_fatal(tmp_path, warnings_seen):
    definition = write_corpus(tmp_path, {"a.txt": body(90)})
    reference = load_corpus(definition, use_cache=False)
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        assert_loaded_without_cache(load_corpus(definition), reference, "Permission denied")
    finally:
        cache.chmod(0o700)


def test_a_full_cache_folder_is_not_fatal_and_leaves_no_partial_file(tmp_path, monkeypatch, warnings_seen):
    import errno
    import pickle

    definition = write_corpus(tmp_path, {"a.txt": body(91)})
    reference = load_corpus(definition, use_cache=False)

    def disk_full(obj, fh, *args, **kwargs):
        fh.write(b"half a pickle")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pickle, "dump", disk_full)
    c = load_corpus(definition)
    assert_loaded_without_cache(c, reference, "No space left on device")
    assert list((tmp_path / "cache").iterdir()) == []  # the half-written file is gone
    monkeypatch.undo()
    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "cache"))
    assert not load_corpus(definition).from_cache and load_corpus(definition).from_cache  # space again: cached


def test_an_unreadable_cache_file_is_passed_over(tmp_path, monkeypatch, warnings_seen):
    definition = write_corpus(tmp_path, {"a.txt": body(92)})
    first = load_corpus(definition)
    (cache_file,) = (tmp_path / "cache").glob("corpus-t-*.pkl")
    real_open = Path.open

    def guarded(self, *args, **kwargs):
        if self == cache_file:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded)
    again = load_corpus(definition)
    assert not again.from_cache
    pd.testing.assert_frame_equal(again.documents, first.documents)


# --------------------------------------------------------------------------------------------
# Found while testing
# --------------------------------------------------------------------------------------------
def test_jsonl_null_or_empty_id_is_a_missing_field(tmp_path):
    lines = [
        json.dumps({"id": None, "text": body(80)}),
        json.dumps({"id": "  ", "text": body(81)}),
        json.dumps({"id": None, "text": body(82)}),
        json.dumps({"id": 7, "text": body(83)}),
    ]
    c = load(tmp_path, {"j.jsonl": "\n".join(lines)}, fmt="jsonl", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["7"]
    assert c.skipped.sort_values("line")[["line", "reason"]].values.tolist() == [
        [1, "missing_field"], [2, "missing_field"], [3, "missing_field"],
    ]
    assert "empty id in field 'id'" in c.skipped.iloc[0]["detail"]
    assert_conserved(c)


def test_jsonl_lists_numbers_booleans_and_objects_in_text_fields(tmp_path):
    """Never Python's text of a JSON value: lists joined as a labels file's are, numbers written as
    ids are, true/false and objects skip the record naming the field."""
    recs = [
        {"id": "list", "outlet": ["NRC", "AD"], "title": [1, "b"]},
        {"id": "num", "outlet": 1e3, "title": 2.5},
        {"id": "obj", "outlet": {"name": "Trouw"}},
        {"id": "bool", "title": True},
        {"id": "nested", "outlet": ["NRC", ["AD"]]},
    ]
    data = "".join(json.dumps({**r, "text": body(90 + i)}) + "\n" for i, r in enumerate(recs))
    c = load(tmp_path, {"j.jsonl": data}, fmt="jsonl", fields=CSV_FIELDS)
    docs = c.documents.set_index("doc_id")
    assert docs.loc["list", "outlet"] == "NRC; AD" and docs.loc["list", "title"] == "1; b"
    assert docs.loc["num", "outlet"] == "1000" and docs.loc["num", "title"] == "2.5"
    assert c.skipped["reason"].tolist() == ["bad_json"] * 3
    assert c.skipped["detail"].tolist() == [
        "j.jsonl:3 field 'outlet' is a JSON object: give text (a string, a number or a list of them)",
        "j.jsonl:4 field 'title' is a boolean (true/false): give text (a string, a number or a list of them)",
        "j.jsonl:5 field 'outlet' is a JSON array holding more than strings and numbers: give text (a string, a number or a list of them)",
    ]
    assert c.skipped["doc_id"].tolist() == ["obj", "bool", "nested"]
    assert_conserved(c)


def test_jsonl_text_that_is_not_a_string_is_refused(tmp_path):
    lines = [json.dumps({"id": "1", "text": {"p": body(84)}}), json.dumps({"id": "2", "text": body(85)})]
    c = load(tmp_path, {"j.jsonl": "\n".join(lines)}, fmt="jsonl", fields=CSV_FIELDS)
    assert c.documents["doc_id"].tolist() == ["2"]
    s = skip_of(c, "j.jsonl")
    assert s["reason"] == "bad_json" and s["detail"] == "j.jsonl:1 field 'text' is a dict, not a string"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_one_record_over_max_doc_bytes_is_skipped(tmp_path, fmt):
    big = body(86) * 10
    if fmt == "csv":
        data = f"id,text\n1,{q(big)}\n2,{q(body(87))}\n"
    else:
        data = json.dumps({"id": "1", "text": big}) + "\n" + json.dumps({"id": "2", "text": body(87)}) + "\n"
    c = load(tmp_path, {f"r.{fmt}": data}, fmt=fmt, fields=CSV_FIELDS, cleaning={"max_doc_bytes": 1000})
    assert c.documents["doc_id"].tolist() == ["2"]
    s = skip_of(c, f"r.{fmt}")
    line = 2 if fmt == "csv" else 1
    assert s["reason"] == "too_large" and s["line"] == line
    assert s["detail"].startswith(f"r.{fmt}:{line} text of {len(big.encode()):,} bytes is over max_doc_bytes = 1,000")
    assert_conserved(c)


@pytest.mark.parametrize("meta", ['doc_id,label\na,"never closed\nb,x\n', "", "doc_id,label\na,x,extra\n"])
def test_metadata_file_with_broken_csv_names_the_file(tmp_path, meta):
    with pytest.raises(CorpusError, match=r"^metadata file labels\.csv: not readable as CSV"):
        load(tmp_path, {"a.txt": body(88)}, metadata={"path": "labels.csv"}, meta_files={"labels.csv": meta})


def test_outlet_and_title_are_normalised_like_the_text(tmp_path):
    data = (
        "id,outlet,title,text\n"
        f"1,NRC\u00a0Handelsblad,Over\u200bheid,{q(body(89))}\n"
        f"2, NRC Handelsblad ,Kop,{q(body(90))}\n"
    )
    c = load(tmp_path, {"c.csv": data}, fmt="csv", fields=CSV_FIELDS)
    assert c.documents["outlet"].tolist() == ["NRC Handelsblad", "NRC Handelsblad"]
    assert c.documents["title"].tolist() == ["Overheid", "Kop"]


@pytest.mark.parametrize(
    ("cleaning", "message"),
    [
        ({"keep_languages": "nl"}, r"cleaning.keep_languages = 'nl': give a list"),
        ({"keep_languages": [1]}, r"cleaning.keep_languages = \[1\]: give a list"),
        ({"near_duplicate_threshold": 0}, r"cleaning.near_duplicate_threshold = 0: "),
        ({"languages": "nl"}, r"cleaning.languages = 'nl': give a list"),
        ({"near_duplicate_threshold": 80}, r"cleaning.near_duplicate_threshold = 80: "),
        ({"boilerplate": "yes"}, r"cleaning.boilerplate = 'yes': must be true or false"),
        ({"detect_language": 1}, r"cleaning.detect_language = 1: must be true or false"),
    ],
)
def test_bad_cleaning_settings_name_the_setting(tmp_path, cleaning, message):
    with pytest.raises(CorpusError, match=message):
        load(tmp_path, {"a.txt": body(91)}, cleaning=cleaning)


# --------------------------------------------------------------------------------------------
# Properties over random bad input: never a traceback, never a loss, never new damage
# --------------------------------------------------------------------------------------------
_FRAGMENTS = [
    b"date 2022-03\n", b"date 2022-13\n", b"date maart\n", b"title Kop\n", b"\xef\xbb\xbf", b"\x00",
    b"\x84Het", "„Het”".encode(), b"\xff\xfe", b"\r\n", b"\n\n", b"<p>", b"&amp;", b"&lt;script&gt;",
    "over\u200bheid\u00a0en\u00ad".encode(), "Oekrai\u0308ne".encode(), b'"', b",", b"{", b"}", b"NaN",
    body(1).encode(), body(2).encode(), LONG.encode(),
]
_FILE = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.binary(max_size=8)), max_size=8).map(b"".join)


@settings(max_examples=25, deadline=None, database=None)
@given(st.lists(_FILE, min_size=1, max_size=6), st.sampled_from(["txt", "csv", "jsonl"]))
def test_random_bad_input_is_conserved_and_never_damaged(tmp_path_factory, contents, fmt):
    root = tmp_path_factory.mktemp("random")
    if fmt == "txt":
        files = {f"f{i}.txt": c for i, c in enumerate(contents)}
    elif fmt == "csv":
        files = {"a.csv": b"id,date,text\n" + b"\n".join(contents)}
    else:
        files = {"a.jsonl": b"\n".join(contents) + b'\n{"id": "z", "text": "' + body(3).encode() + b'"}'}
    c = load_corpus(write_corpus(root, files, fmt=fmt, fields={"id": "id"} if fmt != "txt" else None), use_cache=False)
    assert_conserved(c)
    texts = c.documents["text"]
    raw = b"".join(files.values())
    if "\ufffd".encode() not in raw:
        assert not texts.str.contains("\ufffd").any()
    assert not texts.str.contains(_C1).any()
    assert set(c.skipped["reason"]) <= set(mc.SKIP_REASONS)
    # the word table is split from the texts without normalising them again: they must be normalised
    assert all(normalise(t) == t for t in texts)
    raw_words = Tokenizer(lowercase=False, remove_stopwords=False, min_length=1, numbers=True)
    assert c.words.doc_ids == c.documents["doc_id"].tolist()
    assert c.words.tokens(raw_words.settings) == [raw_words.words(t) for t in texts]


# --------------------------------------------------------------------------------------------
# The bad-input catalogue of the robustness guide: each row about reading inputs, and the tests
# that cover it (``module::test``). Rows about metadata, cleaning and the runner are added by the
# tests of those parts.
# --------------------------------------------------------------------------------------------
#: Every row of the bad-input catalogue (../shared/guide/robustness.md, first column as written there)
#: and the tests that cover it; rows not yet built name the open issue instead of a test.
PENDING: dict[str, str] = {}
CATALOGUE = {
    "`$5 tot $10` in corpus text, nbconvert HTML": [
        "test_report::test_dollar_signs_in_corpus_text_are_never_typeset_and_pages_load_nothing",
        "test_report::test_hostile_corpus_text_appears_only_escaped_in_the_html_report",
    ],
    "UTF-8 with BOM": ["test_corpus::test_utf8_bom_is_decoded_and_noted", "test_corpus::test_jsonl_with_bom_parses"],
    "cp1252 / latin-1 exports (LexisNexis, Windows)": [
        "test_corpus::test_cp1252_declared_decodes_low_quotes",
        "test_corpus::test_cp1252_undeclared_is_skipped_with_position_and_hint",
        "test_corpus::test_latin1_declared_lets_no_c1_controls_in",
    ],
    "invalid or mixed bytes": [
        "test_corpus::test_invalid_bytes_skip_the_file_and_never_replace",
        "test_records::test_a_csv_with_a_bad_byte_keeps_the_other_records",
    ],
    "mojibake (`â€žHet`)": ["test_corpus::test_mojibake_is_kept_as_is_and_noted"],
    "NUL bytes, UTF-16 files": [
        "test_corpus::test_nul_byte_is_skipped_with_line",
        "test_corpus::test_utf16_file_is_skipped_as_nul_byte",
        "test_corpus::test_declared_utf16_txt_is_decoded_not_refused_as_nul",
        "test_records::test_a_nul_or_c1_character_skips_one_csv_record",
        "test_records::test_a_utf16_jsonl_read_as_utf8_counts_its_lines",
        "test_records::test_declared_utf16_and_utf32_are_decoded",
    ],
    "`date 2022-13`, `date march`, no date line": [
        "test_corpus::test_malformed_date_is_skipped_naming_file_line_and_value",
        "test_corpus::test_malformed_date_keep_mode_keeps_document_without_date",
        "test_corpus::test_malformed_date_error_mode_raises_naming_file_line_and_value",
        "test_corpus::test_missing_date_line_is_kept_and_counted",
    ],
    "empty file, header-only file": ["test_corpus::test_empty_and_header_only_files"],
    "one 200 MB file": [
        "test_corpus::test_file_over_max_doc_bytes_is_skipped",
        "test_corpus::test_one_record_over_max_doc_bytes_is_skipped",
    ],
    "100k small files": ["test_corpus::test_a_folder_of_many_small_files_gives_one_summarised_skip_report"],
    "CSV with quoted newlines, unbalanced quotes, extra fields, `NA`/`NULL` text": [
        "test_corpus::test_csv_quoted_newlines_are_one_record",
        "test_corpus::test_csv_bad_rows_are_recorded_and_the_rest_is_read",
        "test_corpus::test_csv_na_and_null_stay_text",
        "test_corpus::test_csv_missing_required_column",
    ],
    "JSONL with a broken line, duplicate keys, `NaN`": ["test_corpus::test_jsonl_bad_lines_are_skipped_with_line_and_the_rest_kept"],
    "a CSV field longer than `csv.field_size_limit` (131,072 by default), or an unescaped quote inside a multi-line field": [
        "test_records::test_a_csv_field_over_131072_characters_is_one_row_and_nothing_is_invented",
        "test_records::test_a_csv_field_over_the_field_limit_is_skipped_whole_without_inventing",
        "test_records::test_an_unescaped_quote_inside_a_multiline_field_invents_nothing",
        "test_records::test_a_single_stray_quote_in_a_multiline_field_invents_nothing",
        "test_records::test_a_bad_byte_before_an_opening_quote_invents_nothing",
        "test_records::test_a_quote_inside_an_unquoted_field_is_refused",
        "test_records::test_an_unclosed_quote_skips_the_rest_of_the_file_as_one_record",
        "test_records::test_valid_csv_rows_and_lines_are_those_of_csv_reader",
        "test_records::test_damaged_files_never_yield_a_document_that_was_not_written",
    ],
    "one bad byte or line in a big CSV/JSONL": [
        "test_records::test_one_bad_byte_on_line_501_of_1000_skips_one_line",
        "test_records::test_a_csv_skipped_whole_counts_every_row_it_held",
        "test_records::test_a_utf16_file_broken_halfway_counts_what_it_read",
    ],
    "a 5 GB file under a 1000 × `max_doc_bytes` guard": [
        "test_records::test_a_5gb_file_is_refused_from_stat_without_reading",
        "test_records::test_reading_in_small_blocks_gives_the_same_corpus",
    ],
    "JSONL ids that are lists, objects, booleans; `2` vs `2.0`; a CSV header with a repeated column": [
        "test_records::test_jsonl_ids_that_are_lists_objects_or_booleans_are_refused",
        "test_records::test_jsonl_ids_2_and_2_point_0_are_one_id",
        "test_records::test_a_csv_header_with_a_repeated_column_is_an_error_naming_it",
        "test_corpus::test_jsonl_null_or_empty_id_is_a_missing_field",
    ],
    ".txt header lines: repeated, late, empty, too long, utf-16 (issue 10)": [
        "test_corpus::test_txt_header_cases_have_a_defined_outcome_and_a_note",
        "test_corpus::test_a_first_line_beginning_with_date_is_the_date_header",
        "test_corpus::test_declared_utf16_txt_is_decoded_not_refused_as_nul",
    ],
    "a FIFO as source.path, a second doc_id column (issue 10)": [
        "test_corpus::test_a_fifo_as_source_path_is_a_one_line_error",
        "test_corpus::test_a_second_doc_id_column_is_a_one_line_error_naming_the_file",
        "test_corpus::test_a_doc_id_column_in_the_records_does_not_replace_the_id",
    ],
    'exact and near duplicates (wire copy in several outlets)': [
        "test_corpus::test_exact_duplicates_with_space_variants_are_collapsed_deterministically",
        "test_corpus::test_near_duplicates_are_flagged_not_deleted",
        "test_corpus::test_exact_copies_default_drop_within_an_outlet_and_flag_across",
        "test_corpus::test_each_exact_copy_policy_can_be_set",
        "test_corpus::test_documents_without_an_outlet_are_one_group_for_copies",
    ],
    'duplicate ids in a JSONL/CSV plus a separate labels file': [
        "test_corpus::test_duplicate_ids_are_skipped_naming_the_first",
        "test_corpus::test_metadata_file_with_duplicate_keys_is_reported_and_never_multiplies_rows",
        "test_corpus::test_duplicate_ids_error_policy_names_both_places",
        "test_corpus::test_suffix_keeps_every_row_and_pairs_labels_like_line_by_line",
        "test_corpus::test_suffix_with_one_label_row_labels_every_occurrence",
        "test_corpus::test_suffix_with_a_different_number_of_label_rows_is_noted",
        "test_corpus::test_suffix_refuses_an_id_that_looks_like_a_made_one",
    ],
    '`fields:` naming a key no record has': [
        "test_corpus::test_a_field_naming_a_key_no_record_has_is_an_error_naming_field_file_and_keys",
        "test_corpus::test_a_missing_field_error_names_the_labels_columns_too",
        "test_corpus::test_a_field_present_in_a_later_record_or_with_null_values_is_no_error",
        "test_corpus::test_a_field_may_name_a_labels_column",
        "test_corpus::test_a_txt_field_naming_another_column_needs_a_labels_file",
    ],
    'metadata (labels file, inline `documents:`) setting `doc_id`, `text`, `date`, `source`, `line`': [
        "test_corpus::test_a_labels_file_may_not_set_a_reserved_column",
        "test_corpus::test_inline_documents_may_not_set_a_reserved_column",
        "test_corpus::test_inline_dates_are_validated_and_yaml_date_objects_become_text",
        "test_corpus::test_a_labels_date_is_validated_by_the_bad_date_setting",
        "test_corpus::test_a_record_key_named_like_a_loader_column_is_kept_renamed_and_noted",
    ],
    'labels file in JSONL': [
        "test_corpus::test_labels_in_jsonl_are_read_with_the_same_checks",
        "test_corpus::test_broken_jsonl_labels_name_file_and_line",
        "test_corpus::test_a_labels_csv_with_a_repeated_column_is_refused",
        "test_corpus::test_metadata_file_with_broken_csv_names_the_file",
    ],
    'HTML remnants, entities': [
        "test_corpus::test_html_is_stripped_once_and_counted",
        "test_corpus::test_html_keep_mode_leaves_text_alone",
    ],
    'zero-width space, soft hyphen, NBSP, NFD accents': [
        "test_corpus::test_format_characters_spaces_and_nfd_are_normalised",
        "test_corpus::test_raw_zero_width_space_would_split_a_word",
    ],
    "Dutch quotes `„…” ,,…'' “…” ‘…’`, `’` as apostrophe (`z’n`, `auto's`, `'s-Hertogenbosch`)": [
        "test_quotes::test_every_dutch_quote_style",
        "test_quotes::test_in_word_apostrophes_are_not_quotes",
        "test_quotes::test_unmatched_opening_quote_is_warned_with_doc_and_offset",
    ],
    'documents in another language': [
        "test_corpus::test_other_language_is_detected_and_filterable",
    ],
    'corpus text with `<script>` or `<img onerror>`': [
        "test_report::test_hostile_corpus_text_appears_only_escaped_in_the_html_report",
        "test_frequency::test_kwic_shown_escaped",
        "test_clustering::test_representative_text_is_shown_escaped",
    ],
    '`$…$` in a title': [
        "test_paths::test_a_dollar_sign_in_a_figure_title_is_text_not_maths",
    ],
    'output parameter `../../etc`, an absolute path, an outlet named `NRC/Handelsblad`': [
        "test_report::test_output_parameter_outside_the_output_folder_is_refused",
        "test_paths::test_figure_names_are_slugified_inside_the_figures_folder",
    ],
    'parameter names and values from a file or `-p`': [
        "test_report::test_a_parameter_name_that_is_code_is_refused",
        "test_report::test_wrong_types_are_named",
    ],
    'empty vocabulary, `max_df` < `min_df`, n_clusters > documents, one document, identical documents, a source with one document': [
        "test_clustering::test_vocabulary_emptied_by_min_df_names_the_documents",
        "test_clustering::test_max_df_below_min_df",
        "test_clustering::test_corpus_of_one_document",
        "test_clustering::test_identical_documents",
        "test_frequency::test_group_with_one_document_carries_n1",
    ],
    'corpus `name: ".."` or `"."`': [
        "test_corpus::test_a_corpus_name_must_be_a_plain_folder_name",
        "test_report::test_a_corpus_named_dot_dot_cannot_make_the_runner_write_outside_reports",
    ],
    'read-only or full cache folder': [
        "test_corpus::test_a_read_only_cache_folder_is_not_fatal",
        "test_corpus::test_a_cache_folder_under_a_regular_file_is_not_fatal",
        "test_corpus::test_a_full_cache_folder_is_not_fatal_and_leaves_no_partial_file",
    ],
    'YAML alias bomb in a corpus or parameter file': [
        "test_corpus::test_an_alias_bomb_in_a_corpus_definition_is_refused_at_once",
        "test_report::test_an_alias_bomb_in_a_parameter_file_is_refused_at_once",
    ],
    'a run killed halfway': [
        "test_report::test_kill_9_in_the_middle_of_a_report_never_mixes_pages",
        "test_report::test_leftovers_of_a_killed_run_are_removed_by_the_next_run",
    ],
}


def test_every_catalogue_row_names_tests_that_exist():
    import importlib

    for row, tests in CATALOGUE.items():
        assert tests, row
        for ref in tests:
            module, name = ref.split("::")
            assert callable(getattr(importlib.import_module(module), name, None)), f"{row}: no test {ref}"


def test_every_row_of_the_robustness_guide_is_in_the_catalogue():
    guide = Path(__file__).resolve().parents[2] / "shared" / "guide" / "robustness.md"
    if not guide.is_file():
        pytest.skip("the shared guide is not beside this clone")
    rows = [
        cells[1].strip()
        for line in guide.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| input") and (cells := line.split("|"))
    ]
    assert rows and not [r for r in rows if r not in CATALOGUE and r not in PENDING]


# --------------------------------------------------------------------------------------------
# Overview tables used by the corpus notebook
# --------------------------------------------------------------------------------------------
OVERVIEW = pd.DataFrame(
    {
        "doc_id": ["a", "b", "c", "d"],
        "outlet": ["X", "X", None, "Y"],
        "month": ["2022-01", None, "2022-02", "2022-01"],
        "date": ["2022-01", None, "2022-02", "2022-01-05"],
        "language": ["nl"] * 4,
        "n_chars": [23, 8, 1, 13],
        "text": ["De NAVO zei niets niet.", "Navo-top", "x", "een twee  twee\n\ndrie"],
    }
)


def test_counts_by_keeps_missing_values_and_totals():
    t = mc.counts_by(OVERVIEW, rows="outlet", columns="month")
    # worked by hand from OVERVIEW
    assert t.loc["X", "2022-01"] == 1 and t.loc["X", "(missing)"] == 1 and t.loc["(missing)", "2022-02"] == 1
    assert t.loc["total", "total"] == 4 and t["total"].drop("total").tolist() == [2, 1, 1]
    assert list(t.index) == ["X", "Y", "(missing)", "total"]  # one label and one order for missing values
    assert list(t.columns) == ["2022-01", "2022-02", "(missing)", "total"]
    assert t.loc["total"].drop("total").tolist() == [2, 1, 1]


@pytest.mark.parametrize("kw", [{"rows": "krant"}, {"columns": "maand"}])
def test_counts_by_names_the_parameter(kw):
    (name, value), = kw.items()
    with pytest.raises(ValueError, match=rf"^{name} = {value!r}: not a document column"):
        mc.counts_by(OVERVIEW, **kw)


def test_token_stats_against_a_plain_count():
    tok = Tokenizer()
    stats = mc.token_stats(OVERVIEW, tok.settings).set_index("doc_id")
    for doc_id, text in zip(OVERVIEW["doc_id"], OVERVIEW["text"], strict=True):
        words = text.replace(".", " ").split()
        kept = [w.lower() for w in words if w.lower() not in {"de", "zei", "een"} and len(w) >= 2]
        assert stats.loc[doc_id, "words"] == len(words)
        assert stats.loc[doc_id, "tokens"] == len(kept), doc_id
        assert stats.loc[doc_id, "types"] == len(set(kept))


def test_preview_cuts_on_one_line():
    p = mc.preview(OVERVIEW, 10)
    assert p["start of text"].tolist() == ["De NAVO z…", "Navo-top", "x", "een twee…"]
    assert list(p.columns) == ["doc_id", "outlet", "date", "language", "n_chars", "start of text"]


@pytest.mark.parametrize("bad", [0, -1, "10", 2.5, True])
def test_preview_chars_must_be_a_positive_whole_number(bad):
    with pytest.raises(ValueError, match=rf"^preview_chars = {re.escape(repr(bad))}: must be a whole number >= 1"):
        mc.preview(OVERVIEW, bad)


def test_removals_summary_counts_items_and_characters(tmp_path):
    raw = "over\u200bheid\u00a0en\u00a0meer " + body(92) + "\n\nLees ook:\n\nEen teaser\n\nNog een teaser"
    c = load(tmp_path, {"a.txt": raw})
    summary = mc.removals_summary(c).set_index("kind")
    assert summary.loc["teaser", "items"] == 3 and summary.loc["teaser", "characters"] == 9 + 10 + 14
    assert summary.loc["special_spaces", "items"] == 2 and summary.loc["format_characters", "items"] == 1
    assert (summary["documents"] == 1).all()


@pytest.mark.parametrize("fmt", ["txt", "csv", "jsonl"])
def test_rebuilding_gives_identical_tables(tmp_path, fmt):
    definition = mixed_bad_folder(tmp_path, fmt)
    first, second = load_corpus(definition, use_cache=False), load_corpus(definition, use_cache=False)
    for attr in ("documents", "skipped", "removals", "notes", "inputs"):
        pd.testing.assert_frame_equal(getattr(first, attr), getattr(second, attr))
    assert first.documents["doc_id"].is_monotonic_increasing


def test_paragraphs_and_sentences_by_hand(tmp_path):
    raw = "date 2022-03\nDe Navo zei o.a. dit. En dat.\n\nLuchtruim\n\n,,Geen no-flyzone,'' zei J. Stoltenberg. Klaar!"
    c = load(tmp_path, {"a.txt": raw})
    paras = c.paragraphs()
    assert paras[["paragraph", "kind"]].values.tolist() == [[1, "body"], [2, "heading"], [3, "body"]]
    sents = c.sentences()
    assert sents["text"].tolist() == [
        "De Navo zei o.a. dit.", "En dat.", "Luchtruim", ",,Geen no-flyzone,'' zei J. Stoltenberg.", "Klaar!",
    ]
    assert sents["sentence"].tolist() == [1, 2, 3, 4, 5] and sents["paragraph"].tolist() == [1, 1, 2, 3, 3]


def test_cli_corpus_prints_totals_and_names_a_bad_definition(tmp_path, capsys):
    from medialens import cli

    definition = write_corpus(tmp_path, {"a.txt": body(93), "e.txt": b""})
    assert cli.main(["corpus", str(definition), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "<Corpus 't': 1 documents, 1 skipped, from 2 input file(s)>" in out
    assert "e.txt" in out and "empty" in out
    definition.write_text("name: t\nsource: {path: nowhere}\n")
    assert cli.main(["corpus", str(definition)]) == 2
    assert "source.path = 'nowhere'" in capsys.readouterr().err


def test_cli_corpus_prints_the_notes_by_kind_bounded(tmp_path, capsys):
    from medialens import cli

    files = {f"u{i:02d}.txt": body(100 + i) for i in range(25)}  # 25 undated documents
    files["bom.txt"] = b"\xef\xbb\xbfdate 2022-03\n" + body(99).encode()
    labels = "doc_id,label\nu00,x\nu00,y\nnobody,z\n"
    definition = write_corpus(
        tmp_path, files, metadata={"path": "labels.csv", "key": "doc_id"}, meta_files={"labels.csv": labels}
    )
    c = load_corpus(definition, use_cache=False)
    kinds = c.notes["kind"].value_counts()
    assert kinds["date_missing"] == 25 and kinds["bom"] == 1
    assert cli.main(["corpus", str(definition), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert f"notes ({len(c.notes)}): " in out
    for kind, n in kinds.items():
        assert f"\n{kind} ({n}):\n" in out
    for detail in c.notes.loc[c.notes["kind"] != "date_missing", "detail"]:
        assert detail in out
    assert "… and 5 more (--limit 25 shows them all)" in out
    assert out.count("no date; kept with date missing") == 20
    assert cli.main(["corpus", str(definition), "--no-cache", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("no date; kept with date missing") == 2 and "… and 23 more" in out


def test_structure_counts_match_the_paragraph_and_sentence_tables(tmp_path):
    from medialens.corpus import structure_counts

    text = "Kop\n\nEen zin. Nog een zin.\n\nDerde zin hier."
    definition = write_corpus(tmp_path, {"a.txt": f"date 2022-03\n{text}", "b.txt": body(74)})
    corpus = load_corpus(definition)
    table = structure_counts(corpus)
    assert list(table.index) == list(corpus.documents["doc_id"])
    assert table.loc["a"].to_dict() == {"paragraphs": 3, "headings": 1, "sentences": 4}
    assert table["sentences"].sum() == len(corpus.sentences())
    import dataclasses

    for c in (corpus, load_corpus("corpus/seeds.yaml")):  # counted in the word table = in the sentence table
        assert c.words is not None
        pd.testing.assert_frame_equal(structure_counts(c), structure_counts(dataclasses.replace(c, words=None)))


def test_sentence_spans_are_the_sentences_of_the_corpus_table():
    # One segmentation for every analysis: quotes and stance use offsets, notebooks use the table.
    from medialens.text import paragraph_spans, sentence_spans

    corpus = load_corpus("corpus/seeds.yaml")  # relative to the project root
    table = corpus.sentences()
    for doc_id, text in zip(corpus.documents["doc_id"], corpus.documents["text"], strict=True):
        spans = sentence_spans(text)
        assert [text[a:b] for a, b, _ in spans] == table.loc[table["doc_id"] == doc_id, "text"].tolist()
        assert [p for _, _, p in spans] == table.loc[table["doc_id"] == doc_id, "paragraph"].tolist()
        paras = corpus.paragraphs()
        assert [text[a:b] for a, b in paragraph_spans(text)] == paras.loc[paras["doc_id"] == doc_id, "text"].tolist()


def test_txt_source_and_id_are_the_path_below_the_folder(tmp_path):
    files = {rel: body(i) for i, rel in enumerate(["a.txt", "sub/b.txt", "sub/deeper/c.d.txt", "x.y/z.txt", ".hidden.txt"])}
    path = write_corpus(tmp_path, files)
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec["source"]["pattern"] = "**/*.txt"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    c = load_corpus(path, use_cache=False)
    defn = c.definition
    data = tmp_path / "data"  # independently: pathlib's relative path, with and without suffix
    expected = {
        Path(f).relative_to(data).as_posix(): Path(f).relative_to(data).with_suffix("").as_posix()
        for f in mc.readers._input_files(defn)
    }
    assert dict(zip(c.documents["source"], c.documents["doc_id"], strict=True)) == expected
    assert expected["sub/deeper/c.d.txt"] == "sub/deeper/c.d" and expected[".hidden.txt"] == ".hidden"


# --------------------------------------------------------------------------------------------
# Input listing and the stat index of the cache
# --------------------------------------------------------------------------------------------
def _tree(root):
    """Nested folders, dotted and hidden names, a folder named like a file, links to a file, to a
    folder and to nothing, upper-case suffixes, non-matching files."""
    data = root / "data"
    for rel in ["a.txt", "B.TXT", "b.txt", "sub/c.txt", "sub/deeper/d.e.txt", ".hidden.txt", ".h/x.txt",
                "x.y/z.txt", "sub/notes.md", "a b/ç é.txt", "sub-a/f.txt", "sub/a/g.txt"]:
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text(body(1), encoding="utf-8")
    (data / "folder.txt").mkdir()
    (data / "link.txt").symlink_to(data / "a.txt")
    (data / "dirlink").symlink_to(data / "sub", target_is_directory=True)
    (data / "broken.txt").symlink_to(data / "nowhere.txt")
    (data / "loop.txt").symlink_to(data / "loop.txt")  # a link to itself: not a file, no error
    return data


@pytest.mark.parametrize("pattern", ["*.txt", "*.TXT", "*", "[ab]*", "a.txt", "sub/*.txt", "**/*.txt"])
def test_input_files_are_rglobs_files_in_path_order(tmp_path, pattern):
    data = _tree(tmp_path)
    defn = mc.CorpusDefinition(name="t", path=data, format="txt", pattern=pattern)
    expected = sorted(p for p in data.rglob(pattern) if p.is_file())  # Path order, pathlib's own rules
    assert mc.readers._input_files(defn) == [str(p) for p in expected]


def test_the_stat_index_serves_the_key_without_reading_the_inputs(tmp_path, monkeypatch):
    definition = write_corpus(tmp_path, {"a.txt": body(80), "b.txt": body(81)})
    monkeypatch.setattr(mc.cache, "_RACY_NS", 0)  # the files are older than the index: trusted at once
    first = load_corpus(definition)
    assert list((tmp_path / "cache").glob("corpus-t-stat-*.json"))

    def no_reading(*args):
        raise AssertionError("the inputs were read for the key")

    monkeypatch.setattr(mc.load, "_cache_key", no_reading)
    second = load_corpus(definition)
    assert second.from_cache and second.key == first.key


def test_a_file_rewritten_with_its_size_and_time_is_never_served_stale(tmp_path, monkeypatch):
    definition = write_corpus(tmp_path, {"a.txt": body(82), "b.txt": body(83)})
    monkeypatch.setattr(mc.cache, "_RACY_NS", 0)
    first = load_corpus(definition)
    target = tmp_path / "data" / "b.txt"
    before = target.stat()
    time.sleep(0.05)  # past the clock tick of the first write: the change time moves on
    target.write_bytes(target.read_bytes().replace(b"dag", b"DAG", 1))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same modification time
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == before.st_mtime_ns
    again = load_corpus(definition)
    assert not again.from_cache and again.key != first.key
    assert "DAG" in again.documents.set_index("doc_id").at["b", "text"]


def test_a_recently_changed_input_makes_the_index_untrusted(tmp_path, monkeypatch):
    definition = write_corpus(tmp_path, {"a.txt": body(84)})  # written just now: inside _RACY_NS
    load_corpus(definition)
    calls = []
    real = mc.cache._cache_key
    monkeypatch.setattr(mc.load, "_cache_key", lambda *a: calls.append(1) or real(*a))
    assert load_corpus(definition).from_cache
    assert calls == [1]  # the key was computed from the bytes, not taken from the index


def test_a_broken_stat_index_is_ignored(tmp_path, monkeypatch):
    definition = write_corpus(tmp_path, {"a.txt": body(85)})
    monkeypatch.setattr(mc.cache, "_RACY_NS", 0)
    first = load_corpus(definition)
    for index in (tmp_path / "cache").glob("corpus-t-stat-*.json"):
        index.write_text('{"key": "../../etc/passwd", "written_ns": 99999999999999999999}')
    again = load_corpus(definition)
    assert again.from_cache and again.key == first.key


def test_a_file_that_cannot_be_read_is_skipped_with_its_reason(tmp_path, monkeypatch):
    definition = write_corpus(tmp_path, {"a.txt": body(86), "b.txt": body(87)})
    real_open = open

    def guarded_open(path, *args, **kwargs):
        if str(path).endswith("b.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded_open)
    c = load_corpus(definition)  # the cache key reads the files too: it must not fail either
    assert skip_of(c, "b.txt")["reason"] == "unreadable"
    assert "b.txt: cannot be read: Permission denied" in skip_of(c, "b.txt")["detail"]
    assert_conserved(c)


def test_an_input_changed_while_loading_is_not_cached(tmp_path, monkeypatch):
    definition = write_corpus(tmp_path, {"a.txt": body(88), "b.txt": body(89)})
    target = tmp_path / "data" / "b.txt"
    real_build = mc.load._build

    def build_after_an_edit(*args, **kwargs):
        time.sleep(0.05)
        target.write_bytes(target.read_bytes() + b" Later toegevoegd.")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(mc.load, "_build", build_after_an_edit)
    load_corpus(definition)
    assert not list((tmp_path / "cache").glob("corpus-t-*.pkl"))  # the key described other bytes
    monkeypatch.setattr(mc.load, "_build", real_build)
    again = load_corpus(definition)
    assert not again.from_cache and again.documents.set_index("doc_id").at["b", "text"].endswith("Later toegevoegd.")
    assert load_corpus(definition).from_cache


def test_a_file_name_that_is_not_utf8_loads_with_the_cache(tmp_path):
    definition = write_corpus(tmp_path, {"a.txt": body(90)})
    (tmp_path / "data" / os.fsdecode(b"caf\xe9.txt")).write_text(body(91), encoding="utf-8")
    first = load_corpus(definition)
    assert len(first.documents) == 2 and load_corpus(definition).from_cache


# --------------------------------------------------------------------------------------------
# Declared fields, metadata, exact copies across outlets, repeated ids
# --------------------------------------------------------------------------------------------
def records(fmt: str, rows: list[dict]) -> str:
    """``rows`` as a CSV (header from the first row, every field quoted) or JSONL file."""
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    header = list(rows[0])
    return ",".join(header) + "\n" + "".join(",".join(q(str(r[h])) for h in header) + "\n" for r in rows)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_field_naming_a_key_no_record_has_is_an_error_naming_field_file_and_keys(tmp_path, fmt):
    rows = [{"id": "1", "date": "2022-03", "text": body(100)}, {"id": "2", "date": "2022-03", "text": body(101)}]
    with pytest.raises(CorpusError) as err:
        load(tmp_path, {f"d.{fmt}": records(fmt, rows)}, fmt=fmt, fields={"id": "id", "outlet": "publisher"})
    assert str(err.value) == (
        f"corpus.yaml: fields.outlet = 'publisher': no record in d.{fmt} has a key 'publisher';"
        " keys there: ['date', 'id', 'text']"
    )


def test_a_missing_field_error_names_the_labels_columns_too(tmp_path):
    rows = [{"id": "1", "text": body(102)}]
    with pytest.raises(CorpusError, match=r"nor has the labels file labels\.csv \(columns: \['doc_id', 'label'\]\)"):
        load(
            tmp_path, {"d.csv": records("csv", rows)}, fmt="csv", fields={"id": "id", "title": "kop"},
            metadata={"path": "labels.csv"}, meta_files={"labels.csv": "doc_id,label\n1,x\n"},
        )


def test_a_field_present_in_a_later_record_or_with_null_values_is_no_error(tmp_path):
    rows = [
        {"id": "1", "text": body(103)},
        {"id": "2", "text": body(104), "publisher": None},
        {"id": "3", "text": body(105), "publisher": "NRC"},
    ]
    c = load(tmp_path, {"d.jsonl": records("jsonl", rows)}, fmt="jsonl", fields={"id": "id", "outlet": "publisher"})
    assert c.documents.set_index("doc_id")["outlet"].to_dict() == {"1": None, "2": None, "3": "NRC"}
    only_null = load(
        tmp_path / "null", {"d.jsonl": records("jsonl", rows[1:2])}, fmt="jsonl", fields={"id": "id", "outlet": "publisher"}
    )
    assert only_null.documents["outlet"].isna().all()  # the key is there, with no value: not an error


@pytest.mark.parametrize("fmt", ["txt", "csv"])
def test_a_field_may_name_a_labels_column(tmp_path, fmt):
    labels = "doc_id,publisher,datum\na,NRC\u00a0Handelsblad,2022-03-01\nb,Trouw,2022-02\n"
    if fmt == "txt":
        files = {"a.txt": body(106), "b.txt": "date 2022-01\n" + body(107)}
    else:
        files = {"d.csv": records("csv", [{"id": "a", "datum": "", "text": body(106)}, {"id": "b", "datum": "2022-01", "text": body(107)}])}
    c = load(
        tmp_path, files, fmt=fmt, fields={"id": "id", "outlet": "publisher", "date": "datum"} if fmt == "csv" else {"outlet": "publisher"},
        metadata={"path": "labels.csv"}, meta_files={"labels.csv": labels},
    )
    docs = c.documents.set_index("doc_id")
    assert docs["outlet"].to_dict() == {"a": "NRC Handelsblad", "b": "Trouw"}  # normalised like the records'
    assert "publisher" not in docs.columns
    if fmt == "csv":  # the records' own date wins; the labels fill the one that has none
        assert docs["date"].to_dict() == {"a": "2022-03-01", "b": "2022-01"}
        assert docs["month"].to_dict() == {"a": "2022-03", "b": "2022-01"}
        conflict = c.notes[c.notes["kind"] == "metadata_conflict"]
        assert conflict["doc_id"].tolist() == ["b"] and conflict["line"].tolist() == [3]
        assert "date '2022-02' differs from '2022-01'" in conflict["detail"].iloc[0]
    assert_conserved(c)


def test_a_txt_field_naming_another_column_needs_a_labels_file(tmp_path):
    with pytest.raises(CorpusError, match=r"fields\.outlet = 'publisher': \.txt files give outlet by a 'outlet …' header"):
        load(tmp_path, {"a.txt": body(108)}, fields={"outlet": "publisher"})


@pytest.mark.parametrize("column", ["text", "source", "line", "doc_id", "month", "language", "copy_of", "_x"])
def test_a_labels_file_may_not_set_a_reserved_column(tmp_path, column):
    labels = f"id,{column}\na,x\n"
    with pytest.raises(CorpusError, match=rf"labels\.csv: column '{column}' is a column the loader sets"):
        load(tmp_path, {"a.txt": body(109)}, metadata={"path": "labels.csv", "key": "id"}, meta_files={"labels.csv": labels})


@pytest.mark.parametrize("column", ["text", "doc_id", "source", "line", "n_chars"])
def test_inline_documents_may_not_set_a_reserved_column(tmp_path, column):
    with pytest.raises(CorpusError, match=rf"documents\.a\.{column}: '{column}' is a column the loader sets"):
        load(tmp_path, {"a.txt": body(110)}, documents={"a": {column: "x"}})


def test_inline_dates_are_validated_and_yaml_date_objects_become_text(tmp_path):
    import datetime

    c = load(
        tmp_path, {"a.txt": body(111), "b.txt": "date 2022-01\n" + body(112)},
        documents={"a": {"date": datetime.date(2022, 3, 1)}, "b": {"date": "2022-02"}},
    )
    assert "date: 2022-03-01" in (tmp_path / "corpus.yaml").read_text()  # a YAML date, not a string
    docs = c.documents.set_index("doc_id")
    assert docs["date"].to_dict() == {"a": "2022-03-01", "b": "2022-02"}  # inline overrides the file's
    assert docs["month"].to_dict() == {"a": "2022-03", "b": "2022-02"}
    assert c.notes[c.notes["kind"] == "date_missing"].empty  # a's date comes from the definition
    for bad, message in (("2022-13", "has month 13"), ("not-a-d", "is not YYYY-MM"), (datetime.datetime(2022, 3, 1, 9), "is not YYYY-MM")):
        with pytest.raises(CorpusError, match=rf"documents\.a\.date: date .* {message}"):
            load(tmp_path / "bad", {"a.txt": body(111)}, documents={"a": {"date": bad}})


@pytest.mark.parametrize("mode", ["skip", "keep", "error"])
def test_a_labels_date_is_validated_by_the_bad_date_setting(tmp_path, mode):
    labels = "doc_id,date\na,2022-13\nb,2022-03-01\n"
    kw = dict(metadata={"path": "labels.csv"}, meta_files={"labels.csv": labels}, cleaning={"bad_date": mode})
    files = {"a.txt": body(113), "b.txt": body(114)}
    if mode == "error":
        with pytest.raises(CorpusError, match=r"labels\.csv:2 date '2022-13' has month 13 \(labels of a\)"):
            load(tmp_path, files, **kw)
        return
    c = load(tmp_path, files, **kw)
    docs = c.documents.set_index("doc_id")
    assert docs.loc["b", "date"] == "2022-03-01" and docs.loc["b", "month"] == "2022-03"
    assert "b" not in c.notes.loc[c.notes["kind"] == "date_missing", "doc_id"].tolist()
    if mode == "skip":
        s = skip_of(c, "a.txt")
        assert s["reason"] == "bad_date" and s["detail"].startswith("labels.csv:2 date '2022-13'")
    else:
        assert pd.isna(docs.loc["a", "date"])
        assert c.notes[c.notes["kind"] == "bad_date"]["doc_id"].tolist() == ["a"]
    assert_conserved(c)


@pytest.mark.parametrize("how", ["extension", "declared"])
def test_labels_in_jsonl_are_read_with_the_same_checks(tmp_path, how):
    name = "labels.jsonl" if how == "extension" else "labels.txt"
    meta = {"path": name, "key": "id"} | ({"format": "jsonl"} if how == "declared" else {})
    lines = [
        {"id": 1, "label": "eerste", "tags": ["a", "b"]},
        {"id": "2", "label": "tweede", "score": 0.5},
        {"id": 1.0, "label": "derde"},  # the same id as 1, as in the records
    ]
    rows = [{"id": "1", "text": body(115)}, {"id": "2", "text": body(116)}]
    c = load(
        tmp_path, {"d.csv": records("csv", rows)}, fmt="csv", fields=CSV_FIELDS,
        metadata=meta, meta_files={name: "".join(json.dumps(x) + "\n" for x in lines)},
    )
    docs = c.documents.set_index("doc_id")
    assert docs["label"].to_dict() == {"1": "eerste", "2": "tweede"}  # the number 1 is the id "1"
    assert docs.loc["1", "tags"] == "a; b" and docs.loc["2", "score"] == 0.5
    dup = c.notes[c.notes["kind"] == "duplicate_metadata_key"]
    assert dup["line"].tolist() == [3] and "repeats line 1" in dup["detail"].iloc[0]
    assert_conserved(c)


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"id": "a"}\n{"id": "b", "id": "c"}\n', r"labels\.jsonl:2 not readable as JSON: duplicate keys \['id'\]"),
        ('{"id": "a", "x": NaN}\n', r"labels\.jsonl:1 not readable as JSON: NaN is not valid JSON"),
        ('{"id": "a"}\n[1]\n', r"labels\.jsonl:2 is a JSON list, not an object"),
        ('{"id": "a", "x": {"y": 1}}\n', r"labels\.jsonl:1 field 'x' is an object"),
        ("\n", r"labels\.jsonl: no labels in it"),
        ('{"id": true}\n', r"labels\.jsonl:1 key True in field 'id' is a boolean"),
    ],
)
def test_broken_jsonl_labels_name_file_and_line(tmp_path, content, message):
    with pytest.raises(CorpusError, match=message):
        load(tmp_path, {"a.txt": body(117)}, metadata={"path": "labels.jsonl", "key": "id"}, meta_files={"labels.jsonl": content})


def test_a_labels_csv_with_a_repeated_column_is_refused(tmp_path):
    with pytest.raises(CorpusError, match=r"labels\.csv:1 column 'label' appears more than once"):
        load(tmp_path, {"a.txt": body(118)}, metadata={"path": "labels.csv"}, meta_files={"labels.csv": "doc_id,label,label\na,x,y\n"})


def wire(fmt: str = "csv") -> str:
    """One wire story in outlets A (twice) and B, another story once in C."""
    rows = [
        {"id": "1", "outlet": "A", "text": body(120)},
        {"id": "2", "outlet": "B", "text": body(120)},
        {"id": "3", "outlet": "A", "text": "  " + body(120).replace(" ", "\u00a0", 2)},
        {"id": "4", "outlet": "C", "text": body(121)},
        {"id": "5", "outlet": "B", "text": body(120)},
    ]
    return records(fmt, rows)


def test_exact_copies_default_drop_within_an_outlet_and_flag_across(tmp_path):
    c = load(
        tmp_path, {"d.csv": wire()}, fmt="csv", fields=CSV_FIELDS,
        metadata={"path": "labels.csv"}, meta_files={"labels.csv": "doc_id,desk\n1,binnenland\n2,buitenland\n"},
    )
    docs = c.documents.set_index("doc_id")
    assert docs.index.tolist() == ["1", "2", "4"]
    assert docs["copy_of"].to_dict() == {"1": None, "2": "1", "4": None}
    assert c.summary().loc["exact copies flagged", "count"] == 1
    assert "3 documents (1 flagged as a copy or near-duplicate of another, kept), 2 skipped" in repr(c)
    # the exact copy is a near-duplicate too: counted once in the summary, whose rows add up
    assert docs.loc["2", "near_duplicate_of"] == "1"
    assert c.summary().loc["near-duplicates flagged (besides exact copies)", "count"] == 0
    note = c.notes[c.notes["kind"] == "copy"]
    assert note["detail"].tolist() == [
        "same text as 1, in another outlet (2: outlet 'B', desk 'buitenland'; 1: outlet 'A', desk 'binnenland')"
    ]
    skipped = c.skipped.set_index("doc_id")
    assert skipped["reason"].to_dict() == {"3": "duplicate", "5": "duplicate"}
    assert skipped.loc["3", "detail"] == "same text as 1, in the same outlet (3: outlet 'A'; 1: outlet 'A', desk 'binnenland')"
    assert skipped.loc["5", "detail"].startswith("same text as 2, in the same outlet (5: outlet 'B'; 2: outlet 'B'")
    assert_conserved(c)


@pytest.mark.parametrize(
    "within, across, kept, copy_of",
    [
        ("drop", "drop", ["1", "4"], {}),
        ("drop", "keep", ["1", "2", "4"], {}),
        ("flag", "flag", ["1", "2", "3", "4", "5"], {"2": "1", "3": "1", "5": "2"}),
        ("keep", "flag", ["1", "2", "3", "4", "5"], {"2": "1"}),
        ("keep", "keep", ["1", "2", "3", "4", "5"], {}),
        ("flag", "drop", ["1", "3", "4"], {"3": "1"}),
    ],
)
def test_each_exact_copy_policy_can_be_set(tmp_path, within, across, kept, copy_of):
    cleaning = {"duplicates_within_outlet": within, "duplicates_across_outlets": across}
    c = load(tmp_path, {"d.jsonl": wire("jsonl")}, fmt="jsonl", fields=CSV_FIELDS, cleaning=cleaning)
    assert c.documents["doc_id"].tolist() == kept
    assert c.documents.set_index("doc_id")["copy_of"].dropna().to_dict() == copy_of
    assert set(c.skipped["reason"]) <= {"duplicate"}
    assert_conserved(c)


def test_documents_without_an_outlet_are_one_group_for_copies(tmp_path):
    rows = [{"id": "1", "text": body(122)}, {"id": "2", "outlet": "", "text": body(122)}, {"id": "3", "outlet": "A", "text": body(122)}]
    c = load(tmp_path, {"d.jsonl": records("jsonl", rows)}, fmt="jsonl", fields=CSV_FIELDS)
    assert c.documents.set_index("doc_id")["copy_of"].to_dict() == {"1": None, "3": "1"}
    assert skip_of(c, "d.jsonl")["detail"] == "same text as 1, in the same outlet (2: no outlet; 1: no outlet)"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_duplicate_ids_error_policy_names_both_places(tmp_path, fmt):
    rows = [{"id": "7", "text": body(123)}, {"id": "8", "text": body(124)}, {"id": "7", "text": body(125)}]
    first = 2 if fmt == "csv" else 1
    with pytest.raises(CorpusError, match=rf"d\.{fmt}:{first + 2} id '7' already used at d\.{fmt}:{first} \(source\.duplicate_ids: error\)"):
        load(tmp_path, {f"d.{fmt}": records(fmt, rows)}, fmt=fmt, fields=CSV_FIELDS, source_extra={"duplicate_ids": "error"})


def repeated_ids_with_labels(root, fmt: str, label_rows: list[tuple[str, str]], n: int = 8):
    """Records whose ids repeat (as in published research data) and a labels file."""
    ids = ["7", "8", "7", "9", "7", "8", "10", "11"][:n]
    rows = [{"id": i, "text": body(130 + k)} for k, i in enumerate(ids)]
    labels = "id,stance\n" + "".join(f"{i},{s}\n" for i, s in label_rows)
    c = load(
        root, {f"d.{fmt}": records(fmt, rows)}, fmt=fmt, fields=CSV_FIELDS, source_extra={"duplicate_ids": "suffix"},
        metadata={"path": "labels.csv", "key": "id"}, meta_files={"labels.csv": labels},
    )
    return ids, c


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_suffix_keeps_every_row_and_pairs_labels_like_line_by_line(tmp_path, fmt):
    stances = ["pro", "contra", "neutraal", "pro", "contra", "pro", "neutraal", "pro"]
    ids, c = repeated_ids_with_labels(tmp_path, fmt, list(zip(["7", "8", "7", "9", "7", "8", "10", "11"], stances, strict=True)))
    assert c.skipped.empty and len(c) == 8
    assert sorted(c.documents["doc_id"]) == sorted(["7", "8", "7~2", "9", "7~3", "8~2", "10", "11"])
    # the same as pairing the two files line by line: the k-th record gets the k-th label row
    by_text = c.documents.set_index("text")["stance"]
    for k, stance in enumerate(stances):
        assert by_text[body(130 + k)] == stance
    conflicts = c.notes[c.notes["kind"] == "metadata_conflict"]
    assert conflicts["doc_id"].tolist() == ["7", "8"]
    assert conflicts["detail"].iloc[0] == (
        "labels.csv: key '7' has different labels on lines 2, 4, 6 (stance: 'pro' / 'neutraal' / 'contra');"
        " paired with the records in order of occurrence"
    )
    assert c.notes[c.notes["kind"].isin(["unmatched_metadata", "metadata_count"])].empty
    assert_conserved(c)


def test_suffix_with_one_label_row_labels_every_occurrence(tmp_path):
    _, c = repeated_ids_with_labels(tmp_path, "csv", [("7", "pro"), ("8", "contra")], n=6)
    stance = c.documents.set_index("doc_id")["stance"]
    assert stance[["7", "7~2", "7~3"]].tolist() == ["pro"] * 3 and stance[["8", "8~2"]].tolist() == ["contra"] * 2
    assert c.notes[c.notes["kind"] == "metadata_conflict"].empty


def test_suffix_with_a_different_number_of_label_rows_is_noted(tmp_path):
    _, c = repeated_ids_with_labels(tmp_path, "csv", [("7", "pro"), ("7", "pro"), ("8", "a"), ("8", "b"), ("8", "c")], n=6)
    stance = c.documents.set_index("doc_id")["stance"]
    assert stance[["7", "7~2"]].tolist() == ["pro", "pro"] and pd.isna(stance["7~3"])
    assert stance[["8", "8~2"]].tolist() == ["a", "b"]
    count = c.notes[c.notes["kind"] == "metadata_count"].set_index("doc_id")["detail"]
    assert count["7"] == (
        "labels.csv: key '7' has 2 rows (lines 2, 3) for 3 record(s) with that id; paired in order of occurrence,"
        " the rest unmatched"
    )
    assert "8" in count.index
    assert c.notes.loc[c.notes["kind"] == "unmatched_metadata", "doc_id"].tolist() == ["8~3"]


def test_suffix_refuses_an_id_that_looks_like_a_made_one(tmp_path):
    for ids in (["7", "7~2", "7"], ["7", "7", "7~2"]):
        rows = [{"id": i, "text": body(140 + k)} for k, i in enumerate(ids)]
        with pytest.raises(CorpusError, match=r"d\.jsonl:\d id '7(~2)?' .*source\.duplicate_ids: suffix"):
            load(tmp_path, {"d.jsonl": records("jsonl", rows)}, fmt="jsonl", fields=CSV_FIELDS, source_extra={"duplicate_ids": "suffix"})


def test_new_settings_are_checked_naming_the_setting(tmp_path):
    cases = [
        (dict(cleaning={"duplicates_within_outlet": "remove"}), r"cleaning\.duplicates_within_outlet = 'remove'"),
        (dict(cleaning={"duplicates_across_outlets": True}), r"cleaning\.duplicates_across_outlets = True"),
        (dict(source_extra={"duplicate_ids": "last"}), r"source\.duplicate_ids = 'last'"),
        (dict(metadata={"path": "l.csv", "format": "xlsx"}, meta_files={"l.csv": "doc_id\n"}), r"metadata\.format = 'xlsx'"),
        (dict(metadata={"path": "l.csv", "sheet": 1}, meta_files={"l.csv": "doc_id\n"}), r"metadata: unknown keys \['sheet'\]"),
        (dict(fields={"text": None}), r"fields\.text = None"),
    ]
    for kw, message in cases:
        with pytest.raises(CorpusError, match=message):
            load(tmp_path, {"a.txt": body(150)}, **kw)


def test_a_record_key_named_like_a_loader_column_is_kept_renamed_and_noted(tmp_path):
    rows = [
        {"id": "1", "text": body(160), "source": "ANP", "language": "nl-NL", "_id": "x1", "outlet": "NRC", "krant": "Trouw"},
        {"id": "2", "text": body(161), "source": "Reuters", "language": "en", "_id": "x2", "outlet": "AD", "krant": "AD"},
    ]
    c = load(tmp_path, {"d.jsonl": records("jsonl", rows)}, fmt="jsonl", fields={"id": "id", "outlet": "krant"})
    docs = c.documents.set_index("doc_id")
    assert docs["source"].tolist() == ["d.jsonl", "d.jsonl"] and docs["outlet"].tolist() == ["Trouw", "AD"]
    assert docs["record_source"].tolist() == ["ANP", "Reuters"]
    assert docs["record_language"].tolist() == ["nl-NL", "en"]
    assert docs["record_id"].tolist() == ["x1", "x2"]
    assert docs["record_outlet"].tolist() == ["NRC", "AD"]
    notes = c.notes[c.notes["kind"] == "renamed_column"]
    assert sorted(notes["doc_id"]) == ["_id", "language", "outlet", "source"]  # once per file and key
    assert "d.jsonl: key 'source' is a column the loader sets; kept as 'record_source' (or map it in fields)" in notes["detail"].tolist()


def test_backend_entry_defaults_to_memory_and_is_checked(tmp_path):
    """``backend:`` chooses the engine (medialens.spark.config); a bad entry is one line naming the key."""
    (tmp_path / "a.txt").write_text("date 2022-01-01\nDe NAVO sprak.\n", encoding="utf-8")
    base = "name: t\nsource: {path: ., format: txt}\n"
    (tmp_path / "c.yaml").write_text(base, encoding="utf-8")
    assert read_definition(tmp_path / "c.yaml").backend["engine"] == "memory"
    (tmp_path / "c.yaml").write_text(base + "backend: {engine: spark, master: 'local[2]', conf: {spark.executor.memory: 2g}}\n", encoding="utf-8")
    spec = read_definition(tmp_path / "c.yaml").backend
    assert spec["engine"] == "spark" and spec["conf"] == {"spark.executor.memory": "2g"}
    (tmp_path / "c.yaml").write_text(base + "backend: {engine: hadoop}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"^c\.yaml: backend\.engine = 'hadoop': choose one of") as err:
        read_definition(tmp_path / "c.yaml")
    assert "\n" not in str(err.value)


def _token_stats_by_splitting(documents, settings):
    """token_stats as it was computed before the word table: every text split again."""
    tok = Tokenizer(settings)
    rows = []
    for doc_id, outlet, month, text in zip(documents["doc_id"], documents["outlet"], documents["month"], documents["text"], strict=True):
        words = tok.words(text)
        toks = tok.filter(words)
        rows.append((doc_id, outlet, month, len(words), len(toks), len(set(toks))))
    return pd.DataFrame(rows, columns=["doc_id", "outlet", "month", "words", "tokens", "types"])


def test_token_stats_from_the_word_table_are_the_counts_of_splitting_again():
    """The corpus word table gives the counts of splitting every text again, for every setting;
    documents it was not made from (a subset in another order, edited texts) are split again."""
    from medialens.text import TextSettings

    corpus = load_corpus("corpus/seeds.yaml")
    docs = corpus.documents
    edited = docs.assign(text=docs["text"] + " Extra woorden, niet meer.")
    for text_settings in (TextSettings(), TextSettings(remove_stopwords=False), TextSettings(keep_negations=False, reduce="stem")):
        for table in (docs, docs.iloc[[3, 0, 2]], edited, docs.iloc[:0]):
            expected = _token_stats_by_splitting(table, text_settings)
            exact = len(table) > 0  # no rows: the columns' types are the word table's (int64), not object
            pd.testing.assert_frame_equal(mc.token_stats(table, text_settings, words=corpus.words).reset_index(drop=True), expected, check_dtype=exact)
            pd.testing.assert_frame_equal(mc.token_stats(table, text_settings).reset_index(drop=True), expected, check_dtype=exact)


@pytest.mark.parametrize("block", [1, 2, 7, 10_000])
def test_distinct_ids_per_document_in_blocks(block):
    """Blocks of any size (smaller than one document too) give the distinct ids of each document."""
    from medialens.corpus.overview import _distinct_per_document

    docs = [[3, 1, 3, 2], [], [0], [5, 5, 5], [], [4, 0, 4, 1, 2, 3]]
    flat = np.array([i for d in docs for i in d], dtype=np.int32)
    offsets = np.cumsum([0] + [len(d) for d in docs])
    assert _distinct_per_document(flat, offsets, 6, block=block).tolist() == [len(set(d)) for d in docs]
    assert _distinct_per_document(flat[:0], np.zeros(1, dtype=np.int64), 0, block=block).tolist() == []


# --- paragraphs repeated word for word (boilerplate the cleaning rules do not know) ---------------
FOOTER = "Subscribe to our newsletter. Click here to read more. Copyright Daily Post Media Group."


def _footer_corpus(tmp_path):
    """Outlet X: 8 documents, 6 ending in FOOTER (one with other case and spacing); outlet Y: 4
    documents; one paragraph in 2 documents (one of each outlet)."""
    rows = []
    for i in range(8):
        text = body(i)
        if i < 6:
            text += "\n\n" + (FOOTER if i else "  subscribe to our NEWSLETTER.   Click here to read more. Copyright Daily Post Media Group. ")
        if i == 7:
            text += "\n\nCorrection: an earlier version gave the wrong date."
        rows.append({"id": f"x{i}", "text": text, "outlet": "X"})
    for i in range(8, 12):
        text = body(i) + ("\n\nCorrection: an earlier version gave the wrong date." if i == 8 else "")
        rows.append({"id": f"y{i}", "text": text, "outlet": "Y"})
    files = {"d.jsonl": "".join(json.dumps(r) + "\n" for r in rows)}
    return load(tmp_path, files, fmt="jsonl", fields={"id": "id"})


def test_a_footer_in_most_documents_of_an_outlet_is_found_with_its_n(tmp_path):
    c = _footer_corpus(tmp_path)
    rep = mc.repeated_paragraphs(c)
    assert list(rep.columns) == ["paragraph", "documents", "outlets", "top_outlet", "top_outlet_documents", "top_outlet_share"]
    assert len(rep) == 1  # the paragraph in 2 documents is not listed; neither is any body sentence
    row = rep.iloc[0]
    assert row["paragraph"].casefold() == FOOTER.casefold()
    assert (row["documents"], row["outlets"], row["top_outlet"], row["top_outlet_documents"]) == (6, 1, "X", 8)
    assert row["top_outlet_share"] == 0.75
    # the thresholds are the named constants: 6 documents pass 5, and 7 would not
    assert mc.REPEATED_MIN_DOCUMENTS == 5 and mc.REPEATED_MIN_OUTLET_SHARE == 0.2
    assert mc.repeated_paragraphs(c, min_documents=7).empty
    assert mc.repeated_paragraphs(c, min_outlet_share=0.8).empty
    assert len(mc.repeated_paragraphs(c, min_documents=2)) == 2  # the correction, in 2 documents, at that threshold only


def test_repeated_paragraphs_are_deterministic_and_empty_without_repeats(tmp_path):
    c = _footer_corpus(tmp_path / "a")
    again = _footer_corpus(tmp_path / "b")
    pd.testing.assert_frame_equal(mc.repeated_paragraphs(c), mc.repeated_paragraphs(again))
    plain = load(tmp_path / "c", {f"{i}.txt": body(i) for i in range(6)})
    empty = mc.repeated_paragraphs(plain)
    assert empty.empty and list(empty.columns) == list(mc.repeated_paragraphs(c).columns)
    with pytest.raises(ValueError, match="min_outlet_share"):
        mc.repeated_paragraphs(c, min_outlet_share=20)


def test_a_reprinted_story_is_not_taken_for_boilerplate(tmp_path):
    # the same article in 5 outlets is flagged as copies (copy_of), not listed as a repeated paragraph
    rows = [{"id": f"d{i}", "text": LONG, "outlet": f"O{i}"} for i in range(5)]
    c = load(tmp_path, {"d.jsonl": "".join(json.dumps(r) + "\n" for r in rows)}, fmt="jsonl", fields={"id": "id"})
    assert c.documents["copy_of"].notna().sum() == 4
    assert mc.repeated_paragraphs(c).empty
