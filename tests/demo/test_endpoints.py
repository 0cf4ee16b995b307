"""Every demo endpoint, exercised with requests against a server on 127.0.0.1."""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import random
import time
import xml.etree.ElementTree as ET
import zlib

import pytest
import requests
from requests.auth import HTTPDigestAuth

from guiapp.demo._ep_auth import digest_response, make_nonce, nonce_valid


def test_index_lists_every_endpoint_with_an_example(url: str) -> None:
    body = requests.get(url + "/", timeout=5).json()
    paths = {e["path"] for e in body["endpoints"]}
    for expected in (
        "/get",
        "/anything",
        "/delay/{seconds}",
        "/drip",
        "/stream/{n}",
        "/bytes/{n}",
        "/download",
        "/json/large",
        "/json/sample",
        "/xml",
        "/html",
        "/image/png",
        "/image/svg",
        "/status/{code}",
        "/redirect/{n}",
        "/redirect-to",
        "/basic-auth/{user}/{passwd}",
        "/bearer",
        "/digest-auth/{user}/{passwd}",
        "/cookies",
        "/cookies/set",
        "/headers",
        "/gzip",
        "/deflate",
        "/encoding/utf8",
        "/slow-headers",
        "/never",
    ):
        assert expected in paths
    for endpoint in body["endpoints"]:
        assert endpoint["example"].startswith(url)
        assert endpoint["description"]


def test_get_echoes_repeated_args_and_headers(url: str) -> None:
    r = requests.get(
        url + "/get",
        params=[("a", "1"), ("a", "2"), ("b", "x")],
        headers={"X-Demo": "yes"},
        timeout=5,
    )
    body = r.json()
    assert body["args"] == {"a": ["1", "2"], "b": "x"}
    assert body["headers"]["X-Demo"] == "yes"
    assert body["origin"] == "127.0.0.1"
    assert requests.post(url + "/get", timeout=5).status_code == 405


def test_anything_echoes_json_body(url: str) -> None:
    r = requests.put(url + "/anything/some/path?q=1", json={"k": [1, 2]}, timeout=5)
    body = r.json()
    assert body["method"] == "PUT"
    assert body["url"].endswith("/anything/some/path?q=1")
    assert body["json"] == {"k": [1, 2]}
    assert json.loads(body["data"]) == {"k": [1, 2]}


def test_anything_echoes_form_and_files(url: str) -> None:
    r = requests.post(
        url + "/anything",
        data=[("f", "1"), ("f", "2"), ("g", "é")],
        files={"up": ("a.txt", b"hello"), "bin": ("b.bin", b"\xff\x00")},
        timeout=5,
    )
    body = r.json()
    assert body["form"] == {"f": ["1", "2"], "g": "é"}
    assert body["files"]["up"] == "hello"
    kind, _, encoded = body["files"]["bin"].partition(";base64,")
    assert kind.startswith("data:")
    assert base64.b64decode(encoded) == b"\xff\x00"
    urlencoded = requests.patch(url + "/anything", data={"x": "1"}, timeout=5).json()
    assert urlencoded["form"] == {"x": "1"}


def test_anything_accepts_chunked_request_bodies(url: str) -> None:
    body = requests.post(url + "/anything", data=iter([b"ab", b"cd"]), timeout=5).json()
    assert body["data"] == "abcd"
    assert body["headers"]["Transfer-Encoding"] == "chunked"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_method_endpoints(url: str, method: str) -> None:
    r = requests.request(method, url + "/" + method.lower(), data="x", timeout=5)
    assert r.json()["method"] == method
    assert requests.get(url + "/" + method.lower(), timeout=5).status_code == 405


def test_headers_ip_user_agent(url: str) -> None:
    assert (
        requests.get(url + "/headers", headers={"X-A": "b"}, timeout=5).json()["headers"]["X-A"]
        == "b"
    )
    assert requests.get(url + "/ip", timeout=5).json() == {"origin": "127.0.0.1"}
    ua = requests.get(url + "/user-agent", headers={"User-Agent": "t/1"}, timeout=5).json()
    assert ua == {"user-agent": "t/1"}


def test_delay_waits(url: str) -> None:
    start = time.monotonic()
    r = requests.get(url + "/delay/0.5", timeout=5)
    assert r.json()["delay"] == 0.5
    assert time.monotonic() - start >= 0.45
    assert requests.get(url + "/delay/abc", timeout=5).status_code == 400


def test_drip_streams_slowly_with_known_length(url: str) -> None:
    start = time.monotonic()
    arrivals = []
    with requests.get(
        url + "/drip?numbytes=5&duration=1&delay=0.2&code=201", stream=True, timeout=5
    ) as r:
        assert r.status_code == 201
        assert r.headers["Content-Length"] == "5"
        for piece in r.iter_content(1):
            arrivals.append((time.monotonic() - start, piece))
    assert b"".join(p for _, p in arrivals) == b"*****"
    assert arrivals[-1][0] - arrivals[0][0] >= 0.6  # spread out, not one burst


