"""run_in_qthread / QtWorkerJob: signals, job hooks, coalesced progress, cancel, await."""

from __future__ import annotations

import asyncio
import threading
import time
import traceback
from typing import Any

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from guiapp.core.jobs import Progress, checkpoint, current_job, on_cancel, report_progress
from guiapp.offload.qt import QtWorkerJob, active_qthreads, run_in_qthread, shutdown_qthreads


def _wait_thread_end(qtbot: QtBot, job: QtWorkerJob) -> None:
    qtbot.waitUntil(lambda: not job.is_running(), timeout=5000)


def _add(a: int, b: int, *, scale: int = 1) -> tuple[int, str]:
    return (a + b) * scale, threading.current_thread().name


def test_succeeded_then_finished_off_the_gui_thread(qtbot: QtBot) -> None:
    gui_ident = threading.get_ident()
    seen: list[object] = []

    def work() -> int:
        seen.append(threading.get_ident())
        seen.append(current_job() is not None)
        return 42

    job = run_in_qthread(work)
    events: list[object] = []
    job.succeeded.connect(lambda r: events.append(("succeeded", r)))
    job.finished.connect(lambda: events.append("finished"))
    with qtbot.waitSignals([job.succeeded, job.finished], order="strict"):
        pass
    assert events == [("succeeded", 42), "finished"]
    assert seen[0] != gui_ident
    assert seen[1] is True  # the JobControl is bound in the worker thread
    assert job.done()
    _wait_thread_end(qtbot, job)


def test_arguments_and_keyword_arguments_are_passed(qtbot: QtBot) -> None:
    job = run_in_qthread(_add, 2, 3, scale=10, name="adder")
    with qtbot.waitSignal(job.succeeded) as blocker:
        pass
    assert blocker.args is not None
    assert blocker.args[0][0] == 50
    assert job.objectName() == "adder"


def test_failed_keeps_exception_and_traceback(qtbot: QtBot) -> None:
    def boom() -> None:
        raise ValueError("bad row 7")

    job = run_in_qthread(boom)
    succeeded: list[object] = []
    job.succeeded.connect(succeeded.append)
    events: list[object] = []
    job.failed.connect(events.append)
    job.finished.connect(lambda: events.append("finished"))
    with qtbot.waitSignals([job.failed, job.finished], order="strict"):
        pass
    exc = events[0]
    assert events[1:] == ["finished"]
    assert isinstance(exc, ValueError)
    assert "bad row 7" in str(exc)
    assert "boom" in "".join(traceback.format_tb(exc.__traceback__))
    assert succeeded == []


def test_progress_is_coalesced_and_final_value_delivered_first(qtbot: QtBot) -> None:
    total = 100_000

    elapsed: list[float] = []

    def work() -> str:
        started = time.monotonic()
        for i in range(1, total + 1):
            report_progress(i, total)
        elapsed.append(time.monotonic() - started)
        return "done"

    job = run_in_qthread(work)
    order: list[object] = []
    job.progressed.connect(lambda p: order.append(p))
    job.succeeded.connect(lambda r: order.append(("result", r)))
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    progresses = [p for p in order if isinstance(p, Progress)]
    assert order[-1] == ("result", "done")
    assert order[-2] == Progress(total, total)  # the final value, always, before the result
    # Coalesced: ~60 deliveries a second of reporting at most (a coarse QTimer may fire 5%
    # early; + the final flush), nowhere near one per report.
    assert 1 <= len(progresses) <= elapsed[0] * 70 + 4
    assert job.progress == Progress(total, total)


def test_cancel_settles_at_once_and_runs_on_cancel_in_cancelling_thread(qtbot: QtBot) -> None:
    started = threading.Event()
    callback_threads: list[int] = []
    interruption_seen: list[bool] = []

    def work() -> str:
        with on_cancel(lambda: callback_threads.append(threading.get_ident())):
            started.set()
            control = current_job()
            assert control is not None
            control.wait_cancelled(10)
            interruption_seen.append(QThread.currentThread().isInterruptionRequested())
            checkpoint()  # raises Cancelled
        return "never"

    job = run_in_qthread(work)
    succeeded: list[object] = []
    job.succeeded.connect(succeeded.append)
    assert started.wait(5)
    with qtbot.waitSignals([job.wasCancelled, job.finished], order="strict", timeout=1000):
        assert job.cancel() is True
    assert job.cancel() is False
    assert callback_threads == [threading.get_ident()]
    _wait_thread_end(qtbot, job)
    assert interruption_seen == [True]
    assert succeeded == []


