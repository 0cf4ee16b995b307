"""run_in_qthreads: many QThread jobs started a few per event-loop turn."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from guiapp.core.jobs import current_job
from guiapp.offload import _qt_batch
from guiapp.offload.qt import QtWorkerJob, run_in_qthreads


def _double(x: int) -> int:
    return 2 * x


def test_starts_every_call_and_yields_between_chunks(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[QtWorkerJob] = []
    original = _qt_batch.run_in_qthread

    def spy(*args: Any, **kwargs: Any) -> QtWorkerJob:
        job = original(*args, **kwargs)
        created.append(job)
        return job

    monkeypatch.setattr(_qt_batch, "run_in_qthread", spy)
    seen_by_other_callbacks: list[int] = []

    async def main() -> tuple[list[Any], list[QtWorkerJob]]:
        loop = asyncio.get_running_loop()

        def other_callback() -> None:  # runs only when the starter yields to the loop
            seen_by_other_callbacks.append(len(created))
            if len(created) < 20:
                loop.call_soon(other_callback)

        loop.call_soon(other_callback)
        jobs = await run_in_qthreads(
            _double, [(i,) for i in range(20)], per_turn=8, budget_ms=60_000, name="b"
        )
        results = await asyncio.gather(*(job.wait() for job in jobs))
        return results, jobs

    results, jobs = qloop.run_until_complete(main())
    assert results == [2 * i for i in range(20)]
    assert jobs == created
    assert [job.objectName() for job in jobs] == [f"b-{i}" for i in range(1, 21)]
    # The loop ran between the chunks of 8, and never in the middle of one.
    assert {8, 16} <= set(seen_by_other_callbacks) <= {0, 8, 16, 20}
    for job in jobs:
        qtbot.waitUntil(lambda job=job: not job.is_running(), timeout=5000)


def test_a_turn_also_ends_when_its_time_budget_is_spent(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fake clock: every reading is 0.4 ms after the previous one, as if each start took
    # that long (a loaded machine). With a 1 ms budget a turn starts 3 jobs, not per_turn.
    readings = iter(range(10_000))
    monkeypatch.setattr(_qt_batch, "_clock", lambda: next(readings) * 0.0004)
    created: list[int] = []
    original = _qt_batch.run_in_qthread

    def spy(*args: Any, **kwargs: Any) -> QtWorkerJob:
        created.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(_qt_batch, "run_in_qthread", spy)
    seen: list[int] = []

    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()

        def other_callback() -> None:
            seen.append(len(created))
            if len(created) < 10:
                loop.call_soon(other_callback)

        loop.call_soon(other_callback)
        jobs = await run_in_qthreads(_double, [(i,) for i in range(10)], per_turn=8, budget_ms=1)
        return await asyncio.gather(*(job.wait() for job in jobs))

    assert qloop.run_until_complete(main()) == [2 * i for i in range(10)]
    assert {3, 6, 9} <= set(seen) <= {0, 3, 6, 9, 10}
    with pytest.raises(ValueError, match="budget_ms"):
        qloop.run_until_complete(run_in_qthreads(_double, [(1,)], budget_ms=0))


def test_cancelling_the_starter_cancels_the_jobs_already_started(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    cancelled_in_worker: list[bool] = []

    def wait_for_cancel() -> None:
        control = current_job()
        assert control is not None
        cancelled_in_worker.append(control.wait_cancelled(10))
        release.wait(10)

    started_jobs: list[QtWorkerJob] = []

    async def main() -> None:
        task = asyncio.ensure_future(run_in_qthreads(wait_for_cancel, [()] * 30, per_turn=4))
        await asyncio.sleep(0)  # the first chunk starts
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    original = _qt_batch.run_in_qthread

    def spy(*args: Any, **kwargs: Any) -> QtWorkerJob:
        job = original(*args, **kwargs)
        started_jobs.append(job)
        return job

    monkeypatch.setattr(_qt_batch, "run_in_qthread", spy)
    qloop.run_until_complete(main())
    assert 0 < len(started_jobs) < 30  # stopped starting
    assert all(job.done() for job in started_jobs)  # settled as cancelled at once
    release.set()
    for job in started_jobs:
        qtbot.waitUntil(lambda job=job: not job.is_running(), timeout=5000)
    # Jobs cancelled before their thread got going never run the call (documented); those
    # that were running saw the cancellation.
    assert cancelled_in_worker == [True] * len(cancelled_in_worker)
    assert len(cancelled_in_worker) <= len(started_jobs)


def test_per_turn_must_be_positive(qloop: asyncio.AbstractEventLoop) -> None:
    with pytest.raises(ValueError, match="per_turn"):
        qloop.run_until_complete(run_in_qthreads(_double, [(1,)], per_turn=0))
