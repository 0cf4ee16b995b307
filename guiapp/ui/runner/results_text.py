"""The runner window's texts: the status line's summary and the details pane of one result.

Example::

    status.setText(summary_text(summary))   # "All 3 requests passed · checks 3/3 · …"
    details.setPlainText(describe_result(summary.results[0]))
"""

from __future__ import annotations

from guiapp.runner import CANCELLED, NO_CHECKS, NOT_RUN, PASSED, RequestRun, RunSummary

__all__ = ["describe_result", "summary_text"]


def summary_text(summary: RunSummary) -> str:
    """One line for the status area, e.g. ``3 of 200 requests failed · 190 passed ·
    7 no checks (2 with HTTP errors) · checks 397/400 · …`` or ``Cancelled — 37 of 200 run``."""
    counts = summary.counts()
    if summary.cancelled:
        head = f"Cancelled — {summary.finished} of {summary.requests} run"
    elif summary.failed_requests:
        head = f"{summary.failed_requests} of {summary.requests} requests failed"
        if summary.bailed:
            head += " (stopped at the first failure)"
    elif counts[PASSED] == 1:
        head = "The 1 checked request passed"
    elif counts[PASSED]:
        head = f"All {counts[PASSED]} checked requests passed"
    else:
        head = f"No checks: {summary.requests} requests ran, nothing was checked"
    parts = [head]
    if (summary.cancelled or summary.failed_requests) and counts[PASSED]:
        parts.append(f"{counts[PASSED]} passed")
    if counts[NO_CHECKS] and (counts[PASSED] or summary.failed_requests or summary.cancelled):
        parts.append(f"{counts[NO_CHECKS]} no checks")
    errors = summary.unchecked_http_errors
    if errors:
        parts.append(f"{errors} unchecked HTTP error status{'es' if errors > 1 else ''}")
    not_run = counts[NOT_RUN] + counts[CANCELLED]
    if not_run and not summary.cancelled:
        parts.append(f"{not_run} not run")
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
    kind = result.outcome
    if kind == CANCELLED:
        lines.append(f"Cancelled after {result.elapsed_ms / 1000:.3f} s, before a response")
    elif kind == NOT_RUN:
        lines.append("Not run: the run stopped before this request")
    if result.note:
        lines.append(f"Note: {result.note}")
    if result.error:
        lines.append(
            f"{result.ending.capitalize()} ({result.elapsed_ms / 1000:.3f} s): {result.error}"
            if result.status is None
            else result.error
        )
    if kind == NO_CHECKS:
        lines.append("No checks: this response was not checked (add some in its Tests tab).")
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
