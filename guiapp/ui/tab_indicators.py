"""Tab icons that say what each request is doing: a spinner while in flight, then ✓ or !.

Example::

    indicators = TabIndicators(tabs)
    tab.inFlightChanged.connect(lambda _f: indicators.update(tab))
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QTabWidget

from guiapp.ui import icons
from guiapp.ui.request_tab import RequestTab

__all__ = ["TabIndicators"]

_SPIN_MS = 80
_DONE_ICONS = {"response": "ok", "error": "error"}


class TabIndicators(QObject):
    """Animates the spinner of busy tabs and sets the final icon when a send ends."""

    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__(tabs)
        self._tabs = tabs
        self._frame = 0
        self._timer = QTimer(self, interval=_SPIN_MS)
        self._timer.timeout.connect(self._spin)

    def update(self, tab: RequestTab) -> None:
        """``tab`` started or finished a send."""
        index = self._tabs.indexOf(tab)
        if index < 0:
            return
        if tab.in_flight:
            self._tabs.setTabIcon(index, icons.spinner_icon(self._frame))
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._tabs.setTabIcon(index, icons.icon(_DONE_ICONS.get(tab.outcome.kind, "cancel")))

    def stop(self) -> None:
        """Stop animating (the window is closing)."""
        self._timer.stop()

    def _spin(self) -> None:
        # Only tabs the user can see are animated: setTabIcon re-lays out the tab bar, and with
        # dozens of requests in flight animating hidden tabs would cost frames for nothing.
        self._frame += 1
        bar = self._tabs.tabBar()
        visible = bar.rect()
        busy = False
        for index in range(self._tabs.count()):
            tab = self._tabs.widget(index)
            if isinstance(tab, RequestTab) and tab.in_flight:
                busy = True
                if bar.tabRect(index).intersects(visible):
                    self._tabs.setTabIcon(index, icons.spinner_icon(self._frame))
        if not busy:
            self._timer.stop()
