"""async_slot: coroutine slots on qasync with kept tasks, arg trimming, errors, cancel_previous."""

from __future__ import annotations

import asyncio
import gc
import sys
from types import TracebackType

import pytest
from PySide6.QtCore import QObject, Signal

from guiapp.offload.qt import async_slot, set_slot_error_handler


class Emitter(QObject):
    clicked = Signal(bool)
    pair = Signal(int, str)
    errorRaised = Signal(object)


def _drain(loop: asyncio.AbstractEventLoop, slot_tasks: frozenset[asyncio.Task[object]]) -> None:
    if slot_tasks:
        loop.run_until_complete(asyncio.wait(slot_tasks))


def test_zero_argument_coroutine_on_a_signal_with_arguments(
    qloop: asyncio.AbstractEventLoop,
) -> None:
    emitter = Emitter()
    calls: list[str] = []

    @async_slot
    async def refresh() -> None:
        await asyncio.sleep(0)
        calls.append("refreshed")

    emitter.clicked.connect(refresh)
    emitter.clicked.emit(True)
    _drain(qloop, refresh.tasks)
    assert calls == ["refreshed"]


def test_surplus_signal_arguments_are_trimmed(qloop: asyncio.AbstractEventLoop) -> None:
    emitter = Emitter()
    received: list[tuple[object, ...]] = []

    @async_slot
    async def one(number: int) -> None:
        received.append((number,))

    @async_slot
    async def every(*args: object) -> None:
        received.append(args)

    emitter.pair.connect(one)
    emitter.pair.connect(every)
    emitter.pair.emit(7, "seven")
    _drain(qloop, one.tasks | every.tasks)
    assert sorted(received, key=len) == [(7,), (7, "seven")]


def test_tasks_are_kept_referenced_until_they_end(qloop: asyncio.AbstractEventLoop) -> None:
    gate = asyncio.Event()
    done: list[bool] = []

    @async_slot
    async def slow() -> None:
        await gate.wait()
        done.append(True)

    task = slow()
    task_id = id(task)
    del task
    gc.collect()
    assert [id(t) for t in slow.tasks] == [task_id]
    qloop.call_soon(gate.set)
    _drain(qloop, slow.tasks)
    assert done == [True]
    assert slow.tasks == frozenset()


def test_exception_goes_to_on_error(qloop: asyncio.AbstractEventLoop) -> None:
    errors: list[BaseException] = []

    @async_slot(on_error=errors.append)
    async def broken() -> None:
        raise ValueError("server said no")

    _drain(qloop, frozenset({broken()}))
    assert len(errors) == 1
    assert isinstance(errors[0], ValueError)
    assert errors[0].__traceback__ is not None


def test_default_handler_is_sys_excepthook(
    qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[type[BaseException]] = []

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        seen.append(kind)

    monkeypatch.setattr(sys, "excepthook", hook)

    @async_slot
    async def broken() -> None:
        raise KeyError("x")

    _drain(qloop, frozenset({broken()}))
    assert seen == [KeyError]


def test_process_wide_handler_can_be_a_qt_signal(qloop: asyncio.AbstractEventLoop) -> None:
    emitter = Emitter()
    shown: list[object] = []
    emitter.errorRaised.connect(shown.append)
    previous = set_slot_error_handler(emitter.errorRaised.emit)
    try:

        @async_slot
        async def broken() -> None:
            raise OSError("disk full")

        _drain(qloop, frozenset({broken()}))
    finally:
        set_slot_error_handler(previous)
    assert len(shown) == 1
    assert isinstance(shown[0], OSError)


def test_cancelled_runs_are_not_errors(qloop: asyncio.AbstractEventLoop) -> None:
    errors: list[BaseException] = []

    @async_slot(on_error=errors.append)
    async def forever() -> None:
        await asyncio.Event().wait()

    task = forever()
    qloop.call_soon(task.cancel)
    _drain(qloop, frozenset({task}))
    assert task.cancelled()
    assert errors == []


def test_cancel_previous_keeps_only_the_newest_run(qloop: asyncio.AbstractEventLoop) -> None:
    finished: list[str] = []

    @async_slot(cancel_previous=True)
    async def search(text: str) -> None:
        await asyncio.sleep(0.05)
        finished.append(text)

    first, second = search("he"), search("hello")
    _drain(qloop, frozenset({first, second}))
    assert first.cancelled()
    assert finished == ["hello"]


def test_without_cancel_previous_every_run_completes(qloop: asyncio.AbstractEventLoop) -> None:
    finished: list[str] = []

    @async_slot
    async def search(text: str) -> None:
        await asyncio.sleep(0.01)
        finished.append(text)

    tasks = frozenset({search("a"), search("b")})
    _drain(qloop, tasks)
    assert sorted(finished) == ["a", "b"]


class SearchBox(QObject):
    textChanged = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.results: list[str] = []
        self.textChanged.connect(self._on_text_changed)

    @async_slot(cancel_previous=True)
    async def _on_text_changed(self, text: str) -> None:
        await asyncio.sleep(0.05)
        self.results.append(text)


def test_method_slots_cancel_previous_per_instance(qloop: asyncio.AbstractEventLoop) -> None:
    a, b = SearchBox(), SearchBox()
    a.textChanged.emit("a1")
    b.textChanged.emit("b1")
    a.textChanged.emit("a2")  # cancels a1 only
    _drain(qloop, SearchBox._on_text_changed.tasks)
    assert a.results == ["a2"]
    assert b.results == ["b1"]


def test_rejects_plain_functions() -> None:
    def not_async() -> None:
        return None

    with pytest.raises(TypeError, match="coroutine function"):
        async_slot(not_async)  # type: ignore[arg-type]


def test_signals_fired_by_qt_while_the_loop_runs(qloop: asyncio.AbstractEventLoop) -> None:
    from PySide6.QtCore import QTimer

    from guiapp.offload.qt import run_in_qthread

    emitter = Emitter()
    results: list[int] = []
    got_result = asyncio.Event()

    @async_slot
    async def on_pair(number: int) -> None:
        results.append(await run_in_qthread(lambda: number * 2))
        got_result.set()

    emitter.pair.connect(on_pair)

    async def main() -> None:
        QTimer.singleShot(0, lambda: emitter.pair.emit(21, "x"))  # delivered by Qt, loop running
        await got_result.wait()

    qloop.run_until_complete(asyncio.wait_for(main(), 10))
    assert results == [42]


def test_a_signal_between_loop_runs_starts_the_task_on_the_current_loop(
    qloop: asyncio.AbstractEventLoop,
) -> None:
    # qasync's loop is set as the current loop but not running: the slot still finds it,
    # without the event-loop policy API (deprecated in 3.14).
    ran: list[str] = []

    @async_slot
    async def slot() -> None:
        ran.append("ran")

    task = slot()
    assert task.get_loop() is qloop
    qloop.run_until_complete(task)
    assert ran == ["ran"]
