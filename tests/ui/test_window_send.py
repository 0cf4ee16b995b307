"""Type a URL, click Send, wait, and read the widgets: for each strategy, and on every error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QProgressBar, QPushButton

from guiapp.ui.history_model import ENTRY_ROLE
from guiapp.ui.main_window import MainWindow
from tests.faultserver import FaultServer
from tests.ui.conftest import wait_until

STRATEGIES = ["asyncio-executor", "qthread", "gui-thread"]


def widgets(window: MainWindow) -> dict[str, Any]:
    """The contract widgets, found by objectName as an outside test would."""
    return {
        "url": window.findChild(QLineEdit, "urlEdit"),
        "method": window.findChild(QComboBox, "methodCombo"),
        "send": window.findChild(QPushButton, "sendButton"),
        "cancel": window.findChild(QPushButton, "cancelButton"),
        "strategy": window.findChild(QComboBox, "strategyCombo"),
        "status": window.findChild(QLabel, "statusLabel"),
        "progress": window.findChild(QProgressBar, "progressBar"),
    }


def w_status(window: MainWindow) -> str:
    """The status line's text."""
    return str(widgets(window)["status"].text())


def send_url(
    qtbot: Any, window: MainWindow, loop: asyncio.AbstractEventLoop, url: str, strategy: str = ""
) -> str:
    """Type ``url``, pick ``strategy``, click Send, wait until idle; return the response
    summary as the user reads it (the authoritative status display: ``200 OK · …`` or the
    error). The status line above it says what happened and when (tests/ui/test_window_status)."""
    w = widgets(window)
    if strategy:
        w["strategy"].setCurrentIndex(w["strategy"].findData(strategy))
    w["url"].clear()
    qtbot.keyClicks(w["url"], url)
    qtbot.mouseClick(w["send"], Qt.MouseButton.LeftButton)
    tab = window.current_tab()
    wait_until(loop, lambda: tab.outcome.kind not in ("idle", "sending"))
    panel = window.response.panel
    wait_until(loop, lambda: panel.state == tab.outcome.kind)  # the summary is set
    return str(panel.summary_plain_text())


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_send_shows_status_and_body_for_each_strategy(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, strategy: str
) -> None:
    url = window.demo_server.url + "/get?strategy=" + strategy
    status = send_url(qtbot, window, ui_loop, url, strategy)
    assert status.startswith("200 OK · HTTP/1.1 · Time ")
    assert " B" in status or " kB" in status
    assert w_status(window).startswith(f"Sent GET /get?strategy={strategy} in ")
    panel = window.response.panel
    wait_until(ui_loop, lambda: panel.body_text() and strategy in panel.body_text())
    assert '"strategy"' in panel.body_text()
    assert not widgets(window)["cancel"].isEnabled()


def test_all_strategies_give_the_same_result(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    results = []
    for strategy in STRATEGIES:
        send_url(qtbot, window, ui_loop, window.demo_server.url + "/bytes/2048?seed=7", strategy)
        response = window.current_tab().outcome.value
        results.append((response.status_code, response.size, response.body_bytes()))
    assert results[0][:2] == (200, 2048)
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "Enter a URL"),
        ("http://", "URL"),
        ("ftp://127.0.0.1/x", "ftp"),
        ("http://[::1", "Invalid IPv6"),
        ("http://127.0.0.1:99999/", "Port out of range"),
        ("http://exa mple.com/", "whitespace"),
        ("http://no-such-host.invalid/", "Could not resolve host name 'no-such-host.invalid'"),
        ("http://127.0.0.1:9/", "refused"),
    ],
)
def test_bad_input_shows_a_specific_message_and_the_window_stays_usable(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, url: str, expected: str
) -> None:
    status = send_url(qtbot, window, ui_loop, url)
    assert expected.lower() in status.lower()
    assert window.current_tab().outcome.kind == "error"
    assert "Traceback" not in status
    assert widgets(window)["status"].property("state") == "error"
    # Still usable: the next request works.
    assert send_url(qtbot, window, ui_loop, window.demo_server.url + "/get").startswith("200")


