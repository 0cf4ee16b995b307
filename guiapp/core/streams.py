"""Streamed bodies, parsed as they arrive: Server-Sent Events, NDJSON / JSON Lines, text lines.

Parsers take the body as an iterable of chunks (``bytes``, or ``str``), cut anywhere: an event
or a line split across chunks, or several in one chunk, come out the same. Every event or line
is capped at ``max_event_bytes`` (1 MiB by default): the rest of a 100 MB event is counted in
``truncated`` and dropped, so one huge event cannot exhaust memory, and the stream goes on.

- :func:`iter_sse` follows the WHATWG "event stream interpretation": fields ``event``, ``data``
  (several lines joined with ``\\n``), ``id`` (kept for later events, ignored if it contains
  NUL), ``retry`` (digits only); comment lines (``:``) are skipped; CR, LF and CRLF end lines; a
  leading BOM is dropped; invalid UTF-8 becomes U+FFFD; an event not ended by a blank line when
  the stream ends is discarded. The parser (:mod:`guiapp.core.streams_sse`) splits each chunk
  with ``bytes`` methods rather than byte by byte in Python: a few microseconds per event.
  (httpx-sse's decoder follows the same algorithm but works on lines that the caller must
  split, is not public API, and has no cap.)
- :func:`iter_ndjson` yields each line's JSON value, or an :class:`NdjsonError` (with ``.line``
  and ``.error``) for a line that is not JSON; blank lines are skipped and a leading RS
  (RFC 7464 ``application/json-seq``) is dropped.
- :func:`iter_lines` yields text lines.

>>> chunks = [b"event: tick\\nid: 7\\ndata: a", b"\\ndata: b\\n\\n: ping\\r\\ndata: c\\r\\n\\r\\n"]
>>> [(e.event, e.id, e.data) for e in iter_sse(chunks)]
[('tick', '7', 'a\\nb'), ('message', '7', 'c')]
>>> list(iter_ndjson([b'{"a": 1}\\n{oops\\n[2]\\n']))
[{'a': 1}, NdjsonError(line=2, error='Expecting property name enclosed in double quotes: \
line 1 column 2 (char 1)', text='{oops'), [2]]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from guiapp.core.streams_sse import MAX_EVENT_BYTES, BomStripper, SseEvent, SseParser

__all__ = [
    "MAX_EVENT_BYTES",
    "LineSplitter",
    "NdjsonError",
    "NdjsonParser",
    "SseEvent",
    "SseParser",
    "StreamEvent",
    "StreamSummary",
    "iter_lines",
    "iter_ndjson",
    "iter_sse",
    "stream_kind",
]

_EOL = re.compile(rb"\r\n|\r|\n")
_SSE_TYPES = frozenset({"text/event-stream"})
_NDJSON_TYPES = frozenset(
    {
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/jsonlines",
        "application/json-seq",
    }
)

Chunk = bytes | bytearray | memoryview | str


def stream_kind(content_type: str | None) -> str | None:
    """``"sse"``, ``"ndjson"`` or ``None``: how a body of this Content-Type is streamed.

    >>> stream_kind("text/event-stream; charset=utf-8"), stream_kind("application/jsonl")
    ('sse', 'ndjson')
    >>> stream_kind("application/json") is None
    True
    """
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in _SSE_TYPES:
        return "sse"
    if media in _NDJSON_TYPES:
        return "ndjson"
    return None


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One item of a streamed response as :func:`~guiapp.core.send` emits it (any kind).

    ``kind`` is ``"sse"``, ``"ndjson"`` or ``"text"``; ``event`` the SSE event type, ``"json"``
    or ``"error"`` for NDJSON lines, ``"line"`` for text; ``data`` the event's text as received
    (capped: ``truncated`` bytes were dropped); ``at`` seconds since the request started;
    ``index`` its 0-based position; ``line`` the NDJSON/text line number and ``error`` why an
    NDJSON line is not JSON.

    >>> StreamEvent(index=0, at=0.5, kind="sse", event="message", data="hi").preview()
    'hi'
    """

    index: int
    at: float
    kind: str
    event: str
    data: str
    id: str = ""
    retry: int | None = None
    size: int = 0
    truncated: int = 0
    line: int = 0
    error: str = ""

    def preview(self, width: int = 200) -> str:
        """The data on one line, cut to ``width`` characters, with a truncation marker."""
        text = " ".join(self.data[: width * 2].split())
        text = text if len(text) <= width else text[: width - 1] + "…"
        if self.truncated:
            text += f" [+{self.truncated:,} bytes not kept]"
        return text

    def __sizeof__(self) -> int:  # what the item channel counts against its byte bound
        return 160 + len(self.data)

    def __reduce__(self) -> tuple[type[StreamEvent], tuple[Any, ...]]:
        # Pickled as its fields, rebuilt with one call: a worker process sends thousands of
        # events a second, and the default state dict costs twice as much each way.
        return (
            StreamEvent,
            (
                self.index,
                self.at,
                self.kind,
                self.event,
                self.data,
                self.id,
                self.retry,
                self.size,
                self.truncated,
                self.line,
                self.error,
            ),
        )


