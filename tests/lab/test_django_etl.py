"""The Lab's Django ORM ETL workload: each strategy's real outcome, and a clean "not installed"."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guiapp.lab.engine import CellRun, LabSession
from guiapp.lab.results import CellResult
from guiapp.lab.strategies import STRATEGIES
from guiapp.lab.workloads import Workload

pytest.importorskip("django", reason="Django comes with the test extra")

ROOT = Path(__file__).resolve().parents[2]
SMALL = Workload("django_etl", tasks=4, rows=30)


def _run(loop: asyncio.AbstractEventLoop, workload: Workload, name: str, pool: int | None = None):
    session = LabSession()  # no demo API: the workload is not HTTP
    try:
        return loop.run_until_complete(CellRun(workload, STRATEGIES[name](pool), session).run())
    finally:
        session.close()


@pytest.fixture(autouse=True)
def _async_safety_restored() -> object:
    yield
    from guiapp.lab import django_orm

    django_orm.prepare(async_unsafe=False)  # clears DJANGO_ALLOW_ASYNC_UNSAFE if we set it
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ


def test_the_django_strategies_apply_to_the_django_workload_only() -> None:
    for name in ("sync_to_async", "serial_lane", "django_async"):
        assert STRATEGIES[name]().applies(SMALL)
        assert not STRATEGIES[name]().applies(Workload("sqlite_legacy"))
    assert STRATEGIES["make_async"]().applies(SMALL)
    assert not STRATEGIES["process"]().applies(SMALL)
    assert not STRATEGIES["native_async"]().applies(SMALL)


def test_sync_to_async_runs_every_call_on_one_shared_thread(
    lab_loop: asyncio.AbstractEventLoop,
) -> None:
    result = _run(lab_loop, SMALL, "sync_to_async")
    assert (result.status, result.completed) == ("ok", 4)
    assert result.detail.startswith("4 calls: 1 at a time;")
    assert "on 1 thread (" in result.detail
    assert ", 1 at a time" in result.detail


def test_a_serial_lane_runs_them_on_its_own_thread(lab_loop: asyncio.AbstractEventLoop) -> None:
    result = _run(lab_loop, SMALL, "serial_lane")
    assert (result.status, result.completed) == ("ok", 4)
    assert "4 calls: 1 at a time;" in result.detail
    assert "on 1 thread (lab-orm-1)" in result.detail


def test_the_async_orm_interleaves_calls_but_queries_on_one_thread(
    lab_loop: asyncio.AbstractEventLoop,
) -> None:
    result = _run(lab_loop, SMALL, "django_async")
    assert (result.status, result.completed) == ("ok", 4)
    assert result.detail.startswith("4 calls: 4 at a time;")  # coroutines interleave...
    assert "on 1 thread (" in result.detail  # ...their queries do not
    assert ", 1 at a time" in result.detail


def test_on_the_gui_thread_django_refuses_with_a_result_row(
    lab_loop: asyncio.AbstractEventLoop,
) -> None:
    result = _run(lab_loop, SMALL, "gui_thread")
    assert result.completed == 0
    assert result.status.startswith("error: SynchronousOnlyOperation: You cannot call this")
    assert result.row()["status"] == result.status


def test_async_unsafe_lets_it_run_on_the_gui_thread_and_freeze_it(
    lab_loop: asyncio.AbstractEventLoop,
) -> None:
    workload = Workload("django_etl", tasks=2, rows=30, async_unsafe=1)
    result = _run(lab_loop, workload, "gui_thread")
    assert (result.status, result.completed) == ("ok", 2)
    assert "on 1 thread (MainThread)" in result.detail


def test_a_thread_pool_gets_what_sqlite_says_as_a_result_row(
    lab_loop: asyncio.AbstractEventLoop,
) -> None:
    result = _run(lab_loop, Workload("django_etl", tasks=8, rows=200), "make_async", 8)
    # Each pool thread opens its own connection; transactions that read then write collide.
    # Whether they collide in a given run depends on scheduling: both outcomes are rows.
    assert result.status in ("ok", "error: OperationalError: database is locked"), result.status
    if result.status != "ok":
        assert "failed with OperationalError: database is locked" in result.detail
        assert result.completed < 8


def test_a_missing_django_is_a_result_row_that_says_what_to_install(
    lab_loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "django", None)  # import django -> ImportError
    result: CellResult = _run(lab_loop, SMALL, "serial_lane")
    assert result.completed == 0
    assert result.status == (
        "error in set-up: DjangoUnavailable: the Django ORM ETL workload needs Django and "
        "asgiref: pip install 'guiapp[django]'"
    )


def test_the_app_and_the_lab_start_without_django(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["django"] = None
        sys.modules["asgiref"] = None
        import guiapp.app, guiapp.ui.lab.window, guiapp.lab.strategies
        from guiapp.lab.django_orm import DjangoUnavailable
        from guiapp.lab.workloads import Workload
        try:
            Workload("django_etl").units("", "")
        except DjangoUnavailable as exc:
            print(exc)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("pip install 'guiapp[django]'")


def test_the_migration_matches_the_models() -> None:
    import threading

    from django.core.management import call_command

    from guiapp.lab import django_orm

    django_orm.prepare()
    errors: list[BaseException] = []

    def check() -> None:  # Django's management commands refuse a thread running a loop
        try:
            call_command("makemigrations", "lab", check=True, dry_run=True, verbosity=0)
        except BaseException as exc:  # SystemExit(1) when a migration is missing
            errors.append(exc)

    thread = threading.Thread(target=check)
    thread.start()
    thread.join(60)
    assert errors == []


def test_the_why_experiment_reports_every_route(lab_loop: asyncio.AbstractEventLoop) -> None:
    from guiapp.bench.lab_why import why_django

    session = LabSession()
    try:
        fact = lab_loop.run_until_complete(why_django(session, 2, 10))
    finally:
        session.close()
    rows = fact.figures["rows"]
    assert list(rows) == [
        "gui_thread",
        "gui_thread+unsafe",
        "sync_to_async",
        "serial_lane",
        "django_async",
        "make_async(64)",
    ]
    assert rows["gui_thread"]["status"].startswith("error: SynchronousOnlyOperation")
    assert rows["gui_thread+unsafe"]["status"] == "ok"
    assert "(lab-orm-1)" in rows["serial_lane"]["detail"]
    assert set(fact.figures["unrelated_wait_ms"]) == {"sync_to_async", "serial_lane"}
    # The no-op was issued during each run, once its first ETL call had started.
    for route in ("sync_to_async", "serial_lane"):
        assert fact.figures["unrelated_wait_ms"][route] is not None
        assert 0 <= fact.figures["unrelated_issued_after_calls_ended"][route] <= 2
    assert "issued once the first ETL call had started" in fact.sentence
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
    assert "SerialLane:" in fact.sentence


def test_the_set_up_runs_off_the_gui_thread(
    lab_loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Django's first set-up (import, migrations) takes a second or more: never on the GUI
    # thread, whose heartbeat keeps the Lab painting.
    import threading

    from guiapp.lab import django_orm

    seen: list[str] = []
    original = django_orm.prepare

    def spy(async_unsafe: bool = False) -> None:
        seen.append(threading.current_thread().name)
        original(async_unsafe)

    monkeypatch.setattr(django_orm, "prepare", spy)
    result = _run(lab_loop, SMALL, "serial_lane")
    assert result.status == "ok"
    assert seen == ["lab-setup"]


def _on_a_django_thread(query: str) -> object:
    """``query``'s first value on a fresh Django connection of a short-lived thread."""
    import threading

    from django.db import connection

    from guiapp.lab.django_orm import close_connection

    values: list[object] = []

    def target() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(query)
                values.append(cursor.fetchone()[0])
        finally:
            close_connection()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    return values[0]


