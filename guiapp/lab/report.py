"""Lab results out: CSV, JSON, a Markdown table, the strategies' colours, plot series.

The PNG plots are drawn by the benchmark command (``guiapp.bench.lab_plot``) and the live
plots by the Lab window; both take their colours and stems from here.

Example::

    write_csv(results, "lab.csv")
    Path("docs/lab-results.md").write_text(markdown_table(results))
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from guiapp.lab.results import COLUMNS, CellResult

__all__ = [
    "STRATEGY_COLORS",
    "csv_text",
    "freeze_cell",
    "markdown_table",
    "peaks",
    "stems",
    "strategy_color",
    "write_csv",
    "write_json",
]

#: One colour per strategy, shared by the Lab's live plots (black background) and the exported
#: PNGs (white): ten distinct colours, each visible on both.
STRATEGY_COLORS = {
    "gui_thread": "#d62728",
    "make_async": "#1f77b4",
    "qasync_default": "#ff7f0e",
    "qthread": "#2ca02c",
    "qthreadpool": "#9467bd",
    "process": "#8c564b",
    "native_async": "#17becf",
    "sync_to_async": "#bcbd22",
    "serial_lane": "#e377c2",
    "django_async": "#7f7f7f",
}
_OTHER_COLOR = "#c49c94"  # a strategy without a colour of its own (none today)


def strategy_color(label: str) -> str:
    """The colour of a strategy label such as ``make_async(64)``."""
    return STRATEGY_COLORS.get(label.split("(", 1)[0], _OTHER_COLOR)


def csv_text(rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows (keys: :data:`~guiapp.lab.results.COLUMNS`) as CSV with a header line.

    >>> print(csv_text([{"workload": "cpu_loop", "tasks": 2}]).splitlines()[1][:12])
    cpu_loop,,,2
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def write_csv(results: Sequence[CellResult], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(csv_text(r.row() for r in results), encoding="utf-8")
    return path


def write_json(results: Sequence[CellResult], path: str | Path, **extra: Any) -> Path:
    path = Path(path)
    payload = {**extra, "results": [r.to_dict() for r in results]}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


_MD_COLUMNS = (
    ("strategy", "strategy", "{}"),
    ("wall_s", "wall s", "{:.2f}"),
    ("throughput_per_s", "tasks/s", "{:.1f}"),
    ("lag_p50_ms", "lag p50 ms", "{:.1f}"),
    ("lag_p99_ms", "lag p99 ms", "{:.1f}"),
    ("lag_max_ms", "lag max ms", "{:.0f}"),
    ("stalls_over_50ms", "stalls >50 ms", "{}"),
    ("added_threads", "+threads", "{}"),
    ("peak_rss_mb", "peak RSS MB", "{:.0f}"),
    ("rss_added_mb", "+RSS MB", "{:.1f}"),
)


def markdown_table(results: Sequence[CellResult], all_strategies: Sequence[str] = ()) -> str:
    """One Markdown table per workload; strategies that do not apply are listed as n/a."""
    lines: list[str] = []
    by_workload: dict[str, list[CellResult]] = {}
    for result in results:
        by_workload.setdefault(result.workload.label(), []).append(result)
    for label, rows in by_workload.items():
        lines += [f"#### {label}", ""]
        titles = [title for _, title, _ in _MD_COLUMNS] + ["worst freeze"]
        lines.append("| " + " | ".join(titles) + " |")
        lines.append(
            "|" + "|".join("---" if i == 0 else "---:" for i in range(len(_MD_COLUMNS))) + "|---|"
        )
        for result in rows:
            row = result.row()
            cells = [fmt.format(row[key]) for key, _, fmt in _MD_COLUMNS]
            cells.append(freeze_cell(row))
            if result.status != "ok":
                cells[0] += f" ({result.status})"
            lines.append("| " + " | ".join(cells) + " |")
        present = {r.strategy.split("(", 1)[0] for r in rows}
        missing = [s for s in all_strategies if s not in present]
        if missing:
            lines += ["", "n/a: " + ", ".join(missing)]
        lines.append("")
    return "\n".join(lines)


def freeze_cell(row: Mapping[str, Any]) -> str:
    """The worst freeze of a row for a Markdown cell: cause and your frame (the library's
    innermost frame, after the arrow, is left to the JSON and CSV).

    >>> freeze_cell({"worst_freeze_cause": "busy",
    ...              "worst_freeze_culprit": "loads(b) in parse (w.py:3) → scan in raw_decode"})
    'busy: `loads(b) in parse (w.py:3)`'
    >>> freeze_cell({"worst_freeze_cause": "", "worst_freeze_culprit": ""})
    ''
    """
    culprit = str(row.get("worst_freeze_culprit") or "")
    if not culprit:
        return ""
    own = culprit.split(" → ", 1)[0].replace("|", "\\|")
    return f"{row.get('worst_freeze_cause', '')}: `{own}`"


def stems(series: Sequence[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """x/y arrays drawing each lag sample as a vertical line from 0 (for ``connect="pairs"``).

    A lag is only known at the tick that ends it, so a stem shows it at that moment, instead of
    a line that would ramp up from the previous tick and suggest a gradual slowdown.

    >>> stems([(0.5, 3.0)])
    ([0.5, 0.5], [0.0, 3.0])
    """
    xs: list[float] = []
    ys: list[float] = []
    for t, lag in series:
        xs += [t, t]
        ys += [0.0, lag]
    return xs, ys


def peaks(series: Sequence[tuple[float, float]], bins: int) -> list[tuple[float, float]]:
    """At most about ``bins`` points of ``series`` (time-ordered): the highest of each time bin.

    A live plot is a few hundred pixels wide, and a 5 ms heartbeat makes 200 lag samples a
    second: drawing every one costs the GUI thread more with each second of a run, for pixels
    that overlap. Keeping each bin's maximum draws the same picture (no stall is lost).

    >>> peaks([(0.0, 1.0), (0.1, 5.0), (0.2, 2.0), (1.0, 3.0)], bins=2)
    [(0.1, 5.0), (1.0, 3.0)]
    """
    if len(series) <= bins or bins < 1:
        return list(series)
    start, end = series[0][0], series[-1][0]
    width = (end - start) / bins or 1.0
    kept: list[tuple[float, float]] = []
    current = -1
    for point in series:
        index = min(int((point[0] - start) / width), bins - 1)
        if index != current:
            kept.append(point)
            current = index
        elif point[1] > kept[-1][1]:
            kept[-1] = point
    return kept