def test_stream_sends_n_json_lines_chunked(url: str) -> None:
    r = requests.get(url + "/stream/7?x=1", timeout=5)
    assert r.headers["Transfer-Encoding"] == "chunked"
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert [line["id"] for line in lines] == list(range(7))
    assert lines[0]["args"] == {"x": "1"}


def test_bytes_are_seeded(url: str) -> None:
    a = requests.get(url + "/bytes/1000?seed=7", timeout=5).content
    assert a == random.Random(7).randbytes(1000)
    assert requests.get(url + "/bytes/1000?seed=8", timeout=5).content != a


@pytest.mark.parametrize("chunked", [False, True])
def test_download(url: str, chunked: bool) -> None:
    r = requests.get(url + f"/download?mb=3{'&chunked=1' if chunked else ''}", timeout=10)
    assert len(r.content) == 3 * 1024 * 1024
    if chunked:
        assert "Content-Length" not in r.headers
    else:
        assert r.headers["Content-Length"] == str(3 * 1024 * 1024)


def test_json_large_is_deterministic_and_sized(url: str) -> None:
    first = requests.get(url + "/json/large?mb=1", timeout=30)
    doc = first.json()
    assert len(first.content) >= 1024 * 1024
    assert len(first.content) < 1.1 * 1024 * 1024
    assert doc["meta"]["count"] == len(doc["items"])
    assert {"id", "name", "address", "history", "tags"} <= doc["items"][0].keys()
    assert requests.get(url + "/json/large?mb=1", timeout=30).content == first.content
    assert requests.get(url + "/json/large?mb=1&seed=2", timeout=30).content != first.content


def test_content_types(url: str) -> None:
    sample = requests.get(url + "/json/sample", timeout=5)
    assert sample.headers["Content-Type"] == "application/json"
    assert "slideshow" in sample.json()
    assert b"\n  " in sample.content  # pretty
    assert ET.fromstring(requests.get(url + "/xml", timeout=5).content).tag == "catalog"
    html = requests.get(url + "/html", timeout=5)
    assert html.headers["Content-Type"].startswith("text/html")
    assert "<h1>" in html.text
    svg = requests.get(url + "/image/svg", timeout=5)
    assert svg.headers["Content-Type"] == "image/svg+xml"
    assert ET.fromstring(svg.content).tag.endswith("svg")
    utf8 = requests.get(url + "/encoding/utf8", timeout=5)
    assert "日本語" in utf8.content.decode("utf-8")


def test_png_is_a_valid_image(url: str) -> None:
    data = requests.get(url + "/image/png", timeout=5).content
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    offset, chunks = 8, []
    while offset < len(data):  # walk the chunks and check every CRC
        length = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8]
        payload = data[offset + 8 : offset + 8 + length]
        crc = int.from_bytes(data[offset + 8 + length : offset + 12 + length], "big")
        assert zlib.crc32(kind + payload) == crc
        chunks.append((kind, payload))
        offset += 12 + length
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height = (
        int.from_bytes(chunks[0][1][:4], "big"),
        int.from_bytes(chunks[0][1][4:8], "big"),
    )
    assert len(zlib.decompress(chunks[1][1])) == height * (1 + 3 * width)


@pytest.mark.parametrize("code", [200, 201, 400, 404, 418, 500, 503, 599])
def test_status(url: str, code: int) -> None:
    r = requests.get(url + f"/status/{code}", timeout=5)
    assert r.status_code == code
    assert r.json()["status"] == code


def test_status_special_cases(url: str) -> None:
    assert requests.get(url + "/status/204", timeout=5).content == b""
    assert (
        requests.get(url + "/status/401", timeout=5).headers["WWW-Authenticate"].startswith("Basic")
    )
    r = requests.get(url + "/status/302", timeout=5)
    assert r.url.endswith("/get")
    assert r.history[0].status_code == 302
    assert requests.get(url + "/status/99", timeout=5).status_code == 400
    assert requests.head(url + "/status/404", timeout=5).status_code == 404


def test_redirect_chain(url: str) -> None:
    r = requests.get(url + "/redirect/4", timeout=5)
    assert r.status_code == 200
    assert [h.status_code for h in r.history] == [302] * 4
    assert r.url == url + "/get"
    absolute = requests.get(url + "/redirect/2?absolute=true", allow_redirects=False, timeout=5)
    assert absolute.headers["Location"] == url + "/redirect/1?absolute=true"


def test_redirect_to(url: str) -> None:
    r = requests.get(
        url + "/redirect-to",
        params={"url": "/get?z=1", "status_code": "307"},
        allow_redirects=False,
        timeout=5,
    )
    assert r.status_code == 307
    assert r.headers["Location"] == "/get?z=1"
    assert requests.get(url + "/redirect-to", timeout=5).status_code == 400


def test_basic_auth(url: str) -> None:
    assert requests.get(url + "/basic-auth/u/p", auth=("u", "p"), timeout=5).json() == {
        "authenticated": True,
        "user": "u",
    }
    wrong = requests.get(url + "/basic-auth/u/p", auth=("u", "x"), timeout=5)
    assert wrong.status_code == 401
    assert "Basic" in wrong.headers["WWW-Authenticate"]


