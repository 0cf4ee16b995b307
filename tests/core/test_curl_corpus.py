"""Real curl commands copied from public API documentation parse to the requests they send.

Each ``tests/data/curl_corpus/<name>.curl`` holds one command exactly as its documentation page
shows it; ``<name>.json`` names that page (``source``) and holds either the expected request in
the :mod:`guiapp.core.serialize` format (written by hand, curl defaults spelled out) or the
``error`` text that parsing must report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guiapp.core.codegen import to_curl
from guiapp.core.curl import parse_curl
from guiapp.core.errors import InvalidRequest
from guiapp.core.serialize import spec_from_dict

CORPUS = Path(__file__).parent.parent / "data" / "curl_corpus"
CASES = sorted(p.stem for p in CORPUS.glob("*.curl"))


def _load(name: str) -> tuple[str, dict[str, object]]:
    command = (CORPUS / f"{name}.curl").read_text(encoding="utf-8")
    meta = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
    return command, meta


def test_corpus_is_big_and_sourced() -> None:
    ok = [n for n in CASES if "expected" in _load(n)[1]]
    assert len(ok) >= 40
    hosts = {str(_load(n)[1]["source"]).split("/")[2] for n in CASES}
    assert len(hosts) >= 10, hosts


@pytest.mark.parametrize("name", CASES)
def test_corpus_command(name: str) -> None:
    command, meta = _load(name)
    assert str(meta["source"]).startswith("https://")
    if "error" in meta:
        with pytest.raises(InvalidRequest, match=str(meta["error"])):
            parse_curl(command)
        return
    spec = parse_curl(command)
    assert spec == spec_from_dict(meta["expected"])  # type: ignore[arg-type]
    assert parse_curl(to_curl(spec)) == spec
