"""BackgroundTasks: tasks stay referenced, failures are reported, cancel_all spares the caller."""

from __future__ import annotations

import asyncio

from guiapp.ui.background_tasks import BackgroundTasks


def test_failures_reach_on_error_and_tasks_are_forgotten_when_done() -> None:
    errors: list[BaseException] = []
    tasks = BackgroundTasks(errors.append, "test task")

    async def boom() -> None:
        raise ValueError("no body")

    async def main() -> None:
        tasks.spawn(boom())
        assert len(tasks) == 1
        await asyncio.sleep(0.01)

    asyncio.run(main())
    assert [str(e) for e in errors] == ["no body"]
    assert len(tasks) == 0


def test_cancel_all_cancels_the_others_but_not_the_calling_task() -> None:
    tasks = BackgroundTasks(lambda exc: None, "test task")
    outcome: dict[str, str] = {}

    async def sleeper() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            outcome["sleeper"] = "cancelled"
            raise

    async def canceller() -> None:
        await asyncio.sleep(0)
        tasks.cancel_all()
        await asyncio.sleep(0)
        outcome["canceller"] = "finished"

    async def main() -> None:
        tasks.spawn(sleeper())
        tasks.spawn(canceller())
        await asyncio.sleep(0.05)

    asyncio.run(main())
    assert outcome == {"sleeper": "cancelled", "canceller": "finished"}


def test_without_an_event_loop_nothing_runs() -> None:
    ran: list[bool] = []

    async def work() -> None:
        ran.append(True)

    BackgroundTasks(lambda exc: None, "test task").spawn(work())  # closed, no warning
    assert ran == []


def test_a_task_can_have_its_own_error_handler_and_is_returned() -> None:
    default: list[BaseException] = []
    own: list[BaseException] = []
    tasks = BackgroundTasks(default.append, "test task")

    async def boom() -> None:
        raise OSError("disk full")

    async def main() -> None:
        task = tasks.spawn(boom(), on_error=own.append, what="saving")
        assert task is not None
        assert task in tasks.tasks
        await asyncio.wait({task})

    asyncio.run(main())
    assert [str(e) for e in own] == ["disk full"]
    assert default == []
    assert not tasks


def test_keep_adopts_a_task_created_elsewhere() -> None:
    errors: list[BaseException] = []
    tasks = BackgroundTasks(errors.append, "test task")

    async def boom() -> None:
        raise KeyError("gone")

    async def main() -> None:
        task = asyncio.get_running_loop().create_task(boom())
        assert tasks.keep(task) is task
        assert len(tasks) == 1
        await asyncio.wait({task})

    asyncio.run(main())
    assert [type(e) for e in errors] == [KeyError]
    assert len(tasks) == 0
