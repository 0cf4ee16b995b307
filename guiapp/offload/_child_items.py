"""The item channel inside a :class:`~guiapp.offload.ProcessOffloader` worker process.

``emit`` in the child puts items into an :class:`~guiapp.offload._items.ItemChannel`; a sender
thread pickles what piled up as one ``("items", [...])`` message at most ~60 times a second.
The parent's dispatcher thread hands each batch to the job's own channel and stops reading the
pipe while that channel is full, so the pipe fills, the sender waits, the child's channel fills
and ``emit`` in the child waits: back-pressure end to end, nothing dropped.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Iterable
from multiprocessing.connection import Connection
from typing import Any

from ._items import FRAME_INTERVAL, ItemChannel

__all__ = ["ChildItems"]


class ChildItems:
    """The child's :class:`~guiapp.offload.jobs.ItemSink` for one call; started on first item."""

    def __init__(self, conn: Connection, lock: threading.Lock) -> None:
        self._conn = conn
        self._lock = lock
        self._channel: ItemChannel[Any] | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._stop = False
        self._error: BaseException | None = None

    def put_many(self, items: Iterable[Any], /) -> None:
        """Called by ``emit`` in the job's thread; waits while the parent is behind."""
        if self._channel is None:
            self._channel = ItemChannel(self._ready.set)
            self._thread = threading.Thread(
                target=self._send_loop, args=(self._channel,), name="items-sender", daemon=True
            )
            self._thread.start()
        self._channel.put_many(items)

    def finish(self) -> None:
        """Send what is left and stop the sender; raise if an item could not be sent."""
        thread = self._thread
        if thread is not None:
            self._stop = True
            self._ready.set()
            thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _send_loop(self, channel: ItemChannel[Any]) -> None:
        last_send = float("-inf")
        while True:
            self._ready.wait()
            delay = last_send + FRAME_INTERVAL - time.monotonic()
            if delay > 0 and not self._stop:
                time.sleep(delay)  # let a frame's worth of items pile up: one message for all
            self._ready.clear()
            stopping = self._stop
            items, nbytes = channel.take()
            if items:
                try:
                    data = pickle.dumps(("items", items))
                except Exception as exc:
                    self._fail(channel, TypeError(f"an emitted item cannot be pickled: {exc}"))
                    return
                try:
                    with self._lock:
                        self._conn.send_bytes(data)
                except OSError as exc:  # the parent went away
                    self._fail(channel, exc)
                    return
                last_send = time.monotonic()
                channel.release(len(items), nbytes)
            if stopping:
                return

    def _fail(self, channel: ItemChannel[Any], error: BaseException) -> None:
        self._error = error
        channel.close(error)
