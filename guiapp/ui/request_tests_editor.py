"""The request editor's Tests tab (objectName ``testsEditor``): the request's checks and
captures, edited in two tables and saved with the request.

Checks (``checksTable``): on, subject, header name or JSONPath, operator, expected value.
Captures (``capturesTable``): on, variable, from (JSONPath, header, regex, status),
expression, secret. The expected value is read as JSON when it is JSON (``200``, ``true``,
``[200, 299]``, ``"text"``), as text otherwise; ``in range`` also takes ``200..299``.

A row that cannot work as written (an unknown header name, a JSONPath with a mistake, a bad
regular expression, a variable name with a space) is outlined and explained in ``testsProblem``
(``Check 2: invalid JSONPath $.a[: ... at position 3``); it is left out of :meth:`to_tests`
until it is fixed, so a half-typed row never reaches the file.

Example::

    editor = RequestTestsEditor()
    editor.load_tests(RequestTests(checks=(Check("status", "==", 200),)))
    editor.add_check("body", "$.id", "exists")
    editor.to_tests().checks[1].label()      # '$.id exists'
    editor.edited.connect(mark_request_edited)
"""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.captures import Capture, CaptureProblem
from guiapp.core.checks import OPERATORS, SUBJECTS, Check, CheckProblem
from guiapp.core.jsonpath import JSONPathProblem, compile_query
from guiapp.core.request_tests import RequestTests
from guiapp.ui.qt_helpers import TabLeavingTable, named

__all__ = [
    "CAPTURE_FROM",
    "RequestTestsEditor",
    "label_for_tests",
    "parse_expected",
    "show_expected",
]

#: The "From" choices of a capture and the source each stores.
CAPTURE_FROM = {"JSONPath": "body", "Header": "header", "Regex": "regex", "Status": "status"}
_SOURCE_LABEL = {source: label for label, source in CAPTURE_FROM.items()}
_BAD = QColor(220, 60, 60, 60)
_RANGE = re.compile(r"^\s*(-?[\d.]+)\s*(?:\.\.|–|-|,)\s*(-?[\d.]+)\s*$")
# Column order of the two tables.
_C_ON, _C_SUBJECT, _C_WHAT, _C_OP, _C_EXPECTED = range(5)
_K_ON, _K_VARIABLE, _K_FROM, _K_EXPR, _K_SECRET = range(5)
# Rows each table shows at least, however short the editor pane.
_MIN_CHECK_ROWS, _MIN_CAPTURE_ROWS = 4, 3


def parse_expected(text: str, op: str = "==") -> Any:
    """The expected value typed in a cell: JSON when it is JSON, text otherwise (``None`` when
    empty); ``in range`` also reads ``low..high``.

    >>> parse_expected("200"), parse_expected("ok"), parse_expected("200..299", "in range")
    (200, 'ok', [200, 299])
    """
    text = text.strip()
    if not text:
        return None
    if op == "in range" and (m := _RANGE.match(text)):
        return [json.loads(m.group(1)), json.loads(m.group(2))]
    try:
        return json.loads(text)
    except ValueError:
        return text


def label_for_tests(checks: int, captures: int) -> str:
    """The request editor's Tests tab title for ``checks`` checks and ``captures`` captures.

    >>> label_for_tests(2, 1), label_for_tests(1, 0), label_for_tests(0, 3), label_for_tests(0, 0)
    ('Tests (2 checks, 1 capture)', 'Tests (1 check)', 'Tests (3 captures)', 'Tests')
    """
    parts = [
        f"{n} {word}{'' if n == 1 else 's'}"
        for n, word in ((checks, "check"), (captures, "capture"))
        if n
    ]
    return f"Tests ({', '.join(parts)})" if parts else "Tests"


def show_expected(value: Any) -> str:
    """The cell text of an expected value (:func:`parse_expected` reads it back).

    >>> show_expected("ok"), show_expected("200"), show_expected([200, 299])
    ('ok', '"200"', '[200, 299]')
    """
    if value is None:
        return ""
    if isinstance(value, str) and parse_expected(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)


