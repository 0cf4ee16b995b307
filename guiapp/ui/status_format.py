"""Text for the status line and the progress bar: sizes, durations, speed and ETA.

Pure functions plus :class:`TransferMeter`, which turns a series of progress values into a
smoothed speed and an ETA. No widgets here, so all of it is unit-testable without Qt.

>>> format_bytes(4200)
'4.2 kB'
>>> format_duration(0.1234)
'123 ms'
>>> progress_text(Progress(500_000, 1_000_000, {"phase": "download"}), 250_000.0)
'Downloading 500.0 kB of 1.0 MB · 250.0 kB/s · 2 s left'
"""

from __future__ import annotations

import time
from typing import Any

from guiapp.core.jobs import Progress

__all__ = [
    "TransferMeter",
    "format_bytes",
    "format_duration",
    "progress_text",
    "status_kind",
    "status_text",
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
