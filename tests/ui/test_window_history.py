"""Each finished send is recorded in the history store (through the SerialLane), errors too;
unexpected exceptions become a status line, never a traceback for the user; the View menu
accepts actions from other windows."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import threading
from typing import Any

from PySide6.QtGui import QAction

from guiapp.ui.main_window import MainWindow
from tests.ui.conftest import wait_until


def _history(window: MainWindow, loop: asyncio.AbstractEventLoop) -> list[Any]:
    recorder = window.history
    names: list[str] = []

    def listing() -> list[Any]:
        names.append(threading.current_thread().name)
        return recorder.store.list()

    async def query() -> list[Any]:
        return await recorder.lane.submit(listing)  # the store's own thread

    entries = loop.run_until_complete(query())
    assert names[0].startswith("guiapp-history")
    return entries


def test_sends_are_recorded_in_history(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    recorded: list[int] = []
    window.history.recorded.connect(recorded.append)
    base = window.demo_server.url
    window.bar.url_edit.setText(base + "/get?h=1")
    window.send_current()
    wait_until(ui_loop, lambda: len(recorded) == 1)
    window.bar.url_edit.setText("http://127.0.0.1:9/refused")
    window.send_current()
    wait_until(ui_loop, lambda: len(recorded) == 2)
    window.bar.url_edit.setText("")
    window.send_current()  # refused before sending: not history
    wait_until(ui_loop, lambda: window.current_tab().outcome.kind == "error")
    entries = _history(window, ui_loop)
    assert [e.url for e in entries] == ["http://127.0.0.1:9/refused", base + "/get"]
    assert entries[1].spec.params == (("h", "1"),)
    assert entries[1].summary.status_code == 200
    assert entries[0].summary.status_code is None
    assert "refused" in (entries[0].summary.error or "").lower()


def test_unexpected_errors_become_a_status_line(window: MainWindow) -> None:
    try:
        raise ValueError("boom in a slot")
    except ValueError as exc:
        window.report_error(exc)
    text = window.status_label.text()
    assert text == "Unexpected error: ValueError: boom in a slot"
    assert window.status_label.property("state") == "error"
    assert "Traceback" not in text
    assert sys.excepthook is not None


def test_view_menu_accepts_other_windows_actions(window: MainWindow) -> None:
    action = QAction("Lab", window)
    window.add_view_action(action)
    assert action in window.view_menu.actions()


def test_restoring_from_the_history_list_loads_the_request(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QListView

    base = window.demo_server.url
    window.bar.method_combo.setCurrentText("PUT")
    window.bar.url_edit.setText(base + "/put?restored=yes")
    window.current_tab().editor.headers.set_pairs([("X-Restore", "1")])
    window.send_current()
    history_list = window.findChild(QListView, "historyList")
    assert history_list is not None
    wait_until(ui_loop, lambda: history_list.model().rowCount() >= 1)

    fresh = window.open_tab()
    assert fresh.editor.url_text == ""
    rect = history_list.visualRect(history_list.model().index(0, 0))
    # A real double-click is press, release, then the double-click event.
    qtbot.mouseClick(history_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(history_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_until(ui_loop, lambda: fresh.editor.url_text != "")
    assert window.current_tab() is fresh
    assert window.bar.url_edit.text() == base + "/put?restored=yes"
    assert window.bar.method_combo.currentText() == "PUT"
    assert fresh.editor.headers.pairs() == [("X-Restore", "1")]


def test_a_request_resolver_maps_the_spec_before_sending(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    from dataclasses import replace

    from guiapp.core.errors import InvalidRequest
    from guiapp.core.request import RequestSpec

    base = window.demo_server.url

    def resolve(spec: RequestSpec) -> RequestSpec:
        if "{{missing}}" in spec.url:
            raise InvalidRequest("Unresolved variable {{missing}}", field="url")
        return replace(spec, url=spec.url.replace("{{base}}", base))

    window.set_request_resolver(resolve)
    window.bar.url_edit.setText("{{base}}/get?via=resolver")
    window.send_current()
    wait_until(ui_loop, lambda: window.current_tab().outcome.kind == "response")
    assert window.current_tab().outcome.value.url == base + "/get?via=resolver"
    assert window.bar.url_edit.text() == "{{base}}/get?via=resolver"  # the editor keeps it
    window.bar.url_edit.setText("{{missing}}/x")
    window.send_current()
    wait_until(ui_loop, lambda: window.current_tab().outcome.kind == "error")
    assert window.status_label.text().startswith("Not sent: check the URL · ")
    assert "Unresolved variable {{missing}}" in window.response.panel.summary_plain_text()


def test_the_app_excepthook_reports_without_a_traceback(window: MainWindow) -> None:
    from guiapp.app import _reporting_excepthook

    reported: list[BaseException] = []
    hook = _reporting_excepthook(reported.append)  # the app passes ErrorReporter.report
    try:
        raise KeyError("missing-thing")
    except KeyError as exc:
        hook(type(exc), exc, exc.__traceback__)
    assert [repr(e) for e in reported] == ["KeyError('missing-thing')"]


def test_history_failures_reach_the_status_line(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop, monkeypatch: Any
) -> None:
    def read_only(*args: Any, **kwargs: Any) -> int:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(window.history.store, "add", read_only)
    window.bar.url_edit.setText(window.demo_server.url + "/get")
    window.send_current()
    label = window.response_area.status_label
    wait_until(ui_loop, lambda: "not saved in the history" in label.text())
    assert label.text().endswith("attempt to write a readonly database")

    window.history_panel.actionFailed.emit("Could not clear the history: disk full")
    assert label.text() == "Could not clear the history: disk full"
