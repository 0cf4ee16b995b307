"""Filter a JSON response body with a JSONPath, in a worker process.

:func:`filter_json_body` parses the body, runs the query (RFC 9535, see
:mod:`guiapp.core.jsonpath`) and returns the matches as pretty-printed JSON lines: in memory
when they are few, otherwise as a formatted file the body view memory-maps. It is picklable
and meant to run in a :class:`~guiapp.offload.ProcessOffloader`: parsing a 50 MB body is
GIL-bound work that would stall the GUI for a second in a thread. The parsed document of a body
read from a file is kept (one per worker process), so re-running the query as the user types
costs only the query.

Example::

    >>> out = filter_json_body(b'{"items": [{"id": 1}, {"id": 2}]}', "utf-8", "$.items[*].id", "")
    >>> out.matches, out.lines
    (2, ('[', '  1,', '  2', ']'))
    >>> filter_json_body(b'{"a": 1}', "utf-8", "$.a[?", "").error
    'invalid JSONPath $.a[?: ...'
    >>> filter_json_body(b"<html/>", "utf-8", "$.a", "").error
    'The body is not JSON (Expecting value at line 1, column 1): a JSONPath filter needs JSON.'
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from guiapp.core._format_files import FormattedFile, format_body_file
from guiapp.core.jsonpath import JSONPathProblem, query

__all__ = ["MAX_LINES_IN_MEMORY", "FilterOutcome", "filter_json_body"]

#: Results up to this many lines are returned in memory; longer ones are written to a file.
MAX_LINES_IN_MEMORY = 5_000

# One parsed document per worker process: (path, size, mtime_ns) -> value.
_cache: dict[tuple[str, int, int], Any] = {}


@dataclass(frozen=True, slots=True)
class FilterOutcome:
    """The result of one filter: ``matches`` found, shown as ``lines`` or a ``formatted``
    file; or an ``error`` message (invalid JSONPath, a body that is not JSON)."""

    expression: str
    matches: int = 0
    lines: tuple[str, ...] = ()
    formatted: FormattedFile | None = None
    error: str = ""


def filter_json_body(
    source: bytes | str, encoding: str, expression: str, out_path: str
) -> FilterOutcome:
    """Run ``expression`` on the JSON body in ``source`` (bytes, or the path of a file).

    Large results are written to ``out_path`` (+ ``.index``) as a formatted file.
    """
    try:
        data = _parse(source, encoding)
    except ValueError as exc:
        return FilterOutcome(
            expression,
            error=f"The body is not JSON ({_short(exc)}): a JSONPath filter needs JSON.",
        )
    try:
        matches = query(expression, data)
    except JSONPathProblem as exc:
        return FilterOutcome(expression, error=str(exc))
    text = json.dumps(matches, indent=2, ensure_ascii=False)
    lines = text.split("\n")
    if len(lines) <= MAX_LINES_IN_MEMORY or not out_path:
        return FilterOutcome(expression, len(matches), tuple(lines))
    source_path = out_path + ".json"
    with open(source_path, "w", encoding="utf-8") as stream:
        stream.write(text)
    try:
        formatted = format_body_file(source_path, "utf-8", "json", out_path, pretty=False)
    finally:
        os.unlink(source_path)
    return FilterOutcome(expression, len(matches), formatted=formatted)


def _parse(source: bytes | str, encoding: str) -> Any:
    if isinstance(source, bytes):
        return json.loads(source.decode(encoding, "replace").lstrip("\ufeff"))
    stat = os.stat(source)
    key = (source, stat.st_size, stat.st_mtime_ns)
    if key not in _cache:
        _cache.clear()  # keep one document: a body can be hundreds of MB once parsed
        with open(source, "rb") as stream:
            raw = stream.read()
        _cache[key] = json.loads(raw.decode(encoding, "replace").lstrip("\ufeff"))
    return _cache[key]


def _short(exc: ValueError) -> str:
    # "Expecting value: line 1 column 1 (char 0)" -> "Expecting value at line 1, column 1"
    message = str(exc)
    head, _, where = message.partition(": line ")
    if not where:
        return message
    line, _, rest = where.partition(" column ")
    column = rest.split(" ", 1)[0]
    return f"{head} at line {line}, column {column}"
