"""Freeze forensics without Qt: which line froze the GUI thread, and why.

A :class:`FreezeWatchdog` is a daemon thread paired with a heartbeat that the GUI thread ticks
(every few ms, from a timer of its event loop). While the heartbeat keeps coming the watchdog only
sleeps. Once the GUI thread has not ticked for longer than ``threshold_ms`` it samples the stacks
of every thread (``sys._current_frames()``) every ``sample_interval_ms`` until the next tick, and
turns the samples into a :class:`FreezeReport`: the GUI thread *busy* in your code, *blocked in
a call* (a socket read, a sleep), or *starved of the GIL* by another thread, with the culprit
frame and the most frequent stack.

A thread that holds the GIL inside one long C call (``json.loads`` of a large document) keeps the
watchdog itself from running. The watchdog notices it afterwards: its own short sleep came back
far too late. At that moment it reads every thread's stack at once (the thread that just let the
GIL go is, on CPython 3.11-3.13, usually still in the Python frames that made the C call: the
GIL changes hands right after the call returns) and, where the platform gives it (Linux), every
thread's CPU time: the thread whose CPU time grew by about the stall's length held the GIL
(:mod:`guiapp.offload._freeze_cpu`). Elsewhere the report relies on the stacks alone. With
``native_dumps=True`` (opt-in, for a diagnostic session) the
watchdog also keeps :func:`faulthandler.dump_traceback_later` armed: faulthandler's own C thread
needs no GIL and writes the stacks of all threads to a private file whenever the watchdog misses
its re-arming deadline; those dumps join the samples and name the C call. That dump reads other
threads' frames *without* the GIL, so a thread whose frames change at that moment can crash the
interpreter (seen here: a segfault inside faulthandler's dump thread, in a long test run with
many threads) — which is why it is off by default and off in the app. Only one timer of that
kind exists per process: a second watchdog started while one uses it does without.

Qt users want :class:`guiapp.offload.qt.FreezeWatch`, which owns the heartbeat timer and emits a
signal per report. Without Qt, tick from any event loop::

    >>> import asyncio
    >>> from guiapp.offload.freeze import FreezeWatchdog
    >>> async def main():
    ...     dog = FreezeWatchdog(threshold_ms=50, tick_interval_ms=5)
    ...     async def heartbeat():
    ...         while True:
    ...             dog.tick()
    ...             await asyncio.sleep(0.005)
    ...     beat = asyncio.ensure_future(heartbeat())
    ...     dog.start()
    ...     await asyncio.sleep(0.05)
    ...     __import__("time").sleep(0.3)     # freezes the loop
    ...     await asyncio.sleep(0.1)
    ...     dog.stop(); beat.cancel()
    ...     return dog.reports()
    >>> [r.kind for r in asyncio.run(main())]
    ['blocked']
"""

from __future__ import annotations

import faulthandler
import os
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from types import CodeType, FrameType

from guiapp.offload._freeze_cpu import ThreadClocks, cpu_used_ms
from guiapp.offload._freeze_stacks import (
    RawStack,
    StackFrame,
    capture_stack,
    current_frames,
    parse_dumps,
    thread_names,
)
from guiapp.offload._freeze_verdict import FreezeReport, FreezeSample, RawSample, build_report

__all__ = ["FreezeReport", "FreezeSample", "FreezeWatchdog", "StackFrame"]

_DUMPS_LOCK = threading.Lock()  # faulthandler has one timer per process: one owner at a time
_MAX_DUMP_BYTES = 8 * 1024 * 1024
#: How often the CPU-time baseline is read while nothing freezes (seconds).
_CPU_BASELINE_S = 0.1


class _Starved:
    """What the watchdog saw the moment it got the GIL back after waking ``late_ms`` late."""

    def __init__(self, due: float, taken: float, late_ms: float, stacks: dict[int, RawStack]):
        self.due = due
        self.taken = taken
        self.late_ms = late_ms
        self.stacks = stacks
        self.cpu: dict[int, float] = {}


