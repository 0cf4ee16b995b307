"""An unexpected exception opens one dialog offering the report (copy it, open the log folder)
instead of a traceback; further errors join the open dialog."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from pytestqt.qtbot import QtBot

from guiapp.app import create_window
from guiapp.ui.error_dialog import ErrorReporter, error_report
from guiapp.ui.main_window import MainWindow


@pytest.fixture
def quiet_window(
    qtbot: QtBot, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> Iterator[MainWindow]:
    """A window on a non-first-run data dir, with the suite's qasync loop (its history loads)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.ini").write_text("")  # not a first run: no demo server
    window = create_window(data)
    qtbot.addWidget(window)
    window.show()
    try:
        yield window
    finally:
        window.close()


def _raised(message: str) -> BaseException:
    try:
        raise ValueError(message)
    except ValueError as exc:
        return exc


def test_the_report_holds_the_versions_and_the_traceback() -> None:
    report = error_report(_raised("bad state"))
    first = report.splitlines()[0]
    assert first.startswith("guiapp ")
    assert "Python" in first
    assert "PySide6" in first
    assert "Traceback (most recent call last)" in report
    assert "ValueError: bad state" in report


def test_one_dialog_collects_the_errors_and_offers_the_report(
    quiet_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reporter = ErrorReporter(quiet_window, tmp_path / "logs")
    reporter.report(_raised("first"))
    dialog = reporter.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert "ValueError: first" in dialog.summary.text()
    assert str(tmp_path / "logs") in dialog.summary.text()
    assert not dialog.details.isVisible()  # the traceback stays behind "Details"

    reporter.report(_raised("second"))
    assert reporter.dialog is dialog
    assert dialog.count == 2
    assert "2 unexpected errors" in dialog.summary.text()
    assert "ValueError: second" in dialog.report()

    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.report()

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", opened.append)
    dialog.open_logs_button.click()
    assert [url.toLocalFile() for url in opened] == [str(tmp_path / "logs")]

    dialog.details_button.click()
    assert dialog.details.isVisible()
    assert quiet_window.status_label.text() == "Unexpected error: ValueError: second"


def test_after_closing_the_next_error_opens_a_fresh_report(
    quiet_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    reporter = ErrorReporter(quiet_window, None)
    reporter.report(_raised("one"))
    dialog = reporter.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert not dialog.open_logs_button.isEnabled()  # no log folder to open
    dialog.reject()
    reporter.report(_raised("two"))
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.count == 1
    assert "ValueError: one" not in dialog.report()
