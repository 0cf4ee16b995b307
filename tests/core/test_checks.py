"""Checks on responses: every subject and operator, and the messages of failures."""

from __future__ import annotations

import pytest

from guiapp.core.checks import Check, CheckProblem, evaluate, json_type
from guiapp.core.jsonpath import JSONPathProblem, query
from guiapp.core.response import Response


def _response(body: bytes = b"", status: int = 200, headers=(), elapsed: float = 0.1) -> Response:
    return Response(
        status_code=status,
        reason="OK",
        http_version="HTTP/1.1",
        headers=list(headers),
        url="http://127.0.0.1/",
        body=body,
        elapsed=elapsed,
    )


DOC = (
    b'{"id": 7, "name": "Ann", "admin": false, "score": 9.5, "tags": ["a", "b"],'
    b' "meta": {"k": 1}, "none": null, "count": "12"}'
)


@pytest.mark.parametrize(
    ("check", "passed"),
    [
        (Check("status", "==", 200), True),
        (Check("status", "!=", 200), False),
        (Check("status", "in range", [200, 299]), True),
        (Check("status", "in range", [300, 399]), False),
        (Check("status", "<", 300), True),
        (Check("body", "==", 7, path="$.id"), True),
        (Check("body", "==", "7", path="$.id"), True),
        (Check("body", "!=", 8, path="$.id"), True),
        (Check("body", ">=", 7, path="$.id"), True),
        (Check("body", ">", 7, path="$.id"), False),
        (Check("body", "<=", 9.5, path="$.score"), True),
        (Check("body", "==", False, path="$.admin"), True),
        (Check("body", "==", "false", path="$.admin"), True),
        (Check("body", "==", 0, path="$.admin"), False),
        (Check("body", "contains", "b", path="$.tags"), True),
        (Check("body", "contains", "z", path="$.tags"), False),
        (Check("body", "contains", "k", path="$.meta"), True),
        (Check("body", "contains", "nn", path="$.name"), True),
        (Check("body", "matches", "^A.n$", path="$.name"), True),
        (Check("body", "exists", path="$.none"), True),
        (Check("body", "exists", path="$.nothing"), False),
        (Check("body", "not exists", path="$.nothing"), True),
        (Check("body", "type is", "null", path="$.none"), True),
        (Check("body", "type is", "number", path="$.id"), True),
        (Check("body", "type is", "integer", path="$.score"), False),
        (Check("body", "type is", "array", path="$.tags"), True),
        (Check("body", "type is", "object", path="$.meta"), True),
        (Check("body", "length", 2, path="$.tags"), True),
        (Check("body", "length >", 2, path="$.tags"), False),
        (Check("body", "length <=", 3, path="$.name"), True),
        (Check("body", ">", 10, path="$.count"), True),
        (Check("body", "==", ["a", "b"], path="$.tags[*]"), True),
        (Check("body", "contains", '"name"'), True),
        (Check("time", "<", 500), True),
        (Check("time", ">", 500), False),
        (Check("size", "==", len(DOC)), True),
    ],
)
def test_operators(check: Check, passed: bool) -> None:
    result = evaluate(check, _response(DOC))
    assert result.passed is passed, result.message


def test_header_checks_are_case_insensitive_and_report_absence() -> None:
    r = _response(headers=[("Content-Type", "application/json; charset=utf-8")])
    assert evaluate(Check("header", "exists", name="content-type"), r).passed
    assert evaluate(Check("header", "contains", "json", name="CONTENT-TYPE"), r).passed
    missing = evaluate(Check("header", "==", "x", name="X-Trace"), r)
    assert not missing.passed
    assert missing.actual == "(absent)"
    assert missing.message == "header X-Trace == x: not found"
    assert evaluate(Check("header", "not exists", name="X-Trace"), r).passed


def test_failure_messages_say_what_was_expected_and_found() -> None:
    r = _response(DOC, status=404)
    assert evaluate(Check("status", "==", 200), r).message == "status == 200: got 404"
    nothing = evaluate(Check("body", "==", 1, path="$.user.id"), r)
    assert nothing.message == "$.user.id == 1: nothing to compare (no match)"
    length = evaluate(Check("body", "length", 3, path="$.tags"), r)
    assert length.message == "$.tags length 3: length is 2"
    kind = evaluate(Check("body", "type is", "string", path="$.id"), r)
    assert kind.message == "$.id type is string: got integer"


def test_a_check_on_a_body_that_is_not_json_fails_with_a_clear_message() -> None:
    result = evaluate(Check("body", "==", 1, path="$.id"), _response(b"<html>oops</html>"))
    assert not result.passed
    assert result.actual == "not JSON"
    assert "the body is not JSON" in result.message


def test_an_invalid_jsonpath_fails_the_check_with_its_position() -> None:
    result = evaluate(Check("body", "exists", path="$.a[?@.b >"), _response(DOC))
    assert not result.passed
    assert "invalid JSONPath $.a[?@.b >" in result.message
    assert "position" in result.message


def test_jsonpath_problem_carries_position_and_reason() -> None:
    with pytest.raises(JSONPathProblem) as info:
        query("$.users[?@.score >", {})
    assert info.value.position == 18
    assert "unclosed" in info.value.reason
    with pytest.raises(JSONPathProblem, match="starts with \\$"):
        query("users", {})


def test_comparing_incomparable_values_fails_instead_of_raising() -> None:
    result = evaluate(Check("body", "<", 3, path="$.meta"), _response(DOC))
    assert not result.passed
    assert "cannot compare object" in result.message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"subject": "cookie", "op": "==", "value": 1}, "unknown check subject"),
        ({"subject": "status", "op": "=~", "value": 1}, "unknown operator"),
        ({"subject": "header", "op": "exists"}, "needs the header name"),
        ({"subject": "status", "op": "=="}, "needs a value"),
        ({"subject": "status", "op": "in range", "value": 200}, "needs a value [low, high]"),
        ({"subject": "body", "op": "type is", "value": "str"}, "'type is' takes one of"),
        ({"subject": "body", "op": "matches", "value": "(["}, "invalid regular expression"),
    ],
)
def test_checks_that_can_never_work_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(CheckProblem, match=message.replace("[", "\\[")):
        Check(**kwargs)


def test_json_type_names() -> None:
    assert [json_type(v) for v in (None, True, 1, 1.5, "x", [], {})] == [
        "null",
        "boolean",
        "integer",
        "number",
        "string",
        "array",
        "object",
    ]
