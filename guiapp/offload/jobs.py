"""Job hooks that blocking code calls from deep inside a legacy call stack.

This module is the bottom of :mod:`guiapp.offload`: pure Python (no Qt, no asyncio, nothing
else from ``guiapp``), so that any blocking code -- the app's HTTP transport included -- can
cooperate with cancellation and report progress without knowing who runs it.
``guiapp.offload`` re-exports the public names; user code normally imports them from there.

The hooks act on the *current job*: the :class:`JobControl` bound to the running context by
whoever executes the work (the asyncio :class:`~guiapp.offload.Offloader`, the QThread worker,
or a test). Outside a job every hook is a harmless no-op.

Example::

    from guiapp.offload import checkpoint, report_progress, on_cancel

    def legacy_export(rows):                 # unchanged signature
        for i, row in enumerate(rows):
            checkpoint()                     # raises Cancelled once the job is cancelled
            write(row)
            report_progress(i + 1, len(rows))
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

__all__ = [
    "CancelRegistration",
    "Cancelled",
    "ItemSink",
    "JobControl",
    "Progress",
    "bind_job",
    "checkpoint",
    "current_job",
    "emit",
    "emit_many",
    "on_cancel",
    "report_progress",
]

_log = logging.getLogger(__name__)


class Cancelled(BaseException):
    """Raised inside a job's blocking code once the job has been cancelled.

    It derives from :class:`BaseException` (as :class:`asyncio.CancelledError` does) so that a
    legacy ``except Exception:`` block deep in the call stack cannot swallow a cancellation.

    >>> try:
    ...     raise Cancelled("stopped by the user")
    ... except Exception:
    ...     print("swallowed")
    ... except BaseException as exc:
    ...     print(type(exc).__name__, exc)
    Cancelled stopped by the user
    """


_EMPTY_INFO: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress value: ``done`` out of ``total`` (``None`` when unknown), plus free info.

    >>> Progress(25, 100).fraction
    0.25
    >>> Progress(3).fraction is None
    True
    """

    done: float
    total: float | None = None
    info: Mapping[str, Any] = field(default_factory=lambda: _EMPTY_INFO)

    @property
    def fraction(self) -> float | None:
        """``done / total`` clamped to [0, 1], or ``None`` when the total is unknown or zero."""
        if not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))


class CancelRegistration:
    """Handle returned by :meth:`JobControl.add_cancel_callback` / :func:`on_cancel`.

    Call :meth:`remove` (or use it as a context manager) once the guarded section is over, so
    a later cancel does not touch a resource that has moved on (a pooled socket, say).
    """

    __slots__ = ("_callback", "_control")

    def __init__(self, control: JobControl | None, callback: Callable[[], object]) -> None:
        self._control = control
        self._callback = callback

    def remove(self) -> None:
        """Unregister the callback; harmless if it already ran or was removed."""
        if self._control is not None:
            self._control._remove_cancel_callback(self._callback)
            self._control = None

    def __enter__(self) -> CancelRegistration:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


class ItemSink(Protocol):
    """Where :func:`emit` puts a job's items: whoever runs the job sets ``JobControl.item_sink``.

    ``put_many`` is called in the worker thread; it may block (back-pressure) and raises
    :class:`Cancelled` once the job is cancelled.
    """

    def put_many(self, items: Iterable[Any], /) -> None: ...


