"""Shared test setup: headless Qt before anything imports PySide6, and GC on the main thread."""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

# Hypothesis' per-example deadline is a wall-clock assertion: on a loaded 2-core machine it fails
# examples that are merely slow. Correctness is what the property tests check; speed lives in
# the benchmarks.
settings.register_profile("guiapp", deadline=None)
settings.load_profile("guiapp")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

_THRESHOLDS = gc.get_threshold()
_REAL_STDERR_FD: int | None = None

# pytester: the gui_responsive plugin's own tests. guiapp.pytest_plugin is also a pytest11 entry
# point; listed here too so that an environment installed before it existed still loads it.
pytest_plugins = ["pytester", "guiapp.pytest_plugin"]


def pytest_configure(config: pytest.Config) -> None:
    # Automatic collection runs in whatever thread allocates: a worker thread that frees a cycle
    # holding Qt objects (a closed qasync loop, a QThread wrapper) crashes Qt later. As the app
    # does with guiapp.offload.qt.GuiThreadGarbageCollector, the suite collects on the main
    # (GUI) thread only: between tests, with CPython's own generational thresholds.
    gc.disable()
    # The real stderr, before any test captures it: see _native_crashes_reach_the_terminal.
    global _REAL_STDERR_FD
    _REAL_STDERR_FD = os.dup(2)
    # An attack from the red-team list and its regression test: scripts/count_hostile.py counts
    # them per area (transport, importers, storage, demo) and how many hold.
    config.addinivalue_line(
        "markers", "hostile(area): a hostile input or server the app must withstand"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    gc.enable()


@pytest.fixture
def qloop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync event loop on pytest-qt's QApplication, torn down in a fixed order."""
    from tests.loops import qasync_loop  # imported here: core tests must not need Qt

    with qasync_loop(qapp) as loop:  # type: ignore[arg-type]
        yield loop


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread() -> Iterator[None]:
    yield
    if gc.get_threshold() != _THRESHOLDS:  # mypy.api (tests/offload/test_typing.py) raises them
        gc.set_threshold(*_THRESHOLDS)
    counts = gc.get_count()
    if counts[0] > _THRESHOLDS[0]:
        generation = 0
        if counts[1] > _THRESHOLDS[1]:
            generation = 2 if counts[2] > _THRESHOLDS[2] else 1
        gc.collect(generation)


@pytest.fixture(autouse=True)
def _native_crashes_reach_the_terminal() -> Iterator[None]:
    """After each test, faulthandler writes to the real stderr again.

    The app's start-up points faulthandler at its crash file, and a test that starts it (or its
    logging) in-process leaves it there, or on the captured stderr: a later segfault in the
    suite would then die without a stack. Re-pointing it after every test keeps the stack of a
    native crash on the terminal, whichever test crashes.
    """
    yield
    if _REAL_STDERR_FD is not None:
        faulthandler.enable(_REAL_STDERR_FD, all_threads=True)
