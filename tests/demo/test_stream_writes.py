"""The demo's paced streams: events split across writes, and few writes for a fast stream."""

from __future__ import annotations

import threading

from guiapp.core.streams import iter_sse
from guiapp.demo import _ep_streams
from guiapp.demo._handler import DemoHandler


class _Server:
    stopping = threading.Event()


class _Recorder:
    """Just enough of a DemoHandler to run an endpoint and keep its writes."""

    server = _Server()

    def __init__(self, **query: str) -> None:
        self.query = list(query.items())
        self.writes: list[bytes] = []

    arg = DemoHandler.arg
    number = DemoHandler.number

    def start(self, status: int, headers: object = ()) -> None:
        assert status == 200

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def wait(self, seconds: float) -> bool:
        return True

    def abort(self) -> None:
        raise AssertionError("the stream was cut")


def test_a_fast_stream_goes_out_in_few_writes_each_ending_mid_event() -> None:
    h = _Recorder(n="20000", rate="0")
    _ep_streams.sse_counter(h, {})  # type: ignore[arg-type]
    events = list(iter_sse(h.writes))
    assert [e.id for e in events] == [str(i) for i in range(20_000)]
    assert len(h.writes) < 100  # was one write per split event: 6,667 of them
    cut = [w for w in h.writes[1:-1] if not w.endswith(b"\n\n")]  # after the header comment
    assert len(cut) >= len(h.writes) // 2 - 1  # most writes end in the middle of an event


def test_a_slow_stream_still_splits_every_third_event() -> None:
    h = _Recorder(n="6", rate="10")
    _ep_streams.sse_counter(h, {})  # type: ignore[arg-type]
    assert [e.id for e in iter_sse(h.writes)] == [str(i) for i in range(6)]
    halves = [w for w in h.writes if not w.endswith(b"\n\n") and not w.startswith(b": guiapp")]
    assert len(halves) == 2  # events 2 and 5, each cut in two writes
