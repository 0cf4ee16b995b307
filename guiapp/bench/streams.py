"""``python -m guiapp.bench --only streams``: a fast event stream into the window, three ways.

A demo server in **another process** sends Server-Sent Events at ``rate`` per second for
``seconds`` seconds. The same transport (:func:`~guiapp.core.send`, parsing in a worker thread)
hands the events to the GUI thread, where each design feeds the same consumer (the Stream view
over a :class:`~guiapp.core.stream_log.StreamLog`, shown offscreen), while a 5 ms heartbeat
measures GUI lag:

- ``channel``: the item channel (``emit_many`` per read, batches at most once per frame,
  back-pressure) — what the window does;
- ``qt_signal_per_event``: the worker emits a queued Qt signal per event;
- ``call_soon_per_event``: the worker calls ``loop.call_soon_threadsafe`` per event;
- ``channel_process``: the item channel with ``send`` (and its parser) in a worker *process*
  (:class:`~guiapp.offload.ProcessOffloader`, items pickled in batches): the GUI thread no
  longer shares the GIL with the parser.

Reported per design: events received on the GUI thread by the time the server finished, events
lost (still missing after a bounded drain), the time to drain, GUI lag p50/p99/max and its p99
over the idle baseline measured in the same run, hand-overs to the GUI thread, RSS growth. Then
the latency at a slow rate (10 events/s): server write → row inserted in the view's model.

Example::

    python -m guiapp.bench --only streams --json streams.json
    python -m guiapp.bench --only streams --quick
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import psutil
import qasync
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from guiapp.bench.runner import machine_info
from guiapp.core.jobs import JobControl, bind_job
from guiapp.core.request import RequestSpec
from guiapp.core.stream_log import StreamLog
from guiapp.core.streams import StreamEvent
from guiapp.core.transport import send
from guiapp.demo._process import DemoProcess
from guiapp.offload import Offloader, ProcessOffloader
from guiapp.offload.qt import LagMonitor
from guiapp.offload.stats import LagStats, percentile, summarize
from guiapp.ui.response_stream import ResponseStream

__all__ = ["StreamBenchResult", "StreamScale", "run_stream_bench"]

_DRAIN_LIMIT = 60.0
_SENT = re.compile(r'"sent": ([0-9.]+)|sent ([0-9.]+)')


@dataclass(frozen=True, slots=True)
class StreamScale:
    """Rate and duration of the fast stream, and of the latency run.

    >>> StreamScale().rate, StreamScale.quick().seconds
    (50000, 3.0)
    """

    rate: int = 50_000
    seconds: float = 10.0
    latency_rate: int = 10
    latency_events: int = 50
    idle_seconds: float = 2.0

    @classmethod
    def quick(cls) -> StreamScale:
        return cls(rate=20_000, seconds=3.0, latency_events=20, idle_seconds=1.0)


@dataclass
class StreamBenchResult:
    """One design's numbers (see the module docstring)."""

    name: str
    sent: int = 0
    received_at_end: int = 0
    received: int = 0
    drain_s: float = 0.0
    wall_s: float = 0.0
    handovers: int = 0
    rss_growth_mb: float = 0.0
    lag: dict[str, float | int] = field(default_factory=dict)
    p99_over_idle_ms: float = 0.0
    latency_p50_ms: float | None = None
    latency_p99_ms: float | None = None
    latency_max_ms: float | None = None

    @property
    def lost(self) -> int:
        return self.sent - self.received


class _Relay(QObject):
    arrived = Signal(object)


class _SignalPerEvent:
    """Naive design: one queued Qt signal per event."""

    def __init__(self, relay: _Relay) -> None:
        self._relay = relay

    def put_many(self, items: Iterable[Any], /) -> None:
        for item in items:
            self._relay.arrived.emit(item)


class _CallSoonPerEvent:
    """Naive design: one ``call_soon_threadsafe`` per event."""

    def __init__(self, loop: asyncio.AbstractEventLoop, deliver: Callable[[Any], object]) -> None:
        self._loop = loop
        self._deliver = deliver

    def put_many(self, items: Iterable[Any], /) -> None:
        for item in items:
            self._loop.call_soon_threadsafe(self._deliver, item)


