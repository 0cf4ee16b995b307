"""The file-tree half of a collection: listing, rename, duplicate, move, trash and change scans.

:class:`TreeOps` is the base of :class:`guiapp.core.collections.Collection`; it knows files and
folders, not what a request means.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from guiapp.core._collection_files import (
    SCHEMA,
    CollectionError,
    dump_merged,
    quick_summary,
    read_toml,
    slugify,
)
from guiapp.core.atomic import atomic_write_text

__all__ = [
    "COLLECTION_FILE",
    "ENV_DIR",
    "FOLDER_FILE",
    "TRASH_DIR",
    "Changes",
    "FolderNode",
    "RequestNode",
    "TrashEntry",
    "TreeOps",
    "unique_path",
]

COLLECTION_FILE = "collection.toml"
FOLDER_FILE = "_folder.toml"
ENV_DIR = "_environments"
TRASH_DIR = ".trash"
_ORIGIN = "origin.txt"


@dataclass(frozen=True, slots=True)
class RequestNode:
    """A request in the tree: its id (relative path), display name and HTTP method."""

    id: str
    name: str
    method: str


@dataclass(frozen=True, slots=True)
class FolderNode:
    """A folder in the tree (the root has id ``""``), children sorted by file name."""

    id: str
    name: str
    folders: tuple[FolderNode, ...] = ()
    requests: tuple[RequestNode, ...] = ()

    def walk_requests(self) -> list[RequestNode]:
        """Every request below this folder, depth first."""
        out = list(self.requests)
        for folder in self.folders:
            out += folder.walk_requests()
        return out


@dataclass(frozen=True, slots=True)
class Changes:
    """Ids of files changed on disk by someone else since the previous scan."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.modified)


@dataclass(frozen=True, slots=True)
class TrashEntry:
    """Something deleted: ``restore(entry)`` puts it back where it was (``original``)."""

    token: str
    original: str
    deleted_at: float
    is_folder: bool


@dataclass(frozen=True, slots=True)
class _Stat:
    mtime_ns: int
    size: int


def unique_path(directory: Path, stem: str, suffix: str) -> Path:
    """``directory/stem+suffix``, or ``stem-2``, ``stem-3``... if taken."""
    candidate = directory / f"{stem}{suffix}"
    n = 2
    while candidate.exists():
        candidate = directory / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


