"""The Responsiveness Lab window: run workloads under strategies and watch the GUI's response.

Left: the workload and its parameters, the strategies (n/a ones disabled), Run / Run all /
Stop, and an input field plus a bouncing ball to feel the difference. Right: live plots, the
accumulating results table (CSV / PNG export) and each strategy's explain panel.

Runs are coroutines on the qasync loop; the engine is :mod:`guiapp.lab.engine`, shared
with the headless ``python -m guiapp.bench``. Closing the window aborts the run (sockets shut,
loops stop at their checkpoints, threads joined with a deadline) and then stops the Lab's demo
API child process.

Example::

    lab = LabWindow()
    lab.show()
    task = lab.run_selected()          # an asyncio.Task; lab.stop() aborts it
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from guiapp.lab.engine import CellRun, LabSession, run_matrix
from guiapp.lab.results import CellResult
from guiapp.lab.strategies import STRATEGIES
from guiapp.lab.strategy import Strategy
from guiapp.lab.workloads import WORKLOADS, Workload
from guiapp.ui.background_tasks import BackgroundTasks
from guiapp.ui.lab.controls import StrategyForm, WorkloadForm
from guiapp.ui.lab.explain import explain_html
from guiapp.ui.lab.live import BouncingBall, LivePlots
from guiapp.ui.lab.results import ResultsTable

__all__ = ["LabWindow"]


class LabWindow(QWidget):
    """The Lab. ``runFinished`` after each run (with its :class:`CellResult`), ``idle`` when a
    batch of runs ends (finished, stopped or failed), ``closed`` once everything is released."""

    runFinished = Signal(object)
    idle = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None, *, session: LabSession | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Responsiveness Lab")
        self.resize(1300, 850)
        self._own_session = session is None
        self.session = session or LabSession()
        self._task: asyncio.Task[list[CellResult]] | None = None
        self._tasks = BackgroundTasks(self._on_batch_failed, "the Lab run")
        self._current: CellRun | None = None
        self._last_rows: dict[str, dict[str, object]] = {}
        self._closing = False

        self.workload_form = WorkloadForm()
        self.strategy_form = StrategyForm()
        self.run_button = QPushButton("Run")
        self.run_all_button = QPushButton("Run all workloads")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.status = QLabel("Ready.")
        self.status.setWordWrap(True)
        self.input = QLineEdit()
        self.input.setPlaceholderText("Type here while a run goes…")
        self.ball = BouncingBall()
        self.plots = LivePlots()
        self.table = ResultsTable()
        self.export_csv_button = QPushButton("Export CSV…")
        self.export_png_button = QPushButton("Export PNG…")
        self.clear_button = QPushButton("Clear")
        self.explain_combo = QComboBox()
        self.explain_combo.addItems(list(STRATEGIES))
        self.explain = QTextBrowser()
        self._layout()

        self.workload_form.workloadChanged.connect(self._on_workload_changed)
        self.run_button.clicked.connect(self.run_selected)
        self.run_all_button.clicked.connect(self.run_all)
        self.stop_button.clicked.connect(self.stop)
        self.export_csv_button.clicked.connect(lambda: self._ask_path("CSV (*.csv)", ".csv"))
        self.export_png_button.clicked.connect(lambda: self._ask_path("PNG (*.png)", ".png"))
        self.clear_button.clicked.connect(self._on_clear_clicked)
        self.explain_combo.currentTextChanged.connect(self.show_explanation)
        self.table.rowActivated.connect(lambda row: self.show_explanation(str(row["strategy"])))
        self._on_workload_changed()
        self.show_explanation(self.explain_combo.currentText())

    def _layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.workload_form)
        left_layout.addWidget(self.strategy_form)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.run_all_button, self.stop_button):
            buttons.addWidget(button)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.status)
        left_layout.addWidget(QLabel("Does the GUI respond?"))
        left_layout.addWidget(self.input)
        left_layout.addWidget(self.ball)
        left_layout.addStretch(1)

        results = QWidget()
        results_layout = QVBoxLayout(results)
        export = QHBoxLayout()
        export.addStretch(1)
        for button in (self.clear_button, self.export_csv_button, self.export_png_button):
            export.addWidget(button)
        results_layout.addWidget(self.table)
        results_layout.addLayout(export)
        explain = QWidget()
        explain_layout = QVBoxLayout(explain)
        explain_layout.addWidget(self.explain_combo)
        explain_layout.addWidget(self.explain)
        self.tabs = QTabWidget()
        self.tabs.addTab(results, "Results")
        self.tabs.addTab(explain, "Explain")

        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(self.plots)
        self.right.addWidget(self.tabs)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(1, 1)
        outer = QVBoxLayout(self)
        outer.addWidget(splitter)

    # -- running ---------------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def run_selected(self) -> asyncio.Task[list[CellResult]] | None:
        """Run the form's workload under each checked strategy, one after the other."""
        workload = self.workload_form.workload()
        return self._start([(workload, s) for s in self.strategy_form.strategies(workload)])

    def run_all(self) -> asyncio.Task[list[CellResult]] | None:
        """Every workload (at its default parameters) under each checked strategy."""
        cells: list[tuple[Workload, Strategy]] = []
        for name in WORKLOADS:
            workload = Workload(name)
            cells += [(workload, s) for s in self.strategy_form.strategies(workload)]
        return self._start(cells)

    def stop(self) -> None:
        """Abort the running batch (the current run's result is kept, marked aborted)."""
        if self._current is not None:
            self._current.abort()
        if self._task is not None:
            self._task.cancel()

    def _start(
        self, cells: list[tuple[Workload, Strategy]]
    ) -> asyncio.Task[list[CellResult]] | None:
        if self.is_running() or self._closing or not cells:
            return None
        self.plots.clear()
        self.ball.reset()
        self._set_running(True)
        task = self._tasks.spawn(
            run_matrix(cells, self.session, on_start=self._on_run_started, on_result=self._add)
        )
        if task is None:  # no event loop: nothing can run
            self._set_running(False)
            return None
        self._task = cast("asyncio.Task[list[CellResult]]", task)
        task.add_done_callback(self._on_batch_done)  # after the failure report
        return self._task

    def _on_run_started(self, run: CellRun) -> None:
        self._current = run
        self.ball.reset()  # its longest frame gap is reported per run
        params = run.workload.label().split(" ", 1)[1]
        self.status.setText(
            f"Running {run.workload.display_name} ({params}) with {run.strategy.label()}…"
        )
        self.plots.follow(run)

    def _add(self, result: CellResult) -> None:
        self.plots.finish()
        self._current = None
        self.table.add_result(result)
        row = result.row()
        self._last_rows[result.strategy.split("(", 1)[0]] = row
        if self.explain_combo.currentText() == result.strategy.split("(", 1)[0]:
            self.show_explanation(result.strategy)
        self.status.setText(
            f"{result.strategy}: {result.wall_s:.2f} s, max lag {result.lag.max_ms:.0f} ms, "
            f"ball's longest frame gap {self.ball.max_gap_ms:.0f} ms."
        )
        self.runFinished.emit(result)

    def _on_batch_failed(self, exc: BaseException) -> None:
        self.status.setText(f"Failed: {type(exc).__name__}: {exc}")

    def _on_batch_done(self, task: asyncio.Future[list[CellResult]]) -> None:
        current, self._current = self._current, None
        if current is not None and current.aborted_result is not None:
            self._add(current.aborted_result)  # the run was cut short: its row says so
        self.plots.finish()
        if task.cancelled():
            self.status.setText("Stopped.")
        self._set_running(False)
        self.idle.emit()
        if self._closing:
            self._release()

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.run_all_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    # -- explain, export, clear ------------------------------------------------------------------
    def show_explanation(self, strategy: str) -> None:
        name = strategy.split("(", 1)[0]
        if self.explain_combo.currentText() != name:
            self.explain_combo.setCurrentText(name)  # re-enters with the plain name
            return
        self.explain.setHtml(explain_html(name, self._last_rows.get(name)))

    def export_csv(self, path: str | Path) -> Path:
        return self.table.export_csv(path)

    def export_png(self, path: str | Path) -> Path:
        """A picture of the plots and the results table."""
        self.tabs.setCurrentIndex(0)
        return self.table.export_png(path, self.right)

    def _ask_path(self, file_filter: str, suffix: str) -> None:
        # open(), not exec(): a nested modal loop inside qasync is a known trap (qasync #59).
        dialog = QFileDialog(self, "Export", f"lab-results{suffix}", file_filter)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(
            lambda path: self.export_csv(path) if suffix == ".csv" else self.export_png(path)
        )
        dialog.open()

    def _on_clear_clicked(self) -> None:
        self.table.clear_results()
        self.plots.clear()

    def _on_workload_changed(self) -> None:
        self.strategy_form.update_for(self.workload_form.workload())

    # -- closing ---------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True
        if self.is_running():
            self.stop()  # _on_batch_done releases the rest once the run has wound down
        else:
            self._release()
        super().closeEvent(event)

    def _release(self) -> None:
        if self._own_session:
            self.session.close()
        self.closed.emit()
