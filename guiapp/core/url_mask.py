"""Hide the password of a URL's ``user:password@`` and nothing else.

Only the *authority* (what follows ``scheme://`` up to the first ``/``, ``?`` or ``#``) can
hold a password, so an ``@`` in the path, query or fragment is left alone:
``http://127.0.0.1:8000/users/@alice/profile`` is not a URL with credentials, and masking must
not turn it into one that points at host ``alice``. Within the authority, the *last* ``@``
ends the userinfo (a password may itself contain ``@``), and the first ``:`` of the userinfo
starts the password (RFC 3986 §3.2.1).

Example::

    >>> mask_url_password("https://bob:pa:ss@api.example.com:8443/v1/@me?q=@x#@y")
    'https://bob:***@api.example.com:8443/v1/@me?q=@x#@y'
    >>> mask_url_password("http://127.0.0.1:8000/users/@alice/profile")
    'http://127.0.0.1:8000/users/@alice/profile'
    >>> url_password("http://bob:s3cret@h/")
    's3cret'
"""

from __future__ import annotations

import re

__all__ = ["MASK", "mask_url_password", "url_password"]

MASK = "***"

# scheme "://" authority rest; the authority ends at the first "/", "?" or "#".
_URL = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<authority>[^/?#]*)(?P<rest>.*)$", re.S
)


def _split(url: str) -> tuple[str, str, str, str, str] | None:
    """(scheme://, user, password, @host:port, rest) when the URL has a password, else None."""
    match = _URL.match(url)
    if match is None:
        return None
    authority = match["authority"]
    userinfo, at, hostport = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return None
    user, _, password = userinfo.partition(":")
    return match["scheme"], user, password, at + hostport, match["rest"]


def mask_url_password(url: str, mask: str = MASK) -> str:
    """``url`` with the password of its userinfo replaced by ``mask``; every other part
    (scheme, user, host, port, path, query, fragment) unchanged, character for character."""
    parts = _split(url)
    if parts is None:
        return url
    scheme, user, _password, hostport, rest = parts
    return f"{scheme}{user}:{mask}{hostport}{rest}"


def url_password(url: str) -> str | None:
    """The password in ``url``'s userinfo, or None (an empty password is returned as ``""``)."""
    parts = _split(url)
    return None if parts is None else parts[2]
