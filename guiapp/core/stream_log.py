"""Every event of a streamed response, on disk: what the window's Stream view reads rows from.

A stream may carry a million events; keeping them as Python objects would cost hundreds of
megabytes. :class:`StreamLog` appends each event as one JSON line to a temporary file and keeps
only its offset (8 bytes) in memory, plus a small cache of recently read rows, so memory stays
flat however long the stream runs. The file is also what "Save events" copies (JSON Lines).

It also keeps the counts the view shows (events, bad lines, per-type counts, first/last arrival)
and, for chat completion streams, the assembled text (:func:`chat_text_delta`).

>>> from guiapp.core.streams import StreamEvent
>>> log = StreamLog()
>>> log.append([StreamEvent(index=0, at=0.1, kind="sse", event="tick", data="a", id="1")])
>>> len(log), log.event(0).data, dict(log.counts)
(1, 'a', {'tick': 1})
>>> log.close()
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import weakref
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import Any

from guiapp.core.streams import StreamEvent

__all__ = [
    "MAX_ASSEMBLED_CHARS",
    "StreamLog",
    "chat_text_delta",
    "event_from_json",
    "event_matches",
    "find_rows",
]

MAX_ASSEMBLED_CHARS = 4 * 1024 * 1024
_CACHE_ROWS = 512
_MAX_TYPES = 1000


def chat_text_delta(event: StreamEvent) -> str | None:
    """The text an LLM chat stream event adds, or ``None`` if it is not such an event.

    OpenAI-style ``choices[].delta.content`` and Anthropic-style ``content_block_delta``
    (``delta.text``) events are recognised.

    >>> e = StreamEvent(index=0, at=0, kind="sse", event="message",
    ...                 data='{"choices": [{"delta": {"content": "Hel"}}]}')
    >>> chat_text_delta(e)
    'Hel'
    >>> a = StreamEvent(index=0, at=0, kind="sse", event="content_block_delta",
    ...                 data='{"type": "content_block_delta", "delta": {"text": "lo"}}')
    >>> chat_text_delta(a)
    'lo'
    """
    data = event.data
    if event.kind != "sse" or not data.startswith("{") or event.truncated:
        return None
    if '"choices"' not in data and "content_block_delta" not in data:
        return None  # cheap test first: most events of other streams stop here
    try:
        value = json.loads(data)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    if value.get("type") == "content_block_delta":
        delta = value.get("delta")
        text = delta.get("text") if isinstance(delta, dict) else None
        return text if isinstance(text, str) else None
    choices = value.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        delta = choices[0].get("delta")
        content = delta.get("content") if isinstance(delta, dict) else None
        return content if isinstance(content, str) else None
    return None


def event_matches(event: StreamEvent, query: str) -> bool:
    """The Stream view's filter: ``event:NAME`` keeps one event type; any other text keeps
    events whose data, type or id contains it (case-insensitive); ``""`` keeps all.

    >>> e = StreamEvent(index=0, at=0, kind="sse", event="tick", data="Hello", id="7")
    >>> event_matches(e, "event:tick"), event_matches(e, "hello"), event_matches(e, "bye")
    (True, True, False)
    """
    query = query.strip()
    if not query:
        return True
    if query.lower().startswith("event:"):
        return event.event == query[6:].strip()
    needle = query.casefold()
    return (
        needle in event.data.casefold()
        or needle in event.event.casefold()
        or needle in event.id.casefold()
    )


def find_rows(path: str, count: int, query: str, start: int = 0) -> array[int]:
    """Rows ``start..count-1`` of the log file at ``path`` that :func:`event_matches` ``query``
    (a module-level function, so that a worker process can run it)."""
    rows = array("q")
    with open(path, "rb") as stream:
        for row in range(count):
            line = stream.readline()
            if not line:
                break
            if row >= start and event_matches(event_from_json(line), query):
                rows.append(row)
    return rows


def event_from_json(line: bytes | str) -> StreamEvent:
    """Read back one line of a :class:`StreamLog` file (or of its saved JSON Lines)."""
    raw: dict[str, Any] = json.loads(line)
    return StreamEvent(
        index=int(raw["index"]),
        at=float(raw["at"]),
        kind=str(raw["kind"]),
        event=str(raw["event"]),
        data=str(raw["data"]),
        id=str(raw.get("id", "")),
        retry=raw.get("retry"),
        size=int(raw.get("size", 0)),
        truncated=int(raw.get("truncated", 0)),
        line=int(raw.get("line", 0)),
        error=str(raw.get("error", "")),
    )


class StreamLog:
    """Append-only log of :class:`StreamEvent` s in a temporary JSON Lines file.

    Appends and reads happen on one thread (the GUI thread); :meth:`find` may run in another
    (it opens the file itself and reads only the rows that existed when it started).
    """

    def __init__(self, spool_dir: str | None = None) -> None:
        fd, self.path = tempfile.mkstemp(prefix="guiapp-stream-", suffix=".jsonl", dir=spool_dir)
        self._file = os.fdopen(fd, "w+b")
        # A log dropped without close() (a window torn down) still frees its file.
        self._finalizer = weakref.finalize(self, _discard_file, self._file, self.path)
        self._offsets = array("q")
        self._end = 0
        self._lock = threading.Lock()  # the file position is shared by appends and reads
        self._cache: OrderedDict[int, StreamEvent] = OrderedDict()
        self.counts: Counter[str] = Counter()
        self.errors = 0
        self.truncated = 0
        self.bytes = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.assembled: list[str] = []
        self.assembled_chars = 0
        self.chat = False  # True once an event carried chat text
        #: Seconds from the request's start to its cancel (``None``: not cancelled).
        self.cancelled_after: float | None = None
        self.closed = False
        self._listeners: list[weakref.WeakMethod[Callable[[], object]]] = []

    def add_listener(self, callback: Callable[[], object]) -> None:
        """Call the bound method ``callback()`` after each :meth:`append` (on the appending
        thread): a view shows new rows as they arrive instead of polling. Held weakly: a view
        that is gone stops listening."""
        self._listeners.append(weakref.WeakMethod(callback))

    def remove_listener(self, callback: Callable[[], object]) -> None:
        self._listeners = [ref for ref in self._listeners if ref() not in (None, callback)]

    def __len__(self) -> int:
        return len(self._offsets)

    def append(self, events: Iterable[StreamEvent]) -> None:
        """Write ``events`` (in order) and update the counts.

        The GUI thread calls this with every batch of a fast stream, so the work is done per
        batch where it can be (one write, offsets and counts from C-level helpers); per event
        it is the one formatted line and a few attribute reads.
        """
        batch = events if isinstance(events, list) else list(events)
        if not batch:
            return
        text = [_line(event) for event in batch]
        joined = "".join(text)
        if joined.isascii():  # the usual case: byte lengths are string lengths
            data = joined.encode("ascii")
            lengths = list(map(len, text))
        else:
            encoded = [line.encode() for line in text]
            data = b"".join(encoded)
            lengths = list(map(len, encoded))
        self._count(batch)
        if self.closed:
            return
        offsets = array("q", accumulate(lengths[:-1], initial=self._end))
        with self._lock:
            self._file.seek(self._end)
            self._file.write(data)
            self._file.flush()
            self._end += len(data)
        self._offsets.extend(offsets)  # only now: a concurrent find() never sees half a row
        self._notify()

    def mark_cancelled(self, elapsed: float) -> None:
        """The request was cancelled ``elapsed`` seconds after it started: no event follows.

        The listeners are told, so that a view says "Cancelled" with what was received."""
        if self.cancelled_after is None:
            self.cancelled_after = elapsed
            self._notify()

    def _notify(self) -> None:
        for ref in list(self._listeners):
            listener = ref()
            if listener is not None:
                listener()

    def _count(self, batch: list[StreamEvent]) -> None:
        counts = self.counts
        kinds = [event.event for event in batch]
        if len(counts) + len(batch) <= _MAX_TYPES:
            counts.update(kinds)
        else:
            for kind in kinds:
                if kind not in counts and len(counts) >= _MAX_TYPES:
                    kind = "(other types)"  # a hostile stream must not grow this without bound
                counts[kind] += 1
        self.bytes += sum([event.size for event in batch])
        self.errors += sum([1 for event in batch if event.error])
        self.truncated += sum([1 for event in batch if event.truncated])
        if self.first_at is None:
            self.first_at = batch[0].at
        self.last_at = batch[-1].at
        # chat_text_delta's own cheap test, as one comprehension: most events stop here.
        for event in [e for e in batch if '"choices"' in e.data or "content_block_delta" in e.data]:
            text = chat_text_delta(event)
            if text is not None:
                self.chat = True
                if self.assembled_chars < MAX_ASSEMBLED_CHARS:
                    self.assembled.append(text)
                    self.assembled_chars += len(text)

    def event(self, row: int) -> StreamEvent:
        """The event at ``row`` (0-based), read from disk unless recently read."""
        cached = self._cache.get(row)
        if cached is not None:
            self._cache.move_to_end(row)
            return cached
        if self.closed:  # a view painting once more after its tab let the log go
            return StreamEvent(index=row, at=0.0, kind="text", event="", data="")
        start = self._offsets[row]
        end = self._offsets[row + 1] if row + 1 < len(self._offsets) else self._end
        with self._lock:
            self._file.seek(start)
            data = self._file.read(end - start)
        event = event_from_json(data)
        self._cache[row] = event
        if len(self._cache) > _CACHE_ROWS:
            self._cache.popitem(last=False)
        return event

    def assembled_text(self) -> str:
        """The chat text assembled so far (capped at 4 Mi characters)."""
        if len(self.assembled) > 1:
            self.assembled[:] = ["".join(self.assembled)]
        return self.assembled[0] if self.assembled else ""

    def events(self, start: int, end: int) -> list[StreamEvent]:
        """Rows ``start..end-1`` with one read of the file (new rows to filter, say)."""
        end = min(end, len(self._offsets))
        if start >= end or self.closed:
            return []
        first = self._offsets[start]
        last = self._offsets[end] if end < len(self._offsets) else self._end
        with self._lock:
            self._file.seek(first)
            data = self._file.read(last - first)
        return [event_from_json(line) for line in data.splitlines()]

    def save(self, path: str) -> int:
        """Copy every event to ``path`` as JSON Lines; returns the number of events."""
        with self._lock:
            self._file.flush()
        with open(self.path, "rb") as source, open(path, "wb") as target:
            while block := source.read(1 << 20):
                target.write(block)
        return len(self)

    def close(self) -> None:
        """Delete the file (the view has moved on)."""
        if self.closed:
            return
        self.closed = True
        with self._lock:
            self._finalizer()
        self._cache.clear()


def _discard_file(file: Any, path: str) -> None:
    file.close()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


_encode = json.JSONEncoder(ensure_ascii=False).encode
_KINDS = frozenset({"sse", "ndjson", "text"})
_names: dict[str, str] = {}  # event types, JSON-encoded: a stream repeats a few of them


def _name(event: str) -> str:
    encoded = _names.get(event)
    if encoded is None:
        encoded = _encode(event)
        if len(_names) < _MAX_TYPES:
            _names[event] = encoded
    return encoded


def _line(event: StreamEvent) -> str:
    # One f-string and C-encoded strings: 6x faster than json.dumps of a dict, and the GUI
    # thread runs this for every event of a 50,000 events/s stream.
    retry = "null" if event.retry is None else int(event.retry)
    error = f', "error": {_encode(event.error)}' if event.error else ""
    kind = event.kind if event.kind in _KINDS else "text"
    return (
        f'{{"index": {event.index:d}, "at": {event.at!r}, "kind": "{kind}", '
        f'"event": {_name(event.event)}, "data": {_encode(event.data)}, '
        f'"id": {_encode(event.id)}, "retry": {retry}, "size": {event.size:d}, '
        f'"truncated": {event.truncated:d}, "line": {event.line:d}{error}}}\n'
    )
