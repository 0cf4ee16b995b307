"""Coroutines a widget starts and owns: referenced until done, cancellable, failures reported.

``asyncio`` keeps only weak references to tasks, so a task nobody holds can vanish mid-flight,
and an exception in a task nobody awaits is only logged at garbage collection. Every task the
UI starts from a slot goes through a :class:`BackgroundTasks`: it is kept until it ends, and a
failure is logged (with its traceback) and handed to ``on_error``, which shows it to the user
(a status line, a label), never as a traceback.

Example::

    tasks = BackgroundTasks(on_error=lambda exc: label.setText(f"Failed: {exc}"), what="load")
    tasks.spawn(load_body())      # no running loop (a bare widget in a test): nothing runs
    tasks.spawn(delete(row), on_error=lambda exc: status(f"Could not delete: {exc}"))
    tasks.cancel_all()            # e.g. a newer response arrived
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["BackgroundTasks", "ErrorHandler"]

_log = logging.getLogger(__name__)

ErrorHandler = Callable[[BaseException], object]
FutureT = TypeVar("FutureT", bound="asyncio.Future[Any]")


class BackgroundTasks:
    """A set of tasks kept alive until they end; ``on_error(exc)`` hears about failures.

    ``what`` names the tasks in the log ("the collection run failed").
    """

    def __init__(self, on_error: ErrorHandler, what: str) -> None:
        self._tasks: set[asyncio.Future[Any]] = set()
        self._on_error = on_error
        self._what = what

    def __len__(self) -> int:
        return len(self._tasks)

    def __bool__(self) -> bool:
        return bool(self._tasks)

    @property
    def tasks(self) -> frozenset[asyncio.Future[Any]]:
        """The tasks still running (e.g. to await them all)."""
        return frozenset(self._tasks)

    def spawn(
        self,
        awaitable: Awaitable[Any],
        *,
        on_error: ErrorHandler | None = None,
        what: str | None = None,
    ) -> asyncio.Future[Any] | None:
        """Run ``awaitable`` as a task of the running (or current) loop and return the task.

        ``on_error`` / ``what`` replace the set's for this task. Without any event loop (a bare
        widget in a test) a coroutine is closed unrun and None is returned.
        """
        try:
            task = asyncio.ensure_future(awaitable)
        except RuntimeError:  # no event loop at all (a bare widget in a test): nothing to run
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()
            return None
        return self.keep(task, on_error=on_error, what=what)

    def keep(
        self,
        task: FutureT,
        *,
        on_error: ErrorHandler | None = None,
        what: str | None = None,
    ) -> FutureT:
        """Keep a task created elsewhere (e.g. on a given loop) like a spawned one; returns it."""
        self._tasks.add(task)
        task.add_done_callback(
            functools.partial(self._on_done, on_error or self._on_error, what or self._what)
        )
        return task

    def cancel_all(self) -> None:
        """Cancel every task except the one calling (a re-show started from a task)."""
        try:
            me = asyncio.current_task()
        except RuntimeError:  # no running loop
            me = None
        for task in list(self._tasks):
            if task is not me:
                task.cancel()

    def _on_done(self, on_error: ErrorHandler, what: str, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            _log.error("%s failed", what, exc_info=exc)
            on_error(exc)
