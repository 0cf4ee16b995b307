"""A lazy, incrementally updated Qt model of a collection's folder tree.

Rows are materialised on demand (``canFetchMore``/``fetchMore``, :data:`BATCH` rows at a time),
so showing a collection of thousands of requests costs the GUI thread only the rows a view
actually asks for. :meth:`CollectionTreeModel.set_tree` applies a new listing as row
insertions and removals (keyed by id) instead of a reset, so expanded folders, the selection
and the scroll position survive a rename, a move or a ``git pull``.

The model never touches the disk: user intents (rename by inline edit, move by drag and drop)
are emitted as signals for the controller to carry out on its worker lane; the drag payload
is :mod:`guiapp.ui.workspace.tree_dnd`.

Example::

    model = CollectionTreeModel()
    model.renameRequested.connect(on_rename)           # (id, new name)
    model.moveRequested.connect(on_move)               # ([ids], folder id)
    model.set_tree(collection.tree())                  # called again after every change
    view.setModel(model)
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QApplication, QStyle

from guiapp.core.collections import FolderNode, RequestNode
from guiapp.ui.workspace.badges import method_icon
from guiapp.ui.workspace.tree_dnd import MIME_TYPE, can_move, decode_ids, encode_ids, moved_ids

__all__ = [
    "BATCH",
    "ID_ROLE",
    "IS_FOLDER_ROLE",
    "MIME_TYPE",
    "CollectionTreeModel",
    "method_icon",
]

#: Rows materialised per fetchMore: enough to fill a tall view, small enough to be instant.
BATCH = 200
ID_ROLE = Qt.ItemDataRole.UserRole + 1
IS_FOLDER_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex


class _Item:
    """One row. Folders keep their listing in ``source``; ``children`` is the materialised
    prefix of it (lazy loading)."""

    __slots__ = ("children", "id", "is_folder", "method", "name", "parent", "row", "source")

    def __init__(self, node: FolderNode | RequestNode, parent: _Item | None, row: int) -> None:
        self.id = node.id
        self.name = node.name
        self.parent = parent
        self.row = row
        self.is_folder = isinstance(node, FolderNode)
        self.method = "" if isinstance(node, FolderNode) else node.method
        self.source: FolderNode | None = node if isinstance(node, FolderNode) else None
        self.children: list[_Item] = []

    def listing(self) -> list[FolderNode | RequestNode]:
        if self.source is None:
            return []
        return [*self.source.folders, *self.source.requests]

    def total(self) -> int:
        return 0 if self.source is None else len(self.source.folders) + len(self.source.requests)


class CollectionTreeModel(QAbstractItemModel):
    """Folders and requests of one collection (one column: the display name)."""

    #: The user renamed an item inline: (id, new name, old name).
    renameRequested = Signal(str, str, str)
    #: The user dropped items on a folder: (ids, folder id; ``""`` is the root).
    moveRequested = Signal(list, str)
    #: A new listing was applied (:meth:`set_tree` or :meth:`clear`).
    treeChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Item(FolderNode("", ""), None, 0)
        self._dirty: set[str] = set()
        #: A sentence per request id shown in its tooltip (the Demo API's descriptions).
        self.notes: dict[str, str] = {}
        self._syncing = False
        # Drags carry this token: ids are paths in *this* collection, so a payload from
        # another window, process or a collection shown earlier must not move anything here.
        self._drag_token = uuid.uuid4().hex

    # -- structure -----------------------------------------------------------------------------
    def _item(self, index: _Index) -> _Item:
        if not index.isValid():
            return self._root
        item = index.internalPointer()
        assert isinstance(item, _Item)
        return item

    def index(self, row: int, column: int = 0, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008 - Qt's signature
        item = self._item(parent)
        if column != 0 or not 0 <= row < len(item.children):
            return QModelIndex()
        return self.createIndex(row, 0, item.children[row])

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self._item(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._item(parent).children)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 1

    def hasChildren(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        item = self._item(parent)
        return item.is_folder and item.total() > 0

    def canFetchMore(self, parent: _Index) -> bool:
        if self._syncing:
            return False  # rows are a prefix of the listing only between updates
        item = self._item(parent)
        return item.is_folder and len(item.children) < item.total()

    def fetchMore(self, parent: _Index) -> None:
        if self._syncing:
            return  # a view reacting to our signals; it asks again after the update
        self._fetch(parent)

    def _fetch(self, parent: _Index) -> None:
        item = self._item(parent)
        listing = item.listing()
        start = len(item.children)
        end = min(len(listing), start + BATCH)
        if end <= start:
            return
        self.beginInsertRows(parent, start, end - 1)
        item.children.extend(_Item(listing[i], item, i) for i in range(start, end))
        self.endInsertRows()

    # -- data ----------------------------------------------------------------------------------
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._item(index)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if role == Qt.ItemDataRole.DisplayRole and item.id in self._dirty:
                return f"• {item.name}"  # a draft, marked as its tab is
            return item.name
        if role == Qt.ItemDataRole.DecorationRole:
            if item.is_folder:
                return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon)
            return method_icon(item.method)
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.method == "!":
                return f"{item.id}: this file could not be read; open it to see why"
            tip = f"{item.method} {item.name}\n{item.id}" if item.method else item.id
            note = self.notes.get(item.id)
            return f"{tip}\n{note}" if note else tip
        if role == ID_ROLE:
            return item.id
        if role == IS_FOLDER_ROLE:
            return item.is_folder
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # the root takes drops
        flags = (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
        )
        if self._item(index).is_folder:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        item = self._item(index)
        name = str(value).strip()
        if not name or name == item.name:
            return False
        old, item.name = item.name, name  # shown at once; the next listing confirms it
        self.dataChanged.emit(index, index)
        self.renameRequested.emit(item.id, name, old)
        return True

    # -- drag and drop -------------------------------------------------------------------------
    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        return encode_ids(
            self._drag_token, sorted({self._item(i).id for i in indexes if i.isValid()})
        )

    def dragged_ids(self, data: QMimeData) -> list[str] | None:
        """The ids a drag from this model carries; None for anything else (another window's
        drag, a collection shown before, a malformed payload)."""
        return decode_ids(data, self._drag_token)

    def drop_target(self, parent: _Index) -> str:
        """The folder a drop on ``parent`` lands in (a request's own folder if dropped on one)."""
        item = self._item(parent)
        if not item.is_folder and item.parent is not None:
            item = item.parent
        return item.id

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        ids = self.dragged_ids(data)
        if ids is None or not action & Qt.DropAction.MoveAction:
            return False
        return can_move(ids, self.drop_target(parent))

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        ids = self.dragged_ids(data) or []
        target = self.drop_target(parent)
        self.moveRequested.emit(moved_ids(ids, target), target)
        # False: the rows move with the listing that follows the move on disk. True would make
        # the view's drag remove the source rows itself (QAbstractItemView::startDrag).
        return False

    # -- updates -------------------------------------------------------------------------------
    def set_tree(self, root: FolderNode) -> None:
        """Show ``root``: rows that stayed keep their indexes; only differences are applied."""
        self._syncing = True  # views may call back into the model from our signals
        try:
            self._sync(self._root, root, QModelIndex())
        finally:
            self._syncing = False
        self.treeChanged.emit()

    def listing(self) -> FolderNode:
        """The listing shown (the whole tree, fetched or not)."""
        assert self._root.source is not None
        return self._root.source

    def _sync(self, item: _Item, node: FolderNode, index: QModelIndex) -> None:
        if item.source == node:
            return
        # Everything of the old listing was shown: new items must appear too (the view asks
        # fetchMore only on expanding or scrolling, so an expanded folder would miss them).
        complete = len(item.children) >= item.total()
        item.source = node
        if item.parent is not None and item.name != node.name:
            item.name = node.name
            self.dataChanged.emit(index, index)
        listing = item.listing()
        if not item.children:
            if index.isValid():
                self.dataChanged.emit(index, index)  # the expand arrow may appear or go
            if complete and listing:
                self._fetch(index)
            return
        position = {n.id: i for i, n in enumerate(listing)}
        self._remove_missing(item, position.keys(), index)
        # Survivors keep the listing's order (both are sorted by file name): one pass inserts
        # each run of new items just before the survivor that follows it.
        row = pos = 0
        while pos < len(listing) and row < len(item.children):
            current = item.children[row]
            if current.id == listing[pos].id:
                self._update(current, listing[pos], self.index(row, 0, index))
                row, pos = row + 1, pos + 1
                continue
            end = position.get(current.id, -1)
            if end < pos:  # out of order (a listing not sorted by id): drop it, re-add later
                self._remove_rows(item, index, row, row)
                continue
            self._insert(item, index, row, listing[pos:end])
            row, pos = row + end - pos, end
        if complete and pos < len(listing):
            self._insert(item, index, row, listing[pos : pos + BATCH])
        if not item.children and listing:
            self._fetch(index)

    def _remove_missing(self, item: _Item, wanted: Collection[str], index: QModelIndex) -> None:
        row = len(item.children) - 1
        while row >= 0:
            if item.children[row].id in wanted:
                row -= 1
                continue
            last = row
            while row > 0 and item.children[row - 1].id not in wanted:
                row -= 1
            self._remove_rows(item, index, row, last)
            row -= 1

    def _remove_rows(self, item: _Item, index: QModelIndex, first: int, last: int) -> None:
        self.beginRemoveRows(index, first, last)
        del item.children[first : last + 1]
        self._renumber(item)  # before endRemoveRows: its listeners ask for parents
        self.endRemoveRows()

    def _insert(
        self, item: _Item, index: QModelIndex, row: int, nodes: list[FolderNode | RequestNode]
    ) -> None:
        if not nodes:
            return
        self.beginInsertRows(index, row, row + len(nodes) - 1)
        item.children[row:row] = [_Item(n, item, row) for n in nodes]
        self._renumber(item)
        self.endInsertRows()

    def _update(self, item: _Item, node: FolderNode | RequestNode, index: QModelIndex) -> None:
        if isinstance(node, FolderNode):
            self._sync(item, node, index)
        elif (item.name, item.method) != (node.name, node.method):
            item.name, item.method = node.name, node.method
            self.dataChanged.emit(index, index)

    @staticmethod
    def _renumber(item: _Item) -> None:
        for row, child in enumerate(item.children):
            child.row = row

    def clear(self) -> None:
        """Show nothing (no collection open)."""
        self.beginResetModel()
        self._root = _Item(FolderNode("", ""), None, 0)
        self._dirty.clear()
        self._drag_token = uuid.uuid4().hex  # drags of the previous collection land nowhere
        self.endResetModel()
        self.treeChanged.emit()

    # -- lookups -------------------------------------------------------------------------------
    def find(self, item_id: str) -> QModelIndex:
        """The index of ``item_id``, fetching rows on the way; invalid if it is not listed."""
        if not item_id:
            return QModelIndex()
        parts = item_id.split("/")
        index = QModelIndex()
        for depth in range(1, len(parts) + 1):
            wanted = "/".join(parts[:depth])
            item = self._item(index)
            rows = {c.id: c.row for c in item.children}
            while wanted not in rows and self.canFetchMore(index):
                self.fetchMore(index)
                rows = {c.id: c.row for c in item.children}
            if wanted not in rows:
                return QModelIndex()
            index = self.index(rows[wanted], 0, index)
        return index

    def item_id(self, index: _Index) -> str:
        """The id of the item at ``index`` (``""`` for the root)."""
        return self._item(index).id

    def is_folder(self, index: _Index) -> bool:
        """True for folders and the root."""
        return self._item(index).is_folder

    def set_dirty_ids(self, ids: set[str]) -> None:
        """Mark exactly ``ids`` as having drafts (every other mark goes)."""
        for item_id in self._dirty - ids:
            self.set_dirty(item_id, False)
        for item_id in ids - self._dirty:
            self.set_dirty(item_id, True)

    def set_dirty(self, item_id: str, dirty: bool) -> None:
        """Mark ``item_id`` as having a draft (a ``•`` before its name)."""
        if dirty == (item_id in self._dirty):
            return
        if dirty:
            self._dirty.add(item_id)
        else:
            self._dirty.discard(item_id)
        index = self.find(item_id)
        if index.isValid():
            self.dataChanged.emit(index, index)
