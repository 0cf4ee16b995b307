"""Keyboard-only use and small windows: where focus goes, where Tab goes, what never shifts,
widens or gets squeezed away. Each test pins a defect found driving the real window."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QTabBar, QWidget

from guiapp.core.request import RequestSpec
from guiapp.ui.main_window import MainWindow
from tests.ui.conftest import wait_until


def _focus(window: MainWindow) -> QWidget | None:
    return QApplication.focusWidget()


def _active(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_the_url_field_has_focus_at_start_and_in_a_new_tab(qtbot: Any, window: MainWindow) -> None:
    _active(qtbot, window)
    url = window.findChild(QLineEdit, "urlEdit")
    qtbot.waitUntil(lambda: _focus(window) is url)  # not the tab bar: ready to type a URL
    window.tabs.tabBar().setFocus()
    qtbot.keyClick(window.tabs.tabBar(), Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() >= 2
    assert _focus(window) is window.findChild(QLineEdit, "urlEdit")


def test_switching_tabs_from_the_url_field_keeps_typing_there(
    qtbot: Any, window: MainWindow
) -> None:
    _active(qtbot, window)
    window.open_tab(RequestSpec(url="http://127.0.0.1:9/a"))
    window.open_tab(RequestSpec(url="http://127.0.0.1:9/b"))
    url = window.bar.url_edit
    url.setFocus()
    qtbot.keyClick(url, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.bar.url_edit.text() == "http://127.0.0.1:9/a"
    assert _focus(window) is url  # was: the editor's section tab bar


def test_closing_the_focused_tab_returns_focus_to_the_url_field(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    _active(qtbot, window)
    window.open_tab(RequestSpec(url="http://127.0.0.1:9/keep"))
    tab = window.open_tab(RequestSpec(url=f"{window.demo_server.url}/delay/10"))
    window.send_current()
    wait_until(ui_loop, lambda: tab.in_flight)
    tab.editor.params.setFocus()
    qtbot.keyClick(tab.editor.params, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert tab.outcome.kind == "cancelled"
    assert window.bar.url_edit.text() == "http://127.0.0.1:9/keep"
    assert _focus(window) is window.bar.url_edit  # was: the method combo


def test_tab_goes_in_reading_order_and_leaves_the_params_table(
    qtbot: Any, window: MainWindow
) -> None:
    _active(qtbot, window)
    window.open_tab(RequestSpec(url="http://127.0.0.1:9/x", params=(("a", "1"),)))
    window.bar.method_combo.setFocus()
    seen: list[str] = []
    for _ in range(12):
        widget = _focus(window)
        assert widget is not None
        seen.append(widget.objectName() or type(widget).__name__)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    # Cancel is disabled (nothing in flight), so it is skipped.
    assert seen[:4] == ["methodCombo", "urlEdit", "sendButton", "strategyCombo"], seen
    assert "paramsTable" in seen
    after_table = seen[len(seen) - seen[::-1].index("paramsTable") :]
    # Qt's tables wrap Tab from the last cell to the first: the keyboard never got out.
    assert after_table, seen
    response_tabs = window.response.panel.tabs.tabBar()
    assert after_table[0] == response_tabs.objectName(), seen


def test_shift_tab_leaves_the_table_backwards(qtbot: Any, window: MainWindow) -> None:
    _active(qtbot, window)
    params = window.open_tab(RequestSpec(url="http://127.0.0.1:9/x")).editor.params
    params.setFocus()
    params.setCurrentCell(0, 0)
    qtbot.keyClick(params, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert _focus(window) is not params
    assert isinstance(_focus(window), QTabBar)  # the editor's Params | Headers | … bar


def test_editing_the_last_cell_then_tab_leaves_the_table(qtbot: Any, window: MainWindow) -> None:
    _active(qtbot, window)
    params = window.open_tab(RequestSpec(url="http://127.0.0.1:9/x")).editor.params
    params.setFocus()
    params.setCurrentCell(0, 1)
    params.editItem(params.item(0, 1))
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # nothing typed: the blank draft row stays last
    assert _focus(window) is not params
    assert params.state() != params.State.EditingState


def test_inputs_have_accessible_names(window: MainWindow) -> None:
    assert window.findChild(QComboBox, "methodCombo").accessibleName() == "HTTP method"
    assert window.findChild(QComboBox, "methodCombo").lineEdit().accessibleName() == "HTTP method"
    assert window.findChild(QLineEdit, "urlEdit").accessibleName() == "Request URL"
    assert window.findChild(QComboBox, "strategyCombo").accessibleName() == "Send strategy"
    assert window.bar.url_edit.toolTip()
    clear_buttons = [b for b in window.bar.url_edit.children() if b.inherits("QToolButton")]
    assert clear_buttons
    assert all(b.toolTip() == "Clear the URL" for b in clear_buttons)


def test_send_button_does_not_change_width_when_it_becomes_resend(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    send = window.bar.send_button
    url = window.bar.url_edit
    idle = (send.width(), url.width())
    tab = window.open_tab(RequestSpec(url=f"{window.demo_server.url}/delay/10"))
    window.send_current()
    wait_until(ui_loop, lambda: tab.in_flight and send.text() == "Resend")
    QApplication.processEvents()
    assert (send.width(), url.width()) == idle  # the URL field did not jump
    window.cancel_current()


def test_a_long_url_does_not_widen_the_window(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.resize(1100, 750)
    QApplication.processEvents()
    width = window.width()
    long_url = f"{window.demo_server.url}/anything/{'segment-' * 60}?q={'x' * 300}"
    tab = window.open_tab(RequestSpec(url=long_url))
    window.send_current()
    panel = window.response.panel
    wait_until(ui_loop, lambda: tab.outcome.kind == "response" and panel.state == "response")
    QApplication.processEvents()
    assert window.width() == width
    assert window.minimumSizeHint().width() < 1000
    assert "x" * 300 in panel.summary.toolTip()  # the full URL is one hover away
    assert "…" in panel.summary_plain_text()


def test_narrow_window_keeps_the_url_readable(window: MainWindow) -> None:
    window.resize(400, 400)  # below the minimum: Qt clamps to it
    QApplication.processEvents()
    assert window.width() < 820  # still fits a small screen
    assert window.bar.url_edit.width() >= 180
    assert window.history_panel.width() >= 150
    bar = window.bar
    for widget in (bar.method_combo, bar.url_edit, bar.send_button, bar.cancel_button):
        assert widget.geometry().right() <= bar.strategy_combo.geometry().left()  # no overlap
    assert bar.strategy_combo.geometry().right() <= bar.width()


def test_many_tabs_scroll_instead_of_squeezing_titles(window: MainWindow) -> None:
    window.resize(900, 700)
    for i in range(20):
        window.open_tab(RequestSpec(url=f"http://127.0.0.1:9/get?tab={i}"))
    QApplication.processEvents()
    tab_bar = window.tabs.tabBar()
    assert tab_bar.usesScrollButtons()
    metrics = tab_bar.fontMetrics()
    index = window.tabs.currentIndex()
    # The whole title fits its tab (was: every tab squeezed to "GE…le").
    assert tab_bar.tabRect(index).width() > metrics.horizontalAdvance(tab_bar.tabText(index))
    assert window.tabs.elideMode() == Qt.TextElideMode.ElideNone


def test_cancelling_from_the_cancel_button_leaves_focus_on_send(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    _active(qtbot, window)
    tab = window.open_tab(RequestSpec(url=f"{window.demo_server.url}/delay/10"))
    window.send_current()
    wait_until(ui_loop, lambda: tab.in_flight)
    cancel = window.bar.cancel_button
    cancel.setFocus()
    qtbot.keyClick(cancel, Qt.Key.Key_Space)
    assert tab.outcome.kind == "cancelled"
    assert not cancel.isEnabled()
    assert _focus(window) is window.bar.send_button  # was: the strategy combo


def test_find_is_off_when_there_is_no_text_to_search(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    find = window.findChild(QLineEdit, "responseFind")
    window.open_tab()
    assert not find.isEnabled()  # no response yet
    panel = window.response.panel
    for path, searchable in (("/image/png", False), ("/status/204", False), ("/get", True)):
        tab = window.open_tab(RequestSpec(url=window.demo_server.url + path))
        window.send_current()
        wait_until(
            ui_loop, lambda t=tab: t.outcome.kind == "response" and panel.state == "response"
        )
        wait_until(ui_loop, lambda s=searchable: find.isEnabled() == s)
    window.open_tab(RequestSpec(url="http://127.0.0.1:9/"))
    window.send_current()
    wait_until(ui_loop, lambda: panel.state == "error")
    assert not find.isEnabled()
