"""Completions reach an event loop in batches: one wake-up for every job that ended meanwhile.

The standard ``loop.run_in_executor`` schedules one ``call_soon_threadsafe`` per completed
call: each is a write to the loop's self-pipe and, on qasync, a Qt event. With 1,000 calls
ending within a few milliseconds those wake-ups are what the GUI thread spends its time on.
Here a job that ends joins the loop's pending batch; only the first job of a batch wakes the
loop, and one callback resolves the whole batch in order.

>>> import asyncio
>>> loop = asyncio.new_event_loop()
>>> completions_for(loop) is completions_for(loop)
True
>>> loop.close()
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from typing import Any, Protocol

__all__ = ["Completions", "completions_for"]

_log = logging.getLogger(__name__)


class _Deliverable(Protocol):
    def _deliver(self) -> None: ...

    def _abandon(self) -> None: ...


class Completions:
    """The pending batch of one loop; :meth:`push` from any thread, delivered on the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        # Weak: a batch never keeps a loop alive (a qasync loop freed off its thread crashes).
        self._loop = weakref.ref(loop)
        self._lock = threading.Lock()
        self._batch: list[_Deliverable] = []
        self._wake_pending = False
        self.wakeups = 0  # loop wake-ups scheduled so far; read by tests and benchmarks

    def push(self, job: Any) -> None:
        """Queue ``job`` for delivery (``job._deliver()`` on the loop thread); any thread."""
        with self._lock:
            self._batch.append(job)
            if self._wake_pending:
                return
            self._wake_pending = True
            self.wakeups += 1
        loop = self._loop()
        if loop is None or loop.is_closed():
            self._drop()
            return
        try:
            loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop closed between the check and the call
            self._drop()

    def _drop(self) -> None:
        with self._lock:
            dropped, self._batch = self._batch, []
            self._wake_pending = False
        _log.debug("event loop closed: %d completions not delivered", len(dropped))
        for job in dropped:
            try:
                job._abandon()  # its done callbacks still run, in this thread
            except Exception:
                _log.exception("abandoning the completion of %r failed", job)

    def _drain(self) -> None:
        # Loop thread. Jobs ending while this runs start the next batch (and its wake-up).
        with self._lock:
            batch, self._batch = self._batch, []
            self._wake_pending = False
        for job in batch:
            try:
                job._deliver()
            except Exception:  # one broken delivery must not lose the rest of the batch
                _log.exception("delivering the completion of %r failed", job)


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Completions] = (
    weakref.WeakKeyDictionary()
)
_by_loop_lock = threading.Lock()


# The last loop asked about and its batch: an app has one loop, and every awaited job asks.
_last: tuple[weakref.ref[asyncio.AbstractEventLoop], Completions] | None = None


def completions_for(loop: asyncio.AbstractEventLoop) -> Completions:
    """The :class:`Completions` batch of ``loop`` (created on first use)."""
    global _last
    last = _last
    if last is not None and last[0]() is loop:
        return last[1]
    found = _by_loop.get(loop)
    if found is None:
        with _by_loop_lock:
            found = _by_loop.get(loop)
            if found is None:
                found = _by_loop[loop] = Completions(loop)
    _last = (weakref.ref(loop), found)
    return found
