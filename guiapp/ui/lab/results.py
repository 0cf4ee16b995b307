"""The Lab's results table: one row per run, rows accumulate; export as CSV or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem, QWidget

from guiapp.lab.report import csv_text
from guiapp.lab.results import COLUMNS, CellResult

__all__ = ["COLUMN_TITLES", "ResultsTable"]

_NUMERIC = set(COLUMNS) - {
    "workload",
    "params",
    "strategy",
    "worst_freeze_cause",
    "worst_freeze_culprit",
    "detail",
    "status",
}


#: Column -> header title: short, with units, nothing Qt could read as a mnemonic ("&").
COLUMN_TITLES: dict[str, str] = {
    "workload": "workload",
    "params": "parameters",
    "strategy": "strategy",
    "tasks": "tasks",
    "completed": "done",
    "wall_s": "wall s",
    "throughput_per_s": "tasks/s",
    "lag_p50_ms": "lag p50 ms",
    "lag_p99_ms": "lag p99 ms",
    "lag_max_ms": "lag max ms",
    "stalls_over_50ms": "stalls >50 ms",
    "peak_threads": "threads",
    "added_threads": "+threads",
    "peak_rss_mb": "RSS MB",
    "rss_added_mb": "+RSS MB",
    "worst_freeze_cause": "worst freeze",
    "worst_freeze_culprit": "its code",
    "detail": "detail",
    "status": "status",
}


class ResultsTable(QTableWidget):
    """Accumulating results; ``rowActivated(dict)`` when the user selects a row."""

    rowActivated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([COLUMN_TITLES[c] for c in COLUMNS])
        # Titles left-aligned like the text columns: centred in a section sized to the
        # widest cell, a long title lost its first and last letters to the section's edges.
        self.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self._rows: list[dict[str, Any]] = []
        self.currentCellChanged.connect(self._on_current_cell_changed)

    def add_result(self, result: CellResult) -> None:
        """Append ``result`` as a row (and scroll to it)."""
        row = result.row()
        self._rows.append(row)
        index = self.rowCount()
        self.insertRow(index)
        for column, key in enumerate(COLUMNS):
            text = str(row[key])
            if key == "workload":
                text = result.workload.display_name
            item = QTableWidgetItem(text)
            item.setToolTip(str(row[key]) if key == "workload" else text)
            if key in _NUMERIC:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(index, column, item)
        self.resizeColumnsToContents()
        self.scrollToBottom()

    def rows(self) -> list[dict[str, Any]]:
        """The rows shown, as dicts keyed by :data:`~guiapp.lab.results.COLUMNS`."""
        return list(self._rows)

    def clear_results(self) -> None:
        self._rows.clear()
        self.setRowCount(0)

    def export_csv(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(csv_text(self._rows), encoding="utf-8")
        return path

    def export_png(self, path: str | Path, widget: QWidget | None = None) -> Path:
        """Save a picture of ``widget`` (default: this table) as PNG."""
        path = Path(path)
        if not (widget or self).grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        return path

    def _on_current_cell_changed(self, row: int, *_: int) -> None:
        if 0 <= row < len(self._rows):
            self.rowActivated.emit(self._rows[row])
