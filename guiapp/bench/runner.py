"""Run the responsiveness scenarios on a qasync loop and measure GUI lag with the heartbeat.

Each scenario is a coroutine run on the GUI thread while :class:`~guiapp.offload.qt.LagMonitor`
ticks every 5 ms; the report compares every scenario with an idle baseline from the same run.

Example (what ``python -m guiapp.bench --quick`` does)::

    from guiapp.bench.runner import BenchScale, run_bench
    report = run_bench(BenchScale.quick())
    print(report.format_table())
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import PySide6
import qasync
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from guiapp.bench.workloads import (
    BenchScale,
    blocking_call,
    json_roundtrip,
    json_roundtrip_generated,
    make_json_document,
)
from guiapp.offload import Offloader, ProcessOffloader, make_async
from guiapp.offload.qt import FreezeWatch, LagMonitor, run_in_qthread, run_in_qthreads
from guiapp.offload.stats import LagStats

__all__ = ["SCENARIOS", "BenchReport", "BenchScale", "ScenarioResult", "run_bench"]

FRAME_MS = 16.0  # one frame at 60 Hz: the worst stall a "never freezes" path may cause
P99_SLACK_MS = 2.0


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """One scenario's wall time and lag statistics, with its p99 compared with idle."""

    name: str
    description: str
    wall_s: float
    lag: LagStats
    delta_p99_ms: float
    # Milliseconds the workload took to start its calls, for the scenarios that measure it.
    # qthread: 100 run_in_qthread calls in one go on the GUI thread; the heartbeat cannot tick
    # meanwhile, so its max lag is at least this minus one interval. qthread_paced: the same
    # starts spread over event-loop turns.
    start_ms: float | None = None
    # Each stall over 50 ms during the scenario, named by FreezeWatch: duration, verdict,
    # culprit frame and the innermost frames of its stack (FreezeReport.to_dict, trimmed).
    freezes: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "wall_s": self.wall_s,
            "lag": self.lag.to_dict(),
            "delta_p99_ms": self.delta_p99_ms,
            "start_ms": self.start_ms,
            "freezes": list(self.freezes),
        }

    def worst_freeze(self) -> dict[str, Any] | None:
        """The longest recorded freeze, or None."""
        return max(self.freezes, key=lambda f: f["duration_ms"], default=None)


@dataclass(slots=True)
class BenchReport:
    """All results of one run plus the machine and the scale they were measured at."""

    scale: BenchScale
    machine: dict[str, Any]
    results: list[ScenarioResult] = field(default_factory=list)

    def result(self, name: str) -> ScenarioResult:
        return next(r for r in self.results if r.name == name)

    def targets(self) -> dict[str, bool]:
        """The offload benchmark targets that the measured scenarios allow checking."""
        names = {r.name for r in self.results}
        checks: dict[str, bool] = {}
        for name in ("make_async", "qthread", "qthread_paced", "json_process"):
            if name not in names:
                continue
            r = self.result(name)
            if name != "json_process":
                checks[f"{name}: p99 within {P99_SLACK_MS:g} ms of idle"] = (
                    r.delta_p99_ms <= P99_SLACK_MS
                )
            checks[f"{name}: max <= {FRAME_MS:g} ms"] = r.lag.max_ms <= FRAME_MS
        if "json_thread" in names:
            checks["json_thread: shows the GIL stall (max > 50 ms)"] = (
                self.result("json_thread").lag.max_ms > 50.0
            )
        return checks

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale.to_dict(),
            "machine": self.machine,
            "results": [r.to_dict() for r in self.results],
            "targets": self.targets(),
        }

    def format_table(self) -> str:
        header = (
            f"{'scenario':<14} {'wall s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>8} "
            f"{'stalls>50':>9} {'Δp99 ms':>8} {'start ms':>8}"
        )
        lines = [header, "-" * len(header)]
        for r in self.results:
            lines.append(
                f"{r.name:<14} {r.wall_s:>7.2f} {r.lag.p50_ms:>7.2f} {r.lag.p99_ms:>7.2f} "
                f"{r.lag.max_ms:>8.1f} {r.lag.stalls:>9d} {r.delta_p99_ms:>+8.2f} "
                f"{'' if r.start_ms is None else f'{r.start_ms:.1f}':>8}"
            )
        for r in self.results:
            worst = r.worst_freeze()
            if worst is not None:
                lines.append(
                    f"{r.name}: {len(r.freezes)} stall(s) > 50 ms; worst "
                    f"{worst['duration_ms']:.0f} ms, {worst['verdict']}"
                )
        for check, ok in self.targets().items():
            lines.append(f"{'PASS' if ok else 'FAIL'}  {check}")
        return "\n".join(lines)


