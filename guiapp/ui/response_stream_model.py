"""The table model of the Stream view: rows read on demand from a :class:`StreamLog`.

Nothing per event lives in the model: ``rowCount`` is the log's length (or the length of the
filtered row list) and ``data`` reads the few rows the view paints (the log caches them). Rows
are added with :meth:`StreamTableModel.sync`, which the view calls at most once per frame.

The view paints each cell through :meth:`StreamTableModel.multiData`: one call from Qt into
Python per cell for all the roles the delegate asks (about ten), instead of one ``data`` call
per role. During a fast stream a worker thread holds the GIL most of the time, and every
call from Qt into Python must take it back first: fewer calls, shorter repaints.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from guiapp.core.stream_log import StreamLog, event_matches
from guiapp.core.streams import StreamEvent

__all__ = ["COLUMNS", "StreamTableModel"]

COLUMNS = ("Time", "Event", "ID", "Size", "Data")
_PREVIEW = 160
_ERROR_COLOUR = QColor("#d03838")
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole

_Index = QModelIndex | QPersistentModelIndex


class StreamTableModel(QAbstractTableModel):
    """Rows of a :class:`StreamLog`, all of them or those matching a filter query."""

    def __init__(self) -> None:
        super().__init__()
        self._log: StreamLog | None = None
        self._shown = 0  # rows of the log the view knows about (unfiltered)
        self._query = ""
        self._rows: array[int] | None = None  # filtered: log rows that match
        self._checked = 0  # log rows already tested against the filter

    @property
    def log(self) -> StreamLog | None:
        return self._log

    @property
    def query(self) -> str:
        return self._query

    def set_log(self, log: StreamLog | None) -> None:
        self.beginResetModel()
        self._log = log
        self._shown = 0
        self._rows = None if not self._query else array("q")
        self._checked = 0
        self.endResetModel()

    def set_filter(self, query: str, rows: array[int] | None, checked: int) -> None:
        """Show ``rows`` (log rows matching ``query``, found among the first ``checked``)."""
        self.beginResetModel()
        self._query = query
        self._rows = rows if query else None
        self._checked = checked if query else 0
        self._shown = 0 if query else min(checked, len(self._log or ()))
        self.endResetModel()

    def sync(self) -> int:
        """Add the rows that arrived since the last call; returns how many were added."""
        log = self._log
        if log is None:
            return 0
        total = len(log)
        if self._rows is None:
            if total <= self._shown:
                return 0
            self.beginInsertRows(QModelIndex(), self._shown, total - 1)
            added = total - self._shown
            self._shown = total
            self.endInsertRows()
            return added
        if total <= self._checked:
            return 0
        start = self._checked
        self._checked = total
        new = [start + i for i, e in enumerate(log.events(start, total)) if self._keeps(e)]
        if not new:
            return 0
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._rows.extend(new)
        self.endInsertRows()
        return len(new)

    def _keeps(self, event: StreamEvent) -> bool:
        return event_matches(event, self._query)

    def event_at(self, row: int) -> StreamEvent | None:
        """The event shown at ``row`` of the table (``None`` if out of range)."""
        log = self._log
        if log is None or row < 0 or row >= self.rowCount():
            return None
        return log.event(self._rows[row] if self._rows is not None else row)

    # -- Qt model API ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid():
            return 0
        return len(self._rows) if self._rows is not None else self._shown

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (_DISPLAY, _TOOLTIP, _FOREGROUND):
            return None
        event = self.event_at(index.row())
        return None if event is None else _value(event, index.column(), role)

    def multiData(self, index: _Index, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        # Every role of a cell in one call (Qt's delegate asks for about ten when it paints).
        event = self.event_at(index.row()) if index.isValid() else None
        column = index.column()
        slots: Sequence[QModelRoleData]
        if isinstance(roleDataSpan, QModelRoleData):
            slots = (roleDataSpan,)
        else:  # indexable and sized, which the type stubs do not say
            slots = cast("Sequence[QModelRoleData]", roleDataSpan)
        for i in range(len(slots)):
            slot = slots[i]
            role = slot.role()
            value = None
            if event is not None and role in (_DISPLAY, _TOOLTIP, _FOREGROUND):
                value = _value(event, column, role)
            if value is None:
                slot.clearData()
            else:
                slot.setData(value)


def _value(event: StreamEvent, column: int, role: int) -> object:
    if role == _FOREGROUND:
        return _ERROR_COLOUR if event.error else None
    if role == _TOOLTIP:
        return event.error or None
    if column == 0:
        return f"{event.at:.3f} s"
    if column == 1:
        return f"⚠ {event.event}" if event.error else event.event
    if column == 2:
        return event.id or (str(event.line) if event.line else "")
    if column == 3:
        return _size(event.size)
    return event.preview(_PREVIEW)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size / 1024 / 1024:.1f} MB"
