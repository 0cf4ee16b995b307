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

from guiapp.runner.engine import (
    CANCELLED,
    FAILED,
    NO_CHECKS,
    NOT_RUN,
    PASSED,
    RequestRun,
    RunSummary,
)

__all__ = ["MARKS", "RunDisplay", "result_line", "verdict"]

#: The mark before each result line, by outcome.
MARKS = {PASSED: "✓", FAILED: "✗", NO_CHECKS: "–", CANCELLED: "⊘", NOT_RUN: "⊘"}


def result_line(result: RequestRun) -> str:
    """One line for a result, e.g. ``✓ #1 GET Get user → 200 OK in 12 ms (3/3 checks)``;
    ``– #1 GET Health → 500 Internal Server Error in 3 ms (no checks)`` for a request
    without checks."""
    kind = result.outcome
    if result.status is not None:
        outcome = f"{result.status} {result.reason}".strip() + f" in {result.elapsed_ms:.0f} ms"
    elif kind == CANCELLED:
        outcome = f"cancelled after {result.elapsed_ms / 1000:.3f} s"
    elif kind == NOT_RUN:
        outcome = "not run"
    else:
        outcome = f"{result.ending} ({result.elapsed_ms / 1000:.3f} s)"
    if result.note:
        outcome += f", {result.note}"
    checks = ""
    if result.checks:
        passed = sum(c.passed for c in result.checks)
        checks = f" ({passed}/{len(result.checks)} checks)"
    elif kind == NO_CHECKS:
        checks = " (no checks)"
    line = f"{MARKS[kind]} #{result.iteration} {result.method} {result.name} → {outcome}{checks}"
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
        kind = result.outcome
        if kind == NOT_RUN:  # counted in the summary, not one line each
            return
        if kind == FAILED:
            self._failed += 1
        if self._progress is None:
            self._console.print(result_line(result), markup=False)
            return
        if kind != PASSED:  # failures and unchecked responses stay above the bar
            self._progress.console.print(result_line(result), markup=False)
        self._progress.update(self._task, advance=1, failed=self._failed)

    def finish(self, summary: RunSummary) -> None:
        if self._progress is not None:
            self._progress.stop()
        counts = summary.counts()
        table = Table(title="guiapp run", title_justify="left")
        columns = ("requests", "passed", "failed", "no checks", "not run", "checks",
                   "failed checks", "p50", "p95", "total")  # fmt: skip
        for column in columns:
            table.add_column(column, justify="right")
        table.add_row(
            str(summary.requests),
            str(counts[PASSED]),
            str(counts[FAILED]),
            str(counts[NO_CHECKS]),
            str(counts[NOT_RUN] + counts[CANCELLED]),
            str(summary.checks),
            str(summary.failed_checks),
            _ms(summary.percentile_ms(0.5)),
            _ms(summary.percentile_ms(0.95)),
            f"{summary.duration_s:.2f} s",
        )
        # A CI log is no terminal: rich would fit the table in 80 columns and cut its headers
        # ("requ…"); there, the table gets the width it needs.
        if not self._console.is_terminal:
            unbounded = self._console.options.update_width(10_000)
            needed = self._console.measure(table, options=unbounded).maximum
            self._console.width = max(self._console.width, needed)
        self._console.print(table)
        self._console.print(verdict(summary), markup=False)


def verdict(summary: RunSummary) -> str:
    """The last line: ``all 12 passed``, ``3 of 12 failed``, ``cancelled — 5 of 12 run``,
    with the requests that had no checks (and how many of them got a 4xx/5xx) named."""
    counts = summary.counts()
    if summary.cancelled:
        text = f"cancelled — {summary.finished} of {summary.requests} run"
    elif summary.failed_requests:
        text = f"{summary.failed_requests} of {summary.requests} failed"
        if summary.bailed:
            text += f" (stopped at the first failure: --bail; {counts[NOT_RUN]} not run)"
    elif counts[PASSED] == 1:
        text = "the 1 checked request passed"
    elif counts[PASSED]:
        text = f"all {counts[PASSED]} checked requests passed"
    else:
        text = "nothing was checked"
    if counts[NO_CHECKS]:
        text += f"; {counts[NO_CHECKS]} without checks"
        errors = summary.unchecked_http_errors
        if errors:
            text += f" ({errors} with an HTTP error status)"
    return text


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"
