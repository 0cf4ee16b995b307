"""Deadlines of one request: the whole exchange, and each hop's response headers.

A read timeout applies to each read, so a server that sends one byte every few seconds keeps a
request alive forever. :class:`Deadlines` arms alarms on a shared watchdog thread; when one goes
off it calls ``on_expiry`` (``send`` passes the function that shuts the request's sockets), so
a read blocked in ``recv`` or in the header parser returns at once, and records which limit it
was, for the error message.

The watchdog is one daemon thread for the whole process, started with the first alarm and
ending once it has had nothing to watch for a second: no thread per request, none left behind.

Example::

    deadlines = Deadlines(total=300.0, headers=60.0, on_expiry=tracker.shutdown_all)
    deadlines.hop_started()      # before each request of a redirect chain
    deadlines.headers_in()       # the response headers are complete
    deadlines.expired            # None, or "total_timeout" / "headers_timeout"
    deadlines.close()            # disarm (always, in a finally)
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable

__all__ = ["Deadlines"]

_IDLE_EXIT = 1.0  # seconds the watchdog thread waits with nothing to watch before it ends
_now = time.monotonic


class _Alarm:
    __slots__ = ("callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False


class _Watchdog:
    """Calls each armed alarm's callback at its time, on one lazily started thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Alarm]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, delay: float, callback: Callable[[], None]) -> _Alarm:
        alarm = _Alarm(_now() + delay, callback)
        with self._cond:
            heapq.heappush(self._heap, (alarm.when, next(self._seq), alarm))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="guiapp-deadlines", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return alarm

    def cancel(self, alarm: _Alarm) -> None:
        with self._cond:
            alarm.cancelled = True  # dropped once at the head of the heap (no O(n) removal)
            if self._heap and self._heap[0][2] is alarm:
                self._cond.notify()  # the thread may sleep until it: let it move on

    def _run(self) -> None:
        while True:
            due: list[_Alarm] = []
            with self._cond:
                while self._heap and self._heap[0][2].cancelled:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait(_IDLE_EXIT)
                    if not self._heap:
                        self._thread = None
                        return
                    continue
                now = _now()
                while self._heap and self._heap[0][0] <= now:
                    alarm = heapq.heappop(self._heap)[2]
                    if not alarm.cancelled:
                        due.append(alarm)
                if not due:
                    self._cond.wait(self._heap[0][0] - now)
                    continue
            for alarm in due:
                with contextlib.suppress(Exception):  # one bad callback must not stop the rest
                    alarm.callback()


_WATCHDOG = _Watchdog()


class Deadlines:
    """The total and headers deadlines of one ``send`` (seconds; ``None``: no such limit)."""

    def __init__(
        self, *, total: float | None, headers: float | None, on_expiry: Callable[[], None]
    ) -> None:
        self.total = total
        self.headers = headers
        self._on_expiry = on_expiry
        self._lock = threading.Lock()
        self._expired: str | None = None
        self._total_alarm = None if total is None else _WATCHDOG.arm(total, self._total_fired)
        self._headers_alarm: _Alarm | None = None

    @property
    def expired(self) -> str | None:
        """``"total_timeout"`` or ``"headers_timeout"`` once that deadline went off."""
        return self._expired

    def seconds(self, name: str) -> float:
        """The value of the limit ``name`` (``"total_timeout"`` or ``"headers_timeout"``)."""
        value = self.total if name == "total_timeout" else self.headers
        return 0.0 if value is None else value

    def hop_started(self) -> None:
        """A request of the chain is about to go out: its headers deadline starts now."""
        self._disarm_headers()
        if self.headers is not None:
            mine: list[_Alarm] = []
            alarm = _WATCHDOG.arm(self.headers, lambda: self._fire("headers_timeout", mine))
            with self._lock:
                mine.append(alarm)
                self._headers_alarm = alarm

    def headers_in(self) -> None:
        """The response headers of the current hop are complete."""
        self._disarm_headers()

    def lift_total(self) -> None:
        """The exchange turned out to be an endless kind (a stream): no total deadline from now.

        >>> deadlines = Deadlines(total=300.0, headers=None, on_expiry=lambda: None)
        >>> deadlines.lift_total()
        >>> deadlines.total is None
        True
        """
        if self._total_alarm is not None:
            _WATCHDOG.cancel(self._total_alarm)
            self._total_alarm = None
        self.total = None

    def close(self) -> None:
        """Disarm everything (the request is over, whatever its outcome)."""
        self._disarm_headers()
        if self._total_alarm is not None:
            _WATCHDOG.cancel(self._total_alarm)
            self._total_alarm = None

    def _disarm_headers(self) -> None:
        with self._lock:  # an alarm going off at this moment either fires first or not at all
            alarm, self._headers_alarm = self._headers_alarm, None
        if alarm is not None:
            _WATCHDOG.cancel(alarm)

    def _total_fired(self) -> None:
        self._fire("total_timeout", None)

    def _fire(self, name: str, alarm: list[_Alarm] | None) -> None:
        with self._lock:
            if self._expired is not None:
                return
            if alarm is not None and (not alarm or self._headers_alarm is not alarm[0]):
                return  # disarmed while going off: that hop's headers were in
            self._expired = name
        self._on_expiry()
