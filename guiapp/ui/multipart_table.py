"""The multipart body table: one row per part, text or file, with a file's name and type.

Columns: Name (its check box enables the row), File (ticked: the value is a path to upload),
Value or path, File name (sent in the part's ``filename``; empty: the file's own name) and
Content-Type (empty: guessed from the file name). Every
:class:`~guiapp.core.request.TextPart` / :class:`~guiapp.core.request.FilePart` field
round-trips; a value starting with ``@`` is plain text unless File is ticked.

Example::

    table = MultipartTable()
    table.set_parts([TextPart("title", "hi"), FilePart("doc", "/tmp/a.pdf", "a.pdf", "text/x")])
    table.parts()      # the same tuple back (enabled, named rows only)
    table.disabled_parts()   # the unticked rows, with their positions: kept, not sent
    table.add_file("/tmp/face.png")
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidgetItem,
    QWidget,
)

from guiapp.core.request import DisabledPart, FilePart, TextPart, merge_rows
from guiapp.ui.qt_helpers import TabLeavingTable

__all__ = ["MultipartTable"]

_NAME, _FILE, _VALUE, _FILENAME, _TYPE = range(5)
_HEADERS = ("Part", "File", "Value (or file path)", "File name", "Content-Type")
_TIPS = (
    "The part's name; untick to keep the row without sending it",
    "Ticked: the value is the path of a file to upload",
    "The text value, or the path of the file",
    "File parts: the file name sent (empty: the file's own name)",
    "File parts: the media type (empty: guessed from the name)",
)


class MultipartTable(TabLeavingTable):
    """Rows of multipart parts; a blank row at the end takes new ones."""

    #: The user changed, added or removed a part (not emitted by :meth:`set_parts`).
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(_HEADERS), parent)
        self.setHorizontalHeaderLabels(_HEADERS)
        for column, tip in enumerate(_TIPS):
            header_item = self.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(tip)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(_VALUE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(_NAME, 160)
        header.resizeSection(_FILE, 48)
        header.resizeSection(_FILENAME, 140)
        header.resizeSection(_TYPE, 170)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_selected_rows)
        self.itemChanged.connect(self._on_item_changed)
        self._append_blank_row()

    def parts(self) -> tuple[TextPart | FilePart, ...]:
        """The enabled rows with a name, in order."""
        return tuple(part for part, on in self._kept() if on)

    def disabled_parts(self) -> tuple[DisabledPart, ...]:
        """The unticked rows (kept, never sent), each with its position among the kept rows."""
        return tuple(DisabledPart(i, part) for i, (part, on) in enumerate(self._kept()) if not on)

    def _kept(self) -> list[tuple[TextPart | FilePart, bool]]:
        # Enabled rows need a name to be sent; an unticked row is kept if anything is typed.
        result: list[tuple[TextPart | FilePart, bool]] = []
        for row in range(self.rowCount()):
            name, value = self._text(row, _NAME), self._text(row, _VALUE)
            on = self._checked(row, _NAME)
            if not name and (on or not value):
                continue
            part: TextPart | FilePart
            if self._checked(row, _FILE):
                filename, media = self._text(row, _FILENAME), self._text(row, _TYPE)
                part = FilePart(name, value, filename or None, media or None)
            else:
                part = TextPart(name, value)
            result.append((part, on))
        return result

    def set_parts(
        self, parts: Iterable[TextPart | FilePart], disabled: Iterable[DisabledPart] = ()
    ) -> None:
        """Replace every row without emitting :attr:`edited`: ``parts`` enabled, ``disabled``
        unticked at their positions."""
        with QSignalBlocker(self):
            self.setRowCount(0)
            for part, on in merge_rows(parts, disabled):
                row = self.rowCount()
                if isinstance(part, FilePart):
                    cells = (part.name, part.path, part.filename or "", part.content_type or "")
                    self._insert_row(row, *cells, is_file=True, enabled=on)
                else:
                    self._insert_row(row, part.name, part.value, "", "", is_file=False, enabled=on)
            self._append_blank_row()
        self.viewport().update()

    def add_file(self, path: str) -> None:
        """Add a file part named ``file`` for ``path`` (the "Add file part…" button)."""
        with QSignalBlocker(self):
            self._insert_row(self.rowCount() - 1, "file", path, "", "", is_file=True)
        self.edited.emit()

    def remove_selected_rows(self) -> None:
        """Delete the selected rows (the trailing blank row stays)."""
        selected = sorted({index.row() for index in self.selectedIndexes()}, reverse=True)
        with QSignalBlocker(self):
            for row in selected:
                if row < self.rowCount() - 1:
                    self.removeRow(row)
        if selected:
            self.edited.emit()

    # -- internals -----------------------------------------------------------------------------
    def _text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""

    def _checked(self, row: int, column: int) -> bool:
        item = self.item(row, column)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def _insert_row(
        self,
        row: int,
        name: str,
        value: str,
        filename: str,
        media: str,
        *,
        is_file: bool,
        enabled: bool = True,
    ) -> None:
        self.insertRow(row)
        name_item = QTableWidgetItem(name)
        name_item.setFlags(name_item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        name_item.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
        file_item = QTableWidgetItem()
        file_item.setFlags(
            (file_item.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable
        )
        file_item.setCheckState(Qt.CheckState.Checked if is_file else Qt.CheckState.Unchecked)
        for column, item in enumerate(
            (name_item, file_item, QTableWidgetItem(value), QTableWidgetItem(filename))
        ):
            self.setItem(row, column, item)
        self.setItem(row, _TYPE, QTableWidgetItem(media))

    def _append_blank_row(self) -> None:
        self._insert_row(self.rowCount(), "", "", "", "", is_file=False)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        last = self.rowCount() - 1
        if item.row() == last and (item.text() or item.column() == _FILE):
            with QSignalBlocker(self):
                self._append_blank_row()
        self.edited.emit()
