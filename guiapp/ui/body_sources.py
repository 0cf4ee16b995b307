"""Where the body view reads its lines: a list in memory, or a memory-mapped formatted file.

Example::

    >>> source = ListLineSource(["{", '  "a": 1', "}"])
    >>> source.line_count, source.line(1), source.max_line_chars
    (3, '  "a": 1', 8)
"""

from __future__ import annotations

import mmap
from collections.abc import Sequence
from typing import Protocol

from guiapp.core.formatting import HIGHLIGHT_LINE_CHARS, read_index

__all__ = ["MAX_LINE_CHARS", "LineSource", "ListLineSource", "MappedLineSource"]

#: Longer lines are cut for display (the full text is in Save/Copy); as far as highlighting goes.
MAX_LINE_CHARS = HIGHLIGHT_LINE_CHARS


class LineSource(Protocol):
    """Random access to the lines of a text."""

    @property
    def line_count(self) -> int: ...

    @property
    def max_line_chars(self) -> int: ...

    def line(self, index: int) -> str: ...

    def close(self) -> None: ...


class ListLineSource:
    """Lines held in memory.

    >>> ListLineSource(["a", "bcd"]).max_line_chars
    3
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.line_count = len(lines)
        self.max_line_chars = max(map(len, lines), default=0)

    def line(self, index: int) -> str:
        return self.lines[index]

    def text(self) -> str:
        return "\n".join(self.lines)

    def close(self) -> None:
        """Nothing to release."""


class MappedLineSource:
    """Lines of a UTF-8 file read through ``mmap`` and a uint64 offset index (see core).

    ``line_count`` limits the lines used: a file still being written is shown up to the last
    line its writer reported.
    """

    def __init__(
        self, path: str, index_path: str, max_line_chars: int, line_count: int | None = None
    ) -> None:
        self.path, self.index_path = path, index_path
        self._index_map, self._offsets = read_index(index_path)
        available = max(0, len(self._offsets) - 1)
        self.line_count = available if line_count is None else min(line_count, available)
        self.max_line_chars = min(max_line_chars, MAX_LINE_CHARS)
        self._data: mmap.mmap | None = None
        if self.line_count and self._offsets[self.line_count] > 0:
            with open(path, "rb") as stream:
                length = self._offsets[self.line_count]
                self._data = mmap.mmap(stream.fileno(), length, access=mmap.ACCESS_READ)

    def line(self, index: int) -> str:
        if self._data is None:
            return ""
        start, end = self._offsets[index], self._offsets[index + 1] - 1
        # Decode a bounded slice only: a 10 MB string value must not cost 10 MB per paint.
        raw = self._data[start : min(end, start + 4 * MAX_LINE_CHARS)]
        return raw.decode("utf-8", "replace")

    def close(self) -> None:
        self._offsets.release()
        for mapping in (self._index_map, self._data):
            if mapping is not None:
                mapping.close()
        self._index_map = self._data = None
