"""Close in drain mode, results disposed of after a lost race, batched completions."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from typing import Any

import pytest

from guiapp.offload import (
    Job,
    Offloader,
    OffloaderClosed,
    ProcessOffloader,
    SerialLane,
    make_async,
    run_blocking,
)
from guiapp.offload._deliver import completions_for

from ._helpers import run, wait_until


def test_drain_runs_queued_writes_before_the_lane_stops(loop: asyncio.AbstractEventLoop) -> None:
    lane = SerialLane(name="drain")
    written: list[int] = []

    def write(n: int) -> None:
        time.sleep(0.01)
        written.append(n)

    async def main() -> list[Job[None]]:
        return [lane.submit(write, n) for n in range(20)]

    jobs = run(loop, main())
    assert lane.close(10.0, drain=True) is True
    assert written == list(range(20))
    assert all(job.done() and not job.cancelled() for job in jobs)
    with pytest.raises(OffloaderClosed):
        lane.submit(write, 99)


def test_close_without_drain_drops_queued_work(loop: asyncio.AbstractEventLoop) -> None:
    lane = SerialLane(name="nodrain")
    gate = threading.Event()
    written: list[int] = []

    def write(n: int) -> None:
        gate.wait(10)
        written.append(n)

    async def main() -> list[Job[None]]:
        return [lane.submit(write, n) for n in range(5)]

    jobs = run(loop, main())
    threading.Timer(0.1, gate.set).start()
    lane.close(10.0)
    assert written in ([], [0])  # at most the running one ends; queued ones never start
    assert all(job.cancelled() for job in jobs[1:])


def test_a_drain_that_runs_out_of_time_cancels_the_rest(loop: asyncio.AbstractEventLoop) -> None:
    lane = SerialLane(name="stuck-drain")
    release = threading.Event()

    async def main() -> tuple[Job[bool], Job[int]]:
        return lane.submit(release.wait, 30), lane.submit(int, "1")

    stuck, queued = run(loop, main())
    try:
        assert lane.close(0.2, drain=True) is False  # the stuck call is abandoned
        assert stuck.cancelled()
        assert queued.cancelled()
    finally:
        release.set()


def test_shutdown_follows_the_executor_interface() -> None:
    pool = Offloader(max_workers=1, name="shutdown")
    done: list[int] = []
    futures = [pool.submit(lambda n=n: (time.sleep(0.01), done.append(n))) for n in range(5)]
    pool.shutdown(wait=True)  # cancel_futures=False: queued work completes
    assert done == list(range(5))
    assert all(f.done() and not f.cancelled() for f in futures)

    pool = Offloader(max_workers=1, name="shutdown-cancel")
    gate = threading.Event()
    futures = [pool.submit(gate.wait, 10) for _ in range(3)]
    pool.shutdown(wait=False, cancel_futures=True)
    assert all(f.cancelled() for f in futures)
    gate.set()


class Spooled:
    """Stands for a Response spooled to a temporary file."""

    def __init__(self) -> None:
        self.closed = threading.Event()

    def close(self) -> None:
        self.closed.set()


def test_a_result_that_loses_the_race_with_cancel_is_closed(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=1, name="dispose")
    started, release = threading.Event(), threading.Event()
    made: list[Spooled] = []

    def download() -> Spooled:
        started.set()
        release.wait(10)  # ignores cancellation, as legacy code does
        made.append(Spooled())
        return made[-1]

    async def main() -> None:
        job = pool.submit(download)
        await wait_until(started.is_set)
        assert job.cancel() is True
        release.set()
        await wait_until(lambda: bool(made) and made[0].closed.is_set())
        assert job.cancelled()

    try:
        run(loop, main())
    finally:
        pool.close()


def test_completions_reach_the_loop_in_batches(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=50, name="batch")
    gate = threading.Event()

    async def main() -> int:
        jobs = [pool.submit(gate.wait, 10) for _ in range(200)]
        gathered = asyncio.gather(*jobs)
        await asyncio.sleep(0)  # every job is awaited now
        before = completions_for(asyncio.get_running_loop()).wakeups
        gate.set()
        # Block the loop thread until every call has returned: 200 completions pile up.
        concurrent.futures.wait(jobs, timeout=20)
        assert all(await gathered)
        return completions_for(asyncio.get_running_loop()).wakeups - before

    try:
        wakeups = run(loop, main())
    finally:
        pool.close()
    assert wakeups == 1


def test_the_drop_in_path_still_wakes_the_loop_once_per_call(
    loop: asyncio.AbstractEventLoop,
) -> None:
    """``loop.run_in_executor(offloader, f)``: the jobs reach the loop in one batch, and
    their done callbacks run there, yet asyncio's ``wrap_future`` schedules each result with
    its own ``call_soon_threadsafe`` (its source, a concurrent future, has no loop to compare
    with): one wake-up per call, which docs/offload.md explains."""
    pool = Offloader(max_workers=50, name="dropin-batch")
    gate = threading.Event()
    threadsafe_calls: list[str] = []
    original = loop.call_soon_threadsafe

    def counting(callback: Any, *args: Any, **kwargs: Any) -> Any:
        threadsafe_calls.append(threading.current_thread().name)
        return original(callback, *args, **kwargs)

    async def main() -> int:
        running = asyncio.get_running_loop()
        futures = [running.run_in_executor(pool, gate.wait, 10) for _ in range(200)]
        gathered = asyncio.gather(*futures)
        await asyncio.sleep(0)
        before = completions_for(running).wakeups
        running.call_soon_threadsafe = counting  # type: ignore[method-assign]
        try:
            gate.set()
            await asyncio.sleep(0.05)
            assert all(await gathered)
        finally:
            del running.call_soon_threadsafe
        return completions_for(running).wakeups - before

    try:
        batches = run(loop, main())
    finally:
        pool.close()
    # The jobs' own wake-ups are batched; wrap_future adds one per call, from the loop thread.
    on_loop_thread = threadsafe_calls.count(threading.current_thread().name)
    assert 1 <= batches < 200
    assert on_loop_thread == 200  # wrap_future: one per call, though already on the loop
    assert len(threadsafe_calls) - on_loop_thread == batches  # the workers: one per batch


def test_run_blocking_refuses_a_coroutine_function(loop: asyncio.AbstractEventLoop) -> None:
    async def fetch() -> int:
        return 1

    async def main() -> None:
        with pytest.raises(TypeError, match="coroutine function"):
            await run_blocking(fetch)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="coroutine function"):
            make_async(fetch)

    run(loop, main())


def test_a_process_slot_is_released_before_the_outcome_is_published(
    loop: asyncio.AbstractEventLoop,
) -> None:
    # A cancel arriving as the result is published must not find (and kill) the process,
    # which may already run the next job: the slot is dropped first.
    pool = ProcessOffloader(max_workers=1, name="slot")
    slot_at_publish: list[object] = []

    async def main() -> list[int]:
        first = pool.submit(abs, -1)
        # The plain Future's hook runs in the dispatcher thread, the moment the outcome is set.
        concurrent.futures.Future.add_done_callback(
            first, lambda job: slot_at_publish.append(pool._job_slots.get(job))
        )
        second = pool.submit(abs, -2)
        results = [await first, await second]
        first.cancel()  # too late: nothing is killed
        results.append(await pool.submit(abs, -3))
        return results

    try:
        assert run(loop, main()) == [1, 2, 3]
    finally:
        pool.close()
    assert slot_at_publish == [None]


def test_done_callbacks_run_on_the_loop_thread(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=2, name="callbacks")
    seen: list[tuple[str, str]] = []

    async def main() -> None:
        job = pool.submit(sum, [1, 2])
        job.add_done_callback(lambda j: seen.append(("callback", threading.current_thread().name)))
        assert await job == 3
        seen.append(("awaiter", threading.current_thread().name))
        await wait_until(lambda: len(seen) == 2)
        late: list[str] = []
        job.add_done_callback(lambda j: late.append(threading.current_thread().name))
        assert late == [threading.current_thread().name]  # already done: called at once

    try:
        run(loop, main())
    finally:
        pool.close()
    main_thread = threading.main_thread().name
    assert sorted(seen) == [("awaiter", main_thread), ("callback", main_thread)]


def test_done_callbacks_of_a_job_submitted_off_loop_run_in_the_worker() -> None:
    with Offloader(max_workers=1, name="offloop") as pool:
        names: list[str] = []
        done = threading.Event()
        job = pool.submit(sum, [1])
        job.add_done_callback(lambda j: (names.append(threading.current_thread().name), done.set()))
        assert done.wait(10)
    assert names[0] in ("MainThread", "offloop-1")  # at once if already done, else the worker
