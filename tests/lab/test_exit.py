"""Closing the Lab mid-run: the cancellation propagates at once, teardown never raises."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from guiapp.app import _cancel_leftover_tasks
from guiapp.lab.engine import CellRun, LabSession
from guiapp.lab.strategy import JOIN_TIMEOUT, RunHooks, Strategy
from guiapp.lab.workloads import Workload

from .conftest import TINY, run, until


class SlowToCleanUp(Strategy):
    """Runs until cancelled, then "joins threads" (as QThread sends do) until released.

    The clean-up ends when the test sets :attr:`release` (or after :data:`CLEAN_UP_BOUND_S`,
    so that nothing hangs): a cancellation that waited for it would only arrive afterwards.
    """

    name = "slow_clean_up"

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.running = False
        self.cleaning_up = False
        self.cleaned_up = False

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        self.running = True
        try:
            await asyncio.sleep(60)
        finally:
            self.cleaning_up = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), CLEAN_UP_BOUND_S)
            self.cleaned_up = True


#: Far longer than JOIN_TIMEOUT, the longest a real strategy's clean-up waits for its threads.
CLEAN_UP_BOUND_S = 30 * JOIN_TIMEOUT


def test_a_cancelled_cell_run_propagates_without_waiting_for_clean_up(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession
) -> None:
    strategy = SlowToCleanUp()
    cell = CellRun(TINY["cpu_loop"], strategy, lab_session)

    async def main() -> bool:
        task = asyncio.ensure_future(cell.run())
        await until(lambda: strategy.running)  # the run is under way
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        cleaned_up_before = strategy.cleaned_up  # event-ordered, not timed: load cannot flip it
        strategy.release.set()
        await until(lambda: strategy.cleaned_up)  # the clean-up still runs to its end
        return cleaned_up_before

    cleaned_up_before = run(lab_loop, main())
    assert cell.control.cancelled  # the run was aborted (sockets shut, checkpoints raise)
    assert strategy.cleaning_up
    assert not cleaned_up_before, "the cancellation waited for the strategy's clean-up"
    assert cell.aborted_result is not None
    assert cell.aborted_result.status == "aborted"


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
