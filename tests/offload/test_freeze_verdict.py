"""The verdict logic of freeze reports, fed with made-up samples and CPU times (no threads).

A sample holds each thread's stack, innermost frame first, as ``(code, lasti, file, line,
function)``; ``cpu_ms`` is what each thread used over the freeze. These cases pin down how the
stacks, the watchdog's own wake-up lag and the per-thread CPU times combine into a verdict.
"""

from __future__ import annotations

import json

import pytest

from guiapp.offload._freeze_cpu import ThreadClocks, cpu_used_ms, thread_clocks_available
from guiapp.offload._freeze_stacks import RawFrame, RawStack
from guiapp.offload._freeze_verdict import FreezeReport, RawSample, build_report

GUI, WORKER, OTHER = 1, 2, 3
NAMES = {GUI: "MainThread", WORKER: "offload-3", OTHER: "offload-4"}
APP = "/home/me/app/main.py"
JSON_DECODER = json.decoder.__file__
QUEUE = json.__file__.replace("json/__init__.py", "queue.py")
THREADING = json.__file__.replace("json/__init__.py", "threading.py")
LOOP_FRAME = (APP, 90, "main")


def frame(filename: str, lineno: int, function: str) -> RawFrame:
    return (None, -1, filename, lineno, function)


IN_LOOP: RawStack = (frame(APP, 90, "main"),)
PARSING: RawStack = (
    frame(JSON_DECODER, 353, "raw_decode"),
    frame(APP, 12, "parse_document"),
    frame(APP, 40, "worker_main"),
)
WAITING_FOR_WORK: RawStack = (
    frame(THREADING, 320, "wait"),
    frame(QUEUE, 171, "get"),
    frame(APP, 38, "worker_main"),
)
GUI_SETS_AN_EVENT: RawStack = (
    frame(THREADING, 271, "__enter__"),
    frame(THREADING, 597, "set"),
    frame(APP, 70, "on_click"),
)


def judge(
    samples: list[RawSample], cpu: dict[int, float] | None, duration_ms: float = 600.0
) -> FreezeReport:
    return build_report(
        start=0.0,
        duration_ms=duration_ms,
        threshold_ms=50.0,
        gui_ident=GUI,
        loop_frame=LOOP_FRAME,
        samples=samples,
        names=NAMES,
        switch_interval_ms=5.0,
        cpu_ms=cpu,
    )


def sample(at_ms: float, lag_ms: float | None, **stacks: RawStack) -> RawSample:
    by_ident = {GUI: stacks["gui"]}
    if "worker" in stacks:
        by_ident[WORKER] = stacks["worker"]
    if "other" in stacks:
        by_ident[OTHER] = stacks["other"]
    return RawSample(at_ms, False, by_ident, lag_ms)


def test_the_thread_that_used_the_cpu_while_the_watchdog_waited_is_the_gil_holder() -> None:
    # The watchdog woke 560 ms late: it read the stacks at once; the parser had just let go.
    samples = [sample(600.0, 560.0, gui=IN_LOOP, worker=PARSING, other=WAITING_FOR_WORK)]
    report = judge(samples, {GUI: 3.0, WORKER: 540.0, OTHER: 0.5})
    assert report.kind == "starved", report.as_text()
    assert report.thread == "offload-3"
    assert report.verdict.startswith("GUI thread starved of the GIL by thread offload-3 in ")
    assert "parse_document (/home/me/app/main.py:12)" in report.culprit
    assert report.stack.splitlines()[0].lstrip().startswith("raw_decode (json/decoder.py:353)")
    assert list(report.cpu_ms) == ["offload-3", "MainThread", "offload-4"]  # busiest first
    assert "CPU time during the freeze: offload-3 540 ms, MainThread 3 ms" in report.as_text()
    assert report.to_dict()["cpu_ms"]["offload-3"] == 540.0


def test_the_holder_is_named_even_when_the_gui_thread_was_in_code_of_its_own() -> None:
    # The GUI thread was setting an event (which needs the GIL) when the parser took it.
    samples = [
        sample(60.0, 2.0, gui=GUI_SETS_AN_EVENT, worker=PARSING),
        sample(65.0, 1.0, gui=GUI_SETS_AN_EVENT, worker=PARSING),
        sample(610.0, 540.0, gui=IN_LOOP, worker=PARSING),
    ]
    report = judge(samples, {GUI: 4.0, WORKER: 520.0})
    assert report.kind == "starved", report.as_text()
    assert report.thread == "offload-3"


