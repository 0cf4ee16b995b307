"""The response panel's Tests tab (objectName ``responseTests``): each check of the request,
passed or failed with the actual value, and the variables its captures set.

Results are kept per response (:meth:`ResponseTests.record`), so the tab always shows those
of the response the panel shows, whichever tab sent it and in whichever order evaluations
finish; ``titleChanged`` gives the panel its tab title (``Tests 3/4``).

Example::

    tests_tab = ResponseTests()
    tests_tab.expect(response)                       # "Running 4 checks…" while they run
    tests_tab.record(response, run_tests(tests, response))
    tests_tab.show_for(response)                     # what the panel calls when it shows one
    tests_tab.summary()                              # '3/4 checks passed'
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.request_tests import TestOutcome
from guiapp.core.response import Response
from guiapp.ui.qt_helpers import named

__all__ = ["ResponseTests"]

_MASK = "•••"
_FAIL = QColor(200, 40, 40)
_PASS = QColor(30, 140, 60)
_NO_CHECKS = "This request has no checks. Add checks and captures in the request's Tests tab."


class ResponseTests(QWidget):
    """A table of check and capture results, with a one-line summary above it."""

    #: The title the panel's tab should show: ``Tests``, ``Tests …`` or ``Tests 3/4``.
    titleChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseTests")
        self.message = named(QLabel(wordWrap=True), "testsSummary")
        self.table = named(QTableWidget(0, 3), "testsTable")
        self.table.setHorizontalHeaderLabels(["", "Check", "Actual"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self._outcome: TestOutcome | None = None
        # Response -> its outcome, or a message (running, could not run); weak: a response
        # nobody shows any more takes its results with it.
        self._results: weakref.WeakKeyDictionary[Response, TestOutcome | str] = (
            weakref.WeakKeyDictionary()
        )
        self._shown: Response | None = None
        self.show_message(_NO_CHECKS)

    # -- results per response --------------------------------------------------------------------
    def expect(self, response: Response, count: int) -> None:
        """``count`` checks and captures of ``response`` are being evaluated."""
        plural = "" if count == 1 else "s"
        self.record(response, f"Running {count} check{plural} and capture{plural}…")

    def record(self, response: Response, result: TestOutcome | str) -> None:
        """The outcome of ``response``'s checks (or why there is none); shown at once if the
        panel shows ``response``."""
        self._results[response] = result
        if self._shown is response:
            self._show(result)

    def result_for(self, response: Response) -> TestOutcome | str | None:
        """What :meth:`record` last stored for ``response``."""
        return self._results.get(response)

    def show_for(self, response: Response | None) -> None:
        """Show the results of ``response`` (the one the panel now shows; None: no response)."""
        self._shown = response
        result = self._results.get(response) if response is not None else None
        if result is None:
            self.show_message(_NO_CHECKS if response is not None else "No response yet.")
        else:
            self._show(result)

    def _show(self, result: TestOutcome | str) -> None:
        if isinstance(result, str):
            self.show_message(result)
            self.titleChanged.emit("Tests …" if result.endswith("…") else "Tests")
        else:
            self.show_outcome(result)

    def show_message(self, text: str) -> None:
        """No results: say why (no checks, waiting, the request failed)."""
        self._outcome = None
        self.table.setRowCount(0)
        self.message.setText(text)
        self.titleChanged.emit("Tests")

    def show_outcome(self, outcome: TestOutcome) -> None:
        """Show each check (✓/✗, what it checks, the actual value) and each capture."""
        self._outcome = outcome
        rows: list[tuple[bool, str, str, str]] = []
        for check in outcome.checks:
            rows.append((check.passed, check.message, check.actual, check.message))
        for cap in outcome.captures:
            name = "{{" + cap.capture.variable + "}}"
            if cap.ok:
                shown = _MASK if cap.capture.secret else (cap.value or "")
                rows.append((True, f"set {name}", shown, f"{name} = {shown}"))
            else:
                rows.append((False, cap.message, "", cap.message))
        self.table.setRowCount(len(rows))
        for row, (passed, what, actual, tip) in enumerate(rows):
            mark = QTableWidgetItem("✓" if passed else "✗")
            mark.setForeground(QBrush(_PASS if passed else _FAIL))
            mark.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            what_item = QTableWidgetItem(what)
            what_item.setToolTip(tip)
            self.table.setItem(row, 0, mark)
            self.table.setItem(row, 1, what_item)
            self.table.setItem(row, 2, QTableWidgetItem(actual))
        self.message.setText(self.summary() or "No checks ran.")
        self.titleChanged.emit(self.title())

    def title(self) -> str:
        """``Tests 3/4`` (checks passed / checks) for the shown outcome, else ``Tests``."""
        outcome = self._outcome
        if outcome is None or not outcome.checks:
            return "Tests"
        return f"Tests {sum(c.passed for c in outcome.checks)}/{len(outcome.checks)}"

    def summary(self) -> str:
        """``3/4 checks passed`` for the shown outcome (``""`` when none)."""
        return self._outcome.summary() if self._outcome is not None else ""

    @property
    def outcome(self) -> TestOutcome | None:
        return self._outcome
