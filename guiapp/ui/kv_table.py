"""An editable table of ``(enabled, name, value)`` rows: query params, headers, form fields.

There is always one blank row at the bottom: typing into it adds a row, so the user never hunts
for an "add" button. Each row has a checkbox to switch it off without deleting it.

Example::

    table = KeyValueTable(key_label="Header")
    table.set_rows([("Accept", "application/json", True), ("X-Debug", "1", False)])
    table.pairs()          # [("Accept", "application/json")]: enabled rows only
    table.split_rows()     # ((("Accept", ...),), (DisabledRow(at=1, name="X-Debug", ...),))
    table.edited.connect(lambda: print("user changed a row"))
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidgetItem,
    QWidget,
)

from guiapp.core.request import DisabledRow, Pairs, merge_rows, split_rows
from guiapp.ui.qt_helpers import TabLeavingTable

__all__ = ["KeyValueTable", "Row"]

Row = tuple[str, str, bool]


class KeyValueTable(TabLeavingTable):
    """Rows of name/value pairs with a per-row enable checkbox in the first column."""

    #: The user changed, added, enabled or removed a row (not emitted by :meth:`set_rows`).
    edited = Signal()

    def __init__(
        self, key_label: str = "Name", value_label: str = "Value", parent: QWidget | None = None
    ) -> None:
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels([key_label, value_label])
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(0, 200)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        delete = QShortcut(QKeySequence.StandardKey.Delete, self)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_selected_rows)
        self.itemChanged.connect(self._on_item_changed)
        self._append_blank_row()

    # -- data ----------------------------------------------------------------------------------
    def rows(self) -> list[Row]:
        """All non-blank rows as ``(name, value, enabled)``, in order."""
        result: list[Row] = []
        for row in range(self.rowCount()):
            key_item, value_item = self.item(row, 0), self.item(row, 1)
            key = key_item.text() if key_item else ""
            value = value_item.text() if value_item else ""
            if not key and not value:
                continue
            enabled = key_item is None or key_item.checkState() == Qt.CheckState.Checked
            result.append((key, value, enabled))
        return result

    def pairs(self) -> list[tuple[str, str]]:
        """The enabled rows with a name, as ``(name, value)`` pairs."""
        return [(key, value) for key, value, enabled in self.rows() if enabled and key]

    def split_rows(self) -> tuple[Pairs, tuple[DisabledRow, ...]]:
        """What a RequestSpec keeps of the table: the enabled rows with a name (sent), and the
        unticked rows with their position (kept, not sent)."""
        return split_rows(((k, v), on) for k, v, on in self.rows() if k or not on)

    def set_split_rows(
        self, enabled: Iterable[tuple[str, str]], disabled: Iterable[DisabledRow]
    ) -> None:
        """Show enabled pairs and disabled rows, each disabled row at its position (unticked)."""
        self.set_rows((k, v, on) for (k, v), on in merge_rows(enabled, disabled))

    def set_rows(self, rows: Iterable[Row]) -> None:
        """Replace every row without emitting :attr:`edited`."""
        with QSignalBlocker(self):
            self.setRowCount(0)
            for key, value, enabled in rows:
                self._insert_row(self.rowCount(), key, value, enabled)
            self._append_blank_row()
        self.viewport().update()

    def set_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Replace every row with enabled ``(name, value)`` pairs."""
        self.set_rows((key, value, True) for key, value in pairs)

    def remove_selected_rows(self) -> None:
        """Delete the selected rows (the trailing blank row stays)."""
        selected = sorted({index.row() for index in self.selectedIndexes()}, reverse=True)
        if not selected:
            return
        with QSignalBlocker(self):
            for row in selected:
                if row < self.rowCount() - 1:
                    self.removeRow(row)
        self.edited.emit()

    # -- internals -----------------------------------------------------------------------------
    def _insert_row(self, row: int, key: str, value: str, enabled: bool) -> None:
        self.insertRow(row)
        key_item = QTableWidgetItem(key)
        key_item.setFlags(key_item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        key_item.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
        key_item.setToolTip("Untick to keep the row without sending it")
        self.setItem(row, 0, key_item)
        self.setItem(row, 1, QTableWidgetItem(value))

    def _append_blank_row(self) -> None:
        self._insert_row(self.rowCount(), "", "", True)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.row() == self.rowCount() - 1 and item.text():
            with QSignalBlocker(self):
                self._append_blank_row()
        self.edited.emit()
