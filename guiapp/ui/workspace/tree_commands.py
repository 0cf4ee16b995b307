"""Undoable collection operations for a ``QUndoStack``: create, rename, duplicate, move, delete.

``QUndoCommand.redo``/``undo`` are synchronous, the disk work is not: each command hands a
function to an :class:`OpRunner`, which queues it on the collection's SerialLane at once. The
lane runs calls in order, so an undo always runs after the operation it undoes, and state a
command needs later (the trash entry of a deletion, the new id after a rename) is written and
read on that one thread.

Every function returns the id changes it made, ``[(old id, new id or None)]``, so open tabs
follow their file (a tab whose file was deleted stops autosaving until the file is restored).

Example::

    stack.push(DeleteCommand(runner, ["users/get-user.toml"], "Delete “Get user”"))
    stack.undo()                      # restored from the collection's trash
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from guiapp.core.collections import Collection, TrashEntry
from guiapp.core.request import RequestSpec

__all__ = [
    "CreateCommand",
    "DeleteCommand",
    "IdChanges",
    "MoveCommand",
    "OpRunner",
    "RenameCommand",
    "Selector",
    "duplicate_command",
    "new_folder_command",
    "new_request_command",
]

IdChanges = list[tuple[str, str | None]]
LaneOp = Callable[[Collection], IdChanges]
Selector = Callable[[IdChanges], str | None]


class OpRunner(Protocol):
    """Runs ``op`` on the lane now (in submission order), then refreshes the tree, applies
    the id changes to open tabs, and selects ``select(changes)`` (renaming it if ``edit``)."""

    def run_op(self, op: LaneOp, select: Selector | None = None, *, edit: bool = False) -> None:
        """Queue ``op``."""


def _parent(item_id: str) -> str:
    return item_id.rpartition("/")[0]


def _last_new(changes: IdChanges) -> str | None:
    news = [new for _, new in changes if new]
    return news[-1] if news else None


class DeleteCommand(QUndoCommand):
    """Move items to the collection's trash; undo restores them."""

    def __init__(self, runner: OpRunner, ids: list[str], text: str) -> None:
        super().__init__(text)
        self._runner = runner
        self._state: dict[str, Any] = {"ids": list(ids), "entries": []}

    def redo(self) -> None:
        state = self._state

        def op(col: Collection) -> IdChanges:
            entries: list[TrashEntry] = [col.delete(i) for i in state["ids"]]
            state["entries"] = entries
            return [(e.original, None) for e in entries]

        self._runner.run_op(op)

    def undo(self) -> None:
        state = self._state

        def op(col: Collection) -> IdChanges:
            restored = [(e.original, col.restore(e)) for e in reversed(state["entries"])]
            state["ids"] = [new for _, new in reversed(restored)]
            return list(restored)

        self._runner.run_op(op, _last_new)


class CreateCommand(QUndoCommand):
    """Create something (a request, a folder, a duplicate); undo deletes it, redo restores it."""

    def __init__(
        self,
        runner: OpRunner,
        create: Callable[[Collection], list[str]],
        text: str,
        *,
        edit: bool = False,
    ) -> None:
        super().__init__(text)
        self._runner = runner
        self._create = create
        self._state: dict[str, Any] = {"ids": [], "entries": None}
        self._edit = edit  # start renaming the new item once it is listed (first redo only)

    def redo(self) -> None:
        state = self._state
        create = self._create

        def op(col: Collection) -> IdChanges:
            entries = state["entries"]
            state["entries"] = None
            if entries is None:
                state["ids"] = create(col)
                return [("", i) for i in state["ids"]]  # new: no tab can be bound to it yet
            state["ids"] = [col.restore(e) for e in reversed(entries)][::-1]
            return [(e.original, i) for e, i in zip(entries, state["ids"], strict=True)]

        self._runner.run_op(op, _last_new, edit=self._edit)
        self._edit = False

    def undo(self) -> None:
        state = self._state

        def op(col: Collection) -> IdChanges:
            state["entries"] = [col.delete(i) for i in state["ids"]]
            return [(i, None) for i in state["ids"]]

        self._runner.run_op(op)


def new_request_command(
    runner: OpRunner, folder: str, name: str, spec: RequestSpec, *, edit: bool = False
) -> CreateCommand:
    """A command creating the request ``name`` in ``folder``."""
    return CreateCommand(
        runner, lambda col: [col.new_request(folder, name, spec)], f"New “{name}”", edit=edit
    )


def new_folder_command(
    runner: OpRunner, parent: str, name: str, *, edit: bool = False
) -> CreateCommand:
    """A command creating the folder ``name`` in ``parent``."""
    return CreateCommand(
        runner, lambda col: [col.create_folder(parent, name)], f"New “{name}”", edit=edit
    )


def duplicate_command(runner: OpRunner, ids: list[str]) -> CreateCommand:
    """A command duplicating ``ids`` (each copy is named "<name> copy")."""
    return CreateCommand(
        runner, lambda col: [col.duplicate(i) for i in ids], f"Duplicate {len(ids)} item(s)"
    )


class RenameCommand(QUndoCommand):
    """Rename an item (display name and file name); undo renames it back."""

    def __init__(self, runner: OpRunner, item_id: str, new_name: str, old_name: str) -> None:
        super().__init__(f"Rename “{old_name}” to “{new_name}”")
        self._runner = runner
        self._state: dict[str, Any] = {"id": item_id}
        self._names = (new_name, old_name)

    def _rename(self, name: str) -> None:
        state = self._state

        def op(col: Collection) -> IdChanges:
            old = state["id"]
            state["id"] = col.rename(old, name)
            return [(old, state["id"])]

        self._runner.run_op(op, _last_new)

    def redo(self) -> None:
        self._rename(self._names[0])

    def undo(self) -> None:
        self._rename(self._names[1])


class MoveCommand(QUndoCommand):
    """Move items into a folder; undo moves each back where it was."""

    def __init__(self, runner: OpRunner, ids: list[str], folder: str) -> None:
        super().__init__(f"Move {len(ids)} item(s) to “{folder or 'the collection root'}”")
        self._runner = runner
        self._state: dict[str, Any] = {"moves": [(i, _parent(i)) for i in ids], "folder": folder}

    def redo(self) -> None:
        state = self._state

        def op(col: Collection) -> IdChanges:
            changes: IdChanges = []
            moves = []
            for item_id, origin in state["moves"]:
                new = col.move(item_id, state["folder"])
                changes.append((item_id, new))
                moves.append((new, origin))
            state["moves"] = moves
            return changes

        self._runner.run_op(op, _last_new)

    def undo(self) -> None:
        state = self._state

        def op(col: Collection) -> IdChanges:
            changes: IdChanges = []
            moves = []
            for item_id, origin in state["moves"]:
                back = col.move(item_id, origin)
                changes.append((item_id, back))
                moves.append((back, origin))
            state["moves"] = moves
            return changes

        self._runner.run_op(op, _last_new)
