"""core.formatting: JSON re-indenting, kind detection, previews, formatted files, highlighting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guiapp.core.formatting import (
    HIGHLIGHT_LINE_CHARS,
    STYLE_NAMES,
    NotJsonError,
    detect_kind,
    find_in_file,
    format_body_file,
    highlight_file_lines,
    highlight_lines,
    preview_body,
    read_index,
    reindent_json,
    reindent_json_batches,
    reindent_xml,
)
from guiapp.core.jobs import JobControl, Progress, bind_job

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([(", ", ": "), (",", ":")]), st.booleans())
def test_reindent_matches_json_dumps_indent_2(value, separators, ascii_only) -> None:
    compact = json.dumps(value, separators=separators, ensure_ascii=ascii_only)
    expected = json.dumps(value, indent=2, ensure_ascii=ascii_only)
    assert "\n".join(reindent_json(compact)) == expected


def test_reindent_keeps_tokens_as_sent_and_reformats_pretty_input() -> None:
    text = '{"a": 1e400, "a": 12345678901234567890, "s": "x\\"y\\\\"}'
    assert list(reindent_json(text)) == [
        "{", '  "a": 1e400,', '  "a": 12345678901234567890,', '  "s": "x\\"y\\\\"', "}",
    ]  # fmt: skip
    pretty = json.dumps({"k": [1, {"z": []}]}, indent=4)
    assert "\n".join(reindent_json(pretty)) == json.dumps({"k": [1, {"z": []}]}, indent=2)


@pytest.mark.parametrize("text", ["<html>", "{'single': 1}", "[1, 2] trailing", "{a: 1}"])
def test_not_json_is_reported_with_an_offset(text) -> None:
    with pytest.raises(NotJsonError) as info:
        list(reindent_json(text))
    assert 0 <= info.value.offset < len(text)


def test_batches_report_input_offsets() -> None:
    text = json.dumps(list(range(10)))
    batches = list(reindent_json_batches(text, batch=4))
    assert [len(lines) for lines, _ in batches] == [4, 4, 4]
    offsets = [end for _, end in batches]
    assert offsets == sorted(offsets)
    assert offsets[-1] == len(text)


@pytest.mark.parametrize(
    ("ctype", "head", "kind"),
    [
        ("application/json; charset=utf-8", b"", "json"),
        ("application/vnd.api+json", b"", "json"),
        ("application/xml", b"", "xml"),
        ("application/atom+xml", b"", "xml"),
        ("text/html", b"", "html"),
        ("image/svg+xml", b"", "svg"),
        ("image/png", b"", "image"),
        ("text/css", b"", "css"),
        ("application/javascript", b"", "javascript"),
        ("text/plain", b"hello", "text"),
        ("", b"", "empty"),
        ("", b"\x89PNG\r\n\x1a\n", "image"),
        ("application/octet-stream", b'{"a": 1}', "json"),
        ("", b"<?xml version='1.0'?><svg/>", "svg"),
        ("", b"<!DOCTYPE html><html>", "html"),
        ("", b"<root/>", "xml"),
        ("application/octet-stream", b"\x00\x01\x02", "binary"),
    ],
)
def test_detect_kind(ctype, head, kind) -> None:
    assert detect_kind(ctype, head) == kind


def test_preview_of_a_small_body_is_complete_and_highlighted() -> None:
    preview = preview_body(b'{"a": [true, null]}', "utf-8", "json")
    assert preview.complete
    assert preview.pretty
    assert preview.lines == ("{", '  "a": [', "    true,", "    null", "  ]", "}")
    styles = {STYLE_NAMES[s] for spans in preview.spans for _, _, s in spans}
    assert {"key", "keyword", "punct"} <= styles


def test_preview_of_a_large_body_is_a_prefix_of_the_formatted_file(tmp_path: Path) -> None:
    value = [{"id": i, "text": "é" * (i % 50), "long": "x" * 9000 if i == 7 else ""}
             for i in range(20_000)]  # fmt: skip
    source = tmp_path / "big.json"
    source.write_text(json.dumps(value), encoding="utf-8")
    preview = preview_body(str(source), "utf-8", "json", max_lines=300)
    assert not preview.complete
    assert len(preview.lines) == 300
    formatted = format_body_file(str(source), "utf-8", "json", str(tmp_path / "out.lines"))
    assert formatted.pretty
    lines = (tmp_path / "out.lines").read_text(encoding="utf-8").split("\n")[:-1]
    assert lines == json.dumps(value, indent=2).split("\n")
    assert formatted.line_count == len(lines)
    assert formatted.max_line_chars == max(map(len, lines))
    assert list(preview.lines) == lines[:300]


def test_index_offsets_address_every_line(tmp_path: Path) -> None:
    source = tmp_path / "t.txt"
    source.write_bytes("alpha\r\nbéta\n\ngamma".encode())
    formatted = format_body_file(str(source), "utf-8", "text", str(tmp_path / "o.lines"))
    assert not formatted.pretty
    mapping, offsets = read_index(formatted.index_path)
    data = (tmp_path / "o.lines").read_bytes()
    got = [data[offsets[i] : offsets[i + 1] - 1].decode() for i in range(len(offsets) - 1)]
    offsets.release()
    assert mapping is not None
    mapping.close()
    assert got == ["alpha", "béta", "", "gamma"]


def test_invalid_json_falls_back_to_text_in_a_separate_file(tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_text('{"a": 1}\n{oops}\n')
    out = tmp_path / "o.lines"
    formatted = format_body_file(str(source), "utf-8", "json", str(out))
    assert (formatted.kind, formatted.pretty) == ("text", False)
    assert formatted.path == str(out) + ".raw"  # never rewrites a file a reader may map
    assert Path(formatted.path).read_text() == '{"a": 1}\n{oops}\n\n'


def test_cap_truncates_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "b.txt"
    source.write_text("line\n" * 1000)
    formatted = format_body_file(str(source), "utf-8", "text", str(tmp_path / "o"), cap_bytes=50)
    assert formatted.truncated
    assert formatted.line_count == 11  # ten lines and the empty one after the last newline
    assert formatted.source_bytes == 5000


def test_progress_reports_flushed_lines(tmp_path: Path) -> None:
    source = tmp_path / "big.json"
    source.write_text(json.dumps(list(range(200_000))))
    seen: list[Progress] = []
    with bind_job(JobControl(progress_sink=seen.append)):
        formatted = format_body_file(str(source), "utf-8", "json", str(tmp_path / "o"))
    assert len(seen) >= 3
    assert seen[-1].info["lines"] == formatted.line_count
    assert seen[-1].fraction == 1.0
    for progress in seen:  # each reported prefix is readable at the time it is reported
        assert progress.info["path"] == formatted.path


def test_highlight_file_lines_and_find(tmp_path: Path) -> None:
    source = tmp_path / "s.json"
    source.write_text(json.dumps({"k": list(range(500)), "needle": "here"}))
    formatted = format_body_file(str(source), "utf-8", "json", str(tmp_path / "o"))
    spans = highlight_file_lines(formatted.path, formatted.index_path, 100, 110, "json")
    assert len(spans) == 10
    assert all(STYLE_NAMES[s] in ("number", "punct") for line in spans for _, _, s in line)
    line = find_in_file(formatted.path, formatted.index_path, '"needle"', 0)
    assert line == formatted.line_count - 2
    assert find_in_file(formatted.path, formatted.index_path, '"k"', 50) == 1  # wraps around
    assert find_in_file(formatted.path, formatted.index_path, "absent", 0) is None


def test_highlight_lines_spans_multiline_tokens() -> None:
    spans = highlight_lines(["<!-- a", "b -->", "<x/>"], "xml")
    assert spans[0] == ((0, 6, 5),)
    assert spans[1] == ((0, 5, 5),)
    assert STYLE_NAMES[spans[2][0][2]] == "key"
    assert highlight_lines(["plain"], None) == ((),)


def test_reindent_xml_one_element_per_line_and_no_newlines() -> None:
    text = (
        '<?xml version="1.0"?>\n<!-- a\n comment --><root a="1"\n b="2"><item id="1">text\n'
        " more</item><empty/><mixed>t<b>bold</b></mixed><![CDATA[x < y]]></root>"
    )
    assert list(reindent_xml(text)) == [
        '<?xml version="1.0"?>',
        "<!-- a comment -->",
        '<root a="1" b="2">',
        '  <item id="1">text more</item>',
        "  <empty/>",
        "  <mixed>",
        "    t",
        "    <b>bold</b>",
        "  </mixed>",
        "  <![CDATA[x < y]]>",
        "</root>",
    ]


def test_xml_preview_is_a_prefix_of_the_formatted_file(tmp_path: Path) -> None:
    items = "".join(
        f'<item id="{i}"><name>n{i}</name><tags><tag>a</tag><tag/></tags>{"é" * (i % 9)}</item>'
        for i in range(30_000)
    )
    source = tmp_path / "big.xml"
    source.write_text(f"<?xml version='1.0'?><items>{items}</items>", encoding="utf-8")
    preview = preview_body(str(source), "utf-8", "xml", max_lines=500)
    assert not preview.complete
    assert preview.pretty
    formatted = format_body_file(str(source), "utf-8", "xml", str(tmp_path / "o"))
    assert formatted.pretty
    lines = Path(formatted.path).read_text(encoding="utf-8").split("\n")[:-1]
    assert list(preview.lines) == lines[:500]
    assert lines[-1] == "</items>"
    assert lines[2] == '  <item id="0">'
    assert formatted.line_count == len(lines)


def test_highlighting_a_huge_single_line_reads_and_lexes_only_its_start(tmp_path: Path) -> None:
    source = tmp_path / "min.json"
    source.write_text(json.dumps([{"k": i} for i in range(300_000)]))  # ~3 MB on one line
    formatted = format_body_file(str(source), "utf-8", "json", str(tmp_path / "o"), pretty=False)
    assert formatted.line_count == 1
    (spans,) = highlight_file_lines(formatted.path, formatted.index_path, 0, 1, "json")
    assert spans
    assert max(col + length for col, length, _ in spans) <= HIGHLIGHT_LINE_CHARS
