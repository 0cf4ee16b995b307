"""Checks on a response: status, headers, JSONPath on the body, time and size.

A :class:`Check` is data (it is stored in the request's TOML file, see docs/workspace.md); it is
evaluated against a response with :func:`evaluate`, which never raises for a response: every
problem (a body that is not JSON, a JSONPath that matches nothing, a bad regex) is a failed
:class:`CheckResult` whose ``message`` says what was expected and what was found.

Subjects: ``status``, ``header`` (``name`` is the header), ``body`` (``path`` is a JSONPath;
without one the whole body text), ``time`` (milliseconds, total) and ``size`` (decoded body
bytes). Operators: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in range`` (``value`` is
``[low, high]``, inclusive), ``contains``, ``matches`` (a regular expression, searched),
``exists``, ``not exists``, ``type is`` (``string``, ``number``, ``integer``, ``boolean``,
``array``, ``object``, ``null``) and ``length`` (``==`` by default; ``length <`` etc. compare).

Example::

    >>> from guiapp.core.response import Response
    >>> r = Response(status_code=201, reason="Created", http_version="HTTP/1.1",
    ...              headers=[("Content-Type", "application/json")], url="http://x/",
    ...              body=b'{"id": 7, "tags": ["a", "b"]}', elapsed=0.042)
    >>> evaluate(Check("status", "in range", [200, 299]), r).passed
    True
    >>> evaluate(Check("body", "==", 8, path="$.id"), r).message
    '$.id == 8: got 7'
    >>> evaluate(Check("body", "length", 2, path="$.tags"), r).passed
    True
    >>> evaluate(Check("header", "contains", "json", name="content-type"), r).passed
    True
    >>> evaluate(Check("time", "<", 500), r).actual
    '42 ms'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from guiapp.core.jsonpath import JSONPathProblem, query
from guiapp.core.response import Headers

__all__ = [
    "OPERATORS",
    "SUBJECTS",
    "TYPE_NAMES",
    "Check",
    "CheckProblem",
    "CheckResult",
    "CheckedResponse",
    "evaluate",
    "json_type",
]

SUBJECTS = ("status", "header", "body", "time", "size")
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")
OPERATORS = (
    *_COMPARE,
    "in range",
    "contains",
    "matches",
    "exists",
    "not exists",
    "type is",
    "length",
    *(f"length {op}" for op in _COMPARE),
)
TYPE_NAMES = ("string", "number", "integer", "boolean", "array", "object", "null")
_NO_VALUE_OPS = ("exists", "not exists")
_PREVIEW = 120


class CheckProblem(ValueError):
    """A check that can never be evaluated as written (unknown subject or operator...)."""


class CheckedResponse(Protocol):
    """What a check reads from a response (:class:`guiapp.core.response.Response` fits)."""

    status_code: int
    elapsed: float
    size: int

    @property
    def headers(self) -> Headers: ...

    def text(self, limit: int | None = None, errors: str = "replace") -> str: ...


@dataclass(frozen=True, slots=True)
class Check:
    """One check: ``subject`` ``op`` ``value``, with ``name`` for headers, ``path`` for bodies."""

    subject: str
    op: str
    value: Any = None
    name: str = ""
    path: str = ""
    enabled: bool = True

    def __post_init__(self) -> None:
        problem = self.problem()
        if problem:
            raise CheckProblem(problem)

    def __hash__(self) -> int:
        # ``value`` may be a list ([low, high]): hashed in a frozen form, so that a check (and a
        # RequestSpec holding checks) stays hashable like every other part of a request.
        return hash((self.subject, self.op, _frozen(self.value), self.name, self.path))

    def problem(self) -> str:
        """Why this check can never pass as written, or ``""``."""
        if self.subject not in SUBJECTS:
            return f"unknown check subject {self.subject!r}: use one of {', '.join(SUBJECTS)}"
        if self.op not in OPERATORS:
            return f"unknown operator {self.op!r}: use one of {', '.join(OPERATORS)}"
        if self.subject == "header" and not self.name.strip():
            return "a header check needs the header name"
        if self.op not in _NO_VALUE_OPS and self.value is None:
            return f"the operator {self.op!r} needs a value"
        if self.op == "in range" and not (
            isinstance(self.value, list | tuple) and len(self.value) == 2
        ):
            return "'in range' needs a value [low, high]"
        if self.op == "type is" and self.value not in TYPE_NAMES:
            return f"'type is' takes one of {', '.join(TYPE_NAMES)}, not {self.value!r}"
        if self.op == "matches":
            try:
                re.compile(str(self.value))
            except re.error as exc:
                return f"invalid regular expression {self.value!r}: {exc}"
        return ""

    def label(self) -> str:
        """A short human description, e.g. ``status == 200`` or ``$.id exists``."""
        subject = {
            "header": f"header {self.name}",
            "body": self.path or "body",
            "time": "time (ms)",
            "size": "size (bytes)",
        }.get(self.subject, self.subject)
        if self.op in _NO_VALUE_OPS:
            return f"{subject} {self.op}"
        return f"{subject} {self.op} {_show(self.value)}"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check: ``passed``, the ``actual`` value shown, and a ``message``."""

    check: Check
    passed: bool
    actual: str
    message: str = field(default="")


