"""Export a request as code: curl, Python ``requests`` or Python ``make_async``.

A read-only code view and a Copy button. Variables stay as ``{{name}}`` unless "Fill in
variables" is ticked (then the active environment's values are used, secrets included: the
checkbox says so).

Example::

    dialog = ExportDialog(spec, resolver=controller.resolve, parent=window)
    dialog.open()
    dialog.code()              # == to_curl(spec) for the default format
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.codegen import to_curl, to_python_make_async, to_python_requests
from guiapp.core.request import RequestSpec
from guiapp.ui.qt_helpers import named

__all__ = ["FORMATS", "ExportDialog"]

#: (id, label, generator) of the formats offered.
FORMATS: tuple[tuple[str, str, Callable[[RequestSpec], str]], ...] = (
    ("curl", "curl", to_curl),
    ("python-requests", "Python (requests)", to_python_requests),
    ("python-make-async", "Python (make_async)", to_python_make_async),
)


class ExportDialog(QDialog):
    """Shows ``spec`` as code in one of :data:`FORMATS`, with a Copy button."""

    def __init__(
        self,
        spec: RequestSpec,
        *,
        resolver: Callable[[RequestSpec], RequestSpec] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export Request as Code")
        self.resize(720, 460)
        self.spec = spec
        self._resolver = resolver
        self.format_combo = named(QComboBox(), "exportFormat")
        for format_id, label, _ in FORMATS:
            self.format_combo.addItem(label, format_id)
        self.resolve_check = named(QCheckBox("Fill in variables (includes secrets)"), "resolve")
        self.resolve_check.setVisible(resolver is not None)
        self.code_view = named(QPlainTextEdit(), "exportCode")
        self.code_view.setReadOnly(True)
        self.code_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.code_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.message = named(QLabel(""), "exportMessage")
        self.copy_button = named(QPushButton("Copy"), "copyButton")
        self.copy_button.setDefault(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy)

        top = QHBoxLayout()
        top.addWidget(QLabel("Format:"))
        top.addWidget(self.format_combo)
        top.addStretch(1)
        top.addWidget(self.resolve_check)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.code_view, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.format_combo.currentIndexChanged.connect(self.refresh)
        self.resolve_check.toggled.connect(self.refresh)
        self.refresh()

    def set_format(self, format_id: str) -> None:
        """Show the format ``format_id`` (see :data:`FORMATS`)."""
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(format_id)))

    def code(self) -> str:
        """The code shown."""
        return self.code_view.toPlainText()

    def refresh(self) -> None:
        """Regenerate the code for the chosen format and options."""
        spec = self.spec
        self.message.setText("")
        if self._resolver is not None and self.resolve_check.isChecked():
            try:
                spec = self._resolver(spec)
            except Exception as exc:  # InvalidRequest naming the unresolved variables
                self.message.setText(str(exc))
        generate = FORMATS[max(0, self.format_combo.currentIndex())][2]
        self.code_view.setPlainText(generate(spec))

    def copy(self) -> None:
        """Copy the code to the clipboard."""
        QGuiApplication.clipboard().setText(self.code())
        self.message.setText("Copied to the clipboard.")
