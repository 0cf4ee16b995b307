"""Formatted bodies on disk: UTF-8 lines plus a uint64 line index, written progressively.

The index holds ``n + 1`` little-endian byte offsets: line ``i`` is ``data[off[i]:off[i+1]-1]``.
Writers flush the data *before* the index and report progress only after both, so a reader that
maps the files while they grow never sees an offset past the data.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import mmap
import operator
import os
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from guiapp.core._format_text import (
    HIGHLIGHT_LINE_CHARS,
    NotJsonError,
    Span,
    highlight_lines,
    reindent_json_batches,
    reindent_xml_batches,
)
from guiapp.core.jobs import checkpoint, report_progress

__all__ = [
    "DISPLAY_CAP_BYTES",
    "FormattedFile",
    "find_in_file",
    "format_body_file",
    "highlight_file_lines",
    "read_index",
]

#: Bodies past this size are shown truncated (formatted up to here) with a "save to file" notice.
DISPLAY_CAP_BYTES = 200 * 1024 * 1024
_BLOCK_CHARS = 4 * 1024 * 1024


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


def format_body_file(
    source: str,
    encoding: str,
    kind: str,
    out_path: str,
    *,
    pretty: bool = True,
    cap_bytes: int = DISPLAY_CAP_BYTES,
) -> FormattedFile:
    """Format the body in file ``source`` into ``out_path`` and ``out_path + ".index"``.

    JSON and XML are re-indented when ``pretty``; if JSON turns out not to be JSON, the text as
    sent is written to ``out_path + ".raw"`` instead (never over a file a reader may have mapped).
    Only the first ``cap_bytes`` are used. Progress is reported after each flushed batch as
    ``report_progress(chars_done, chars_total, path=..., index_path=..., lines=...,
    max_chars=...)``: a reader may show that many lines of the growing file at once.
    """
    size = os.path.getsize(source)
    truncated = size > cap_bytes
    with open(source, "rb") as stream:
        data = stream.read(cap_bytes)
    text = data.decode(encoding, "replace").replace("\r\n", "\n").lstrip("\ufeff")
    del data
    if kind == "xml" and pretty:
        writer = _LineWriter(out_path, len(text))
        try:
            for batch, done in reindent_xml_batches(text, final=not truncated):
                writer.write_batch(batch, done)
            return writer.result(kind, True, truncated, size)
        finally:
            writer.close()
    if kind == "json" and pretty and not truncated:
        writer = _LineWriter(out_path, len(text))
        try:
            for batch, done in reindent_json_batches(text):
                writer.write_batch(batch, done)
            return writer.result(kind, True, False, size)
        except NotJsonError:
            pass
        finally:
            writer.close()
        out_path += ".raw"
        kind = "text"
    writer = _LineWriter(out_path, len(text))
    try:
        carry = ""
        for start in range(0, max(len(text), 1), _BLOCK_CHARS):
            lines = (carry + text[start : start + _BLOCK_CHARS]).split("\n")
            last = start + _BLOCK_CHARS >= len(text)
            carry = "" if last else lines.pop()
            if lines:
                writer.write_batch(lines, min(len(text), start + _BLOCK_CHARS))
        return writer.result(kind, False, truncated, size)
    finally:
        writer.close()


class _LineWriter:
    """Writes lines and their byte offsets in large batches (the per-line work runs in C)."""

    def __init__(self, path: str, total_chars: int) -> None:
        self.path, self.index_path = path, path + ".index"
        self._out = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._index = open(self.index_path, "wb")  # noqa: SIM115
        self._total = total_chars
        self._offset = 0
        self.count = 0
        self.max_chars = 0
        self._write_offsets(array("Q", [0]))

    def write_batch(self, lines: list[str], done_chars: int) -> None:
        checkpoint()
        data = ("\n".join(lines) + "\n").encode("utf-8", "replace")
        lengths: Iterable[int] = (
            map(len, lines) if data.isascii() else map(len, map(_encode, lines))
        )
        offsets = array(
            "Q",
            itertools.accumulate(
                map(operator.add, lengths, itertools.repeat(1)), initial=self._offset
            ),
        )
        del offsets[0]
        self._out.write(data)
        self._out.flush()  # data before index: readers trust the index
        self._write_offsets(offsets)
        self._index.flush()
        self._offset += len(data)
        self.count += len(lines)
        self.max_chars = max(self.max_chars, max(map(len, lines)))
        report_progress(
            done_chars, self._total, path=self.path, index_path=self.index_path,
            lines=self.count, max_chars=self.max_chars,
        )  # fmt: skip

    def _write_offsets(self, offsets: array[int]) -> None:
        if sys.byteorder != "little":  # pragma: no cover - every supported desktop is LE
            offsets.byteswap()
        offsets.tofile(self._index)

    def result(self, kind: str, pretty: bool, truncated: bool, size: int) -> FormattedFile:
        return FormattedFile(
            self.path, self.index_path, self.count, self.max_chars, kind, pretty, truncated, size
        )

    def close(self) -> None:
        self._out.close()
        self._index.close()


def _encode(line: str) -> bytes:
    return line.encode("utf-8", "replace")


def read_index(index_path: str) -> tuple[mmap.mmap | None, memoryview]:
    """Memory-map a line index: ``(mapping, offsets)``. Release ``offsets``, then close.

    ``offsets[i]`` is where line ``i`` starts; it ends one byte (the newline) before
    ``offsets[i + 1]``.
    """
    with open(index_path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size // 8 * 8
        if size == 0:
            return None, memoryview(array("Q"))
        mapping = mmap.mmap(stream.fileno(), size, access=mmap.ACCESS_READ)
    if sys.byteorder != "little":  # pragma: no cover - every supported desktop is LE
        swapped = array("Q", bytes(mapping))
        swapped.byteswap()
        mapping.close()
        return None, memoryview(swapped)
    return mapping, memoryview(mapping).cast("Q")


def highlight_file_lines(
    path: str, index_path: str, start: int, stop: int, lexer: str | None
) -> tuple[tuple[Span, ...], ...]:
    """:func:`highlight_lines` over lines ``start:stop`` of a formatted file (worker side)."""
    with open(path, "rb") as data, open(index_path, "rb") as index_file:
        index_file.seek(8 * start)
        offsets = array("Q")
        offsets.frombytes(index_file.read(8 * (stop - start + 1)))
        if sys.byteorder != "little":  # pragma: no cover
            offsets.byteswap()
        if len(offsets) < 2:
            return ()
        # Read each line up to what is highlighted: one line may be a whole minified body.
        cap = 4 * HIGHLIGHT_LINE_CHARS
        lines = []
        for i in range(len(offsets) - 1):
            data.seek(offsets[i])
            raw = data.read(min(offsets[i + 1] - 1 - offsets[i], cap))
            lines.append(raw.decode("utf-8", "replace"))
    return highlight_lines(lines, lexer)


def find_in_file(
    path: str, index_path: str, needle: str, start_line: int, line_count: int | None = None
) -> int | None:
    """The first line at or after ``start_line`` containing ``needle`` (case-sensitive),
    wrapping around to the top once; ``None`` if absent. Runs in a worker for big bodies.
    """
    key = needle.encode("utf-8")
    mapping, offsets = read_index(index_path)
    try:
        count = len(offsets) - 1 if line_count is None else min(line_count, len(offsets) - 1)
        if count <= 0 or not key:
            return None
        end = offsets[count]
        start = offsets[min(max(start_line, 0), count)]
        with open(path, "rb") as stream:
            data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            hit = data.find(key, start, end)
            if hit < 0:
                hit = data.find(key, 0, min(end, start + len(key)))
        finally:
            data.close()
        return None if hit < 0 else bisect.bisect_right(offsets, hit, 0, count + 1) - 1
    finally:
        offsets.release()
        if mapping is not None:
            with contextlib.suppress(BufferError):
                mapping.close()


def count_lines_in_file(
    path: str, index_path: str, needle: str, line_count: int | None = None
) -> int:
    """How many lines contain ``needle`` (case-sensitive). Runs in a worker for big bodies."""
    key = needle.encode("utf-8")
    if not key:
        return 0
    mapping, offsets = read_index(index_path)
    try:
        count = len(offsets) - 1 if line_count is None else min(line_count, len(offsets) - 1)
        if count <= 0:
            return 0
        end = offsets[count]
        found = 0
        with open(path, "rb") as stream:
            data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            hit = data.find(key, 0, end)
            while hit >= 0:
                found += 1
                line = bisect.bisect_right(offsets, hit, 0, count + 1) - 1
                hit = data.find(key, offsets[line + 1], end) if line + 1 <= count else -1
        finally:
            data.close()
        return found
    finally:
        offsets.release()
        if mapping is not None:
            with contextlib.suppress(BufferError):
                mapping.close()