def test_cancel_from_another_thread_settles_on_the_gui_thread(qtbot: QtBot) -> None:
    release = threading.Event()
    registered = threading.Event()
    callback_threads: list[int] = []

    def work() -> None:
        on_cancel(lambda: callback_threads.append(threading.get_ident()))
        registered.set()
        release.wait(10)

    job = run_in_qthread(work)
    assert registered.wait(5)
    emitted_in: list[int] = []
    job.wasCancelled.connect(lambda: emitted_in.append(threading.get_ident()))
    canceller = threading.Thread(target=job.cancel)
    with qtbot.waitSignal(job.wasCancelled):
        canceller.start()
        canceller.join()
    release.set()
    assert callback_threads == [canceller.ident]
    assert emitted_in == [threading.get_ident()]
    _wait_thread_end(qtbot, job)


def test_late_result_after_cancel_is_discarded(qtbot: QtBot) -> None:
    release = threading.Event()
    job = run_in_qthread(lambda: release.wait(10) and "late")
    outcomes: list[str] = []
    job.succeeded.connect(lambda _r: outcomes.append("succeeded"))
    job.wasCancelled.connect(lambda: outcomes.append("cancelled"))
    job.finished.connect(lambda: outcomes.append("finished"))
    job.cancel()
    release.set()
    _wait_thread_end(qtbot, job)
    qtbot.waitUntil(lambda: job not in active_qthreads())
    assert outcomes == ["cancelled", "finished"]


def test_running_threads_are_registered_until_they_end(qtbot: QtBot) -> None:
    release = threading.Event()
    job = run_in_qthread(release.wait, 10)
    assert job in active_qthreads()
    del job  # the registry, not the caller, keeps the QThread alive
    release.set()
    qtbot.waitUntil(lambda: not active_qthreads(), timeout=5000)


def test_shutdown_joins_cooperative_jobs(qtbot: QtBot) -> None:
    def cooperative() -> None:
        control = current_job()
        assert control is not None
        while not control.wait_cancelled(0.01):
            pass
        checkpoint()

    jobs = [run_in_qthread(cooperative) for _ in range(3)]
    assert shutdown_qthreads(5.0) == []
    assert all(not job.is_running() for job in jobs)
    assert all(job.done() for job in jobs)


def test_await_returns_the_result(qloop: asyncio.AbstractEventLoop) -> None:
    async def main() -> Any:
        first = await run_in_qthread(_add, 1, 2)
        second = await run_in_qthread(_add, 3, 4).wait()
        return first[0], second[0]

    assert qloop.run_until_complete(main()) == (3, 7)


def test_await_raises_the_exception(qloop: asyncio.AbstractEventLoop) -> None:
    def boom() -> None:
        raise KeyError("missing")

    async def main() -> None:
        await run_in_qthread(boom)

    with pytest.raises(KeyError, match="missing"):
        qloop.run_until_complete(main())


