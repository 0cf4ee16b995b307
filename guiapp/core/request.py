"""The request model: what the user asked to send, as frozen, comparable values.

``RequestSpec`` is the one currency between the editor widgets, collections, curl import/export,
history and the transport. It holds no live objects (no sessions, no open files), so it can be
pickled, hashed, compared and sent across threads or processes.

Example::

    >>> spec = RequestSpec(url="https://api.example.com/items", params=[("q", "x"), ("q", "y")])
    >>> spec.method, spec.params
    ('GET', (('q', 'x'), ('q', 'y')))
    >>> RequestSpec(url="http://h/", auth=BearerAuth("s3cret"))
    RequestSpec(url='http://h/', method='GET', auth=BearerAuth(token='***'))

Rows the user switched off (unticked) are kept, never sent: ``params``, ``headers``,
``FormBody.fields`` and ``MultipartBody.parts`` are what is sent; ``disabled_params``,
``disabled_headers``, ``FormBody.disabled_fields`` and ``MultipartBody.disabled_parts`` hold
the others with their position among all rows of their table, so the table comes back in
its order::

    >>> spec = RequestSpec(url="http://h/", headers=[("Accept", "*/*")],
    ...                    disabled_headers=[(0, "X-Debug", "1")])
    >>> spec.headers, merge_rows(spec.headers, spec.disabled_headers)
    ((('Accept', '*/*'),), [(('X-Debug', '1'), False), (('Accept', '*/*'), True)])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from guiapp.core.url_mask import mask_url_password

if TYPE_CHECKING:  # request_tests needs this module: a runtime import would be circular
    from guiapp.core.request_tests import RequestTests

__all__ = [
    "DEFAULT_HEADERS_TIMEOUT",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_DECOMPRESSION_RATIO",
    "DEFAULT_TOTAL_TIMEOUT",
    "REDACTED",
    "SECRET_HEADERS",
    "Auth",
    "BasicAuth",
    "BearerAuth",
    "Body",
    "DigestAuth",
    "DisabledPart",
    "DisabledRow",
    "FileBody",
    "FilePart",
    "FormBody",
    "JsonBody",
    "MultipartBody",
    "Pairs",
    "RequestSpec",
    "TextBody",
    "TextPart",
    "Timeout",
    "merge_rows",
    "redact_headers",
    "split_rows",
]

REDACTED = "***"
#: Header names whose values are secrets: never shown in a repr, a log line or an export.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

#: Seconds allowed for a whole exchange (redirects and body included) unless set otherwise.
DEFAULT_TOTAL_TIMEOUT = 300.0
#: Seconds allowed until the response headers are complete (each hop).
DEFAULT_HEADERS_TIMEOUT = 60.0
#: Bytes of decoded response body kept at most (1 GiB).
DEFAULT_MAX_BODY_BYTES = 1 << 30
#: Decoded bytes allowed per byte received for a compressed body (gzip, deflate).
DEFAULT_MAX_DECOMPRESSION_RATIO = 100.0

Pairs: TypeAlias = tuple[tuple[str, str], ...]
Timeout: TypeAlias = float | tuple[float, float]


def _pairs(value: Iterable[tuple[str, str]] | Mapping[str, str] | None) -> Pairs:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


# -- disabled rows -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DisabledRow:
    """A ``(name, value)`` row kept but not sent; ``at`` is its index among all the rows."""

    at: int
    name: str
    value: str


_T = TypeVar("_T")
_D = TypeVar("_D", "DisabledRow", "DisabledPart")


def _rows_disabled(value: Iterable[Any] | None, enabled: int) -> tuple[DisabledRow, ...]:
    out = []
    for item in value or ():
        if isinstance(item, DisabledRow):
            out.append(item)
        else:
            at, name, val = item
            out.append(DisabledRow(int(at), str(name), str(val)))
    return _normalised(out, enabled)


def _normalised(disabled: list[_D], enabled: int) -> tuple[_D, ...]:
    # Positions become the exact indices a merge gives them (sorted, none past the end), so
    # that equal tables make equal specs: split_rows(merge_rows(...)) is the identity.
    ordered = sorted(disabled, key=lambda d: d.at)
    out: list[_D] = []
    for k, item in enumerate(ordered):
        at = max(item.at, out[-1].at + 1) if out else max(item.at, 0)
        at = min(at, enabled + k)
        out.append(item if at == item.at else _with_at(item, at))
    return tuple(out)


def _with_at(item: _D, at: int) -> _D:
    if isinstance(item, DisabledRow):
        return DisabledRow(at, item.name, item.value)
    return DisabledPart(at, item.part)


def merge_rows(
    enabled: Iterable[_T], disabled: Iterable[DisabledRow | DisabledPart]
) -> list[tuple[Any, bool]]:
    """All rows of a table in order, as ``(row, enabled)``; a disabled row is ``(name, value)``
    (or its part, for :class:`DisabledPart`). The inverse of :func:`split_rows`.

    >>> merge_rows([("a", "1")], [DisabledRow(0, "b", "2"), DisabledRow(2, "c", "3")])
    [(('b', '2'), False), (('a', '1'), True), (('c', '3'), False)]
    """
    pending = sorted(disabled, key=lambda d: d.at)
    rows: list[tuple[Any, bool]] = []
    queue = list(enabled)
    i = j = 0
    while i < len(queue) or j < len(pending):
        if j < len(pending) and (pending[j].at <= len(rows) or i >= len(queue)):
            item = pending[j]
            row = (item.name, item.value) if isinstance(item, DisabledRow) else item.part
            rows.append((row, False))
            j += 1
        else:
            rows.append((queue[i], True))
            i += 1
    return rows


def split_rows(
    rows: Iterable[tuple[tuple[str, str], bool]],
) -> tuple[Pairs, tuple[DisabledRow, ...]]:
    """``(enabled pairs, disabled rows)`` of a table given as ``((name, value), enabled)``.

    >>> split_rows([(("a", "1"), True), (("b", "2"), False)])
    ((('a', '1'),), (DisabledRow(at=1, name='b', value='2'),))
    """
    enabled: list[tuple[str, str]] = []
    disabled: list[DisabledRow] = []
    for index, ((name, value), on) in enumerate(rows):
        if on:
            enabled.append((str(name), str(value)))
        else:
            disabled.append(DisabledRow(index, str(name), str(value)))
    return tuple(enabled), tuple(disabled)


def redact_headers(headers: Iterable[tuple[str, str]]) -> Pairs:
    """Return the headers with secret values replaced by ``***``.

    >>> redact_headers([("Authorization", "Bearer x"), ("Accept", "*/*")])
    (('Authorization', '***'), ('Accept', '*/*'))
    """
    return tuple((k, REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers)


# -- bodies --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TextBody:
    """A raw text body sent with ``content_type`` (unless a Content-Type header overrides it)."""

    text: str
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class JsonBody:
    """A JSON body kept as the user's text (formatting preserved); validated before sending."""

    text: str
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class FormBody:
    """An ``application/x-www-form-urlencoded`` body; repeated keys allowed."""

    fields: Pairs = ()
    #: Fields kept but not sent (unticked in the editor).
    disabled_fields: tuple[DisabledRow, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", _pairs(self.fields))
        object.__setattr__(
            self, "disabled_fields", _rows_disabled(self.disabled_fields, len(self.fields))
        )

    def __repr__(self) -> str:
        # Disabled rows only when there are some: most bodies have none.
        extra = f", disabled_fields={self.disabled_fields!r}" if self.disabled_fields else ""
        return f"FormBody(fields={self.fields!r}{extra})"


@dataclass(frozen=True, slots=True)
class TextPart:
    """A plain field of a multipart body."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class FilePart:
    """A file field of a multipart body, read from ``path`` when the request is sent."""

    name: str
    path: str
    filename: str | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class DisabledPart:
    """A multipart part kept but not sent; ``at`` is its index among all the parts."""

    at: int
    part: TextPart | FilePart


@dataclass(frozen=True, slots=True)
class MultipartBody:
    """A ``multipart/form-data`` body made of text and file parts, in order."""

    parts: tuple[TextPart | FilePart, ...] = ()
    #: Parts kept but not sent (unticked in the editor).
    disabled_parts: tuple[DisabledPart, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))
        disabled = [
            d if isinstance(d, DisabledPart) else DisabledPart(int(d[0]), d[1])
            for d in self.disabled_parts
        ]
        object.__setattr__(self, "disabled_parts", _normalised(disabled, len(self.parts)))

    def __repr__(self) -> str:
        extra = f", disabled_parts={self.disabled_parts!r}" if self.disabled_parts else ""
        return f"MultipartBody(parts={self.parts!r}{extra})"


@dataclass(frozen=True, slots=True)
class FileBody:
    """A binary body streamed from the file at ``path``."""

    path: str
    content_type: str | None = None


Body: TypeAlias = TextBody | JsonBody | FormBody | MultipartBody | FileBody


# -- auth ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BasicAuth:
    """HTTP Basic authentication. The password never appears in a repr."""

    username: str
    password: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password={REDACTED!r})"


@dataclass(frozen=True, slots=True)
class DigestAuth:
    """HTTP Digest authentication. The password never appears in a repr."""

    username: str
    password: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"DigestAuth(username={self.username!r}, password={REDACTED!r})"


@dataclass(frozen=True, slots=True)
class BearerAuth:
    """``Authorization: Bearer <token>``. The token never appears in a repr."""

    token: str = field(repr=False)

    def __repr__(self) -> str:
        return f"BearerAuth(token={REDACTED!r})"


Auth: TypeAlias = BasicAuth | DigestAuth | BearerAuth


# -- the request ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class RequestSpec:
    """Everything needed to send one HTTP request. Only ``url`` is required.

    ``params`` and ``headers`` are ordered ``(name, value)`` pairs: repeated keys are allowed and
    header case is kept. Lists, tuples and mappings are accepted and normalised to tuples.
    ``disabled_params`` and ``disabled_headers`` are rows kept but never sent (see the module
    docstring). ``inherit_auth`` means "use the auth of the folder or collection holding this
    request": ``auth`` is then None until :func:`guiapp.core.auth_inherit.apply_parent_auth`
    fills it in before sending. ``timeout`` is seconds, or ``(connect, read)``.
    ``max_body_bytes`` is a hard cap on the (decoded) response body (default 1 GiB); ``None``
    means no cap. ``cert`` is a client certificate path, or ``(cert_path, key_path)``.
    ``verify`` is a bool or a CA bundle path. ``tests`` are the request's checks and captures
    (:class:`~guiapp.core.request_tests.RequestTests`; ``None`` when it has none): they travel
    with the request through the editor, drafts and its file, and are never sent. ``stream``
    shows any body as it arrives (text lines); event streams and NDJSON are streamed whatever it
    says. A streamed body has no read timeout, only the optional ``stream_idle_timeout``
    (seconds without a byte), and no default total deadline: ``stream_total_timeout`` (seconds
    for the whole exchange once the body turns out to be a stream, when ``total_timeout`` keeps
    its default; ``None``, the default, means none) bounds it where an endless stream must end,
    as in a collection run. It is set for a send, never stored with the request.

    Limits against hostile or broken servers (``None`` turns one off):
    ``total_timeout`` (seconds for the whole exchange, redirects and body included; default
    300, turn it off for endless streams), ``headers_timeout`` (seconds until each response's
    headers are complete; default 60) and ``max_decompression_ratio`` (decoded bytes per byte
    received for a gzip/deflate body; default 100). ``use_system_proxy`` (default on) takes the
    proxy from ``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` like curl when ``proxy`` is unset.
    ``sensitive_headers`` names (lower case) the headers whose values came from secret
    variables: like ``Authorization``, they are dropped on a redirect to another host and on an
    https to http downgrade.

    >>> RequestSpec(url="http://h/").total_timeout, RequestSpec(url="http://h/").max_body_bytes
    (300.0, 1073741824)
    """

    url: str
    method: str = "GET"
    params: Pairs = ()
    headers: Pairs = ()
    body: Body | None = None
    auth: Auth | None = None
    timeout: Timeout = 30.0
    follow_redirects: bool = True
    max_redirects: int = 30
    verify: bool | str = True
    cert: str | tuple[str, str] | None = None
    proxy: str | None = None
    max_body_bytes: int | None = DEFAULT_MAX_BODY_BYTES
    disabled_params: tuple[DisabledRow, ...] = ()
    disabled_headers: tuple[DisabledRow, ...] = ()
    inherit_auth: bool = False
    stream: bool = False
    stream_idle_timeout: float | None = None
    stream_total_timeout: float | None = None
    tests: RequestTests | None = None
    total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT
    headers_timeout: float | None = DEFAULT_HEADERS_TIMEOUT
    max_decompression_ratio: float | None = DEFAULT_MAX_DECOMPRESSION_RATIO
    use_system_proxy: bool = True
    sensitive_headers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.tests is not None and not self.tests:  # no checks, no captures: one spelling
            object.__setattr__(self, "tests", None)
        object.__setattr__(self, "method", (self.method or "GET").strip().upper())
        object.__setattr__(self, "params", _pairs(self.params))
        object.__setattr__(self, "headers", _pairs(self.headers))
        disabled_params = _rows_disabled(self.disabled_params, len(self.params))
        object.__setattr__(self, "disabled_params", disabled_params)
        disabled_headers = _rows_disabled(self.disabled_headers, len(self.headers))
        object.__setattr__(self, "disabled_headers", disabled_headers)
        if self.inherit_auth and self.auth is not None:
            raise ValueError("a request that inherits its auth cannot also have its own")
        if isinstance(self.timeout, list):
            object.__setattr__(self, "timeout", tuple(self.timeout))
        if isinstance(self.cert, list):
            object.__setattr__(self, "cert", tuple(self.cert))
        sensitive = sorted({str(name).lower() for name in self.sensitive_headers})
        object.__setattr__(self, "sensitive_headers", tuple(sensitive))

    @property
    def connect_timeout(self) -> float:
        """Seconds allowed to connect."""
        return self.timeout[0] if isinstance(self.timeout, tuple) else self.timeout

    @property
    def read_timeout(self) -> float:
        """Seconds allowed between bytes once connected."""
        return self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout

    def header(self, name: str, default: str | None = None) -> str | None:
        """The last value of header ``name`` (case-insensitive), or ``default``."""
        wanted = name.lower()
        for key, value in reversed(self.headers):
            if key.lower() == wanted:
                return value
        return default

    def without_disabled(self) -> RequestSpec:
        """A copy without the rows that are not sent (what exports and code generation see).

        >>> RequestSpec(url="http://h/", disabled_headers=[(0, "X", "1")]).without_disabled()
        RequestSpec(url='http://h/', method='GET')
        """
        body = self.body
        if isinstance(body, FormBody) and body.disabled_fields:
            body = FormBody(body.fields)
        elif isinstance(body, MultipartBody) and body.disabled_parts:
            body = MultipartBody(body.parts)
        return _replace(self, disabled_params=(), disabled_headers=(), body=body)

    def redacted(self) -> RequestSpec:
        """A copy safe to log or store: secret headers and URL/proxy passwords are masked.

        Auth objects keep their type and user name; passwords and tokens become ``***``.
        """
        auth: Auth | None = self.auth
        if isinstance(auth, BasicAuth):
            auth = BasicAuth(auth.username, REDACTED)
        elif isinstance(auth, DigestAuth):
            auth = DigestAuth(auth.username, REDACTED)
        elif isinstance(auth, BearerAuth):
            auth = BearerAuth(REDACTED)
        disabled_headers = tuple(
            DisabledRow(d.at, d.name, REDACTED if d.name.lower() in SECRET_HEADERS else d.value)
            for d in self.disabled_headers
        )
        return _replace(
            self,
            url=_redact_url_password(self.url) or "",
            headers=redact_headers(self.headers),
            disabled_headers=disabled_headers,
            auth=auth,
            proxy=_redact_url_password(self.proxy),
        )

    def __repr__(self) -> str:
        # Only non-default fields, secrets masked: reprs end up in logs and bug reports.
        safe = self.redacted()
        parts = []
        for f in fields(self):
            value = getattr(safe, f.name)
            if f.name in ("url", "method") or value != f.default:
                parts.append(f"{f.name}={value!r}")
        return f"RequestSpec({', '.join(parts)})"


def _replace(spec: RequestSpec, **changes: Any) -> RequestSpec:
    values = {f.name: getattr(spec, f.name) for f in fields(spec)}
    values.update(changes)
    return RequestSpec(**values)


def _redact_url_password(url: str | None) -> str | None:
    # Only the authority's password: an "@" in the path or query is not userinfo.
    return url if not url else mask_url_password(url, REDACTED)
