"""The response side of a request tab: summary, progress, body viewer and headers tables.

The panel never formats on the GUI thread: bodies go through a ``ProcessOffloader`` (see
:class:`~guiapp.ui.body_viewer.BodyViewer`). Widgets for tests and the window:

- ``responseSummary`` (QLabel, rich text): coloured status, time, TTFB, size, URL, redirects;
- ``responseProgress`` (QProgressBar), ``responseTabs`` (QTabWidget);
- ``responseBody``: a :class:`~guiapp.ui.body_lines.BodyLineView` (a virtualised
  ``QAbstractScrollArea``, not a text edit): read it with :meth:`ResponsePanel.body_text`
  (whole text, small bodies) or :meth:`ResponsePanel.visible_text` (the viewport, any size);
- ``responseHeaders`` / ``requestHeaders`` (QTableWidget, two columns: name, value);
- ``responseTiming``: the "Timing" tab, a :class:`~guiapp.ui.response_timing.ResponseTiming`
  (per-phase waterfall of each hop);
- ``responseStream``: the "Stream" tab (shown for streamed responses), a
  :class:`~guiapp.ui.response_stream.ResponseStream`: the events live, ``event_count()``.
- ``responseTests``: the "Tests" tab (``Tests 3/4``), a
  :class:`~guiapp.ui.response_tests.ResponseTests` showing the results recorded for the
  response shown (:mod:`guiapp.ui.response_checks` evaluates them).

Example::

    panel = ResponsePanel(ProcessOffloader(max_workers=2))
    panel.show_sending(spec)
    job.add_progress_callback(panel.show_progress)
    await panel.show_response(await job)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.errors import RequestError
from guiapp.core.jobs import Progress
from guiapp.core.request import RequestSpec
from guiapp.core.response import Response
from guiapp.core.secret_mask import mask_text
from guiapp.core.stream_log import StreamLog
from guiapp.ui.body_viewer import BodyViewer, ProcessSubmitter
from guiapp.ui.response_stream_hook import StreamTab
from guiapp.ui.response_summary import summary_html
from guiapp.ui.response_tests import ResponseTests
from guiapp.ui.response_timing import ResponseTiming
from guiapp.ui.status_format import TransferMeter, error_title, progress_text, url_with_params

__all__ = ["ResponsePanel"]


class ResponsePanel(QWidget):
    """Shows one exchange at a time: sending → progress → response | error | cancelled.

    ``state`` is one of ``empty sending response error cancelled``; ``stateChanged(str)``
    is emitted on each change.
    """

    stateChanged = Signal(str)

    def __init__(self, process_offloader: ProcessSubmitter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = "empty"
        self._response: Response | None = None
        self._meter = TransferMeter()
        self._own_progress = True
        self._target = ""  # "<b>GET</b> url" of the request being sent
        self._receiving = False  # its response has started to arrive
        #: Secret values to mask in the summary and the request headers (the window sets it).
        self.secret_values: Callable[[], Iterable[str]] = frozenset
        self.summary = QLabel(wordWrap=True)
        self.summary.setObjectName("responseSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Wrapped to the panel's width: a long URL without spaces must never widen the window.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress = QProgressBar()
        self.progress.setObjectName("responseProgress")
        self.progress.setTextVisible(True)
        self.body = BodyViewer(process_offloader)
        self.headers_table = _headers_table("responseHeaders")
        self.request_headers_table = _headers_table("requestHeaders")
        self.timing = ResponseTiming()
        self.tests = ResponseTests()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("responseTabs")
        self.tabs.addTab(self.body, "Body")
        self.tabs.addTab(self.headers_table, "Headers")
        self.tabs.addTab(self.request_headers_table, "Request headers")
        self.tabs.addTab(self.timing, "Timing")
        self.tabs.addTab(self.tests, "Tests")
        self.tests.titleChanged.connect(
            lambda title: self.tabs.setTabText(self.tabs.indexOf(self.tests), title)
        )
        self.stream_tab = StreamTab(self.tabs, process_offloader)
        self.stream = self.stream_tab.view
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.tabs, 1)
        self.clear()

    # -- the contract with the window ----------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def response(self) -> Response | None:
        """The response shown (``None`` unless ``state == "response"``)."""
        return self._response

    def show_sending(self, spec: RequestSpec) -> None:
        """A request is on its way: clear the last response, show an indeterminate bar."""
        self._forget()
        self._meter = TransferMeter()
        url = url_with_params(spec.url, spec.params)  # the query as sent, not just the path
        url = mask_text(url, self.secret_values())
        self._target = f"<b>{_esc(spec.method)}</b> {_esc(url)}"
        self._receiving = False
        self.summary.setText(f"Sending {self._target}…")
        self.progress.setRange(0, 0)
        self.progress.setFormat("Waiting for the server…")
        self.progress.setVisible(self._own_progress)
        self.body.show_hint("Waiting for the response…")
        self.timing.show_message("Waiting for the response…")
        self.stream_tab.reset()
        self.body.warm_up()
        self._set_state("sending")

    def show_progress(self, progress: Progress) -> None:
        """Latest transfer progress (bytes done of total, speed, ETA)."""
        if self._state != "sending":
            return
        if progress.info.get("phase") in ("download", "done"):
            self._show_receiving()
        if progress.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * (progress.fraction or 0.0)))
        else:
            self.progress.setRange(0, 0)
        self.progress.setFormat(progress_text(progress, self._meter.update(progress)))

    async def show_response(self, response: Response) -> None:
        """Show ``response``; returns once its first body screen is shown.

        Formatting runs in worker processes; large bodies finish formatting in the background.
        """
        self._forget()
        self._response = response
        self.progress.hide()
        secrets = frozenset(self.secret_values())
        self.summary.setText(mask_text(summary_html(response), secrets))
        # The URL unelided
        self.summary.setToolTip(mask_text(f"{response.method} {response.url}", secrets))
        _fill(self.headers_table, response.headers.items_raw)
        sent = [(k, mask_text(v, secrets)) for k, v in response.redacted_request_headers()]
        _fill(self.request_headers_table, sent)
        self._count_headers()
        self.timing.show_response(response)
        self.stream_tab.show_response(response)
        self.tests.show_for(response)
        self._set_state("response")
        await self.body.show_body(response)

    def show_error(self, exc: BaseException) -> None:
        """The request failed: show the error message (the status line is the window's)."""
        self._forget()
        self.progress.hide()
        title = error_title(exc)  # "Host not found", never a Python class name
        # A RequestError's text is written for users; anything else is a bug, named as such.
        detail = str(exc) if isinstance(exc, RequestError) else f"{type(exc).__name__}: {exc}"
        detail = mask_text(detail, self.secret_values())  # an error may quote the URL
        self.summary.setText(f'<b style="color:#d03838">{_esc(title)}</b>: {_esc(detail)}')
        self.body.show_hint(
            "No response: the request failed (the reason is above).\n\n"
            "Fix the request and press Send (Ctrl+Enter)."
        )
        self.timing.show_message("No timing: the request failed before a response arrived.")
        self._set_state("error")

    def show_cancelled(self) -> None:
        """The user cancelled the request."""
        self._forget()
        self.progress.hide()
        self.summary.setText("<i>Request cancelled.</i>")
        self.body.show_hint("Request cancelled. Press Send (Ctrl+Enter) to send it again.")
        self.timing.show_message("No timing: the request was cancelled.")
        self._set_state("cancelled")

    def show_stream(self, log: StreamLog | None) -> None:
        """Show the events of the current tab's streamed response (live), if any."""
        self.stream_tab.show_log(log)
        if log is not None and self._state == "sending":
            self._show_receiving()  # events arrive: the request is long sent

    def _show_receiving(self) -> None:
        if not self._receiving:
            self._receiving = True
            self.summary.setText(f"Receiving the response to {self._target}…")

    def clear(self) -> None:
        """Back to the empty state."""
        self._forget()
        self.stream_tab.reset()
        self.progress.hide()
        self.summary.setText("<i>Send a request to see its response here.</i>")
        self.body.show_hint(
            "No response yet.\n\nEnter a URL and press Send (Ctrl+Enter);"
            " the response body appears here."
        )
        self.timing.clear()
        self._set_state("empty")

    # -- reading (tests, copy) -----------------------------------------------------------------
    def body_text(self) -> str | None:
        """The whole displayed body text for small bodies (``None`` for large or images)."""
        return self.body.body_text()

    def visible_text(self) -> str:
        """The body lines currently in the viewport."""
        return self.body.view.visible_text()

    def set_progress_bar_visible(self, visible: bool) -> None:
        """Show the panel's own progress bar while sending (default), or never: a host that
        shows progress itself (the main window's ``progressBar``) turns it off."""
        self._own_progress = visible
        if not visible:
            self.progress.hide()

    def summary_text(self) -> str:
        """The summary's rich text (HTML: the status colours are in it)."""
        return self.summary.text()

    def summary_plain_text(self) -> str:
        """The summary as the user reads it, without the markup."""
        return QTextDocumentFragment.fromHtml(self.summary.text()).toPlainText()

    # -- internals -----------------------------------------------------------------------------
    def _forget(self) -> None:
        self._response = None
        self.summary.setToolTip("")
        self.body.clear()
        self.headers_table.setRowCount(0)
        self.request_headers_table.setRowCount(0)
        self._count_headers()
        self.tests.show_for(None)

    def _count_headers(self) -> None:
        # "Headers (7)": the tab says there is something to see before it is opened.
        for index, (label, table) in enumerate(
            (("Headers", self.headers_table), ("Request headers", self.request_headers_table)),
            start=1,
        ):
            rows = table.rowCount()
            self.tabs.setTabText(index, f"{label} ({rows})" if rows else label)

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state)


def _headers_table(name: str) -> QTableWidget:
    table = QTableWidget(0, 2)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(["Name", "Value"])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


def _fill(table: QTableWidget, pairs: Iterable[tuple[str, str]]) -> None:
    rows = list(pairs)
    table.setRowCount(len(rows))
    for row, (name, value) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(name))
        table.setItem(row, 1, QTableWidgetItem(value))


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