def test_bearer(url: str) -> None:
    ok = requests.get(url + "/bearer", headers={"Authorization": "Bearer t0k"}, timeout=5)
    assert ok.json() == {"authenticated": True, "token": "t0k"}
    assert requests.get(url + "/bearer", timeout=5).status_code == 401


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_digest_auth(url: str, algorithm: str) -> None:
    target = url + f"/digest-auth/user/pass?algorithm={algorithm}"
    ok = requests.get(target, auth=HTTPDigestAuth("user", "pass"), timeout=5)
    assert ok.status_code == 200
    assert ok.json()["user"] == "user"
    assert requests.get(target, auth=HTTPDigestAuth("user", "nope"), timeout=5).status_code == 401
    challenge = requests.get(target, timeout=5).headers["WWW-Authenticate"]
    assert 'qop="auth"' in challenge
    assert f"algorithm={algorithm}" in challenge


def test_digest_response_matches_rfc7616_example() -> None:
    # RFC 7616 section 3.9.1, MD5 variant.
    fields = {
        "username": "Mufasa",
        "realm": "http-auth@example.org",
        "uri": "/dir/index.html",
        "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        "nc": "00000001",
        "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        "qop": "auth",
    }
    assert digest_response(fields, "Circle of Life", "GET") == "8ca523f5e9506fed4657c9700eebdbec"


def test_digest_nonces_expire_and_resist_forgery() -> None:
    assert nonce_valid(make_nonce())
    assert not nonce_valid(make_nonce(time.time() - 3600))
    assert not nonce_valid("Zm9yZ2Vk")


def test_cookies(url: str) -> None:
    session = requests.Session()
    r = session.get(url + "/cookies/set?session=abc&theme=dark", timeout=5)
    assert r.json() == {"cookies": {"session": "abc", "theme": "dark"}}
    r = session.get(url + "/cookies/delete?theme", timeout=5)
    assert r.json() == {"cookies": {"session": "abc"}}
    assert requests.get(url + "/cookies", cookies={"a": "1"}, timeout=5).json() == {
        "cookies": {"a": "1"}
    }


def test_gzip_and_deflate(url: str) -> None:
    assert requests.get(url + "/gzip", timeout=5).json()["gzipped"] is True
    assert requests.get(url + "/deflate", timeout=5).json()["deflated"] is True
    raw = requests.get(url + "/gzip", stream=True, timeout=5).raw.read(decode_content=False)
    assert json.loads(gzip.decompress(raw))["gzipped"] is True


def test_slow_headers(url: str) -> None:
    start = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.get(url + "/slow-headers?delay=3", timeout=(2, 0.3))
    assert requests.get(url + "/slow-headers?delay=0.3", timeout=5).json() == {
        "delayed_headers": 0.3
    }
    assert time.monotonic() - start < 3


def test_never_times_out_on_the_client(url: str) -> None:
    with pytest.raises(requests.ReadTimeout):
        requests.get(url + "/never", timeout=(2, 0.3))


def test_unknown_path_is_404_json(url: str) -> None:
    r = requests.get(url + "/nope", timeout=5)
    assert r.status_code == 404
    assert "error" in r.json()


def test_oversized_request_body_is_refused(url: str) -> None:
    r = requests.post(url + "/anything", data=b"x" * (17 * 1024 * 1024), timeout=10)
    assert r.status_code == 413


def test_malformed_content_length_is_a_400(url: str) -> None:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.putrequest("POST", "/anything")
        conn.putheader("Content-Length", "abc")
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 400
        assert "Content-Length" in json.loads(response.read())["error"]
    finally:
        conn.close()


def test_stream_endpoints_send_their_content_types_and_counts(url: str) -> None:
    import requests

    chat = requests.get(f"{url}/sse/chat?tokens=5&delay=0", timeout=10)
    assert chat.headers["Content-Type"] == "text/event-stream"
    assert chat.text.count("data: ") == 6
    assert chat.text.endswith("data: [DONE]\n\n")
    anthropic = requests.get(f"{url}/sse/chat?tokens=3&delay=0&style=anthropic", timeout=10)
    assert anthropic.text.count("event: content_block_delta") == 3
    counter = requests.get(f"{url}/sse/counter?n=40&rate=0", timeout=10)
    assert counter.text.count("\nid: ") + counter.text.startswith("id: ") >= 39
    assert ": keep-alive" in counter.text
    assert "retry: 2000" in counter.text
    lines = requests.get(f"{url}/ndjson?n=20&rate=0&bad=5", timeout=10)
    assert lines.headers["Content-Type"] == "application/x-ndjson"
    assert len(lines.text.splitlines()) == 20


def test_a_rated_stream_is_paced(url: str) -> None:
    import time

    import requests

    started = time.monotonic()
    requests.get(f"{url}/ndjson?n=20&rate=100", timeout=10)
    assert time.monotonic() - started >= 0.15  # 20 lines at 100/s take ~0.2 s, never less
