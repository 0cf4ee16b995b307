"""Code generation: exported curl commands are valid shell and make real curl send the request;
generated Python runs and sends the same request (against a local httpbin, never the internet)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from guiapp.core._curl_lex import split_command
from guiapp.core.codegen import shell_quote, to_curl, to_python_make_async, to_python_requests
from guiapp.core.request import (
    BasicAuth,
    BearerAuth,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
    TextPart,
)
from tests.core.test_curl_roundtrip import curl_specs

_BASH = shutil.which("bash")
_CURL = shutil.which("curl")


def test_curl_export_example() -> None:
    spec = RequestSpec(
        url="https://api.example.com/v1/items",
        method="PUT",
        params=[("tag", "a b"), ("tag", "c&d")],
        headers=[("Accept", "application/json"), ("X-Empty", "")],
        body=JsonBody('{"name": "it\'s"}'),
        auth=BasicAuth("ada", "pw"),
        timeout=(3.0, 20.0),
        total_timeout=20.0,
        verify=False,
    )
    assert to_curl(spec) == (
        "curl -X PUT 'https://api.example.com/v1/items?tag=a+b&tag=c%26d' \\\n"
        "  -H 'Accept: application/json' \\\n"
        "  -H 'X-Empty;' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        '  --data-raw \'{"name": "it\'"\'"\'s"}\' \\\n'
        "  -u ada:pw \\\n"
        "  --connect-timeout 3.0 \\\n"
        "  -m 20.0 \\\n"
        "  -L \\\n"
        "  -k"
    )


def test_curl_export_of_time_limits() -> None:
    def limits(**kw: object) -> str:
        command = to_curl(RequestSpec(url="http://h/", **kw))  # type: ignore[arg-type]
        return " ".join(line.strip(" \\") for line in command.splitlines()[1:-1])

    assert limits() == ""  # the defaults: nothing to say
    assert limits(total_timeout=12.0) == "--connect-timeout 30.0 -m 12.0"
    assert limits(total_timeout=12.0, timeout=12.0) == "-m 12.0"
    assert limits(timeout=(2.0, 30.0)) == "--connect-timeout 2.0"
    # curl has no read timeout: a longer one is exported as the total limit that bounds it.
    assert limits(timeout=(2.0, 90.0)) == "--connect-timeout 2.0 -m 300.0"
    assert limits(timeout=5.0, total_timeout=None) == "--connect-timeout 5.0"


def test_shell_quote_uses_ansi_c_quoting_for_control_characters() -> None:
    assert shell_quote("a\rb") == "$'a\\rb'".replace("\\r", "\\x0d")
    assert shell_quote("") == "''"
    with pytest.raises(ValueError, match="NUL"):
        shell_quote("a\0b")


@pytest.mark.skipif(_BASH is None, reason="needs bash to check shell quoting")
@settings(max_examples=40, deadline=None)
@given(curl_specs)
def test_real_bash_splits_the_export_like_parse_curl(spec: RequestSpec) -> None:
    command = to_curl(spec)
    # Replace curl by a program that prints its argv: bash must see exactly our words.
    script = "argv() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' \"$@\"; }\n"
    out = subprocess.run(
        [_BASH, "-c", script + "argv" + command[len("curl") :]],
        capture_output=True,
        check=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    ).stdout
    assert json.loads(out) == split_command(command)[1:]


def _echo(body: dict[str, Any]) -> dict[str, Any]:
    """The parts of an httpbin /anything echo that say what request was sent."""
    headers = {k.lower(): v for k, v in body["headers"].items()}
    keep = ("authorization", "x-custom", "content-type")
    shown = {k: v for k, v in headers.items() if k in keep}
    if shown.get("content-type", "").startswith("multipart/form-data"):
        shown["content-type"] = "multipart/form-data"  # the boundary differs per client
    return {
        "method": body["method"],
        "args": body["args"],
        "headers": shown,
        "form": body["form"],
        "data": body["data"],
        "files": body["files"],
    }


def _samples(base: str, upload: Path) -> list[RequestSpec]:
    return [
        RequestSpec(url=base, params=[("q", "a b/c"), ("n", "1")], headers=[("X-Custom", "1")]),
        RequestSpec(
            url=base,
            method="POST",
            body=JsonBody('{"k": "v & w"}'),
            auth=BearerAuth("t0k"),
        ),
        RequestSpec(url=base, method="PATCH", body=FormBody([("a", "1 2"), ("b", "x=y&z")])),
        RequestSpec(url=base, method="POST", body=TextBody("line 1\nline 2", "text/plain")),
        RequestSpec(
            url=base,
            method="POST",
            body=MultipartBody(
                [TextPart("title", "@not-a-file"), FilePart("doc", str(upload), "r.txt", "text/x")]
            ),
            auth=BasicAuth("ada", "pw"),
        ),
    ]


def _run_requests_code(code: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<generated>", "exec"), {"__name__": "generated"})
    status, _, text = out.getvalue().partition("\n")
    assert status.startswith("200"), status
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.mark.skipif(_CURL is None or _BASH is None, reason="needs curl and bash")
def test_curl_and_requests_code_send_the_same_request(httpbin: Any, tmp_path: Path) -> None:
    upload = tmp_path / "report.txt"
    upload.write_text("file content\n")
    for spec in _samples(httpbin.url + "/anything", upload):
        command = to_curl(spec)
        by_curl = subprocess.run(
            [_BASH, "-c", command + " -sS"], capture_output=True, check=True, timeout=60
        ).stdout
        by_requests = _run_requests_code(to_python_requests(spec))
        assert _echo(json.loads(by_curl)) == _echo(by_requests), command


def test_make_async_code_runs(httpbin: Any, tmp_path: Path) -> None:
    spec = RequestSpec(
        url=httpbin.url + "/anything",
        method="POST",
        params=[("q", "1")],
        body=JsonBody('{"hello": "async"}'),
    )
    script = tmp_path / "generated.py"
    script.write_text(to_python_make_async(spec))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    status, _, text = done.stdout.partition("\n")
    assert status.startswith("200")
    echo = json.loads(text)
    assert echo["args"] == {"q": "1"}
    assert echo["json"] == {"hello": "async"}