class TreeOps:
    """Files and folders of a collection rooted at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._snapshot: dict[str, _Stat] = {}
        self._summaries: dict[str, tuple[_Stat, str, str]] = {}

    # -- paths -----------------------------------------------------------------------------------
    def path_of(self, rel: str) -> Path:
        """The file or folder of id ``rel``; ids that escape the root are refused."""
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or (pure.parts[:1] == (TRASH_DIR,)):
            raise CollectionError(f"invalid id {rel!r}: must be a path inside the collection")
        return self.root.joinpath(*pure.parts)

    def rel_of(self, path: Path) -> str:
        """The id of a path inside the collection."""
        return path.relative_to(self.root).as_posix()

    def _write(self, path: Path, text: str) -> None:
        atomic_write_text(path, text)
        st = path.stat()
        # Our own writes are not "external changes": record them in the snapshot.
        self._snapshot[self.rel_of(path)] = _Stat(st.st_mtime_ns, st.st_size)

    # -- listing ---------------------------------------------------------------------------------
    def tree(self) -> FolderNode:
        """The folder tree with every request's name and method (cached by mtime and size)."""
        return self._folder(self.root, "")

    def _folder(self, path: Path, rel: str) -> FolderNode:
        folders, requests = [], []
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name.casefold())
        name = path.name
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir():
                if not (rel == "" and entry.name == ENV_DIR):
                    folders.append(self._folder(Path(entry.path), child))
            elif entry.name == FOLDER_FILE:
                name = self._summary(child, Path(entry.path))[0]
            elif entry.name.endswith(".toml") and not (rel == "" and entry.name == COLLECTION_FILE):
                request_name, method = self._summary(child, Path(entry.path))
                requests.append(RequestNode(child, request_name, method))
        return FolderNode(rel, name if rel else "", tuple(folders), tuple(requests))

    def _summary(self, rel: str, path: Path) -> tuple[str, str]:
        st = path.stat()
        stat = _Stat(st.st_mtime_ns, st.st_size)
        cached = self._summaries.get(rel)
        if cached is not None and cached[0] == stat:
            return cached[1], cached[2]
        try:
            quick = quick_summary(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            quick = None
        if quick is not None:
            name, method = quick
        else:
            try:
                data = read_toml(path)
                request = data.get("request")
                method = str(request.get("method", "GET")) if isinstance(request, dict) else ""
                fallback = path.parent.name if rel.endswith(FOLDER_FILE) else path.stem
                name = str(data.get("name") or fallback)
            except CollectionError:
                name, method = path.stem, "!"  # shown as broken; load_request says why
        self._summaries[rel] = (stat, name, method.upper())
        return name, method.upper()

    # -- changes ---------------------------------------------------------------------------------
    def _stat_all(self, top: Path | None = None) -> dict[str, _Stat]:
        found: dict[str, _Stat] = {}
        start = top or self.root
        if start.is_file():
            st = start.stat()
            return {self.rel_of(start): _Stat(st.st_mtime_ns, st.st_size)}
        for directory, dirs, files in os.walk(start):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.endswith(".toml") and not name.startswith("."):
                    path = os.path.join(directory, name)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue  # deleted while we walked
                    rel = os.path.relpath(path, self.root).replace(os.sep, "/")
                    found[rel] = _Stat(st.st_mtime_ns, st.st_size)
        return found

    def scan_changes(self) -> Changes:
        """Files added, removed or modified on disk since the last scan, by another program.

        Compares modification times and sizes; the collection's own writes are not reported.
        """
        now = self._stat_all()
        before, self._snapshot = self._snapshot, now
        return Changes(
            added=tuple(sorted(now.keys() - before.keys())),
            removed=tuple(sorted(before.keys() - now.keys())),
            modified=tuple(sorted(k for k in now.keys() & before.keys() if now[k] != before[k])),
        )

    def _forget(self, rel: str) -> None:
        for key in [k for k in self._snapshot if k == rel or k.startswith(rel + "/")]:
            del self._snapshot[key]

    def _moved(self, old_rel: str | None, new_path: Path | None) -> None:
        if old_rel is not None:
            self._forget(old_rel)
        if new_path is not None:
            self._snapshot.update(self._stat_all(new_path))

    # -- rename, duplicate, move -----------------------------------------------------------------
    def rename(self, rel: str, new_name: str) -> str:
        """Give the request or folder ``rel`` a new display name (and file name); new id."""
        path = self.path_of(rel)
        if path.is_dir():
            meta = path / FOLDER_FILE
            existing = meta.read_text(encoding="utf-8") if meta.exists() else None
            self._write(meta, dump_merged(existing, {"schema": SCHEMA, "name": new_name}))
            target = path.parent / slugify(new_name, "folder")
            target = path if target == path else unique_path(path.parent, target.name, "")
        else:
            text = path.read_text(encoding="utf-8")
            self._write(path, dump_merged(text, {"name": new_name}))
            target = path.parent / f"{slugify(new_name)}.toml"
            if target != path:
                target = unique_path(path.parent, slugify(new_name), ".toml")
        if target != path:
            os.replace(path, target)
            self._moved(rel, target)
        return self.rel_of(target)

    def duplicate(self, rel: str) -> str:
        """Copy the request or folder ``rel`` next to itself, named "<name> copy"; new id."""
        path = self.path_of(rel)
        if path.is_dir():
            target = unique_path(path.parent, f"{path.name}-copy", "")
            shutil.copytree(path, target)
            meta = target / FOLDER_FILE
            existing = meta.read_text(encoding="utf-8") if meta.exists() else None
            old_name = read_toml(meta).get("name", path.name) if existing else path.name
            self._write(meta, dump_merged(existing, {"schema": SCHEMA, "name": f"{old_name} copy"}))
        else:
            text = path.read_text(encoding="utf-8")
            old_name = read_toml(path).get("name", path.stem)
            target = unique_path(path.parent, f"{path.stem}-copy", ".toml")
            self._write(target, dump_merged(text, {"name": f"{old_name} copy"}))
        self._moved(None, target)
        return self.rel_of(target)

    def move(self, rel: str, folder: str) -> str:
        """Move the request or folder ``rel`` into ``folder`` (``""``: the root); new id."""
        path = self.path_of(rel)
        directory = self.path_of(folder) if folder else self.root
        if not directory.is_dir():
            raise CollectionError(f"cannot move into {folder!r}: not a folder")
        if path.is_dir() and (directory == path or path in directory.parents):
            raise CollectionError(f"cannot move folder {rel!r} into itself")
        if directory == path.parent:
            return rel
        stem, suffix = (path.name, "") if path.is_dir() else (path.stem, path.suffix)
        target = unique_path(directory, stem, suffix)
        os.replace(path, target)
        self._moved(rel, target)
        return self.rel_of(target)

    # -- trash -----------------------------------------------------------------------------------
    def _trash_dir(self) -> Path:
        trash = self.root / TRASH_DIR
        if not trash.is_dir():
            trash.mkdir()
            atomic_write_text(trash / ".gitignore", "*\n")  # deleted items stay out of git
        return trash

    def delete(self, rel: str) -> TrashEntry:
        """Move the request or folder ``rel`` to the collection's trash; see :meth:`restore`."""
        path = self.path_of(rel)
        if not path.exists():
            raise CollectionError(f"nothing to delete at {rel!r}")
        token = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
        slot = self._trash_dir() / token
        slot.mkdir()
        atomic_write_text(slot / _ORIGIN, rel)
        os.replace(path, slot / path.name)
        self._moved(rel, None)
        return TrashEntry(token, rel, time.time(), (slot / path.name).is_dir())

    def trash(self) -> list[TrashEntry]:
        """What the trash holds, newest first."""
        trash = self.root / TRASH_DIR
        entries = []
        if trash.is_dir():
            for slot in trash.iterdir():
                origin = slot / _ORIGIN
                if slot.is_dir() and origin.exists():
                    rel = origin.read_text(encoding="utf-8")
                    item = slot / PurePosixPath(rel).name
                    stamp = int(slot.name.split("-", 1)[0]) / 1e9
                    entries.append(TrashEntry(slot.name, rel, stamp, item.is_dir()))
        return sorted(entries, key=lambda e: e.token, reverse=True)

    def restore(self, entry: TrashEntry | str) -> str:
        """Put a deleted item back (beside a newer one of the same name if needed); its id."""
        token = entry.token if isinstance(entry, TrashEntry) else entry
        slot = self.root / TRASH_DIR / token
        origin = slot / _ORIGIN
        if not origin.exists() or "/" in token or token.startswith("."):
            raise CollectionError(f"nothing in the trash under {token!r}")
        rel = origin.read_text(encoding="utf-8")
        item = slot / PurePosixPath(rel).name
        target = self.path_of(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            stem, suffix = (target.name, "") if item.is_dir() else (target.stem, target.suffix)
            target = unique_path(target.parent, stem, suffix)
        os.replace(item, target)
        shutil.rmtree(slot)
        self._moved(None, target)
        return self.rel_of(target)
