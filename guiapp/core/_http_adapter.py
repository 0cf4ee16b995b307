"""Per-request socket tracking for ``requests``, so a cancel can shut the socket in use.

A blocking ``requests`` call cannot be interrupted from the thread that waits for it, but
``shutdown(SHUT_RDWR)`` on its socket from another thread unblocks ``connect``, ``recv`` and
``send`` at once. :class:`TrackingAdapter` installs connection classes (on its own pool managers
only: nothing global is patched) that hand every socket they create or reuse to the
:class:`SocketTracker` of the request running in the current context. ``send`` binds one tracker
per request, so requests sharing a session (and its connection pool) never shut each other's
sockets, and a pooled socket is forgotten once its request is over.

The same connection classes stamp the tracker's :class:`~guiapp.core._http_timing.PhaseClock`
(name resolved, connected, tunnel, TLS done, request written, response headers in), which is how
``send`` knows where the time of each hop went (:class:`~guiapp.core.timings.Timings`).

Their responses replace each bare CR in the status line and header lines by a space, as RFC
9112 allows, instead of letting the header parser take it for a line break (a ``Set-Cookie``
value with a bare CR would otherwise smuggle in a second cookie).

Private hooks, pinned by ``urllib3>=2,<3`` and checked by the test suite: ``_new_conn`` (to see
the socket before it connects, so a cancel unblocks a connect) with ``_dns_host``, ``_tunnel``
(a timing stamp) and ``HTTPSConnectionPool._validate_conn`` (no warning per unverified
request). If one moves, requests still work: a socket is then tracked from the request on and
the timings say unavailable; a cancel while reading the body falls back on urllib3's public
``HTTPResponse.shutdown()``.

Example::

    tracker = SocketTracker()
    with tracker.bound(), on_cancel(tracker.shutdown_all):
        session.get(url)          # any socket used here is shut if the job is cancelled
"""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    LocationParseError,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util.connection import allowed_gai_family

from guiapp import __version__
from guiapp.core._http_timing import PhaseClock
from guiapp.core.cookie_jar import BoundedCookieJar

__all__ = [
    "USER_AGENT",
    "SocketTracker",
    "TrackingAdapter",
    "forget_tracked_sockets",
    "make_session",
]

#: The User-Agent sent when a request sets none (``requests``' own would name the library).
USER_AGENT = f"guiapp/{__version__}"

_current_tracker: contextvars.ContextVar[SocketTracker | None] = contextvars.ContextVar(
    "guiapp_socket_tracker", default=None
)


class SocketTracker:
    """The sockets one request uses; :meth:`shutdown_all` unblocks every I/O call on them.

    ``clock`` is the request's :class:`PhaseClock`, stamped by the connections it tracks.
    """

    def __init__(self) -> None:
        self.clock = PhaseClock()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._shut = False
        self._fallbacks: list[Callable[[], None]] = []

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            if not self._shut:
                if sock not in self._sockets:
                    self._sockets.append(sock)
                return
        _shutdown(sock)  # cancelled already: the new socket must not block either

    def add_fallback(self, shutdown: Callable[[], None]) -> None:
        """``shutdown`` is called by :meth:`shutdown_all` if no socket was tracked (a moved
        private hook): e.g. the public ``HTTPResponse.shutdown`` of the response being read."""
        with self._lock:
            self._fallbacks.append(shutdown)

    def shutdown_all(self) -> None:
        """Shut every tracked socket for reading and writing (call from any thread)."""
        # Under the lock (shutdown never blocks): once forget() has returned, no socket handed
        # back to the pool can still be shut by a cancel that was already running.
        with self._lock:
            self._shut = True
            sockets, self._sockets = self._sockets, []
            fallbacks = [] if sockets else self._fallbacks
            self._fallbacks = []
            for sock in sockets:
                _shutdown(sock)
            for fallback in fallbacks:
                with contextlib.suppress(Exception):  # released to the pool, already closed
                    fallback()

    def forget(self) -> None:
        """Stop tracking the current sockets: call before handing a connection back to a pool."""
        with self._lock:
            self._sockets.clear()
            self._fallbacks.clear()

    @contextlib.contextmanager
    def bound(self) -> Iterator[SocketTracker]:
        """Make this the tracker of sockets created or reused in the current context."""
        token = _current_tracker.set(self)
        try:
            yield self
        finally:
            _current_tracker.reset(token)
            self.forget()  # pooled sockets belong to the next request now


def forget_tracked_sockets() -> None:
    """:meth:`SocketTracker.forget` on the current context's tracker, if any."""
    tracker = _current_tracker.get()
    if tracker is not None:
        tracker.forget()


def _shutdown(sock: socket.socket) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter also drops the SSL object,
    # racing with the worker thread still inside SSL_read.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _track(sock: socket.socket | None) -> None:
    tracker = _current_tracker.get()
    if tracker is not None and sock is not None:
        tracker.attach(sock)


def _stamp(name: str) -> None:
    tracker = _current_tracker.get()
    if tracker is not None:
        tracker.clock.stamp(name)


def _create_tracked_connection(conn: HTTPConnection) -> socket.socket:
    """urllib3's create_connection (its IDNA check included), handing the socket to the
    tracker *before* connect."""
    host, port = getattr(conn, "_dns_host", None) or conn.host, conn.port
    host = host.strip("[]")
    try:
        host.encode("idna")
    except UnicodeError:
        raise LocationParseError(f"'{host}', label empty or too long") from None
    err: OSError | None = None
    _stamp("dns_start")
    infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    _stamp("dns_end")
    for af, socktype, proto, _canon, addr in infos:
        sock = socket.socket(af, socktype, proto)
        try:
            for opt in conn.socket_options or ():
                sock.setsockopt(*opt)
            if conn.timeout is not None:
                sock.settimeout(conn.timeout)
            if conn.source_address:
                sock.bind(conn.source_address)
            _track(sock)
            sock.connect(addr)
            _stamp("connect_end")
            return sock
        except OSError as exc:
            err = exc
            sock.close()
    raise err if err is not None else OSError("getaddrinfo returns an empty list")


