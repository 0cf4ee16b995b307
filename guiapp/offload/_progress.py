"""Coalesced progress delivery from a worker to the event-loop thread.

A worker may report progress 100,000 times a second; the GUI only needs the latest value, once
per frame. :class:`ProgressRelay` keeps the latest value and schedules at most one wake-up of the
loop at a time, then delivers at most :data:`MAX_RATE_HZ` times per second (latest value wins).
50,000 uncoalesced ``call_soon_threadsafe`` calls stalled the GUI up to 140 ms on the reference
machine; coalesced, the worst stall was 0.17 ms (docs/offload.md).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from guiapp.offload.jobs import Progress

__all__ = ["MAX_RATE_HZ", "ProgressRelay"]

_log = logging.getLogger(__name__)

MAX_RATE_HZ = 60.0
_INTERVAL = 1.0 / MAX_RATE_HZ


class ProgressRelay:
    """Carry the latest :class:`Progress` from any thread to ``deliver`` on ``loop``'s thread.

    ``push`` is called in the worker (or a process dispatcher) thread; ``deliver(progress)`` runs
    on the loop thread at most ~60 times a second. ``flush`` (loop thread) delivers a pending
    value at once: the job calls it before publishing its result, so the final value always
    arrives first.

    >>> loop = asyncio.new_event_loop()
    >>> seen = []
    >>> relay = ProgressRelay(loop, seen.append)
    >>> for i in range(1, 1001):
    ...     relay.push(Progress(i, 1000))
    >>> relay.flush()
    >>> seen
    [Progress(done=1000, total=1000, info=mappingproxy({}))]
    >>> loop.close()
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, deliver: Callable[[Progress], object]
    ) -> None:
        self._loop: asyncio.AbstractEventLoop | None = loop
        self._deliver: Callable[[Progress], object] | None = deliver
        self._lock = threading.Lock()
        self._latest: Progress | None = None
        self._wake_pending = False
        self._last_delivery = float("-inf")
        self._closed = False

    def push(self, progress: Progress) -> None:
        """Record ``progress`` as the latest value; wake the loop if no wake-up is pending."""
        with self._lock:
            if self._closed:
                return
            self._latest = progress
            if self._wake_pending:
                return
            self._wake_pending = True
            loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._on_wake)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            self.close()

    def flush(self) -> None:
        """Deliver the pending value now (loop thread only); no-op if nothing is pending."""
        with self._lock:
            progress, self._latest = self._latest, None
            loop, deliver = self._loop, self._deliver
        if progress is not None and loop is not None and deliver is not None:
            self._last_delivery = loop.time()
            try:
                deliver(progress)
            except Exception:
                _log.exception("progress delivery raised")

    def close(self) -> None:
        """Drop anything pending and ignore later pushes (the job has ended)."""
        with self._lock:
            self._closed = True
            self._latest = None
            # A worker that outlives its job keeps the JobControl, hence this relay: it must
            # not keep the loop alive too (a qasync loop freed off the GUI thread crashes).
            self._loop = None
            self._deliver = None

    def _on_wake(self) -> None:
        # Runs on the loop thread. Deliver now if a frame has passed since the last delivery,
        # else once it has; until then further pushes only replace the latest value.
        loop = self._loop
        if loop is None:
            return
        due = self._last_delivery + _INTERVAL
        if loop.time() < due:
            loop.call_at(due, self._on_wake)
            return
        with self._lock:
            self._wake_pending = False
        self.flush()
