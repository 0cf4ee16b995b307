"""The main window: request tabs, the shared request bar and response area, menus, status bar.

Layout and the objectName contract: docs/ui.md. Tabs are the central widget; the History panel
(and the workspace's Collections) are docks on the left; the status bar holds ``lagLabel``.
Tab management (open, close, switch, keeping the shared bar in step with the current tab) is
the base class, :class:`~guiapp.ui.window_tabs.TabbedWindow`.

The request bar and the response area exist once and are moved into the current tab, so
``window.findChild(QLineEdit, "urlEdit")`` always finds the current tab's field.

Example::

    services = Services()
    context = AppContext(services, session_send(services))
    window = MainWindow(context=context, response_panel=ResponsePanel(services.processes))
    window.show()
    window.open_tab(RequestSpec(url="http://127.0.0.1:8000/get"))
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.request import RequestSpec
from guiapp.offload.qt import FreezeWatch, LagMonitor, async_slot
from guiapp.ui import icons
from guiapp.ui.context import AppContext, SendFunction
from guiapp.ui.file_consent import confirm_file_upload
from guiapp.ui.freezes_panel import FreezesPanel
from guiapp.ui.lag_indicator import LagIndicator
from guiapp.ui.qt_helpers import framed_dock, named
from guiapp.ui.request_bar import RequestBar
from guiapp.ui.request_tab import RequestTab
from guiapp.ui.response_panel import ResponsePanel
from guiapp.ui.sent_secrets import REMEMBERED, ResolvedSecrets
from guiapp.ui.services import Services
from guiapp.ui.shortcuts import ShortcutsDialog, extra_shortcuts
from guiapp.ui.tab_indicators import TabIndicators
from guiapp.ui.theme import ThemeManager
from guiapp.ui.window_menus import WindowMenus
from guiapp.ui.window_panels import ResponseArea
from guiapp.ui.window_tabs import TabbedWindow

if TYPE_CHECKING:
    from guiapp.demo import DemoProcess
    from guiapp.ui.cookie_keeper import CookieKeeper
    from guiapp.ui.history_recorder import HistoryRecorder
    from guiapp.ui.lab import LabLauncher
    from guiapp.ui.response_checks import ResponseChecks
    from guiapp.ui.runner import RunnerLauncher
    from guiapp.ui.runtime_variables import RuntimeVariables
    from guiapp.ui.workspace import WorkspaceController

__all__ = ["MainWindow"]

_log = logging.getLogger(__name__)


class MainWindow(TabbedWindow):
    """The API client window. ``response_panel`` follows the ResponsePanel contract.

    ``context`` is what the composition root built before the window (services, paths, the
    send function); the components it attaches afterwards (history, cookies, workspace, demo
    server, Lab, runner, checks) are the typed attributes below, None until attached.
    """

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
        context: AppContext,
        response_panel: ResponsePanel,
        history_panel: QWidget | None = None,
        curl_parser: Callable[[str], RequestSpec] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("guiapp — API client")
        self.setWindowIcon(icons.icon("app", "#2f6fed"))
        self.context = context
        self.history_panel = history_panel
        self._curl_parser = curl_parser
        self._closing = False
        self._shown_once = False
        # Components the composition root attaches once the window exists (None until then).
        #: The demo API's process, when it runs (:mod:`guiapp.ui.demo_launcher`).
        self.demo_server: DemoProcess | None = None
        #: Stores each finished exchange in the history database.
        self.history: HistoryRecorder | None = None
        #: The collections sidebar, environments and drafts, when attached.
        self.workspace: WorkspaceController | None = None
        #: The cookie jar's persistence and View → Cookies….
        self.cookies: CookieKeeper | None = None
        #: View → Responsiveness Lab.
        self.lab: LabLauncher | None = None
        #: Run → Run Collection… / Run Folder….
        self.runner: RunnerLauncher | None = None
        #: The Tests tab's evaluation and the values captured from responses.
        self.response_checks: ResponseChecks | None = None
        self.runtime_variables: RuntimeVariables | None = None
        #: The secret values in effect when each recent request was resolved (history masks
        #: them even after an environment switch: :mod:`guiapp.ui.sent_secrets`).
        self.resolved_secrets: ResolvedSecrets = deque(maxlen=REMEMBERED)
        self._resolver: Callable[[RequestSpec], RequestSpec] | None = None
        #: Asked before the window closes (the workspace, for drafts): False keeps it open (the
        #: guard then asks the user or waits for saves, and closes the window again itself).
        self.close_guard: Callable[[], bool] | None = None

        self.bar = RequestBar()
        self.response_area = ResponseArea(response_panel)
        self.response = self.response_area.display
        self.status_label = self.response_area.status_label
        self.progress_bar = self.response_area.progress_bar

        self.tabs = self._build_tabs()

        # The tabs are the central widget; side panels are docks (History here, Collections
        # when the workspace attaches), tabified on the left so they share one column.
        central = named(QWidget(), "centralArea")
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 4, 0, 0)
        central_layout.addWidget(self.tabs)
        self.setCentralWidget(central)
        self.history_dock: QDockWidget | None = None
        self.setTabPosition(Qt.DockWidgetArea.LeftDockWidgetArea, QTabWidget.TabPosition.North)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
        )
        if history_panel is not None:
            self.history_dock = framed_dock("History", "historyDock", history_panel, self)
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.history_dock)
            self.resizeDocks([self.history_dock], [280], Qt.Orientation.Horizontal)

        self.lag_label = LagIndicator()
        self.statusBar().addPermanentWidget(self.lag_label)
        self.lag_monitor = LagMonitor(self, window=400)  # ~2 s of 5 ms ticks: a live reading
        self.lag_monitor.updated.connect(self.lag_label.show_stats)
        # Freeze forensics: what froze the window, in the Freezes panel (click the lag label).
        self.freeze_watch = FreezeWatch(self, threshold_ms=50)
        self.freezes_panel = FreezesPanel()
        self.freezes_dock = framed_dock("Freezes", "freezesDock", self.freezes_panel, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.freezes_dock)
        self.freezes_dock.hide()
        self.freeze_watch.frozen.connect(self.freezes_panel.add_report)
        self.freeze_watch.frozen.connect(self.lag_label.show_freeze)
        self.lag_label.clicked.connect(self.show_freezes)

        self.themes = ThemeManager(self)
        self.themes.themeChanged.connect(self._on_theme_changed)
        self.indicators = TabIndicators(self.tabs)

        self.menus: WindowMenus = WindowMenus(self, with_history=history_panel is not None)
        self.add_view_action(self.freezes_dock.toggleViewAction())
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
        self.freeze_watch.start()

    # -- the context ---------------------------------------------------------------------------
    @property
    def services(self) -> Services:
        """The executors and the shared HTTP session (``context.services``)."""
        return self.context.services

    @property
    def data_dir(self) -> Path | None:
        """Where settings, history and cookies live (``context.data_dir``)."""
        return self.context.data_dir

    @property
    def send_function(self) -> SendFunction:
        """What sends a spec (``context.send``: through the shared HTTP session)."""
        return self.context.send

    @property
    def lab_action(self) -> QAction | None:
        """View → Responsiveness Lab, once the Lab is installed."""
        return self.lab.action if self.lab is not None else None

    # -- layout ----------------------------------------------------------------------------------
    def addDockWidget(self, area: Qt.DockWidgetArea, dock: QDockWidget, *args: Any) -> None:
        """Add ``dock``; a left dock shares the History dock's column as a tab (it stays on
        top, so a workspace's Collections show first)."""
        super().addDockWidget(area, dock, *args)
        history = self.history_dock
        if (
            history is not None
            and dock is not history
            and area == Qt.DockWidgetArea.LeftDockWidgetArea
        ):
            self.tabifyDockWidget(history, dock)
            dock.raise_()

    def add_view_action(self, action: QAction) -> None:
        """Add ``action`` to the View menu (the hook other windows, e.g. the Lab, plug into)."""
        self.view_menu.addAction(action)
        self.addAction(action)

    @property
    def view_menu(self) -> QMenu:
        """The View menu."""
        return self.menus.view_menu

    @property
    def file_menu(self) -> QMenu:
        """The File menu (other components add their actions here)."""
        return self.menus.file_menu

    def theme_actions(self) -> list[QAction]:
        """The View → Theme actions (checkable, data = mode)."""
        return self.menus.theme_group.actions()

    def focus_url(self) -> None:
        """Focus the URL field and select its text (Ctrl+L)."""
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
        if not await confirm_file_upload(self, tab, self._resolver):
            return  # it uploads local files the user did not allow (guiapp.ui.file_consent)
        await tab.send(
            strategy, self.services.offloader, send=self.send_function, resolve=self._resolver
        )

    def set_request_resolver(self, resolver: Callable[[RequestSpec], RequestSpec] | None) -> None:
        """Map each spec before it is sent (e.g. fill in ``{{variables}}`` from an environment).

        The resolver runs on the GUI thread and must be quick; raising
        :class:`~guiapp.core.errors.InvalidRequest` refuses the send with its message.
        """
        self._resolver = resolver

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
        dialog = ShortcutsDialog(self, extra_shortcuts(self.actions()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_freezes(self) -> None:
        """Show the Freezes panel (a click on the lag label) with the freeze the label shows
        selected, else the newest."""
        self.freezes_dock.show()
        self.freezes_dock.raise_()
        shown = self.lag_label.last_freeze()
        if shown is None or not self.freezes_panel.select_report(shown):
            self.freezes_panel.select_newest()

    def toggle_history(self) -> None:
        """Show or hide the history panel (Ctrl+H)."""
        dock = self.history_dock
        if dock is None:
            return
        show = not dock.isVisible() or dock.visibleRegion().isEmpty()
        dock.setVisible(show)
        if show:
            dock.raise_()
        if self.menus.history_action is not None:
            self.menus.history_action.setChecked(show)

    # -- status and progress -------------------------------------------------------------------
    def show_message(self, text: str, state: str = "ok") -> None:
        """Show ``text`` in the status line, coloured by ``state`` (ok, error, busy...), until
        the current tab's state changes or for a while (a notice: ``ResponseArea.show_notice``).
        """
        self.response_area.show_notice(text, state)

    def report_error(self, exc: BaseException) -> None:
        """Show an unexpected exception as one status line (the app's slot error handler)."""
        _log.error("unhandled error", exc_info=(type(exc), exc, exc.__traceback__))
        self.show_message(f"Unexpected error: {type(exc).__name__}: {exc}", "error")

    def _on_theme_changed(self, dark: bool) -> None:
        self.bar.send_button.setIcon(icons.icon("send", "#ffffff"))
        self.bar.cancel_button.setIcon(icons.icon("cancel"))
        corner = self.tabs.cornerWidget(Qt.Corner.TopRightCorner)
        if isinstance(corner, QToolButton):  # the "+" tab button, tinted for the new theme
            corner.setIcon(icons.icon("tab-new"))
        if hasattr(self, "menus"):
            self.menus.refresh_icons()

    # -- shutdown ------------------------------------------------------------------------------
    def shutdown(self, timeout: float = 0.5) -> bool:
        """Cancel every request, stop timers and close the executors (bounded by ``timeout``).

        Idempotent. True if every worker ended in time.
        """
        if self._closing:
            return True
        self._closing = True
        self.lag_monitor.stop()
        self.freeze_watch.stop()
        self.indicators.stop()
        for tab in self.request_tabs():
            tab.dispose()
        self.response_area.close_area()
        clean = self.services.shutdown(timeout)
        self.shutDown.emit()
        return clean

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.bar.url_edit.setFocus()  # ready to type a URL, not on the tab bar
            # A minimum of its own: else Qt sets the layout's, which grows the window on screen
            # when a dock opens (the Freezes panel); the dock takes its room from the tabs.
            self.setMinimumSize(self.minimumSizeHint().boundedTo(self.size()))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing and self.close_guard is not None and not self.close_guard():
            event.ignore()
            return
        if not self._closing:
            self.aboutToSave.emit()
        self.shutdown()
        super().closeEvent(event)
