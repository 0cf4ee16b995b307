"""spec_to_dict / spec_from_dict: exact, JSON-safe round trips and clear errors on bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

from guiapp.core.request import (
    BasicAuth,
    BearerAuth,
    FilePart,
    FormBody,
    MultipartBody,
    RequestSpec,
    TextPart,
)
from guiapp.core.serialize import FORMAT_VERSION, SpecFormatError, spec_from_dict, spec_to_dict
from tests.strategies import request_specs


@settings(max_examples=300, deadline=None)  # no timing here: the machine is shared
@given(request_specs())
def test_round_trip_through_json_is_exact(spec: RequestSpec) -> None:
    data = json.loads(json.dumps(spec_to_dict(spec)))
    back = spec_from_dict(data)
    assert back == spec
    assert type(back.timeout) is type(spec.timeout)
    assert type(back.verify) is type(spec.verify)


def test_dict_layout_is_plain_and_versioned() -> None:
    spec = RequestSpec(
        url="http://h/x",
        method="post",
        params=[("a", "1"), ("a", "2")],
        body=MultipartBody((TextPart("n", "v"), FilePart("f", "/tmp/x", "x.bin"))),
        auth=BasicAuth("u", "p"),
        cert=("c.pem", "k.pem"),
    )
    d = spec_to_dict(spec)
    assert d["version"] == FORMAT_VERSION
    assert d["method"] == "POST"
    assert d["params"] == [["a", "1"], ["a", "2"]]
    assert d["auth"] == {"type": "basic", "username": "u", "password": "p"}
    assert d["body"]["parts"][1] == {
        "type": "file",
        "name": "f",
        "path": "/tmp/x",
        "filename": "x.bin",
        "content_type": None,
    }
    assert d["cert"] == ["c.pem", "k.pem"]


def test_missing_optional_keys_take_defaults() -> None:
    assert spec_from_dict({"url": "http://h/"}) == RequestSpec(url="http://h/")
    assert spec_from_dict({"url": "u", "timeout": 5}).timeout == 5.0


def test_redacted_spec_serialises_without_secrets() -> None:
    spec = RequestSpec(
        url="http://h/",
        headers=[("Cookie", "sid=SECRET")],
        auth=BearerAuth("SECRET"),
        body=FormBody([("k", "v")]),
    )
    assert "SECRET" not in json.dumps(spec_to_dict(spec.redacted()))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "url"),
        ({"url": 3}, "url"),
        ({"url": "u", "version": FORMAT_VERSION + 1}, "version"),
        ({"url": "u", "params": [["a"]]}, "params[0]"),
        ({"url": "u", "headers": "x"}, "headers"),
        ({"url": "u", "body": {"type": "yaml"}}, "body.type"),
        ({"url": "u", "body": {"type": "multipart", "parts": [{"type": "x"}]}}, "body.parts[0]"),
        ({"url": "u", "auth": {"type": "ntlm"}}, "auth.type"),
        ({"url": "u", "auth": {"type": "bearer"}}, "token"),
        ({"url": "u", "timeout": [1, 2, 3]}, "timeout"),
        ({"url": "u", "timeout": True}, "timeout"),
        ({"url": "u", "max_redirects": "3"}, "max_redirects"),
        ({"url": "u", "verify": 1}, "verify"),
        ({"url": "u", "cert": [1, 2]}, "cert"),
    ],
)
def test_invalid_input_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecFormatError, match=field.replace("[", r"\[").replace("]", r"\]")):
        spec_from_dict(data)


def test_non_mapping_is_rejected() -> None:
    with pytest.raises(SpecFormatError, match="expected an object"):
        spec_from_dict([])  # type: ignore[arg-type]


def test_tests_round_trip_and_bad_tests_name_the_field() -> None:
    from guiapp.core.captures import Capture
    from guiapp.core.checks import Check
    from guiapp.core.request_tests import RequestTests

    tests = RequestTests((Check("status", "==", 200),), (Capture("t", "header", "X-T"),))
    spec = RequestSpec(url="http://h/", tests=tests)
    data = spec_to_dict(spec)
    assert data["tests"]["checks"] == [{"subject": "status", "op": "==", "value": 200}]
    assert spec_from_dict(json.loads(json.dumps(data))) == spec
    assert "tests" not in spec_to_dict(RequestSpec(url="http://h/", tests=RequestTests()))
    with pytest.raises(SpecFormatError, match=r"tests: checks\[0\]: unknown operator"):
        spec_from_dict({**data, "tests": {"checks": [{"subject": "status", "op": "~"}]}})


def test_requests_saved_before_the_limits_existed_load_with_the_defaults() -> None:
    old = {"version": 1, "url": "http://h/", "max_body_bytes": None}  # None was "no cap" then
    spec = spec_from_dict(old)
    assert spec.max_body_bytes == 1 << 30
    assert (spec.total_timeout, spec.headers_timeout) == (300.0, 60.0)
    assert spec.max_decompression_ratio == 100.0
    assert spec.use_system_proxy is True
    assert spec.sensitive_headers == ()


def test_a_limit_turned_off_is_written_as_false_and_read_back_as_none() -> None:
    spec = RequestSpec(url="http://h/", total_timeout=None, max_body_bytes=None)
    data = spec_to_dict(spec)
    assert data["total_timeout"] is False
    assert data["max_body_bytes"] is False
    assert spec_from_dict(json.loads(json.dumps(data))) == spec


@pytest.mark.parametrize(
    ("key", "value"), [("total_timeout", "soon"), ("headers_timeout", -1), ("max_body_bytes", 1.5)]
)
def test_a_bad_limit_names_its_field(key: str, value: Any) -> None:
    with pytest.raises(SpecFormatError, match=f"^{key}: "):
        spec_from_dict({"url": "http://h/", key: value})