def test_without_cpu_times_the_stacks_decide_as_before() -> None:
    samples = [sample(600.0, 560.0, gui=IN_LOOP, worker=PARSING, other=WAITING_FOR_WORK)]
    report = judge(samples, None)
    assert report.kind == "starved", report.as_text()
    assert report.thread == "offload-3"
    assert report.cpu_ms == {}
    assert "CPU time" not in report.as_text()


def test_a_holder_whose_call_had_returned_is_named_without_a_misleading_culprit() -> None:
    samples = [sample(600.0, 560.0, gui=IN_LOOP, worker=WAITING_FOR_WORK)]
    report = judge(samples, {GUI: 2.0, WORKER: 500.0})
    assert report.kind == "starved", report.as_text()
    assert report.thread == "offload-3"
    assert report.culprit == ""
    assert "had returned before its stack could be sampled" in report.verdict


def test_two_threads_that_worked_alike_are_not_told_apart_by_cpu() -> None:
    # Both used the CPU: the stacks decide (the one seen running, not the one waiting).
    samples = [sample(600.0, 560.0, gui=IN_LOOP, worker=WAITING_FOR_WORK, other=PARSING)]
    report = judge(samples, {GUI: 2.0, WORKER: 300.0, OTHER: 310.0})
    assert report.kind == "starved", report.as_text()
    assert report.thread == "offload-4"
    assert "parse_document" in report.culprit


def test_a_gui_thread_that_used_more_cpu_than_the_others_is_not_starved() -> None:
    own = (frame(APP, 55, "rebuild_table"), frame(APP, 70, "on_click"))
    samples = [sample(60.0, 30.0, gui=own, worker=WAITING_FOR_WORK)] * 3
    report = judge(samples, {GUI: 560.0, WORKER: 100.0})
    assert report.kind == "busy", report.as_text()
    assert "rebuild_table" in report.culprit


def test_without_samples_cpu_times_still_name_the_holder_or_the_gui_thread() -> None:
    report = judge([], {GUI: 1.0, WORKER: 480.0})
    assert (report.kind, report.thread) == ("starved", "offload-3")
    report = judge([], {GUI: 450.0, WORKER: 1.0})
    assert report.kind == "busy"
    assert "before the first sample" in report.verdict
    report = judge([], None)
    assert report.kind == "unknown"
    assert report.verdict == "GUI thread stalled; it was running again before the first sample"


@pytest.mark.parametrize(
    ("cpu", "kind", "start"),
    [
        ({GUI: 130.0}, "qt", "GUI thread busy in Qt (130 ms of CPU, no Python code running;"),
        (None, "qt", "GUI thread busy in Qt (no Python code running;"),
        ({GUI: 2.0}, "blocked", "GUI thread waiting inside Qt (2 ms of CPU, no Python code"),
    ],
)
def test_a_gui_thread_in_the_loop_with_the_gil_free_is_inside_qt(
    cpu: dict[int, float] | None, kind: str, start: str
) -> None:
    # The watchdog woke on time: nobody held the GIL; the GUI thread had no Python frame of
    # its own (Qt painting, building a menu).
    samples = [sample(55.0 + 5 * i, 0.1, gui=IN_LOOP, worker=WAITING_FOR_WORK) for i in range(20)]
    report = judge(samples, cpu, duration_ms=150.0)
    assert report.kind == kind, report.as_text()
    assert report.verdict.startswith(start), report.verdict
    assert report.verdict.endswith("innermost Python frame: main (/home/me/app/main.py:90))")
    assert report.culprit == "Qt (no Python frame) under main (/home/me/app/main.py:90)"
    assert report.thread == "MainThread"
    assert report.cause == ("busy in Qt" if kind == "qt" else "blocked in a call")


def test_cpu_used_counts_a_thread_started_meanwhile_in_full() -> None:
    assert cpu_used_ms({GUI: 1.0}, {GUI: 1.25, WORKER: 0.5}) == {GUI: 250.0, WORKER: 500.0}


