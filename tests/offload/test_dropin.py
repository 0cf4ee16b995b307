"""Drop-in: code written for run_in_executor / to_thread gains the Offloader by one line.

The snippets marked "verbatim" are the recipe existing apps use, unchanged; the only new line is
``loop.set_default_executor(Offloader(...))``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import threading
import time

import pytest

from guiapp.core import RequestSpec, send
from guiapp.core.errors import RequestError
from guiapp.offload import Offloader, ProcessOffloader, SerialLane, on_cancel
from tests.faultserver import FaultServer

from ._helpers import run, wait_until

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def call_api(url: str = "http://127.0.0.1/", timeout: float = 1.0) -> str:
    time.sleep(0.01)  # stands for requests.get(url, timeout=timeout)
    return f"{threading.current_thread().name} {url} {timeout} {request_id.get()}"


def test_the_executors_are_standard_executors() -> None:
    offloader, lane = Offloader(name="std"), SerialLane(name="std-lane")
    processes = ProcessOffloader(1, name="std-process")
    try:
        assert isinstance(offloader, concurrent.futures.ThreadPoolExecutor)
        assert isinstance(lane, concurrent.futures.ThreadPoolExecutor)
        assert isinstance(processes, concurrent.futures.Executor)
    finally:
        offloader.close()
        lane.close()
        processes.close()


def test_the_seed_recipe_runs_verbatim_on_the_default_executor(
    loop: asyncio.AbstractEventLoop,
) -> None:
    offloader = Offloader(max_workers=64, name="seed")
    loop.set_default_executor(offloader)  # the one new line

    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        request_id.set("r-42")
        # verbatim: the recipe's three forms
        a = await loop.run_in_executor(None, call_api)
        b = await loop.run_in_executor(None, functools.partial(call_api, "http://x/", timeout=2))
        c = await asyncio.to_thread(call_api, "http://y/", timeout=3)
        return [a, b, c]

    try:
        a, b, c = run(loop, main())
    finally:
        offloader.close()
    # contextvars reach the call on every path (plain run_in_executor drops them)
    assert a.startswith("seed-")
    assert a.endswith("http://127.0.0.1/ 1.0 r-42")
    assert b.startswith("seed-")
    assert b.endswith("http://x/ 2 r-42")
    assert c.startswith("seed-")
    assert c.endswith("http://y/ 3 r-42")


def test_cancelling_to_thread_reaches_the_socket_and_frees_the_worker(
    loop: asyncio.AbstractEventLoop,
) -> None:
    # The acceptance contract: a task awaiting asyncio.to_thread(send, spec) to a server that
    # never answers is cancelled; the worker is free again long before any timeout.
    offloader = Offloader(max_workers=1, name="dropin-cancel")
    loop.set_default_executor(offloader)
    server = FaultServer(lifetime=30.0)

    async def main() -> float:
        spec = RequestSpec(url=server.url("/never-answer"), timeout=(5.0, 25.0))
        task = asyncio.ensure_future(asyncio.to_thread(send, spec))
        await wait_until(lambda: offloader._pool.thread_count == 1)
        await asyncio.sleep(0.2)  # the request is connected and waiting for an answer
        cancelled_at = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # One worker only: this runs once the cancelled send has given its thread back.
        name = await asyncio.to_thread(lambda: threading.current_thread().name)
        assert name.startswith("dropin-cancel-")
        return time.perf_counter() - cancelled_at

    with server:
        try:
            freed_after = run(loop, main())
        finally:
            offloader.close()
    # Without the socket shut by on_cancel the worker would stay blocked for 25 s.
    assert freed_after < 5.0, f"worker freed after {freed_after:.3f} s"


def test_run_in_executor_cancel_runs_the_jobs_on_cancel_callbacks(
    loop: asyncio.AbstractEventLoop,
) -> None:
    offloader = Offloader(max_workers=2, name="hooks")
    loop.set_default_executor(offloader)
    started, unblocked = threading.Event(), threading.Event()
    seen: list[str] = []

    def blocking() -> str:
        with on_cancel(lambda: (seen.append("on_cancel"), unblocked.set())):
            started.set()
            unblocked.wait(20)
        return "late result"

    async def main() -> None:
        future = asyncio.get_running_loop().run_in_executor(None, blocking)
        await wait_until(started.is_set)
        future.cancel()  # all that run_in_executor ever does: Future.cancel()
        with pytest.raises(asyncio.CancelledError):
            await future
        await wait_until(lambda: seen == ["on_cancel"])

    try:
        run(loop, main())
    finally:
        offloader.close()


def test_a_seed_style_make_async_over_the_default_executor(
    loop: asyncio.AbstractEventLoop,
) -> None:
    # The blog's own make_async, verbatim: it uses loop.run_in_executor(None, partial(...)).
    def make_async(func):  # type: ignore[no-untyped-def]
        @functools.wraps(func)
        async def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, functools.partial(func, *args, **kwargs))

        return wrapper

    offloader = Offloader(max_workers=8, name="blog")
    loop.set_default_executor(offloader)
    fetch = make_async(call_api)

    async def main() -> list[str]:
        return list(await asyncio.gather(*(fetch(f"http://h/{i}", timeout=i) for i in range(8))))

    try:
        results = run(loop, main())
    finally:
        offloader.close()
    assert all(r.startswith("blog-") for r in results)
    assert sorted(r.split()[1] for r in results) == sorted(f"http://h/{i}" for i in range(8))


def test_asyncio_run_shutdown_of_a_stuck_default_executor_is_bounded() -> None:
    # asyncio.run() ends with shutdown_default_executor(): shutdown(wait=True). A standard
    # ThreadPoolExecutor would wait for the stuck call; the Offloader waits shutdown_timeout.
    release = threading.Event()
    offloader = Offloader(max_workers=2, name="stuck", shutdown_timeout=0.2)

    async def main() -> None:
        asyncio.get_running_loop().set_default_executor(offloader)
        task = asyncio.ensure_future(asyncio.to_thread(release.wait, 30))
        await asyncio.sleep(0.05)
        task.cancel()

    started = time.perf_counter()
    try:
        asyncio.run(main())
        elapsed = time.perf_counter() - started
    finally:
        release.set()
    assert offloader.closed
    assert elapsed < 10.0


def test_map_and_context_manager_like_the_standard_executor() -> None:
    with Offloader(max_workers=4, name="map") as pool:
        assert list(pool.map(pow, [2, 3, 4], [2, 2, 2])) == [4, 9, 16]
        futures = [pool.submit(pow, 2, n) for n in range(5)]
        done, _ = concurrent.futures.wait(futures, timeout=10)
        assert sorted(f.result() for f in done) == [1, 2, 4, 8, 16]
    assert pool.closed


def test_send_error_reaches_the_awaiter_through_to_thread(
    loop: asyncio.AbstractEventLoop,
) -> None:
    offloader = Offloader(max_workers=2, name="errors")
    loop.set_default_executor(offloader)
    server = FaultServer(lifetime=10.0)

    async def main() -> None:
        with pytest.raises(RequestError):
            await asyncio.to_thread(send, RequestSpec(url=server.url("/close-before-headers")))

    with server:
        try:
            run(loop, main())
        finally:
            offloader.close()
