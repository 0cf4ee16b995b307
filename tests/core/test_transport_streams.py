"""send() streams event bodies as items while spooling them; no read timeout; cancel at once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from guiapp.core.errors import DeadlineExceeded, InvalidRequest, ReadTimeout
from guiapp.core.jobs import Cancelled, JobControl, bind_job
from guiapp.core.request import RequestSpec
from guiapp.core.streams import StreamEvent
from guiapp.core.transport import send
from guiapp.demo import DemoServer
from tests.faultserver import FaultServer


class Collect:
    """An item sink that keeps everything (the role of the offloader's channel)."""

    def __init__(self) -> None:
        self.items: list[StreamEvent] = []
        self.calls = 0
        self.lock = threading.Lock()

    def put_many(self, items: Iterable[Any], /) -> None:
        with self.lock:
            self.calls += 1
            self.items.extend(items)


@pytest.fixture(scope="module")
def demo() -> Iterator[str]:
    with DemoServer() as server:
        yield server.url


def _send(spec: RequestSpec) -> tuple[Any, Collect]:
    sink = Collect()
    control = JobControl()
    control.item_sink = sink
    with bind_job(control), send(spec) as response:
        response.body_bytes()  # read before the spool file is deleted
        return response, sink


def test_sse_events_are_emitted_in_order_and_the_body_is_kept(demo: str) -> None:
    with DemoServer() as server:
        spec = RequestSpec(url=f"{server.url}/sse/counter", params=[("n", "300"), ("rate", "0")])
        sink = Collect()
        control = JobControl()
        control.item_sink = sink
        with bind_job(control), send(spec) as response:
            body = response.text()
            summary = response.stream
    events = sink.items
    assert [e.id for e in events] == [str(i) for i in range(300)]
    assert [e.index for e in events] == list(range(300))
    assert {e.kind for e in events} == {"sse"}
    assert events[4].event == "multi"
    assert events[4].data.startswith("line 1 of event 4\nsent ")
    assert json.loads(events[0].data)["n"] == 0
    assert events[0].retry == 2000
    assert sink.calls < 300  # one hand-over per chunk read, not per event
    assert "id: 299" in body
    assert summary is not None
    assert (summary.kind, summary.events, summary.errors) == ("sse", 300, 0)
    assert summary.first_event_at is not None
    assert summary.bytes == len(body.encode())


def test_ndjson_lines_with_bad_ones_as_error_items(demo: str) -> None:
    spec = RequestSpec(url=f"{demo}/ndjson", params=[("n", "50"), ("rate", "0"), ("bad", "10")])
    response, sink = _send(spec)
    errors = [e for e in sink.items if e.error]
    assert len(sink.items) == 50
    assert [e.line for e in errors] == [10, 20, 30, 40, 50]
    assert all(e.event == "error" and "oops" in e.data for e in errors)
    assert response.stream.errors == 5


def test_a_forced_stream_splits_any_body_into_lines(demo: str) -> None:
    response, sink = _send(RequestSpec(url=f"{demo}/get", stream=True))
    assert response.stream.kind == "text"
    lines = [e.data for e in sink.items]
    assert "".join(lines) == "".join(response.text().splitlines())
    assert all(e.event == "line" for e in sink.items)


def test_a_plain_body_is_not_streamed(demo: str) -> None:
    response, sink = _send(RequestSpec(url=f"{demo}/get"))
    assert response.stream is None
    assert sink.items == []


def test_a_stream_has_no_read_timeout_between_events(demo: str) -> None:
    spec = RequestSpec(url=f"{demo}/sse/chat", params=[("tokens", "3"), ("delay", "600")])
    _response, sink = _send(RequestSpec(**{**_fields(spec), "timeout": (5.0, 0.25)}))
    assert [json.loads(e.data)["choices"][0]["delta"]["content"] for e in sink.items[:3]] == [
        "Streaming ",
        "responses ",
        "arrive",
    ]
    assert sink.items[-1].data == "[DONE]"


def test_the_idle_limit_ends_a_quiet_stream_with_a_clear_message(demo: str) -> None:
    spec = RequestSpec(
        url=f"{demo}/sse/forever", params=[("interval", "10")], stream_idle_timeout=0.3
    )
    with pytest.raises(ReadTimeout, match=r"sent nothing for 0.3 s \(the stream idle limit\)"):
        _send(spec)


def test_the_idle_limit_must_be_positive() -> None:
    with pytest.raises(InvalidRequest, match="idle limit must be a positive"):
        send(RequestSpec(url="http://127.0.0.1:9/", stream_idle_timeout=0))


def test_cancel_closes_an_endless_stream_at_once(demo: str) -> None:
    sink = Collect()
    control = JobControl()
    control.item_sink = sink
    outcome: list[BaseException] = []

    def run() -> None:
        with bind_job(control):
            try:
                send(RequestSpec(url=f"{demo}/sse/forever", params=[("interval", "0.05")]))
            except BaseException as exc:
                outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while len(sink.items) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(sink.items) >= 3
    started = time.perf_counter()
    control.cancel()
    thread.join(5)
    assert not thread.is_alive()
    assert time.perf_counter() - started < 0.5  # generous: the 2 cores are shared
    assert isinstance(outcome[0], Cancelled)


def test_a_server_closing_mid_event_keeps_the_complete_ones_and_says_so() -> None:
    with FaultServer() as server:
        response, sink = _send(RequestSpec(url=server.url("/sse-cut-mid-event")))
    assert [e.data for e in sink.items] == ["caf\ufffd"]  # invalid UTF-8 replaced
    summary = response.stream
    assert summary.incomplete_bytes == len(b"data: half an ev")
    assert "ended mid-event" in summary.describe()


def _fields(spec: RequestSpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in spec.__dataclass_fields__}


def test_the_default_total_deadline_does_not_end_a_stream(
    demo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default deadline (300 s) is shrunk so that the stream outlives it within the test.
    monkeypatch.setattr("guiapp.core._http_read.DEFAULT_TOTAL_TIMEOUT", 0.4)
    spec = RequestSpec(
        url=f"{demo}/sse/chat", params=[("tokens", "4"), ("delay", "250")], total_timeout=0.4
    )
    response, sink = _send(spec)
    assert response.status_code == 200
    assert sink.items[-1].data == "[DONE]"


def test_a_total_deadline_set_by_hand_still_ends_a_stream(demo: str) -> None:
    spec = RequestSpec(
        url=f"{demo}/sse/chat", params=[("tokens", "40"), ("delay", "100")], total_timeout=0.5
    )
    with pytest.raises(DeadlineExceeded, match="total deadline"):
        _send(spec)


def test_a_100_mb_event_is_capped_and_the_stream_goes_on() -> None:
    with FaultServer() as server:
        response, sink = _send(RequestSpec(url=server.url("/sse-huge-event")))
    big, after = sink.items
    assert len(big.data) <= 1 << 20  # 1 MiB kept of 100 MB
    assert len(big.data) + big.truncated == 100 << 20
    assert "bytes not kept]" in big.preview()
    assert after.data == "after"
    assert response.stream.truncated_events == 1
    assert response.size == len(b"data: ") + (100 << 20) + len(b"\n\ndata: after\n\n")
