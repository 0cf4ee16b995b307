"""The open collection, driven from the GUI thread and used only on one worker thread.

:class:`~guiapp.core.collections.Collection` is not thread-safe and blocks on disk I/O, so every
call goes through one :class:`~guiapp.offload.SerialLane`: calls run one at a time, in the order
they were made, which also orders an undo after the operation it undoes.

Example::

    service = CollectionService(SerialLane(name="guiapp-workspace"), SecretStore())
    col, root = await service.open("~/api/my-api")
    rid = await service.call(lambda c: c.new_request("", "List users", spec))
    root = await service.call(lambda c: c.tree())
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from guiapp.core.collections import Collection, CollectionError, FolderNode
from guiapp.core.secrets import SecretStore
from guiapp.offload import SerialLane

__all__ = ["CollectionService", "NoCollection"]

R = TypeVar("R")


class NoCollection(CollectionError):
    """An operation needs an open collection and none is open."""


def _open(
    path: str | os.PathLike[str], secrets: SecretStore, create_name: str | None
) -> tuple[Collection, FolderNode]:
    if create_name is not None:
        col = Collection.create(path, name=create_name, secrets=secrets)
    else:
        col = Collection.open(path, secrets=secrets)
    return col, col.tree()


class CollectionService:
    """Owns the current :class:`Collection`; every call on it runs on ``lane``."""

    def __init__(self, lane: SerialLane, secrets: SecretStore) -> None:
        self.lane = lane
        self.secrets = secrets
        #: The collection shown in the sidebar (its ``id``, ``name`` and ``root`` may be read
        #: anywhere; its methods are called on the lane only).
        self.collection: Collection | None = None
        #: Every open collection by its folder (several may be open; one is shown).
        self.opened: dict[str, Collection] = {}
        self._lock = threading.Lock()

    async def open(self, path: str | os.PathLike[str]) -> tuple[Collection, FolderNode]:
        """Open the collection at ``path`` and list it; it becomes the current one."""
        col, root = await self.lane.submit(self._locked, _open, path, self.secrets, None)
        return self.adopt(col), root

    async def create(
        self, path: str | os.PathLike[str], name: str
    ) -> tuple[Collection, FolderNode]:
        """Create an empty collection at ``path``; it becomes the current one."""
        col, root = await self.lane.submit(self._locked, _open, path, self.secrets, name)
        return self.adopt(col), root

    def adopt(self, col: Collection) -> Collection:
        """Add ``col`` (opened on the lane, e.g. by an importer) to the open collections and
        make it the current one. A collection already open at the same folder is kept (tabs
        are bound to it) and returned instead."""
        col = self.opened.setdefault(str(col.root), col)
        self.collection = col
        return col

    def find(self, path: str | os.PathLike[str]) -> Collection | None:
        """The open collection at ``path`` (None if it is not open)."""
        key = str(path)
        found = self.opened.get(key)
        if found is None:
            resolved = os.path.realpath(key)
            found = next(
                (c for k, c in self.opened.items() if os.path.realpath(k) == resolved), None
            )
        return found

    def close(self, col: Collection | None = None) -> None:
        """Forget ``col`` (default: the current collection); results for it that arrive later
        are stale. The current one becomes another open collection, or None."""
        col = col if col is not None else self.collection
        if col is not None:
            self.opened.pop(str(col.root), None)
        if col is self.collection:
            self.collection = next(iter(self.opened.values()), None)

    def require(self) -> Collection:
        """The current collection, or :class:`NoCollection`."""
        if self.collection is None:
            raise NoCollection("Open or create a collection first (File → Open Collection…)")
        return self.collection

    async def call(self, func: Callable[[Collection], R], col: Collection | None = None) -> R:
        """``func(col)`` on the lane; ``col`` defaults to the current collection (a caller that
        works for one collection, e.g. a tab's autosave, passes its own)."""
        target = col if col is not None else self.require()
        return await self.lane.submit(self._locked, func, target)

    async def run(self, func: Callable[..., R], *args: Any) -> R:
        """Any blocking ``func(*args)`` on the lane (e.g. an importer creating a collection)."""
        return await self.lane.submit(self._locked, func, *args)

    def call_blocking(
        self, func: Callable[[Collection], object], timeout: float, col: Collection | None = None
    ) -> bool:
        """Run ``func(col)`` on the calling thread, waiting up to ``timeout`` s for the lane's
        current call to end (exit path only: unsaved edits are written before the window
        closes, even when no event loop runs any more). False if the lane stayed busy."""
        target = col if col is not None else self.collection
        if target is None:
            return True
        if not self._lock.acquire(timeout=timeout):
            return False
        try:
            func(target)
        finally:
            self._lock.release()
        return True

    def _locked(self, func: Callable[..., R], *args: Any) -> R:
        # The lane serialises calls; the lock only matters for call_blocking on exit.
        with self._lock:
            return func(*args)
