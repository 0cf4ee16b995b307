"""Requests in tabs: opening them, drafts and explicit saves, external edits
(``controller.tabs``, composed by :class:`~guiapp.ui.workspace.controller.WorkspaceController`).

A tab opened from a collection is bound to its request (:class:`~guiapp.ui.workspace.drafts.
Drafts`); editing it makes a draft ("• " before its title and its name in the tree) until the
user saves (Ctrl+S, ``action-save``), saves it elsewhere (``action-save-as``) or reverts
(``action-revert``). A file changed on disk by someone else reloads a clean tab at once; a tab
with a draft gets a conflict bar instead (:mod:`~guiapp.ui.workspace.conflicts`).

Example::

    tab = await controller.tabs.open_request(collection_root, "users/get-user.toml")
    controller.tabs.save_current()      # Ctrl+S: written on the lane; "Saving… " then clean
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from guiapp.core.collections import COLLECTION_FILE, Changes, Collection, FolderNode
from guiapp.core.request import RequestSpec
from guiapp.offload.qt import async_slot
from guiapp.ui.workspace.drafts import describe, tab_name
from guiapp.ui.workspace.save_as import SaveAsDialog

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow
    from guiapp.ui.request_tab import RequestTab
    from guiapp.ui.variables.editor import EditorVariables
    from guiapp.ui.workspace.collections_control import CollectionActions
    from guiapp.ui.workspace.conflicts import ConflictResolver
    from guiapp.ui.workspace.drafts import Drafts
    from guiapp.ui.workspace.env_control import EnvironmentController
    from guiapp.ui.workspace.panel import CollectionsPanel
    from guiapp.ui.workspace.service import CollectionService
    from guiapp.ui.workspace.state import WorkspaceState
    from guiapp.ui.workspace.tree_model import CollectionTreeModel
    from guiapp.ui.workspace.watcher import ChangeWatcher

__all__ = ["TabActions"]


#: Where a collection keeps its environment files (``_environments/dev.toml``, docs/workspace.md).
ENV_PREFIX = "_environments/"


def _is_env(path: str) -> bool:
    return path.startswith(ENV_PREFIX)


def _folders(node: FolderNode) -> list[str]:
    out = [node.id]
    for folder in node.folders:
        out.extend(_folders(folder))
    return out


class TabActions:
    """Tabs bound to saved requests: opening, saving, Save As, revert, tab titles and draft
    marks, and the reactions to files changed on disk and to environment changes. One object
    the controller composes (``controller.tabs``), with its collaborators given explicitly.

    ``window`` holds the tabs, shows messages and parents the Save As dialog; ``service`` runs
    every collection call; ``drafts`` binds tabs to requests; ``collections`` opens and shows
    a tab's collection; ``panel`` and ``model`` are the sidebar (selection, draft marks, save
    state); ``environments`` and ``variables`` follow the environment; ``state`` keeps the
    chosen environment per collection; ``conflicts`` and ``watcher`` report resolved
    conflicts and files changed on disk; ``refresh`` lists the shown collection again,
    ``save_state`` writes the workspace state and ``schedule_save_state`` writes it a moment
    later.
    """

    def __init__(
        self,
        *,
        window: MainWindow,
        service: CollectionService,
        drafts: Drafts,
        collections: CollectionActions,
        panel: CollectionsPanel,
        model: CollectionTreeModel,
        environments: EnvironmentController,
        variables: EditorVariables,
        state: WorkspaceState,
        conflicts: ConflictResolver,
        watcher: ChangeWatcher,
        refresh: Callable[[], Awaitable[None]],
        save_state: Callable[[], None],
        schedule_save_state: Callable[[], None],
    ) -> None:
        self.window = window
        self.service = service
        self.drafts = drafts
        self.collections = collections
        self.panel = panel
        self.model = model
        self.environments = environments
        self.variables = variables
        self.state = state
        self._refresh = refresh
        self._save_state = save_state
        self._schedule_save_state = schedule_save_state
        self._watched_tabs: set[int] = set()
        panel.openRequested.connect(self._on_panel_open_requested)
        model.treeChanged.connect(self._on_model_tree_changed)
        drafts.stateChanged.connect(self._on_drafts_state_changed)
        conflicts.resolved.connect(self._on_conflicts_resolved)
        drafts.saved.connect(self._on_drafts_saved)
        drafts.saveFailed.connect(lambda _tab, msg: window.show_message(msg, "error"))
        watcher.changed.connect(self._on_watcher_changed)
        watcher.otherChanged.connect(self._on_watcher_other_changed)
        environments.activeChanged.connect(self._on_environment_changed)
        environments.scopeChanged.connect(self._on_environments_scope_changed)

    # -- requests in tabs ----------------------------------------------------------------------
    def open_request(
        self, collection_path: str | Path, rel: str
    ) -> asyncio.Task[RequestTab | None]:
        """Open the saved request ``rel`` of the collection at ``collection_path`` in a tab
        (the one already showing it, if any), opening the collection if needed. Returns a task
        whose result is the tab (None if it could not be read); it runs whether awaited or not.
        """
        task: asyncio.Task[RequestTab | None] = self._open_request_at(str(collection_path), rel)
        return task

    @async_slot
    async def _open_request_at(self, path: str, rel: str) -> RequestTab | None:
        col = self.service.find(path)
        if col is None:
            await self.collections.open_collection(path)
            col = self.service.find(path)
        if col is None:
            return None
        return await self.open_request_async(rel, True, col)

    @async_slot
    async def _on_panel_open_requested(self, request_id: str, new_tab: bool = False) -> None:
        await self.open_request_async(request_id, new_tab)

    async def open_request_async(
        self, request_id: str, new_tab: bool = False, col: Collection | None = None
    ) -> RequestTab | None:
        """Show request ``request_id`` of ``col`` (default: the collection shown) in a tab and
        bind it; returns the tab (None if it could not be read)."""
        window = self.window
        col = col if col is not None else self.service.collection
        if col is None:
            return None
        existing = self.drafts.tab_for(request_id, col)
        if existing is not None:
            window.tabs.setCurrentWidget(existing)
            return existing
        tracker = self.drafts.tracker(col)
        try:
            spec, seq, name = await self.service.call(
                lambda c: (c.load_request(request_id), tracker.latest, c.request_name(request_id)),
                col,
            )
        except Exception as exc:
            window.show_message(f"Could not open {request_id}: {exc}", "error")
            return None
        tab = window.current_tab()
        reusable = (
            not new_tab
            and self.drafts.request_id(tab) is None
            and not tab.editor.url_text.strip()
            and not tab.in_flight
        )
        if reusable:
            window.load_into_current(spec)
            tab = window.current_tab()
        else:
            tab = window.open_tab(spec)
        self.drafts.bind(tab, request_id, seq, col, disk=spec, name=name)
        self.watch_tab(tab)
        if self.drafts.is_read_only(col):
            note = self.collections.demo_descriptions.get(request_id, "")
            window.tabs.setTabToolTip(window.tabs.indexOf(tab), note or col.name)
            window.show_message(f"{col.name}: {note} (read-only: Save As… to keep changes)")
        return tab

    # -- saving --------------------------------------------------------------------------------
    def save_current(self) -> asyncio.Task[bool] | None:
        """File → Save (Ctrl+S): write the current tab's draft to its file (on the lane). A
        scratch tab, or one from a read-only collection, asks where instead (Save As)."""
        tab = self.window.current_tab()
        col = self.drafts.collection_of(tab)
        if self.drafts.request_id(tab) is None or self.drafts.is_read_only(col):
            self.save_as_current()
            return None
        if not self.drafts.is_dirty(tab):
            self.window.show_message("No unsaved changes", "ok")
            return None
        return self.drafts.save(tab)

    def save_as_current(self) -> SaveAsDialog:
        """File → Save As…: choose a collection, a folder and a name (non-blocking dialog)."""
        tab = self.window.current_tab()
        writable = [
            (key, c.name)
            for key, c in self.service.opened.items()
            if not self.drafts.is_read_only(c)
        ]
        shown = self.service.collection
        current = str(shown.root) if shown is not None else None
        dialog = SaveAsDialog(writable, tab.editor.title(), current=current, parent=self.window)
        dialog.collectionChosen.connect(lambda root: self._list_folders(dialog, root))
        dialog.accepted.connect(lambda: self._save_as(tab, *dialog.choice()))
        dialog.open()
        return dialog

    @async_slot
    async def _list_folders(self, dialog: SaveAsDialog, root: str) -> None:
        col = self.service.find(root)
        if col is None:
            return
        try:
            tree = await self.service.call(lambda c: c.tree(), col)
        except Exception as exc:
            self.window.show_message(f"Could not list “{col.name}”: {exc}", "error")
            return
        folders = _folders(tree)
        dialog.set_folders(root, folders)
        if col is self.service.collection:  # preselect the sidebar's folder
            index = dialog.folder_combo.findData(self.panel.current_folder())
            if index >= 0:
                dialog.folder_combo.setCurrentIndex(index)

    @async_slot
    async def _save_as(self, tab: RequestTab, root: str, folder: str, name: str) -> bool:
        col = self.service.find(root)
        if col is None or not name:
            return False
        spec = tab.editor.to_spec()
        tracker = self.drafts.tracker(col)

        def create(c: Collection) -> tuple[str, int, RequestSpec, FolderNode, str]:
            rid = c.new_request(folder, name, spec)
            seq = tracker.record([("", rid)])
            return rid, seq, c.load_request(rid), c.tree(), c.request_name(rid)

        try:
            rid, seq, disk, tree, saved_name = await self.service.call(create, col)
        except Exception as exc:
            self.window.show_message(f"Could not save the request: {exc}", "error")
            return False
        self.drafts.bind(tab, rid, seq, col, disk=disk, saved=spec, name=saved_name)
        self.watch_tab(tab)
        if col is self.service.collection:
            self.model.set_tree(tree)
            self.panel.select(rid)
        self.window.show_message(f"Saved to {col.name}: {rid}", "ok")
        return True

    def revert_current(self) -> bool:
        """File → Revert to Saved: drop the current tab's draft (False if it has none)."""
        tab = self.window.current_tab()
        if not self.drafts.is_dirty(tab):
            return False
        self.drafts.revert(tab)
        name = tab_name(self.drafts, tab)
        self.window.show_message(f"Reverted “{name}” to the saved version", "ok")
        return True

    def watch_tab(self, tab: RequestTab) -> None:
        """Colour ``tab``'s ``{{variables}}`` and check them again whenever it is edited."""
        self.variables.attach(tab.editor)
        if id(tab) not in self._watched_tabs:
            key = id(tab)
            self._watched_tabs.add(key)
            tab.editor.edited.connect(self.environments.schedule_check)
            tab.destroyed.connect(lambda _=None: self._watched_tabs.discard(key))

    def on_current_tab_changed(self, _index: int) -> None:
        """Another tab became current: show its collection (or select its request)."""
        if self.window.tabs.count():
            tab = self.window.current_tab()
            self.watch_tab(tab)
            request_id, col = self.drafts.request_id(tab), self.drafts.collection_of(tab)
            if col is not None and col is not self.service.collection:
                # Show the tab's own collection: its environment and variables apply to it.
                self._show_tab_collection(col, request_id)
            elif request_id is not None:
                self.panel.select(request_id)  # show where the request lives, as Postman does
        self.environments.schedule_check()

    @async_slot
    async def _show_tab_collection(self, col: Collection, request_id: str | None) -> None:
        await self.collections.activate_async(col)
        if request_id is not None and col is self.service.collection:
            self.panel.select(request_id)

    def _on_drafts_state_changed(self, tab: RequestTab) -> None:
        self._show_title(tab, self._tree_names())
        self.refresh_marks()
        self._schedule_save_state()  # the session keeps drafts even if the app is killed

    def _on_model_tree_changed(self) -> None:
        names = self._tree_names()  # a rename in the tree renames the tab
        for tab in self.drafts.tabs(self.service.collection):
            self._show_title(tab, names)

    def _tree_names(self) -> dict[str, str]:
        """Request id -> name, as the tree shows them (the collection shown)."""
        if self.service.collection is None:
            return {}
        return {node.id: node.name for node in self.model.listing().walk_requests()}

    def _show_title(self, tab: RequestTab, names: dict[str, str]) -> None:
        # A tab of a saved request is titled with the request's name, as the tree shows it.
        request_id = self.drafts.request_id(tab)
        shown = self.drafts.collection_of(tab) is self.service.collection
        if request_id is not None and shown and request_id in names:
            self.drafts.set_name(tab, names[request_id])  # renamed in the tree, perhaps
        if request_id is not None:
            # Its name in the collection, from the moment it is opened, shown or not.
            tab.setProperty("titleName", self.drafts.name(tab))
        else:
            tab.setProperty("titleName", None)  # unbound (Save As elsewhere, deleted): its URL
        tab.setProperty("titlePrefix", describe(self.drafts, tab))
        self.window.update_tab_title(tab)

    def refresh_marks(self) -> None:
        """Redraw the tree's draft marks and the sidebar's save state."""
        shown = self.service.collection
        dirty = [t for t in self.drafts.dirty_tabs() if self.drafts.collection_of(t) is shown]
        self.model.set_dirty_ids({rid for t in dirty if (rid := self.drafts.request_id(t))})
        saving = any(self.drafts.is_saving(t) for t in self.drafts.tabs())
        count = len(self.drafts.dirty_tabs())
        if saving:
            text = "Saving…"
        elif count:
            text = f"{count} unsaved draft" + ("s" if count > 1 else "") + " (Ctrl+S saves)"
        else:
            text = "All changes saved"
        self.panel.set_save_state(text)

    def _on_conflicts_resolved(self, tab: RequestTab) -> None:
        # Replaces "… changed on disk: you have a draft", which is no longer true.
        request_id = self.drafts.request_id(tab) or tab.editor.title()
        if self.drafts.is_dirty(tab):
            self.window.show_message(f"Kept your draft of {request_id} (saving replaces the file)")
        else:
            self.window.show_message(f"{request_id} shows the file as it is on disk")

    def _on_drafts_saved(self, tab: RequestTab) -> None:
        self.window.show_message(f"Saved {self.drafts.request_id(tab)}", "ok")

    def _on_environments_scope_changed(self) -> None:
        self.variables.set_scope(self.environments.scope())

    def _on_environment_changed(self, name: str) -> None:
        col = self.service.collection
        if col is not None:
            self.state.environments[col.id] = name
            self._save_state()

    # -- external changes ----------------------------------------------------------------------
    @async_slot
    async def _on_watcher_changed(self, changes: Changes) -> None:
        await self._refresh()
        env_files = [p for p in (*changes.added, *changes.removed, *changes.modified) if _is_env(p)]
        if env_files:  # environments added, removed or edited (git pull): list and load again
            active = self.environments.bar.active()
            await self.environments.reload(active)
            if active and self.environments.bar.active() == active:
                self.window.show_message(f"Reloaded environment “{active}” (changed on disk)", "ok")
        elif COLLECTION_FILE in changes.modified:  # its [[variables]] may have changed
            await self.environments.reload_collection_variables()
        col = self.service.collection
        for request_id in changes.modified:
            tab = self.drafts.tab_for(request_id, col)
            if tab is not None:
                await self._on_file_changed(tab, request_id)
        for request_id in changes.removed:
            tab = self.drafts.tab_for(request_id, col)
            if tab is not None and not self.drafts.is_dirty(tab):
                self.drafts.unbind(tab)
                self.window.show_message(f"{request_id} was deleted on disk", "error")
        if changes.modified or changes.added or changes.removed:
            self.environments.schedule_check()

    @async_slot
    async def _on_watcher_other_changed(self, col: Collection, changes: Changes) -> None:
        """Files of an open collection that is not shown changed: its tabs follow (a clean
        tab reloads, a draft gets a conflict); its tree is listed when it is shown."""
        for request_id in changes.modified:
            tab = self.drafts.tab_for(request_id, col)
            if tab is not None:
                await self._on_file_changed(tab, request_id)
        for request_id in changes.removed:
            tab = self.drafts.tab_for(request_id, col)
            if tab is not None and not self.drafts.is_dirty(tab):
                self.drafts.unbind(tab)

    async def _on_file_changed(self, tab: RequestTab, request_id: str) -> None:
        """A clean tab shows the new version; a draft gets a conflict (nothing overwritten)."""
        col = self.drafts.collection_of(tab)
        if col is None:
            return
        tracker = self.drafts.tracker(col)
        try:
            theirs, seq = await self.service.call(
                lambda c: (c.load_request(request_id), tracker.latest), col
            )
        except Exception as exc:
            self.window.show_message(f"Could not reload {request_id}: {exc}", "error")
            return
        still = self.drafts.tab_for(request_id, col)
        if still is None or still is not tab or theirs == self.drafts.disk_spec(still):
            return  # closed, moved, or our own save
        tab = still
        if self.drafts.is_dirty(tab):
            self.drafts.set_conflict(tab, theirs)
            self.window.show_message(f"{request_id} changed on disk: you have a draft", "error")
        else:
            self.drafts.reload(tab, theirs, seq)
            self.window.show_message(f"Reloaded {request_id} (changed on disk)", "ok")
