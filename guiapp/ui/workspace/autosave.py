"""Autosave: tabs opened from a collection write their edits back to their file.

A bound tab remembers its request id and the spec last saved. Each edit compares the editor's
spec with it (so typing a character and deleting it again leaves the tab clean), and a dirty
tab is saved :data:`DELAY_MS` after the last edit, on the collection's lane, atomically (the
core writes a temporary file and renames it). The spec is captured at edit time, so closing the
tab still saves what was typed; closing the window flushes every pending save.

Ids change when the user renames or moves items while saves are queued. Every operation records
its id changes in an :class:`IdTracker` *on the lane*, in lane order, and a save follows the
changes made after its tab last learned its id: a save can never recreate a file that was just
renamed or deleted.

Example::

    saver = Autosaver(service, tracker)
    saver.bind(tab, "users/get-user.toml", seq)   # after loading the request into the tab
    saver.dirtyChanged.connect(lambda rid, dirty: ...)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.offload.qt import async_slot
from guiapp.ui.request_tab import RequestTab
from guiapp.ui.workspace.service import CollectionService

__all__ = ["DELAY_MS", "Autosaver", "IdTracker"]

_log = logging.getLogger(__name__)
#: Quiet time after the last keystroke before a save (editors use 0.5-1 s).
DELAY_MS = 700
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
                current = _apply(current, old, new)
        return current


def _apply(item_id: str, old: str, new: str | None) -> str | None:
    if item_id == old:
        return new
    if item_id.startswith(old + "/"):  # inside a renamed, moved or deleted folder
        return None if new is None else new + item_id[len(old) :]
    return item_id


@dataclass(eq=False)
class _Binding:
    tab: RequestTab
    col: Collection  # the collection the file belongs to (another may be opened meanwhile)
    request_id: str
    seq: int
    saved: RequestSpec
    pending: RequestSpec | None = None
    suspended: bool = False  # the file is in the trash: nothing to save into
    saving: bool = False
    loading: bool = False
    timer: QTimer = field(default_factory=QTimer)  # re-parented to the Autosaver in bind()


class Autosaver(QObject):
    """Binds tabs to request ids and saves their edits (debounced, on the lane)."""

    #: A request's unsaved state changed: (id, dirty).
    dirtyChanged = Signal(str, bool)
    #: A request was written: (id).
    saved = Signal(str)
    #: A save failed: (id, message).
    saveFailed = Signal(str, str)

    def __init__(
        self,
        service: CollectionService,
        tracker: IdTracker,
        parent: QObject | None = None,
        *,
        delay_ms: int = DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.tracker = tracker
        self.delay_ms = delay_ms
        self._bindings: dict[RequestTab, _Binding] = {}

    # -- binding -------------------------------------------------------------------------------
    def bind(self, tab: RequestTab, request_id: str, seq: int, col: Collection) -> None:
        """``tab`` now shows request ``request_id`` of ``col``, as loaded at tracker sequence
        ``seq``."""
        old = self._bindings.pop(tab, None)
        if old is not None:
            old.timer.stop()
        binding = _Binding(tab, col, request_id, seq, tab.editor.to_spec())
        binding.timer.setParent(self)  # never outlives the Autosaver
        binding.timer.setSingleShot(True)
        binding.timer.setInterval(self.delay_ms)
        binding.timer.timeout.connect(lambda b=binding: self._save(b))
        self._bindings[tab] = binding
        if old is None:
            tab.editor.edited.connect(lambda t=tab: self._on_edited(t))
            tab.destroyed.connect(lambda _obj=None, t=tab: self._on_tab_destroyed(t))

    def unbind(self, tab: RequestTab) -> None:
        """Stop tracking ``tab`` (its edits are no longer saved)."""
        binding = self._bindings.pop(tab, None)
        if binding is not None:
            binding.timer.stop()
            self._set_dirty(binding, False)

    def release_all(self) -> None:
        """Unbind every tab (another collection is being opened); pending edits are written
        to the collection they belong to first."""
        for tab, binding in list(self._bindings.items()):
            if binding.pending is not None and not binding.suspended:
                binding.timer.stop()
                try:
                    self._save(binding)
                except RuntimeError:  # no event loop running: write it now
                    self._flush_one(binding, 2.0)
            del self._bindings[tab]
            self.dirtyChanged.emit(binding.request_id, False)

    def request_id(self, tab: RequestTab) -> str | None:
        """The id ``tab`` is bound to (None for a scratch tab or a deleted file)."""
        binding = self._bindings.get(tab)
        return None if binding is None or binding.suspended else binding.request_id

    def tab_for(self, request_id: str) -> RequestTab | None:
        """The open tab bound to ``request_id``, if any."""
        for tab, binding in self._bindings.items():
            if binding.request_id == request_id and not binding.suspended:
                return tab
        return None

    def is_dirty(self, tab: RequestTab) -> bool:
        """True if ``tab`` has edits not yet written."""
        binding = self._bindings.get(tab)
        return binding is not None and binding.pending is not None

    def dirty_count(self) -> int:
        """How many bound tabs have unsaved edits."""
        return sum(b.pending is not None for b in self._bindings.values())

    def reload(self, tab: RequestTab, spec: RequestSpec, seq: int) -> None:
        """Show ``spec`` (the file changed on disk) in ``tab`` without marking it dirty."""
        binding = self._bindings.get(tab)
        if binding is None:
            return
        binding.loading = True
        try:
            tab.editor.load_spec(spec)
        finally:
            binding.loading = False
        binding.timer.stop()
        binding.saved, binding.seq = tab.editor.to_spec(), seq
        self._set_dirty(binding, False, clear=True)

    def remap(self, changes: list[tuple[str, str | None]], seq: int) -> None:
        """Apply id changes (made on the lane up to ``seq``) to the bound tabs."""
        for binding in list(self._bindings.values()):
            for old, new in changes:
                if binding.suspended:
                    rid = binding.request_id
                    if old and new is not None and (rid == old or rid.startswith(old + "/")):
                        binding.suspended = False  # restored from the trash
                        binding.request_id = new + rid[len(old) :]
                        self._on_edited(binding.tab)  # dirty again if it differs from the file
                    continue
                moved = _apply(binding.request_id, old, new)
                if moved is None:
                    binding.suspended = True
                    binding.timer.stop()
                    self._set_dirty(binding, False)
                elif moved != binding.request_id:
                    was_dirty = binding.pending is not None
                    self._set_dirty(binding, False)
                    binding.request_id = moved
                    if was_dirty:
                        self._set_dirty(binding, True)
            binding.seq = max(binding.seq, seq)

    # -- saving --------------------------------------------------------------------------------
    def _on_edited(self, tab: RequestTab) -> None:
        binding = self._bindings.get(tab)
        if binding is None or binding.loading or binding.suspended:
            return
        spec = tab.editor.to_spec()
        if spec == binding.saved:
            binding.timer.stop()
            self._set_dirty(binding, False, clear=True)
            return
        binding.pending = spec
        self._set_dirty(binding, True)
        binding.timer.start()

    def _save_op(self, binding: _Binding, spec: RequestSpec) -> Callable[[Collection], str | None]:
        tracker, request_id, since = self.tracker, binding.request_id, binding.seq

        def op(col: Collection) -> str | None:
            target = tracker.follow(request_id, since)
            if target is None:
                return None  # deleted meanwhile: saving would bring it back
            col.save_request(target, spec)
            return target

        return op

    @async_slot
    async def _save(self, binding: _Binding) -> None:
        spec = binding.pending
        if spec is None or binding.suspended:
            return
        if binding.saving:
            binding.timer.start()  # one write at a time per tab; try again shortly
            return
        binding.saving = True
        try:
            await self.service.call(self._save_op(binding, spec), binding.col)
        except Exception as exc:
            _log.warning("saving %s failed: %s", binding.request_id, exc)
            self.saveFailed.emit(binding.request_id, f"Could not save {binding.request_id}: {exc}")
            return
        finally:
            binding.saving = False
        binding.saved = spec
        if binding.pending == spec:
            self._set_dirty(binding, False, clear=True)
        self.saved.emit(binding.request_id)

    def save_now(self, tab: RequestTab) -> None:
        """Save ``tab`` at once if it has unsaved edits (e.g. on send)."""
        binding = self._bindings.get(tab)
        if binding is not None and binding.pending is not None:
            binding.timer.stop()
            self._save(binding)

    def flush_blocking(self, timeout: float = 2.0) -> bool:
        """Write every pending edit now, on this thread (the window is closing)."""
        ok = True
        for binding in list(self._bindings.values()):
            ok = self._flush_one(binding, timeout) and ok
        return ok

    def _flush_one(self, binding: _Binding, timeout: float) -> bool:
        binding.timer.stop()
        spec = binding.pending
        if spec is None or binding.suspended:
            return True
        try:
            done = self.service.call_blocking(self._save_op(binding, spec), timeout, binding.col)
        except Exception as exc:
            _log.error("saving %s on exit failed: %s", binding.request_id, exc)
            return False
        if done:
            binding.saved, binding.pending = spec, None
        return done

    def _on_tab_destroyed(self, tab: RequestTab) -> None:
        binding = self._bindings.pop(tab, None)
        if binding is not None and binding.pending is not None and not binding.suspended:
            # The spec was captured when it was typed: save it although the tab is gone.
            self._flush_one(binding, 2.0)
            self.dirtyChanged.emit(binding.request_id, False)

    def _set_dirty(self, binding: _Binding, dirty: bool, *, clear: bool = False) -> None:
        if clear:
            binding.pending = None
        self.dirtyChanged.emit(binding.request_id, dirty)
