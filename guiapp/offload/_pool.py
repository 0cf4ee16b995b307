"""A bounded pool of plain daemon threads with a shutdown that never waits for a stuck call.

Shared machinery of :class:`~guiapp.offload.Offloader`, :class:`~guiapp.offload.SerialLane`
and :class:`~guiapp.offload.ProcessOffloader`. Why not ``concurrent.futures``: its shutdown and
its ``atexit`` hook join every worker, so one call stuck in ``recv()`` keeps the process alive;
and qasync's executor starts 10 QThreads eagerly, queues beyond them and waits without limit on
close (docs/offload.md, "why not the standard executors").
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ._job import Job

__all__ = ["OffloaderClosed", "WorkItem", "WorkerPool", "ensure_blocking"]

_log = logging.getLogger("guiapp.offload")

S = TypeVar("S")


class OffloaderClosed(RuntimeError):
    """Raised by ``submit`` once the offloader has been closed."""


def ensure_blocking(func: Callable[..., Any]) -> None:
    """Refuse a coroutine function: offloading it would only build a coroutine in a thread."""
    if inspect.iscoroutinefunction(func):
        raise TypeError(
            f"{getattr(func, '__qualname__', func)!s} is already a coroutine function; "
            "await it directly instead of offloading it"
        )


class WorkItem:
    """A queued call: its job, the function and its arguments (plus executor data)."""

    __slots__ = ("args", "func", "job", "kwargs", "payload")

    def __init__(
        self,
        job: Job[Any],
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        payload: Any = None,
    ) -> None:
        self.job = job
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.payload = payload


class WorkerPool(Generic[S]):
    """Threads named ``<name>-N`` started on demand, up to ``max_workers``, FIFO queue.

    Each thread owns a state object made by ``make_state()`` (the process of a process worker,
    say), runs items with ``run(item, state)`` and ends with ``end_state(state)``. A thread that
    stays idle for ``idle_timeout`` seconds exits (``None``: never).
    """

    def __init__(
        self,
        name: str,
        max_workers: int,
        run: Callable[[WorkItem, S], None],
        make_state: Callable[[], S],
        end_state: Callable[[S], None],
        idle_timeout: float | None,
    ) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, not {max_workers}")
        self.name = name
        self.max_workers = max_workers
        self._run = run
        self._make_state = make_state
        self._end_state = end_state
        self._idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)  # idle workers wait here for work
        # close() waits here for the threads to end; apart from _cond, so that waking one idle
        # worker never wakes a closer instead (and the other way round).
        self._exited = threading.Condition(self._lock)
        self._queue: deque[WorkItem] = deque()
        self._threads: set[threading.Thread] = set()  # alive
        self._active: set[threading.Thread] = set()  # alive and not retiring: the capacity
        self._running: dict[threading.Thread, WorkItem] = {}
        self._idle = 0
        self._pending = 0  # threads wanted but not started yet: the starter starts them
        self._starter: threading.Thread | None = None
        self._starter_wake = threading.Condition(self._lock)
        self._counter = itertools.count(1)
        self._closed = False
        self._exit_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._discard_hook: Callable[[Job[Any]], object] = self._discard  # bound once

    @property
    def closed(self) -> bool:
        """True once :meth:`close` or :meth:`aclose` has been called."""
        return self._closed

    @property
    def thread_count(self) -> int:
        """Threads currently alive in the pool (started lazily, at most ``max_workers``)."""
        with self._cond:
            return len(self._threads)

    # -- submitting ----------------------------------------------------------------------------
    def new_job(self, func: Callable[..., Any]) -> Job[Any]:
        """A job for ``func``, tied to the running loop of this thread if there is one.

        Progress is delivered on that loop; a job submitted from a thread without a running
        loop is a plain ``concurrent.futures.Future`` (its progress is only recorded).
        """
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        return Job(loop, name=getattr(func, "__qualname__", None) or repr(func))

    def put(
        self,
        job: Job[Any],
        item: WorkItem,
        cancel_hook: Callable[[Job[Any]], object] | None = None,
    ) -> None:
        """Queue ``item``; start a thread if no idle one can take it.

        ``cancel_hook(job)`` runs (in the cancelling thread) when the job is cancelled, after
        the job has left the queue.
        """
        start: threading.Thread | None = None
        with self._cond:
            if self._closed:
                raise OffloaderClosed(f"{self.name} is closed; it accepts no new work")
            self._queue.append(item)
            job._cancel_hook = (
                self._discard_hook if cancel_hook is None else _chain(self._discard, cancel_hook)
            )
            wanted = len(self._queue) > self._idle + self._pending
            if wanted and len(self._active) + self._pending < self.max_workers:
                self._pending += 1
                if self._starter is None:
                    start = self._starter = threading.Thread(
                        target=self._starter_loop, name=f"{self.name}-starter", daemon=True
                    )
                else:
                    self._starter_wake.notify()
            if self._idle:  # a thread waits for work: wake one (else nobody is listening)
                self._cond.notify()
        if start is not None:
            start.start()

    def _discard(self, job: Job[Any]) -> None:
        # A queued job that is cancelled leaves the queue at once, with its arguments (a
        # worker would skip it anyway). Scan from the newest: a job cancelled soon after its
        # submit is near the end.
        with self._cond:
            for index in range(len(self._queue) - 1, -1, -1):
                if self._queue[index].job is job:
                    del self._queue[index]
                    break

    def _new_thread(self) -> threading.Thread:
        # Called with the lock held: the thread counts against max_workers from now on.
        thread = threading.Thread(
            target=self._worker, name=f"{self.name}-{next(self._counter)}", daemon=True
        )
        self._threads.add(thread)
        self._active.add(thread)
        return thread

    def _starter_loop(self) -> None:
        # Thread.start() blocks until the new thread has been scheduled: up to milliseconds on
        # a loaded machine, so 100 submits would stall the event loop for 100 of them. Workers
        # are started here instead; the loop thread only starts this starter, once per burst.
        # It retires after a second without demand.
        while True:
            with self._cond:
                while self._pending == 0 and not self._closed:
                    if not self._starter_wake.wait(1.0) and self._pending == 0:
                        self._starter = None
                        return
                if self._closed and (not self._queue or self._threads):
                    # Closed: start nothing more, unless queued work is draining and no
                    # thread is left to run it.
                    self._pending = 0
                    self._starter = None
                    return
                self._pending -= 1
                thread = self._new_thread()
            try:
                thread.start()
            except RuntimeError:  # "can't start new thread": go on with the threads we have
                _log.exception("%s: could not start another worker thread", self.name)
                with self._cond:
                    self._threads.discard(thread)
                    self._active.discard(thread)

    # -- worker thread -------------------------------------------------------------------------
    def _worker(self) -> None:
        me = threading.current_thread()
        state = self._make_state()
        try:
            while True:
                item = self._next_item(me)
                if item is None:
                    return
                try:
                    if item.job._claim():
                        self._run(item, state)
                except BaseException:  # the runner reports outcomes; this is a bug guard
                    _log.exception("%s: worker failed on %r", me.name, item.job)
                finally:
                    del item  # _next_item drops the pool's reference, in its one locked section
        finally:
            try:
                self._end_state(state)
            finally:
                self._thread_exited(me)

    def _next_item(self, me: threading.Thread) -> WorkItem | None:
        with self._cond:
            self._running.pop(me, None)  # the previous item, if any, has ended
            while not self._queue:
                if self._closed:
                    self._active.discard(me)
                    # Closing wakes one idle worker, and each one leaving wakes the next: with
                    # 1,000 idle threads, waking them all at once (notify_all) made them fight
                    # over the GIL with the loop thread that closed the pool (tens of ms).
                    self._cond.notify()
                    return None
                self._idle += 1
                try:
                    woke = self._cond.wait(self._idle_timeout)
                finally:
                    self._idle -= 1
                if not woke and not self._queue:
                    # Idle too long: retire. Leave the pool in this same critical section, so
                    # a submit that arrives now starts a new thread instead of counting on this
                    # one (and the count of threads never exceeds max_workers).
                    self._active.discard(me)
                    self._threads.discard(me)
                    return None
            item = self._queue.popleft()
            self._running[me] = item
            return item

    def _thread_exited(self, me: threading.Thread) -> None:
        with self._cond:
            self._threads.discard(me)
            self._active.discard(me)
            self._exited.notify_all()
            if self._threads or not self._closed:
                return
            waiters, self._exit_waiters = self._exit_waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                loop.call_soon_threadsafe(_set_done, future)

    # -- shutdown ------------------------------------------------------------------------------
    def begin_close(self, drain: bool = False) -> list[Job[Any]]:
        """Refuse new work; return the jobs cancelled.

        Without ``drain``, queued work is dropped and running jobs are cancelled. With
        ``drain``, queued and running jobs go on and the threads exit once the queue is empty.
        """
        with self._cond:
            self._closed = True
            if drain:
                items: list[WorkItem] = []
            else:
                items = [*self._queue, *self._running.values()]
                self._queue.clear()
            self._cond.notify()  # one idle worker; it wakes the next as it leaves (_next_item)
            self._starter_wake.notify_all()
        return self._cancel_items(items)

    def cancel_all(self) -> list[Job[Any]]:
        """Drop queued work and cancel running jobs (after a drain ran out of time)."""
        with self._cond:
            items = [*self._queue, *self._running.values()]
            self._queue.clear()
        return self._cancel_items(items)

    def _cancel_items(self, items: list[WorkItem]) -> list[Job[Any]]:
        jobs = [item.job for item in items if not item.job.done()]
        for job in jobs:
            try:
                job.cancel()
            except Exception:  # shutting down must go on whatever one job does
                _log.exception("%s: cancelling %r failed", self.name, job)
        return jobs

    def close(self, timeout: float | None, drain: bool = False) -> bool:
        """Close and wait up to ``timeout`` s (None: no limit) for the threads.

        With ``drain``, queued work runs first; whatever is still queued or running when the
        time is up is cancelled. True if every thread ended in time.
        """
        self.begin_close(drain)
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._exited.wait_for(
                lambda: not self._threads,
                timeout=None if deadline is None else max(0.0, deadline - time.monotonic()),
            )
            late = bool(self._threads)
        if drain and late:
            self.cancel_all()
        return self._report_stragglers()

    async def aclose(self, timeout: float | None, drain: bool = False) -> bool:  # noqa: ASYNC109 - mirrors close(timeout)
        """Like :meth:`close`, but waits without blocking the event loop."""
        self.begin_close(drain)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._cond:
            if self._threads:
                self._exit_waiters.append((loop, future))
            else:
                future.set_result(None)
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            with self._cond:  # don't let abandoned threads hold on to this loop
                if (loop, future) in self._exit_waiters:
                    self._exit_waiters.remove((loop, future))
            if drain:
                self.cancel_all()
        return self._report_stragglers()

    def _report_stragglers(self) -> bool:
        with self._cond:
            stragglers = sorted(
                ((thread.name, self._running.get(thread)) for thread in self._threads),
                key=lambda pair: pair[0],
            )
        for thread_name, item in stragglers:
            call = item.job.name if item is not None else "no call (exiting)"
            _log.warning("%s: abandoning thread %s still running %s", self.name, thread_name, call)
        return not stragglers


def _chain(
    first: Callable[[Job[Any]], object], second: Callable[[Job[Any]], object]
) -> Callable[[Job[Any]], None]:
    def hook(job: Job[Any]) -> None:
        first(job)
        second(job)

    return hook


def _set_done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
