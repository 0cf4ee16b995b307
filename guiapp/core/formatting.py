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

import bisect
import codecs
import contextlib
import itertools
import mmap
import operator
import os
import re
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DISPLAY_CAP_BYTES",
    "STYLE_NAMES",
    "FormattedFile",
    "NotJsonError",
    "Preview",
    "Span",
    "detect_kind",
    "find_in_file",
    "format_body_file",
    "highlight_file_lines",
    "highlight_lines",
    "lexer_for_kind",
    "preview_body",
    "read_index",
    "reindent_json",
]

#: Bodies past this size are shown truncated (formatted up to here) with a "save to file" notice.
DISPLAY_CAP_BYTES = 200 * 1024 * 1024
#: Style classes a span can carry; the GUI maps each to a colour. Index 0 (plain) is never sent.
STYLE_NAMES = ("plain", "key", "string", "number", "keyword", "comment", "punct", "attr", "error")
#: ``(column, length, style index)`` within one line, in characters.
Span = tuple[int, int, int]

_PREVIEW_INPUT_BYTES = 512 * 1024
_BLOCK_CHARS = 4 * 1024 * 1024
_WRITE_BATCH = 65536

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
# One match per output line: optional key, then a container opener, an empty container, a scalar,
# or a closer, then an optional comma. Matching whole lines (not single tokens) keeps the
# Python-level loop to one iteration per output line: ~2x faster than a token loop here.
_JSON_LINE = re.compile(
    rf"""\s*(?:({_STRING})\s*:\s*)?
    (?:(\[\s*\]|\{{\s*\}})|([\[{{])|({_STRING}|-?\d[\d.eE+\-]*|true|false|null)|([\]}}])|(\S))
    \s*(,)?""",
    re.VERBOSE,
)


class NotJsonError(ValueError):
    """The text is not JSON (raised by :func:`reindent_json` at the first bad character)."""


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


def reindent_json(text: str, *, indent: int = 2) -> Iterator[str]:
    """Yield the lines of ``text`` re-indented as JSON, without building the parsed value.

    Works on any token stream (duplicate keys, huge numbers and key order are kept as sent);
    raises :class:`NotJsonError` at the first character that cannot be JSON.

    >>> list(reindent_json('[{"k":"v"} , []]'))
    ['[', '  {', '    "k": "v"', '  },', '  []', ']']
    """
    pad = [" " * (indent * d) for d in range(64)]
    depth = 0
    for match in _JSON_LINE.finditer(text):
        key, empty, opener, scalar, closer, bad, comma = match.groups()
        if bad is not None:
            raise NotJsonError(f"not JSON at offset {match.start(6)}: {bad!r}")
        if depth >= len(pad) - 1:
            pad.extend(" " * (indent * d) for d in range(len(pad), 2 * len(pad)))
        if closer is not None:
            depth = max(0, depth - 1)
            yield pad[depth] + closer + (comma or "")
            continue
        prefix = pad[depth] + (key + ": " if key is not None else "")
        if opener is not None:
            depth += 1
            yield prefix + opener
        elif empty is not None:
            yield prefix + empty[0] + empty[-1] + (comma or "")
        else:
            yield prefix + scalar + (comma or "")


# -- highlighting ------------------------------------------------------------------------------
def _style_of(token_type: Any) -> int:
    from pygments import token as t

    for kind, style in (
        (t.Name.Tag, 1),
        (t.Name.Attribute, 7),
        (t.Comment, 5),
        (t.String, 2),
        (t.Number, 3),
        (t.Keyword, 4),
        (t.Name.Builtin, 4),
        (t.Name.Entity, 4),
        (t.Punctuation, 6),
        (t.Operator, 6),
        (t.Error, 8),
    ):
        if token_type in kind:
            return style
    return 0


def highlight_lines(lines: Sequence[str], lexer: str | None) -> tuple[tuple[Span, ...], ...]:
    """Highlight consecutive ``lines`` with the Pygments lexer ``lexer``: spans per line.

    >>> highlight_lines(["<a x='1'/>"], "xml")
    (((0, 2, 1), (3, 2, 7), (5, 3, 2), (8, 2, 1)),)
    """
    if lexer is None or not lines:
        return tuple(() for _ in lines)
    from pygments.lexers import get_lexer_by_name

    lex = get_lexer_by_name(lexer, stripnl=False, ensurenl=False)
    cache: dict[Any, int] = {}
    result: list[list[Span]] = [[] for _ in lines]
    row, col = 0, 0
    for token_type, value in lex.get_tokens("\n".join(lines)):
        style = cache.get(token_type)
        if style is None:
            style = cache[token_type] = _style_of(token_type)
        parts = value.split("\n")
        for i, part in enumerate(parts):
            if i:
                row, col = row + 1, 0
            if part and style and row < len(result):
                result[row].append((col, len(part), style))
            col += len(part)
    return tuple(tuple(spans) for spans in result)


def highlight_file_lines(
    path: str, index_path: str, start: int, stop: int, lexer: str | None
) -> tuple[tuple[Span, ...], ...]:
    """:func:`highlight_lines` over lines ``start:stop`` of a formatted file (child side)."""
    with open(path, "rb") as data, open(index_path, "rb") as index_file:
        index_file.seek(8 * start)
        offsets = array("Q")
        offsets.frombytes(index_file.read(8 * (stop - start + 1)))
        if sys.byteorder != "little":
            offsets.byteswap()
        if len(offsets) < 2:
            return ()
        data.seek(offsets[0])
        blob = data.read(offsets[-1] - offsets[0])
    lines = blob.decode("utf-8", "replace").split("\n")[: len(offsets) - 1]
    return highlight_lines(lines, lexer)


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


