"""The client's cookie jar: what servers set, listed, removed, and kept between runs.

An API client keeps the cookies a server sets (a login's session cookie) and sends them back on
the next request to that server, like a browser. ``requests.Session`` already does the sending
and the storing (``Set-Cookie`` of every response, redirects included); this module is what an
application needs around it: a plain, secret-safe view of the jar for a cookie manager, removal
of one cookie or of a whole site, and persistence in a private file (mode 0600, written
atomically) so that a login survives a restart.

Cookie values are credentials: :class:`StoredCookie` never shows its value in ``repr``, and the
file is readable by its owner only.

Example::

    >>> import requests
    >>> jar = requests.cookies.RequestsCookieJar()
    >>> jar.set("sid", "s3cr3t", domain="api.example.com", path="/")
    Cookie(...)
    >>> [c.name for c in list_cookies(jar)]
    ['sid']
    >>> list_cookies(jar)[0]
    StoredCookie(domain='api.example.com', path='/', name='sid', value='***', ...)
    >>> remove_cookies(jar, domain="api.example.com")
    1
    >>> list_cookies(jar)
    []
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from http.cookiejar import Cookie, CookieJar
from pathlib import Path
from typing import Any

from requests.cookies import RequestsCookieJar, create_cookie

from guiapp.core.atomic import atomic_write_text
from guiapp.core.cookie_jar import BoundedCookieJar
from guiapp.core.request import REDACTED

__all__ = [
    "COOKIE_FILE_VERSION",
    "CookieFileError",
    "StoredCookie",
    "list_cookies",
    "load_cookies",
    "remove_cookies",
    "save_cookies",
]

#: Schema version of the cookie file; a newer file is refused rather than misread.
COOKIE_FILE_VERSION = 1


class CookieFileError(Exception):
    """The cookie file cannot be read or is not a cookie file (the message says why)."""


@dataclass(frozen=True)
class StoredCookie:
    """One cookie of the jar, as a cookie manager shows it; ``expires`` is a Unix time or None
    for a session cookie. ``repr`` hides the value."""

    domain: str
    path: str
    name: str
    value: str = field(repr=False)
    expires: float | None = None
    secure: bool = False
    http_only: bool = False

    def __repr__(self) -> str:
        return (
            f"StoredCookie(domain={self.domain!r}, path={self.path!r}, name={self.name!r}, "
            f"value={REDACTED!r}, expires={self.expires!r}, secure={self.secure!r}, "
            f"http_only={self.http_only!r})"
        )

    @property
    def is_session(self) -> bool:
        """True for a cookie without an expiry date (a browser drops it when it closes)."""
        return self.expires is None

    @classmethod
    def from_cookie(cls, cookie: Cookie) -> StoredCookie:
        rest = {key.lower() for key in getattr(cookie, "_rest", {})}
        return cls(
            domain=cookie.domain,
            path=cookie.path,
            name=cookie.name,
            value=cookie.value or "",
            expires=None if cookie.expires is None else float(cookie.expires),
            secure=bool(cookie.secure),
            http_only="httponly" in rest,
        )

    def to_cookie(self) -> Cookie:
        rest = {"HttpOnly": None} if self.http_only else {}
        cookie: Cookie = create_cookie(  # type: ignore[no-untyped-call]
            self.name,
            self.value,
            domain=self.domain,
            path=self.path,
            expires=None if self.expires is None else int(self.expires),
            secure=self.secure,
            rest=rest,
        )
        return cookie


def list_cookies(jar: CookieJar, *, now: float | None = None) -> list[StoredCookie]:
    """The unexpired cookies of ``jar``, sorted by domain (without a leading dot), path, name."""
    moment = time.time() if now is None else now
    with _locked(jar):
        cookies = [
            StoredCookie.from_cookie(cookie)
            for cookie in list(jar)
            if not cookie.is_expired(int(moment))
        ]
    return sorted(cookies, key=lambda c: (c.domain.lstrip("."), c.path, c.name))


def remove_cookies(
    jar: CookieJar, *, domain: str | None = None, path: str | None = None, name: str | None = None
) -> int:
    """Remove the cookies matching every given field (none given: all); return how many.

    ``domain`` matches with or without the leading dot that marks a domain cookie.
    """
    with _locked(jar):
        doomed = [
            cookie
            for cookie in list(jar)
            if (domain is None or cookie.domain.lstrip(".") == domain.lstrip("."))
            and (path is None or cookie.path == path)
            and (name is None or cookie.name == name)
        ]
        for cookie in doomed:
            jar.clear(cookie.domain, cookie.path, cookie.name)
    return len(doomed)


def _locked(jar: CookieJar) -> AbstractContextManager[object]:
    """The jar's own lock, so that a listing or a removal sees one consistent state while worker
    threads store cookies (``http.cookiejar.CookieJar`` takes this re-entrant lock around every
    change it makes). A private member of the standard library, checked by the test suite; if
    it ever moves, listing works unlocked (a cookie arriving meanwhile may be missed once)."""
    lock = getattr(jar, "_cookies_lock", None)
    return lock if lock is not None else contextlib.nullcontext()


def save_cookies(jar: CookieJar, path: str | os.PathLike[str]) -> int:
    """Write the unexpired cookies of ``jar`` to ``path`` (JSON, mode 0600, atomic); return
    how many. Session cookies are kept too: an API client's login should survive a restart."""
    cookies = list_cookies(jar)
    document = {"version": COOKIE_FILE_VERSION, "cookies": [asdict(c) for c in cookies]}
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, json.dumps(document, indent=1) + "\n", mode=0o600)
    return len(cookies)