@dataclass(frozen=True, slots=True)
class StreamSummary:
    """What a streamed response carried: shown in the summary and kept in history.

    ``first_event_at`` is seconds from the start of the request to the first event (``None``:
    no event); ``incomplete_bytes`` is an unfinished event dropped when the stream ended;
    ``ignored_lines`` counts SSE lines that were not valid fields (skipped, as the spec says).

    >>> StreamSummary("sse", events=3, errors=0, bytes=120, duration=1.5).describe()
    '3 events (SSE), 120 bytes in 1.50 s'
    """

    kind: str
    events: int
    errors: int
    bytes: int
    duration: float
    first_event_at: float | None = None
    truncated_events: int = 0
    incomplete_bytes: int = 0
    ignored_lines: int = 0

    def describe(self) -> str:
        """One line for a status bar or a history entry."""
        label = {"sse": "SSE", "ndjson": "NDJSON", "text": "lines"}.get(self.kind, self.kind)
        text = f"{self.events:,} events ({label}), {self.bytes:,} bytes in {self.duration:.2f} s"
        if self.errors:
            text += f", {self.errors:,} bad lines"
        if self.truncated_events:
            text += f", {self.truncated_events:,} cut at the size limit"
        if self.ignored_lines:
            text += f", {self.ignored_lines:,} lines ignored (not valid SSE fields)"
        if self.incomplete_bytes:
            text += f"; the stream ended mid-event ({self.incomplete_bytes:,} bytes dropped)"
        return text


@dataclass(frozen=True, slots=True)
class NdjsonError:
    """A line of an NDJSON stream that is not JSON: its 1-based number, why, and its text."""

    line: int
    error: str
    text: str


class LineSplitter:
    """Split chunks into lines at CR, LF or CRLF (also across chunks), each capped.

    :meth:`feed` returns ``(line, dropped)`` pairs, ``dropped`` being the bytes cut from a line
    longer than ``max_line``; :meth:`close` returns the unterminated last line, if any.

    >>> splitter = LineSplitter()
    >>> splitter.feed(b"a\\r"), splitter.feed(b"\\nb\\rc"), splitter.close()
    ([(b'a', 0)], [(b'b', 0)], (b'c', 0))
    """

    def __init__(self, max_line: int = MAX_EVENT_BYTES, *, strip_bom: bool = True) -> None:
        self.max_line = max_line
        self._buf = bytearray()
        self._dropped = 0
        self._skip_lf = False
        self._bom = BomStripper() if strip_bom else None  # until the stream's start is known

    def feed(self, chunk: Chunk) -> list[tuple[bytes, int]]:
        data = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
        if self._bom is not None:
            data = self._bom.strip(data)
            if not self._bom.settled:
                return []
            self._bom = None
        lines: list[tuple[bytes, int]] = []
        pos = 0
        if self._skip_lf:
            self._skip_lf = False
            if data[:1] == b"\n":
                pos = 1  # the LF of a CRLF split between two chunks
        for match in _EOL.finditer(data, pos):
            self._append(data, pos, match.start())
            lines.append(self._take())
            pos = match.end()
        if pos < len(data):
            self._append(data, pos, len(data))
        elif data.endswith(b"\r"):
            self._skip_lf = True
        return lines

    def close(self) -> tuple[bytes, int] | None:
        """The last line if the body did not end with a line break, else ``None``."""
        if self._bom is not None:
            held, self._bom = self._bom.flush(), None
            self._append(held, 0, len(held))
        if not self._buf and not self._dropped:
            return None
        return self._take()

    def _append(self, data: bytes, start: int, end: int) -> None:
        room = self.max_line - len(self._buf)
        if end - start <= room:
            self._buf += data[start:end]
        else:
            if room > 0:
                self._buf += data[start : start + room]
            self._dropped += end - start - max(room, 0)

    def _take(self) -> tuple[bytes, int]:
        line, dropped = bytes(self._buf), self._dropped
        self._buf.clear()
        self._dropped = 0
        return line, dropped


