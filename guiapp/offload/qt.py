"""Qt side of :mod:`guiapp.offload`: QThread jobs, coroutine slots and the lag heartbeat.

The only public module of ``guiapp.offload`` that imports Qt (with its private ``_qt*``
helpers). Everything here runs on, or reports to, the GUI thread.

- :func:`run_in_qthread` / :class:`QtWorkerJob` — one blocking call on its own QThread
  (a QThread subclass per call) with ``progressed``/``succeeded``/``failed``/
  ``wasCancelled``/``finished``
  signals, the same job hooks as the asyncio offloader, and ``await job`` for coroutines.
- :func:`run_in_qthreads` — start many such jobs a few per event-loop turn (no GUI freeze).
- :func:`shutdown_qthreads` / :func:`active_qthreads` — end threads on quit, never terminate.
- :func:`async_slot` — connect coroutine functions to signals (with qasync's ``QEventLoop``).
- :class:`LagMonitor` — 5 ms heartbeat measuring GUI event-loop lag.
- :class:`GuiThreadGarbageCollector` — cyclic GC on the GUI thread only, so no Qt object is
  destroyed by a collection that happened to run in a worker thread.

Example::

    import asyncio, qasync
    from PySide6.QtWidgets import QApplication, QPushButton
    from guiapp.offload.qt import async_slot, run_in_qthread, shutdown_qthreads

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    app.aboutToQuit.connect(lambda: shutdown_qthreads(1.0))
    button = QPushButton("Fetch")

    @async_slot(cancel_previous=True)
    async def fetch() -> None:
        body = await run_in_qthread(slow_fetch, "http://127.0.0.1:8000/")
        button.setText(f"{len(body)} bytes")

    button.clicked.connect(fetch)
"""

from guiapp.offload._qt_batch import run_in_qthreads
from guiapp.offload._qt_freeze import FreezeWatch
from guiapp.offload._qt_gc import GuiThreadGarbageCollector
from guiapp.offload._qt_lag import LagMonitor
from guiapp.offload._qt_slot import AsyncSlot, SlotErrorHandler, async_slot, set_slot_error_handler
from guiapp.offload._qt_worker import (
    QtWorkerJob,
    active_qthreads,
    run_in_qthread,
    shutdown_qthreads,
)

__all__ = [
    "AsyncSlot",
    "FreezeWatch",
    "GuiThreadGarbageCollector",
    "LagMonitor",
    "QtWorkerJob",
    "SlotErrorHandler",
    "active_qthreads",
    "async_slot",
    "run_in_qthread",
    "run_in_qthreads",
    "set_slot_error_handler",
    "shutdown_qthreads",
]
