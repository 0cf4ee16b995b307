"""The response panel's Tests tab (objectName ``responseTests``): each check of the request,
passed or failed with the actual value, and the variables its captures set.

Example::

    tests_tab = ResponseTests()
    tests_tab.show_outcome(run_tests(saved_tests, response))
    tests_tab.summary()          # '3/4 checks passed'
"""

from __future__ import annotations

from PySide6.QtCore import Qt
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
from guiapp.ui.qt_helpers import named

__all__ = ["ResponseTests"]

_MASK = "•••"
_FAIL = QColor(200, 40, 40)
_PASS = QColor(30, 140, 60)


class ResponseTests(QWidget):
    """A table of check and capture results, with a one-line summary above it."""

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
        self.show_message(
            "This request has no checks. Saved requests can carry checks and captures."
        )

    def show_message(self, text: str) -> None:
        """No results: say why (no checks, waiting, the request failed)."""
        self._outcome = None
        self.table.setRowCount(0)
        self.message.setText(text)

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

    def summary(self) -> str:
        """``3/4 checks passed`` for the shown outcome (``""`` when none)."""
        return self._outcome.summary() if self._outcome is not None else ""

    @property
    def outcome(self) -> TestOutcome | None:
        return self._outcome