Workload = Callable[[], Awaitable[float | None]]


@dataclass(frozen=True, slots=True)
class _Scenario:
    name: str
    description: str
    # (scale) -> (prepare, workload): prepare runs unmeasured, workload is measured; the
    # workload may return its start burst in ms (ScenarioResult.start_ms).
    build: Callable[[BenchScale], Callable[[], Awaitable[Workload]]]


def _idle(scale: BenchScale) -> Callable[[], Awaitable[Workload]]:
    async def prepare() -> Workload:
        async def workload() -> float | None:
            await asyncio.sleep(scale.idle_seconds)
            return None

        return workload

    return prepare


def _make_async(scale: BenchScale) -> Callable[[], Awaitable[Workload]]:
    async def prepare() -> Workload:
        pool = Offloader(max_workers=scale.calls, name="bench")
        call = make_async(offloader=pool)(blocking_call)

        async def workload() -> float | None:
            try:
                await asyncio.gather(*(call(scale.call_seconds) for _ in range(scale.calls)))
            finally:
                await pool.aclose()
            return None

        return workload

    return prepare


def _qthread(scale: BenchScale) -> Callable[[], Awaitable[Workload]]:
    async def prepare() -> Workload:
        async def workload() -> float | None:
            started = time.perf_counter()
            jobs = [run_in_qthread(blocking_call, scale.call_seconds) for _ in range(scale.calls)]
            start_ms = (time.perf_counter() - started) * 1000.0
            await asyncio.gather(*(job.wait() for job in jobs))
            return start_ms

        return workload

    return prepare


def _qthread_paced(scale: BenchScale) -> Callable[[], Awaitable[Workload]]:
    async def prepare() -> Workload:
        async def workload() -> float | None:
            started = time.perf_counter()
            calls = [(scale.call_seconds,)] * scale.calls
            jobs = await run_in_qthreads(blocking_call, calls, per_turn=8)
            start_ms = (time.perf_counter() - started) * 1000.0  # spread over turns here
            await asyncio.gather(*(job.wait() for job in jobs))
            return start_ms

        return workload

    return prepare


def _gui_thread(scale: BenchScale) -> Callable[[], Awaitable[Workload]]:
    async def prepare() -> Workload:
        async def workload() -> float | None:
            blocking_call(scale.call_seconds)  # deliberately on the GUI thread: the anti-pattern
            return None

        return workload

    return prepare


def _json_thread(scale: BenchScale) -> Callable[[], Awaitable[Workload]]:
    async def prepare() -> Workload:
        pool = Offloader(max_workers=1, name="bench-json")
        data = await pool.submit(make_json_document, scale.json_mb)  # unmeasured

        async def workload() -> float | None:
            try:
                await pool.submit(json_roundtrip, data)
            finally:
                await pool.aclose()
            return None

        return workload

    return prepare


def _json_process(scale: BenchScale) -> Callable[[], Awaitable[Workload]]:
    async def prepare() -> Workload:
        pool = ProcessOffloader(max_workers=1, name="bench-json")
        await pool.submit(blocking_call, 0.0)  # start the worker process before measuring

        async def workload() -> float | None:
            try:
                await pool.submit(json_roundtrip_generated, scale.json_mb)
            finally:
                await pool.aclose()
            return None

        return workload

    return prepare