class _NativeDumps:
    """faulthandler's timer, re-armed by the watchdog, writing into a private append-only file."""

    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s
        fd, path = tempfile.mkstemp(prefix="guiapp-freeze-", suffix=".txt")
        os.close(fd)
        # O_APPEND: truncating between freezes never leaves faulthandler writing past the end.
        self._fd = os.open(path, os.O_RDWR | os.O_APPEND)
        os.unlink(path)
        self._arms: list[tuple[float, int]] = []  # (when, file size then)
        self.armed_at = 0.0

    def arm(self) -> None:
        """(Re)start the timer: a dump follows unless :meth:`arm` is called again in time."""
        size = os.fstat(self._fd).st_size
        if size > _MAX_DUMP_BYTES:  # a freeze that never ends: keep what we have
            faulthandler.cancel_dump_traceback_later()
            return
        self.armed_at = time.perf_counter()
        faulthandler.dump_traceback_later(self._timeout_s, repeat=True, file=self._fd)
        if size == 0:  # no dump to time: the earlier arms are of no use (and must not pile up)
            self._arms.clear()
        self._arms.append((self.armed_at, size))

    def pending(self) -> bool:
        return os.fstat(self._fd).st_size > 0

    def collect(self, since: float, exclude: int) -> list[RawSample]:
        """The dumps written since the last :meth:`clear`, timed from ``since`` (perf_counter)."""
        size = os.fstat(self._fd).st_size
        text = os.pread(self._fd, size, 0).decode(errors="replace") if size else ""
        samples = []
        per_arm: dict[int, int] = {}
        for offset, stacks in parse_dumps(text):
            arm = max((i for i, (_, at) in enumerate(self._arms) if at <= offset), default=-1)
            nth = per_arm[arm] = per_arm.get(arm, 0) + 1
            armed = self._arms[arm][0] if arm >= 0 else since
            at_ms = (armed + nth * self._timeout_s - since) * 1000.0
            stacks.pop(exclude, None)
            samples.append(RawSample(at_ms, True, stacks))
        return samples

    def clear(self) -> None:
        os.ftruncate(self._fd, 0)
        self._arms = self._arms[-1:]
        if self._arms:
            self._arms[0] = (self._arms[0][0], 0)

    def close(self) -> None:
        faulthandler.cancel_dump_traceback_later()
        os.close(self._fd)


