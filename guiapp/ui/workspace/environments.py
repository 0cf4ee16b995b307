"""Environments: the toolbar combo that picks the active one, and the editor dialog.

The editor is a table of name, value and a "secret" checkbox. Secret values are shown masked
("Show secret values" shows them) and saved to the OS keyring by the core (never to the
collection's files); when no keyring works the dialog says so, and values are kept for this
session only.

Example::

    bar = EnvironmentBar()
    bar.set_environments(["Dev", "Prod"], active="Dev")
    bar.environmentSelected.connect(activate)          # a name, or "" for none

    dialog = EnvironmentEditor(env, secret_note=store.unavailable_reason, parent=window)
    dialog.accepted.connect(lambda: save(dialog.environment()))
    dialog.open()                                      # never exec() inside a coroutine
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.variables import Environment, Variable, variable_name_problem
from guiapp.ui.qt_helpers import named

__all__ = ["EnvironmentBar", "EnvironmentEditor"]

NAME, VALUE, SECRET = range(3)
_MASK = "••••••••"


class EnvironmentBar(QWidget):
    """ "Environment: [Dev ▾] [⋯]" for the main window's toolbar."""

    #: The user picked an environment (its name; ``""`` for none).
    environmentSelected = Signal(str)
    editRequested = Signal()
    newRequested = Signal()
    deleteRequested = Signal()
    #: Edit the open collection's own variables (which the active environment overrides).
    collectionVariablesRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentBar")
        self.combo = named(QComboBox(), "environmentCombo")
        self.combo.setMinimumContentsLength(14)
        self.combo.setToolTip("Active environment: its variables fill in {{name}} when sending")
        self.menu_button = named(QToolButton(autoRaise=True), "environmentMenuButton")
        self.menu_button.setText("⋯")
        self.menu_button.setToolTip("Edit environments")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.menu_button)
        self.edit_action = menu.addAction("Edit Environment…", self.editRequested.emit)
        menu.addAction("New Environment…", self.newRequested.emit)
        self.delete_action = menu.addAction("Delete Environment", self.deleteRequested.emit)
        menu.addSeparator()
        self.collection_variables_action = menu.addAction(
            "Collection Variables…", self.collectionVariablesRequested.emit
        )
        self.menu_button.setMenu(menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(QLabel("Environment:"))
        layout.addWidget(self.combo)
        layout.addWidget(self.menu_button)
        self.combo.currentIndexChanged.connect(self._on_combo_changed)
        self.set_environments([], "")
        self.setEnabled(False)

    def set_environments(self, names: list[str], active: str) -> None:
        """List ``names`` and select ``active`` (without emitting ``environmentSelected``)."""
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            self.combo.addItem("No environment", "")
            for name in names:
                self.combo.addItem(name, name)
            index = self.combo.findData(active)
            self.combo.setCurrentIndex(max(0, index))
        finally:
            self.combo.blockSignals(False)
        self._update_actions()

    def active(self) -> str:
        """The selected environment's name (``""``: none)."""
        return str(self.combo.currentData() or "")

    def select(self, name: str) -> None:
        """Select ``name`` as the user would (emits ``environmentSelected``)."""
        self.combo.setCurrentIndex(max(0, self.combo.findData(name)))

    def _on_combo_changed(self, _index: int) -> None:
        self._update_actions()
        self.environmentSelected.emit(self.active())

    def _update_actions(self) -> None:
        has = bool(self.active())
        self.edit_action.setEnabled(has)
        self.delete_action.setEnabled(has)


class _MaskingDelegate(QStyledItemDelegate):
    """Shows secret values as dots, and edits them in a password field, unless ``revealed``
    (the dialog's "Show secret values")."""

    revealed = False

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if _is_secret(index) and option.text and not self.revealed:
            option.text = _MASK

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit) and _is_secret(index) and not self.revealed:
            editor.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        return editor


def _is_secret(index: QModelIndex | QPersistentModelIndex) -> bool:
    model = index.model()
    flag = model.index(index.row(), SECRET, index.parent()).data(Qt.ItemDataRole.CheckStateRole)
    return bool(flag == Qt.CheckState.Checked or flag == Qt.CheckState.Checked.value)


