"""Record every finished send in the history store, off the GUI thread, in order.

The :class:`~guiapp.core.history.HistoryStore` owns a sqlite3 connection, which belongs to one
thread, so every call goes through one :class:`~guiapp.offload.SerialLane`. Errors are recorded
too (with their message); cancelled sends and input refused before sending are not.

Example::

    recorder = HistoryRecorder(HistoryStore(data_dir / "history.sqlite3"), services.lane)
    window.exchangeFinished.connect(recorder.record)
    recorder.recorded.connect(history_panel.refresh)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from guiapp.core.errors import InvalidRequest
from guiapp.core.history import HistoryStore, ResponseSummary
from guiapp.core.request import RequestSpec
from guiapp.offload import SerialLane
from guiapp.ui.response_summary import incomplete_text

__all__ = ["HistoryRecorder", "summarize"]

_log = logging.getLogger(__name__)


def summarize(result: Any) -> ResponseSummary | None:
    """The history summary of a Response or a send error; ``None`` if not worth keeping."""
    if isinstance(result, InvalidRequest):
        return None
    if isinstance(result, BaseException):
        return ResponseSummary.failed(str(result) or type(result).__name__)
    return ResponseSummary(
        result.status_code,
        result.reason,
        elapsed=result.elapsed,
        size=result.size,
        content_type=result.content_type,
        # A body cut short by a lost connection is said so (and found by searching "incomplete").
        error=incomplete_text(result) if getattr(result, "partial", False) else None,
    )


class HistoryRecorder(QObject):
    """Adds finished sends to ``store`` through ``lane``; emits :attr:`recorded` after each."""

    #: An entry was stored: its id.
    recorded = Signal(int)

    def __init__(self, store: HistoryStore, lane: SerialLane, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.lane = lane
        self._tasks: set[asyncio.Future[Any]] = set()

    def record(self, spec: RequestSpec, result: Any) -> None:
        """Queue ``spec`` and its Response (or exception) for storage; returns at once."""
        summary = summarize(result)
        if summary is None:
            return
        try:
            job = self.lane.submit(self.store.add, spec, summary)
        except RuntimeError:  # the lane is closed: the window is shutting down
            return
        future = asyncio.ensure_future(self._await(job))
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)

    async def _await(self, job: Any) -> None:
        try:
            entry_id = await job
        except Exception:
            _log.exception("could not record a history entry")
            return
        self.recorded.emit(entry_id)

    def close(self) -> None:
        """Close the store in its own thread (best effort: the lane is about to close)."""
        with contextlib.suppress(RuntimeError):
            self.lane.submit(self.store.close)
