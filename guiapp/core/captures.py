"""Captures: set a variable from a response, for the requests that follow.

"Log in, then use the token": a :class:`Capture` takes a value from the response (a JSONPath on
the body, a header, a regular expression on the body text, or the status code) and
:func:`capture` returns it as a :class:`CaptureResult`. The runner and the window put captured
values in a runtime scope that later requests resolve with ``{{name}}``. A capture marked
``secret`` is masked wherever it is shown or recorded, like a secret environment variable.

Example::

    >>> from guiapp.core.response import Response
    >>> r = Response(status_code=200, reason="OK", http_version="HTTP/1.1",
    ...              headers=[("X-Request-Id", "r-1")], url="http://x/",
    ...              body=b'{"access_token": "abc", "user": {"id": 7}}')
    >>> capture(Capture("token", "body", "$.access_token", secret=True), r).value
    'abc'
    >>> capture(Capture("uid", "body", "$.user.id"), r).value
    '7'
    >>> capture(Capture("rid", "header", "x-request-id"), r).value
    'r-1'
    >>> capture(Capture("t", "body", "$.refresh_token"), r).message
    'capture {{t}}: $.refresh_token matched nothing'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from guiapp.core.checks import CheckedResponse
from guiapp.core.jsonpath import JSONPathProblem, query
from guiapp.core.variables import variable_name_problem

__all__ = ["CAPTURE_SOURCES", "Capture", "CaptureProblem", "CaptureResult", "capture"]

CAPTURE_SOURCES = ("body", "header", "regex", "status")


class CaptureProblem(ValueError):
    """A capture that can never work as written (bad variable name, unknown source, bad regex)."""


@dataclass(frozen=True, slots=True)
class Capture:
    """Set variable ``variable`` from ``source`` (``body``: ``path`` is a JSONPath; ``header``:
    ``path`` is the header name; ``regex``: ``path`` is searched in the body text, group 1 if
    it has one; ``status``: the status code)."""

    variable: str
    source: str
    path: str = ""
    secret: bool = False
    enabled: bool = True

    def __post_init__(self) -> None:
        problem = variable_name_problem(self.variable)
        if problem:
            raise CaptureProblem(problem)
        if self.source not in CAPTURE_SOURCES:
            raise CaptureProblem(
                f"unknown capture source {self.source!r}: use one of {', '.join(CAPTURE_SOURCES)}"
            )
        if self.source != "status" and not self.path.strip():
            raise CaptureProblem(
                f"the capture of {{{{{self.variable}}}}} needs a {self.source} path"
            )
        if self.source == "regex":
            try:
                re.compile(self.path)
            except re.error as exc:
                raise CaptureProblem(f"invalid regular expression {self.path!r}: {exc}") from None


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """``value`` is the captured text, or ``None`` when nothing was found (see ``message``)."""

    capture: Capture
    value: str | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.value is not None


def capture(spec: Capture, response: CheckedResponse) -> CaptureResult:
    """Take ``spec``'s value from ``response``; never raises for a response's content."""
    where = f"capture {{{{{spec.variable}}}}}"
    if spec.source == "status":
        return CaptureResult(spec, str(response.status_code))
    if spec.source == "header":
        values = response.headers.get_all(spec.path)
        if not values:
            return CaptureResult(spec, None, f"{where}: no header {spec.path!r} in the response")
        return CaptureResult(spec, values[0])
    text = response.text()
    if spec.source == "regex":
        match = re.search(spec.path, text)
        if match is None:
            return CaptureResult(spec, None, f"{where}: /{spec.path}/ matched nothing")
        return CaptureResult(spec, match.group(1) if match.groups() else match.group(0))
    try:
        data = json.loads(text)
    except ValueError as exc:
        return CaptureResult(spec, None, f"{where}: the body is not JSON ({exc})")
    try:
        matches = query(spec.path, data)
    except JSONPathProblem as exc:
        return CaptureResult(spec, None, f"{where}: {exc}")
    if not matches:
        return CaptureResult(spec, None, f"{where}: {spec.path} matched nothing")
    value = matches[0]
    return CaptureResult(spec, value if isinstance(value, str) else json.dumps(value))