class NdjsonParser:
    """Incremental NDJSON / JSON Lines parser: :meth:`feed` chunks, get ``(line_no, text,
    value_or_error)`` for each complete non-blank line.

    >>> parser = NdjsonParser()
    >>> parser.feed(b'1\\n\\n"a'), parser.close()
    ([(1, '1', 1)], [(3, '"a', NdjsonError(line=3, error='Unterminated string starting at: \
line 1 column 1 (char 0)', text='"a'))])
    """

    def __init__(self, max_line_bytes: int = MAX_EVENT_BYTES) -> None:
        self.max_line_bytes = max_line_bytes
        self._lines = LineSplitter(max_line_bytes)
        self._number = 0

    def feed(self, chunk: Chunk) -> list[tuple[int, str, Any]]:
        return [
            parsed
            for line, dropped in self._lines.feed(chunk)
            if (parsed := self._parse(line, dropped)) is not None
        ]

    def close(self) -> list[tuple[int, str, Any]]:
        last = self._lines.close()
        parsed = None if last is None else self._parse(*last)
        return [] if parsed is None else [parsed]

    def _parse(self, line: bytes, dropped: int) -> tuple[int, str, Any] | None:
        self._number += 1
        text = line.decode("utf-8", "replace").lstrip("\x1e").strip()
        if not text and not dropped:
            return None
        if dropped:
            error = f"the line is longer than {self.max_line_bytes:,} bytes ({dropped:,} cut)"
            return self._number, text, NdjsonError(self._number, error, text[:200])
        try:
            return self._number, text, json.loads(text)
        except ValueError as exc:  # JSONDecodeError, or a number too large to convert
            return self._number, text, NdjsonError(self._number, str(exc), text[:200])


def iter_sse(
    chunks: Iterable[Chunk], *, max_event_bytes: int = MAX_EVENT_BYTES
) -> Iterator[SseEvent]:
    """Yield the :class:`SseEvent` s of a ``text/event-stream`` body given as chunks.

    >>> [e.data for e in iter_sse(["\\ufeffdata: x\\r", "\\n\\r\\n", "data: y\\n\\n"])]
    ['x', 'y']
    """
    parser = SseParser(max_event_bytes)
    for chunk in chunks:
        yield from parser.feed(chunk)
    parser.close()


def iter_ndjson(chunks: Iterable[Chunk], *, max_line_bytes: int = MAX_EVENT_BYTES) -> Iterator[Any]:
    """Yield each line's JSON value, or an :class:`NdjsonError` for a bad line (and go on).

    >>> list(iter_ndjson(['{"n": 1}\\n', '\\x1e{"n": 2}\\n']))
    [{'n': 1}, {'n': 2}]
    """
    parser = NdjsonParser(max_line_bytes)
    for chunk in chunks:
        for _number, _text, value in parser.feed(chunk):
            yield value
    for _number, _text, value in parser.close():
        yield value


def iter_lines(chunks: Iterable[Chunk], *, max_line_bytes: int = MAX_EVENT_BYTES) -> Iterator[str]:
    """Yield the text lines of a body given as chunks (CR, LF or CRLF; each line capped).

    >>> list(iter_lines([b"one\\r\\ntw", b"o\\nthree"]))
    ['one', 'two', 'three']
    """
    splitter = LineSplitter(max_line_bytes, strip_bom=False)
    for chunk in chunks:
        for line, _dropped in splitter.feed(chunk):
            yield line.decode("utf-8", "replace")
    last = splitter.close()
    if last is not None:
        yield last[0].decode("utf-8", "replace")
