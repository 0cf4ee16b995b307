"""What a strategy is: a way to run blocking calls from the GUI thread's event loop.

A :class:`Strategy` runs a batch of ``(function, args)`` calls from a coroutine on the GUI
thread's loop (:meth:`Strategy.run`, what the Lab measures) and reports each finished call
through :class:`RunHooks`. The strategies the main window offers for its Send button also start
a single call (:meth:`Strategy.start`), returning a :class:`RunningRequest` that is awaited and
can be cancelled. The registry of every strategy is :mod:`guiapp.lab.strategies`.

Example::

    class Inline(Strategy):
        name = "inline"
        title = "called in the coroutine"

        async def run(self, workload, hooks):
            for func, args in hooks.units:
                func(*args)
                hooks.task_done()
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from guiapp.offload.jobs import Cancelled, JobControl, Progress, bind_job

if TYPE_CHECKING:
    from guiapp.lab.workloads import Workload
    from guiapp.offload import Offloader

__all__ = [
    "JOIN_TIMEOUT",
    "STARTER_THREADS",
    "ProgressCallback",
    "RunAborted",
    "RunHooks",
    "RunningRequest",
    "Strategy",
    "Unit",
    "call_bound",
    "keep_straggler",
]

JOIN_TIMEOUT = 2.0  # seconds an aborted run waits for its threads before abandoning them
# The Offloader (and ProcessOffloader) start their workers from one "<name>-starter" thread,
# so that submit() never waits for the OS to create a thread on the GUI thread.
STARTER_THREADS = 1

Unit = tuple[Callable[..., Any], tuple[Any, ...]]
ProgressCallback = Callable[[Progress], object]

# QThreads / pools still running after JOIN_TIMEOUT: referenced until the process ends, since
# destroying a running QThread aborts the process.
_stragglers: list[object] = []


def keep_straggler(thing: object) -> None:
    """Keep ``thing`` (a QThread, a pool) referenced for the rest of the process."""
    _stragglers.append(thing)


class RunningRequest(Protocol):
    """What :meth:`Strategy.start` returns: awaitable for the result, cancellable."""

    def cancel(self) -> bool: ...

    def __await__(self) -> Generator[Any, None, Any]: ...


@dataclass
class RunHooks:
    """What the engine hands a strategy: the calls, where to report, a shared cancel token.

    ``items`` (if set) takes, on the GUI thread, each batch of items the calls emit
    (:func:`~guiapp.offload.emit`): a strategy whose calls run in jobs of their own (an
    ``Offloader`` job, a QThread) connects their items to it; calls run with ``control``
    (:func:`call_bound`) emit through ``control.item_sink``, which the engine sets up.
    """

    units: list[Unit]
    base_url: str
    task_done: Callable[[], None]
    control: JobControl
    items: Callable[[list[Any]], object] | None = None


class RunAborted(Exception):
    """A task stopped by an abort, as an ``Exception`` (see :func:`call_bound`)."""


def call_bound(control: JobControl, func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """``func(*args)`` with ``control`` as its job, for executors that know nothing of jobs.

    An abort then still reaches the socket / the loop's ``checkpoint()``. ``Cancelled`` is a
    BaseException: qasync's worker catches only Exception, and a BaseException kills its
    QThread and leaves the awaiting future unresolved forever, hence :class:`RunAborted`.
    """
    with bind_job(control):
        try:
            return func(*args)
        except Cancelled as exc:
            raise RunAborted(str(exc)) from None


class Strategy:
    """Base: a name, a title, which workloads it applies to, :meth:`run` and :meth:`start`."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: None: no pool size to choose.
    default_pool: ClassVar[int | None] = None
    #: Where the strategy makes sense: "all", "http", "cpu" or "django" (the ORM workload).
    scope: ClassVar[str] = "all"
    #: The id of this strategy in the main window's strategy combo ("" if not offered there);
    #: a public contract (saved in settings, used by UI tests).
    send_id: ClassVar[str] = ""
    #: The combo's label and tooltip for it.
    send_label: ClassVar[str] = ""
    send_tooltip: ClassVar[str] = ""

    def __init__(self, pool_size: int | None = None) -> None:
        self.pool_size = pool_size if pool_size is not None else self.default_pool

    def applies(self, workload: Workload) -> bool:
        if self.scope == "http":
            return workload.is_http
        if self.scope == "cpu":
            return workload.name in ("json_format", "cpu_loop")
        if self.scope == "django":
            return workload.name == "django_etl"
        return True

    def max_added_threads(self, workload: Workload) -> int:
        """The most threads this strategy may add for ``workload`` (the tests' bound)."""
        return min(workload.tasks, self.pool_size or workload.tasks)

    def worker_pids(self) -> list[int]:
        """Worker processes (their memory counts in the run's peak RSS)."""
        return []

    def label(self) -> str:
        return f"{self.name}({self.pool_size})" if self.pool_size else self.name

    async def prepare(self, workload: Workload) -> None:
        """Unmeasured set-up (e.g. starting worker processes)."""

    async def run(self, workload: Workload, hooks: RunHooks) -> None:
        raise NotImplementedError

    @classmethod
    def start(
        cls,
        func: Callable[..., Any],
        /,
        *args: Any,
        offloader: Offloader,
        on_progress: ProgressCallback,
    ) -> RunningRequest:
        """Start one call ``func(*args)``; GUI (loop) thread only. Strategies with a
        :attr:`send_id` implement it; ``offloader`` is the caller's shared one."""
        raise NotImplementedError(f"{cls.name} runs batches only")
