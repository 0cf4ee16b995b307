"""Where a request went: a numbered log of id changes (renames, moves, deletions).

Ids change when the user renames or moves items while saves are queued. Every tree operation
records its id changes *on the lane*, in lane order, and a save follows the changes made after
its tab last learned its id: a save can never recreate a file that was just renamed or deleted.
Each open collection has its own log.

Example::

    >>> tracker = IdTracker()
    >>> tracker.record([("users/get.toml", "users/fetch.toml")])
    1
    >>> tracker.follow("users/get.toml", since=0)
    'users/fetch.toml'
    >>> tracker.record([("users", None)])            # the folder went to the trash
    2
    >>> tracker.follow("users/get.toml", since=0) is None
    True
"""

from __future__ import annotations

import threading

__all__ = ["IdTracker", "follow_change"]

_MAX_CHANGES = 2000


class IdTracker:
    """A numbered log of id changes, written on the lane (read on the lane, or under a lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changes: list[tuple[int, str, str | None]] = []
        self.latest = 0

    def record(self, changes: list[tuple[str, str | None]]) -> int:
        """Log ``changes`` (old id, new id or None); returns the sequence number reached."""
        with self._lock:
            for old, new in changes:
                if old != new:
                    self.latest += 1
                    self._changes.append((self.latest, old, new))
            del self._changes[:-_MAX_CHANGES]
            return self.latest

    def follow(self, item_id: str, since: int) -> str | None:
        """Where ``item_id`` (known as of ``since``) is now; None if it was deleted."""
        current: str | None = item_id
        with self._lock:
            for seq, old, new in self._changes:
                if seq <= since or current is None:
                    continue
                current = follow_change(current, old, new)
        return current


def follow_change(item_id: str, old: str, new: str | None) -> str | None:
    """Where ``item_id`` is after ``old`` became ``new`` (None: deleted)."""
    if item_id == old:
        return new
    if item_id.startswith(old + "/"):  # inside a renamed, moved or deleted folder
        return None if new is None else new + item_id[len(old) :]
    return item_id
