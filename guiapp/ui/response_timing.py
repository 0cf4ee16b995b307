"""The response panel's "Timing" tab: where the time of each hop went, as a waterfall.

One section per hop (each redirect in ``Response.history``, then the final response), one row
per phase of its :class:`~guiapp.core.timings.Timings`: the phase's name, a horizontal bar
placed where the phase started and as long as it lasted, and its duration; then the hop's total
and, for a pooled connection, "reused connection". Each hop says whether it went through a
proxy, which one and where it came from (the request's options, the caller's session or the
environment's ``HTTP(S)_PROXY``). All hops share one scale, so a slow hop looks slow next to a
fast one. Widgets for tests: ``responseTiming`` (this widget), ``timingMessage`` (the
empty/error text), ``timingHop`` (a hop's title), ``timingProxy``, ``timingTotal``,
``timingReused``, and per phase ``timingPhase_<name>`` / ``timingDuration_<name>``.

Example::

    timing = ResponseTiming()
    timing.show_response(response)      # or timing.show_message("No response: …")
    print(timing.plain_text())          # "GET http://…  200 OK\\nDNS lookup  0.21 ms\\n…"
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.response import Response
from guiapp.core.timings import PHASE_LABELS

__all__ = ["EMPTY_TEXT", "ResponseTiming", "format_phase", "phase_colour"]

EMPTY_TEXT = "No timing yet: send a request to see where its time goes."
_NOT_MEASURED = "Timings unavailable: no timing was recorded for this response."
_PROXY_SOURCES = {
    "request": "from the request's options",
    "session": "from the session",
    "environment": "system proxy, from the environment",
}

# One set per theme, each at least 3:1 against that theme's pane (WCAG's bar for graphics):
# darker shades on the light pane, lighter ones on the dark pane (tests check the ratios).
_COLOURS = {
    False: {
        "prepare": "#6b7280",
        "dns": "#0f766e",
        "connect": "#b45309",
        "tls": "#7e22ce",
        "send": "#1d4ed8",
        "wait": "#15803d",
        "download": "#0e7490",
    },
    True: {
        "prepare": "#9aa2ae",
        "dns": "#2dd4bf",
        "connect": "#f59e0b",
        "tls": "#c084fc",
        "send": "#60a5fa",
        "wait": "#4ade80",
        "download": "#22d3ee",
    },
}


def phase_colour(name: str, dark: bool) -> str:
    """The ``#rrggbb`` bar colour of phase ``name`` in the dark or light theme.

    >>> phase_colour("wait", dark=False), phase_colour("wait", dark=True)
    ('#15803d', '#4ade80')
    """
    return _COLOURS[dark][name]


def format_phase(seconds: float) -> str:
    """A phase's duration, with the precision a sub-millisecond loopback phase needs.

    >>> format_phase(0.0), format_phase(0.00042), format_phase(0.0123), format_phase(1.5)
    ('—', '0.42 ms', '12.3 ms', '1.50 s')
    """
    if seconds <= 0:
        return "—"  # the phase did not happen (reused connection, no TLS over http)
    ms = seconds * 1000
    if ms < 10:
        return f"{ms:.2f} ms"
    if ms < 1000:
        return f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"
    return f"{seconds:.2f} s"


def _proxy_text(hop: Response) -> str:
    """``Proxy: http://p:3128 (system proxy, from the environment)`` or ``Direct connection``."""
    if not hop.proxy:
        return "Direct connection (no proxy)"
    source = _PROXY_SOURCES.get(hop.proxy_source, hop.proxy_source)
    return f"Proxy: {hop.proxy} ({source})" if source else f"Proxy: {hop.proxy}"


class _PhaseBar(QWidget):
    """A track across the scale with the phase's segment painted where it falls."""

    def __init__(self, name: str, start: float, length: float) -> None:
        super().__init__()
        self.name = name
        self.start = start  # fractions of the scale, 0..1
        self.length = length
        self.setMinimumWidth(80)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(240, 14)

    def dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Window).lightness() < 128

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        rect = QRectF(self.rect()).adjusted(0, 2, 0, -2)
        dark = self.dark()
        # The light theme's AlternateBase is nearly the pane's white: Midlight shows the track.
        track = QPalette.ColorRole.AlternateBase if dark else QPalette.ColorRole.Midlight
        painter.setBrush(self.palette().color(track))
        painter.drawRoundedRect(rect, 2, 2)
        if self.length > 0:
            # At least 2 px: a 50 µs phase next to a 1 s wait must still be seen to exist.
            width = max(2.0, rect.width() * self.length)
            left = min(rect.left() + rect.width() * self.start, rect.right() - width)
            painter.setBrush(QColor(phase_colour(self.name, dark)))
            painter.drawRoundedRect(QRectF(left, rect.top(), width, rect.height()), 2, 2)
        painter.end()


