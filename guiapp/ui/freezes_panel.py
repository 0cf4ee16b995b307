"""The Freezes panel: what froze the window, newest first, with the full stack.

Fed by :class:`guiapp.offload.qt.FreezeWatch` (``frozen`` → :meth:`FreezesPanel.add_report`).
``freezesList`` has one row per freeze (when, duration, verdict, culprit frame), newest first;
a click on a column header sorts by it (Duration: longest first, to find the freeze that hurt
among many short ones); the columns keep the widths the user drags them to. Selecting a row
shows the whole report in ``freezeStack`` (verdict and the stack, innermost frame first);
``copyFreezeButton`` copies that text for a bug report, ``clearFreezesButton`` empties the list.

Adding a row costs the same however many rows there are (no column is measured against every
row): the panel must not freeze the window it reports on.

Example::

    panel = FreezesPanel()
    watch.frozen.connect(panel.add_report)
    dock = framed_dock("Freezes", "freezesDock", panel, window)
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
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
#: Initial widths of When, Duration and Verdict (the culprit takes the rest); user-resizable.
_WIDTHS = (96, 96, 230)


def _freeze_item(report: FreezeReport) -> QTreeWidgetItem:
    """A row whose cells sort in C++ without calling Python: When as zero-padded text with
    milliseconds (time order within a day), Duration as a number (3074 after 152, not before)."""
    stamp = time.strftime("%H:%M:%S", time.localtime(report.start))
    item = QTreeWidgetItem()
    item.setText(0, f"{stamp}.{int(report.start * 1000) % 1000:03d}")
    item.setData(1, Qt.ItemDataRole.DisplayRole, round(report.duration_ms))
    item.setText(2, report.cause)
    item.setText(3, report.culprit)
    item.setData(0, Qt.ItemDataRole.UserRole, report)
    item.setToolTip(3, report.verdict)
    item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class FreezesPanel(QWidget):
    """A list of :class:`~guiapp.offload.freeze.FreezeReport` (newest first) and its details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("freezesPanel")
        self.list = named(QTreeWidget(), "freezesList")
        self.list.setHeaderLabels(["When", "Duration (ms)", "Verdict", "Culprit"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        header = self.list.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(_WIDTHS):
            header.resizeSection(column, width)
        self.list.setSortingEnabled(True)
        self.list.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first
        self.list.currentItemChanged.connect(self._on_list_current_changed)
        self.details = named(QPlainTextEdit(), "freezeStack")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setPlaceholderText("Select a freeze to see its stack.")
        self.copy_button = named(QPushButton("Copy as text"), "copyFreezeButton")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_selected)
        self.clear_button = named(QPushButton("Clear"), "clearFreezesButton")
        self.clear_button.setEnabled(False)
        self.clear_button.clicked.connect(self.clear)
        self.empty_label = named(QLabel(_EMPTY), "freezesEmpty")
        self.empty_label.setWordWrap(True)
        self._arrivals: deque[QTreeWidgetItem] = deque()

        # Small minimums (both scroll): a docked panel opening in a short window takes little.
        self.list.setMinimumHeight(48)
        self.details.setMinimumHeight(32)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.empty_label, 1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def add_report(self, report: FreezeReport) -> None:
        """Add a freeze (at the top while the list is sorted newest first)."""
        item = _freeze_item(report)
        self._arrivals.append(item)
        self.list.addTopLevelItem(item)  # placed by the current sort
        while len(self._arrivals) > MAX_ROWS:
            oldest = self._arrivals.popleft()
            index = self.list.indexOfTopLevelItem(oldest)
            if index >= 0:
                self.list.takeTopLevelItem(index)
        self.empty_label.setVisible(False)
        self.clear_button.setEnabled(True)

    def clear(self) -> None:
        """Forget every row (the watch keeps its own bounded list)."""
        self.list.clear()
        self._arrivals.clear()
        self.details.clear()
        self.copy_button.setEnabled(False)
        self.clear_button.setEnabled(False)
        self.empty_label.setVisible(True)

    def reports(self) -> list[FreezeReport]:
        """The reports shown, newest first."""
        items = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in items if item is not None]

    def select_report(self, report: FreezeReport) -> bool:
        """Select the row of ``report`` (e.g. the freeze the lag label shows); False if absent."""
        for item in self._arrivals:
            if item.data(0, Qt.ItemDataRole.UserRole) is report:
                self.list.setCurrentItem(item)
                self.list.scrollToItem(item)
                return True
        return False

    def select_newest(self) -> None:
        """Select the top row (the freeze that just happened), if any."""
        if self._arrivals:
            newest = self._arrivals[-1]
            self.list.setCurrentItem(newest)
            self.list.scrollToItem(newest)

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
