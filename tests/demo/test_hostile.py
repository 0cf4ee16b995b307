"""Hostile clients of the demo server: header injection, connection floods, idle sockets and
large uploads (each a red-team finding); every loop here is bounded in time and count."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from guiapp.demo import DemoServer
from guiapp.demo._server import ServerLimits

pytestmark = pytest.mark.hostile("demo")


def _raw(url: str, request: bytes, timeout: float = 5.0) -> bytes:
    """Send ``request`` on a fresh connection; everything the server answers until it closes
    (or ``timeout``)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        with contextlib.suppress(TimeoutError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks)


class _Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = response.headers
        self.body = response.read()

    def getheader(self, name: str) -> str | None:
        return self.headers.get(name)


def _get(url: str, path: str, timeout: float = 5.0) -> _Answer:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path)
        return _Answer(conn.getresponse())
    finally:
        conn.close()


def test_redirect_to_cannot_split_the_response(url: str) -> None:
    answer = _raw(
        url,
        b"GET /redirect-to?url=/get%0d%0aSet-Cookie:%20evil=1%0d%0a%0d%0aHTTP/1.1 HTTP/1.1\r\n"
        b"Host: x\r\nConnection: close\r\n\r\n",
    )
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 302")
    lines = head.split("\r\n")
    assert not [line for line in lines if line.lower().startswith("set-cookie")]
    location = [line for line in lines if line.startswith("Location:")]
    assert location == ["Location: /get%0D%0ASet-Cookie:%20evil=1%0D%0A%0D%0AHTTP/1.1"]


@pytest.mark.parametrize("name", ["a%0d%0aX-Evil:%201", "a;b", "a%3Db", "%00"])
def test_cookie_names_must_be_tokens(url: str, name: str) -> None:
    response = _get(url, f"/cookies/set?{name}=1")
    body = json.loads(response.body)
    assert response.status == 400
    assert "cookie name" in body["error"]
    assert response.getheader("Set-Cookie") is None


def test_cookie_values_are_encoded(url: str) -> None:
    response = _get(url, "/cookies/set?k=a%0d%0aX-Evil:%201")
    assert response.status == 302
    assert response.getheader("Set-Cookie") == "k=a%0D%0AX-Evil%3A%201; Path=/"
    assert response.getheader("X-Evil") is None


def test_oversized_upload_gets_413_with_a_clear_body(url: str) -> None:
    answer = _raw(
        url,
        b"POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n" + b"x" * 1000,
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    error = json.loads(body)
    assert "20000000 bytes" in error["error"]
    assert "16 MiB" in error["error"]
    assert error["limit"] == 16 * 1024 * 1024


@pytest.fixture
def small() -> Iterator[DemoServer]:
    limits = ServerLimits(max_connections=8, idle_timeout=1.0, upload_budget=1_000_000)
    with DemoServer(limits=limits) as server:
        yield server


def _open_idle(server: DemoServer, n: int) -> list[socket.socket]:
    socks = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(n)]
    deadline = time.monotonic() + 10
    httpd = server._httpd
    assert httpd is not None
    while len(httpd._live) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    return socks


def test_connections_over_the_limit_get_503_at_once(small: DemoServer) -> None:
    socks = _open_idle(small, 8)
    try:
        started = time.monotonic()
        answer = _raw(small.url, b"GET /get HTTP/1.1\r\nHost: x\r\n\r\n")
        assert time.monotonic() - started < 3
        assert answer.startswith(b"HTTP/1.1 503")
        assert b"Retry-After: 1" in answer
        assert b"maximum of 8 connections" in answer
    finally:
        for sock in socks:
            sock.close()


def test_idle_connections_are_closed(small: DemoServer) -> None:
    (sock,) = _open_idle(small, 1)
    with sock:
        sock.settimeout(10)
        started = time.monotonic()
        assert sock.recv(100) == b""  # the server closed it
        assert time.monotonic() - started < 8


@pytest.mark.timeout(60)
def test_answers_at_once_after_a_flood_of_idle_connections_closes() -> None:
    limits = ServerLimits(max_connections=64, idle_timeout=2.0)
    with DemoServer(limits=limits) as server:
        socks = []
        for _ in range(1000):
            with contextlib.suppress(OSError):
                socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        for sock in socks:
            sock.close()
        started = time.monotonic()
        response = _get(server.url, "/get", timeout=10)
        assert response.status in (200, 503)
        deadline = time.monotonic() + 10
        while response.status != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
            response = _get(server.url, "/get", timeout=10)
        assert response.status == 200
        assert time.monotonic() - started < 10


def test_uploads_in_memory_at_once_are_bounded(small: DemoServer) -> None:
    first = socket.create_connection(("127.0.0.1", small.port), timeout=5)
    with first:
        first.sendall(b"POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 600000\r\n\r\nxx")
        deadline = time.monotonic() + 5
        httpd = small._httpd
        assert httpd is not None
        while httpd.uploads._used == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        answer = _raw(
            small.url, b"POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 600000\r\n\r\n"
        )
        assert answer.startswith(b"HTTP/1.1 503")
        assert b"busy receiving other uploads" in answer
        first.sendall(b"x" * 599_998)
        first.settimeout(10)
        assert first.recv(12) == b"HTTP/1.1 200"
