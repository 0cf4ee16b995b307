"""DemoServer: the demo API on a loopback port, one daemon thread per connection.

Stopping never hangs: it refuses new connections, wakes every waiting endpoint through a shared
event, shuts down every live socket (which unblocks reads and writes at once), then joins the
connection threads with a deadline and logs any it had to abandon.

A flood cannot exhaust it: at most ``max_connections`` are served at once (the next ones get an
immediate ``503`` and are closed), an idle connection is closed after ``idle_timeout`` seconds,
and request bodies held in memory at once are bounded by ``upload_budget`` bytes (a body that
does not fit gets ``503`` with ``Retry-After``; one over 16 MiB gets ``413``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from guiapp.demo._handler import MAX_REQUEST_BODY, DemoHandler
from guiapp.demo._routing import BadRequest

__all__ = ["DemoHTTPServer", "DemoServer", "ServerLimits"]

log = logging.getLogger(__name__)
_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """How much a flood of clients may take from the demo server."""

    #: Connections served at once; more are answered ``503`` and closed at once.
    max_connections: int = 256
    #: Seconds a connection may stay idle (or stall mid-request) before it is closed.
    idle_timeout: float = 15.0
    #: Bytes of request bodies held in memory at once, over all connections.
    upload_budget: int = 4 * MAX_REQUEST_BODY


_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
)


class UploadBudget:
    """Bytes of request bodies in memory at once; :meth:`reserve` refuses what does not fit."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._used = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def reserve(self, size: int) -> Iterator[None]:
        if size <= 0:
            yield
            return
        with self._lock:
            if self._used + size > self.total:
                raise BadRequest(
                    f"the demo server is busy receiving other uploads (at most "
                    f"{self.total // (1024 * 1024)} MiB at once); try again in a moment",
                    status=503,
                )
            self._used += size
        try:
            yield
        finally:
            with self._lock:
                self._used -= size


class DemoHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its connections so that it can close them all."""

    daemon_threads = True
    # The default backlog of 5 drops SYNs under a burst of concurrent clients; each drop costs
    # the client a 1 s retransmit.
    request_queue_size = 256

    def __init__(
        self,
        address: tuple[str, int],
        name: str,
        limits: ServerLimits | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        self.stopping = threading.Event()
        self.limits = limits or ServerLimits()
        self.uploads = UploadBudget(self.limits.upload_budget)
        self.refused = 0  # connections answered 503 because max_connections were busy
        self._name = name
        self._lock = threading.Lock()
        self._live: dict[socket.socket, threading.Thread] = {}
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        if sock is None:
            super().__init__(address, DemoHandler)
        else:  # a listening socket handed over by the parent process (DemoProcess)
            super().__init__(address, DemoHandler, bind_and_activate=False)
            self.socket.close()
            self.socket = sock
            self.server_address = sock.getsockname()

    def process_request(self, request: Any, client_address: Any) -> None:
        if self.stopping.is_set():
            self.shutdown_request(request)
            return
        with self._lock:
            busy = len(self._live) >= self.limits.max_connections
        if busy:
            self._refuse(request)
            return
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"{self._name}-conn-{next(_ids)}",
            daemon=True,
        )
        with self._lock:
            self._live[request] = thread
        thread.start()

    def _refuse(self, request: socket.socket) -> None:
        """Answer 503 on the accepting thread (a few hundred bytes into an empty socket buffer:
        it never blocks for long) and close: no thread is started for it."""
        self.refused += 1
        body = json.dumps(
            {
                "error": f"the demo server is serving its maximum of "
                f"{self.limits.max_connections} connections; try again in a moment",
                "limit": self.limits.max_connections,
            }
        ).encode()
        with contextlib.suppress(OSError):
            request.settimeout(0.2)
            request.sendall(_BUSY % (len(body), body))
        self.shutdown_request(request)

    def _serve_connection(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except OSError:
            pass  # reset by the client or shut by stop(): nothing to report
        except Exception:
            log.exception("demo server: connection from %s failed", client_address)
        finally:
            self.shutdown_request(request)
            with self._lock:
                self._live.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("demo server: error on %s", client_address, exc_info=True)

    def close_connections(self) -> list[threading.Thread]:
        """Shut every live socket; return the threads still serving them."""
        with self._lock:
            live = list(self._live.items())
        for sock, _ in live:
            with contextlib.suppress(OSError):  # already closed by its own thread
                sock.shutdown(socket.SHUT_RDWR)
        return [thread for _, thread in live]


class DemoServer:
    """The demo HTTP API, served from background daemon threads on ``host:port``.

    ``port=0`` picks a free port; read it back from :attr:`url` after :meth:`start`.

    Example::

        >>> import json, urllib.request
        >>> with DemoServer() as server:
        ...     with urllib.request.urlopen(server.url + "/get?x=1") as r:
        ...         json.load(r)["args"]
        {'x': '1'}
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        limits: ServerLimits | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._limits = limits or ServerLimits()
        self._sock = sock
        self._httpd: DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._name = ""

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:54321``."""
        if self._httpd is None:
            raise RuntimeError("DemoServer is not started")
        host = self._host if ":" not in self._host else f"[{self._host}]"
        return f"http://{host}:{self.port}"

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("DemoServer is not started")
        return int(self._httpd.server_address[1])

    @property
    def name(self) -> str:
        """Prefix of every thread this server runs (``guiapp-demo-N``); empty before start."""
        return self._name

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self) -> DemoServer:
        """Bind, listen and start serving; returns once connections are accepted."""
        if self._httpd is not None:
            raise RuntimeError("DemoServer is already started")
        from guiapp.demo._endpoints import ROUTES  # the route table is built on first use

        name = self._name = f"guiapp-demo-{next(_ids)}"
        httpd = DemoHTTPServer((self._host, self._port), name, self._limits, self._sock)
        httpd.RequestHandlerClass = type(
            "Handler", (DemoHandler,), {"routes": ROUTES, "timeout": self._limits.idle_timeout}
        )
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0, *, abandoned_level: int = logging.WARNING) -> bool:
        """Stop serving and close every connection; True if all threads ended within timeout.

        Threads still running after ``timeout`` are abandoned (they are daemon threads) and
        named in a log record of ``abandoned_level`` (a process about to exit passes DEBUG).
        Safe to call twice, and from any thread except a handler thread of this server.
        """
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return True
        self._httpd = self._thread = None
        deadline = time.monotonic() + timeout
        httpd.stopping.set()  # wakes every endpoint that is waiting
        httpd.shutdown()  # serve_forever returns within one poll interval
        httpd.server_close()
        thread.join(max(0.0, deadline - time.monotonic()))
        leftovers = httpd.close_connections()
        for conn in leftovers:
            conn.join(max(0.0, deadline - time.monotonic()))
        stuck = [t.name for t in leftovers if t.is_alive()]
        if thread.is_alive():
            stuck.append(thread.name)
        if stuck:
            log.log(
                abandoned_level,
                "demo server: abandoned %d thread(s) after %.1f s: %s",
                len(stuck),
                timeout,
                ", ".join(stuck),
            )
        return not stuck

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        return f"DemoServer({where})"
