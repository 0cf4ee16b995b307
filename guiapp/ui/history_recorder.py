"""Record every finished send in the history store, off the GUI thread, in order.

The :class:`~guiapp.core.history.HistoryStore` owns a sqlite3 connection, which belongs to one
thread, so every call goes through one :class:`~guiapp.offload.SerialLane`. Errors are recorded
too (with their message); cancelled sends and input refused before sending are not. A send
that cannot be stored is logged and emitted as ``recordFailed(message)`` (for the status line).

Example::

    recorder = HistoryRecorder(HistoryStore(data_dir / "history.sqlite3"), services.lane)
    window.exchangeFinished.connect(recorder.record)
    recorder.recorded.connect(history_panel.refresh)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from guiapp.core.errors import InvalidRequest
from guiapp.core.history import HistoryStore, ResponseSummary
from guiapp.core.request import RequestSpec
from guiapp.core.response import Response
from guiapp.offload import Job, SerialLane
from guiapp.ui.background_tasks import BackgroundTasks
from guiapp.ui.response_summary import incomplete_text

__all__ = ["HistoryRecorder", "summarize"]

_log = logging.getLogger(__name__)


def summarize(result: Response | BaseException) -> ResponseSummary | None:
    """The history summary of a Response or a send error; ``None`` if not worth keeping."""
    if isinstance(result, InvalidRequest):
        return None
    if isinstance(result, BaseException):
        return ResponseSummary.failed(str(result) or type(result).__name__)
    stream = getattr(result, "stream", None)  # a stand-in response may have none
    return ResponseSummary(
        result.status_code,
        result.reason,
        elapsed=result.elapsed,
        size=result.size,
        content_type=result.content_type,
        # A body cut short by a lost connection is said so (and found by searching "incomplete").
        error=incomplete_text(result) if getattr(result, "partial", False) else None,
        stream=stream.describe() if stream is not None else None,
    )


class HistoryRecorder(QObject):
    """Adds finished sends to ``store`` through ``lane``; emits :attr:`recorded` after each."""

    #: An entry was stored: its id.
    recorded = Signal(int)
    #: A send could not be stored: one sentence saying why.
    recordFailed = Signal(str)

    def __init__(
        self,
        store: HistoryStore,
        lane: SerialLane,
        parent: QObject | None = None,
        *,
        context: Callable[[RequestSpec], tuple[RequestSpec, set[str]]] | None = None,
    ):
        super().__init__(parent)
        self.store = store
        self.lane = lane
        #: Maps a sent spec to (the request as written, the secret values in effect): see
        #: :func:`guiapp.ui.sent_secrets.sent_context`.
        self.context = context
        self._tasks = BackgroundTasks(self._on_record_failed, "recording a history entry")

    def record(self, spec: RequestSpec, result: Response | BaseException) -> None:
        """Queue ``spec`` and its Response (or exception) for storage; returns at once."""
        summary = summarize(result)
        if summary is None:
            return
        written, secrets = self.context(spec) if self.context is not None else (spec, set())
        try:
            job = self.lane.submit(self.store.add, written, summary, sent=spec, secrets=secrets)
        except RuntimeError:  # the lane is closed: the window is shutting down
            return
        self._tasks.spawn(self._await(job))

    async def _await(self, job: Job[int]) -> None:
        self.recorded.emit(await job)

    def _on_record_failed(self, exc: BaseException) -> None:
        self.recordFailed.emit(f"This request was not saved in the history: {exc}")

    def close(self, timeout: float = 2.0) -> bool:
        """Close the store in its own thread (merging its WAL into the database) and wait up to
        ``timeout`` s for that; True if it closed. Called as the window closes, *before* the
        lane shuts down (which drops queued work), so the close is not lost."""
        done = threading.Event()

        def close_store() -> None:
            try:
                self.store.close()
            finally:
                done.set()

        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop running (a test closing the window): run one briefly
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(self._submit_and_wait(close_store, seconds=timeout))
            finally:
                loop.close()
        else:
            # The loop is blocked in this call; the lane thread sets the event by itself.
            with contextlib.suppress(RuntimeError):  # the lane is closed already
                self.lane.submit(close_store)
        closed = done.wait(timeout)
        if not closed:
            _log.warning("the history database could not be closed within %.1f s", timeout)
        return closed

    async def _submit_and_wait(self, func: Callable[[], None], *, seconds: float) -> None:
        with contextlib.suppress(Exception):  # a closed lane, a timeout: reported by close()
            await asyncio.wait_for(self.lane.submit(func), seconds)
