"""The Freezes panel: what froze the window, newest first, with the full stack.

Fed by :class:`guiapp.offload.qt.FreezeWatch` (``frozen`` → :meth:`FreezesPanel.add_report`).
``freezesList`` has one row per freeze (when, duration, verdict, culprit frame); selecting a row
shows the whole report in ``freezeStack`` (verdict and the stack, innermost frame first);
``copyFreezeButton`` copies that text for a bug report.

Example::

    panel = FreezesPanel()
    watch.frozen.connect(panel.add_report)
    dock = framed_dock("Freezes", "freezesDock", panel, window)
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guiapp.offload.freeze import FreezeReport
from guiapp.ui.qt_helpers import named

__all__ = ["FreezesPanel"]

#: Rows kept (older ones are dropped; the watch keeps its own bounded list).
MAX_ROWS = 200
_EMPTY = "No freezes yet: the GUI thread has served every heartbeat within 50 ms."


class FreezesPanel(QWidget):
    """A list of :class:`~guiapp.offload.freeze.FreezeReport` (newest first) and its details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("freezesPanel")
        self.list = named(QTreeWidget(), "freezesList")
        self.list.setHeaderLabels(["When", "Duration", "Verdict", "Culprit"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.currentItemChanged.connect(self._on_list_current_changed)
        self.details = named(QPlainTextEdit(), "freezeStack")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setPlaceholderText("Select a freeze to see its stack.")
        self.copy_button = named(QPushButton("Copy as text"), "copyFreezeButton")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_selected)
        self.empty_label = named(QLabel(_EMPTY), "freezesEmpty")
        self.empty_label.setWordWrap(True)

        # Small minimums (both scroll): a docked panel opening in a short window takes little.
        self.list.setMinimumHeight(48)
        self.details.setMinimumHeight(32)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(self.details)
        buttons = QHBoxLayout()
        buttons.addWidget(self.empty_label, 1)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def add_report(self, report: FreezeReport) -> None:
        """Add a freeze at the top of the list."""
        when = time.strftime("%H:%M:%S", time.localtime(report.start))
        item = QTreeWidgetItem([when, f"{report.duration_ms:.0f} ms", report.cause, report.culprit])
        item.setData(0, Qt.ItemDataRole.UserRole, report)
        item.setToolTip(3, report.verdict)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.list.insertTopLevelItem(0, item)
        while self.list.topLevelItemCount() > MAX_ROWS:
            self.list.takeTopLevelItem(self.list.topLevelItemCount() - 1)
        self.empty_label.setVisible(False)
        for column in range(3):
            self.list.resizeColumnToContents(column)

    def reports(self) -> list[FreezeReport]:
        """The reports shown, newest first."""
        items = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in items if item is not None]

    def select_newest(self) -> None:
        """Select the top row (the freeze that just happened), if any."""
        top = self.list.topLevelItem(0)
        if top is not None:
            self.list.setCurrentItem(top)

    def selected_report(self) -> FreezeReport | None:
        """The selected report, or None."""
        item = self.list.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def copy_selected(self) -> str:
        """Copy the selected report as plain text to the clipboard (and return it)."""
        report = self.selected_report()
        text = report.as_text() if report is not None else ""
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def _on_list_current_changed(self, current: QTreeWidgetItem | None, _previous: Any) -> None:
        report = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        self.details.setPlainText(report.as_text() if report is not None else "")
        self.copy_button.setEnabled(report is not None)
