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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeAlias

from guiapp.core.url_mask import mask_url_password

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "Auth",
    "BasicAuth",
    "BearerAuth",
    "Body",
    "DigestAuth",
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
    "redact_headers",
]

REDACTED = "***"
#: Header names whose values are secrets: never shown in a repr, a log line or an export.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

Pairs: TypeAlias = tuple[tuple[str, str], ...]
Timeout: TypeAlias = float | tuple[float, float]


def _pairs(value: Iterable[tuple[str, str]] | Mapping[str, str] | None) -> Pairs:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", _pairs(self.fields))


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
class MultipartBody:
    """A ``multipart/form-data`` body made of text and file parts, in order."""

    parts: tuple[TextPart | FilePart, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))


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
    ``timeout`` is seconds, or ``(connect, read)``. ``max_body_bytes`` is a hard cap on the
    (decoded) response body; ``None`` means no cap. ``cert`` is a client certificate path, or
    ``(cert_path, key_path)``. ``verify`` is a bool or a CA bundle path.
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
    max_body_bytes: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", (self.method or "GET").strip().upper())
        object.__setattr__(self, "params", _pairs(self.params))
        object.__setattr__(self, "headers", _pairs(self.headers))
        if isinstance(self.timeout, list):
            object.__setattr__(self, "timeout", tuple(self.timeout))
        if isinstance(self.cert, list):
            object.__setattr__(self, "cert", tuple(self.cert))

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
        return _replace(
            self,
            url=_redact_url_password(self.url) or "",
            headers=redact_headers(self.headers),
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