def test_cancelling_the_awaiting_task_cancels_the_job(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    started = threading.Event()
    cancelled_in_worker: list[bool] = []

    def work() -> None:
        started.set()
        control = current_job()
        assert control is not None
        cancelled_in_worker.append(control.wait_cancelled(10))

    job = run_in_qthread(work)

    async def main() -> None:
        await asyncio.wait_for(job, timeout=0.2)

    with pytest.raises(TimeoutError):
        qloop.run_until_complete(main())
    assert started.is_set()
    _wait_thread_end(qtbot, job)
    assert cancelled_in_worker == [True]
    assert job.done()


def test_await_of_a_cancelled_job_raises_cancelled_error(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    release = threading.Event()
    job = run_in_qthread(release.wait, 10)

    async def main() -> None:
        asyncio.get_running_loop().call_later(0.05, job.cancel)
        await job

    with pytest.raises(asyncio.CancelledError):
        qloop.run_until_complete(main())
    release.set()
    _wait_thread_end(qtbot, job)


def test_a_waiter_whose_loop_closed_is_left_alone(qtbot: QtBot) -> None:
    release = threading.Event()
    job = run_in_qthread(release.wait, 10)
    loop = asyncio.new_event_loop()

    async def make_waiter() -> asyncio.Future[Any]:
        return job.wait()

    waiter = loop.run_until_complete(make_waiter())
    loop.close()  # the app's loop ends before the job does (exit)
    with qtbot.waitSignal(job.succeeded, timeout=10_000):
        release.set()
    assert job.done()
    assert not job.cancelled()
    assert not waiter.done()  # never resolved on a closed loop, and nothing raised
    _wait_thread_end(qtbot, job)


def test_one_vocabulary_with_concurrent_futures(qtbot: QtBot) -> None:
    release = threading.Event()
    job = run_in_qthread(release.wait, 10)
    assert not job.done()
    assert not job.cancelled()
    with qtbot.waitSignals([job.wasCancelled, job.finished], order="strict", timeout=1000):
        assert job.cancel() is True
    assert job.done()
    assert job.cancelled()
    release.set()
    _wait_thread_end(qtbot, job)


def test_items_emitted_arrive_in_order_in_batches_before_succeeded(qtbot: QtBot) -> None:
    from guiapp.offload import emit, emit_many

    def produce(n: int) -> str:
        emit_many(range(n // 2))
        for i in range(n // 2, n):
            emit(i)
        return "end"

    job = run_in_qthread(produce, 50_000)
    job.set_item_limits(max_items=1_000)
    events: list[object] = []
    seen: list[int] = []
    job.itemsEmitted.connect(lambda batch: (seen.extend(batch), events.append("items")))
    job.succeeded.connect(lambda result: events.append(("succeeded", result)))
    with qtbot.waitSignal(job.finished, timeout=20_000):
        pass
    assert seen == list(range(50_000))
    assert events[-1] == ("succeeded", "end")
    assert 1 <= events.count("items") < 50_000 // 10
    _wait_thread_end(qtbot, job)


def test_cancel_wakes_a_qthread_producer_blocked_on_items(qtbot: QtBot) -> None:
    from guiapp.core.jobs import Cancelled
    from guiapp.offload import emit

    outcome: list[str] = []

    def flood() -> None:
        try:
            for i in range(1_000_000):
                emit(i)
        except Cancelled:
            outcome.append("cancelled")
            raise

    job = run_in_qthread(flood)
    job.set_item_limits(max_items=20)
    # The GUI thread does not run its event loop here, so nothing is delivered: the channel fills.
    deadline = time.monotonic() + 10
    while job._items.channel.waits == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    job.cancel()
    qtbot.waitUntil(lambda: outcome == ["cancelled"], timeout=5000)
    _wait_thread_end(qtbot, job)


def test_a_job_is_released_only_once_qt_has_finished_its_thread(qtbot: QtBot) -> None:
    # Qt's QThreadPrivate::finish() emits finished() (and deletes the thread's deferred objects)
    # after isRunning() has already turned false; the QThread must stay alive until it is over.
    # A direct connection runs in the ending thread, inside finish(): it holds the window open.
    from PySide6.QtCore import Qt

    from guiapp.offload import _qt_worker

    inside_finish = threading.Event()
    finish_over = threading.Event()
    released_early: list[bool] = []

    def in_finish() -> None:
        inside_finish.set()
        time.sleep(0.3)
        finish_over.set()

    job = run_in_qthread(lambda: 7)
    job.qthread.finished.connect(in_finish, Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(inside_finish.is_set, timeout=10_000)
    while not finish_over.is_set():
        with _qt_worker._registry_lock:
            if job not in _qt_worker._registry and not finish_over.is_set():
                released_early.append(True)
        qtbot.wait(5)
    assert not released_early, "the registry let go of the QThread while Qt was finishing it"
    assert job.done()
    qtbot.waitUntil(lambda: job not in _qt_worker._registry, timeout=10_000)
