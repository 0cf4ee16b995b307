"""Body formatting for display: kind detection, JSON re-indenting, line indexes, highlighting.

Pure Python and picklable, so that the GUI can run every function here in a process pool
(``ProcessOffloader``): pretty-printing a 50 MB JSON body is GIL-bound work that stalls a GUI
for over a second if run in a thread. Results are small values or *files*: a formatted body is
written as UTF-8 lines plus a line index (``n + 1`` little-endian uint64 byte offsets), which the
GUI memory-maps and paints line by line, so it never holds the whole text in one widget.

Example::

    >>> detect_kind("application/problem+json", b"")
    'json'
    >>> list(reindent_json('{"a": [1, 2], "b": {}}'))
    ['{', '  "a": [', '    1,', '    2', '  ],', '  "b": {}', '}']
    >>> highlight_lines(['{"a": 1}'], "json")
    (((0, 1, 6), (1, 3, 1), (4, 1, 6), (6, 1, 3), (7, 1, 6)),)
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from guiapp.core._format_files import (
    DISPLAY_CAP_BYTES,
    FormattedFile,
    count_lines_in_file,
    find_in_file,
    format_body_file,
    highlight_file_lines,
    read_index,
)
from guiapp.core._format_text import (
    HIGHLIGHT_LINE_CHARS,
    STYLE_NAMES,
    NotJsonError,
    Span,
    highlight_lines,
    reindent_json,
    reindent_json_batches,
    reindent_xml,
    reindent_xml_batches,
)

__all__ = [
    "DISPLAY_CAP_BYTES",
    "HIGHLIGHT_LINE_CHARS",
    "STYLE_NAMES",
    "FormattedFile",
    "NotJsonError",
    "Preview",
    "Span",
    "count_lines_in_file",
    "detect_kind",
    "find_in_file",
    "format_body_file",
    "highlight_file_lines",
    "highlight_lines",
    "lexer_for_kind",
    "preview_body",
    "read_index",
    "reindent_json",
    "reindent_json_batches",
    "reindent_xml",
    "reindent_xml_batches",
]

_PREVIEW_INPUT_BYTES = 512 * 1024


def detect_kind(content_type: str, head: bytes) -> str:
    """The display kind of a body from its media type, else from its first bytes.

    Kinds: ``json xml html javascript css svg image text binary empty``.

    >>> detect_kind("text/html; charset=utf-8", b"")
    'html'
    >>> detect_kind("", b'  [1, 2]')
    'json'
    >>> detect_kind("application/octet-stream", bytes(range(8)))
    'binary'
    """
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "image/svg+xml":
        return "svg"
    if media.startswith("image/"):
        return "image"
    if media.endswith(("/json", "+json")) or media in ("application/x-ndjson", "text/json"):
        return "json"
    if media in ("text/html", "application/xhtml+xml"):
        return "html"
    if media.endswith(("/xml", "+xml")):
        return "xml"
    if media in ("application/javascript", "text/javascript", "application/x-javascript"):
        return "javascript"
    if media == "text/css":
        return "css"
    if not head.strip():
        return "empty" if not head else "text"
    sniff = head.lstrip()[:256].lower()
    if sniff.startswith((b"{", b"[")):
        return "json"
    if sniff.startswith((b"<!doctype html", b"<html")):
        return "html"
    if sniff.startswith(b"<svg") or (sniff.startswith(b"<?xml") and b"<svg" in head[:2048]):
        return "svg"
    if sniff.startswith(b"<"):
        return "xml"
    if head.startswith((b"\x89PNG", b"GIF8", b"\xff\xd8\xff")):
        return "image"
    if media.startswith("text/") or _looks_textual(head):
        return "text"
    return "binary"


def _looks_textual(head: bytes) -> bool:
    if b"\x00" in head[:4096]:
        return False
    try:
        head[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head[:4096]) - 3
    return True


def lexer_for_kind(kind: str) -> str | None:
    """The Pygments lexer alias used to highlight ``kind`` (``None``: plain text)."""
    return {
        "json": "json",
        "xml": "xml",
        "svg": "xml",
        "html": "html",
        "javascript": "javascript",
        "css": "css",
    }.get(kind)


# -- previews and formatted files --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Preview:
    """The first lines of a body, formatted and highlighted: what the first screen shows.

    ``complete`` means ``lines`` is the whole formatted body (no file is needed). ``kind`` may
    differ from the requested one (``json`` that does not parse falls back to ``text``).
    """

    lines: tuple[str, ...]
    spans: tuple[tuple[Span, ...], ...]
    complete: bool
    kind: str
    pretty: bool


def _decode_head(source: bytes | str, encoding: str, limit: int) -> tuple[str, bool]:
    if isinstance(source, bytes):
        data = source[:limit]
        whole = len(source) <= limit
    else:
        with open(source, "rb") as stream:
            data = stream.read(limit + 1)
        whole = len(data) <= limit
        data = data[:limit]
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    text = decoder.decode(data, final=whole)
    return text.replace("\r\n", "\n").lstrip("\ufeff"), whole


def preview_body(
    source: bytes | str, encoding: str, kind: str, *, pretty: bool = True, max_lines: int = 400
) -> Preview:
    """Format the start of ``source`` (bytes, or a file path) for the first screen.

    The preview's lines are exactly the first lines :func:`format_body_file` writes, so the view
    can swap one for the other without moving. If the whole body fits, ``complete`` is true and
    every line is returned (highlighting is then requested per block by the view).

    >>> p = preview_body(b'{"a":1}', "utf-8", "json")
    >>> p.lines, p.complete, p.spans[1]
    (('{', '  "a": 1', '}'), True, ((2, 3, 1), (5, 1, 6), (7, 1, 3)))
    """
    text, whole = _decode_head(source, encoding, _PREVIEW_INPUT_BYTES)
    lines, pretty_done = _format_lines(text, kind, pretty, whole)
    # Unless the whole body fitted, the last line may have been cut.
    shown = lines if whole else lines[: min(max_lines, max(0, len(lines) - 1))]
    kind = kind if pretty_done or kind != "json" or not pretty else "text"
    head = shown[: min(len(shown), 200)]
    spans = highlight_lines(head, lexer_for_kind(kind))
    return Preview(tuple(shown), spans, whole, kind, pretty_done)


def _format_lines(text: str, kind: str, pretty: bool, whole: bool) -> tuple[list[str], bool]:
    if kind == "xml" and pretty:
        return [
            line for batch, _ in reindent_xml_batches(text, final=whole) for line in batch
        ], True
    if kind == "json" and pretty:
        lines: list[str] = []
        try:
            for batch, _ in reindent_json_batches(text):
                lines.extend(batch)
        except NotJsonError as exc:
            # A partial head may end inside a string (of any length) or a literal; anything
            # else means this is not JSON.
            cut = text[exc.offset] == '"' or exc.offset >= len(text) - 64
            if whole or not cut:
                return text.split("\n"), False
            lines.extend(exc.lines)
        return lines, True
    return text.split("\n"), False
