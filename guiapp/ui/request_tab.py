"""One request tab: its editor, and the state of its latest send (newest wins).

A tab sends independently of the others. Each send gets a generation number; a result that
arrives for an older generation (the user pressed Send again, or cancelled) is dropped, so a
slow first response can never overwrite a fast second one.

The shared request bar and response area are *reparented* into the current tab's slots by the
main window (:meth:`RequestTab.adopt`), so each exists once and ``findChild`` finds the current
one.

Example::

    tab = RequestTab()
    tab.stateChanged.connect(refresh)           # outcome or progress changed
    await tab.send("asyncio-executor", offloader)
    tab.outcome                                 # Outcome(kind="response", value=<Response>)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from guiapp.core.errors import InvalidRequest, RequestError, TruncatedTransfer
from guiapp.core.jobs import Cancelled, Progress
from guiapp.core.request import RequestSpec
from guiapp.core.secret_mask import fields_to_reenter, reenter_message
from guiapp.core.stream_log import StreamLog
from guiapp.lab.strategies import SendFunc, start_request
from guiapp.lab.strategy import RunningRequest
from guiapp.offload import Offloader
from guiapp.ui.request_editor import RequestEditor
from guiapp.ui.stream_feed import connect_items

__all__ = ["Outcome", "RequestTab"]

_log = logging.getLogger(__name__)
_KEEP_RETIRED = 2
_CANCELLED = "Request cancelled"


@dataclass(frozen=True)
class Outcome:
    """The displayable state of a tab: ``idle``, ``sending``, ``response``, ``error`` or
    ``cancelled``. ``value`` is the spec, the Response or the exception accordingly, and
    ``message`` the full error text. ``at`` is when it happened (epoch seconds) and
    ``elapsed`` how long the send had run by then (0 when nothing was sent)."""

    kind: str = "idle"
    value: Any = None
    spec: RequestSpec | None = None
    message: str = ""
    at: float = 0.0
    elapsed: float = 0.0


class RequestTab(QWidget):
    """Editor plus send state of one request."""

    #: The outcome or the progress changed.
    stateChanged = Signal()
    #: A send started (True) or ended (False).
    inFlightChanged = Signal(bool)
    #: A response arrived for the newest send: (spec, response).
    responseReceived = Signal(object, object)
    #: The newest send ended with a response or an error: (spec, response or exception).
    exchangeFinished = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = RequestEditor()
        self.outcome = Outcome()
        self.progress: Progress | None = None
        self.strategy = "asyncio-executor"
        self._generation = 0
        self._run: RunningRequest | None = None
        self._started = 0.0
        self._retired: list[Any] = []
        #: The newest send: the request as written ({{variables}} kept) and as sent. History
        #: keeps the first (secrets masked), so a restored request resolves its secrets again.
        self.last_written: RequestSpec | None = None
        self.last_sent: RequestSpec | None = None
        #: The events of the newest send's streamed response (created on its first event).
        self.stream_log: StreamLog | None = None

        self.bar_slot = QVBoxLayout()
        self.bar_slot.setContentsMargins(0, 0, 0, 0)
        self.response_slot = QWidget()
        response_layout = QVBoxLayout(self.response_slot)
        response_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(self.response_slot)
        # The response gets two thirds: enough editor left for a body or a multipart table.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([300, 600])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addLayout(self.bar_slot)
        layout.addWidget(self.splitter, 1)

    # -- shared widgets ------------------------------------------------------------------------
    def adopt(self, bar: QWidget, response_area: QWidget) -> None:
        """Show the shared request bar and response area in this tab."""
        self.bar_slot.addWidget(bar)
        layout = self.response_slot.layout()
        assert layout is not None
        layout.addWidget(response_area)
        bar.show()
        response_area.show()

    # -- sending -------------------------------------------------------------------------------
    @property
    def in_flight(self) -> bool:
        """True while a send of this tab runs."""
        return self._run is not None

    def elapsed(self) -> float:
        """Seconds since the current send started (0 when idle)."""
        return time.monotonic() - self._started if self._run is not None else 0.0

    def cancel(self) -> bool:
        """Cancel the send in flight; True if there was one."""
        run, self._run = self._run, None
        if run is None:
            return False
        self._generation += 1  # whatever the cancelled send delivers now is stale
        run.cancel()
        self._set_outcome(Outcome("cancelled", None, self.outcome.spec, _CANCELLED))
        self.inFlightChanged.emit(False)
        return True

    def fail_before_send(self, message: str, field: str = "url") -> None:
        """Show ``message`` as the outcome (invalid input found before sending)."""
        exc = InvalidRequest(message, field=field)
        self._set_outcome(Outcome("error", exc, None, message))

    async def send(
        self,
        strategy: str,
        offloader: Offloader,
        *,
        send: SendFunc | None = None,
        resolve: Callable[[RequestSpec], RequestSpec] | None = None,
    ) -> None:
        """Send the editor's request with ``strategy``; newest wins, errors become outcomes.

        ``resolve`` maps the editor's spec to the one sent (``{{variables}}`` filled in); an
        :class:`InvalidRequest` it raises is shown like any other input error.
        """
        problem = self.editor.validation_error()
        if problem:
            self.fail_before_send(problem, "body" if "body" in problem.lower() else "url")
            return
        spec = self.editor.spec_to_send()
        reenter = fields_to_reenter(spec)
        if reenter:  # a masked secret (from history or the saved session): never send "***"
            self.fail_before_send(reenter_message(reenter), "secrets")
            return
        written = spec
        if resolve is not None:
            try:
                spec = resolve(spec)
            except InvalidRequest as exc:
                self.fail_before_send(str(exc), exc.field)
                return
        if self._run is not None:
            self.cancel()
        self._generation += 1
        generation = self._generation
        self.last_written, self.last_sent = written, spec
        self.strategy = strategy
        self.progress = None
        self._started = time.monotonic()
        old_log, self.stream_log = self.stream_log, None
        self._set_outcome(Outcome("sending", spec, spec))
        if old_log is not None:
            old_log.close()  # after the outcome change: the view has let go of it
        try:
            run = start_request(
                strategy,
                spec,
                offloader=offloader,
                on_progress=lambda p: self._on_progress(generation, p),
                send=send,
            )
        except Exception as exc:  # e.g. the offloader is closed: the window is shutting down
            message = f"Could not start the request: {exc}"
            self._set_outcome(Outcome("error", exc, spec, message))
            return
        self._run = run
        connect_items(run, lambda batch: self._on_items(generation, batch))
        self.inFlightChanged.emit(True)
        try:
            response = await run
        except (asyncio.CancelledError, Cancelled):
            if _own_task_cancelling():
                raise  # our own task is being cancelled (window closing): not a user cancel
            self._finish(generation, Outcome("cancelled", None, spec, _CANCELLED))
        except TruncatedTransfer as exc:
            # The headers and part of the body arrived (connection lost, a deadline, a size
            # limit): show them (marked incomplete) so they can be saved, as the error message
            # promises; the message stays with the outcome for the status line.
            partial = exc.partial_response
            kind, value = ("response", partial) if partial is not None else ("error", exc)
            if self._finish(generation, Outcome(kind, value, spec, str(exc))):
                if partial is not None:
                    self.responseReceived.emit(spec, partial)
                self.exchangeFinished.emit(spec, value)
            elif partial is not None:
                _close(partial)
        except RequestError as exc:
            if self._finish(generation, Outcome("error", exc, spec, str(exc))):
                self.exchangeFinished.emit(spec, exc)
        except Exception as exc:
            # A bug or an unexpected library error: say so plainly, log the traceback.
            _log.exception("sending %r failed unexpectedly", spec)
            message = f"Unexpected error: {type(exc).__name__}: {exc}"
            if self._finish(generation, Outcome("error", exc, spec, message)):
                self.exchangeFinished.emit(spec, exc)
        else:
            if self._finish(generation, Outcome("response", response, spec)):
                self.responseReceived.emit(spec, response)
                self.exchangeFinished.emit(spec, response)
            else:
                _close(response)  # stale: nobody will show it, free its spool file now

    def _finish(self, generation: int, outcome: Outcome) -> bool:
        if generation != self._generation:
            return False  # stale: a newer send (or a cancel) already took over
        self._run = None
        self._set_outcome(outcome)
        self.inFlightChanged.emit(False)
        return True

    def _on_items(self, generation: int, batch: list[Any]) -> None:
        if generation != self._generation:
            return  # a cancelled or replaced send's last events
        if self.stream_log is None:
            self.stream_log = StreamLog()
            self.stateChanged.emit()  # the response area shows the new stream
        self.stream_log.append(batch)

    def _on_progress(self, generation: int, progress: Progress) -> None:
        if generation == self._generation:
            self.progress = progress
            self.stateChanged.emit()

    def _set_outcome(self, outcome: Outcome) -> None:
        if self.outcome.kind == "response" and outcome.value is not self.outcome.value:
            # A big body lives in a spool file until closed. The response panel may still be
            # formatting the previous one in a worker process, so close it a little later.
            self._retired.append(self.outcome.value)
            while len(self._retired) > _KEEP_RETIRED:
                _close(self._retired.pop(0))
        if not outcome.at:
            ran = outcome.spec is not None and outcome.kind != "sending" and self._started > 0
            elapsed = time.monotonic() - self._started if ran else 0.0
            outcome = replace(outcome, at=time.time(), elapsed=elapsed)
        if outcome.kind == "cancelled" and self.stream_log is not None:
            self.stream_log.mark_cancelled(outcome.elapsed)  # the Stream view says so
        self.outcome = outcome
        self.stateChanged.emit()

    def dispose(self) -> None:
        """Cancel any send and free every response this tab holds (the tab is closing)."""
        self.cancel()
        for response in self._retired:
            _close(response)
        self._retired.clear()
        if self.outcome.kind == "response":
            _close(self.outcome.value)
            self.outcome = Outcome()
        if self.stream_log is not None:
            self.stream_log.close()
            self.stream_log = None


def _own_task_cancelling() -> bool:
    try:
        task = asyncio.current_task()
    except RuntimeError:  # qasync can step a task while its loop is not "running"
        return False
    return task is not None and task.cancelling() > 0


def _close(response: Any) -> None:
    close = getattr(response, "close", None)
    if close is not None:
        try:
            close()
        except Exception:
            _log.exception("closing %r failed", response)
