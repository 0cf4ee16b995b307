"""Shutdown never waits for a stuck call: bounded close, no new work, stragglers logged."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from guiapp.offload import Offloader, OffloaderClosed, SerialLane

from ._helpers import run, wait_until

STUCK = 20


def stuck(started: threading.Semaphore) -> None:
    started.release()
    time.sleep(30)  # ignores cancellation, like a socket read without a timeout


@pytest.mark.parametrize("closer", ["close", "aclose"])
def test_close_with_stuck_jobs_returns_in_time_and_abandons_them(
    loop: asyncio.AbstractEventLoop, closer: str, caplog: pytest.LogCaptureFixture
) -> None:
    name = f"stuck-{closer}"
    pool = Offloader(max_workers=STUCK, name=name)
    started = threading.Semaphore(0)
    ran_after_close: list[int] = []
    caplog.set_level(logging.WARNING, logger="guiapp.offload")

    async def main() -> float:
        jobs = [pool.submit(stuck, started) for _ in range(STUCK)]
        queued = [pool.submit(ran_after_close.append, i) for i in range(5)]
        await wait_until(lambda: started._value >= STUCK)  # type: ignore[attr-defined]
        began = time.perf_counter()
        if closer == "close":
            assert pool.close(timeout=0.5) is False
        else:
            assert await pool.aclose(timeout=0.5) is False
        elapsed = time.perf_counter() - began
        assert all(job.cancelled() for job in jobs + queued)
        with pytest.raises(OffloaderClosed, match="closed"):
            pool.submit(print, "late")
        await asyncio.sleep(0.1)
        return elapsed

    elapsed = run(loop, main())
    # A sanity bound (10x the 0.5 s timeout); the stuck calls sleep 30 s.
    assert elapsed < 5.0, f"close took {elapsed:.2f} s"
    assert ran_after_close == []
    abandoned = {
        record.getMessage().split(" thread ")[1].split(" ")[0]
        for record in caplog.records
        if "abandoning thread" in record.getMessage()
    }
    assert abandoned == {f"{name}-{i}" for i in range(1, STUCK + 1)}
    assert pool.closed


def test_close_of_an_idle_or_unused_executor_is_quick_and_clean(
    loop: asyncio.AbstractEventLoop,
) -> None:
    unused = Offloader(name="unused")
    assert unused.close(timeout=5) is True
    used = Offloader(name="used")
    lane = SerialLane("idle-lane")

    async def main() -> None:
        await used.submit(int, "1")
        await lane.submit(int, "2")
        began = time.perf_counter()
        assert await used.aclose(timeout=5) is True
        assert lane.close(timeout=5) is True
        assert time.perf_counter() - began < 1.0
        assert used.thread_count == 0
        assert lane.thread_count == 0

    run(loop, main())
    with pytest.raises(OffloaderClosed):
        run(loop, lane.make_async(int)("3"))


def test_close_runs_on_cancel_of_running_jobs_so_cooperative_calls_end(
    loop: asyncio.AbstractEventLoop,
) -> None:
    from guiapp.offload import current_job

    pool = Offloader(max_workers=3, name="coop")
    started = threading.Semaphore(0)

    def cooperative() -> None:
        control = current_job()
        assert control is not None
        started.release()
        control.wait_cancelled(30)

    async def main() -> None:
        for _ in range(3):
            pool.submit(cooperative)
        await wait_until(lambda: started._value >= 3)  # type: ignore[attr-defined]
        assert pool.close(timeout=5) is True  # every thread ended

    run(loop, main())


EXIT_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, threading, time
    from guiapp.offload import Offloader, ProcessOffloader, default_offloader

    started = threading.Semaphore(0)


    def stuck():
        started.release()
        time.sleep(30)


    async def start(pool, procs):
        for _ in range(20):
            pool.submit(stuck)
        default_offloader().submit(stuck)  # the default one is abandoned without close()
        procs.submit(time.sleep, 30)  # a process busy for 30 s, never closed either
        while started._value < 21 or not procs.worker_pids():
            await asyncio.sleep(0.01)
        print("running", flush=True)


    def main(flavour):
        pool = Offloader(max_workers=20, name="stuck")
        procs = ProcessOffloader(max_workers=1, name="cpu")
        if flavour == "asyncio":
            async def run():
                await start(pool, procs)
                pool.close(timeout=0.5)
            asyncio.run(run())
            return
        # qasync, the way the app does it: close from aboutToQuit, then close the loop.
        from PySide6.QtWidgets import QApplication
        import qasync
        app = QApplication([])
        app.aboutToQuit.connect(lambda: pool.close(timeout=0.5))
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        task = loop.create_task(start(pool, procs))
        task.add_done_callback(lambda _t: app.quit())
        loop.run_forever()
        task.result()
        loop.close()


    if __name__ == "__main__":  # the worker process re-imports this module (spawn)
        main(sys.argv[1])
        print("exiting", flush=True)
    """
)


