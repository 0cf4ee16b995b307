"""The request handler: parsing, dispatch, and the write/wait helpers every endpoint uses.

HTTP/1.1 with keep-alive: every response carries a Content-Length or uses chunked encoding, so
a client can reuse the connection. Waits (``/delay``, ``/drip``, ``/never``) sleep on the
server's stop event and poll the socket, so they end at once when the server stops and soon
after the client goes away.
"""

from __future__ import annotations

import json
import logging
import select
import socket
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from guiapp.demo._headers import header_problem
from guiapp.demo._routing import BadRequest, Route

if TYPE_CHECKING:
    from guiapp.demo._server import DemoHTTPServer

__all__ = ["MAX_REQUEST_BODY", "DemoHandler"]

log = logging.getLogger(__name__)

#: Request bodies above this are refused with 413: the demo echoes bodies back in memory.
MAX_REQUEST_BODY = 16 * 1024 * 1024
_MIB = 1024 * 1024
_POLL = 0.05  # seconds between checks that the client is still there


class DemoHandler(BaseHTTPRequestHandler):
    """Serves one connection (possibly many keep-alive requests) on its own thread."""

    protocol_version = "HTTP/1.1"
    server_version = "guiapp-demo/1.0"
    # Headers and body are separate writes: with Nagle on, keep-alive requests stall ~40 ms.
    disable_nagle_algorithm = True
    #: An idle keep-alive connection (or a client that stops sending mid-request) is closed
    #: after this many seconds; the server sets it from its ``idle_timeout``.
    timeout = 15.0
    server: DemoHTTPServer

    routes: tuple[Route, ...] = ()  # set by the server

    # -- dispatch --------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        self._started = False
        self._chunked = False
        self.head_only = self.command == "HEAD"
        parts = urlsplit(self.path)
        self.route_path = parts.path or "/"
        self.query = parse_qsl(parts.query, keep_blank_values=True)
        try:
            with self.server.uploads.reserve(self._declared_length()):
                self.body = self._read_body()
                self._route()
        except BadRequest as exc:
            self.close_connection = True  # the rest of the body is still in the socket
            extra = [("Retry-After", "1")] if exc.status == 503 else []
            self.send_json({"error": str(exc), **exc.details}, status=exc.status, headers=extra)

    def _route(self) -> None:
        for route in self.routes:
            captured = route.match(self.route_path)
            if captured is None:
                continue
            if self.command not in route.methods:
                self.send_json(
                    {"error": f"{self.command} not allowed"},
                    status=405,
                    headers=[("Allow", ", ".join(route.methods))],
                )
                return
            self._run(route, captured)
            return
        self.send_json({"error": f"no such endpoint: {self.route_path}", "index": "/"}, 404)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch

    def _run(self, route: Route, captured: dict[str, str]) -> None:
        try:
            route.endpoint(self, captured)
            self.end_chunks()
        except OSError:
            self.abort()  # the client left, or stop() shut the socket
        except Exception as exc:
            if self._started:
                self.abort()  # a half-sent body cannot be turned into an error response
                if not isinstance(exc, BadRequest):
                    log.exception("demo endpoint %s failed mid-body", route.template)
            elif isinstance(exc, BadRequest):
                self.send_json({"error": str(exc)}, status=exc.status)
            else:
                log.exception("demo endpoint %s failed", route.template)
                self.close_connection = True
                self.send_json({"error": "internal error"}, status=500)

    def _declared_length(self) -> int:
        """Bytes the body will take in memory: Content-Length, or the cap for chunked bodies."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return MAX_REQUEST_BODY
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise BadRequest("malformed Content-Length") from None
        if length < 0:
            raise BadRequest("malformed Content-Length")
        if length > MAX_REQUEST_BODY:
            raise _too_large(length)
        return length

    def _read_body(self) -> bytes:
        try:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return self._read_chunked()
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise BadRequest("malformed Content-Length or chunk size") from None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        out = bytearray()
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(out)
            if len(out) + size > MAX_REQUEST_BODY:
                raise _too_large(len(out) + size)
            out += self.rfile.read(size)
            self.rfile.readline(1024)

    # -- request helpers -------------------------------------------------------------------------
    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter ``name``."""
        for key, value in reversed(self.query):
            if key == name:
                return value
        return default

    def number(self, value: str | None, name: str, default: float, lo: float, hi: float) -> float:
        """Parse ``value`` as a number, default if absent, clamped to [lo, hi]."""
        if value is None or value == "":
            return default
        try:
            parsed = float(value)
        except ValueError:
            raise BadRequest(f"{name}: expected a number, got {value!r}") from None
        if parsed != parsed:  # NaN
            raise BadRequest(f"{name}: expected a number, got {value!r}")
        return min(max(parsed, lo), hi)

    def base_url(self) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return f"http://{host}"

    def header_dict(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in self.headers.items():
            out[key] = f"{out[key]},{value}" if key in out else value
        return out

    # -- response helpers ------------------------------------------------------------------------
    def start(
        self, status: int, headers: Iterable[tuple[str, str]] = (), length: int | None = None
    ) -> None:
        """Send the status line and headers; ``length=None`` means a chunked body follows.

        A header value with a control character is refused (BadRequest, nothing sent): endpoints
        echo user input into headers, and a CR/LF there would split the response.
        """
        headers = list(headers)
        for key, value in headers:
            problem = header_problem(key, value)
            if problem is not None:
                raise BadRequest(problem)
        self._started = True
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        elif status not in (204, 304) and not self.head_only:
            self.send_header("Transfer-Encoding", "chunked")
            self._chunked = True
        if self.server.stopping.is_set():
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def write(self, data: bytes | memoryview) -> None:
        """Write part of the body (framed as a chunk if the body is chunked)."""
        if self.head_only or not data:
            return
        if self._chunked:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), bytes(data)))
        else:
            self.wfile.write(data)

    def abort(self) -> None:
        """Drop the connection after a partial body, so the client sees it truncated."""
        self.close_connection = True
        self._chunked = False  # no terminating chunk: a cut stream must not look complete

    def end_chunks(self) -> None:
        if self._chunked:
            self._chunked = False
            self.wfile.write(b"0\r\n\r\n")

    def send(
        self,
        body: bytes,
        content_type: str,
        status: int = 200,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Send a complete response with a known length."""
        self.start(status, [("Content-Type", content_type), *headers], len(body))
        self.write(body)

    def send_json(
        self, data: Any, status: int = 200, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        body = json.dumps(data, indent=2, ensure_ascii=False).encode() + b"\n"
        self.send(body, "application/json", status, headers)

    # -- waiting ---------------------------------------------------------------------------------
    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False (stop waiting) if the server stops or the client left."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            if self.server.stopping.wait(min(remaining, _POLL)) or self.client_gone():
                self.abort()
                return False

    def client_gone(self) -> bool:
        """True once the peer has closed its side (a readable socket with nothing to read)."""
        sock: socket.socket = self.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    # -- quiet logs ------------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def _too_large(length: int) -> BadRequest:
    return BadRequest(
        f"request body too large: {length} bytes; this demo server accepts bodies up to "
        f"{MAX_REQUEST_BODY // _MIB} MiB ({MAX_REQUEST_BODY} bytes)",
        status=413,
        limit=MAX_REQUEST_BODY,
    )
