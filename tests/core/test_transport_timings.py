"""Response.timings: per-phase durations of each hop (DNS, connect, TLS, send, wait, download),
measured by the tracking connections, against local servers (demo API, pytest-httpbin, a tiny
CONNECT proxy) and on the clock alone."""

from __future__ import annotations

import contextlib
import pickle
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpbin import certs

from guiapp.core._http_timing import PhaseClock
from guiapp.core.errors import ConnectionLost
from guiapp.core.request import RequestSpec
from guiapp.core.response import Response
from guiapp.core.timings import PHASE_LABELS, PHASE_NAMES, Timings
from guiapp.core.transport import make_session, send
from guiapp.demo import DemoServer
from tests.faultserver import FaultServer, KeepAliveServer

TILE = 1e-6  # the phases tile the hop: their sum equals the total up to float rounding


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


def _get(url: str, **kwargs: Any) -> Response:
    return send(RequestSpec(url=url, timeout=10), **kwargs)


def _check_tiles(t: Timings | None) -> Timings:
    assert t is not None
    durations = [d for _, d in t.phases()]
    assert all(d >= 0 for d in durations), t
    assert abs(sum(durations) - t.total) < TILE, t
    return t


def test_fresh_http_connection_phases(demo: DemoServer) -> None:
    with _get(demo.url + "/get") as response:
        t = _check_tiles(response.timings)
    assert not t.reused
    assert t.dns > 0
    assert t.connect > 0
    assert t.tls == 0  # plain HTTP has no handshake
    assert t.send > 0
    assert t.wait > 0
    assert t.download > 0
    assert t.total <= response.elapsed + TILE
    assert t.connection_setup == t.dns + t.connect + t.tls


def test_second_request_on_a_shared_session_reuses_the_connection(demo: DemoServer) -> None:
    session = make_session()
    try:
        first = _get(demo.url + "/get", session=session)
        second = _get(demo.url + "/get", session=session)
    finally:
        session.close()
    a, b = _check_tiles(first.timings), _check_tiles(second.timings)
    assert not a.reused
    assert a.connect > 0
    assert b.reused
    assert (b.dns, b.connect, b.tls) == (0.0, 0.0, 0.0)
    assert b.send > 0
    assert b.wait > 0


@pytest.fixture
def tls_keepalive() -> Iterator[str]:
    """The keep-alive test server behind TLS (pytest-httpbin's certificate for 127.0.0.1):
    pytest-httpbin's own HTTPS server closes every connection, so nothing could be reused."""
    server = KeepAliveServer()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert_dir = Path(certs.__file__).parent / "certs"
    context.load_cert_chain(cert_dir / "server.pem", cert_dir / "server.key")
    inner = server._server
    inner.socket = context.wrap_socket(inner.socket, server_side=True)
    with server:
        yield f"https://127.0.0.1:{server.port}"


def test_https_has_a_tls_phase_and_reuse_skips_it(tls_keepalive: str) -> None:
    session = make_session()
    try:
        spec = RequestSpec(url=tls_keepalive + "/small", timeout=10, verify=certs.where())
        first = send(spec, session=session)
        second = send(spec, session=session)
    finally:
        session.close()
    a, b = _check_tiles(first.timings), _check_tiles(second.timings)
    assert not a.reused
    assert a.tls > 0
    assert a.connect > 0
    assert b.reused
    assert b.tls == 0


def test_https_on_httpbin_secure(httpbin_secure: Any) -> None:
    spec = RequestSpec(url=httpbin_secure.url + "/get", timeout=10, verify=certs.where())
    with send(spec) as response:
        t = _check_tiles(response.timings)
    assert t.tls > 0
    assert t.connect > 0
    assert not t.reused


def test_plain_http_on_httpbin_has_no_tls(httpbin: Any) -> None:
    with _get(httpbin.url + "/get") as response:
        t = _check_tiles(response.timings)
    assert t.tls == 0
    assert t.connect > 0


def test_a_slow_server_shows_in_wait(demo: DemoServer) -> None:
    with _get(demo.url + "/delay/1") as response:
        t = _check_tiles(response.timings)
    assert t.wait >= 0.8  # timers may fire a little early; the server waited 1 s
    assert max(t.phases(), key=lambda p: p[1])[0] == "wait"
    assert t.download < t.wait / 2


def test_a_drip_shows_in_download(demo: DemoServer) -> None:
    url = demo.url + "/drip?numbytes=5&duration=1"
    with _get(url) as response:
        assert response.body_bytes() == b"*****"
        t = _check_tiles(response.timings)
    # 5 writes 0.2 s apart after the headers: ~0.8 s of body, and the wait stays short.
    assert t.download >= 0.5
    assert max(t.phases(), key=lambda p: p[1])[0] == "download"
    assert t.wait < t.download / 2


def test_each_redirect_hop_has_its_own_timings(demo: DemoServer) -> None:
    with _get(demo.url + "/redirect/2") as response:
        assert len(response.history) == 2
        hops = [*response.history, response]
        timings = [_check_tiles(hop.timings) for hop in hops]
    assert not timings[0].reused
    assert all(t.reused for t in timings[1:])  # same host, keep-alive: one connection
    # Hops run one after the other inside send(): their totals fit in its elapsed time.
    assert sum(t.total for t in timings) <= response.elapsed + TILE


