"""Requests in tabs: opening them, reflecting unsaved state, reloading external edits (a mixin
of :class:`~guiapp.ui.workspace.controller.WorkspaceController`).

A tab opened from the collection is bound to its request id (:class:`Autosaver`). A file
changed on disk by someone else reloads a clean tab at once; a tab with unsaved edits is never
overwritten: the sidebar offers "Reload from disk" instead.

Example::

    tab = await controller.open_request_async("users/get-user.toml")
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from guiapp.core.collections import COLLECTION_FILE, Changes, Collection, FolderNode
from guiapp.core.request import RequestSpec
from guiapp.offload.qt import async_slot

if TYPE_CHECKING:
    from guiapp.ui.workspace.autosave import Autosaver, IdTracker
    from guiapp.ui.workspace.editor_variables import EditorVariables
    from guiapp.ui.workspace.env_control import EnvironmentController
    from guiapp.ui.workspace.panel import CollectionsPanel
    from guiapp.ui.workspace.service import CollectionService
    from guiapp.ui.workspace.state import WorkspaceState
    from guiapp.ui.workspace.tree_model import CollectionTreeModel

__all__ = ["TabActions"]


#: Where a collection keeps its environment files (``_environments/dev.toml``, docs/workspace.md).
ENV_PREFIX = "_environments/"


def _is_env(path: str) -> bool:
    return path.startswith(ENV_PREFIX)


class TabActions:
    """The controller's tab binding and external-change handling."""

    window: Any
    service: CollectionService
    autosaver: Autosaver
    tracker: IdTracker
    environments: EnvironmentController
    variables: EditorVariables
    panel: CollectionsPanel
    model: CollectionTreeModel
    state: WorkspaceState
    _watched_tabs: set[int]

    if TYPE_CHECKING:  # provided by WorkspaceController

        async def refresh(self) -> None: ...
        def _save_state(self) -> None: ...

    # -- requests in tabs ----------------------------------------------------------------------
    @async_slot
    async def open_request(self, request_id: str, new_tab: bool = False) -> None:
        """Show the request in a tab (the one already showing it, if any) and bind it."""
        await self.open_request_async(request_id, new_tab)

    async def open_request_async(self, request_id: str, new_tab: bool = False) -> Any:
        """:meth:`open_request`, awaitable: returns the tab (None if it could not be read)."""
        window = self.window
        existing = self.autosaver.tab_for(request_id)
        if existing is not None:
            window.tabs.setCurrentWidget(existing)
            return existing
        tracker = self.tracker
        col = self.service.collection
        if col is None:
            return None
        try:
            spec, seq = await self.service.call(
                lambda c: (c.load_request(request_id), tracker.latest), col
            )
        except Exception as exc:
            window.show_message(f"Could not open {request_id}: {exc}", "error")
            return None
        tab = window.current_tab()
        reusable = (
            not new_tab
            and self.autosaver.request_id(tab) is None
            and not tab.editor.url_text.strip()
            and not tab.in_flight
        )
        if reusable:
            window.load_into_current(spec)
            tab = window.current_tab()
        else:
            tab = window.open_tab(spec)
        self.autosaver.bind(tab, request_id, seq, col)
        self._watch_tab(tab)
        return tab

    def save_current(self) -> None:
        """File → Save to Collection (Ctrl+S): write a bound tab now; add a scratch tab's
        request to the collection (in the sidebar's current folder) and bind it."""
        tab = self.window.current_tab()
        if self.autosaver.request_id(tab) is not None:
            self.autosaver.save_now(tab)
            return
        if self.service.collection is None:
            self.window.show_message(
                "Open or create a collection first (File → Open Collection…)", "error"
            )
            return
        self._add_to_collection(tab, self.panel.current_folder())

    @async_slot
    async def _add_to_collection(self, tab: Any, folder: str) -> None:
        col = self.service.collection
        if col is None:
            return
        spec = tab.editor.to_spec()
        name = tab.editor.title()
        tracker = self.tracker

        def create(c: Collection) -> tuple[str, int, FolderNode]:
            rid = c.new_request(folder, name, spec)
            return rid, tracker.record([("", rid)]), c.tree()

        try:
            rid, seq, root = await self.service.call(create, col)
        except Exception as exc:
            self.window.show_message(f"Could not save the request: {exc}", "error")
            return
        self.autosaver.bind(tab, rid, seq, col)
        self._watch_tab(tab)
        if col is self.service.collection:
            self.model.set_tree(root)
            self.panel.select(rid, edit=True)  # name it right away
        self.window.show_message(f"Saved to {col.name}: {rid}", "ok")

    def _current_spec(self) -> RequestSpec | None:
        try:
            spec: RequestSpec = self.window.current_tab().editor.to_spec()
        except Exception:  # no tab (the window is closing)
            return None
        return spec

    def _watch_tab(self, tab: Any) -> None:
        self.variables.attach(tab.editor)
        if id(tab) not in self._watched_tabs:
            key = id(tab)
            self._watched_tabs.add(key)
            tab.editor.edited.connect(self.environments.schedule_check)
            tab.destroyed.connect(lambda _=None: self._watched_tabs.discard(key))

    def _on_current_tab_changed(self, _index: int) -> None:
        if self.window.tabs.count():
            tab = self.window.current_tab()
            self._watch_tab(tab)
            request_id = self.autosaver.request_id(tab)
            if request_id is not None:
                self.panel.select(request_id)  # show where the request lives, as Postman does
        self.environments.schedule_check()

    def _on_send_requested(self) -> None:
        self.autosaver.save_now(self.window.current_tab())

    def _on_autosaver_dirty_changed(self, request_id: str, dirty: bool) -> None:
        self.model.set_dirty(request_id, dirty)
        tab = self.autosaver.tab_for(request_id)
        tabs = self.window.tabs
        index = tabs.indexOf(tab) if tab is not None else -1
        if index >= 0:
            text = tabs.tabText(index).removeprefix("● ")
            tabs.setTabText(index, f"● {text}" if dirty else text)
        pending = self.autosaver.dirty_count()
        self.panel.set_save_state(f"{pending} unsaved…" if pending else "All changes saved")

    def _on_autosaver_saved(self, request_id: str) -> None:
        if not self.autosaver.dirty_count():
            self.panel.set_save_state("All changes saved")

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
        await self.refresh()
        env_files = [p for p in (*changes.added, *changes.removed, *changes.modified) if _is_env(p)]
        if env_files:  # environments added, removed or edited (git pull): list and load again
            active = self.environments.bar.active()
            await self.environments.reload(active)
            if active and self.environments.bar.active() == active:
                self.window.show_message(f"Reloaded environment “{active}” (changed on disk)", "ok")
        elif COLLECTION_FILE in changes.modified:  # its [[variables]] may have changed
            await self.environments.reload_collection_variables()
        for request_id in changes.modified:
            tab = self.autosaver.tab_for(request_id)
            if tab is None:
                continue
            if self.autosaver.is_dirty(tab):
                self.panel.show_notice(
                    f"{request_id} changed on disk while you were editing it.",
                    "Reload from disk",
                    functools.partial(self._reload_tab, tab, request_id),
                    sticky=True,
                )
            else:
                await self._reload_tab_async(tab, request_id)
        for request_id in changes.removed:
            tab = self.autosaver.tab_for(request_id)
            if tab is not None and not self.autosaver.is_dirty(tab):
                self.autosaver.unbind(tab)
                self.window.show_message(f"{request_id} was deleted on disk", "error")
        if changes.modified or changes.added or changes.removed:
            self.environments.schedule_check()

    @async_slot
    async def _reload_tab(self, tab: Any, request_id: str) -> None:
        await self._reload_tab_async(tab, request_id)

    async def _reload_tab_async(self, tab: Any, request_id: str) -> None:
        tracker = self.tracker
        try:
            spec, seq = await self.service.call(
                lambda col: (col.load_request(request_id), tracker.latest)
            )
        except Exception as exc:
            self.window.show_message(f"Could not reload {request_id}: {exc}", "error")
            return
        current = self.autosaver.tab_for(request_id)
        if current is not None and current is tab:
            self.autosaver.reload(current, spec, seq)
            self.window.show_message(f"Reloaded {request_id} (changed on disk)", "ok")
