"""FreezeWatch on real Qt event loops: plain Qt (pytest-qt's waits), qasync and QtAsyncio.

QtAsyncio ships with PySide6-Addons, not with PySide6-Essentials (which this project installs):
its tests run where it is installed and are skipped elsewhere. FreezeWatch needs nothing but a
QTimer, which every such loop serves.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPushButton

from guiapp.offload._freeze_cpu import thread_clocks_available
from guiapp.offload.freeze import FreezeReport
from guiapp.offload.qt import FreezeWatch

_BODY = json.dumps([{"id": i, "tags": ["a", "b"], "v": i / 3} for i in range(200_000)])


@pytest.fixture
def watch(qapp: object) -> Iterator[FreezeWatch]:
    w = FreezeWatch(threshold_ms=50)
    w.start()
    try:
        yield w
    finally:
        w.stop()


def assert_starved_by_the_parser(report: FreezeReport) -> None:
    """A thread holding the GIL in one C call keeps the watchdog from sampling too; it reads
    the stacks and every thread's CPU time once it gets the GIL back. With per-thread CPU time
    (Linux) the holder is named; elsewhere the report may only say it did not see it."""
    if not thread_clocks_available() and report.kind == "unknown":
        assert "before the first sample" in report.as_text(), report.as_text()
        return
    assert report.kind == "starved", report.as_text()
    assert report.thread == "json-parser", report.as_text()


def sleep_on_the_gui_thread() -> None:
    time.sleep(0.3)


def test_plain_qt_a_blocking_call_in_a_timer_callback(qtbot, watch: FreezeWatch) -> None:
    QTimer.singleShot(30, sleep_on_the_gui_thread)
    with qtbot.waitSignal(watch.frozen, timeout=10_000) as blocker:
        pass
    report = blocker.args[0]
    assert report.kind == "blocked", report.as_text()
    assert "time.sleep(0.3) in sleep_on_the_gui_thread" in report.culprit
    assert report.duration_ms > 250
    assert watch.reports()[-1] is report


def test_plain_qt_busy_in_a_clicked_slot(qtbot, watch: FreezeWatch) -> None:
    button = QPushButton("Parse")
    qtbot.addWidget(button)

    def on_click() -> None:
        json.loads(_BODY)

    button.clicked.connect(on_click)
    QTimer.singleShot(30, button.click)
    with qtbot.waitSignal(watch.frozen, timeout=10_000) as blocker:
        pass
    report = blocker.args[0]
    assert report.kind == "busy", report.as_text()
    assert "json.loads(_BODY) in on_click" in report.culprit
    assert "loads (json/__init__.py:" in report.stack


def test_plain_qt_starved_by_a_parsing_thread(qtbot, watch: FreezeWatch) -> None:
    done = threading.Event()

    def parse() -> None:
        json.loads(_BODY)
        done.wait(10)  # a pool thread lives on after its job

    worker = threading.Thread(target=parse, name="json-parser")
    QTimer.singleShot(30, worker.start)
    try:
        with qtbot.waitSignal(watch.frozen, timeout=10_000) as blocker:
            pass
    finally:
        done.set()
        worker.join(10)
    report = blocker.args[0]
    # Thread.start() waits on the GUI thread until the new thread runs: the parser takes the
    # GIL at once, so the GUI thread is stuck waiting inside start(), not in its own code.
    assert_starved_by_the_parser(report)


def test_qasync_a_coroutine_that_blocks_the_loop(
    qtbot, qloop: asyncio.AbstractEventLoop, watch: FreezeWatch
) -> None:
    span: list[float] = []

    async def handler() -> None:
        await asyncio.sleep(0.05)
        span.append(time.time())
        time.sleep(0.3)  # noqa: ASYNC251 - the freeze under test
        span.append(time.time())
        await asyncio.sleep(0.3)

    qloop.run_until_complete(handler())
    middle = sum(span) / 2

    def covering() -> list[FreezeReport]:
        # The report of this freeze: a loaded machine may add short stalls of its own (the
        # loop starting), reported too, and they must not be mistaken for it.
        return [r for r in watch.reports() if r.start <= middle <= r.start + r.duration_ms / 1000]

    qtbot.waitUntil(lambda: bool(covering()), timeout=10_000)
    report = covering()[0]
    assert report.kind == "blocked", report.as_text()
    assert "time.sleep(0.3) in handler" in report.culprit


def test_qasync_starved_while_the_loop_waits(
    qtbot, qloop: asyncio.AbstractEventLoop, watch: FreezeWatch
) -> None:
    started = threading.Event()
    go = threading.Event()
    done = threading.Event()

    def parse() -> None:
        started.set()
        go.wait(5)
        json.loads(_BODY)
        done.wait(10)  # a pool thread lives on after its job

    worker = threading.Thread(target=parse, name="json-parser")
    worker.start()
    started.wait(5)

    async def idle() -> None:
        await asyncio.sleep(0.05)
        go.set()
        await asyncio.sleep(1.5)

    try:
        qloop.run_until_complete(idle())
    finally:
        done.set()
        worker.join(10)
    # On a loaded machine the parse may outlast idle(): the report follows the freeze's end.
    qtbot.waitUntil(lambda: bool(watch.reports()), timeout=10_000)
    report = max(watch.reports(), key=lambda r: r.duration_ms)
    assert_starved_by_the_parser(report)


def test_stop_and_restart(qtbot, watch: FreezeWatch) -> None:
    assert watch.is_running()
    watch.stop()
    assert not watch.is_running()
    watch.start()
    QTimer.singleShot(30, sleep_on_the_gui_thread)
    with qtbot.waitSignal(watch.frozen, timeout=10_000):
        pass
    watch.clear()
    assert watch.reports() == []
    assert watch.threshold_ms == 50


def test_destroying_the_watch_ends_its_watchdog_thread(qtbot) -> None:
    parent = QPushButton()
    watch = FreezeWatch(parent, threshold_ms=50)
    watch.start()
    assert "freeze-watchdog" in {t.name for t in threading.enumerate()}
    parent.deleteLater()
    qtbot.waitUntil(
        lambda: "freeze-watchdog" not in {t.name for t in threading.enumerate()}, timeout=5000
    )


def _qtasyncio() -> Any:
    # Note: run(..., keep_running=False) returns only with quit_qapp=True (QtAsyncio's stop()
    # leaves exec() running otherwise); quitting ends that exec() only, the app lives on.
    return pytest.importorskip(
        "PySide6.QtAsyncio", reason="QtAsyncio ships with PySide6-Addons, not installed here"
    )


def test_qtasyncio_a_coroutine_that_blocks_the_loop(qtbot, watch: FreezeWatch) -> None:
    qt_asyncio = _qtasyncio()

    async def handler() -> None:
        await asyncio.sleep(0.05)
        time.sleep(0.3)  # noqa: ASYNC251 - the freeze under test
        await asyncio.sleep(0.3)

    qt_asyncio.run(handler(), keep_running=False, quit_qapp=True)
    qtbot.waitUntil(lambda: bool(watch.reports()), timeout=10_000)
    report = max(watch.reports(), key=lambda r: r.duration_ms)
    assert report.kind == "blocked", report.as_text()
    assert "time.sleep(0.3) in handler" in report.culprit


def test_qtasyncio_starved_while_the_loop_waits(qtbot, watch: FreezeWatch) -> None:
    qt_asyncio = _qtasyncio()
    go = threading.Event()
    done = threading.Event()

    def parse() -> None:
        go.wait(5)
        json.loads(_BODY)
        done.wait(10)  # a pool thread lives on after its job

    worker = threading.Thread(target=parse, name="json-parser")
    worker.start()

    async def idle() -> None:
        await asyncio.sleep(0.05)
        go.set()
        await asyncio.sleep(1.5)

    try:
        qt_asyncio.run(idle(), keep_running=False, quit_qapp=True)
    finally:
        done.set()
        worker.join(10)
    qtbot.waitUntil(lambda: bool(watch.reports()), timeout=10_000)
    report = max(watch.reports(), key=lambda r: r.duration_ms)
    assert_starved_by_the_parser(report)


def test_qtasyncio_gui_responsive_fails_with_the_culprit(qtbot, gui_responsive: Any) -> None:
    qt_asyncio = _qtasyncio()

    async def handler() -> None:
        await asyncio.sleep(0.05)
        time.sleep(0.3)  # noqa: ASYNC251 - the stall under test
        await asyncio.sleep(0.2)

    with (
        pytest.raises(pytest.fail.Exception, match=r"time\.sleep\(0\.3\) in handler"),
        gui_responsive(max_stall_ms=100),
    ):
        qt_asyncio.run(handler(), keep_running=False, quit_qapp=True)
