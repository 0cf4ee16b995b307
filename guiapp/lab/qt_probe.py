"""What the Lab measures while a run goes: event-loop lag, OS threads, memory (QtCore).

A 5 ms ``PreciseTimer`` heartbeat on the GUI thread records lag with timestamps (the same
measure as :class:`guiapp.offload.qt.LagMonitor`, which keeps no timestamps); a 20 ms sampler
records the process's OS thread count (``psutil``: QThreads and Qt's own threads included) and
the RSS of the process and its worker processes. A :class:`~guiapp.offload.qt.FreezeWatch`
names the code behind each stall over 50 ms (:meth:`LoadProbe.freezes`); it runs without
faulthandler's dumps, whose timer thread would count as an added thread, and its own watchdog
thread starts before the thread baseline is taken.

Example::

    probe = LoadProbe(lambda: [])
    probe.start()
    ...                                   # the measured work, on the running loop
    probe.stop()
    print(max(lag for _t, lag in probe.lag), probe.added_threads)
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable

import psutil
from PySide6.QtCore import QObject, Qt, QTimer

from guiapp.lab.results import Point
from guiapp.offload.freeze import FreezeReport
from guiapp.offload.qt import FreezeWatch

__all__ = ["HEARTBEAT_MS", "SAMPLE_MS", "LoadProbe"]

HEARTBEAT_MS = 5
SAMPLE_MS = 20

# Qt's global QThreadPool names its threads so; Qt starts them itself when painting (image
# conversion/scaling), whatever the strategy, so they are not counted as the strategy's.
_QT_GLOBAL_POOL_THREAD = "Thread (pooled)"
_TASK_DIR = "/proc/self/task"
# Threads a process keeps whoever sends: the transport's deadline watchdog (one daemon thread
# per process, started by the first request, ending after a second with nothing to watch).
# They are not a strategy's threads: a send on the GUI thread still adds none of its own.
_PROCESS_WIDE_THREADS = frozenset({"guiapp-deadlines"})


def _thread_ids() -> set[str] | None:
    try:
        return set(os.listdir(_TASK_DIR))
    except OSError:  # not Linux: fall back to counting
        return None


def _process_wide_ids() -> set[str]:
    return {
        str(thread.native_id)
        for thread in threading.enumerate()
        if thread.name in _PROCESS_WIDE_THREADS and thread.native_id is not None
    }


def _thread_name(tid: str) -> str:
    try:
        with open(f"{_TASK_DIR}/{tid}/comm", encoding="utf-8", errors="replace") as comm:
            return comm.read().strip()
    except OSError:  # the thread has just ended
        return _QT_GLOBAL_POOL_THREAD


class LoadProbe(QObject):
    """Heartbeat (lag with timestamps) and sampler (threads, RSS) on the GUI thread.

    Call :meth:`start` / :meth:`stop` around the measured stretch; read :attr:`lag`,
    :attr:`threads`, :attr:`peak_threads`, :attr:`added_threads`, :attr:`peak_rss`.

    Added threads are the OS threads alive now that were not at the baseline, except Qt's
    global pool (on Linux, from /proc; elsewhere the difference of the counts).
    """

    def __init__(self, worker_pids: Callable[[], list[int]]) -> None:
        super().__init__()
        self._proc = psutil.Process()
        self._worker_pids = worker_pids
        self._freeze_watch = FreezeWatch(self, threshold_ms=50, native_dumps=False)
        self._freeze_watch.start()  # before the baseline: its thread is not the strategy's
        self.t0 = time.perf_counter()
        self.lag: list[Point] = []
        self.threads: list[Point] = []
        self.peak_threads = self.baseline_threads = self._proc.num_threads()
        self._baseline_ids = _thread_ids()
        # Every process-wide thread seen so far: one that has just ended its Python part is
        # gone from threading.enumerate() while its OS thread still waits (for the GIL, say)
        # to exit, and would otherwise count as the strategy's for a sample or two.
        self._process_wide_seen = _process_wide_ids()
        self.added_threads = 0
        self.peak_rss = self.baseline_rss = self._rss()
        self._last = self.t0
        self._beat = QTimer(self)
        self._beat.setTimerType(Qt.TimerType.PreciseTimer)
        self._beat.setInterval(HEARTBEAT_MS)
        self._beat.timeout.connect(self._on_beat)
        self._sampler = QTimer(self)
        self._sampler.setInterval(SAMPLE_MS)
        self._sampler.timeout.connect(self.sample)

    def start(self) -> None:
        self._freeze_watch.clear()  # the preparation's stalls are not the run's
        self.t0 = self._last = time.perf_counter()
        self._process_wide_seen |= _process_wide_ids()
        self._beat.start()
        self._sampler.start()
        self.sample()

    def stop(self) -> None:
        self._beat.stop()
        self._sampler.stop()
        self.sample()
        self._freeze_watch.stop()

    def freezes(self) -> list[FreezeReport]:
        """The stalls over 50 ms since :meth:`start`, each with its culprit, oldest first."""
        return self._freeze_watch.reports()

    def now(self) -> float:
        return time.perf_counter() - self.t0

    def _on_beat(self) -> None:
        now = time.perf_counter()
        lag = max(0.0, (now - self._last) * 1000.0 - HEARTBEAT_MS)
        self._last = now
        self.lag.append((now - self.t0, lag))

    def _rss(self) -> int:
        total = self._proc.memory_info().rss
        for pid in self._worker_pids():
            with contextlib.suppress(psutil.Error):
                total += psutil.Process(pid).memory_info().rss
        return total

    def sample(self) -> None:
        count = self._proc.num_threads()
        self.peak_threads = max(self.peak_threads, count)
        ids = _thread_ids()
        if ids is None or self._baseline_ids is None:
            added = count - self.baseline_threads
        else:
            self._process_wide_seen |= _process_wide_ids()
            new = ids - self._baseline_ids - self._process_wide_seen
            added = sum(1 for tid in new if _thread_name(tid) != _QT_GLOBAL_POOL_THREAD)
        self.added_threads = max(self.added_threads, added)
        self.peak_rss = max(self.peak_rss, self._rss())
        self.threads.append((self.now(), float(count)))
