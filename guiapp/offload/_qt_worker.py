"""Run one blocking call on its own QThread (a QThread subclass per call), with Qt signals.

This is the Qt-native contrast to the asyncio :class:`~guiapp.offload.Offloader`: the same
callable, the same job hooks (:func:`~guiapp.offload.checkpoint`,
:func:`~guiapp.offload.report_progress`, :func:`~guiapp.offload.on_cancel`), but results arrive
as signals on the GUI thread. Running threads are kept in a process-wide registry so that no
``QThread`` wrapper can be destroyed while its thread runs (that aborts the process), and
:func:`shutdown_qthreads` ends them on quit without ever calling ``QThread.terminate()``.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import logging
import threading
import time
import weakref
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QMetaMethod, QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from guiapp.offload._items import ItemPump
from guiapp.offload._qt_settle import Inbox, Reaper
from guiapp.offload.jobs import Cancelled, JobControl, Progress, bind_job

__all__ = ["QtWorkerJob", "active_qthreads", "run_in_qthread", "shutdown_qthreads"]

_log = logging.getLogger(__name__)

_PROGRESS_INTERVAL_MS = 16  # at most ~60 progress deliveries a second: one per frame
_SUCCEEDED, _FAILED, _CANCELLED = "succeeded", "failed", "cancelled"

# Every job whose thread may still be running. A QThread whose wrapper is garbage-collected
# while its thread runs aborts the whole process ("QThread: Destroyed while thread is still
# running"), so the registry, not the caller, owns the job until its thread has ended.
_registry: set[QtWorkerJob] = set()
_registry_lock = threading.Lock()
_names = itertools.count(1)
_atexit_registered = False


_Ended = tuple["QtWorkerJob", str, object]  # (job, outcome kind, value)


class _JobThread(QThread):
    """The job's thread: ``run()`` makes the call, then hands the outcome to the inbox.

    A ``QThread`` subclass rather than a worker object moved to a plain ``QThread``: the GUI
    thread then creates one object less, moves nothing and connects nothing per job (a job
    cost it ~76 µs to create with the worker object, against ~22 µs for a bare QThread), and
    the new thread runs the call directly instead of starting an event loop to receive
    ``started``. Nothing of the job needs an event loop in its thread: progress, items and
    the outcome are all posted to the GUI thread.
    """

    def __init__(
        self,
        call: Callable[[], object],
        control: JobControl,
        job: weakref.ref[QtWorkerJob],
        inbox: Inbox[_Ended],
    ) -> None:
        super().__init__()
        self._call = call
        self._control = control
        self._job = job
        self._inbox = inbox

    def run(self) -> None:
        kind: str
        value: object
        with bind_job(self._control):
            try:
                self._control.check()  # cancelled before the thread got going: never run it
                value = self._call()
                kind = _SUCCEEDED
            except Cancelled:
                kind, value = _CANCELLED, None
            except BaseException as exc:  # reported, never raised into Qt
                kind, value = _FAILED, exc
        self._call = _done_call  # drop references to the callable and its arguments
        # Not a queued signal per job: one wake-up serves every job that ends meanwhile
        # (see _qt_settle), so 100 simultaneous endings are not 100 slot calls in a row.
        job = self._job()
        if job is not None:
            self._inbox.push((job, kind, value))


def _done_call() -> None:
    return None


class QtWorkerJob(QObject):
    """Handle of one call running on its own QThread; signals arrive on the GUI thread.

    Signals (past-tense facts, emitted on the thread that created the job):

    - ``itemsEmitted(list)`` — the items the call emitted (:func:`~guiapp.offload.emit`), in
      order, in batches (at most ~60 a second); none is dropped, and the last batch comes
      before ``succeeded``/``failed``. The worker's ``emit`` waits while more than 10,000
      items (or 32 MiB) are undelivered: see :meth:`set_item_limits`;
    - ``progressed(Progress)`` — coalesced: latest value wins, at most ~60 a second, and the
      last value reported is always delivered before ``succeeded``/``failed``;
    - ``succeeded(object)`` — the return value;
    - ``failed(object)`` — the exception (its ``__traceback__`` is kept);
    - ``wasCancelled()`` — emitted at once by :meth:`cancel`, without waiting for the worker;
    - ``finished()`` — always last, after exactly one of the three above.

    The job is also awaitable from asyncio code running on the GUI thread (e.g. with qasync):
    ``await job`` returns the result, raises the exception, or raises
    :class:`asyncio.CancelledError`; cancelling the awaiting task cancels the job.

    Example::

        job = run_in_qthread(export_rows, rows)      # export_rows may call report_progress()
        job.progressed.connect(lambda p: bar.setValue(int(100 * (p.fraction or 0))))
        job.succeeded.connect(show_path)
        job.failed.connect(show_error)
        cancel_button.clicked.connect(job.cancel)
        # or, in a coroutine:  path = await run_in_qthread(export_rows, rows)
    """

    progressed = Signal(object)
    itemsEmitted = Signal(list)
    succeeded = Signal(object)
    failed = Signal(object)
    wasCancelled = Signal()
    finished = Signal()

    # Initial state as class attributes: setting an attribute on a QObject subclass costs
    # ~1 µs in PySide (~0.25 µs on a plain object), and starting 100 jobs at once must cost the
    # GUI thread little. Each is replaced per instance when it changes (all immutable).
    _outcome: tuple[str, object] | None = None
    _pending_progress: Progress | None = None
    _progress_posted = False
    _last_progress_at = float("-inf")
    _progress: Progress | None = None
    _abandoned = False
    _progress_timer: QTimer | None = None  # created on first use

    def __init__(self, call: Callable[[], object], name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._lock = threading.Lock()
        self._waiters: list[asyncio.Future[Any]] = []
        self._owner_thread = threading.get_ident()
        # Names of the signals something connected to (connectNotify): _settle emits only
        # those. An emit releases the GIL, and with 100 threads ending at once each release
        # made the GUI thread queue for the GIL again, for signals nobody listened to.
        self._connected: set[str] = set()
        self.control = JobControl(progress_sink=self._on_progress_reported)
        self._items: ItemPump[Any] = ItemPump(
            self._post_items,
            self._items_later,
            time.monotonic,
            self._emit_items,
            control=self.control,
        )
        self.control.item_sink = self._items

        self._endings = _endings_here()
        self._thread = _JobThread(call, self.control, weakref.ref(self), self._endings.inbox)
        self._thread.setObjectName(name)

    def connectNotify(self, signal: QMetaMethod) -> None:  # Qt override: keeps Qt's name
        self._connected.add(bytes(signal.name().data()).decode())

    def __repr__(self) -> str:
        state = self._outcome[0] if self._outcome else "running"
        return f"<QtWorkerJob {self.objectName()} {state}>"

    # -- state -------------------------------------------------------------------------------
    def done(self) -> bool:
        """True once the job succeeded, failed or was cancelled (its thread may still run).

        The same vocabulary as :class:`~guiapp.offload.Job` and ``concurrent.futures``:
        ``done()``, ``cancelled()``, ``cancel()``.
        """
        return self._outcome is not None

    def cancelled(self) -> bool:
        """True once the job was cancelled (``wasCancelled`` has been emitted)."""
        return self._outcome is not None and self._outcome[0] == _CANCELLED

    def is_running(self) -> bool:
        """True while the job's thread runs (it can outlive a cancel, until the call returns)."""
        return self._thread.isRunning()

    @property
    def progress(self) -> Progress | None:
        """The latest progress delivered on the GUI thread, or ``None``."""
        return self._progress

    @property
    def qthread(self) -> QThread:
        """The QThread running the call (read-only use: never terminate or delete it)."""
        return self._thread

    # -- control -----------------------------------------------------------------------------
    def cancel(self) -> bool:
        """Cancel the job; safe from any thread. False if it had already ended.

        Calls ``requestInterruption()`` on the thread, marks the :class:`JobControl` cancelled
        and runs its ``on_cancel`` callbacks in the calling thread; ``wasCancelled`` and
        ``finished`` are emitted at once on the GUI thread. The worker's eventual return value
        or exception is discarded.
        """
        if self._outcome is not None or self.control.cancelled:
            return False
        self._thread.requestInterruption()
        if not self.control.cancel():
            return False
        if threading.get_ident() == self._owner_thread:
            self._settle_cancelled()
        else:
            _post(self, "_settle_cancelled")
        return True

    def set_item_limits(self, max_items: int | None = None, max_bytes: int | None = None) -> None:
        """How many undelivered items (or bytes) make the worker's ``emit`` wait."""
        self._items.set_limits(max_items, max_bytes)

    def wait(self) -> asyncio.Future[Any]:
        """A future on the running asyncio loop, resolved with the outcome on the GUI thread.

        ``await job.wait()`` is the same as ``await job``. Cancelling the future (e.g. the
        awaiting task was cancelled) cancels the job.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if self._outcome is not None:
            _resolve(future, self._outcome)
            return future
        self._waiters.append(future)
        future.add_done_callback(self._on_waiter_done)
        return future

    def __await__(self) -> Generator[Any, None, Any]:
        return self.wait().__await__()

    def _on_waiter_done(self, future: asyncio.Future[Any]) -> None:
        if future.cancelled() and self._outcome is None:
            self.cancel()

    # -- worker -> GUI thread ----------------------------------------------------------------
    def _start(self) -> None:
        with _registry_lock:
            _registry.add(self)
        self._thread.start()

    def _on_worker_ended(self, kind: str, value: object) -> None:
        # GUI thread, a few jobs per event-loop turn (the Inbox's budget); order kept.
        self._flush_progress()
        self._items.flush()
        self._settle(kind, value)
        # The worker has returned, but its thread is still ending; drop the registry's
        # reference (the last one, perhaps) only once it has ended.
        self._endings.reaper.watch(self._thread_still_ending, self._unregister)

    def _thread_still_ending(self) -> bool:
        # Not isRunning()/isFinished(): both turn as soon as the thread enters Qt's own
        # QThreadPrivate::finish(), which then still emits finished(), delivers the thread's
        # deferred deletes and tears down its event dispatcher, all through the QThread. Freeing
        # the QThread in that window (the registry held the last reference) is a use after
        # free: a rare segfault in the next processEvents(). wait(0) is true only once finish()
        # is over (Qt sets running = false at its very end, under the thread's mutex).
        return not self._thread.wait(0)

    def _unregister(self) -> None:
        with _registry_lock:
            _registry.discard(self)

    @Slot()
    def _settle_cancelled(self) -> None:
        self._settle(_CANCELLED, None)

    def _settle(self, kind: str, value: object) -> None:
        if self._outcome is not None:
            return
        if self.control.cancelled:
            kind, value = _CANCELLED, None  # a cancelled job never reports a late result
        self._outcome = (kind, value)
        if self._progress_timer is not None:
            self._progress_timer.stop()
        with self._lock:
            self._pending_progress = None
        self._items.close()
        connected = self._connected
        if kind == _SUCCEEDED:
            if "succeeded" in connected:
                self.succeeded.emit(value)
        elif kind == _FAILED:
            if "failed" in connected:
                self.failed.emit(value)
        elif "wasCancelled" in connected:
            self.wasCancelled.emit()
        if "finished" in connected:
            self.finished.emit()
        waiters, self._waiters = self._waiters, []
        for future in waiters:
            # Its cancel watcher is moot now; left on, it would cost each job one more loop
            # callback (on qasync a zero-delay Qt timer) when the future resolves.
            future.remove_done_callback(self._on_waiter_done)
            _resolve(future, self._outcome)

    # -- items -------------------------------------------------------------------------------
    def _post_items(self) -> None:  # worker thread
        try:
            _post(self, "_on_items_posted")
        except RuntimeError:  # no C++ object any more: nobody listens
            self._items.close()

    @Slot()
    def _on_items_posted(self) -> None:
        self._items.on_wake()

    def _items_later(self, delay: float, callback: Callable[[], None]) -> None:
        QTimer.singleShot(max(1, round(delay * 1000.0)), self, callback)

    def _emit_items(self, items: list[Any], nbytes: int) -> None:
        try:
            if self._outcome is None and not self.control.cancelled:
                self.itemsEmitted.emit(items)
        finally:
            self._items.channel.release(len(items), nbytes)

    # -- progress ----------------------------------------------------------------------------
    def _on_progress_reported(self, progress: Progress) -> None:
        # Worker thread: keep only the latest value; post at most one wake-up at a time.
        with self._lock:
            self._pending_progress = progress
            if self._progress_posted:
                return
            self._progress_posted = True
        _post(self, "_on_progress_posted")

    @Slot()
    def _on_progress_posted(self) -> None:
        due_ms = (self._last_progress_at - time.monotonic()) * 1000.0 + _PROGRESS_INTERVAL_MS
        if due_ms > 0:
            if self._progress_timer is None:
                self._progress_timer = QTimer(self)
                self._progress_timer.setSingleShot(True)
                self._progress_timer.timeout.connect(self._deliver_progress)
            self._progress_timer.start(max(1, round(due_ms)))
        else:
            self._deliver_progress()

    @Slot()
    def _deliver_progress(self) -> None:
        with self._lock:
            progress, self._pending_progress = self._pending_progress, None
            self._progress_posted = False
        if progress is not None and self._outcome is None:
            self._last_progress_at = time.monotonic()
            self._progress = progress
            self.progressed.emit(progress)

    def _flush_progress(self) -> None:
        if self._progress_timer is not None:
            self._progress_timer.stop()
        self._deliver_progress()


class _Endings(QObject):
    """Qt glue of the Inbox and Reaper serving the jobs created on one (GUI) thread."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: Inbox[_Ended] = Inbox(_deliver_ended, self._post_drain)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self.reaper = Reaper(self._timer.start)
        self._timer.timeout.connect(self.reaper.poll)
        # Owned by C++ (parented to the QThread object of this thread, which Qt does not delete
        # before the process ends): a worker stuck past exit may still push into the inbox, so
        # PySide's exit-time cleanup must not destroy this object under that worker's feet.
        self.setParent(QThread.currentThread())

    def _post_drain(self) -> None:  # any thread
        try:
            _post(self, "_drain")
        except RuntimeError:  # no C++ object any more (interpreter exit): nobody listens
            _log.debug("QThread job endings dropped at exit")

    @Slot()
    def _drain(self) -> None:
        self.inbox.drain()


