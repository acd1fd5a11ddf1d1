"""Decoding, mojibake diagnosis, dates, HTML and site-boilerplate cleaning of one document."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ..records import _C1_CHARS, _MOJIBAKE_LEADS, _MOJIBAKE_RE, line_safe
from ..text import (
    normalise,
    normalise_counted,
    split_paragraphs,
)
from .table import _Log


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def _decode(data: bytes, encoding: str, source: str, log: _Log) -> str | None:
    """Strictly decode ``data``; on failure record a skip with line, column and a hint.

    Text in an encoding whose bytes may hold zeros (UTF-16, UTF-32) is decoded before it is
    checked for NUL characters; in any other encoding a NUL byte is refused before decoding.
    Returns the text, or None when the input is skipped."""
    if not line_safe(encoding):
        return _decode_wide(data, encoding, source, log)
    if b"\x00" in data:
        line, col = _line_col(data, data.index(b"\x00"))
        hint = " (UTF-16 text? declare or convert it to UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        log.skip(source, line, "nul_byte", f"{source}:{line}:{col} NUL byte{hint}")
        return None
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-8", "utf8", "utf-8-sig"):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
            log.note(source, 1, "bom", "UTF-8 byte order mark removed")
        enc = "utf-8"
    try:
        text = data.decode(enc, errors="strict")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        bad = data[exc.start]
        hint = ""
        if enc == "utf-8":
            try:
                data.decode("cp1252")
                hint = " (is it cp1252? declare source.encoding: cp1252)"
            except UnicodeDecodeError:
                pass
        log.skip(source, line, "decode_error", f"{source}:{line}:{col} byte 0x{bad:02x} is not valid {encoding}{hint}")
        return None
    # a substring test per character first: far faster than a scan with a character class, and
    # the scans run only when one of the characters they look for occurs at all (same results)
    plain = text.isascii()  # O(1): no C1 character, no mojibake
    c1 = re.search("[\u0080-\u009f]", text) if not plain and any(c in text for c in _C1_CHARS) else None
    if c1:
        prefix = text[: c1.start()]
        line = prefix.count("\n") + 1
        col = c1.start() - (prefix.rfind("\n") + 1) + 1
        log.skip(
            source, line, "control_chars",
            f"{source}:{line}:{col} control character U+{ord(c1.group()):04X} after decoding as {encoding}"
            " (is it cp1252?)",
        )
        return None
    moji = _MOJIBAKE_RE.search(text) if not plain and any(c in text for c in _MOJIBAKE_LEADS) else None
    if moji:
        prefix = text[: moji.start()]
        line = prefix.count("\n") + 1
        col = moji.start() - (prefix.rfind("\n") + 1) + 1
        n = len(_MOJIBAKE_RE.findall(text))
        log.note(
            source, line, "mojibake",
            f"{source}:{line}:{col} {moji.group()!r} looks like UTF-8 read as cp1252 ({n} place(s));"
            " kept as is: re-export the file as UTF-8 to repair it",
        )
    return text


def _decode_wide(data: bytes, encoding: str, source: str, log: _Log) -> str | None:
    """Decode UTF-16/UTF-32 ``data`` strictly, then refuse NUL and C1 control characters."""
    try:
        text = data.decode(encoding, errors="strict")
    except UnicodeDecodeError as exc:
        log.skip(source, None, "decode_error", f"{source}: bytes {exc.start}–{exc.end} are not valid {encoding}: {exc.reason}")
        return None
    for pattern, reason, what in (("\x00", "nul_byte", "NUL character"), ("[\u0080-\u009f]", "control_chars", "control character")):
        if (m := re.search(pattern, text)) is not None:
            prefix = text[: m.start()]
            line, col = prefix.count("\n") + 1, m.start() - (prefix.rfind("\n") + 1) + 1
            log.skip(source, line, reason, f"{source}:{line}:{col} {what} U+{ord(m.group()):04X} after decoding as {encoding}")
            return None
    return text


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # noqa: D401
        self.tags += 1
        if tag in ("script", "style"):
            self._skip += 1
        if tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def _strip_html(text: str, mode: str) -> tuple[str, int]:
    """Strip tags and unescape entities once. Returns (text, number of tags + entities)."""
    if mode == "keep" or ("<" not in text and "&" not in text):  # no tag, no entity: nothing to do
        return text, 0
    n_tags, n_ent = len(_TAG_RE.findall(text)), len(_ENTITY_RE.findall(text))
    if mode == "auto" and n_tags + n_ent < 2:
        return text, 0
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)), n_tags + n_ent


# Web boilerplate seen in the seeds
_CAPTION_RE = re.compile(r"^Volledig scherm\b.*©", re.S)


_TEASER_RE = re.compile(r"^Lees (?:ook|meer)\s*:?\s*$", re.I)


_PULL_QUOTE_RE = re.compile(r"^Quote\s+(.+)$", re.S)


_TEASER_MAX_PARAGRAPHS = 6


def _remove_boilerplate(doc_id: str, paragraphs: list[str], log: _Log) -> list[str]:
    """Drop photo captions, 'Lees ook:' teaser blocks and pull quotes that repeat the body.

    Every removal is logged with its kind, paragraph number and length.
    """
    keep: list[str] = []
    body = "\n".join(paragraphs)
    i = 0
    while i < len(paragraphs):
        para = paragraphs[i]
        if _CAPTION_RE.match(para):
            log.removals.append((doc_id, "caption", i + 1, len(para), para[:80]))
        elif _TEASER_RE.match(para):
            rest = len(paragraphs) - i - 1
            if rest <= _TEASER_MAX_PARAGRAPHS:
                for j in range(i, len(paragraphs)):
                    log.removals.append((doc_id, "teaser", j + 1, len(paragraphs[j]), paragraphs[j][:80]))
                break
            log.removals.append((doc_id, "teaser", i + 1, len(para), para[:80]))
            log.note("", None, "teaser_unclear", f"'Lees ook:' followed by {rest} paragraphs; only the heading removed", doc_id)
        elif (m := _PULL_QUOTE_RE.match(para)) and _repeats(m.group(1), body.replace(para, "")):
            log.removals.append((doc_id, "pull_quote", i + 1, len(para), para[:80]))
        else:
            keep.append(para)
        i += 1
    return keep


def _repeats(snippet: str, body: str, n_chars: int = 40) -> bool:
    """True when the first ``n_chars`` of ``snippet`` occur elsewhere in ``body``."""
    probe = snippet.strip()[:n_chars]
    return len(probe) >= 20 and probe in body


# Same result as re.sub(r"[ \t]+", " ", p) but leaves single spaces alone: substituting every
# single space with itself made this the slowest line of loading (1.3 s per 10k articles).
_BLANK_RUN_RE = re.compile(r"[ \t]{2,}|\t")


def _squeeze_blanks(para: str) -> str:
    return _BLANK_RUN_RE.sub(" ", para) if ("\t" in para or "  " in para) else para


def _clean_body(
    doc_id: str, body: str, cleaning: dict, log: _Log, source: str, changes: dict[str, int] | None = None
) -> str:
    """``changes``: normalisation counts of the raw text, when the reader normalised it already."""
    if changes is None:
        text, changes = normalise_counted(body)
    else:
        text = body
    for kind, n in changes.items():
        if n:
            log.removals.append((doc_id, kind, None, n, ""))
    text, n_html = _strip_html(text, cleaning["html"])
    if n_html:
        log.removals.append((doc_id, "html", None, n_html, ""))
        text = normalise(text)
    paragraphs = [_squeeze_blanks(p) for p in split_paragraphs(text)]
    if cleaning["boilerplate"]:
        paragraphs = _remove_boilerplate(doc_id, paragraphs, log)
    return "\n\n".join(paragraphs)
