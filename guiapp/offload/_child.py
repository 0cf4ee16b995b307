"""Code that runs inside a :class:`~guiapp.offload.ProcessOffloader` worker process.

Protocol over one duplex pipe: the parent sends ``pickle.dumps((func, args, kwargs))`` (or
closes the pipe to stop the worker); the child answers with zero or more
``("progress", done, total, info)`` and ``("items", [item, ...])`` messages followed by exactly
one ``("ok", result)`` or ``("error", exception, traceback_text)``. Items are pickled in
batches, at most ~60 a second, by a sender thread (:mod:`guiapp.offload._child_items`); when
the parent reads slowly the pipe fills and ``emit`` in the child waits.
"""

from __future__ import annotations

import contextlib
import pickle
import signal
import threading
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

from guiapp.offload.jobs import JobControl, Progress, bind_job

from ._child_items import ChildItems

__all__ = ["child_main"]

_PROGRESS_INTERVAL = 1.0 / 60.0


class _ProgressSender:
    """Coalesce progress in the child too: at most ~60 messages a second, last one flushed."""

    def __init__(self, conn: Connection, lock: threading.Lock) -> None:
        self._conn = conn
        self._lock = lock
        self._pending: Progress | None = None
        self._last = float("-inf")

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last < _PROGRESS_INTERVAL:
            self._pending = progress
            return
        self._last = now
        self._pending = None
        self._send(progress)

    def flush(self) -> None:
        if self._pending is not None:
            progress, self._pending = self._pending, None
            self._send(progress)

    def _send(self, progress: Progress) -> None:
        try:
            data = pickle.dumps(("progress", progress.done, progress.total, dict(progress.info)))
        except (pickle.PicklingError, TypeError, AttributeError):
            # Progress is best effort: an unpicklable ``info`` must not fail the job.
            data = pickle.dumps(("progress", progress.done, progress.total, {}))
        with self._lock:
            self._conn.send_bytes(data)


def child_main(conn: Connection) -> None:
    """Serve calls until the parent closes the pipe."""
    # Ctrl+C in a terminal signals the whole process group; only the parent should react.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        send_lock = threading.Lock()  # the job's thread and the item sender share the pipe
        sender = _ProgressSender(conn, send_lock)
        items = ChildItems(conn, send_lock)
        try:
            func, args, kwargs = pickle.loads(data)
            control = JobControl(progress_sink=sender)
            control.item_sink = items
            with bind_job(control):
                result = func(*args, **kwargs)
            items.finish()  # every item is sent before the outcome (raises if one could not be)
        except BaseException as exc:  # everything goes back to the awaiting task
            with contextlib.suppress(BaseException):
                items.finish()  # the items emitted before the error still arrive first
            sender.flush()
            _send_error(conn, exc, traceback.format_exc())
            del exc
            continue
        sender.flush()
        try:
            reply = pickle.dumps(("ok", result))
        except Exception as exc:
            _send_error(
                conn,
                TypeError(f"the result of {func!r} cannot be pickled: {exc!r}"),
                traceback.format_exc(),
            )
            continue
        conn.send_bytes(reply)


def _send_error(conn: Connection, exc: BaseException, tb_text: str) -> None:
    payload: Any = exc
    try:
        # Round-trip now: an exception whose class cannot be rebuilt must not kill the parent's
        # dispatcher later.
        pickle.loads(pickle.dumps(exc))
    except Exception:
        payload = RuntimeError(f"{type(exc).__qualname__}: {exc} (the exception is not picklable)")
    conn.send(("error", payload, tb_text))