_local = threading.local()


def _endings_here() -> _Endings:
    endings: _Endings | None = getattr(_local, "endings", None)
    if endings is None:
        endings = _local.endings = _Endings()
    return endings


def _deliver_ended(item: _Ended) -> None:
    job, kind, value = item
    job._on_worker_ended(kind, value)


def _post(receiver: QObject, slot: str) -> None:
    """Call ``receiver.slot()`` on the receiver's thread (safe from any thread)."""
    QMetaObject.invokeMethod(receiver, slot, Qt.ConnectionType.QueuedConnection)


def _resolve(future: asyncio.Future[Any], outcome: tuple[str, object]) -> None:
    # A waiter's loop may have closed meanwhile (exit): its callbacks cannot be scheduled.
    if future.done() or future.get_loop().is_closed():
        return
    kind, value = outcome
    if kind == _SUCCEEDED:
        future.set_result(value)
    elif kind == _FAILED and isinstance(value, BaseException):
        future.set_exception(value)
    else:
        future.cancel()


def run_in_qthread(
    func: Callable[..., object], /, *args: Any, name: str | None = None, **kwargs: Any
) -> QtWorkerJob:
    """Start ``func(*args, **kwargs)`` on a new QThread; return its :class:`QtWorkerJob`.

    Call it on the GUI thread (signals are delivered to the thread that calls it). ``func``
    runs with the job bound, so ``checkpoint()``, ``report_progress()`` and ``on_cancel()``
    behave exactly as under the asyncio offloader; it can also poll
    ``QThread.currentThread().isInterruptionRequested()``.

    Example::

        job = run_in_qthread(requests.get, url, timeout=10)
        job.succeeded.connect(lambda r: label.setText(str(r.status_code)))
    """
    global _atexit_registered
    if not _atexit_registered:
        # Registered on first use (no import side effects): an app that forgot to call
        # shutdown_qthreads() on aboutToQuit still never destroys a running QThread at exit.
        atexit.register(shutdown_qthreads, 0.5)
        _atexit_registered = True
    job_name = name or f"guiapp-qthread-{next(_names)}"

    def call() -> object:
        return func(*args, **kwargs)

    job = QtWorkerJob(call, job_name)
    job._start()
    return job


