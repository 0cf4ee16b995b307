"""emit / emit_many / Job.items(): lossless, in order, batched per frame, bounded, cancellable."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from guiapp.core.jobs import Cancelled, JobControl, bind_job
from guiapp.offload import Offloader, ProcessOffloader, emit, emit_many
from guiapp.offload._items import ItemChannel

from ._helpers import run, wait_until
from ._procfuncs import emit_numbers, emit_unpicklable

ITEMS = 100_000


def produce(n: int, *, chunk: int = 0) -> str:
    if chunk:
        for start in range(0, n, chunk):
            emit_many(range(start, min(n, start + chunk)))
    else:
        for i in range(n):
            emit(i)
    return "end"


@pytest.mark.parametrize("chunk", [0, 500])
def test_every_item_arrives_in_order_in_few_batches_and_before_the_result(
    loop: asyncio.AbstractEventLoop, chunk: int
) -> None:
    pool = Offloader(max_workers=1, name="items")
    wakeups = 0
    original = loop.call_soon_threadsafe

    def counting(callback: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal wakeups
        wakeups += 1
        return original(callback, *args, **kwargs)

    loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
    order: list[str] = []

    async def main() -> tuple[list[int], int, float]:
        started = time.perf_counter()
        job = pool.submit(produce, ITEMS, chunk=chunk)
        job.add_items_callback(lambda batch: order.append("batch"))
        seen: list[int] = []
        batches = 0
        async for batch in job.items():
            batches += 1
            seen.extend(batch)
        assert await job == "end"
        order.append("done")  # the result reaches the loop after the last batch
        return seen, batches, time.perf_counter() - started

    try:
        seen, batches, elapsed = run(loop, main())
    finally:
        pool.close()
        del loop.call_soon_threadsafe
    assert seen == list(range(ITEMS))
    budget = 60 * elapsed + 5  # one hand-over per frame, plus the first and the final one
    assert batches <= budget
    assert wakeups <= budget + 2  # item wake-ups plus the result's
    assert order[-1] == "done"
    assert order.count("batch") >= 1


def test_a_slow_reader_holds_the_worker_back_within_the_bounds(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=1, name="items")
    backlog: list[int] = []
    attached = threading.Event()

    def watched(n: int) -> None:
        from guiapp.core.jobs import current_job

        control = current_job()
        assert control is not None
        assert attached.wait(10)  # the bounds apply from the moment the reader sets them
        for i in range(n):
            emit(i)
            backlog.append(control.item_sink._items._pump.channel.backlog)  # type: ignore[union-attr]

    async def main() -> list[int]:
        job = pool.submit(watched, 2_000)
        seen: list[int] = []
        stream = job.items(max_items=100)
        attached.set()
        async for batch in stream:
            seen.extend(batch)
            await asyncio.sleep(0.002)  # a reader slower than the worker
        await job
        return seen

    try:
        seen = run(loop, main())
    finally:
        pool.close()
    assert seen == list(range(2_000))
    assert max(backlog) <= 100


def test_the_byte_bound_holds_too_and_one_oversized_item_still_passes() -> None:
    channel: ItemChannel[bytes] = ItemChannel(lambda: None, max_items=1_000, max_bytes=100)
    channel.put_many([b"x" * 500])  # alone: allowed
    done = threading.Event()

    def producer() -> None:
        channel.put_many([b"y"])
        done.set()

    thread = threading.Thread(target=producer, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while channel.waits == 0:  # full in bytes: the producer waits (seen, not assumed)
        assert time.monotonic() < deadline, "the producer never had to wait"
        time.sleep(0.005)
    assert not done.is_set()
    items, nbytes = channel.take()
    channel.release(len(items), nbytes)
    assert done.wait(5)
    thread.join(5)
    assert channel.take()[0] == [b"y"]


def test_cancel_wakes_a_producer_blocked_on_a_full_channel_at_once(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=1, name="items")
    outcome: list[tuple[str, float]] = []

    def flood() -> None:
        try:
            for i in range(1_000_000):
                emit(i)
        except Cancelled:
            outcome.append(("cancelled", time.monotonic()))
            raise

    async def main() -> float:
        job = pool.submit(flood)
        reader = job.items(max_items=50)  # attached, never read: the channel fills
        await wait_until(lambda: job.control.item_sink._items._pump.channel.waits > 0)  # type: ignore[union-attr]
        cancelled_at = time.monotonic()
        job.cancel()
        await wait_until(lambda: bool(outcome), within=5)
        assert all([isinstance(batch, list) async for batch in reader])
        return outcome[0][1] - cancelled_at

    try:
        delay = run(loop, main())
    finally:
        pool.close()
    assert outcome[0][0] == "cancelled"
    assert delay < 1.0  # at once, not after a timeout (generous: shared CI machines)


def test_a_job_nobody_reads_is_never_held_back(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="items")

    async def main() -> str:
        return await pool.submit(produce, 50_000, chunk=1_000)

    try:
        assert run(loop, main()) == "end"
    finally:
        pool.close()


def test_aclose_releases_the_worker(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="items")

    async def main() -> str:
        job = pool.submit(produce, 5_000)
        stream = job.items(max_items=10)
        async for _batch in stream:
            await stream.aclose()
            break
        return await job

    try:
        assert run(loop, main()) == "end"
    finally:
        pool.close()


def test_one_reader_at_a_time_and_a_reader_of_a_finished_job_ends(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=1, name="items")

    async def main() -> list[Any]:
        job = pool.submit(produce, 3)
        job.items()
        with pytest.raises(RuntimeError, match="already being read"):
            job.items()
        await job
        return [batch async for batch in job.items()]

    try:
        assert run(loop, main()) == []
    finally:
        pool.close()


def test_the_items_emitted_before_an_error_still_arrive(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="items")

    def fail_after(n: int) -> None:
        emit_many(range(n))
        raise ValueError("feed broke")

    async def main() -> list[int]:
        job = pool.submit(fail_after, 10)
        seen = [item async for batch in job.items() for item in batch]
        with pytest.raises(ValueError, match="feed broke"):
            await job
        return seen

    try:
        assert run(loop, main()) == list(range(10))
    finally:
        pool.close()


def test_emit_outside_a_job_or_without_a_sink_does_nothing() -> None:
    emit(1)
    emit_many([1, 2])
    with bind_job(JobControl()):
        emit(1)


def test_process_jobs_send_items_in_pickled_batches(loop: asyncio.AbstractEventLoop) -> None:
    pool = ProcessOffloader(max_workers=1, name="items-process")

    async def main() -> tuple[list[int], int]:
        job = pool.submit(emit_numbers, 20_000)
        seen: list[int] = []
        batches = 0
        async for batch in job.items(max_items=1_000):
            batches += 1
            seen.extend(batch)
        assert await job == "sent"
        return seen, batches

    try:
        seen, batches = run(loop, main())
    finally:
        pool.close()
    assert seen == list(range(20_000))
    assert batches < 20_000 // 10


def test_an_unpicklable_item_fails_the_process_job_clearly(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = ProcessOffloader(max_workers=1, name="items-process")

    async def main() -> None:
        with pytest.raises(TypeError, match="emitted item cannot be pickled"):
            await pool.submit(emit_unpicklable)

    try:
        run(loop, main())
    finally:
        pool.close()
