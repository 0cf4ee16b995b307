"""A raw-socket HTTP server on 127.0.0.1 that misbehaves on purpose, for transport tests.

Each path picks a fault (see :data:`FAULTS`). The server runs one accept thread plus one thread per
connection, all bounded: they stop when :meth:`FaultServer.stop` is called (or the ``with`` block
ends) and after ``lifetime`` seconds at most, whichever comes first, so a broken test cannot leave
a thread behind or hang the run.

Example::

    with FaultServer() as server:
        send(RequestSpec(url=server.url("/reset-mid-body")))   # raises ConnectionLost

:class:`FullBacklog` is a listening socket whose accept queue is full, so that a ``connect`` to it
blocks (the SYN is dropped) — the loopback-only way to test cancelling a request stuck in connect.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

__all__ = ["FAULTS", "FaultServer", "FullBacklog"]

Handler = Callable[["FaultServer", socket.socket, str], None]
BOMB_INFLATED = 200 * 1024 * 1024  # what the gzip bomb inflates to (its wire size is ~200 KB)


def _head(status: str, headers: list[tuple[str, str]]) -> bytes:
    # Connection: close - one request per connection keeps every fault deterministic.
    headers = [*headers, ("Connection", "close")]
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _never_answer(server: FaultServer, conn: socket.socket, path: str) -> None:
    server.stopping.wait(server.lifetime)


def _close_before_headers(server: FaultServer, conn: socket.socket, path: str) -> None:
    conn.close()


def _reset_mid_body(server: FaultServer, conn: socket.socket, path: str) -> None:
    conn.sendall(_head("200 OK", [("Content-Length", "1000000")]) + b"x" * 5000)
    time.sleep(0.05)  # let the client read what was sent before the reset discards it
    # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _sse_cut_mid_event(server: FaultServer, conn: socket.socket, path: str) -> None:
    # Close-delimited event stream: one complete event, then half of one and invalid UTF-8.
    head = _head("200 OK", [("Content-Type", "text/event-stream")])
    conn.sendall(head + b"data: caf\xe9\n\ndata: half an ev")
    conn.close()


def _sse_huge_event(server: FaultServer, conn: socket.socket, path: str) -> None:
    # One 100 MB event (sent a block at a time, never held whole), then a small one.
    conn.sendall(_head("200 OK", [("Content-Type", "text/event-stream")]) + b"data: ")
    block = b"x" * (1 << 20)
    try:
        for _ in range(100):
            conn.sendall(block)
        conn.sendall(b"\n\ndata: after\n\n")
    except OSError:
        pass  # the client went away
    conn.close()


def _sse_malformed(server: FaultServer, conn: socket.socket, path: str) -> None:
    # Lines that are not SSE fields around one valid event; then the stream ends normally.
    body = b"no colon here\n:\n\xff\xfe: junk\ndata:ok\nretry: -5\nretry: 1e3\n\n"
    head = _head(
        "200 OK", [("Content-Type", "text/event-stream"), ("Content-Length", str(len(body)))]
    )
    conn.sendall(head + body)
    conn.close()


def _close_mid_body(server: FaultServer, conn: socket.socket, path: str) -> None:
    conn.sendall(_head("200 OK", [("Content-Length", "1000000")]) + b"y" * 3000)
    conn.close()


def _malformed_status(server: FaultServer, conn: socket.socket, path: str) -> None:
    conn.sendall(b"HTPT/1.1 twohundred OK\r\nContent-Length: 0\r\n\r\n")


def _huge_headers(server: FaultServer, conn: socket.socket, path: str) -> None:
    head = b"HTTP/1.1 200 OK\r\n"
    filler = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"a" * 1000) for i in range(1024))
    with contextlib.suppress(OSError):  # the client gives up long before 1 MB
        conn.sendall(head + filler + b"Content-Length: 0\r\n\r\n")


def _bogus_chunked(server: FaultServer, conn: socket.socket, path: str) -> None:
    conn.sendall(
        _head("200 OK", [("Transfer-Encoding", "chunked")]) + b"5\r\nhello\r\nZZZ\r\nnope\r\n"
    )


_BOMB: list[bytes] = []


def _gzip_bomb_bytes() -> bytes:
    if not _BOMB:
        # Compress a megabyte at a time: the test process never holds the inflated body.
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = bytes(1 << 20)
        parts = [packer.compress(block) for _ in range(BOMB_INFLATED >> 20)]
        _BOMB.append(b"".join([*parts, packer.flush()]))
    return _BOMB[0]


def _gzip_bomb(server: FaultServer, conn: socket.socket, path: str) -> None:
    body = _gzip_bomb_bytes()
    head = _head(
        "200 OK",
        [
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(body))),
            ("Content-Type", "application/octet-stream"),
        ],
    )
    with contextlib.suppress(OSError):
        conn.sendall(head + body)


def _redirect_loop(server: FaultServer, conn: socket.socket, path: str) -> None:
    n = int(parse_qs(urlsplit(path).query).get("n", ["0"])[0])
    conn.sendall(
        _head("302 Found", [("Location", f"/redirect-loop?n={n + 1}"), ("Content-Length", "0")])
    )


def _drip(server: FaultServer, conn: socket.socket, path: str) -> None:
    count = int(parse_qs(urlsplit(path).query).get("bytes", ["10"])[0])
    conn.sendall(_head("200 OK", [("Content-Length", str(count))]))
    for _ in range(count):
        if server.stopping.wait(0.1):
            return
        conn.sendall(b"d")


def _headers_then_stall(server: FaultServer, conn: socket.socket, path: str) -> None:
    conn.sendall(_head("200 OK", [("Content-Length", "100")]) + b"partial")
    server.stopping.wait(server.lifetime)


def _stream_bytes(server: FaultServer, conn: socket.socket, path: str) -> None:
    """Not a fault: ``/bytes?n=N`` streams N zero bytes fast (for memory and speed tests)."""
    count = int(parse_qs(urlsplit(path).query).get("n", ["0"])[0])
    conn.sendall(_head("200 OK", [("Content-Length", str(count))]))
    block = bytes(1 << 20)
    with contextlib.suppress(OSError):
        while count > 0 and not server.stopping.is_set():
            conn.sendall(block[: min(count, len(block))])
            count -= len(block)


def _drip_headers(server: FaultServer, conn: socket.socket, path: str) -> None:
    """The status line and headers one byte every 50 ms, without end (a slowloris reply)."""
    head = _head("200 OK", [("X-Slow", "x" * 4000), ("Content-Length", "0")])
    for byte in head:
        if server.stopping.wait(0.05):
            return
        conn.sendall(bytes([byte]))


def _chunked_endless(server: FaultServer, conn: socket.socket, path: str) -> None:
    """A chunked body of 64 KiB chunks that never ends (until the client stops reading)."""
    conn.sendall(_head("200 OK", [("Transfer-Encoding", "chunked")]))
    chunk = b"%x\r\n%s\r\n" % (1 << 16, b"z" * (1 << 16))
    with contextlib.suppress(OSError):
        while not server.stopping.is_set():
            conn.sendall(chunk)


def _set_cookies(server: FaultServer, conn: socket.socket, path: str) -> None:
    """``?case=`` ip-domain (Domain=.0.0.1), bare-cr (a CR inside a Set-Cookie value),
    public-suffix (Domain=.co.uk), huge (a 5000-byte value), flood&from=K&n=N (cookies cK...)."""
    query = parse_qs(urlsplit(path).query)
    case = query.get("case", [""])[0]
    lines: list[bytes] = []
    if case == "ip-domain":
        lines.append(b"Set-Cookie: wide=1; Domain=.0.0.1; Path=/")
        lines.append(b"Set-Cookie: own=1; Path=/")
    elif case == "bare-cr":
        lines.append(b"Set-Cookie: sid=1\rSet-Cookie: injected=evil; Path=/")
    elif case == "public-suffix":
        lines.append(b"Set-Cookie: tracker=1; Domain=.co.uk; Path=/")
    elif case == "huge":
        lines.append(b"Set-Cookie: big=" + b"v" * 5000 + b"; Path=/")
        lines.append(b"Set-Cookie: small=1; Path=/")
    elif case == "flood":
        first, count = int(query.get("from", ["0"])[0]), int(query.get("n", ["0"])[0])
        lines.extend(b"Set-Cookie: c%d=%d; Path=/" % (i, i) for i in range(first, first + count))
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(line + b"\r\n" for line in lines)
    conn.sendall(head + b"Content-Length: 2\r\nConnection: close\r\n\r\nok")


def _redirect_to(server: FaultServer, conn: socket.socket, path: str) -> None:
    """``/redirect-to?url=U``: 302 to U (any host)."""
    target = parse_qs(urlsplit(path).query).get("url", ["/"])[0]
    conn.sendall(_head("302 Found", [("Location", target), ("Content-Length", "0")]))


def _ok(server: FaultServer, conn: socket.socket, path: str) -> None:
    """Not a fault: 200 with a two-byte body (the request head is in ``server.heads``)."""
    conn.sendall(_head("200 OK", [("Content-Length", "2")]) + b"ok")


FAULTS: dict[str, Handler] = {
    "/ok": _ok,
    "/drip-headers": _drip_headers,
    "/chunked-endless": _chunked_endless,
    "/set-cookies": _set_cookies,
    "/redirect-to": _redirect_to,
    "/bytes": _stream_bytes,
    "/never-answer": _never_answer,
    "/close-before-headers": _close_before_headers,
    "/reset-mid-body": _reset_mid_body,
    "/close-mid-body": _close_mid_body,
    "/sse-cut-mid-event": _sse_cut_mid_event,
    "/sse-huge-event": _sse_huge_event,
    "/sse-malformed": _sse_malformed,
    "/malformed-status": _malformed_status,
    "/huge-headers": _huge_headers,
    "/bogus-chunked": _bogus_chunked,
    "/gzip-bomb": _gzip_bomb,
    "/redirect-loop": _redirect_loop,
    "/drip": _drip,
    "/stall-mid-body": _headers_then_stall,
}


class FaultServer:
    """Serve :data:`FAULTS` on 127.0.0.1 (an ephemeral port) until stopped or ``lifetime`` ends."""

    def __init__(self, lifetime: float = 30.0) -> None:
        self.lifetime = lifetime
        self.stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._deadline = time.monotonic() + lifetime
        self.requests: list[str] = []
        #: The head (request line and headers) of each request, in order.
        self.heads: list[bytes] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> FaultServer:
        self._spawn(self._accept_loop, "faultserver-accept")
        return self

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self.stopping.is_set() and time.monotonic() < self._deadline:
            ready, _, _ = select.select([self._listener], [], [], 0.05)
            if not ready:
                continue
            with contextlib.suppress(OSError):
                conn, _ = self._listener.accept()
                with self._lock:
                    self._conns.append(conn)
                self._spawn(self._serve, "faultserver-conn", conn)
        self.stopping.set()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(self.lifetime)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            target = data.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1")
            self.requests.append(target)
            self.heads.append(data.split(b"\r\n\r\n", 1)[0])
            handler = FAULTS.get(urlsplit(target).path)
            if handler is None:
                conn.sendall(_head("404 Not Found", [("Content-Length", "0")]))
                return
            handler(self, conn, target)
            # Keep the connection open until the client is done, so it sees what was sent.
            with contextlib.suppress(OSError):
                conn.settimeout(0.5)
                conn.recv(1)

    def stop(self) -> None:
        """Stop accepting, close every connection, and join every thread (bounded)."""
        self.stopping.set()
        with self._lock:
            threads = list(self._threads)
        if threads:
            threads[0].join(timeout=5)  # the accept loop notices within 50 ms
        self._listener.close()
        with self._lock:
            conns, threads = list(self._conns), list(self._threads)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class FullBacklog:
    """A listening socket whose accept queue is full: new connects to it block in SYN_SENT.

    Linux drops the SYN of a connect to a listener whose accept queue is full, and the client
    retransmits for seconds: a ``connect`` blocked on loopback, without any external address.
    """

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self._fillers: list[socket.socket] = []
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", self.port))
            self._fillers.append(filler)
        time.sleep(0.05)  # the kernel completes the queued handshakes asynchronously

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def connect_blocks(self, timeout: float = 0.3) -> bool:
        """Check that a fresh connect does block (it should, on Linux)."""
        probe = socket.socket()
        probe.settimeout(timeout)
        try:
            probe.connect(("127.0.0.1", self.port))
        except TimeoutError:
            return True
        except OSError:
            return False
        finally:
            probe.close()
        return False

    def close(self) -> None:
        for sock in self._fillers:
            sock.close()
        self._listener.close()

    def __enter__(self) -> FullBacklog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class KeepAliveServer:
    """A fast, well-behaved HTTP/1.1 keep-alive server on 127.0.0.1 (threads, bounded).

    ``GET /small`` answers a few bytes; ``GET /bytes?n=N`` streams N zero bytes; ``GET /stall``
    sends headers and part of a body, then waits until the server stops. ``connections`` counts
    accepted TCP connections (to check pooling).
    """

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        owner = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Buffered writes (flushed per response by http.server) + TCP_NODELAY: headers and
            # body leave in one segment, so Nagle's algorithm and delayed ACKs never add 40 ms.
            wbufsize = 1 << 16

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with owner._lock:
                    owner.connections += 1

            def do_GET(self) -> None:
                target = urlsplit(self.path)
                if target.path == "/small":
                    self._reply(b'{"ok": true}')
                elif target.path == "/bytes":
                    count = int(parse_qs(target.query).get("n", ["0"])[0])
                    self.send_response(200)
                    self.send_header("Content-Length", str(count))
                    self.end_headers()
                    block = bytes(1 << 20)
                    while count > 0 and not owner.stopping.is_set():
                        self.wfile.write(block[: min(count, len(block))])
                        count -= len(block)
                elif target.path == "/stall":
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.write(b"part")
                    self.wfile.flush()
                    owner.stopping.wait(30)
                    self.close_connection = True
                else:
                    self.send_error(404)

            def _reply(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: benchmarks send thousands of requests

        self.stopping = threading.Event()
        self.connections = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="keepalive-server",
            daemon=True,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> KeepAliveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
