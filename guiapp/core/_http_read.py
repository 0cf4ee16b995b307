"""Reading one response's body, and the state one ``send`` carries from hop to hop.

:func:`read_body` streams the body of the final hop into a :class:`~guiapp.core._http_body.
BodySink` (memory, then a spool file) or a stream sink, decoding gzip/deflate within the size
and ratio limits, under the request's deadlines; every way it can stop early becomes a
:class:`~guiapp.core.errors.TruncatedTransfer` carrying what arrived. :class:`Exchange` is what
``send`` works with: the session, the caller's session, the socket tracker, the deadlines and
the proxy of the current hop.

Example::

    ex = Exchange(session, None, tracker, deadlines)
    response = read_body(spec, raw, prepared, ttfb, started, 8 << 20, None, 1 << 16, ex)
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

import requests

from guiapp.core._http_adapter import SocketTracker, forget_tracked_sockets
from guiapp.core._http_body import (
    CappedDecoder,
    ContentDecodingFailed,
    DecodedTooLarge,
    RatioExceeded,
    SpoolFull,
)
from guiapp.core._http_deadline import Deadlines
from guiapp.core._http_direct import DirectReader
from guiapp.core._http_errors import host_of, is_bad_chunking, is_timeout
from guiapp.core._http_proxy import ProxyChoice
from guiapp.core._http_stream import StreamSink, stream_sink
from guiapp.core.errors import (
    BodyTooLarge,
    ConnectionLost,
    DeadlineExceeded,
    DiskFull,
    MalformedResponse,
    ReadTimeout,
)
from guiapp.core.jobs import checkpoint, current_job, report_progress
from guiapp.core.request import DEFAULT_TOTAL_TIMEOUT, RequestSpec
from guiapp.core.response import Response

__all__ = ["Exchange", "content_length", "read_body", "response_meta"]

_DIRECT_READ_SIZE = 1 << 20  # largest read of an identity (not decoded) body
#: After each body read, give the CPU to any thread waiting for one (the GUI thread woken for
#: its next frame): with every core busy (a fast download, a local server) it would otherwise
#: wait up to a scheduler slice. About 1 µs per read; no-op where the OS lacks it.
_yield_cpu = getattr(os, "sched_yield", lambda: None)
_VERSIONS = {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2", 30: "HTTP/3"}
_DEADLINE_NAMES = {"total_timeout": "total deadline", "headers_timeout": "headers deadline"}


class Exchange:
    """What one ``send`` works with: the session, the caller's session (or None), the socket
    tracker (with its phase clock) and the deadlines."""

    def __init__(
        self,
        sess: requests.Session,
        caller_session: requests.Session | None,
        tracker: SocketTracker,
        deadlines: Deadlines,
    ) -> None:
        self.sess = sess
        self.caller_session = caller_session
        self.tracker = tracker
        self.clock = tracker.clock
        self.deadlines = deadlines
        self.proxy = ProxyChoice()

    def deadline_error(
        self, url: str, *, received: int = 0, partial: Response | None = None
    ) -> DeadlineExceeded:
        name = self.deadlines.expired or "total_timeout"
        seconds = self.deadlines.seconds(name)
        what = "response headers" if name == "headers_timeout" else "response"
        kept = "; the part of the body that arrived is kept" if partial is not None else ""
        return DeadlineExceeded(
            f"No complete {what} from {host_of(url)} within {seconds:g} s "
            f"({_DEADLINE_NAMES[name]}){kept}.",
            limit_name=name,
            seconds=seconds,
            bytes_received=received,
            partial_response=partial,
            url=url,
        )


def response_meta(raw: requests.Response) -> dict[str, Any]:
    return {
        "status_code": raw.status_code,
        "reason": raw.reason or "",
        "http_version": _VERSIONS.get(getattr(raw.raw, "version", 11), "HTTP/1.1"),
        "headers": list(raw.raw.headers.items()),
        "url": raw.url,
        "method": raw.request.method or "GET",
        "request_headers": list(raw.request.headers.items()),
    }


def read_body(
    spec: RequestSpec,
    raw: requests.Response,
    prep: requests.PreparedRequest,
    ttfb: float,
    started: float,
    spool_threshold: int,
    spool_dir: str | None,
    chunk_size: int,
    ex: Exchange,
) -> Response:
    meta = response_meta(raw)
    url = prep.url or spec.url
    host = host_of(url)
    cap = spec.max_body_bytes
    ratio = spec.max_decompression_ratio
    total = content_length(raw)
    encoding = raw.headers.get("content-encoding", "")
    decoder = CappedDecoder(encoding, cap, ratio=ratio)
    if cap is not None and total is not None and not decoder.decodes and total > cap:
        raise BodyTooLarge(
            f"The response body is {total:,} bytes, over the limit of {cap:,} bytes "
            "(limit: max body size); nothing was read.",
            limit=cap,
            url=url,
        )
    sink = stream_sink(spec, raw, started, spool_threshold, spool_dir)
    received = 0
    deadlines = ex.deadlines
    if isinstance(sink, StreamSink) and spec.total_timeout == DEFAULT_TOTAL_TIMEOUT:
        # The default total deadline is for ordinary requests: an event stream may rightly
        # last for hours. A total deadline the user set by hand still applies, and so does a
        # stream's own (a collection run must end).
        deadlines.lift_total()
        if spec.stream_total_timeout is not None:
            deadlines.set_total(spec.stream_total_timeout)
    # Identity bodies: one recv per read, so a slow server's bytes still come as they arrive,
    # but up to 1 MiB when the socket has that much (fewer Python iterations and syscalls).
    # The buffer is sized by Content-Length so a small response does not allocate 1 MiB.
    read_size = max(chunk_size, _DIRECT_READ_SIZE)
    if total is not None:
        read_size = max(1, min(read_size, total))
    body_started = time.perf_counter()

    def partial(stopped_by: str = "") -> Response:
        summary = sink.end() if isinstance(sink, StreamSink) else None
        body, path = sink.finish()
        end = time.perf_counter()
        response = Response(
            **meta,
            body=body,
            spool_path=path,
            size=sink.size,
            wire_size=received,
            ttfb=ttfb,
            elapsed=end - started,
            partial=True,
            timings=ex.clock.finish(end),  # the download phase ends where the transfer did
            proxy=ex.proxy.shown,
            proxy_source=ex.proxy.source,
            stopped_by=stopped_by,
        )
        response.stream = summary
        return response

    try:
        direct = None if decoder.decodes else DirectReader.attach(raw.raw, read_size)
        if direct is not None:  # identity body: no urllib3 layers, no bytes object per read
            while deadlines.expired is None:
                checkpoint()
                view = direct.read()
                if not view:
                    break
                received += len(view)
                decoder.count(len(view))
                sink.write(view)
                speed = received / max(time.perf_counter() - body_started, 1e-9)
                report_progress(received, total, phase="download", speed=speed)
                _yield_cpu()
            direct.finish()
        while direct is None and deadlines.expired is None:
            checkpoint()
            chunk = raw.raw.read1(chunk_size, decode_content=False)
            if not chunk:
                break
            received += len(chunk)
            sink.write(decoder.feed(chunk))
            speed = received / max(time.perf_counter() - body_started, 1e-9)
            report_progress(received, total, phase="download", speed=speed)
            _yield_cpu()
        if deadlines.expired is None:
            sink.write(decoder.flush())
        checkpoint()  # a cancel's shutdown reads as EOF on a body without Content-Length
        if deadlines.expired is not None:  # so does the deadline's
            raise ex.deadline_error(url, received=received, partial=partial("total deadline"))
    except DeadlineExceeded:
        raise
    except (DecodedTooLarge, RatioExceeded) as exc:
        if isinstance(exc, RatioExceeded):
            assert ratio is not None
            with contextlib.suppress(SpoolFull):
                sink.write(exc.kept)  # decoded within the limit: part of what arrived
            message = (
                f"The decompressed body exceeds {ratio:g}x its compressed size (limit: max "
                f"decompression ratio): reading stopped after {received:,} bytes received, "
                f"{decoder.produced:,} decoded; the part that arrived is kept."
            )
            limit, name, stopped_by = ratio, "max_decompression_ratio", "max decompression ratio"
        else:
            assert cap is not None
            decoded = " once decompressed" if decoder.decodes else ""
            message = (
                f"The response body is larger than the limit of {cap:,} bytes{decoded} (limit: "
                "max body size); reading stopped, the part that arrived is kept."
            )
            limit, name, stopped_by = cap, "max_body_bytes", "max body size"
        raise BodyTooLarge(
            message,
            limit=limit,
            limit_name=name,
            bytes_received=received,
            partial_response=partial(stopped_by),
            url=url,
        ) from None
    except SpoolFull as exc:
        sink.discard()  # free the space the partial file took
        raise DiskFull(
            f"Disk full while saving the response ({exc.written:,} bytes written); the partial "
            "file was deleted to free the space. Free some disk space and send again.",
            bytes_written=exc.written,
            bytes_received=received,
            url=url,
        ) from None
    except ContentDecodingFailed as exc:
        sink.discard()
        raise MalformedResponse(
            f"The {encoding} body from {host} is corrupt: {exc}.", url=url
        ) from None
    except Exception as exc:
        control = current_job()
        if control is not None and control.cancelled:
            sink.discard()
            raise
        if deadlines.expired is not None:
            partial_response = partial("total deadline")
            raise ex.deadline_error(url, received=received, partial=partial_response) from exc
        if is_bad_chunking(exc):
            sink.discard()
            raise MalformedResponse(
                f"{host} sent invalid chunked encoding after {received:,} bytes.", url=url
            ) from exc
        if is_timeout(exc):
            sink.discard()
            idle = isinstance(sink, StreamSink)
            quiet = spec.stream_idle_timeout if idle else spec.read_timeout
            raise ReadTimeout(
                f"{host} sent nothing for {quiet:g} s "
                f"({'the stream idle limit' if idle else 'read timeout'}) after "
                f"{received:,} bytes of the body.",
                url=url,
            ) from exc
        of_total = f" of {total:,}" if total is not None else ""
        raise ConnectionLost(
            f"The connection to {host} was lost after {received:,}{of_total} bytes of the body; "
            "the partial body is kept.",
            bytes_received=received,
            partial_response=partial(),
            url=url,
        ) from exc
    except BaseException:
        sink.discard()
        raise
    summary = sink.end() if isinstance(sink, StreamSink) else None
    forget_tracked_sockets()  # from here on the socket may serve another thread's request
    with contextlib.suppress(Exception):
        raw.raw.release_conn()  # fully read: the connection may serve the next request
    body, path = sink.finish()
    report_progress(received, total if total is not None else received, phase="done")
    end = time.perf_counter()  # where elapsed always ended: the hop's total ends there too
    response = Response(
        **meta,
        body=body,
        spool_path=path,
        size=sink.size,
        wire_size=received,
        ttfb=ttfb,
        elapsed=end - started,
        timings=ex.clock.finish(end),
        proxy=ex.proxy.shown,
        proxy_source=ex.proxy.source,
    )
    response.stream = summary
    return response


def content_length(raw: requests.Response) -> int | None:
    value = raw.headers.get("content-length")
    if value is None or raw.request.method == "HEAD" or raw.status_code in (204, 304):
        return None
    try:
        length = int(value.split(",")[0])
    except ValueError:
        return None
    return length if length >= 0 else None
