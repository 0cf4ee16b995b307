"""The strategies are not equivalent for the user: the contrast measured with LagMonitor.

With 50 slow requests in flight (demo ``/delay/3``, one per tab) the GUI heartbeat stays within
a frame for the two offloading strategies; the gui-thread strategy freezes the window for the
whole request (a stall well over the 50 ms "long task" budget). Two requests are enough to show
that, and 50 sequential one-second freezes would only make the test slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from guiapp.core.request import RequestSpec
from guiapp.offload.qt import LagMonitor
from guiapp.ui.main_window import MainWindow
from tests.ui.conftest import run_for, wait_until


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """The demo API in its own process: its 50 busy threads must not compete with the GUI
    thread for this process's GIL, or we would measure the server, not the strategies."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "guiapp.demo", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        assert proc.stdout is not None
        match = re.search(r"(http://127\.0\.0\.1:\d+)", proc.stdout.readline())
        assert match, "the demo server did not start"
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _measure(
    window: MainWindow,
    loop: asyncio.AbstractEventLoop,
    base: str,
    strategy: str,
    count: int,
    delay: int = 3,
    guard: contextlib.AbstractContextManager[Any] | None = None,
) -> tuple[Any, float]:
    tabs = [
        window.open_tab(RequestSpec(url=f"{base}/delay/{delay}", params=[("n", str(i))]))
        for i in range(count)
    ]
    monitor = LagMonitor(window, window=100_000)
    monitor.start()
    run_for(loop, 0.3)  # idle baseline samples in the same window
    with guard or contextlib.nullcontext():
        elapsed = _send_all(window, loop, tabs, strategy)
    run_for(loop, 0.1)
    monitor.stop()
    return monitor.snapshot(), elapsed


def _send_all(
    window: MainWindow, loop: asyncio.AbstractEventLoop, tabs: list[Any], strategy: str
) -> float:
    count = len(tabs)
    peak = 0

    def note_in_flight() -> None:
        nonlocal peak
        peak = max(peak, sum(t.in_flight for t in tabs))

    def all_answered() -> bool:
        note_in_flight()
        return all(t.outcome.kind == "response" for t in tabs)

    started = time.monotonic()
    for tab in tabs:
        # Paced like rapid clicks (10 ms apart): with /delay/3 all 50 are in flight together
        # for about two seconds. Starting 50 sends in one loop turn is not something a user
        # can do.
        window.send_tab(tab, strategy)
        run_for(loop, 0.01)
        note_in_flight()
    # Concurrency is the peak number in flight, sampled at every check until all are done
    # (not at one instant: on a loaded machine the pacing stretches and the first requests
    # may already be answered when the last one starts).
    wait_until(loop, all_answered, timeout=60)
    if count > 2:
        assert peak > 0.8 * count, f"at most {peak} of {count} in flight together"
    return time.monotonic() - started


@pytest.mark.parametrize("strategy", ["asyncio-executor", "qthread"])
def test_offloaded_strategies_keep_the_gui_responsive(
    window: MainWindow,
    ui_loop: asyncio.AbstractEventLoop,
    server_url: str,
    strategy: str,
    gui_responsive: Any,
) -> None:
    # gui_responsive fails the test with the code that froze the GUI, should a send block it.
    guard = gui_responsive(max_stall_ms=2500)
    stats, elapsed = _measure(window, ui_loop, server_url, strategy, 50, guard=guard)
    print(f"{strategy}: 50 x /delay/3 in {elapsed:.2f} s, lag {stats.to_dict()}")
    assert elapsed < 75.0, "the 50 requests did not run concurrently"  # in turn: 150 s
    assert stats.samples > 100
    # Sanity bounds only (10x the 50 ms "long task" budget for p99; the max, the guard's budget
    # above, below one blocked /delay/3): the measured targets live in the benchmarks
    # (python -m guiapp.bench, against an idle baseline of the same run). Quiet machine: p99
    # ~10-25 ms, max ~40-70 ms.
    assert stats.p99_ms < 500.0, stats


def test_gui_thread_strategy_freezes_the_window(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop, server_url: str
) -> None:
    stats, elapsed = _measure(window, ui_loop, server_url, "gui-thread", 2, delay=1)
    print(f"gui-thread: 2 x /delay/1 in {elapsed:.2f} s, lag {stats.to_dict()}")
    assert stats.max_ms > 800.0, stats  # the heartbeat stood still for the whole request
    assert stats.stalls >= 1
    assert elapsed > 1.8  # and the requests ran one after the other
    # Each freeze is on record, with the socket read inside the transport as the culprit.
    reports = window.freeze_watch.reports()
    sends = [r for r in reports if "  send (guiapp/core/transport.py:" in r.stack]
    assert len(sends) == 2, [r.summary() for r in reports]
    assert all(r.kind == "blocked" and "recv" in r.culprit for r in sends), sends
    assert all(r.duration_ms > 800 for r in sends), sends
