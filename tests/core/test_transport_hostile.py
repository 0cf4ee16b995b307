"""Hostile servers on 127.0.0.1: each attack ends bounded, with a message naming the limit.

Every test is one attack of the red-team list (marked ``hostile("transport")``); each is bounded
in time by its own limits and by the fault server's lifetime.
"""

from __future__ import annotations

import errno
import io
import time
from pathlib import Path
from typing import Any

import certifi
import pytest
import requests
from pytest_httpbin import certs

from guiapp.core import RequestSpec, _http_body, send
from guiapp.core._http_adapter import make_session
from guiapp.core.errors import (
    BodyTooLarge,
    ConnectionFailed,
    DeadlineExceeded,
    DiskFull,
    DNSFailure,
    InvalidRequest,
    TLSVerificationError,
)
from guiapp.core.request import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DECOMPRESSION_RATIO
from tests.faultserver import FaultServer

pytestmark = pytest.mark.hostile("transport")


# -- deadlines -----------------------------------------------------------------------------------
def test_headers_dripped_a_byte_at_a_time_end_at_the_headers_deadline(
    faultserver: FaultServer,
) -> None:
    start = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        send(RequestSpec(url=faultserver.url("/drip-headers"), timeout=5, headers_timeout=0.5))
    assert time.monotonic() - start < 4  # each byte came well within the 5 s read timeout
    assert info.value.limit_name == "headers_timeout"
    assert "within 0.5 s (headers deadline)" in str(info.value)
    assert info.value.partial_response is None


def test_body_dripped_a_byte_at_a_time_ends_at_the_total_deadline_keeping_what_arrived(
    faultserver: FaultServer,
) -> None:
    start = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        send(RequestSpec(url=faultserver.url("/drip?bytes=100"), timeout=5, total_timeout=1.5))
    assert time.monotonic() - start < 6  # 100 bytes take 10 s: the deadline ended it
    exc = info.value
    assert exc.limit_name == "total_timeout"
    assert str(exc).startswith("No complete response from 127.0.0.1:")
    assert "within 1.5 s (total deadline); the part of the body that arrived is kept." in str(exc)
    partial = exc.partial_response
    assert partial is not None
    assert partial.partial
    assert 1 <= partial.size < 100
    assert partial.body_bytes() == b"d" * partial.size
    assert partial.stopped_by == "total deadline"


def test_a_stream_without_total_deadline_runs_past_it(faultserver: FaultServer) -> None:
    spec = RequestSpec(url=faultserver.url("/drip?bytes=6"), timeout=5, total_timeout=None)
    with send(spec) as response:
        assert response.body_bytes() == b"dddddd"


def test_defaults_bound_every_normal_request() -> None:
    spec = RequestSpec(url="http://h/")
    assert (spec.total_timeout, spec.headers_timeout) == (300.0, 60.0)
    assert spec.max_body_bytes == DEFAULT_MAX_BODY_BYTES == 1 << 30
    assert spec.max_decompression_ratio == DEFAULT_MAX_DECOMPRESSION_RATIO == 100.0


# -- body caps -----------------------------------------------------------------------------------
def test_gzip_bomb_stops_at_the_decompression_ratio_with_the_limit_named(
    faultserver: FaultServer,
) -> None:
    with pytest.raises(BodyTooLarge) as info:
        send(RequestSpec(url=faultserver.url("/gzip-bomb"), timeout=10))
    exc = info.value
    assert exc.limit_name == "max_decompression_ratio"
    assert exc.limit == 100
    assert "decompressed body exceeds 100x its compressed size" in str(exc)
    assert "(limit: max decompression ratio)" in str(exc)
    partial = exc.partial_response
    assert partial is not None
    with partial:
        # Kept up to the ratio's ceiling: 100x what arrived, or the 16 MiB floor.
        assert partial.size == max(16 << 20, 100 * exc.bytes_received)
        assert partial.stopped_by == "max decompression ratio"
        assert partial.body_bytes(limit=8) == bytes(8)


def test_endless_chunked_body_stops_at_the_body_cap_keeping_what_arrived(
    faultserver: FaultServer, tmp_path: Path
) -> None:
    cap = 3 << 20
    spec = RequestSpec(url=faultserver.url("/chunked-endless"), timeout=5, max_body_bytes=cap)
    with pytest.raises(BodyTooLarge) as info:
        send(spec, spool_threshold=1 << 20, spool_dir=str(tmp_path))
    exc = info.value
    assert exc.limit_name == "max_body_bytes"
    assert "(limit: max body size)" in str(exc)
    partial = exc.partial_response
    assert partial is not None
    assert partial.is_spooled
    assert cap - (1 << 16) <= partial.size <= cap
    assert partial.stopped_by == "max body size"
    partial.close()
    assert list(tmp_path.iterdir()) == []


class _FullDisk(io.RawIOBase):
    """A spool file on a disk with ``room`` bytes left."""

    def __init__(self, room: int) -> None:
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        count = min(len(data), self.room)
        self.room -= count
        return count


