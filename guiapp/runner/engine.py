"""Run a planned collection: send, check, capture, in order or N at a time.

The engine is an asyncio coroutine that never blocks its loop: each exchange (send, then the
checks and captures on the response) runs through ``call``, which hands a blocking function to
a worker (an :class:`~guiapp.offload.Offloader` in the CLI and the window) and returns an
awaitable. Cancelling the run cancels the exchanges in flight, which shuts their sockets.

Ordering: requests that capture a variable, or use one that some request of the run captures,
keep their order: each waits for everything before it, and what follows waits for it.
Independent requests run ``concurrency`` at a time. Every iteration ends before the next begins;
captured values carry over to later iterations, data-file rows do not.

Example (a fake ``send`` and an inline ``call`` keep it self-contained)::

    >>> import asyncio
    >>> from guiapp.core.response import Response
    >>> from guiapp.core.request import RequestSpec
    >>> from guiapp.core.request_tests import RequestTests
    >>> from guiapp.core.checks import Check
    >>> from guiapp.runner.plan import PlannedRequest
    >>> def fake_send(spec):
    ...     return Response(status_code=200, reason="OK", http_version="HTTP/1.1",
    ...                     headers=[], url=spec.url, body=b'{"ok": true}')
    >>> async def inline(fn):
    ...     return fn()
    >>> tests = RequestTests(checks=(Check("body", "==", True, path="$.ok"),))
    >>> plan = [PlannedRequest("a.toml", "A", RequestSpec(url="{{base}}/a"), tests,
    ...                        frozenset({"base"}))]
    >>> run = CollectionRun(plan, {"base": "http://x"}, RunOptions(iterations=2),
    ...                     call=inline, send=fake_send)
    >>> summary = asyncio.run(run.run())
    >>> summary.requests, summary.failed_requests, summary.checks, summary.results[0].url
    (2, 0, 2, 'http://x/a')
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from guiapp.core.captures import CaptureResult
from guiapp.core.checks import CheckResult
from guiapp.core.errors import (
    ConnectionFailed,
    DeadlineExceeded,
    InvalidRequest,
    MalformedResponse,
    RequestError,
    TooManyRedirects,
    TruncatedTransfer,
)
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import run_tests
from guiapp.core.response import Response
from guiapp.core.variables import resolve
from guiapp.runner.plan import PlannedRequest

__all__ = [
    "CANCELLED",
    "FAILED",
    "NOT_RUN",
    "NO_CHECKS",
    "OUTCOMES",
    "PASSED",
    "RUNNING",
    "STREAM_LIMIT_S",
    "CollectionRun",
    "RequestRun",
    "RunOptions",
    "RunSummary",
]

T = TypeVar("T")
RunCall = Callable[[Callable[[], T]], Awaitable[T]]
SendFn = Callable[[RequestSpec], Response]
MASK = "•••"

#: What became of one request in one iteration (:attr:`RequestRun.outcome`).
PASSED = "passed"  # sent, every check passed (and every capture found its value)
FAILED = "failed"  # not sent (bad variable, transport error), a check failed or a capture was empty
NO_CHECKS = "no checks"  # sent, nothing was checked: neither a pass nor a failure
CANCELLED = "cancelled"  # in flight when the run was cancelled
NOT_RUN = "not run"  # never started: the run was cancelled or stopped at a failure first
OUTCOMES = (PASSED, FAILED, NO_CHECKS, CANCELLED, NOT_RUN)
#: The state of a row whose request is in flight (:meth:`CollectionRun.run`'s ``on_start``).
RUNNING = "running"
#: Seconds a streamed response (Server-Sent Events, NDJSON...) may last in a run without
#: ``timeout_ms``: an endless stream is stopped there, so that the run ends.
STREAM_LIMIT_S = 30.0


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run: ``iterations`` (with ``data``, one iteration per row unless more are asked,
    rows then repeating), ``delay_ms`` between requests, ``bail`` (stop after the first
    failure), ``concurrency`` for independent requests, ``timeout_ms`` per request (the
    connect and read timeouts and the total time of each request, streams included; it
    overrides each request's own), ``insecure`` (skip TLS verification). Without
    ``timeout_ms`` a streamed response is stopped after :data:`STREAM_LIMIT_S`."""

    iterations: int | None = None
    data: tuple[Mapping[str, str], ...] = ()
    delay_ms: int = 0
    bail: bool = False
    concurrency: int = 1
    timeout_ms: int | None = None
    insecure: bool = False

    def iteration_count(self) -> int:
        if self.iterations is not None:
            return max(0, self.iterations)
        return len(self.data) if self.data else 1


