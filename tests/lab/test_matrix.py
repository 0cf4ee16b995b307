"""Every workload x strategy cell runs, scaled down, and measures sane numbers."""

from __future__ import annotations

import asyncio

import pytest

from guiapp.lab.engine import CellRun, LabSession
from guiapp.lab.results import COLUMNS
from guiapp.lab.strategies import STRATEGIES
from guiapp.lab.strategy import Strategy
from guiapp.lab.workloads import Workload

from .conftest import TINY

# Small pools, so that "adds at most k threads" is a real bound (3 HTTP tasks > 2 threads).
POOLS = {"make_async": 2, "qthreadpool": 2, "process": 1}

CELLS = [
    pytest.param(workload, name, id=f"{workload}-{name}")
    for workload in TINY
    for name in STRATEGIES
    if STRATEGIES[name]().applies(TINY[workload])
]


def _run(loop: asyncio.AbstractEventLoop, session: LabSession, wl: Workload, s: Strategy):
    return loop.run_until_complete(CellRun(wl, s, session).run())


def test_matrix_covers_every_applicable_pair() -> None:
    assert len(CELLS) == 35  # 6 workloads x 7 strategies, minus process x 4, native x 3
    na = {(w, s) for w in TINY for s in STRATEGIES if not STRATEGIES[s]().applies(TINY[w])}
    assert ("http_delay", "process") in na
    assert ("cpu_loop", "native_async") in na
    assert ("json_format", "process") not in na


@pytest.mark.parametrize(("workload", "name"), CELLS)
def test_cell_runs_and_measures_sanely(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession, workload: str, name: str
) -> None:
    wl = TINY[workload]
    strategy = STRATEGIES[name](POOLS.get(name))
    result = _run(lab_loop, lab_session, wl, strategy)

    assert result.status == "ok"
    assert result.completed == wl.tasks
    row = result.row()
    assert set(row) == set(COLUMNS)
    for key in COLUMNS:
        if isinstance(row[key], (int, float)):
            assert row[key] >= 0, key
    assert result.wall_s > 0
    assert result.throughput > 0
    lag = result.lag
    assert lag.samples > 0
    assert 0 <= lag.p50_ms <= lag.p99_ms <= lag.max_ms
    assert lag.stalls <= lag.samples
    assert result.peak_threads >= result.baseline_threads >= 1
    assert result.peak_rss_mb > 10
    assert result.added_threads <= strategy.max_added_threads(wl)
    if name in ("gui_thread", "native_async"):
        assert result.added_threads == 0  # the whole point of both: no thread at all
    if name == "make_async":  # k workers, plus the Offloader's one starter thread
        assert 1 <= result.added_threads <= POOLS["make_async"] + 1
    if name == "qasync_default":
        assert result.added_threads == 10  # QThreadExecutor starts its 10 threads eagerly
    # Time series for the plots: monotonic time, completed count ends at the task count.
    assert result.done_series[-1][1] == wl.tasks
    times = [t for t, _ in result.lag_series]
    assert times == sorted(times)


def test_not_applicable_pair_is_refused(lab_session: LabSession) -> None:
    with pytest.raises(ValueError, match="n/a"):
        CellRun(TINY["http_delay"], STRATEGIES["process"](), lab_session)
    with pytest.raises(ValueError, match="n/a"):
        CellRun(TINY["sqlite_legacy"], STRATEGIES["native_async"](), lab_session)


def test_gui_thread_stalls_and_make_async_does_not(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession
) -> None:
    wl = Workload("http_delay", tasks=3, delay=0.15)
    gui = _run(lab_loop, lab_session, wl, STRATEGIES["gui_thread"]())
    offloaded = _run(lab_loop, lab_session, wl, STRATEGIES["make_async"](8))
    assert gui.lag.max_ms >= 100  # each 150 ms call blocks the loop for its whole duration
    assert gui.lag.stalls >= 2
    assert offloaded.lag.max_ms < gui.lag.max_ms
    assert offloaded.wall_s < gui.wall_s  # concurrent, not one after the other


def test_small_pool_queues(lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession) -> None:
    wl = Workload("http_delay", tasks=6, delay=0.3)
    queued = _run(lab_loop, lab_session, wl, STRATEGIES["qthreadpool"](2))
    wide = _run(lab_loop, lab_session, wl, STRATEGIES["make_async"](6))
    assert queued.wall_s >= 0.85  # 6 calls / 2 threads = 3 waves of 0.3 s
    assert wide.wall_s < queued.wall_s


def test_unknown_workload_and_parameter_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown workload"):
        Workload("nope")
    with pytest.raises(ValueError, match="unknown parameter"):
        Workload("cpu_loop", delay=1)
    with pytest.raises(ValueError, match="at least 1"):
        Workload("cpu_loop", tasks=0)


def test_a_gui_thread_run_names_the_code_that_froze_it(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession
) -> None:
    # One pure-Python loop on the GUI thread, long enough to freeze it well past 50 ms.
    workload = Workload("cpu_loop", tasks=1, iterations=3_000_000)
    result = _run(lab_loop, lab_session, workload, STRATEGIES["gui_thread"]())
    assert result.status == "ok"
    worst = result.worst_freeze
    assert worst is not None, result.lag
    row = result.row()
    assert row["worst_freeze_cause"] == "busy"
    assert "in cpu_loop (guiapp/lab/workloads.py:" in row["worst_freeze_culprit"]
    assert row["worst_freeze_culprit"] == worst.culprit
    assert result.to_dict()["worst_freeze"]["verdict"] == worst.verdict


def test_an_offloaded_run_has_no_freeze_to_blame(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession
) -> None:
    result = _run(lab_loop, lab_session, TINY["http_delay"], STRATEGIES["make_async"](2))
    # A loaded machine may stall the loop now and then; the HTTP calls never do it.
    assert all("http_get" not in r.stack for r in result.freezes)
    if not result.freezes:
        assert result.row()["worst_freeze_culprit"] == ""


STREAM_CELLS = [name for name in STRATEGIES if STRATEGIES[name]().applies(TINY["stream"])]


@pytest.mark.parametrize("name", STREAM_CELLS)
def test_stream_events_are_counted_on_the_gui_thread(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession, name: str
) -> None:
    wl = Workload("stream", tasks=2, events=200, rate=400)  # each stream lasts about 0.5 s
    run = CellRun(wl, STRATEGIES[name](POOLS.get(name)), lab_session)
    result = lab_loop.run_until_complete(run.run())
    tally = run.tally
    assert tally is not None
    assert result.status == "ok"
    assert (tally.received, tally.lost) == (400, 0)
    assert "events on the GUI thread: 400 of 400, 0 lost" in result.detail
    assert tally.first_after is not None
    if name == "gui_thread":
        # Nothing reaches the GUI before the first stream has ended: shown only at the end.
        assert tally.batches == 2  # one batch per task, handed over after its call
        assert tally.first_after >= 0.4  # the server paces 200 events over 0.5 s
    else:
        assert tally.batches > 2  # live: many hand-overs while the streams run
