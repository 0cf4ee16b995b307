"""Pasting a curl command never reads a local file (red-team: ``-F x=<f``,
``--data-urlencode x@f``, ``-d @f``, ``--url-query @f`` and ``-G -d @~/f`` all read files
while being parsed). A file stays a reference, or the option is refused with a way out."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest

from guiapp.core.curl import parse_curl
from guiapp.core.errors import InvalidRequest
from guiapp.core.request import FileBody, FilePart, MultipartBody

pytestmark = pytest.mark.hostile("importers")


@pytest.fixture
def secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private file, and any attempt to open a file while parsing fails the test."""
    path = tmp_path / "id_rsa"
    path.write_text("PRIVATE KEY", encoding="utf-8")
    real_open = builtins.open

    def no_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith("id_rsa"):
            pytest.fail(f"parse_curl opened {file}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_open)
    monkeypatch.setattr(Path, "read_text", lambda *a, **k: pytest.fail("read_text called"))
    monkeypatch.setattr(Path, "read_bytes", lambda *a, **k: pytest.fail("read_bytes called"))
    return path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("-F 'x=<{f}'", "-F 'x=@{f}'"),
        ("--data-urlencode 'x@{f}'", "--data-urlencode 'x=text'"),
        ("--data-urlencode '@{f}'", "paste the text"),
        ("--url-query '@{f}'", "--url-query 'name=text'"),
        ("-d a=1 -d '@{f}'", "single -d @file"),
        ("-G -d '@{f}'", "drop -G"),
        ("-G -d @~/id_rsa", "drop -G"),
    ],
)
def test_options_that_would_read_a_file_are_refused(secret: Path, args: str, expected: str) -> None:
    command = f"curl {args.format(f=secret)} http://127.0.0.1/"
    with pytest.raises(InvalidRequest, match="never reads local files") as info:
        parse_curl(command, cwd=str(secret.parent))
    assert expected.format(f=secret) in str(info.value)
    assert "PRIVATE KEY" not in str(info.value)


def test_file_references_stay_references(secret: Path) -> None:
    body = parse_curl(f"curl -d @{secret} http://127.0.0.1/").body
    assert body == FileBody(str(secret), None)
    form = parse_curl(f"curl -F 'k=@{secret}' http://127.0.0.1/").body
    assert form == MultipartBody((FilePart("k", str(secret)),))
    upload = parse_curl(f"curl -T {secret} http://127.0.0.1/").body
    assert upload == FileBody(str(secret), None)
    assert parse_curl("curl --json @~/id_rsa http://127.0.0.1/").body == FileBody(
        "~/id_rsa", "application/json"
    )


def test_reading_stdin_is_refused(secret: Path) -> None:
    with pytest.raises(InvalidRequest, match="standard input"):
        parse_curl("curl -F 'x=<-' http://127.0.0.1/")
