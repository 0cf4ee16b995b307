"""Offload at scale: GUI lag and per-call cost against the standard library, in one run.

``python -m guiapp.bench --only scale --json F`` runs, on a qasync loop with the 5 ms heartbeat:

- **lag**: N concurrent 1 s blocking calls (N = 100, 500, 1,000, 2,000) through
  ``make_async`` on an ``Offloader(N)``, through ``loop.run_in_executor`` on the same kind of
  Offloader (the drop-in path), and through ``loop.run_in_executor(ThreadPoolExecutor(N))``
  (the baseline); p50/p99/max lag of each, and the ratios to the baseline;
- **overhead**: wall time per call of 1,000 and 3,000 trivial calls in flight, same three ways;
- **qthread**: the QThread path (``run_in_qthreads``) against a plain QThread per call, lag
  with N 1 s calls and time per trivial call.

Every pool is created cold for its measurement (threads are started by the burst, as in an
app), each measurement is repeated ``rounds`` times in alternation and the median is kept.
Each measurement also records the cyclic garbage collector's work during it (``gc ms``, in any
thread; a full collection holds the GIL for tens of milliseconds with 1,000 threads alive, and
lands in whichever way crosses the threshold), so a maximum can be told from a collection.

Example::

    from guiapp.bench.scale import ScaleConfig, run_scale
    report = run_scale(ScaleConfig.quick())
    print(report.format_table())
"""

from __future__ import annotations

import asyncio
import functools
import gc
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import qasync
from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import QApplication

from guiapp.bench.runner import machine_info
from guiapp.offload import Offloader, make_async
from guiapp.offload.qt import LagMonitor, run_in_qthreads
from guiapp.offload.stats import LagStats

__all__ = ["ScaleConfig", "ScaleReport", "run_scale"]

BASELINE = "run_in_executor(ThreadPoolExecutor)"
THREAD_WAYS = ("make_async(Offloader)", "run_in_executor(Offloader)", BASELINE)
QT_WAYS = ("run_in_qthreads", "QThread per call")


@dataclass(frozen=True, slots=True)
class ScaleConfig:
    """What to measure: sizes, call length, trivial-call counts and repetitions."""

    sizes: tuple[int, ...] = (100, 500, 1000, 2000)
    call_seconds: float = 1.0
    trivial_calls: tuple[int, ...] = (1000, 3000)
    qthread_sizes: tuple[int, ...] = (100, 500)
    qthread_trivial_calls: int = 500
    rounds: int = 3

    @classmethod
    def quick(cls) -> ScaleConfig:
        """``--quick``: the same comparisons at 100-1,000 calls of 0.5 s, one round (about
        30 s): enough to see the direction of a change, not for the published numbers."""
        return cls(
            sizes=(100, 500, 1000),
            call_seconds=0.5,
            trivial_calls=(1000,),
            qthread_sizes=(100, 500),
            qthread_trivial_calls=200,
            rounds=1,
        )


@dataclass(slots=True)
class GcWork:
    """The cyclic garbage collector's work during one measurement: collections, full ones
    (generation 2), their total and longest duration in milliseconds (any thread)."""

    collections: int = 0
    full: int = 0
    total_ms: float = 0.0
    longest_ms: float = 0.0


class _GcRecorder:
    """Adds every collection that ends while installed to a :class:`GcWork`."""

    def __init__(self) -> None:
        self.work = GcWork()
        self._started: dict[int, float] = {}  # by thread: a collection runs in one thread

    def __enter__(self) -> _GcRecorder:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        import threading

        key = threading.get_ident()
        if phase == "start":
            self._started[key] = time.perf_counter()
            return
        began = self._started.pop(key, None)
        if began is None:  # started before the recorder was installed
            return
        ms = (time.perf_counter() - began) * 1000.0
        work = self.work
        work.collections += 1
        work.full += info.get("generation") == 2
        work.total_ms += ms
        work.longest_ms = max(work.longest_ms, ms)


@dataclass(frozen=True, slots=True)
class Measure:
    """One measurement: the median over rounds of lag (ms) and wall time (s) per way."""

    kind: str  # "lag", "overhead", "qthread_lag", "qthread_overhead"
    n: int
    way: str
    lag: LagStats
    wall_s: float
    gc: GcWork = field(default_factory=GcWork)

    @property
    def per_call_us(self) -> float:
        return 1e6 * self.wall_s / self.n

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "lag": self.lag.to_dict(), "per_call_us": self.per_call_us}


