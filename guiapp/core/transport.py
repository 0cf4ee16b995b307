"""The blocking HTTP transport: :func:`send` a :class:`RequestSpec`, get a :class:`Response`.

``send`` is plain blocking code built on ``requests``. It cooperates with whoever runs it
through the job hooks of :mod:`guiapp.core.jobs`: it calls ``checkpoint()`` between body chunks,
``report_progress(done, total, phase=..., speed=...)`` as bytes arrive, and registers an
``on_cancel`` callback that shuts the request's own sockets, so a cancel unblocks a request stuck
in connect, waiting for headers or mid-body at once (the job then raises ``Cancelled``).

Any HTTP status is a successful send. Failures raise :class:`~guiapp.core.errors.RequestError`
subclasses: :class:`~guiapp.core.errors.InvalidRequest` before any I/O, and
:class:`~guiapp.core.errors.TransportError` subclasses after. A response that stopped before its
end (:class:`~guiapp.core.errors.TruncatedTransfer`: connection lost, a deadline, a size limit)
carries what arrived in ``partial_response``.

Limits, each a :class:`RequestSpec` field with a default (``None`` turns it off): the whole
exchange within ``total_timeout`` seconds and each response's headers within
``headers_timeout`` (a server dripping a byte at a time is stopped: the read timeout only
bounds the silence between two reads), at most ``max_body_bytes`` of decoded body, and at most
``max_decompression_ratio`` decoded bytes per byte received once the decoded body passes
16 MiB. A full disk while spooling raises :class:`~guiapp.core.errors.DiskFull`.

Example::

    from guiapp.core import RequestSpec, send

    with send(RequestSpec(url="http://127.0.0.1:8000/get", params=[("q", "1")])) as response:
        print(response.status_code, response.headers["content-type"], response.text())
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests
from requests.cookies import extract_cookies_to_jar
from requests.hooks import dispatch_hook

from guiapp.core._http_adapter import (
    SocketTracker,
    forget_tracked_sockets,
    install_tracking,
    make_session,
)
from guiapp.core._http_body import DEFAULT_SPOOL_THRESHOLD
from guiapp.core._http_deadline import Deadlines
from guiapp.core._http_errors import translate
from guiapp.core._http_prepare import PreparedFiles, build_request, mask_url, validate
from guiapp.core._http_proxy import choose_proxy
from guiapp.core._http_read import Exchange, read_body, response_meta
from guiapp.core.errors import RequestError, TooManyRedirects
from guiapp.core.jobs import Cancelled, checkpoint, current_job, on_cancel, report_progress
from guiapp.core.request import RequestSpec
from guiapp.core.response import Response

__all__ = ["DEFAULT_CHUNK_SIZE", "DEFAULT_SPOOL_THRESHOLD", "make_session", "send"]

_log = logging.getLogger(__name__)
DEFAULT_CHUNK_SIZE = 1 << 16
_REDIRECT_BODY_KEEP = 1 << 16  # bytes of a redirect's own body kept for display


def send(
    spec: RequestSpec,
    *,
    session: requests.Session | None = None,
    spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
    spool_dir: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Response:
    """Send ``spec`` and return the complete :class:`Response` (body in memory or spooled).

    ``session`` may be shared between calls (and threads) for connection pooling; tracking
    adapters are mounted on it if needed (see :func:`make_session`). Without one, a private
    session is made and closed. A caller's session lends its settings where the request keeps
    the defaults: its ``verify`` when ``spec.verify`` is True, its ``cert`` when ``spec.cert``
    is None, its ``proxies`` when ``spec.proxy`` is unset (before the environment's).

    Bodies over ``spool_threshold`` bytes go to a temporary file in ``spool_dir``; close the
    response (or use ``with``) to delete it. ``chunk_size`` is the read size for bodies that are
    decoded (gzip/deflate) or chunked; other bodies are read straight into a reused buffer of up
    to ``max(chunk_size, 1 MiB)``, one ``recv`` at a time.
    """
    checkpoint()
    validate(spec)
    _log.debug("sending %s %s", spec.method, mask_url(spec.url))
    own_session = session is None
    sess = make_session() if session is None else session
    if not own_session:
        install_tracking(sess)
    tracker = SocketTracker()
    deadlines = Deadlines(
        total=spec.total_timeout, headers=spec.headers_timeout, on_expiry=tracker.shutdown_all
    )
    try:
        with PreparedFiles() as files, tracker.bound(), on_cancel(tracker.shutdown_all):
            response = _send(
                spec,
                Exchange(sess, None if own_session else sess, tracker, deadlines),
                files,
                spool_threshold,
                spool_dir,
                chunk_size,
            )
    except RequestError as exc:
        _log.debug("%s %s failed: %s", spec.method, mask_url(spec.url), exc)
        raise
    finally:
        deadlines.close()
        if own_session:
            sess.close()
    _log.debug("received %r in %.3f s (ttfb %.3f s)", response, response.elapsed, response.ttfb)
    return response


def _send(
    spec: RequestSpec,
    ex: Exchange,
    files: PreparedFiles,
    spool_threshold: int,
    spool_dir: str | None,
    chunk_size: int,
) -> Response:
    started = time.perf_counter()
    url = spec.url
    sess = ex.sess
    raw_response: requests.Response | None = None
    try:
        prep = sess.prepare_request(build_request(spec, files))
        caller = ex.caller_session
        kwargs: dict[str, Any] = {
            "stream": True,
            "timeout": (spec.connect_timeout, spec.read_timeout),
            # A caller's session lends what the request leaves at its default.
            "verify": caller.verify if caller is not None and spec.verify is True else spec.verify,
            "cert": caller.cert if caller is not None and spec.cert is None else spec.cert,
        }
        history: list[Response] = []
        while True:
            checkpoint()
            url = prep.url or url
            ex.proxy = choose_proxy(spec, caller, url)
            kwargs["proxies"] = ex.proxy.proxies
            report_progress(0, None, phase="connecting", url=url)
            hop_started = time.perf_counter()
            ex.clock.start(hop_started)
            ex.deadlines.hop_started()
            raw_response = _send_once(sess, prep, kwargs)
            ex.deadlines.headers_in()
            shutdown = getattr(raw_response.raw, "shutdown", None)
            if shutdown is not None:  # urllib3 >= 2.3: cancel even if tracking failed
                ex.tracker.add_fallback(shutdown)
            ttfb = time.perf_counter() - hop_started
            target = sess.get_redirect_target(raw_response) if spec.follow_redirects else None
            if target is None:
                break
            if len(history) >= spec.max_redirects:
                raw_response.raw.close()
                chain = (*(h.url for h in history), raw_response.url)
                raise TooManyRedirects(
                    f"Stopped after {spec.max_redirects} redirects (last to {target!r}): "
                    "the server may be redirecting in a loop.",
                    history=chain,
                    url=spec.url,
                )
            history.append(_redirect_hop(raw_response, ttfb, started, ex))
            forget_tracked_sockets()  # resolve_redirects hands the connection back to the pool
            previous = prep.url or url
            prep = next(sess.resolve_redirects(raw_response, prep, yield_requests=True, **kwargs))
            _strip_sensitive(spec, sess, previous, prep)
        response = read_body(
            spec, raw_response, prep, ttfb, started, spool_threshold, spool_dir, chunk_size, ex
        )
        response.history = tuple(history)
        return response
    except BaseException as exc:
        if raw_response is not None:
            raw_response.raw.close()  # never hand a half-read connection back to the pool
        control = current_job()
        if control is not None and control.cancelled:
            if isinstance(exc, Cancelled):
                raise
            raise Cancelled(f"the request to {url} was cancelled") from exc
        if isinstance(exc, RequestError | Cancelled) or not isinstance(exc, Exception):
            raise
        if ex.deadlines.expired is not None:
            raise ex.deadline_error(url) from exc
        raise translate(
            exc, url, read_timeout=spec.read_timeout, connect_timeout=spec.connect_timeout
        ) from exc


def _strip_sensitive(
    spec: RequestSpec, sess: requests.Session, previous: str, prep: requests.PreparedRequest
) -> None:
    # Headers filled from secret variables get Authorization's treatment: dropped when the
    # redirect goes to another host or from https down to http (requests' own rule).
    strip = sess.should_strip_auth(previous, prep.url or "")  # type: ignore[no-untyped-call]
    if spec.sensitive_headers and strip:
        for name in spec.sensitive_headers:
            prep.headers.pop(name, None)


def _send_once(
    sess: requests.Session, prep: requests.PreparedRequest, kwargs: dict[str, Any]
) -> requests.Response:
    # Session.send minus its redirect handling, which reads redirect bodies without any cap
    # and cannot be cancelled between hops.
    adapter = sess.get_adapter(url=prep.url or "")
    response = adapter.send(prep, **kwargs)
    hooked: requests.Response = dispatch_hook(  # type: ignore[no-untyped-call]
        "response", prep.hooks, response, **kwargs
    )  # digest auth answers its 401 challenge here
    for earlier in hooked.history:
        extract_cookies_to_jar(sess.cookies, earlier.request, earlier.raw)  # type: ignore[no-untyped-call]
    extract_cookies_to_jar(sess.cookies, prep, hooked.raw)  # type: ignore[no-untyped-call]
    return hooked


def _redirect_hop(raw: requests.Response, ttfb: float, started: float, ex: Exchange) -> Response:
    data = raw.raw.read(_REDIRECT_BODY_KEEP, decode_content=False) or b""
    if raw.raw.read(1, decode_content=False):
        raw.raw.close()  # a huge redirect body: drop the connection rather than read it all
    # resolve_redirects() then reads .content to free the connection: nothing is left to read.
    end = time.perf_counter()
    return Response(
        **response_meta(raw),
        body=data,
        ttfb=ttfb,
        elapsed=end - started,
        timings=ex.clock.finish(end),
        proxy=ex.proxy.shown,
        proxy_source=ex.proxy.source,
    )
