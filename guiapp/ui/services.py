"""The executors a window owns, created on first use and closed together on shutdown.

- ``offloader``: :class:`~guiapp.offload.Offloader` for HTTP sends (many threads: I/O-bound).
- ``lane``: :class:`~guiapp.offload.SerialLane` for the sqlite history store (thread-affine).
- ``processes``: :class:`~guiapp.offload.ProcessOffloader` for formatting large bodies (CPU and
  GIL-bound work that would otherwise stall the GUI).
- ``http_session``: one ``requests.Session`` for every send of the window: its cookie jar keeps
  what servers set (and sends it back), its pool keeps connections alive between requests.

Example::

    services = Services()
    job = services.offloader.submit(send, spec)     # the pool starts here, not before
    services.shutdown(timeout=0.5)                  # never waits longer than the timeout
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

import requests

from guiapp.core.transport import make_session
from guiapp.offload import Offloader, ProcessOffloader, SerialLane

__all__ = ["Services"]

_log = logging.getLogger(__name__)


class Services:
    """Lazily created executors with one bounded :meth:`shutdown`."""

    def __init__(self, max_workers: int = 64, process_workers: int = 2) -> None:
        self._max_workers = max_workers
        self._process_workers = process_workers
        self._offloader: Offloader | None = None
        self._lane: SerialLane | None = None
        self._processes: ProcessOffloader | None = None
        self._http_session: requests.Session | None = None
        self.closed = False

    @property
    def offloader(self) -> Offloader:
        """The thread pool for sends."""
        if self._offloader is None:
            self._check_open()
            self._offloader = Offloader(self._max_workers, name="guiapp-send")
        return self._offloader

    @property
    def lane(self) -> SerialLane:
        """The single thread that owns the history database."""
        if self._lane is None:
            self._check_open()
            self._lane = SerialLane(name="guiapp-history")
        return self._lane

    @property
    def processes(self) -> ProcessOffloader:
        """The process pool for formatting large bodies."""
        if self._processes is None:
            self._check_open()
            self._processes = ProcessOffloader(self._process_workers, name="guiapp-format")
        return self._processes

    @property
    def http_session(self) -> requests.Session:
        """The shared session for sends (cookie jar + keep-alive pool, one slot per worker)."""
        if self._http_session is None:
            self._check_open()
            self._http_session = make_session(pool_maxsize=self._max_workers)
        return self._http_session

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError("the window is shutting down")

    def shutdown(self, timeout: float = 0.5) -> bool:
        """Close every executor that was started, sharing ``timeout`` seconds between them.

        In-flight sends are cancelled (their sockets shut); what has not ended by the deadline
        is abandoned (daemon threads, killed processes). True if everything ended in time.
        Abandoning a send or a formatting is logged at debug level (a quit prints nothing);
        a history write the lane had to abandon stays a warning.
        """
        self.closed = True
        deadline = time.monotonic() + timeout
        clean = True
        for executor in (self._offloader, self._processes, self._lane):
            if executor is None:
                continue
            remaining = max(0.05, deadline - time.monotonic())
            draining = executor is self._lane
            try:
                # The history lane drains: queued writes (a last history entry) are not lost,
                # and a history write it has to abandon stays a warning.
                with contextlib.nullcontext() if draining else _abandoning_is_expected():
                    clean = executor.close(remaining, drain=draining) and clean
            except Exception:
                _log.exception("closing %r failed", executor)
                clean = False
        if self._http_session is not None:
            self._http_session.close()  # after the sends: their sockets are shut already
        return clean


class _AbandoningAtDebug(logging.Filter):
    """Makes the executors' "abandoning thread …" records debug records.

    Abandoning what has not ended by the deadline (a send, a body being formatted, a worker's
    thread still waiting for its process to exit) is the plan of a bounded shutdown, not a
    problem: it goes to the log file, not to the console as a warning.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and "abandoning thread" in str(record.msg):
            record.levelno = logging.DEBUG
            record.levelname = logging.getLevelName(logging.DEBUG)
        return True


@contextlib.contextmanager
def _abandoning_is_expected() -> Iterator[None]:
    # The offload library logs as "guiapp.offload"; a logger's filters see its records before
    # any handler does, so the console handler (WARNING and above) skips the demoted ones.
    logger = logging.getLogger("guiapp.offload")
    quiet = _AbandoningAtDebug()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)