def test_a_full_disk_while_spooling_says_disk_full_not_connection_lost(
    faultserver: FaultServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "spool"
    path.write_bytes(b"")

    def full_disk(spool_dir: str | None) -> tuple[Any, str]:
        return _FullDisk(room=1_500_000), str(path)

    monkeypatch.setattr(_http_body, "_open_spool", full_disk)
    with pytest.raises(DiskFull) as info:
        send(RequestSpec(url=faultserver.url("/bytes?n=5000000"), timeout=5), spool_threshold=1000)
    assert info.value.bytes_written == 1_500_000
    assert str(info.value).startswith(
        "Disk full while saving the response (1,500,000 bytes written)"
    )
    assert not path.exists()  # the partial file is deleted: the space is needed


# -- cookies -------------------------------------------------------------------------------------
def _cookies_after(faultserver: FaultServer, case: str) -> dict[str, str]:
    session = make_session()
    with session, send(RequestSpec(url=faultserver.url(f"/set-cookies?{case}")), session=session):
        return {c.name: c.domain for c in session.cookies}


def test_a_domain_cookie_on_an_ip_address_is_refused(faultserver: FaultServer) -> None:
    assert _cookies_after(faultserver, "case=ip-domain") == {"own": "127.0.0.1"}


def test_a_bare_cr_in_a_header_value_does_not_make_a_second_cookie(
    faultserver: FaultServer,
) -> None:
    assert list(_cookies_after(faultserver, "case=bare-cr")) == ["sid"]


def test_an_oversized_cookie_is_refused(faultserver: FaultServer) -> None:
    assert list(_cookies_after(faultserver, "case=huge")) == ["small"]


def test_a_cookie_flood_keeps_the_newest_180_for_the_site(faultserver: FaultServer) -> None:
    session = make_session()
    with session:
        for first in range(0, 400, 80):  # 80 per response: http.client allows 100 headers
            url = faultserver.url(f"/set-cookies?case=flood&from={first}&n=80")
            send(RequestSpec(url=url, timeout=5), session=session).close()
        names = {c.name for c in session.cookies}
    assert len(names) == 180
    assert "c399" in names
    assert "c220" in names
    assert "c219" not in names


# -- sessions, proxies ---------------------------------------------------------------------------
def test_a_callers_session_proxies_are_used(faultserver: FaultServer) -> None:
    session = requests.Session()
    session.proxies = {"http": faultserver.url("")}
    with session, send(RequestSpec(url="http://example.invalid/ok"), session=session) as r:
        assert r.body_bytes() == b"ok"
        assert r.proxy == faultserver.url("")
        assert r.proxy_source == "session"
    assert faultserver.requests == ["http://example.invalid/ok"]


def test_a_callers_session_verify_is_used(httpbin_secure: Any) -> None:
    url = httpbin_secure.url + "/get"
    session = requests.Session()
    session.verify = certs.where()  # the test server's CA: trusted by the session only
    with session, send(RequestSpec(url=url, timeout=10), session=session) as response:
        assert response.status_code == 200
    with pytest.raises(TLSVerificationError):  # the request's own choice still wins
        send(RequestSpec(url=url, timeout=10, verify=certifi.where()), session=session)


def test_a_callers_session_cert_is_used(tmp_path: Path) -> None:
    missing = str(tmp_path / "client.pem")
    session = requests.Session()
    session.cert = missing
    with session, pytest.raises(ConnectionFailed) as info:
        send(RequestSpec(url="https://127.0.0.1:9/", timeout=2), session=session)
    assert missing in str(info.value)


def test_the_system_proxy_is_honoured_and_shown(
    faultserver: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", faultserver.url(""))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with send(RequestSpec(url="http://example.invalid/ok", timeout=5)) as response:
        assert response.proxy == faultserver.url("")
        assert response.proxy_source == "environment"
    with pytest.raises(DNSFailure):  # off for this request: straight to a name that never resolves
        send(RequestSpec(url="http://example.invalid/ok", timeout=5, use_system_proxy=False))
    monkeypatch.setenv("NO_PROXY", "example.invalid")
    with pytest.raises(DNSFailure):
        send(RequestSpec(url="http://example.invalid/ok", timeout=5))


def test_loopback_never_goes_through_the_system_proxy(
    faultserver: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    with send(RequestSpec(url=faultserver.url("/ok"), timeout=5)) as response:
        assert response.proxy is None


@pytest.mark.parametrize("proxy", ["socks5://127.0.0.1:1080", "socks5h://u:p@127.0.0.1:1080"])
def test_socks_proxies_are_refused_before_any_io(proxy: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        send(RequestSpec(url="http://127.0.0.1:9/", proxy=proxy))
    assert info.value.field == "proxy"
    assert "proxy from this request's Proxy option is not supported" in str(info.value)
    assert "u:p" not in str(info.value)


def test_a_socks_system_proxy_is_refused_with_the_way_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(InvalidRequest) as info:
        send(RequestSpec(url="http://example.invalid/"))
    assert "turn off 'Use system proxy'" in str(info.value)


# -- secrets on redirects ------------------------------------------------------------------------
def test_secret_headers_are_dropped_on_a_redirect_to_another_host() -> None:
    with FaultServer(lifetime=10) as first, FaultServer(lifetime=10) as second:
        elsewhere = f"http://localhost:{second.port}/ok"  # another host name, same machine
        spec = RequestSpec(
            url=first.url(f"/redirect-to?url={elsewhere}"),
            headers=[("X-Api-Key", "k3y"), ("X-Trace", "t1")],
            sensitive_headers=("x-api-key",),
            timeout=5,
        )
        with send(spec) as response:
            assert response.status_code == 200
        assert b"X-Api-Key: k3y" in first.heads[0]
        assert b"X-Api-Key" not in second.heads[0]
        assert b"X-Trace: t1" in second.heads[0]


def test_secret_headers_stay_on_a_redirect_within_the_host(faultserver: FaultServer) -> None:
    spec = RequestSpec(
        url=faultserver.url("/redirect-to?url=/ok"),
        headers=[("X-Api-Key", "k3y")],
        sensitive_headers=("X-Api-Key",),
        timeout=5,
    )
    with send(spec):
        pass
    assert all(b"X-Api-Key: k3y" in head for head in faultserver.heads)
