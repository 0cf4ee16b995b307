"""Hand many worker-thread endings to a Qt thread without a burst of events (private).

100 QThread jobs started together end together. Delivering each ending as its own queued slot
call (two per job: the worker's "ended" signal and ``QThread.finished``) made the GUI thread run
200 Python slots in one pass of Qt's posted-event queue: a 20-28 ms stall here. These helpers
turn the endings into one wake-up and a few short turns:

- :class:`Inbox` — workers :meth:`~Inbox.push` items from any thread; the first push posts one
  wake-up, later ones only append. The owner thread delivers items in order, for at most
  ``budget_s`` per event-loop turn, and posts itself again while items remain.
- :class:`ThreadReaper` — tells when watched ``QThread``\\ s have really ended by polling
  ``isRunning()`` from one timer (backing off while nothing ends), instead of a queued
  ``finished`` slot per thread. ``QThread.finished`` is emitted just *before* the thread ends,
  so it could not be trusted for "safe to drop the wrapper" anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Slot

__all__ = ["Inbox", "ThreadReaper"]

_log = logging.getLogger(__name__)

T = TypeVar("T")


class Inbox(QObject, Generic[T]):
    """Items pushed from any thread, delivered on this object's thread a few per turn.

    Example::

        inbox = Inbox(lambda item: print("delivered", item))   # on the GUI thread
        threading.Thread(target=inbox.push, args=("done",)).start()
    """

    def __init__(self, deliver: Callable[[T], object], *, budget_s: float = 0.001) -> None:
        super().__init__()
        self._deliver = deliver
        self._budget_s = budget_s
        self._lock = threading.Lock()
        self._items: deque[T] = deque()
        self._wake_posted = False

    def push(self, item: T) -> None:
        """Queue ``item`` for delivery; safe from any thread, never blocks on the owner."""
        with self._lock:
            self._items.append(item)
            if self._wake_posted:
                return
            self._wake_posted = True
        try:
            QMetaObject.invokeMethod(self, "_drain", Qt.ConnectionType.QueuedConnection)
        except RuntimeError:  # the owner's C++ object is gone (process exit): nobody listens
            _log.debug("inbox gone; %d undelivered item(s) dropped", len(self._items))

    def pending(self) -> int:
        """Items pushed but not yet delivered."""
        with self._lock:
            return len(self._items)

    @Slot()
    def _drain(self) -> None:
        deadline = time.perf_counter() + self._budget_s
        while True:
            with self._lock:
                if not self._items:
                    self._wake_posted = False
                    return
                item = self._items.popleft()
            self._deliver(item)
            if time.perf_counter() >= deadline:
                break
        # Over budget with items left: let the event loop breathe (timers, input, painting)
        # before the next share. A queued call posted now runs in the *next* pass of Qt's
        # posted-event queue, not in this one.
        QMetaObject.invokeMethod(self, "_drain", Qt.ConnectionType.QueuedConnection)


class ThreadReaper(QObject):
    """Calls ``on_ended()`` on this object's thread once a watched QThread is no longer running.

    One timer polls every watched thread (``isRunning()`` is a cheap C++ call); it runs only
    while something is watched, every ``first_ms`` after a thread was added, doubling up to
    ``max_ms`` while none ends (a cancelled call may keep its thread busy for minutes).

    Example::

        reaper = ThreadReaper()
        reaper.watch(job.qthread, lambda: registry.discard(job))
    """

    def __init__(self, *, first_ms: int = 10, max_ms: int = 500) -> None:
        super().__init__()
        self._first_ms = first_ms
        self._max_ms = max_ms
        self._watched: list[tuple[QThread, Callable[[], object]]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._poll)

    def watch(self, thread: QThread, on_ended: Callable[[], object]) -> None:
        """Call ``on_ended()`` (on this object's thread) once ``thread`` has ended."""
        if not thread.isRunning():
            on_ended()
            return
        self._watched.append((thread, on_ended))
        self._timer.start(self._first_ms)

    def watching(self) -> int:
        """Threads still being watched."""
        return len(self._watched)

    @Slot()
    def _poll(self) -> None:
        still: list[tuple[QThread, Callable[[], object]]] = []
        ended: list[Callable[[], object]] = []
        for entry in self._watched:
            if entry[0].isRunning():
                still.append(entry)
            else:
                ended.append(entry[1])
        self._watched = still
        for callback in ended:
            callback()
        if still:
            interval = self._first_ms if ended else min(self._max_ms, 2 * self._timer.interval())
            self._timer.start(interval)
