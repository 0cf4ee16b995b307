"""The runner window's texts: the status line's summary and the details pane of one result.

Example::

    status.setText(summary_text(summary))   # "All 3 requests passed · checks 3/3 · …"
    details.setPlainText(describe_result(summary.results[0]))
"""

from __future__ import annotations

from guiapp.runner import RequestRun, RunSummary

__all__ = ["describe_result", "summary_text"]


def summary_text(summary: RunSummary) -> str:
    """One line for the status area, e.g. ``200 requests · 3 failed · checks 397/400 · …``."""
    if summary.cancelled:
        head = f"Cancelled after {summary.requests} requests"
    elif summary.passed:
        head = f"All {summary.requests} requests passed"
    else:
        head = f"{summary.failed_requests} of {summary.requests} requests failed"
        if summary.bailed:
            head += " (stopped at the first failure)"
    parts = [head]
    if summary.checks:
        parts.append(f"checks {summary.checks - summary.failed_checks}/{summary.checks}")
    p50, p95 = summary.percentile_ms(0.5), summary.percentile_ms(0.95)
    if p50 is not None and p95 is not None:
        slowest = max(r.elapsed_ms for r in summary.results if r.status is not None)
        parts.append(f"p50 {p50:.0f} ms · p95 {p95:.0f} ms · max {slowest:.0f} ms")
    parts.append(f"{summary.duration_s:.2f} s")
    return " · ".join(parts)


def describe_result(result: RequestRun) -> str:
    """The details pane's text for one result: request, response, checks, captures."""
    lines = [f"{result.method} {result.url}"]
    lines.append(f"Request: {' / '.join((*result.folder, result.name))} ({result.rel})")
    if result.status is not None:
        lines.append(
            f"Response: {result.status} {result.reason} · {result.elapsed_ms:.0f} ms · "
            f"{result.size} bytes"
        )
    if result.error:
        lines.append(f"Not sent: {result.error}" if result.status is None else result.error)
    if result.checks:
        lines.append("")
        lines.append("Checks:")
        for check in result.checks:
            mark = "✓" if check.passed else "✗"
            lines.append(f"  {mark} {check.message}   (actual: {check.actual})")
    if result.captures:
        lines.append("")
        lines.append("Captures:")
        for cap in result.captures:
            shown = cap.value if cap.ok else cap.message
            lines.append(f"  {'✓' if cap.ok else '✗'} {{{{{cap.capture.variable}}}}} = {shown}")
    return "\n".join(lines)
