"""The run engine: order, concurrency, captures, data rows, bail, cancel, masking."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Sequence

import pytest

from guiapp.core.captures import Capture
from guiapp.core.checks import Check
from guiapp.core.errors import ConnectionRefused
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import RequestTests
from guiapp.core.response import Response
from guiapp.core.variables import VARIABLE_REF
from guiapp.offload import Offloader, on_cancel
from guiapp.runner import (
    CANCELLED,
    FAILED,
    NO_CHECKS,
    NOT_RUN,
    PASSED,
    RUNNING,
    CollectionRun,
    PlannedRequest,
    RequestRun,
    RunOptions,
    RunSummary,
)

NO_TESTS = RequestTests()
DEFAULTS = RunOptions()


def _planned(name: str, url: str, tests: RequestTests = NO_TESTS) -> PlannedRequest:
    uses = frozenset(m.group(1) for m in VARIABLE_REF.finditer(url))
    return PlannedRequest(f"{name}.toml", name, RequestSpec(url=url), tests, uses)


class FakeServer:
    """A ``send`` that answers from ``routes`` and records concurrency and order."""

    def __init__(self, delay: float = 0.0, routes: dict[str, bytes] | None = None) -> None:
        self.delay = delay
        self.routes = routes or {}
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.sent: list[str] = []

    def send(self, spec: RequestSpec) -> Response:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.sent.append(spec.url)
        try:
            if self.delay:
                time.sleep(self.delay)
            path = spec.url.split("://", 1)[-1].split("/", 1)[-1]
            body = self.routes.get(path.split("?")[0], b"{}")
            return Response(
                status_code=404 if path.startswith("missing") else 200,
                reason="OK",
                http_version="HTTP/1.1",
                headers=[("Content-Type", "application/json")],
                url=spec.url,
                body=body,
                elapsed=0.01,
            )
        finally:
            with self.lock:
                self.active -= 1


def _run(
    plan: Sequence[PlannedRequest],
    send: Callable[[RequestSpec], Response],
    options: RunOptions = DEFAULTS,
    variables: dict[str, str] | None = None,
    secrets: Sequence[str] = (),
) -> tuple[RunSummary, list[RequestRun]]:
    seen: list[RequestRun] = []

    async def main() -> RunSummary:
        offloader = Offloader(max_workers=16, name="test-run")
        try:
            run = CollectionRun(
                plan,
                variables or {},
                options,
                call=lambda fn: offloader.submit(fn),
                send=send,
                secrets=secrets,
            )
            return await asyncio.wait_for(run.run(seen.append), 20)
        finally:
            offloader.close(1.0)

    return asyncio.run(main()), seen


def test_independent_requests_run_n_at_a_time() -> None:
    server = FakeServer(delay=0.05)
    plan = [_planned(f"r{i}", f"http://h/r{i}") for i in range(12)]
    summary, seen = _run(plan, server.send, RunOptions(concurrency=4))
    assert server.peak == 4
    assert summary.requests == 12
    assert len(seen) == 12
    assert [r.name for r in summary.results] == [f"r{i}" for i in range(12)]


def test_dynamic_variables_get_a_new_value_per_request() -> None:
    server = FakeServer()
    url = "http://h/r?id={{$guid}}&n={{$randomInt}}&t={{$timestamp}}&at={{$isoTimestamp}}"
    plan = [_planned(f"r{i}", url) for i in range(3)]
    summary, _ = _run(plan, server.send, RunOptions(concurrency=3))
    assert summary.failed_requests == 0
    ids = [re.search(r"id=([0-9a-f-]{36})&n=(\d+)&t=(\d{10})&at=20\d\d-", u) for u in server.sent]
    assert all(ids), server.sent
    assert len({m.group(1) for m in ids if m}) == 3  # one value per request, never shared


def test_concurrency_one_keeps_strict_order() -> None:
    server = FakeServer()
    plan = [_planned(f"r{i}", f"http://h/r{i}") for i in range(6)]
    _run(plan, server.send)
    assert server.peak == 1
    assert server.sent == [f"http://h/r{i}" for i in range(6)]


def test_a_captured_value_reaches_the_requests_that_use_it_in_order() -> None:
    server = FakeServer(delay=0.02, routes={"login": b'{"token": "s3cret"}'})
    login = _planned(
        "login",
        "http://h/login",
        RequestTests(captures=(Capture("token", "body", "$.token", secret=True),)),
    )
    plan = [
        _planned("a", "http://h/a"),
        _planned("b", "http://h/b"),
        login,
        _planned("me", "http://h/me?t={{token}}"),
        _planned("c", "http://h/c"),
    ]
    summary, _ = _run(plan, server.send, RunOptions(concurrency=4), secrets=())
    assert summary.failed_requests == 0
    sent = server.sent
    # login waits for a and b; me waits for login and sends the captured value
    assert sent.index("http://h/login") > max(sent.index("http://h/a"), sent.index("http://h/b"))
    assert "http://h/me?t=s3cret" in sent
    assert sent.index("http://h/me?t=s3cret") > sent.index("http://h/login")
    # a secret capture is masked in what the run reports, never in what it sends
    me = next(r for r in summary.results if r.name == "me")
    assert me.url == "http://h/me?t=•••"
    login_result = next(r for r in summary.results if r.name == "login")
    assert login_result.captures[0].value == "•••"


def test_a_capture_that_finds_nothing_fails_the_request_and_the_run_goes_on() -> None:
    server = FakeServer()
    plan = [
        _planned("login", "http://h/login", RequestTests(captures=(Capture("t", "body", "$.x"),))),
        _planned("next", "http://h/next"),
    ]
    summary, _ = _run(plan, server.send)
    assert summary.requests == 2
    assert not summary.results[0].passed
    assert summary.results[0].failures() == ["capture {{t}}: $.x matched nothing"]
    assert summary.results[1].outcome == NO_CHECKS  # sent, the run went on


def test_an_unresolved_variable_is_a_failed_request_not_a_crash() -> None:
    server = FakeServer()
    summary, _ = _run([_planned("u", "{{base}}/x"), _planned("ok", "http://h/ok")], server.send)
    assert summary.results[0].status is None
    assert "Unresolved variable {{base}}" in summary.results[0].error
    assert summary.results[0].outcome == FAILED
    assert summary.results[1].outcome == NO_CHECKS
    assert server.sent == ["http://h/ok"]


def test_data_rows_make_iterations_and_override_variables() -> None:
    server = FakeServer()
    rows = ({"id": "1"}, {"id": "2"}, {"id": "3"})
    plan = [_planned("get", "{{base}}/users/{{id}}")]
    summary, _ = _run(plan, server.send, RunOptions(data=rows), {"base": "http://h", "id": "0"})
    assert server.sent == ["http://h/users/1", "http://h/users/2", "http://h/users/3"]
    assert [r.iteration for r in summary.results] == [1, 2, 3]


def test_iterations_repeat_rows_when_more_are_asked() -> None:
    server = FakeServer()
    plan = [_planned("get", "http://h/{{id}}")]
    options = RunOptions(iterations=4, data=({"id": "a"}, {"id": "b"}))
    _run(plan, server.send, options)
    assert server.sent == ["http://h/a", "http://h/b", "http://h/a", "http://h/b"]


def test_bail_stops_after_the_first_failure() -> None:
    server = FakeServer()
    status_ok = RequestTests(checks=(Check("status", "==", 200),))
    plan = [
        _planned("one", "http://h/one", status_ok),
        _planned("two", "http://h/missing", status_ok),
        _planned("three", "http://h/three", status_ok),
    ]
    summary, seen = _run(plan, server.send, RunOptions(bail=True, iterations=3))
    assert summary.bailed
    assert [r.name for r in summary.results if r.outcome != NOT_RUN] == ["one", "two"]
    assert summary.results[1].failures() == ["status == 200: got 404"]
    # the rest is recorded as never run, in plan order, and reported too
    assert summary.requests == 9
    assert [(r.iteration, r.name) for r in summary.results[2:]] == [
        (1, "three"),
        *((i, n) for i in (2, 3) for n in ("one", "two", "three")),
    ]
    assert {r.outcome for r in summary.results[2:]} == {NOT_RUN}
    assert [r.outcome for r in seen[2:]] == [NOT_RUN] * 7
    assert summary.failed_requests == 1


def test_transport_errors_are_failed_requests() -> None:
    def refuse(spec: RequestSpec) -> Response:
        raise ConnectionRefused("Connection refused by h:1", url=spec.url)

    summary, _ = _run([_planned("x", "http://h:1/")], refuse)
    assert summary.failed_requests == 1
    assert "Connection refused" in summary.results[0].error
    assert summary.results[0].outcome == FAILED


def test_a_send_that_fails_late_records_the_time_it_took() -> None:
    def time_out(spec: RequestSpec) -> Response:
        time.sleep(0.2)
        raise ConnectionRefused("timed out", url=spec.url)

    summary, _ = _run([_planned("x", "http://h:1/")], time_out)
    assert summary.results[0].elapsed_ms >= 190  # not "0.000 s"


def test_a_request_without_checks_is_neither_passed_nor_failed() -> None:
    """An HTTP error status is not a pass: without checks the request is "no checks", counted
    apart (and its error status too); the run still passes, as only checks and sends fail."""
    server = FakeServer()
    status_ok = RequestTests(checks=(Check("status", "==", 200),))
    plan = [
        _planned("checked", "http://h/ok", status_ok),
        _planned("unchecked 404", "http://h/missing"),
        _planned("unchecked 200", "http://h/fine"),
    ]
    summary, _ = _run(plan, server.send)
    outcomes = [r.outcome for r in summary.results]
    assert outcomes == [PASSED, NO_CHECKS, NO_CHECKS]
    unchecked = summary.results[1]
    assert unchecked.status == 404
    assert not unchecked.passed
    assert not unchecked.failed
    assert unchecked.http_error
    assert summary.counts()[PASSED] == 1
    assert summary.counts()[NO_CHECKS] == 2
    assert summary.unchecked_http_errors == 1
    assert summary.failed_requests == 0
    assert summary.passed  # the exit-code contract: no check and no send failed


def test_requests_start_in_plan_order_whatever_order_they_end_in() -> None:
    class Slowest(FakeServer):
        def send(self, spec: RequestSpec) -> Response:
            number = int(spec.url.rsplit("r", 1)[1])
            time.sleep(0.01 * (6 - number))  # r0 slowest: results end in reverse order
            return super().send(spec)

    server = Slowest()
    plan = [_planned(f"r{i}", f"http://h/r{i}") for i in range(6)]
    started: list[RequestRun] = []
    ended: list[RequestRun] = []

    async def main() -> RunSummary:
        offloader = Offloader(max_workers=8, name="test-order")
        try:
            run = CollectionRun(
                plan,
                {},
                RunOptions(concurrency=6, iterations=2),
                call=lambda fn: offloader.submit(fn),
                send=server.send,
            )
            return await asyncio.wait_for(run.run(ended.append, started.append), 20)
        finally:
            offloader.close(1.0)

    summary = asyncio.run(main())
    plan_order = [(i, n) for i in (1, 2) for n in range(6)]
    assert [(r.iteration, r.index) for r in started] == plan_order
    assert {r.outcome for r in started} == {RUNNING}
    assert [(r.iteration, r.index) for r in ended] != plan_order  # they did end out of order
    assert [(r.iteration, r.index) for r in summary.results] == plan_order
    assert summary.iteration_times.keys() == {1, 2}
    assert summary.started_at is not None
    first_start, first_took = summary.iteration_times[1]
    second_start, _ = summary.iteration_times[2]
    assert first_start <= second_start
    assert 0 < first_took <= summary.duration_s


def test_cancel_reaches_the_blocking_send_and_reports_cancelled() -> None:
    released = threading.Event()
    started = threading.Event()

    def hang(spec: RequestSpec) -> Response:
        on_cancel(released.set)  # what guiapp.core.send does: shut the socket
        started.set()
        released.wait(10)
        raise ConnectionRefused("socket shut", url=spec.url)

    seen: list[RequestRun] = []

    async def main() -> tuple[RunSummary, float, float]:
        offloader = Offloader(max_workers=4, name="test-cancel")
        run = CollectionRun(
            [_planned(f"h{i}", f"http://h/{i}") for i in range(5)],
            {},
            RunOptions(concurrency=3, iterations=2),
            call=lambda fn: offloader.submit(fn),
            send=hang,
        )
        task = asyncio.ensure_future(run.run(seen.append))
        t_start = time.perf_counter()
        await asyncio.to_thread(started.wait, 10)
        await asyncio.sleep(0.3)
        t0 = time.perf_counter()
        run.cancel()
        summary = await asyncio.wait_for(task, 10)
        offloader.close(1.0)
        return summary, t0 - t_start, time.perf_counter() - t0

    summary, in_flight_s, took = asyncio.run(main())
    assert released.is_set()
    assert summary.cancelled
    assert not summary.passed
    outcomes = [r.outcome for r in summary.results]
    # three in flight were cancelled; the other two of iteration 1 and all of iteration 2
    # never started: recorded as such, in plan order, never as passed
    assert outcomes == [CANCELLED] * 3 + [NOT_RUN] * 7
    assert [(r.iteration, r.index) for r in summary.results[3:]] == [
        (1, 3),
        (1, 4),
        *((2, i) for i in range(5)),
    ]
    assert [r.outcome for r in seen[3:]] == [NOT_RUN] * 7
    assert summary.finished == 0
    assert all(r.error == "" for r in summary.results)
    # a cancelled request records the time it was in flight, not 0
    assert all(r.elapsed_ms >= 300 for r in summary.results[:3])
    assert all(r.elapsed_ms <= (in_flight_s + took) * 1000 + 50 for r in summary.results[:3])
    assert took < 5  # generous: the point is that it does not wait for the 10 s hang


def test_percentiles_use_sent_requests_only() -> None:
    results = [
        RequestRun(1, i, "r", "r.toml", "GET", "u", status=200, elapsed_ms=float(ms))
        for i, ms in enumerate([10, 20, 30, 40, 100])
    ]
    results.append(RequestRun(1, 9, "x", "x.toml", "GET", "u", error="refused"))
    summary = RunSummary(results)
    assert summary.percentile_ms(0.5) == 30
    assert summary.percentile_ms(0.95) == 100
    assert RunSummary().percentile_ms(0.5) is None


@pytest.mark.parametrize("concurrency", [1, 8])
def test_secrets_are_masked_in_urls_errors_and_check_messages(concurrency: int) -> None:
    server = FakeServer(routes={"echo": b'{"key": "k-123"}'})
    plan = [
        _planned(
            "echo",
            "http://h/echo?key={{key}}",
            RequestTests(checks=(Check("body", "==", "other", path="$.key"),)),
        )
    ]
    summary, _ = _run(
        plan, server.send, RunOptions(concurrency=concurrency), {"key": "k-123"}, ["k-123"]
    )
    result = summary.results[0]
    assert server.sent == ["http://h/echo?key=k-123"]
    assert "k-123" not in result.url
    assert "k-123" not in result.checks[0].actual
    assert "k-123" not in result.checks[0].message


def test_bad_checks_fail_their_request_with_a_specific_message_and_the_run_goes_on() -> None:
    """The issue's bad input, through a run: an invalid JSONPath (with its position), a check
    on a body that is not JSON, a capture that finds nothing, a variable nobody defined."""
    server = FakeServer(routes={"html": b"<html>oops</html>", "json": b'{"a": [1]}'})
    bad_path = RequestTests(checks=(Check("body", "exists", path="$.a[?@.b >"),))
    on_html = RequestTests(checks=(Check("body", "==", 1, path="$.id"),))
    capture = RequestTests(captures=(Capture("t", "body", "$.x"),))
    plan = [
        _planned("bad path", "http://h/json", bad_path),
        _planned("not json", "http://h/html", on_html),
        _planned("empty capture", "http://h/json", capture),
        _planned("unknown variable", "http://h/{{nobody}}"),
        _planned("fine", "http://h/json", RequestTests(checks=(Check("status", "==", 200),))),
    ]
    summary, _ = _run(plan, server.send, RunOptions(concurrency=4))
    assert [r.outcome for r in summary.results] == [FAILED] * 4 + [PASSED]
    invalid, not_json, empty, unknown = (r.failures() for r in summary.results[:4])
    assert "invalid JSONPath $.a[?@.b >" in invalid[0]
    assert "position" in invalid[0]
    assert "the body is not JSON" in not_json[0]
    assert empty == ["capture {{t}}: $.x matched nothing"]
    assert "Unresolved variable {{nobody}}" in unknown[0]
    assert summary.results[3].status is None  # not sent
