"""Timestamps of one request hop, taken by our connection classes; turned into :class:`Timings`.

The tracking connections of :mod:`guiapp.core._http_adapter` already find the request running
in the current context (its :class:`~guiapp.core._http_adapter.SocketTracker`); each tracker
carries a :class:`PhaseClock` that they stamp as the exchange goes: name resolved, TCP
connected, tunnel made, TLS done, request started and written, response headers in. The
transport starts the clock for each hop and stamps the end of the body. A stamp is one
``perf_counter()`` call and an attribute store: nothing measurable per request.

Example::

    clock = PhaseClock()
    clock.start()
    ...                       # the connection classes call clock.stamp("dns_end") etc.
    timings = clock.finish()  # a Timings; the clock is ready for the next hop
"""

from __future__ import annotations

import time

from guiapp.core.timings import Timings

__all__ = ["PhaseClock"]

_now = time.perf_counter


class PhaseClock:
    """Stamps of the hop in progress (``None`` until reached). Used by one thread at a time."""

    __slots__ = (
        "connect_called",
        "connect_end",
        "dns_end",
        "dns_start",
        "first_byte",
        "request_start",
        "sent",
        "started",
        "tls_end",
        "tunnel_end",
    )

    def __init__(self) -> None:
        self.started: float | None = None
        self._reset()

    def _reset(self) -> None:
        self.connect_called: float | None = None
        self.dns_start: float | None = None
        self.dns_end: float | None = None
        self.connect_end: float | None = None
        self.tunnel_end: float | None = None
        self.tls_end: float | None = None
        self.request_start: float | None = None
        self.sent: float | None = None
        self.first_byte: float | None = None

    def start(self, at: float | None = None) -> None:
        """A new hop begins (``at``: its start, default now); earlier stamps are dropped."""
        self._reset()
        self.started = _now() if at is None else at

    def stamp(self, name: str) -> None:
        """Record that ``name`` (one of the slots) happened now."""
        setattr(self, name, _now())

    def finish(self, at: float | None = None) -> Timings | None:
        """The :class:`Timings` of the hop ended ``at`` (default now), or ``None`` if no
        request went out through a tracking connection (nothing to measure), or if a fresh
        connection was made without the resolver's stamps (a private hook of urllib3 moved:
        the phases are unavailable rather than wrong)."""
        end = _now() if at is None else at
        started = self.started
        if started is None or self.sent is None:
            return None
        if self.connect_called is not None and self.dns_start is None:
            self.started = None
            return None
        reused = self.dns_start is None and self.connect_end is None
        # Each phase runs from the previous boundary to its own stamp, so the phases tile
        # [started, end] exactly; a missing stamp (reused connection) makes its phase 0.
        boundary = started
        values: list[float] = []
        first = self.dns_start if self.dns_start is not None else self.request_start
        for stamp in (
            first,
            self.dns_end,
            self.tunnel_end if self.tunnel_end is not None else self.connect_end,
            self.tls_end,
            self.sent,
            self.first_byte,
            end,
        ):
            if stamp is None or stamp <= boundary:
                values.append(0.0)
                continue
            values.append(stamp - boundary)
            boundary = stamp
        prepare, dns, connect, tls, send, wait, download = values
        self.started = None
        return Timings(
            prepare=prepare,
            dns=dns,
            connect=connect,
            tls=tls,
            send=send,
            wait=wait,
            download=download,
            total=max(0.0, end - started),
            reused=reused,
        )