_Subject = tuple[bool, Any, str]  # (found, value, shown)


def evaluate(check: Check, response: CheckedResponse) -> CheckResult:
    """Evaluate ``check`` against ``response``; never raises for a response's content."""
    try:
        found, actual, shown = _subject(check, response)
    except _NotJSON as exc:
        return CheckResult(check, False, "not JSON", f"{check.label()}: {exc}")
    except JSONPathProblem as exc:
        return CheckResult(check, False, "", str(exc))
    passed, why = _apply(check, found, actual)
    label = check.label()
    if passed:
        return CheckResult(check, True, shown, label)
    return CheckResult(check, False, shown, f"{label}: {why}")


class _NotJSON(Exception):
    pass


def _subject(check: Check, response: CheckedResponse) -> _Subject:
    if check.subject == "status":
        return True, response.status_code, str(response.status_code)
    if check.subject == "time":
        ms = round(response.elapsed * 1000)
        return True, ms, f"{ms} ms"
    if check.subject == "size":
        return True, response.size, f"{response.size} bytes"
    if check.subject == "header":
        values = response.headers.get_all(check.name)
        if not values:
            return False, None, "(absent)"
        value = ", ".join(values)
        return True, value, _preview(value)
    text = response.text()
    if not check.path:
        return True, text, _preview(text)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _NotJSON(f"the body is not JSON ({exc.__class__.__name__}: {exc})") from None
    matches = query(check.path, data)
    if not matches:
        return False, None, "(no match)"
    selected = matches[0] if len(matches) == 1 else matches
    return True, selected, _preview(_show(selected))


def _apply(check: Check, found: bool, actual: Any) -> tuple[bool, str]:
    op = check.op
    if op == "exists":
        return found, "not found"
    if op == "not exists":
        return not found, f"found {_show(actual)}"
    if not found:
        return False, "nothing to compare (no match)" if check.path else "not found"
    if op == "type is":
        kind = json_type(actual)
        ok = kind == check.value or (check.value == "number" and kind == "integer")
        return ok, f"got {kind}"
    if op.startswith("length"):
        if not isinstance(actual, str | list | dict):
            return False, f"{json_type(actual)} has no length"
        compare = op.removeprefix("length").strip() or "=="
        ok, _ = _compare(compare, len(actual), check.value)
        return ok, f"length is {len(actual)}"
    if op == "in range":
        low, high = check.value
        ok_low, why = _compare(">=", actual, low)
        ok_high, why_high = _compare("<=", actual, high)
        return ok_low and ok_high, why or why_high or f"got {_show(actual)}"
    if op == "contains":
        return _contains(actual, check.value), f"got {_preview(_show(actual))}"
    if op == "matches":
        text = actual if isinstance(actual, str) else _show(actual)
        return re.search(str(check.value), text) is not None, f"got {_preview(text)}"
    ok, why = _compare(op, actual, check.value)
    return ok, why or f"got {_preview(_show(actual))}"


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(op: str, actual: Any, expected: Any) -> tuple[bool, str]:
    if op in ("==", "!="):
        equal = _equal(actual, expected)
        return (equal if op == "==" else not equal), ""
    a, b = _number(actual), _number(expected)
    if a is None or b is None:
        a, b = actual, expected
        if not (isinstance(a, str) and isinstance(b, str)):
            return False, f"cannot compare {json_type(actual)} {_show(actual)} with {_show(b)}"
    return _ORDER[op](a, b), ""


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected or (
            isinstance(expected, str) and str(actual).lower() == expected.lower()
        )
    a, b = _number(actual), _number(expected)
    if a is not None and b is not None:
        return a == b
    if isinstance(actual, str) or isinstance(expected, str):
        return str(actual) == str(expected) if not isinstance(actual, list | dict) else False
    return bool(actual == expected)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return str(expected) in actual
    if isinstance(actual, list):
        return any(_equal(item, expected) for item in actual)
    if isinstance(actual, dict):
        return str(expected) in actual
    return False


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value (``integer`` for whole numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return frozenset((k, _frozen(v)) for k, v in value.items())
    return value


def _preview(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"
