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
_TICK = 0.5  # longest sleep: cancelled alarms are dropped and an idle thread ends within it
_now = time.monotonic


class _Alarm:
    __slots__ = ("callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False


class _Watchdog:
    """Calls each armed alarm's callback at its time, on one lazily started thread.

    Cheap per request: arming pushes on a heap and wakes the thread only for an alarm due
    before its next tick (it never sleeps longer than :data:`_TICK`); cancelling only flags
    the alarm, and the heap is rebuilt once most of it is cancelled.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Alarm]] = []
        self._seq = itertools.count()
        self._cancelled = 0
        self._thread: threading.Thread | None = None
        self._wakes_at = 0.0  # when the sleeping thread wakes up next

    def arm(self, delay: float, callback: Callable[[], None]) -> _Alarm:
        alarm = _Alarm(_now() + delay, callback)
        with self._cond:
            heapq.heappush(self._heap, (alarm.when, next(self._seq), alarm))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="guiapp-deadlines", daemon=True
                )
                self._wakes_at = alarm.when
                self._thread.start()
            elif alarm.when < self._wakes_at:
                self._cond.notify()
        return alarm

    def cancel(self, alarm: _Alarm) -> None:
        with self._cond:
            if alarm.cancelled:
                return
            alarm.cancelled = True
            self._cancelled += 1
            if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
                self._heap = [entry for entry in self._heap if not entry[2].cancelled]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _run(self) -> None:
        idle_since: float | None = None
        while True:
            due: list[_Alarm] = []
            with self._cond:
                now = _now()
                while self._heap and (self._heap[0][2].cancelled or self._heap[0][0] <= now):
                    alarm = heapq.heappop(self._heap)[2]
                    if alarm.cancelled:
                        self._cancelled -= 1
                    else:
                        due.append(alarm)
                if not due:
                    if self._heap:
                        idle_since = None
                    elif idle_since is None:
                        idle_since = now
                    elif now - idle_since >= _IDLE_EXIT:
                        self._thread = None
                        return
                    self._wakes_at = min(
                        self._heap[0][0] if self._heap else now + _TICK, now + _TICK
                    )
                    self._cond.wait(self._wakes_at - now)
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
        self._total_alarm: _Alarm | None = None
        self._headers_alarm: _Alarm | None = None
        self._made = _now()
        if total is not None:
            with self._lock:  # a tiny deadline may go off before the alarm is stored
                self._total_alarm = _WATCHDOG.arm(total, self._total_fired)

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
            with self._lock:  # a tiny deadline may go off before the alarm is stored
                alarm = _WATCHDOG.arm(self.headers, lambda: self._fire("headers_timeout", mine))
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
        self._disarm_total()
        self.total = None

    def set_total(self, seconds: float) -> None:
        """A new total deadline of ``seconds``, counted from when these deadlines were made
        (the start of the exchange); one already past goes off at once.

        >>> deadlines = Deadlines(total=None, headers=None, on_expiry=lambda: None)
        >>> deadlines.set_total(30.0)
        >>> deadlines.total, deadlines.expired
        (30.0, None)
        >>> deadlines.close()
        """
        self._disarm_total()
        self.total = seconds
        delay = max(0.0, seconds - (_now() - self._made))
        with self._lock:  # a tiny deadline may go off before the alarm is stored
            self._total_alarm = _WATCHDOG.arm(delay, self._total_fired)

    def close(self) -> None:
        """Disarm everything (the request is over, whatever its outcome)."""
        self._disarm_headers()
        self._disarm_total()

    def _disarm_total(self) -> None:
        with self._lock:  # an alarm going off at this moment either fires first or not at all
            alarm, self._total_alarm = self._total_alarm, None
        if alarm is not None:
            _WATCHDOG.cancel(alarm)

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
            if alarm is None and self._total_alarm is None:
                return  # lifted or closed while going off
            self._expired = name
        self._on_expiry()
