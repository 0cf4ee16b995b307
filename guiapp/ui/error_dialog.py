"""The dialog for an unexpected exception: what happened in one sentence, the report (versions
and traceback) behind "Details", and two ways to pass it on (copy it, open the log folder).

The app keeps running; the report is also in the log file. While the dialog is open, further
errors are added to the same report instead of stacking dialogs.

Example::

    reporter = ErrorReporter(window, log_dir)
    set_slot_error_handler(reporter.report)   # and sys.excepthook -> reporter.report
"""

from __future__ import annotations

import platform
import traceback
from pathlib import Path

import PySide6
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import guiapp
from guiapp.ui.main_window import MainWindow

__all__ = ["ErrorReportDialog", "ErrorReporter", "error_report"]


def error_report(exc: BaseException) -> str:
    """The text a user can pass on: versions, platform and the traceback of ``exc``."""
    header = (
        f"guiapp {guiapp.__version__}, Python {platform.python_version()}, "
        f"PySide6 {PySide6.__version__} (Qt {qVersion()}), {platform.platform()}"
    )
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{header}\n\n{trace}"


class ErrorReportDialog(QDialog):
    """Non-modal dialog showing an error report; :meth:`add` appends the next one."""

    def __init__(self, log_dir: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorReportDialog")
        self.setWindowTitle("guiapp — unexpected error")
        self._log_dir = log_dir
        self._count = 0
        self.summary = QLabel()
        self.summary.setObjectName("errorSummary")
        self.summary.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setObjectName("errorReport")
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.details_button = self._button(buttons, "Details", "errorDetails")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._on_details_toggled)
        self.copy_button = self._button(buttons, "Copy report", "errorCopy")
        self.copy_button.clicked.connect(self.copy_report)
        self.open_logs_button = self._button(buttons, "Open log folder", "errorOpenLogs")
        self.open_logs_button.setEnabled(log_dir is not None)
        self.open_logs_button.clicked.connect(self.open_log_folder)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(620, 160)

    @staticmethod
    def _button(box: QDialogButtonBox, text: str, name: str) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName(name)
        button.setAutoDefault(False)
        return button

    @property
    def count(self) -> int:
        """How many errors the report holds."""
        return self._count

    def report(self) -> str:
        """The full report text."""
        return self.details.toPlainText()

    def clear(self) -> None:
        """Forget the errors shown so far (before the dialog opens again)."""
        self._count = 0
        self.details.clear()

    def add(self, exc: BaseException) -> None:
        """Add ``exc`` to the report and say how many errors it holds."""
        self._count += 1
        if self._count == 1:
            self.details.setPlainText(error_report(exc))
        else:
            self.details.appendPlainText(f"\n--- error {self._count}\n\n{error_report(exc)}")
        where = f" It is also in the log file in {self._log_dir}." if self._log_dir else ""
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        first = "An unexpected error" if self._count == 1 else f"{self._count} unexpected errors"
        self.summary.setText(
            f"{first} happened inside guiapp (latest: {what}). The app keeps running; the "
            f"report under Details helps to fix it.{where}"
        )

    def copy_report(self) -> None:
        """Put the report on the clipboard."""
        QGuiApplication.clipboard().setText(self.report())

    def open_log_folder(self) -> None:
        """Open the log folder in the desktop's file manager."""
        if self._log_dir is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_dir)))

    def _on_details_toggled(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.resize(self.width(), 420 if shown else 160)


class ErrorReporter:
    """Routes an unexpected exception to the log and status line (``window.report_error``) and
    to one :class:`ErrorReportDialog` at a time."""

    def __init__(self, window: MainWindow, log_dir: Path | None) -> None:
        self._window = window
        self._log_dir = log_dir
        self.dialog: ErrorReportDialog | None = None

    def report(self, exc: BaseException) -> None:
        """Log ``exc``, show it in the status line and in the dialog (opened if needed)."""
        self._window.report_error(exc)
        if self.dialog is None:
            self.dialog = ErrorReportDialog(self._log_dir, self._window)
        if not self.dialog.isVisible():
            self.dialog.clear()
            self.dialog.add(exc)
            self.dialog.open()
        else:
            self.dialog.add(exc)
