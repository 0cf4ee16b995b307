"""The status-bar responsiveness indicator (``lagLabel``) fed by a LagMonitor.

Green while the GUI thread serves its 5 ms heartbeat on time; amber when p99 lag exceeds one
frame (16 ms); red past the 50 ms "long task" budget.

Example::

    monitor = LagMonitor(window)
    label = LagIndicator()
    monitor.updated.connect(label.show_stats)
    monitor.start()
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["BAD_MS", "WARN_MS", "LagIndicator", "lag_level"]

WARN_MS = 16.0
BAD_MS = 50.0


def lag_level(p99_ms: float) -> str:
    """``ok``, ``warn`` (> 16 ms) or ``bad`` (> 50 ms).

    >>> lag_level(0.3), lag_level(20.0), lag_level(80.0)
    ('ok', 'warn', 'bad')
    """
    if p99_ms > BAD_MS:
        return "bad"
    if p99_ms > WARN_MS:
        return "warn"
    return "ok"


class LagIndicator(QLabel):
    """Shows ``GUI lag p99 0.3 ms · max 1.2 ms`` coloured by :func:`lag_level`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("GUI lag: measuring…", parent)
        self.setObjectName("lagLabel")
        self.setToolTip(
            "How late the GUI thread serves a 5 ms heartbeat timer (p99 and max over the recent "
            "window). Amber above 16 ms (one frame), red above 50 ms (a visible freeze)."
        )
        self.level = "ok"
        self._apply_level("ok")

    def show_stats(self, stats: Any) -> None:
        """Display a :class:`~guiapp.offload.stats.LagStats` (the monitor's ``updated`` payload)."""
        if not stats.samples:
            return
        self.setText(f"GUI lag p99 {stats.p99_ms:.1f} ms · max {stats.max_ms:.0f} ms")
        self._apply_level(lag_level(stats.p99_ms))

    def _apply_level(self, level: str) -> None:
        self.level = level
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
