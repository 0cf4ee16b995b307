"""The shared response area: status line, progress bar and the response panel, bound to a tab.

:class:`ResponseArea` is the widget the window moves into the current tab. It shows that tab's
state: ``statusLabel`` (what happened and when: ``Sent GET /users in 120 ms · 12:04:31``, the
phase while sending, the error in short, ``Cancelled … after 1.2 s · 30 kB received``; the
panel's summary is the authoritative status code/time/size display, never repeated here),
``progressBar`` (visible while sending; 0-1000 when the length is known, indeterminate
otherwise, text with bytes, speed and ETA, repainted at most 20 times a second) and the panel.

:class:`ResponseDisplay` drives the response panel from the current tab's outcome.

The panel (``guiapp.ui.response_panel.ResponsePanel``, owned by another module) has the
contract ``show_sending(spec)``, ``show_progress(progress)``, ``show_response(response)`` (may be
a coroutine: large bodies are formatted in a process pool), ``show_error(exc)``,
``show_cancelled()`` and ``clear()``. :class:`ResponseDisplay` calls each at most once per
outcome (progress excepted), keeps the formatting task referenced, and cancels it when a newer
outcome replaces it, so a slow format of an old body never lands over a new one.

Example::

    display = ResponseDisplay(panel)
    tab.stateChanged.connect(lambda: display.show_outcome(tab))
    display.replay(other_tab)      # the user switched tabs
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from guiapp.core.secret_mask import mask_text
from guiapp.ui.background_tasks import BackgroundTasks
from guiapp.ui.qt_helpers import named
from guiapp.ui.request_tab import Outcome, RequestTab
from guiapp.ui.response_panel import ResponsePanel
from guiapp.ui.status_format import (
    TransferMeter,
    event_text,
    progress_text,
    sending_text,
    short_target,
    status_kind,
    url_with_params,
)

__all__ = ["ResponseArea", "ResponseDisplay"]

_REFRESH_MS = 50  # progress/status repaint rate while sending: 20 Hz is smooth and cheap
#: How long a notice (``show_notice``: "Saved …", "Reverted …", an error) stays before the
#: status line shows the tab's state again, per state ("ok" for any other); a change of that
#: state replaces it sooner.
NOTICE_MS = {"ok": 10_000, "error": 30_000}

_log = logging.getLogger(__name__)


class ResponseDisplay:
    """Forwards outcomes to the panel once each; owns the panel's formatting task."""

    def __init__(self, panel: ResponsePanel) -> None:
        self.panel = panel
        self._shown: Outcome | None = None
        self._tasks = BackgroundTasks(self._on_show_failed, "showing the response")

    def replay(self, tab: RequestTab) -> None:
        """Show ``tab``'s outcome even if it is the one shown last (tab switch)."""
        self._shown = None
        self.show_outcome(tab)

    def show_outcome(self, tab: RequestTab) -> None:
        """Show ``tab``'s outcome if it changed, else just its latest progress."""
        outcome = tab.outcome
        if outcome is self._shown:
            if outcome.kind == "sending" and tab.progress is not None:
                self.panel.show_progress(tab.progress)
            return
        self._shown = outcome
        self._cancel_task()
        kind = outcome.kind
        if kind == "sending":
            if outcome.spec is not None:  # always set for a send (RequestTab.send)
                self.panel.show_sending(outcome.spec)
            if tab.progress is not None:
                self.panel.show_progress(tab.progress)
        elif kind == "response":
            self._start(self.panel.show_response(outcome.value))
        elif kind == "error":
            self.panel.show_error(outcome.value)
        elif kind == "cancelled":
            self.panel.show_cancelled()
        else:
            self.panel.clear()

    def _start(self, showing: Awaitable[None]) -> None:
        self._tasks.spawn(showing)

    def _cancel_task(self) -> None:
        self._tasks.cancel_all()

    def _on_show_failed(self, exc: BaseException) -> None:
        self.panel.show_error(RuntimeError(f"Could not display the response: {exc}"))

    def close(self) -> None:
        """Cancel any formatting in progress (the window is closing)."""
        self._cancel_task()


