"""JSONPath queries (RFC 9535) with messages a user can act on.

A thin layer over the ``jsonpath-rfc9535`` package, which follows the RFC strictly and is tested
against the JSONPath Compliance Test Suite. It adds one exception type, :class:`JSONPathProblem`,
whose message names the query and the position of the mistake, and a small cache so a check run
10,000 times compiles its query once.

Example::

    >>> data = {"users": [{"name": "Sue", "score": 100}, {"name": "Jane", "score": 55}]}
    >>> query("$.users[?@.score > 85].name", data)
    ['Sue']
    >>> query("$.missing", data)
    []
    >>> try:
    ...     query("$.users[?@.score >", data)
    ... except JSONPathProblem as exc:
    ...     print(exc.position, exc.reason)
    18 unclosed bracketed selection
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jsonpath_rfc9535 as _rfc9535

__all__ = ["JSONPathProblem", "compile_query", "query"]


class JSONPathProblem(ValueError):
    """A JSONPath that cannot be compiled; ``position`` is the 0-based offset of the mistake."""

    def __init__(self, expression: str, reason: str, position: int | None) -> None:
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"invalid JSONPath {expression}: {reason}{where}")
        self.expression = expression
        self.reason = reason
        self.position = position


@lru_cache(maxsize=512)
def compile_query(expression: str) -> _rfc9535.JSONPathQuery:
    """The compiled query for ``expression``; raises :class:`JSONPathProblem`."""
    text = expression.strip()
    if not text.startswith("$"):
        raise JSONPathProblem(expression, "a JSONPath starts with $ (the root)", 0)
    try:
        return _rfc9535.compile(text)
    except _rfc9535.JSONPathError as exc:
        token = getattr(exc, "token", None)
        position = getattr(token, "index", None)
        reason = getattr(token, "message", None) or str(exc).split(", line ")[0]
        raise JSONPathProblem(expression, str(reason), position) from None


def query(expression: str, data: Any) -> list[Any]:
    """The values ``expression`` selects in ``data`` (a parsed JSON value), in document order."""
    return list(compile_query(expression).find(data).values())