@dataclass(slots=True)
class ScaleReport:
    """Every measurement plus the machine; ratios are against the baseline of the same run."""

    config: ScaleConfig
    machine: dict[str, Any]
    idle: LagStats | None = None
    measures: list[Measure] = field(default_factory=list)

    def get(self, kind: str, n: int, way: str) -> Measure:
        return next(m for m in self.measures if (m.kind, m.n, m.way) == (kind, n, way))

    def ratios(self) -> dict[str, float]:
        """``<kind> N=<n> <way> <metric>`` -> value / baseline value (lower is better)."""
        out: dict[str, float] = {}
        for m in self.measures:
            base_way = BASELINE if m.kind in ("lag", "overhead") else QT_WAYS[1]
            if m.way == base_way:
                continue
            base = self.get(m.kind, m.n, base_way)
            if m.kind.endswith("lag"):
                out[f"{m.kind} N={m.n} {m.way} p99"] = _ratio(m.lag.p99_ms, base.lag.p99_ms)
                out[f"{m.kind} N={m.n} {m.way} max"] = _ratio(m.lag.max_ms, base.lag.max_ms)
            else:
                out[f"{m.kind} N={m.n} {m.way} per call"] = _ratio(m.wall_s, base.wall_s)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": asdict(self.config),
            "machine": self.machine,
            "idle": None if self.idle is None else self.idle.to_dict(),
            "measures": [m.to_dict() for m in self.measures],
            "ratios": self.ratios(),
        }

    def format_table(self) -> str:
        lines = []
        if self.idle is not None:
            lines.append(
                f"idle heartbeat: p99 {self.idle.p99_ms:.2f} ms, max {self.idle.max_ms:.1f} ms"
            )
        header = (
            f"{'measure':<17} {'N':>5} {'way':<36} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
            f"{'µs/call':>8} {'gc ms (full)':>13}"
        )
        lines += [header, "-" * len(header)]
        for m in self.measures:
            lines.append(
                f"{m.kind:<17} {m.n:>5} {m.way:<36} {m.lag.p50_ms:>7.2f} {m.lag.p99_ms:>7.2f} "
                f"{m.lag.max_ms:>7.1f} {m.per_call_us:>8.1f} "
                f"{m.gc.total_ms:>8.1f} ({m.gc.full})"
            )
        lines.append("")
        lines.append("ratios to the baseline of the same run (≤ 1.00: as good or better)")
        for key, value in self.ratios().items():
            lines.append(f"  {key:<62} {value:>6.2f}")
        return "\n".join(lines)


def _ratio(value: float, base: float) -> float:
    return value / base if base > 0 else float("inf") if value > 0 else 1.0


def _blocking(seconds: float) -> None:
    time.sleep(seconds)


def _trivial() -> int:
    return 1


# -- the ways to run N calls ---------------------------------------------------------------------
async def _via_make_async(n: int, func: Callable[[], object], workers: int) -> None:
    pool = Offloader(max_workers=workers, name="scale-make-async")
    try:
        call = make_async(offloader=pool)(func)
        await asyncio.gather(*(call() for _ in range(n)))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


async def _via_run_in_executor_offloader(n: int, func: Callable[[], object], workers: int) -> None:
    pool = Offloader(max_workers=workers, name="scale-drop-in")
    loop = asyncio.get_running_loop()
    try:
        await asyncio.gather(*(loop.run_in_executor(pool, func) for _ in range(n)))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


async def _via_thread_pool(n: int, func: Callable[[], object], workers: int) -> None:
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scale-stdlib")
    loop = asyncio.get_running_loop()
    try:
        await asyncio.gather(*(loop.run_in_executor(pool, func) for _ in range(n)))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


_THREAD_RUNNERS: dict[str, Callable[[int, Callable[[], object], int], Awaitable[None]]] = {
    THREAD_WAYS[0]: _via_make_async,
    THREAD_WAYS[1]: _via_run_in_executor_offloader,
    THREAD_WAYS[2]: _via_thread_pool,
}


