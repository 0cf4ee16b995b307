"""The result of :func:`guiapp.core.send`: status, headers, timings and a (maybe spooled) body.

Small bodies live in memory; bodies past the spool threshold live in a temporary file that
:meth:`Response.close` (or the ``with`` block) deletes. A response holds no socket, so it can be
pickled and handed to a process pool: the copy carries the bytes, or the spool file's *path*
(``spool_path``) without owning it, so only the original deletes the file.

Example::

    >>> r = Response(status_code=200, reason="OK", http_version="HTTP/1.1",
    ...              headers=[("Content-Type", "text/plain; charset=utf-8")],
    ...              url="http://h/", body=b"hi")
    >>> r.ok, r.text(), r.headers["content-type"], r.size
    (True, 'hi', 'text/plain; charset=utf-8', 2)
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from requests.structures import CaseInsensitiveDict

from guiapp.core._http_body import sweep_stale_spool_files
from guiapp.core.request import redact_headers
from guiapp.core.streams import StreamSummary
from guiapp.core.timings import Timings

__all__ = ["Headers", "Response", "sweep_stale_spool_files"]


class Headers(CaseInsensitiveDict[str]):
    """Case-insensitive response headers that also keep every raw ``(name, value)`` pair.

    Repeated headers (``Set-Cookie``) are joined with ``", "`` in the mapping view and kept apart
    in :attr:`items_raw`. ``repr`` masks secret values.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.items_raw: tuple[tuple[str, str], ...] = tuple((str(k), str(v)) for k, v in pairs)
        for name, value in self.items_raw:
            self[name] = f"{self[name]}, {value}" if name in self else value

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name``, in order."""
        wanted = name.lower()
        return [v for k, v in self.items_raw if k.lower() == wanted]

    def __repr__(self) -> str:
        return f"Headers({list(redact_headers(self.items_raw))!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (Headers, (self.items_raw,))


class Response:
    """One HTTP response. Any status code is a successful send.

    Attributes: ``status_code``, ``reason``, ``http_version``, ``headers`` (:class:`Headers`),
    ``url`` (final, after redirects), ``history`` (earlier responses of the redirect chain,
    bodiless), ``elapsed`` and ``ttfb`` (seconds), ``size`` (decoded body bytes), ``wire_size``
    (bytes as received, before content decoding), ``partial`` (the body is incomplete),
    ``request_headers`` (what was actually sent, secrets kept: use ``redacted`` views to show),
    ``timings`` (a :class:`~guiapp.core.timings.Timings` per hop: DNS, connect, TLS, send, wait,
    download in seconds; ``None`` for a response that was not measured, e.g. built by hand),
    ``proxy`` (the proxy the last hop went through, password masked, or ``None`` for a direct
    connection), ``proxy_source`` (where that proxy came from: ``"request"`` options,
    the caller's ``"session"``, or the ``"environment"`` (``HTTP(S)_PROXY``); ``""`` if none),
    ``stopped_by`` (for a partial body, the limit that stopped it: ``"total deadline"``,
    ``"max body size"``, ``"max decompression ratio"``; ``""`` when the connection was lost) and
    ``stream`` (a :class:`~guiapp.core.streams.StreamSummary` for a body that was streamed as
    events, else ``None``).
    """

    # Class-level defaults, so responses pickled before these existed still read as None/"".
    timings: Timings | None = None
    proxy: str | None = None
    proxy_source: str = ""
    stopped_by: str = ""
    stream: StreamSummary | None = None

    def __init__(
        self,
        *,
        status_code: int,
        reason: str,
        http_version: str,
        headers: Iterable[tuple[str, str]] | Headers,
        url: str,
        body: bytes = b"",
        spool_path: str | None = None,
        size: int | None = None,
        wire_size: int | None = None,
        history: tuple[Response, ...] = (),
        elapsed: float = 0.0,
        ttfb: float = 0.0,
        partial: bool = False,
        request_headers: Iterable[tuple[str, str]] = (),
        method: str = "GET",
        timings: Timings | None = None,
        proxy: str | None = None,
        proxy_source: str = "",
        stopped_by: str = "",
    ) -> None:
        self.status_code = status_code
        self.reason = reason
        self.http_version = http_version
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.url = url
        self.history = history
        self.elapsed = elapsed
        self.ttfb = ttfb
        self.partial = partial
        self.method = method
        self.timings = timings
        self.proxy = proxy
        self.proxy_source = proxy_source
        self.stopped_by = stopped_by
        self.request_headers: tuple[tuple[str, str], ...] = tuple(request_headers)
        self._body = body
        self._spool_path = spool_path
        self._owns_spool = spool_path is not None
        self.size = size if size is not None else len(body)
        self.wire_size = wire_size if wire_size is not None else self.size

    # -- body access ---------------------------------------------------------------------------
    @property
    def is_spooled(self) -> bool:
        """True when the body lives in a temporary file rather than in memory."""
        return self._spool_path is not None

    @property
    def spool_path(self) -> str | None:
        """Path of the temporary body file (spooled bodies only); valid until :meth:`close`."""
        return self._spool_path

    def open(self) -> IO[bytes]:
        """A new binary stream over the whole body; the caller closes it.

        >>> Response(status_code=204, reason="", http_version="HTTP/1.1", headers=[],
        ...          url="http://h/").open().read()
        b''
        """
        if self._spool_path is None:
            return io.BytesIO(self._body)
        return open(self._spool_path, "rb")

    def body_bytes(self, limit: int | None = None) -> bytes:
        """The body (or its first ``limit`` bytes) as ``bytes``; reads the spool file if any."""
        if self._spool_path is None:
            return self._body if limit is None else self._body[:limit]
        with self.open() as stream:
            return stream.read() if limit is None else stream.read(limit)

    def iter_bytes(self, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        """Yield the body in chunks without loading it whole."""
        with self.open() as stream:
            while chunk := stream.read(chunk_size):
                yield chunk

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased (``""`` if absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset declared in Content-Type, or ``None``."""
        for param in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def encoding(self) -> str:
        """The charset :meth:`text` decodes with: declared, else BOM, JSON, UTF-8 or detected."""
        declared = self.charset
        if declared:
            with contextlib.suppress(LookupError):
                return codecs.lookup(declared).name
        return _detect_encoding(self.body_bytes(limit=1 << 16), self.content_type)

    def text(self, limit: int | None = None, errors: str = "replace") -> str:
        """The body decoded with :attr:`encoding` (the first ``limit`` bytes if given)."""
        data = self.body_bytes(limit)
        encoding = self.encoding
        if encoding == "utf-8" and data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        return data.decode(encoding, errors=errors)

    def json(self) -> Any:
        """The body parsed as JSON (raises :class:`ValueError` if it is not)."""
        return json.loads(self.text(errors="strict"))

    @property
    def ok(self) -> bool:
        """True for status codes below 400."""
        return self.status_code < 400

    @property
    def is_redirect(self) -> bool:
        """True for a 3xx response carrying a Location header."""
        return 300 <= self.status_code < 400 and "location" in self.headers

    # -- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        """Delete the spool file (if this object owns it). Idempotent."""
        path, owns = self._spool_path, self._owns_spool
        self._owns_spool = False
        if path is not None and owns:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            self._spool_path = None
            self._body = b""
        for previous in self.history:
            previous.close()

    def __del__(self) -> None:
        # A response dropped without close() -- e.g. the result of a send whose job was
        # cancelled as it returned -- still deletes the spool file it owns.
        if getattr(self, "_owns_spool", False) and self._spool_path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._spool_path)

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_owns_spool"] = False  # a copy never deletes the original's file
        return state

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__dict__.update(state)

    def redacted_request_headers(self) -> tuple[tuple[str, str], ...]:
        """The request headers as sent, with secret values masked (safe to show or export)."""
        return redact_headers(self.request_headers)

    def __repr__(self) -> str:
        where = "spooled" if self.is_spooled else "in memory"
        flag = ", partial" if self.partial else ""
        return (
            f"<Response {self.status_code} {self.reason} {self.method} {_mask_url(self.url)} "
            f"{self.size} bytes {where}{flag}>"
        )


def _mask_url(url: str) -> str:
    from guiapp.core._http_prepare import mask_url  # late: _http_prepare imports requests' auth

    return mask_url(url)


def _detect_encoding(sample: bytes, content_type: str) -> str:
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if sample.startswith(bom):
            return name
    if content_type.endswith("json"):
        return "utf-8"  # RFC 8259: JSON exchanged between systems is UTF-8
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sample's end is still UTF-8.
        if exc.start < len(sample) - 3:
            return _guess_charset(sample)
    return "utf-8"


def _guess_charset(sample: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - requests always brings it
        return "latin-1"
    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"
