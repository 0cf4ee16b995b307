"""Translate ``requests``/``urllib3`` exceptions into :mod:`guiapp.core.errors` with clear text.

``requests`` wraps the real cause several levels deep (``ConnectionError`` → ``MaxRetryError`` →
``NewConnectionError`` → ``ConnectionRefusedError``); :func:`translate` walks that chain and
picks the most specific user-facing error.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests
import urllib3.exceptions as u3

from guiapp.core.errors import (
    ConnectionFailed,
    ConnectionLost,
    ConnectionRefused,
    ConnectTimeout,
    DNSFailure,
    MalformedResponse,
    ProxyFailure,
    ReadTimeout,
    TLSError,
    TLSVerificationError,
    TransportError,
)

__all__ = ["host_of", "is_bad_chunking", "is_timeout", "translate"]


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for attr in ("reason", "__cause__", "__context__"):
            nxt = getattr(current, attr, None)
            if isinstance(nxt, BaseException):
                todo.append(nxt)
        todo.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))


def _find(
    exc: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...]
) -> BaseException | None:
    return next((e for e in _chain(exc) if isinstance(e, kind)), None)


def is_bad_chunking(exc: BaseException) -> bool:
    """True if ``exc`` comes from invalid chunked transfer encoding (not a dropped connection)."""
    if _find(exc, u3.InvalidChunkLength):
        return True
    # http.client reads chunk sizes with int(line, 16): garbage surfaces as this ValueError.
    return any(isinstance(e, ValueError) and "base 16" in str(e) for e in _chain(exc))


def is_timeout(exc: BaseException) -> bool:
    """True if ``exc`` is (or wraps) a socket read timeout."""
    return _find(exc, (u3.ReadTimeoutError, TimeoutError)) is not None


def host_of(url: str) -> str:
    """``host:port`` of ``url``, for messages."""
    return _host(url)


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or url
    return f"{host}:{parts.port}" if parts.port else host


def translate(
    exc: BaseException, url: str, *, read_timeout: float, connect_timeout: float
) -> TransportError:
    """The :class:`TransportError` that explains ``exc`` (raised while sending to ``url``)."""
    host = _host(url)
    if isinstance(exc, requests.exceptions.ProxyError) or _find(exc, u3.ProxyError):
        return ProxyFailure(f"The proxy failed while connecting to {host}: {_leaf(exc)}", url=url)
    if _find(exc, (u3.NameResolutionError, socket.gaierror)):
        name = urlsplit(url).hostname or url
        return DNSFailure(
            f"Could not resolve host name {name!r}: check the spelling or your network.", url=url
        )
    if _find(exc, ConnectionRefusedError):
        return ConnectionRefused(
            f"Connection refused by {host}: is the server running and the port right?", url=url
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout) or _find(exc, u3.ConnectTimeoutError):
        return ConnectTimeout(
            f"Could not connect to {host} within {connect_timeout:g} s (connect timeout).",
            url=url,
        )
    verify = _find(exc, ssl.SSLCertVerificationError)
    if verify is not None:
        assert isinstance(verify, ssl.SSLCertVerificationError)
        reason = verify.verify_message or verify.reason or str(verify)
        return TLSVerificationError(
            f"The TLS certificate of {host} could not be verified: {reason}. Trust its CA "
            "(a CA bundle) or turn verification off for this request.",
            host=urlsplit(url).hostname or host,
            reason=str(reason),
            url=url,
        )
    if isinstance(exc, requests.exceptions.SSLError) or _find(exc, ssl.SSLError):
        return TLSError(f"The TLS handshake with {host} failed: {_leaf(exc)}", url=url)
    if isinstance(exc, requests.exceptions.ReadTimeout | u3.ReadTimeoutError) or _find(
        exc, (u3.ReadTimeoutError, TimeoutError)
    ):
        return ReadTimeout(f"{host} sent nothing for {read_timeout:g} s (read timeout).", url=url)
    if _find(exc, http.client.RemoteDisconnected) or _find(exc, ConnectionResetError):
        return ConnectionLost(f"{host} closed the connection before sending a response.", url=url)
    if is_bad_chunking(exc):
        return MalformedResponse(f"{host} sent invalid chunked encoding.", url=url)
    bad = _find(exc, (http.client.HTTPException, u3.HeaderParsingError))
    if bad is not None:
        return MalformedResponse(f"{host} sent a malformed response: {_describe(bad)}", url=url)
    if _find(exc, (u3.NewConnectionError, ConnectionError, OSError)):
        return ConnectionFailed(f"Could not connect to {host}: {_leaf(exc)}", url=url)
    return TransportError(f"The request to {host} failed: {_leaf(exc)}", url=url)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, http.client.LineTooLong):
        return f"a header line is too long ({exc})."
    if isinstance(exc, http.client.BadStatusLine):
        return f"invalid status line {getattr(exc, 'line', str(exc))!r}."
    text = str(exc).strip() or type(exc).__name__
    if "more than" in text and "headers" in text:
        return f"too many headers ({text})."
    return text


def _leaf(exc: BaseException) -> str:
    last = exc
    for item in _chain(exc):
        last = item
    return str(last) or type(last).__name__