@dataclass(frozen=True, slots=True)
class RequestRun:
    """What became of one request in one iteration (1-based ``iteration``).

    ``state`` is empty for a request that ran to its end (its :attr:`outcome` then follows
    from its error, checks and captures), else ``RUNNING``, ``CANCELLED`` or ``NOT_RUN``.
    ``note`` says how a response ended when that is worth saying, e.g. ``"stream stopped
    after 30 s (run limit)"``: a stream stopped at the run's limit is not a failure by
    itself, its checks run on what arrived."""

    iteration: int
    index: int
    name: str
    rel: str
    method: str
    url: str
    folder: tuple[str, ...] = ()
    status: int | None = None
    reason: str = ""
    elapsed_ms: float = 0.0
    size: int = 0
    error: str = ""
    checks: tuple[CheckResult, ...] = ()
    captures: tuple[CaptureResult, ...] = ()
    state: str = ""
    note: str = ""
    unanswered: str = ""

    @property
    def ending(self) -> str:
        """How a request without a response ended: ``"not sent"`` (a bad variable, no
        connection), ``"no response"`` (sent, but nothing came back in time),
        ``"incomplete response"``, ``"invalid response"``, ``"too many redirects"``;
        ``"cancelled"`` or ``"not run"``; empty once there is a status."""
        if self.status is not None:
            return ""
        if self.state in (CANCELLED, NOT_RUN):
            return self.state
        return self.unanswered or ("not sent" if self.error else "")

    @property
    def outcome(self) -> str:
        """``PASSED``, ``FAILED``, ``NO_CHECKS``, ``CANCELLED`` or ``NOT_RUN`` (``RUNNING``
        while in flight). A response is never a pass by itself: a request without checks
        is ``NO_CHECKS`` whatever its status."""
        if self.state:
            return self.state
        if (
            self.error
            or not all(c.passed for c in self.checks)
            or not all(c.ok for c in self.captures)
        ):
            return FAILED
        return PASSED if self.checks else NO_CHECKS

    @property
    def passed(self) -> bool:
        """Sent, with at least one check, every check passed, every capture found its value."""
        return self.outcome == PASSED

    @property
    def failed(self) -> bool:
        """Not sent, a failed check or a capture that found nothing."""
        return self.outcome == FAILED

    @property
    def http_error(self) -> bool:
        """A response with a 4xx or 5xx status (a failure only if a check says so)."""
        return self.status is not None and self.status >= 400

    def failures(self) -> list[str]:
        """One message per failure: the error, each failed check, each empty capture."""
        out = [self.error] if self.error else []
        out += [c.message for c in self.checks if not c.passed]
        out += [c.message for c in self.captures if not c.ok]
        return out


@dataclass(slots=True)
class RunSummary:
    """Every result (ordered by iteration, then position; requests that never started are
    there too, as ``NOT_RUN``), counts and timing: ``started_at`` (UTC) and ``duration_s``
    of the whole run, and of each iteration in ``iteration_times``."""

    results: list[RequestRun] = field(default_factory=list)
    duration_s: float = 0.0
    cancelled: bool = False
    bailed: bool = False
    started_at: datetime | None = None
    iteration_times: dict[int, tuple[datetime, float]] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        """Every planned request of every iteration, run or not."""
        return len(self.results)

    def counts(self) -> Counter[str]:
        """How many results of each outcome (``PASSED``, ``FAILED``...)."""
        return Counter(r.outcome for r in self.results)

    @property
    def finished(self) -> int:
        """Requests that ran to their end: passed, failed or without checks."""
        counts = self.counts()
        return counts[PASSED] + counts[FAILED] + counts[NO_CHECKS]

    @property
    def failed_requests(self) -> int:
        return sum(r.failed for r in self.results)

    @property
    def unchecked_http_errors(self) -> int:
        """Requests without checks whose response had a 4xx or 5xx status."""
        return sum(r.outcome == NO_CHECKS and r.http_error for r in self.results)

    @property
    def checks(self) -> int:
        return sum(len(r.checks) for r in self.results)

    @property
    def failed_checks(self) -> int:
        return sum(not c.passed for r in self.results for c in r.checks)

    @property
    def passed(self) -> bool:
        return not self.cancelled and self.failed_requests == 0

    def percentile_ms(self, q: float) -> float | None:
        """The ``q`` quantile (0-1, nearest rank) of the sent requests' times."""
        times = sorted(r.elapsed_ms for r in self.results if r.status is not None)
        if not times:
            return None
        rank = max(0, min(len(times) - 1, round(q * len(times) + 0.5) - 1))
        return times[rank]


