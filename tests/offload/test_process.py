"""ProcessOffloader: picklable calls in spawned processes, cancel kills, close never hangs."""

from __future__ import annotations

import asyncio
import os
import pickle
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from guiapp.offload import (
    OffloaderClosed,
    ProcessOffloader,
    Progress,
    RemoteTraceback,
    WorkerProcessDied,
)

from . import _procfuncs as f
from ._helpers import run, wait_until


@pytest.fixture
def procs() -> Iterator[ProcessOffloader]:
    pool = ProcessOffloader(max_workers=1, name="cpu")
    yield pool
    pool.close(timeout=5)


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_results_arguments_and_reuse(
    loop: asyncio.AbstractEventLoop, procs: ProcessOffloader
) -> None:
    assert procs.worker_pids() == []  # started lazily

    async def main() -> tuple[int, int, int, int]:
        value = await procs.submit(f.power, 3, exponent=4, modulo=7)
        remote = procs.make_async(f.power)
        other = await remote(2, 10)
        return value, other, await procs.submit(f.pid), await procs.submit(f.pid)

    value, other, pid1, pid2 = run(loop, main())
    assert value == pow(3, 4, 7)
    assert other == 1024
    assert pid1 == pid2 != os.getpid()  # one process, reused
    assert procs.worker_pids() == [pid1]


def test_exception_comes_back_with_the_child_traceback(
    loop: asyncio.AbstractEventLoop, procs: ProcessOffloader
) -> None:
    async def main() -> BaseException:
        with pytest.raises(ValueError, match="parse failed") as info:
            await procs.submit(f.explode, "parse failed")
        # The worker survives an exception.
        assert await procs.submit(f.power, 5) == 25
        return info.value

    error = run(loop, main())
    assert isinstance(error.__cause__, RemoteTraceback)
    assert "in explode" in str(error.__cause__)
    assert "raise ValueError(message)" in error.__cause__.tb_text


def test_unpicklable_calls_fail_at_submit_and_bad_results_fail_the_job(
    loop: asyncio.AbstractEventLoop, procs: ProcessOffloader
) -> None:
    async def main() -> None:
        with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
            procs.submit(lambda: 1)
        with pytest.raises(TypeError, match="cannot be pickled"):
            await procs.submit(f.unpicklable_result)
        with pytest.raises(RuntimeError, match="Unrebuildable: 1/2"):
            await procs.submit(f.raise_unrebuildable)
        assert await procs.submit(f.power, 4) == 16

    run(loop, main())


def test_cancelling_a_running_job_returns_at_once_and_replaces_the_process(
    loop: asyncio.AbstractEventLoop, procs: ProcessOffloader
) -> None:
    async def main() -> tuple[float, int, int]:
        first_pid = await procs.submit(f.pid)
        job = procs.submit(f.hang, 30)
        task = asyncio.ensure_future(job)
        await asyncio.sleep(0.2)  # let it reach the child; either way it must never finish
        began = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        elapsed = time.perf_counter() - began
        assert job.cancelled()
        await wait_until(lambda: pid_gone(first_pid))  # killed and reaped
        second_pid = await procs.submit(f.pid)  # a fresh process serves the next job
        return elapsed, first_pid, second_pid

    elapsed, first_pid, second_pid = run(loop, main())
    assert elapsed < 5.0  # a sanity bound: at once here; the job would hang for 30 s
    assert second_pid != first_pid


def test_a_cancelled_queued_job_never_runs(
    loop: asyncio.AbstractEventLoop, procs: ProcessOffloader, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"

    async def main() -> None:
        running = procs.submit(f.hang, 30)
        queued = procs.submit(f.touch, str(marker))
        assert queued.cancel() is True
        running.cancel()
        assert await procs.submit(f.power, 6) == 36

    run(loop, main())
    assert not marker.exists()


def test_a_crashed_worker_fails_its_job_and_is_replaced(
    loop: asyncio.AbstractEventLoop, procs: ProcessOffloader
) -> None:
    async def main() -> None:
        with pytest.raises(WorkerProcessDied, match="code 3"):
            await procs.submit(f.die, 3)
        assert await procs.submit(f.power, 7) == 49

    run(loop, main())


def test_progress_from_the_child_is_delivered_coalesced(
    loop: asyncio.AbstractEventLoop, procs: ProcessOffloader
) -> None:
    seen: list[Progress] = []
    threads: set[str] = set()

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        threads.add(threading.current_thread().name)

    async def main() -> float:
        await procs.submit(f.pid)  # start-up is not part of the measurement
        began = time.perf_counter()
        job = procs.submit(f.count_with_progress, 200_000)
        job.add_progress_callback(on_progress)
        assert await job == 200_000
        return time.perf_counter() - began

    elapsed = run(loop, main())
    assert seen[-1] == Progress(200_000, 200_000)
    assert len(seen) <= 60 * elapsed + 5
    assert threads == {"MainThread"}


def test_close_with_a_stuck_job_never_hangs(loop: asyncio.AbstractEventLoop) -> None:
    pool = ProcessOffloader(max_workers=2, name="stuckproc")

    async def main() -> tuple[float, list[int]]:
        jobs = [pool.submit(f.hang, 30) for _ in range(2)]
        queued = pool.submit(f.power, 2)
        await wait_until(lambda: len(pool.worker_pids()) == 2)
        pids = pool.worker_pids()
        began = time.perf_counter()
        await pool.aclose(timeout=0.5)
        elapsed = time.perf_counter() - began
        assert all(job.cancelled() for job in [*jobs, queued])
        with pytest.raises(OffloaderClosed):
            pool.submit(f.power, 3)
        return elapsed, pids

    elapsed, pids = run(loop, main())
    assert elapsed < 10.0  # a sanity bound: ~0.5 s (its timeout) here; the jobs hang for 30 s
    assert pool.close(timeout=0.5) is True  # idempotent
    for pid in pids:
        deadline = time.monotonic() + 5
        while not pid_gone(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pid_gone(pid)


def test_fork_is_refused() -> None:
    with pytest.raises(ValueError, match="fork"):
        ProcessOffloader(mp_context="fork")


def test_unpicklable_progress_info_does_not_fail_the_job(
    loop: asyncio.AbstractEventLoop, procs: ProcessOffloader
) -> None:
    async def main() -> tuple[str, Progress | None]:
        job = procs.submit(f.progress_with_unpicklable_info)
        return await job, job.progress

    result, progress = run(loop, main())
    assert result == "fine"
    assert progress == Progress(1, 2)  # delivered, without its info


def test_forkserver_context_works_too(loop: asyncio.AbstractEventLoop) -> None:
    pool = ProcessOffloader(max_workers=1, name="fs", mp_context="forkserver")

    async def main() -> tuple[int, int]:
        return await pool.submit(f.power, 3, 3), await pool.submit(f.pid)

    try:
        value, pid = run(loop, main())
    finally:
        pool.close()
    assert value == 27
    assert pid != os.getpid()
