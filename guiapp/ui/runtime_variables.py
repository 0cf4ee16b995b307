"""Runtime variables: the values captures set after editor sends, for this window session.

"Log in, then use the token": a request whose Tests tab captures ``token`` from its response
sets ``{{token}}`` for every later request of the window (the top layer of the variable scope,
over the environment and the collection variables). Runtime values live in memory only: they
are never written to a collection, the session or any settings file, and they are gone when
the window closes or the user clears them. A capture marked secret is masked wherever it is
shown (this table, the Tests tab, tooltips) and in history, like a secret environment variable.

:class:`RuntimeVariables` is the model; :class:`RuntimeVariablesView` (objectName
``runtimeVariables``) lists name, value (masked when secret) and the request that captured
it, with a Clear button (``runtimeVariablesClear``).

Example::

    runtime = RuntimeVariables()
    runtime.set_captured(outcome.captures, "POST /login")
    runtime.environment()          # Environment('runtime', [Variable('token', ...)])
    runtime.clear()
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.captures import CaptureResult
from guiapp.core.variables import Environment, Variable
from guiapp.ui.qt_helpers import named

__all__ = ["MASK", "RuntimeVariables", "RuntimeVariablesDialog", "RuntimeVariablesView"]

#: How a secret runtime value is shown.
MASK = "••••"


@dataclass(frozen=True, slots=True)
class _Entry:
    value: str
    secret: bool
    source: str


class RuntimeVariables(QObject):
    """The captured values of this session, newest capture of a name winning."""

    #: Values were set or cleared.
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: dict[str, _Entry] = {}

    def set_captured(self, captures: Iterable[CaptureResult], source: str) -> list[str]:
        """Set a variable for each capture that found a value; returns their names.

        ``source`` says which request captured them (shown in the table). A capture that
        found nothing leaves the variable as it was.
        """
        names = []
        for result in captures:
            if result.value is None:
                continue
            name = result.capture.variable
            self._entries[name] = _Entry(result.value, result.capture.secret, source)
            names.append(name)
        if names:
            self.changed.emit()
        return names

    def clear(self) -> None:
        """Forget every runtime value."""
        if self._entries:
            self._entries.clear()
            self.changed.emit()

    def environment(self) -> Environment | None:
        """The values as a scope layer (``None`` when there are none)."""
        if not self._entries:
            return None
        return Environment(
            "runtime",
            tuple(Variable(n, e.value, e.secret) for n, e in self._entries.items()),
        )

    def secret_values(self) -> set[str]:
        """The captured values marked secret (what history and the status line must mask)."""
        return {e.value for e in self._entries.values() if e.secret and e.value}

    def rows(self) -> list[tuple[str, str, str]]:
        """(name, value as shown, captured by) of each variable; secrets masked."""
        return [
            (name, MASK if e.secret else e.value, e.source) for name, e in self._entries.items()
        ]

    def __len__(self) -> int:
        return len(self._entries)


class RuntimeVariablesView(QWidget):
    """The runtime variables as a table, with Clear."""

    def __init__(self, model: RuntimeVariables, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runtimeVariables")
        self.model = model
        self.note = QLabel(
            "Values set by the captures of requests sent in this window (runtime): they win over "
            "the environment and are never saved.",
            wordWrap=True,
        )
        self.table = named(QTableWidget(0, 3), "runtimeVariablesTable")
        self.table.setHorizontalHeaderLabels(["Variable", "Value", "Captured by"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.clear_button = named(QPushButton("Clear"), "runtimeVariablesClear")
        self.clear_button.setToolTip("Forget every runtime value")
        self.clear_button.clicked.connect(model.clear)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        model.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show the model's values now."""
        rows = self.model.rows()
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.clear_button.setEnabled(bool(rows))


class RuntimeVariablesDialog(QDialog):
    """A non-modal window around :class:`RuntimeVariablesView` (View → Runtime Variables…)."""

    def __init__(self, model: RuntimeVariables, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runtimeVariablesDialog")
        self.setWindowTitle("Runtime Variables")
        self.view = RuntimeVariablesView(model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.resize(520, 300)
