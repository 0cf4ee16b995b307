"""What the workspace remembers between runs: the open collections, the one shown, each one's
environment, and which tabs show which saved request — with their drafts.

Drafts live here, in the session, never in the collection files until the user saves them.

A small JSON file in the data directory, written atomically. Reads and writes block on disk, so
the controller calls :meth:`WorkspaceState.load` and :meth:`WorkspaceState.save` on its lane.

Example::

    state = WorkspaceState(data_dir / "workspace.json")
    state.load()
    state.collection = "/home/me/api/my-api"
    state.collections = ["/home/me/api/my-api", "/home/me/api/other"]
    state.environments["<collection id>"] = "Dev"
    state.tabs = [{"index": 0, "collection": "/home/me/api/my-api", "request": "get.toml"}]
    state.save()
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guiapp.core.atomic import atomic_write_text
from guiapp.core.private_files import make_private

if TYPE_CHECKING:
    from guiapp.ui.workspace.draft_secrets import KeyringOps

__all__ = ["STATE_FILE", "WorkspaceState"]

_log = logging.getLogger(__name__)
STATE_FILE = "workspace.json"
_WRITE_LOCK = threading.Lock()


class WorkspaceState:
    """``collection`` (the one shown: a path or None), ``collections`` (every open one),
    ``environments`` (collection id -> name) and ``tabs``: one entry per tab bound to a saved
    request (``index``, ``collection``, ``request``; with a draft also ``draft``, the spec as
    written with secrets masked, and ``base``, a digest of the file it was based on), with
    ``tab_count``, the number of tabs then open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.collection: str | None = None
        self.collections: list[str] = []
        self.environments: dict[str, str] = {}
        self.tabs: list[dict[str, Any]] = []
        self.tab_count = 0
        self.secret_ops: KeyringOps | None = None

    def load(self) -> WorkspaceState:
        """Read the file; a missing or damaged file means a fresh start (logged, not raised)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self
        except (OSError, ValueError) as exc:
            _log.warning("ignoring unreadable %s: %s", self.path, exc)
            return self
        if isinstance(data, dict):
            collection = data.get("collection")
            self.collection = collection if isinstance(collection, str) else None
            envs = data.get("environments")
            if isinstance(envs, dict):
                self.environments = {str(k): str(v) for k, v in envs.items()}
            paths = data.get("collections")
            if isinstance(paths, list):
                self.collections = [p for p in paths if isinstance(p, str)]
            tabs = data.get("tabs")
            if isinstance(tabs, list):
                self.tabs = [t for t in tabs if isinstance(t, dict)]
            count = data.get("tab_count")
            self.tab_count = count if isinstance(count, int) else 0
        return self

    def save(self) -> None:
        """Write the file atomically (one writer at a time: snapshots may be saved from two
        threads)."""
        data = {
            "collection": self.collection,
            "collections": self.collections,
            "environments": self.environments,
            "tabs": self.tabs,
            "tab_count": self.tab_count,
        }
        ops = self.secret_ops
        with _WRITE_LOCK:
            if ops is not None:
                ops.store_values()  # before the file that refers to them
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps(data, indent=2) + "\n")
            if ops is not None:
                ops.delete_old()
        make_private(self.path)  # drafts are the user's work: readable by the user only

    def snapshot(self) -> WorkspaceState:
        """A copy to hand to another thread while this one keeps changing."""
        copy = WorkspaceState(self.path)
        copy.collection = self.collection
        copy.collections = list(self.collections)
        copy.environments = dict(self.environments)
        copy.tabs = [dict(t) for t in self.tabs]
        copy.tab_count = self.tab_count
        copy.secret_ops = self.secret_ops
        return copy
