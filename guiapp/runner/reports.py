"""Run reports for CI: JUnit XML and JSON.

JUnit: one ``<testsuite>`` per iteration, one ``<testcase>`` per request per iteration
(``classname`` is the collection and folder, ``name`` the request), one ``<failure>``
element for each failed check, each capture that found nothing, and a request that failed
to send, and a ``<skipped>`` element for a request cancelled in flight or never run. Times
are wall-clock times: a testcase's is its request's, a testsuite's its iteration's (with
concurrency the testcases overlap, so their sum may exceed it), the root's the whole run's;
each testsuite's ``timestamp`` is when its iteration started (ISO 8601, UTC). JSON: the same
results with their outcome and every check and capture, plus the summary.

Example::

    >>> from guiapp.runner.engine import RequestRun, RunSummary
    >>> summary = RunSummary([RequestRun(1, 0, "Get user", "users/get.toml", "GET",
    ...                                  "http://x/users/1", ("Users",),
    ...                                  error="Connection refused")])
    >>> xml = junit_xml(summary, "API")
    >>> '<testcase classname="API.Users" name="Get user"' in xml, xml.count("<failure")
    (True, 1)
    >>> to_json(summary, "API")["results"][0]["outcome"]
    'failed'
    >>> to_json(summary, "API")["summary"]["failed_requests"]
    1
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from guiapp.core.atomic import atomic_write_text
from guiapp.runner.engine import CANCELLED, NO_CHECKS, NOT_RUN, PASSED, RequestRun, RunSummary

__all__ = ["junit_xml", "to_json", "write_json", "write_junit"]

# Characters XML 1.0 cannot carry (server text can contain anything).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def junit_xml(summary: RunSummary, collection: str) -> str:
    """The JUnit XML text of ``summary`` for the collection named ``collection``."""
    counts = summary.counts()
    root = ET.Element(
        "testsuites",
        name=_clean(collection),
        tests=str(summary.requests),
        failures=str(summary.failed_requests),
        errors="0",
        skipped=str(counts[CANCELLED] + counts[NOT_RUN]),
        time=f"{summary.duration_s:.3f}",
    )
    by_iteration: dict[int, list[RequestRun]] = {}
    for result in summary.results:
        by_iteration.setdefault(result.iteration, []).append(result)
    run_start = summary.started_at or datetime.now(UTC)
    for iteration, results in sorted(by_iteration.items()):
        # An iteration that never began (a cancelled run) is stamped with the run's start, 0 s.
        began, took = summary.iteration_times.get(iteration, (run_start, 0.0))
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_clean(f"{collection} (iteration {iteration})"),
            tests=str(len(results)),
            failures=str(sum(r.failed for r in results)),
            errors="0",
            skipped=str(sum(r.outcome in (CANCELLED, NOT_RUN) for r in results)),
            time=f"{took:.3f}",
            timestamp=_stamp(began),
        )
        for result in results:
            _testcase(suite, result, collection)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _stamp(moment: datetime) -> str:
    """ISO 8601 in UTC without an offset, as the common JUnit schema's pattern wants."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _testcase(suite: ET.Element, result: RequestRun, collection: str) -> None:
    folder = ".".join(result.folder)
    case = ET.SubElement(
        suite,
        "testcase",
        classname=_clean(f"{collection}.{folder}" if folder else collection),
        name=_clean(result.name),
        time=f"{result.elapsed_ms / 1000:.3f}",
    )
    kind = result.outcome
    if result.status is not None:
        status = f"{result.status} {result.reason}".strip()
    else:
        status = result.ending
    if result.note:
        status += f", {result.note}"
    detail = f"{result.method} {result.url} → {status}"
    if kind == NO_CHECKS:
        detail += " (no checks)"
    if kind == CANCELLED:
        ET.SubElement(case, "skipped", message=f"cancelled after {result.elapsed_ms / 1000:.3f} s")
    elif kind == NOT_RUN:
        ET.SubElement(case, "skipped", message="not run")
    if result.error:
        failure = ET.SubElement(case, "failure", message=_clean(result.error), type="request")
        failure.text = _clean(detail)
    for check in result.checks:
        if not check.passed:
            failure = ET.SubElement(case, "failure", message=_clean(check.message), type="check")
            failure.text = _clean(f"{detail}\nactual: {check.actual}")
    for cap in result.captures:
        if not cap.ok:
            failure = ET.SubElement(case, "failure", message=_clean(cap.message), type="capture")
            failure.text = _clean(detail)
    out = ET.SubElement(case, "system-out")
    out.text = _clean(detail)


def to_json(summary: RunSummary, collection: str) -> dict[str, Any]:
    """A JSON-ready report: ``collection``, ``summary`` and one entry per result."""
    counts = summary.counts()
    started = summary.started_at.isoformat(timespec="milliseconds") if summary.started_at else None
    return {
        "collection": collection,
        "summary": {
            "requests": summary.requests,
            "passed_requests": counts[PASSED],
            "failed_requests": summary.failed_requests,
            "no_checks": counts[NO_CHECKS],
            "unchecked_http_errors": summary.unchecked_http_errors,
            "cancelled_requests": counts[CANCELLED],
            "not_run": counts[NOT_RUN],
            "started_at": started,
            "checks": summary.checks,
            "failed_checks": summary.failed_checks,
            "duration_s": round(summary.duration_s, 3),
            "p50_ms": summary.percentile_ms(0.5),
            "p95_ms": summary.percentile_ms(0.95),
            "cancelled": summary.cancelled,
            "bailed": summary.bailed,
            "passed": summary.passed,
        },
        "results": [_result(r) for r in summary.results],
    }


def _result(result: RequestRun) -> dict[str, Any]:
    return {
        "iteration": result.iteration,
        "request": result.rel,
        "name": result.name,
        "method": result.method,
        "url": result.url,
        "status": result.status,
        "elapsed_ms": round(result.elapsed_ms, 3),
        "size": result.size,
        "error": result.error or None,
        "note": result.note or None,
        "outcome": result.outcome,
        "passed": result.passed,
        "checks": [
            {"check": c.check.label(), "passed": c.passed, "actual": c.actual, "message": c.message}
            for c in result.checks
        ],
        "captures": [
            {"variable": c.capture.variable, "found": c.ok, "message": c.message or None}
            for c in result.captures
        ],
    }


def write_junit(path: str, summary: RunSummary, collection: str) -> None:
    """Write :func:`junit_xml` to ``path`` atomically."""
    atomic_write_text(path, junit_xml(summary, collection))


def write_json(path: str, summary: RunSummary, collection: str) -> None:
    """Write :func:`to_json` to ``path`` atomically (UTF-8, indented)."""
    atomic_write_text(path, json.dumps(to_json(summary, collection), indent=2, ensure_ascii=False))
