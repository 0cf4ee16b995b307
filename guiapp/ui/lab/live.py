"""What the Lab shows while a run goes: live plots, and a ball that stutters when the GUI does.

:class:`LivePlots` redraws three pyqtgraph plots (event-loop lag, tasks completed, OS threads)
from a :class:`~guiapp.lab.engine.CellRun`'s series four times a second; each finished run
stays as a curve in its strategy's colour until :meth:`LivePlots.clear`.
:class:`BouncingBall` moves with wall-clock time on a 16 ms timer: when the GUI thread is
blocked, the ball freezes and then jumps, which is what a user sees.
"""

from __future__ import annotations

import math
import time

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from guiapp.lab.engine import CellRun
from guiapp.lab.report import stems, strategy_color

__all__ = ["REFRESH_MS", "BouncingBall", "LivePlots"]

#: Plot refresh period: 4 Hz is live enough and keeps the Lab's own painting cost low.
REFRESH_MS = 250


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
        self.lag_plot.addLegend(offset=(-10, 10))
        # One shared time axis, drawn once: repainting axis text is most of a refresh's cost
        # (~5 ms per axis here), and the Lab's own painting adds to every strategy's lag.
        for plot in (self.lag_plot, self.done_plot):
            plot.hideAxis("bottom")
            plot.setXLink(self.thread_plot)
        self._run: CellRun | None = None
        self._curves: tuple[pg.PlotDataItem, pg.PlotDataItem, pg.PlotDataItem] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def _add_plot(self, title: str, units: str, row: int) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0)
        plot.setLabel("left", title, units=units)
        plot.setLabel("bottom", "time", units="s")
        plot.showGrid(x=True, y=True, alpha=0.3)
        return plot

    def follow(self, run: CellRun) -> None:
        """Start drawing ``run`` (a new set of curves, earlier runs stay)."""
        label = run.strategy.label()
        pen = pg.mkPen(strategy_color(label), width=2)
        self._curves = (
            self.lag_plot.plot([], [], pen=pen, connect="pairs", name=label),
            self.done_plot.plot([], [], pen=pen, stepMode=None),
            self.thread_plot.plot([], [], pen=pen),
        )
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
        self._curves = None

    def curve_count(self) -> int:
        return len(self.lag_plot.listDataItems())

    def refresh(self) -> None:
        run, curves = self._run, self._curves
        if run is None or curves is None:
            return
        lag, done, threads = curves
        lag.setData(*stems(list(run.lag_series)))
        done.setData(*_steps(list(run.done_series)))
        threads.setData(*_columns(list(run.thread_series)))


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
        painter.fillRect(self.rect(), QColor("#fafafa"))
        radius = 10.0
        phase = (time.perf_counter() - self._t0) / 1.2  # one full bounce each 1.2 s
        x = radius + (self.width() - 2 * radius) * (0.5 - 0.5 * math.cos(2 * math.pi * phase))
        y = self.height() - radius - (self.height() - 2 * radius) * abs(math.sin(math.pi * phase))
        painter.setBrush(QColor("#1f77b4"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(QPointF(x, y), radius, radius)
        painter.end()
