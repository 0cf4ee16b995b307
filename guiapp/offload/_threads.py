"""Thread executors: :class:`Offloader` (a bounded pool) and :class:`SerialLane` (one thread).

Both are :class:`concurrent.futures.ThreadPoolExecutor` instances, so asyncio accepts them as
the loop's default executor (``loop.set_default_executor`` insists on that class since
Python 3.11), and both replace its machinery entirely: the worker threads, queue, job type
and shutdown are this package's own.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from ._executor import DEFAULT_CLOSE_TIMEOUT, PoolExecutor
from ._job import Job
from ._pool import WorkerPool, WorkItem
from .jobs import _call_bound

__all__ = ["Offloader", "SerialLane"]

P = ParamSpec("P")
R = TypeVar("R")

_log = logging.getLogger(__name__)


class _ThreadExecutor(PoolExecutor, ThreadPoolExecutor):
    """What Offloader and SerialLane share: submit, make_async, close, aclose, shutdown."""

    def __init__(
        self,
        name: str,
        max_workers: int,
        idle_timeout: float | None,
        initializer: Callable[[], object] | None = None,
        shutdown_timeout: float | None = DEFAULT_CLOSE_TIMEOUT,
    ) -> None:
        # The base's attributes exist (code that inspects a ThreadPoolExecutor finds them),
        # but none of its machinery runs: it starts no thread and registers no exit hook.
        ThreadPoolExecutor.__init__(self, max_workers=max_workers, thread_name_prefix=name)
        self.shutdown_timeout = shutdown_timeout
        self._pool: WorkerPool[None] = WorkerPool(
            name=name,
            max_workers=max_workers,
            run=_run_in_thread,
            make_state=_no_state if initializer is None else _initialized(initializer),
            end_state=_no_end,
            idle_timeout=idle_timeout,
        )

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{self._pool.thread_count} threads"
        return f"<{type(self).__name__} {self.name!r} {state}>"

    @property
    def thread_count(self) -> int:
        """Worker threads alive now (0 until the first submit; never above ``max_workers``)."""
        return self._pool.thread_count

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Job[R]:
        """Run ``fn(*args, **kwargs)`` in a worker thread; return its :class:`Job` at once.

        Safe from any thread. The call runs in a copy of the caller's :mod:`contextvars`
        context, with its own :class:`~guiapp.offload.JobControl` bound, so
        :func:`~guiapp.offload.checkpoint` & co. work inside it; progress is delivered on the
        loop running in the submitting thread, if any.
        Raises :class:`~guiapp.offload.OffloaderClosed` after :meth:`close`.
        """
        job: Job[R] = self._pool.new_job(fn)
        context = contextvars.copy_context()
        self._pool.put(job, WorkItem(job, fn, args, kwargs, payload=context))
        return job


class Offloader(_ThreadExecutor):
    """A bounded pool of daemon threads for blocking I/O, delivering to any asyncio loop.

    Threads are named ``<name>-N``, started only when work arrives, never more than
    ``max_workers``; an idle thread serves the next job and exits after ``idle_timeout``
    seconds without work. Awaited jobs come back through ``loop.call_soon_threadsafe``, one
    wake-up per batch of completions, so it works the same on a plain asyncio loop and on
    qasync's ``QEventLoop``.

    It is a :class:`concurrent.futures.ThreadPoolExecutor`: make it the loop's default
    executor and existing ``run_in_executor(None, ...)`` and ``asyncio.to_thread(...)`` calls
    run on it, with bounded shutdown and cancellation that reaches the running call
    (``docs/offload.md``, "Adopt it")::

        loop.set_default_executor(Offloader(max_workers=64))

    >>> import asyncio, time
    >>> async def main():
    ...     async with Offloader(max_workers=4, name="io") as pool:
    ...         slow_add = pool.make_async(lambda a, b: (time.sleep(0.01), a + b)[1])
    ...         job = pool.submit(sorted, [3, 1, 2], reverse=True)
    ...         return await job, await slow_add(1, b=2)
    >>> asyncio.run(main())
    ([3, 2, 1], 3)

    ``initializer`` runs in each worker thread when it starts, before its first job (like
    ``ThreadPoolExecutor``'s: open a per-thread resource, set up logging); an exception from it
    is logged and the thread serves anyway.
    """

    def __init__(
        self,
        max_workers: int = 64,
        name: str = "offload",
        *,
        idle_timeout: float | None = 60.0,
        initializer: Callable[[], object] | None = None,
        shutdown_timeout: float | None = DEFAULT_CLOSE_TIMEOUT,
    ) -> None:
        super().__init__(name, max_workers, idle_timeout, initializer, shutdown_timeout)


class SerialLane(_ThreadExecutor):
    """One dedicated thread that runs its calls in order: for thread-affine resources.

    A :mod:`sqlite3` connection may only be used by the thread that created it; create and use
    it through the same lane. The lane serialises only its own calls, never an
    :class:`Offloader`'s (Django's ``sync_to_async(thread_sensitive=True)`` plays this role,
    but asgiref's default routes every such call of the process through one thread).

    >>> import asyncio, sqlite3
    >>> async def main():
    ...     async with SerialLane(name="history") as lane:
    ...         db = await lane.submit(sqlite3.connect, ":memory:")
    ...         await lane.submit(db.execute, "create table t (x)")
    ...         await lane.submit(db.execute, "insert into t values (42)")
    ...         rows = await lane.submit(lambda: db.execute("select x from t").fetchall())
    ...         await lane.submit(db.close)
    ...         return rows
    >>> asyncio.run(main())
    [(42,)]
    """

    def __init__(
        self, name: str = "lane", *, shutdown_timeout: float | None = DEFAULT_CLOSE_TIMEOUT
    ) -> None:
        # The thread never retires: whatever it created (a connection) must stay usable.
        super().__init__(name, max_workers=1, idle_timeout=None, shutdown_timeout=shutdown_timeout)


def _run_in_thread(item: WorkItem, _state: None) -> None:
    job = item.job
    context: contextvars.Context = item.payload
    try:
        value = context.run(_call_bound, job.control, item.func, item.args, item.kwargs)
    except BaseException as exc:  # everything, KeyboardInterrupt included, goes to the awaiter
        job._publish(False, exc)
        del exc
    else:
        job._publish(True, value)


def _no_state() -> None:
    return None


def _initialized(initializer: Callable[[], object]) -> Callable[[], None]:
    def start_thread() -> None:
        try:
            initializer()
        except Exception:
            _log.exception("%s: the thread initializer failed", threading.current_thread().name)

    return start_thread


def _no_end(_state: None) -> None:
    return None
