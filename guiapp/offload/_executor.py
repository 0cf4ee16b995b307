"""The surface every executor shares, around its :class:`~guiapp.offload._pool.WorkerPool`.

:class:`~guiapp.offload.Offloader`, :class:`~guiapp.offload.SerialLane` and
:class:`~guiapp.offload.ProcessOffloader` are :class:`concurrent.futures.Executor`\\ s that
differ in how they ``submit`` and ``close``; their ``name``, ``max_workers``, ``closed``,
``shutdown``, ``map``, ``make_async``, ``with`` and ``async with`` are the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from types import TracebackType
from typing import Any, ParamSpec, Protocol, Self, TypeVar

from ._job import Job
from ._pool import WorkerPool, ensure_blocking

__all__ = ["DEFAULT_CLOSE_TIMEOUT", "PoolExecutor", "Submitter", "wrap_blocking"]

P = ParamSpec("P")
R = TypeVar("R")

#: Seconds ``close``/``shutdown`` wait for the workers before abandoning them.
DEFAULT_CLOSE_TIMEOUT = 2.0


class Submitter(Protocol):
    """Anything with ``submit(func, *args, **kwargs) -> Job``: Offloader, SerialLane, ..."""

    def submit(self, func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Job[R]: ...


def wrap_blocking(
    func: Callable[P, R], executor: Callable[[], Submitter]
) -> Callable[P, Coroutine[Any, Any, R]]:
    """The one ``make_async`` wrapper: each call awaits ``executor().submit(func, ...)``.

    ``executor`` is looked up at call time (``make_async`` without an offloader uses the
    default one as it is then). Rejects coroutine functions (they are not blocking).
    """
    ensure_blocking(func)

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return await executor().submit(func, *args, **kwargs)

    return wrapper


class PoolExecutor(Executor):
    """Base of the executors: subclasses set ``_pool`` and define ``submit``."""

    _pool: WorkerPool[Any]
    #: Seconds :meth:`shutdown` waits at most (the standard executors wait without limit).
    shutdown_timeout: float | None = DEFAULT_CLOSE_TIMEOUT

    @property
    def name(self) -> str:
        """Prefix of the worker threads' names (``<name>-1``, ``<name>-2``...)."""
        return self._pool.name

    @property
    def max_workers(self) -> int:
        """The most calls this executor ever runs at once."""
        return self._pool.max_workers

    @property
    def closed(self) -> bool:
        """True once closed: ``submit`` raises :class:`~guiapp.offload.OffloaderClosed`."""
        return self._pool.closed

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Job[R]:
        raise NotImplementedError

    def close(self, timeout: float | None = DEFAULT_CLOSE_TIMEOUT, *, drain: bool = False) -> bool:
        """Shut down, waiting at most ``timeout`` seconds (``None``: no limit).

        New submissions raise :class:`~guiapp.offload.OffloaderClosed`. By default queued
        jobs are cancelled and never start and running jobs are cancelled (their
        ``on_cancel`` callbacks run now). With ``drain=True`` queued and running jobs go on
        (queued writes are not lost) and only what is left when ``timeout`` runs out is
        cancelled. Workers still busy then are abandoned (daemon threads never delay the
        interpreter's exit) and logged by name. Returns True if every worker ended in time.
        """
        return self._pool.close(timeout, drain)

    async def aclose(
        self,
        timeout: float | None = DEFAULT_CLOSE_TIMEOUT,  # noqa: ASYNC109 - mirrors close()
        *,
        drain: bool = False,
    ) -> bool:
        """:meth:`close` without blocking the event loop while it waits."""
        return await self._pool.aclose(timeout, drain)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """The :class:`concurrent.futures.Executor` way to close, bounded in time.

        ``cancel_futures=False`` drains (queued and running work completes), ``True``
        cancels queued *and* running work. ``wait=True`` waits up to
        :attr:`shutdown_timeout` seconds, then cancels and abandons what is left -- the
        standard executors would wait forever for a stuck call (``asyncio.run`` calls
        ``shutdown(wait=True)`` on the default executor when it ends).
        """
        if not wait:
            self._pool.begin_close(drain=not cancel_futures)
            return
        self.close(self.shutdown_timeout, drain=not cancel_futures)

    def make_async(self, func: Callable[P, R], /) -> Callable[P, Coroutine[Any, Any, R]]:
        """Decorator: ``func`` becomes a coroutine function that runs it on this executor."""
        return wrap_blocking(func, lambda: self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown(wait=True)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
