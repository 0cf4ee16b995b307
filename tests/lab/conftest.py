"""Fixtures for the Lab: a qasync loop, a shared demo API child process, tiny workloads."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import psutil
import pytest
from PySide6.QtWidgets import QApplication

from guiapp.lab.engine import LabSession
from guiapp.lab.workloads import Workload
from tests.loops import qasync_loop

T = TypeVar("T")

#: Every workload scaled down so that the whole matrix runs in seconds.
TINY = {
    "http_delay": Workload("http_delay", tasks=3, delay=0.05),
    "download": Workload("download", tasks=2, mb=1),
    "json_format": Workload("json_format", tasks=1, mb=0.2),
    "cpu_loop": Workload("cpu_loop", tasks=2, iterations=20_000),
    "sqlite_legacy": Workload("sqlite_legacy", tasks=2, rows=10),
    "stream": Workload("stream", tasks=2, events=300, rate=3_000),
}


@pytest.fixture
def lab_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test QApplication, closed in a fixed order after the test."""
    # Closing the Lab mid-scenario must not quit the application (and stop the loop) as
    # closing the last window would; in the app the main window stays open.
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    try:
        with qasync_loop(qapp) as loop:
            yield loop
    finally:
        qapp.setQuitOnLastWindowClosed(quit_on_close)


@pytest.fixture(scope="session")
def lab_session() -> Iterator[LabSession]:
    """One demo API child process for the engine tests (the window tests start their own)."""
    session = LabSession().start()
    try:
        yield session
    finally:
        session.close()


async def until(predicate: Callable[[], object], within: float = 20.0) -> float:
    """Wait (on the running loop) until ``predicate()``; return the seconds it took."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > within:
            raise AssertionError(f"timed out after {within} s waiting for {predicate}")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


def run(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """Run a whole test scenario in one ``run_until_complete``.

    Not one call per step: qasync's run_until_complete ends with a processEvents() *outside*
    the running loop, and a task step delivered then finds no running loop.
    """
    return loop.run_until_complete(coro)


def strategy_threads() -> set[str]:
    """OS thread ids of this process except Qt's global pool (Qt starts those for painting)."""
    ids = set(os.listdir("/proc/self/task"))
    named = set()
    for tid in ids:
        try:
            with open(f"/proc/self/task/{tid}/comm") as comm:
                if comm.read().strip() != "Thread (pooled)":
                    named.add(tid)
        except OSError:
            pass
    return named


def child_pids() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}
