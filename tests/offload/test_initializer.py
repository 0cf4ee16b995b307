"""Offloader(initializer=...): once per worker thread, before its first job."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

from guiapp.offload import Offloader

from ._helpers import run


def test_initializer_runs_once_in_each_worker_thread_before_its_jobs(
    loop: asyncio.AbstractEventLoop,
) -> None:
    started: list[str] = []
    pool = Offloader(
        max_workers=3,
        name="init",
        initializer=lambda: started.append(threading.current_thread().name),
    )

    def who() -> tuple[str, bool]:
        time.sleep(0.05)
        me = threading.current_thread().name
        return me, me in started

    async def main() -> list[tuple[str, bool]]:
        return list(await asyncio.gather(*(pool.submit(who) for _ in range(9))))

    try:
        results = run(loop, main())
    finally:
        pool.close()
    assert all(initialized for _name, initialized in results)
    assert sorted(started) == sorted({name for name, _ in results})  # once per thread
    assert set(started) <= {"init-1", "init-2", "init-3"}


def test_a_failing_initializer_is_logged_and_the_thread_still_serves(
    loop: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("no such device")

    pool = Offloader(max_workers=1, name="broken-init", initializer=broken)

    async def main() -> int:
        return await pool.submit(sum, [1, 2, 3])

    try:
        with caplog.at_level(logging.ERROR, logger="guiapp.offload._threads"):
            assert run(loop, main()) == 6
    finally:
        pool.close()
    assert "broken-init-1: the thread initializer failed" in caplog.text
    assert "no such device" in caplog.text