class JobControl:
    """Thread-safe cancellation flag, cancel callbacks and latest progress of one job.

    The executor creates one per job, binds it with :func:`bind_job` in the worker thread, and
    calls :meth:`cancel` from any thread. ``progress_sink`` is called in the *worker* thread with
    each new :class:`Progress`; executors use it to schedule a coalesced delivery elsewhere.

    >>> control = JobControl()
    >>> seen = []
    >>> _ = control.add_cancel_callback(lambda: seen.append("socket shut"))
    >>> control.cancel()
    True
    >>> control.cancel()          # idempotent
    False
    >>> seen
    ['socket shut']
    """

    def __init__(self, progress_sink: Callable[[Progress], object] | None = None) -> None:
        self._lock = threading.Lock()
        # A plain flag: most jobs are never cancelled nor waited on, so the Event behind
        # wait_cancelled() is created only when someone waits (one job costs less that way).
        self._cancelled = False
        self._event: threading.Event | None = None
        self._callbacks: list[Callable[[], object]] = []
        self._progress: Progress | None = None
        self._progress_sink = progress_sink
        #: The job's item channel (see :func:`emit`); ``None``: items are ignored.
        self.item_sink: ItemSink | None = None

    # -- cancellation --------------------------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` has been called."""
        return self._cancelled

    def cancel(self) -> bool:
        """Mark the job cancelled and run its cancel callbacks in the calling thread.

        Returns ``True`` the first time, ``False`` if the job was already cancelled. A callback
        that raises is logged and does not stop the others.
        """
        with self._lock:
            if self._cancelled:
                return False
            self._cancelled = True
            event = self._event
            callbacks, self._callbacks = self._callbacks, []
        if event is not None:
            event.set()
        for callback in callbacks:
            _run_cancel_callback(callback)
        return True

    def wait_cancelled(self, timeout: float | None = None) -> bool:
        """Block up to ``timeout`` seconds for a cancellation; True if cancelled.

        Blocking code that sleeps can use this instead of :func:`time.sleep` to wake at once.
        """
        with self._lock:
            if self._cancelled:
                return True
            if self._event is None:
                self._event = threading.Event()
            event = self._event
        return event.wait(timeout)

    def check(self) -> None:
        """Raise :class:`Cancelled` if the job has been cancelled."""
        if self._cancelled:
            raise Cancelled("the job was cancelled")

    def add_cancel_callback(self, callback: Callable[[], object]) -> CancelRegistration:
        """Run ``callback`` (no arguments) when the job is cancelled.

        If the job is already cancelled the callback runs immediately, in this thread.
        """
        with self._lock:
            if not self._cancelled:
                self._callbacks.append(callback)
                return CancelRegistration(self, callback)
        _run_cancel_callback(callback)
        return CancelRegistration(None, callback)

    def _remove_cancel_callback(self, callback: Callable[[], object]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._callbacks.remove(callback)

    # -- progress ------------------------------------------------------------------------------
    @property
    def progress(self) -> Progress | None:
        """The latest reported progress, or ``None`` before the first report."""
        return self._progress

    def report(self, done: float, total: float | None = None, **info: Any) -> None:
        """Record the latest progress and hand it to the sink (latest value wins)."""
        progress = Progress(done, total, MappingProxyType(info) if info else _EMPTY_INFO)
        self._progress = progress
        sink = self._progress_sink
        if sink is not None:
            sink(progress)


def _run_cancel_callback(callback: Callable[[], object]) -> None:
    try:
        callback()
    except Exception:
        _log.exception("cancel callback %r raised", callback)


_current: contextvars.ContextVar[JobControl | None] = contextvars.ContextVar(
    "guiapp_current_job", default=None
)
# The job a thread is running, for code that runs it in another context: asyncio.to_thread
# (and anything that calls contextvars.Context.run) runs the function in the context copied
# where the call was *made*, on the loop thread, where no job is bound.
_thread = threading.local()


def current_job() -> JobControl | None:
    """The :class:`JobControl` of the job running in this context (or thread), or ``None``."""
    control = _current.get()
    if control is None:
        control = getattr(_thread, "job", None)
    return control


@contextlib.contextmanager
def bind_job(control: JobControl) -> Iterator[JobControl]:
    """Make ``control`` the current job for the duration of the ``with`` block.

    It is bound to the running context and, for code that switches context (such as
    :func:`asyncio.to_thread`'s ``Context.run``), to the calling thread.

    >>> control = JobControl()
    >>> with bind_job(control):
    ...     current_job() is control
    True
    >>> current_job() is None
    True
    """
    token = _current.set(control)
    previous = getattr(_thread, "job", None)
    _thread.job = control
    try:
        yield control
    finally:
        _thread.job = previous
        _current.reset(token)


def _call_bound(
    control: JobControl, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """``func(*args, **kwargs)`` with ``control`` bound as :func:`bind_job` binds it.

    The same binding without the context manager's generator: the executors' worker threads
    run it once per job, and 1,000 trivial jobs are bound by the GIL's time, not the calls'.
    """
    token = _current.set(control)
    previous = getattr(_thread, "job", None)
    _thread.job = control
    try:
        return func(*args, **kwargs)
    finally:
        _thread.job = previous
        _current.reset(token)


def checkpoint() -> None:
    """Raise :class:`Cancelled` if the current job has been cancelled; no-op outside a job.

    >>> checkpoint()   # outside a job: nothing happens
    """
    control = current_job()
    if control is not None:
        control.check()


def report_progress(done: float, total: float | None = None, **info: Any) -> None:
    """Report progress of the current job; no-op outside a job.

    Call it as often as you like: deliveries to the GUI are coalesced (latest value wins).

    >>> report_progress(10, 100, stage="download")   # outside a job: nothing happens
    """
    control = current_job()
    if control is not None:
        control.report(done, total, **info)


def emit(item: object) -> None:
    """Hand one item (an event, a row, a log line) to whoever awaits the current job.

    Unlike progress, items are never dropped or coalesced: they reach the reader in order,
    in batches (``async for batch in job.items()``). When the reader falls too far behind,
    ``emit`` blocks until it catches up, and raises :class:`Cancelled` at once if the job is
    cancelled meanwhile. Outside a job, or for a job nobody reads, it does nothing.

    >>> emit({"event": "tick"})   # outside a job: nothing happens
    """
    control = current_job()
    if control is not None and (sink := control.item_sink) is not None:
        sink.put_many((item,))


def emit_many(items: Iterable[object]) -> None:
    """:func:`emit` each of ``items``, in order, with one hand-over (cheaper for many).

    >>> emit_many(range(3))   # outside a job: nothing happens
    """
    control = current_job()
    if control is not None and (sink := control.item_sink) is not None:
        sink.put_many(items)


def on_cancel(callback: Callable[[], object]) -> CancelRegistration:
    """Run ``callback`` promptly, in the cancelling thread, when the current job is cancelled.

    Use it to unblock code stuck in I/O (shut a socket, interrupt a sqlite3 connection).
    Outside a job the callback is never called. Remove the registration when the guarded
    section ends::

        with on_cancel(lambda: sock.shutdown(socket.SHUT_RDWR)):
            data = sock.recv(65536)
    """
    control = current_job()
    if control is None:
        return CancelRegistration(None, callback)
    return control.add_cancel_callback(callback)