def test_thread_clocks_read_this_threads_cpu_time_or_are_disabled() -> None:
    import threading

    clocks = ThreadClocks()
    assert clocks.enabled == thread_clocks_available()
    mine = {threading.get_ident(): threading.get_native_id()}
    first = clocks.read(mine)
    sum(i * i for i in range(200_000))  # some CPU time
    second = clocks.read(mine)
    if clocks.enabled:
        assert second[threading.get_ident()] > first[threading.get_ident()]
    else:
        assert first == second == {}
    assert ThreadClocks(enabled=False).read(mine) == {}
    assert clocks.read({123456789: 2_000_000_000}) == {}  # no such thread: skipped


def test_a_gui_thread_that_held_the_gil_is_judged_by_what_it_ran_when_it_let_go() -> None:
    # The watchdog waited 400 ms for the GIL, then read the GUI thread still in the parse;
    # afterwards the GUI thread ran other code of its own for a few samples.
    parse = (frame(JSON_DECODER, 353, "raw_decode"), frame(APP, 12, "on_click"))
    after = (frame(APP, 99, "poll_results"), frame(APP, 90, "main_task"))
    samples = [sample(450.0, 400.0, gui=parse)] + [
        sample(455.0 + 5 * i, 0.2, gui=after) for i in range(4)
    ]
    report = judge(samples, {GUI: 420.0})
    assert report.kind == "busy", report.as_text()
    assert "on_click" in report.culprit, report.as_text()


@pytest.mark.parametrize(
    ("cpu", "kind", "start"),
    [
        ({GUI: 380.0}, "busy", "GUI thread busy in a call that runs without the GIL (380 ms"),
        ({GUI: 1.0}, "blocked", "GUI thread blocked in a call: "),
        (None, "blocked", "GUI thread blocked in a call: "),
    ],
)
def test_one_call_with_the_gil_free_is_busy_or_blocked_by_the_gui_threads_cpu(
    cpu: dict[int, float] | None, kind: str, start: str
) -> None:
    # A Qt call that releases the GIL (laying out a large document) looks like a wait in the
    # stacks; the GUI thread's CPU time tells work from waiting.
    call = (frame(APP, 9, "load_document"), frame(APP, 70, "on_click"))
    samples = [sample(55.0 + 5 * i, 0.1, gui=call) for i in range(40)]
    report = judge(samples, cpu, duration_ms=400.0)
    assert report.kind == kind, report.as_text()
    assert report.verdict.startswith(start), report.verdict
    assert "load_document" in report.culprit


def test_a_gui_thread_that_held_the_gil_and_was_back_in_its_loop_is_not_busy_in_qt() -> None:
    # The watchdog waited 500 ms for the GIL and nobody else worked: not Qt's C++ code (which
    # lets the GIL go), but one call of the GUI thread's own, over before the first sample.
    samples = [sample(560.0, 500.0, gui=IN_LOOP), sample(565.0, 0.2, gui=IN_LOOP)]
    report = judge(samples, {GUI: 480.0})
    assert report.kind == "busy", report.as_text()
    assert report.culprit == ""
    assert "had returned before its stack could be sampled" in report.verdict


def test_a_thread_seen_outside_a_wait_but_idle_by_cpu_is_not_blamed() -> None:
    # The GUI thread waits in a socket read; a timer thread is seen entering a lock (not a
    # recognised wait), the watchdog wakes a few ms late (a loaded machine): the CPU times show
    # nobody worked, so the read is the culprit.
    recv = (frame(THREADING, 320, "wait"), frame(APP, 31, "send_request"))
    entering = (frame(THREADING, 272, "__enter__"), frame(APP, 91, "deadline_loop"))
    samples = [sample(60.0 + 5 * i, 4.0, gui=recv, worker=entering) for i in range(20)]
    report = judge(samples, {GUI: 2.0, WORKER: 3.0}, duration_ms=1000.0)
    assert report.kind == "blocked", report.as_text()
    assert "send_request" in report.culprit
    # Without CPU times the stacks decide, as before: the thread seen running is named.
    assert judge(samples, None, duration_ms=1000.0).kind == "starved"
