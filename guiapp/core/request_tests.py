"""The checks and captures of a saved request, and their TOML form.

They live in the request's own file, next to its ``[request]`` table, so they are readable,
diffable and travel with the request::

    [[checks]]
    subject = "status"          # status | header | body | time | size
    op = "in range"
    value = [200, 299]

    [[checks]]
    subject = "body"
    path = "$.items"            # a JSONPath (RFC 9535)
    op = "length >="
    value = 1

    [[captures]]
    variable = "token"          # later requests use {{token}}
    source = "body"             # body (JSONPath) | header | regex | status
    path = "$.access_token"
    secret = true               # masked wherever it is shown or recorded

A check or capture that cannot work as written is reported with its file and its place in the
list (``checks[2]: unknown operator '=~'...``), never silently dropped.

Example::

    >>> tests = parse_tests({"checks": [{"subject": "status", "op": "==", "value": 200}]})
    >>> tests.checks[0].label()
    'status == 200'
    >>> tests_to_document(tests)
    {'checks': [{'subject': 'status', 'op': '==', 'value': 200}]}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from guiapp.core.captures import Capture, CaptureProblem, CaptureResult, capture
from guiapp.core.checks import Check, CheckedResponse, CheckProblem, CheckResult, evaluate
from guiapp.core.request import REDACTED
from guiapp.core.secret_mask import mask_text

__all__ = [
    "RequestTests",
    "TestOutcome",
    "TestsFormatError",
    "parse_tests",
    "run_tests",
    "tests_to_document",
]

_CHECK_KEYS = frozenset({"subject", "op", "value", "name", "path", "enabled"})
_CAPTURE_KEYS = frozenset({"variable", "source", "path", "secret", "enabled"})


class TestsFormatError(ValueError):
    """A ``[[checks]]`` or ``[[captures]]`` entry that cannot be read."""

    __test__ = False  # not a pytest test class


@dataclass(frozen=True, slots=True)
class RequestTests:
    """The checks and captures of one request (both may be empty)."""

    __test__ = False

    checks: tuple[Check, ...] = ()
    captures: tuple[Capture, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.checks or self.captures)

    @property
    def captured_names(self) -> frozenset[str]:
        """Names of the variables this request sets (enabled captures only)."""
        return frozenset(c.variable for c in self.captures if c.enabled)


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """The results of a request's enabled checks and captures on one response."""

    __test__ = False

    checks: tuple[CheckResult, ...] = ()
    captures: tuple[CaptureResult, ...] = ()

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks) and all(c.ok for c in self.captures)

    def masked(self, secrets: Iterable[str]) -> TestOutcome:
        """A copy to show: each of ``secrets`` (and each value a secret capture found) masked
        in the checks' actual values and messages, and the secret captures' values hidden.

        >>> from guiapp.core.response import Response
        >>> r = Response(status_code=200, reason="OK", http_version="HTTP/1.1", headers=[],
        ...              url="http://x/", body=b'{"token": "s3cr3t-tok"}')
        >>> tests = RequestTests((Check("body", "exists", path="$.token"),),
        ...                      (Capture("t", "body", "$.token", secret=True),))
        >>> shown = run_tests(tests, r).masked(())
        >>> shown.checks[0].actual, shown.captures[0].value
        ('***', '***')
        """
        found = {c.value for c in self.captures if c.capture.secret and c.value}
        values = frozenset(secrets) | found
        if not values:
            return self
        checks = tuple(
            replace(c, actual=mask_text(c.actual, values), message=mask_text(c.message, values))
            for c in self.checks
        )
        captures = tuple(
            replace(
                c,
                value=REDACTED if c.capture.secret and c.value is not None else c.value,
                message=mask_text(c.message, values),
            )
            for c in self.captures
        )
        return TestOutcome(checks, captures)

    def summary(self) -> str:
        """``3/4 checks passed`` (and captures that found nothing), or ``""``."""
        parts = []
        if self.checks:
            ok = sum(c.passed for c in self.checks)
            parts.append(f"{ok}/{len(self.checks)} checks passed")
        missed = sum(not c.ok for c in self.captures)
        if missed:
            parts.append(f"{missed} capture{'s' if missed > 1 else ''} found nothing")
        return " · ".join(parts)


