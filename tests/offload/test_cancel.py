"""Cancellation returns control at once, reaches the blocking code, and never runs queued work."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time

import pytest

from guiapp.offload import Cancelled, Offloader, SerialLane, checkpoint, current_job, on_cancel

from ._helpers import run, wait_until


def wait_for_cancel(started: threading.Event, log: list[str]) -> str:
    """Blocks like a socket read until cancelled; reacts like legacy code would."""
    control = current_job()
    assert control is not None
    wakeup = threading.Event()
    with on_cancel(
        lambda: (log.append(f"on_cancel in {threading.current_thread().name}"), wakeup.set())
    ):
        started.set()
        wakeup.wait(30)
    try:
        checkpoint()
    except Cancelled:
        log.append("worker saw Cancelled")
        raise
    return "finished"


@pytest.mark.parametrize("how", ["task.cancel", "job.cancel", "wait_for"])
def test_cancel_returns_at_once_marks_job_and_runs_on_cancel_in_cancelling_thread(
    loop: asyncio.AbstractEventLoop, how: str
) -> None:
    pool = Offloader(max_workers=2, name="cancel")
    started = threading.Event()
    log: list[str] = []

    async def main() -> float:
        job = pool.submit(wait_for_cancel, started, log)
        await wait_until(started.is_set)
        cancelled_at = time.perf_counter()
        if how == "wait_for":
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(job, 0.01)
        else:
            task = asyncio.ensure_future(job)
            await asyncio.sleep(0)
            if how == "task.cancel":
                task.cancel()
            else:
                assert job.cancel() is True
                assert job.cancel() is True  # idempotent (concurrent.futures semantics)
            with pytest.raises(asyncio.CancelledError):
                await task
        elapsed = time.perf_counter() - cancelled_at
        assert job.cancelled()
        assert job.done()
        assert job.control.cancelled
        with pytest.raises(concurrent.futures.CancelledError):
            job.result()
        await wait_until(lambda: "worker saw Cancelled" in log)
        return elapsed

    try:
        elapsed = run(loop, main())
    finally:
        pool.close()
    assert elapsed < 5.0  # a sanity bound: ~1 ms here; not cancelled, the call waits 30 s
    # on_cancel ran promptly in the cancelling (loop) thread, before the worker reacted.
    assert log == ["on_cancel in MainThread", "worker saw Cancelled"]


def test_cancel_from_another_thread(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="xthread")
    started = threading.Event()
    log: list[str] = []

    async def main() -> None:
        job = pool.submit(wait_for_cancel, started, log)
        await wait_until(started.is_set)
        canceller = threading.Thread(target=job.cancel, name="canceller")
        canceller.start()
        with pytest.raises(asyncio.CancelledError):
            await job
        canceller.join()
        assert job.cancelled()

    try:
        run(loop, main())
    finally:
        pool.close()
    assert log[0] == "on_cancel in canceller"


@pytest.mark.parametrize("executor", ["offloader", "lane"])
def test_a_job_cancelled_before_it_started_never_runs(
    loop: asyncio.AbstractEventLoop, executor: str
) -> None:
    pool = Offloader(max_workers=1, name="q") if executor == "offloader" else SerialLane("q")
    gate = threading.Event()
    ran: list[str] = []

    async def main() -> None:
        first = pool.submit(gate.wait, 30)
        queued = pool.submit(ran.append, "queued job ran")
        after = pool.submit(ran.append, "later job ran")
        assert queued.cancel() is True
        assert queued.cancelled()
        with pytest.raises(asyncio.CancelledError):
            await queued
        gate.set()
        assert await first is True
        await after

    try:
        run(loop, main())
    finally:
        pool.close()
    assert ran == ["later job ran"]


def test_cancelling_the_awaiter_of_a_queued_job(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="qa")
    gate = threading.Event()
    ran: list[str] = []

    async def main() -> None:
        pool.submit(gate.wait, 30)
        task = asyncio.ensure_future(pool.make_async(ran.append)("must not run"))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        gate.set()
        await pool.submit(ran.append, "sentinel")

    try:
        run(loop, main())
    finally:
        pool.close()
    assert ran == ["sentinel"]


def test_a_result_arriving_after_cancel_is_dropped(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="late")
    proceed = threading.Event()
    started = threading.Event()

    def ignores_cancel() -> str:
        started.set()
        proceed.wait(30)
        return "too late"

    async def main() -> None:
        job = pool.submit(ignores_cancel)
        await wait_until(started.is_set)
        job.cancel()
        proceed.set()
        assert await pool.submit(str, "next") == "next"  # the worker finished the first call
        assert job.cancelled()

    try:
        run(loop, main())
    finally:
        pool.close()


def test_a_job_that_cancels_its_own_control_fails_with_cancelled(
    loop: asyncio.AbstractEventLoop,
) -> None:
    # Cancelling the JobControl directly (not through Job.cancel) must not leave awaiters hanging.
    def gives_up() -> None:
        control = current_job()
        assert control is not None
        control.cancel()
        checkpoint()

    async def main() -> None:
        async with Offloader(max_workers=1, name="self") as pool:
            job = pool.submit(gives_up)
            with pytest.raises(Cancelled):
                await job
            assert not job.cancelled()  # it failed with Cancelled; nobody cancelled the Job
            assert job.cancel() is False

    run(loop, main())


def test_cancel_storm_every_job_ends_exactly_one_way(loop: asyncio.AbstractEventLoop) -> None:
    # Cancels racing with starts and completions, from the loop thread and from another thread:
    # no job may hang, and a cancel() that returned True always means a cancelled job.
    import random

    rng = random.Random(1234)
    pool = Offloader(max_workers=8, name="storm")

    async def main() -> tuple[int, int]:
        jobs = [pool.submit(time.sleep, rng.choice([0, 0, 0.001, 0.003])) for _ in range(400)]
        confirmed: list[bool] = [False] * len(jobs)

        def cancel_from_thread(indexes: list[int]) -> None:
            for i in indexes:
                confirmed[i] = jobs[i].cancel()

        remote = [i for i in range(len(jobs)) if rng.random() < 0.2]
        canceller = threading.Thread(target=cancel_from_thread, args=(remote,))
        canceller.start()
        for i in range(len(jobs)):
            if i not in remote and rng.random() < 0.3:
                confirmed[i] = jobs[i].cancel()
            if i % 25 == 0:
                await asyncio.sleep(0.001)
        canceller.join()
        outcomes = await asyncio.gather(*jobs, return_exceptions=True)
        for job, was_cancelled, outcome in zip(jobs, confirmed, outcomes, strict=True):
            assert job.done()
            if was_cancelled:
                assert job.cancelled()
            assert job.cancelled() == isinstance(outcome, asyncio.CancelledError)
            if not job.cancelled():
                assert outcome is None
        return sum(confirmed), sum(job.cancelled() for job in jobs)

    try:
        confirmed, cancelled = run(loop, main())
    finally:
        pool.close()
    assert confirmed == cancelled > 0
