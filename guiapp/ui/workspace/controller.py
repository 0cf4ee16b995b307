"""The workspace: collections sidebar, environments, autosave and import/export, wired into the
main window through its public API only.

Everything that touches a collection runs on one SerialLane (a :class:`CollectionService`);
the GUI thread only applies results: a new listing becomes row inserts/removes in the lazy tree
model, so even a 5,000-request collection opens without stalling the window.

Example::

    controller = WorkspaceController(window, data_dir)
    controller.attach()                        # dock, environment toolbar, File menu actions
    await controller.open_collection(path)     # or File → Open Collection…
    spec = controller.resolve(tab_spec)        # {{variables}} filled in, or InvalidRequest
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QDockWidget, QMenu, QToolBar

from guiapp.core.collections import Collection, FolderNode
from guiapp.core.request import RequestSpec
from guiapp.core.secrets import SecretStore
from guiapp.offload import SerialLane
from guiapp.offload.qt import async_slot
from guiapp.ui.qt_helpers import named
from guiapp.ui.workspace import tree_commands as commands
from guiapp.ui.workspace.auth_control import AuthInheritance
from guiapp.ui.workspace.autosave import Autosaver, IdTracker
from guiapp.ui.workspace.dialogs import FileActions
from guiapp.ui.workspace.editor_variables import EditorVariables
from guiapp.ui.workspace.env_control import EnvironmentController
from guiapp.ui.workspace.environments import EnvironmentBar
from guiapp.ui.workspace.panel import CollectionsPanel
from guiapp.ui.workspace.service import CollectionService
from guiapp.ui.workspace.state import STATE_FILE, WorkspaceState
from guiapp.ui.workspace.tabs_control import TabActions
from guiapp.ui.workspace.tree_model import CollectionTreeModel
from guiapp.ui.workspace.unresolved import UnresolvedMarker
from guiapp.ui.workspace.watcher import ChangeWatcher

__all__ = ["WorkspaceController"]

_log = logging.getLogger(__name__)
_NEW_REQUEST = RequestSpec(url="", inherit_auth=True)  # new requests inherit their folder's auth


def _is_dir(path: str) -> bool:
    return Path(path).is_dir()


class WorkspaceController(FileActions, TabActions, QObject):
    """Adds the workspace to ``window`` (a :class:`~guiapp.ui.main_window.MainWindow`)."""

    def __init__(
        self,
        window: Any,
        data_dir: Path,
        *,
        lane: SerialLane | None = None,
        secrets: SecretStore | None = None,
        poll_ms: int = 2000,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.data_dir = Path(data_dir)
        self._own_lane = lane is None
        self.service = CollectionService(
            lane or SerialLane(name="guiapp-workspace"), secrets or SecretStore()
        )
        self.state = WorkspaceState(self.data_dir / STATE_FILE)
        self.tracker = IdTracker()
        self.undo_stack = QUndoStack(self)
        self.model = CollectionTreeModel(self)
        self.panel = CollectionsPanel(self.model, self.undo_stack)
        self.dock = named(QDockWidget("Collections"), "collectionsDock")
        self.dock.setWidget(self.panel)
        self.env_bar = EnvironmentBar()
        self.toolbar = named(QToolBar("Environment"), "environmentToolBar")
        self.toolbar.addWidget(self.env_bar)
        self.marker = UnresolvedMarker(window.bar.url_edit)
        self.environments = EnvironmentController(
            self.service,
            self.env_bar,
            self.marker,
            notify=window.show_message,
            dialog_parent=window,
            current_spec=self._current_spec,
            undo_stack=self.undo_stack,
        )
        #: ``{{name}}`` colours and tooltips in the request editors (docs/workspace-ui.md).
        self.variables = EditorVariables(self)
        self.autosaver = Autosaver(self.service, self.tracker, self)
        self.watcher = ChangeWatcher(self.service, self, interval_ms=poll_ms)
        self.actions: dict[str, QAction] = {}
        #: True once the previous run's collection was restored (or there was none).
        self.ready = False
        self._watched_tabs: set[int] = set()
        self._connect()
        self.auth = AuthInheritance(self)  # folder/collection auth, inherited by requests

    # -- wiring --------------------------------------------------------------------------------
    def _connect(self) -> None:
        panel, model = self.panel, self.model
        panel.openRequested.connect(self.open_request)
        panel.newRequestRequested.connect(self.new_request)
        panel.newFolderRequested.connect(self.new_folder)
        panel.duplicateRequested.connect(self.duplicate)
        panel.deleteRequested.connect(self.delete)
        panel.openCollectionRequested.connect(self.open_collection_dialog)
        panel.newCollectionRequested.connect(self.new_collection_dialog)
        panel.importRequested.connect(self.import_dialog)
        panel.collectionVariablesRequested.connect(self.environments.edit_collection_variables)
        model.renameRequested.connect(self.rename)
        model.moveRequested.connect(self.move)
        self.autosaver.dirtyChanged.connect(self._on_autosaver_dirty_changed)
        self.autosaver.saved.connect(self._on_autosaver_saved)
        self.autosaver.saveFailed.connect(lambda _rid, msg: self.window.show_message(msg, "error"))
        self.watcher.changed.connect(self._on_watcher_changed)
        self.environments.activeChanged.connect(self._on_environment_changed)
        self.environments.scopeChanged.connect(self._on_environments_scope_changed)

    def attach(self) -> WorkspaceController:
        """Add the dock, the toolbar and the menu actions to the window; restore the last
        collection once the event loop runs. Returns self."""
        window = self.window
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        items = [
            ("open_collection", "Open Collection…", self.open_collection_dialog, "Ctrl+O"),
            ("new_collection", "New Collection…", self.new_collection_dialog, ""),
            ("import", "Import Postman / OpenAPI…", self.import_dialog, "Ctrl+I"),
            ("save_to_collection", "Save to Collection", self.save_current, "Ctrl+S"),
            ("export", "Export Request as Code…", self.export_current, "Ctrl+Shift+E"),
        ]
        for key, text, slot, shortcut in items:
            action = named(QAction(text, window), f"action-{key}")
            if shortcut:
                action.setShortcut(shortcut)
            action.triggered.connect(lambda _=False, s=slot: s())
            window.addAction(action)
            self.actions[key] = action
        menu = self._file_menu()
        if menu is not None:
            first = menu.actions()[0] if menu.actions() else None
            menu.insertActions(first, list(self.actions.values()))  # type: ignore[arg-type]
            menu.insertSeparator(first)  # type: ignore[arg-type]
        toggle = self.dock.toggleViewAction()
        toggle.setText("Collections")
        window.add_view_action(toggle)
        window.bar.url_edit.textChanged.connect(self.environments.schedule_check)
        if window.tabs.count():
            self._watch_tab(window.current_tab())  # later tabs: on becoming current
        window.bar.sendRequested.connect(self._on_send_requested)
        window.tabs.currentChanged.connect(self._on_current_tab_changed)
        window.aboutToSave.connect(self.save_all)
        window.shutDown.connect(self.shutdown)
        resolver_hook = getattr(window, "set_request_resolver", None)
        if resolver_hook is not None:
            resolver_hook(self.resolve)
        QTimer.singleShot(0, self.restore)
        return self

    def _file_menu(self) -> QMenu | None:
        menu = getattr(self.window, "file_menu", None)
        if isinstance(menu, QMenu):
            return menu
        for action in self.window.menuBar().actions():
            if action.text().replace("&", "") == "File" and action.menu() is not None:
                found = action.menu()
                return found if isinstance(found, QMenu) else None
        return None

    # -- public API ----------------------------------------------------------------------------
    def resolve(self, spec: RequestSpec) -> RequestSpec:
        """``spec`` with ``{{name}}`` filled in from the active environment (the window calls
        this before sending). Raises InvalidRequest naming unresolved variables."""
        return self.environments.resolve(self.auth.check(spec))

    @property
    def collection(self) -> Collection | None:
        """The open collection (call its methods through ``service``, never directly)."""
        return self.service.collection

    @async_slot
    async def restore(self) -> None:
        """Reopen the collection of the previous run, if any."""
        state = self.state
        await self.service.run(state.load)
        path = state.collection
        exists = bool(path) and await self.service.run(_is_dir, path)
        if path and exists:
            await self.open_collection(path)
        elif self.service.collection is None:
            await self.environments.reload("")
        self.ready = True

    async def open_collection(self, path: str | Path) -> bool:
        """Open the collection at ``path`` (off the GUI thread); False and a message if not."""
        try:
            col, root = await self.service.open(path)
        except Exception as exc:
            self.window.show_message(f"Could not open the collection: {exc}", "error")
            return False
        await self._show_collection(col, root)
        return True

    async def create_collection(self, path: str | Path, name: str | None = None) -> bool:
        """Create an empty collection at ``path`` and open it."""
        name = name or Path(path).name
        try:
            col, root = await self.service.create(path, name)
        except Exception as exc:
            self.window.show_message(f"Could not create the collection: {exc}", "error")
            return False
        await self._show_collection(col, root)
        return True

    async def _show_collection(self, col: Collection, root: FolderNode) -> None:
        self.autosaver.release_all()  # tabs of the previous collection become scratch tabs
        self.undo_stack.clear()
        self.model.clear()
        self.model.set_tree(root)
        self.panel.show_collection(col.name)
        self.dock.show()
        self.dock.raise_()  # it may be tabbed behind the history
        self.state.collection = str(col.root)
        await self.environments.reload(self.state.environments.get(col.id, ""))
        self._save_state()
        self.watcher.start()
        count = len(root.walk_requests())
        self.window.show_message(f"Opened collection “{col.name}” ({count} requests)", "ok")

    def _save_state(self) -> None:
        snapshot = self.state.snapshot()
        lane = self.service.lane
        try:
            lane.submit(snapshot.save)
        except RuntimeError:
            # Closed, or no running loop: qasync steps tasks from nested Qt event processing
            # (a dialog, processEvents) without one. A small file: a short-lived thread will do.
            threading.Thread(target=snapshot.save, name="guiapp-workspace-state").start()

    # -- tree operations -----------------------------------------------------------------------
    def run_op(
        self,
        op: commands.LaneOp,
        select: commands.Selector | None = None,
        *,
        edit: bool = False,
    ) -> None:
        """Run ``op`` on the lane, then apply its id changes and the new listing (OpRunner)."""
        self._run_op(op, select, edit)

    @async_slot
    async def _run_op(
        self, op: commands.LaneOp, select: commands.Selector | None, edit: bool
    ) -> None:
        tracker = self.tracker

        def lane_op(col: Collection) -> tuple[commands.IdChanges, int, FolderNode]:
            changes = op(col)
            return changes, tracker.record(changes), col.tree()

        col = self.service.require()
        try:
            changes, seq, root = await self.service.call(lane_op, col)
        except Exception as exc:
            self.window.show_message(f"{exc}", "error")
            await self.refresh()
            return
        if col is not self.service.collection:
            return  # another collection was opened meanwhile: this listing is stale
        self.autosaver.remap(changes, seq)
        self.model.set_tree(root)
        target = select(changes) if select is not None else None
        if target:
            self.panel.select(target, edit=edit)

    async def refresh(self) -> None:
        """List the collection again (after an error or an external change)."""
        col = self.service.collection
        if col is None:
            return
        try:
            root = await self.service.call(lambda c: c.tree(), col)
        except Exception as exc:
            self.window.show_message(f"Could not list the collection: {exc}", "error")
            return
        if col is self.service.collection:
            self.model.set_tree(root)

    def new_request(self, folder: str = "") -> None:
        """Create "New request" in ``folder`` and start renaming it."""
        self.undo_stack.push(
            commands.new_request_command(self, folder, "New request", _NEW_REQUEST, edit=True)
        )

    def new_folder(self, parent: str = "") -> None:
        """Create "New folder" in ``parent`` and start renaming it."""
        self.undo_stack.push(commands.new_folder_command(self, parent, "New folder", edit=True))

    def rename(self, item_id: str, new_name: str, old_name: str = "") -> None:
        """Rename an item (undoable)."""
        self.undo_stack.push(commands.RenameCommand(self, item_id, new_name, old_name or item_id))

    def duplicate(self, ids: list[str]) -> None:
        """Duplicate items (undoable)."""
        self.undo_stack.push(commands.duplicate_command(self, list(ids)))

    def move(self, ids: list[str], folder: str) -> None:
        """Move items into ``folder`` (undoable; drag and drop ends here)."""
        self.undo_stack.push(commands.MoveCommand(self, list(ids), folder))

    def delete(self, ids: list[str]) -> None:
        """Move items to the collection's trash; an Undo bar offers to restore them."""
        names = [self.model.data(self.model.find(i), Qt.ItemDataRole.EditRole) or i for i in ids]
        what = f"“{names[0]}”" if len(ids) == 1 else f"{len(ids)} items"
        self.undo_stack.push(commands.DeleteCommand(self, list(ids), f"Delete {what}"))
        self.panel.show_undo(f"Deleted {what}")

    # -- shutdown ------------------------------------------------------------------------------
    def save_all(self) -> bool:
        """Write pending edits and the workspace state now (the window is closing)."""
        self.watcher.stop()
        ok = self.autosaver.flush_blocking(2.0)
        try:
            self.state.save()
        except OSError as exc:
            _log.warning("saving the workspace state failed: %s", exc)
        return ok

    def shutdown(self) -> None:
        """Stop polling and close the lane (if this controller created it)."""
        self.watcher.stop()
        if self._own_lane:
            self.service.lane.close(0.5)
