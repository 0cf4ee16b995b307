"""The Lab's strategies: seven ways to run the same blocking tasks from a Qt GUI.

Each :class:`Strategy` runs a workload's tasks (see :mod:`guiapp.bench.lab_workloads`) from a
coroutine on the GUI thread's qasync loop and calls ``hooks.task_done()`` on the GUI thread as
each task completes. Cancelling the coroutine aborts the run: queued work is dropped, running
work is cancelled through its job (sockets shut by ``core.send``'s ``on_cancel``, loops stopped
at their ``checkpoint()``), and threads are joined with a deadline, never terminated. A thread
that outlives the deadline stays referenced here (destroying a running QThread aborts the
process) and ends with its call.

Example::

    strategy = STRATEGIES["make_async"](pool_size=8)
    await strategy.run(Workload("http_delay", tasks=8, delay=0.2), hooks)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import anyio.lowlevel
import httpx
import qasync
from PySide6.QtCore import QRunnable, QThread, QThreadPool

from guiapp.bench.lab_workloads import Workload, cpu_loop
from guiapp.core.jobs import Cancelled, JobControl, bind_job
from guiapp.offload import Offloader, ProcessOffloader, make_async
from guiapp.offload.qt import QtWorkerJob, run_in_qthread

__all__ = ["STRATEGIES", "RunAborted", "RunHooks", "Strategy"]

_log = logging.getLogger(__name__)
JOIN_TIMEOUT = 2.0  # seconds an aborted run waits for its threads before abandoning them
_stragglers: list[object] = []  # QThreads / pools still running after JOIN_TIMEOUT: kept alive

Unit = tuple[Callable[..., Any], tuple[Any, ...]]


@dataclass
class RunHooks:
    """What the engine hands a strategy: the calls, where to report, a shared cancel token."""

    units: list[Unit]
    base_url: str
    task_done: Callable[[], None]
    control: JobControl


class RunAborted(Exception):
    """A task stopped by an abort, as an ``Exception`` (see :func:`_call_bound`)."""


def _call_bound(control: JobControl, func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    # Executors that know nothing of our job hooks (qasync's, QThreadPool) get the run's token
    # bound here, so an abort still reaches the socket / the loop's checkpoint(). Cancelled is a
    # BaseException: qasync's worker catches only Exception, and a BaseException kills its
    # QThread and leaves the awaiting future unresolved forever, hence the translation.
    with bind_job(control):
        try:
            return func(*args)
        except Cancelled as exc:
            raise RunAborted(str(exc)) from None


class Strategy:
    """Base: a name, a title, which workloads it applies to, and :meth:`run`."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: None: no pool size to choose.
    default_pool: ClassVar[int | None] = None
    #: Where the strategy makes sense: "all", "http" or "cpu".
    scope: ClassVar[str] = "all"

    def __init__(self, pool_size: int | None = None) -> None:
        self.pool_size = pool_size if pool_size is not None else self.default_pool

    def applies(self, workload: Workload) -> bool:
        if self.scope == "http":
            return workload.is_http
        if self.scope == "cpu":
            return workload.name in ("json_format", "cpu_loop")
        return True

    def max_added_threads(self, workload: Workload) -> int:
        """The most threads this strategy may add for ``workload`` (the tests' bound)."""
        return min(workload.tasks, self.pool_size or workload.tasks)

    def worker_pids(self) -> list[int]:
        """Worker processes (their memory counts in the run's peak RSS)."""
        return []

    def label(self) -> str:
        return f"{self.name}({self.pool_size})" if self.pool_size else self.name

    async def prepare(self, workload: Workload) -> None:
        """Unmeasured set-up (e.g. starting worker processes)."""

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        raise NotImplementedError


class GuiThread(Strategy):
    name = "gui_thread"
    title = "GUI thread (blocking in the slot)"

    def max_added_threads(self, workload: Workload) -> int:
        return 0

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        for func, args in hooks.units:
            _call_bound(hooks.control, func, args)  # the anti-pattern, on purpose
            hooks.task_done()
            await asyncio.sleep(0)  # let the plots repaint between calls (flatters it a bit)


# The Offloader (and ProcessOffloader) start their workers from one "<name>-starter" thread,
# so that submit() never waits for the OS to create a thread on the GUI thread.
_STARTER_THREADS = 1


