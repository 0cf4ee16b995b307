"""The live Stream view of the response panel (objectName ``responseStream``).

Shows the events of a streamed response (Server-Sent Events, NDJSON, text lines) as they
arrive: a virtualised table (arrival time, event type, id, size, data preview) whose rows are
read from the :class:`~guiapp.core.stream_log.StreamLog` on disk, so a million events cost the
window a few megabytes; the selected event in full in the detail pane (JSON pretty-printed);
for LLM chat streams (OpenAI ``choices[].delta.content``, Anthropic ``content_block_delta``)
the assembled text, growing token by token.

The table follows new events unless the user scrolled up; then a "N new" button jumps back to
the end. The filter (``event:NAME`` for one type, any other text for a substring) runs in a
worker process over the whole log, then applies to new events as they come; each stream keeps
its own filter text, so a new stream starts unfiltered. "Pause display"
freezes the table while the stream keeps being received and counted; it applies to a live
stream only: a new stream starts unpaused, and a stream that ends (or is cancelled) shows all
its rows. The view refreshes as events arrive (the log tells it), at most ~30 times a second
whatever the event rate: an event arriving after a quiet spell is shown at once, not at the
next tick of a polling timer.

The counts line says what is happening: ``1,234 events · 5,000/s · first after 12 ms`` while
the stream runs, ``Ended: 400 events in 0.21 s · 31,120 bytes · …`` once it ended (with what
went wrong on a second line: bad lines, cut events, an unfinished last event), and
``Cancelled: 47 events in 2.41 s · 2,350 bytes`` after a cancel.

Widgets: ``streamTable``, ``streamDetail``, ``streamAssembled``, ``streamFilter``,
``streamPause``, ``streamJumpNew``, ``streamCounts``, ``streamSave``, ``streamCopy``.

Example::

    view = ResponseStream(process_offloader)
    view.show_log(tab.stream_log)     # the tab appends events; the view shows them
    view.event_count()                # events received so far (filter and pause aside)
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import weakref
from array import array
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QItemSelection, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.stream_log import StreamLog, find_rows
from guiapp.core.streams import StreamEvent, StreamSummary
from guiapp.offload import Job
from guiapp.ui.body_text_loader import ProcessSubmitter
from guiapp.ui.qt_helpers import named
from guiapp.ui.response_stream_model import StreamTableModel

__all__ = ["REFRESH_MS", "ResponseStream"]

_log = logging.getLogger(__name__)

REFRESH_MS = 33  # at most ~30 repaints a second, whatever the event rate
_COUNTS_MS = 250  # the rate shown decays while the stream is quiet
_FILTER_DEBOUNCE_MS = 250
_PRETTY_LIMIT = 256 * 1024  # pretty-print the selected event's JSON up to this size
_RATE_WINDOW = 2.0


class ResponseStream(QWidget):
    """The Stream tab; see the module docstring."""

    # A filter job ends on a worker thread: this queued signal brings it to the GUI thread.
    _filterFinished = Signal(object)

    def __init__(self, process_offloader: ProcessSubmitter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseStream")
        self._processes = process_offloader
        self._log: StreamLog | None = None
        self._new = 0
        self._filter_generation = 0
        self._filter_job: Job[Any] | None = None
        # The filter text of each stream shown before (gone with its log).
        self._filters: weakref.WeakKeyDictionary[StreamLog, str] = weakref.WeakKeyDictionary()
        self._rate_marks: list[tuple[float, int]] = []
        self._summary: StreamSummary | None = None
        self._last_refresh = float("-inf")
        self.model = StreamTableModel()
        self._filterFinished.connect(self._on_filter_finished, Qt.ConnectionType.QueuedConnection)

        self.filter_edit = named(QLineEdit(), "streamFilter")
        self.filter_edit.setPlaceholderText("Filter events: text, or event:TYPE")
        self.filter_edit.setClearButtonEnabled(True)
        self.pause = named(QCheckBox("Pause display"), "streamPause")
        self.pause.setToolTip("Freeze the table; events are still received and counted")
        self.pause.setEnabled(False)  # only a live stream can be paused
        self.jump = named(QPushButton(), "streamJumpNew")
        self.jump.setToolTip("Scroll to the newest event and follow the stream again")
        self.jump.hide()
        self.copy_button = named(QPushButton("Copy event"), "streamCopy")
        self.save_button = named(QPushButton("Save events…"), "streamSave")
        self.save_button.setToolTip("Save every event as JSON Lines (one JSON object per line)")
        self.counts = named(QLabel("No events yet."), "streamCounts")
        self.counts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = named(QTableView(), "streamTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        # Fixed-size sections: the view never measures rows (it would read them all from disk).
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((80, 140, 70, 70)):
            self.table.setColumnWidth(column, width)
        self.detail = named(QPlainTextEdit(readOnly=True), "streamDetail")
        self.detail.setPlaceholderText("Select an event to see it in full.")
        self.assembled = named(QPlainTextEdit(readOnly=True), "streamAssembled")
        self.side = QTabWidget()
        self.side.addTab(self.detail, "Event")
        self.side.addTab(self.assembled, "Assembled text")
        self.side.setTabVisible(1, False)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.pause)
        top.addWidget(self.jump)
        top.addWidget(self.copy_button)
        top.addWidget(self.save_button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.counts)
        layout.addWidget(splitter, 1)

        self._timer = QTimer(self, interval=_COUNTS_MS)
        self._timer.timeout.connect(self.refresh)
        self._soon = QTimer(self, singleShot=True)  # the next refresh, REFRESH_MS after the last
        self._soon.timeout.connect(self.refresh)
        self._filter_timer = QTimer(self, singleShot=True, interval=_FILTER_DEBOUNCE_MS)
        self._filter_timer.timeout.connect(self._run_filter)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.pause.toggled.connect(self._on_pause_toggled)
        self.jump.clicked.connect(self.follow)
        self.copy_button.clicked.connect(self.copy_event)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

    # -- the contract --------------------------------------------------------------------------
    def event_count(self) -> int:
        """Events received for the stream shown, whatever the filter or the pause (0: none)."""
        return len(self._log) if self._log is not None else 0

    def shown_count(self) -> int:
        """Rows in the table now (after the filter; frozen while paused)."""
        return self.model.rowCount()

    def show_log(self, log: StreamLog | None) -> None:
        """Show ``log`` (a tab's stream, live or finished); ``None`` empties the view.

        Each stream keeps its own filter text: a new stream starts unfiltered, and a stream
        shown again (the user switched back to its tab) gets back the filter it had.
        """
        if log is self._log:
            return
        if self._log is not None:
            self._filters[self._log] = self.filter_edit.text()
            self._log.remove_listener(self._on_log_appended)
        self._log = log
        if log is not None:
            log.add_listener(self._on_log_appended)
        self._new = 0
        self._rate_marks = []
        self._summary = None
        with QSignalBlocker(self.pause):  # a new stream starts unpaused (no refresh yet)
            self.pause.setChecked(False)
        self.pause.setEnabled(log is not None and log.cancelled_after is None)
        self.jump.hide()
        self.detail.clear()
        self.assembled.clear()
        self.side.setTabVisible(1, False)
        self._cancel_filter()
        self.model.set_log(log)
        if log is not None:
            self._restore_filter(log)
        self.refresh()
        if log is not None:
            self._timer.start()
        else:
            self._timer.stop()
            self._soon.stop()
            self.counts.setText("No events yet.")

    def finish(self, summary: StreamSummary) -> None:
        """The stream ended normally: show ``summary`` (events, duration, bytes, problems)."""
        self._summary = summary
        self.refresh()

    def ended(self) -> bool:
        """True once the stream shown has ended or was cancelled (no more events come)."""
        log = self._log
        return self._summary is not None or (log is not None and log.cancelled_after is not None)

    def follow(self) -> None:
        """Scroll to the newest event and follow new ones again."""
        self._new = 0
        self.jump.hide()
        self.table.scrollToBottom()

    def selected_event(self) -> StreamEvent | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.event_at(rows[0].row()) if rows else None

    def copy_event(self) -> None:
        """Copy the selected event's data (as received) to the clipboard."""
        event = self.selected_event()
        if event is not None:
            QGuiApplication.clipboard().setText(event.data)

    def save_events(self, path: str) -> int:
        """Write every event as JSON Lines to ``path``; returns how many."""
        if self._log is None:
            return 0
        return self._log.save(path)

    # -- refreshing ----------------------------------------------------------------------------
    def _on_log_appended(self) -> None:
        # Events arrived: show them now, or REFRESH_MS after the last refresh if that is sooner.
        if self._soon.isActive():
            return
        wait = REFRESH_MS - (time.monotonic() - self._last_refresh) * 1000
        if wait <= 0:
            self.refresh()
        else:
            self._soon.start(int(wait) + 1)

    def refresh(self) -> None:
        """Add the rows that arrived, follow or count them, update counts and assembled text."""
        log = self._log
        if log is None:
            return
        self._last_refresh = time.monotonic()
        self._soon.stop()
        ended = self.ended()
        if ended and self.pause.isEnabled():
            with QSignalBlocker(self.pause):  # nothing more comes: show every row
                self.pause.setChecked(False)
            self.pause.setEnabled(False)
        if not self.pause.isChecked():
            bar = self.table.verticalScrollBar()
            at_end = bar.value() >= bar.maximum() - 2
            added = self.model.sync()
            if added:
                if at_end and not self._new:
                    self.table.scrollToBottom()
                else:
                    self._new += added
                    self.jump.setText(f"{self._new:,} new ↓")
                    self.jump.show()
            if log.chat:
                self._show_assembled(log)
        self._show_counts(log)
        if log.closed or ended:  # the counts no longer change (the rate needs no decay)
            self._timer.stop()
            self._soon.stop()

    def _show_assembled(self, log: StreamLog) -> None:
        if not self.side.isTabVisible(1):
            self.side.setTabVisible(1, True)
            self.side.setCurrentIndex(1)
        text = log.assembled_text()
        current = self.assembled.toPlainText()
        if text != current:
            if text.startswith(current):
                cursor = self.assembled.textCursor()
                cursor.movePosition(cursor.MoveOperation.End)
                cursor.insertText(text[len(current) :])  # append: no re-layout of the rest
            else:
                self.assembled.setPlainText(text)

    def _show_counts(self, log: StreamLog) -> None:
        total = len(log)
        summary = self._summary
        if summary is not None:
            # Replayed from the body (no live events), the log may still be filling.
            head = [f"Ended: {_events_in(summary.events, summary.duration)}", _bytes(summary.bytes)]
        elif log.cancelled_after is not None:
            head = [f"Cancelled: {_events_in(total, log.cancelled_after)}", _bytes(log.bytes)]
        else:
            head = [_count(total, "event")]
            rate = self._rate(total)
            if rate:
                head.append(f"{rate:,.0f}/s")
        if log.first_at is not None:
            head.append(f"first after {log.first_at * 1000:,.0f} ms")
        if self.model.query:
            head.append(f"{self.model.rowCount():,} match the filter")
        if self.pause.isChecked():
            head.append(f"display paused at {self.model.rowCount():,}")
        notes = []
        if log.errors:
            notes.append(_count(log.errors, "bad line"))
        if log.truncated:
            notes.append(f"{log.truncated:,} cut at 1 MiB")
        if summary is not None and summary.ignored_lines:
            ignored = _count(summary.ignored_lines, "line")
            notes.append(f"{ignored} ignored (not valid SSE fields)")
        if summary is not None and summary.incomplete_bytes:
            notes.append(f"the stream ended mid-event ({summary.incomplete_bytes:,} bytes dropped)")
        text = " · ".join(head)
        if notes:
            text += "\n" + " · ".join(notes)
        if self.counts.text() != text:
            self.counts.setText(text)

    def _rate(self, total: int) -> float:
        # Events per second over the last couple of seconds (0 while the stream is quiet).
        now = time.monotonic()
        marks = self._rate_marks
        marks.append((now, total))
        while len(marks) > 2 and now - marks[0][0] > _RATE_WINDOW:
            marks.pop(0)
        span = now - marks[0][0]
        return (total - marks[0][1]) / span if span > 0.2 else 0.0

    def _on_pause_toggled(self, paused: bool) -> None:
        if not paused:
            self.refresh()

    # -- detail --------------------------------------------------------------------------------
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        event = self.selected_event()
        self.detail.setPlainText("" if event is None else _detail_text(event))

    # -- filter --------------------------------------------------------------------------------
    def _restore_filter(self, log: StreamLog) -> None:
        text = self._filters.get(log, "")
        self._filter_timer.stop()
        with QSignalBlocker(self.filter_edit):  # no debounced second run of the same filter
            self.filter_edit.setText(text)
        if text.strip() or self.model.query:
            self._run_filter()

    def _run_filter(self) -> None:
        query = self.filter_edit.text().strip()
        self._cancel_filter()
        log = self._log
        if not query or log is None:
            self.model.set_filter("", None, 0)
            self.follow()
            self.refresh()  # every row again now (an ended stream has no refresh to come)
            return
        self._filter_generation += 1
        generation = self._filter_generation
        count = len(log)
        job: Job[Any] = self._processes.submit(find_rows, log.path, count, query)
        self._filter_job = job

        def done(finished: Future[Any]) -> None:
            if generation != self._filter_generation or finished.cancelled():
                return
            self._filter_job = None
            error = finished.exception()
            if error is not None:
                self.counts.setText(f"The filter could not run: {error}")
                return
            rows: array[int] = finished.result()
            self.model.set_filter(query, rows, count)
            self.follow()
            self.refresh()

        def ended_on_a_worker(finished: Future[Any]) -> None:
            with contextlib.suppress(RuntimeError):  # the view is gone: nobody to tell
                self._filterFinished.emit((done, finished))

        job.add_done_callback(ended_on_a_worker)

    def _on_filter_finished(self, pair: tuple[Any, Future[Any]]) -> None:
        callback, finished = pair
        callback(finished)

    def _cancel_filter(self) -> None:
        job, self._filter_job = self._filter_job, None
        self._filter_generation += 1
        if job is not None:
            job.cancel()

    def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save events", "events.jsonl", "JSON Lines (*.jsonl);;All files (*)"
        )
        if not path:
            return
        try:
            count = self.save_events(path)
        except OSError as exc:
            self.counts.setText(f"Could not save the events: {exc.strerror or exc}")
            return
        self.counts.setText(f"Saved {count:,} events to {path}")

    def closeEvent(self, event: Any) -> None:
        self._timer.stop()
        self._soon.stop()
        self._cancel_filter()
        super().closeEvent(event)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _events_in(events: int, seconds: float) -> str:
    return f"{_count(events, 'event')} in {seconds:,.2f} s"


def _bytes(size: int) -> str:
    return _count(size, "byte")


def _detail_text(event: StreamEvent) -> str:
    lines = [f"#{event.index}  {event.event}  at {event.at:.3f} s  ({event.size:,} bytes)"]
    if event.id:
        lines.append(f"id: {event.id}")
    if event.retry is not None:
        lines.append(f"retry: {event.retry} ms")
    if event.line:
        lines.append(f"line: {event.line}")
    if event.error:
        lines.append(f"Not JSON: {event.error}")
    if event.truncated:
        lines.append(f"Cut at the 1 MiB limit: {event.truncated:,} more bytes were not kept.")
    lines.append("")
    data = event.data
    if len(data) <= _PRETTY_LIMIT and data[:1] in ("{", "["):
        with contextlib.suppress(ValueError):  # not JSON after all: shown as received
            data = json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    lines.append(data)
    return "\n".join(lines)