class RequestTestsEditor(QWidget):
    """Two tables, checks and captures, round-tripping a :class:`RequestTests`."""

    #: A check or capture was added, removed or changed by the user.
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testsEditor")
        self.checks = _table(
            "checksTable", ["On", "Subject", "Header / JSONPath", "Operator", "Expected"]
        )
        self.captures = _table("capturesTable", ["On", "Variable", "From", "Expression", "Secret"])
        self.problem = named(QLabel(wordWrap=True), "testsProblem")
        self.problem.setStyleSheet("color: #d03838")
        self.problem.hide()
        # Each table keeps room for a few rows; when the editor pane is shorter than that, the
        # two tables scroll together instead of being squeezed to one row each (and their
        # height does not become the editor's minimum, which would push the response away).
        _show_rows(self.checks, _MIN_CHECK_ROWS)
        _show_rows(self.captures, _MIN_CAPTURE_ROWS)
        tables = QWidget()
        inner = QVBoxLayout(tables)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(self._header("Checks", "Add check", self.add_check, self.checks))
        inner.addWidget(self.checks, 3)
        inner.addLayout(self._header("Captures", "Add capture", self.add_capture, self.captures))
        inner.addWidget(self.captures, 2)
        scroll = named(QScrollArea(), "testsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(tables)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problem)  # outside the scroll area: always in sight
        for table in (self.checks, self.captures):
            table.itemChanged.connect(self._on_changed)
        self._problems: list[str] = []

    def _header(self, title: str, add: str, slot: Any, table: QTableWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(f"<b>{title}</b>"))
        row.addStretch(1)
        add_button = named(QPushButton(add), f"{table.objectName()}Add")
        add_button.clicked.connect(lambda: slot())
        remove = named(QPushButton("Remove"), f"{table.objectName()}Remove")
        remove.clicked.connect(lambda: self._remove_selected(table))
        row.addWidget(add_button)
        row.addWidget(remove)
        return row

    # -- the model -------------------------------------------------------------------------------
    def load_tests(self, tests: RequestTests | None) -> None:
        """Show ``tests`` (``None``: none); emits nothing."""
        with QSignalBlocker(self):
            for table in (self.checks, self.captures):
                table.setRowCount(0)
            for check in tests.checks if tests else ():
                what = check.name if check.subject == "header" else check.path
                self.add_check(
                    check.subject, what, check.op, show_expected(check.value), check.enabled
                )
            for cap in tests.captures if tests else ():
                self.add_capture(cap.variable, cap.source, cap.path, cap.secret, cap.enabled)
        self._validate()

    def to_tests(self) -> RequestTests:
        """The checks and captures as edited, without the rows that cannot work yet."""
        checks = [c for c in (self._check(r)[0] for r in range(self.checks.rowCount())) if c]
        captures = [c for c in (self._capture(r)[0] for r in range(self.captures.rowCount())) if c]
        return RequestTests(tuple(checks), tuple(captures))

    def problems(self) -> list[str]:
        """What is wrong with the rows left out of :meth:`to_tests` (``Check 2: ...``)."""
        return list(self._problems)

    def count(self) -> int:
        """How many checks and captures are listed (switched off or not yet valid included)."""
        return self.checks.rowCount() + self.captures.rowCount()

    def tab_title(self) -> str:
        """The Tests tab's title: the checks and captures that will run (:func:`label_for_tests`).

        Rows switched off, or not valid yet, are not counted: they do not run, and the response's
        ``Tests 2/2`` counts the checks that ran.
        """
        tests = self.to_tests()
        return label_for_tests(
            sum(c.enabled for c in tests.checks), sum(c.enabled for c in tests.captures)
        )

    # -- rows ------------------------------------------------------------------------------------
    def add_check(
        self,
        subject: str = "status",
        what: str = "",
        op: str = "==",
        expected: str = "200",
        enabled: bool = True,
    ) -> int:
        """Append a check row (``expected`` as typed in the cell); returns its row."""
        table = self.checks
        row = table.rowCount()
        with QSignalBlocker(table):
            table.insertRow(row)
            table.setItem(row, _C_ON, _tick(enabled))
            table.setCellWidget(row, _C_SUBJECT, self._combo(SUBJECTS, subject))
            table.setItem(row, _C_WHAT, QTableWidgetItem(what))
            table.setCellWidget(row, _C_OP, self._combo(OPERATORS, op))
            table.setItem(row, _C_EXPECTED, QTableWidgetItem(expected))
        self._on_changed()
        return row

    def add_capture(
        self,
        variable: str = "",
        source: str = "body",
        expression: str = "",
        secret: bool = False,
        enabled: bool = True,
    ) -> int:
        """Append a capture row (``source`` is ``body``, ``header``, ``regex`` or ``status``)."""
        table = self.captures
        row = table.rowCount()
        with QSignalBlocker(table):
            table.insertRow(row)
            table.setItem(row, _K_ON, _tick(enabled))
            table.setItem(row, _K_VARIABLE, QTableWidgetItem(variable))
            label = _SOURCE_LABEL.get(source, source)
            table.setCellWidget(row, _K_FROM, self._combo(tuple(CAPTURE_FROM), label))
            table.setItem(row, _K_EXPR, QTableWidgetItem(expression))
            table.setItem(row, _K_SECRET, _tick(secret))
        self._on_changed()
        return row

    def _combo(self, choices: tuple[str, ...], current: str) -> QComboBox:
        combo = QComboBox()
        combo.addItems(list(choices))
        if current not in choices:  # kept visible, reported by validation
            combo.addItem(current)
        combo.setCurrentText(current)
        combo.currentTextChanged.connect(lambda _text: self._on_changed())
        return combo

    def _remove_selected(self, table: QTableWidget) -> None:
        rows = sorted({i.row() for i in table.selectedIndexes()} | {table.currentRow()})
        rows = [r for r in rows if 0 <= r < table.rowCount()]
        if not rows and table.rowCount():
            rows = [table.rowCount() - 1]
        for row in reversed(rows):
            table.removeRow(row)
        self._on_changed()

    def _check(self, row: int) -> tuple[Check | None, str]:
        t = self.checks
        subject, op = _combo_text(t, row, _C_SUBJECT), _combo_text(t, row, _C_OP)
        what, expected = _text(t, row, _C_WHAT), _text(t, row, _C_EXPECTED)
        try:
            check = Check(
                subject=subject,
                op=op,
                value=parse_expected(expected, op),
                name=what if subject == "header" else "",
                path=what if subject == "body" else "",
                enabled=_ticked(t, row, _C_ON),
            )
            if check.path:
                compile_query(check.path)
        except (CheckProblem, JSONPathProblem) as exc:
            return None, str(exc)
        return check, ""

    def _capture(self, row: int) -> tuple[Capture | None, str]:
        t = self.captures
        source = CAPTURE_FROM.get(_combo_text(t, row, _K_FROM), "")
        try:
            cap = Capture(
                variable=_text(t, row, _K_VARIABLE),
                source=source,
                path=_text(t, row, _K_EXPR) if source != "status" else "",
                secret=_ticked(t, row, _K_SECRET),
                enabled=_ticked(t, row, _K_ON),
            )
            if source == "body":
                compile_query(cap.path)
        except (CaptureProblem, JSONPathProblem) as exc:
            return None, str(exc)
        return cap, ""

    # -- validation ------------------------------------------------------------------------------
    def _on_changed(self, _item: object = None) -> None:
        self._validate()
        self.edited.emit()

    def _validate(self) -> None:
        problems: list[str] = []
        for label, table, parse in (
            ("Check", self.checks, self._check),
            ("Capture", self.captures, self._capture),
        ):
            for row in range(table.rowCount()):
                message = parse(row)[1]
                _mark(table, row, message)
                if message:
                    problems.append(f"{label} {row + 1}: {message} (not saved until fixed)")
        self._problems = problems
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))


