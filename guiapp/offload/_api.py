"""The short forms: ``make_async``, ``run_blocking`` and the lazily created default offloader."""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar, overload

from ._executor import Submitter, wrap_blocking
from ._pool import ensure_blocking
from ._threads import Offloader

__all__ = [
    "Submitter",
    "default_offloader",
    "make_async",
    "reset_default_offloader",
    "run_blocking",
]

P = ParamSpec("P")
R = TypeVar("R")

_default: Offloader | None = None
_default_lock = threading.Lock()


def default_offloader() -> Offloader:
    """The process-wide :class:`Offloader` (``name="offload"``), created on first use.

    >>> default_offloader() is default_offloader()
    True
    """
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Offloader(name="offload")
        return _default


def reset_default_offloader(timeout: float = 1.0) -> None:
    """Close the default offloader (if any); the next use creates a fresh one.

    For tests and for ``QApplication.aboutToQuit``.

    >>> first = default_offloader()
    >>> reset_default_offloader()
    >>> first.closed, default_offloader() is first
    (True, False)
    """
    global _default
    with _default_lock:
        offloader, _default = _default, None
    if offloader is not None:
        offloader.close(timeout)


@overload
def make_async(func: Callable[P, R], /) -> Callable[P, Coroutine[Any, Any, R]]: ...


@overload
def make_async(
    *, offloader: Submitter | None = None
) -> Callable[[Callable[P, R]], Callable[P, Coroutine[Any, Any, R]]]: ...


def make_async(
    func: Callable[P, R] | None = None, /, *, offloader: Submitter | None = None
) -> (
    Callable[P, Coroutine[Any, Any, R]]
    | Callable[[Callable[P, R]], Callable[P, Coroutine[Any, Any, R]]]
):
    """Turn a blocking function into a coroutine function with the same signature.

    Each call runs ``func`` in a worker thread of ``offloader`` (default:
    :func:`default_offloader`, looked up at call time), inside a copy of the caller's
    contextvars; keyword arguments pass through; cancelling the awaiting task cancels the job.

    >>> import asyncio, time
    >>> @make_async
    ... def fetch(url, *, timeout=1.0):
    ...     time.sleep(0.01)               # stands for requests.get(url, timeout=timeout)
    ...     return f"{url} in {timeout}s"
    >>> asyncio.run(fetch("http://127.0.0.1/", timeout=2.5))
    'http://127.0.0.1/ in 2.5s'
    >>> from guiapp.offload import SerialLane
    >>> lane = SerialLane(name="db")
    >>> @make_async(offloader=lane)
    ... def thread_name():
    ...     return threading.current_thread().name
    >>> asyncio.run(thread_name())
    'db-1'
    >>> lane.close()
    True
    """

    def executor() -> Submitter:
        return offloader if offloader is not None else default_offloader()

    def decorate(function: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
        return wrap_blocking(function, executor)

    if func is not None:
        return decorate(func)
    return decorate


async def run_blocking(func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run ``func(*args, **kwargs)`` once on the default offloader and return its result.

    Like :func:`make_async`, it refuses a coroutine function (offloading it would only build
    a coroutine in a thread): await such a function directly.

    >>> import asyncio
    >>> asyncio.run(run_blocking(int, "ff", base=16))
    255
    """
    ensure_blocking(func)
    return await default_offloader().submit(func, *args, **kwargs)
