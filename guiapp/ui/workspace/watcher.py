"""Notice edits made by other programs (``git pull``, an editor) to the open collections.

Polls :meth:`Collection.scan_changes` on the collection's lane every :data:`POLL_MS`: a stat of
every file, no parsing (~0.1 s for 5,000 files, off the GUI thread). Polling rather than
``QFileSystemWatcher``: inotify reports an in-place rewrite of a file only to a watch on that
very file, and watching thousands of files exhausts the per-user watch limit.

Example::

    watcher = ChangeWatcher(service)
    watcher.changed.connect(lambda changes: ...)      # a Changes(added, removed, modified)
    watcher.start()
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject, QTimer, Signal

from guiapp.core.collections import Changes, Collection
from guiapp.offload.qt import async_slot
from guiapp.ui.workspace.service import CollectionService

__all__ = ["POLL_MS", "ChangeWatcher"]

_log = logging.getLogger(__name__)
POLL_MS = 2000


def _scan(col: Collection) -> tuple[Collection, Changes]:
    return col, col.scan_changes()


def _loop_running() -> bool:
    # qasync steps tasks from nested Qt event processing (e.g. while the window closes) with
    # no running loop, where the lane cannot deliver a result: skip that tick.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class ChangeWatcher(QObject):
    """Emits ``changed(Changes)`` when files of the collection shown change on disk, and
    ``otherChanged(Collection, Changes)`` for the other open collections (whose tabs may hold
    drafts too)."""

    changed = Signal(object)
    otherChanged = Signal(object, object)

    def __init__(
        self,
        service: CollectionService,
        parent: QObject | None = None,
        *,
        interval_ms: int = POLL_MS,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self._busy = False
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Poll every interval from now on."""
        self._timer.start()

    def stop(self) -> None:
        """Stop polling."""
        self._timer.stop()

    @async_slot
    async def poll(self) -> None:
        """Scan every open collection once now (skipped while a scan is running or no
        collection is open)."""
        if self._busy or self.service.collection is None or not _loop_running():
            return
        self._busy = True
        try:
            for col in list(self.service.opened.values()) or [self.service.collection]:
                await self._scan(col)
        finally:
            self._busy = False

    async def _scan(self, target: Collection) -> None:
        try:
            col, changes = await self.service.call(_scan, target)
        except Exception as exc:  # e.g. the folder was removed: say so once per poll, go on
            _log.warning("scanning the collection failed: %s", exc)
            return
        if not changes:
            return
        if col is self.service.collection:
            self.changed.emit(changes)
        elif str(col.root) in self.service.opened:
            self.otherChanged.emit(col, changes)
