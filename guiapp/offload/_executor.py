"""The surface every executor shares, around its :class:`~guiapp.offload._pool.WorkerPool`.

:class:`~guiapp.offload.Offloader`, :class:`~guiapp.offload.SerialLane` and
:class:`~guiapp.offload.ProcessOffloader` differ in how they ``submit`` and ``close``; their
``name``, ``max_workers``, ``closed``, ``make_async`` and ``async with`` are the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, ParamSpec, Protocol, Self, TypeVar

from ._job import Job
from ._pool import WorkerPool, ensure_blocking

__all__ = ["PoolExecutor", "Submitter", "wrap_blocking"]

P = ParamSpec("P")
R = TypeVar("R")


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


class PoolExecutor:
    """Base of the executors: subclasses set ``_pool`` and define ``submit`` and ``aclose``."""

    _pool: WorkerPool[Any]

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

    def submit(self, func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Job[R]:
        raise NotImplementedError

    async def aclose(self, timeout: float = 2.0) -> bool:  # noqa: ASYNC109 - mirrors close(timeout)
        raise NotImplementedError

    def make_async(self, func: Callable[P, R], /) -> Callable[P, Coroutine[Any, Any, R]]:
        """Decorator: ``func`` becomes a coroutine function that runs it on this executor."""
        return wrap_blocking(func, lambda: self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
