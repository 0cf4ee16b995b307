"""Collection variables: the dialog that edits them, and the undoable command that saves them.

A collection's own variables (``[[variables]]`` in ``collection.toml``; secret values in the OS
keyring) apply to every request of the collection; the active environment overrides a variable
of the same name (:class:`~guiapp.core.variables.VariableScope`). The dialog is the environment
editor's table without the name field; it refuses names that cannot be used as ``{{name}}``
and keeps every row as typed until they are fixed. Saving is a step on the workspace's undo
stack, so Ctrl+Z in the tree (or ⋯ → Undo) puts the previous variables back, secrets included.

Example::

    dialog = CollectionVariablesEditor(col.load_variables(), parent=window)
    dialog.accepted.connect(lambda: stack.push(
        EditVariablesCommand(apply, old.variables, dialog.variables())))
    dialog.open()                                      # never exec() inside a coroutine
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from guiapp.core.variables import Environment, Variable
from guiapp.ui.workspace.environments import EnvironmentEditor

__all__ = ["CollectionVariablesEditor", "EditVariablesCommand"]

Variables = tuple[Variable, ...]


class CollectionVariablesEditor(EnvironmentEditor):
    """Name / value / secret table of one collection's variables; :meth:`variables` is the
    result once accepted."""

    def __init__(
        self,
        variables: Environment,
        *,
        secret_note: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(variables, secret_note=secret_note, parent=parent)
        self.setObjectName("collectionVariablesEditor")
        self.setWindowTitle(f"Collection Variables — {variables.name}")
        # The collection keeps its own name: the environment's name row does not apply.
        self.name_label.hide()
        self.name_edit.hide()
        self.hint.setText(
            f"These variables apply to every request of “{variables.name}”; use one as {{{{name}}}}"
            ". The active environment overrides a variable of the same name."
        )

    def validation_error(self) -> str | None:
        """Why the table cannot be saved yet (the bad row is selected), or None."""
        return self.variables_error()


class EditVariablesCommand(QUndoCommand):
    """Replace the collection's variables with ``new``; undo puts ``old`` back.

    ``apply`` queues the save on the collection's lane (which runs calls in order, so an undo
    always follows the save it undoes) and refreshes what depends on the variables.
    """

    def __init__(
        self,
        apply: Callable[[Variables], object],
        old: Variables,
        new: Variables,
        text: str = "Edit collection variables",
    ) -> None:
        super().__init__(text)
        self._apply = apply
        self.old = tuple(old)
        self.new = tuple(new)

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)
