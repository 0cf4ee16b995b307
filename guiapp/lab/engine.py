"""Run one workload under one strategy and measure it: the cell of the Lab's matrix.

:class:`CellRun` runs on the GUI thread's qasync loop. While it runs, a
:class:`~guiapp.lab.qt_probe.LoadProbe` records event-loop lag (5 ms heartbeat), the process's
OS thread count and its RSS; the live series feed the Lab's plots; :meth:`CellRun.run`
returns a :class:`CellResult`.

Example::

    session = LabSession().start()                  # demo API child process + scratch dir
    run = CellRun(Workload("http_delay", tasks=8, delay=0.2), STRATEGIES["qthread"](), session)
    result = await run.run()
    print(result.row())
    session.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from guiapp.lab.qt_probe import LoadProbe
from guiapp.lab.results import CellResult, Point
from guiapp.lab.server import LabServer
from guiapp.lab.strategy import RunHooks, Strategy, Unit
from guiapp.lab.stream_tally import StreamTally
from guiapp.lab.workloads import Workload
from guiapp.offload import JobItems
from guiapp.offload.jobs import JobControl
from guiapp.offload.stats import summarize

__all__ = ["CellRun", "LabSession", "run_matrix"]

T = TypeVar("T")

SETTLE_S = 0.1  # heartbeat time after the work, so the tick that ends a stall is recorded


class LabSession:
    """The demo API (a child process, started on first use) and a scratch directory."""

    def __init__(self) -> None:
        self.server = LabServer()
        self._scratch: str | None = None

    @property
    def scratch_dir(self) -> str:
        if self._scratch is None:
            self._scratch = tempfile.mkdtemp(prefix="guiapp-lab-")
        return self._scratch

    def base_url(self, workload: Workload) -> str:
        if not workload.is_http:
            return ""
        return self.server.start().url

    def start(self) -> LabSession:
        self.server.start()
        return self

    def close(self) -> None:
        self.server.stop()
        scratch, self._scratch = self._scratch, None
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


class CellRun:
    """One live run; read :attr:`lag_series`, :attr:`done_series`, :attr:`thread_series`
    while it runs, call :meth:`abort` to stop it early."""

    def __init__(self, workload: Workload, strategy: Strategy, session: LabSession) -> None:
        if not strategy.applies(workload):
            raise ValueError(f"{strategy.name} does not apply to {workload.name} (n/a)")
        self.workload = workload
        self.strategy = strategy
        self.session = session
        self.completed = 0
        self.done_series: list[Point] = [(0.0, 0.0)]
        self.control = JobControl()
        #: ``time.perf_counter()`` when the measured run began (after the unmeasured set-up);
        #: None before. Something that must happen *during* the run waits for it.
        self.started_at: float | None = None
        self._probe: LoadProbe | None = None
        self._task: asyncio.Task[None] | None = None
        #: What a run cancelled from outside measured (status "aborted"): :meth:`run` raises
        #: the cancellation at once, so the caller finds the result here.
        self.aborted_result: CellResult | None = None
        #: The "stream" workload's events, counted where they arrive: on the GUI thread.
        self.tally: StreamTally | None = None

    @property
    def lag_series(self) -> list[Point]:
        return self._probe.lag if self._probe is not None else []

    @property
    def thread_series(self) -> list[Point]:
        return self._probe.threads if self._probe is not None else []

    def abort(self) -> None:
        """Stop the run: cancel its token (sockets, checkpoints) and its coroutine."""
        self.control.cancel()
        if self._task is not None:
            self._task.cancel()

    def _task_done(self) -> None:
        self.completed += 1
        if self._probe is not None:
            self.done_series.append((self._probe.now(), float(self.completed)))
            self._probe.sample()

    async def _run_unless_failed(self, hooks: RunHooks, status: str) -> None:
        if status == "ok":
            await self.strategy.run(self.workload, hooks)

    async def run(self) -> CellResult:
        """Prepare (unmeasured), run and measure; an aborted run returns what it measured."""
        base_url = self.session.base_url(self.workload)  # starts the demo API if needed
        probe = LoadProbe(self.strategy.worker_pids)  # thread baseline before the strategy exists
        units: list[Unit] = []
        hooks = RunHooks(units, base_url, self._task_done, self.control)
        channel = self._stream_channel(hooks)
        status = "ok"
        try:
            # Set-up (unmeasured), off the GUI thread: building a JSON body or Django's first
            # set-up (import, migrations: 1.7 s here) must not freeze the Lab. A workload that
            # cannot run here (Django not installed) becomes a result row that says why.
            units += await _in_a_thread(self.workload.units, base_url, self.session.scratch_dir)
            await self.strategy.prepare(self.workload)
        except Exception as exc:  # e.g. a worker process that cannot start: a result too
            status = f"error in set-up: {type(exc).__name__}: {exc}"
        self._probe = probe
        probe.start()
        if self.tally is not None:
            self.tally.start()
        started = self.started_at = time.perf_counter()
        self._task = asyncio.ensure_future(self._run_unless_failed(hooks, status))
        try:
            await asyncio.shield(self._task)
        except asyncio.CancelledError:
            if not self._task.done():
                # We were cancelled (the Lab or the app is closing), not the run: abort it
                # and go at once. Waiting here for its clean-up (thread joins of up to
                # JOIN_TIMEOUT) would hold up the exit; the cancellation must propagate.
                self.abort()
                probe.stop()
                probe.deleteLater()
                self.aborted_result = self._result(probe, "aborted", time.perf_counter() - started)
                raise
            status = "aborted"
        except Exception as exc:  # a failed run is a result too; the table shows why
            status = f"error: {type(exc).__name__}: {exc}"
        wall = time.perf_counter() - started
        if channel is not None:
            # The last items of calls run with the run's token, if still pending: flushed even
            # though a strategy's clean-up may have cancelled the token (that only means "stop
            # the calls still running"; what they emitted before is counted).
            channel.flush()
            channel.end()
        if status == "ok" and self.tally is not None and self.tally.lost:
            status = f"error: {self.tally.lost:,} of {self.tally.expected:,} events lost"
        if status == "ok":
            await asyncio.sleep(SETTLE_S)
        probe.stop()
        probe.deleteLater()
        return self._result(probe, status, wall)

    def _stream_channel(self, hooks: RunHooks) -> JobItems[object] | None:
        # The stream workload: every event goes to the tally on the GUI thread. Calls run with
        # the run's token emit into one lossless channel (batched per frame, back-pressured);
        # strategies with jobs of their own connect those jobs' items to hooks.items.
        if self.workload.name != "stream":
            return None
        self.tally = StreamTally(self.workload.tasks * int(self.workload.params["events"]))
        hooks.items = self.tally
        channel: JobItems[object] = JobItems(asyncio.get_running_loop(), self.control)
        channel.add_callback(self.tally)
        self.control.item_sink = channel
        return channel

    def _result(self, probe: LoadProbe, status: str, wall: float) -> CellResult:
        return CellResult(
            workload=self.workload,
            strategy=self.strategy.label(),
            completed=self.completed,
            wall_s=wall,
            lag=summarize(lag for _t, lag in probe.lag),
            baseline_threads=probe.baseline_threads,
            peak_threads=probe.peak_threads,
            added_threads=probe.added_threads,
            peak_rss_mb=probe.peak_rss / 1e6,
            rss_added_mb=max(0, probe.peak_rss - probe.baseline_rss) / 1e6,
            status=status,
            detail=self.tally.describe(wall) if self.tally is not None else self.workload.detail(),
            lag_series=probe.lag,
            done_series=self.done_series,
            thread_series=probe.threads,
            freezes=probe.freezes(),
        )


async def _in_a_thread(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a short-lived thread of its own, awaited; ended before returning.

    Not a pool: the run's thread count is measured against a baseline taken before, and a
    thread that stays (a pool's idle worker) would count as the strategy's.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def target() -> None:
        outcome: tuple[bool, Any]
        try:
            outcome = (True, func(*args))
        except BaseException as exc:  # re-raised in the awaiting coroutine
            outcome = (False, exc)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(settle, *outcome)

    thread = threading.Thread(target=target, name="lab-setup", daemon=True)
    thread.start()
    try:
        return await future
    finally:
        if future.done():
            thread.join()  # it has handed over its result: ends at once


async def run_matrix(
    cells: Sequence[tuple[Workload, Strategy]],
    session: LabSession,
    *,
    on_start: Callable[[CellRun], object] | None = None,
    on_result: Callable[[CellResult], object] | None = None,
) -> list[CellResult]:
    """Run ``cells`` one after the other (n/a pairs skipped); return their results."""
    results: list[CellResult] = []
    for workload, strategy in cells:
        if not strategy.applies(workload):
            continue
        run = CellRun(workload, strategy, session)
        if on_start is not None:
            on_start(run)
        result = await run.run()
        results.append(result)
        if on_result is not None:
            on_result(result)
        if result.status == "aborted":
            break
    return results