class ResponseTiming(QScrollArea):
    """The timing waterfall of one response (its redirect hops included), or a message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseTiming")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._content: QWidget | None = None
        self.clear()

    # -- showing -------------------------------------------------------------------------------
    def clear(self) -> None:
        """The empty state (before any response)."""
        self.show_message(EMPTY_TEXT)

    def show_message(self, text: str) -> None:
        """No timings to show: say why (waiting, failed, cancelled...)."""
        content, layout = self._new_content()
        label = QLabel(text, wordWrap=True)
        label.setObjectName("timingMessage")
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(label)
        layout.addStretch(1)
        self._set_content(content)

    def show_response(self, response: Response) -> None:
        """One section per hop: redirects first, then the final response."""
        hops = [*response.history, response]
        if all(hop.timings is None for hop in hops):
            self.show_message(_NOT_MEASURED)
            return
        scale = max((hop.timings.total for hop in hops if hop.timings is not None), default=0.0)
        content, layout = self._new_content()
        for index, hop in enumerate(hops):
            redirect = index < len(hops) - 1
            layout.addWidget(self._hop_section(hop, index + 1, len(hops), redirect, scale))
        stream = response.stream
        if stream is not None:
            first = stream.first_event_at
            when = "no event" if first is None else f"first event after {format_phase(first)}"
            note = QLabel(f"Stream: {when}; {stream.describe()}.")
            note.setObjectName("timingStream")
            note.setWordWrap(True)
            layout.addWidget(note)
        if response.partial:
            note = QLabel("The download stopped early: the body is incomplete.")
            note.setObjectName("timingIncomplete")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addStretch(1)
        self._set_content(content)

    # -- reading (tests, copy) -----------------------------------------------------------------
    def plain_text(self) -> str:
        """Every text shown, one line per row (cells joined by two spaces)."""
        if self._content is None:
            return ""
        lines: list[str] = []
        for section in self._content.findChildren(QWidget, "timingSection"):
            grid = section.layout()
            assert isinstance(grid, QGridLayout)
            for row in range(grid.rowCount()):
                cells: list[str] = []
                seen: list[QWidget] = []  # a label spanning columns is at each of them
                for column in range(grid.columnCount()):
                    item = grid.itemAtPosition(row, column)
                    widget = item.widget() if item is not None else None
                    if isinstance(widget, QLabel) and widget.text() and widget not in seen:
                        seen.append(widget)
                        cells.append(widget.text())
                if cells:
                    lines.append("  ".join(cells))
        for label in self._content.findChildren(QLabel):
            if label.objectName() in ("timingMessage", "timingIncomplete", "timingStream"):
                lines.append(label.text())
        return "\n".join(lines)

    # -- internals -----------------------------------------------------------------------------
    def _new_content(self) -> tuple[QWidget, QVBoxLayout]:
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(12)
        return content, layout

    def _set_content(self, content: QWidget) -> None:
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self._content = content
        self.setWidget(content)

    def _hop_section(
        self, hop: Response, number: int, count: int, redirect: bool, scale: float
    ) -> QWidget:
        section = QWidget()
        section.setObjectName("timingSection")
        grid = QGridLayout(section)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        prefix = f"Redirect {number} of {count - 1}: " if redirect else ""
        if count > 1 and not redirect:
            prefix = "Final: "
        status = f"{hop.status_code} {hop.reason}".strip()
        title = _label(f"{prefix}{hop.method} {_elide(hop.url)}  {status}")
        title.setObjectName("timingHop")
        title.setToolTip(f"{hop.method} {hop.url}")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        grid.addWidget(title, 0, 0, 1, 3)
        timings = hop.timings
        proxy = _label(_proxy_text(hop))
        proxy.setObjectName("timingProxy")
        grid.addWidget(proxy, 1, 0, 1, 3)
        if timings is None:
            grid.addWidget(_label(_NOT_MEASURED), 2, 0, 1, 3)
            return section
        row = 2
        if timings.reused:
            reused = _label("reused connection (no DNS lookup, connect or TLS handshake)")
            reused.setObjectName("timingReused")
            grid.addWidget(reused, row, 0, 1, 3)
            row += 1
        offset = 0.0
        for name, seconds in timings.phases():
            self._phase_row(grid, row, name, seconds, offset, scale)
            offset += seconds
            row += 1
        total_name = _label("Total")
        total = _label(format_phase(timings.total))
        total.setObjectName("timingTotal")
        for widget in (total_name, total):
            font = widget.font()
            font.setBold(True)
            widget.setFont(font)
        grid.addWidget(total_name, row, 0)
        grid.addWidget(total, row, 2, Qt.AlignmentFlag.AlignRight)
        return section

    @staticmethod
    def _phase_row(
        grid: QGridLayout, row: int, name: str, seconds: float, offset: float, scale: float
    ) -> None:
        label = _label(PHASE_LABELS[name])
        label.setObjectName(f"timingPhase_{name}")
        bar = _PhaseBar(name, offset / scale if scale else 0.0, seconds / scale if scale else 0.0)
        bar.setObjectName(f"timingBar_{name}")
        duration = _label(format_phase(seconds))
        duration.setObjectName(f"timingDuration_{name}")
        tip = f"{PHASE_LABELS[name]}: {format_phase(seconds)}, from {offset * 1000:.2f} ms"
        for widget in (label, bar, duration):
            widget.setToolTip(tip if seconds > 0 else f"{PHASE_LABELS[name]}: did not happen")
        grid.addWidget(label, row, 0)
        grid.addWidget(bar, row, 1)
        grid.addWidget(duration, row, 2, Qt.AlignmentFlag.AlignRight)


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # URLs and reasons come from the server
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _elide(url: str, limit: int = 120) -> str:
    if len(url) <= limit:
        return url
    half = (limit - 1) // 2
    return f"{url[:half]}…{url[-(limit - 1 - half) :]}"
