"""The Qt side of freeze forensics: a heartbeat timer on the GUI thread and a ``frozen`` signal.

Example::

    from guiapp.offload.qt import FreezeWatch

    watch = FreezeWatch(threshold_ms=50)
    watch.frozen.connect(lambda report: print(report.as_text()))
    watch.start()            # on the GUI thread, with any event loop that runs Qt's
    ...
    for report in watch.reports():
        print(report.duration_ms, report.verdict)
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from guiapp.offload.freeze import FreezeReport, FreezeWatchdog

__all__ = ["FreezeWatch"]


class FreezeWatch(QObject):
    """Names the code that froze the GUI thread: one :class:`FreezeReport` per freeze.

    A ``Qt.PreciseTimer`` ticks a :class:`~guiapp.offload.freeze.FreezeWatchdog` every
    ``interval_ms`` (default: a quarter of the threshold, at most 10 ms); the watchdog thread
    samples all stacks while the ticks stop for longer than ``threshold_ms``. Works with any loop
    that runs Qt's event dispatcher (tested: ``QApplication.exec()`` / ``QEventLoop.exec()``,
    pytest-qt's ``qtbot.wait``, qasync, PySide6's ``QtAsyncio``).

    ``frozen(FreezeReport)`` is emitted on the GUI thread after each freeze ends;
    :meth:`reports` keeps the latest ``max_reports``, oldest first. ``native_dumps`` (off by
    default) adds faulthandler's stack dumps, which name a C call that holds the GIL but can
    crash the interpreter: see :mod:`guiapp.offload.freeze`.
    """

    #: A freeze ended: the :class:`FreezeReport` (emitted on the GUI thread).
    frozen = Signal(object)
    _reported = Signal(object)  # from the watchdog thread, queued to this object's thread

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        threshold_ms: float = 50.0,
        interval_ms: int | None = None,
        sample_interval_ms: float = 5.0,
        max_reports: int = 100,
        native_dumps: bool = False,
    ) -> None:
        super().__init__(parent)
        if interval_ms is None:
            interval_ms = max(1, min(10, int(threshold_ms / 4)))
        self._dog = FreezeWatchdog(
            threshold_ms,
            tick_interval_ms=interval_ms,
            sample_interval_ms=sample_interval_ms,
            max_reports=max_reports,
            native_dumps=native_dumps,
            on_freeze=self._reported.emit,
        )
        self._reported.connect(self._on_watchdog_reported, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_tick)
        # Destroyed without stop() (its parent window went away): without the heartbeat the
        # watchdog would take the silence for a freeze that never ends.
        dog = self._dog
        self.destroyed.connect(lambda *_: dog.stop(timeout=0))

    @property
    def threshold_ms(self) -> float:
        """Stalls longer than this are reported."""
        return self._dog.threshold_ms

    def start(self) -> None:
        """Start the heartbeat and the watchdog thread; call on the GUI thread."""
        self._dog.start()
        self._dog.tick()
        self._timer.start()

    def stop(self) -> None:
        """Stop both (the watchdog thread ends within a second); reports are kept."""
        self._timer.stop()
        self._dog.stop()

    def is_running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._timer.isActive()

    def reports(self) -> list[FreezeReport]:
        """The reports so far, oldest first."""
        return self._dog.reports()

    def clear(self) -> None:
        """Forget the reports."""
        self._dog.clear()

    @Slot()
    def _on_tick(self) -> None:
        # The caller's frame is the one running the event loop (exec, processEvents...): a
        # GUI thread found there during a freeze is waiting, not running code of its own.
        self._dog.tick(sys._getframe(1))

    @Slot(object)
    def _on_watchdog_reported(self, report: FreezeReport) -> None:
        self.frozen.emit(report)
