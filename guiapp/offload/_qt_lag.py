"""The responsiveness heartbeat: how late does the GUI thread serve a 5 ms timer?

A ``QTimer`` with ``Qt.PreciseTimer`` fires every 5 ms on the GUI thread; each tick records
``lag = actual interval - 5 ms``. Any work that blocks the GUI thread (or starves it of the GIL)
shows up as lag. Statistics come from :mod:`guiapp.offload.stats`.
"""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from guiapp.offload.stats import DEFAULT_STALL_MS, LagStats, summarize

__all__ = ["LagMonitor"]


class LagMonitor(QObject):
    """Heartbeat on the GUI thread that measures event-loop lag.

    ``updated(LagStats)`` is emitted about 4 times a second while running, for a live display.
    The rolling window keeps the latest ``window`` samples (default 60 s at 5 ms).

    Example::

        monitor = LagMonitor()
        monitor.updated.connect(lambda s: status.showMessage(f"p99 {s.p99_ms:.1f} ms"))
        monitor.start()
        ...
        stats = monitor.snapshot()      # LagStats: p50_ms, p99_ms, max_ms, stalls, samples
        print(stats.to_dict())
    """

    updated = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        interval_ms: int = 5,
        window: int = 12_000,
        update_interval_ms: int = 250,
        stall_threshold_ms: float = DEFAULT_STALL_MS,
    ) -> None:
        super().__init__(parent)
        self._interval_s = interval_ms / 1000.0
        self._stall_threshold_ms = stall_threshold_ms
        self._lags_ms: deque[float] = deque(maxlen=window)
        self._last_tick: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_tick)
        self._update_timer = QTimer(self)
        self._update_timer.setInterval(update_interval_ms)
        self._update_timer.timeout.connect(self._on_update_due)

    @property
    def interval_ms(self) -> float:
        """The heartbeat interval in milliseconds."""
        return self._interval_s * 1000.0

    def is_running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._timer.isActive()

    def start(self) -> None:
        """Start (or restart) the heartbeat; call on the GUI thread."""
        self._last_tick = None
        self._timer.start()
        self._update_timer.start()

    def stop(self) -> None:
        """Stop the heartbeat; samples are kept."""
        self._timer.stop()
        self._update_timer.stop()
        self._last_tick = None

    def reset(self) -> None:
        """Forget all samples (e.g. between benchmark scenarios); keeps running if running.

        The time of the last tick is kept, so a stall that starts right after the reset is
        still measured in full by the next tick.
        """
        self._lags_ms.clear()

    def samples(self) -> list[float]:
        """The lag samples in the window, oldest first, in milliseconds."""
        return list(self._lags_ms)

    def snapshot(self) -> LagStats:
        """Summary statistics of the samples in the window."""
        return summarize(self._lags_ms, self._stall_threshold_ms)

    @Slot()
    def _on_tick(self) -> None:
        now = time.perf_counter()
        last, self._last_tick = self._last_tick, now
        if last is not None:
            self._lags_ms.append(max(0.0, (now - last - self._interval_s) * 1000.0))

    @Slot()
    def _on_update_due(self) -> None:
        self.updated.emit(self.snapshot())
