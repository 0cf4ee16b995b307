"""Inbox and Reaper: how QThread job endings reach the GUI thread without a burst."""

from __future__ import annotations

import contextlib
import threading
import time

from pytestqt.qtbot import QtBot

from guiapp.offload._qt_settle import Inbox, Reaper
from guiapp.offload._qt_worker import _registry
from guiapp.offload.qt import active_qthreads, run_in_qthread


def test_pushes_from_many_threads_wake_the_owner_once_and_keep_each_threads_order() -> None:
    delivered: list[tuple[int, int]] = []
    wakes: list[None] = []
    inbox: Inbox[tuple[int, int]] = Inbox(delivered.append, lambda: wakes.append(None))
    start = threading.Barrier(4)

    def pusher(n: int) -> None:
        start.wait()
        for i in range(500):
            inbox.push((n, i))

    threads = [threading.Thread(target=pusher, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wakes) == 1  # 2,000 pushes, one wake-up: nothing was drained meanwhile
    assert inbox.pending() == 2000
    while inbox.pending():
        inbox.drain()
    assert sorted(delivered) == [(n, i) for n in range(4) for i in range(500)]
    for n in range(4):
        assert [i for m, i in delivered if m == n] == list(range(500))


def test_drain_stops_at_its_budget_and_asks_for_another_turn() -> None:
    delivered: list[int] = []
    wakes: list[None] = []

    def slow_deliver(item: int) -> None:
        time.sleep(0.002)
        delivered.append(item)

    inbox: Inbox[int] = Inbox(slow_deliver, lambda: wakes.append(None), budget_s=0.001)
    for i in range(5):
        inbox.push(i)
    assert len(wakes) == 1
    inbox.drain()
    assert delivered == [0]  # at least one per turn, and no more once over budget
    assert len(wakes) == 2  # the rest is left for a later turn
    inbox.push(5)  # a wake-up is pending: no new one
    assert len(wakes) == 2
    turns = 1
    while inbox.pending():
        inbox.drain()
        turns += 1
    assert delivered == [0, 1, 2, 3, 4, 5]
    assert turns == 6
    inbox.drain()  # empty: clears the pending flag, no wake-up
    assert len(wakes) == 7
    inbox.push(6)
    assert len(wakes) == 8


def test_reaper_reports_ended_entries_and_backs_off_while_none_ends() -> None:
    scheduled: list[int] = []
    ended: list[str] = []
    alive = {"a": True, "b": True}
    reaper = Reaper(scheduled.append, first_ms=10, max_ms=40)
    reaper.watch(lambda: alive["a"], lambda: ended.append("a"))
    reaper.watch(lambda: alive["b"], lambda: ended.append("b"))
    reaper.watch(lambda: False, lambda: ended.append("already"))  # reported at once
    assert ended == ["already"]
    assert scheduled == [10]  # armed once: a stream of new entries must not postpone the poll
    for _ in range(4):
        reaper.poll()
    assert scheduled[1:] == [20, 40, 40, 40]  # nothing ended: back off up to max_ms
    alive["a"] = False
    reaper.poll()
    assert ended == ["already", "a"]
    assert scheduled[-1] == 10  # something ended: look again soon
    alive["b"] = False
    count = len(scheduled)
    reaper.poll()
    assert ended == ["already", "a", "b"]
    assert reaper.watching() == 0
    assert len(scheduled) == count  # nothing left: the timer is not re-armed
    reaper.watch(lambda: True, lambda: None)
    assert scheduled[count:] == [10]  # a new entry arms it again, at the short interval


def test_many_jobs_ending_together_all_settle_and_leave_the_registry(qtbot: QtBot) -> None:
    release = threading.Event()
    jobs = [run_in_qthread(release.wait, 10) for _ in range(40)]
    results: list[object] = []
    finished: list[str] = []
    for job in jobs:
        job.succeeded.connect(results.append)
        job.finished.connect(lambda job=job: finished.append(job.objectName()))
    release.set()
    qtbot.waitUntil(lambda: len(finished) == 40, timeout=10_000)
    assert results == [True] * 40
    assert len(set(finished)) == 40
    # The registry lets go of each job once its thread has ended (the reaper polled it).
    qtbot.waitUntil(lambda: not any(job in _registry for job in jobs), timeout=10_000)
    assert all(not job.is_running() for job in jobs)
    assert not any(job in active_qthreads() for job in jobs)


def test_a_raising_delivery_does_not_lose_later_items() -> None:
    delivered: list[int] = []
    wakes: list[None] = []

    def deliver(item: int) -> None:
        if item == 1:
            raise RuntimeError("a broken slot")
        delivered.append(item)

    inbox: Inbox[int] = Inbox(deliver, lambda: wakes.append(None), budget_s=10.0)
    inbox.push(1)
    inbox.push(2)
    with contextlib.suppress(RuntimeError):
        inbox.drain()
    assert len(wakes) == 2  # the failed drain asked for another turn
    inbox.drain()
    assert delivered == [2]
    inbox.push(3)  # a later ending wakes the owner again: nothing is stuck "pending"
    assert len(wakes) == 3
    inbox.drain()
    assert delivered == [2, 3]
