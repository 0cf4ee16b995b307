"""Drag and drop in the collections tree, driven through the view itself.

Each move builds the drag's QMimeData from the view's model for the selected rows (what
QAbstractItemView::startDrag does) and sends QDragEnterEvent, QDragMoveEvent and QDropEvent to
the tree's viewport at the target item's visual rect, as Qt delivers them during a drag. Then:
the file moved on disk, the tree shows it, undo puts it back; and drops on invalid targets are
refused (the "no" cursor: the move event is not accepted) and change nothing.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QMimeData, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QTreeView

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.ui.workspace import WorkspaceController
from guiapp.ui.workspace.tree_model import MIME_TYPE
from tests.ui import test_workspace_tree
from tests.ui.conftest import run_for, wait_until
from tests.ui.test_workspace_tree import make_collection, open_collection, tree_names

workspace = test_workspace_tree.workspace  # the fixture

_MOVE = Qt.DropAction.MoveAction
_LEFT = Qt.MouseButton.LeftButton
_NO_MODIFIERS = Qt.KeyboardModifier.NoModifier


def _settle(loop: asyncio.AbstractEventLoop, workspace: WorkspaceController) -> None:
    """Wait until every task the drops may have started has ended, then until the collection's
    lane has run everything queued before now (it is FIFO): what a wrong move would need to
    touch the disk. Bounded: 15 s."""

    async def settle() -> None:
        deadline = time.monotonic() + 15
        me = asyncio.current_task()
        while others := {t for t in asyncio.all_tasks() if t is not me and not t.done()}:
            assert time.monotonic() < deadline, f"tasks still running: {others}"
            await asyncio.wait(others, timeout=1)
        await workspace.service.lane.submit(lambda: None)

    loop.run_until_complete(settle())


def _select(tree: QTreeView, ids: list[str]) -> None:
    model = tree.model()
    selection = tree.selectionModel()
    selection.clearSelection()
    for item_id in ids:
        index = model.find(item_id)  # type: ignore[attr-defined]
        assert index.isValid(), item_id
        tree.scrollTo(index)
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        selection.select(index, flags)


def _drop_point(tree: QTreeView, target: str | None) -> QPoint:
    """The middle of ``target``'s row, or (None) empty space below the last row."""
    if target is None:
        viewport = tree.viewport()
        point = QPoint(viewport.width() // 2, viewport.height() - 4)
        assert not tree.indexAt(point).isValid()
        return point
    index = tree.model().find(target)  # type: ignore[attr-defined]
    tree.scrollTo(index)
    rect = tree.visualRect(index)
    assert rect.isValid()
    return rect.center()


def drag_and_drop(
    tree: QTreeView, ids: list[str], target: str | None, mime: QMimeData | None = None
) -> tuple[bool, bool]:
    """Drag the rows ``ids`` onto ``target`` (a folder or request id; None: empty space).

    Returns whether the view accepted the last drag move (the cursor a user sees) and the drop.
    """
    _select(tree, ids)
    if mime is None:
        mime = tree.model().mimeData(tree.selectionModel().selectedRows())
    point = _drop_point(tree, target)
    viewport = tree.viewport()
    enter = _drag_event(QDragEnterEvent, point, mime)
    QApplication.sendEvent(viewport, enter)
    move = _drag_event(QDragMoveEvent, point, mime)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(point.toPointF(), _MOVE, mime, _LEFT, _NO_MODIFIERS)
    QApplication.sendEvent(viewport, drop)
    return move.isAccepted(), drop.isAccepted()


def _drag_event(
    cls: type[QDragEnterEvent] | type[QDragMoveEvent], point: QPoint, mime: QMimeData
) -> QDragMoveEvent:
    # PySide6 6.12 takes the position as a QPointF (its QPoint constructor is deprecated, a
    # DeprecationWarning); 6.11 (the pin on Python 3.11) has only the QPoint one.
    try:
        return cls(point.toPointF(), _MOVE, mime, _LEFT, _NO_MODIFIERS)  # type: ignore[arg-type]
    except TypeError:
        return cls(point, _MOVE, mime, _LEFT, _NO_MODIFIERS)


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*.toml")}


def _collection(root: Path) -> None:
    """Users/ (Get user, Create user, Admins/), List items and Health at the root."""
    col: Collection = make_collection(root)
    col.create_folder("users", "Admins")
    col.new_request("", "Health", RequestSpec(url="{{base}}/health"))


def _opened(workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, root: Path) -> None:
    _collection(root)
    open_collection(workspace, loop, root)
    workspace.panel.tree.expandAll()
    run_for(loop, 0.05)  # let the view lay out the expanded rows


def test_dropping_a_request_on_a_folder_moves_the_file_and_undo_moves_it_back(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = tmp_path / "api"
    _opened(workspace, ui_loop, root)
    tree, model = workspace.panel.tree, workspace.model

    accepted_move, _ = drag_and_drop(tree, ["list-items.toml"], "users")
    assert accepted_move  # the cursor says "move here"
    wait_until(ui_loop, lambda: (root / "users" / "list-items.toml").exists())
    assert not (root / "list-items.toml").exists()
    wait_until(ui_loop, lambda: model.find("users/list-items.toml").isValid())
    assert "List items" in tree_names(workspace, model.find("users"))
    assert "List items" not in tree_names(workspace)
    assert workspace.undo_stack.undoText().startswith("Move")

    workspace.undo_stack.undo()
    wait_until(ui_loop, lambda: (root / "list-items.toml").exists())
    assert not (root / "users" / "list-items.toml").exists()
    wait_until(ui_loop, lambda: "List items" in tree_names(workspace))
    assert "List items" not in tree_names(workspace, model.find("users"))


def test_dropping_between_rows_and_on_empty_space(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = tmp_path / "api"
    _opened(workspace, ui_loop, root)
    tree, model = workspace.panel.tree, workspace.model

    # Two requests at once, dropped on a request inside Admins' parent: they land in its folder.
    accepted_move, _ = drag_and_drop(
        tree, ["health.toml", "list-items.toml"], "users/get-user.toml"
    )
    assert accepted_move
    wait_until(ui_loop, lambda: {"users/health.toml", "users/list-items.toml"} <= _files(root))
    wait_until(ui_loop, lambda: model.find("users/health.toml").isValid())
    assert tree_names(workspace) == ["Users"]

    # A nested folder dropped on the empty space below the rows goes to the root.
    tree.expandAll()
    run_for(ui_loop, 0.05)
    accepted_move, _ = drag_and_drop(tree, ["users/admins"], None)
    assert accepted_move
    wait_until(ui_loop, lambda: (root / "admins" / "_folder.toml").exists())
    wait_until(ui_loop, lambda: "Admins" in tree_names(workspace))

    workspace.undo_stack.undo()  # the folder goes back
    wait_until(ui_loop, lambda: (root / "users" / "admins" / "_folder.toml").exists())
    workspace.undo_stack.undo()  # and both requests
    wait_until(ui_loop, lambda: {"health.toml", "list-items.toml"} <= _files(root))
    wait_until(ui_loop, lambda: tree_names(workspace) == ["Users", "Health", "List items"])


def test_drops_on_invalid_targets_are_refused_and_lose_nothing(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = tmp_path / "api"
    _opened(workspace, ui_loop, root)
    tree = workspace.panel.tree
    before = {p: (root / p).read_bytes() for p in _files(root)}
    shown = tree_names(workspace), tree_names(workspace, workspace.model.find("users"))

    refused = [
        (["list-items.toml"], "list-items.toml"),  # a request onto itself
        (["users/get-user.toml"], "users/create-user.toml"),  # onto its own folder's row
        (["users"], "users"),  # a folder onto itself
        (["users"], "users/admins"),  # a folder into its own child
        (["users"], "users/get-user.toml"),  # ... or onto a request inside it
        (["health.toml", "users"], "users/admins"),  # one bad item refuses the whole drop
    ]
    for ids, target in refused:
        accepted_move, accepted_drop = drag_and_drop(tree, ids, target)
        assert not accepted_move, (ids, target)
        assert not accepted_drop, (ids, target)
    # A payload that is not this tree's own (another window, or a collection shown before).
    foreign = QMimeData()
    foreign.setData(MIME_TYPE, b'["list-items.toml"]')
    assert drag_and_drop(tree, ["list-items.toml"], "users", mime=foreign) == (False, False)
    stale = workspace.model.mimeData([workspace.model.find("health.toml")])
    open_collection(workspace, ui_loop, root)  # reopened: a new listing, a new drag token
    tree.expandAll()
    run_for(ui_loop, 0.05)
    assert drag_and_drop(tree, ["health.toml"], "users", mime=stale) == (False, False)

    _settle(ui_loop, workspace)  # anything a refused drop had started has finished
    assert {p: (root / p).read_bytes() for p in _files(root)} == before
    assert (tree_names(workspace), tree_names(workspace, workspace.model.find("users"))) == shown
    assert workspace.undo_stack.count() == 0
