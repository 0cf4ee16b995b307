"""Progress is a value: coalesced to <= ~60 deliveries/s, on the loop thread, final value first."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from typing import Any

from guiapp.offload import Offloader, Progress, report_progress

from ._helpers import run, wait_until

REPORTS = 100_000


def chatty(n: int) -> str:
    for i in range(1, n + 1):
        report_progress(i, n, stage="counting")
    return "done"


def test_100k_reports_become_a_few_coalesced_callbacks_final_value_before_result(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=1, name="progress")
    events: list[Any] = []
    threads: set[str] = set()
    threadsafe_calls = 0
    original = loop.call_soon_threadsafe

    def counting_call_soon_threadsafe(callback: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal threadsafe_calls
        threadsafe_calls += 1
        return original(callback, *args, **kwargs)

    loop.call_soon_threadsafe = counting_call_soon_threadsafe  # type: ignore[method-assign]

    def on_progress(progress: Progress) -> None:
        threads.add(threading.current_thread().name)
        events.append(progress)

    async def main() -> float:
        started = time.perf_counter()
        job = pool.submit(chatty, REPORTS)
        job.add_progress_callback(on_progress)
        result = await job
        events.append(("done", result))
        assert result == "done"
        assert job.progress == Progress(REPORTS, REPORTS, {"stage": "counting"})
        return time.perf_counter() - started

    try:
        elapsed = run(loop, main())
    finally:
        pool.close()
        del loop.call_soon_threadsafe
    deliveries = [e for e in events if isinstance(e, Progress)]
    budget = 60 * elapsed + 5  # ~60 Hz plus the first and the final value
    assert 1 <= len(deliveries) <= budget, (len(deliveries), elapsed)
    assert threadsafe_calls <= budget + 2, (threadsafe_calls, elapsed)  # +1 for the result
    assert threads == {"MainThread"}
    # The final value arrives, and before the result does.
    assert events[-1] == ("done", "done")
    assert events[-2] == Progress(REPORTS, REPORTS, {"stage": "counting"})
    dones = [p.done for p in deliveries]
    assert dones == sorted(dones)


def test_progress_is_rate_limited_while_a_job_reports_for_a_while(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=1, name="steady")
    stamps: list[float] = []

    def steady() -> None:
        deadline = time.monotonic() + 0.6
        i = 0
        while time.monotonic() < deadline:
            i += 1
            report_progress(i)

    async def main() -> None:
        job = pool.submit(steady)
        job.add_progress_callback(lambda _p: stamps.append(time.monotonic()))
        await job

    try:
        run(loop, main())
    finally:
        pool.close()
    assert len(stamps) >= 3  # it does report while running, not only at the end
    gaps = [b - a for a, b in itertools.pairwise(stamps[:-1])]
    # The final flush may come early; every other gap is about a frame (qasync timers may fire
    # ~10 ms early, which the relay corrects by rescheduling).
    assert all(gap >= 1 / 60 - 0.002 for gap in gaps), min(gaps)


def test_progress_updates_iterates_until_the_job_ends(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="iter")

    def stepped() -> int:
        for i in range(1, 6):
            report_progress(i, 5)
            time.sleep(0.03)
        return 5

    async def main() -> tuple[list[Progress], int]:
        job = pool.submit(stepped)
        seen = [p async for p in job.progress_updates()]
        return seen, await job

    try:
        seen, result = run(loop, main())
    finally:
        pool.close()
    assert result == 5
    assert seen[-1] == Progress(5, 5)
    assert [p.done for p in seen] == sorted({p.done for p in seen})


def test_progress_updates_of_a_finished_or_failed_job(loop: asyncio.AbstractEventLoop) -> None:
    def fails() -> None:
        report_progress(1, 2)
        raise ValueError("half way")

    async def main() -> None:
        async with Offloader(max_workers=1, name="ended") as pool:
            job = pool.submit(fails)
            assert [p async for p in job.progress_updates()] == [Progress(1, 2)]
            assert job.progress == Progress(1, 2)
            assert isinstance(job.exception(), ValueError)
            # Iterating after the end yields the last value and stops.
            assert [p async for p in job.progress_updates()] == [Progress(1, 2)]

    run(loop, main())


def test_no_progress_delivered_after_cancel(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="quiet")
    stop = threading.Event()
    seen: list[Progress] = []

    def reports_until_stopped() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            report_progress(i)
            time.sleep(0.001)

    async def main() -> None:
        job = pool.submit(reports_until_stopped)
        job.add_progress_callback(seen.append)
        await wait_until(lambda: bool(seen))
        job.cancel()
        count = len(seen)
        await asyncio.sleep(0.2)
        assert len(seen) == count
        async for _ in job.progress_updates():
            pass  # ends at once: the job is over

    try:
        run(loop, main())
    finally:
        stop.set()
        pool.close()


def test_a_raising_progress_callback_is_logged_not_fatal(
    loop: asyncio.AbstractEventLoop, caplog: Any
) -> None:
    def bad_callback(_progress: Progress) -> None:
        raise RuntimeError("widget gone")

    async def main() -> str:
        async with Offloader(max_workers=1, name="badcb") as pool:
            job = pool.submit(chatty, 10)
            job.add_progress_callback(bad_callback)
            return await job

    assert run(loop, main()) == "done"
    assert "progress callback" in caplog.text
