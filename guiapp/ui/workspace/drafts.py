"""Drafts: a tab opened from a collection keeps its edits as a draft until the user saves.

A bound tab remembers the collection and request id it shows, the spec as last loaded or saved
(``saved``, in the editor's own form) and the file's spec as read from disk (``disk``). Each
edit compares the editor with ``saved``: typing a character and deleting it again leaves the tab
clean. Nothing is written by itself — collection files change only when the user saves
(:meth:`Drafts.save`, Ctrl+S), and the save runs on the collection's lane, never on the GUI
thread. Before writing, the save reads the file again: if it changed on disk since the draft
was taken, nothing is written and the tab gets a *conflict* for the user to resolve (Keep Mine
/ Take Theirs / Compare, :mod:`guiapp.ui.workspace.conflicts`).

Example::

    drafts = Drafts(service)
    drafts.bind(tab, "users/get-user.toml", seq, col, disk=spec)  # after loading it into tab
    drafts.stateChanged.connect(lambda tab: ...)   # dirty, saving or conflict changed
    ok = await drafts.save(tab)                     # Ctrl+S
    drafts.revert(tab)                              # back to the file's version
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.ui.background_tasks import BackgroundTasks
from guiapp.ui.request_tab import RequestTab
from guiapp.ui.workspace.draft_secrets import DraftSecrets
from guiapp.ui.workspace.ids import IdTracker, follow_change
from guiapp.ui.workspace.service import CollectionService

__all__ = ["Drafts", "SaveOutcome", "describe", "tab_name"]

_log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Binding:
    tab: RequestTab
    col: Collection  # the collection the file belongs to (several may be open)
    request_id: str
    seq: int
    saved: RequestSpec  # the editor's spec of the file as last loaded or saved
    disk: RequestSpec | None  # the file as read: a save first checks it is still so
    dirty: bool = False
    suspended: bool = False  # the file is in the trash: nothing to save into
    loading: bool = False
    saving: asyncio.Task[bool] | None = None
    conflict: RequestSpec | None = None  # their version, while the user decides
    name: str | None = None  # the request's name in its collection (what it is called by)


@dataclass(frozen=True)
class SaveOutcome:
    """What a save on the lane found: ``written`` (the file now holds the draft) or not,
    the id written to (None: deleted meanwhile) and the file's spec as now on disk."""

    written: bool
    request_id: str | None
    disk: RequestSpec | None


def _key(col: Collection) -> str:
    return str(Path(col.root))


def _loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # a Qt signal delivered while qasync's loop is set but not running
        return asyncio.get_event_loop_policy().get_event_loop()


