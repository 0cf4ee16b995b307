"""The keyboard shortcuts of the main window, and the Help → Keyboard Shortcuts dialog.

:data:`SHORTCUTS` is the single source: the window binds its actions from it and the dialog
lists it, so the two cannot drift apart.

Example::

    dialog = ShortcutsDialog(window)
    dialog.open()          # non-blocking; never exec() inside the qasync loop
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = ["SHORTCUTS", "ShortcutsDialog", "extra_shortcuts", "key_sequences"]

#: action id -> (key sequences, description)
SHORTCUTS: dict[str, tuple[tuple[str, ...], str]] = {
    "send": (("Ctrl+Return", "Ctrl+Enter"), "Send the request"),
    "cancel": (("Esc",), "Cancel the request in flight"),
    "new_tab": (("Ctrl+T",), "New request tab"),
    "close_tab": (("Ctrl+W",), "Close the tab (cancels its request)"),
    "next_tab": (("Ctrl+PgDown",), "Next tab"),
    "previous_tab": (("Ctrl+PgUp",), "Previous tab"),
    "focus_url": (("Ctrl+L",), "Focus the URL field"),
    "copy_curl": (("Ctrl+Shift+C",), "Copy the request as a curl command"),
    "duplicate_tab": (("Ctrl+Shift+D",), "Duplicate the tab"),
    "toggle_history": (("Ctrl+H",), "Show or hide the history"),
    "shortcuts": (("F1",), "Show this list"),
    "quit": (("Ctrl+Q",), "Quit"),
}


def extra_shortcuts(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """``(keys, text)`` of the actions with a shortcut that :data:`SHORTCUTS` does not list
    (actions other components added, e.g. the Lab's)."""
    known = {f"action-{action_id}" for action_id in SHORTCUTS}
    return [
        (action.shortcut().toString(), action.text().replace("&", ""))
        for action in actions
        if action.objectName() not in known and not action.shortcut().isEmpty()
    ]


def key_sequences(action_id: str) -> list[QKeySequence]:
    """The QKeySequences of ``action_id``."""
    return [QKeySequence(text) for text in SHORTCUTS[action_id][0]]


class ShortcutsDialog(QDialog):
    """A read-only table of :data:`SHORTCUTS`, in platform-native key notation."""

    def __init__(
        self, parent: QWidget | None = None, extra: list[tuple[str, str]] | None = None
    ) -> None:
        """``extra``: more ``(keys, description)`` rows, e.g. actions other windows added."""
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard Shortcuts")
        extra = extra or []
        table = QTableWidget(len(SHORTCUTS) + 1 + len(extra), 2, self)
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels(["Keys", "Action"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        rows = [(keys, text) for keys, text in SHORTCUTS.values()]
        rows.append((("Ctrl+V",), "Paste a curl command into the URL field to import it"))
        rows.extend(((keys,), text) for keys, text in extra)
        for row, (keys, text) in enumerate(rows):
            native = ", ".join(
                QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys
            )
            table.setItem(row, 0, QTableWidgetItem(native))
            table.setItem(row, 1, QTableWidgetItem(text))
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # read-only: no focus frame on a cell
        table.setWordWrap(False)
        table.resizeColumnsToContents()
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, header.sectionSize(0) + 24)  # breathing room after the keys
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        # Tall enough for every row (no scrolling for a list this short), within the screen.
        rows_height = sum(table.rowHeight(r) for r in range(table.rowCount()))
        wanted = rows_height + header.height() + buttons.sizeHint().height() + 48
        screen = self.screen().availableGeometry() if self.screen() else None
        limit = screen.height() - 40 if screen is not None else wanted
        self.resize(640, min(wanted, limit))
