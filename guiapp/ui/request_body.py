"""The request body editor: none / JSON / form / multipart / raw / file, round-tripping a Body.

JSON is validated as the user types (debounced) and the message names the line and column, so
the user can fix it before sending; :meth:`RequestBodyEditor.validation_error` is what the
window checks before it sends. Multipart parts are rows of a
:class:`~guiapp.ui.multipart_table.MultipartTable` (text or file, with the file's name and
Content-Type). Every :data:`~guiapp.core.request.Body` round-trips exactly (text as loaded,
line ends included, until edited); an empty optional field (a Content-Type, a file name) means
"not set". JSON mode with no text is ``JsonBody("")`` here; the window sends it as no body.

Example::

    editor = RequestBodyEditor()
    editor.load_body(JsonBody('{"a": 1}'))
    editor.to_body()               # JsonBody(text='{"a": 1}', ...)
    editor.validation_error()      # None, or "Invalid JSON body: line 1, column 9: ..."
"""

from __future__ import annotations

import json

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.request import (
    Body,
    FileBody,
    FormBody,
    JsonBody,
    MultipartBody,
    TextBody,
)
from guiapp.ui.exact_inputs import CodeEdit
from guiapp.ui.kv_table import KeyValueTable
from guiapp.ui.multipart_table import MultipartTable
from guiapp.ui.qt_helpers import named

__all__ = ["BODY_MODES", "RequestBodyEditor", "json_error_message"]

#: (mode id, label) in the order shown in the mode combo.
BODY_MODES = (
    ("none", "None"),
    ("json", "JSON"),
    ("form", "Form (urlencoded)"),
    ("multipart", "Multipart"),
    ("raw", "Raw text"),
    ("file", "Binary file"),
)
_RAW_TYPES = ("text/plain; charset=utf-8", "application/xml", "text/html", "text/csv")
_JSON_TYPES = (
    "application/json",
    "application/vnd.api+json",
    "application/merge-patch+json",
    "application/problem+json",
)


def json_error_message(text: str) -> str | None:
    """``None`` if ``text`` is valid JSON (or blank), else a message with line and column.

    >>> json_error_message('{"a" 1}')
    "Invalid JSON body: line 1, column 6: expecting ':' delimiter"
    >>> json_error_message('  ') is None
    True
    """
    if not text.strip():
        return None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        reason = exc.msg[:1].lower() + exc.msg[1:]
        return f"Invalid JSON body: line {exc.lineno}, column {exc.colno}: {reason}"
    return None


