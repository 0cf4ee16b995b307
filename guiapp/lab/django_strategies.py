"""The Lab's Django strategies: the ways Django's own documentation and asgiref offer.

Each runs the "Django ORM ETL" workload (:mod:`guiapp.lab.django_orm`) and applies to it
only; the generic strategies (the GUI thread, ``make_async``'s thread pool, QThreads) run it
too, and show what Django says to them. Part of the registry in :mod:`guiapp.lab.strategies`.

- ``sync_to_async``: asgiref's ``sync_to_async(etl, thread_sensitive=True)``, what Django
  recommends: every thread-sensitive call of the process shares one thread;
- ``serial_lane``: a :class:`~guiapp.offload.SerialLane`, one thread for these calls only;
- ``django_async``: the ETL rewritten with Django's async ORM (``acreate``, ``aget_or_create``).

Example::

    strategy = SyncToAsync()
    await strategy.run(Workload("django_etl", tasks=4, rows=50), hooks)
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from guiapp.lab.strategy import JOIN_TIMEOUT, RunHooks, Strategy, call_bound
from guiapp.lab.workloads import Workload
from guiapp.offload import SerialLane

__all__ = ["DjangoAsyncOrm", "SerialLaneStrategy", "SyncToAsync"]


class _DjangoOnly(Strategy):
    scope = "django"

    def max_added_threads(self, workload: Workload) -> int:
        return 1  # one thread, whatever the number of tasks


class SyncToAsync(_DjangoOnly):
    name = "sync_to_async"
    title = "asgiref sync_to_async(thread_sensitive=True), as Django recommends"

    def max_added_threads(self, workload: Workload) -> int:
        return 0  # asgiref's one thread-sensitive thread lives for the process: maybe started

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        from asgiref.sync import sync_to_async

        async def one(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
            call = functools.partial(call_bound, hooks.control, func, args)
            await sync_to_async(call, thread_sensitive=True)()
            hooks.task_done()

        await asyncio.gather(*(one(f, a) for f, a in hooks.units))


class SerialLaneStrategy(_DjangoOnly):
    name = "serial_lane"
    title = "guiapp.offload SerialLane (one thread for these ORM calls only)"

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        from guiapp.lab.django_orm import close_connection

        lane = SerialLane(name="lab-orm")
        try:

            async def one(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
                await lane.submit(call_bound, hooks.control, func, args)
                hooks.task_done()

            await asyncio.gather(*(one(f, a) for f, a in hooks.units))
        finally:
            # The lane's connection is closed on its own thread, after the queued calls.
            lane.submit(close_connection)
            await lane.aclose(JOIN_TIMEOUT, drain=True)


class DjangoAsyncOrm(_DjangoOnly):
    name = "django_async"
    title = "Django's async ORM (acreate, aget_or_create: sync_to_async inside)"

    def max_added_threads(self, workload: Workload) -> int:
        return 0  # asgiref's thread-sensitive thread (see SyncToAsync)

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        from guiapp.lab.django_orm import etl_async

        rows = int(workload.params["rows"])

        async def one(batch: int) -> None:
            await etl_async(batch, rows)
            hooks.task_done()

        await asyncio.gather(*(one(i) for i in range(workload.tasks)))
