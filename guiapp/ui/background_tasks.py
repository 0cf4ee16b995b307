"""Coroutines a widget starts and owns: referenced until done, cancellable, failures reported.

``asyncio`` keeps only weak references to tasks, so a task nobody holds can vanish mid-flight,
and an exception in a task nobody awaits is only logged at garbage collection. A widget that
starts work from a slot keeps its tasks here.

Example::

    tasks = BackgroundTasks(on_error=lambda exc: label.setText(f"Failed: {exc}"))
    tasks.spawn(load_body())      # no running loop (a bare widget in a test): nothing runs
    tasks.cancel_all()            # e.g. a newer response arrived
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["BackgroundTasks"]

_log = logging.getLogger(__name__)


class BackgroundTasks:
    """A set of tasks kept alive until they end; ``on_error(exc)`` hears about failures."""

    def __init__(self, on_error: Callable[[BaseException], object], what: str) -> None:
        self._tasks: set[asyncio.Future[Any]] = set()
        self._on_error = on_error
        self._what = what

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` as a task of the running (or current) loop; without one, drop it."""
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:  # no event loop at all (a bare widget in a test): nothing to run
            coro.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._on_done)

    def cancel_all(self) -> None:
        """Cancel every task except the one calling (a re-show started from a task)."""
        try:
            me = asyncio.current_task()
        except RuntimeError:  # no running loop
            me = None
        for task in list(self._tasks):
            if task is not me:
                task.cancel()

    def _on_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            _log.error("%s failed", self._what, exc_info=exc)
            self._on_error(exc)