@pytest.mark.parametrize("flavour", ["asyncio", "qasync"])
def test_interpreter_exits_promptly_with_stuck_calls(flavour: str, tmp_path: Path) -> None:
    script = tmp_path / "exit_with_stuck_calls.py"
    script.write_text(EXIT_SCRIPT)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    repo = Path(__file__).resolve().parents[2]
    with subprocess.Popen(
        [sys.executable, str(script), flavour],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=repo,
        env=env,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        try:
            line = process.stdout.readline()  # blocks through start-up, however slow
            began = time.perf_counter()
            if line != "running\n":
                process.kill()
            returncode = process.wait(timeout=10)
            elapsed = time.perf_counter() - began
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        rest = process.stdout.read()
        stderr = process.stderr.read()
    assert line == "running\n", stderr
    assert returncode == 0, stderr
    assert rest == "exiting\n"
    # A sanity bound: the stuck calls would hold the exit for 30 s.
    assert elapsed < 10.0, f"exit took {elapsed:.2f} s after the calls were running"
    assert "abandoning thread stuck-" in stderr  # logging's last-resort handler


def test_close_after_the_loop_was_closed(loop: asyncio.AbstractEventLoop) -> None:
    # At exit the loop may be closed before an offloader; close() must still be quick and quiet.
    pool = Offloader(max_workers=2, name="late-close")
    started = threading.Semaphore(0)
    gate = threading.Event()

    async def main() -> None:
        pool.submit(stuck, started)
        pool.submit(gate.wait, 30)
        pool.submit(gate.wait, 30)  # queued
        await wait_until(lambda: started._value >= 1)  # type: ignore[attr-defined]

    run(loop, main())
    loop.close()
    began = time.perf_counter()
    assert pool.close(timeout=0.2) is False
    assert time.perf_counter() - began < 5.0  # a sanity bound; the calls wait 30 s
    gate.set()


def test_closing_wakes_idle_workers_one_after_another_not_all_at_once() -> None:
    # With 1,000 idle threads, waking them all at once (notify_all) made them fight over the
    # GIL with the thread that closed the pool, tens of ms on the GUI thread. Closing wakes one;
    # each one leaving wakes the next; every one of them still ends.
    idle = 40
    pool = Offloader(max_workers=idle, name="chain")
    gate = threading.Barrier(idle + 1)
    jobs = [pool.submit(gate.wait, 10) for _ in range(idle)]  # all threads, then all idle
    gate.wait(10)
    for job in jobs:
        job.result(10)
    deadline = time.monotonic() + 10.0
    while pool._pool._idle < idle and time.monotonic() < deadline:  # back in their wait
        time.sleep(0.005)
    assert pool._pool._idle == idle

    cond = pool._pool._cond
    woken_all: list[int] = []
    real_notify_all = cond.notify_all

    def notify_all() -> None:
        woken_all.append(1)
        real_notify_all()

    cond.notify_all = notify_all  # type: ignore[method-assign]
    assert pool.close(timeout=10.0) is True
    assert pool.thread_count == 0
    assert woken_all == []
