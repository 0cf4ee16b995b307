"""Bad input never crashes, end to end in the real window: each failure shows its own message in
``statusLabel`` *and* in the response panel, and the window sends the next request normally."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from guiapp.core.request import RequestSpec
from guiapp.ui.main_window import MainWindow
from tests.faultserver import FullBacklog
from tests.ui.conftest import wait_until
from tests.ui.test_window_send import send_url


def _check_error_shown(window: MainWindow, expected: str) -> str:
    status = window.findChild(QLabel, "statusLabel")
    assert window.current_tab().outcome.kind == "error"
    assert status.property("state") == "error"
    panel = window.response.panel
    assert panel.state == "error"
    summary = panel.summary_plain_text()
    assert expected.lower() in summary.lower(), summary
    # The status line says in short what failed and when; the details are the panel's.
    assert " failed: " in status.text() or status.text().startswith("Not sent: "), status.text()
    title, detail = summary.split(": ", 1)
    assert detail not in status.text()  # not repeated
    assert title[0].lower() + title[1:] in status.text() or "Not sent" in status.text()
    for text in (status.text(), summary):
        assert "Traceback" not in text
        assert "Error:" not in text  # no Python class names
        assert "Failure" not in text
    return summary


def _still_usable(qtbot: Any, window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    window.current_tab().editor.options.load_options(RequestSpec(url=""))  # default options
    assert send_url(qtbot, window, loop, window.demo_server.url + "/get").startswith("200 OK")
    assert window.findChild(QLabel, "statusLabel").text().startswith("Sent GET /get in ")
    assert window.response.panel.state == "response"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://exa mple.com/", "whitespace"),
        ("http://nonexistent.invalid/", "Could not resolve host name 'nonexistent.invalid'"),
        ("http://127.0.0.1:9/", "refused"),
    ],
)
def test_url_and_connection_errors_show_in_status_and_panel(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, url: str, expected: str
) -> None:
    send_url(qtbot, window, ui_loop, url)
    _check_error_shown(window, expected)
    _still_usable(qtbot, window, ui_loop)


def test_invalid_json_body_shows_in_status_and_panel(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    editor = window.current_tab().editor
    editor.body.set_mode("json")
    editor.body.json_edit.setPlainText('{"a": }')
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/post")
    _check_error_shown(window, "Invalid JSON body: line 1, column 7")
    editor.body.set_mode("none")
    _still_usable(qtbot, window, ui_loop)


def test_read_timeout_and_connect_timeout_have_different_messages(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    options = window.current_tab().editor.options
    options.read_timeout.setValue(0.3)
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/delay/5")
    read_message = _check_error_shown(window, "read timeout")
    with FullBacklog() as backlog:
        if not backlog.connect_blocks():
            pytest.skip("this kernel does not block connects to a full accept queue")
        options.connect_timeout.setValue(0.3)
        options.read_timeout.setValue(30.0)
        send_url(qtbot, window, ui_loop, backlog.url("/get"))
        connect_message = _check_error_shown(window, "connect")
    assert "read timeout" not in connect_message.lower()
    assert connect_message != read_message
    _still_usable(qtbot, window, ui_loop)


def test_tls_failure_shows_in_status_and_panel(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, httpbin_secure: Any
) -> None:
    send_url(qtbot, window, ui_loop, httpbin_secure.url + "/get")
    _check_error_shown(window, "certificate")
    _still_usable(qtbot, window, ui_loop)


def test_body_over_max_body_bytes_is_refused_with_the_limit(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.current_tab().editor.options.max_body.set_bytes(1024)
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/bytes/5000")
    message = _check_error_shown(window, "1,024")
    assert "larger" in message.lower() or "limit" in message.lower() or "exceed" in message.lower()
    window.current_tab().editor.options.max_body.set_bytes(None)
    wait_until(ui_loop, lambda: window.current_tab().editor.to_spec().max_body_bytes is None)
    _still_usable(qtbot, window, ui_loop)