class Drafts(QObject):
    """Binds tabs to saved requests and tracks their drafts; saves only when asked."""

    #: A tab's state changed (dirty, saving, conflict or binding): (tab).
    stateChanged = Signal(object)
    #: A tab's draft was written: (tab).
    saved = Signal(object)
    #: A save failed: (tab, message).
    saveFailed = Signal(object, str)
    #: The file of a tab with a draft changed on disk: (tab). ``conflict(tab)`` holds theirs.
    conflicted = Signal(object)

    def __init__(self, service: CollectionService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._bindings: dict[RequestTab, _Binding] = {}
        # Saves stay referenced until they end; an unexpected failure is logged and reported
        # through saveFailed (expected ones are reported by _write itself).
        self._tasks = BackgroundTasks(lambda exc: None, "saving a request")
        self._trackers: dict[str, IdTracker] = {}
        #: Roots of collections that are never written (the Demo API): Save As only.
        self.read_only: set[str] = set()
        #: Where the secrets of drafts kept for the next start go (never workspace.json).
        self.kept_secrets = DraftSecrets(service.secrets)

    # -- collections ---------------------------------------------------------------------------
    def tracker(self, col: Collection) -> IdTracker:
        """The id-change log of ``col`` (one per collection)."""
        return self._trackers.setdefault(_key(col), IdTracker())

    def is_read_only(self, col: Collection | None) -> bool:
        """True for a collection that is never written (Save As elsewhere instead)."""
        return col is not None and _key(col) in self.read_only

    # -- binding -------------------------------------------------------------------------------
    def bind(
        self,
        tab: RequestTab,
        request_id: str,
        seq: int,
        col: Collection,
        *,
        disk: RequestSpec | None = None,
        saved: RequestSpec | None = None,
        name: str | None = None,
    ) -> None:
        """``tab`` now shows request ``request_id`` of ``col`` (read at tracker sequence
        ``seq``; ``disk`` as read from the file). ``saved`` is the file's version in the
        editor's form (default: what the tab shows now, i.e. a clean tab); ``name`` is the
        request's name in the collection, by which the tab is called everywhere."""
        old = self._bindings.get(tab)
        binding = _Binding(
            tab, col, request_id, seq, saved if saved is not None else tab.editor.to_spec(), disk
        )
        binding.name = name
        self._bindings[tab] = binding
        if old is None:
            tab.editor.edited.connect(lambda t=tab: self._on_edited(t))
            tab.destroyed.connect(lambda _obj=None, t=tab: self._bindings.pop(t, None))
        self._on_edited(tab)
        self.stateChanged.emit(tab)

    def unbind(self, tab: RequestTab) -> None:
        """Forget ``tab``'s file (it becomes a scratch tab; its text stays)."""
        if self._bindings.pop(tab, None) is not None:
            self.stateChanged.emit(tab)

    def request_id(self, tab: RequestTab) -> str | None:
        """The id ``tab`` is bound to (None for a scratch tab or a deleted file)."""
        binding = self._bindings.get(tab)
        return None if binding is None or binding.suspended else binding.request_id

    def collection_of(self, tab: RequestTab) -> Collection | None:
        """The collection ``tab``'s request belongs to (None for a scratch tab)."""
        binding = self._bindings.get(tab)
        return None if binding is None else binding.col

    def tab_for(self, request_id: str, col: Collection | None = None) -> RequestTab | None:
        """The open tab bound to ``request_id`` of ``col`` (default: the open collection)."""
        col = col if col is not None else self.service.collection
        for tab, binding in self._bindings.items():
            if binding.request_id == request_id and not binding.suspended and binding.col is col:
                return tab
        return None

    def tabs(self, col: Collection | None = None) -> list[RequestTab]:
        """Every bound tab (of ``col`` only, if given)."""
        return [t for t, b in self._bindings.items() if col is None or b.col is col]

    def name(self, tab: RequestTab) -> str | None:
        """The name of ``tab``'s request in its collection (None for a scratch tab)."""
        binding = self._bindings.get(tab)
        return None if binding is None or binding.suspended else binding.name

    def set_name(self, tab: RequestTab, name: str) -> None:
        """The request of ``tab`` was renamed (in the tree)."""
        binding = self._bindings.get(tab)
        if binding is not None:
            binding.name = name

    def is_dirty(self, tab: RequestTab) -> bool:
        """True if ``tab`` holds a draft: edits not written to its file."""
        binding = self._bindings.get(tab)
        return binding is not None and binding.dirty

    def is_saving(self, tab: RequestTab) -> bool:
        """True while ``tab``'s draft is being written."""
        binding = self._bindings.get(tab)
        return binding is not None and binding.saving is not None

    def dirty_tabs(self) -> list[RequestTab]:
        """The tabs holding drafts."""
        return [tab for tab, binding in self._bindings.items() if binding.dirty]

    def saved_spec(self, tab: RequestTab) -> RequestSpec | None:
        """The file's version of ``tab``'s request (editor form), None for a scratch tab."""
        binding = self._bindings.get(tab)
        return None if binding is None else binding.saved

    def disk_spec(self, tab: RequestTab) -> RequestSpec | None:
        """``tab``'s file as last read from disk (None if unknown)."""
        binding = self._bindings.get(tab)
        return None if binding is None else binding.disk

    def conflict(self, tab: RequestTab) -> RequestSpec | None:
        """Their version of ``tab``'s file while a conflict is open, else None."""
        binding = self._bindings.get(tab)
        return None if binding is None else binding.conflict

    def pending_saves(self) -> list[asyncio.Task[bool]]:
        """Saves still running."""
        return [b.saving for b in self._bindings.values() if b.saving is not None]

    # -- edits, reloads, conflicts -------------------------------------------------------------
    def _on_edited(self, tab: RequestTab) -> None:
        binding = self._bindings.get(tab)
        if binding is None or binding.loading:
            return
        dirty = tab.editor.to_spec() != binding.saved
        if dirty != binding.dirty:
            binding.dirty = dirty
            self.stateChanged.emit(tab)

    def _load(self, binding: _Binding, spec: RequestSpec) -> RequestSpec:
        binding.loading = True
        try:
            binding.tab.editor.load_spec(spec)
        finally:
            binding.loading = False
        return binding.tab.editor.to_spec()

    def reload(self, tab: RequestTab, spec: RequestSpec, seq: int) -> None:
        """Show the file's ``spec`` (changed on disk, or Take Theirs) in ``tab``: clean."""
        binding = self._bindings.get(tab)
        if binding is None:
            return
        binding.saved = self._load(binding, spec)
        binding.disk, binding.seq, binding.conflict, binding.dirty = spec, seq, None, False
        self.stateChanged.emit(tab)

    def revert(self, tab: RequestTab) -> bool:
        """Drop ``tab``'s draft: show the file's version again. False for a scratch tab."""
        binding = self._bindings.get(tab)
        if binding is None:
            return False
        if binding.conflict is not None:
            self.reload(tab, binding.conflict, binding.seq)
            return True
        self._load(binding, binding.saved)
        binding.dirty = False
        self.stateChanged.emit(tab)
        return True

    def set_conflict(self, tab: RequestTab, theirs: RequestSpec) -> None:
        """Their version of ``tab``'s file arrived while ``tab`` has a draft: nothing is
        overwritten; the user decides (:meth:`keep_mine` or :meth:`reload`)."""
        binding = self._bindings.get(tab)
        if binding is None or theirs == binding.conflict:
            return
        binding.conflict = theirs
        self.stateChanged.emit(tab)
        self.conflicted.emit(tab)

    def keep_mine(self, tab: RequestTab) -> None:
        """Resolve a conflict by keeping the draft: it stays a draft, based on their version
        (so the next save knowingly replaces it)."""
        binding = self._bindings.get(tab)
        if binding is None or binding.conflict is None:
            return
        theirs, binding.conflict = binding.conflict, None
        draft = tab.editor.to_spec()
        binding.saved = self._load(binding, theirs)
        self._load(binding, draft)
        binding.disk = theirs
        binding.dirty = tab.editor.to_spec() != binding.saved
        self.stateChanged.emit(tab)

    def remap(self, col: Collection, changes: list[tuple[str, str | None]], seq: int) -> None:
        """Apply id changes made in ``col`` on the lane (up to ``seq``) to its bound tabs."""
        for binding in list(self._bindings.values()):
            if binding.col is not col:
                continue
            rid = binding.request_id
            for old, new in changes:
                if binding.suspended:
                    if old and new is not None and (rid == old or rid.startswith(old + "/")):
                        binding.suspended = False  # restored from the trash
                        binding.request_id = rid = new + rid[len(old) :]
                    continue
                moved = follow_change(rid, old, new)
                if moved is None:
                    binding.suspended = True
                else:
                    binding.request_id = rid = moved
            binding.seq = max(binding.seq, seq)
            self.stateChanged.emit(binding.tab)

    # -- saving --------------------------------------------------------------------------------
    def save(self, tab: RequestTab) -> asyncio.Task[bool]:
        """Write ``tab``'s draft to its file on the lane (the GUI thread never waits);
        the task's result is True once written. A read-only collection, a deleted file or a
        file changed on disk (a conflict) write nothing."""
        binding = self._bindings.get(tab)
        if binding is not None and binding.saving is not None:
            return binding.saving
        task: asyncio.Task[bool] = self._tasks.keep(
            _loop().create_task(self._save(tab)),
            on_error=lambda exc: self.saveFailed.emit(tab, f"Could not save: {exc}"),
        )
        if binding is not None:
            binding.saving = task
            self.stateChanged.emit(tab)
        return task

    async def _save(self, tab: RequestTab) -> bool:
        await asyncio.sleep(0)  # let save() record the task first
        binding = self._bindings.get(tab)
        try:
            return await self._write(tab, binding)
        finally:
            if binding is not None:
                binding.saving = None
                self.stateChanged.emit(tab)

    async def _write(self, tab: RequestTab, binding: _Binding | None) -> bool:
        if binding is None or binding.suspended:
            self.saveFailed.emit(tab, "This request is not in a collection: use Save As…")
            return False
        if self.is_read_only(binding.col):
            self.saveFailed.emit(
                tab, f"“{binding.col.name}” is read-only: use Save As… to keep your changes."
            )
            return False
        if binding.conflict is not None:
            self.saveFailed.emit(tab, "The file changed on disk: keep yours or take theirs first.")
            return False
        spec = tab.editor.to_spec()
        op = _save_op(self.tracker(binding.col), binding.request_id, binding.seq, binding.disk)
        try:
            outcome: SaveOutcome = await self.service.call(lambda c: op(c, spec), binding.col)
        except Exception as exc:
            _log.warning("saving %s failed: %s", binding.request_id, exc)
            self.saveFailed.emit(tab, f"Could not save {binding.request_id}: {exc}")
            return False
        if self._bindings.get(tab) is not binding:
            return outcome.written
        if outcome.request_id is None:
            self.saveFailed.emit(tab, f"{binding.request_id} was deleted: use Save As…")
            return False
        if not outcome.written:
            if outcome.disk is not None:
                self.set_conflict(tab, outcome.disk)
            return False
        binding.saved, binding.disk, binding.request_id = spec, outcome.disk, outcome.request_id
        binding.dirty = tab.editor.to_spec() != spec
        self.saved.emit(tab)
        return True

    async def wait_saves(self, limit_s: float) -> bool:
        """Wait (in the event loop) up to ``limit_s`` seconds for running saves; True if all
        ended."""
        pending = self.pending_saves()
        if not pending:
            return True
        _done, left = await asyncio.wait(pending, timeout=limit_s)
        return not left


def _save_op(
    tracker: IdTracker, request_id: str, since: int, disk: RequestSpec | None
) -> Callable[[Collection, RequestSpec], SaveOutcome]:
    def op(col: Collection, spec: RequestSpec) -> SaveOutcome:
        target = tracker.follow(request_id, since)
        if target is None:
            return SaveOutcome(False, None, None)  # deleted meanwhile: saving would revive it
        if disk is not None:
            try:
                now = col.load_request(target)
            except FileNotFoundError:
                now = None
            if now is not None and now != disk:
                return SaveOutcome(False, target, now)  # changed on disk: a conflict
        col.save_request(target, spec)
        return SaveOutcome(True, target, col.load_request(target))

    return op


def tab_name(drafts: Drafts, tab: RequestTab) -> str:
    """What ``tab`` is called in its title and in messages: the name of its saved request,
    else the editor's title ("GET /users/1")."""
    return drafts.name(tab) or str(tab.editor.title())


def describe(drafts: Drafts, tab: RequestTab) -> str:
    """The tab title prefix for ``tab``'s state: "Saving… ", "• " (a draft) or ""."""
    if drafts.is_saving(tab):
        return "Saving… "
    return "• " if drafts.is_dirty(tab) else ""
