"""Disabled (unticked) rows: kept in every file format, never sent, exported or resolved.

Finding: unticking a header in a saved request deleted it from disk, because the model had no
disabled rows and only enabled ones were written.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from guiapp.core.codegen import to_curl, to_python_requests
from guiapp.core.collections import Collection
from guiapp.core.curl import parse_curl
from guiapp.core.request import (
    DisabledPart,
    DisabledRow,
    FilePart,
    FormBody,
    MultipartBody,
    RequestSpec,
    TextPart,
    merge_rows,
    split_rows,
)
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.core.serialize import SpecFormatError, spec_from_dict, spec_to_dict
from guiapp.core.transport import send
from guiapp.core.variables import Environment, Variable, find_unresolved, resolve

SPEC = RequestSpec(
    url="http://h/items",
    method="POST",
    params=[("page", "1")],
    disabled_params=[(0, "debug", "{{undefined}}")],
    headers=[("Accept", "application/json")],
    disabled_headers=[(1, "X-Trace", "on"), (2, "Authorization", "Bearer s3cret")],
    body=FormBody([("a", "1")], [(0, "skip", "me")]),
)


@pytest.fixture
def col(tmp_path: Path) -> Collection:
    store = SecretStore(service="guiapp-test", backend=MemoryKeyring())
    return Collection.create(tmp_path / "c", name="C", secrets=store)


def test_positions_are_normalised_so_equal_tables_make_equal_specs() -> None:
    far = RequestSpec(url="u", headers=[("a", "1")], disabled_headers=[(9, "b", "2")])
    assert far.disabled_headers == (DisabledRow(1, "b", "2"),)
    assert far == RequestSpec(url="u", headers=[("a", "1")], disabled_headers=[(1, "b", "2")])
    rows = merge_rows(SPEC.headers, SPEC.disabled_headers)
    assert [on for _, on in rows] == [True, False, False]
    assert split_rows(rows) == (SPEC.headers, SPEC.disabled_headers)


def test_every_dict_format_keeps_disabled_rows() -> None:
    data = json.loads(json.dumps(spec_to_dict(SPEC)))  # history and session state use JSON
    assert data["disabled_headers"][0] == {"at": 1, "name": "X-Trace", "value": "on"}
    assert data["body"]["disabled_fields"] == [{"at": 0, "name": "skip", "value": "me"}]
    assert spec_from_dict(data) == SPEC
    assert "disabled_headers" not in spec_to_dict(RequestSpec(url="u"))  # old files unchanged


def test_a_bad_disabled_row_is_named_in_the_error() -> None:
    data = spec_to_dict(SPEC)
    data["disabled_headers"] = [{"at": -1, "name": "x", "value": "y"}]
    with pytest.raises(SpecFormatError, match=r"disabled_headers\[0\]\.at"):
        spec_from_dict(data)
    data["disabled_headers"] = [["x", "y"]]
    with pytest.raises(SpecFormatError, match=r"disabled_headers\[0\]"):
        spec_from_dict(data)


def test_collection_file_keeps_an_unticked_header_and_drops_it_when_ticked_again(
    col: Collection,
) -> None:
    spec = RequestSpec(url="http://h/", headers=[("Accept", "*/*"), ("X-Debug", "1")])
    rid = col.new_request("", "R", spec)
    unticked = RequestSpec(
        url="http://h/", headers=[("Accept", "*/*")], disabled_headers=[(1, "X-Debug", "1")]
    )
    col.save_request(rid, unticked)
    text = col.path_of(rid).read_text(encoding="utf-8")
    assert tomllib.loads(text)["request"]["disabled_headers"] == [
        {"at": 1, "name": "X-Debug", "value": "1"}
    ]
    assert col.load_request(rid) == unticked
    assert col.load_request(rid).disabled_headers == (DisabledRow(1, "X-Debug", "1"),)
    col.save_request(rid, spec)  # ticked again: the row is enabled, not also disabled
    assert "disabled_headers" not in col.path_of(rid).read_text(encoding="utf-8")
    assert col.load_request(rid) == spec


def test_multipart_disabled_parts_round_trip_through_a_collection(col: Collection) -> None:
    body = MultipartBody(
        [TextPart("a", "1")], [DisabledPart(0, FilePart("f", "/tmp/x.bin", "x", "text/x"))]
    )
    rid = col.new_request("", "Upload", RequestSpec(url="http://h/", body=body))
    assert col.load_request(rid).body == body


def test_disabled_variables_stay_in_environments_and_collection_variables(
    col: Collection,
) -> None:
    env = Environment("dev", [Variable("a", "1"), Variable("b", "2", enabled=False)])
    col.save_environment(env)
    assert col.load_environment("dev") == env
    col.save_variables(env.variables)
    assert col.load_variables().variables == env.variables


def test_exports_and_code_generation_leave_disabled_rows_out() -> None:
    for code in (to_curl(SPEC), to_python_requests(SPEC)):
        assert "X-Trace" not in code
        assert "debug" not in code
        assert "skip" not in code
        assert "s3cret" not in code
    assert to_curl(SPEC) == to_curl(SPEC.without_disabled())


def test_curl_import_makes_enabled_rows() -> None:
    spec = parse_curl("curl -H 'X-A: 1' 'http://h/?q=1'")
    assert spec.headers == (("X-A", "1"),)
    assert spec.params == (("q", "1"),)
    assert spec.disabled_headers == ()
    assert spec.disabled_params == ()


def test_variables_in_disabled_rows_need_no_value_and_stay_as_written() -> None:
    assert find_unresolved(SPEC, {}) == []
    resolved = resolve(SPEC, {})
    assert resolved.disabled_params == SPEC.disabled_params
    assert isinstance(resolved.body, FormBody)
    assert resolved.body.disabled_fields


def test_redacted_masks_secret_headers_among_disabled_rows() -> None:
    safe = SPEC.redacted()
    assert safe.disabled_headers[1] == DisabledRow(2, "Authorization", "***")
    assert "s3cret" not in repr(SPEC)


def test_transport_never_sends_disabled_rows(httpbin: Any) -> None:
    spec = RequestSpec(
        url=httpbin.url + "/anything",
        method="POST",
        params=[("on", "1")],
        disabled_params=[(1, "off", "1")],
        headers=[("X-On", "1")],
        disabled_headers=[(0, "X-Off", "1")],
        body=FormBody([("on", "1")], [(0, "off", "1")]),
        timeout=10.0,
    )
    echo = json.loads(send(spec).text())
    assert echo["args"] == {"on": "1"}
    assert echo["form"] == {"on": "1"}
    assert "X-Off" not in echo["headers"]
    assert echo["headers"]["X-On"] == "1"
