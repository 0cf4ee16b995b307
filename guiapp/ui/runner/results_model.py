"""The runner's results table: a virtualised model fed in batches, one insert per frame.

A run can produce thousands of results a second; inserting each one as it arrives would cost
the GUI thread one model signal, one layout and one repaint per result. Results are queued by
:meth:`RunResultsModel.add` and inserted by a single ``beginInsertRows`` at most once per frame
(~60 Hz), so 10,000 results cost the GUI thread a few hundred small inserts. The view only ever
paints the rows on screen.

Example::

    model = RunResultsModel()
    view.setModel(model)
    run.run(on_result=model.add)       # from the loop thread
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from guiapp.runner import RequestRun

__all__ = ["COLUMNS", "FailuresOnly", "RunResultsModel"]

COLUMNS = ("#", "Request", "Method", "Status", "Time (ms)", "Size", "Checks", "Result")
_FRAME_MS = 16
_Index = QModelIndex | QPersistentModelIndex
_FAIL = QColor(200, 40, 40)
_PASS = QColor(30, 140, 60)


class RunResultsModel(QAbstractTableModel):
    """Rows of :class:`~guiapp.runner.RequestRun`, appended in per-frame batches."""

    #: ``(total, failed)`` after each batch is inserted.
    countsChanged = Signal(int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RequestRun] = []
        self._pending: list[RequestRun] = []
        self._failed = 0
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(_FRAME_MS)
        self._flush_timer.timeout.connect(self.flush)

    # -- feeding ---------------------------------------------------------------------------------
    def add(self, result: RequestRun) -> None:
        """Queue ``result``; it appears with the next batch (within a frame)."""
        self._pending.append(result)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Insert every queued result now (one insert for the whole batch)."""
        self._flush_timer.stop()
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._rows.extend(batch)
        self.endInsertRows()
        self._failed += sum(not r.passed for r in batch)
        self.countsChanged.emit(len(self._rows), self._failed)

    def clear(self) -> None:
        self._flush_timer.stop()
        self._pending.clear()
        self.beginResetModel()
        self._rows.clear()
        self._failed = 0
        self.endResetModel()
        self.countsChanged.emit(0, 0)

    def result(self, row: int) -> RequestRun:
        return self._rows[row]

    @property
    def failed(self) -> int:
        return self._failed

    # -- Qt model --------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(r, column, index.row())
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 7):
            return "\n".join([f"{r.method} {r.url}", *r.failures()])
        if role == Qt.ItemDataRole.ForegroundRole and column in (3, 7):
            return QBrush(_PASS if r.passed else _FAIL)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 3, 4, 5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r.passed
        return None


def _cell(r: RequestRun, column: int, row: int) -> str:
    if column == 0:
        return f"{r.iteration}.{r.index + 1}"
    if column == 1:
        return " / ".join((*r.folder, r.name))
    if column == 2:
        return r.method
    if column == 3:
        return str(r.status) if r.status is not None else "—"
    if column == 4:
        return f"{r.elapsed_ms:.0f}" if r.status is not None else ""
    if column == 5:
        return str(r.size) if r.status is not None else ""
    if column == 6:
        return f"{sum(c.passed for c in r.checks)}/{len(r.checks)}" if r.checks else ""
    failures = r.failures()
    return "✓ passed" if not failures else f"✗ {failures[0]}"


class FailuresOnly(QSortFilterProxyModel):
    """Shows every row, or only failed ones once :meth:`set_enabled` is on."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._enabled = False

    def set_enabled(self, enabled: bool) -> None:
        self.beginFilterChange()
        self._enabled = enabled
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._enabled:
            return True
        model = self.sourceModel()
        return model.index(source_row, 0, source_parent).data(Qt.ItemDataRole.UserRole) is False
