"""send() against a misbehaving raw-socket server: every fault ends clearly, nothing hangs."""

from __future__ import annotations

import time

import pytest

from guiapp.core.errors import (
    BodyTooLarge,
    ConnectionLost,
    MalformedResponse,
    ReadTimeout,
    TooManyRedirects,
)
from guiapp.core.jobs import JobControl, bind_job
from guiapp.core.request import RequestSpec
from guiapp.core.transport import send
from tests.faultserver import BOMB_INFLATED, FaultServer

pytestmark = pytest.mark.hostile("transport")


def test_never_answers_is_a_read_timeout(faultserver: FaultServer) -> None:
    start = time.monotonic()
    with pytest.raises(ReadTimeout) as info:
        send(RequestSpec(url=faultserver.url("/never-answer"), timeout=(2, 0.3)))
    assert time.monotonic() - start < 5
    assert "sent nothing for 0.3 s (read timeout)" in str(info.value)
    assert f"127.0.0.1:{faultserver.port}" in str(info.value)


def test_close_before_headers(faultserver: FaultServer) -> None:
    with pytest.raises(ConnectionLost) as info:
        send(RequestSpec(url=faultserver.url("/close-before-headers"), timeout=5))
    assert "closed the connection before sending a response" in str(info.value)
    assert info.value.partial_response is None
    assert info.value.bytes_received == 0


def test_reset_mid_body_keeps_partial_body(faultserver: FaultServer) -> None:
    with pytest.raises(ConnectionLost) as info:
        send(RequestSpec(url=faultserver.url("/reset-mid-body"), timeout=5))
    exc = info.value
    assert exc.bytes_received > 0
    assert f"lost after {exc.bytes_received:,} of 1,000,000 bytes" in str(exc)
    partial = exc.partial_response
    assert partial is not None
    assert partial.partial
    assert partial.status_code == 200
    assert partial.body_bytes() == b"x" * exc.bytes_received


def test_close_mid_body_keeps_all_that_arrived(faultserver: FaultServer) -> None:
    with pytest.raises(ConnectionLost) as info:
        send(RequestSpec(url=faultserver.url("/close-mid-body"), timeout=5))
    assert info.value.bytes_received == 3000
    assert "lost after 3,000 of 1,000,000 bytes" in str(info.value)
    assert info.value.partial_response is not None
    assert info.value.partial_response.body_bytes() == b"y" * 3000


def test_malformed_status_line(faultserver: FaultServer) -> None:
    with pytest.raises(MalformedResponse) as info:
        send(RequestSpec(url=faultserver.url("/malformed-status"), timeout=5))
    assert "malformed response" in str(info.value)
    assert "HTPT/1.1" in str(info.value)


def test_megabyte_of_headers(faultserver: FaultServer) -> None:
    with pytest.raises(MalformedResponse) as info:
        send(RequestSpec(url=faultserver.url("/huge-headers"), timeout=5))
    assert "too many headers" in str(info.value)


def test_bogus_chunked_encoding(faultserver: FaultServer) -> None:
    with pytest.raises(MalformedResponse) as info:
        send(RequestSpec(url=faultserver.url("/bogus-chunked"), timeout=5))
    assert "invalid chunked encoding" in str(info.value)


def test_gzip_bomb_is_stopped_at_the_cap(faultserver: FaultServer) -> None:
    cap = 5 * 1024 * 1024
    with pytest.raises(BodyTooLarge) as info:
        send(RequestSpec(url=faultserver.url("/gzip-bomb"), timeout=10, max_body_bytes=cap))
    assert info.value.limit == cap
    assert "larger than the limit of 5,242,880 bytes once decompressed" in str(info.value)


def test_gzip_bomb_without_limits_spools_instead_of_buffering(faultserver: FaultServer) -> None:
    spec = RequestSpec(
        url=faultserver.url("/gzip-bomb"),
        timeout=30,
        max_body_bytes=None,
        max_decompression_ratio=None,
    )
    with send(spec) as response:
        assert response.size == BOMB_INFLATED
        assert response.is_spooled
        assert response.wire_size < BOMB_INFLATED // 100


def test_endless_redirect_loop(faultserver: FaultServer) -> None:
    with pytest.raises(TooManyRedirects) as info:
        send(RequestSpec(url=faultserver.url("/redirect-loop"), timeout=5, max_redirects=7))
    assert "Stopped after 7 redirects" in str(info.value)
    assert len(info.value.history) == 8
    assert len(faultserver.requests) == 8


def test_drip_one_byte_every_100ms_completes_with_progress(faultserver: FaultServer) -> None:
    control = JobControl()
    seen: list[float] = []
    control = JobControl(progress_sink=lambda p: seen.append(p.done))
    start = time.monotonic()
    with bind_job(control):
        response = send(RequestSpec(url=faultserver.url("/drip?bytes=6"), timeout=5))
    assert response.body_bytes() == b"dddddd"
    assert time.monotonic() - start >= 0.5
    # read1 hands over bytes as they arrive: progress moves byte by byte, not at the end.
    assert [d for d in seen if d > 0][:6] == [1, 2, 3, 4, 5, 6]


def test_drip_slower_than_read_timeout_fails_clearly(faultserver: FaultServer) -> None:
    with pytest.raises(ReadTimeout):
        send(RequestSpec(url=faultserver.url("/drip?bytes=50"), timeout=(2, 0.05)))
