"""What a demanding user notices: the response gets most of the height, empty states say what
to do, one progress bar, buttons explain themselves, readable titles, a shortcuts list that fits."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import QAbstractButton, QProgressBar, QTableWidget, QWidget

from guiapp.core.request import RequestSpec
from guiapp.ui.main_window import MainWindow
from tests.ui.conftest import run_for, wait_until


def test_response_area_gets_most_of_the_height(window: MainWindow) -> None:
    window.resize(1100, 750)
    for spec in (RequestSpec(url="http://h/"), RequestSpec(url="http://h/", max_body_bytes=9)):
        tab = window.open_tab(spec)
        tab.editor.setCurrentIndex(4)  # Options: the tallest page (a scroll area, not a minimum)
        editor_height, response_height = tab.splitter.sizes()
        assert response_height > 1.5 * editor_height, (editor_height, response_height)


def test_empty_states_say_what_to_do(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.open_tab()
    body = window.response.panel.body
    assert "Send (Ctrl+Enter)" in body.message()
    history = window.history_panel
    assert history is not None
    ui_loop.run_until_complete(history.reload())  # type: ignore[attr-defined]
    assert "No history yet" in history.count_label.text()  # type: ignore[attr-defined]


def test_one_progress_bar_while_sending(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.load_into_current(RequestSpec(url=window.demo_server.url + "/delay/2"))
    window.send_current()
    wait_until(ui_loop, lambda: window.current_tab().in_flight)
    run_for(ui_loop, 0.2)
    bars = [bar for bar in window.findChildren(QProgressBar) if bar.isVisible()]
    assert [bar.objectName() for bar in bars] == ["progressBar"]
    assert "Waiting for the response" in window.response.panel.body.message()
    window.cancel_current()
    assert "cancelled" in window.response.panel.body.message().lower()


def test_every_visible_button_has_a_tooltip(window: MainWindow) -> None:
    missing = [
        button.text() or button.objectName()
        for button in window.findChildren(QAbstractButton)
        if button.isVisible()
        and not button.toolTip()
        and button.objectName() != "qt_dockwidget_closebutton"
        and not button.inherits("QCheckBox")
    ]
    assert missing == []


def test_titles_name_the_host_when_the_path_is_bare(window: MainWindow) -> None:
    window.load_into_current(RequestSpec(url="http://nonexistent.invalid/"))
    assert window.tabs.tabText(window.tabs.currentIndex()) == "GET nonexistent.invalid/"
    assert window.windowTitle() == "GET nonexistent.invalid/ — guiapp"
    window.load_into_current(RequestSpec(url="http://h/items", method="POST"))
    assert window.windowTitle() == "POST /items — guiapp"


def test_shortcuts_dialog_shows_every_row_without_scrolling(qtbot: Any, window: MainWindow) -> None:
    window.show_shortcuts()
    dialog = window.findChild(QWidget, "shortcutsDialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    assert table.verticalScrollBar().maximum() == 0
    keys = table.horizontalHeader().sectionSize(0)
    widest = max(
        table.fontMetrics().horizontalAdvance(table.item(r, 0).text())
        for r in range(table.rowCount())
    )
    assert keys > widest + 8
    dialog.close()


def test_header_tabs_count_their_rows(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    panel = window.response.panel
    window.load_into_current(RequestSpec(url=window.demo_server.url + "/get"))
    window.send_current()
    wait_until(ui_loop, lambda: panel.state == "response")
    count = panel.headers_table.rowCount()
    assert count > 0
    assert panel.tabs.tabText(1) == f"Headers ({count})"
    assert panel.tabs.tabText(2).startswith("Request headers (")
    window.open_tab()
    assert panel.tabs.tabText(1) == "Headers"


def test_a_head_response_says_it_has_no_body(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    # HEAD answers carry the GET's Content-Type (application/json here) but no bytes: this
    # showed an empty JSON text view with Copy enabled instead of saying there is no body.
    tab = window.open_tab(RequestSpec(url=f"{window.demo_server.url}/get", method="HEAD"))
    window.send_current()
    panel = window.response.panel
    wait_until(ui_loop, lambda: tab.outcome.kind == "response" and panel.state == "response")
    body = panel.body
    wait_until(ui_loop, lambda: body.message() != "")
    assert "HEAD response has no body" in body.message()
    assert "Headers tab" in body.message()
    assert not body.copy_button.isEnabled()
    assert not body.find_edit.isEnabled()
    assert tab.outcome.value.headers.get("content-type", "").startswith("application/json")