def _counter_spec(base: str, n: int, rate: int) -> RequestSpec:
    return RequestSpec(url=f"{base}/sse/counter", params=(("n", str(n)), ("rate", str(rate))))


def count_stream(spec: RequestSpec) -> int:
    """Send ``spec`` (its events go to the job's channel); the number of events parsed."""
    with send(spec) as response:
        return response.stream.events if response.stream is not None else 0


def _rss() -> int:
    return int(psutil.Process().memory_info().rss)


async def _wait(predicate: Callable[[], bool], limit: float) -> float:
    started = time.monotonic()
    while not predicate() and time.monotonic() - started < limit:  # noqa: ASYNC110 - a count
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def _run_design(
    name: str,
    base: str,
    scale: StreamScale,
    view: ResponseStream,
    monitor: LagMonitor,
    idle: LagStats,
) -> StreamBenchResult:
    n = int(scale.rate * scale.seconds)
    spec = _counter_spec(base, n, scale.rate)
    log = StreamLog()
    view.show_log(log)
    result = StreamBenchResult(name, sent=n)
    rss_before = _rss()
    monitor.reset()
    started = time.perf_counter()
    loop = asyncio.get_running_loop()

    def one(event: StreamEvent) -> None:
        result.handovers += 1
        log.append((event,))

    if name in ("channel", "channel_process"):
        pool: Offloader | ProcessOffloader = (
            Offloader(max_workers=1, name="bench-stream")
            if name == "channel"
            else ProcessOffloader(max_workers=1, name="bench-stream-process")
        )
        job = pool.submit(count_stream, spec)

        def batch(events: list[StreamEvent]) -> None:
            result.handovers += 1
            log.append(events)

        job.add_items_callback(batch)
        await job
        await pool.aclose()
    else:
        control = JobControl()
        relay = _Relay()
        relay.arrived.connect(one, Qt.ConnectionType.QueuedConnection)
        naive = name == "qt_signal_per_event"
        control.item_sink = _SignalPerEvent(relay) if naive else _CallSoonPerEvent(loop, one)
        done = threading.Event()
        errors: list[BaseException] = []

        def worker() -> None:
            with bind_job(control):
                try:
                    send(spec).close()
                except BaseException as exc:
                    errors.append(exc)
                finally:
                    done.set()

        threading.Thread(target=worker, name=f"bench-{name}", daemon=True).start()
        while not done.is_set():  # noqa: ASYNC110 - a plain thread's end
            await asyncio.sleep(0.01)
        if errors:
            raise errors[0]
    result.wall_s = time.perf_counter() - started
    result.received_at_end = len(log)
    result.drain_s = await _wait(lambda: len(log) >= n, _DRAIN_LIMIT)
    await _wait(lambda: view.shown_count() >= len(log), 5.0)
    result.received = len(log)
    lag = monitor.snapshot()
    result.lag = lag.to_dict()
    result.p99_over_idle_ms = lag.p99_ms - idle.p99_ms
    result.rss_growth_mb = (_rss() - rss_before) / 1e6
    view.show_log(None)
    log.close()
    return result


async def _run_latency(base: str, scale: StreamScale, view: ResponseStream) -> StreamBenchResult:
    n = scale.latency_events
    log = StreamLog()
    view.show_log(log)
    latencies: list[float] = []

    def on_rows(_parent: Any, first: int, last: int) -> None:
        now = time.time()
        for row in range(first, last + 1):
            event = view.model.event_at(row)
            match = _SENT.search(event.data) if event is not None else None
            if match:
                latencies.append((now - float(match.group(1) or match.group(2))) * 1000)

    view.model.rowsInserted.connect(on_rows)
    pool = Offloader(max_workers=1, name="bench-latency")
    try:
        job = pool.submit(send, _counter_spec(base, n, scale.latency_rate))
        job.add_items_callback(log.append)
        (await job).close()
        await _wait(lambda: view.shown_count() >= n, 5.0)
    finally:
        view.model.rowsInserted.disconnect(on_rows)
        await pool.aclose()
        view.show_log(None)
        log.close()
    result = StreamBenchResult(f"latency@{scale.latency_rate}/s", sent=n, received=len(latencies))
    if latencies:
        result.latency_p50_ms = percentile(latencies, 50)
        result.latency_p99_ms = percentile(latencies, 99)
        result.latency_max_ms = max(latencies)
    return result


