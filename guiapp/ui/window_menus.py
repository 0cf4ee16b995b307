"""The main window's menus and their actions (File, View, Help, the tab context menu).

Every action is also added to the window itself, so its shortcut works with the menu bar
hidden, and is named ``action-<id>`` (the ids of :data:`~guiapp.ui.shortcuts.SHORTCUTS`).

Example::

    menus = WindowMenus(window)
    menus.view_menu.addAction(extra_action)
    menus.refresh_icons()          # after a theme change
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

from guiapp.core.codegen import to_curl
from guiapp.ui import icons
from guiapp.ui.qt_helpers import named
from guiapp.ui.shortcuts import key_sequences
from guiapp.ui.theme import THEME_MODES

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow
    from guiapp.ui.request_tab import RequestTab

__all__ = ["WindowMenus"]

#: action id -> icon name
_ICONS = {
    "new_tab": "tab-new",
    "send": "send",
    "cancel": "cancel",
    "toggle_history": "history",
    "shortcuts": "keyboard",
}


class WindowMenus:
    """Builds the menu bar of ``window`` (a MainWindow) and keeps the actions."""

    def __init__(self, window: MainWindow, *, with_history: bool) -> None:
        self._window = window
        w = window
        self.file_menu: QMenu = w.menuBar().addMenu("&File")
        file_menu = self.file_menu
        self.add(file_menu, "New Tab", "new_tab", lambda: w.open_tab())
        self.add(file_menu, "Duplicate Tab", "duplicate_tab", self.duplicate_current_tab)
        self.add(file_menu, "Close Tab", "close_tab", w.close_current_tab)
        file_menu.addSeparator()
        self.add(file_menu, "Copy as curl", "copy_curl", self.copy_as_curl)
        file_menu.addSeparator()
        self.add(file_menu, "Send", "send", w.send_current)
        # Enabled only while the current tab has a request in flight, so that Esc otherwise
        # reaches the focused widget (closing a table cell editor, a popup...).
        self.cancel_action = self.add(file_menu, "Cancel", "cancel", w.cancel_current)
        self.cancel_action.setEnabled(False)
        file_menu.addSeparator()
        self.add(file_menu, "Quit", "quit", w.close)

        self.view_menu: QMenu = w.menuBar().addMenu("&View")
        theme_menu = self.view_menu.addMenu("Theme")
        self.theme_group = QActionGroup(w)
        for mode, label in THEME_MODES:
            action = named(QAction(label, w), f"theme-{mode}")
            action.setCheckable(True)
            action.setChecked(mode == w.themes.mode)
            action.setData(mode)
            self.theme_group.addAction(action)
            theme_menu.addAction(action)
            action.triggered.connect(lambda _=False, m=mode: w.themes.set_mode(m))
        self.history_action: QAction | None = None
        dock = w.history_dock
        if with_history and dock is not None:
            self.history_action = self.add(
                self.view_menu, "History", "toggle_history", w.toggle_history
            )
            self.history_action.setCheckable(True)
            self.history_action.setChecked(True)
            history_action = self.history_action
            # The dock's own close button hides it too: keep the menu's tick honest.
            dock.visibilityChanged.connect(
                lambda _v: history_action.setChecked(not dock.isHidden())
            )
        self.add(self.view_menu, "Next Tab", "next_tab", lambda: w.step_tab(1))
        self.add(self.view_menu, "Previous Tab", "previous_tab", lambda: w.step_tab(-1))
        self.add(self.view_menu, "Focus URL", "focus_url", w.focus_url)
        self.view_menu.addSeparator()

        help_menu = w.menuBar().addMenu("&Help")
        self.add(help_menu, "Keyboard Shortcuts", "shortcuts", w.show_shortcuts)
        self.refresh_icons()

    def add(self, menu: QMenu, text: str, action_id: str, slot: Callable[[], Any]) -> QAction:
        """Add an action bound to the shortcuts of ``action_id``."""
        action = named(QAction(text, self._window), f"action-{action_id}")
        action.setShortcuts(key_sequences(action_id))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self._window.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    # -- tab actions ---------------------------------------------------------------------------
    def duplicate_current_tab(self) -> RequestTab:
        """Open a copy of the current tab's request (Ctrl+Shift+D); returns the new tab."""
        w = self._window
        return w.open_tab(w.current_tab().editor.to_spec())

    def close_other_tabs(self, keep: QWidget | None) -> None:
        """Close every tab but ``keep``, cancelling their requests."""
        w = self._window
        for tab in w.request_tabs():
            if tab is not keep:
                w.close_tab(w.tabs.indexOf(tab))

    def copy_as_curl(self) -> str:
        """Put the current request on the clipboard as a curl command (Ctrl+Shift+C)."""
        w = self._window
        command = to_curl(w.current_tab().editor.spec_to_send())
        QGuiApplication.clipboard().setText(command)
        w.show_message("Copied the request as a curl command", "ok")
        return command

    def tab_context_menu(self, index: int) -> QMenu:
        """The context menu of the tab at ``index``: duplicate, copy as curl, close."""
        w = self._window
        menu = QMenu(w)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        tab = w.tabs.widget(index)

        def on_tab(action: Callable[[], Any]) -> Callable[[], Any]:
            def run() -> Any:
                if tab is not None:
                    w.tabs.setCurrentWidget(tab)
                return action()

            return run

        menu.addAction("Duplicate Tab", on_tab(self.duplicate_current_tab))
        menu.addAction("Copy as curl", on_tab(self.copy_as_curl))
        menu.addSeparator()
        menu.addAction("Close Tab", on_tab(w.close_current_tab))
        close_others = menu.addAction("Close Other Tabs", lambda: self.close_other_tabs(tab))
        close_others.setEnabled(w.tabs.count() > 1)
        return menu

    def refresh_icons(self) -> None:
        """Re-tint the action icons (after a theme change)."""
        for action in self._window.actions():
            name = action.objectName().removeprefix("action-")
            if name in _ICONS:
                action.setIcon(icons.icon(_ICONS[name]))
