"""Curated example requests against the demo API, which the app pre-fills on first run.

Example::

    >>> examples = sample_requests("http://127.0.0.1:8765")
    >>> [e.name for e in examples][:2]
    ['Hello: GET with query args', 'Large JSON (50 MB)']
    >>> examples[1].spec.url
    'http://127.0.0.1:8765/json/large'
"""

from __future__ import annotations

from dataclasses import dataclass

from guiapp.core.captures import Capture
from guiapp.core.checks import Check
from guiapp.core.request import (
    BasicAuth,
    BearerAuth,
    DigestAuth,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextPart,
)
from guiapp.core.request_tests import RequestTests

OK = Check("status", "==", 200)

__all__ = ["DemoExample", "sample_requests"]


@dataclass(frozen=True, slots=True)
class DemoExample:
    """One named example: a title for a list, a sentence saying what it shows, the request."""

    name: str
    description: str
    spec: RequestSpec


def sample_requests(base_url: str) -> list[DemoExample]:
    """The curated examples, every URL under ``base_url`` (a trailing slash is ignored)."""
    base = base_url.rstrip("/")

    def ex(name: str, description: str, path: str, **kwargs: object) -> DemoExample:
        return DemoExample(name, description, RequestSpec(url=base + path, **kwargs))  # type: ignore[arg-type]

    return [
        ex(
            "Hello: GET with query args",
            "Echoes the query args and headers back.",
            "/get",
            params=[("name", "guiapp"), ("tag", "a"), ("tag", "b")],
            tests=RequestTests(
                checks=(OK, Check("body", "==", "guiapp", path="$.args.name")),
            ),
        ),
        ex(
            "Large JSON (50 MB)",
            "A 50 MB nested JSON document: the viewer stays responsive.",
            "/json/large",
            params=[("mb", "50")],
        ),
        ex("Slow: 3 s delay", "Answers after 3 seconds; try cancelling it.", "/delay/3"),
        ex(
            "Drip stream",
            "30 bytes trickled over 6 seconds: watch the progress.",
            "/drip",
            params=[("numbytes", "30"), ("duration", "6"), ("delay", "1")],
        ),
        ex(
            "JSON lines stream",
            "50 JSON lines, 0.1 s apart, chunked.",
            "/stream/50",
            params=[("delay", "0.1")],
        ),
        ex(
            "SSE: LLM-like chat",
            "A chat completion streamed token by token: watch the Stream view and the "
            "assembled text grow.",
            "/sse/chat",
            params=[("tokens", "60"), ("delay", "80")],
        ),
        ex(
            "SSE: event counter",
            "500 Server-Sent Events at 50 a second, with ids, comments and multi-line data.",
            "/sse/counter",
            params=[("n", "500"), ("rate", "50")],
        ),
        ex(
            "NDJSON feed",
            "300 JSON lines at 30 a second; every 50th is invalid and shown as an error.",
            "/ndjson",
            params=[("n", "300"), ("rate", "30"), ("bad", "50")],
        ),
        ex(
            "SSE: never ends",
            "An event every half second until you cancel it.",
            "/sse/forever",
            params=[("interval", "0.5")],
            tests=RequestTests(checks=(OK,)),
        ),
        ex(
            "Download 200 MB",
            "A large binary body with a known length.",
            "/download",
            params=[("mb", "200")],
        ),
        ex(
            "Download (chunked, unknown length)",
            "50 MB with no Content-Length.",
            "/download",
            params=[("mb", "50"), ("chunked", "1")],
        ),
        ex("PNG image", "A small generated PNG.", "/image/png"),
        ex("SVG image", "A small SVG drawing.", "/image/svg"),
        ex("XML document", "A small XML catalogue.", "/xml"),
        ex("HTML page", "A small HTML page.", "/html"),
        ex(
            "Pretty JSON sample",
            "A small nested JSON document.",
            "/json/sample",
            tests=RequestTests(
                checks=(
                    OK,
                    Check("body", "==", "Sample Slide Show", path="$.slideshow.title"),
                    Check("body", "length", 2, path="$.slideshow.slides"),
                ),
            ),
        ),
        ex(
            "POST JSON",
            "Sends a JSON body and gets it echoed back.",
            "/anything",
            method="POST",
            body=JsonBody('{\n  "name": "guiapp",\n  "tags": ["qt", "http"]\n}'),
        ),
        ex(
            "POST form",
            "Sends a URL-encoded form.",
            "/anything",
            method="POST",
            body=FormBody((("user", "ada"), ("lang", "en"))),
        ),
        ex(
            "POST multipart",
            "Sends multipart/form-data fields.",
            "/anything",
            method="POST",
            body=MultipartBody((TextPart("title", "hello"), TextPart("note", "multipart"))),
        ),
        ex(
            "Basic auth",
            "Needs user 'demo' and password 'secret'.",
            "/basic-auth/demo/secret",
            auth=BasicAuth("demo", "secret"),
            tests=RequestTests(checks=(OK,)),
        ),
        ex(
            "Digest auth",
            "RFC 7616 digest auth, user 'demo', password 'secret'.",
            "/digest-auth/demo/secret",
            auth=DigestAuth("demo", "secret"),
        ),
        ex(
            "Bearer token",
            "Needs an Authorization: Bearer header.",
            "/bearer",
            auth=BearerAuth("demo-token"),
            tests=RequestTests(checks=(OK, Check("body", "==", True, path="$.authenticated"))),
        ),
        ex(
            "404",
            "A Not Found response.",
            "/status/404",
            tests=RequestTests(checks=(Check("status", "==", 404),)),
        ),
        ex(
            "500",
            "A server error response.",
            "/status/500",
            tests=RequestTests(checks=(Check("status", "==", 500),)),
        ),
        ex("Redirect chain", "Five redirects, then /get.", "/redirect/5"),
        ex(
            "Set cookies",
            "Sets two cookies and redirects to /cookies.",
            "/cookies/set",
            params=[("session", "abc123"), ("theme", "dark")],
        ),
        ex(
            "Log in (cookie session)",
            "Logs in as demo/secret; the session cookie is kept (Tools → Cookies…).",
            "/session/login",
            method="POST",
            body=FormBody((("user", "demo"), ("password", "secret"))),
            tests=RequestTests(
                checks=(OK, Check("body", "==", True, path="$.logged_in")),
                captures=(Capture("demoUser", "body", "$.user"),),
            ),
        ),
        ex(
            "Who am I (needs the cookie)",
            "200 after logging in, 401 before: the kept cookie is sent back.",
            "/session/me",
        ),
        ex(
            "Log out",
            "Expires the session cookie.",
            "/session/logout",
            method="POST",
        ),
        ex("Gzip response", "A gzip-compressed body, decoded by the client.", "/gzip"),
        ex("UTF-8 text", "A page full of non-ASCII text.", "/encoding/utf8"),
        ex(
            "Slow headers",
            "The server waits 5 s before sending any header.",
            "/slow-headers",
            params=[("delay", "5")],
        ),
        ex(
            "Never answers",
            "Hangs until cancelled: test the Cancel button.",
            "/never",
            timeout=(5.0, 300.0),
            headers_timeout=30.0,  # a collection run ends: no answer within 30 s is a failure
        ),
        ex("API index", "Every endpoint of the demo server.", "/"),
    ]
