"""The status-bar responsiveness indicator (``lagLabel``) fed by a LagMonitor and a FreezeWatch.

Coloured by the worse of two readings over the monitor's window: p99 lag (amber above one frame,
16 ms; red above the 50 ms "long task" budget) and the worst single stall (amber above 50 ms,
red above 250 ms). A single stall of 100-250 ms is what a software-rendered screen costs when
a menu opens or a view is painted for the first time: noticeable (amber), not an alarm; a
quarter of a second without a response is a freeze anyone feels (red). The worst freeze of
the last 30 s stays on the label ("froze 1240 ms, 4 s ago", at least amber), so a freeze is not
forgotten two seconds later, nor hidden by the short stalls that follow it; clicking the label
emits ``clicked`` (the window opens its Freezes panel on that freeze).

Example::

    monitor = LagMonitor(window)
    label = LagIndicator()
    monitor.updated.connect(label.show_stats)
    watch.frozen.connect(label.show_freeze)
    label.clicked.connect(show_freezes_panel)
    monitor.start()
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from guiapp.offload.freeze import FreezeReport
from guiapp.offload.stats import LagStats

__all__ = ["BAD_MS", "FREEZE_MEMORY_S", "STALL_BAD_MS", "WARN_MS", "LagIndicator", "lag_level"]

WARN_MS = 16.0
BAD_MS = 50.0
#: A single stall this long is red (a freeze anyone feels); over BAD_MS, amber (a menu opened
#: or a view painted for the first time on a software-rendered screen costs 100-150 ms).
STALL_BAD_MS = 250.0
#: How long the label keeps showing the last freeze.
FREEZE_MEMORY_S = 30.0

_ORDER = ("ok", "warn", "bad")


def lag_level(p99_ms: float, max_ms: float = 0.0) -> str:
    """``ok``, ``warn`` or ``bad``: the worse of the p99 level (> 16 ms warn, > 50 ms bad) and
    the worst-stall level (> 50 ms warn, > 250 ms bad).

    >>> lag_level(0.3), lag_level(20.0), lag_level(80.0)
    ('ok', 'warn', 'bad')
    >>> lag_level(0.3, max_ms=60.0), lag_level(0.3, max_ms=146.0), lag_level(0.3, max_ms=1200.0)
    ('warn', 'warn', 'bad')
    """
    by_p99 = 2 if p99_ms > BAD_MS else 1 if p99_ms > WARN_MS else 0
    by_max = 2 if max_ms > STALL_BAD_MS else 1 if max_ms > BAD_MS else 0
    return _ORDER[max(by_p99, by_max)]


class LagIndicator(QLabel):
    """Shows ``GUI lag p99 0.3 ms · max 1 ms`` (and the last freeze) coloured by level."""

    #: The label was clicked (the window shows its Freezes panel).
    clicked = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Any = time.monotonic) -> None:
        super().__init__("GUI lag: measuring…", parent)
        self.setObjectName("lagLabel")
        self._clock = clock
        self._base_tip = (
            "How late the GUI thread serves a 5 ms heartbeat timer (p99 and max over the recent "
            "window). Amber above 16 ms p99 or a 50 ms stall, red above 50 ms p99 or a 250 ms "
            "stall. Click to see what froze the window."
        )
        self.setToolTip(self._base_tip)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.level = "ok"
        self._stats_text = ""
        self._stats_level = "ok"
        #: Freezes of the last FREEZE_MEMORY_S as (when, report), oldest first (bounded).
        self._recent: deque[tuple[float, FreezeReport]] = deque(maxlen=256)
        self._apply_level("ok")

    def show_stats(self, stats: LagStats) -> None:
        """Display a :class:`~guiapp.offload.stats.LagStats` (the monitor's ``updated`` payload)."""
        if not stats.samples:
            return
        self._stats_text = f"GUI lag p99 {stats.p99_ms:.1f} ms · max {stats.max_ms:.0f} ms"
        self._stats_level = lag_level(stats.p99_ms, stats.max_ms)
        self._refresh()

    def show_freeze(self, report: FreezeReport) -> None:
        """Remember a :class:`~guiapp.offload.freeze.FreezeReport` for :data:`FREEZE_MEMORY_S`."""
        self._recent.append((self._clock(), report))
        self._refresh()

    def last_freeze(self) -> FreezeReport | None:
        """The freeze on show: the longest of the last :data:`FREEZE_MEMORY_S` (the newest of
        equals), or None when there was none."""
        found = self._worst_recent()
        return found[1] if found is not None else None

    def _worst_recent(self) -> tuple[float, FreezeReport] | None:
        horizon = self._clock() - FREEZE_MEMORY_S
        while self._recent and self._recent[0][0] < horizon:
            self._recent.popleft()
        worst: tuple[float, FreezeReport] | None = None
        for at, report in self._recent:
            if worst is None or report.duration_ms >= worst[1].duration_ms:
                worst = (at, report)
        return worst

    def _refresh(self) -> None:
        found = self._worst_recent()
        text, level = self._stats_text or "GUI lag: measuring…", self._stats_level
        tip = self._base_tip
        if found is not None:
            freeze_at, freeze = found
            ago = max(0, int(self._clock() - freeze_at))
            text = f"{text} · froze {freeze.duration_ms:.0f} ms, {ago} s ago"
            by_freeze = lag_level(0.0, freeze.duration_ms)
            level = _ORDER[max(_ORDER.index(level), _ORDER.index(by_freeze))]
            tip = f"Worst freeze of the last {FREEZE_MEMORY_S:.0f} s: {freeze.summary()}\n\n{tip}"
            newest = self._recent[-1][1]
            if newest is not freeze:
                tip = f"Latest freeze: {newest.summary()}\n{tip}"
        self.setText(text)
        self.setToolTip(tip)
        if level != self.level:
            self._apply_level(level)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def _apply_level(self, level: str) -> None:
        self.level = level
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
