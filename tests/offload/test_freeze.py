"""FreezeWatchdog without Qt: a minimal event loop on the test thread ticks the heartbeat.

Each test freezes that loop one known way and checks the verdict and the culprit the report
names: busy in Python, busy in a C call holding the GIL (json.loads), blocked in a call
(sleep, socket recv), starved of the GIL by another thread.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from guiapp.offload._freeze_cpu import thread_clocks_available
from guiapp.offload.freeze import FreezeReport, FreezeWatchdog

THRESHOLD_MS = 50.0
_BODY = json.dumps([{"id": i, "tags": ["a", "b", "c"], "v": i * 0.5} for i in range(200_000)])


def run_loop(
    dog: FreezeWatchdog, work: Callable[[], object], *, before: float = 0.1, after: float = 0.3
) -> list[FreezeReport]:
    """Tick every 5 ms for ``before`` s, call ``work`` once, tick for ``after`` s more."""
    dog.start()
    try:
        frame = sys._getframe()
        deadline = time.perf_counter() + before
        while time.perf_counter() < deadline:
            dog.tick(frame)
            time.sleep(0.005)
        work()
        deadline = time.perf_counter() + after
        while time.perf_counter() < deadline:
            dog.tick(frame)
            time.sleep(0.005)
        dog.tick(frame)  # a freeze that outlasted the loop ends here, before the stop
    finally:
        dog.stop(timeout=10)  # a loaded machine may still be judging the last freeze
    return dog.reports()


def _longest(reports: list[FreezeReport]) -> FreezeReport:
    assert reports, "no freeze was reported"
    return max(reports, key=lambda r: r.duration_ms)


def spin(seconds: float) -> int:
    total, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        total += 1
    return total


def parse_document() -> object:
    return json.loads(_BODY)


def test_busy_in_python_names_the_function() -> None:
    report = _longest(run_loop(FreezeWatchdog(THRESHOLD_MS), lambda: spin(0.3)))
    assert report.kind == "busy", report.as_text()
    assert "spin" in report.culprit
    assert report.verdict.startswith("GUI thread busy in ")
    assert report.duration_ms > 250
    assert report.thread == threading.current_thread().name
    assert report.samples
    assert all(s.gui for s in report.samples)


_NATIVE_SCENARIO = """
from guiapp.offload.freeze import FreezeWatchdog
from tests.offload.test_freeze import THRESHOLD_MS, _longest, parse_document, run_loop
report = _longest(run_loop(FreezeWatchdog(THRESHOLD_MS, native_dumps=True), parse_document))
print(report.kind)
print("json.loads(_BODY) in parse_document" in report.culprit)
print("loads (json/__init__.py:" in report.stack)
print(any(s.source == "native" for s in report.samples))
"""


def test_busy_in_a_c_call_holding_the_gil_is_read_from_native_dumps() -> None:
    # faulthandler's dumps read stacks without the GIL and can crash the interpreter when
    # another thread's frames change meanwhile: the opt-in path runs in a process of its own,
    # where the only other threads are the watchdog's.
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _NATIVE_SCENARIO],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["busy", "True", "True", "True"], done.stdout


def test_native_dumps_are_off_by_default() -> None:
    dog = FreezeWatchdog(THRESHOLD_MS)
    assert dog._want_dumps is False


def test_sleep_is_blocked_in_a_call() -> None:
    report = _longest(run_loop(FreezeWatchdog(THRESHOLD_MS), lambda: time.sleep(0.3)))
    assert report.kind == "blocked", report.as_text()
    assert "time.sleep(0.3)" in report.culprit
    assert report.verdict == f"GUI thread blocked in a call: {report.culprit}"
    assert report.stack.splitlines()[0].lstrip().startswith("<lambda> (")


def test_socket_recv_is_blocked_in_a_call() -> None:
    left, right = socket.socketpair()
    timer = threading.Timer(0.3, right.sendall, (b"late",))

    def receive() -> bytes:
        timer.start()
        return left.recv(16)

    try:
        report = _longest(run_loop(FreezeWatchdog(THRESHOLD_MS), receive))
    finally:
        timer.join(5)
        left.close()
        right.close()
    assert report.kind == "blocked", report.as_text()
    assert "left.recv(16) in receive" in report.culprit


def starved_report(*, native_dumps: bool) -> FreezeReport:
    """A worker thread parses a big document (holding the GIL) while the loop waits."""
    ready = threading.Event()
    go = threading.Event()
    done = threading.Event()
    parsed: list[object] = []  # kept: freeing the document is a GIL-holding stall of its own

    def parser() -> None:
        ready.set()
        go.wait(5)
        parsed.append(parse_document())
        done.wait(10)  # like a pool's thread, it lives on after its job

    worker = threading.Thread(target=parser, name="parser-7")
    worker.start()
    ready.wait(5)
    try:
        dog = FreezeWatchdog(THRESHOLD_MS, native_dumps=native_dumps)
        return _longest(run_loop(dog, go.set, after=1.0))
    finally:
        done.set()
        worker.join(10)


_STARVED_SCENARIO = """
from tests.offload.test_freeze import starved_report
report = starved_report(native_dumps=True)
print(report.kind)
print(report.thread)
print(report.verdict.startswith("GUI thread starved of the GIL by thread parser-7 in "))
print("parse_document" in report.culprit)
print("loads (json/__init__.py:" in report.stack)
"""


def test_a_thread_holding_the_gil_starves_the_loop_and_is_named_from_native_dumps() -> None:
    # The opt-in diagnostic path (faulthandler's dumps can crash the interpreter), in a process
    # of its own.
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _STARVED_SCENARIO],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["starved", "parser-7", "True", "True", "True"], done.stdout


@pytest.mark.skipif(
    not thread_clocks_available(), reason="needs per-thread CPU time (Linux) to name the holder"
)
def test_a_thread_holding_the_gil_is_named_without_native_dumps() -> None:
    # The default path: the watchdog cannot run while the parser holds the GIL, but it reads
    # the stacks and every thread's CPU time the moment it gets the GIL back.
    report = starved_report(native_dumps=False)
    assert report.kind == "starved", report.as_text()
    assert report.thread == "parser-7", report.as_text()
    assert report.cpu_ms, report.as_text()  # read per thread, shown in the report
    # Its stack is read as it lets the GIL go: still in the parse (the call itself), or
    # already returned from it, which the verdict then says instead of blaming another frame.
    assert (
        "parse_document" in report.culprit
        or "had returned before its stack could be sampled" in report.verdict
    ), report.as_text()


def test_no_report_without_a_freeze() -> None:
    # A generous threshold: a loaded test machine may pause any process for a few tens of ms.
    assert run_loop(FreezeWatchdog(300.0), lambda: spin(0.02)) == []


def test_a_stall_under_the_threshold_is_not_reported() -> None:
    assert run_loop(FreezeWatchdog(400.0), lambda: time.sleep(0.1)) == []


def test_reports_are_kept_and_cleared_and_delivered() -> None:
    delivered: list[FreezeReport] = []
    dog = FreezeWatchdog(THRESHOLD_MS, on_freeze=delivered.append)
    reports = run_loop(dog, lambda: time.sleep(0.2))
    assert reports
    assert delivered == reports
    assert not dog.is_running()
    dog.clear()
    assert dog.reports() == []


def test_report_as_text_and_dict() -> None:
    report = _longest(run_loop(FreezeWatchdog(THRESHOLD_MS), lambda: time.sleep(0.2)))
    text = report.as_text()
    assert text.splitlines()[0].startswith("GUI thread frozen for ")
    assert report.verdict in text
    assert report.stack in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["kind"] == "blocked"
    assert data["culprit"] == report.culprit
    assert data["samples"] == len(report.samples)


@pytest.mark.parametrize("bad", [{"threshold_ms": 0}, {"sample_interval_ms": -1}])
def test_invalid_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        FreezeWatchdog(**bad)


def test_stop_ends_the_thread_while_the_heartbeat_is_silent() -> None:
    dog = FreezeWatchdog(THRESHOLD_MS)
    dog.start()
    dog.tick()
    time.sleep(0.2)  # no ticks: the watchdog is following a "freeze" when asked to stop
    dog.stop(timeout=5)
    assert not dog.is_running()
    assert dog.reports() == []  # a freeze still going on when stopped is not reported
