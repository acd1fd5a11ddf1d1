"""Stream the records of a CSV or JSONL file: decoded strictly, line by line, in bounded memory.

:class:`Lines` reads a file in blocks of about a megabyte and hands out its physical lines, so
memory is bounded by a block and the longest line, never by the file. A block that decodes cleanly
and holds no NUL byte and no C1 control character (the usual case) is split at C speed; otherwise
its lines are checked one by one and the first problem of each line is kept in ``Lines.problem``,
which the reader turns into a skip of that line (JSONL) or of the record holding it (CSV). Files in
encodings whose bytes can hide a newline (UTF-16, UTF-32, UTF-7) are decoded incrementally; a
decoding error there ends the file, and ``Lines.fatal`` says where.

:func:`csv_rows` parses CSV rows with Python's ``csv`` reader (strict quoting, the field limit
given by the caller) and never restarts inside a quoted field. After a parse error, or after a row
whose quotes a strict parser would not accept (a ``"`` inside an unquoted field, which Python's
reader lets through), it follows both readings of the broken quote -- "it was a stray character
inside the quoted field" and "it ended the field early" -- with a strict RFC 4180 scanner, line by
line, until only one reading is left standing at a record boundary. Parsing resumes there; every
row of the broken stretch is reported, never turned into a document. When neither reading survives
to the end of the file, the rest of the file is one skipped record. On a valid file the rows and
their line numbers are exactly those of ``csv.reader`` with an unlimited field size.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

__all__ = ["Lines", "csv_rows", "line_safe", "mojibake_note", "text_problem", "mojibake_places"]

_BLOCK = 1 << 20
_C1_CHARS = tuple(chr(c) for c in range(0x80, 0xA0))
_C1_RE = re.compile("[\u0080-\u009f]")
# bytes surrogateescape kept undecoded, or a lone surrogate that UTF-16/32 let pass
_ESCAPED_RE = re.compile("[\ud800-\udfff]")
_UTF8 = ("utf-8", "utf8", "utf-8-sig")
# UTF-8 lead byte C2/C3/E2 followed by continuation bytes, decoded as cp1252: 'Ã«' (ë), 'â€ž' („)
_CP1252_CONT = re.escape(
    "".join(bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0xC0))
)
_MOJIBAKE_RE = re.compile(
    f"[\u00c2\u00c3][{_CP1252_CONT}]|\u00e2[\u20ac\u201a-\u201e\u2122][{_CP1252_CONT}]"
)
_MOJIBAKE_LEADS = (
    "\u00c2",
    "\u00c3",
    "\u00e2",
)  # every match of _MOJIBAKE_RE starts with one of these


def text_problem(text: str) -> tuple[int, str] | None:
    """The first character of decoded ``text`` that no document may hold, as (position, reason), or
    None: a NUL (``nul_byte``; checked first, it says "binary or UTF-16" best), a lone surrogate
    (``decode_error``: an undecodable byte kept by ``surrogateescape``, or one UTF-16/32 or a JSON
    ``\\ud800`` escape let through) or a C1 control character (``control_chars``). The one check
    for raw lines (:class:`Lines`) and for the strings a JSON line decodes to."""
    if "\x00" in text:
        return text.index("\x00"), "nul_byte"
    bad = [
        (m.start(), r)
        for r, m in (("decode_error", _ESCAPED_RE.search(text)), ("control_chars", _C1_RE.search(text)))
        if m
    ]
    return min(bad) if bad else None


def mojibake_places(text: str) -> list[re.Match]:
    """The places in ``text`` that look like UTF-8 read as cp1252 (``â€ž`` for „, ``Ã«`` for ë)."""
    if not any(c in text for c in _MOJIBAKE_LEADS):
        return []
    return list(_MOJIBAKE_RE.finditer(text))


def line_safe(encoding: str) -> bool:
    """True when a newline byte in ``encoding`` is always a newline (ASCII-compatible encodings)."""
    name = codecs.lookup(encoding).name
    return "\n".encode(encoding) == b"\n" and not name.startswith(("utf-16", "utf-32", "utf-7"))


class Lines:
    """The decoded physical lines of one file, read block by block.

    Arguments: ``path`` the file, ``source`` its name in messages, ``encoding`` the declared
    encoding, ``keep_ends`` whether lines keep their line ending (CSV: split like a file opened
    with ``newline=""``) or not (JSONL: split on ``\\n`` only).

    A part of a file (``start``, ``end``: byte offsets just after a newline byte, or the file's
    ends; ``first_line``: the number of its first line) can be read on its own in an encoding
    where a newline byte is always a newline (:func:`line_safe`): the Spark reader reads a large
    JSONL file in parts this way. A part leaves the mojibake note to the caller, who adds up the
    parts (:attr:`mojibake`, :func:`mojibake_note`).

    Attributes while iterating: ``line_num`` the number of the last line handed out; ``problem``
    ``(reason, line, detail)`` of the first bad line since the reader last cleared it (reasons
    ``decode_error``, ``nul_byte``, ``control_chars``); ``fatal`` the same for an error that ends
    the file; ``notes`` ``(line, kind, detail)`` worth recording (BOM removed, mojibake seen);
    ``mojibake`` ``[first line, first column, text, places]`` or empty.
    """

    def __init__(self, path: str | Path, source: str, encoding: str, *, keep_ends: bool, start: int = 0,
                 end: int | None = None, first_line: int = 1) -> None:
        self.path, self.source, self.encoding, self.keep_ends = path, source, encoding, keep_ends
        if (start or end is not None) and not line_safe(encoding):
            raise ValueError(f"{source}: a part of a file is read only in an encoding where a newline byte is a newline, not {encoding}")
        self.start, self.end = start, end
        self.line_num = first_line - 1
        self.problem: tuple[str, int, str] | None = None
        self.fatal: tuple[str, int, str] | None = None
        self.notes: list[tuple[int, str, str]] = []
        self.mojibake: list = []  # [first line, first column, text, count]
        self._utf16_hint = ""

    def _read(self, fh, size: int = _BLOCK) -> bytes:
        if self.end is None:
            return fh.read(size)
        return fh.read(max(0, min(size, self.end - fh.tell())))

    def __iter__(self) -> Iterator[str]:
        enc = self.encoding.lower().replace("_", "-")
        with open(self.path, "rb") as fh:
            fh.seek(self.start)
            head = self._read(fh)
            if self.start == 0 and head[:2] in (b"\xff\xfe", b"\xfe\xff") and line_safe(self.encoding):
                self._utf16_hint = " (UTF-16 text? declare source.encoding: utf-16)"
            if enc in _UTF8:
                enc = "utf-8"
                if self.start == 0 and head.startswith(b"\xef\xbb\xbf"):
                    head = head[3:]
                    self.notes.append((1, "bom", "UTF-8 byte order mark removed"))
            if line_safe(enc):
                yield from self._blocks(fh, head, enc)
            else:
                yield from self._incremental(fh, head, enc)
        if self.mojibake and self.start == 0 and self.end is None:
            self.notes.append(mojibake_note(self.source, self.mojibake))

    def _blocks(self, fh, data: bytes, enc: str) -> Iterator[str]:
        """Blocks cut after their last newline byte: each is decoded on its own."""
        carry = b""
        while data:
            data = carry + data
            more = self._read(fh)
            cut = len(data) if not more else data.rfind(b"\n") + 1
            carry, data = data[cut:], data[:cut]
            if data:
                yield from self._block(data, enc)
            data = more
            if not more and carry:
                data, carry = carry, b""

    def _incremental(self, fh, data: bytes, enc: str) -> Iterator[str]:
        """UTF-16/32: decoded as a stream (lone surrogates pass, to be refused line by line); an
        error the decoder cannot pass over ends the file after the lines before it."""
        decoder = codecs.getincrementaldecoder(enc)(errors="surrogatepass")
        carry = ""
        while True:
            final = not data
            try:
                text = carry + decoder.decode(data, final=final)
            except UnicodeDecodeError as exc:
                good = data[: max(0, exc.start - len(decoder.getstate()[0]))]
                text = carry + decoder.decode(good)
                cut = text.rfind("\n") + 1  # whole lines only: the broken one is the fatal record
                yield from self._text(text[:cut], enc, escaped=True)
                line = self.line_num + 1
                self.fatal = (
                    "decode_error",
                    line,
                    f"{self.source}:{line} bytes invalid in {self.encoding}: {exc.reason}",
                )
                return
            cut = len(text) if final else text.rfind("\n") + 1
            carry = text[cut:]
            if cut:
                yield from self._text(text[:cut], enc, escaped=True)
            if final:
                return
            data = fh.read(_BLOCK)

    def _block(self, data: bytes, enc: str) -> Iterator[str]:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            yield from self._text(data.decode(enc, errors="surrogateescape"), enc, escaped=True)
            return
        yield from self._text(text, enc)

    def _split(self, text: str) -> list[str]:
        if self.keep_ends:
            return io.StringIO(text, newline="").readlines()
        lines = text.split("\n")
        if lines[-1] == "":  # the text ends with a line end (or is empty)
            lines.pop()
        return lines

    def _text(self, text: str, enc: str, escaped: bool = False) -> Iterator[str]:
        plain = text.isascii()  # O(1): no C1 character, no mojibake, nothing escaped
        suspect = escaped or "\x00" in text or (not plain and any(c in text for c in _C1_CHARS))
        if not plain:
            self._count_mojibake(text)
        lines = self._split(text)
        if not suspect:
            for line in lines:
                self.line_num += 1
                yield line
            return
        for line in lines:
            self.line_num += 1
            if self.problem is None:
                self.problem = self._check(line, enc)
            yield line

    def _check(self, line: str, enc: str) -> tuple[str, int, str] | None:
        n, where = self.line_num, self.source
        found = text_problem(line)
        if found is None:
            return None
        pos, reason = found
        wide = not line_safe(enc)
        col = pos + 1 if wide else len(line[:pos].encode(enc, errors="surrogateescape")) + 1
        if reason == "decode_error" and wide:
            return (
                reason,
                n,
                f"{where}:{n}:{col} U+{ord(line[pos]):04X} (a lone surrogate) is not valid {self.encoding}",
            )
        if reason == "nul_byte":
            return reason, n, f"{where}:{n}:{col} NUL byte{self._utf16_hint}"
        if reason == "control_chars":
            return (
                reason,
                n,
                (
                    f"{where}:{n}:{col} control character U+{ord(line[pos]):04X} after decoding as {self.encoding}"
                    " (is it cp1252?)"
                ),
            )
        raw = line.encode(enc, errors="surrogateescape")
        hint = ""
        if enc == "utf-8":
            try:
                raw.decode("cp1252")
                hint = " (is it cp1252? declare source.encoding: cp1252)"
            except UnicodeDecodeError:
                pass
        return (
            reason,
            n,
            f"{where}:{n}:{col} byte 0x{raw[col - 1]:02x} is not valid {self.encoding}{hint}",
        )

    def _count_mojibake(self, text: str) -> None:
        found = mojibake_places(text)
        if not found:
            return
        if not self.mojibake:
            m = found[0]
            prefix = text[: m.start()]
            line = self.line_num + prefix.count("\n") + 1
            col = m.start() - (prefix.rfind("\n") + 1) + 1
            self.mojibake = [line, col, m.group(), 0]
        self.mojibake[3] += len(found)

    def count_mojibake(self, places: list[str], line: int, col: int) -> None:
        """Count mojibake found elsewhere than in the raw lines (``places``, the texts matched, e.g.
        in the strings JSON escapes decode to), the first at ``line``:``col``."""
        if not places:
            return
        if not self.mojibake:
            self.mojibake = [line, col, places[0], 0]
        self.mojibake[3] += len(places)


def mojibake_note(source: str, found: list) -> tuple[int, str, str]:
    """The note ``(line, "mojibake", detail)`` of a file whose first mojibake and number of places
    are ``found`` (:attr:`Lines.mojibake`, or the parts of a file added up)."""
    line, col, text, n = found
    return (
        line,
        "mojibake",
        f"{source}:{line}:{col} {text!r} looks like UTF-8 read as cp1252"
        f" ({n} place(s)); kept as is: re-export the file as UTF-8 to repair it",
    )


# --------------------------------------------------------------------------------------------
# CSV rows
# --------------------------------------------------------------------------------------------
# States of the strict scanner (RFC 4180, ',' and '"'), used only to recover from a broken row.
_FIELD, _UNQUOTED, _QUOTED, _QUOTE_SEEN, _END = range(5)
_UNQUOTED_STOP = re.compile('[",\r\n]')


def _walk(text: str, pos: int, state: int) -> tuple[int, int]:
    """Scan ``text[pos:]`` (one physical line) from ``state``. Returns (state at the end, -1), or
    (state, position) of the first character a strict parser refuses: a quote inside an unquoted
    field, or anything but a delimiter, a quote or a line end after a closing quote."""
    n = len(text)
    i = pos
    while i < n:
        if state == _QUOTED:
            j = text.find('"', i)
            if j < 0:
                return _QUOTED, -1
            state, i = _QUOTE_SEEN, j + 1
            continue
        c = text[i]
        if state == _QUOTE_SEEN:
            if c == '"':
                state = _QUOTED
            elif c == ",":
                state = _FIELD
            elif c in "\r\n":
                return _END, -1
            else:
                return _QUOTE_SEEN, i
        elif state == _FIELD:
            if c == '"':
                state = _QUOTED
            elif c in "\r\n":
                return _END, -1
            elif c != ",":
                state = _UNQUOTED
        elif state == _UNQUOTED:
            m = _UNQUOTED_STOP.search(text, i)
            if m is None:
                return _UNQUOTED, -1
            i, c = m.start(), m.group()
            if c == '"':
                return _UNQUOTED, i
            if c != ",":
                return _END, -1
            state = _FIELD
        i += 1
    return state, -1


class _Reading:
    """One reading of a broken stretch: a scanner state, the line where its first record after the
    break starts, how many characters its open record holds, and where it failed (if it did)."""

    __slots__ = ("state", "first", "open_chars", "death")

    def __init__(self, state: int) -> None:
        self.state, self.first, self.open_chars = state, None, 0
        self.death: tuple[float, int, int | None] | None = None

    @property
    def alive(self) -> bool:
        return self.death is None

    def feed(self, n: int, text: str, pos: int, limit: int | None) -> None:
        """Read ``text[pos:]`` (line ``n``); a record larger than ``limit`` refutes the reading."""
        state, death = _walk(text, pos, self.state)
        self.open_chars += len(text) - pos
        if death >= 0:
            self.death = (n, death, state)
            return
        if limit is not None and self.open_chars > limit:
            self.death = (n, len(text), None)
            return
        if state == _END or (state != _QUOTED and not text.endswith(("\n", "\r"))):
            self.state, self.open_chars = _FIELD, 0
            if self.first is None:
                self.first = n + 1
        else:
            self.state = state

    def at_eof(self) -> None:
        if self.alive and self.first is None:  # a quoted field still open at the end of the file
            self.death = (float("inf"), 0, None)


class _Source:
    """The lines of a CSV file for ``csv.reader``: remembers the lines of the current record (for
    recovery), replays lines after a recovery, and files the line problems :class:`Lines` found."""

    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self._it = iter(lines)
        self.replay: list[tuple[int, str]] = []  # reversed: pop() gives the next line
        self.record: list[tuple[int, str]] = []
        self.problems: dict[int, tuple[str, int, str]] = {}
        self.last = 0

    def __iter__(self) -> _Source:
        return self

    def __next__(self) -> str:
        item = self.pull()
        if item is None:
            raise StopIteration
        self.record.append(item)
        return item[1]

    def pull(self) -> tuple[int, str] | None:
        """The next line ``(number, text)``, or None at the end of the file."""
        if self.replay:
            item = self.replay.pop()
        else:
            try:
                text = next(self._it)
            except StopIteration:
                return None
            item = (self.lines.line_num, text)
            if self.lines.problem is not None:
                self.problems[item[0]] = self.lines.problem
                self.lines.problem = None
        self.last = item[0]
        return item

    def drain(self) -> None:
        """Read to the end of the file, keeping nothing."""
        while self.pull() is not None:
            pass

    def problem(self) -> tuple[str, int, str] | None:
        """The first line problem in the current record (forgotten once asked for)."""
        found = None
        if self.problems:
            for n, _ in self.record:
                p = self.problems.pop(n, None)
                found = found or p
        return found


def _quotes_ok(row: list[str], record: list[tuple[int, str]]) -> bool:
    """Whether the quotes of a parsed row add up as a strict parser requires: each quoted field
    has two quotes plus two per quote in its text, and an unquoted field has none."""
    raw = sum(text.count('"') for _, text in record)
    if not raw:
        return True
    parsed = quoted = 0
    for f in row:
        if (k := f.count('"')) > 0:
            parsed += k
            quoted += 1
    rest = raw - 2 * parsed
    return rest % 2 == 0 and 2 * quoted <= rest <= 2 * len(row)


def csv_rows(
    lines: Lines, limit: int
) -> Iterator[tuple[int, list[str] | None, tuple[str, int, str] | None]]:
    """Every record of a CSV stream, the header first: ``(line, row, None)`` for a row, ``(line,
    None, (reason, line, detail))`` for a record that is skipped. Blank lines are not records.

    ``limit`` is the field size limit in characters: a record with a larger
    field is skipped whole as ``too_large``. A stretch no strict parser can read is skipped as
    ``bad_row`` from its first line to the record boundary where the one reading left standing
    resumes (see the module docstring); no row is ever made from lines inside a quoted field.
    """
    src = _Source(lines)
    reader = csv.reader(src, strict=True)
    old = csv.field_size_limit()
    try:
        while True:
            src.record = []
            csv.field_size_limit(limit)  # global: set again in case other code changed it
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield _recover(src, str(exc), limit)
                continue
            start = src.record[0][0]
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            # the quoting first: a bad byte before an opening quote leaves the field unquoted,
            # and the lines after it must not be read as rows
            if not _quotes_ok(row, src.record):
                yield _recover(src, "'\"' inside an unquoted field", limit)
            elif (problem := src.problem()) is not None:
                yield start, None, problem
            else:
                yield start, row, None
    finally:
        csv.field_size_limit(old)


def _first_refusal(record: list[tuple[int, str]]) -> tuple[int, int, int]:
    """(index of the line, position, scanner state) of the first character of ``record`` a strict
    parser refuses, or (last index, -1, state at the end) when it refuses none."""
    state, k = _FIELD, 0
    for k, (_n, text) in enumerate(record):
        state, death = _walk(text, 0, state)
        if death >= 0:
            return k, death, state
        if state == _END:
            state = _FIELD
    return k, -1, state


def _recover(src: _Source, error: str, limit: int) -> tuple[int, None, tuple[str, int, str]]:
    """Skip a broken record. Finds the first character a strict parser refuses, follows both
    readings of it until one is left at a record boundary, and queues the lines after that
    boundary to be parsed again. Returns ``(line, None, skip)`` for the broken stretch."""
    record = src.record
    first_line, where = record[0][0], src.lines.source
    k, at, state = _first_refusal(record)
    if at < 0:  # a field over the limit, quoting intact: one reading, to the end of the record
        reading = _Reading(state)
        while reading.alive and reading.first is None:
            item = src.pull()
            if item is None:
                reading.at_eof()
                break
            reading.feed(*item, 0, None)
        detail = f"{where}:{first_line} a field of more than {limit:,} characters (over the field limit 4 × max_doc_bytes)"
        if not reading.alive:
            detail += f"; the quoted field never closes: lines {first_line}–{src.last} (the rest of the file) skipped"
        elif src.last > first_line:
            detail += f"; lines {first_line}–{src.last} skipped"
        return first_line, None, ("too_large", first_line, detail)
    error_line = record[k][0]
    pending = record[k:]  # the line with the refused character and the lines read after it
    resume = None
    while pending:
        resume, pending, state, at = _follow_readings(src, pending, state, at, limit)
    if resume is None:
        src.drain()
        detail = (
            f"{where}:{first_line} {error} (line {error_line}); no strict reading of the lines after it holds:"
            f" lines {first_line}–{src.last} (the rest of the file) skipped"
        )
        return first_line, None, ("bad_row", first_line, detail)
    last = resume - 1
    span = f"line {first_line}" if last == first_line else f"lines {first_line}–{last}"
    detail = f"{where}:{first_line} {error} (line {error_line}); {span} skipped, up to the next record a strict parser agrees on"
    return first_line, None, ("bad_row", first_line, detail)


def _follow_readings(src: _Source, pending: list[tuple[int, str]], state: int, at: int, limit: int):
    """Follow the two readings of the character at ``pending[0][1][at]``, refused in ``state``:
    a stray character in the text, or the quoting taken as it stands. Returns ``(resume line or
    None, [], _, _)`` when decided, or the next refusal ``(None, lines from it, state, position)``
    when both readings fail (the stretch goes on)."""
    n, text = pending[0]
    if state == _QUOTE_SEEN:  # after a closing quote: the quote was text, or the field ended early
        readings, start = [_Reading(_QUOTED), _Reading(_UNQUOTED)], at
    else:  # a quote inside an unquoted field: text, or the start of a quoted stretch
        readings, start = [_Reading(_UNQUOTED), _Reading(_QUOTED)], at + 1
    for r in readings:
        r.feed(n, text, start, limit)
    buffer = list(pending[1:])
    idx = size = 0
    while True:
        alive = [r for r in readings if r.alive]
        if len(alive) == 1 and alive[0].first is not None:
            return _resume(src, buffer, alive[0].first)
        if not alive:
            last = max(readings, key=lambda r: r.death[:2])
            dn, dpos, dstate = last.death
            if dstate is None:  # refuted by its size: nothing left to follow
                return None, [], 0, 0
            rest = [(n, text), *buffer]
            return None, [item for item in rest if item[0] >= dn], dstate, dpos
        if size > limit:  # both readings still open after max_doc_bytes: give up
            return None, [], 0, 0
        if idx < len(buffer):
            item = buffer[idx]
        else:
            item = src.pull()
            if item is None:
                for r in alive:
                    r.at_eof()
                alive = [r for r in readings if r.alive]
                if len(alive) == 1:
                    return _resume(src, buffer, alive[0].first)
                return None, [], 0, 0
            buffer.append(item)
        idx += 1
        size += len(item[1])
        for r in alive:
            r.feed(*item, 0, limit)


def _resume(src: _Source, buffer: list[tuple[int, str]], first: int):
    """Queue the lines from ``first`` on to be parsed again (before any still queued)."""
    src.replay.extend(reversed([item for item in buffer if item[0] >= first]))
    return first, [], 0, 0
