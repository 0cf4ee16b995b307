"""The collection runner window: options, Run/Cancel, live results, summary, export.

The run itself is :class:`guiapp.runner.CollectionRun` on the window's event loop; every
exchange runs on the offloader given to the window (the same sends, session and cookies as the
editor), results reach a :class:`~guiapp.ui.runner.results_model.RunResultsModel` that inserts
them once per frame. Cancel cancels the requests in flight at socket level.

Example::

    target = RunTarget("Demo API", collection, folder="", variables={"base": url})
    runner = RunnerWindow(target, offloader=services.offloader,
                          send=partial(send, session=services.http_session))
    runner.show()
    runner.start()                     # as the Run button does
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.response import Response
from guiapp.offload import Offloader
from guiapp.runner import (
    CANCELLED,
    FAILED,
    NO_CHECKS,
    NOT_RUN,
    PASSED,
    CollectionRun,
    RequestRun,
    RunOptions,
    RunSetupError,
    RunSummary,
    load_data_file,
    plan_collection,
    write_json,
    write_junit,
)
from guiapp.ui.background_tasks import BackgroundTasks
from guiapp.ui.qt_helpers import named
from guiapp.ui.runner.results_model import QUEUED, ProblemsOnly, RunResultsModel
from guiapp.ui.runner.results_text import describe_result, summary_text

__all__ = ["RunTarget", "RunnerWindow"]

_log = logging.getLogger(__name__)
_COUNTS_MS = 100  # the progress bar and the counts line are refreshed at most 10 times a second


@dataclass(frozen=True, slots=True)
class RunTarget:
    """What to run: a collection (or one folder of it) and the variables it sees."""

    title: str
    collection: Collection
    folder: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()
    environment: str = ""


class RunnerWindow(QWidget):
    """A top-level window that runs one :class:`RunTarget`, as often as the user asks."""

    runFinished = Signal(object)  # RunSummary
    closed = Signal()

    def __init__(
        self,
        target: RunTarget,
        *,
        offloader: Offloader,
        send: Callable[[RequestSpec], Response],
        open_request: Callable[[str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("runnerWindow")
        self.target = target
        self._offloader = offloader
        self._send = send
        self._open_request = open_request
        self._run: CollectionRun | None = None
        self._summary: RunSummary | None = None
        self._data_path: Path | None = None
        self._tasks = BackgroundTasks(self._on_task_failed, "the collection run")
        self.model = RunResultsModel(self)
        self.filter = ProblemsOnly(self)
        self.filter.setSourceModel(self.model)
        self._build()
        # The counts are shown at most 10 times a second, the last ones always.
        self._counts: Counter[str] = Counter()
        self._counts_timer = QTimer(self, singleShot=True, interval=_COUNTS_MS)
        self._counts_timer.timeout.connect(self._show_counts)
        self.model.countsChanged.connect(self._on_model_counts_changed)
        where = f" — {target.environment}" if target.environment else ""
        self.setWindowTitle(f"Run {target.title}{where}")
        self.resize(1000, 640)

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.iterations = named(QSpinBox(), "runnerIterations")
        self.iterations.setRange(1, 100_000)
        self.delay = named(QSpinBox(), "runnerDelay")
        self.delay.setRange(0, 600_000)
        self.delay.setSuffix(" ms")
        self.concurrency = named(QSpinBox(), "runnerConcurrency")
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(8)
        self.concurrency.setToolTip(
            "Independent requests in flight at once. Requests that capture a variable, or use "
            "one that is captured, always run in order."
        )
        self.bail = named(QCheckBox("Stop at the first failure"), "runnerBail")
        self.data_label = named(QLabel("none"), "runnerDataFile")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._on_choose_data_clicked)
        self.clear_data = QPushButton("Clear")
        self.clear_data.setEnabled(False)
        self.clear_data.clicked.connect(lambda: self.set_data_file(None))
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_label, 1)
        data_row.addWidget(choose)
        data_row.addWidget(self.clear_data)
        for spin in (self.iterations, self.delay, self.concurrency):
            spin.setMaximumWidth(140)  # a number field, not a full-width bar
        form = QFormLayout()
        form.addRow("Iterations", self.iterations)
        form.addRow("Delay between requests", self.delay)
        form.addRow("Concurrency", self.concurrency)
        form.addRow("", self.bail)
        form.addRow("Data file (CSV or JSON)", data_row)

        self.run_button = named(QPushButton("Run"), "runnerRun")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = named(QPushButton("Cancel"), "runnerCancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip("Cancel the run: the requests in flight are cancelled (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = named(QProgressBar(), "runnerProgress")
        self.progress.setTextVisible(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)

        self.status = named(QLabel("Ready."), "runnerStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems_only = named(QCheckBox("Problems only"), "runnerFailuresOnly")
        self.problems_only.setToolTip(
            "Show only failed requests and responses with an HTTP error status (4xx, 5xx) "
            "that no check looked at"
        )
        self.problems_only.toggled.connect(self._on_problems_only_toggled)
        self.export_junit = named(QPushButton("Export JUnit…"), "runnerExportJunit")
        self.export_json = named(QPushButton("Export JSON…"), "runnerExportJson")
        for button, suffix in ((self.export_junit, ".xml"), (self.export_json, ".json")):
            button.setEnabled(False)
            button.clicked.connect(partial(self._ask_export_path, suffix))
        tools = QHBoxLayout()
        tools.addWidget(self.problems_only)
        tools.addStretch(1)
        tools.addWidget(self.export_junit)
        tools.addWidget(self.export_json)

        self.table = named(QTableView(), "runnerResults")
        self.table.setModel(self.filter)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((60, 260, 60, 60, 80, 80, 60)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.details = named(QPlainTextEdit(), "runnerDetails")
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Select a result to see its request, response and checks.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)

        self.close_button = named(QPushButton("Close"), "runnerClose")
        self.close_button.setToolTip("Close this window; a run in progress is cancelled (Ctrl+W)")
        self.close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        # One Esc shortcut for the window (a second one on the Cancel button would make both
        # ambiguous): it cancels a run in progress and closes the window only when idle.
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape_pressed)
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addLayout(tools)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

    # -- public API ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._run is not None

    @property
    def summary(self) -> RunSummary | None:
        """The summary of the last finished run."""
        return self._summary

    def set_data_file(self, path: str | Path | None) -> None:
        """Use ``path`` (CSV or JSON rows, one per iteration), or no data file."""
        self._data_path = Path(path) if path else None
        self.data_label.setText(str(self._data_path) if self._data_path else "none")
        self.clear_data.setEnabled(self._data_path is not None)

    def start(self) -> None:
        """Start a run with the options on screen (ignored while one is running)."""
        if self._run is not None:
            return
        self._set_running(True)
        self.status.setText("Preparing…")
        self._tasks.spawn(self._run_all())

    def cancel(self) -> None:
        """Cancel the run: nothing new starts, requests in flight are cancelled."""
        if self._run is not None:
            self._run.cancel()
            self.status.setText("Cancelling…")

    def export(self, path: str | Path) -> Path:
        """Write the last run's report to ``path``: JUnit XML for ``.xml``, else JSON."""
        if self._summary is None:
            raise RuntimeError("nothing to export: no run has finished")
        path = Path(path)
        writer = write_junit if path.suffix.lower() == ".xml" else write_json
        writer(str(path), self._summary, self.target.title)
        return path

    # -- the run ---------------------------------------------------------------------------------
    async def _run_all(self) -> None:
        target = self.target
        try:
            plan = await self._offloader.submit(plan_collection, target.collection, target.folder)
            rows: tuple[dict[str, str], ...] = ()
            if self._data_path is not None:
                rows = tuple(await self._offloader.submit(load_data_file, self._data_path))
        except RunSetupError as exc:
            self._finish(None, f"Cannot run: {exc}")
            return
        if not plan:
            self._finish(None, "Nothing to run: there are no requests here.")
            return
        options = RunOptions(
            iterations=self.iterations.value() if not rows or self.iterations.value() > 1 else None,
            data=rows,
            delay_ms=self.delay.value(),
            bail=self.bail.isChecked(),
            concurrency=self.concurrency.value(),
        )
        self.model.clear()
        self.details.clear()

        def queued(row: int) -> RequestRun:  # rows are in plan order, iteration by iteration
            iteration, index = divmod(row, len(plan))
            p = plan[index]
            return RequestRun(
                iteration + 1, index, p.name, p.rel, p.spec.method, "", p.folder, state=QUEUED
            )

        self.model.expect(len(plan) * options.iteration_count(), queued)
        self.progress.setRange(0, len(plan) * options.iteration_count())
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m")
        self._run = CollectionRun(
            plan,
            target.variables,
            options,
            call=lambda fn: self._offloader.submit(fn),
            send=self._send,
            secrets=target.secrets,
        )
        self.status.setText(f"Running {len(plan)} requests × {options.iteration_count()}…")
        try:
            summary = await self._run.run(self.model.add, self.model.reserve)
        finally:
            self.model.flush()
            self._run = None
        self._finish(summary, "")

    def _finish(self, summary: RunSummary | None, message: str) -> None:
        self._show_counts()
        self._set_running(False)
        if summary is None:
            self.status.setText(message)
            return
        self._summary = summary
        if summary.cancelled:  # what ran, not a full bar
            self.progress.setFormat("Cancelled — %v of %m run")
        self.export_junit.setEnabled(True)
        self.export_json.setEnabled(True)
        self.status.setText(summary_text(summary))
        self.runFinished.emit(summary)

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for widget in (self.iterations, self.delay, self.concurrency, self.bail):
            widget.setEnabled(not running)

    def _on_model_counts_changed(self, counts: Counter[str]) -> None:
        self._counts = counts
        if not counts:  # a new run: at once
            self._show_counts()
        elif not self._counts_timer.isActive():
            self._counts_timer.start()

    def _show_counts(self) -> None:
        self._counts_timer.stop()
        counts = self._counts
        done = counts[PASSED] + counts[FAILED] + counts[NO_CHECKS]
        # setValue repaints at once (a synchronous paint, 4-7 ms under load) unless updates
        # are off; turned back on, they ask for a paint with the next frame.
        self.progress.setUpdatesEnabled(False)
        self.progress.setValue(min(done, self.progress.maximum()))
        self.progress.setUpdatesEnabled(True)
        if self._run is not None:
            text = f"Running… {done} done · {counts[PASSED]} passed · {counts[FAILED]} failed"
            if counts[NO_CHECKS]:
                text += f" · {counts[NO_CHECKS]} no checks"
            if counts[CANCELLED] or counts[NOT_RUN]:
                text += f" · {counts[CANCELLED] + counts[NOT_RUN]} not run"
            self.status.setText(text)

    def _on_task_failed(self, exc: BaseException) -> None:
        _log.error("collection run failed", exc_info=exc)
        self._run = None
        self._finish(None, f"The run stopped: {exc}")

    # -- results ---------------------------------------------------------------------------------
    def _on_table_selection_changed(self, selected: QItemSelection, _: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        row = self.filter.mapToSource(indexes[0]).row()
        result = self.model.result(row)
        if result is None:  # a row kept for a request that has not started
            planned = self.model.queued(row)
            where = (
                f"{planned.method} {' / '.join((*planned.folder, planned.name))}\n"
                if planned
                else ""
            )
            self.details.setPlainText(f"{where}Queued: not started yet.")
            return
        self.details.setPlainText(describe_result(result))

    def _on_problems_only_toggled(self, enabled: bool) -> None:
        self.filter.set_enabled(enabled)
        # The details follow the table: a row the filter hid is no longer described.
        if not self.table.selectionModel().selectedRows():
            self.details.clear()

    def _on_table_double_clicked(self, index: object) -> None:
        if self._open_request is None or not self.table.currentIndex().isValid():
            return
        row = self.filter.mapToSource(self.table.currentIndex()).row()
        result = self.model.result(row)
        if result is not None:
            self._open_request(result.rel)

    def _on_choose_data_clicked(self) -> None:
        # open(), not exec(): a nested modal loop inside qasync is a known trap.
        dialog = QFileDialog(self, "Data file", "", "Data (*.csv *.json);;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.set_data_file)
        dialog.open()

    def _ask_export_path(self, suffix: str) -> None:
        kind = "JUnit XML (*.xml)" if suffix == ".xml" else "JSON (*.json)"
        dialog = QFileDialog(self, "Export run report", f"run-report{suffix}", kind)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(self._export_in_background)
        dialog.open()

    def _export_in_background(self, path: str) -> None:
        async def write() -> None:
            try:
                await self._offloader.submit(self.export, path)
            except OSError as exc:
                self.status.setText(f"Cannot write {path}: {exc}")
            else:
                self.status.setText(f"Report written to {path}")

        self._tasks.spawn(write())

    # -- closing ---------------------------------------------------------------------------------
    def _on_escape_pressed(self) -> None:
        if self._run is not None:  # never close silently under a run: cancel it first
            self.cancel()
            self.status.setText("Cancelling… (Esc again, once it stops, closes this window)")
        else:
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        self._tasks.cancel_all()
        self.closed.emit()
        super().closeEvent(event)