class FreezeWatchdog:
    """Watches a heartbeat; reports each freeze of the ticking thread longer than a threshold.

    Call :meth:`tick` from the watched (GUI) thread every ``tick_interval_ms``; pass the frame
    that runs the event loop (``sys._getframe(1)`` in a timer callback) so that a GUI thread
    waiting in its event loop is told apart from one running your code. ``on_freeze`` is
    called on the watchdog thread with each :class:`FreezeReport`; :meth:`reports` keeps the
    latest ``max_reports``.
    """

    def __init__(
        self,
        threshold_ms: float = 50.0,
        *,
        tick_interval_ms: float = 5.0,
        sample_interval_ms: float = 5.0,
        max_samples: int = 400,
        max_reports: int = 100,
        native_dumps: bool = False,
        on_freeze: Callable[[FreezeReport], object] | None = None,
    ) -> None:
        if threshold_ms <= 0 or tick_interval_ms <= 0 or sample_interval_ms <= 0:
            raise ValueError("threshold_ms, tick_interval_ms and sample_interval_ms must be > 0")
        self.threshold_ms = float(threshold_ms)
        self._tick_s = tick_interval_ms / 1000.0
        self._sample_s = sample_interval_ms / 1000.0
        self._max_samples = max(2, max_samples)
        self._want_dumps = native_dumps
        self._on_freeze = on_freeze
        self._reports: deque[FreezeReport] = deque(maxlen=max_reports)
        self._last_tick: float | None = None
        self._late_s = (threshold_ms + tick_interval_ms) / 1000.0
        self._missed: deque[tuple[float, float]] = deque(maxlen=100)
        self._names: dict[int, str] = {}
        self._names_count = 0
        self._names_at = 0.0
        self._loop_at: tuple[object, int] | None = None
        self._gui_ident = threading.get_ident()
        self._clocks = ThreadClocks()
        self._native_ids: dict[int, int] = {}
        # The latest few CPU-time readings (when, {ident: seconds}): a freeze is measured from
        # the newest one taken before it began.
        self._cpu_bases: deque[tuple[float, dict[int, float]]] = deque(maxlen=4)
        # The watchdog itself woke this late: it waited for the GIL (a switch interval is
        # normal, a stall is not).
        self._starved_ms = max(threshold_ms / 2, 4 * sys.getswitchinterval() * 1000.0)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- the GUI thread's side ------------------------------------------------------------------
    def tick(self, loop_frame: FrameType | None = None) -> None:
        """The heartbeat: call from the watched thread (cheap: a clock read and two stores)."""
        now = time.perf_counter()
        last, self._last_tick = self._last_tick, now
        if loop_frame is not None:
            self._loop_at = (loop_frame.f_code, loop_frame.f_lasti)
        if last is not None and now - last > self._late_s:
            # A freeze the watchdog may not have seen begin: it was starved of the GIL too.
            self._missed.append((last, now))

    def start(self) -> None:
        """Start watching the calling thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._gui_ident = threading.get_ident()
        self._last_tick = None
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="freeze-watchdog", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop the watchdog thread (waits at most ``timeout`` seconds); reports are kept."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def is_running(self) -> bool:
        """True while the watchdog thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def reports(self) -> list[FreezeReport]:
        """The reports so far, oldest first."""
        return list(self._reports)

    def clear(self) -> None:
        """Forget the reports."""
        self._reports.clear()

    # -- the watchdog thread ----------------------------------------------------------------------
    def _run(self) -> None:
        dumps: _NativeDumps | None = None
        threshold_s = self.threshold_ms / 1000.0
        poll_s = max(0.002, min(threshold_s / 2, 0.025))  # idle: ~40 short wakes a second
        followed = -1.0
        self._remember_names()
        self._read_cpu_baseline()  # a freeze that begins at once is measured too
        try:
            due = time.perf_counter() + poll_s
            while not self._stopping.wait(poll_s):
                now = time.perf_counter()
                late_ms = max(0.0, (now - due) * 1000.0)  # woke late: someone held the GIL?
                # First thing after a long wait for the GIL: the thread that held it has
                # just let go and is most likely still in the frames that called into C.
                starved = self._snapshot(due, now, late_ms) if late_ms >= self._starved_ms else None
                # A thread that starts and starves the GUI thread at once may be gone by the
                # time the freeze is judged: names are refreshed whenever the count changes.
                if threading.active_count() != self._names_count or now - self._names_at > 1:
                    self._remember_names()
                if dumps is None and self._want_dumps and _DUMPS_LOCK.acquire(blocking=False):
                    # Checked at every wake: a watchdog that is still ending (a stop() then a
                    # start()) may hold faulthandler's timer for a moment.
                    dumps = _NativeDumps(self.threshold_ms / 1000.0)
                if dumps is not None and now - dumps.armed_at > threshold_s / 2:
                    dumps.arm()
                last = self._last_tick
                if last is not None and now - last > self._late_s:
                    followed = last
                    self._publish(self._follow(last, dumps, late_ms, starved))
                    starved = None
                self._judge_missed(followed, dumps, starved)
                if dumps is not None and dumps.pending():
                    dumps.clear()  # this thread was late, the GUI thread was not: no freeze
                if not self._cpu_bases or now - self._cpu_bases[-1][0] >= _CPU_BASELINE_S:
                    self._read_cpu_baseline()
                due = time.perf_counter() + poll_s
            self._judge_missed(followed, dumps, None)  # a freeze that ended just before the stop
        finally:
            if dumps is not None:
                dumps.close()
                _DUMPS_LOCK.release()

    def _judge_missed(
        self, followed: float, dumps: _NativeDumps | None, starved: _Starved | None
    ) -> None:
        judged = False
        while self._missed:  # freezes over before this thread could look
            start, end = self._missed.popleft()
            if start == followed:
                continue
            samples: list[RawSample] = []
            cpu: dict[int, float] | None = None
            if starved is not None and start < starved.taken and end > starved.due:
                # This thread was starved during that freeze: what it saw once it got the GIL
                # back belongs to it.
                at_ms = (starved.taken - start) * 1000.0
                samples.append(RawSample(at_ms, False, starved.stacks, starved.late_ms))
                cpu = self._cpu_used(starved.cpu, start)
            elif self._clocks.enabled:
                cpu = self._cpu_used(self._read_cpu(), start)
            self._publish(self._judge(start, end, samples, dumps, cpu))
            judged = True
        if judged:
            self._read_cpu_baseline()

    def _snapshot(self, due: float, now: float, late_ms: float) -> _Starved:
        me = threading.get_ident()
        stacks = {
            ident: capture_stack(frame) for ident, frame in current_frames().items() if ident != me
        }
        starved = _Starved(due, now, late_ms, stacks)
        if self._clocks.enabled:
            if threading.active_count() != self._names_count:
                self._remember_names()  # a thread started just before the stall
            starved.cpu = self._read_cpu()
        return starved

    def _read_cpu(self) -> dict[int, float]:
        return self._clocks.read(self._native_ids)

    def _read_cpu_baseline(self) -> None:
        if self._clocks.enabled:
            self._cpu_bases.append((time.perf_counter(), self._read_cpu()))

    def _cpu_used(self, now: dict[int, float], since: float) -> dict[int, float] | None:
        """CPU ms per thread since the newest baseline read before ``since`` (the freeze's
        start), without this thread's own; None where per-thread CPU time is not available."""
        if not self._clocks.enabled or not now or not self._cpu_bases:
            return None
        base = self._cpu_bases[0][1]
        for taken, values in self._cpu_bases:
            if taken <= since:
                base = values
        used = cpu_used_ms(base, now)
        used.pop(threading.get_ident(), None)
        return used

    def _remember_names(self) -> None:
        if len(self._names) > 1000:
            self._names.clear()
        threads = threading.enumerate()
        self._names.update(thread_names(threads))
        self._native_ids = {
            t.ident: t.native_id for t in threads if t.ident is not None and t.native_id
        }
        self._names_count = len(threads)
        self._names_at = time.perf_counter()

    def _publish(self, report: FreezeReport | None) -> None:
        if report is None:
            return
        self._reports.append(report)
        if self._on_freeze is not None:
            self._on_freeze(report)

    def _follow(
        self, last: float, dumps: _NativeDumps | None, late_ms: float, starved: _Starved | None
    ) -> FreezeReport | None:
        """Sample every thread until the GUI thread ticks again; then judge. ``late_ms``: how
        late this thread woke to notice the freeze (a GIL held in C shows here first);
        ``starved``: the stacks read at once when that was a stall of its own."""
        me = threading.get_ident()
        self._remember_names()
        samples: list[RawSample] = []
        cpu_seen: dict[int, float] = {}  # a thread that ends before the freeze does keeps these
        interval = self._sample_s
        wake_lag: float | None = late_ms
        threshold_s = self.threshold_ms / 1000.0
        while True:
            if starved is not None:
                # This thread has just waited for the GIL far too long: what it sees now,
                # before anything else runs, is the holder still in the frames of its call.
                at_ms = (starved.taken - last) * 1000.0
                samples.append(RawSample(at_ms, False, starved.stacks, starved.late_ms))
                cpu_seen.update(starved.cpu)
                starved = None
            elif self._last_tick == last:
                taken = time.perf_counter()
                stacks: dict[int, RawStack] = {
                    ident: capture_stack(frame)
                    for ident, frame in current_frames().items()
                    if ident != me
                }
                samples.append(RawSample((taken - last) * 1000.0, False, stacks, wake_lag))
            if self._last_tick != last or self._stopping.is_set():
                break
            if len(samples) > self._max_samples:  # a long freeze: keep an even spread
                samples = samples[::2]
                interval *= 2
            if dumps is not None and time.perf_counter() - dumps.armed_at > threshold_s / 2:
                dumps.arm()
            due = time.perf_counter() + interval
            self._stopping.wait(interval)
            woke = time.perf_counter()
            wake_lag = max(0.0, (woke - due) * 1000.0)
            if wake_lag >= self._starved_ms:
                starved = self._snapshot(due, woke, wake_lag)
        end = self._last_tick
        if end is None or end == last:
            return None  # stopped while frozen
        cpu_seen.update(self._read_cpu())
        report = self._judge(last, end, samples, dumps, self._cpu_used(cpu_seen, last))
        self._read_cpu_baseline()
        return report

    def _judge(
        self,
        last: float,
        end: float,
        samples: list[RawSample],
        dumps: _NativeDumps | None,
        cpu: dict[int, float] | None,
    ) -> FreezeReport | None:
        """The report for the freeze between ticks ``last`` and ``end`` (perf_counter)."""
        native: list[RawSample] = []
        if dumps is not None:
            me = threading.get_ident()
            # A dump's time is estimated from its timer (which a loaded machine delays), so
            # one timer period of slack past the end; later dumps belong to no freeze.
            until_ms = (end - last) * 1000 + self.threshold_ms
            native = [s for s in dumps.collect(last, me) if s.at_ms <= until_ms]
            dumps.clear()
        duration_ms = (end - last - self._tick_s) * 1000.0
        if duration_ms <= self.threshold_ms:
            return None
        self._remember_names()
        return build_report(
            start=time.time() - (time.perf_counter() - last),
            duration_ms=duration_ms,
            threshold_ms=self.threshold_ms,
            gui_ident=self._gui_ident,
            loop_frame=_frame_key(self._loop_at),
            samples=sorted([*samples, *native], key=lambda s: s.at_ms),
            names=self._names,
            switch_interval_ms=sys.getswitchinterval() * 1000.0,
            cpu_ms=cpu,
        )


def _frame_key(loop_at: tuple[object, int] | None) -> tuple[str, int, str] | None:
    if loop_at is None:
        return None
    code, lasti = loop_at
    if not isinstance(code, CodeType):
        return None
    lines = [line for start, end, line in code.co_lines() if start <= lasti < end]
    lineno = lines[0] if lines and lines[0] is not None else code.co_firstlineno
    return (code.co_filename, lineno, code.co_name)