def test_invalid_json_body_is_refused_with_line_and_column(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    editor = window.current_tab().editor
    editor.body.set_mode("json")
    editor.body.json_edit.setPlainText('{\n  "a": 1,\n  "b" 2\n}')
    window.bar.method_combo.setCurrentText("POST")
    status = send_url(qtbot, window, ui_loop, window.demo_server.url + "/post")
    assert status.startswith("Invalid request: Invalid JSON body: line 3, column 7")
    assert w_status(window).startswith("Not sent: check the body · ")
    wait_until(ui_loop, lambda: "line 3" in editor.body.json_status.text())
    editor.body.json_edit.setPlainText('{"a": 1, "b": 2}')
    status = send_url(qtbot, window, ui_loop, window.demo_server.url + "/post")
    assert status.startswith("200 OK")
    assert '"b": 2' in window.current_tab().outcome.value.text()


def test_read_timeout_shows_a_timeout_message(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.current_tab().editor.options.read_timeout.setValue(0.3)
    status = send_url(qtbot, window, ui_loop, window.demo_server.url + "/delay/5")
    assert "timed out" in status.lower() or "timeout" in status.lower()


def test_tls_failure_shows_a_verification_message(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, httpbin_secure: Any
) -> None:
    status = send_url(qtbot, window, ui_loop, httpbin_secure.url + "/get")
    assert window.current_tab().outcome.kind == "error"
    assert "certificate" in status.lower()
    window.current_tab().editor.options.verify_tls.setChecked(False)
    assert send_url(qtbot, window, ui_loop, httpbin_secure.url + "/get").startswith("200")


def test_connection_lost_mid_body_shows_the_partial_body(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    """The error says the partial body is kept: the window shows it, marked incomplete."""
    with FaultServer() as server:
        summary = send_url(qtbot, window, ui_loop, server.url("/close-mid-body"))
    tab = window.current_tab()
    assert tab.outcome.kind == "response"
    assert tab.outcome.value.partial
    assert "lost after 3,000 of 1,000,000 bytes" in tab.outcome.message
    assert summary.startswith("200 OK")
    assert "incomplete: the connection was lost after 3.0 kB of 1.0 MB" in summary
    wait_until(ui_loop, lambda: window.response.panel.body_text() == "y" * 3000)
    status = widgets(window)["status"]
    assert "body incomplete" in status.text()
    assert status.property("state") == "error"


def test_connection_reset_mid_body_is_reported(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    with FaultServer() as server:
        summary = send_url(qtbot, window, ui_loop, server.url("/reset-mid-body"))
    outcome = window.current_tab().outcome
    # A reset may destroy what was sent before it: the headers (and some bytes) or nothing.
    assert outcome.kind in ("response", "error")
    if outcome.kind == "response":
        assert outcome.value.partial
        assert "incomplete" in summary
    assert "Traceback" not in summary


@pytest.mark.parametrize("strategy", ["asyncio-executor", "qthread"])
def test_cancel_mid_download(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, strategy: str
) -> None:
    w = widgets(window)
    w["strategy"].setCurrentIndex(w["strategy"].findData(strategy))
    w["url"].setText(window.demo_server.url + "/drip?numbytes=200&duration=20")
    qtbot.mouseClick(w["send"], Qt.MouseButton.LeftButton)
    tab = window.current_tab()
    wait_until(ui_loop, lambda: tab.progress is not None and tab.progress.done > 0)
    # The bar repaints on its own 20 Hz tick (coalesced), so wait for it.
    wait_until(ui_loop, lambda: "Downloading" in w["progress"].format())
    assert w["cancel"].isEnabled()
    assert w["progress"].isVisible()
    qtbot.keyClick(w["url"], Qt.Key.Key_Escape)
    assert tab.outcome.kind == "cancelled"
    status = w["status"].text()
    assert status.startswith("Cancelled GET /drip?numbytes=200&duration=20 after "), status
    assert " B received · " in status  # how much had arrived
    assert w["status"].property("state") == "cancelled"
    assert not w["cancel"].isEnabled()
    assert not w["progress"].isVisible()


def test_progress_is_determinate_when_length_known(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    w = widgets(window)
    w["url"].setText(window.demo_server.url + "/drip?numbytes=400&duration=20")
    window.send_current()
    tab = window.current_tab()
    wait_until(ui_loop, lambda: tab.progress is not None and tab.progress.done > 0)
    wait_until(ui_loop, lambda: w["progress"].maximum() == 1000 and w["progress"].value() > 0)
    assert " of 400 B" in w["progress"].format()
    window.cancel_current()
    w["url"].setText(window.demo_server.url + "/stream/50?delay=0.2")
    window.send_current()
    wait_until(ui_loop, lambda: tab.progress is not None and tab.progress.done > 0)
    wait_until(ui_loop, lambda: "Downloading" in w["progress"].format())
    assert w["progress"].maximum() == 0  # unknown length: indeterminate
    window.cancel_current()


def test_newest_send_wins(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    w = widgets(window)
    tab = window.current_tab()
    w["url"].setText(window.demo_server.url + "/delay/1?n=first")
    first = window.send_current()
    assert first is not None
    wait_until(ui_loop, lambda: tab.in_flight)
    w["url"].setText(window.demo_server.url + "/get?n=second")
    window.send_current()
    wait_until(ui_loop, lambda: tab.outcome.kind == "response")
    assert "second" in tab.outcome.value.url
    # The first (slow) send must not replace the second: wait until its task has ended (its
    # request cancelled or answered), after which nothing of it can land any more.
    wait_until(ui_loop, first.done)
    wait_until(ui_loop, lambda: not tab.in_flight)
    assert "second" in tab.outcome.value.url
    assert w["status"].text().startswith("Sent GET /get?n=second in ")


def test_a_partial_body_is_recorded_in_history_as_incomplete(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    recorded: list[int] = []
    window.history.recorded.connect(recorded.append)
    with FaultServer() as server:
        send_url(qtbot, window, ui_loop, server.url("/close-mid-body"))
    wait_until(ui_loop, lambda: recorded)
    panel = window.history_panel
    ui_loop.run_until_complete(panel.reload())  # the list as it is now, whatever ran before
    entry = panel.model.index(0, 0).data(ENTRY_ROLE)
    assert entry.summary.status_code == 200
    assert entry.summary.error == "incomplete: the connection was lost after 3.0 kB of 1.0 MB"
    tooltip = panel.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.endswith("\nincomplete: the connection was lost after 3.0 kB of 1.0 MB")
