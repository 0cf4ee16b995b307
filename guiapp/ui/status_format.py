"""Text for the status line and the progress bar: sizes, durations, speed and ETA.

Pure functions plus :class:`TransferMeter`, which turns a series of progress values into a
smoothed speed and an ETA. No widgets here, so all of it is unit-testable without Qt.

>>> format_bytes(4200)
'4.2 kB'
>>> format_duration(0.1234)
'123 ms'
>>> progress_text(Progress(500_000, 1_000_000, {"phase": "download"}), 250_000.0)
'Downloading 500.0 kB of 1.0 MB · 250.0 kB/s · 2 s left'
>>> short_target("GET", "http://127.0.0.1:8765/users?page=2")
'GET /users?page=2'

The window's status line says what *happened* (:func:`event_text`: "Sent GET /users in
120 ms · 12:04:31", "Cancelled … after 1.2 s · 30 kB received"); the response panel's summary
stays the authoritative display of the status code, timings and size, so the two never repeat
each other.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from guiapp.core import errors
from guiapp.core.jobs import Progress

__all__ = [
    "TransferMeter",
    "clock_text",
    "error_title",
    "event_text",
    "format_bytes",
    "format_duration",
    "progress_text",
    "sending_text",
    "short_target",
    "status_kind",
    "status_text",
    "url_with_params",
]


def format_bytes(count: float) -> str:
    """A human size in SI units (kB = 1000 bytes, as browsers' network panels show).

    >>> format_bytes(0), format_bytes(999), format_bytes(1_500_000)
    ('0 B', '999 B', '1.5 MB')
    """
    if count < 1000:
        return f"{int(count)} B"
    for unit in ("kB", "MB", "GB"):
        count /= 1000.0
        if count < 1000 or unit == "GB":
            return f"{count:.1f} {unit}"
    raise AssertionError("unreachable")


def format_duration(seconds: float) -> str:
    """``123 ms`` below 10 s, ``12.3 s`` above.

    >>> format_duration(12.34)
    '12.3 s'
    """
    if seconds < 10:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s"


def _eta(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s left"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s left"


def progress_text(progress: Progress, speed: float | None) -> str:
    """Bytes done (of total), speed and ETA: the progress bar's text."""
    phase = progress.info.get("phase", "download")
    verb = "Uploading" if phase == "upload" else "Downloading"
    text = f"{verb} {format_bytes(progress.done)}"
    if progress.total:
        text += f" of {format_bytes(progress.total)}"
    if speed:
        text += f" · {format_bytes(speed)}/s"
        if progress.total and progress.total > progress.done:
            text += f" · {_eta((progress.total - progress.done) / speed)}"
    return text


def status_kind(status_code: int) -> str:
    """The ``state`` property the stylesheet colours the status line by.

    >>> status_kind(204), status_kind(302), status_kind(404), status_kind(503)
    ('ok', 'redirect', 'client-error', 'server-error')
    """
    if status_code >= 500:
        return "server-error"
    if status_code >= 400:
        return "client-error"
    if status_code >= 300:
        return "redirect"
    return "ok"


def status_text(response: Any) -> str:
    """``200 OK · 123 ms · 4.2 kB`` for a :class:`~guiapp.core.response.Response`."""
    parts = [f"{response.status_code} {response.reason}".strip()]
    parts.append(format_duration(response.elapsed))
    parts.append(format_bytes(response.size))
    if getattr(response, "partial", False):
        parts.append("partial body")
    return " · ".join(parts)


def url_with_params(url: str, params: Any = ()) -> str:
    """``url`` with the (name, value) ``params`` added to its query, as they are sent.

    >>> url_with_params("http://h/a?x=1", [("y", "2")])
    'http://h/a?x=1&y=2'
    """
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(list(params))


def short_target(method: str, url: str, params: Any = (), limit: int = 60) -> str:
    """``GET /path?query`` (the host only when there is no path), elided in the middle;
    ``params`` (name, value) pairs are added to the query as they are sent.

    >>> short_target("HEAD", "https://example.com")
    'HEAD example.com/'
    >>> short_target("GET", "http://h/get", [("a", "1"), ("b", "x y")])
    'GET /get?a=1&b=x+y'
    >>> len(short_target("GET", "http://h/" + "a" * 200))
    64
    """
    url = url_with_params(url, params)
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket: show what the user typed
        parts = None
    if parts is None or not parts.netloc:
        target = url
    elif parts.path in ("", "/") and not parts.query:
        target = f"{parts.netloc}/"
    else:
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
    if len(target) > limit:
        half = (limit - 1) // 2
        target = f"{target[:half]}…{target[-(limit - 1 - half) :]}"
    return f"{method} {target}"


def clock_text(at: float) -> str:
    """Local wall-clock time ``HH:MM:SS`` of the epoch timestamp ``at``."""
    return time.strftime("%H:%M:%S", time.localtime(at))


# Most specific first: a user reads a short, plain title, never a Python class name.
_ERROR_TITLES: tuple[tuple[type[BaseException], str], ...] = (
    (errors.InvalidRequest, "Invalid request"),
    (errors.DNSFailure, "Host not found"),
    (errors.ConnectionRefused, "Connection refused"),
    (errors.ConnectTimeout, "Connect timeout"),
    (errors.ProxyFailure, "Proxy failed"),
    (errors.TLSVerificationError, "Certificate not trusted"),
    (errors.TLSError, "TLS handshake failed"),
    (errors.ConnectionFailed, "Could not connect"),
    (errors.ReadTimeout, "Read timeout"),
    (errors.TooManyRedirects, "Too many redirects"),
    (errors.MalformedResponse, "Invalid HTTP response"),
    (errors.ConnectionLost, "Connection lost"),
    (errors.BodyTooLarge, "Response too large"),
    (errors.DeadlineExceeded, "Deadline exceeded"),
    (errors.DiskFull, "Disk full"),
    (errors.TransportError, "Network error"),
    (errors.RequestError, "Request failed"),
)


_FIELDS = {
    "url": "URL",
    "headers": "headers",
    "body": "body",
    "auth": "Auth settings",
    "secrets": "fields marked *** (re-enter their secrets)",
    "proxy": "Proxy option",
    "total_timeout": "total deadline (Options)",
    "headers_timeout": "headers deadline (Options)",
    "max_decompression_ratio": "max decompression ratio (Options)",
}


def error_title(exc: BaseException) -> str:
    """A short plain-language title for a failed send (the message says the details).

    >>> error_title(errors.DNSFailure("...")), error_title(KeyError("x"))
    ('Host not found', 'Unexpected error')
    """
    for kind, title in _ERROR_TITLES:
        if isinstance(exc, kind):
            return title
    return "Unexpected error"


def sending_text(progress: Progress | None, elapsed: float, *, cancellable: bool = True) -> str:
    """The status line while sending: which phase, how far, for how long, how to stop it.

    ``cancellable=False`` (the GUI-thread strategy, which freezes the window while it sends)
    promises no Esc: nothing, Esc included, is handled until the response arrives.

    Phases as the transport reports them: ``connecting`` (from the start of each hop until
    something else is known: the connection, and the wait for the response headers),
    ``upload`` (the request body going out), ``waiting`` (sent: waiting for the headers),
    ``download`` (the body arriving). A body of unknown length shows the bytes received and
    the speed as text (an indeterminate progress bar shows neither).

    >>> sending_text(None, 0.01)
    'Starting · 10 ms · Esc cancels'
    >>> sending_text(Progress(0, None, {"phase": "connecting", "url": "http://h:81/x"}), 1.5)
    'Connecting to h:81, then waiting for the response headers · 1500 ms · Esc cancels'
    >>> sending_text(Progress(100, 100, {"phase": "upload"}), 2.0)
    'Request sent, waiting for the response headers · 2000 ms · Esc cancels'
    >>> sending_text(Progress(10_000, 40_000, {"phase": "download", "speed": 5000.0}), 12.0)
    'Receiving 10.0 kB of 40.0 kB · 5.0 kB/s · 12.0 s · Esc cancels'
    >>> sending_text(Progress(10_000, None, {"phase": "download", "speed": 5000.0}), 12.0)
    'Receiving 10.0 kB (length unknown) · 5.0 kB/s · 12.0 s · Esc cancels'
    >>> sending_text(None, 0.05, cancellable=False)
    'Starting · 50 ms · the window is frozen until the response arrives (GUI-thread strategy)'
    """
    info = progress.info if progress is not None else {}
    phase = info.get("phase")
    speed = info.get("speed")
    rate = f" · {format_bytes(speed)}/s" if isinstance(speed, int | float) and speed > 0 else ""
    if progress is None:
        text = "Starting"
    elif phase == "connecting":
        host = _host(info.get("url"))
        text = f"Connecting to {host}, then waiting for the response headers"
    elif phase == "upload" and (progress.total is None or progress.done < progress.total):
        text = f"Sending the body {_amount(progress)}{rate}"
    elif phase in ("upload", "waiting"):
        text = "Request sent, waiting for the response headers"
    elif phase == "done":
        text = f"Finishing ({format_bytes(progress.done)} received)"
    else:
        text = f"Receiving {_amount(progress)}{rate}"
    if not cancellable:
        frozen = "the window is frozen until the response arrives (GUI-thread strategy)"
        return f"{text} · {format_duration(elapsed)} · {frozen}"
    return f"{text} · {format_duration(elapsed)} · Esc cancels"


def _amount(progress: Progress) -> str:
    done = format_bytes(progress.done)
    return (
        f"{done} of {format_bytes(progress.total)}"
        if progress.total
        else f"{done} (length unknown)"
    )


def _host(url: object) -> str:
    try:
        host = urlsplit(str(url)).netloc.rpartition("@")[2] if url else ""
    except ValueError:
        host = ""
    return host or "the server"


def event_text(
    kind: str,
    target: str,
    *,
    at: float,
    elapsed: float = 0.0,
    received: float | None = None,
    error: BaseException | None = None,
    response: Any = None,
) -> str:
    """What happened to the last send, and when: the status line after a send ended.

    ``kind`` is the outcome's kind (``response``, ``error``, ``cancelled``); ``target`` a
    :func:`short_target`. The status code, size and timings are the response panel's.

    >>> event_text("cancelled", "GET /drip", at=0.0, elapsed=1.25, received=30)[:44]
    'Cancelled GET /drip after 1250 ms · 30 B rec'
    """
    when = clock_text(at)
    if kind == "response":
        text = f"Sent {target} in {format_duration(elapsed)}"
        hops = len(getattr(response, "history", None) or ())
        if hops:
            text += f" · followed {hops} redirect{'s' if hops != 1 else ''}"
        if getattr(response, "partial", False):
            text += " · body incomplete"
        return f"{text} · {when}"
    if kind == "cancelled":
        text = f"Cancelled {target} after {format_duration(elapsed)}"
        if received:
            text += f" · {format_bytes(received)} received"
        return f"{text} · {when}"
    if kind == "error":
        if isinstance(error, errors.InvalidRequest):
            field = _FIELDS.get(error.field, error.field)
            return f"Not sent: check the {field} · {when}"
        title = error_title(error) if error is not None else "Request failed"
        return f"{target} failed: {title[0].lower()}{title[1:]} · {when}"
    return "Ready"


class TransferMeter:
    """Smoothed transfer speed from successive :class:`Progress` values.

    >>> meter = TransferMeter(clock=iter([0.0, 1.0, 2.0]).__next__)
    >>> meter.update(Progress(0, 100)), meter.update(Progress(50, 100))
    (None, 50.0)
    """

    def __init__(self, clock: Any = time.monotonic, smoothing: float = 0.3) -> None:
        self._clock = clock
        self._smoothing = smoothing
        self._last: tuple[float, float] | None = None
        self._speed: float | None = None

    def update(self, progress: Progress) -> float | None:
        """Feed the latest value; return bytes per second (``None`` until two samples)."""
        now = self._clock()
        if self._last is not None and progress.done < self._last[1]:
            self._last, self._speed = None, None  # a new phase (upload -> download) restarts
        if self._last is None:
            self._last = (now, progress.done)
            return self._speed
        elapsed = now - self._last[0]
        if elapsed <= 0.05 and self._speed is not None:
            return self._speed  # too short an interval to be a meaningful sample
        if elapsed <= 0:
            return self._speed
        sample = (progress.done - self._last[1]) / elapsed
        self._last = (now, progress.done)
        if self._speed is None:
            self._speed = sample
        else:
            self._speed += self._smoothing * (sample - self._speed)
        return self._speed
