"""Body handling: bounded decoding, spooling, memory use of big downloads, response helpers."""

from __future__ import annotations

import gzip
import os
import threading
import zlib

import psutil
import pytest

from guiapp.core._http_adapter import make_session
from guiapp.core._http_body import BodySink, CappedDecoder, DecodedTooLarge
from guiapp.core.jobs import JobControl, Progress, bind_job
from guiapp.core.request import BearerAuth, RequestSpec
from guiapp.core.response import Headers, Response
from guiapp.core.transport import send
from tests.faultserver import FaultServer

MB = 1024 * 1024


def test_decoder_handles_gzip_members_and_raw_deflate() -> None:
    decoder = CappedDecoder("gzip", limit=None)
    data = gzip.compress(b"one ") + gzip.compress(b"two")
    assert decoder.feed(data[:7]) + decoder.feed(data[7:]) + decoder.flush() == b"one two"
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    payload = raw.compress(b"raw deflate") + raw.flush()
    assert CappedDecoder("deflate", None).feed(payload) == b"raw deflate"
    assert CappedDecoder("deflate", None).feed(zlib.compress(b"zlib deflate")) == b"zlib deflate"
    assert CappedDecoder("br", None).feed(b"\x01\x02") == b"\x01\x02"  # unknown: passed through


def test_decoder_stops_a_bomb_without_inflating_it() -> None:
    bomb = gzip.compress(bytes(64 * MB))
    decoder = CappedDecoder("gzip", limit=MB)
    with pytest.raises(DecodedTooLarge) as info:
        decoder.feed(bomb)
    assert info.value.args[0] == MB + 1  # one byte past the cap, never the whole 64 MB


def test_sink_spools_past_threshold(tmp_path: os.PathLike[str]) -> None:
    sink = BodySink(threshold=10, spool_dir=str(tmp_path))
    sink.write(b"12345")
    assert sink.path is None
    sink.write(b"678901")
    body, path = sink.finish()
    assert body == b""
    assert path is not None
    with open(path, "rb") as f:
        assert f.read() == b"12345678901"
    os.unlink(path)


def test_headers_are_case_insensitive_and_redacted() -> None:
    headers = Headers([("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-Id", "7")])
    assert headers["SET-COOKIE"] == "a=1, b=2"
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    assert "a=1" not in repr(headers)
    assert "'7'" in repr(headers)


def test_response_repr_and_text_detection() -> None:
    response = Response(
        status_code=200,
        reason="OK",
        http_version="HTTP/1.1",
        url="http://h/",
        headers=[("Content-Type", "text/plain")],
        body="grüße".encode("cp1252") * 20,
        request_headers=[("Authorization", "Bearer s3cret")],
    )
    assert "grüße" in response.text()  # not UTF-8: detected
    assert "s3cret" not in repr(response)
    assert response.redacted_request_headers() == (("Authorization", "***"),)
    latin = Response(
        status_code=200,
        reason="OK",
        http_version="HTTP/1.1",
        url="http://h/",
        headers=[("Content-Type", "text/plain; charset=ISO-8859-1")],
        body="é".encode("latin-1"),
    )
    assert latin.text() == "é"
    assert latin.encoding == "iso8859-1"


def test_big_download_spools_and_keeps_rss_flat(tmp_path: os.PathLike[str]) -> None:
    """256 MB through send(): peak RSS growth stays far under 64 MB (1 GiB: the benchmark)."""
    size = 256 * MB
    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = [baseline]
    calls = [0]

    def sample(progress: Progress) -> None:
        calls[0] += 1
        if calls[0] % 8 == 0:
            peak[0] = max(peak[0], process.memory_info().rss)

    with FaultServer(lifetime=60) as server, bind_job(JobControl(progress_sink=sample)):
        response = send(
            RequestSpec(url=server.url(f"/bytes?n={size}"), timeout=30), spool_dir=str(tmp_path)
        )
    with response:
        assert response.size == size
        assert response.is_spooled
        assert os.path.getsize(response.spool_path or "") == size
    growth = (peak[0] - baseline) / MB
    print(f"peak RSS growth for a {size // MB} MB download: {growth:.1f} MB")
    assert growth < 64


def test_shared_session_is_safe_across_threads() -> None:
    session = make_session()
    results: list[int] = []
    errors: list[BaseException] = []
    with FaultServer(lifetime=30) as server:
        url = server.url("/bytes?n=1000")

        def worker() -> None:
            try:
                for _ in range(5):
                    results.append(send(RequestSpec(url=url), session=session).size)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    session.close()
    assert errors == []
    assert results == [1000] * 20


def test_plain_session_gets_tracking_adapters() -> None:
    import requests

    from guiapp.core._http_adapter import TrackingAdapter

    session = requests.Session()
    with FaultServer(lifetime=30) as server:
        send(RequestSpec(url=server.url("/bytes?n=10"), auth=BearerAuth("x")), session=session)
    assert isinstance(session.get_adapter("http://x/"), TrackingAdapter)
    session.close()


def test_pooled_connection_is_reused_and_cancel_reaches_it() -> None:
    from tests.core.conftest import JobThread
    from tests.faultserver import KeepAliveServer

    session = make_session()
    with KeepAliveServer() as server:
        for _ in range(3):
            assert send(RequestSpec(url=server.url("/small")), session=session).json() == {
                "ok": True
            }
        assert server.connections == 1  # keep-alive: one TCP connection for three requests
        job = JobThread(lambda: send(RequestSpec(url=server.url("/stall")), session=session))
        job.start().wait_for_phase("download")
        assert server.connections == 1  # the stalled request runs on the pooled socket
        latency = job.cancel_and_join()
        assert latency < 0.5
        assert type(job.error).__name__ == "Cancelled"
        # The cancelled socket is not handed back to the pool: the next request reconnects.
        assert send(RequestSpec(url=server.url("/small")), session=session).status_code == 200
        assert server.connections == 2
    session.close()
