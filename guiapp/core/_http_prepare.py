"""Validate a :class:`RequestSpec` and turn it into a ``requests`` request, before any I/O.

Every check raises :class:`~guiapp.core.errors.InvalidRequest` with a message that says what to
fix. File bodies are opened here (and closed by the caller through :class:`PreparedFiles`), so an
unreadable file is reported before a connection is made.

Example::

    >>> try:
    ...     validate(RequestSpec(url="ftp://h/"))
    ... except InvalidRequest as exc:
    ...     print(exc)
    Unsupported URL scheme 'ftp' in 'ftp://h/': use http or https.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import urlsplit

import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from guiapp.core._http_proxy import refuse_socks
from guiapp.core.errors import InvalidRequest
from guiapp.core.jobs import checkpoint, report_progress
from guiapp.core.request import (
    BasicAuth,
    BearerAuth,
    DigestAuth,
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
)

__all__ = ["PreparedFiles", "build_request", "mask_url", "validate"]

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 field-name / method token
_DEFAULT_ACCEPT_ENCODING = "gzip, deflate"  # what send() can stream-decode with a size cap


def validate(spec: RequestSpec) -> None:
    """Raise :class:`InvalidRequest` if ``spec`` cannot be sent; never touches the network."""
    _validate_url(spec.url)
    if not _TOKEN.match(spec.method):
        raise InvalidRequest(f"Invalid HTTP method {spec.method!r}.", field="method", url=spec.url)
    for name, value in spec.headers:
        _validate_header(name, value, spec.url)
    for name, value in spec.params:
        if "\r" in name or "\n" in name:
            raise InvalidRequest(
                f"Query parameter name {name!r} contains a line break.", field="params"
            )
        del value  # values are percent-encoded: any character is safe
    timeouts = spec.timeout if isinstance(spec.timeout, tuple) else (spec.timeout,)
    if any(t is None or t <= 0 for t in timeouts):
        raise InvalidRequest("Timeouts must be positive numbers of seconds.", field="timeout")
    if spec.stream_idle_timeout is not None and spec.stream_idle_timeout <= 0:
        raise InvalidRequest(
            "The stream idle limit must be a positive number of seconds (or none).",
            field="stream_idle_timeout",
        )
    if spec.max_redirects < 0:
        raise InvalidRequest("max_redirects cannot be negative.", field="max_redirects")
    if spec.max_body_bytes is not None and spec.max_body_bytes < 0:
        raise InvalidRequest("max_body_bytes cannot be negative.", field="max_body_bytes")
    if isinstance(spec.verify, str) and not os.path.exists(spec.verify):
        raise InvalidRequest(f"CA bundle not found: {spec.verify}", field="verify")
    for path in (spec.cert,) if isinstance(spec.cert, str) else spec.cert or ():
        _check_readable(path, "Client certificate", "cert")
    if spec.proxy:
        refuse_socks(spec.proxy)
        proxy = urlsplit(spec.proxy)
        if proxy.scheme not in ("http", "https") or not proxy.hostname:
            raise InvalidRequest(
                f"Invalid proxy URL {mask_url(spec.proxy)!r}: use http://host:port.", field="proxy"
            )
    for limit, amount in (
        ("total_timeout", spec.total_timeout),
        ("headers_timeout", spec.headers_timeout),
        ("max_decompression_ratio", spec.max_decompression_ratio),
    ):
        if amount is not None and not amount > 0:
            raise InvalidRequest(
                f"{limit} must be a positive number (or off), not {amount!r}.", field=limit
            )
    if spec.auth is not None:
        secret = spec.auth.token if isinstance(spec.auth, BearerAuth) else spec.auth.username
        if "\r" in secret or "\n" in secret:
            raise InvalidRequest("Credentials cannot contain line breaks.", field="auth")
    _validate_body(spec)


def _validate_url(url: str) -> None:
    if not url or not url.strip():
        raise InvalidRequest(
            "The URL is empty: enter an address such as https://host/path.", field="url"
        )
    if url != url.strip() or any(c in url for c in " \t\r\n"):
        raise InvalidRequest(
            f"The URL {url!r} contains whitespace: remove or encode it as %20.",
            field="url",
            url=url,
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidRequest(f"Malformed URL {url!r}: {exc}.", field="url", url=url) from None
    if not parts.scheme or "://" not in url:
        raise InvalidRequest(
            f"The URL {url!r} has no scheme: start it with http:// or https://.",
            field="url",
            url=url,
        )
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidRequest(
            f"Unsupported URL scheme {parts.scheme!r} in {url!r}: use http or https.",
            field="url",
            url=url,
        )
    if not parts.hostname:
        raise InvalidRequest(f"The URL {url!r} has no host name.", field="url", url=url)
    if port == 0:
        raise InvalidRequest(f"The URL {url!r} has port 0.", field="url", url=url)
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        raise InvalidRequest(
            f"The host name {parts.hostname!r} is not valid.", field="url", url=url
        ) from None


def _validate_header(name: str, value: str, url: str) -> None:
    if "\r" in name or "\n" in name or "\r" in value or "\n" in value:
        where = "name" if ("\r" in name or "\n" in name) else "value"
        raise InvalidRequest(
            f"Header {name.strip()!r} has a line break in its {where}: header values must be "
            "one line (a CR or LF would inject extra headers).",
            field="headers",
            url=url,
        )
    if not _TOKEN.match(name):
        raise InvalidRequest(
            f"Invalid header name {name!r}: use letters, digits and - only (no spaces or ':').",
            field="headers",
            url=url,
        )
    if "\0" in value:
        raise InvalidRequest(f"Header {name!r} contains a NUL character.", field="headers")


def _validate_body(spec: RequestSpec) -> None:
    body = spec.body
    if isinstance(body, JsonBody):
        try:
            json.loads(body.text)
        except json.JSONDecodeError as exc:
            raise InvalidRequest(
                f"The JSON body is invalid at line {exc.lineno}, column {exc.colno}: {exc.msg}.",
                field="body",
                url=spec.url,
            ) from None
    elif isinstance(body, FileBody):
        _check_readable(body.path, "Body file", "body")
    elif isinstance(body, MultipartBody):
        for part in body.parts:
            if isinstance(part, FilePart):
                _check_readable(part.path, f"File for form field {part.name!r}", "body")


def _check_readable(path: str, what: str, field: str) -> None:
    if not os.path.exists(path):
        raise InvalidRequest(f"{what} not found: {path}", field=field)
    if os.path.isdir(path):
        raise InvalidRequest(f"{what} is a folder, not a file: {path}", field=field)
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise InvalidRequest(
            f"{what} cannot be read: {path} ({exc.strerror})", field=field
        ) from None


def mask_url(url: str) -> str:
    """``url`` with the password of its userinfo (if any) replaced by ``***``."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return url
    return url.replace(f":{password}@", ":***@", 1) if password else url