class ResponseArea(QWidget):
    """Status line + progress bar + response panel, showing the state of one (current) tab."""

    def __init__(self, panel: ResponsePanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseArea")
        self.display = ResponseDisplay(panel)
        panel.set_progress_bar_visible(False)  # one progress bar: the status row's ``progressBar``
        self.status_label = named(QLabel("Ready"), "statusLabel")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setWordWrap(True)
        self.progress_bar = named(QProgressBar(), "progressBar")
        self.progress_bar.setFixedWidth(360)
        self.progress_bar.setVisible(False)
        #: The secret values to mask in the status line (the window sets it: environment
        #: secrets and captured runtime secrets).
        self.secret_values: Callable[[], Iterable[str]] = frozenset
        self._tab: RequestTab | None = None
        self._shown: Outcome | None = None
        self._meters: dict[RequestTab, TransferMeter] = {}
        self._timer = QTimer(self, interval=_REFRESH_MS)
        self._timer.timeout.connect(self.refresh_progress)
        #: :data:`NOTICE_MS` for this status line.
        self.notice_ms = dict(NOTICE_MS)
        self._notice_timer = QTimer(self, singleShot=True)
        self._notice_timer.timeout.connect(self.show_status)

        status_row = QHBoxLayout()
        status_row.setContentsMargins(2, 0, 2, 0)
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.progress_bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(status_row)
        layout.addWidget(panel, 1)

    def bind(self, tab: RequestTab) -> None:
        """Show ``tab`` (the user switched to it)."""
        self._tab = tab
        self._shown = tab.outcome
        self.display.replay(tab)
        self._show_stream(tab)
        self.show_status()

    def on_state_changed(self, tab: RequestTab) -> None:
        """``tab``'s outcome or progress changed; shown only if it is the bound tab."""
        if tab.in_flight and tab not in self._meters:
            self._meters[tab] = TransferMeter()  # a fresh speed estimate per send
        elif not tab.in_flight:
            self._meters.pop(tab, None)
        if tab is not self._tab:
            return
        self._show_stream(tab)
        if tab.outcome is self._shown and tab.in_flight:
            return  # only progress changed: the 20 Hz timer repaints it (coalesced)
        self._shown = tab.outcome
        self.display.show_outcome(tab)
        self.show_status()

    def _show_stream(self, tab: RequestTab) -> None:
        show_stream = getattr(self.display.panel, "show_stream", None)
        if show_stream is not None:
            show_stream(tab.stream_log)  # the tab's live events, if its response is a stream

    def forget(self, tab: RequestTab) -> None:
        """``tab`` is closing."""
        self._meters.pop(tab, None)
        if self._tab is tab:
            self._tab = None

    def show_notice(self, text: str, state: str = "ok") -> None:
        """Show the notice ``text`` in the status line, coloured by ``state`` (ok, error...).

        A notice is about a moment ("Saved …"): it gives way to the bound tab's state after
        :data:`NOTICE_MS` (10 s; 30 s for an error), or as soon as that state changes.
        """
        self.show_message(text, state)
        self._notice_timer.start(self.notice_ms.get(state, self.notice_ms["ok"]))

    def show_message(self, text: str, state: str = "ok") -> None:
        """Show ``text`` in the status line, coloured by ``state`` (ok, error, busy...)."""
        self.status_label.setText(text)
        self.status_label.setToolTip(text)
        if self.status_label.property("state") != state:
            # Re-polishing recomputes the stylesheet: only when the colour really changes.
            self.status_label.setProperty("state", state)
            self.status_label.style().unpolish(self.status_label)
            self.status_label.style().polish(self.status_label)

    def show_status(self) -> None:
        """Status line and progress bar for the bound tab's outcome (replacing any notice)."""
        tab = self._tab
        if tab is None:
            if not self._notice_timer.isActive():
                self.show_message("Ready", "idle")  # a notice's time is up, and no tab is shown
            return
        self._notice_timer.stop()
        outcome = tab.outcome
        self.progress_bar.setVisible(tab.in_flight)
        if tab.in_flight and not self._timer.isActive():
            self._timer.start()
        if outcome.kind == "sending":
            self.refresh_progress()
            return
        if outcome.kind not in ("response", "error", "cancelled"):
            self.show_message("Ready", "idle")
            return
        spec = outcome.spec
        target = short_target(spec.method, spec.url, spec.params) if spec is not None else ""
        received = tab.progress.done if tab.progress is not None else None
        text = event_text(
            outcome.kind,
            target,
            at=outcome.at,
            elapsed=outcome.elapsed,
            received=received,
            error=outcome.value if outcome.kind == "error" else None,
            response=outcome.value if outcome.kind == "response" else None,
        )
        text = mask_text(text, self.secret_values())
        if outcome.kind == "response" and getattr(outcome.value, "partial", False):
            state = "error"  # the body is incomplete: whatever the status code said
        elif outcome.kind == "response":
            state = status_kind(outcome.value.status_code)
        else:
            state = outcome.kind  # "error" or "cancelled"
        self.show_message(text, state)
        if spec is not None:  # the full URL, which the status line shortens
            full_url = url_with_params(spec.url, spec.params)
            self.status_label.setToolTip(f"{text}\n{spec.method} {full_url}")

    def refresh_progress(self) -> None:
        """Repaint the progress of the bound tab's send (timer-driven while sending)."""
        tab = self._tab
        if tab is None or not tab.in_flight:
            self._timer.stop()
            self.progress_bar.setVisible(False)
            return
        progress = tab.progress
        cancellable = tab.strategy != "gui-thread"  # a frozen window cannot handle Esc
        self._notice_timer.stop()  # the send's progress is the news now
        self.show_message(sending_text(progress, tab.elapsed(), cancellable=cancellable), "busy")
        self.display.show_outcome(tab)  # forwards the latest progress to the panel
        if progress is None:
            self.progress_bar.setRange(0, 0)  # indeterminate: nothing received yet
            self.progress_bar.setFormat("Waiting for the server…")
            return
        speed = self._meters.setdefault(tab, TransferMeter()).update(progress)
        if progress.total:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(1000 * (progress.fraction or 0.0)))
        else:
            self.progress_bar.setRange(0, 0)
        self.progress_bar.setFormat(progress_text(progress, speed))
        self.progress_bar.setToolTip(self.progress_bar.format())

    def close_area(self) -> None:
        """Stop repainting and cancel any formatting (the window is closing)."""
        self._timer.stop()
        self._notice_timer.stop()
        self.display.close()
