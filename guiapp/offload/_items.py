"""A lossless, bounded, batched item channel from a worker to one consumer thread.

Progress is a value (latest wins); content is a stream where every item matters: SSE events,
NDJSON records, log lines. Worker code calls :func:`~guiapp.offload.emit` /
:func:`~guiapp.offload.emit_many`; the items land in an :class:`ItemChannel` and are handed to
the loop thread in batches, at most one hand-over per frame (~60 per second) whatever the rate.
When the reader falls behind by more than ``max_items`` items or ``max_bytes`` bytes, ``emit``
blocks the worker (back-pressure) until the reader catches up; a cancel wakes it at once with
:class:`~guiapp.offload.jobs.Cancelled`.

Pieces: :class:`ItemChannel` (thread-safe buffer and accounting), :class:`ItemPump` (frame-paced
delivery, the same for asyncio and Qt: only "wake the consumer thread" and "call me later"
differ), :class:`JobItems` (a :class:`~guiapp.offload.Job`'s side on an asyncio loop) and
:class:`ItemStream` (what ``job.items()`` returns).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, Generic, TypeVar

from guiapp.offload.jobs import Cancelled, JobControl

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ITEMS",
    "ItemChannel",
    "ItemPump",
    "ItemStream",
    "JobItems",
]

_log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_MAX_ITEMS = 10_000
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
FRAME_INTERVAL = 1.0 / 60.0


class ItemChannel(Generic[T]):
    """Thread-safe FIFO of items between producers and one consumer, bounded in items and bytes.

    Producers call :meth:`put_many` (it blocks while the channel is full). The consumer calls
    :meth:`take` to get everything pending at once, and :meth:`release` once it has dealt with
    what it took: only then does the room come back. ``on_ready`` is called (in the producer's
    thread) when items arrive and no wake-up is pending; :meth:`take` re-arms it.

    An item is measured with ``sizeof`` (:func:`sys.getsizeof` by default, so an object can
    report its payload through ``__sizeof__``). A single item larger than ``max_bytes`` still
    passes, alone.

    >>> woken = []
    >>> channel = ItemChannel(lambda: woken.append(1), max_items=2)
    >>> channel.put_many(["a", "b"])
    >>> items, nbytes = channel.take()
    >>> items, len(woken)
    (['a', 'b'], 1)
    >>> channel.release(len(items), nbytes)
    >>> channel.close()
    >>> channel.put_many(["c"])
    Traceback (most recent call last):
    ...
    guiapp.offload.jobs.Cancelled: the job was cancelled
    """

    def __init__(
        self,
        on_ready: Callable[[], object],
        *,
        max_items: int = DEFAULT_MAX_ITEMS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        sizeof: Callable[[Any], int] = sys.getsizeof,
    ) -> None:
        self._on_ready = on_ready
        self._sizeof = sizeof
        self._cond = threading.Condition(threading.Lock())
        self._pending: list[T] = []
        self._pending_bytes = 0
        self._items = 0  # emitted and not yet released: pending + taken
        self._bytes = 0
        self._wake_pending = False
        self._error: BaseException | None = None
        self._closed = False
        self.max_items = max_items
        self.max_bytes = max_bytes
        self.emitted = 0  # items accepted so far (read by tests and benchmarks)
        self.waits = 0  # times a producer had to wait for room

    def set_limits(self, max_items: int | None = None, max_bytes: int | None = None) -> None:
        """Change the bounds (from any thread); waiting producers re-check at once."""
        if (max_items is not None and max_items < 1) or (max_bytes is not None and max_bytes < 1):
            raise ValueError("max_items and max_bytes must be at least 1")
        with self._cond:
            if max_items is not None:
                self.max_items = max_items
            if max_bytes is not None:
                self.max_bytes = max_bytes
            self._cond.notify_all()

    # -- producer ------------------------------------------------------------------------------
    def put_many(self, items: Iterable[T], /) -> None:
        """Append ``items`` in order, waiting for room as needed; raises if the channel closed."""
        batch = items if isinstance(items, list | tuple) else list(items)
        sizes = [self._sizeof(item) for item in batch]
        index, count = 0, len(batch)
        cond = self._cond
        while index < count:
            wake = False
            with cond:
                while True:
                    self._raise_if_closed()
                    if self._items == 0 or (
                        self._items < self.max_items and self._bytes < self.max_bytes
                    ):
                        break
                    self.waits += 1
                    cond.wait()
                start = index
                while index < count and (
                    self._items == 0
                    or (self._items < self.max_items and self._bytes < self.max_bytes)
                ):
                    size = sizes[index]
                    self._items += 1
                    self._bytes += size
                    self._pending_bytes += size
                    index += 1
                self._pending.extend(batch[start:index])
                self.emitted += index - start
                if not self._wake_pending:
                    self._wake_pending = wake = True
            if wake:
                self._on_ready()

    def _raise_if_closed(self) -> None:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise Cancelled("the job was cancelled")

    # -- consumer ------------------------------------------------------------------------------
    def take(self) -> tuple[list[T], int]:
        """Everything pending and its size in bytes; the next :meth:`put_many` wakes again."""
        with self._cond:
            items, self._pending = self._pending, []
            nbytes, self._pending_bytes = self._pending_bytes, 0
            self._wake_pending = False
        return items, nbytes

    def release(self, count: int, nbytes: int) -> None:
        """The consumer is done with ``count`` taken items of ``nbytes``: make room for more."""
        if not count:
            return
        with self._cond:
            self._items -= count
            self._bytes -= nbytes
            self._cond.notify_all()

    def close(self, error: BaseException | None = None) -> None:
        """Refuse further items: blocked and later producers raise ``error`` (or Cancelled)."""
        with self._cond:
            self._closed = True
            if error is not None and self._error is None:
                self._error = error
            self._cond.notify_all()

    @property
    def backlog(self) -> int:
        """Items emitted and not yet released by the consumer."""
        with self._cond:
            return self._items


class ItemPump(Generic[T]):
    """Deliver a channel's items on the consumer thread, in batches, at most once per frame.

    ``wake()`` must schedule :meth:`on_wake` on the consumer thread from any thread (asyncio:
    ``loop.call_soon_threadsafe``; Qt: a queued call). ``call_later(delay, callback)`` schedules
    on the consumer thread; ``clock()`` is that thread's monotonic clock. ``deliver(items,
    nbytes)`` receives each batch and must release it on the channel (now or later).
    Cancelling ``control`` closes the channel: a producer waiting for room raises at once.
    """

    def __init__(
        self,
        wake: Callable[[], object],
        call_later: Callable[[float, Callable[[], None]], object],
        clock: Callable[[], float],
        deliver: Callable[[list[T], int], object],
        *,
        control: JobControl | None = None,
        max_items: int = DEFAULT_MAX_ITEMS,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self._control = control
        self._wake = wake
        self._call_later = call_later
        self._clock = clock
        self._deliver = deliver
        self._max_items = max_items
        self._max_bytes = max_bytes
        self._channel: ItemChannel[T] | None = None
        self._open_lock = threading.Lock()
        self._last_delivery = float("-inf")
        self._timer_pending = False
        self.deliveries = 0  # batches handed over (read by tests and benchmarks)

    @property
    def channel(self) -> ItemChannel[T]:
        """The channel, created on first use (most jobs never emit an item)."""
        channel = self._channel
        if channel is None:
            with self._open_lock:
                channel = self._channel
                if channel is None:
                    channel = self._channel = ItemChannel(
                        self._wake, max_items=self._max_items, max_bytes=self._max_bytes
                    )
                    if self._control is not None:
                        # A cancel must wake a producer blocked on a full channel, at once.
                        self._control.add_cancel_callback(channel.close)
        return channel

    def set_limits(self, max_items: int | None = None, max_bytes: int | None = None) -> None:
        """Bounds for the channel (applied now if it exists, else when it is created)."""
        self._max_items = max_items or self._max_items
        self._max_bytes = max_bytes or self._max_bytes
        if self._channel is not None:
            self._channel.set_limits(max_items, max_bytes)

    def put_many(self, items: Iterable[T], /) -> None:
        """Producer side (:class:`~guiapp.offload.jobs.ItemSink`).

        See :meth:`ItemChannel.put_many`.
        """
        self.channel.put_many(items)

    def on_wake(self) -> None:
        """Consumer thread: deliver now if a frame passed since the last delivery, else soon."""
        due = self._last_delivery + FRAME_INTERVAL
        now = self._clock()
        if now < due:
            if not self._timer_pending:
                self._timer_pending = True
                self._call_later(due - now, self._on_timer)
            return
        self.flush()

    def _on_timer(self) -> None:
        self._timer_pending = False
        self.flush()

    def flush(self) -> None:
        """Consumer thread: deliver everything pending now (no-op if nothing is)."""
        channel = self._channel
        if channel is None:
            return
        items, nbytes = channel.take()
        if not items:
            return
        self._last_delivery = self._clock()
        self.deliveries += 1
        try:
            self._deliver(items, nbytes)
        except Exception:
            _log.exception("item delivery raised")
            channel.release(len(items), nbytes)

    def close(self, error: BaseException | None = None) -> None:
        """No more items: producers raise ``error`` (or :class:`Cancelled`)."""
        channel = self._channel if error is None else self.channel
        if channel is not None:
            channel.close(error)


class ItemStream(AsyncIterator[list[T]]):
    """What :meth:`Job.items() <guiapp.offload.Job.items>` returns: batches of items, in order.

    Each ``__anext__`` returns every item delivered since the previous one, as one list; the
    iteration ends once the job is done and everything has been read. Items count against the
    channel's bounds until they are returned here, so a slow reader slows the worker down
    instead of growing memory. Leaving the loop early while the job goes on? Call
    :meth:`aclose`, so the worker is not held back by items nobody will read::

        stream = job.items(max_items=1_000)
        async for events in stream:
            table.append(events)
            if table.full():
                await stream.aclose()
                break
    """

    def __init__(self, owner: JobItems[T]) -> None:
        self._owner: JobItems[T] | None = owner
        self._backlog: deque[tuple[list[T], int]] = deque()
        self._ended = False
        self._waiter: asyncio.Future[None] | None = None

    def _put(self, items: list[T], nbytes: int) -> None:
        self._backlog.append((items, nbytes))
        self._wake()

    def _end(self) -> None:
        self._ended = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> ItemStream[T]:
        return self

    async def __anext__(self) -> list[T]:
        while not self._backlog:
            if self._ended:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        items, nbytes = self._backlog.popleft()
        while self._backlog:  # a reader that fell behind catches up with one list
            more, more_bytes = self._backlog.popleft()
            items.extend(more)
            nbytes += more_bytes
        owner = self._owner
        if owner is not None:
            owner._release(len(items), nbytes)
        return items

    async def aclose(self) -> None:
        """Stop reading: drop what is buffered and stop holding the worker back."""
        self._ended = True
        owner, self._owner = self._owner, None
        if owner is not None:
            owner._detach(self)
        while self._backlog:
            items, nbytes = self._backlog.popleft()
            if owner is not None:
                owner._release(len(items), nbytes)


class JobItems(Generic[T]):
    """A job's item channel on the side of an asyncio loop (plain asyncio or qasync).

    Set as the job's :attr:`JobControl.item_sink <guiapp.offload.jobs.JobControl.item_sink>`.
    Batches go to the reader (:meth:`stream`) and the callbacks (:meth:`add_callback`) attached
    when they arrive on the loop thread; attach them right after ``submit``, in the same turn of
    the loop, to see every item (the same rule as progress callbacks). Items of a job nobody
    reads are released on arrival, so such a job is never held back.

    Every job makes its own on first use (``job.items()``). Make one yourself to gather the
    items of several calls into one channel: set it as the ``item_sink`` of a
    :class:`~guiapp.offload.JobControl` shared by the calls (bound in each worker with
    :func:`~guiapp.offload.jobs.bind_job`), read it, and :meth:`end` it when they are done
    (the Lab counts a whole run's events this way):

    >>> import asyncio, threading
    >>> from guiapp.offload import JobControl, emit
    >>> from guiapp.offload.jobs import bind_job
    >>> def produce(control, n):
    ...     with bind_job(control):
    ...         for i in range(n):
    ...             emit(i)
    >>> async def main():
    ...     control = JobControl()
    ...     channel = JobItems(asyncio.get_running_loop(), control)
    ...     control.item_sink = channel
    ...     seen = []
    ...     channel.add_callback(seen.extend)
    ...     threads = [threading.Thread(target=produce, args=(control, 500)) for _ in range(2)]
    ...     for thread in threads:
    ...         thread.start()
    ...     await asyncio.to_thread(lambda: [t.join() for t in threads])
    ...     channel.end()  # delivers what is still pending, then closes
    ...     return len(seen)
    >>> asyncio.run(main())
    1000
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, control: JobControl) -> None:
        # Dropped when the job ends: a worker that outlives its job keeps the JobControl, hence
        # this object, and must not keep the loop alive (a qasync loop freed off the GUI thread
        # crashes).
        self._loop: asyncio.AbstractEventLoop | None = loop
        self._control = control
        self._reader: ItemStream[T] | None = None
        self._callbacks: list[Callable[[list[T]], object]] = []
        self._ended = False
        self._discarding = False  # the reader left and nobody else listens
        self._pump: ItemPump[T] = ItemPump(
            self._wake_threadsafe, self._call_later, self._clock, self._deliver, control=control
        )

    # -- worker side ---------------------------------------------------------------------------
    def put_many(self, items: Iterable[T], /) -> None:
        """:class:`~guiapp.offload.jobs.ItemSink`: called by ``emit`` in the worker thread."""
        if self._discarding:
            self._control.check()
            return
        self._pump.put_many(items)

    def _wake_threadsafe(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._pump.on_wake)
        except RuntimeError:  # the loop closed meanwhile: nobody reads any more
            self._pump.close()

    def _call_later(self, delay: float, callback: Callable[[], None]) -> None:
        if self._loop is not None:
            self._loop.call_later(delay, callback)

    def _clock(self) -> float:
        return self._loop.time() if self._loop is not None else 0.0

    # -- loop side -----------------------------------------------------------------------------
    def stream(self, max_items: int | None = None, max_bytes: int | None = None) -> ItemStream[T]:
        """Start reading (one reader at a time); optionally change the channel's bounds."""
        if self._reader is not None:
            raise RuntimeError("this job's items are already being read; aclose() that reader")
        if max_items is not None or max_bytes is not None:
            self._pump.set_limits(max_items, max_bytes)
        reader: ItemStream[T] = ItemStream(self)
        self._discarding = False
        if self._ended:
            reader._end()
        else:
            self._reader = reader
        return reader

    def add_callback(self, callback: Callable[[list[T]], object]) -> None:
        """Call ``callback(batch)`` on the loop thread with each batch, in order."""
        self._callbacks.append(callback)

    def flush(self) -> None:
        """Deliver what is pending now: the job calls this before publishing its result."""
        self._pump.flush()

    def end(self) -> None:
        """The job is done: flush (unless cancelled), close the channel, end the reader."""
        if self._ended:
            return
        if not self._control.cancelled:
            self._pump.flush()
        self._ended = True
        self._pump.close()
        self._loop = None
        self._callbacks = []
        reader, self._reader = self._reader, None
        if reader is not None:
            reader._end()

    def _deliver(self, items: list[T], nbytes: int) -> None:
        for callback in list(self._callbacks):
            try:
                callback(items)
            except Exception:
                _log.exception("items callback %r raised", callback)
        reader = self._reader
        if reader is None:
            self._release(len(items), nbytes)
        else:
            reader._put(items, nbytes)

    def _release(self, count: int, nbytes: int) -> None:
        channel = self._pump._channel
        if channel is not None:
            channel.release(count, nbytes)

    def _detach(self, reader: ItemStream[T]) -> None:
        if self._reader is reader:
            self._reader = None
            self._discarding = not self._callbacks
