"""The history list's data side: an async façade over the store and a lazily paged Qt model.

:class:`AsyncHistory` runs every :class:`~guiapp.core.history.HistoryStore` call on the store's
:class:`~guiapp.offload.SerialLane` (sqlite3 connections belong to one thread).
:class:`HistoryListModel` holds the loaded pages of one search; ``fetchMore`` (called by the
view when the user scrolls near the end) loads the next page in the background, so a history of
100,000 entries costs one page query to show. A generation counter drops pages of an older
search that arrive late.

Example::

    history = AsyncHistory(HistoryStore(path), SerialLane(name="history"))
    model = HistoryListModel(history, page_size=100)
    await model.reload(search="users")
    model.rowCount(), model.total      # (100, 1234): more pages load on demand
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from guiapp.core.history import HistoryEntry, HistoryStore
from guiapp.offload import OffloaderClosed
from guiapp.ui.background_tasks import BackgroundTasks

__all__ = ["ENTRY_ROLE", "AsyncHistory", "HistoryListModel", "HistoryService"]

_log = logging.getLogger(__name__)

#: ``model.data(index, ENTRY_ROLE)`` is the row's :class:`HistoryEntry`.
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class _Lane(Protocol):
    def submit(self, func: Any, /, *args: Any, **kwargs: Any) -> Any: ...


class HistoryService(Protocol):
    """What the history panel needs: async list/count/get/delete/clear."""

    async def list(
        self, limit: int = 100, offset: int = 0, search: str | None = None
    ) -> list[HistoryEntry]: ...

    async def count(self, search: str | None = None) -> int: ...

    async def get(self, entry_id: int) -> HistoryEntry: ...

    async def delete(self, entry_id: int) -> bool: ...

    async def clear(self) -> int: ...


class AsyncHistory:
    """A :class:`HistoryStore` used through ``lane``: same methods, as coroutines."""

    def __init__(self, store: HistoryStore, lane: _Lane) -> None:
        self.store = store
        self.lane = lane

    async def list(
        self, limit: int = 100, offset: int = 0, search: str | None = None
    ) -> list[HistoryEntry]:
        result: list[HistoryEntry] = await self.lane.submit(self.store.list, limit, offset, search)
        return result

    async def count(self, search: str | None = None) -> int:
        result: int = await self.lane.submit(self.store.count, search)
        return result

    async def get(self, entry_id: int) -> HistoryEntry:
        result: HistoryEntry = await self.lane.submit(self.store.get, entry_id)
        return result

    async def delete(self, entry_id: int) -> bool:
        result: bool = await self.lane.submit(self.store.delete, entry_id)
        return result

    async def clear(self) -> int:
        result: int = await self.lane.submit(self.store.clear)
        return result


class HistoryListModel(QAbstractListModel):
    """Rows are :class:`HistoryEntry` values, newest first, loaded a page at a time.

    Signals: ``loaded()`` after each page (tests and the count label listen),
    ``failed(str)`` when the store raised.
    """

    loaded = Signal()
    failed = Signal(str)

    def __init__(
        self, history: HistoryService, *, page_size: int = 100, parent: QObject | None = None
    ):
        super().__init__(parent)
        self._history = history
        self._page_size = page_size
        self._rows: list[HistoryEntry] = []
        self._search: str | None = None
        self._generation = 0
        self._loading = False
        self._tasks = BackgroundTasks(lambda exc: self.failed.emit(str(exc)), "loading history")
        self.total = 0

    @property
    def search(self) -> str | None:
        return self._search

    def entry(self, row: int) -> HistoryEntry:
        return self._rows[row]

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            status = entry.summary.status_code or "ERR"
            return f"{entry.method} {entry.url} {status}"
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [entry.url, entry.summary.error, entry.summary.stream]
            return "\n".join(line for line in lines if line)
        return None

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._loading and len(self._rows) < self.total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._loading = True
            self._spawn(self._load_page(self._generation, len(self._rows)))

    # -- loading -------------------------------------------------------------------------------
    async def reload(self, search: str | None = None) -> None:
        """Show the first page of ``search`` (``None``/empty: everything); older loads drop."""
        self._generation += 1
        generation = self._generation
        self._search = search or None
        self._loading = True
        try:
            total = await self._history.count(self._search)
            rows = await self._history.list(self._page_size, 0, self._search)
        except OffloaderClosed:
            self._loading = False
            return  # the window closed before the first page was asked for: nothing to show
        except Exception as exc:
            if generation == self._generation:
                self._loading = False
                self.failed.emit(str(exc))
            _log.warning("loading history failed: %s", exc)
            return
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = list(rows)
        self.total = max(total, len(rows))
        self._loading = False
        self.endResetModel()
        self.loaded.emit()

    async def _load_page(self, generation: int, offset: int) -> None:
        try:
            rows = await self._history.list(self._page_size, offset, self._search)
        finally:
            if generation == self._generation:
                self._loading = False
        if generation != self._generation or offset != len(self._rows):
            return
        if not rows:
            self.total = len(self._rows)  # entries were deleted meanwhile
        else:
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit()

    def remove_entry(self, entry_id: int) -> None:
        """Drop a deleted entry's row without reloading."""
        for row, entry in enumerate(self._rows):
            if entry.id == entry_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                self.total = max(0, self.total - 1)
                return

    def start_reload(self, search: str | None = None) -> None:
        """:meth:`reload` as a background task (from a slot)."""
        self._spawn(self.reload(search))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn(coro)  # no event loop (a bare model in a test): dropped
