"""The main window: request tabs, the shared request bar and response area, menus, status bar.

Layout (docs/ui.md)::

    ┌ menu: File  View  Help ───────────────────────────────────────────────────┐
    │ history │ [tab 1 ⟳] [tab 2] [+]                                           │
    │ panel   │ [GET▾][ http://…                     ][Send][Cancel][Strategy▾] │  shared bar
    │         │ Params | Headers | Body | Auth | Options                        │  per tab
    │         │ ──────────────────────────────────────────────────────────────  │
    │         │ 200 OK · 123 ms · 4.2 kB                      [progress····]    │  shared
    │         │ response panel (body / headers)                                 │  response area
    ├ status bar ───────────────────────────────────────────── GUI lag p99 … ───┤

The request bar and the response area exist once and are moved into the current tab, so
``window.findChild(QLineEdit, "urlEdit")`` always finds the current tab's field.

Example::

    window = MainWindow(services=Services(), response_panel=ResponsePanel(services.processes))
    window.show()
    window.open_tab(RequestSpec(url="http://127.0.0.1:8000/get"))
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.request import RequestSpec
from guiapp.offload.qt import LagMonitor, async_slot
from guiapp.ui import icons
from guiapp.ui.lag_indicator import LagIndicator
from guiapp.ui.qt_helpers import named
from guiapp.ui.request_bar import RequestBar
from guiapp.ui.request_tab import RequestTab
from guiapp.ui.services import Services
from guiapp.ui.shortcuts import SHORTCUTS, ShortcutsDialog, key_sequences
from guiapp.ui.status_format import TransferMeter, format_duration, progress_text, status_kind
from guiapp.ui.status_format import status_text as response_status_text
from guiapp.ui.theme import THEME_MODES, ThemeManager
from guiapp.ui.window_panels import ResponseDisplay

__all__ = ["MainWindow"]

_log = logging.getLogger(__name__)
_REFRESH_MS = 50  # progress/status repaint rate while sending: 20 Hz is smooth and cheap
_SPIN_MS = 80


class MainWindow(QMainWindow):
    """The API client window. ``response_panel`` follows the ResponsePanel contract."""

    #: A response arrived for the newest send of a tab: (spec, response).
    responseReceived = Signal(object, object)
    #: The newest send of a tab ended: (spec, response or exception). History listens.
    exchangeFinished = Signal(object, object)
    #: The window is closing: save its state now (emitted before the shutdown).
    aboutToSave = Signal()
    #: The window finished shutting down (executors closed).
    shutDown = Signal()

    def __init__(
        self,
        *,
        services: Services,
        response_panel: QWidget,
        history_panel: QWidget | None = None,
        curl_parser: Callable[[str], RequestSpec] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("guiapp — API client")
        self.setWindowIcon(icons.icon("app", "#2f6fed"))
        self.services = services
        self.history_panel = history_panel
        self._curl_parser = curl_parser
        self._closing = False
        #: Set by the composition root: where settings and history live, the demo server.
        self.data_dir: Path | None = None
        self.demo_server: Any = None
        self.history: Any = None  # the HistoryRecorder
        self._meters: dict[RequestTab, TransferMeter] = {}

        self.bar = RequestBar()
        self.status_label = named(QLabel("Ready"), "statusLabel")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setWordWrap(True)
        self.progress_bar = named(QProgressBar(), "progressBar")
        self.progress_bar.setFixedWidth(360)
        self.progress_bar.setVisible(False)
        self.response = ResponseDisplay(response_panel)
        self.response_area = self._build_response_area(response_panel)

        self.tabs = named(QTabWidget(), "requestTabs")
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideMiddle)
        new_tab_button = named(QToolButton(autoRaise=True), "newTabButton")
        new_tab_button.setIcon(icons.icon("tab-new"))
        new_tab_button.setToolTip("New request tab (Ctrl+T)")
        new_tab_button.clicked.connect(lambda: self.open_tab())
        self.tabs.setCornerWidget(new_tab_button, Qt.Corner.TopRightCorner)

        self.splitter = named(QSplitter(Qt.Orientation.Horizontal), "mainSplitter")
        if history_panel is not None:
            self.splitter.addWidget(self._framed(history_panel, "historyFrame"))
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(self.splitter.count() - 1, 1)
        if history_panel is not None:
            self.splitter.setSizes([260, 940])
        self.setCentralWidget(self.splitter)

        self.lag_label = LagIndicator()
        self.statusBar().addPermanentWidget(self.lag_label)
        self.lag_monitor = LagMonitor(self, window=400)  # ~2 s of 5 ms ticks: a live reading
        self.lag_monitor.updated.connect(self.lag_label.show_stats)

        self.themes = ThemeManager(self)
        self.themes.themeChanged.connect(self._on_theme_changed)
        self._refresh_timer = QTimer(self, interval=_REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_progress)
        self._spin_frame = 0
        self._spin_timer = QTimer(self, interval=_SPIN_MS)
        self._spin_timer.timeout.connect(self._spin)

        self._build_menus()
        self.bar.sendRequested.connect(self.send_current)
        self.bar.cancelRequested.connect(self.cancel_current)
        self.bar.curlPasted.connect(self.import_curl)
        self.bar.method_combo.currentTextChanged.connect(self._on_bar_method_changed)
        self.bar.url_edit.textChanged.connect(self._on_bar_url_changed)
        self.tabs.currentChanged.connect(self._on_current_tab_changed)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.resize(1200, 800)
        self.open_tab()
        self.lag_monitor.start()

    # -- layout --------------------------------------------------------------------------------
    def _build_response_area(self, panel: QWidget) -> QWidget:
        area = named(QWidget(), "responseArea")
        status_row = QHBoxLayout()
        status_row.setContentsMargins(2, 0, 2, 0)
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.progress_bar)
        layout = QVBoxLayout(area)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(status_row)
        layout.addWidget(panel, 1)
        return area

    @staticmethod
    def _framed(widget: QWidget, name: str) -> QWidget:
        frame = named(QWidget(), name)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.addWidget(widget)
        return frame

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._add_action(file_menu, "New Tab", "new_tab", lambda: self.open_tab(), "tab-new")
        self._add_action(file_menu, "Close Tab", "close_tab", self.close_current_tab)
        file_menu.addSeparator()
        self._add_action(file_menu, "Send", "send", self.send_current, "send")
        self._add_action(file_menu, "Cancel", "cancel", self.cancel_current, "cancel")
        file_menu.addSeparator()
        self._add_action(file_menu, "Quit", "quit", self.close)

        self.view_menu = self.menuBar().addMenu("&View")
        theme_menu = self.view_menu.addMenu("Theme")
        group = QActionGroup(self)
        for mode, label in THEME_MODES:
            action = theme_menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(mode == "system")
            action.setData(mode)
            action.setObjectName(f"theme-{mode}")
            group.addAction(action)
            action.triggered.connect(lambda _=False, m=mode: self.themes.set_mode(m))
        self._theme_actions = group
        if self.history_panel is not None:
            history = self._add_action(
                self.view_menu, "History", "toggle_history", self._toggle_history, "history"
            )
            history.setCheckable(True)
            history.setChecked(True)
            self._history_action = history
        self._add_action(self.view_menu, "Next Tab", "next_tab", lambda: self._step_tab(1))
        self._add_action(self.view_menu, "Previous Tab", "previous_tab", lambda: self._step_tab(-1))
        self._add_action(self.view_menu, "Focus URL", "focus_url", self._focus_url)
        self.view_menu.addSeparator()

        help_menu = self.menuBar().addMenu("&Help")
        self._add_action(
            help_menu, "Keyboard Shortcuts", "shortcuts", self.show_shortcuts, "keyboard"
        )

    def _add_action(
        self, menu: QMenu, text: str, action_id: str, slot: Callable[[], Any], icon: str = ""
    ) -> QAction:
        action = named(QAction(text, self), f"action-{action_id}")
        action.setShortcuts(key_sequences(action_id))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if icon:
            action.setIcon(icons.icon(icon))
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def add_view_action(self, action: QAction) -> None:
        """Add ``action`` to the View menu (the hook other windows, e.g. the Lab, plug into)."""
        self.view_menu.addAction(action)
        self.addAction(action)

    # -- tabs ----------------------------------------------------------------------------------
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

    def theme_actions(self) -> list[QAction]:
        """The View → Theme actions (checkable, data = mode)."""
        return self._theme_actions.actions()

    def close_tab(self, index: int) -> None:
        """Close the tab at ``index``, cancelling its request; the last tab is reset instead."""
        tab = self.tabs.widget(index)
        if not isinstance(tab, RequestTab):
            return
        tab.dispose()
        self._meters.pop(tab, None)
        if self.tabs.count() == 1:
            self.open_tab()
        if tab.isAncestorOf(self.bar):
            self.bar.setParent(None)
            self.response_area.setParent(None)
        self.tabs.removeTab(self.tabs.indexOf(tab))
        tab.deleteLater()
        self._on_current_tab_changed(self.tabs.currentIndex())

    def close_current_tab(self) -> None:
        """Close the current tab (Ctrl+W)."""
        self.close_tab(self.tabs.currentIndex())

    def _step_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _update_tab_title(self, tab: RequestTab) -> None:
        index = self.tabs.indexOf(tab)
        if index < 0:
            return
        title = tab.editor.title()
        self.tabs.setTabText(index, title if len(title) <= 32 else title[:31] + "…")
        self.tabs.setTabToolTip(index, f"{tab.editor.method} {tab.editor.url_text}")

    def _on_current_tab_changed(self, index: int) -> None:
        if index < 0 or self._closing:
            return
        tab = self.current_tab()
        tab.adopt(self.bar, self.response_area)
        with QSignalBlocker(self.bar.method_combo), QSignalBlocker(self.bar.url_edit):
            self.bar.method_combo.setCurrentText(tab.editor.method)
            self.bar.url_edit.setText(tab.editor.url_text)
        self.bar.set_in_flight(tab.in_flight)
        self.response.replay(tab)
        self._show_status(tab)

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

    def _focus_url(self) -> None:
        self.bar.url_edit.setFocus()
        self.bar.url_edit.selectAll()

    # -- actions -------------------------------------------------------------------------------
    def send_current(self) -> asyncio.Task[None] | None:
        """Send the current tab's request with the selected strategy (returns the task)."""
        if self._closing:
            return None
        return self.send_tab(self.current_tab())

    def send_tab(self, tab: RequestTab, strategy: str | None = None) -> asyncio.Task[None]:
        """Send ``tab``'s request (any tab, current or not) with ``strategy`` (default: the
        strategy combo's); returns the task."""
        task: asyncio.Task[None] = self._send(tab, strategy or self.bar.strategy())
        return task

    @async_slot
    async def _send(self, tab: RequestTab, strategy: str) -> None:
        await tab.send(strategy, self.services.offloader)

    def cancel_current(self) -> None:
        """Cancel the current tab's request (Esc)."""
        self.current_tab().cancel()

    def import_curl(self, command: str) -> bool:
        """Load a pasted curl command into the current tab; False (and a message) if invalid."""
        if self._curl_parser is None:
            self.show_message("Importing curl commands is not available.", "error")
            return False
        try:
            spec = self._curl_parser(command)
        except Exception as exc:  # InvalidRequest, or a shlex error: both have a clear message
            self.show_message(f"Could not import the curl command: {exc}", "error")
            return False
        self.load_into_current(spec)
        self.show_message(f"Imported curl command: {spec.method} {spec.url}", "ok")
        return True

    def load_into_current(self, spec: RequestSpec) -> None:
        """Show ``spec`` in the current tab (a busy tab keeps its request: use a new one)."""
        tab = self.current_tab()
        if tab.in_flight:
            tab = self.open_tab()
        tab.editor.load_spec(spec)
        self._on_current_tab_changed(self.tabs.currentIndex())

    def show_shortcuts(self) -> None:
        """Help → Keyboard Shortcuts (non-modal)."""
        known = {f"action-{action_id}" for action_id in SHORTCUTS}
        extra = [
            (action.shortcut().toString(), action.text().replace("&", ""))
            for action in self.actions()
            if action.objectName() not in known and not action.shortcut().isEmpty()
        ]
        dialog = ShortcutsDialog(self, extra)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _toggle_history(self) -> None:
        frame = self.findChild(QWidget, "historyFrame")
        if frame is not None:
            frame.setVisible(not frame.isVisible())
            self._history_action.setChecked(frame.isVisible())

    # -- status and progress -------------------------------------------------------------------
    def show_message(self, text: str, state: str = "ok") -> None:
        """Show ``text`` in the status line, coloured by ``state`` (ok, error, busy...)."""
        self.status_label.setText(text)
        self.status_label.setToolTip(text)
        if self.status_label.property("state") != state:
            # Re-polishing recomputes the stylesheet: only when the colour really changes.
            self.status_label.setProperty("state", state)
            self.status_label.style().unpolish(self.status_label)
            self.status_label.style().polish(self.status_label)

    def report_error(self, exc: BaseException) -> None:
        """Show an unexpected exception as one status line (the app's slot error handler)."""
        _log.error("unhandled error", exc_info=(type(exc), exc, exc.__traceback__))
        self.show_message(f"Unexpected error: {type(exc).__name__}: {exc}", "error")

    def _on_tab_state_changed(self, tab: RequestTab) -> None:
        if tab is self.current_tab():
            self.response.show_outcome(tab)
            self._show_status(tab)

    def _on_tab_in_flight_changed(self, tab: RequestTab) -> None:
        index = self.tabs.indexOf(tab)
        if tab.in_flight:
            self._meters[tab] = TransferMeter()
            self.tabs.setTabIcon(index, icons.spinner_icon(self._spin_frame))
            if not self._spin_timer.isActive():
                self._spin_timer.start()
        elif index >= 0:
            name = {"response": "ok", "error": "error"}.get(tab.outcome.kind)
            self.tabs.setTabIcon(index, icons.icon(name) if name else icons.icon("cancel"))
        if tab is self.current_tab():
            self.bar.set_in_flight(tab.in_flight)
            self._show_status(tab)

    def _show_status(self, tab: RequestTab) -> None:
        outcome = tab.outcome
        busy = tab.in_flight
        self.progress_bar.setVisible(busy)
        if busy and not self._refresh_timer.isActive():
            self._refresh_timer.start()
        if outcome.kind == "sending":
            self._refresh_progress()
        elif outcome.kind == "response":
            response = outcome.value
            self.show_message(response_status_text(response), status_kind(response.status_code))
        elif outcome.kind == "error":
            self.show_message(outcome.message, "error")
        elif outcome.kind == "cancelled":
            self.show_message("Request cancelled", "cancelled")
        else:
            self.show_message("Ready — enter a URL and press Ctrl+Enter", "idle")

    def _refresh_progress(self) -> None:
        tab = self.current_tab()
        if not tab.in_flight:
            self._refresh_timer.stop()
            self.progress_bar.setVisible(False)
            return
        spec = tab.outcome.spec
        target = f"{spec.method} {spec.url}" if spec else ""
        self.show_message(f"Sending {target} · {format_duration(tab.elapsed())}", "busy")
        progress = tab.progress
        if progress is None:
            self.progress_bar.setRange(0, 0)  # indeterminate: nothing received yet
            self.progress_bar.setFormat("Waiting for the server…")
            return
        meter = self._meters.setdefault(tab, TransferMeter())
        speed = meter.update(progress)
        if progress.total:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(1000 * (progress.fraction or 0.0)))
        else:
            self.progress_bar.setRange(0, 0)
        self.progress_bar.setFormat(progress_text(progress, speed))
        self.progress_bar.setToolTip(self.progress_bar.format())

    def _spin(self) -> None:
        # Only tabs the user can see are animated: setTabIcon re-lays out the tab bar, and with
        # dozens of requests in flight animating hidden tabs would cost frames for nothing.
        self._spin_frame += 1
        bar = self.tabs.tabBar()
        visible = bar.rect()
        busy = False
        for index in range(self.tabs.count()):
            tab = self.tabs.widget(index)
            if isinstance(tab, RequestTab) and tab.in_flight:
                busy = True
                if bar.tabRect(index).intersects(visible):
                    self.tabs.setTabIcon(index, icons.spinner_icon(self._spin_frame))
        if not busy:
            self._spin_timer.stop()

    def _on_theme_changed(self, dark: bool) -> None:
        self.bar.send_button.setIcon(icons.icon("send", "#ffffff"))
        self.bar.cancel_button.setIcon(icons.icon("cancel"))
        for action in self.actions():
            name = action.objectName().removeprefix("action-")
            mapping = {
                "new_tab": "tab-new",
                "send": "send",
                "cancel": "cancel",
                "toggle_history": "history",
                "shortcuts": "keyboard",
            }
            if name in mapping:
                action.setIcon(icons.icon(mapping[name]))

    # -- shutdown ------------------------------------------------------------------------------
    def shutdown(self, timeout: float = 0.5) -> bool:
        """Cancel every request, stop timers and close the executors (bounded by ``timeout``).

        Idempotent. True if every worker ended in time.
        """
        if self._closing:
            return True
        self._closing = True
        self.lag_monitor.stop()
        self._refresh_timer.stop()
        self._spin_timer.stop()
        for tab in self.request_tabs():
            tab.dispose()
        self.response.close()
        clean = self.services.shutdown(timeout)
        self.shutDown.emit()
        return clean

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing:
            self.aboutToSave.emit()
        self.shutdown()
        super().closeEvent(event)
