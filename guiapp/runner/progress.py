"""What ``guiapp run`` prints: a progress bar on a terminal, plain lines otherwise, and a
summary table at the end (requests, checks, failures, p50/p95 time).

Uses `rich <https://rich.readthedocs.io>`_ for the bar and the table; without a terminal (CI
logs) rich prints no colours and no bar, so the output stays readable as plain text.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from guiapp.runner.engine import RequestRun, RunSummary

__all__ = ["RunDisplay", "result_line"]


def result_line(result: RequestRun) -> str:
    """One line for a result, e.g. ``✓ #1 GET Get user → 200 OK in 12 ms (3/3 checks)``."""
    mark = "✓" if result.passed else "✗"
    outcome = (
        f"{result.status} {result.reason}".strip() + f" in {result.elapsed_ms:.0f} ms"
        if result.status is not None
        else "not sent"
    )
    checks = ""
    if result.checks:
        passed = sum(c.passed for c in result.checks)
        checks = f" ({passed}/{len(result.checks)} checks)"
    line = f"{mark} #{result.iteration} {result.method} {result.name} → {outcome}{checks}"
    for failure in result.failures():
        line += f"\n    {failure}"
    return line


class RunDisplay:
    """Shows results as they arrive (``add``) and the summary (``finish``)."""

    def __init__(self, out: TextIO, *, total: int) -> None:
        self._console = Console(file=out, highlight=False, soft_wrap=True)
        self._progress: Progress | None = None
        if self._console.is_terminal:
            self._progress = Progress(
                TextColumn("[bold]running"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._task = self._progress.add_task("run", total=total, failed=0)
            self._progress.start()
        self._failed = 0

    def add(self, result: RequestRun) -> None:
        if not result.passed:
            self._failed += 1
        if self._progress is None:
            self._console.print(result_line(result), markup=False)
            return
        if not result.passed:  # failures stay on screen above the bar; passes only count
            self._progress.console.print(result_line(result), markup=False)
        self._progress.update(self._task, advance=1, failed=self._failed)

    def finish(self, summary: RunSummary) -> None:
        if self._progress is not None:
            self._progress.stop()
        table = Table(title="guiapp run", title_justify="left")
        for column in ("requests", "failed", "checks", "failed checks", "p50", "p95", "total"):
            table.add_column(column, justify="right")
        table.add_row(
            str(summary.requests),
            str(summary.failed_requests),
            str(summary.checks),
            str(summary.failed_checks),
            _ms(summary.percentile_ms(0.5)),
            _ms(summary.percentile_ms(0.95)),
            f"{summary.duration_s:.2f} s",
        )
        self._console.print(table)
        if summary.cancelled:
            verdict = "cancelled"
        elif summary.passed:
            verdict = "all passed"
        else:
            verdict = f"{summary.failed_requests} of {summary.requests} failed"
            if summary.bailed:
                verdict += " (stopped at the first failure: --bail)"
        self._console.print(verdict, markup=False)


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"
