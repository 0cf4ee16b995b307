"""Header values the demo builds from user input, made safe to send.

Several endpoints echo query arguments into response headers (``/redirect-to?url=`` into
``Location``, ``/cookies/set?k=v`` into ``Set-Cookie``). A CR or LF in such a value would end
the header early and let the caller write headers of their own (response splitting; the red
team stored an injected cookie through ``/redirect-to?url=/get%0d%0aSet-Cookie:...``).
Locations are percent-encoded, cookie names must be RFC 6265 tokens, and
:meth:`DemoHandler.start` refuses any header value that still holds a control character.

Example::

    >>> safe_location("/get\\r\\nSet-Cookie: evil=1")
    '/get%0D%0ASet-Cookie:%20evil=1'
    >>> cookie_name("session"), header_problem("X-Ok", "fine")
    ('session', None)
    >>> header_problem("Location", "/a\\nb")
    'the Location header value contains a control character (CR, LF or NUL)'
"""

from __future__ import annotations

import re
from urllib.parse import quote

from guiapp.demo._routing import BadRequest

__all__ = ["cookie_name", "header_problem", "safe_location"]

# Everything a URL legitimately contains stays as written; controls, spaces and non-ASCII are
# percent-encoded, which is what browsers do with a Location they receive.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def safe_location(url: str) -> str:
    """``url`` with every character that cannot appear in a header percent-encoded."""
    return quote(url, safe=_URL_SAFE)


def cookie_name(name: str) -> str:
    """``name`` if it is a valid cookie name (an RFC 6265 token), else :class:`BadRequest`."""
    if not _TOKEN.fullmatch(name):
        raise BadRequest(
            f"cookie name {name[:40]!r} is not allowed: use letters, digits and !#$%&'*+-.^_`|~"
        )
    return name


def header_problem(name: str, value: str) -> str | None:
    """Why ``name: value`` cannot be sent as is, or None."""
    if not _NAME.fullmatch(name):
        return f"the header name {name[:40]!r} is not a valid token"
    if _CONTROL.search(value):
        return f"the {name} header value contains a control character (CR, LF or NUL)"
    return None
