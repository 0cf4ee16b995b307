"""Which proxy a request goes through, and where that choice came from.

In order: the request's own ``proxy`` option; else the proxies of a session the caller passed
to ``send``; else, when the request's ``use_system_proxy`` is on (the default), the environment
like curl does (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, lower case too, with
``NO_PROXY`` exceptions; loopback addresses always connect directly, as browsers do). The
choice is made again for each hop of a redirect chain, since ``NO_PROXY`` depends on the host.

SOCKS proxies are refused with a message before any I/O: they need PySocks, and their sockets
would escape the tracking that makes a cancel immediate.

Example::

    >>> choice = choose_proxy(RequestSpec(url="http://h/", proxy="http://u:pw@p:3128"), None,
    ...                       "http://h/")
    >>> choice.shown, choice.source
    ('http://u:***@p:3128', 'request')
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from requests.utils import get_environ_proxies, select_proxy

from guiapp.core.errors import InvalidRequest
from guiapp.core.request import RequestSpec
from guiapp.core.url_mask import mask_url_password

__all__ = ["ProxyChoice", "choose_proxy", "refuse_socks"]

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


@dataclass(frozen=True)
class ProxyChoice:
    """``proxies`` as ``requests`` takes them; ``proxy`` the one used for the URL (or None);
    ``source``: ``"request"``, ``"session"``, ``"environment"`` or ``""``."""

    proxies: dict[str, str] = field(default_factory=dict)
    proxy: str | None = None
    source: str = ""

    @property
    def shown(self) -> str | None:
        """``proxy`` with its password masked, for display."""
        return None if self.proxy is None else mask_url_password(self.proxy, "***")


def choose_proxy(spec: RequestSpec, session: requests.Session | None, url: str) -> ProxyChoice:
    """The proxy for sending ``spec`` to ``url`` (see the module); raises
    :class:`InvalidRequest` for a SOCKS proxy, naming where it came from."""
    if spec.proxy:
        proxies, source = {"http": spec.proxy, "https": spec.proxy}, "request"
    elif session is not None and session.proxies:
        proxies, source = dict(session.proxies), "session"
    elif spec.use_system_proxy and not _is_loopback(url):
        proxies, source = dict(get_environ_proxies(url)), "environment"
    else:
        return ProxyChoice()
    chosen = select_proxy(url, proxies)
    if not chosen:
        return ProxyChoice(proxies)
    refuse_socks(chosen, source)
    return ProxyChoice(proxies, chosen, source)


def refuse_socks(proxy: str, source: str = "request") -> None:
    """Raise :class:`InvalidRequest` if ``proxy`` is a SOCKS proxy."""
    scheme = urlsplit(proxy).scheme.lower()
    if not scheme.startswith("socks"):
        return
    where = {
        "request": "this request's Proxy option",
        "session": "the session's proxies",
        "environment": "the environment (ALL_PROXY, HTTP_PROXY or HTTPS_PROXY)",
    }.get(source, source)
    hint = " or turn off 'Use system proxy' for this request" if source == "environment" else ""
    raise InvalidRequest(
        f"The {scheme}:// proxy from {where} is not supported: use an http:// or https:// "
        f"proxy{hint}.",
        field="proxy",
    )


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
