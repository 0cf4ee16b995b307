"""Several collections open at once (``controller.collections``, composed by
:class:`~guiapp.ui.workspace.controller.WorkspaceController`).

Every collection the user opens, creates or imports is *added*: the sidebar's switcher
(``collectionSwitcher``) lists them and shows one tree at a time; tabs stay bound to their own
collection whichever is shown. Closing a collection (its "⋯" menu) is refused while one of its
tabs holds a draft. The read-only Demo API collection (File → Open Demo API) is one of them.

Example::

    await controller.collections.open_collection("/home/me/api/shop")   # added and shown
    controller.collections.activate("/home/me/api/other")    # show another open one
    await controller.collections.open_demo()                 # the Demo API examples
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from guiapp.core.collections import Collection, FolderNode
from guiapp.offload.qt import async_slot
from guiapp.ui.workspace.demo_collection import DEMO_FOLDER, build_demo_collection

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QDockWidget

    from guiapp.ui.main_window import MainWindow
    from guiapp.ui.workspace.drafts import Drafts
    from guiapp.ui.workspace.env_control import EnvironmentController
    from guiapp.ui.workspace.panel import CollectionsPanel
    from guiapp.ui.workspace.service import CollectionService
    from guiapp.ui.workspace.state import WorkspaceState
    from guiapp.ui.workspace.tree_model import CollectionTreeModel
    from guiapp.ui.workspace.watcher import ChangeWatcher

__all__ = ["CollectionActions"]


class CollectionActions:
    """Opening, showing, switching and closing collections: one object the controller
    composes (``controller.collections``), with its collaborators given explicitly.

    ``window`` is where the demo API is started and messages are shown; ``service`` runs
    every collection call; ``drafts`` says which tabs hold drafts and which collections are
    read-only; ``panel``, ``model`` and ``dock`` are the sidebar; ``state`` the saved
    workspace (``save_state`` writes it a moment later); ``environments`` reloads the shown
    collection's environment; ``watcher`` polls the shown collection; ``undo_stack`` is
    cleared when another collection is shown; ``refresh_marks`` redraws the tree's draft marks.
    """

    def __init__(
        self,
        *,
        window: MainWindow,
        data_dir: Path,
        service: CollectionService,
        drafts: Drafts,
        panel: CollectionsPanel,
        model: CollectionTreeModel,
        dock: QDockWidget,
        state: WorkspaceState,
        environments: EnvironmentController,
        watcher: ChangeWatcher,
        undo_stack: QUndoStack,
        save_state: Callable[[], None],
        refresh_marks: Callable[[], None],
    ) -> None:
        self.window = window
        self.data_dir = data_dir
        self.service = service
        self.drafts = drafts
        self.panel = panel
        self.model = model
        self.dock = dock
        self.state = state
        self.environments = environments
        self.watcher = watcher
        self.undo_stack = undo_stack
        self._save_state = save_state
        self._refresh_marks = refresh_marks
        self._switching = 0  # activations under way (a count: they may overlap)
        self._activating: set[str] = set()
        #: Descriptions of the Demo API requests (by id), shown when one is opened.
        self.demo_descriptions: dict[str, str] = {}

    @property
    def switching(self) -> bool:
        """True while the collection shown in the sidebar changes (its tree, environment and
        variables are being loaded)."""
        return self._switching > 0

    def open_collection(self, path: str | Path) -> asyncio.Task[bool]:
        """Open the collection at ``path`` (off the GUI thread), add it to the sidebar and show
        it. Returns a task (await it, or not: it runs either way) whose result is True once the
        tree is shown; False and a message if it could not be opened."""
        task: asyncio.Task[bool] = self._open_collection(path)
        return task

    @async_slot
    async def _open_collection(self, path: str | Path) -> bool:
        known = self.service.find(path)
        if known is not None:
            await self.activate_async(known)
            return True
        try:
            col, root = await self.service.open(path)
        except Exception as exc:
            self.window.show_message(f"Could not open the collection: {exc}", "error")
            return False
        await self.show_collection(col, root)
        return True

    async def create_collection(self, path: str | Path, name: str | None = None) -> bool:
        """Create an empty collection at ``path``, add it and show it."""
        name = name or Path(path).name
        try:
            col, root = await self.service.create(path, name)
        except Exception as exc:
            self.window.show_message(f"Could not create the collection: {exc}", "error")
            return False
        await self.show_collection(col, root)
        return True

    async def collection_at(self, path: str) -> Collection | None:
        """The open collection at ``path``, opening it (without showing it) if needed; None
        if it cannot be opened."""
        col = self.service.find(path) if path else None
        if col is not None or not path:
            return col
        shown = self.service.collection
        try:
            col, _root = await self.service.open(path)
        except Exception:
            return None
        self.service.collection = shown  # opened for a tab: the sidebar keeps its collection
        self.panel.set_collections(self._switcher_items(), str(shown.root) if shown else None)
        return col

    async def show_collection(self, col: Collection, root: FolderNode) -> None:
        """Add ``col`` (listed as ``root``) to the sidebar and show it, with its environment."""
        self._switching += 1
        try:
            await self._show(col, root)
        finally:
            self._switching -= 1

    async def _show(self, col: Collection, root: FolderNode) -> None:
        self.service.collection = col
        self.undo_stack.clear()  # its commands belong to the collection shown before
        self.model.clear()
        self.model.notes = self.demo_descriptions if str(col.root) == self.demo_root() else {}
        self.model.set_tree(root)
        self._refresh_marks()
        self.panel.show_collection(col.name)
        self.panel.set_collections(self._switcher_items(), str(col.root))
        self.dock.show()
        self.dock.raise_()  # it may be tabbed behind the history
        self.state.collection = str(col.root)
        self.state.collections = list(self.service.opened)  # the Demo API included
        await self.environments.reload(self.state.environments.get(col.id, ""))
        self._save_state()
        self.watcher.start()
        count = len(root.walk_requests())
        self.window.show_message(f"Opened collection “{col.name}” ({count} requests)", "ok")

    def _switcher_items(self) -> list[tuple[str, str]]:
        items = []
        for key, col in self.service.opened.items():
            suffix = " (read-only)" if self.drafts.is_read_only(col) else ""
            items.append((key, col.name + suffix))
        return items

    def activate(self, path: str) -> asyncio.Task[None]:
        """Show the open collection at ``path`` in the sidebar (the switcher does this)."""
        task: asyncio.Task[None] = self._activate(path)
        return task

    @async_slot
    async def _activate(self, path: str) -> None:
        col = self.service.find(path)
        if col is not None and col is not self.service.collection:
            await self.activate_async(col)

    async def activate_async(self, col: Collection) -> None:
        """Show ``col`` (already open) in the sidebar (once, however often it is asked)."""
        key = str(col.root)
        if key in self._activating:
            return
        self._activating.add(key)
        self._switching += 1
        try:
            root = await self.service.call(lambda c: c.tree(), col)
            await self.show_collection(col, root)
        except Exception as exc:
            self.window.show_message(f"Could not list “{col.name}”: {exc}", "error")
        finally:
            self._activating.discard(key)
            self._switching -= 1

    @async_slot
    async def _show_next(self, col: Collection) -> None:
        await self.activate_async(col)

    def close_collection(self, path: str | None = None) -> bool:
        """Close the collection at ``path`` (default: the one shown). Refused, with a message,
        while one of its tabs holds a draft; its other tabs become scratch tabs."""
        col = self.service.find(path) if path else self.service.collection
        if col is None:
            return False
        tabs = self.drafts.tabs(col)
        if any(self.drafts.is_dirty(tab) for tab in tabs):
            self.window.show_message(
                f"“{col.name}” has unsaved drafts: save or revert them first.", "error"
            )
            return False
        for tab in tabs:
            self.drafts.unbind(tab)
        self.service.close(col)
        shown = self.service.collection
        if shown is not None:
            self._show_next(shown)
        else:
            self.model.clear()
            self.panel.show_collection(None)
            self.panel.set_collections([], None)
            self.state.collection = None
            self.watcher.stop()
        self.state.collections = list(self.service.opened)
        self._save_state()
        return True

    # -- the Demo API --------------------------------------------------------------------------
    def demo_root(self) -> str:
        """Where the Demo API collection of this workspace lives (its key when open)."""
        return str((self.data_dir / DEMO_FOLDER).resolve())

    def open_demo(self) -> asyncio.Task[bool]:
        """File → Open Demo API: the demo examples as a read-only collection (the demo API is
        started if it is not running). Returns a task, True once the tree is shown."""
        task: asyncio.Task[bool] = self._open_demo()
        return task

    @async_slot
    async def _open_demo(self) -> bool:
        loaded = await self._load_demo()
        if loaded is None:
            return False
        await self.show_collection(*loaded)
        return True

    async def add_demo(self) -> bool:
        """Open the Demo API collection without showing it (a restart restores it this way
        when another collection was shown at quit). True once it is in the switcher."""
        shown = self.service.collection
        if await self._load_demo() is None:
            return False
        self.service.collection = shown  # the sidebar keeps its collection
        self.panel.set_collections(self._switcher_items(), str(shown.root) if shown else None)
        return True

    async def _load_demo(self) -> tuple[Collection, FolderNode] | None:
        """Start the demo API if needed and (re)build its collection for the API's address."""
        window = self.window
        server = window.demo_server
        if server is None:
            from guiapp.ui.demo_launcher import start_demo

            settings = QSettings(str(self.data_dir / "settings.ini"), QSettings.Format.IniFormat)
            server = start_demo(window, settings, add_examples=False)
        url = server.url
        root = Path(self.demo_root())
        self.drafts.read_only.add(str(root))
        try:
            col, descriptions = await self.service.run(
                build_demo_collection, root, url, self.service.secrets
            )
            tree = await self.service.call(lambda c: c.tree(), col)
        except Exception as exc:
            window.show_message(f"Could not open the Demo API collection: {exc}", "error")
            return None
        self.demo_descriptions = descriptions
        return self.service.adopt(col), tree
