"""Offloader basics: results, arguments, signatures, threads, contextvars."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import inspect
import threading
import time
from unittest import mock

import pytest

from guiapp.offload import (
    Job,
    Offloader,
    SerialLane,
    current_job,
    default_offloader,
    make_async,
    run_blocking,
)

from ._helpers import run, wait_until

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


def add(a: int, b: int = 0, *, scale: int = 1) -> int:
    """Add, then scale."""
    return (a + b) * scale


def test_submit_passes_positional_and_keyword_arguments(loop: asyncio.AbstractEventLoop) -> None:
    async def main() -> int:
        async with Offloader(max_workers=2, name="args") as pool:
            return await pool.submit(add, 1, b=2, scale=10)

    assert run(loop, main()) == 30


def test_make_async_bare_keeps_name_signature_and_wraps(loop: asyncio.AbstractEventLoop) -> None:
    fast_add = make_async(add)
    assert fast_add.__name__ == "add"
    assert fast_add.__doc__ == "Add, then scale."
    assert fast_add.__wrapped__ is add  # type: ignore[attr-defined]
    assert inspect.signature(fast_add) == inspect.signature(add)
    assert inspect.iscoroutinefunction(fast_add)
    assert run(loop, fast_add(2, 3, scale=2)) == 10


def test_make_async_with_offloader_option_uses_that_offloader(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=1, name="chosen")

    @make_async(offloader=pool)
    def where(suffix: str, *, upper: bool = False) -> str:
        name = threading.current_thread().name + suffix
        return name.upper() if upper else name

    try:
        assert run(loop, where("!", upper=True)) == "CHOSEN-1!"
    finally:
        pool.close()


def test_make_async_without_options_in_parentheses(loop: asyncio.AbstractEventLoop) -> None:
    @make_async()
    def name() -> str:
        return threading.current_thread().name

    assert run(loop, name()).startswith("offload-")


def test_offloader_make_async_method(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="method")
    slow_add = pool.make_async(add)
    try:
        assert inspect.signature(slow_add) == inspect.signature(add)
        assert run(loop, slow_add(1, 1, scale=3)) == 6
    finally:
        pool.close()


def test_run_blocking_uses_the_default_offloader(loop: asyncio.AbstractEventLoop) -> None:
    async def main() -> tuple[int, str]:
        value = await run_blocking(int, "ff", base=16)
        thread = await run_blocking(lambda: threading.current_thread().name)
        return value, thread

    value, thread = run(loop, main())
    assert value == 255
    assert thread.startswith(default_offloader().name + "-")


def test_threads_start_lazily_are_named_bounded_and_reused(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=3, name="lazy")
    assert pool.thread_count == 0  # nothing started before the first submit

    def who() -> str:
        time.sleep(0.05)
        return threading.current_thread().name

    async def main() -> tuple[list[str], list[str]]:
        concurrent = await asyncio.gather(*(pool.submit(who) for _ in range(12)))
        sequential = [await pool.submit(who) for _ in range(5)]
        return concurrent, sequential

    try:
        concurrent, sequential = run(loop, main())
        assert set(concurrent) <= {"lazy-1", "lazy-2", "lazy-3"}
        assert len(set(concurrent)) >= 2  # they did run in parallel
        assert set(sequential) <= set(concurrent)  # idle threads served the later calls
        assert pool.thread_count <= 3
        assert all(t.daemon for t in threading.enumerate() if t.name.startswith("lazy-"))
    finally:
        pool.close()


def test_idle_threads_retire_after_idle_timeout(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=2, name="retire", idle_timeout=0.05)

    async def main() -> None:
        await pool.submit(time.sleep, 0)
        await wait_until(lambda: pool.thread_count == 0)

    try:
        run(loop, main())
        assert pool.thread_count == 0
        assert run(loop, pool.make_async(add)(4)) == 4  # and a new one starts on demand
    finally:
        pool.close()


def test_submit_without_a_loop_is_a_plain_concurrent_future() -> None:
    with Offloader(name="noloop") as pool:
        job = pool.submit(add, 1, 2)
        assert isinstance(job, concurrent.futures.Future)
        assert job.result(timeout=10) == 3
        assert list(pool.map(add, [1, 2], [10, 20])) == [11, 22]
    assert pool.closed


def test_max_workers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_workers"):
        Offloader(max_workers=0)


def test_caller_contextvars_are_visible_and_changes_do_not_leak_back(
    loop: asyncio.AbstractEventLoop,
) -> None:
    def read_and_change() -> str:
        seen = request_id.get()
        request_id.set("changed in worker")
        return seen

    async def main() -> tuple[str, str, str]:
        request_id.set("req-42")
        seen = await run_blocking(read_and_change)
        seen_lane = await SerialLane(name="ctxlane").submit(read_and_change)
        return seen, seen_lane, request_id.get()

    seen, seen_lane, after = run(loop, main())
    assert seen == "req-42"
    assert seen_lane == "req-42"
    assert after == "req-42"


def test_each_job_binds_its_job_control_in_the_worker(loop: asyncio.AbstractEventLoop) -> None:
    async def main() -> None:
        job = default_offloader().submit(current_job)
        assert await job is job.control
        assert current_job() is None  # never bound on the loop thread

    run(loop, main())


def test_job_result_and_exception_when_done(loop: asyncio.AbstractEventLoop) -> None:
    async def main() -> None:
        job = default_offloader().submit(add, 20, 1, scale=2)
        assert await job == 42
        assert job.done()
        assert not job.cancelled()
        assert job.result() == 42
        assert job.exception() is None
        assert job.cancel() is False  # too late: it finished

    run(loop, main())


def test_concurrent_blocking_calls_run_at_once_not_in_batches(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=100, name="wide")

    def block() -> str:
        time.sleep(1.0)
        return threading.current_thread().name

    async def main() -> list[str]:
        return await asyncio.gather(*(pool.submit(block) for _ in range(100)))

    try:
        started = time.perf_counter()
        names = run(loop, main())
        elapsed = time.perf_counter() - started
    finally:
        pool.close()
    assert len(set(names)) == 100
    # A sanity bound: in turn they take 100 s; concurrently ~1 s here.
    assert elapsed < 30.0, f"100 concurrent 1 s calls took {elapsed:.2f} s"


def test_work_submitted_while_the_only_thread_retires_still_runs(
    loop: asyncio.AbstractEventLoop,
) -> None:
    # With a 1 ms idle timeout the lone thread keeps retiring just as new work arrives; no
    # submission may be left waiting for a thread that is on its way out.
    pool = Offloader(max_workers=1, name="churn", idle_timeout=0.001)

    async def main() -> int:
        done = 0
        for i in range(200):
            assert await pool.submit(int, str(i)) == i
            done += 1
            if i % 2:
                await asyncio.sleep(0.001 * (i % 3))
        return done

    try:
        assert run(loop, main()) == 200
    finally:
        pool.close()


def test_submit_from_a_plain_callback_of_the_running_loop(loop: asyncio.AbstractEventLoop) -> None:
    # A Qt slot is not a coroutine; while qasync runs, a QTimer callback can still submit.
    pool = Offloader(max_workers=1, name="slot")
    jobs: list[Job[int]] = []

    def slot() -> None:
        jobs.append(pool.submit(int, "5"))

    async def main() -> int:
        if type(loop).__module__.startswith("qasync"):
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, slot)
        else:
            loop.call_soon(slot)
        await wait_until(lambda: bool(jobs))
        return await jobs[0]

    try:
        assert run(loop, main()) == 5
    finally:
        pool.close()


def test_make_async_refuses_a_coroutine_function() -> None:
    async def already_async() -> None:
        return None

    pool = Offloader(name="refuse")
    with pytest.raises(TypeError, match="already a coroutine function"):
        make_async(already_async)
    with pytest.raises(TypeError, match="already a coroutine function"):
        pool.make_async(already_async)
    with pytest.raises(TypeError, match="already a coroutine function"):
        make_async(offloader=pool)(already_async)


def test_submit_does_not_start_threads_on_the_loop_thread(loop: asyncio.AbstractEventLoop) -> None:
    """Worker threads are started by the pool's starter thread, never by ``submit``.

    ``Thread.start()`` waits for the OS to schedule the new thread; doing that 100 times on the
    event-loop thread stalled the GUI for up to 270 ms in the benchmark on a loaded machine.
    """
    started_by: set[str] = set()
    real_start = threading.Thread.start

    def spying_start(self: threading.Thread) -> None:
        if self.name.startswith("spy-") and not self.name.endswith("-starter"):
            started_by.add(threading.current_thread().name)
        real_start(self)

    async def main() -> None:
        offloader = Offloader(max_workers=20, name="spy")
        try:
            await asyncio.gather(*(offloader.submit(time.sleep, 0.05) for _ in range(20)))
            assert offloader.thread_count == 20
        finally:
            offloader.close(1.0)

    with mock.patch.object(threading.Thread, "start", spying_start):
        loop.run_until_complete(main())
    assert started_by == {"spy-starter"}
