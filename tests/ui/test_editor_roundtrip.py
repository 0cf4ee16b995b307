"""The request editor round-trips any RequestSpec exactly (hypothesis over request_specs()).

``editor.load_spec(spec); editor.to_spec() == spec`` for every field and body kind, multipart
file parts' ``filename`` and ``content_type``, timeouts to the last bit, the body cap in bytes.
Specs are first mapped to what the editor can show (docs/ui.md, "What the editor cannot show"):

- a URL holding a query (``?``) or fragment (``#``): the editor moves the query into the
  params table, so the strategy's ``?``/``#`` become ``_``;
- a row without a name (param, header, form field, multipart part) is a draft row of its table
  and is not sent, so nameless rows get the name ``n``; an unticked (disabled) row is kept
  whatever it holds, except a fully blank one (the table's empty draft row), so a disabled row
  with neither name nor value gets the name ``n`` too;
- an empty optional text field means "not set": ``proxy=""``, ``verify=""``, ``cert=""`` (or an
  empty path in a ``(cert, key)`` pair), and ``""`` as a file part's file name or Content-Type,
  or a file body's Content-Type, become ``None`` (or ``True`` / one path);
- ``sensitive_headers`` is found when variables are resolved for sending, not edited: ``()``;
- a text starting with U+FEFF (ZERO WIDTH NO-BREAK SPACE, the byte order mark): Qt drops it when
  the text enters any widget (``QLineEdit("\\ufeffb").text() == "b"``), so such specs are left out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from guiapp.core.request import (
    Body,
    DisabledPart,
    DisabledRow,
    FileBody,
    FilePart,
    FormBody,
    MultipartBody,
    RequestSpec,
    TextPart,
)
from guiapp.core.serialize import spec_to_dict
from guiapp.ui.request_editor import RequestEditor
from tests.strategies import request_specs


def _named(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name or "n", value) for name, value in pairs)


def _off(rows: tuple[DisabledRow, ...]) -> tuple[DisabledRow, ...]:
    return tuple(replace(d, name=d.name or ("" if d.value else "n")) for d in rows)


def _part(part: TextPart | FilePart, *, keep_nameless: bool = False) -> TextPart | FilePart:
    if isinstance(part, FilePart):
        part = FilePart(part.name, part.path, part.filename or None, part.content_type or None)
    value = part.path if isinstance(part, FilePart) else part.value
    named = part.name or (keep_nameless and value)
    return part if named else replace(part, name="n")


def _body(body: Body | None) -> Body | None:
    if isinstance(body, FormBody):
        return FormBody(_named(body.fields), _off(body.disabled_fields))
    if isinstance(body, FileBody):
        return FileBody(body.path, body.content_type or None)
    if isinstance(body, MultipartBody):
        parts = tuple(_part(p) for p in body.parts)
        off = tuple(
            DisabledPart(d.at, _part(d.part, keep_nameless=True)) for d in body.disabled_parts
        )
        return MultipartBody(parts, off)
    return body


def _cert(cert: str | tuple[str, str] | None) -> str | tuple[str, str] | None:
    if isinstance(cert, tuple):
        path, key = cert
        return (path, key) if path and key else (path or key or None)
    return cert or None


def representable(spec: RequestSpec) -> RequestSpec:
    """``spec`` with what the editor cannot show mapped as the module docstring says."""
    return replace(
        spec,
        url=spec.url.replace("?", "_").replace("#", "_"),
        params=_named(spec.params),
        headers=_named(spec.headers),
        disabled_params=_off(spec.disabled_params),
        disabled_headers=_off(spec.disabled_headers),
        body=_body(spec.body),
        verify=spec.verify if spec.verify != "" else True,
        cert=_cert(spec.cert),
        proxy=spec.proxy or None,
        sensitive_headers=(),  # found by resolve() from secret variables, not edited
    )


def _starts_with_bom(value: Any) -> bool:
    """True if any text in ``value`` (a spec as plain data) starts with U+FEFF."""
    if isinstance(value, str):
        return value.startswith("\ufeff")
    if isinstance(value, dict):
        return any(_starts_with_bom(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_starts_with_bom(v) for v in value)
    return False


def test_qt_drops_a_leading_bom_which_is_why_such_specs_are_left_out(qapp: Any) -> None:
    from PySide6.QtWidgets import QLineEdit

    assert QLineEdit("\ufeffb").text() == "b"  # if Qt ever keeps it, drop the assume() above
    assert QLineEdit("a\ufeff").text() == "a\ufeff"


@pytest.fixture(scope="module")
def editor(qapp: Any) -> RequestEditor:
    # One editor for every example: loading a spec must overwrite every field of the last one.
    return RequestEditor()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=request_specs().map(representable))
def test_editor_round_trips_any_spec(editor: RequestEditor, spec: RequestSpec) -> None:
    assume(not _starts_with_bom(spec_to_dict(spec)))
    editor.load_spec(spec)
    assert editor.to_spec() == spec


def test_multipart_file_part_keeps_its_filename_and_type(editor: RequestEditor) -> None:
    spec = RequestSpec(
        url="http://h/upload",
        method="POST",
        body=MultipartBody(
            (
                TextPart("at", "@not-a-file"),
                FilePart("doc", "/tmp/a b.pdf", "report.pdf", "application/pdf"),
                FilePart("raw", "/tmp/x.bin"),
            )
        ),
    )
    editor.load_spec(spec)
    assert editor.to_spec() == spec


@pytest.mark.parametrize("size", [None, 0, 1, 1000, 1536, 2 * 1024**2 + 1, 5 * 1024**3, 2**40])
def test_max_body_bytes_is_exact(editor: RequestEditor, size: int | None) -> None:
    spec = RequestSpec(url="http://h/", max_body_bytes=size)
    editor.load_spec(spec)
    assert editor.to_spec().max_body_bytes == size


def test_edited_timeout_and_body_cap_are_read_from_the_widgets(editor: RequestEditor) -> None:
    editor.load_spec(RequestSpec(url="http://h/", timeout=0.0625, max_body_bytes=3 * 1024**2))
    assert editor.to_spec().timeout == 0.0625  # shown as 0.063 s, kept exact while unedited
    editor.options.read_timeout.setValue(12.5)
    editor.options.max_body.amount.setValue(7)
    assert editor.to_spec().timeout == (0.0625, 12.5)
    assert editor.to_spec().max_body_bytes == 7 * 1024**2
    editor.options.max_body.unit.setCurrentIndex(1)  # KiB
    assert editor.to_spec().max_body_bytes == 7 * 1024
    editor.options.max_body.enabled.setChecked(False)
    assert editor.to_spec().max_body_bytes is None


def test_text_bodies_keep_crlf_and_no_break_spaces_until_edited(editor: RequestEditor) -> None:
    from guiapp.core.request import JsonBody, TextBody

    spec = RequestSpec(url="http://h/", body=TextBody("a\r\nb\xa0c", "text/plain"))
    editor.load_spec(spec)
    assert editor.to_spec() == spec
    editor.body.raw_edit.appendPlainText("d")
    assert editor.to_spec().body == TextBody("a\nb\xa0c\nd", "text/plain")
    json_spec = RequestSpec(
        url="http://h/", body=JsonBody('{"a": "\xa0"}', "application/vnd.api+json")
    )
    editor.load_spec(json_spec)
    assert editor.to_spec() == json_spec
