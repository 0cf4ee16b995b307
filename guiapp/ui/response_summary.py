"""Rich-text summary of a response: coloured status, timings, size, final URL, redirect chain.

Pure functions (no widgets) so they are testable without a display.

>>> status_colour(204), status_colour(302), status_colour(404), status_colour(503)
('#2e9d44', '#2f6fd6', '#c98a00', '#d03838')
>>> from guiapp.core.response import Response
>>> r = Response(status_code=200, reason="OK", http_version="HTTP/1.1", headers=[],
...              url="http://h/", body=b"hi", elapsed=0.25, ttfb=0.1)
>>> "200 OK" in summary_html(r) and "250 ms" in summary_html(r)
True
"""

from __future__ import annotations

from html import escape

from guiapp.core.response import Response
from guiapp.ui.status_format import format_bytes, format_duration

__all__ = ["incomplete_text", "redirect_chain", "status_colour", "summary_html"]


def status_colour(code: int) -> str:
    """The colour of a status class: 2xx green, 3xx blue, 4xx amber, 5xx red, else grey."""
    return {2: "#2e9d44", 3: "#2f6fd6", 4: "#c98a00", 5: "#d03838"}.get(code // 100, "#808080")


def redirect_chain(response: Response) -> list[tuple[int, str]]:
    """``(status, url)`` of each hop, ending with the final response.

    >>> final = Response(status_code=200, reason="OK", http_version="HTTP/1.1", headers=[],
    ...     url="http://h/b", history=(Response(status_code=301, reason="Moved",
    ...     http_version="HTTP/1.1", headers=[], url="http://h/a"),))
    >>> redirect_chain(final)
    [(301, 'http://h/a'), (200, 'http://h/b')]
    """
    return [(r.status_code, r.url) for r in (*response.history, response)]


_URL_CHARS = 160  # longer URLs are elided in the middle: the full one is the label's tooltip


def _url(url: str) -> str:
    if len(url) > _URL_CHARS:
        half = (_URL_CHARS - 1) // 2
        url = f"{url[:half]}…{url[-(_URL_CHARS - 1 - half) :]}"
    return escape(url)


def _status(code: int, reason: str) -> str:
    return f'<b style="color:{status_colour(code)}">{code} {escape(reason)}</b>'


def incomplete_text(response: Response) -> str:
    """What a partial body lacks: ``incomplete: the connection was lost after 3 kB of 1 MB``.

    >>> from guiapp.core.response import Response
    >>> r = Response(status_code=200, reason="OK", http_version="HTTP/1.1", url="http://x/",
    ...              headers=[("Content-Length", "1000000")], body=b"y" * 3000, partial=True)
    >>> incomplete_text(r)
    'incomplete: the connection was lost after 3.0 kB of 1.0 MB'
    >>> r.stopped_by = "total deadline"
    >>> incomplete_text(r)
    'incomplete: stopped by the total deadline after 3.0 kB of 1.0 MB'
    """
    expected = response.headers.get("Content-Length", "")
    of_total = f" of {format_bytes(int(expected))}" if expected.isdigit() else ""
    received = format_bytes(response.wire_size)
    stopped_by = getattr(response, "stopped_by", "")  # responses pickled before it existed
    why = f"stopped by the {stopped_by}" if stopped_by else "the connection was lost"
    return f"incomplete: {why} after {received}{of_total}"


def summary_html(response: Response) -> str:
    """Status line, timings, size, then the final URL and the redirect chain (if any)."""
    size = format_bytes(response.size)
    if response.wire_size != response.size:
        size += f" ({format_bytes(response.wire_size)} on the wire)"
    parts = [
        _status(response.status_code, response.reason),
        escape(response.http_version),
        f"Time {format_duration(response.elapsed)}",
        f"TTFB {format_duration(response.ttfb)}",
        f"Size {size}",
    ]
    if response.partial:
        parts.append(f'<b style="color:#d03838">{escape(incomplete_text(response))}</b>')
    lines = [" · ".join(parts), f"<span>{escape(response.method)} {_url(response.url)}</span>"]
    if response.history:
        hops = " → ".join(
            f"{_status(code, '')} <span>{_url(url)}</span>"
            for code, url in redirect_chain(response)
        )
        lines.append(f"Redirects: {hops}")
    return "<br>".join(lines)
