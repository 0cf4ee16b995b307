"""What one Lab run measured: :class:`CellResult`, its table row, its time series (Qt-free).

Example::

    result = await CellRun(workload, strategy, session).run()
    row = result.row()            # keys: COLUMNS, numbers rounded for display
    print(row["lag_max_ms"], len(result.lag_series))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guiapp.lab.workloads import Workload
from guiapp.offload.freeze import FreezeReport
from guiapp.offload.stats import LagStats

__all__ = ["COLUMNS", "CellResult", "Point"]

#: (seconds since the start of the run, value)
Point = tuple[float, float]

#: Columns of a result row, in table / CSV order.
COLUMNS = (
    "workload",
    "params",
    "strategy",
    "tasks",
    "completed",
    "wall_s",
    "throughput_per_s",
    "lag_p50_ms",
    "lag_p99_ms",
    "lag_max_ms",
    "stalls_over_50ms",
    "peak_threads",
    "added_threads",
    "peak_rss_mb",
    "rss_added_mb",
    "worst_freeze_cause",
    "worst_freeze_culprit",
    "detail",
    "status",
)


@dataclass
class CellResult:
    """The measurements of one run (and its time series, for plots)."""

    workload: Workload
    strategy: str
    completed: int
    wall_s: float
    lag: LagStats
    baseline_threads: int
    peak_threads: int
    added_threads: int
    peak_rss_mb: float
    rss_added_mb: float = 0.0
    status: str = "ok"
    #: What the workload reports beyond timings (Django: calls at a time, query threads).
    detail: str = ""
    lag_series: list[Point] = field(default_factory=list)
    done_series: list[Point] = field(default_factory=list)
    thread_series: list[Point] = field(default_factory=list)
    #: Each stall over 50 ms during the run, with the code behind it (FreezeWatch).
    freezes: list[FreezeReport] = field(default_factory=list)

    @property
    def worst_freeze(self) -> FreezeReport | None:
        """The longest freeze of the run, or None."""
        return max(self.freezes, key=lambda r: r.duration_ms, default=None)

    @property
    def throughput(self) -> float:
        return self.completed / self.wall_s if self.wall_s > 0 else 0.0

    def row(self) -> dict[str, Any]:
        """One table row (keys: :data:`COLUMNS`), numbers rounded for display."""
        worst = self.worst_freeze
        return {
            "workload": self.workload.name,
            "params": self.workload.label().split(" ", 1)[1],
            "strategy": self.strategy,
            "tasks": self.workload.tasks,
            "completed": self.completed,
            "wall_s": round(self.wall_s, 3),
            "throughput_per_s": round(self.throughput, 2),
            "lag_p50_ms": round(self.lag.p50_ms, 2),
            "lag_p99_ms": round(self.lag.p99_ms, 2),
            "lag_max_ms": round(self.lag.max_ms, 1),
            "stalls_over_50ms": self.lag.stalls,
            "peak_threads": self.peak_threads,
            "added_threads": self.added_threads,
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "rss_added_mb": round(self.rss_added_mb, 1),
            "worst_freeze_cause": worst.cause if worst is not None else "",
            "worst_freeze_culprit": worst.culprit if worst is not None else "",
            "detail": self.detail,
            "status": self.status,
        }

    def to_dict(self) -> dict[str, Any]:
        worst = self.worst_freeze
        return {
            **self.row(),
            "lag": self.lag.to_dict(),
            "baseline_threads": self.baseline_threads,
            "worst_freeze": worst.to_dict() if worst is not None else None,
        }
