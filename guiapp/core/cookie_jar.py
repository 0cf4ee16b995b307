"""A cookie jar with a browser's limits and a policy that refuses cookies meant for too many sites.

Servers are not trusted to be reasonable:

* :class:`GuardedCookiePolicy` refuses a ``Domain`` attribute that would send a cookie to other
  sites: on an IP address (``Domain=.0.0.1`` set by 127.0.0.1 would reach 10.0.0.1) and on a
  public suffix (``Domain=.co.uk``, ``Domain=.github.io``), judged by the Public Suffix List of
  the ``publicsuffixlist`` package. A ``Domain`` equal to the request's host is kept. It also
  never sends a stored domain cookie to an IP address other than its own (files written before
  this policy existed).
* :class:`BoundedCookieJar` keeps at most :data:`MAX_COOKIES_PER_DOMAIN` cookies per domain and
  :data:`MAX_COOKIES` in all, the oldest going first, as browsers do, and refuses a cookie whose
  name and value are longer than :data:`MAX_COOKIE_SIZE` characters.

Example::

    >>> jar = BoundedCookieJar(per_domain=2)
    >>> for name in ("a", "b", "c"):
    ...     _ = jar.set(name, "1", domain="api.example.com", path="/")
    >>> sorted(c.name for c in jar)
    ['b', 'c']
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import logging
import threading
from http.cookiejar import Cookie, CookieJar, CookiePolicy, DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList
from requests.cookies import RequestsCookieJar

__all__ = [
    "MAX_COOKIES",
    "MAX_COOKIES_PER_DOMAIN",
    "MAX_COOKIE_SIZE",
    "BoundedCookieJar",
    "GuardedCookiePolicy",
]

_log = logging.getLogger(__name__)

#: Cookies kept per domain (browsers: Chrome 180, Firefox 180); the oldest go first.
MAX_COOKIES_PER_DOMAIN = 180
#: Cookies kept in all (Chrome: 3000).
MAX_COOKIES = 3000
#: Longest cookie kept, in characters of its name and value (browsers: 4096 bytes).
MAX_COOKIE_SIZE = 4096


@functools.cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # parses the list shipped with the package: once per process


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _site(key: tuple[str, str, str]) -> str:
    return key[0].lstrip(".").lower()


def _host(request: Any) -> str:
    return (urlsplit(request.get_full_url()).hostname or "").lower()


class GuardedCookiePolicy(DefaultCookiePolicy):
    """``DefaultCookiePolicy``, refusing ``Domain`` cookies for IP addresses and public suffixes.

    >>> from urllib.request import Request
    >>> from http.cookiejar import Cookie
    >>> def cookie(domain):
    ...     return Cookie(0, "n", "v", None, False, domain, True, domain.startswith("."),
    ...                   "/", False, False, None, False, None, None, {})
    >>> policy = GuardedCookiePolicy()
    >>> policy.set_ok(cookie(".0.0.1"), Request("http://127.0.0.1/"))
    False
    >>> policy.set_ok(cookie(".co.uk"), Request("http://shop.co.uk/"))
    False
    >>> policy.set_ok(cookie(".shop.co.uk"), Request("http://www.shop.co.uk/"))
    True
    """

    def set_ok_domain(self, cookie: Cookie, request: Any) -> bool:
        if not super().set_ok_domain(cookie, request):
            return False
        if not cookie.domain_specified:
            return True
        host = _host(request)
        domain = cookie.domain.lstrip(".").lower()
        if domain == host:
            return True
        if _is_ip(host) or _is_ip(domain):
            _log.debug("refused cookie %r: Domain=%s set by %s", cookie.name, domain, host)
            return False
        if _suffixes().is_public(domain):
            _log.debug("refused cookie %r: Domain=%s is a public suffix", cookie.name, domain)
            return False
        return True

    def return_ok_domain(self, cookie: Cookie, request: Any) -> bool:
        host = _host(request)
        if _is_ip(host) and cookie.domain.lstrip(".").lower() != host:
            return False  # only the IP address that set it, whatever an old file says
        return bool(super().return_ok_domain(cookie, request))


class BoundedCookieJar(RequestsCookieJar):
    """A :class:`requests.cookies.RequestsCookieJar` with browser limits (see the module).

    ``policy`` defaults to a :class:`GuardedCookiePolicy`.
    """

    def __init__(
        self,
        policy: CookiePolicy | None = None,
        *,
        per_domain: int = MAX_COOKIES_PER_DOMAIN,
        total: int = MAX_COOKIES,
        max_size: int = MAX_COOKIE_SIZE,
    ) -> None:
        super().__init__(policy if policy is not None else GuardedCookiePolicy())
        self.per_domain = per_domain
        self.total = total
        self.max_size = max_size
        self._bounds_lock = threading.RLock()
        self._next = 0
        #: (domain, path, name) -> arrival number: the order in which to evict.
        self._arrival: dict[tuple[str, str, str], int] = {}
        self._counts: dict[str, int] = {}

    def set_cookie(self, cookie: Cookie, *args: Any, **kwargs: Any) -> None:
        if len(cookie.name) + len(cookie.value or "") > self.max_size:
            _log.debug("refused cookie %r: longer than %d characters", cookie.name, self.max_size)
            return
        with self._bounds_lock:
            super().set_cookie(cookie, *args, **kwargs)
            key = (cookie.domain, cookie.path, cookie.name)
            if key not in self._arrival:  # a replaced cookie keeps its age, as in browsers
                self._arrival[key] = self._next
                self._next += 1
                site = _site(key)
                self._counts[site] = self._counts.get(site, 0) + 1
            self._enforce(_site(key))

    def _enforce(self, site: str) -> None:
        if self._counts.get(site, 0) <= self.per_domain and len(self._arrival) <= self.total:
            return
        self._resync()  # cookies removed by other means (clear, expiry) must not count
        extra = self._counts.get(site, 0) - self.per_domain
        if extra > 0:
            same = sorted((k for k in self._arrival if _site(k) == site), key=self._age)
            for key in same[:extra]:
                self._evict(key)
        extra = len(self._arrival) - self.total
        if extra > 0:
            for key in sorted(self._arrival, key=self._age)[:extra]:
                self._evict(key)

    def _age(self, key: tuple[str, str, str]) -> int:
        return self._arrival[key]

    def _resync(self) -> None:
        present = {(c.domain, c.path, c.name) for c in list(CookieJar.__iter__(self))}
        arrival = {k: v for k, v in self._arrival.items() if k in present}
        for key in present - arrival.keys():
            arrival[key] = -1  # loaded without set_cookie: older than anything seen
        self._arrival = arrival
        self._counts = {}
        for key in arrival:
            self._counts[_site(key)] = self._counts.get(_site(key), 0) + 1

    def _evict(self, key: tuple[str, str, str]) -> None:
        del self._arrival[key]
        self._counts[_site(key)] -= 1
        with contextlib.suppress(KeyError):  # already gone (expired and cleared)
            CookieJar.clear(self, *key)

    def clear(
        self, domain: str | None = None, path: str | None = None, name: str | None = None
    ) -> None:
        with self._bounds_lock:
            super().clear(domain, path, name)
            if domain is not None and path is not None and name is not None:
                key = (domain, path, name)
                if self._arrival.pop(key, None) is not None:
                    self._counts[_site(key)] -= 1
            else:
                self._resync()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_cookies_lock", None)  # locks do not pickle: made anew by __setstate__
        state.pop("_bounds_lock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cookies_lock = threading.RLock()
        self._bounds_lock = threading.RLock()

    def copy(self) -> BoundedCookieJar:
        """A copy with the same policy and limits."""
        new = BoundedCookieJar(
            self.get_policy(), per_domain=self.per_domain, total=self.total, max_size=self.max_size
        )
        new.update(self)
        return new
