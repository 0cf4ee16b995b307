"""SerialLane: one dedicated thread, calls in order, usable for thread-affine sqlite3."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest

from guiapp.offload import Offloader, SerialLane, make_async

from ._helpers import run, wait_until


def test_sqlite_connection_made_in_the_lane_serves_later_lane_calls(
    loop: asyncio.AbstractEventLoop,
) -> None:
    lane = SerialLane(name="history")

    @make_async(offloader=lane)
    def open_db() -> sqlite3.Connection:
        db = sqlite3.connect(":memory:")  # check_same_thread=True: only this thread may use it
        db.execute("create table history (url text)")
        return db

    @make_async(offloader=lane)
    def add(db: sqlite3.Connection, url: str) -> None:
        with db:
            db.execute("insert into history values (?)", (url,))

    @make_async(offloader=lane)
    def urls(db: sqlite3.Connection) -> list[str]:
        return [row[0] for row in db.execute("select url from history order by rowid")]

    async def main() -> tuple[list[str], sqlite3.Connection]:
        db = await open_db()
        for i in range(20):
            await add(db, f"http://127.0.0.1/{i}")
        return await urls(db), db

    try:
        rows, db = run(loop, main())
        # The same connection is unusable from any other thread: the lane is what made it work.
        with pytest.raises(sqlite3.ProgrammingError, match="thread"):
            db.execute("select 1")
        run(loop, lane.make_async(db.close)())
    finally:
        lane.close()
    assert rows == [f"http://127.0.0.1/{i}" for i in range(20)]


def test_lane_runs_everything_in_order_on_one_thread(loop: asyncio.AbstractEventLoop) -> None:
    lane = SerialLane(name="order")
    log: list[tuple[int, str]] = []

    def record(i: int) -> None:
        time.sleep(0.001 * (i % 3))  # uneven durations must not reorder anything
        log.append((i, threading.current_thread().name))

    async def main() -> None:
        await asyncio.gather(*(lane.submit(record, i) for i in range(50)))

    try:
        run(loop, main())
    finally:
        lane.close()
    assert [i for i, _ in log] == list(range(50))
    assert {name for _, name in log} == {"order-1"}
    assert lane.max_workers == 1


def test_a_busy_lane_does_not_block_the_offloader(loop: asyncio.AbstractEventLoop) -> None:
    lane = SerialLane(name="busy")
    pool = Offloader(max_workers=4, name="free")
    gate = threading.Event()
    lane_started = threading.Event()

    def hold_lane() -> str:
        lane_started.set()
        gate.wait(30)
        return "lane done"

    async def main() -> None:
        held = lane.submit(hold_lane)
        await wait_until(lane_started.is_set)
        began = time.perf_counter()
        results = await asyncio.gather(*(pool.submit(str, i) for i in range(8)))
        assert results == [str(i) for i in range(8)]
        assert time.perf_counter() - began < 10.0  # sanity bound; the held lane waits 30 s
        assert not held.done()  # the lane is still busy, and nothing waited for it
        gate.set()
        assert await held == "lane done"

    try:
        run(loop, main())
    finally:
        gate.set()
        lane.close()
        pool.close()


def test_two_lanes_run_in_parallel(loop: asyncio.AbstractEventLoop) -> None:
    first, second = SerialLane(name="lane-a"), SerialLane(name="lane-b")
    barrier = threading.Barrier(2, timeout=10)

    async def main() -> list[int]:
        # Each call waits for the other: this only completes if the lanes run side by side.
        return await asyncio.gather(first.submit(barrier.wait), second.submit(barrier.wait))

    try:
        assert sorted(run(loop, main())) == [0, 1]
    finally:
        first.close()
        second.close()