def active_qthreads() -> list[QtWorkerJob]:
    """Jobs whose threads are still running (including cancelled and abandoned ones)."""
    with _registry_lock:
        return [job for job in _registry if job.is_running()]


def shutdown_qthreads(timeout: float = 2.0) -> list[str]:
    """End every running job's thread; return the names of threads abandoned after ``timeout``.

    Meant for ``app.aboutToQuit``: cancels each job (``requestInterruption()``, its
    ``on_cancel`` callbacks) and waits up to ``timeout`` seconds in total.
    A thread still stuck in blocking code is never terminated: it stays referenced for the
    life of the process and the process exit abandons it.

    Example::

        app.aboutToQuit.connect(lambda: shutdown_qthreads(1.0))
    """
    with _registry_lock:
        jobs = [job for job in _registry if not job._abandoned]
        abandoned = [job.objectName() for job in _registry if job._abandoned]
    for job in jobs:
        job.cancel()
    deadline = time.monotonic() + max(0.0, timeout)
    newly_abandoned: list[str] = []
    for job in jobs:
        remaining_ms = max(0, int((deadline - time.monotonic()) * 1000))
        if job.qthread.wait(remaining_ms):
            with _registry_lock:
                _registry.discard(job)
        else:
            newly_abandoned.append(job.objectName())
            _abandon(job)
    if newly_abandoned:
        _log.warning("abandoned %d stuck QThread(s): %s", len(newly_abandoned), newly_abandoned)
    return abandoned + newly_abandoned


def _abandon(job: QtWorkerJob) -> None:
    if job._abandoned:
        return
    job._abandoned = True
    # At exit PySide6 destroys every QObject still *owned by Python*, whatever its reference
    # count, and destroying the QThread of a running thread aborts the process. Parenting the
    # QThread to the QThread object of the thread it lives in (the GUI thread's, created by Qt
    # and never deleted before the process ends) moves ownership to C++: nobody deletes it,
    # and the process exit reclaims the stuck thread.
    owner = job._thread.thread()
    if owner is not None:
        job._thread.setParent(owner)