def load_cookies(path: str | os.PathLike[str], *, now: float | None = None) -> RequestsCookieJar:
    """The jar saved at ``path``, without the cookies that expired since; an empty jar if there
    is no file. Raises :class:`CookieFileError` for a file that is not a readable cookie file.

    The jar is a :class:`~guiapp.core.cookie_jar.BoundedCookieJar`: a file holding more than its
    limits (written by hand, or before they existed) keeps the newest cookies."""
    jar = BoundedCookieJar()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return jar
    except (OSError, UnicodeDecodeError) as exc:
        raise CookieFileError(f"cannot read the cookie file {path}: {exc}") from exc
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise CookieFileError(f"the cookie file {path} is not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("cookies"), list):
        raise CookieFileError(f"the cookie file {path} has no list of cookies")
    version = document.get("version")
    if not isinstance(version, int) or version > COOKIE_FILE_VERSION:
        raise CookieFileError(
            f"the cookie file {path} has version {version!r}; this guiapp reads up to "
            f"{COOKIE_FILE_VERSION}"
        )
    moment = time.time() if now is None else now
    for number, entry in enumerate(document["cookies"], 1):
        cookie = _parse_entry(entry, number, path)
        if cookie.expires is None or cookie.expires > moment:
            jar.set_cookie(cookie.to_cookie())
    return jar


def _parse_entry(entry: Any, number: int, path: str | os.PathLike[str]) -> StoredCookie:
    where = f"cookie {number} in {path}"
    if not isinstance(entry, dict):
        raise CookieFileError(f"{where} is not an object")
    texts = {}
    for key in ("domain", "path", "name", "value"):
        value = entry.get(key)
        if not isinstance(value, str):
            raise CookieFileError(f"{where} has no text {key!r}")
        texts[key] = value
    expires = entry.get("expires")
    if expires is not None and not isinstance(expires, int | float):
        raise CookieFileError(f"{where} has an 'expires' that is not a number")
    return StoredCookie(
        **texts,
        expires=None if expires is None else float(expires),
        secure=bool(entry.get("secure", False)),
        http_only=bool(entry.get("http_only", False)),
    )
