"""The first send of a request that uploads local files from outside its collection asks
once, naming the files (red-team: an imported Postman body ``~/.ssh/id_rsa`` was uploaded on
Send without a word)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox, QPushButton

from guiapp.app import create_window
from guiapp.core.request import FilePart, MultipartBody, RequestSpec, TextPart
from guiapp.ui.file_consent import files_outside
from guiapp.ui.main_window import MainWindow
from tests.ui.conftest import wait_until


def _box(window: MainWindow) -> QMessageBox | None:
    box = window.findChild(QMessageBox, "fileUploadConsent")
    return box if box is not None and box.isVisible() else None


def _upload_spec(window: MainWindow, path: Path, base: str | None = None) -> RequestSpec:
    return RequestSpec(
        url=(base or window.demo_server.url) + "/post",
        method="POST",
        body=MultipartBody((TextPart("note", "hi"), FilePart("key", str(path)))),
    )


def test_upload_from_outside_asks_once_and_remembers(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "id_rsa"
    secret.parent.mkdir()
    secret.write_text("PRIVATE KEY")
    window.load_into_current(_upload_spec(window, secret))

    task = window.send_current()
    wait_until(ui_loop, lambda: _box(window) is not None)
    box = _box(window)
    assert box is not None
    assert str(secret) in box.informativeText()
    box.button(QMessageBox.StandardButton.Cancel).click()
    wait_until(ui_loop, lambda: task is not None and task.done())
    assert window.current_tab().outcome.kind == "error"
    assert "was not allowed" in str(window.current_tab().outcome.message)

    task = window.send_current()  # declined is not remembered: it asks again
    wait_until(ui_loop, lambda: _box(window) is not None)
    box = _box(window)
    assert box is not None
    send = box.findChild(QPushButton, "fileUploadSend")
    send.click()
    wait_until(ui_loop, lambda: task is not None and task.done(), timeout=30)
    outcome = window.current_tab().outcome
    assert outcome.kind == "response"
    assert outcome.value.json()["files"]["key"] == "PRIVATE KEY"

    task = window.send_current()  # allowed once: not asked again
    wait_until(ui_loop, lambda: task is not None and task.done(), timeout=30)
    assert _box(window) is None
    assert window.current_tab().outcome.kind == "response"


def test_the_answer_survives_a_restart(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop, httpbin: Any
) -> None:
    # The answer is remembered for the request (method and URL) and its files: a server whose
    # address stays the same across the restart (the demo API may come back on another port
    # when its old one is still held on a loaded machine).
    data = tmp_path / "data"
    upload = tmp_path / "report.csv"
    upload.write_text("a,b\n")
    first = create_window(data)
    try:
        first.load_into_current(_upload_spec(first, upload, httpbin.url))
        task = first.send_current()
        wait_until(ui_loop, lambda: _box(first) is not None)
        box = _box(first)
        assert box is not None
        box.findChild(QPushButton, "fileUploadSend").click()
        wait_until(ui_loop, lambda: task is not None and task.done(), timeout=30)
        assert first.current_tab().outcome.kind == "response"
    finally:
        first.close()
        first.deleteLater()
    second = create_window(data)
    try:
        second.load_into_current(_upload_spec(second, upload, httpbin.url))
        task = second.send_current()
        asked_or_sent = lambda: _box(second) is not None or (task is not None and task.done())  # noqa: E731
        wait_until(ui_loop, asked_or_sent, timeout=30)
        assert _box(second) is None  # not asked again
        assert second.current_tab().outcome.kind == "response"
    finally:
        second.close()
        second.deleteLater()


def test_requests_without_files_never_ask(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.load_into_current(RequestSpec(url=window.demo_server.url + "/get"))
    task = window.send_current()
    wait_until(ui_loop, lambda: task is not None and task.done(), timeout=30)
    assert _box(window) is None
    assert window.current_tab().outcome.kind == "response"


def test_files_inside_the_collection_do_not_count(tmp_path: Path) -> None:
    root = tmp_path / "col"
    (root / "fixtures").mkdir(parents=True)
    inside = str(root / "fixtures" / "a.bin")
    escape = str(root / "fixtures" / ".." / ".." / "elsewhere")
    assert files_outside([inside, escape, "/etc/passwd"], root) == [escape, "/etc/passwd"]
    assert files_outside([inside], None) == [inside]
