"""The Stream view's table model: Qt paints each cell with one multiData call, whose values
are those of data() role by role."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QModelRoleData, Qt
from PySide6.QtWidgets import QTableView

from guiapp.core.stream_log import StreamLog
from guiapp.core.streams import StreamEvent
from guiapp.ui.response_stream_model import COLUMNS, StreamTableModel

ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.DecorationRole,
)


class CountingModel(StreamTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.calls = {"data": 0, "multiData": 0}

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        self.calls["data"] += 1
        return super().data(index, role)

    def multiData(self, index: Any, roleDataSpan: Any) -> None:
        self.calls["multiData"] += 1
        super().multiData(index, roleDataSpan)


def _log() -> StreamLog:
    log = StreamLog()
    log.append(
        [
            StreamEvent(index=i, at=i / 8, kind="sse", event="tick", data=f"n={i}", id=str(i))
            for i in range(40)
        ]
        + [StreamEvent(40, 5.0, "ndjson", "error", "{oops", size=5, line=41, error="bad JSON")]
    )
    return log


def test_each_role_of_multidata_is_what_data_gives() -> None:
    log = _log()
    model = StreamTableModel()
    model.set_log(log)
    model.sync()
    for row in (0, 7, 40):
        for column in range(len(COLUMNS)):
            index = model.index(row, column)
            for role in ROLES:
                slot = QModelRoleData(role)
                slot.setData("stale")  # a slot the model has no value for is cleared
                model.multiData(index, slot)
                assert slot.data() == model.data(index, role), (row, column, role)
    error = model.index(40, 1)
    assert model.data(error, Qt.ItemDataRole.DisplayRole) == "⚠ error"
    assert model.data(error, Qt.ItemDataRole.ToolTipRole) == "bad JSON"
    assert model.data(error, Qt.ItemDataRole.ForegroundRole) is not None
    empty = QModelRoleData(Qt.ItemDataRole.DisplayRole)
    model.multiData(QModelIndex(), empty)
    assert empty.data() is None
    log.close()


def test_the_table_paints_with_one_call_per_cell(qtbot: Any) -> None:
    log = _log()
    model = CountingModel()
    model.set_log(log)
    model.sync()
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.resize(600, 300)
    table.show()
    qtbot.waitExposed(table)
    model.calls.update(data=0, multiData=0)
    table.grab()
    assert model.calls["multiData"] > 0
    assert model.calls["data"] == 0  # every role came through multiData
    log.close()
