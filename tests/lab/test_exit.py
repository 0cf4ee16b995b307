"""Closing the Lab mid-run: the cancellation propagates at once, teardown never raises."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from guiapp.app import _cancel_leftover_tasks
from guiapp.lab.engine import CellRun, LabSession
from guiapp.lab.strategy import JOIN_TIMEOUT, RunHooks, Strategy
from guiapp.lab.workloads import Workload

from .conftest import TINY, run


class SlowToCleanUp(Strategy):
    """Runs until cancelled, then spends JOIN_TIMEOUT "joining threads" (as QThread sends do)."""

    name = "slow_clean_up"

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        try:
            await asyncio.sleep(60)
        finally:
            deadline = time.monotonic() + JOIN_TIMEOUT
            while time.monotonic() < deadline:  # noqa: ASYNC110 - polls like QThread joins
                await asyncio.sleep(0.01)


def test_a_cancelled_cell_run_propagates_without_waiting_for_clean_up(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession
) -> None:
    cell = CellRun(TINY["cpu_loop"], SlowToCleanUp(), lab_session)

    async def main() -> float:
        task = asyncio.ensure_future(cell.run())
        await asyncio.sleep(0.2)
        cancelled_at = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.perf_counter() - cancelled_at

    took = run(lab_loop, main())
    assert cell.control.cancelled  # the run was aborted (sockets shut, checkpoints raise)
    assert took < JOIN_TIMEOUT / 2, f"the cancellation waited {took:.2f} s for the clean-up"


def test_leftover_tasks_that_outlive_the_timeout_do_not_break_the_teardown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = asyncio.new_event_loop()
    released = False

    async def stubborn() -> None:
        while not released:
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                continue  # ignores cancellation: the timeout must bound the wait

    try:
        task = loop.create_task(stubborn())
        loop.run_until_complete(asyncio.sleep(0))
        with caplog.at_level(logging.WARNING, logger="guiapp"):
            _cancel_leftover_tasks(loop, timeout=0.2)  # returns, never raises TimeoutError
        assert not task.done()
        assert "still running at exit" in caplog.text
        released = True
        loop.run_until_complete(task)
    finally:
        loop.close()