@dataclass(frozen=True, slots=True)
class FormattedFile:
    """A formatted body on disk: UTF-8 lines in ``path``, byte offsets in ``index_path``."""

    path: str
    index_path: str
    line_count: int
    max_line_chars: int
    kind: str
    pretty: bool
    truncated: bool
    source_bytes: int


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
    if kind == "json" and pretty:
        lines: list[str] = []
        try:
            lines.extend(reindent_json(text))
        except NotJsonError:
            # A cut string at the end of a partial head is expected; earlier garbage is not JSON.
            if whole or len("\n".join(lines)) < len(text) // 2:
                return text.split("\n"), False
        return lines, True
    return text.split("\n"), False


def format_body_file(
    source: str,
    encoding: str,
    kind: str,
    out_dir: str,
    *,
    pretty: bool = True,
    cap_bytes: int = DISPLAY_CAP_BYTES,
) -> FormattedFile:
    """Format the body in file ``source`` into ``out_dir`` (a line file plus its index).

    JSON is re-indented when ``pretty`` (falling back to the text as sent if it does not
    parse); other kinds are written as lines. Only the first ``cap_bytes`` are used.
    """
    size = os.path.getsize(source)
    truncated = size > cap_bytes
    with open(source, "rb") as stream:
        data = stream.read(cap_bytes)
    text = data.decode(encoding, "replace").replace("\r\n", "\n").lstrip("\ufeff")
    del data
    fd, path = _mkstemp(out_dir, ".lines")
    index_path = path[: -len(".lines")] + ".index"
    writer = _LineWriter(fd, index_path)
    pretty_done = False
    try:
        if kind == "json" and pretty and not truncated:
            try:
                writer.write_all(reindent_json(text))
                pretty_done = True
            except NotJsonError:
                writer.close()
                fd, path = _mkstemp(out_dir, ".lines")
                index_path = path[: -len(".lines")] + ".index"
                writer = _LineWriter(fd, index_path)
        if not pretty_done:
            for start in range(0, max(len(text), 1), _BLOCK_CHARS):
                block = text[start : start + _BLOCK_CHARS]
                writer.write_text(block, final=start + _BLOCK_CHARS >= len(text))
    finally:
        writer.close()
    if kind == "json" and pretty and not pretty_done:
        kind = "text"
    return FormattedFile(
        path, index_path, writer.count, writer.max_chars, kind, pretty_done, truncated, size
    )


def _mkstemp(out_dir: str, suffix: str) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(suffix=suffix, prefix="body-", dir=out_dir)


class _LineWriter:
    """Writes lines and their byte offsets in large batches (all per-line work in C)."""

    def __init__(self, fd: int, index_path: str) -> None:
        self._out = os.fdopen(fd, "wb")
        self._index = open(index_path, "wb")  # noqa: SIM115 - closed in close()
        self._offset = 0
        self._carry = ""
        self.count = 0
        self.max_chars = 0
        self._write_offsets(array("Q", [0]))

    def write_all(self, lines: Iterator[str]) -> None:
        while batch := list(itertools.islice(lines, _WRITE_BATCH)):
            self._write_batch(batch)

    def write_text(self, block: str, *, final: bool) -> None:
        lines = (self._carry + block).split("\n")
        self._carry = "" if final else lines.pop()
        if lines:
            self._write_batch(lines)

    def _write_batch(self, lines: list[str]) -> None:
        data = ("\n".join(lines) + "\n").encode("utf-8", "replace")
        lengths = map(len, lines) if data.isascii() else map(len, map(_encode, lines))
        offsets = array(
            "Q",
            itertools.accumulate(
                map(operator.add, lengths, itertools.repeat(1)), initial=self._offset
            ),
        )
        del offsets[0]
        self._out.write(data)
        self._write_offsets(offsets)
        self._offset += len(data)
        self.count += len(lines)
        self.max_chars = max(self.max_chars, max(map(len, lines)))

    def _write_offsets(self, offsets: array[int]) -> None:
        if sys.byteorder != "little":
            offsets.byteswap()
        offsets.tofile(self._index)

    def close(self) -> None:
        self._out.close()
        self._index.close()


def _encode(line: str) -> bytes:
    return line.encode("utf-8", "replace")


def find_in_file(path: str, index_path: str, needle: str, start_line: int) -> int | None:
    """The first line at or after ``start_line`` containing ``needle`` (case-sensitive), wrapping
    around to the top once; ``None`` if absent. Runs in a worker process for big bodies.
    """
    key = needle.encode("utf-8")
    if not key:
        return None
    mapping, offsets = read_index(index_path)
    try:
        count = len(offsets) - 1
        if count <= 0:
            return None
        with open(path, "rb") as stream:
            data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            start = offsets[min(max(start_line, 0), count)]
            hit = data.find(key, start)
            if hit < 0:
                hit = data.find(key, 0, start + len(key))
            if hit < 0:
                return None
            return bisect.bisect_right(offsets, hit) - 1
        finally:
            data.close()
    finally:
        offsets.release()
        if mapping is not None:
            mapping.close()


def read_index(index_path: str) -> tuple[mmap.mmap | None, memoryview]:
    """Memory-map a line index: ``(mapping, offsets)``; close the mapping when done.

    ``offsets[i]`` is where line ``i`` starts; it ends one byte (the newline) before
    ``offsets[i + 1]``.
    """
    with open(index_path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size == 0:
            return None, memoryview(array("Q"))
        mapping = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapping).cast("Q")
    if sys.byteorder != "little":  # pragma: no cover - every supported desktop is little-endian
        swapped = array("Q", view)
        swapped.byteswap()
        view.release()
        with contextlib.suppress(BufferError):
            mapping.close()
        return None, memoryview(swapped)
    return mapping, view