def run_stream_bench(scale: StreamScale | None = None) -> dict[str, Any]:
    """Run every design and the latency run; return the report as a dict (JSON-ready)."""
    scale = scale or StreamScale()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    monitor = LagMonitor()
    view = ResponseStream(Offloader(max_workers=1, name="bench-filter"))  # filter unused
    view.resize(900, 500)
    view.show()
    results: list[StreamBenchResult] = []
    report: dict[str, Any] = {"scale": asdict(scale), "machine": machine_info()}
    server = DemoProcess().start()

    async def main() -> None:
        # Unmeasured warm-up: imports, the first connection and the view's first paint.
        warm = StreamScale(rate=1_000, seconds=0.5, idle_seconds=0.0)
        monitor.start()
        await _run_design("channel", server.url, warm, view, monitor, summarize([]))
        await asyncio.sleep(scale.idle_seconds)
        idle = monitor.snapshot()
        report["idle"] = idle.to_dict()
        for name in ("channel", "qt_signal_per_event", "call_soon_per_event", "channel_process"):
            result = await _run_design(name, server.url, scale, view, monitor, idle)
            print(f"  {name}: {result.received:,}/{result.sent:,} events", file=sys.stderr)
            results.append(result)
        results.append(await _run_latency(server.url, scale, view))
        monitor.stop()

    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(main())
    finally:
        server.stop()
        loop.close()
        asyncio.set_event_loop(None)
        view.close()
    report["results"] = [{**asdict(r), "lost": r.lost} for r in results]
    return report


def format_table(report: dict[str, Any]) -> str:
    """The report as a Markdown table (what the docs quote)."""
    idle = report["idle"]
    lines = [
        f"idle baseline: p50 {idle['p50_ms']:.2f} ms, p99 {idle['p99_ms']:.2f} ms, "
        f"max {idle['max_ms']:.1f} ms",
        "",
        "| design | events sent | stream wall (s) | received by the end | lost | drain (s) "
        "| hand-overs | lag p99 (ms) | p99 over idle (ms) | lag max (ms) | stalls > 50 ms "
        "| RSS growth (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        if r["latency_p50_ms"] is not None or not r["lag"]:
            continue
        lag = r["lag"]
        lines.append(
            f"| {r['name']} | {r['sent']:,} | {r['wall_s']:.1f} | {r['received_at_end']:,} "
            f"| {r['lost']:,} "
            f"| {r['drain_s']:.2f} | {r['handovers']:,} | {lag['p99_ms']:.2f} "
            f"| {r['p99_over_idle_ms']:+.2f} | {lag['max_ms']:.1f} | {lag['stalls']} "
            f"| {r['rss_growth_mb']:.1f} |"
        )
    for r in report["results"]:
        if r["latency_p50_ms"] is not None:
            lines.append("")
            lines.append(
                f"latency at {report['scale']['latency_rate']} events/s (server write → row in "
                f"the view's model), {r['received']} events: p50 {r['latency_p50_ms']:.1f} ms, "
                f"p99 {r['latency_p99_ms']:.1f} ms, max {r['latency_max_ms']:.1f} ms"
            )
    return "\n".join(lines)


def main(quick: bool = False, json_path: str | None = None) -> int:
    """Run, print the table, optionally write the JSON report."""
    scale = StreamScale.quick() if quick else StreamScale()
    report = run_stream_bench(scale)
    print(format_table(report))
    if json_path:
        with open(json_path, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=2)
            out.write("\n")
    return 0