_BARE_CR = re.compile(rb"\r(?!\n)")


class _HeaderLines:
    """The socket file, as the status line and header parser see it: bare CRs become spaces."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self._raw.readline(limit)
        return _BARE_CR.sub(b" ", line) if b"\r" in line else line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class GuardedHTTPResponse(http.client.HTTPResponse):
    """``http.client.HTTPResponse`` whose status and header lines have no bare CR left."""

    def begin(self) -> None:
        raw = self.fp
        self.fp = _HeaderLines(raw)  # type: ignore[assignment]
        try:
            super().begin()
        finally:
            if self.fp is not None:
                self.fp = raw  # the body is read straight from the socket file


class _TrackedMixin:
    response_class = GuardedHTTPResponse

    def _new_conn(self) -> socket.socket:
        conn: Any = self
        try:
            sock = _create_tracked_connection(conn)
        except socket.gaierror as exc:
            raise NameResolutionError(conn.host, conn, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(
                conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
            ) from exc
        except OSError as exc:
            raise NewConnectionError(conn, f"Failed to establish a new connection: {exc}") from exc
        sys.audit("http.client.connect", conn, conn.host, conn.port)  # as urllib3's own does
        return sock

    def connect(self) -> None:
        _stamp("connect_called")  # a fresh connection: without dns/connect stamps, unmeasured
        super().connect()  # type: ignore[misc]

    def request(self, *args: Any, **kwargs: Any) -> None:
        # Called for every request, on a fresh or a pooled connection: track the socket in use.
        tracker = _current_tracker.get()
        if tracker is None:
            super().request(*args, **kwargs)  # type: ignore[misc]
            return
        tracker.clock.stamp("request_start")
        sock = getattr(self, "sock", None)
        if sock is not None:
            tracker.attach(sock)
        super().request(*args, **kwargs)  # type: ignore[misc]
        tracker.clock.stamp("sent")  # a plain HTTP connection connects inside request()

    def getresponse(self) -> Any:
        response = super().getresponse()  # type: ignore[misc]
        _stamp("first_byte")  # the status line and headers are in
        return response

    def _tunnel(self) -> None:
        super()._tunnel()  # type: ignore[misc]
        _stamp("tunnel_end")  # a proxy's CONNECT counts as part of connecting


class TrackedHTTPConnection(_TrackedMixin, HTTPConnection):  # type: ignore[misc]
    """An HTTP connection whose sockets are visible to the current :class:`SocketTracker`."""


class TrackedHTTPSConnection(_TrackedMixin, HTTPSConnection):  # type: ignore[misc]
    """An HTTPS connection whose sockets are visible to the current :class:`SocketTracker`."""

    def connect(self) -> None:
        super().connect()
        _stamp("tls_end")  # _new_conn stamped the TCP part; the rest was the handshake


class _TrackedHTTPPool(HTTPConnectionPool):
    ConnectionCls = TrackedHTTPConnection


class _TrackedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = TrackedHTTPSConnection

    def _validate_conn(self, conn: Any) -> None:
        # HTTPSConnectionPool._validate_conn minus InsecureRequestWarning: verify=False is an
        # explicit per-request choice of the user here, and a warning per request is only noise.
        HTTPConnectionPool._validate_conn(self, conn)
        if conn.is_closed:
            conn.connect()


_POOL_CLASSES = {"http": _TrackedHTTPPool, "https": _TrackedHTTPSPool}


class TrackingAdapter(HTTPAdapter):
    """An :class:`~requests.adapters.HTTPAdapter` whose connections report their sockets."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOL_CLASSES)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOL_CLASSES)
        return manager


def make_session(*, pool_maxsize: int = 16) -> requests.Session:
    """A :class:`requests.Session` with tracking adapters, for sharing between ``send`` calls.

    ``trust_env`` is off: the proxy and TLS settings of a request come from its spec (whose
    ``use_system_proxy``, on by default, makes ``send`` read ``HTTP(S)_PROXY``/``NO_PROXY``),
    never from ``.netrc`` or a CA bundle variable the user of a desktop app never sees. Its
    cookie jar is a :class:`~guiapp.core.cookie_jar.BoundedCookieJar` (browser limits, no
    domain cookies for IP addresses or public suffixes). It sends ``User-Agent: guiapp/<version>``
    unless the request has a User-Agent header of its own.

    >>> session = make_session()
    >>> isinstance(session.get_adapter("https://x/"), TrackingAdapter)
    True
    >>> session.headers["User-Agent"] == USER_AGENT
    True
    """
    session = requests.Session()
    session.trust_env = False
    # A header of the request itself (any spelling) replaces it: requests merges them.
    session.headers["User-Agent"] = USER_AGENT
    session.cookies = BoundedCookieJar()
    install_tracking(session, pool_maxsize=pool_maxsize)
    return session


def install_tracking(session: requests.Session, *, pool_maxsize: int = 16) -> None:
    """Mount tracking adapters on ``session`` for http and https, unless already there."""
    for prefix in ("http://", "https://"):
        if not isinstance(session.get_adapter(prefix), TrackingAdapter):
            session.mount(
                prefix, TrackingAdapter(pool_connections=pool_maxsize, pool_maxsize=pool_maxsize)
            )
