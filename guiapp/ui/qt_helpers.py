"""Small typed helpers for building widgets.

>>> from PySide6.QtCore import QObject
>>> named(QObject(), "statusLabel").objectName()
'statusLabel'
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractItemDelegate, QDockWidget, QTableWidget, QVBoxLayout, QWidget

__all__ = ["TabLeavingTable", "framed_dock", "named"]

_Q = TypeVar("_Q", bound=QObject)


def named(obj: _Q, name: str) -> _Q:
    """Set ``obj``'s objectName (the tests' and stylesheet's handle) and return it.

    PySide accepts ``objectName=`` as a constructor keyword, but its type stubs do not.
    """
    obj.setObjectName(name)
    return obj


def framed_dock(title: str, name: str, widget: QWidget, parent: QWidget) -> QDockWidget:
    """A movable, closable dock named ``name`` holding ``widget`` with a small margin."""
    frame = QWidget()
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(6, 4, 2, 6)
    layout.addWidget(widget)
    dock = named(QDockWidget(title, parent), name)
    dock.setWidget(frame)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetClosable
    )
    return dock


class TabLeavingTable(QTableWidget):
    """A table that Tab leaves after its last cell and Shift+Tab before its first.

    Qt's tables wrap Tab around from the last cell to the first, a keyboard trap: without
    a mouse the user could never reach the widgets after the table. Inside, Tab still moves
    from cell to cell (and commits an open editor) as in any spreadsheet.

    Example::

        class KeyValueTable(TabLeavingTable): ...
    """

    def _at_edge(self, forward: bool) -> bool:
        current = self.currentIndex()
        if not current.isValid() or self.rowCount() == 0:
            return True
        if forward:
            last_row, last_column = self.rowCount() - 1, self.columnCount() - 1
            return current.row() == last_row and current.column() == last_column
        return current.row() == 0 and current.column() == 0

    def focusNextPrevChild(self, next: bool) -> bool:
        if self._at_edge(next):
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        hints = QAbstractItemDelegate.EndEditHint
        forward = hint == hints.EditNextItem
        if hint in (hints.EditNextItem, hints.EditPreviousItem) and self._at_edge(forward):
            super().closeEditor(editor, hints.NoHint)  # commit, but do not wrap around
            QWidget.focusNextPrevChild(self, forward)
            return
        super().closeEditor(editor, hint)