def run_tests(tests: RequestTests, response: CheckedResponse) -> TestOutcome:
    """Evaluate ``tests``' enabled checks and captures on ``response`` (picklable: run it in a
    worker process for large bodies, whose JSON parsing is GIL-bound).

    >>> from guiapp.core.response import Response
    >>> r = Response(status_code=404, reason="Not Found", http_version="HTTP/1.1",
    ...              headers=[], url="http://x/", body=b"{}")
    >>> run_tests(RequestTests(checks=(Check("status", "==", 200),)), r).summary()
    '0/1 checks passed'
    """
    return TestOutcome(
        tuple(evaluate(c, response) for c in tests.checks if c.enabled),
        tuple(capture(c, response) for c in tests.captures if c.enabled),
    )


def parse_tests(data: Mapping[str, Any]) -> RequestTests:
    """Read the ``checks`` and ``captures`` arrays of a request document."""
    checks = tuple(
        _entry("checks", i, raw, _CHECK_KEYS, _check) for i, raw in _items(data, "checks")
    )
    captures = tuple(
        _entry("captures", i, raw, _CAPTURE_KEYS, _capture) for i, raw in _items(data, "captures")
    )
    return RequestTests(checks, captures)


def tests_to_document(tests: RequestTests) -> dict[str, Any]:
    """The TOML-ready form of ``tests`` (defaults left out, so files stay short)."""
    doc: dict[str, Any] = {}
    if tests.checks:
        doc["checks"] = [_check_entry(c) for c in tests.checks]
    if tests.captures:
        doc["captures"] = [_capture_entry(c) for c in tests.captures]
    return doc


def _items(data: Mapping[str, Any], key: str) -> list[tuple[int, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise TestsFormatError(f"{key}: expected an array of tables ([[{key}]])")
    return list(enumerate(raw))


def _entry(key: str, index: int, raw: Any, allowed: frozenset[str], build: Any) -> Any:
    where = f"{key}[{index}]"
    if not isinstance(raw, Mapping):
        raise TestsFormatError(f"{where}: expected a table")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise TestsFormatError(f"{where}: unknown key {unknown[0]!r} (known: {sorted(allowed)})")
    try:
        return build(raw)
    except (CheckProblem, CaptureProblem, TypeError) as exc:
        raise TestsFormatError(f"{where}: {exc}") from None


def _text(raw: Mapping[str, Any], key: str, default: str = "") -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise TypeError(f"{key!r} must be text, not {type(value).__name__}")
    return value


def _flag(raw: Mapping[str, Any], key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise TypeError(f"{key!r} must be true or false")
    return value


def _check(raw: Mapping[str, Any]) -> Check:
    value = raw.get("value")
    return Check(
        subject=_text(raw, "subject"),
        op=_text(raw, "op"),
        value=list(value) if isinstance(value, list | tuple) else value,
        name=_text(raw, "name"),
        path=_text(raw, "path"),
        enabled=_flag(raw, "enabled", True),
    )


def _capture(raw: Mapping[str, Any]) -> Capture:
    return Capture(
        variable=_text(raw, "variable"),
        source=_text(raw, "source"),
        path=_text(raw, "path"),
        secret=_flag(raw, "secret", False),
        enabled=_flag(raw, "enabled", True),
    )


def _check_entry(check: Check) -> dict[str, Any]:
    entry: dict[str, Any] = {"subject": check.subject}
    if check.name:
        entry["name"] = check.name
    if check.path:
        entry["path"] = check.path
    entry["op"] = check.op
    if check.value is not None:
        entry["value"] = check.value
    if not check.enabled:
        entry["enabled"] = False
    return entry


def _capture_entry(capture: Capture) -> dict[str, Any]:
    entry: dict[str, Any] = {"variable": capture.variable, "source": capture.source}
    if capture.path:
        entry["path"] = capture.path
    if capture.secret:
        entry["secret"] = True
    if not capture.enabled:
        entry["enabled"] = False
    return entry