class _ProgressFile:
    """A body file that reports upload progress and honours cancellation between reads."""

    def __init__(self, stream: IO[bytes], total: int) -> None:
        self._stream = stream
        self._total = total
        self._done = 0

    def __len__(self) -> int:
        return self._total

    def read(self, size: int = -1) -> bytes:
        checkpoint()
        data = self._stream.read(size)
        self._done += len(data)
        report_progress(self._done, self._total, phase="upload")
        return data


class PreparedFiles:
    """Files opened for one request's body; closed by :meth:`close` (or ``with``)."""

    def __init__(self) -> None:
        self._streams: list[IO[bytes]] = []

    def open(self, path: str, what: str) -> IO[bytes]:
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise InvalidRequest(
                f"{what} cannot be read: {path} ({exc.strerror})", field="body"
            ) from None
        self._streams.append(stream)
        return stream

    def close(self) -> None:
        for stream in self._streams:
            with contextlib.suppress(OSError):
                stream.close()
        self._streams.clear()

    def __enter__(self) -> PreparedFiles:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def build_request(spec: RequestSpec, files: PreparedFiles) -> requests.Request:
    """The ``requests.Request`` for a validated ``spec``; file bodies are opened in ``files``."""
    headers: dict[str, str] = {}
    for name, value in spec.headers:
        # requests takes a mapping: repeated request headers are folded as RFC 9110 allows.
        existing = next((k for k in headers if k.lower() == name.lower()), None)
        if existing is None:
            headers[name] = value
        else:
            headers[existing] = f"{headers[existing]}, {value}"
    if spec.header("accept-encoding") is None:
        headers["Accept-Encoding"] = _DEFAULT_ACCEPT_ENCODING
    kwargs: dict[str, Any] = {"params": list(spec.params)}
    body = spec.body
    content_type: str | None = None
    if isinstance(body, TextBody | JsonBody):
        kwargs["data"] = body.text.encode("utf-8")
        content_type = body.content_type
    elif isinstance(body, FormBody):
        kwargs["data"] = list(body.fields)
    elif isinstance(body, FileBody):
        stream = files.open(body.path, "Body file")
        kwargs["data"] = _ProgressFile(stream, os.fstat(stream.fileno()).st_size)
        content_type = body.content_type or "application/octet-stream"
    elif isinstance(body, MultipartBody):
        parts: list[tuple[str, Any]] = []
        for part in body.parts:
            if isinstance(part, FilePart):
                stream = files.open(part.path, f"File for form field {part.name!r}")
                filename = part.filename or os.path.basename(part.path)
                if part.content_type:
                    parts.append((part.name, (filename, stream, part.content_type)))
                else:
                    parts.append((part.name, (filename, stream)))
            else:
                parts.append((part.name, (None, part.value.encode("utf-8"))))
        kwargs["files"] = parts
    if content_type and spec.header("content-type") is None:
        headers["Content-Type"] = content_type
    auth: Callable[..., Any] | None = None
    if isinstance(spec.auth, BasicAuth):
        auth = HTTPBasicAuth(spec.auth.username, spec.auth.password)
    elif isinstance(spec.auth, DigestAuth):
        auth = HTTPDigestAuth(spec.auth.username, spec.auth.password)
    elif isinstance(spec.auth, BearerAuth) and spec.header("authorization") is None:
        headers["Authorization"] = f"Bearer {spec.auth.token}"
    return requests.Request(spec.method, spec.url, headers=headers, auth=auth, **kwargs)
