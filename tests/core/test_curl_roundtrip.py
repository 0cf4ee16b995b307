"""parse_curl(to_curl(spec)) == spec for every spec curl can express, and codegen compiles.

The strategy below narrows tests.strategies.request_specs() to what a curl command line can
say (docs/workspace.md, "curl limitations"): no NUL anywhere (argv cannot hold it), HTTP-token
header names with trimmed single-line values, no Content-Type header (a body carries its type),
URLs with a scheme and no query string of their own (params carry the query), JSON bodies with a
JSON content type, user names without ':', multipart names without '=' and at least one part;
time limits as ``-m`` and ``--connect-timeout`` give them (curl has no read timeout).
"""

from __future__ import annotations

import string
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guiapp.core._curl_data import is_json_type
from guiapp.core.codegen import to_curl, to_python_make_async, to_python_requests
from guiapp.core.curl import parse_curl
from guiapp.core.request import (
    DEFAULT_HEADERS_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    BasicAuth,
    BearerAuth,
    DigestAuth,
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
    TextPart,
)
from tests.strategies import seconds, texts


def _no_nul(max_size: int = 40) -> st.SearchStrategy[str]:
    return texts(max_size).map(lambda s: s.replace("\0", ""))


def _line(max_size: int = 30) -> st.SearchStrategy[str]:
    """A trimmed single-line value, as a header value or content type must be."""
    return _no_nul(max_size).map(lambda s: s.replace("\r", " ").replace("\n", " ").strip())


_TOKEN = st.text(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~", min_size=1, max_size=12)
_header_names = _TOKEN.filter(lambda n: n.lower() != "content-type")
_content_types = _line().filter(bool)
_json_types = st.sampled_from(
    ["application/json", "application/vnd.api+json", "application/json; charset=utf-8"]
)
_pairs = st.lists(st.tuples(_no_nul(12), _no_nul()), max_size=4).map(tuple)
_url = st.builds(
    lambda scheme, rest: scheme + rest,
    st.sampled_from(["http://", "https://", "{{baseUrl}}"]),
    _no_nul(40).map(lambda s: s.replace("?", "").replace("#", "")),
)
_part_name = _no_nul(10).map(lambda s: s.replace("=", ""))
_parts = st.lists(
    st.builds(TextPart, _part_name, _no_nul())
    | st.builds(FilePart, _part_name, _no_nul(), st.none() | _no_nul(), st.none() | _no_nul()),
    min_size=1,
    max_size=4,
).map(tuple)
_bodies = st.one_of(
    st.builds(TextBody, _no_nul(200), _content_types).filter(
        lambda b: not (b.text.startswith("@") and is_json_type(b.content_type))
    ),
    st.builds(JsonBody, _no_nul(200), _json_types),
    st.builds(FormBody, _pairs),
    st.builds(MultipartBody, _parts),
    st.builds(FileBody, _no_nul(), st.none() | _content_types),
)
_auths = st.one_of(
    st.builds(BasicAuth, _no_nul(10).map(lambda s: s.replace(":", "")), _no_nul(10)),
    st.builds(DigestAuth, _no_nul(10).map(lambda s: s.replace(":", "")), _no_nul(10)),
    st.builds(BearerAuth, _no_nul(20)),
)


def _limits_of(max_time: float | None, connect: float | None) -> dict[str, object]:
    """The time limits curl can express: ``-m`` and ``--connect-timeout``, either optional."""
    if max_time is None:
        read, total, headers = 30.0, DEFAULT_TOTAL_TIMEOUT, DEFAULT_HEADERS_TIMEOUT
    else:
        read = total = headers = max_time
    connect = read if connect is None else connect
    timeout = read if connect == read else (connect, read)
    return {"timeout": timeout, "total_timeout": total, "headers_timeout": headers}


_curl_limits = st.builds(_limits_of, st.none() | seconds(), st.none() | seconds())
curl_specs = st.builds(
    RequestSpec,
    url=_url,
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    params=_pairs,
    headers=st.lists(st.tuples(_header_names, _line()), max_size=4).map(tuple),
    body=st.none() | _bodies,
    auth=st.none() | _auths,
    follow_redirects=st.booleans(),
    max_redirects=st.integers(0, 100),
    verify=st.booleans() | _no_nul(20),
    cert=st.none() | _no_nul(20) | st.tuples(_no_nul(20), _no_nul(20)),
    proxy=st.none() | _no_nul(20),
    max_body_bytes=st.none() | st.integers(1, 2**40),
).flatmap(lambda spec: _curl_limits.map(lambda limits: replace(spec, **limits)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curl_specs)
def test_to_curl_then_parse_curl_gives_the_same_spec(spec: RequestSpec) -> None:
    command = to_curl(spec)
    assert parse_curl(command) == spec, command


@settings(max_examples=150, deadline=None)
@given(curl_specs)
def test_generated_python_compiles(spec: RequestSpec) -> None:
    compile(to_python_requests(spec), "<requests>", "exec")
    compile(to_python_make_async(spec), "<make_async>", "exec")
