"""What the workspace remembers between runs: the last collection and each one's environment.

A small JSON file in the data directory, written atomically. Reads and writes block on disk, so
the controller calls :meth:`WorkspaceState.load` and :meth:`WorkspaceState.save` on its lane.

Example::

    state = WorkspaceState(data_dir / "workspace.json")
    state.load()
    state.collection = "/home/me/api/my-api"
    state.environments["<collection id>"] = "Dev"
    state.save()
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from guiapp.core.atomic import atomic_write_text

__all__ = ["STATE_FILE", "WorkspaceState"]

_log = logging.getLogger(__name__)
STATE_FILE = "workspace.json"
_WRITE_LOCK = threading.Lock()


class WorkspaceState:
    """``collection`` (a path or None) and ``environments`` (collection id -> name)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.collection: str | None = None
        self.environments: dict[str, str] = {}

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
        return self

    def save(self) -> None:
        """Write the file atomically (one writer at a time: snapshots may be saved from two
        threads)."""
        data = {"collection": self.collection, "environments": self.environments}
        with _WRITE_LOCK:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps(data, indent=2) + "\n")

    def snapshot(self) -> WorkspaceState:
        """A copy to hand to another thread while this one keeps changing."""
        copy = WorkspaceState(self.path)
        copy.collection = self.collection
        copy.environments = dict(self.environments)
        return copy