class RequestBodyEditor(QWidget):
    """Body mode selector and one editor per mode."""

    #: The body changed (any mode, any field).
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode_combo = named(QComboBox(), "bodyModeCombo")
        for mode, label in BODY_MODES:
            self.mode_combo.addItem(label, mode)
        self.json_status = named(QLabel(), "jsonStatus")
        self.json_status.setWordWrap(True)

        self.json_edit = named(CodeEdit('{\n  "name": "value"\n}'), "jsonBodyEdit")
        self.json_type = named(QComboBox(editable=True), "jsonContentType")
        self.json_type.addItems(_JSON_TYPES)
        self.json_type.setToolTip("Content-Type sent with the JSON body")
        self.form_table = KeyValueTable("Field", "Value")
        self.multipart_table = MultipartTable()
        self.raw_edit = CodeEdit("Raw text body")
        self.raw_type = QComboBox(editable=True)
        self.raw_type.addItems(_RAW_TYPES)
        self.file_path = QLineEdit(placeholderText="Path of the file to upload")
        self.file_type = QLineEdit(placeholderText="Content-Type (optional)")

        self._json_timer = QTimer(self, singleShot=True, interval=250)
        self._json_timer.timeout.connect(self._validate_json)

        self.stack = QStackedWidget()
        none_page = named(QLabel("This request has no body."), "emptyBodyHint")
        self.stack.addWidget(none_page)
        self.stack.addWidget(self._json_page())
        self.stack.addWidget(self.form_table)
        self.stack.addWidget(self._with_file_button(self.multipart_table))
        self.stack.addWidget(self._raw_page())
        self.stack.addWidget(self._file_page())

        top = QHBoxLayout()
        top.addWidget(QLabel("Body:"))
        top.addWidget(self.mode_combo)
        top.addWidget(self.json_status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self.json_edit.textChanged.connect(self._json_timer.start)
        for signal in (
            self.json_edit.textChanged,
            self.raw_edit.textChanged,
            self.form_table.edited,
            self.multipart_table.edited,
            self.raw_type.currentTextChanged,
            self.json_type.currentTextChanged,
            self.file_path.textChanged,
            self.file_type.textChanged,
        ):
            signal.connect(self.edited)

    # -- pages ---------------------------------------------------------------------------------
    def _json_page(self) -> QWidget:
        return _typed_text_page(self.json_type, self.json_edit)

    def _raw_page(self) -> QWidget:
        return _typed_text_page(self.raw_type, self.raw_edit)

    def _file_page(self) -> QWidget:
        page = QWidget()
        browse = QPushButton("Browse…")
        browse.clicked.connect(lambda: self._pick_file(self.file_path.setText))
        row = QHBoxLayout()
        row.addWidget(self.file_path, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.file_type)
        layout.addStretch(1)
        return page

    def _with_file_button(self, table: MultipartTable) -> QWidget:
        page = QWidget()
        add_file = QPushButton("Add file part…")
        add_file.setToolTip("Choose a file to upload as a new part")
        add_file.clicked.connect(lambda: self._pick_file(self._add_file_part))
        row = QHBoxLayout()
        row.addWidget(add_file)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(table, 1)
        layout.addLayout(row)
        return page

    def _pick_file(self, on_picked: object) -> None:
        # open() rather than exec(): a nested modal loop inside the qasync loop misbehaves.
        dialog = QFileDialog(self, "Choose a file")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(on_picked)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _add_file_part(self, path: str) -> None:
        self.multipart_table.add_file(path)

    # -- state ---------------------------------------------------------------------------------
    def mode(self) -> str:
        """The current mode id (see :data:`BODY_MODES`)."""
        return str(self.mode_combo.currentData())

    def set_mode(self, mode: str) -> None:
        """Switch to the mode with id ``mode``."""
        index = self.mode_combo.findData(mode)
        if index >= 0:
            self.mode_combo.setCurrentIndex(index)

    def validation_error(self) -> str | None:
        """A message for a body that cannot be sent as it stands, else ``None``."""
        if self.mode() == "json":
            return json_error_message(self.json_edit.text())
        if self.mode() == "file" and not self.file_path.text().strip():
            return "Choose a file to send as the body, or switch the body mode to None."
        return None

    def to_body(self) -> Body | None:
        """The body as a core :data:`~guiapp.core.request.Body` (``None`` for no body)."""
        mode = self.mode()
        if mode == "json":
            return JsonBody(self.json_edit.text(), self.json_type.currentText())
        if mode == "form":
            return FormBody(*self.form_table.split_rows())
        if mode == "multipart":
            table = self.multipart_table
            return MultipartBody(table.parts(), table.disabled_parts())
        if mode == "raw":
            return TextBody(self.raw_edit.text(), self.raw_type.currentText())
        if mode == "file":
            return FileBody(self.file_path.text(), self.file_type.text() or None)
        return None

    def load_body(self, body: Body | None) -> None:
        """Show ``body`` (switching to its mode); ``None`` selects mode None."""
        if isinstance(body, JsonBody):
            self.json_edit.set_text(body.text)
            self.json_type.setCurrentText(body.content_type)
            self.set_mode("json")
        elif isinstance(body, FormBody):
            self.form_table.set_split_rows(body.fields, body.disabled_fields)
            self.set_mode("form")
        elif isinstance(body, MultipartBody):
            self.multipart_table.set_parts(body.parts, body.disabled_parts)
            self.set_mode("multipart")
        elif isinstance(body, TextBody):
            self.raw_edit.set_text(body.text)
            self.raw_type.setCurrentText(body.content_type)
            self.set_mode("raw")
        elif isinstance(body, FileBody):
            self.file_path.setText(body.path)
            self.file_type.setText(body.content_type or "")
            self.set_mode("file")
        else:
            self.set_mode("none")
        self._validate_json()

    def _on_mode_changed(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self._validate_json()
        self.edited.emit()

    def _validate_json(self) -> None:
        message = json_error_message(self.json_edit.text()) if self.mode() == "json" else None
        self.json_status.setText(message or ("Valid JSON" if self.mode() == "json" else ""))
        self.json_status.setProperty("state", "error" if message else "ok")
        self.json_status.style().unpolish(self.json_status)
        self.json_status.style().polish(self.json_status)


def _typed_text_page(content_type: QWidget, editor: QWidget) -> QWidget:
    """A Content-Type row over a text editor (the JSON and raw body pages)."""
    page = QWidget()
    row = QHBoxLayout()
    row.addWidget(QLabel("Content-Type:"))
    row.addWidget(content_type, 1)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addLayout(row)
    layout.addWidget(editor, 1)
    return page
