"""Hand many worker-thread endings to the GUI thread without a burst of events (private).

100 QThread jobs started together end together. Delivering each ending as its own queued slot
call (two per job: the worker's "ended" signal and ``QThread.finished``) made the GUI thread run
200 Python slots in one pass of Qt's posted-event queue: a 20-28 ms stall here. The policies
here turn the endings into one wake-up and a few short turns. They are plain Python; the Qt
adapter (:mod:`guiapp.offload._qt_worker`) supplies the wake-up and the timer:

- :class:`Inbox` — workers :meth:`~Inbox.push` items from any thread; only the first push of a
  batch calls ``wake()`` (which must arrange for :meth:`~Inbox.drain` to run on the owner
  thread later). ``drain()`` delivers items in order for at most ``budget_s``, then calls
  ``wake()`` again while items remain, so the event loop runs between shares.
- :class:`Reaper` — calls ``on_ended()`` once ``alive()`` turns false, polling every watched
  entry from one timer (``schedule(ms)`` arms it) and backing off while nothing ends, instead
  of one queued slot per thread. ``QThread.finished`` is emitted just *before* the thread ends,
  so it could not tell "safe to drop the wrapper" anyway.

>>> delivered = []
>>> inbox = Inbox(delivered.append, wake=lambda: print("wake"))
>>> inbox.push(1); inbox.push(2)       # one wake-up for both
wake
>>> inbox.drain(); delivered
[1, 2]
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Inbox", "Reaper"]

T = TypeVar("T")


class Inbox(Generic[T]):
    """Items pushed from any thread, delivered by :meth:`drain` a time budget at a time."""

    def __init__(
        self, deliver: Callable[[T], object], wake: Callable[[], object], *, budget_s: float = 0.001
    ) -> None:
        self._deliver = deliver
        self._wake = wake
        self._budget_s = budget_s
        self._lock = threading.Lock()
        self._items: deque[T] = deque()
        self._wake_pending = False

    def push(self, item: T) -> None:
        """Queue ``item``; safe from any thread. Wakes the owner only if no wake-up is pending."""
        with self._lock:
            self._items.append(item)
            if self._wake_pending:
                return
            self._wake_pending = True
        self._wake()

    def pending(self) -> int:
        """Items pushed but not delivered yet."""
        with self._lock:
            return len(self._items)

    def drain(self) -> None:
        """Deliver items (owner thread) until none is left or the budget is spent.

        At least one item is delivered per call, so a slow ``deliver`` still makes progress.
        """
        deadline = time.perf_counter() + self._budget_s
        try:
            while True:
                with self._lock:
                    if not self._items:
                        self._wake_pending = False
                        return
                    item = self._items.popleft()
                self._deliver(item)
                if time.perf_counter() >= deadline:
                    break
        except BaseException:
            # A delivery raised: the rest still needs a turn, or every later push would find
            # the wake-up "pending" and never be delivered.
            self._wake()
            raise
        self._wake()  # the rest in a later turn; the wake-up stays pending meanwhile


class Reaper:
    """Polls watched ``alive()`` predicates; ``on_ended()`` once each turns false (owner thread).

    ``schedule(ms)`` must (re)arm a single-shot timer that calls :meth:`poll`. Polling runs only
    while something is watched: ``first_ms`` after a new entry or after something ended,
    doubling up to ``max_ms`` while nothing ends (a cancelled call may keep its thread busy
    for minutes).

    >>> alive = {"a": True}
    >>> reaper = Reaper(schedule=lambda ms: None)
    >>> reaper.watch(lambda: alive["a"], lambda: print("a ended"))
    >>> reaper.poll(); alive["a"] = False; reaper.poll()
    a ended
    >>> reaper.watching()
    0
    """

    def __init__(
        self, schedule: Callable[[int], object], *, first_ms: int = 10, max_ms: int = 500
    ) -> None:
        self._schedule = schedule
        self._first_ms = first_ms
        self._max_ms = max_ms
        self._interval_ms = first_ms
        self._armed = False
        self._watched: list[tuple[Callable[[], bool], Callable[[], object]]] = []

    def watch(self, alive: Callable[[], bool], on_ended: Callable[[], object]) -> None:
        """Call ``on_ended()`` at once if ``alive()`` is already false, else once it is."""
        if not alive():
            on_ended()
            return
        self._watched.append((alive, on_ended))
        self._interval_ms = self._first_ms
        if not self._armed:  # re-arming on every watch would postpone the poll indefinitely
            self._armed = True
            self._schedule(self._interval_ms)

    def watching(self) -> int:
        """Entries still watched."""
        return len(self._watched)

    def poll(self) -> None:
        """Check every entry once; re-arm the timer while some are left."""
        self._armed = False
        still: list[tuple[Callable[[], bool], Callable[[], object]]] = []
        ended: list[Callable[[], object]] = []
        for entry in self._watched:
            if entry[0]():
                still.append(entry)
            else:
                ended.append(entry[1])
        self._watched = still
        for on_ended in ended:
            on_ended()
        if self._watched:
            grown = min(self._max_ms, 2 * self._interval_ms)
            self._interval_ms = self._first_ms if ended else grown
            self._armed = True
            self._schedule(self._interval_ms)
