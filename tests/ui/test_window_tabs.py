"""Tabs send in parallel and independently; findChild follows the current tab; curl paste;
shortcuts; themes; settings restored from the ini file in data_dir."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QLineEdit, QTableWidget, QWidget

from guiapp.app import create_window
from guiapp.core.request import BearerAuth, JsonBody, RequestSpec
from guiapp.ui.main_window import MainWindow
from guiapp.ui.shortcuts import SHORTCUTS
from guiapp.ui.theme import ThemeManager
from tests.ui.conftest import wait_until


def test_tabs_send_concurrently_and_independently(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    base = window.demo_server.url
    tabs = []
    for i in range(4):
        tab = window.open_tab(RequestSpec(url=f"{base}/delay/1", params=[("tab", str(i))]))
        window.send_current()
        tabs.append(tab)
    # All four in flight at once: the tabs send independently (no timing needed to show it).
    wait_until(ui_loop, lambda: all(t.in_flight for t in tabs))
    assert window.tabs.tabIcon(window.tabs.indexOf(tabs[0])).isNull() is False  # spinner
    wait_until(ui_loop, lambda: all(t.outcome.kind == "response" for t in tabs))
    for i, tab in enumerate(tabs):
        assert f"tab={i}" in tab.outcome.value.url


def test_closing_a_tab_cancels_its_request(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    base = window.demo_server.url
    slow = window.open_tab(RequestSpec(url=f"{base}/delay/10"))
    window.send_current()
    wait_until(ui_loop, lambda: slow.in_flight)
    other = window.open_tab(RequestSpec(url=f"{base}/get"))
    window.tabs.setCurrentWidget(slow)
    qtbot.keySequence(window, QKeySequence("Ctrl+W"))
    assert not slow.in_flight
    assert slow.outcome.kind == "cancelled"
    assert window.tabs.indexOf(slow) == -1
    assert window.current_tab() is other or window.tabs.indexOf(other) >= 0


def test_find_child_returns_the_current_tabs_widgets(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    first = window.open_tab(RequestSpec(url="http://127.0.0.1:1/first"))
    second = window.open_tab(RequestSpec(url="http://127.0.0.1:1/second"))
    assert len(window.findChildren(QLineEdit, "urlEdit")) == 1
    assert window.findChild(QLineEdit, "urlEdit").text().endswith("/second")
    window.tabs.setCurrentWidget(first)
    url_edit = window.findChild(QLineEdit, "urlEdit")
    assert url_edit.text().endswith("/first")
    assert first.isAncestorOf(url_edit)
    assert not second.isAncestorOf(url_edit)
    # Editing the shared field edits the current tab only.
    url_edit.setText("http://127.0.0.1:1/edited")
    assert first.editor.url_text.endswith("/edited")
    assert second.editor.url_text.endswith("/second")


def test_new_tab_and_switching_shortcuts(qtbot: Any, window: MainWindow) -> None:
    count = window.tabs.count()
    qtbot.keySequence(window, QKeySequence("Ctrl+T"))
    assert window.tabs.count() == count + 1
    assert window.tabs.currentIndex() == count
    qtbot.keySequence(window, QKeySequence("Ctrl+PgUp"))
    assert window.tabs.currentIndex() == count - 1


def test_pasting_a_curl_command_imports_it(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    base = window.demo_server.url
    url_edit = window.findChild(QLineEdit, "urlEdit")
    url_edit.clear()
    QGuiApplication.clipboard().setText(
        f"curl -X POST '{base}/post?x=1' -H 'X-Test: yes' --json '{{\"a\": 1}}' "
        "--oauth2-bearer s3cret"
    )
    url_edit.setFocus()
    qtbot.keySequence(url_edit, QKeySequence.StandardKey.Paste)
    editor = window.current_tab().editor
    assert url_edit.text() == f"{base}/post?x=1"
    assert window.bar.method_combo.currentText() == "POST"
    assert ("X-Test", "yes") in editor.headers.pairs()
    assert editor.params.pairs() == [("x", "1")]
    spec = editor.to_spec()
    assert isinstance(spec.body, JsonBody)
    assert spec.auth == BearerAuth("s3cret")
    assert window.status_label.text().startswith("Imported curl command")
    window.send_current()
    wait_until(ui_loop, lambda: window.current_tab().outcome.kind == "response")
    assert '"a": 1' in window.current_tab().outcome.value.text()


def test_pasting_a_broken_curl_command_explains_why(qtbot: Any, window: MainWindow) -> None:
    before = window.current_tab().editor.to_spec()
    window.bar.url_edit.paste_text("curl --no-such-option http://h/")
    assert "Could not import the curl command" in window.status_label.text()
    assert "--no-such-option" in window.status_label.text()
    assert window.current_tab().editor.to_spec() == before


def test_pasting_a_plain_url_inserts_it(qtbot: Any, window: MainWindow) -> None:
    window.bar.url_edit.clear()
    window.bar.url_edit.paste_text("http://127.0.0.1:1/a?b=c\n")
    assert window.bar.url_edit.text() == "http://127.0.0.1:1/a?b=c"
    assert window.current_tab().editor.params.pairs() == [("b", "c")]


def test_shortcuts_dialog_lists_every_shortcut(qtbot: Any, window: MainWindow) -> None:
    action = next(a for a in window.actions() if a.objectName() == "action-shortcuts")
    action.trigger()
    dialog = window.findChild(QDialog, "shortcutsDialog")
    assert dialog is not None
    assert dialog.isVisible()
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    texts = {table.item(r, 1).text() for r in range(table.rowCount())}
    assert {description for _, description in SHORTCUTS.values()} <= texts
    assert "Responsiveness Lab" in texts  # actions other windows add are listed too
    dialog.close()


def test_theme_switch_changes_the_stylesheet(qtbot: Any, window: MainWindow) -> None:
    window.themes.set_mode("dark")
    assert window.themes.dark
    assert "#1e2127" in window.styleSheet()
    window.themes.set_mode("light")
    assert not window.themes.dark
    assert "#f6f7f9" in window.styleSheet()
    assert "@icons/" not in window.styleSheet()


def test_settings_restore_requests_geometry_and_strategy(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    first = create_window(tmp_path)
    first.replace_tabs(
        [
            RequestSpec(url="http://127.0.0.1:1/one", headers=[("Authorization", "s3cr3t-header")]),
            RequestSpec(
                url="http://127.0.0.1:1/two", method="DELETE", auth=BearerAuth("t0k3n-value")
            ),
        ],
        current=1,
    )
    first.bar.set_strategy("qthread")
    first.themes.set_mode("dark")
    first.resize(700, 520)  # inside the offscreen screen (800x600)
    first.show()
    size = (first.width(), first.height())
    first.close()
    ini = (tmp_path / "settings.ini").read_text()
    assert "s3cr3t-header" not in ini
    assert "t0k3n-value" not in ini
    second = create_window(tmp_path)
    try:
        assert second.demo_server is None  # not a first run any more
        assert [t.editor.url_text for t in second.request_tabs()] == [
            "http://127.0.0.1:1/one",
            "http://127.0.0.1:1/two",
        ]
        assert second.tabs.currentIndex() == 1
        assert second.bar.method_combo.currentText() == "DELETE"
        assert second.bar.strategy() == "qthread"
        assert second.themes.mode == "dark"
        assert (second.width(), second.height()) == size
    finally:
        second.close()
        second.deleteLater()
        first.deleteLater()


def test_the_freezing_gui_thread_strategy_is_not_restored(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    first = create_window(tmp_path)
    first.bar.set_strategy("gui-thread")
    first.close()
    assert "strategy=gui-thread" in (tmp_path / "settings.ini").read_text()
    second = create_window(tmp_path)
    try:
        assert second.bar.strategy() == "asyncio-executor"
        assert second.bar.strategy_combo.currentText() == "Async executor"
    finally:
        second.close()
        second.deleteLater()
        first.deleteLater()


def test_esc_in_url_field_cancels(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.bar.url_edit.setText(window.demo_server.url + "/delay/10")
    qtbot.keyClick(window.bar.url_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_until(ui_loop, lambda: window.current_tab().in_flight)
    qtbot.keyClick(window.bar.url_edit, Qt.Key.Key_Escape)
    assert window.current_tab().outcome.kind == "cancelled"


class FakeStyleHints(QObject):
    """Stands in for QStyleHints: the offscreen platform cannot change the colour scheme."""

    colorSchemeChanged = Signal(Qt.ColorScheme)

    def __init__(self) -> None:
        super().__init__()
        self.scheme = Qt.ColorScheme.Light

    def colorScheme(self) -> Qt.ColorScheme:
        return self.scheme

    def set(self, scheme: Qt.ColorScheme) -> None:
        self.scheme = scheme
        self.colorSchemeChanged.emit(scheme)


def test_system_theme_is_followed_until_the_user_picks_one(qtbot: Any) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    hints = FakeStyleHints()
    themes = ThemeManager(widget, "system", hints=hints)
    assert not themes.dark
    with qtbot.waitSignal(themes.themeChanged) as changed:
        hints.set(Qt.ColorScheme.Dark)
    assert changed.args == [True]
    assert "#1e2127" in widget.styleSheet()
    hints.set(Qt.ColorScheme.Light)
    assert not themes.dark
    themes.set_mode("dark")
    hints.set(Qt.ColorScheme.Light)
    assert themes.dark  # an explicit choice wins over the system


def test_ctrl_enter_sends_from_the_body_editor(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    editor = window.current_tab().editor
    window.bar.method_combo.setCurrentText("POST")
    window.bar.url_edit.setText(window.demo_server.url + "/post")
    editor.setCurrentWidget(editor.body)
    editor.body.set_mode("json")
    editor.body.json_edit.setFocus()
    qtbot.keyClicks(editor.body.json_edit, '{"typed": true}')
    qtbot.keyClick(editor.body.json_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_until(ui_loop, lambda: window.current_tab().outcome.kind == "response")
    assert editor.body.json_edit.toPlainText() == '{"typed": true}'  # no newline inserted
    assert '"typed": true' in window.current_tab().outcome.value.text()


def test_history_can_be_hidden_and_shown(qtbot: Any, window: MainWindow) -> None:
    dock = window.history_dock
    assert dock is not None
    assert dock.isVisible()
    qtbot.keySequence(window, QKeySequence("Ctrl+H"))
    assert dock.isHidden()
    assert not window.menus.history_action.isChecked()
    qtbot.keySequence(window, QKeySequence("Ctrl+H"))
    assert dock.isVisible()
    assert window.menus.history_action.isChecked()
    dock.close()  # its own close button
    assert not window.menus.history_action.isChecked()


def test_window_title_follows_the_current_tab(qtbot: Any, window: MainWindow) -> None:
    window.open_tab(RequestSpec(url="http://127.0.0.1:1/alpha", method="POST"))
    assert window.windowTitle() == "POST /alpha — guiapp"
    window.bar.url_edit.setText("http://127.0.0.1:1/beta")
    assert window.windowTitle() == "POST /beta — guiapp"


def test_duplicate_copy_as_curl_and_close_others(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    from guiapp.core.curl import parse_curl

    spec = RequestSpec(
        url="http://127.0.0.1:1/items", method="PATCH", headers=[("X-A", "1")], params=[("q", "x")]
    )
    original = window.open_tab(spec)
    qtbot.keySequence(window, QKeySequence("Ctrl+Shift+D"))
    copy = window.current_tab()
    assert copy is not original
    assert copy.editor.to_spec() == original.editor.to_spec()

    qtbot.keySequence(window, QKeySequence("Ctrl+Shift+C"))
    command = QGuiApplication.clipboard().text()
    assert command.startswith("curl")
    assert parse_curl(command).method == "PATCH"
    assert parse_curl(command).headers == (("X-A", "1"),)
    assert parse_curl(command).params == (("q", "x"),)

    menu = window.menus.tab_context_menu(window.tabs.indexOf(original))
    close_others = next(a for a in menu.actions() if a.text() == "Close Other Tabs")
    close_others.trigger()
    assert window.request_tabs() == [original]
    menu.close()


def test_esc_reaches_a_cell_editor_when_nothing_is_in_flight(
    qtbot: Any, window: MainWindow
) -> None:
    from PySide6.QtWidgets import QAbstractItemView, QApplication

    table = window.current_tab().editor.params
    window.current_tab().editor.setCurrentWidget(table)
    table.setFocus()
    blank = table.rowCount() - 1
    table.editItem(table.item(blank, 0))
    assert table.state() == QAbstractItemView.State.EditingState
    editor = QApplication.focusWidget()
    assert editor is not None
    qtbot.keyClicks(editor, "draft")
    assert not window.menus.cancel_action.isEnabled()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert table.state() != QAbstractItemView.State.EditingState
    assert table.item(blank, 0).text() == ""  # the edit was abandoned, as Esc should do
