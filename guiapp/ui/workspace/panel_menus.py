"""The Collections panel's menus and tree shortcuts (built here, wired to the panel's signals).

Example::

    menu = tree_context_menu(panel, panel.tree.currentIndex(), duplicate=dup, delete=rm)
    menu.popup(QCursor.pos())
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

if TYPE_CHECKING:
    from guiapp.ui.workspace.panel import CollectionsPanel

__all__ = ["add_scoped_shortcuts", "collection_actions_menu", "tree_context_menu"]


def collection_actions_menu(panel: CollectionsPanel, parent: QWidget) -> tuple[QMenu, QAction]:
    """The "⋯" menu (collection-level actions, then Undo/Redo of the panel's undo stack) and
    its Collection Variables action (objectName ``collectionVariablesAction``)."""
    menu = QMenu(parent)
    menu.addAction("Open Collection…", panel.openCollectionRequested.emit)
    menu.addAction("New Collection…", panel.newCollectionRequested.emit)
    menu.addAction("Import Postman / OpenAPI…", panel.importRequested.emit)
    menu.addAction("Open Demo API", panel.openDemoRequested.emit)
    close = menu.addAction("Close Collection", panel.closeCollectionRequested.emit)
    close.setObjectName("closeCollectionAction")
    menu.addSeparator()
    variables_action = menu.addAction(
        "Collection Variables…", panel.collectionVariablesRequested.emit
    )
    variables_action.setObjectName("collectionVariablesAction")
    menu.addAction("Collection Auth…", lambda: panel.authRequested.emit(""))
    menu.addSeparator()
    menu.addAction(panel.undo_stack.createUndoAction(menu, "Undo"))
    menu.addAction(panel.undo_stack.createRedoAction(menu, "Redo"))
    return menu, variables_action


def tree_context_menu(
    panel: CollectionsPanel,
    index: QModelIndex,
    *,
    duplicate: Callable[[], None],
    delete: Callable[[], None],
) -> QMenu:
    """The tree's context menu for ``index`` (invalid: the collection itself)."""
    menu = QMenu(panel)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    folder = panel.current_folder() if index.isValid() else ""
    if index.isValid() and not panel.model.is_folder(index):
        item_id = panel.model.item_id(index)
        menu.addAction("Open", lambda: panel.openRequested.emit(item_id, False))
        menu.addAction("Open in New Tab", lambda: panel.openRequested.emit(item_id, True))
        menu.addSeparator()
    menu.addAction("New Request", lambda: panel.newRequestRequested.emit(folder))
    menu.addAction("New Folder", lambda: panel.newFolderRequested.emit(folder))
    if index.isValid():
        menu.addSeparator()
        menu.addAction("Rename", lambda: panel.tree.edit(index))
        menu.addAction("Duplicate", duplicate)
        menu.addAction("Delete", delete)
    menu.addSeparator()
    if not index.isValid() or panel.model.is_folder(index):
        menu.addAction("Auth…", lambda: panel.authRequested.emit(folder))
    menu.addAction("Collection Variables…", panel.collectionVariablesRequested.emit)
    # The window's Run actions (guiapp.ui.runner) run the sidebar's current folder.
    runs = ("action-run-folder", "action-run-collection") if folder else ("action-run-collection",)
    found = [a for a in (panel.window().findChild(QAction, name) for name in runs) if a]
    if found:
        menu.addSeparator()
        menu.addActions(found)
    return menu


def add_scoped_shortcuts(
    widget: QWidget, bindings: Sequence[tuple[list[QKeySequence], Callable[[], object]]]
) -> None:
    """Add each (keys, slot) to ``widget``, active only while it (or a child) has focus, so
    that the keys keep their usual meaning while the user types in an editor elsewhere."""
    for keys, slot in bindings:
        action = QAction(widget)
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _=False, s=slot: s())
        widget.addAction(action)