class MakeAsync(Strategy):
    name = "make_async"
    title = "asyncio + make_async (own Offloader)"
    default_pool = 64

    def max_added_threads(self, workload: Workload) -> int:
        return super().max_added_threads(workload) + _STARTER_THREADS

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        pool = Offloader(max_workers=self.pool_size or 64, name="lab-offload", idle_timeout=5.0)
        try:

            async def one(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
                await make_async(offloader=pool)(func)(*args)
                hooks.task_done()

            await asyncio.gather(*(one(f, a) for f, a in hooks.units))
        finally:
            # Cancelled: gather cancelled every job (sockets shut); wait, bounded, for threads.
            await pool.aclose(JOIN_TIMEOUT)


class QasyncDefault(Strategy):
    name = "qasync_default"
    title = "loop.run_in_executor(None, ...) on qasync (QThreadExecutor, 10 threads)"
    default_pool = 10

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        loop = asyncio.get_running_loop()
        # Exactly what qasync's run_in_executor(None, ...) creates on first use; a private
        # instance so the Lab can end its threads (the loop's own one lives until loop.close()).
        executor = qasync.QThreadExecutor(self.pool_size or 10)
        try:

            async def one(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
                call = functools.partial(_call_bound, hooks.control, func, args)
                await loop.run_in_executor(executor, call)
                hooks.task_done()

            await asyncio.gather(*(one(f, a) for f, a in hooks.units))
        finally:
            _shutdown_qthread_executor(executor, hooks.control)

    def max_added_threads(self, workload: Workload) -> int:
        return self.pool_size or 10  # started eagerly, whatever the number of tasks


def _shutdown_qthread_executor(executor: qasync.QThreadExecutor, control: JobControl) -> None:
    # QThreadExecutor.shutdown(wait=True) waits without limit (qasync #115): cancel the run's
    # token first (a finished run has nothing left to cancel), then wait with a deadline.
    workers: list[QThread] = list(getattr(executor, "_QThreadExecutor__workers", []))
    executor.shutdown(wait=False)
    if not _join_qthreads(workers):
        control.cancel()
        if not _join_qthreads(workers):
            _stragglers.append(executor)


def _join_qthreads(threads: list[QThread], timeout: float = JOIN_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    done = True
    for thread in threads:
        remaining = max(0, int((deadline - time.monotonic()) * 1000))
        # QThread.wait explicitly: qasync's worker overrides wait() without a timeout.
        done = QThread.wait(thread, remaining) and done
    return done


class QThreadPerTask(Strategy):
    name = "qthread"
    title = "one QThread per task (run_in_qthread)"

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        jobs: list[QtWorkerJob] = []
        try:
            for func, args in hooks.units:
                job = run_in_qthread(func, *args, name=f"lab-qthread-{len(jobs) + 1}")
                job.succeeded.connect(lambda _value: hooks.task_done())
                jobs.append(job)
            await asyncio.gather(*(job.wait() for job in jobs))
        finally:
            for job in jobs:
                job.cancel()  # no-op for finished jobs; shuts sockets of running ones
            # Threads that delivered their result may still be exiting: poll, never block the
            # GUI thread in QThread.wait() (that would be lag this strategy does not cause).
            deadline = time.monotonic() + JOIN_TIMEOUT
            running = [job for job in jobs if job.is_running()]
            while running and time.monotonic() < deadline:  # QThread has no awaitable end
                await asyncio.sleep(0.005)
                running = [job for job in running if job.is_running()]
            _stragglers.extend(running)  # run_in_qthread's registry keeps them too


class _Runnable(QRunnable):
    def __init__(self, call: Callable[[], Any], deliver: Callable[[bool, Any], None]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it: we keep it until the pool is done
        self._call = call
        self._deliver = deliver

    def run(self) -> None:
        try:
            value = self._call()
        except BaseException as exc:  # delivered to the awaiting future, never into Qt
            self._deliver(False, exc)
        else:
            self._deliver(True, value)


class QThreadPoolStrategy(Strategy):
    name = "qthreadpool"
    title = "QThreadPool + QRunnable"

    def __init__(self, pool_size: int | None = None) -> None:
        # As found: a QThreadPool's default size is QThread.idealThreadCount() (the core count).
        super().__init__(pool_size or QThread.idealThreadCount())

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        loop = asyncio.get_running_loop()
        pool = QThreadPool()
        pool.setObjectName(
            "lab-qthreadpool"
        )  # names its threads (Qt's own pool: "Thread (pooled)")
        pool.setMaxThreadCount(self.pool_size or 1)
        runnables: list[_Runnable] = []

        def submit(func: Callable[..., Any], args: tuple[Any, ...]) -> asyncio.Future[Any]:
            future: asyncio.Future[Any] = loop.create_future()

            def deliver(ok: bool, value: Any) -> None:  # worker thread
                loop.call_soon_threadsafe(_settle, future, ok, value)

            runnable = _Runnable(functools.partial(_call_bound, hooks.control, func, args), deliver)
            runnables.append(runnable)
            pool.start(runnable)
            future.add_done_callback(functools.partial(_count_success, hooks))
            return future

        try:
            await asyncio.gather(*(submit(f, a) for f, a in hooks.units))
        finally:
            pool.clear()  # queued runnables never start
            if not pool.waitForDone(0):
                hooks.control.cancel()
                if not pool.waitForDone(int(JOIN_TIMEOUT * 1000)):
                    _stragglers.append((pool, runnables))  # ~QThreadPool would wait forever
            # Otherwise the pool (and its idle threads) goes when the last reference does.


def _count_success(hooks: RunHooks, future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is None:
        hooks.task_done()


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class ProcessPool(Strategy):
    name = "process"
    title = "ProcessOffloader (spawned worker processes)"
    default_pool = 2
    scope = "cpu"

    def __init__(self, pool_size: int | None = None) -> None:
        super().__init__(pool_size)
        self._pool: ProcessOffloader | None = None

    def worker_pids(self) -> list[int]:
        return self._pool.worker_pids() if self._pool is not None else []

    def max_added_threads(self, workload: Workload) -> int:
        return super().max_added_threads(workload) + _STARTER_THREADS  # + a dispatcher each

    async def prepare(self, workload: Workload) -> None:
        # A spawned process costs ~0.2 s to start: start them before the clock does.
        size = min(self.pool_size or 2, workload.tasks)
        pool = self._pool = ProcessOffloader(max_workers=size, name="lab-process")
        try:
            # cpu_loop(1) also imports the workload module in each child, before the clock.
            await asyncio.gather(*(pool.submit(cpu_loop, 1) for _ in range(size)))
        except BaseException:  # cancelled (the Lab closed) or failed: no process may stay
            self._pool = None
            await pool.aclose(JOIN_TIMEOUT)
            raise

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        pool = self._pool
        if pool is None:
            await self.prepare(workload)
            pool = self._pool
        assert pool is not None
        try:

            async def one(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
                await pool.submit(func, *args)
                hooks.task_done()

            await asyncio.gather(*(one(f, a) for f, a in hooks.units))
        finally:
            await pool.aclose(JOIN_TIMEOUT)  # a cancelled job's process is killed
            self._pool = None


class NativeAsync(Strategy):
    name = "native_async"
    title = "native async I/O (httpx.AsyncClient on the qasync loop)"
    scope = "http"

    def __init__(self, pool_size: int | None = None) -> None:
        super().__init__(pool_size)
        self._client: httpx.AsyncClient | None = None

    def max_added_threads(self, workload: Workload) -> int:
        return 0  # one event loop, no threads (an IP literal needs no getaddrinfo thread)

    async def prepare(self, workload: Workload) -> None:
        # An app makes its client once: building one loads the CA bundle into an SSL context,
        # a one-off ~50-90 ms on the GUI thread here, which is not the per-request cost.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        self._client = httpx.AsyncClient(limits=limits, timeout=60.0)
        # anyio imports its asyncio backend on first use (~0.1 s, once): not per request.
        await anyio.lowlevel.checkpoint()

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        if self._client is None:
            await self.prepare(workload)
        client, self._client = self._client, None
        assert client is not None
        async with client:

            async def one() -> None:
                await workload.async_unit(client, hooks.base_url)
                hooks.task_done()

            await asyncio.gather(*(one() for _ in range(workload.tasks)))


STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (
        GuiThread,
        MakeAsync,
        QasyncDefault,
        QThreadPerTask,
        QThreadPoolStrategy,
        ProcessPool,
        NativeAsync,
    )
}
