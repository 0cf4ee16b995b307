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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from guiapp.core.captures import Capture, CaptureProblem
from guiapp.core.checks import Check, CheckProblem

__all__ = ["RequestTests", "TestsFormatError", "parse_tests", "tests_to_document"]

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