SCENARIOS: dict[str, _Scenario] = {
    s.name: s
    for s in (
        _Scenario("idle", "no work: the baseline", _idle),
        _Scenario("make_async", "(a) N concurrent blocking calls via make_async", _make_async),
        _Scenario("qthread", "(b) N concurrent blocking calls via run_in_qthread", _qthread),
        _Scenario(
            "qthread_paced",
            "(b') the same via run_in_qthreads, 8 starts per event-loop turn",
            _qthread_paced,
        ),
        _Scenario("gui_thread", "(c) one blocking call on the GUI thread", _gui_thread),
        _Scenario("json_thread", "(d) JSON parse + indent=2 dump in a thread", _json_thread),
        _Scenario("json_process", "(d) JSON build + parse + dump in a process", _json_process),
    )
}


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "pyside6": PySide6.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "qpa": QApplication.platformName() if QCoreApplication.instance() else None,
        # Other processes compete for the same cores: read the lag figures with this in mind.
        "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def _freeze_record(report: Any) -> dict[str, Any]:
    record: dict[str, Any] = report.to_dict()
    record["stack"] = "\n".join(record["stack"].splitlines()[:8])  # the innermost frames
    return record


async def _run_scenarios(
    scale: BenchScale,
    names: Sequence[str],
    monitor: LagMonitor,
    baseline: LagStats | None,
    watch: FreezeWatch | None = None,
) -> list[ScenarioResult]:
    results: list[ScenarioResult] = []
    for name in names:
        scenario = SCENARIOS[name]
        workload = await scenario.build(scale)()
        await asyncio.sleep(scale.settle_seconds)  # let preparation's own lag pass
        monitor.reset()
        if watch is not None:
            watch.clear()
        started = time.perf_counter()
        start_ms = await workload()
        wall = time.perf_counter() - started
        await asyncio.sleep(scale.settle_seconds)  # the tick after a stall records it
        lag = monitor.snapshot()
        if watch is not None and lag.max_ms > 2 * watch.threshold_ms:
            await _until_named(watch, lag.max_ms)
        freezes = tuple(_freeze_record(r) for r in watch.reports()) if watch is not None else ()
        if name == "idle":
            baseline = lag
        delta = lag.p99_ms - baseline.p99_ms if baseline is not None else 0.0
        results.append(
            ScenarioResult(name, scenario.description, wall, lag, delta, start_ms, freezes)
        )
    return results


async def _until_named(watch: FreezeWatch, stall_ms: float, within_s: float = 5.0) -> None:
    """Wait until ``watch`` has reported a stall of about ``stall_ms`` (at least half of it).

    The heartbeat records a stall at the first tick after it; the watchdog judges it on its own
    thread, which a loaded machine may run only later. Bounded: without a report the result
    simply lists none.
    """
    deadline = time.perf_counter() + within_s
    while not any(r.duration_ms >= stall_ms / 2 for r in watch.reports()):
        if time.perf_counter() > deadline:
            return
        await asyncio.sleep(0.01)


def run_bench(
    scale: BenchScale | None = None,
    scenarios: Sequence[str] | None = None,
    *,
    progress: Callable[[ScenarioResult], object] | None = None,
) -> BenchReport:
    """Run ``scenarios`` (default: all, idle first) and return the report.

    Uses the existing ``QApplication`` or creates one; runs its own qasync loop and closes it.
    Call it from the main thread, outside any running event loop.
    """
    scale = scale or BenchScale.full()
    names = list(scenarios) if scenarios else list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenario(s) {unknown}; choose from {list(SCENARIOS)}")
    if "idle" in names:  # the baseline comes first, so every delta has something to refer to
        names.remove("idle")
    names.insert(0, "idle")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    report = BenchReport(scale, machine_info())
    loop = qasync.QEventLoop(app)
    previous_loop = None
    monitor = LagMonitor()
    watch = FreezeWatch(threshold_ms=50)  # names the culprit of each stall over 50 ms

    async def main() -> None:
        monitor.start()
        watch.start()
        baseline: LagStats | None = None
        for name in names:
            (result,) = await _run_scenarios(scale, [name], monitor, baseline, watch)
            if name == "idle":
                baseline = result.lag
            report.results.append(result)
            if progress is not None:
                progress(result)
        watch.stop()
        monitor.stop()

    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
        asyncio.set_event_loop(previous_loop)
        monitor.deleteLater()
    return report
