"""The tab half of the main window: request tabs sharing one request bar and response area.

:class:`TabbedWindow` is :class:`~guiapp.ui.main_window.MainWindow`'s base: it opens, closes and
switches tabs, moves the shared request bar and response area into the current tab and keeps
them in step with it. The subclass builds those widgets (attributes declared below) before the
first tab opens.

Example::

    tab = window.open_tab(RequestSpec(url="http://127.0.0.1:8000/get"))
    window.step_tab(1)                       # Ctrl+PgDown
    window.close_tab(window.tabs.indexOf(tab))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, QSignalBlocker, Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QToolButton

from guiapp.core.request import RequestSpec
from guiapp.ui import icons
from guiapp.ui.qt_helpers import named
from guiapp.ui.request_bar import RequestBar
from guiapp.ui.request_tab import RequestTab
from guiapp.ui.tab_indicators import TabIndicators
from guiapp.ui.window_focus import chain_tab_order, focus_in, kept_in
from guiapp.ui.window_menus import WindowMenus
from guiapp.ui.window_panels import ResponseArea

__all__ = ["TabbedWindow"]


class TabbedWindow(QMainWindow):
    """Request tabs of a window; the subclass sets the attributes below before opening one."""

    tabs: QTabWidget
    bar: RequestBar
    response_area: ResponseArea
    menus: WindowMenus
    indicators: TabIndicators
    _closing: bool
    #: Asked before a tab closes (e.g. by the workspace, for a draft): False keeps it open
    #: (the guard then asks the user and closes it itself with ``ask=False``).
    tab_close_guard: Callable[[RequestTab], bool] | None = None
    # Signals of the subclass that every tab's own signals are forwarded to.
    responseReceived: Any
    exchangeFinished: Any

    def _build_tabs(self) -> QTabWidget:
        """The tab widget (``requestTabs``) with its "+" corner button and tab context menu."""
        tabs = named(QTabWidget(), "requestTabs")
        tabs.setTabsClosable(True)
        tabs.setMovable(True)
        tabs.setDocumentMode(True)
        # Titles are capped at 32 characters; with many tabs the bar scrolls (arrows) rather
        # than squeezing every title down to "GE…le".
        tabs.setElideMode(Qt.TextElideMode.ElideNone)
        tabs.setUsesScrollButtons(True)
        new_tab_button = named(QToolButton(autoRaise=True), "newTabButton")
        new_tab_button.setIcon(icons.icon("tab-new"))
        new_tab_button.setToolTip("New request tab (Ctrl+T)")
        new_tab_button.clicked.connect(lambda: self.open_tab())
        tabs.setCornerWidget(new_tab_button, Qt.Corner.TopRightCorner)

        tab_bar = tabs.tabBar()
        tab_bar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tab_bar.customContextMenuRequested.connect(
            lambda pos: self._on_tab_menu_requested(tab_bar.tabAt(pos), tab_bar.mapToGlobal(pos))
        )
        return tabs

    def current_tab(self) -> RequestTab:
        """The tab the user is looking at."""
        tab = self.tabs.currentWidget()
        assert isinstance(tab, RequestTab)
        return tab

    def request_tabs(self) -> list[RequestTab]:
        """Every open tab, in display order."""
        return [self.tabs.widget(i) for i in range(self.tabs.count())]  # type: ignore[misc]

    def open_tab(self, spec: RequestSpec | None = None) -> RequestTab:
        """Open a tab (showing ``spec`` if given) and make it current."""
        tab = RequestTab()
        if spec is not None:
            tab.editor.load_spec(spec)
        tab.stateChanged.connect(lambda t=tab: self._on_tab_state_changed(t))
        tab.inFlightChanged.connect(lambda _f, t=tab: self._on_tab_in_flight_changed(t))
        tab.editor.urlTextChanged.connect(lambda text, t=tab: self._on_editor_url_changed(t, text))
        tab.editor.edited.connect(lambda t=tab: self._update_tab_title(t))
        tab.responseReceived.connect(self.responseReceived)
        tab.exchangeFinished.connect(self.exchangeFinished)
        index = self.tabs.addTab(tab, "")
        self._update_tab_title(tab)
        self.tabs.setCurrentIndex(index)
        self.bar.url_edit.setFocus()  # a new tab is for typing a request: start at its URL
        return tab

    def replace_tabs(self, specs: list[RequestSpec], current: int = 0) -> None:
        """Close every tab and open one per spec (restoring a session)."""
        old = self.request_tabs()
        for spec in specs:
            self.open_tab(spec)
        for tab in old:
            self.close_tab(self.tabs.indexOf(tab))
        if 0 <= current < self.tabs.count():
            self.tabs.setCurrentIndex(current)

    def _on_tab_menu_requested(self, index: int, global_pos: QPoint) -> None:
        if index >= 0:
            self.menus.tab_context_menu(index).popup(global_pos)

    def close_tab(self, index: int, *, ask: bool = True) -> None:
        """Close the tab at ``index``, cancelling its request; the last tab is reset instead.
        With ``ask``, :attr:`tab_close_guard` may keep it open (a draft: the user is asked)."""
        tab = self.tabs.widget(index)
        if not isinstance(tab, RequestTab):
            return
        if ask and self.tab_close_guard is not None and not self.tab_close_guard(tab):
            return
        # Focus inside the closing tab (its editor, the shared bar) would fall on whatever Qt
        # picks next (the method combo, the tab bar): put it back on the URL field instead.
        lost_focus = QApplication.focusWidget() is None or focus_in(tab)
        tab.dispose()
        self.response_area.forget(tab)
        if self.tabs.count() == 1:
            self.open_tab()
        if tab.isAncestorOf(self.bar):
            self.bar.setParent(None)
            self.response_area.setParent(None)
        self.tabs.removeTab(self.tabs.indexOf(tab))
        tab.deleteLater()
        self._on_current_tab_changed(self.tabs.currentIndex())
        if lost_focus:
            self.bar.url_edit.setFocus()

    def close_current_tab(self) -> None:
        """Close the current tab (Ctrl+W)."""
        self.close_tab(self.tabs.currentIndex())

    def step_tab(self, step: int) -> None:
        """Make the tab ``step`` places away current (wrapping around)."""
        # A user switching tabs from the URL field (Ctrl+PgDown) keeps typing in it.
        with kept_in(self.bar):
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def update_tab_title(self, tab: RequestTab) -> None:
        """Show ``tab``'s title, after its ``titlePrefix`` property (e.g. "• " for a draft)."""
        self._update_tab_title(tab)

    def _update_tab_title(self, tab: RequestTab) -> None:
        index = self.tabs.indexOf(tab)
        if index < 0:
            return
        # "titleName": the name of the saved request it shows (set by the workspace).
        title = str(tab.property("titleName") or "") or tab.editor.title()
        prefix = str(tab.property("titlePrefix") or "")
        self.tabs.setTabText(index, prefix + (title if len(title) <= 32 else title[:31] + "…"))
        self.tabs.setTabToolTip(index, f"{tab.editor.method} {tab.editor.url_text}")
        if index == self.tabs.currentIndex():
            self.setWindowTitle(f"{title} — guiapp")

    def _on_current_tab_changed(self, index: int) -> None:
        if index < 0 or self._closing:
            return
        tab = self.current_tab()
        tab.adopt(self.bar, self.response_area)
        # Reading order, not the order the reparented widgets were created in.
        chain_tab_order([*self.bar.focus_chain(), tab.editor, self.response_area])
        with QSignalBlocker(self.bar.method_combo), QSignalBlocker(self.bar.url_edit):
            self.bar.method_combo.setCurrentText(tab.editor.method)
            self.bar.url_edit.setText(tab.editor.url_text)
        self.bar.set_in_flight(tab.in_flight)
        self.menus.cancel_action.setEnabled(tab.in_flight)
        self.response_area.bind(tab)
        self._update_tab_title(tab)

    # -- bar <-> current tab -------------------------------------------------------------------
    def _on_bar_method_changed(self, method: str) -> None:
        self.current_tab().editor.set_method(method)

    def _on_bar_url_changed(self, text: str) -> None:
        self.current_tab().editor.set_url_text(text)

    def _on_editor_url_changed(self, tab: RequestTab, text: str) -> None:
        if tab is self.current_tab() and self.bar.url_edit.text() != text:
            with QSignalBlocker(self.bar.url_edit):
                self.bar.url_edit.setText(text)
            self.bar.method_combo.setCurrentText(tab.editor.method)

    def _on_tab_state_changed(self, tab: RequestTab) -> None:
        self.response_area.on_state_changed(tab)

    def _on_tab_in_flight_changed(self, tab: RequestTab) -> None:
        self.indicators.update(tab)
        if tab is self.current_tab():
            self.bar.set_in_flight(tab.in_flight)
            self.menus.cancel_action.setEnabled(tab.in_flight)
            self.response_area.show_status()