def test_a_lost_connection_keeps_the_timings_of_its_partial_body(
    faultserver: FaultServer,
) -> None:
    with pytest.raises(ConnectionLost) as info:
        send(RequestSpec(url=faultserver.url("/close-mid-body"), timeout=5))
    partial = info.value.partial_response
    assert partial is not None
    t = _check_tiles(partial.timings)
    assert not t.reused
    assert t.connect > 0


def test_responses_built_elsewhere_have_no_timings() -> None:
    response = Response(status_code=200, reason="OK", http_version="HTTP/1.1", headers=[], url="")
    assert response.timings is None


def test_timings_survive_pickling_and_old_pickles_read_none(demo: DemoServer) -> None:
    with _get(demo.url + "/get") as response:
        copy = pickle.loads(pickle.dumps(response))
        assert copy.timings == response.timings
    state = dict(copy.__dict__)
    del state["timings"]  # a response pickled before timings existed
    old = Response.__new__(Response)
    old.__setstate__(state)
    assert old.timings is None


# -- proxies: the CONNECT tunnel counts as connecting --------------------------------------------


class ConnectProxy:
    """A minimal proxy on 127.0.0.1: CONNECT tunnels, and plain-http forwarding (the request is
    passed on as is: the keep-alive server reads the path out of an absolute URL). One thread
    pair per client connection."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.tunnels = 0
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._start(self._accept)

    def _start(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="test-proxy")
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._socks.append(client)
            self._start(self._tunnel, client)

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target = head.split()[:2]
        if method == b"CONNECT":
            host, _, port = target.decode().rpartition(":")
        else:
            host, _, port = target.decode().split("/")[2].rpartition(":")
        upstream = socket.create_connection((host, int(port)))
        self._socks.append(upstream)
        self.tunnels += 1
        if method == b"CONNECT":
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            upstream.sendall(head)  # one connection per client: later requests are pumped
        self._start(self._pump, upstream, client)
        self._pump(client, upstream)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # close() alone leaves accept() blocked
        self._listener.close()
        for sock in self._socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(5)


def test_https_through_a_connect_proxy(tls_keepalive: str, no_thread_leak: None) -> None:
    proxy = ConnectProxy()
    session = make_session()
    try:
        spec = RequestSpec(
            url=tls_keepalive + "/small", timeout=10, verify=certs.where(), proxy=proxy.url
        )
        first = send(spec, session=session)
        second = send(spec, session=session)
    finally:
        session.close()
        proxy.close()
    assert proxy.tunnels == 1
    a, b = _check_tiles(first.timings), _check_tiles(second.timings)
    assert not a.reused
    assert a.connect > 0
    assert a.tls > 0
    assert b.reused
    assert b.connection_setup == 0


def test_http_through_a_forwarding_proxy(no_thread_leak: None) -> None:
    proxy = ConnectProxy()
    session = make_session()
    try:
        with KeepAliveServer() as server:
            spec = RequestSpec(url=server.url("/small"), timeout=10, proxy=proxy.url)
            first = send(spec, session=session)
            second = send(spec, session=session)
    finally:
        session.close()
        proxy.close()
    assert first.json() == {"ok": True}
    assert proxy.tunnels == 1  # one connection to the proxy, reused
    a, b = _check_tiles(first.timings), _check_tiles(second.timings)
    assert not a.reused
    assert a.connect > 0
    assert a.tls == 0
    assert b.reused


# -- the clock alone -----------------------------------------------------------------------------


def test_clock_without_a_request_measures_nothing() -> None:
    clock = PhaseClock()
    assert clock.finish() is None  # never started
    clock.start()
    assert clock.finish() is None  # no request went out through a tracking connection


def test_clock_tiles_the_hop_and_skips_missing_stamps() -> None:
    clock = PhaseClock()
    clock.start(at=10.0)
    clock.request_start, clock.sent, clock.first_byte = 10.5, 11.0, 13.0
    t = clock.finish(at=14.0)
    assert t == Timings(prepare=0.5, send=0.5, wait=2.0, download=1.0, total=4.0, reused=True)
    clock.start(at=0.0)
    clock.request_start, clock.dns_start, clock.dns_end = 0.1, 0.2, 0.3
    clock.connect_end, clock.tunnel_end, clock.tls_end = 0.4, 0.6, 1.0
    clock.sent, clock.first_byte = 1.5, 2.0
    t = clock.finish(at=3.0)
    assert t is not None
    assert not t.reused
    expected = {"prepare": 0.2, "dns": 0.1, "connect": 0.3, "tls": 0.4, "send": 0.5}
    assert {k: round(v, 9) for k, v in t.phases() if k in expected} == expected
    assert (t.wait, t.download, t.total) == (0.5, 1.0, 3.0)


def test_phase_names_and_labels_match_the_fields() -> None:
    assert [name for name, _ in Timings().phases()] == list(PHASE_NAMES)
    assert set(PHASE_LABELS) == set(PHASE_NAMES)
