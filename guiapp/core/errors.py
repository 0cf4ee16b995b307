"""Typed failures of :func:`guiapp.core.send`, each with a message a user can act on.

Every failure is a :class:`RequestError`. :class:`InvalidRequest` is raised before any network
I/O; :class:`TransportError` subclasses say what went wrong on the wire. Cancellation is not an
error: it raises :class:`guiapp.core.jobs.Cancelled`.

Example::

    >>> try:
    ...     raise ConnectionRefused("Connection refused by 127.0.0.1:9 - is the server running?",
    ...                             url="http://127.0.0.1:9/")
    ... except TransportError as exc:
    ...     print(type(exc).__name__, "-", exc)
    ConnectionRefused - Connection refused by 127.0.0.1:9 - is the server running?
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guiapp.core.response import Response

__all__ = [
    "BodyTooLarge",
    "ConnectTimeout",
    "ConnectionFailed",
    "ConnectionLost",
    "ConnectionRefused",
    "DNSFailure",
    "DeadlineExceeded",
    "DiskFull",
    "InvalidRequest",
    "MalformedResponse",
    "ProxyFailure",
    "ReadTimeout",
    "RequestError",
    "TLSError",
    "TLSVerificationError",
    "TooManyRedirects",
    "TransportError",
    "TruncatedTransfer",
]


class RequestError(Exception):
    """Base of every failure to send a request; ``str()`` is the user-facing message."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Exceptions cross thread and process boundaries: keep keyword-only state on pickling.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: type[RequestError], message: str, state: dict[str, object]) -> RequestError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(state)
    return exc


class InvalidRequest(RequestError):
    """The request cannot be sent as written; found before any network I/O.

    ``field`` names the part of the request at fault (``"url"``, ``"headers"``, ``"body"``...).
    """

    def __init__(self, message: str, *, field: str, url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.field = field


class TransportError(RequestError):
    """The request was valid but could not be completed on the network."""


class ConnectionFailed(TransportError):
    """No connection could be made to the server (base of the connect-phase errors)."""


class DNSFailure(ConnectionFailed):
    """The host name does not resolve."""


class ConnectionRefused(ConnectionFailed):
    """The server actively refused the connection (nothing listens on that port)."""


class ConnectTimeout(ConnectionFailed):
    """No connection was established within the connect timeout."""


class ProxyFailure(ConnectionFailed):
    """The proxy could not be reached or refused to forward the request."""


class TLSError(ConnectionFailed):
    """The TLS handshake failed."""


class TLSVerificationError(TLSError):
    """The server's certificate could not be verified; ``host`` and ``reason`` say why."""

    def __init__(self, message: str, *, host: str, reason: str, url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.host = host
        self.reason = reason


class ReadTimeout(TransportError):
    """The server stopped sending for longer than the read timeout."""


class TooManyRedirects(TransportError):
    """More redirects than ``max_redirects``; ``history`` holds the chain of locations."""

    def __init__(self, message: str, *, history: tuple[str, ...], url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.history = history


class MalformedResponse(TransportError):
    """The server answered with something that is not valid HTTP."""


class TruncatedTransfer(TransportError):
    """The response stopped before its end; what did arrive is kept.

    ``bytes_received`` counts the body bytes that arrived (as received, before decoding);
    ``partial_response`` keeps them (a :class:`~guiapp.core.response.Response` with
    ``partial=True``, for "Save what arrived"), or is ``None`` when nothing of the body was kept.
    """

    def __init__(
        self,
        message: str,
        *,
        bytes_received: int = 0,
        partial_response: Response | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, url=url)
        self.bytes_received = bytes_received
        self.partial_response = partial_response


class ConnectionLost(TruncatedTransfer):
    """The connection was reset or closed before the whole response arrived.

    ``partial_response`` is ``None`` when the connection dropped before the headers.
    """


class BodyTooLarge(TruncatedTransfer):
    """The response body passed a size limit; reading stopped there.

    ``limit`` is the limit's value and ``limit_name`` its setting: ``"max_body_bytes"`` (bytes
    of the decoded body) or ``"max_decompression_ratio"`` (decoded bytes per byte received).
    """

    def __init__(
        self,
        message: str,
        *,
        limit: float,
        limit_name: str = "max_body_bytes",
        bytes_received: int = 0,
        partial_response: Response | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(
            message, bytes_received=bytes_received, partial_response=partial_response, url=url
        )
        self.limit = limit
        self.limit_name = limit_name


class DeadlineExceeded(TruncatedTransfer):
    """No complete response within a deadline: ``limit_name`` is ``"total_timeout"`` (the whole
    exchange, redirects included) or ``"headers_timeout"`` (until the response headers are in);
    ``seconds`` is its value. Unlike :class:`ReadTimeout`, this stops a server that keeps
    sending, a byte at a time."""

    def __init__(
        self,
        message: str,
        *,
        limit_name: str,
        seconds: float,
        bytes_received: int = 0,
        partial_response: Response | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(
            message, bytes_received=bytes_received, partial_response=partial_response, url=url
        )
        self.limit_name = limit_name
        self.seconds = seconds


class DiskFull(TruncatedTransfer):
    """The disk filled up while a large body was being saved to its temporary file;
    ``bytes_written`` says how much of the body had been written."""

    def __init__(
        self,
        message: str,
        *,
        bytes_written: int,
        bytes_received: int = 0,
        url: str | None = None,
    ) -> None:
        super().__init__(message, bytes_received=bytes_received, url=url)
        self.bytes_written = bytes_written
