"""What the Lab shows while a run goes: live plots, and a ball that stutters when the GUI does.

:class:`LivePlots` redraws three pyqtgraph plots (event-loop lag, tasks completed, OS threads)
from a :class:`~guiapp.lab.engine.CellRun`'s series four times a second; each finished run
stays as a curve in its strategy's colour until :meth:`LivePlots.clear`, named once in a legend
column beside the plots.

The plots are the Lab's own load on the GUI thread, so a refresh is kept cheap whatever the
run's length: the lag curve draws at most :data:`LAG_BINS` stems (each bin's highest, so no
stall is lost), the axes are cached pixmaps redrawn only when their range changes, and the
time axis grows in steps (:func:`time_span`) rather than with every refresh. Without that, a
55 s run repainted ~11,000 stems and every axis's text four times a second, 100-600 ms a
refresh under a GIL-bound worker on a loaded machine: stalls the Lab blamed on the strategy.
:class:`BouncingBall` moves with wall-clock time on a 16 ms timer: when the GUI thread is
blocked, the ball freezes and then jumps, which is what a user sees.
"""

from __future__ import annotations

import math
import time

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy, QVBoxLayout, QWidget

from guiapp.lab.engine import CellRun
from guiapp.lab.report import peaks, stems, strategy_color

__all__ = [
    "BALL_RADIUS",
    "LAG_BINS",
    "REFRESH_MS",
    "BouncingBall",
    "LivePlots",
    "ball_centre",
    "nice_ceiling",
    "time_span",
]

#: Plot refresh period: 4 Hz is live enough and keeps the Lab's own painting cost low.
REFRESH_MS = 250
#: The most lag stems drawn per run: about one per pixel of a plot's width.
LAG_BINS = 800
_SPANS = (2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50... at least ``value``: a value axis's top.

    >>> nice_ceiling(0.0), nice_ceiling(3.2), nice_ceiling(47.0), nice_ceiling(501.0)
    (1.0, 5.0, 50.0, 1000.0)
    """
    top = 1.0
    while True:
        for multiple in (1.0, 2.0, 5.0):
            if top * multiple >= value:
                return top * multiple
        top *= 10.0


def time_span(seconds: float) -> float:
    """The time axis's extent for a run ``seconds`` long: the next of a few round steps.

    >>> time_span(0.3), time_span(7.5), time_span(55.0), time_span(1000.0)
    (2.0, 10.0, 60.0, 1200.0)
    """
    for span in _SPANS:
        if seconds <= span:
            return span
    return 600.0 * (int(seconds // 600.0) + 1)


class LivePlots(QWidget):
    """Lag (ms), completed tasks and OS thread count against time since the run started."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.graphics = pg.GraphicsLayoutWidget()
        layout.addWidget(self.graphics)
        self.lag_plot = self._add_plot("event-loop lag", "ms", row=0)
        self.done_plot = self._add_plot("tasks completed", "", row=1)
        self.thread_plot = self._add_plot("OS threads", "", row=2)
        # The legend in a column of its own, as tall as the three plots: inside the lag plot
        # (a third of the height) ten strategies did not fit and the last ones were clipped.
        self.legend = pg.LegendItem(offset=None, verSpacing=-4)
        self.graphics.addItem(self.legend, row=0, col=1, rowspan=3)
        self.legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.graphics.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        self._named: set[str] = set()
        # One shared time axis, drawn once: repainting axis text is most of a refresh's cost
        # (~5 ms per axis here), and the Lab's own painting adds to every strategy's lag.
        for plot in (self.lag_plot, self.done_plot):
            plot.hideAxis("bottom")
            plot.setXLink(self.thread_plot)
        for plot in (self.lag_plot, self.done_plot, self.thread_plot):
            plot.enableAutoRange(x=False, y=False)
        self.thread_plot.setXRange(0.0, _SPANS[0], padding=0.0)
        self._span = _SPANS[0]
        # The value axes grow in steps too: each new peak would otherwise redraw an axis.
        self._tops = {self.lag_plot: 0.0, self.done_plot: 0.0, self.thread_plot: 0.0}
        for plot in self._tops:
            plot.setYRange(0.0, 1.0, padding=0.05)
        for plot in (self.lag_plot, self.done_plot, self.thread_plot):
            for side in ("left", "bottom"):
                # A pixmap per axis (its text and the grid lines it draws across the plot),
                # redrawn when its range changes, not at every repaint of a curve under it.
                plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._run: CellRun | None = None
        self._curves: tuple[pg.PlotDataItem, pg.PlotDataItem, pg.PlotDataItem] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def _add_plot(self, title: str, units: str, row: int) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0)
        plot.setLabel("left", title, units=units)
        if units == "ms":  # an SI prefix on a prefixed unit read "kms" (kilo-milliseconds)
            plot.getAxis("left").enableAutoSIPrefix(False)
        plot.setLabel("bottom", "time", units="s")
        plot.showGrid(x=True, y=True, alpha=0.3)
        return plot

    def follow(self, run: CellRun) -> None:
        """Start drawing ``run`` (a new set of curves, earlier runs stay)."""
        label = run.strategy.label()
        color = strategy_color(label)
        pen = pg.mkPen(color, width=2)
        self._curves = (
            # Stems one pixel wide: a wide pen makes Qt stroke every segment as a polygon.
            self.lag_plot.plot([], [], pen=pg.mkPen(color, width=1), connect="pairs"),
            self.done_plot.plot([], [], pen=pen, stepMode=None),
            self.thread_plot.plot([], [], pen=pen),
        )
        if label not in self._named:  # a strategy run again keeps its one entry
            self._named.add(label)
            self.legend.addItem(self._curves[1], label)
        self._run = run
        self._timer.start()

    def finish(self) -> None:
        """Draw the final state of the followed run and stop refreshing."""
        self.refresh()
        self._timer.stop()
        self._run = None

    def clear(self) -> None:
        for plot in (self.lag_plot, self.done_plot, self.thread_plot):
            plot.clear()
        self.legend.clear()
        self._named.clear()
        self._set_span(_SPANS[0])
        for plot in self._tops:
            self._tops[plot] = 0.0
            plot.setYRange(0.0, 1.0, padding=0.05)
        self._curves = None

    def curve_count(self) -> int:
        return len(self.lag_plot.listDataItems())

    def legend_labels(self) -> list[str]:
        """The strategies named in the legend, in the order they first ran."""
        return [label.text for _sample, label in self.legend.items]

    def _raise_top(self, plot: pg.PlotItem, points: list[tuple[float, float]]) -> None:
        top = nice_ceiling(max((value for _t, value in points), default=0.0))
        if top > self._tops[plot]:
            self._tops[plot] = top
            plot.setYRange(0.0, top, padding=0.05)

    def _set_span(self, span: float) -> None:
        if span != self._span:
            self._span = span
            self.thread_plot.setXRange(0.0, span, padding=0.0)

    def refresh(self) -> None:
        run, curves = self._run, self._curves
        if run is None or curves is None:
            return
        lag, done, threads = curves
        lag_series = list(run.lag_series)
        if lag_series:
            self._set_span(max(self._span, time_span(lag_series[-1][0])))
        lag_peaks = peaks(lag_series, LAG_BINS)
        done_series, thread_series = list(run.done_series), list(run.thread_series)
        self._raise_top(self.lag_plot, lag_peaks)
        self._raise_top(self.done_plot, [(0.0, float(run.workload.tasks)), *done_series])
        self._raise_top(self.thread_plot, thread_series)
        lag.setData(*stems(lag_peaks))
        done.setData(*_steps(done_series))
        threads.setData(*_columns(thread_series))