class EnvironmentEditor(QDialog):
    """Edit one environment's name and variables; :meth:`environment` gives the result."""

    def __init__(
        self,
        env: Environment | None = None,
        *,
        secret_note: str | None = None,
        taken_names: list[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("environmentEditor")
        self.setWindowTitle("Environment")
        self.resize(620, 420)
        self._taken = {n.casefold() for n in taken_names or []}
        self._original = env.name if env is not None else ""
        self.name_edit = named(QLineEdit(env.name if env else ""), "environmentName")
        self.name_edit.setPlaceholderText("Name, e.g. Dev")
        self.table = named(QTableWidget(0, 3), "variablesTable")
        self.table.setHorizontalHeaderLabels(["Variable", "Value", "Secret"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SECRET, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(NAME, 170)
        self._masking = _MaskingDelegate(self.table)
        self.table.setItemDelegateForColumn(VALUE, self._masking)
        self.table.itemChanged.connect(self._on_item_changed)
        for var in env.variables if env else ():
            self.add_variable(var)
        add = named(QPushButton("Add"), "addVariableButton")
        remove = named(QPushButton("Remove"), "removeVariableButton")
        add.clicked.connect(lambda: self._add_blank())
        remove.clicked.connect(self._remove_selected)
        self.note = named(QLabel(secret_note or ""), "secretNote")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(secret_note))
        self.note.setStyleSheet("color: #b26a00;")
        self.error = named(QLabel(""), "environmentError")
        self.error.setStyleSheet("color: #d33f3f;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.name_label = QLabel("Name:")
        row = QHBoxLayout()
        row.addWidget(self.name_label)
        row.addWidget(self.name_edit, 1)
        table_buttons = QHBoxLayout()
        table_buttons.addWidget(add)
        table_buttons.addWidget(remove)
        table_buttons.addStretch(1)
        self.show_secrets = named(QCheckBox("Show secret values"), "showSecretsCheck")
        self.show_secrets.setToolTip("Show the values of secret variables instead of dots")
        self.show_secrets.toggled.connect(self._on_show_secrets_toggled)
        table_buttons.addWidget(self.show_secrets)
        self.hint = hint = QLabel(
            "Use a variable as {{name}} in the URL, params, headers, body or auth. "
            "Environment variables override collection variables of the same name."
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addLayout(table_buttons)
        layout.addWidget(hint)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if env is None or not env.variables:
            self._add_blank()

    def secrets_shown(self) -> bool:
        """True while the values of secret variables are shown (not dots)."""
        return self._masking.revealed

    def _on_show_secrets_toggled(self, shown: bool) -> None:
        # A value being edited keeps its field: committed, it shows as the toggle now says.
        self._masking.revealed = shown
        self.table.viewport().update()

    # -- rows ----------------------------------------------------------------------------------
    def add_variable(self, var: Variable) -> int:
        """Append a row for ``var``; returns its row."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(var.name)
        name.setFlags(name.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        name.setCheckState(Qt.CheckState.Checked if var.enabled else Qt.CheckState.Unchecked)
        name.setToolTip("Unchecked: the variable is ignored")
        secret = QTableWidgetItem("")
        secret.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        secret.setCheckState(Qt.CheckState.Checked if var.secret else Qt.CheckState.Unchecked)
        secret.setToolTip("Secret values are kept in the OS keyring, not in the collection files")
        self.table.setItem(row, NAME, name)
        self.table.setItem(row, VALUE, QTableWidgetItem(var.value))
        self.table.setItem(row, SECRET, secret)
        return row

    def _add_blank(self) -> None:
        row = self.add_variable(Variable(""))
        self.table.setCurrentCell(row, NAME)

    def _remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == SECRET:  # repaint the value masked or in clear
            value = self.table.item(item.row(), VALUE)
            if value is not None:
                self.table.update(self.table.indexFromItem(value))

    # -- result --------------------------------------------------------------------------------
    def original_name(self) -> str:
        """The name the environment had when the dialog opened (``""`` for a new one)."""
        return self._original

    def _row(self, row: int) -> Variable:
        """The variable ``row`` makes (its name stripped: it may be empty)."""
        name_item = self.table.item(row, NAME)
        value_item = self.table.item(row, VALUE)
        secret_item = self.table.item(row, SECRET)
        return Variable(
            name_item.text().strip() if name_item else "",
            value_item.text() if value_item else "",
            secret=secret_item is not None and secret_item.checkState() == Qt.CheckState.Checked,
            enabled=name_item is not None and name_item.checkState() == Qt.CheckState.Checked,
        )

    def variables(self) -> tuple[Variable, ...]:
        """The variables of the table (rows without a name are left out: :meth:`accept`
        refuses a row that has a value but no name, so nothing typed is dropped silently)."""
        rows = (self._row(r) for r in range(self.table.rowCount()))
        return tuple(v for v in rows if v.name)

    def environment(self) -> Environment:
        """The edited environment."""
        return Environment(self.name_edit.text().strip(), self.variables())

    def validation_error(self) -> str | None:
        """Why the dialog cannot be saved yet, or None."""
        name = self.name_edit.text().strip()
        if not name:
            return "Give the environment a name."
        if name.casefold() in self._taken and name.casefold() != self._original.casefold():
            return f"An environment named “{name}” exists already."
        return self.variables_error()

    def variables_error(self) -> str | None:
        """What is wrong with the table's rows (selecting the first bad row), or None."""
        seen: dict[str, int] = {}
        for row in range(self.table.rowCount()):
            var = self._row(row)
            if not var.name:
                if var.value:
                    return self._bad_row(row, f"Row {row + 1} has a value but no name.")
                continue
            problem = variable_name_problem(var.name)
            if problem:
                return self._bad_row(row, problem)
            if var.name in seen:
                dup = sorted({v.name for v in self.variables() if self._count(v.name) > 1})
                return self._bad_row(row, f"Variable names must be unique: {', '.join(dup)}")
            seen[var.name] = row
        return None

    def _count(self, name: str) -> int:
        return sum(1 for v in self.variables() if v.name == name)

    def _bad_row(self, row: int, message: str) -> str:
        self.table.setCurrentCell(row, NAME)
        return message

    def accept(self) -> None:
        problem = self.validation_error()
        if problem:
            self.error.setText(problem)  # the dialog stays open with every row as typed
            return
        self.error.clear()
        super().accept()
