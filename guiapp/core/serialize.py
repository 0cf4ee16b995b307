"""RequestSpec <-> plain JSON-compatible dicts, versioned, exact round trip.

History stores and collection files both persist requests; they share this one format so that a
request saved anywhere comes back identical (``spec_from_dict(spec_to_dict(s)) == s``). The
dict holds only ``str``/``int``/``float``/``bool``/``None``/``list``/``dict`` values, so
``json.dumps`` accepts it as is. Tuples become lists; body and auth objects become tagged dicts
(``{"type": "json", ...}``).

Rows switched off in the editor are written only when there are some, as lists of objects
with their position among all rows (``"disabled_headers": [{"at": 1, "name": "X-Debug",
"value": "1"}]``; ``disabled_fields`` and ``disabled_parts`` inside a form or multipart body).
A request that inherits the auth of its folder or collection has ``"auth": {"type":
"inherit"}``. Readers that predate these keys ignore the rows (and refuse the auth type).
Checks and captures, when there are some, are under ``"tests"`` in their TOML form
(``{"checks": [...], "captures": [...]}``, see :mod:`guiapp.core.request_tests`).

Limits (``max_body_bytes``, ``total_timeout``, ``headers_timeout``,
``max_decompression_ratio``) are a number, or ``false`` when the user turned the limit off; a
missing key (or ``null``, which older versions wrote for "no body cap") means the default, so
requests saved before a limit existed get it. ``sensitive_headers`` (the lower-case names of
headers whose values came from secret variables) is written only when there are some.

Loading validates every field and raises :class:`SpecFormatError` (a ``ValueError``) with a
message naming the bad field. Missing optional keys take the ``RequestSpec`` defaults, so a
hand-written collection file may omit them. A dict written by a newer format version is
rejected rather than half-understood.

Example::

    >>> from guiapp.core.request import BearerAuth, JsonBody, RequestSpec
    >>> spec = RequestSpec(url="http://h/", method="POST", body=JsonBody('{"a": 1}'),
    ...                    auth=BearerAuth("t0k"), timeout=(3.0, 10.0))
    >>> d = spec_to_dict(spec)
    >>> d["body"], d["timeout"]
    ({'type': 'json', 'text': '{"a": 1}', 'content_type': 'application/json'}, [3.0, 10.0])
    >>> spec_from_dict(d) == spec
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from guiapp.core.request import (
    DEFAULT_HEADERS_TIMEOUT,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_DECOMPRESSION_RATIO,
    DEFAULT_TOTAL_TIMEOUT,
    Auth,
    BasicAuth,
    BearerAuth,
    Body,
    DigestAuth,
    DisabledPart,
    DisabledRow,
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    Pairs,
    RequestSpec,
    TextBody,
    TextPart,
    Timeout,
)
from guiapp.core.request_tests import RequestTests, TestsFormatError, parse_tests, tests_to_document

__all__ = [
    "DISABLED_KEYS",
    "FORMAT_VERSION",
    "SpecFormatError",
    "spec_from_dict",
    "spec_to_dict",
]

#: Bumped when the dict layout changes incompatibly; readers accept this version and older ones.
FORMAT_VERSION = 1

_T = TypeVar("_T")
#: Keys of the request dict written only when they hold rows (or names).
DISABLED_KEYS = ("disabled_params", "disabled_headers", "sensitive_headers")


class SpecFormatError(ValueError):
    """A stored request could not be read back; the message names the offending field."""


# -- writing -------------------------------------------------------------------------------------
def spec_to_dict(spec: RequestSpec) -> dict[str, Any]:
    """Return ``spec`` as a JSON-compatible dict (see the module docstring)."""
    timeout: Any = list(spec.timeout) if isinstance(spec.timeout, tuple) else spec.timeout
    cert: Any = list(spec.cert) if isinstance(spec.cert, tuple) else spec.cert
    out: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "url": spec.url,
        "method": spec.method,
        "params": [[k, v] for k, v in spec.params],
        "headers": [[k, v] for k, v in spec.headers],
        "body": _body_to_dict(spec.body),
        "auth": {"type": "inherit"} if spec.inherit_auth else _auth_to_dict(spec.auth),
        "timeout": timeout,
        "follow_redirects": spec.follow_redirects,
        "max_redirects": spec.max_redirects,
        "verify": spec.verify,
        "cert": cert,
        "proxy": spec.proxy,
        "max_body_bytes": _limit_out(spec.max_body_bytes),
        "total_timeout": _limit_out(spec.total_timeout),
        "headers_timeout": _limit_out(spec.headers_timeout),
        "max_decompression_ratio": _limit_out(spec.max_decompression_ratio),
        "use_system_proxy": spec.use_system_proxy,
    }
    if spec.sensitive_headers:
        out["sensitive_headers"] = list(spec.sensitive_headers)
    if spec.stream:
        out["stream"] = True
    if spec.stream_idle_timeout is not None:
        out["stream_idle_timeout"] = spec.stream_idle_timeout
    if spec.disabled_params:
        out["disabled_params"] = _disabled_to_list(spec.disabled_params)
    if spec.disabled_headers:
        out["disabled_headers"] = _disabled_to_list(spec.disabled_headers)
    if spec.tests:
        out["tests"] = tests_to_document(spec.tests)
    return out


def _limit_out(value: float | None) -> float | bool:
    return False if value is None else value


def _disabled_to_list(rows: tuple[DisabledRow, ...]) -> list[dict[str, Any]]:
    return [{"at": d.at, "name": d.name, "value": d.value} for d in rows]


def _body_to_dict(body: Body | None) -> dict[str, Any] | None:
    if body is None:
        return None
    if isinstance(body, TextBody):
        return {"type": "text", "text": body.text, "content_type": body.content_type}
    if isinstance(body, JsonBody):
        return {"type": "json", "text": body.text, "content_type": body.content_type}
    if isinstance(body, FormBody):
        form: dict[str, Any] = {"type": "form", "fields": [[k, v] for k, v in body.fields]}
        if body.disabled_fields:
            form["disabled_fields"] = _disabled_to_list(body.disabled_fields)
        return form
    if isinstance(body, MultipartBody):
        multi: dict[str, Any] = {
            "type": "multipart",
            "parts": [_part_to_dict(p) for p in body.parts],
        }
        if body.disabled_parts:
            multi["disabled_parts"] = [
                {"at": d.at, **_part_to_dict(d.part)} for d in body.disabled_parts
            ]
        return multi
    if isinstance(body, FileBody):
        return {"type": "file", "path": body.path, "content_type": body.content_type}
    raise TypeError(f"unknown body type {type(body).__name__}")


def _part_to_dict(part: TextPart | FilePart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "name": part.name, "value": part.value}
    return {
        "type": "file",
        "name": part.name,
        "path": part.path,
        "filename": part.filename,
        "content_type": part.content_type,
    }


def _auth_to_dict(auth: Auth | None) -> dict[str, Any] | None:
    if auth is None:
        return None
    if isinstance(auth, BasicAuth):
        return {"type": "basic", "username": auth.username, "password": auth.password}
    if isinstance(auth, DigestAuth):
        return {"type": "digest", "username": auth.username, "password": auth.password}
    if isinstance(auth, BearerAuth):
        return {"type": "bearer", "token": auth.token}
    raise TypeError(f"unknown auth type {type(auth).__name__}")


# -- reading -------------------------------------------------------------------------------------
def spec_from_dict(data: Mapping[str, Any]) -> RequestSpec:
    """Rebuild a RequestSpec from :func:`spec_to_dict` output; raise SpecFormatError if invalid."""
    if not isinstance(data, Mapping):
        raise SpecFormatError(f"request: expected an object, got {type(data).__name__}")
    version = data.get("version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SpecFormatError(f"version: expected a positive integer, got {version!r}")
    if version > FORMAT_VERSION:
        raise SpecFormatError(
            f"version: request format {version} is newer than this app understands "
            f"({FORMAT_VERSION}); update the app"
        )
    if "url" not in data:
        raise SpecFormatError("url: missing")
    auth = data.get("auth")
    inherit = isinstance(auth, Mapping) and auth.get("type") == "inherit"
    return RequestSpec(
        url=_get(data, "url", str),
        method=_get(data, "method", str, "GET"),
        params=_pairs(data.get("params", []), "params"),
        headers=_pairs(data.get("headers", []), "headers"),
        body=_body_from_dict(data.get("body")),
        auth=None if inherit else _auth_from_dict(auth),
        inherit_auth=inherit,
        disabled_params=_disabled(data.get("disabled_params", []), "disabled_params"),
        disabled_headers=_disabled(data.get("disabled_headers", []), "disabled_headers"),
        timeout=_timeout(data.get("timeout", 30.0)),
        follow_redirects=_get(data, "follow_redirects", bool, True),
        max_redirects=_get(data, "max_redirects", int, 30),
        verify=_verify(data.get("verify", True)),
        cert=_cert(data.get("cert")),
        proxy=_optional(data, "proxy", str),
        max_body_bytes=_limit(data, "max_body_bytes", int, DEFAULT_MAX_BODY_BYTES),
        total_timeout=_limit(data, "total_timeout", float, DEFAULT_TOTAL_TIMEOUT),
        headers_timeout=_limit(data, "headers_timeout", float, DEFAULT_HEADERS_TIMEOUT),
        max_decompression_ratio=_limit(
            data, "max_decompression_ratio", float, DEFAULT_MAX_DECOMPRESSION_RATIO
        ),
        use_system_proxy=_get(data, "use_system_proxy", bool, True),
        sensitive_headers=_names(data.get("sensitive_headers", []), "sensitive_headers"),
        stream=_get(data, "stream", bool, False),
        stream_idle_timeout=_optional(data, "stream_idle_timeout", float),
        tests=_tests(data.get("tests")),
    )


def _tests(value: Any) -> RequestTests | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise SpecFormatError(f"tests: expected an object, got {type(value).__name__}")
    try:
        return parse_tests(value)
    except TestsFormatError as exc:
        raise SpecFormatError(f"tests: {exc}") from None


def _check(value: Any, kind: type[_T], where: str) -> _T:
    # bool is an int subclass: refuse it where an int is expected, and ints where a float is.
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # type: ignore[return-value]  # JSON writes 30.0 as 30 sometimes
    if not ok:
        raise SpecFormatError(f"{where}: expected {kind.__name__}, got {value!r}")
    return value  # type: ignore[no-any-return]


def _get(data: Mapping[str, Any], key: str, kind: type[_T], *default: _T) -> _T:
    if key not in data:
        if default:
            return default[0]
        raise SpecFormatError(f"{key}: missing")
    return _check(data[key], kind, key)


def _optional(data: Mapping[str, Any], key: str, kind: type[_T]) -> _T | None:
    value = data.get(key)
    return None if value is None else _check(value, kind, key)


def _limit(data: Mapping[str, Any], key: str, kind: type[_T], default: _T) -> _T | None:
    value = data.get(key)
    if value is None:
        return default  # absent: written before the limit existed (or by hand)
    if value is False:
        return None  # the user turned the limit off
    checked = _check(value, kind, key)
    if checked < 0:  # type: ignore[operator]
        raise SpecFormatError(f"{key}: expected a number >= 0 or false, got {value!r}")
    return checked


def _names(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise SpecFormatError(f"{where}: expected a list of header names, got {value!r}")
    return tuple(_check(item, str, f"{where}[{i}]") for i, item in enumerate(value))


def _pairs(value: Any, where: str) -> Pairs:
    if not isinstance(value, list | tuple):
        raise SpecFormatError(f"{where}: expected a list of [name, value] pairs, got {value!r}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise SpecFormatError(f"{where}[{i}]: expected [name, value], got {item!r}")
        out.append((_check(item[0], str, f"{where}[{i}]"), _check(item[1], str, f"{where}[{i}]")))
    return tuple(out)


def _disabled(value: Any, where: str) -> tuple[DisabledRow, ...]:
    if not isinstance(value, list | tuple):
        raise SpecFormatError(
            f"{where}: expected a list of {{at, name, value}} rows, got {value!r}"
        )
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise SpecFormatError(f"{where}[{i}]: expected {{at, name, value}}, got {item!r}")
        at = _get(item, "at", int, 0)
        if at < 0:
            raise SpecFormatError(f"{where}[{i}].at: expected a position >= 0, got {at}")
        out.append(DisabledRow(at, _get(item, "name", str, ""), _get(item, "value", str, "")))
    return tuple(out)


def _timeout(value: Any) -> Timeout:
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise SpecFormatError(f"timeout: expected seconds or [connect, read], got {value!r}")
        return (_check(value[0], float, "timeout"), _check(value[1], float, "timeout"))
    return _check(value, float, "timeout")


def _verify(value: Any) -> bool | str:
    if isinstance(value, bool | str):
        return value
    raise SpecFormatError(f"verify: expected a boolean or a CA bundle path, got {value!r}")


def _cert(value: Any) -> str | tuple[str, str] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and len(value) == 2:
        return (_check(value[0], str, "cert"), _check(value[1], str, "cert"))
    raise SpecFormatError(f"cert: expected a path or [cert, key], got {value!r}")


def _tagged(value: Any, where: str) -> tuple[str, Mapping[str, Any]]:
    if not isinstance(value, Mapping):
        raise SpecFormatError(f"{where}: expected an object, got {value!r}")
    kind = value.get("type")
    if not isinstance(kind, str):
        raise SpecFormatError(f"{where}.type: missing")
    return kind, value


def _body_from_dict(value: Any) -> Body | None:
    if value is None:
        return None
    kind, d = _tagged(value, "body")
    if kind == "text":
        return TextBody(
            _get(d, "text", str), _get(d, "content_type", str, TextBody("").content_type)
        )
    if kind == "json":
        return JsonBody(
            _get(d, "text", str), _get(d, "content_type", str, JsonBody("").content_type)
        )
    if kind == "form":
        return FormBody(
            _pairs(d.get("fields", []), "body.fields"),
            _disabled(d.get("disabled_fields", []), "body.disabled_fields"),
        )
    if kind == "multipart":
        parts = d.get("parts", [])
        if not isinstance(parts, list | tuple):
            raise SpecFormatError(f"body.parts: expected a list, got {parts!r}")
        off = d.get("disabled_parts", [])
        if not isinstance(off, list | tuple):
            raise SpecFormatError(f"body.disabled_parts: expected a list, got {off!r}")
        return MultipartBody(
            tuple(_part_from_dict(p, f"body.parts[{i}]") for i, p in enumerate(parts)),
            tuple(_disabled_part(p, i) for i, p in enumerate(off)),
        )
    if kind == "file":
        return FileBody(_get(d, "path", str), _optional(d, "content_type", str))
    raise SpecFormatError(f"body.type: unknown body type {kind!r}")


def _disabled_part(value: Any, index: int) -> DisabledPart:
    where = f"body.disabled_parts[{index}]"
    part = _part_from_dict(value, where)
    at = _get(value, "at", int, 0)
    if at < 0:
        raise SpecFormatError(f"{where}.at: expected a position >= 0, got {at}")
    return DisabledPart(at, part)


def _part_from_dict(value: Any, where: str) -> TextPart | FilePart:
    kind, d = _tagged(value, where)
    if kind == "text":
        return TextPart(_get(d, "name", str), _get(d, "value", str, ""))
    if kind == "file":
        return FilePart(
            _get(d, "name", str),
            _get(d, "path", str),
            _optional(d, "filename", str),
            _optional(d, "content_type", str),
        )
    raise SpecFormatError(f"{where}.type: unknown part type {kind!r}")


_AUTH: dict[str, Callable[[Mapping[str, Any]], Auth]] = {
    "basic": lambda d: BasicAuth(_get(d, "username", str), _get(d, "password", str, "")),
    "digest": lambda d: DigestAuth(_get(d, "username", str), _get(d, "password", str, "")),
    "bearer": lambda d: BearerAuth(_get(d, "token", str)),
}


def _auth_from_dict(value: Any) -> Auth | None:
    if value is None:
        return None
    kind, d = _tagged(value, "auth")
    if kind not in _AUTH:
        raise SpecFormatError(f"auth.type: unknown auth type {kind!r}")
    return _AUTH[kind](d)
