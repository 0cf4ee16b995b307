"""The Lab's lag plots as PNG files (pyqtgraph, works offscreen): for docs and reports.

Example::

    plot_lag_png([r for r in results if r.workload.name == "json_format"], "docs/lab-json.png")
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from guiapp.lab.report import stems, strategy_color
from guiapp.lab.results import CellResult

__all__ = ["plot_lag_png"]


def plot_lag_png(
    results: Sequence[CellResult], path: str | Path, *, title: str = "", width: int = 900
) -> Path:
    """Event-loop lag over time, one curve per result, exported with pyqtgraph (offscreen ok).

    Needs a ``QApplication``.
    """
    import pyqtgraph as pg
    from pyqtgraph.exporters import ImageExporter
    from PySide6.QtWidgets import QApplication

    widget = pg.PlotWidget(background="w")
    widget.resize(width, width * 4 // 9)
    plot = widget.getPlotItem()
    plot.setTitle(title or (results[0].workload.label() if results else "lag"))
    plot.setLabel("left", "event-loop lag", units="ms")
    plot.setLabel("bottom", "time", units="s")
    plot.addLegend(offset=(-10, 10))
    plot.showGrid(x=True, y=True, alpha=0.3)
    for result in results:
        xs, ys = stems(result.lag_series)
        pen = pg.mkPen(strategy_color(result.strategy), width=2)
        plot.plot(xs, ys, pen=pen, connect="pairs", name=result.strategy)
    widget.show()  # lay the plot out at its size before exporting (offscreen: nothing shows)
    QApplication.processEvents()
    exporter = ImageExporter(plot)
    exporter.parameters()["width"] = width
    path = Path(path)
    exporter.export(str(path))
    widget.hide()
    widget.deleteLater()
    return path
