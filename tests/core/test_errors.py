"""Validation before any I/O, and the typed errors' messages, pickling and redaction."""

from __future__ import annotations

import pickle
import socket
from pathlib import Path

import pytest

from guiapp.core._http_prepare import validate
from guiapp.core.errors import (
    ConnectionLost,
    ConnectionRefused,
    DNSFailure,
    InvalidRequest,
    RequestError,
    TLSVerificationError,
    TransportError,
)
from guiapp.core.request import FileBody, FilePart, JsonBody, MultipartBody, RequestSpec, TextPart
from guiapp.core.response import Response
from guiapp.core.transport import send


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "The URL is empty"),
        ("   ", "The URL is empty"),
        ("example.com/path", "has no scheme: start it with http:// or https://"),
        ("ftp://example.com/", "Unsupported URL scheme 'ftp'"),
        ("file:///etc/passwd", "Unsupported URL scheme 'file'"),
        ("http://", "has no host name"),
        ("http://exa mple.com/", "contains whitespace"),
        ("http://example.com:99999/", "Malformed URL"),
        ("http://example.com:port/", "Malformed URL"),
        ("http://[::1/", "Malformed URL"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message) as info:
        validate(RequestSpec(url=url))
    assert info.value.field == "url"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("X-Test", "a\r\nInjected: 1", "has a line break in its value"),
        ("X-Test", "a\nb", "has a line break in its value"),
        ("X-Te\rst", "a", "has a line break in its name"),
        ("Bad Name", "a", "Invalid header name 'Bad Name'"),
        ("Colon:", "a", "Invalid header name"),
        ("", "a", "Invalid header name ''"),
    ],
)
def test_header_injection_and_bad_names(name: str, value: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message) as info:
        validate(RequestSpec(url="http://h/", headers=[(name, value)]))
    assert info.value.field == "headers"


def test_invalid_json_body_names_line_and_column() -> None:
    body = JsonBody('{\n  "a": 1,\n  "b": }')
    with pytest.raises(InvalidRequest) as info:
        validate(RequestSpec(url="http://h/", method="POST", body=body))
    assert str(info.value) == ("The JSON body is invalid at line 3, column 8: Expecting value.")
    assert info.value.field == "body"


def test_unreadable_body_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.bin"
    with pytest.raises(InvalidRequest, match=f"Body file not found: {missing}"):
        validate(RequestSpec(url="http://h/", body=FileBody(str(missing))))
    with pytest.raises(InvalidRequest, match="Body file is a folder, not a file"):
        validate(RequestSpec(url="http://h/", body=FileBody(str(tmp_path))))
    parts = MultipartBody((TextPart("a", "b"), FilePart("upload", str(missing))))
    with pytest.raises(InvalidRequest, match="File for form field 'upload' not found"):
        validate(RequestSpec(url="http://h/", body=parts))


def test_unreadable_file_that_exists(tmp_path: Path) -> None:
    # open() of a Unix socket file fails even for root (ENXIO): an existing, unreadable "file".
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(InvalidRequest, match=r"Body file cannot be read: .*sock \(No such"):
            validate(RequestSpec(url="http://h/", body=FileBody(str(path))))


def test_other_checks() -> None:
    with pytest.raises(InvalidRequest, match="Invalid HTTP method"):
        validate(RequestSpec(url="http://h/", method="GE T"))
    with pytest.raises(InvalidRequest, match="Timeouts must be positive"):
        validate(RequestSpec(url="http://h/", timeout=0))
    with pytest.raises(InvalidRequest, match="CA bundle not found"):
        validate(RequestSpec(url="https://h/", verify="/nonexistent/ca.pem"))
    with pytest.raises(InvalidRequest, match=r"Invalid proxy URL 'ftp://u:\*\*\*@p'"):
        validate(RequestSpec(url="http://h/", proxy="ftp://u:pw@p"))


def test_validation_happens_before_any_network_io() -> None:
    # A listener that would record any connection attempt.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        port = listener.getsockname()[1]
        with pytest.raises(InvalidRequest):
            send(RequestSpec(url=f"http://127.0.0.1:{port}/", headers=[("X", "a\r\nb: c")]))
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_dns_failure_and_refused_connection() -> None:
    with pytest.raises(DNSFailure, match=r"Could not resolve host name 'no-such-host\.invalid'"):
        send(RequestSpec(url="http://no-such-host.invalid/", timeout=10))
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionRefused, match=f"Connection refused by 127.0.0.1:{port}"):
        send(RequestSpec(url=f"http://127.0.0.1:{port}/", timeout=10))


def test_hierarchy() -> None:
    assert issubclass(InvalidRequest, RequestError)
    assert issubclass(DNSFailure, TransportError)
    assert issubclass(TransportError, RequestError)
    assert not issubclass(InvalidRequest, TransportError)


def test_errors_pickle_with_their_state() -> None:
    partial = Response(
        status_code=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=[],
        url="http://h/",
        body=b"abc",
        partial=True,
    )
    lost = ConnectionLost(
        "lost after 3 bytes", bytes_received=3, partial_response=partial, url="http://h/"
    )
    copy = pickle.loads(pickle.dumps(lost))
    assert str(copy) == "lost after 3 bytes"
    assert copy.bytes_received == 3
    assert copy.partial_response is not None
    assert copy.partial_response.body_bytes() == b"abc"
    tls = pickle.loads(pickle.dumps(TLSVerificationError("m", host="h", reason="r")))
    assert (tls.host, tls.reason, str(tls)) == ("h", "r", "m")
    invalid = pickle.loads(pickle.dumps(InvalidRequest("bad", field="url")))
    assert invalid.field == "url"


@pytest.mark.parametrize("field", ["total_timeout", "headers_timeout", "max_decompression_ratio"])
def test_a_limit_must_be_positive_or_off(field: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        validate(RequestSpec(url="http://h/", **{field: 0.0}))
    assert info.value.field == field
    assert str(info.value) == f"{field} must be a positive number (or off), not 0.0."
    validate(RequestSpec(url="http://h/", **{field: None}))
