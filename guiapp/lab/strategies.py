"""Every way guiapp runs blocking work from the GUI thread: the one strategy registry.

:data:`STRATEGIES` (name -> class) holds the Lab's ten strategies (three of them for
Django's ORM only, :mod:`guiapp.lab.django_strategies`); each runs a workload's
tasks from a coroutine on the GUI thread's qasync loop and calls ``hooks.task_done()`` as each
one completes. Cancelling the coroutine aborts the run: queued work is dropped, running work is
cancelled through its job (sockets shut by ``core.send``'s ``on_cancel``, loops stopped at their
``checkpoint()``), and threads are joined with a deadline, never terminated.

Three of them are also the main window's Send strategies: :data:`SEND_STRATEGIES` maps the
strategy combo's ids (``asyncio-executor``, ``qthread``, ``gui-thread``, a public contract) to
them, and :func:`start_request` starts one request with one.

Example::

    strategy = STRATEGIES["make_async"](pool_size=8)
    await strategy.run(Workload("http_delay", tasks=8, delay=0.2), hooks)

    run = start_request("qthread", spec, offloader=offloader, on_progress=show)
    cancel_button.clicked.connect(run.cancel)
    response = await run
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator, Iterable
from typing import TYPE_CHECKING, Any

from guiapp.core import transport
from guiapp.core.request import RequestSpec
from guiapp.lab.django_strategies import DjangoAsyncOrm, SerialLaneStrategy, SyncToAsync
from guiapp.lab.qt_strategies import QasyncDefault, QThreadPerTask, QThreadPoolStrategy
from guiapp.lab.strategy import (
    JOIN_TIMEOUT,
    STARTER_THREADS,
    ProgressCallback,
    RunHooks,
    RunningRequest,
    Strategy,
    call_bound,
)
from guiapp.lab.workloads import Workload, cpu_loop
from guiapp.offload import Offloader, ProcessOffloader, make_async
from guiapp.offload.jobs import JobControl, bind_job

if TYPE_CHECKING:
    import httpx

__all__ = [
    "SEND_STRATEGIES",
    "SEND_STRATEGY_IDS",
    "STRATEGIES",
    "GuiThread",
    "MakeAsync",
    "NativeAsync",
    "ProcessPool",
    "SendFunc",
    "start_request",
]

SendFunc = Callable[[RequestSpec], Any]


class GuiThread(Strategy):
    name = "gui_thread"
    title = "GUI thread (blocking in the slot)"
    send_id = "gui-thread"
    send_label = "GUI thread (freezes!)"
    send_tooltip = (
        "Calls the blocking send directly in the GUI thread: the window freezes until the "
        "response arrives. Here only to show the contrast."
    )

    def max_added_threads(self, workload: Workload) -> int:
        return 0

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        for func, args in hooks.units:
            # Items the call emits wait in a plain list: the GUI thread is the one blocked in
            # the call, so nobody could take them from a bounded channel (it would deadlock).
            # They reach the GUI in one batch when the call is over: a stream shown at the end.
            held = _HeldItems()
            sink, hooks.control.item_sink = hooks.control.item_sink, held
            try:
                call_bound(hooks.control, func, args)  # the anti-pattern, on purpose
            finally:
                hooks.control.item_sink = sink
            if held.items and hooks.items is not None:
                hooks.items(held.items)
            hooks.task_done()
            await asyncio.sleep(0)  # let the plots repaint between calls (flatters it a bit)

    @classmethod
    def start(
        cls,
        func: Callable[..., Any],
        /,
        *args: Any,
        offloader: Offloader,
        on_progress: ProgressCallback,
    ) -> RunningRequest:
        return _GuiThreadCall(func, args, on_progress)


class _HeldItems:
    """An item sink that keeps everything (for a call that blocks its only reader)."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def put_many(self, items: Iterable[Any], /) -> None:
        self.items.extend(items)


class _GuiThreadCall:
    """Runs the call synchronously when awaited: the event loop (and the window) stand still."""

    def __init__(
        self, func: Callable[..., Any], args: tuple[Any, ...], on_progress: ProgressCallback
    ) -> None:
        self._func = func
        self._args = args
        self._on_progress = on_progress
        self._control = JobControl()

    def cancel(self) -> bool:
        # Nothing can run while the call blocks the GUI thread, so a cancel can only come
        # before the await starts (or after it ended): mark it, and checkpoint() obeys.
        return self._control.cancel()

    def __await__(self) -> Generator[Any, None, Any]:
        # One loop turn first, so the "Sending…" state is painted before the freeze.
        yield from asyncio.sleep(0.05).__await__()
        if self._control.cancelled:
            raise asyncio.CancelledError
        with bind_job(self._control):
            result = self._func(*self._args)
        if self._control.progress is not None:
            self._on_progress(self._control.progress)
        return result


