"""Run Python's cyclic garbage collector on the GUI thread only.

CPython runs a collection in whichever thread happens to allocate when the generation counts
cross their thresholds: often a worker thread. If that collection frees a cycle holding Qt
objects (a QTimer, a QThread wrapper, a closed qasync loop), their C++ destructors run in the
worker thread, and Qt crashes later ("QTimerInfoList::activateTimers" segfaults were seen here).
The remedy used by long-lived PyQt applications: switch automatic collection off and drive the
same generational policy from a timer on the GUI thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["GuiThreadGarbageCollector"]


class GuiThreadGarbageCollector(QObject):
    """Disable automatic ``gc`` and collect from a GUI-thread timer, with CPython's thresholds.

    Create it on the GUI thread once the QApplication exists; :meth:`uninstall` (or deleting
    it) restores automatic collection.

    Example::

        app = QApplication([])
        collector = GuiThreadGarbageCollector(app)   # parented: lives as long as the app
    """

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()
        self.destroyed.connect(_enable_gc if self._was_enabled else _noop)

    def collect_if_due(self) -> int:
        """Collect the generations whose counts crossed their thresholds; return the number of
        unreachable objects found (0 when nothing was due)."""
        first, second, third = self._thresholds
        count0, count1, count2 = gc.get_count()
        if count0 <= first:
            return 0
        generation = 0
        if count1 > second:
            generation = 1
            if count2 > third:
                generation = 2
        return gc.collect(generation)

    def uninstall(self) -> None:
        """Stop the timer and give collection back to the interpreter (if it had it)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def _enable_gc() -> None:
    gc.enable()


def _noop() -> None:
    pass