def test_every_connection_to_the_throwaway_database_skips_fsync() -> None:
    # A commit that waits for the disk cost the async ORM (a commit per insert) 20+ ms each,
    # 31-55 s for the default 8 x 200 instead of the routes' own cost; the pragmas are set
    # per connection, so every route's threads get them alike.
    from guiapp.lab import django_orm

    django_orm.prepare()
    assert _on_a_django_thread("PRAGMA journal_mode") == "wal"
    assert _on_a_django_thread("PRAGMA synchronous") == 0  # OFF


def test_the_async_orm_finishes_the_default_workload(
    lab_loop: asyncio.AbstractEventLoop,
) -> None:
    # What a new user runs first: 8 tasks x 200 rows. It ran 55 s without finishing one task
    # while every commit waited for an fsync; the bound is only a sanity bound.
    result = _run(lab_loop, Workload("django_etl"), "django_async")
    assert (result.status, result.completed) == ("ok", 8)
    assert "1,632 queries on 1 thread (" in result.detail
    assert "1,600 rows written, " in result.detail  # and at what rate
    assert result.wall_s < 60.0


def test_the_detail_of_a_refused_run_reads_as_a_sentence(
    lab_loop: asyncio.AbstractEventLoop,
) -> None:
    result = _run(lab_loop, Workload("django_etl", tasks=1, rows=5), "gui_thread")
    assert result.detail.startswith("1 call; no query ran; 1 failed with SynchronousOnly")
    assert "thread(s)" not in result.detail
    assert "()" not in result.detail
    assert not result.detail.endswith(".")  # the explain panel ends the sentence


