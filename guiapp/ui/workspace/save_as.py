"""Save As: choose a collection, a folder in it and a name for the current tab's request.

The dialog (``saveAsDialog``) lists the open collections that can be written (the Demo API
cannot), the folders of the chosen one (listed on the workspace's lane, filled in when they
arrive) and a name. It is opened with ``open()``; the workspace creates the request when it is
accepted and binds the tab to the new file (the old file, if any, is left as it was).

Example::

    dialog = SaveAsDialog([(str(col.root), col.name)], "Get user", parent=window)
    dialog.collectionChosen.connect(lambda root: dialog.set_folders(root, ["", "users"]))
    dialog.accepted.connect(lambda: print(dialog.choice()))   # (root, folder, name)
    dialog.open()
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from guiapp.ui.qt_helpers import named

__all__ = ["SaveAsDialog"]


class SaveAsDialog(QDialog):
    """Where to save a request: collection, folder, name."""

    #: The user picked another collection (its root): list its folders with set_folders().
    collectionChosen = Signal(str)

    def __init__(
        self,
        collections: list[tuple[str, str]],
        name: str,
        *,
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("saveAsDialog")
        self.setWindowTitle("Save Request As")
        self.collection_combo = named(QComboBox(), "saveAsCollection")
        for root, title in collections:
            self.collection_combo.addItem(title, root)
            self.collection_combo.setItemData(
                self.collection_combo.count() - 1, root, Qt.ItemDataRole.ToolTipRole
            )
        self.folder_combo = named(QComboBox(), "saveAsFolder")
        self.name_edit = named(QLineEdit(name), "saveAsName")
        self.name_edit.selectAll()
        self.problem = named(QLabel(""), "saveAsProblem")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Collection", self.collection_combo)
        form.addRow("Folder", self.folder_combo)
        form.addRow("Name", self.name_edit)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        if current is not None:
            index = self.collection_combo.findData(current)
            if index >= 0:
                self.collection_combo.setCurrentIndex(index)
        self.collection_combo.currentIndexChanged.connect(self._on_collection_changed)
        self.name_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.resize(420, 160)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._on_collection_changed()

    def _on_collection_changed(self, *_args: object) -> None:
        self.folder_combo.clear()
        root = self.collection_combo.currentData()
        if root:
            self.collectionChosen.emit(str(root))
        self._update_ok()

    def set_folders(self, root: str, folders: list[str]) -> None:
        """Offer ``folders`` (ids; ``""`` is the collection's top level) of ``root``."""
        if self.collection_combo.currentData() != root:
            return  # the user picked another collection meanwhile
        self.folder_combo.clear()
        for folder in folders:
            self.folder_combo.addItem(folder or "(top level)", folder)
        self._update_ok()

    def _update_ok(self, *_args: object) -> None:
        if not self.collection_combo.count():
            problem = "Open or create a collection to save into (the Demo API is read-only)."
        elif not self.name_edit.text().strip():
            problem = "Give the request a name."
        else:
            problem = ""
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(not problem)

    def choice(self) -> tuple[str, str, str]:
        """(collection root, folder id, name) as chosen."""
        folder = self.folder_combo.currentData()
        return (
            str(self.collection_combo.currentData() or ""),
            str(folder or ""),
            self.name_edit.text().strip(),
        )
