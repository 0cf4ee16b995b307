"""The measured facts behind docs/why.md: each experiment returns numbers and a sentence.

- W1 GIL: parse + pretty-print a big JSON body on the GUI thread, in a thread, in a process.
- W2 queueing: many 1 s calls through qasync's 10-thread default executor vs an Offloader.
- W3 cancel: a cancelled ``run_in_executor`` call keeps its thread; a socket-level cancel
  (``core.send`` + ``on_cancel`` under ``make_async``) frees it at once.
- W4 exit: how long a process lives on after "quit" with a call in flight (subprocesses).
- W5 native async: many concurrent slow calls, httpx on the loop vs threads.
- W7 Django's ORM: a legacy sync ETL on the GUI thread, through asgiref's
  ``sync_to_async(thread_sensitive=True)``, a SerialLane, Django's async ORM, a thread pool;
  and how long an unrelated thread-sensitive call waits meanwhile.

Example::

    facts = await run_why(session, quick=True)
    Path("docs/why-results.md").write_text(why_markdown(facts))
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import qasync

from guiapp.lab.engine import CellRun, LabSession
from guiapp.lab.results import CellResult
from guiapp.lab.strategies import STRATEGIES
from guiapp.lab.workloads import Workload, http_get
from guiapp.offload import Offloader, make_async

__all__ = ["Fact", "exit_child", "run_why", "why_markdown"]


@dataclass
class Fact:
    """One experiment: an id, a title, a sentence with the figures, and the raw figures."""

    key: str
    title: str
    sentence: str
    figures: dict[str, Any] = field(default_factory=dict)


async def _cells(session: LabSession, workload: Workload, names: list[str]) -> list[CellResult]:
    results = []
    for name in names:
        size = {"make_async": 64}.get(name)
        results.append(await CellRun(workload, STRATEGIES[name](size), session).run())
    return results


async def why_gil(session: LabSession, mb: float) -> Fact:
    wl = Workload("json_format", tasks=1, mb=mb, parse_only=1)
    gui, thread, process = await _cells(session, wl, ["gui_thread", "make_async", "process"])
    figures = {r.strategy: round(r.lag.max_ms, 1) for r in (gui, thread, process)}
    return Fact(
        "W1",
        "Threads do not help GIL-holding work",
        f"json.loads of a {mb:g} MB body: worst GUI stall "
        f"{gui.lag.max_ms:.0f} ms on the GUI thread, {thread.lag.max_ms:.0f} ms in a worker "
        f"thread, {process.lag.max_ms:.0f} ms in a worker process (wall {gui.wall_s:.2f} / "
        f"{thread.wall_s:.2f} / {process.wall_s:.2f} s).",
        figures,
    )


async def why_queueing(session: LabSession, calls: int, delay: float) -> Fact:
    wl = Workload("http_delay", tasks=calls, delay=delay)
    qasync_default, own, native = await _cells(
        session, wl, ["qasync_default", "make_async", "native_async"]
    )
    return Fact(
        "W2",
        "A small default executor queues",
        f"{calls} concurrent {delay:g} s calls: {qasync_default.wall_s:.2f} s through qasync's "
        f"default executor (10 threads: {calls} / 10 = {-(-calls // 10)} waves), "
        f"{own.wall_s:.2f} s through make_async on a 64-thread Offloader, "
        f"{native.wall_s:.2f} s with httpx.AsyncClient.",
        {r.strategy: round(r.wall_s, 2) for r in (qasync_default, own, native)},
    )


async def why_cancel(session: LabSession, delay: float) -> Fact:
    url = f"{session.server.start().url}/delay/{delay:g}"
    loop = asyncio.get_running_loop()

    async def freed_after(submit_call: Any, probe: Any) -> float:
        task = asyncio.ensure_future(submit_call())
        await asyncio.sleep(0.2)  # the call is now blocked in recv()
        task.cancel()
        cancelled_at = time.perf_counter()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await probe()  # runs on the same single worker thread once it is free
        return time.perf_counter() - cancelled_at

    executor = qasync.QThreadExecutor(1)
    try:
        plain = await freed_after(
            lambda: loop.run_in_executor(executor, http_get, url),
            lambda: loop.run_in_executor(executor, time.perf_counter),
        )
    finally:
        executor.shutdown(wait=True)
    pool = Offloader(max_workers=1, name="lab-why-cancel")
    try:
        socket_level = await freed_after(
            lambda: make_async(offloader=pool)(http_get)(url),
            lambda: pool.submit(time.perf_counter),
        )
    finally:
        await pool.aclose(2.0)
    return Fact(
        "W3",
        "run_in_executor cannot cancel a running thread; a socket-level cancel can",
        f"A {delay:g} s call cancelled after 0.2 s: the run_in_executor thread stayed busy "
        f"{plain:.2f} s more (cancel only detaches the future); under make_async, "
        f"core.send's on_cancel shut the socket and the thread was free after "
        f"{socket_level * 1000:.1f} ms.",
        {"run_in_executor_busy_s": round(plain, 3), "make_async_free_s": round(socket_level, 4)},
    )


_EXIT_SCRIPT = "from guiapp.bench.lab_why import exit_child; exit_child({mode!r}, {url!r})"


def exit_child(mode: str, url: str) -> None:
    """Child process of W4: start a slow call, print ``quit``, then do what ``mode`` says."""
    import concurrent.futures
    import threading

    if mode == "idle":
        print("quit", flush=True)
        return
    if mode == "threadpool":
        concurrent.futures.ThreadPoolExecutor(1).submit(http_get, url)
        time.sleep(0.2)
        print("quit", flush=True)
        return  # the interpreter's exit joins the executor's thread: waits for the call

    async def main() -> None:
        pool = Offloader(max_workers=1, name="exit")
        func = http_get if mode == "offloader" else _sleep_uncancellable
        job = pool.submit(func, url)
        await asyncio.sleep(0.2)
        print("quit", flush=True)
        await pool.aclose(0.5)  # cancel (shuts the socket), wait 0.5 s at most, abandon
        del job

    asyncio.run(main())
    assert threading.main_thread().is_alive()


def _sleep_uncancellable(url: str) -> None:
    time.sleep(float(url.rsplit("/", 1)[1]))  # stands for a C call that ignores sockets


def _exit_time(mode: str, url: str) -> float:
    code = _EXIT_SCRIPT.format(mode=mode, url=url)
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the abandoned-thread warning is expected there
        text=True,
    )
    assert process.stdout is not None
    process.stdout.readline()
    quit_at = time.perf_counter()
    process.wait(60)
    process.stdout.close()
    return time.perf_counter() - quit_at


async def why_exit(session: LabSession, delay: float) -> Fact:
    url = f"{session.server.start().url}/delay/{delay:g}"
    modes = ("idle", "threadpool", "offloader", "offloader_uncancellable")
    times = {}
    pool = Offloader(max_workers=1, name="lab-why-exit")
    try:
        for mode in modes:  # waiting on a child process blocks: not on the GUI thread
            times[mode] = await pool.submit(_exit_time, mode, url)
    finally:
        await pool.aclose(2.0)
    return Fact(
        "W4",
        "Exit with a call in flight",
        f"Quit 0.2 s into a {delay:g} s call (an idle process takes {times['idle']:.2f} s from "
        f"quit to gone): a concurrent.futures pool kept the process alive "
        f"{times['threadpool']:.2f} s (its exit hook joins the worker); with the Offloader, "
        f"{times['offloader']:.2f} s (the cancel shut the socket) and "
        f"{times['offloader_uncancellable']:.2f} s with an uncancellable call (a bounded "
        "0.5 s wait, then the daemon thread is abandoned).",
        {k: round(v, 2) for k, v in times.items()},
    )


async def why_native(session: LabSession, calls: int, delay: float) -> Fact:
    wl = Workload("http_delay", tasks=calls, delay=delay)
    native, own, qthread = await _cells(session, wl, ["native_async", "make_async", "qthread"])
    return Fact(
        "W5",
        "Native async: no threads, but its protocol work runs on the GUI thread",
        f"{calls} concurrent {delay:g} s calls. httpx.AsyncClient: {_cost(native)}. "
        f"make_async on 64 threads: {_cost(own)}. A QThread each: {_cost(qthread)}.",
        {
            r.strategy: {
                "wall_s": round(r.wall_s, 2),
                "added_threads": r.added_threads,
                "rss_added_mb": round(r.rss_added_mb, 1),
                "lag_max_ms": round(r.lag.max_ms, 1),
            }
            for r in (native, own, qthread)
        },
    )


async def why_django(session: LabSession, tasks: int, rows: int) -> Fact:
    title = "Django's ORM: one thread per process, or one per lane"
    try:
        from asgiref.sync import sync_to_async

        from guiapp.lab import django_orm
    except ImportError:
        return Fact("W7", title, "Not measured: Django is not installed (guiapp[django]).")
    wl = Workload("django_etl", tasks=tasks, rows=rows)

    async def with_probe(name: str) -> tuple[CellResult, Probe]:
        run = CellRun(wl, STRATEGIES[name](), session)
        task = asyncio.ensure_future(run.run())
        try:
            probe = await _unrelated_wait(run, task, sync_to_async, django_orm.TRACKER)
        except BaseException:
            task.cancel()
            raise
        return await task, probe

    try:
        refused = (await _cells(session, wl, ["gui_thread"]))[0]
        unsafe_wl = Workload("django_etl", tasks=tasks, rows=rows, async_unsafe=1)
        frozen = await CellRun(unsafe_wl, STRATEGIES["gui_thread"](), session).run()
        s2a, s2a_wait = await with_probe("sync_to_async")
        lane, lane_wait = await with_probe("serial_lane")
        native, pool = await _cells(session, wl, ["django_async", "make_async"])
    finally:
        django_orm.prepare(async_unsafe=False)  # async safety back on (a short join)
    results = (refused, frozen, s2a, lane, native, pool)
    pool_outcome = "all calls succeeded" if pool.status == "ok" else pool.status
    return Fact(
        "W7",
        title,
        f"{tasks} calls of a legacy ETL function ({rows} inserts in one transaction, then a "
        f"report), sqlite. On the GUI thread Django refused: {refused.status.rstrip('.')}; with "
        f"DJANGO_ALLOW_ASYNC_UNSAFE set it ran and froze the GUI for "
        f"{frozen.lag.max_ms:.0f} ms ({frozen.wall_s:.2f} s). "
        f"sync_to_async(thread_sensitive=True): {s2a.wall_s:.2f} s, GUI lag max "
        f"{s2a.lag.max_ms:.0f} ms, {s2a.detail}; an unrelated thread-sensitive no-op "
        f"{s2a_wait.describe(tasks)}. SerialLane: {lane.wall_s:.2f} s, lag max "
        f"{lane.lag.max_ms:.0f} ms, {lane.detail}; the same no-op "
        f"{lane_wait.describe(tasks)}. Django's async ORM (no async transactions: a commit per "
        f"insert): {native.wall_s:.2f} s, lag max {native.lag.max_ms:.0f} ms, {native.detail}. "
        f"A thread pool (make_async, 64 threads): {pool_outcome} ({pool.detail}).",
        {
            "rows": {r.strategy + ("+unsafe" if r is frozen else ""): r.row() for r in results},
            "unrelated_wait_ms": {
                "sync_to_async": s2a_wait.wait_ms,
                "serial_lane": lane_wait.wait_ms,
            },
            "unrelated_issued_after_calls_ended": {
                "sync_to_async": s2a_wait.calls_ended,
                "serial_lane": lane_wait.calls_ended,
            },
        },
    )


@dataclass(frozen=True)
class Probe:
    """W7's unrelated no-op: how long it waited, and how many ETL calls had ended when it was
    issued (None, None: the run ended before its first call started; it was not issued)."""

    wait_ms: float | None
    calls_ended: int | None

    def describe(self, tasks: int) -> str:
        if self.wait_ms is None:
            return "was not issued (no ETL call started)"
        return (
            f"issued once the first ETL call had started ({self.calls_ended} of {tasks} "
            f"ended) waited {self.wait_ms:.1f} ms"
        )


async def _unrelated_wait(
    run: CellRun, task: asyncio.Future[CellResult], sync_to_async: Any, tracker: Any
) -> Probe:
    """Issue a thread-sensitive no-op once ``run`` has begun its measured part and its first
    ETL call has started, and time it: what an unrelated ORM call waits meanwhile.

    Waiting a fixed delay instead would fall, at a small scale or on a slow start, in the
    run's set-up (Django's migrations, before any call is queued) and time an idle thread.
    The tracker counts the calls of this run only (the set-up resets it).
    """
    deadline = time.perf_counter() + 120.0
    while run.started_at is None or tracker.calls < 1:  # bounded: the run ends, or the deadline
        if task.done() or time.perf_counter() > deadline:
            return Probe(None, None)
        await asyncio.sleep(0.001)
    calls_ended = tracker.calls - tracker.calls_active
    started = time.perf_counter()
    await sync_to_async(time.perf_counter, thread_sensitive=True)()
    return Probe(round((time.perf_counter() - started) * 1000, 2), calls_ended)


def _cost(r: CellResult) -> str:
    return (
        f"{r.wall_s:.2f} s, +{r.added_threads} threads, +{r.rss_added_mb:.1f} MB RSS, "
        f"GUI lag p99 {r.lag.p99_ms:.0f} / max {r.lag.max_ms:.0f} ms"
    )


async def run_why(session: LabSession, *, quick: bool) -> list[Fact]:
    """All six experiments, at the quick or full scale."""
    if quick:
        return [
            await why_gil(session, 4.0),
            await why_queueing(session, 30, 0.3),
            await why_cancel(session, 1.0),
            await why_exit(session, 1.0),
            await why_native(session, 60, 0.3),
            await why_django(session, 4, 100),
        ]
    return [
        await why_gil(session, 20.0),
        await why_queueing(session, 50, 1.0),
        await why_cancel(session, 3.0),
        await why_exit(session, 3.0),
        await why_native(session, 200, 1.0),
        await why_django(session, 8, 200),
    ]


def why_markdown(facts: list[Fact]) -> str:
    """The facts as Markdown (docs/why-results.md)."""
    return "\n".join(f"- **{f.key} — {f.title}.** {f.sentence}" for f in facts) + "\n"
