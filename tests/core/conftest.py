"""Fixtures for core tests: the fault-injection server, a thread-leak check, job runners."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from guiapp.core.jobs import JobControl, Progress, bind_job
from tests.faultserver import FaultServer


@pytest.fixture
def no_thread_leak() -> Iterator[None]:
    """Fail the test if it leaves a thread running (waits up to 5 s for stragglers)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while True:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert not extra, f"threads left behind: {[t.name for t in extra]}"


@pytest.fixture
def faultserver(no_thread_leak: None) -> Iterator[FaultServer]:
    with FaultServer(lifetime=30) as server:
        yield server


@dataclass
class JobThread:
    """Run a callable in a thread with a bound JobControl; keep its outcome and progress."""

    func: Callable[[], Any]
    progress: list[Progress] = field(default_factory=list)
    result: Any = None
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self.control = JobControl(progress_sink=self.progress.append)
        self.thread = threading.Thread(target=self._run, name="job-thread", daemon=True)

    def _run(self) -> None:
        with bind_job(self.control):
            try:
                self.result = self.func()
            except BaseException as exc:
                self.error = exc

    def start(self) -> JobThread:
        self.thread.start()
        return self

    def wait_for_phase(self, phase: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.info.get("phase") == phase for p in list(self.progress)):
                return
            if not self.thread.is_alive():
                raise AssertionError(f"job ended before phase {phase!r}: {self.error!r}")
            time.sleep(0.002)
        raise AssertionError(f"phase {phase!r} not reached")

    def cancel_and_join(self, timeout: float = 5) -> float:
        """Cancel from this thread; return seconds until the worker thread ended."""
        start = time.perf_counter()
        self.control.cancel()
        self.thread.join(timeout)
        elapsed = time.perf_counter() - start
        assert not self.thread.is_alive(), "the worker thread is still blocked after cancel"
        return elapsed


@pytest.fixture
def job_thread() -> Callable[[Callable[[], Any]], JobThread]:
    return lambda func: JobThread(func)
