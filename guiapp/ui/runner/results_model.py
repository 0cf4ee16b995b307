"""The runner's results table: a virtualised model in plan order, fed once per frame.

Rows are in the collection's order, iteration by iteration, whatever the order in which the
requests finish: each request's row is reserved when it starts (the run starts requests in plan
order) and filled in when it ends; requests that never ran get their rows, in order, at the end.

A run can produce thousands of results a second; handling each as it arrives would cost the
GUI thread one model signal, one layout and one repaint per result. Starts and results are
queued (:meth:`RunResultsModel.reserve`, :meth:`RunResultsModel.add`) and applied at most once
per frame (~60 Hz): the new rows of a batch are inserted with one ``insertRows`` (one
``rowsInserted``; with :meth:`RunResultsModel.expect`, :data:`ROWS_AHEAD` rows at a time, as
each insert makes the view lay out and repaint all it shows), their cells set with the model's
signals held, and one ``dataChanged`` covers every row the batch touched (the view repaints
the part of it on screen). A batch holds at most :data:`MAX_BATCH` entries, so the rows of
thousands of requests that never ran (a cancelled run) are added over a few frames.
The counts of each outcome are kept as batches arrive, never recounted.

The cells are computed once, when a row is set, and kept in Qt's own item model: painting
the table never calls Python. A Python ``data()`` is called for every cell and role of every
row painted (about 1,600 calls a frame here); while the run's worker threads hold the GIL,
each of those calls waits for it, and a table paint took 12 ms typically and up to 80 ms
(1,000 requests at concurrency 8, 2 cores, CPython 3.11.7, PySide6 6.11.3). The "problems
only" filter is Qt's own too (a fixed string on :data:`PROBLEM_ROLE`), for the same reason.

Example::

    model = RunResultsModel()
    view.setModel(model)
    run.run(on_result=model.add, on_start=model.reserve)   # from the loop thread
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItemModel

from guiapp.runner import CANCELLED, FAILED, NO_CHECKS, NOT_RUN, PASSED, RUNNING, RequestRun
from guiapp.ui.status_format import format_bytes

__all__ = [
    "COLUMNS",
    "MAX_BATCH",
    "PROBLEM_ROLE",
    "QUEUED",
    "ROWS_AHEAD",
    "STATE_ROLE",
    "ProblemsOnly",
    "RunResultsModel",
]

COLUMNS = ("#", "Request", "Method", "Status", "Time (ms)", "Size", "Checks", "Result")
#: The row's outcome (``"passed"``, ``"failed"``, ``"no checks"``, ``"cancelled"``,
#: ``"not run"``, or ``"running"``), on each row's first cell.
STATE_ROLE = Qt.ItemDataRole.UserRole
#: ``"1"`` on the first cell of a row that is a problem: a failed request, or a response with
#: an HTTP error status (4xx, 5xx) that no check looked at.
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1
#: The state shown on a planned row whose request has not started yet.
QUEUED = "queued"
#: Starts and results applied in one frame, at most.
MAX_BATCH = 500
#: Rows inserted at a time when the size of the run is known (:meth:`RunResultsModel.expect`).
ROWS_AHEAD = 1000
#: Rows ahead shown queued per frame, at most (about 4 ms of the GUI thread: 1,000 at once
#: took 35-40 ms).
QUEUED_PER_FRAME = 100
_FRAME_MS = 16
_RED = QColor(200, 40, 40)
_GREEN = QColor(30, 140, 60)
_AMBER = QColor(190, 110, 0)  # an HTTP error status that no check looked at
_GREY = QColor(120, 120, 120)
_COLOURS = {
    PASSED: _GREEN,
    FAILED: _RED,
    NO_CHECKS: _GREY,
    CANCELLED: _GREY,
    NOT_RUN: _GREY,
    RUNNING: _GREY,
    QUEUED: _GREY,
}
_BRUSHES = {kind: QBrush(colour) for kind, colour in _COLOURS.items()}
_AMBER_BRUSH = QBrush(_AMBER)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_RESULT_TEXT = {
    NO_CHECKS: "– no checks",
    CANCELLED: "⊘ cancelled",
    NOT_RUN: "⊘ not run",
    RUNNING: "… running",
    QUEUED: "· queued",
}


class RunResultsModel(QStandardItemModel):
    """One row per request per iteration, in plan order, updated in per-frame batches."""

    #: After each batch: a :class:`collections.Counter` of the outcomes of the rows so far.
    countsChanged = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self._rows: list[RequestRun] = []
        self._row_of: dict[tuple[int, int], int] = {}
        self._pending: list[RequestRun] = []
        self._counts: Counter[str] = Counter()
        self._expected = 0
        self._queued: Callable[[int], RequestRun] | None = None
        self._queued_upto = 0  # rows below this one show their request or their plan
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(_FRAME_MS)
        self._flush_timer.timeout.connect(self._on_flush_timer_timeout)

    # -- feeding ---------------------------------------------------------------------------------
    def reserve(self, placeholder: RequestRun) -> None:
        """Queue the row of a request that started (its place in the table, shown running)."""
        self._queue(placeholder)

    def add(self, result: RequestRun) -> None:
        """Queue ``result``; it replaces its row's placeholder (or gets a new row) with the
        next batch (within a frame)."""
        self._queue(result)

    def expect(self, total: int, queued: Callable[[int], RequestRun] | None = None) -> None:
        """The run will have ``total`` rows (each request of each iteration): rows are then
        inserted ahead, many at a time, each shown as ``queued(row)`` (its request, method
        and name, "queued") until its request starts."""
        self._expected = total
        self._queued = queued
        self._queued_upto = 0

    def flush(self) -> None:
        """Apply every queued start and result now."""
        self._flush_timer.stop()
        while self._pending:
            self._apply(MAX_BATCH)
        self._show_queued(self.rowCount())

    def clear(self) -> None:
        """No rows (the columns stay)."""
        self._flush_timer.stop()
        self._pending.clear()
        self.setRowCount(0)
        self._rows.clear()
        self._row_of.clear()
        self._counts = Counter()
        self._expected = 0
        self._queued = None
        self._queued_upto = 0
        self.countsChanged.emit(Counter())

    def result(self, row: int) -> RequestRun | None:
        """The request shown on ``row``; ``None`` for a row whose request has not started
        (see :meth:`queued`)."""
        return self._rows[row] if row < len(self._rows) else None

    def queued(self, row: int) -> RequestRun | None:
        """What a row whose request has not started shows (None without a plan)."""
        if self._queued is None or row < len(self._rows) or row >= self._expected:
            return None
        return self._queued(row)

    def counts(self) -> Counter[str]:
        """How many rows of each outcome (``running`` for those in flight)."""
        return Counter(self._counts)

    @property
    def failed(self) -> int:
        return self._counts[FAILED]

    # -- batches ---------------------------------------------------------------------------------
    def _queue(self, run: RequestRun) -> None:
        self._pending.append(run)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _on_flush_timer_timeout(self) -> None:
        self._apply(MAX_BATCH)
        self._show_queued(QUEUED_PER_FRAME)
        if self._pending or self._unshown_queued():  # the rest next frame: the GUI paints
            self._flush_timer.start()

    def _unshown_queued(self) -> bool:
        return (
            self._queued is not None and max(self._queued_upto, len(self._rows)) < self.rowCount()
        )

    def _show_queued(self, limit: int) -> None:
        """Show up to ``limit`` more rows ahead as their planned request, "queued" (their
        signals held, then one ``dataChanged``)."""
        if self._queued is None:
            return
        first = max(self._queued_upto, len(self._rows))
        last = min(self.rowCount(), first + limit)
        if first >= last:
            return
        blocked = self.blockSignals(True)
        try:
            for row in range(first, last):
                for column, roles in _cells(self._queued(row)):
                    self.setItemData(self.index(row, column), roles)
        finally:
            self.blockSignals(blocked)
        self._queued_upto = last
        self.dataChanged.emit(self.index(first, 0), self.index(last - 1, len(COLUMNS) - 1), [])

    def _apply(self, limit: int) -> None:
        batch, self._pending = self._pending[:limit], self._pending[limit:]
        if not batch:
            return
        updates: dict[int, RequestRun] = {}  # row -> its newest entry in this batch
        for run in batch:
            key = (run.iteration, run.index)
            row = self._row_of.get(key)
            if row is None:
                row = self._row_of[key] = len(self._rows)
                self._rows.append(run)
            else:
                self._counts[self._rows[row].outcome] -= 1
                self._rows[row] = run
            self._counts[run.outcome] += 1
            updates[row] = run
        if len(self._rows) > self.rowCount():
            self._grow(len(self._rows))
        # The cells of many rows set without one dataChanged each; one for the batch follows.
        blocked = self.blockSignals(True)
        try:
            for row, run in updates.items():
                for column, roles in _cells(run):
                    self.setItemData(self.index(row, column), roles)
        finally:
            self.blockSignals(blocked)
        low, high = min(updates), max(updates)
        self.dataChanged.emit(self.index(low, 0), self.index(high, len(COLUMNS) - 1), [])
        self.countsChanged.emit(Counter(self._counts))

    def _grow(self, needed: int) -> None:
        """Room for ``needed`` rows. A row insert makes the view lay out and repaint all it
        shows (every frame, while a run appends rows); with the run's size known the rows are
        inserted :data:`ROWS_AHEAD` at a time, the rows still to come shown queued (with
        :meth:`expect`'s ``queued``) until they start."""
        have = self.rowCount()
        target = needed
        if self._expected > needed:
            target = min(self._expected, max(needed, have + ROWS_AHEAD))
        self.insertRows(have, target - have)


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TIP = int(Qt.ItemDataRole.ToolTipRole)
_STATE = int(STATE_ROLE)
_PROBLEM = int(PROBLEM_ROLE)


def _cells(r: RequestRun) -> list[tuple[int, dict[int, object]]]:
    """The cells of ``r``'s row, as (column, {role: value}).

    Each cell is set with one ``setItemData``: the model creates the item itself, in C++, or
    changes the one already there (a running row's cells are completed in place). Items made
    in Python would each keep a Python wrapper alive as long as the model (80,000 wrappers for
    10,000 rows: a full garbage collection took 190 ms), and replacing an item that is in the
    model makes Qt search the model for it (a cost that grows with the rows). Every Qt call
    here is also a chance for a worker thread to take the GIL from the GUI thread for a switch
    interval: one call per cell. The view never edits (its edit triggers are off)."""
    kind = r.outcome
    first = {_DISPLAY: _cell(r, 0, kind), _STATE: kind, _ALIGN: _RIGHT}
    result = {_DISPLAY: _cell(r, 7, kind), _FOREGROUND: _BRUSHES[kind]}
    if kind in (RUNNING, NOT_RUN, QUEUED):  # nothing to show but what and where: four calls
        name: tuple[int, dict[int, object]] = (1, {_DISPLAY: _cell(r, 1, kind)})
        return [(0, first), name, (2, {_DISPLAY: r.method}), (7, result)]
    if kind == FAILED or (kind == NO_CHECKS and r.http_error):
        first[_PROBLEM] = "1"
    else:
        first[_PROBLEM] = ""  # a row set again (running, then done) keeps no stale mark
    status_brush = _AMBER_BRUSH if kind == NO_CHECKS and r.http_error else _BRUSHES[kind]
    return [
        (0, first),
        (1, {_DISPLAY: _cell(r, 1, kind), _TIP: _tooltip(r, kind)}),
        (2, {_DISPLAY: r.method}),
        (3, {_DISPLAY: _cell(r, 3, kind), _ALIGN: _RIGHT, _FOREGROUND: status_brush}),
        (4, {_DISPLAY: _cell(r, 4, kind), _ALIGN: _RIGHT}),
        (5, {_DISPLAY: _cell(r, 5, kind), _ALIGN: _RIGHT, _TIP: f"{r.size:,} bytes"}),
        (6, {_DISPLAY: _cell(r, 6, kind), _ALIGN: _RIGHT}),
        (7, result),
    ]


def _tooltip(r: RequestRun, kind: str) -> str:
    tip = "\n".join([f"{r.method} {r.url}", *r.failures()])
    if kind == NO_CHECKS:
        tip += "\nNo checks: this response was not checked."
    return tip


def _cell(r: RequestRun, column: int, kind: str) -> str:
    if column == 0:
        return f"{r.iteration}.{r.index + 1}"
    if column == 1:
        return " / ".join((*r.folder, r.name))
    if column == 2:
        return r.method
    if column == 3:
        return str(r.status) if r.status is not None else "—"
    if column == 4:  # a cancelled or failed send took time too
        return f"{r.elapsed_ms:.0f}" if kind not in (RUNNING, NOT_RUN, QUEUED) else ""
    if column == 5:
        return format_bytes(r.size) if r.status is not None else ""
    if column == 6:
        return f"{sum(c.passed for c in r.checks)}/{len(r.checks)}" if r.checks else ""
    if kind in _RESULT_TEXT:
        return _RESULT_TEXT[kind]
    failures = r.failures()
    text = "✓ passed" if not failures else f"✗ {failures[0]}"
    return f"{text} · {r.note}" if r.note else text


class ProblemsOnly(QSortFilterProxyModel):
    """Shows every row, or once :meth:`set_enabled` is on only the problems: failed requests
    and responses with an HTTP error status that no check looked at (:data:`PROBLEM_ROLE`)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterKeyColumn(0)
        self.setFilterRole(PROBLEM_ROLE)

    def set_enabled(self, enabled: bool) -> None:
        self.setFilterFixedString("1" if enabled else "")
