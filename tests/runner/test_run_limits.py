"""A run always ends: endless streams stop at the run's limit, ``timeout_ms`` bounds every
request (streams included), and each way a request can end without a response is worded for
what it was ("not sent" only when nothing was sent). Real sends against the demo API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence

import pytest

from guiapp.core.checks import Check
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import RequestTests
from guiapp.core.transport import send
from guiapp.demo import DemoServer
from guiapp.offload import Offloader
from guiapp.runner import (
    FAILED,
    NO_CHECKS,
    PASSED,
    CollectionRun,
    PlannedRequest,
    RunOptions,
    RunSummary,
    engine,
)
from guiapp.runner.progress import result_line
from guiapp.runner.reports import junit_xml, to_json

STATUS_200 = RequestTests(checks=(Check("status", "==", 200),))
NO_TESTS = RequestTests()


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


def _planned(name: str, spec: RequestSpec, tests: RequestTests = NO_TESTS) -> PlannedRequest:
    return PlannedRequest(f"{name}.toml", name, spec, tests, frozenset())


def _run(plan: Sequence[PlannedRequest], options: RunOptions) -> RunSummary:
    async def main() -> RunSummary:
        offloader = Offloader(max_workers=4, name="test-limits")
        try:
            run = CollectionRun(plan, {}, options, call=offloader.submit, send=send)
            # far above any limit under test: the run must end by itself
            return await asyncio.wait_for(run.run(), 60)
        finally:
            offloader.close(1.0)

    return asyncio.run(main())


def test_an_endless_stream_stops_at_the_run_limit_and_its_checks_decide(
    demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "STREAM_LIMIT_S", 0.6)
    forever = RequestSpec(url=f"{demo.url}/sse/forever?interval=0.05")
    plan = [
        _planned("checked", forever, STATUS_200),
        _planned("unchecked", forever),
        _planned("after", RequestSpec(url=f"{demo.url}/get"), STATUS_200),
    ]
    summary = _run(plan, RunOptions(iterations=2, concurrency=2))
    assert not summary.cancelled
    assert [r.outcome for r in summary.results] == [PASSED, NO_CHECKS, PASSED] * 2
    checked = summary.results[0]
    assert checked.status == 200
    assert checked.size > 0  # the events that arrived
    assert checked.note == "stream stopped after 0.6 s (run limit)"
    assert "stream stopped after 0.6 s (run limit)" in result_line(checked)
    assert to_json(summary, "Demo")["results"][0]["note"] == checked.note
    assert "(run limit)" in junit_xml(summary, "Demo")
    assert summary.results[2].note == ""  # an ordinary response says nothing more


def test_timeout_ms_bounds_a_stream_and_an_ordinary_request(demo: DemoServer) -> None:
    plan = [
        _planned("stream", RequestSpec(url=f"{demo.url}/sse/forever?interval=0.05"), STATUS_200),
        # a body that trickles for 5 s: each read is quick, only a total limit stops it
        _planned("drip", RequestSpec(url=f"{demo.url}/drip?numbytes=50&duration=5"), STATUS_200),
    ]
    summary = _run(plan, RunOptions(timeout_ms=700, concurrency=2))
    stream, drip = summary.results
    assert stream.outcome == PASSED
    assert stream.note == "stream stopped after 0.7 s (run limit)"
    assert drip.outcome == FAILED
    assert drip.status is None
    assert "within 0.7 s" in drip.error
    assert drip.ending == "incomplete response"


def test_a_sent_request_without_an_answer_is_no_response_not_unsent(demo: DemoServer) -> None:
    slow = RequestSpec(url=f"{demo.url}/slow-headers?delay=5", timeout=0.3)
    refused = RequestSpec(url="http://127.0.0.1:9/", timeout=2)  # the discard port: closed
    unresolved = RequestSpec(url="{{nowhere}}/x")
    plan = [_planned("slow", slow), _planned("refused", refused), _planned("bad", unresolved)]
    summary = _run(plan, RunOptions())
    slow_run, refused_run, bad_run = summary.results
    assert slow_run.ending == "no response"
    assert "→ no response (" in result_line(slow_run)
    assert "not sent" not in result_line(slow_run)
    assert refused_run.ending == "not sent"
    assert bad_run.ending == "not sent"
    assert all(r.outcome == FAILED for r in summary.results)
