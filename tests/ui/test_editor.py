"""The request editor widgets round-trip a RequestSpec; params and URL stay in sync both ways."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from guiapp.core.request import (
    BasicAuth,
    BearerAuth,
    DigestAuth,
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
    TextPart,
)
from guiapp.ui.request_editor import RequestEditor
from guiapp.ui.url_params import join_url, split_url

SPECS = [
    RequestSpec(url="http://127.0.0.1:8000/get"),
    RequestSpec(
        url="http://h/items",
        method="POST",
        params=[("q", "a b"), ("q", "c"), ("empty", "")],
        headers=[("Accept", "application/json"), ("X-Trace", "1")],
        body=JsonBody('{\n  "a": [1, 2]\n}'),
        auth=BearerAuth("t0k"),
        timeout=(3.0, 20.0),
        follow_redirects=False,
        max_redirects=5,
        verify="/etc/ca.pem",
        proxy="http://proxy:3128",
        max_body_bytes=2 * 1024 * 1024,
    ),
    RequestSpec(
        url="http://h/f",
        method="PUT",
        body=FormBody([("a", "1"), ("a", "2")]),
        auth=BasicAuth("ada", "pw"),
        verify=False,
    ),
    RequestSpec(
        url="http://h/m",
        method="POST",
        auth=DigestAuth("u", "p"),
        body=MultipartBody([TextPart("name", "x"), FilePart("file", "/tmp/a.bin")]),
    ),
    RequestSpec(url="http://h/r", method="PATCH", body=TextBody("<a/>", "application/xml")),
    RequestSpec(url="http://h/b", method="POST", body=FileBody("/tmp/blob", "image/png")),
    RequestSpec(url="http://h/x", method="PURGE", timeout=12.5),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.method}-{s.url}")
def test_editor_round_trips_a_spec(qtbot: Any, spec: RequestSpec) -> None:
    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.load_spec(spec)
    assert editor.to_spec() == spec
    again = RequestEditor()
    qtbot.addWidget(again)
    again.load_spec(editor.to_spec())
    assert again.to_spec() == spec


def test_url_query_fills_the_params_table_and_back(qtbot: Any) -> None:
    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.set_url_text("http://h/p?a=1&b=two&a=3")
    assert editor.params.rows() == [("a", "1", True), ("b", "two", True), ("a", "3", True)]
    with qtbot.waitSignal(editor.urlTextChanged) as signal:
        editor.params.item(1, 1).setText("2")
    assert signal.args == ["http://h/p?a=1&b=2&a=3"]
    # Unticking a row removes it from the URL but keeps it in the table.
    editor.params.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert editor.url_text == "http://h/p?b=2&a=3"
    editor.set_url_text("http://h/p?b=2&a=3&c=4")
    assert ("a", "1", False) in editor.params.rows()
    assert editor.to_spec().params == (("b", "2"), ("a", "3"), ("c", "4"))
    assert editor.to_spec().url == "http://h/p"


def test_typing_in_the_blank_row_adds_a_param(qtbot: Any) -> None:
    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.set_url_text("http://h/p")
    last = editor.params.rowCount() - 1
    editor.params.setItem(last, 0, editor.params.item(last, 0).clone())
    editor.params.item(last, 0).setText("page")
    editor.params.item(last, 1).setText("2")
    assert editor.url_text == "http://h/p?page=2"
    assert editor.params.rowCount() == 2  # a new blank row appeared


def test_url_without_scheme_gets_http(qtbot: Any) -> None:
    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.set_url_text("localhost:8000/get")
    assert editor.spec_to_send().url == "http://localhost:8000/get"
    assert editor.to_spec().url == "localhost:8000/get"  # drafts keep what was typed


def test_split_and_join_keep_order_blanks_and_fragment() -> None:
    base, pairs = split_url("http://h/p?x=1&y=&x=2#frag")
    assert (base, pairs) == ("http://h/p#frag", [("x", "1"), ("y", ""), ("x", "2")])
    assert join_url(base, pairs) == "http://h/p?x=1&y=&x=2#frag"


def test_tab_labels_count_params_and_headers(qtbot: Any) -> None:
    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.load_spec(SPECS[1])
    assert editor.tabText(0) == "Params (3)"
    assert editor.tabText(1) == "Headers (2)"
    assert editor.tabText(2) == "Body · JSON"
    assert editor.tabText(3) == "Auth · Bearer token"


def test_variables_survive_editing_the_params_table(qtbot: Any) -> None:
    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.set_url_text("{{base}}/items?token={{tok}}")
    editor.params.item(0, 1).setText("{{other}}")
    assert editor.url_text == "{{base}}/items?token={{other}}"
    assert editor.to_spec().url == "{{base}}/items"  # no http:// before a variable
    assert editor.to_spec().params == (("token", "{{other}}"),)
