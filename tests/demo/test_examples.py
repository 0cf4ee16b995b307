"""The curated first-run examples: well-formed, and each one works against the demo server."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from requests.auth import HTTPDigestAuth

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
from guiapp.core.serialize import spec_from_dict, spec_to_dict
from guiapp.core.transport import make_session, send
from guiapp.demo import DemoExample, sample_requests

# Long-running or huge ones: their endpoints are covered in test_endpoints.py.
_SKIP = {
    "Never answers",
    "Slow headers",
    "Large JSON (50 MB)",
    "Download 200 MB",
    "Download (chunked, unknown length)",
    "Slow: 3 s delay",
    "Drip stream",
    "JSON lines stream",
    "SSE: LLM-like chat",
    "SSE: event counter",
    "NDJSON feed",
    "SSE: never ends",
}


def _send(spec: RequestSpec) -> requests.Response:
    """A minimal RequestSpec -> requests call, enough for the example bodies and auths."""
    kwargs: dict[str, Any] = {"params": list(spec.params), "headers": dict(spec.headers)}
    body = spec.body
    if isinstance(body, JsonBody):
        kwargs["data"] = body.text.encode()
        kwargs["headers"]["Content-Type"] = body.content_type
    elif isinstance(body, FormBody):
        kwargs["data"] = list(body.fields)
    elif isinstance(body, MultipartBody):
        kwargs["files"] = [(p.name, (None, p.value)) for p in body.parts if isinstance(p, TextPart)]
    auth = spec.auth
    if isinstance(auth, BasicAuth):
        kwargs["auth"] = (auth.username, auth.password)
    elif isinstance(auth, DigestAuth):
        kwargs["auth"] = HTTPDigestAuth(auth.username, auth.password)
    elif isinstance(auth, BearerAuth):
        kwargs["headers"]["Authorization"] = f"Bearer {auth.token}"
    return requests.request(spec.method, spec.url, timeout=10, **kwargs)


def test_examples_are_well_formed() -> None:
    examples = sample_requests("http://127.0.0.1:1/")
    names = [e.name for e in examples]
    assert len(names) == len(set(names))
    for wanted in (
        "Large JSON (50 MB)",
        "Slow: 3 s delay",
        "Drip stream",
        "PNG image",
        "Basic auth",
        "404",
        "Redirect chain",
    ):
        assert wanted in names
    for example in examples:
        assert isinstance(example, DemoExample)
        assert example.description
        assert example.spec.url.startswith("http://127.0.0.1:1/")
        assert "//" not in example.spec.url.removeprefix("http://")
        assert spec_from_dict(json.loads(json.dumps(spec_to_dict(example.spec)))) == example.spec


_SESSION_FLOW = ("Log in (cookie session)", "Who am I (needs the cookie)", "Log out")


@pytest.mark.parametrize(
    "example",
    [
        e
        for e in sample_requests("http://placeholder")
        if e.name not in _SKIP and e.name not in _SESSION_FLOW
    ],
    ids=lambda e: e.name,
)
def test_example_works_against_the_server(url: str, example: DemoExample) -> None:
    spec = example.spec
    real = RequestSpec(
        **{
            **{f: getattr(spec, f) for f in spec.__dataclass_fields__},
            "url": spec.url.replace("http://placeholder", url),
        }
    )
    response = _send(real)
    expected = int(example.name) if example.name.isdigit() else 200
    assert response.status_code == expected, response.text[:200]
    if isinstance(spec.body, JsonBody):
        assert response.json()["json"] == json.loads(spec.body.text)
    if isinstance(spec.body, FormBody | MultipartBody):
        assert response.json()["form"]
    if spec.auth is not None:
        assert response.json()["authenticated"] is True


def test_session_examples_in_order_with_a_cookie_keeping_session(url: str) -> None:
    """Log in, who am I, log out, who am I: what the app does with its shared session."""
    examples = {e.name: e.spec for e in sample_requests(url)}
    session = make_session()
    try:
        results = [
            send(examples[name], session=session).json()
            for name in (*_SESSION_FLOW, "Who am I (needs the cookie)")
        ]
    finally:
        session.close()
    login, me, logout, after = results
    assert login["logged_in"] is True
    assert me == {"logged_in": True, "user": "demo", "expires_in": me["expires_in"]}
    assert logout == {"logged_in": False}
    assert after["logged_in"] is False


def test_a_run_of_the_examples_passes_their_checks_and_captures(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The examples carry checks and a capture, so that a first run of the Demo API collection
    shows what the runner does; each one passes against the demo server."""
    import asyncio

    from guiapp.offload import Offloader
    from guiapp.runner import PASSED, CollectionRun, PlannedRequest, RunOptions, engine

    monkeypatch.setattr(engine, "STREAM_LIMIT_S", 1.0)  # "SSE: never ends" is checked too
    checked = [e for e in sample_requests(url) if e.spec.tests is not None]
    assert len(checked) >= 5
    assert any(e.spec.tests and e.spec.tests.captures for e in checked)
    plan = [
        PlannedRequest(e.name, e.name, e.spec, e.spec.tests, frozenset())
        for e in checked
        if e.spec.tests is not None
    ]

    async def main() -> tuple[list[str], dict[str, str]]:
        offloader = Offloader(max_workers=4, name="demo-run")
        session = make_session()
        try:
            run = CollectionRun(
                plan,
                {},
                RunOptions(concurrency=4),
                call=offloader.submit,
                send=lambda spec: send(spec, session=session),
            )
            summary = await asyncio.wait_for(run.run(), 60)
            return [f"{r.name}: {r.outcome} {r.failures()}" for r in summary.results], run.captured
        finally:
            offloader.close(1.0)
            session.close()

    outcomes, captured = asyncio.run(main())
    assert outcomes == [f"{e.name}: {PASSED} []" for e in checked]
    assert captured == {"demoUser": "demo"}