def _table(name: str, labels: list[str]) -> QTableWidget:
    table = named(TabLeavingTable(0, len(labels)), name)
    table.setHorizontalHeaderLabels(labels)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    table.setColumnWidth(0, 36)
    table.setColumnWidth(1, 110)
    table.setColumnWidth(2, 200)
    table.setColumnWidth(3, 110)
    return table


def _show_rows(table: QTableWidget, rows: int) -> None:
    """Give ``table`` the minimum height of its header, ``rows`` rows and a scroll bar."""
    table.setMinimumHeight(
        table.horizontalHeader().sizeHint().height()
        + rows * table.verticalHeader().defaultSectionSize()
        + table.horizontalScrollBar().sizeHint().height()
        + 2 * table.frameWidth()
    )


def _tick(on: bool) -> QTableWidgetItem:
    item = QTableWidgetItem()
    item.setFlags(
        Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
    )
    item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
    return item


def _ticked(table: QTableWidget, row: int, column: int) -> bool:
    item = table.item(row, column)
    return item is None or item.checkState() == Qt.CheckState.Checked


def _text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


def _combo_text(table: QTableWidget, row: int, column: int) -> str:
    widget = table.cellWidget(row, column)
    return widget.currentText() if isinstance(widget, QComboBox) else ""


def _mark(table: QTableWidget, row: int, message: str) -> None:
    with QSignalBlocker(table):
        for column in range(table.columnCount()):
            item = table.item(row, column)
            if item is not None:
                item.setBackground(QBrush(_BAD) if message else QBrush())
                item.setToolTip(message)