class _PlainThread(QThread):
    """The textbook baseline: a QThread subclass per call, ``run()`` overridden."""

    returned = Signal(object)

    def __init__(self, func: Callable[[], object]) -> None:
        super().__init__()
        self._func = func

    def run(self) -> None:
        self.returned.emit(self._func())


async def _via_qthread_per_call(n: int, func: Callable[[], object]) -> None:
    loop = asyncio.get_running_loop()
    threads: list[_PlainThread] = []
    futures: list[asyncio.Future[None]] = []
    for _ in range(n):
        thread = _PlainThread(func)
        future: asyncio.Future[None] = loop.create_future()
        thread.finished.connect(lambda f=future: f.done() or f.set_result(None))
        threads.append(thread)
        futures.append(future)
        thread.start()
    await asyncio.gather(*futures)
    for thread in threads:
        thread.wait(5000)  # finished is emitted just before the thread ends


async def _via_run_in_qthreads(n: int, func: Callable[[], object]) -> None:
    jobs = await run_in_qthreads(func, [() for _ in range(n)], name="scale-qthread")
    await asyncio.gather(*(job.wait() for job in jobs))


# -- measuring -----------------------------------------------------------------------------------
_Run = tuple[LagStats, float, GcWork]


async def _measure(monitor: LagMonitor, work: Awaitable[None]) -> _Run:
    await asyncio.sleep(0.3)  # the previous pool's threads wind down unmeasured
    monitor.reset()
    with _GcRecorder() as recorder:
        started = time.perf_counter()
        await work
        wall = time.perf_counter() - started
    return monitor.snapshot(), wall, recorder.work


def _median(kind: str, n: int, way: str, runs: list[_Run]) -> Measure:
    ordered = sorted(runs, key=lambda run: run[0].p99_ms)
    lag, _wall, gc_work = ordered[len(ordered) // 2]  # the collections of the round kept
    return Measure(kind, n, way, lag, statistics.median(run[1] for run in runs), gc_work)


async def _scale_main(
    config: ScaleConfig, report: ScaleReport, progress: Callable[[str], object]
) -> None:
    monitor = LagMonitor()
    monitor.start()
    try:
        report.idle, _, _ = await _measure(monitor, asyncio.sleep(1.0))
        progress(f"idle: p99 {report.idle.p99_ms:.2f} ms")

        blocking = functools.partial(_blocking, config.call_seconds)
        plans: list[tuple[str, int, tuple[str, ...], Callable[[], object], int]] = [
            *(("lag", n, THREAD_WAYS, blocking, n) for n in config.sizes),
            *(("overhead", n, THREAD_WAYS, _trivial, 64) for n in config.trivial_calls),
            *(("qthread_lag", n, QT_WAYS, blocking, 0) for n in config.qthread_sizes),
            ("qthread_overhead", config.qthread_trivial_calls, QT_WAYS, _trivial, 0),
        ]
        for kind, n, ways, func, workers in plans:
            runs: dict[str, list[_Run]] = {way: [] for way in ways}
            for _round in range(config.rounds):
                for way in ways:  # alternate, so drift in the machine's load hits all ways
                    runs[way].append(await _measure(monitor, _run_way(way, n, func, workers)))
            for way in ways:
                measure = _median(kind, n, way, runs[way])
                report.measures.append(measure)
                progress(
                    f"{kind} N={n} {way}: p99 {measure.lag.p99_ms:.2f} ms, "
                    f"max {measure.lag.max_ms:.1f} ms, {measure.per_call_us:.1f} µs/call, "
                    f"gc {measure.gc.total_ms:.1f} ms ({measure.gc.full} full)"
                )
    finally:
        monitor.stop()
        monitor.deleteLater()


def _run_way(way: str, n: int, func: Callable[[], object], workers: int) -> Awaitable[None]:
    if way in _THREAD_RUNNERS:
        return _THREAD_RUNNERS[way](n, func, workers)
    if way == QT_WAYS[0]:
        return _via_run_in_qthreads(n, func)
    return _via_qthread_per_call(n, func)


def run_scale(
    config: ScaleConfig | None = None, *, progress: Callable[[str], object] | None = None
) -> ScaleReport:
    """Run every measurement of ``config`` on a fresh qasync loop; call from the main thread."""
    config = config or ScaleConfig()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    report = ScaleReport(config, machine_info())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_scale_main(config, report, progress or (lambda _line: None)))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return report