class CollectionRun:
    """One run of ``plan`` with ``variables`` (collection < environment < overrides)."""

    def __init__(
        self,
        plan: Sequence[PlannedRequest],
        variables: Mapping[str, str],
        options: RunOptions,
        *,
        call: RunCall[Any],
        send: SendFn,
        secrets: Iterable[str] = (),
    ) -> None:
        self._plan = list(plan)
        self._variables = dict(variables)
        self._options = options
        self._call = call
        self._send = send
        self._secret_values = {v for v in secrets if v}
        self._captured: dict[str, str] = {}
        self._captured_names = frozenset().union(*(p.tests.captured_names for p in plan))
        self._summary = RunSummary()
        self._on_result: Callable[[RequestRun], object] | None = None
        self._on_start: Callable[[RequestRun], object] | None = None
        self._recorded: set[tuple[int, int]] = set()
        self._stop = False
        self._in_flight: set[asyncio.Task[None]] = set()

    @property
    def captured(self) -> dict[str, str]:
        """Variables captured so far (name -> value)."""
        return dict(self._captured)

    def cancel(self) -> None:
        """Stop the run: nothing new starts; requests in flight are cancelled (sockets shut)."""
        self._summary.cancelled = True
        self._stop = True
        for task in list(self._in_flight):
            task.cancel()

    async def run(
        self,
        on_result: Callable[[RequestRun], object] | None = None,
        on_start: Callable[[RequestRun], object] | None = None,
    ) -> RunSummary:
        """Run every iteration. On the loop, ``on_start`` is called as each request starts
        (in plan order, with a ``RUNNING`` placeholder) and ``on_result`` as each one ends (in
        the order they end); once the run stops early, every request that never started is
        reported to ``on_result`` as ``NOT_RUN``, in plan order."""
        self._on_result = on_result
        self._on_start = on_start
        started = time.perf_counter()
        self._summary.started_at = datetime.now(UTC)
        try:
            for iteration in range(1, self._options.iteration_count() + 1):
                if self._stop:
                    break
                began, t0 = datetime.now(UTC), time.perf_counter()
                try:
                    await self._iteration(iteration)
                finally:
                    self._summary.iteration_times[iteration] = (began, time.perf_counter() - t0)
        except asyncio.CancelledError:
            self.cancel()
            await self._drain()
            raise
        finally:
            self._summary.duration_s = time.perf_counter() - started
            self._record_not_run()
            self._summary.results.sort(key=lambda r: (r.iteration, r.index))
        return self._summary

    def _record_not_run(self) -> None:
        for iteration in range(1, self._options.iteration_count() + 1):
            for index, planned in enumerate(self._plan):
                if (iteration, index) not in self._recorded:
                    self._record(self._placeholder(iteration, index, planned, NOT_RUN))

    def _placeholder(
        self, iteration: int, index: int, planned: PlannedRequest, state: str
    ) -> RequestRun:
        spec = planned.spec
        url = _mask(spec.url, self._secret_values)
        return RequestRun(
            iteration, index, planned.name, planned.rel, spec.method, url, planned.folder,
            state=state,
        )  # fmt: skip

    # -- one iteration -----------------------------------------------------------------------------
    async def _iteration(self, iteration: int) -> None:
        rows = self._options.data
        row = rows[(iteration - 1) % len(rows)] if rows else {}
        limit = max(1, self._options.concurrency)
        for index, planned in enumerate(self._plan):
            if self._stop:
                break
            if index and self._options.delay_ms:
                await asyncio.sleep(self._options.delay_ms / 1000)
            ordered = bool(planned.tests.captured_names or planned.uses & self._captured_names)
            if ordered or limit == 1:
                await self._drain()
                if not self._stop:
                    self._started(iteration, index, planned)
                    await self._track(self._one(iteration, index, planned, row))
                continue
            while len(self._in_flight) >= limit:
                await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            if not self._stop:
                self._started(iteration, index, planned)
                self._start(self._one(iteration, index, planned, row))
        await self._drain()

    def _started(self, iteration: int, index: int, planned: PlannedRequest) -> None:
        if self._on_start is not None:
            self._on_start(self._placeholder(iteration, index, planned, RUNNING))

    def _start(self, coro: Awaitable[None]) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        return task

    async def _track(self, coro: Awaitable[None]) -> None:
        await self._start(coro)

    async def _drain(self) -> None:
        while self._in_flight:
            await asyncio.wait(set(self._in_flight))

    async def _one(
        self, iteration: int, index: int, planned: PlannedRequest, row: Mapping[str, str]
    ) -> None:
        values = {**self._variables, **row, **self._captured}
        secrets = frozenset(self._secret_values)
        base = RequestRun(
            iteration, index, planned.name, planned.rel, planned.spec.method, "", planned.folder
        )
        # Resolving, sending, checking and masking all run in the worker: the loop (the GUI
        # thread, in the window) only starts the exchange and records its result.
        sent: dict[str, str] = {}  # the worker leaves the resolved URL here, for a cancel
        started = time.perf_counter()
        try:
            result = await self._call(
                lambda: self._resolve_and_exchange(planned, values, secrets, base, sent)
            )
        except asyncio.CancelledError:
            if self._summary.cancelled:
                elapsed_ms = (time.perf_counter() - started) * 1000
                url = sent.get("url") or _mask(planned.spec.url, secrets)
                self._record(replace(base, url=url, elapsed_ms=elapsed_ms, state=CANCELLED))
                return
            raise
        new_secret = False
        for cap in result.captures:
            if cap.ok and cap.value is not None:
                self._captured[cap.capture.variable] = cap.value
                if cap.capture.secret:
                    self._secret_values.add(cap.value)
                    new_secret = True
        # A secret captured just now is masked in this very result too.
        self._record(_masked(result, self._secret_values) if new_secret else result)

    def _resolve_and_exchange(
        self,
        planned: PlannedRequest,
        values: Mapping[str, str],
        secrets: frozenset[str],
        base: RequestRun,
        sent: dict[str, str],
    ) -> RequestRun:
        """Resolve ``planned``, send it, check the response, mask ``secrets`` (in a worker)."""
        try:
            spec = self._prepare(resolve(planned.spec, values, secrets=secrets))
        except RequestError as exc:
            return _masked(replace(base, url=planned.spec.url, error=str(exc)), secrets)
        sent["url"] = _mask(spec.url, secrets)
        result = _exchange(self._send, spec, planned, replace(base, url=spec.url))
        return _masked(result, secrets)

    def _prepare(self, spec: RequestSpec) -> RequestSpec:
        options = self._options
        if options.timeout_ms is not None:  # bounds the whole request, a stream's too
            seconds = options.timeout_ms / 1000
            spec = replace(
                spec, timeout=seconds, total_timeout=seconds, stream_total_timeout=seconds
            )
        else:  # an endless stream would never let the run end
            spec = replace(spec, stream_total_timeout=STREAM_LIMIT_S)
        if options.insecure:
            spec = replace(spec, verify=False)
        return spec

    def _record(self, result: RequestRun) -> None:
        self._recorded.add((result.iteration, result.index))
        self._summary.results.append(result)
        if self._options.bail and result.failed:
            self._summary.bailed = True
            self._stop = True
        if self._on_result is not None:
            self._on_result(result)


