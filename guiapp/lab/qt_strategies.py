"""The Lab's Qt strategies: qasync's default executor, a QThread per task, a QThreadPool.

Part of the registry in :mod:`guiapp.lab.strategies`; this module is where the Lab's engine
touches Qt's threads (QtCore only, no widgets). Threads are joined with a deadline and never
terminated; one that outlives it stays referenced (:func:`~guiapp.lab.strategy.keep_straggler`)
and ends with its call.

Example::

    strategy = QThreadPerTask()
    await strategy.run(Workload("http_delay", tasks=8, delay=0.2), hooks)
    job = QThreadPerTask.start(send, spec, offloader=offloader, on_progress=show)
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QRunnable, QThread, QThreadPool

from guiapp.lab.strategy import (
    JOIN_TIMEOUT,
    ProgressCallback,
    RunHooks,
    RunningRequest,
    Strategy,
    call_bound,
    keep_straggler,
)
from guiapp.lab.workloads import Workload
from guiapp.offload import Offloader
from guiapp.offload.jobs import JobControl
from guiapp.offload.qt import QtWorkerJob, run_in_qthread

__all__ = ["QThreadPerTask", "QThreadPoolStrategy", "QasyncDefault"]


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
                call = functools.partial(call_bound, hooks.control, func, args)
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
            keep_straggler(executor)


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
    send_id = "qthread"
    send_label = "QThread worker"
    send_tooltip = "Runs the request in a QThread worker with Qt signals."

    @classmethod
    def start(
        cls,
        func: Callable[..., Any],
        /,
        *args: Any,
        offloader: Offloader,
        on_progress: ProgressCallback,
    ) -> RunningRequest:
        job = run_in_qthread(func, *args, name="guiapp-send")
        job.progressed.connect(on_progress)
        return job

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        jobs: list[QtWorkerJob] = []
        try:
            for func, args in hooks.units:
                job = run_in_qthread(func, *args, name=f"lab-qthread-{len(jobs) + 1}")
                job.succeeded.connect(lambda _value: hooks.task_done())
                if hooks.items is not None:
                    job.itemsEmitted.connect(hooks.items)
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
            for job in running:  # run_in_qthread's registry keeps them too
                keep_straggler(job)


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
        pool.setObjectName("lab-qthreadpool")  # names its threads (Qt's own: "Thread (pooled)")
        pool.setMaxThreadCount(self.pool_size or 1)
        runnables: list[_Runnable] = []

        def submit(func: Callable[..., Any], args: tuple[Any, ...]) -> asyncio.Future[Any]:
            future: asyncio.Future[Any] = loop.create_future()

            def deliver(ok: bool, value: Any) -> None:  # worker thread
                loop.call_soon_threadsafe(_settle, future, ok, value)

            runnable = _Runnable(functools.partial(call_bound, hooks.control, func, args), deliver)
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
                    keep_straggler((pool, runnables))  # ~QThreadPool would wait forever
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
