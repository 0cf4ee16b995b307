"""ProcessOffloader: GIL-holding work (parsing, pretty-printing, highlighting) in processes.

Threads do not help CPU-bound Python: ``json.loads`` of 35 MB in a thread stalled the GUI as
long as on the GUI thread; in a process, 10 ms at most (measured on a 2-core VM). Each worker
process is driven by one daemon dispatcher thread of a :class:`~guiapp.offload._pool.WorkerPool`, so
queueing, cancellation and a bounded shutdown work exactly as for threads.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any, ParamSpec, TypeVar

from guiapp.offload.jobs import Cancelled

from ._child import child_main
from ._executor import DEFAULT_CLOSE_TIMEOUT, PoolExecutor
from ._job import Job
from ._pool import WorkerPool, WorkItem

__all__ = ["ProcessOffloader", "RemoteTraceback", "WorkerProcessDied"]

_log = logging.getLogger("guiapp.offload")

P = ParamSpec("P")
R = TypeVar("R")


class RemoteTraceback(Exception):
    """Set as ``__cause__`` of an exception re-raised from a worker process: its traceback text.

    >>> print(RemoteTraceback('  File "job.py", line 3, in parse'))
    <BLANKLINE>
    Traceback in the worker process:
      File "job.py", line 3, in parse
    """

    def __init__(self, tb_text: str) -> None:
        super().__init__(tb_text)
        self.tb_text = tb_text

    def __str__(self) -> str:
        return f"\nTraceback in the worker process:\n{self.tb_text}"


class WorkerProcessDied(RuntimeError):
    """The worker process ended (crash, ``os._exit``, killed from outside) during the call."""


class _Slot:
    """The process (if started) of one dispatcher thread."""

    def __init__(self, context: BaseContext, name: str) -> None:
        self._context = context
        self._name = name
        self._lock = threading.Lock()
        self.process: multiprocessing.process.BaseProcess | None = None
        self.conn: Connection | None = None
        self.killed = False  # kill() was called: the process may still look alive a moment

    def ensure_started(self) -> Connection:
        with self._lock:
            killed, self.killed = self.killed, False
        if (
            not killed
            and self.process is not None
            and self.conn is not None
            and self.process.is_alive()
        ):
            return self.conn
        self.discard()
        parent_conn, child_conn = self._context.Pipe(duplex=True)
        process = self._context.Process(  # type: ignore[attr-defined]
            target=child_main, args=(child_conn,), name=self._name, daemon=True
        )
        process.start()
        child_conn.close()  # else the parent never sees EOF when the child dies
        with self._lock:
            self.process, self.conn = process, parent_conn
        return parent_conn

    def kill(self) -> None:
        """Kill the process now (from any thread); the dispatcher then sees EOF."""
        with self._lock:
            process = self.process
            self.killed = True
        if process is None:
            return
        try:
            if process.is_alive():
                process.kill()
        except ValueError:  # the dispatcher closed it meanwhile: it is gone already
            pass

    def discard(self, grace: float = 0.0) -> None:
        """Dispatcher thread: close the pipe, give the child ``grace`` s to exit, then kill it."""
        with self._lock:
            process, conn = self.process, self.conn
            self.process = self.conn = None
        if conn is not None:
            conn.close()  # an idle child sees EOF and exits by itself
        if process is not None:
            process.join(grace)
            if process.is_alive():
                process.kill()
                process.join(1.0)
            if not process.is_alive():
                process.close()


class ProcessOffloader(PoolExecutor):
    """Run picklable callables in worker processes (spawn or forkserver, never fork).

    Processes start on demand, one per busy worker, at most ``max_workers``, and are reused.
    ``submit`` pickles the call at once, so an unpicklable function or argument raises there.
    An exception raised in the child comes back with its traceback text as ``__cause__``
    (:class:`RemoteTraceback`); :func:`~guiapp.offload.report_progress` in the child reaches
    the job's progress callbacks, coalesced.

    Cancelling a queued job means it never runs. Cancelling a running job returns control at
    once and **kills its worker process**; a fresh process is started for the next job (the
    child gets no chance to clean up, so give it work whose side effects can be abandoned).
    ``close(timeout)`` kills what is left after ``timeout`` and never hangs.

    >>> import asyncio, math
    >>> async def main():
    ...     pool = ProcessOffloader(max_workers=1, name="cpu")
    ...     try:
    ...         return await pool.submit(math.factorial, 20)
    ...     finally:
    ...         await pool.aclose()
    >>> asyncio.run(main())
    2432902008176640000
    """

    def __init__(
        self,
        max_workers: int | None = None,
        name: str = "offload-process",
        *,
        mp_context: str = "spawn",
        shutdown_timeout: float | None = DEFAULT_CLOSE_TIMEOUT,
    ) -> None:
        self.shutdown_timeout = shutdown_timeout
        if mp_context == "fork":
            raise ValueError("fork is unsafe in a process that runs Qt: use spawn or forkserver")
        self._context = multiprocessing.get_context(mp_context)
        self._slots: set[_Slot] = set()
        self._job_slots: dict[Job[Any], _Slot] = {}
        self._lock = threading.Lock()
        self._pool: WorkerPool[_Slot] = WorkerPool(
            name=name,
            max_workers=max_workers or os.cpu_count() or 1,
            run=self._run,
            make_state=self._make_slot,
            end_state=self._end_slot,
            idle_timeout=None,  # starting a process costs ~0.1 s: keep them until close
        )

    def __repr__(self) -> str:
        return f"<ProcessOffloader {self.name!r} {'closed' if self.closed else 'open'}>"

    def worker_pids(self) -> list[int]:
        """Process ids of the live worker processes (for tests and diagnostics)."""
        with self._lock:
            slots = list(self._slots)
        return sorted(
            pid
            for slot in slots
            if (process := slot.process) is not None and (pid := process.pid) is not None
        )

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Job[R]:
        """Run ``fn(*args, **kwargs)`` in a worker process; return its :class:`Job` at once."""
        payload = pickle.dumps((fn, args, kwargs))
        job: Job[R] = self._pool.new_job(fn)
        item = WorkItem(job, fn, (), {}, payload=payload)
        self._pool.put(job, item, cancel_hook=self._kill_job)
        return job

    def close(self, timeout: float | None = DEFAULT_CLOSE_TIMEOUT, *, drain: bool = False) -> bool:
        """Refuse new work, cancel (or ``drain``) it, wait up to ``timeout`` s, kill the rest."""
        clean = self._pool.close(timeout, drain)
        self._kill_all()
        return clean

    async def aclose(
        self,
        timeout: float | None = DEFAULT_CLOSE_TIMEOUT,  # noqa: ASYNC109 - mirrors close()
        *,
        drain: bool = False,
    ) -> bool:
        """:meth:`close` without blocking the event loop while it waits."""
        clean = await self._pool.aclose(timeout, drain)
        self._kill_all()
        return clean

    # -- dispatcher threads --------------------------------------------------------------------
    def _make_slot(self) -> _Slot:
        slot = _Slot(self._context, f"{threading.current_thread().name}-process")
        with self._lock:
            self._slots.add(slot)
        return slot

    def _end_slot(self, slot: _Slot) -> None:
        with self._lock:
            self._slots.discard(slot)
        slot.discard(grace=0.5)

    def _kill_job(self, job: Job[Any]) -> None:
        # Under the lock: the dispatcher drops the job's slot (under the same lock) before it
        # publishes the outcome, so a slot found here still runs this job, never the next.
        with self._lock:
            slot = self._job_slots.get(job)
            if slot is not None:
                slot.kill()

    def _kill_all(self) -> None:
        with self._lock:
            slots = list(self._slots)
        for slot in slots:
            slot.kill()

    def _run(self, item: WorkItem, slot: _Slot) -> None:
        job = item.job
        with self._lock:
            self._job_slots[job] = slot
        try:
            outcome = self._dispatch(item, slot) if not job.control.cancelled else None
        finally:
            # Drop the slot *before* publishing: once the outcome is out, the next job may
            # start on this process, and a late cancel of this job must not kill it.
            with self._lock:
                self._job_slots.pop(job, None)
        if outcome is not None:
            job._publish(*outcome)

    def _dispatch(self, item: WorkItem, slot: _Slot) -> tuple[bool, Any] | None:
        """Run the call in the slot's process; the outcome, or None if the job was cancelled."""
        job = item.job
        try:
            conn = slot.ensure_started()
        except BaseException as exc:
            return False, exc
        process = slot.process
        if job.control.cancelled:
            # Cancelled while the process was starting: the cancel hook found no process to
            # kill, so nothing must be sent to it.
            return None
        try:
            conn.send_bytes(item.payload)
            while True:
                message = conn.recv()
                if message[0] == "progress":
                    _kind, done, total, info = message
                    job.control.report(done, total, **info)
                    continue
                if message[0] == "items":
                    if not _forward_items(job, message[1]):
                        slot.discard()  # cancelled while waiting: the child is being killed
                        return None
                    continue
                if message[0] == "ok":
                    return True, message[1]
                _kind, error, tb_text = message
                error.__cause__ = RemoteTraceback(tb_text)
                return False, error
        except (EOFError, OSError):
            exitcode = None
            if process is not None:
                process.join(1.0)  # reap it, so the exit code is known
                exitcode = process.exitcode
            slot.discard()
            if job.control.cancelled:
                _log.debug("%s: killed the worker process of cancelled %r", self.name, job)
                return None
            return False, WorkerProcessDied(
                f"{self.name}: the worker process exited (code {exitcode}) while running {job.name}"
            )
        except Exception as exc:  # e.g. the reply could not be unpickled here
            return False, exc


def _forward_items(job: Job[Any], items: list[Any]) -> bool:
    """Hand a batch from the child to the job's channel (this waits while the reader is
    behind, so the pipe and then the child's ``emit`` wait too); False once cancelled."""
    sink = job.control.item_sink
    if sink is None:
        return True
    try:
        sink.put_many(items)
    except Cancelled:
        return False
    return True