class MakeAsync(Strategy):
    name = "make_async"
    title = "asyncio + make_async (own Offloader)"
    default_pool = 64
    send_id = "asyncio-executor"
    send_label = "Async executor"
    send_tooltip = "Runs the request in a worker thread awaited on the qasync loop (make_async)."

    def max_added_threads(self, workload: Workload) -> int:
        return super().max_added_threads(workload) + STARTER_THREADS

    @classmethod
    def start(
        cls,
        func: Callable[..., Any],
        /,
        *args: Any,
        offloader: Offloader,
        on_progress: ProgressCallback,
    ) -> RunningRequest:
        job = offloader.submit(func, *args)
        job.add_progress_callback(on_progress)
        return job

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        pool = Offloader(max_workers=self.pool_size or 64, name="lab-offload", idle_timeout=5.0)
        try:

            async def one(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
                if hooks.items is None:
                    await make_async(offloader=pool)(func)(*args)
                else:  # the job itself, to read the items it emits (what make_async awaits)
                    job = pool.submit(func, *args)
                    job.add_items_callback(hooks.items)
                    await job
                hooks.task_done()

            await asyncio.gather(*(one(f, a) for f, a in hooks.units))
        finally:
            # Cancelled: gather cancelled every job (sockets shut); wait, bounded, for threads.
            await pool.aclose(JOIN_TIMEOUT)


class ProcessPool(Strategy):
    name = "process"
    title = "ProcessOffloader (spawned worker processes)"
    default_pool = 2
    scope = "cpu"

    def __init__(self, pool_size: int | None = None) -> None:
        super().__init__(pool_size)
        self._pool: ProcessOffloader | None = None

    def worker_pids(self) -> list[int]:
        return self._pool.worker_pids() if self._pool is not None else []

    def max_added_threads(self, workload: Workload) -> int:
        return super().max_added_threads(workload) + STARTER_THREADS  # + a dispatcher each

    async def prepare(self, workload: Workload) -> None:
        # A spawned process costs ~0.2 s to start: start them before the clock does.
        size = min(self.pool_size or 2, workload.tasks)
        pool = self._pool = ProcessOffloader(max_workers=size, name="lab-process")
        try:
            # cpu_loop(1) also imports the workload module in each child, before the clock.
            await asyncio.gather(*(pool.submit(cpu_loop, 1) for _ in range(size)))
        except BaseException:  # cancelled (the Lab closed) or failed: no process may stay
            self._pool = None
            await pool.aclose(JOIN_TIMEOUT)
            raise

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        pool = self._pool
        if pool is None:
            await self.prepare(workload)
            pool = self._pool
        assert pool is not None
        try:

            async def one(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
                await pool.submit(func, *args)
                hooks.task_done()

            await asyncio.gather(*(one(f, a) for f, a in hooks.units))
        finally:
            await pool.aclose(JOIN_TIMEOUT)  # a cancelled job's process is killed
            self._pool = None


class NativeAsync(Strategy):
    name = "native_async"
    title = "native async I/O (httpx.AsyncClient on the qasync loop)"
    scope = "http"

    def __init__(self, pool_size: int | None = None) -> None:
        super().__init__(pool_size)
        self._client: httpx.AsyncClient | None = None

    def max_added_threads(self, workload: Workload) -> int:
        return 0  # one event loop, no threads (an IP literal needs no getaddrinfo thread)

    async def prepare(self, workload: Workload) -> None:
        # httpx and anyio load here, not with the registry: the main window needs neither.
        import anyio.lowlevel
        import httpx

        # An app makes its client once: building one loads the CA bundle into an SSL context,
        # a one-off ~50-90 ms on the GUI thread here, which is not the per-request cost.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        self._client = httpx.AsyncClient(limits=limits, timeout=60.0)
        # anyio imports its asyncio backend on first use (~0.1 s, once): not per request.
        await anyio.lowlevel.checkpoint()

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        if self._client is None:
            await self.prepare(workload)
        client, self._client = self._client, None
        assert client is not None
        async with client:

            async def one() -> None:
                await workload.async_unit(client, hooks.base_url, hooks.items)
                hooks.task_done()

            await asyncio.gather(*(one() for _ in range(workload.tasks)))


#: Every strategy, by name, in the order the Lab's tables list them.
STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (
        GuiThread,
        MakeAsync,
        QasyncDefault,
        QThreadPerTask,
        QThreadPoolStrategy,
        ProcessPool,
        NativeAsync,
        SyncToAsync,
        SerialLaneStrategy,
        DjangoAsyncOrm,
    )
}

#: The main window's Send strategies by combo id, in the combo's order (default first).
SEND_STRATEGIES: dict[str, type[Strategy]] = {
    cls.send_id: cls for cls in (MakeAsync, QThreadPerTask, GuiThread)
}
SEND_STRATEGY_IDS = tuple(SEND_STRATEGIES)


def start_request(
    strategy: str,
    spec: RequestSpec,
    *,
    offloader: Offloader,
    on_progress: ProgressCallback,
    send: SendFunc | None = None,
) -> RunningRequest:
    """Start sending ``spec`` with the Send strategy ``strategy`` (a combo id); GUI thread only.

    ``send`` replaces :func:`guiapp.core.transport.send` (tests inject failures with it).
    The result is awaitable (the Response, or the transport's error;
    :class:`asyncio.CancelledError` once cancelled) and cancellable from the GUI thread.
    """
    cls = SEND_STRATEGIES.get(strategy)
    if cls is None:
        raise ValueError(f"unknown strategy {strategy!r}; expected one of {SEND_STRATEGY_IDS}")
    return cls.start(send or transport.send, spec, offloader=offloader, on_progress=on_progress)