def _columns(points: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    return [p[0] for p in points], [p[1] for p in points]


def _steps(points: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    # A count changes at an instant: draw a staircase, not a ramp between completions.
    xs: list[float] = []
    ys: list[float] = []
    for t, value in points:
        if ys:
            xs.append(t)
            ys.append(ys[-1])
        xs.append(t)
        ys.append(value)
    return xs, ys


class BouncingBall(QWidget):
    """A ball bouncing on a wall-clock schedule, repainted by a 16 ms timer (about 60 Hz).

    :attr:`max_gap_ms` is the longest time between two frames since :meth:`reset`: the stutter
    the user saw (a smooth GUI keeps it near 16 ms).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(220, 60)
        self._t0 = time.perf_counter()
        self._last_frame = self._t0
        self.max_gap_ms = 0.0
        self.frames = 0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._on_frame)
        self._timer.start()

    def reset(self) -> None:
        self.max_gap_ms = 0.0
        self.frames = 0
        self._last_frame = time.perf_counter()

    def _on_frame(self) -> None:
        now = time.perf_counter()
        self.max_gap_ms = max(self.max_gap_ms, (now - self._last_frame) * 1000.0)
        self._last_frame = now
        self.frames += 1
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)  # the 1 px frame, inside
        painter.setPen(QColor("#c8c8c8"))
        painter.setBrush(QColor("#fafafa"))
        painter.drawRect(box)
        phase = (time.perf_counter() - self._t0) / 1.2  # one full bounce each 1.2 s
        centre = ball_centre(phase, self.width(), self.height())
        painter.setBrush(QColor("#1f77b4"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(centre, BALL_RADIUS, BALL_RADIUS)
        painter.end()


#: The ball's radius and the clear space between it and its frame, in pixels.
BALL_RADIUS = 10.0
_BALL_MARGIN = 3.0


def ball_centre(phase: float, width: float, height: float) -> QPointF:
    """Where the ball is at ``phase`` (bounces; 1.0 = one full cycle) in a box of that size:
    the whole ball, antialiased edge included, stays inside the box's frame.

    >>> ball_centre(0.0, 220, 60), ball_centre(0.5, 220, 60)
    (PySide6.QtCore.QPointF(13.000000, 47.000000), PySide6.QtCore.QPointF(207.000000, 13.000000))
    """
    inset = BALL_RADIUS + _BALL_MARGIN
    travel_x = max(0.0, width - 2 * inset)
    travel_y = max(0.0, height - 2 * inset)
    x = inset + travel_x * (0.5 - 0.5 * math.cos(2 * math.pi * phase))
    y = height - inset - travel_y * abs(math.sin(math.pi * phase))
    return QPointF(x, y)