# -- masking secrets -------------------------------------------------------------------------------
def _mask(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _masked(result: RequestRun, secrets: Iterable[str]) -> RequestRun:
    """``result`` with every secret value replaced by ``MASK``, and secret captures hidden."""
    secrets = tuple(sorted(secrets, key=len, reverse=True))
    if not secrets:
        return result
    checks = tuple(
        replace(c, actual=_mask(c.actual, secrets), message=_mask(c.message, secrets))
        for c in result.checks
    )
    captures = tuple(
        replace(
            c,
            value=MASK if c.capture.secret and c.ok else c.value,
            message=_mask(c.message, secrets),
        )
        for c in result.captures
    )
    return replace(
        result,
        url=_mask(result.url, secrets),
        error=_mask(result.error, secrets),
        checks=checks,
        captures=captures,
    )


def _exchange(
    send: SendFn, spec: RequestSpec, planned: PlannedRequest, base: RequestRun
) -> RequestRun:
    """Send ``spec`` and evaluate its checks and captures (runs in a worker)."""
    started = time.perf_counter()
    note = ""
    try:
        response = send(spec)
    except DeadlineExceeded as exc:
        stopped = exc.partial_response
        if stopped is None or stopped.stream is None or exc.limit_name != "total_timeout":
            return _failed(base, exc, started)
        # A stream stopped at its time limit: expected of an endless one, so what arrived
        # is checked like any response.
        limit = "run limit" if exc.seconds == spec.stream_total_timeout else "its total timeout"
        response, note = stopped, f"stream stopped after {exc.seconds:g} s ({limit})"
    except RequestError as exc:  # a timeout after 30 s took 30 s: say so
        return _failed(base, exc, started)
    with response:
        outcome = run_tests(planned.tests, response)
        return replace(
            base,
            status=response.status_code,
            reason=response.reason,
            elapsed_ms=response.elapsed * 1000,
            size=response.size,
            checks=outcome.checks,
            captures=outcome.captures,
            note=note,
        )


def _failed(base: RequestRun, exc: RequestError, started: float) -> RequestRun:
    return replace(base, error=str(exc), elapsed_ms=_since(started), unanswered=_ending(exc))


def _ending(exc: RequestError) -> str:
    """What became of a request that got no (complete) response, in a few words."""
    if isinstance(exc, InvalidRequest | ConnectionFailed):
        return "not sent"
    if isinstance(exc, TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, MalformedResponse):
        return "invalid response"
    if isinstance(exc, TruncatedTransfer) and exc.partial_response is not None:
        return "incomplete response"
    return "no response"


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
