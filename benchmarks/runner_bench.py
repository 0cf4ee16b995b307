"""Benchmark of the collection runner against a plain thread pool (a script, not a test).

Run from the repository root::

    .venv/bin/python benchmarks/runner_bench.py [--requests 2000] [--concurrency 8]
                                                [--rounds 3] [--json PATH]

The demo API runs in its own process (``python -m guiapp.demo --port 0``). Each round sends
the same N GETs (``/get?i=<n>``) two ways, in alternating order:

* **runner**: :class:`guiapp.runner.CollectionRun` on an asyncio loop, requests run through an
  :class:`~guiapp.offload.Offloader` of ``concurrency`` workers, each response checked
  (``status == 200`` and a JSONPath check on the body), secrets masking on;
* **baseline**: a ``ThreadPoolExecutor(concurrency)`` mapping ``session.get`` over the URLs with
  one shared ``requests.Session`` and the same two checks done by hand.

It prints requests per second for both and the ratio (the target is runner ≥ 0.9× baseline),
and writes the figures as JSON with ``--json``.

``--gui N`` also measures the GUI: the runner *window* (offscreen Qt, qasync loop) runs a
collection of 100 requests × N/100 iterations at concurrency 8 while a 5 ms heartbeat
(``LagMonitor``) measures the GUI thread's lag; an idle stretch of the same length, measured
first in the same run, is the baseline (targets: p99 within 2 ms of idle, max ≤ 16 ms). As in
the app, the cyclic garbage collector runs on the GUI thread only (``GuiThreadGarbageCollector``)
and the objects made before the run are frozen out of it (``gc.freeze()``). It
also times what the window itself does on the GUI thread during the run: each batch of results
applied to the table (``RunResultsModel._apply``) and each refresh of the progress bar and
counts (``RunnerWindow._show_counts``), so a stall can be told apart from the window's own work.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from guiapp.core.checks import Check  # noqa: E402
from guiapp.core.request import RequestSpec  # noqa: E402
from guiapp.core.request_tests import RequestTests  # noqa: E402
from guiapp.core.transport import make_session, send  # noqa: E402
from guiapp.offload import Offloader  # noqa: E402
from guiapp.runner import CollectionRun, PlannedRequest, RunOptions  # noqa: E402

TESTS = RequestTests(checks=(Check("status", "==", 200), Check("body", "exists", path="$.args.i")))


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "guiapp.demo", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    url = line.split(" on ", 1)[1].split()[0]
    return proc, url


def run_runner(url: str, n: int, concurrency: int) -> float:
    plan = [
        PlannedRequest(
            f"r{i}.toml", f"r{i}", RequestSpec(url=f"{url}/get?i={i}"), TESTS, frozenset()
        )
        for i in range(n)
    ]

    async def main() -> float:
        offloader = Offloader(max_workers=concurrency, name="bench-run")
        session = make_session()
        run = CollectionRun(
            plan,
            {},
            RunOptions(concurrency=concurrency),
            call=lambda fn: offloader.submit(fn),
            send=partial(send, session=session),
            secrets=["not-in-any-response"],
        )
        t0 = time.perf_counter()
        summary = await run.run()
        took = time.perf_counter() - t0
        offloader.close(1.0)
        session.close()
        assert summary.requests == n
        assert summary.failed_requests == 0, [r.failures() for r in summary.results if not r.passed]
        return took

    return asyncio.run(main())


def run_baseline(url: str, n: int, concurrency: int) -> float:
    session = requests.Session()

    def one(i: int) -> bool:
        r = session.get(f"{url}/get?i={i}", timeout=30)
        return r.status_code == 200 and "i" in r.json()["args"]

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        ok = all(pool.map(one, range(n)))
    took = time.perf_counter() - t0
    session.close()
    assert ok
    return took


def measure_gui(url: str, requests_total: int) -> dict[str, object]:
    """Run ``requests_total`` requests in the runner window; GUI lag idle vs running."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from guiapp.core.collections import Collection
    from guiapp.offload.qt import GuiThreadGarbageCollector, LagMonitor
    from guiapp.ui.runner import RunnerWindow, RunResultsModel, RunTarget

    parts: dict[str, list[float]] = {"table batch": [], "counts refresh": []}
    originals = [(RunResultsModel, "_apply"), (RunnerWindow, "_show_counts")]
    for (cls, name), key in zip(originals, parts, strict=True):
        setattr(cls, name, _timed(getattr(cls, name), parts[key]))

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    root = tempfile.mkdtemp(prefix="runner-bench-")
    col = Collection.create(os.path.join(root, "api"), name="Bench")
    for i in range(100):
        rel = col.new_request("", f"r{i:03d}", RequestSpec(url=f"{url}/get?i={i}"))
        col.save_tests(rel, TESTS)
    offloader = Offloader(max_workers=16, name="bench-window")
    session = make_session()
    window = RunnerWindow(
        RunTarget("Bench", col), offloader=offloader, send=partial(send, session=session)
    )
    # As the app runs: cyclic GC only on the GUI thread, start-up objects frozen out of it.
    collector = GuiThreadGarbageCollector(app)
    gc.freeze()
    window.iterations.setValue(max(1, requests_total // 100))
    window.concurrency.setValue(8)
    window.show()
    monitor = LagMonitor()

    async def measure() -> dict[str, object]:
        monitor.start()
        await asyncio.sleep(3.0)
        idle = monitor.snapshot()
        monitor.reset()
        t0 = time.perf_counter()
        finished: asyncio.Future[object] = loop.create_future()
        window.runFinished.connect(lambda s: finished.done() or finished.set_result(s))
        window.start()
        await finished
        run_s = time.perf_counter() - t0
        running = monitor.snapshot()
        samples = monitor.samples()
        monitor.stop()
        if os.environ.get("RUNNER_BENCH_TRACE"):
            big = [
                (round(sum(samples[:i]) / 1000 + i * 0.005, 3), round(v, 1))
                for i, v in enumerate(samples)
                if v > 16
            ]
            print("stalls > 16 ms (s into the run, ms):", big[:40])
        summary = window.summary
        return {
            "requests": summary.requests,
            "failed": summary.failed_requests,
            "run_s": run_s,
            "idle": idle.to_dict(),
            "running": running.to_dict(),
            "delta_p99_ms": running.p99_ms - idle.p99_ms,
            "gui_thread": {key: _spread(times) for key, times in parts.items()},
        }

    try:
        with loop:
            return loop.run_until_complete(measure())
    finally:
        window.close()
        offloader.close(1.0)
        session.close()
        collector.uninstall()
        gc.unfreeze()


def _timed(method: Any, into: list[float]) -> Any:
    def timed(self: object, *args: object) -> object:
        t0 = time.perf_counter()
        try:
            return method(self, *args)
        finally:
            into.append((time.perf_counter() - t0) * 1000)

    return timed


def _spread(times: list[float]) -> dict[str, float]:
    ordered = sorted(times) or [0.0]
    return {
        "count": len(times),
        "total_ms": sum(times),
        "p50_ms": ordered[len(ordered) // 2],
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max_ms": ordered[-1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument(
        "--gui",
        type=int,
        default=0,
        metavar="N",
        help="also run N requests in the runner window and measure GUI lag",
    )
    args = parser.parse_args(argv)
    proc, url = start_server()
    gui: dict[str, object] = {}
    try:
        if args.gui:
            gui = measure_gui(url, args.gui)
        run_baseline(url, 100, args.concurrency)  # warm up both paths and the server
        run_runner(url, 100, args.concurrency)
        runner_rps: list[float] = []
        baseline_rps: list[float] = []
        for r in range(args.rounds):
            order = [("runner", run_runner), ("baseline", run_baseline)]
            if r % 2:
                order.reverse()
            for name, fn in order:
                took = fn(url, args.requests, args.concurrency)
                (runner_rps if name == "runner" else baseline_rps).append(args.requests / took)
    finally:
        proc.terminate()
        proc.wait(10)
    runner, baseline = statistics.median(runner_rps), statistics.median(baseline_rps)
    if gui:
        print(f"GUI lag, runner window, {gui['requests']} requests at concurrency 8:")
        print(f"{'':10} {'p50':>7} {'p99':>7} {'max':>7}  (ms)")
        for name in ("idle", "running"):
            row = gui[name]
            assert isinstance(row, dict)
            print(f"{name:10} {row['p50_ms']:7.2f} {row['p99_ms']:7.2f} {row['max_ms']:7.2f}")
        print(f"run took {gui['run_s']:.1f} s; Δp99 {gui['delta_p99_ms']:+.2f} ms")
        print("the window's own work on the GUI thread (ms):")
        parts = gui["gui_thread"]
        assert isinstance(parts, dict)
        for name, row in parts.items():
            print(
                f"  {name:15} {row['count']:6.0f} times, {row['total_ms']:7.0f} in all, "
                f"p50 {row['p50_ms']:.2f}, p99 {row['p99_ms']:.2f}, max {row['max_ms']:.2f}"
            )
        print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    print(f"{args.requests} GETs at concurrency {args.concurrency}, {args.rounds} rounds (median)")
    print(f"{'':10} {'req/s':>8}  rounds")
    print(f"{'runner':10} {runner:8.0f}  {', '.join(f'{x:.0f}' for x in runner_rps)}")
    print(f"{'baseline':10} {baseline:8.0f}  {', '.join(f'{x:.0f}' for x in baseline_rps)}")
    print(f"ratio runner/baseline: {runner / baseline:.2f}x (target >= 0.90x)")
    if args.json:
        result = {
            "requests": args.requests,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "runner_rps": runner_rps,
            "baseline_rps": baseline_rps,
            "ratio": runner / baseline,
            "gui": gui,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "python": platform.python_version(),
            "load_average_1m": os.getloadavg()[0],
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
