"""The Lab's live plots: every strategy named once in a legend that fits, bounded drawing."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import QApplication

from guiapp.lab.report import STRATEGY_COLORS, peaks, strategy_color
from guiapp.lab.strategies import STRATEGIES
from guiapp.lab.workloads import Workload
from guiapp.ui.lab.live import LAG_BINS, LivePlots


@dataclass
class _Strategy:
    name: str

    def label(self) -> str:
        return self.name


@dataclass
class _Run:
    """What LivePlots reads of a CellRun."""

    strategy: _Strategy
    workload: Workload = field(default_factory=lambda: Workload("cpu_loop", tasks=2))
    lag_series: list[tuple[float, float]] = field(default_factory=list)
    done_series: list[tuple[float, float]] = field(default_factory=lambda: [(0.0, 0.0)])
    thread_series: list[tuple[float, float]] = field(default_factory=list)


def test_every_strategy_has_its_own_colour() -> None:
    assert set(STRATEGY_COLORS) == set(STRATEGIES)
    colours = [strategy_color(name) for name in STRATEGIES]
    assert len(set(colours)) == len(colours)
    assert strategy_color("someone_else") not in colours


def test_the_legend_names_every_strategy_once_and_shows_them_all(qapp: QApplication) -> None:
    plots = LivePlots()
    plots.resize(900, 400)  # the Lab's plot area; the legend once sat in a third of it
    plots.show()
    for name in [*STRATEGIES, "make_async"]:  # a strategy run twice keeps one entry
        run = _Run(_Strategy(name), lag_series=[(0.0, 1.0), (0.5, 20.0)])
        plots.follow(run)  # type: ignore[arg-type]  # what the plots read of a CellRun
        plots.finish()
    assert plots.legend_labels() == list(STRATEGIES)
    qapp.processEvents()
    legend = plots.legend.mapRectToScene(plots.legend.boundingRect())
    assert plots.graphics.sceneRect().contains(legend)  # nothing clipped
    plots.clear()
    assert plots.legend_labels() == []
    plots.close()


def test_a_long_run_draws_a_bounded_number_of_stems_and_keeps_every_peak(
    qapp: QApplication,
) -> None:
    lag = [(i * 0.005, float(i % 37)) for i in range(12_000)]  # 60 s of 5 ms heartbeats
    lag[7_777] = (lag[7_777][0], 600.0)  # one stall among them
    kept = peaks(lag, LAG_BINS)
    assert len(kept) <= LAG_BINS
    assert lag[7_777] in kept
    assert max(v for _t, v in kept) == 600.0
    plots = LivePlots()
    plots.follow(_Run(_Strategy("serial_lane"), lag_series=lag))  # type: ignore[arg-type]
    plots.finish()
    xs, _ys = plots.lag_plot.listDataItems()[0].getData()
    assert len(xs) == 2 * len(kept)
    low, high = plots.thread_plot.viewRange()[0]
    assert (low, high) == (0.0, 60.0)  # the time axis steps to a round span
    plots.close()


def test_the_ball_stays_inside_its_box_all_along_a_bounce() -> None:
    from guiapp.ui.lab.live import BALL_RADIUS, ball_centre

    for width, height in ((220, 60), (300, 80), (221, 61)):
        for step in range(241):  # two bounces, every 1/120 of one
            centre = ball_centre(step / 120, width, height)
            assert BALL_RADIUS + 1 <= centre.x() <= width - BALL_RADIUS - 1
            assert BALL_RADIUS + 1 <= centre.y() <= height - BALL_RADIUS - 1


def test_the_lag_axis_stays_in_milliseconds_whatever_the_peak(qapp: QApplication) -> None:
    plots = LivePlots()
    plots.resize(900, 400)
    plots.show()
    plots.follow(_Run(_Strategy("gui_thread"), lag_series=[(0.0, 1.0), (0.5, 700.0)]))  # type: ignore[arg-type]
    plots.finish()
    qapp.processEvents()
    label = plots.lag_plot.getAxis("left").labelString()
    assert "(ms)" in label  # pyqtgraph's SI prefix made it "(kms)", kilo-milliseconds
    assert plots.lag_plot.viewRange()[1][1] >= 700.0  # the ticks are plain milliseconds
    plots.close()
