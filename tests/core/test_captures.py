"""Captures: values taken from responses for later requests."""

from __future__ import annotations

import pytest

from guiapp.core.captures import Capture, CaptureProblem, capture
from guiapp.core.response import Response


def _response(body: bytes, headers=()) -> Response:
    return Response(
        status_code=201,
        reason="Created",
        http_version="HTTP/1.1",
        headers=list(headers),
        url="http://127.0.0.1/",
        body=body,
    )


def test_every_source() -> None:
    r = _response(b'{"token": "t-1", "n": 3, "obj": {"a": [1]}}', [("Location", "/items/9")])
    assert capture(Capture("t", "body", "$.token"), r).value == "t-1"
    assert capture(Capture("n", "body", "$.n"), r).value == "3"
    assert capture(Capture("o", "body", "$.obj"), r).value == '{"a": [1]}'
    assert capture(Capture("loc", "header", "location"), r).value == "/items/9"
    assert capture(Capture("id", "regex", r'"token": "([^"]+)"'), r).value == "t-1"
    assert capture(Capture("whole", "regex", r"t-\d"), r).value == "t-1"
    assert capture(Capture("code", "status"), r).value == "201"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (Capture("t", "body", "$.missing"), "capture {{t}}: $.missing matched nothing"),
        (Capture("t", "header", "X-Token"), "capture {{t}}: no header 'X-Token' in the response"),
        (Capture("t", "regex", "nope(\\d+)"), "capture {{t}}: /nope(\\d+)/ matched nothing"),
        (Capture("t", "body", "$.a[?"), "capture {{t}}: invalid JSONPath"),
    ],
)
def test_a_capture_that_finds_nothing_says_why(spec: Capture, message: str) -> None:
    result = capture(spec, _response(b'{"a": 1}'))
    assert not result.ok
    assert result.value is None
    assert result.message.startswith(message)


def test_a_body_capture_on_a_non_json_body_fails_clearly() -> None:
    result = capture(Capture("t", "body", "$.a"), _response(b"plain text"))
    assert not result.ok
    assert "the body is not JSON" in result.message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"variable": "my token", "source": "body", "path": "$.a"}, "contains a space"),
        ({"variable": "$x", "source": "body", "path": "$.a"}, "built in"),
        ({"variable": "t", "source": "cookie", "path": "a"}, "unknown capture source"),
        ({"variable": "t", "source": "header"}, "needs a header path"),
        ({"variable": "t", "source": "regex", "path": "(["}, "invalid regular expression"),
    ],
)
def test_captures_that_can_never_work_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(CaptureProblem, match=message):
        Capture(**kwargs)