def test_the_unrelated_no_op_waits_for_the_runs_first_call_not_a_fixed_delay(
    lab_loop: asyncio.AbstractEventLoop,
) -> None:
    # A fixed delay fell in the run's set-up (Django's migrations) and timed an idle thread.
    # The probe is issued once the measured run has begun and its first call has started; a
    # count left over from the previous run (before the set-up resets it) does not count.
    from types import SimpleNamespace

    from guiapp.bench.lab_why import _unrelated_wait

    run = SimpleNamespace(started_at=None)
    tracker = SimpleNamespace(calls=5, calls_active=0)  # the previous run's count
    issued: list[tuple[object, int]] = []

    def sync_to_async(func, thread_sensitive):  # records when the no-op is issued
        assert thread_sensitive is True

        async def call():
            issued.append((run.started_at, tracker.calls))
            return func()

        return call

    async def scenario() -> object:
        task = asyncio.get_running_loop().create_future()
        probe = asyncio.ensure_future(_unrelated_wait(run, task, sync_to_async, tracker))
        for _ in range(20):  # set-up: the probe must not fire, whatever the stale count
            await asyncio.sleep(0.002)
        assert issued == []
        assert not probe.done()
        tracker.calls = 0  # the set-up reset the tracker
        run.started_at = 1.0  # the measured run begins
        for _ in range(20):
            await asyncio.sleep(0.002)
        assert issued == []
        assert not probe.done()
        tracker.calls, tracker.calls_active = 1, 1  # the first ETL call starts
        result = await asyncio.wait_for(probe, 10)
        task.cancel()
        return result

    result = lab_loop.run_until_complete(scenario())
    assert issued == [(1.0, 1)]
    assert result.calls_ended == 0
    assert result.wait_ms is not None


def test_the_probe_is_not_issued_when_the_run_ends_before_any_call(
    lab_loop: asyncio.AbstractEventLoop,
) -> None:
    from types import SimpleNamespace

    from guiapp.bench.lab_why import _unrelated_wait

    run = SimpleNamespace(started_at=1.0)
    tracker = SimpleNamespace(calls=0, calls_active=0)

    def sync_to_async(func, thread_sensitive):
        raise AssertionError("issued although no call started")

    async def scenario() -> object:
        task = asyncio.get_running_loop().create_future()
        task.set_result(None)  # the run failed in its set-up: over before any call
        return await _unrelated_wait(run, task, sync_to_async, tracker)

    result = lab_loop.run_until_complete(scenario())
    assert (result.wait_ms, result.calls_ended) == (None, None)
    assert result.describe(4) == "was not issued (no ETL call started)"
