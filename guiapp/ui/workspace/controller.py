"""The workspace: collections sidebar, environments, drafts and explicit saves, import/export,
wired into the main window through its public API only.

Everything that touches a collection runs on one SerialLane (a :class:`CollectionService`);
the GUI thread only applies results: a new listing becomes row inserts/removes in the lazy tree
model, so even a 5,000-request collection opens without stalling the window. Editing a saved
request makes a draft (:mod:`~guiapp.ui.workspace.drafts`); collection files change only when
the user saves, renames, moves, creates or deletes something.

Example::

    controller = WorkspaceController(window, data_dir)
    controller.attach()                        # dock, environment toolbar, File menu actions
    await controller.open_collection(path)     # or File → Open Collection…
    tab = await controller.open_request(path, "users/get-user.toml")
    controller.is_dirty(tab)                   # True once the user edits it; Ctrl+S saves
    spec = controller.resolve(tab_spec)        # {{variables}} filled in, or InvalidRequest
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMenu, QToolBar

from guiapp.core.collections import Collection, FolderNode
from guiapp.core.errors import InvalidRequest
from guiapp.core.request import RequestSpec
from guiapp.core.secrets import SecretStore
from guiapp.offload import SerialLane
from guiapp.offload.qt import async_slot
from guiapp.ui.qt_helpers import named
from guiapp.ui.sent_secrets import secret_values
from guiapp.ui.variables.editor import EditorVariables
from guiapp.ui.variables.unresolved import UnresolvedMarker
from guiapp.ui.workspace import tree_commands as commands
from guiapp.ui.workspace.auth_control import AuthInheritance
from guiapp.ui.workspace.closing import CloseGuard
from guiapp.ui.workspace.collections_control import CollectionActions
from guiapp.ui.workspace.conflicts import ConflictResolver
from guiapp.ui.workspace.dialogs import FileActions
from guiapp.ui.workspace.drafts import Drafts
from guiapp.ui.workspace.env_control import EnvironmentController
from guiapp.ui.workspace.environments import EnvironmentBar
from guiapp.ui.workspace.export_dialog import ExportDialog
from guiapp.ui.workspace.ids import IdTracker
from guiapp.ui.workspace.panel import CollectionsPanel
from guiapp.ui.workspace.service import CollectionService
from guiapp.ui.workspace.session import restore_tabs, session_tabs
from guiapp.ui.workspace.state import STATE_FILE, WorkspaceState
from guiapp.ui.workspace.tabs_control import TabActions
from guiapp.ui.workspace.tree_model import CollectionTreeModel
from guiapp.ui.workspace.watcher import ChangeWatcher

if TYPE_CHECKING:
    from guiapp.core.importers import ImportResult
    from guiapp.ui.main_window import MainWindow
    from guiapp.ui.request_tab import RequestTab
    from guiapp.ui.workspace.save_as import SaveAsDialog

__all__ = ["WorkspaceController"]

_log = logging.getLogger(__name__)
_NEW_REQUEST = RequestSpec(url="", inherit_auth=True)  # new requests inherit their folder's auth


def _is_dir(path: str) -> bool:
    return Path(path).is_dir()


class WorkspaceController(QObject):
    """Adds the workspace to ``window``.

    Collaborating objects, each given what it uses: :attr:`collections`
    (:class:`~guiapp.ui.workspace.collections_control.CollectionActions`: open, show, switch,
    close collections, the Demo API), :attr:`files`
    (:class:`~guiapp.ui.workspace.dialogs.FileActions`: file dialogs, import, export),
    :attr:`tabs` (:class:`~guiapp.ui.workspace.tabs_control.TabActions`: requests in tabs,
    saving, Save As, revert, files changed on disk),
    :attr:`drafts`, :attr:`environments`, :attr:`close_guard`, :attr:`auth`. The controller's
    methods of the same names delegate to them.
    """

    def __init__(
        self,
        window: MainWindow,
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
        #: Tabs bound to saved requests and their drafts.
        self.drafts = Drafts(self.service, self)
        self.conflicts = ConflictResolver(self.drafts, self)
        #: Open the Demo API collection at start when no collection was open before (the
        #: composition root sets it on a first run and with ``--demo``).
        self.open_demo_on_start = False
        self._state_timer = QTimer(self, singleShot=True, interval=1000)
        self._state_timer.timeout.connect(self._save_state)
        self.watcher = ChangeWatcher(self.service, self, interval_ms=poll_ms)
        #: Opening, showing, switching and closing collections, the Demo API's among them.
        self.collections = CollectionActions(
            window=window,
            data_dir=self.data_dir,
            service=self.service,
            drafts=self.drafts,
            panel=self.panel,
            model=self.model,
            dock=self.dock,
            state=self.state,
            environments=self.environments,
            watcher=self.watcher,
            undo_stack=self.undo_stack,
            save_state=self._save_state,
            refresh_marks=lambda: self.tabs.refresh_marks(),
        )
        self.drafts.read_only.add(self.demo_root())  # however it is reached, never written
        self.actions: dict[str, QAction] = {}
        #: True once the previous run's collection was restored (or there was none).
        self.ready = False
        self._shut_down = False
        self.close_guard = CloseGuard(self)  # a tab or the window with drafts asks first
        #: File → Open/New Collection…, Import…, Export Request as Code….
        self.files = FileActions(
            service=self.service,
            data_dir=self.data_dir,
            collections=self.collections,
            environments=self.environments,
            panel=self.panel,
            status=window,
            parent=window,
            current_spec=lambda: window.current_tab().editor.spec_to_send(),
            resolve=self.resolve,
        )
        #: Requests in tabs: opening, saving, Save As, revert, titles, external changes.
        self.tabs = TabActions(
            window=window,
            service=self.service,
            drafts=self.drafts,
            collections=self.collections,
            panel=self.panel,
            model=self.model,
            environments=self.environments,
            variables=self.variables,
            state=self.state,
            conflicts=self.conflicts,
            watcher=self.watcher,
            refresh=self.refresh,
            save_state=self._save_state,
            schedule_save_state=self._state_timer.start,
        )
        self._connect()
        self.auth = AuthInheritance(self)  # folder/collection auth, inherited by requests

    # -- wiring --------------------------------------------------------------------------------
    def _connect(self) -> None:
        panel, model = self.panel, self.model
        panel.newRequestRequested.connect(self.new_request)
        panel.newFolderRequested.connect(self.new_folder)
        panel.duplicateRequested.connect(self.duplicate)
        panel.deleteRequested.connect(self.delete)
        panel.openCollectionRequested.connect(self.open_collection_dialog)
        panel.newCollectionRequested.connect(self.new_collection_dialog)
        panel.importRequested.connect(self.import_dialog)
        panel.collectionVariablesRequested.connect(self.environments.edit_collection_variables)
        panel.collectionActivated.connect(self.activate)
        panel.closeCollectionRequested.connect(lambda: self.close_collection())
        panel.openDemoRequested.connect(self.open_demo)
        model.renameRequested.connect(self.rename)
        model.moveRequested.connect(self.move)

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
            ("open-demo", "Open Demo API", self.open_demo, ""),
            ("save", "Save", self.save_current, "Ctrl+S"),
            ("save-as", "Save As…", self.save_as_current, "Ctrl+Shift+S"),
            ("revert", "Revert to Saved", self.revert_current, ""),
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
            self.tabs.watch_tab(window.current_tab())  # later tabs: on becoming current
        window.tabs.currentChanged.connect(self.tabs.on_current_tab_changed)
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

    # -- the file dialogs (FileActions) ---------------------------------------------------------
    def open_collection_dialog(self) -> QFileDialog:
        """File → Open Collection…: pick a collection folder (non-blocking dialog)."""
        return self.files.open_collection_dialog()

    def new_collection_dialog(self) -> QFileDialog:
        """File → New Collection…: name a new folder; the collection is named after it."""
        return self.files.new_collection_dialog()

    def import_dialog(self) -> QFileDialog:
        """File → Import…: a Postman v2.1 collection or an OpenAPI 3 document (JSON/YAML)."""
        return self.files.import_dialog()

    async def import_file(
        self, source: str | Path, dest: Path | None = None
    ) -> ImportResult | None:
        """Import ``source`` into a new collection and show it (:meth:`FileActions.import_file`)."""
        return await self.files.import_file(source, dest)

    def export_current(self) -> ExportDialog:
        """File → Export Request as Code…: the current tab as curl / Python."""
        return self.files.export_current()

    # -- requests in tabs (TabActions) ---------------------------------------------------------
    def open_request(
        self, collection_path: str | Path, rel: str
    ) -> asyncio.Task[RequestTab | None]:
        """Open the saved request ``rel`` of the collection at ``collection_path`` in a tab;
        a task whose result is the tab (:meth:`TabActions.open_request`)."""
        return self.tabs.open_request(collection_path, rel)

    async def open_request_async(
        self, request_id: str, new_tab: bool = False, col: Collection | None = None
    ) -> RequestTab | None:
        """Show request ``request_id`` of ``col`` (default: the collection shown) in a tab."""
        return await self.tabs.open_request_async(request_id, new_tab, col)

    def save_current(self) -> asyncio.Task[bool] | None:
        """File → Save (Ctrl+S): write the current tab's draft to its file (on the lane)."""
        return self.tabs.save_current()

    def save_as_current(self) -> SaveAsDialog:
        """File → Save As…: choose a collection, a folder and a name (non-blocking dialog)."""
        return self.tabs.save_as_current()

    def revert_current(self) -> bool:
        """File → Revert to Saved: drop the current tab's draft (False if it has none)."""
        return self.tabs.revert_current()

    def _current_spec(self) -> RequestSpec | None:
        try:
            spec: RequestSpec = self.window.current_tab().editor.to_spec()
        except Exception:  # no tab (the window is closing)
            return None
        return spec

    # -- public API ----------------------------------------------------------------------------
    def resolve(self, spec: RequestSpec) -> RequestSpec:
        """``spec`` with ``{{name}}`` filled in from the active environment (the window calls
        this before sending). Raises InvalidRequest naming unresolved variables, or while the
        current tab's collection is not yet the one shown (its variables would not apply)."""
        col = self.drafts.collection_of(self.window.current_tab())
        switching = self.collections.switching
        if switching or (col is not None and col is not self.service.collection):
            name = col.name if col is not None else "the collection"
            if col is not None and not switching:
                self.activate(str(col.root))
            raise InvalidRequest(
                f"Not sent: switching to “{name}” (its environment and variables apply); "
                "send again in a moment.",
                field="variables",
            )
        return self.environments.resolve(self.auth.check(spec))

    @property
    def collection(self) -> Collection | None:
        """The collection shown in the sidebar (call its methods through ``service``)."""
        return self.service.collection

    @property
    def switching(self) -> bool:
        """True while the collection shown in the sidebar changes (its tree, environment and
        variables are being loaded); sends are refused meanwhile."""
        return self.collections.switching

    @property
    def demo_descriptions(self) -> dict[str, str]:
        """Descriptions of the Demo API requests (by id), shown when one is opened."""
        return self.collections.demo_descriptions

    # -- collections (CollectionActions) --------------------------------------------------------
    def open_collection(self, path: str | Path) -> asyncio.Task[bool]:
        """Open the collection at ``path``, add it to the sidebar and show it; a task whose
        result is True once the tree is shown (:meth:`CollectionActions.open_collection`)."""
        return self.collections.open_collection(path)

    async def create_collection(self, path: str | Path, name: str | None = None) -> bool:
        """Create an empty collection at ``path``, add it and show it."""
        return await self.collections.create_collection(path, name)

    async def collection_at(self, path: str) -> Collection | None:
        """The open collection at ``path``, opened (not shown) if needed; None if it cannot."""
        return await self.collections.collection_at(path)

    def activate(self, path: str) -> asyncio.Task[None]:
        """Show the open collection at ``path`` in the sidebar (the switcher does this)."""
        return self.collections.activate(path)

    async def activate_async(self, col: Collection) -> None:
        """Show ``col`` (already open) in the sidebar."""
        await self.collections.activate_async(col)

    def close_collection(self, path: str | None = None) -> bool:
        """Close the collection at ``path`` (default: the one shown); refused while one of its
        tabs holds a draft."""
        return self.collections.close_collection(path)

    def demo_root(self) -> str:
        """Where the Demo API collection of this workspace lives (its key when open)."""
        return self.collections.demo_root()

    def open_demo(self) -> asyncio.Task[bool]:
        """File → Open Demo API: the demo examples as a read-only collection."""
        return self.collections.open_demo()

    async def add_demo(self) -> bool:
        """Open the Demo API collection without showing it (restored at start)."""
        return await self.collections.add_demo()

    @property
    def autosaver(self) -> Drafts:
        """The former name of :attr:`drafts` (kept for existing callers): nothing is saved
        automatically any more."""
        return self.drafts

    @property
    def tracker(self) -> IdTracker:
        """The id-change log of the collection shown."""
        return self.drafts.tracker(self.service.require())

    @property
    def ask_on_close(self) -> bool:
        """False: closing the window does not ask about drafts, it keeps them in the session
        (set when SIGTERM / Ctrl+C close the window)."""
        return self.close_guard.ask_on_close

    @ask_on_close.setter
    def ask_on_close(self, value: bool) -> None:
        self.close_guard.ask_on_close = value

    def is_dirty(self, tab: RequestTab) -> bool:
        """True if ``tab`` holds a draft: edits of a saved request not written to its file."""
        return self.drafts.is_dirty(tab)

    def location(self, tab: RequestTab) -> tuple[Path, str] | None:
        """(collection folder, request id) of the saved request ``tab`` shows, or None."""
        col, rid = self.drafts.collection_of(tab), self.drafts.request_id(tab)
        return None if col is None or rid is None else (Path(col.root), rid)

    @async_slot
    async def restore(self) -> None:
        """Reopen the collections of the previous run and bind their tabs, drafts included."""
        if self._shut_down:
            return  # the window closed before the event loop got here: its lane is closed
        state = self.state
        await self.service.run(state.load)
        previous = state.snapshot()  # opening the collections below saves the state again
        shown = state.collection
        demo = self.demo_root()
        for path in [p for p in state.collections if p != shown]:
            if path == demo:
                await self.add_demo()  # rebuilt for the demo API's address of this run
            elif await self.service.run(_is_dir, path):
                await self.collection_at(path)
        shown_exists = bool(shown) and bool(await self.service.run(_is_dir, shown or ""))
        if shown == demo:
            await self.open_demo()
        elif shown and shown_exists:
            await self.open_collection(shown)
        elif self.open_demo_on_start and self.window.demo_server is not None:
            await self.open_demo()
        elif self.service.collection is None:
            await self.environments.reload("")
        restored = await restore_tabs(self, previous)
        if restored.count:
            self.window.show_message(restored.message(), "error" if restored.notes else "ok")
        self.ready = True

    def _save_state(self) -> None:
        self._state_timer.stop()
        self._capture_session()
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
        col = self.service.require()
        if self.drafts.is_read_only(col):
            self.window.show_message(f"“{col.name}” is read-only: nothing was changed.", "error")
            await self.refresh()  # e.g. an inline rename shows the old name again
            return
        tracker = self.drafts.tracker(col)

        def lane_op(col: Collection) -> tuple[commands.IdChanges, int, FolderNode]:
            changes = op(col)
            return changes, tracker.record(changes), col.tree()

        try:
            changes, seq, root = await self.service.call(lane_op, col)
        except Exception as exc:
            self.window.show_message(f"{exc}", "error")
            await self.refresh()
            return
        self.drafts.remap(col, changes, seq)
        if col is not self.service.collection:
            return  # another collection is shown meanwhile: this listing is stale
        self.model.set_tree(root)
        self.tabs.refresh_marks()
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
        """Write the workspace state now, drafts included (the window is closing). No
        collection file is written: drafts stay drafts. False if the state could not be
        written."""
        self.watcher.stop()
        self._state_timer.stop()
        if not self.ready:
            return True  # closed before the last session was restored: its file stays as it is
        self._capture_session()
        try:
            self.state.save()
        except OSError as exc:
            _log.warning("saving the workspace state failed: %s", exc)
            return False
        return True

    def _capture_session(self) -> None:
        if not self.ready:
            return  # the previous session's tabs are still being restored: keep them
        self.state.tab_count = self.window.tabs.count()
        self.state.tabs = session_tabs(self.window, self.drafts, secret_values(self.window))
        self.state.secret_ops = self.drafts.kept_secrets.plan()  # the drafts' typed secrets

    def shutdown(self) -> None:
        """Stop polling and close the lane (if this controller created it)."""
        self._shut_down = True
        self.watcher.stop()
        if self._own_lane:
            self.service.lane.close(0.5)
