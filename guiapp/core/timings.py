"""Where the time of one HTTP exchange went: DNS, connect, TLS, send, wait, download.

:func:`guiapp.core.send` measures every hop of a request (the final response and each redirect
in ``Response.history``) and stores a :class:`Timings` as ``Response.timings``. Every duration is
in **seconds** (``time.perf_counter`` differences). The phases are consecutive and cover the
hop exactly, so they add up to :attr:`Timings.total`:

``prepare``
    client work before the network: building the request, taking a pooled connection;
``dns``
    name resolution (``getaddrinfo``); 0 on a reused connection;
``connect``
    the TCP handshake (and, through a proxy, the ``CONNECT`` tunnel); 0 when reused;
``tls``
    the TLS handshake (HTTPS only); 0 over plain HTTP and when reused;
``send``
    writing the request line, headers and body (an upload's duration);
``wait``
    from the request written to the response headers received (the server's time);
``download``
    from the response headers to the end of the body.

Example::

    >>> t = Timings(prepare=0.001, dns=0.002, connect=0.003, tls=0.010, send=0.001,
    ...             wait=0.120, download=0.013, total=0.150)
    >>> [name for name, _ in t.phases() if _ > 0.005]
    ['tls', 'wait', 'download']
    >>> round(sum(d for _, d in t.phases()), 3) == t.total, t.reused
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PHASE_LABELS", "PHASE_NAMES", "Timings"]

PHASE_NAMES: tuple[str, ...] = ("prepare", "dns", "connect", "tls", "send", "wait", "download")
"""The phases in the order they happen (the fields of :class:`Timings`)."""

PHASE_LABELS: dict[str, str] = {
    "prepare": "Prepare",
    "dns": "DNS lookup",
    "connect": "TCP connect",
    "tls": "TLS handshake",
    "send": "Request sent",
    "wait": "Waiting (TTFB)",
    "download": "Content download",
}
"""What a user reads for each phase name."""


@dataclass(frozen=True, slots=True)
class Timings:
    """Per-phase durations of one hop, in seconds; ``reused`` when a pooled connection served it.

    ``total`` is measured (from the start of the hop to the end of its body); the phases are
    consecutive slices of it. With digest authentication the challenge round trip falls inside
    ``send`` (the connection was ready; the request was being answered with a challenge).
    """

    prepare: float = 0.0
    dns: float = 0.0
    connect: float = 0.0
    tls: float = 0.0
    send: float = 0.0
    wait: float = 0.0
    download: float = 0.0
    total: float = 0.0
    reused: bool = False

    def phases(self) -> tuple[tuple[str, float], ...]:
        """``(name, seconds)`` for every phase, in order (names from :data:`PHASE_NAMES`)."""
        return tuple((name, float(getattr(self, name))) for name in PHASE_NAMES)

    @property
    def connection_setup(self) -> float:
        """DNS + connect + TLS: what a reused connection saves."""
        return self.dns + self.connect + self.tls
