"""send() against a real local httpbin (pytest-httpbin): methods, bodies, auth, redirects..."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pytest_httpbin import certs

from guiapp.core.errors import BodyTooLarge, ReadTimeout, TLSVerificationError, TooManyRedirects
from guiapp.core.jobs import JobControl, Progress, bind_job
from guiapp.core.request import (
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
from guiapp.core.response import Response
from guiapp.core.transport import send


def _send(url: str, **kwargs: Any) -> Response:
    return send(RequestSpec(url=url, timeout=10, **kwargs))


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_methods(httpbin: Any, method: str) -> None:
    response = _send(httpbin.url + "/anything", method=method)
    assert response.status_code == 200
    assert response.json()["method"] == method


def test_head_has_no_body(httpbin: Any) -> None:
    response = _send(httpbin.url + "/get", method="HEAD")
    assert response.status_code == 200
    assert response.size == 0
    assert int(response.headers["Content-Length"]) > 0


def test_query_with_repeated_params(httpbin: Any) -> None:
    response = _send(httpbin.url + "/get", params=[("q", "a b"), ("q", "ü"), ("x", "1&2")])
    assert response.json()["args"] == {"q": ["a b", "ü"], "x": "1&2"}
    assert response.url.startswith(httpbin.url + "/get?q=a+b&q=%C3%BC&x=1%262")


def test_text_body(httpbin: Any) -> None:
    data = _send(httpbin.url + "/post", method="POST", body=TextBody("héllo")).json()
    assert data["data"] == "héllo"
    assert data["headers"]["Content-Type"] == "text/plain; charset=utf-8"


def test_json_body_keeps_the_users_text(httpbin: Any) -> None:
    data = _send(httpbin.url + "/post", method="POST", body=JsonBody('{"a": [1, 2]}')).json()
    assert data["json"] == {"a": [1, 2]}
    assert data["data"] == '{"a": [1, 2]}'


def test_form_body_with_repeated_keys(httpbin: Any) -> None:
    body = FormBody((("k", "1"), ("k", "2"), ("e", "a=b&c")))
    data = _send(httpbin.url + "/post", method="POST", body=body).json()
    assert data["form"] == {"k": ["1", "2"], "e": "a=b&c"}


def test_multipart_body(httpbin: Any, tmp_path: Path) -> None:
    upload = tmp_path / "notes.txt"
    upload.write_text("file content")
    body = MultipartBody((TextPart("title", "hi"), FilePart("doc", str(upload))))
    data = _send(httpbin.url + "/post", method="POST", body=body).json()
    assert data["form"] == {"title": "hi"}
    assert data["files"] == {"doc": "file content"}
    assert data["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")


def test_file_body_streams_with_upload_progress(httpbin: Any, tmp_path: Path) -> None:
    upload = tmp_path / "blob.bin"
    upload.write_bytes(b"\x00\x01" * 50_000)
    seen: list[Progress] = []
    with bind_job(JobControl(progress_sink=seen.append)):
        data = _send(httpbin.url + "/post", method="POST", body=FileBody(str(upload))).json()
    assert data["headers"]["Content-Length"] == "100000"
    assert data["headers"]["Content-Type"] == "application/octet-stream"
    uploads = [p for p in seen if p.info.get("phase") == "upload"]
    assert uploads[-1].done == 100_000
    assert uploads[-1].total == 100_000


def test_basic_auth(httpbin: Any) -> None:
    assert _send(httpbin.url + "/basic-auth/u/pw", auth=BasicAuth("u", "pw")).status_code == 200
    # A wrong password is an HTTP answer, not a failure to send.
    assert _send(httpbin.url + "/basic-auth/u/pw", auth=BasicAuth("u", "no")).status_code == 401


def test_bearer_auth(httpbin: Any) -> None:
    response = _send(httpbin.url + "/bearer", auth=BearerAuth("tok3n"))
    assert response.json() == {"authenticated": True, "token": "tok3n"}
    assert response.redacted_request_headers() == tuple(
        (k, "***" if k == "Authorization" else v) for k, v in response.request_headers
    )
    assert "tok3n" not in repr(response)


def test_digest_auth(httpbin: Any) -> None:
    response = _send(httpbin.url + "/digest-auth/auth/u/pw", auth=DigestAuth("u", "pw"))
    assert response.status_code == 200
    assert response.json() == {"authenticated": True, "user": "u"}


def test_redirects_followed_with_history(httpbin: Any) -> None:
    response = _send(httpbin.url + "/redirect/3")
    assert response.status_code == 200
    assert response.url == httpbin.url + "/get"
    assert [h.status_code for h in response.history] == [302, 302, 302]
    assert response.history[0].url == httpbin.url + "/redirect/3"


def test_redirects_not_followed(httpbin: Any) -> None:
    response = _send(httpbin.url + "/redirect/2", follow_redirects=False)
    assert response.status_code == 302
    assert response.is_redirect
    assert response.history == ()


def test_redirect_limit(httpbin: Any) -> None:
    with pytest.raises(TooManyRedirects, match="Stopped after 2 redirects"):
        _send(httpbin.url + "/redirect/4", max_redirects=2)
    assert _send(httpbin.url + "/redirect/2", max_redirects=2).status_code == 200


def test_authorization_kept_on_same_host_redirect(httpbin: Any) -> None:
    target = httpbin.url + "/headers"
    response = _send(
        httpbin.url + "/redirect-to", params=[("url", target)], auth=BearerAuth("secret")
    )
    assert response.json()["headers"]["Authorization"] == "Bearer secret"


def test_authorization_dropped_on_cross_host_redirect(httpbin: Any) -> None:
    port = urlsplit(httpbin.url).port
    target = f"http://localhost:{port}/headers"  # same server, another host name
    for auth in (BearerAuth("secret"), BasicAuth("u", "secret")):
        response = _send(httpbin.url + "/redirect-to", params=[("url", target)], auth=auth)
        assert response.url == target
        assert "Authorization" not in response.json()["headers"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies_are_decoded(httpbin: Any, encoding: str) -> None:
    response = _send(httpbin.url + f"/{encoding}")
    assert response.json()[f"{encoding}d" if encoding == "deflate" else "gzipped"] is True
    assert response.headers["Content-Encoding"] == encoding
    assert response.wire_size < response.size


def test_compressed_body_over_cap(httpbin: Any) -> None:
    with pytest.raises(BodyTooLarge, match="once decompressed"):
        _send(httpbin.url + "/gzip", max_body_bytes=50)


def test_plain_body_over_cap_fails_before_reading(httpbin: Any) -> None:
    with pytest.raises(BodyTooLarge, match="The response body is 1,000 bytes, over the limit"):
        _send(httpbin.url + "/bytes/1000", max_body_bytes=999)


def test_cookies_across_redirects(httpbin: Any) -> None:
    response = _send(httpbin.url + "/cookies/set", params=[("flavour", "oat")])
    assert response.json() == {"cookies": {"flavour": "oat"}}
    first = response.history[0]
    assert "flavour=oat" in first.headers["Set-Cookie"]
    assert "oat" not in repr(first.headers)


@pytest.mark.parametrize("code", [204, 404, 418, 500, 503])
def test_any_status_is_a_successful_send(httpbin: Any, code: int) -> None:
    response = _send(httpbin.url + f"/status/{code}")
    assert response.status_code == code
    assert response.ok is (code < 400)


def test_delay_within_and_past_the_read_timeout(httpbin: Any) -> None:
    response = _send(httpbin.url + "/delay/1")
    assert response.ttfb >= 0.9
    assert response.elapsed >= response.ttfb
    with pytest.raises(ReadTimeout, match=r"sent nothing for 0.3 s"):
        send(RequestSpec(url=httpbin.url + "/delay/2", timeout=(5, 0.3)))


def test_drip_reports_progress(httpbin: Any) -> None:
    seen: list[Progress] = []
    with bind_job(JobControl(progress_sink=seen.append)):
        response = _send(httpbin.url + "/drip", params=[("numbytes", "5"), ("duration", "0.5")])
    assert response.body_bytes() == b"*****"
    assert response.elapsed >= 0.35
    downloads = [p for p in seen if p.info.get("phase") == "download"]
    assert len(downloads) >= 2  # progress arrived while dripping, not only at the end
    assert "speed" in downloads[-1].info
    assert seen[-1].info["phase"] == "done"


def test_charset_declared_and_detected(httpbin: Any) -> None:
    response = _send(httpbin.url + "/encoding/utf8")
    assert "∮ E⋅da = Q" in response.text()
    assert response.content_type == "text/html"


def test_spooled_body_and_cleanup(httpbin: Any, tmp_path: Path) -> None:
    url = httpbin.url + "/bytes/50000"
    response = send(
        RequestSpec(url=url, params=[("seed", "1")]),
        spool_threshold=10_000,
        spool_dir=str(tmp_path),
    )
    with response:
        assert response.is_spooled
        assert response.spool_path is not None
        path = Path(response.spool_path)
        assert path.parent == tmp_path
        assert path.stat().st_size == 50_000 == response.size
        assert response.body_bytes() == b"".join(response.iter_bytes(4096))
        assert len(response.body_bytes(limit=10)) == 10
        copy = pickle.loads(pickle.dumps(response))
        copy.close()  # a copy does not own the file
        assert path.exists()
        assert copy.body_bytes() == response.body_bytes()
    assert not path.exists()


def test_in_memory_response_pickles_with_its_body(httpbin: Any) -> None:
    response = _send(httpbin.url + "/get")
    copy = pickle.loads(pickle.dumps(response))
    assert copy.json() == response.json()
    assert copy.headers["CONTENT-type"] == "application/json"


def test_tls_verification_fails_clearly(httpbin_secure: Any) -> None:
    with pytest.raises(TLSVerificationError) as info:
        send(RequestSpec(url=httpbin_secure.url + "/get", timeout=10))
    assert info.value.host == "127.0.0.1"
    assert "certificate" in info.value.reason
    assert "The TLS certificate of 127.0.0.1:" in str(info.value)
    assert "could not be verified" in str(info.value)


def test_tls_verify_off_passes_without_warning(httpbin_secure: Any) -> None:
    # filterwarnings=error: an InsecureRequestWarning would fail this test.
    response = send(RequestSpec(url=httpbin_secure.url + "/get", timeout=10, verify=False))
    assert response.status_code == 200


def test_tls_with_ca_bundle(httpbin_secure: Any) -> None:
    response = send(RequestSpec(url=httpbin_secure.url + "/get", timeout=10, verify=certs.where()))
    assert response.status_code == 200
    assert response.json()["url"].startswith("https://")


def test_no_secret_in_logs_or_reprs(httpbin: Any, caplog: pytest.LogCaptureFixture) -> None:
    port = urlsplit(httpbin.url).port
    url = f"http://user:urlpass@127.0.0.1:{port}/get"
    with caplog.at_level(logging.DEBUG, logger="guiapp.core.transport"):
        response = send(
            RequestSpec(
                url=url,
                headers=[("Cookie", "sid=c00kie")],
                auth=BasicAuth("user", "hunter2"),
                timeout=10,
            )
        )
        with pytest.raises(TooManyRedirects):
            send(
                RequestSpec(
                    url=url.replace("/get", "/redirect/3"),
                    max_redirects=1,
                    auth=BearerAuth("t0ken"),
                    timeout=10,
                )
            )
    assert response.status_code == 200
    text = caplog.text + repr(response) + repr(response.headers)
    assert "sending GET http://user:***@127.0.0.1" in caplog.text
    assert "received <Response 200" in caplog.text
    assert response.json()["headers"]["Cookie"] == "sid=c00kie"  # sent, just never shown
    for secret in ("urlpass", "hunter2", "c00kie", "t0ken"):
        assert secret not in text
    assert ("Cookie", "***") in response.redacted_request_headers()


def test_user_agent_names_guiapp_unless_the_request_sets_one(httpbin: Any) -> None:
    from guiapp import __version__
    from guiapp.core.transport import make_session

    sent = _send(httpbin.url + "/headers").json()["headers"]
    assert sent["User-Agent"] == f"guiapp/{__version__}"
    with make_session() as session:  # the app's shared session sends the same
        shared = send(RequestSpec(url=httpbin.url + "/headers"), session=session)
        assert shared.json()["headers"]["User-Agent"] == f"guiapp/{__version__}"
        # The request's own header wins, whatever its spelling, and is sent once.
        own = send(
            RequestSpec(url=httpbin.url + "/headers", headers=[("user-agent", "mine/2")]),
            session=session,
        )
    assert own.json()["headers"]["User-Agent"] == "mine/2"
    assert [value for name, value in own.request_headers if name.lower() == "user-agent"] == [
        "mine/2"
    ]
