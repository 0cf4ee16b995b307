"""File → Open/New Collection…, Import… and Export Request as Code…: one object the
:class:`~guiapp.ui.workspace.controller.WorkspaceController` composes (``controller.files``).

File dialogs are opened with ``open()`` and report through ``fileSelected``: ``exec()`` inside
a coroutine fails under qasync (#59), and a modal loop would stall the window's other work.

Example::

    dialog = controller.files.open_collection_dialog()   # non-blocking; opens what is picked
    await controller.files.import_file("shop.postman_collection.json")
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from guiapp.offload.qt import async_slot
from guiapp.ui.context import StatusSink
from guiapp.ui.workspace.export_dialog import ExportDialog
from guiapp.ui.workspace.importing import import_file, import_summary, show_import_result

if TYPE_CHECKING:
    from guiapp.core.collections import Collection, FolderNode
    from guiapp.core.importers import ImportResult
    from guiapp.core.request import RequestSpec
    from guiapp.ui.workspace.env_control import EnvironmentController
    from guiapp.ui.workspace.panel import CollectionsPanel
    from guiapp.ui.workspace.service import CollectionService

__all__ = ["CollectionOpener", "FileActions"]


class CollectionOpener(Protocol):
    """What the file dialogs ask of the workspace once the user picked something."""

    def open_collection(self, path: str | Path) -> asyncio.Task[bool]:
        """Open (or show, if already open) the collection at ``path``; False if it failed."""

    async def create_collection(self, path: str | Path, name: str | None = None) -> bool:
        """Create a new collection at ``path`` and show it."""

    async def show_collection(self, col: Collection, root: FolderNode) -> None:
        """Add ``col`` (listed as ``root``) to the sidebar and show it."""


class FileActions:
    """The workspace's file dialogs, import and export.

    It gets exactly what it uses: the collections' ``service`` and the folder imports go
    under (``data_dir``), the ``collections`` it opens things through, the ``environments``
    an import may select, the ``panel`` that shows the import's notice, a ``status`` line,
    the ``parent`` of its dialogs, the ``current_spec`` to export and the ``resolve`` that
    fills in its variables.
    """

    def __init__(
        self,
        *,
        service: CollectionService,
        data_dir: Path,
        collections: CollectionOpener,
        environments: EnvironmentController,
        panel: CollectionsPanel,
        status: StatusSink,
        parent: QWidget,
        current_spec: Callable[[], RequestSpec],
        resolve: Callable[[RequestSpec], RequestSpec],
    ) -> None:
        self.service = service
        self.data_dir = data_dir
        self._collections = collections
        self._environments = environments
        self._panel = panel
        self._status = status
        self._parent = parent
        self._current_spec = current_spec
        self._resolve = resolve

    # -- dialogs -------------------------------------------------------------------------------
    def _dialog(self, title: str, mode: QFileDialog.FileMode) -> QFileDialog:
        dialog = QFileDialog(self._parent, title)
        dialog.setFileMode(mode)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    def open_collection_dialog(self) -> QFileDialog:
        """File → Open Collection…: pick a collection folder (non-blocking dialog)."""
        dialog = self._dialog("Open Collection", QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
        dialog.fileSelected.connect(lambda path: self._open_selected(path))
        dialog.open()
        return dialog

    @async_slot
    async def _open_selected(self, path: str) -> None:
        await self._collections.open_collection(path)

    def new_collection_dialog(self) -> QFileDialog:
        """File → New Collection…: name a new folder; the collection is named after it."""
        dialog = self._dialog("New Collection — choose a new folder", QFileDialog.FileMode.AnyFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setLabelText(QFileDialog.DialogLabel.Accept, "Create")
        dialog.fileSelected.connect(lambda path: self._create_selected(path))
        dialog.open()
        return dialog

    @async_slot
    async def _create_selected(self, path: str) -> None:
        await self._collections.create_collection(path)

    def import_dialog(self) -> QFileDialog:
        """File → Import…: a Postman v2.1 collection or an OpenAPI 3 document (JSON/YAML)."""
        dialog = self._dialog("Import Postman or OpenAPI", QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Postman / OpenAPI (*.json *.yaml *.yml)", "All files (*)"])
        dialog.fileSelected.connect(lambda path: self._import_selected(path))
        dialog.open()
        return dialog

    @async_slot
    async def _import_selected(self, path: str) -> None:
        await self.import_file(path)

    async def import_file(
        self, source: str | Path, dest: Path | None = None
    ) -> ImportResult | None:
        """Import ``source`` into a new collection (default: under ``data_dir/collections``),
        *add* it to the open collections and show it, show the warnings, offer to use the
        environment the import created, and return what was imported; None (and a message in
        the status line) if it failed."""
        root = self.data_dir / "collections"
        try:
            result = await self.service.run(
                import_file, Path(source), dest, root, self.service.secrets
            )
        except Exception as exc:
            self._status.show_message(f"Import failed: {exc}", "error")
            return None
        col = self.service.adopt(result.collection)
        root_node = await self.service.call(lambda c: c.tree(), col)
        await self._collections.show_collection(col, root_node)
        warned = f" — {len(result.warnings)} warning(s)" if result.warnings else ""
        self._status.show_message(import_summary(result) + warned, "ok")
        box = show_import_result(self._parent, result)
        if result.environments:
            name = result.environments[0].name
            use = box.addButton(f"Use “{name}”", QMessageBox.ButtonRole.ActionRole)
            use.setObjectName("useImportedEnvironment")
            use.clicked.connect(lambda: self._use_environment(col, name))
            self._panel.show_notice(
                f"The import created the environment “{name}”.",
                "Use it",
                lambda: self._use_environment(col, name),
                sticky=True,
            )
        return result

    def _use_environment(self, col: Collection, name: str) -> None:
        if col is self.service.collection:
            self._environments.bar.select(name)

    def export_current(self) -> ExportDialog:
        """File → Export Request as Code…: the current tab as curl / Python."""
        dialog = ExportDialog(self._current_spec(), resolver=self._resolve, parent=self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
