"""Streamed bodies in :func:`~guiapp.core.send`: parse as bytes arrive, emit events, keep all.

A body is streamed when its Content-Type is an event stream (``text/event-stream``) or a JSON
sequence (``application/x-ndjson``, ``application/jsonl``, ``application/json-seq``), or when the
request asks for it (``RequestSpec.stream``: any other body is then split into text lines).
:class:`StreamSink` is the :class:`~guiapp.core._http_body.BodySink` of such a response: it still
spools every byte (history, Save and the raw view keep working) and, for each chunk, hands the
events it completed to the job with one :func:`~guiapp.core.jobs.emit_many` (which waits when
the reader is behind, and raises ``Cancelled`` once the job is cancelled).

A quiet event stream is normal, so a streamed response has no read timeout once its headers
are in, unless the request sets an idle limit (``RequestSpec.stream_idle_timeout``); a cancel
still shuts the socket at once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from typing import Any

from guiapp.core._http_body import BodySink
from guiapp.core.jobs import emit_many
from guiapp.core.request import RequestSpec
from guiapp.core.streams import (
    LineSplitter,
    NdjsonError,
    NdjsonParser,
    SseParser,
    StreamEvent,
    StreamSummary,
    stream_kind,
)

__all__ = ["EventMaker", "StreamSink", "replay_events", "stream_mode", "stream_sink"]


def stream_mode(spec: RequestSpec, content_type: str | None) -> str | None:
    """``"sse"``, ``"ndjson"``, ``"text"`` (forced by the request) or ``None`` (not a stream).

    >>> stream_mode(RequestSpec(url="http://h/"), "text/event-stream")
    'sse'
    >>> stream_mode(RequestSpec(url="http://h/", stream=True), "text/plain")
    'text'
    >>> stream_mode(RequestSpec(url="http://h/"), "text/plain") is None
    True
    """
    kind = stream_kind(content_type)
    if kind is None and spec.stream:
        kind = "text"
    return kind


class EventMaker:
    """Turns body bytes of one kind (``sse``/``ndjson``/``text``) into :class:`StreamEvent` s.

    ``clock()`` gives each event's ``at`` (seconds since the request started).

    >>> maker = EventMaker("ndjson", lambda: 0.0)
    >>> [e.data for e in maker.feed(b'{"a": 1}\\n[2')], [e.data for e in maker.end()[0]]
    (['{"a": 1}'], ['[2'])
    """

    def __init__(self, kind: str, clock: Callable[[], float]) -> None:
        self.kind = kind
        self._clock = clock
        self._sse = SseParser() if kind == "sse" else None
        self._ndjson = NdjsonParser() if kind == "ndjson" else None
        self._lines = LineSplitter(strip_bom=False) if kind == "text" else None
        self._line_number = 0
        self._next_index = 0

    def feed(self, data: bytes) -> list[StreamEvent]:
        """The events ``data`` completed, in order."""
        at = self._clock()
        if self._sse is not None:
            raw = self._sse.feed_raw(data)
            index = self._next_index
            self._next_index += len(raw)
            return [
                StreamEvent(index + i, at, "sse", event, text, event_id, retry, size, truncated)
                for i, (text, event, event_id, retry, truncated, size) in enumerate(raw)
            ]
        if self._ndjson is not None:
            return [self._ndjson_event(at, *parsed) for parsed in self._ndjson.feed(data)]
        assert self._lines is not None
        return [self._line_event(at, *line) for line in self._lines.feed(data)]

    def end(self) -> tuple[list[StreamEvent], int]:
        """End of the body: the events it completes, and the bytes of an unfinished event."""
        at = self._clock()
        if self._sse is not None:
            return [], self._sse.close()
        if self._ndjson is not None:
            return [self._ndjson_event(at, *parsed) for parsed in self._ndjson.close()], 0
        assert self._lines is not None
        last = self._lines.close()
        return ([] if last is None else [self._line_event(at, *last)]), 0

    @property
    def ignored(self) -> int:
        """SSE lines that were not valid fields, ignored so far (0 for other kinds)."""
        return self._sse.ignored if self._sse is not None else 0

    def _index(self) -> int:
        index = self._next_index
        self._next_index += 1
        return index

    def _ndjson_event(self, at: float, number: int, text: str, value: Any) -> StreamEvent:
        error = value.error if isinstance(value, NdjsonError) else ""
        return StreamEvent(
            index=self._index(),
            at=at,
            kind="ndjson",
            event="error" if error else "json",
            data=text,
            size=len(text.encode()),
            line=number,
            error=error,
        )

    def _line_event(self, at: float, line: bytes, dropped: int) -> StreamEvent:
        self._line_number += 1
        return StreamEvent(
            index=self._index(),
            at=at,
            kind="text",
            event="line",
            data=line.decode("utf-8", "replace"),
            size=len(line) + dropped,
            truncated=dropped,
            line=self._line_number,
        )


class StreamSink(BodySink):
    """A body sink that also parses the body into :class:`StreamEvent` s and emits them."""

    def __init__(self, kind: str, started: float, threshold: int, spool_dir: str | None) -> None:
        super().__init__(threshold, spool_dir)
        self.kind = kind
        self._started = started
        self._maker = EventMaker(kind, self._elapsed)
        self.events = 0
        self.errors = 0
        self.truncated_events = 0
        self.first_event_at: float | None = None
        self.summary: StreamSummary | None = None

    def _elapsed(self) -> float:
        return time.perf_counter() - self._started

    def write(self, data: bytes | bytearray | memoryview) -> None:
        super().write(data)
        if data:
            self._emit(self._maker.feed(bytes(data)))

    def end(self) -> StreamSummary:
        """The body is complete (or cut): emit what the end completes, build the summary."""
        tail, incomplete = self._maker.end()
        self._emit(tail)
        self.summary = StreamSummary(
            kind=self.kind,
            events=self.events,
            errors=self.errors,
            bytes=self.size,
            duration=self._elapsed(),
            first_event_at=self.first_event_at,
            truncated_events=self.truncated_events,
            incomplete_bytes=incomplete,
            ignored_lines=self._maker.ignored,
        )
        return self.summary

    def _emit(self, events: list[StreamEvent]) -> None:
        if not events:
            return
        if self.first_event_at is None:
            self.first_event_at = events[0].at
        self.events += len(events)
        self.errors += sum(1 for e in events if e.error)
        self.truncated_events += sum(1 for e in events if e.truncated)
        emit_many(events)


def replay_events(chunks: Iterable[bytes], kind: str) -> int:
    """Parse a complete body again and :func:`emit` its events (for a response whose events
    were not delivered live); returns how many. ``at`` is 0 for each.

    >>> replay_events([b"data: 1\\n\\n"], "sse")   # outside a job: parsed, emitted nowhere
    1
    """
    maker = EventMaker(kind, lambda: 0.0)
    count = 0
    for chunk in chunks:
        events = maker.feed(chunk)
        count += len(events)
        emit_many(events)
    tail, _incomplete = maker.end()
    emit_many(tail)
    return count + len(tail)


def stream_sink(
    spec: RequestSpec,
    raw: Any,
    started: float,
    threshold: int,
    spool_dir: str | None,
) -> BodySink:
    """The sink for the body of ``raw`` (a ``requests.Response``): a :class:`StreamSink` for a
    streamed body, whose socket then waits for data without limit (or the request's idle
    limit), else a plain :class:`BodySink`."""
    kind = stream_mode(spec, raw.headers.get("content-type"))
    if kind is None:
        return BodySink(threshold, spool_dir)
    _set_read_timeout(raw, spec.stream_idle_timeout)
    return StreamSink(kind, started, threshold, spool_dir)


def _set_read_timeout(raw: Any, seconds: float | None) -> None:
    # urllib3's HTTPResponse.connection is the HTTPConnection (public since urllib3 2.0);
    # http.client's HTTPConnection.sock is its socket. A socket timeout applies per recv.
    connection = getattr(raw.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(seconds)
