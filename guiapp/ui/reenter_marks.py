"""Mark, in a request editor, every field that holds a masked secret (``***``) to re-enter.

A secret that history or the saved tabs could not keep comes back as ``***``. In a password
field shown as dots that looks like a password that is set, so each such field is made plain to
see: a password field shows its text, the field (or table cell) gets a red frame and a tooltip
saying what to do, and the mark goes as soon as the ``***`` is replaced. Send refuses while any
``***`` is left (:func:`guiapp.core.secret_mask.fields_to_reenter`).

Example::

    tab.editor.load_spec(entry.spec)
    mark_reenter(tab.editor)          # -> how many fields were marked
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLineEdit, QTableWidget, QTableWidgetItem, QWidget

from guiapp.core.request import REDACTED

__all__ = ["REENTER_TIP", "mark_reenter"]

REENTER_TIP = (
    "Re-enter this secret: it was not kept (secret values are never stored in history or the "
    "saved tabs), and Send refuses to send ***."
)
_STYLE = "QLineEdit { border: 1px solid #d33f3f; }"
_CELL = QColor(211, 63, 63, 60)


def mark_reenter(editor: QWidget) -> int:
    """Mark every line edit and table cell under ``editor`` whose text holds ``***``."""
    marked = 0
    for edit in editor.findChildren(QLineEdit):
        if REDACTED in edit.text() and not edit.property("reenter"):
            _mark_edit(edit)
            marked += 1
    for table in editor.findChildren(QTableWidget):
        for row in range(table.rowCount()):
            for column in range(table.columnCount()):
                item = table.item(row, column)
                if item is not None and REDACTED in item.text():
                    _mark_item(table, item)
                    marked += 1
    return marked


def _mark_edit(edit: QLineEdit) -> None:
    echo = edit.echoMode()
    edit.setProperty("reenter", True)
    edit.setEchoMode(QLineEdit.EchoMode.Normal)  # dots would hide that it is "***"
    tooltip, style = edit.toolTip(), edit.styleSheet()
    edit.setToolTip(REENTER_TIP)
    edit.setStyleSheet(_STYLE)

    def on_text_changed(text: str) -> None:
        if REDACTED in text:
            return
        edit.textChanged.disconnect(on_text_changed)
        edit.setProperty("reenter", False)
        # Its eye (guiapp.ui.secret_reveal) may have been clicked meanwhile.
        edit.setEchoMode(QLineEdit.EchoMode.Normal if edit.property("revealed") else echo)
        edit.setToolTip(tooltip)
        edit.setStyleSheet(style)

    edit.textChanged.connect(on_text_changed)


def _mark_item(table: QTableWidget, item: QTableWidgetItem) -> None:
    item.setToolTip(REENTER_TIP)
    item.setBackground(QBrush(_CELL))

    def on_item_changed(changed: QTableWidgetItem) -> None:
        if changed is item and REDACTED not in changed.text():
            table.itemChanged.disconnect(on_item_changed)
            item.setToolTip("")
            item.setBackground(QBrush())

    table.itemChanged.connect(on_item_changed)
