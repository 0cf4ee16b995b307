"""The curl options :func:`guiapp.core.parse_curl` understands, and what each one does.

Three kinds: options that shape the request (applied to the parse state), options that only
change what curl prints or where it saves output (accepted and ignored: they do not change the
request), and everything else, which is refused by name rather than silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from guiapp.core._curl_data import DataPiece, parse_form_option, urlencode_option
from guiapp.core.errors import InvalidRequest
from guiapp.core.request import TextPart

if TYPE_CHECKING:
    from guiapp.core.curl import _Parsed

__all__ = ["Option", "apply", "long_option", "short_option"]

Handler = Callable[["_Parsed", str], None]


@dataclass(frozen=True, slots=True)
class Option:
    """A known option: its long name, whether it takes a value, and what it does (None: ignored)."""

    name: str
    takes_value: bool
    handler: Handler | None = None


def _number(option: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise InvalidRequest(
            f"--{option}: expected a number, got {value!r}", field="curl"
        ) from None
    if seconds < 0:
        raise InvalidRequest(f"--{option}: must not be negative, got {value!r}", field="curl")
    return seconds


def _integer(option: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidRequest(
            f"--{option}: expected an integer, got {value!r}", field="curl"
        ) from None


def _header(p: _Parsed, value: str) -> None:
    if value.startswith("@"):
        raise InvalidRequest("-H @file (headers read from a file) is not supported", field="curl")
    name, colon, rest = value.partition(":")
    if colon:
        if rest.strip():
            p.headers.append((name.strip(), rest.strip()))
        # "Name:" with nothing after it removes a header curl would add: nothing to send.
    elif value.rstrip().endswith(";"):
        p.headers.append((value.rstrip()[:-1].strip(), ""))  # "Name;" sends an empty header
    else:
        raise InvalidRequest(f"-H {value!r}: expected 'Name: value'", field="headers")


def _data(opaque: bool = False, strip: bool = True, files: bool = True) -> Handler:
    def handler(p: _Parsed, value: str) -> None:
        if files and value.startswith("@"):
            p.data.append(DataPiece(file=value[1:], opaque=opaque, strip_newlines=strip))
        else:
            p.data.append(DataPiece(text=value, opaque=opaque))

    return handler


def _data_urlencode(p: _Parsed, value: str) -> None:
    p.data.append(DataPiece(text=urlencode_option(value)))


def _json(p: _Parsed, value: str) -> None:
    p.json = True
    _data(opaque=False, strip=False)(p, value)


def _form(p: _Parsed, value: str) -> None:
    p.parts.append(parse_form_option(value))


def _form_string(p: _Parsed, value: str) -> None:
    name, eq, content = value.partition("=")
    if not eq:
        raise InvalidRequest(f"--form-string {value!r}: expected name=value", field="curl")
    p.parts.append(TextPart(name, content))


def _url_query(p: _Parsed, value: str) -> None:
    p.query.append(value[1:] if value.startswith("+") else urlencode_option(value, "--url-query"))


def _cookie(p: _Parsed, value: str) -> None:
    if "=" not in value:
        raise InvalidRequest(
            f"-b {value!r}: reading cookies from a file is not supported; "
            "paste them as 'name=value; name2=value2'",
            field="curl",
        )
    p.headers.append(("Cookie", value))


def _set(attr: str, constant: object) -> Handler:
    def handler(p: _Parsed, value: str) -> None:
        setattr(p, attr, constant)

    return handler


def _store(attr: str, convert: Callable[[str, str], object] | None = None) -> Handler:
    def handler(p: _Parsed, value: str) -> None:
        setattr(p, attr, convert(attr.replace("_", "-"), value) if convert else value)

    return handler


def _method(p: _Parsed, value: str) -> None:
    p.method = value.strip().upper()


def _range(p: _Parsed, value: str) -> None:
    p.headers.append(("Range", f"bytes={value}"))


def _referer(p: _Parsed, value: str) -> None:
    referer = value.removesuffix(";auto")
    if referer:
        p.headers.append(("Referer", referer))


def _header_setter(name: str) -> Handler:
    def handler(p: _Parsed, value: str) -> None:
        p.headers.append((name, value))

    return handler


_F = False
_V = True
_TABLE: list[tuple[str, str, bool, Handler | None]] = [
    # short, long, takes a value, handler (None: accepted and ignored)
    ("X", "request", _V, _method),
    ("H", "header", _V, _header),
    ("d", "data", _V, _data()),
    ("", "data-ascii", _V, _data()),
    ("", "data-raw", _V, _data(files=False)),
    ("", "data-binary", _V, _data(opaque=True, strip=False)),
    ("", "data-urlencode", _V, _data_urlencode),
    ("", "json", _V, _json),
    ("F", "form", _V, _form),
    ("", "form-string", _V, _form_string),
    ("T", "upload-file", _V, _store("upload")),
    ("G", "get", _F, _set("get", True)),
    ("I", "head", _F, _set("head", True)),
    ("", "url", _V, lambda p, v: p.urls.append(v)),
    ("", "url-query", _V, _url_query),
    ("u", "user", _V, _store("user")),
    ("", "digest", _F, _set("digest", True)),
    ("", "basic", _F, _set("digest", False)),
    ("", "oauth2-bearer", _V, _store("bearer")),
    ("b", "cookie", _V, _cookie),
    ("A", "user-agent", _V, _header_setter("User-Agent")),
    ("e", "referer", _V, _referer),
    ("r", "range", _V, _range),
    ("k", "insecure", _F, _set("insecure", True)),
    ("", "cacert", _V, _store("cacert")),
    ("E", "cert", _V, _store("cert")),
    ("", "key", _V, _store("key")),
    ("L", "location", _F, _set("follow", True)),
    ("", "location-trusted", _F, _set("follow", True)),
    ("", "max-redirs", _V, _store("max_redirs", _integer)),
    ("m", "max-time", _V, _store("max_time", _number)),
    ("", "connect-timeout", _V, _store("connect_timeout", _number)),
    ("x", "proxy", _V, _store("proxy")),
    ("", "max-filesize", _V, _store("max_filesize", _integer)),
    # Output, progress and transport details that do not change the request.
    ("s", "silent", _F, None), ("S", "show-error", _F, None), ("v", "verbose", _F, None),
    ("i", "include", _F, None), ("f", "fail", _F, None), ("", "fail-with-body", _F, None),
    ("N", "no-buffer", _F, None), ("O", "remote-name", _F, None), ("#", "progress-bar", _F, None),
    ("g", "globoff", _F, None), ("", "compressed", _F, None), ("", "http1.0", _F, None),
    ("", "http1.1", _F, None), ("", "http2", _F, None), ("", "http2-prior-knowledge", _F, None),
    ("", "http3", _F, None), ("4", "ipv4", _F, None), ("6", "ipv6", _F, None),
    ("", "no-progress-meter", _F, None), ("", "tcp-nodelay", _F, None),
    ("J", "remote-header-name", _F, None),
    ("", "no-keepalive", _F, None), ("", "raw", _F, None), ("", "path-as-is", _F, None),
    ("", "post301", _F, None), ("", "post302", _F, None), ("", "post303", _F, None),
    ("Z", "parallel", _F, None), ("q", "disable", _F, None), ("", "create-dirs", _F, None),
    ("", "ssl-reqd", _F, None), ("", "no-sessionid", _F, None), ("", "styled-output", _F, None),
    ("o", "output", _V, None), ("w", "write-out", _V, None), ("D", "dump-header", _V, None),
    ("c", "cookie-jar", _V, None), ("", "retry", _V, None), ("", "retry-delay", _V, None),
    ("", "retry-max-time", _V, None), ("", "stderr", _V, None), ("", "trace", _V, None),
    ("", "trace-ascii", _V, None), ("", "limit-rate", _V, None), ("", "keepalive-time", _V, None),
    ("", "output-dir", _V, None), ("", "retry-all-errors", _F, None), ("", "ssl", _F, None),
]  # fmt: skip

_LONG = {name: Option(name, takes, handler) for _s, name, takes, handler in _TABLE}
_SHORT = {short: _LONG[name] for short, name, _t, _h in _TABLE if short}
# Boolean switches that curl also accepts negated (--no-location...).
_NEGATABLE = {
    "location": ("follow", False),
    "insecure": ("insecure", False),
    "get": ("get", False),
    "compressed": None,
    "digest": ("digest", False),
}


def long_option(name: str) -> Option | None:
    """The option ``--name`` (or its ``--no-name`` negation), or None if unknown."""
    if name in _LONG:
        return _LONG[name]
    base = name.removeprefix("no-")
    if base != name and base in _NEGATABLE:
        target = _NEGATABLE[base]
        return Option(name, False, _set(*target) if target else None)
    return None


def short_option(letter: str) -> Option | None:
    """The option ``-letter``, or None if unknown."""
    return _SHORT.get(letter)


def apply(option: Option, value: str | None, parsed: _Parsed) -> None:
    """Run ``option``'s effect on the parse state (ignored options do nothing)."""
    if option.handler is not None:
        option.handler(parsed, value or "")
