"""The JSONPath filter of response bodies (the worker-process side)."""

from __future__ import annotations

import json
from pathlib import Path

from guiapp.core import json_filter
from guiapp.core.json_filter import MAX_LINES_IN_MEMORY, filter_json_body

DOC = {"items": [{"id": i, "price": i % 20, "name": f"item {i}"} for i in range(200)]}


def test_filters_in_memory_bodies() -> None:
    out = filter_json_body(json.dumps(DOC).encode(), "utf-8", "$.items[?@.price < 2].id", "")
    assert out.matches == 20
    assert json.loads("\n".join(out.lines)) == [i for i in range(200) if i % 20 < 2]
    assert out.formatted is None
    assert not out.error


def test_a_query_that_selects_nothing_is_an_empty_result_not_an_error() -> None:
    out = filter_json_body(b'{"a": 1}', "utf-8", "$.b", "")
    assert (out.matches, out.lines, out.error) == (0, ("[]",), "")


def test_large_results_are_written_as_a_formatted_file(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"rows": list(range(MAX_LINES_IN_MEMORY + 10))}))
    out = filter_json_body(str(body), "utf-8", "$.rows[*]", str(tmp_path / "out.lines"))
    assert out.matches == MAX_LINES_IN_MEMORY + 10
    assert out.formatted is not None
    assert out.formatted.line_count == MAX_LINES_IN_MEMORY + 12  # the brackets
    text = Path(out.formatted.path).read_text()
    assert json.loads(text)[-1] == MAX_LINES_IN_MEMORY + 9
    assert not (tmp_path / "out.lines.json").exists()  # the intermediate file is gone


def test_a_body_file_is_parsed_once_per_process_while_unchanged(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(DOC))
    json_filter._cache.clear()
    filter_json_body(str(body), "utf-8", "$.items[0]", "")
    (key,) = json_filter._cache
    json_filter._cache[key] = {"items": ["from the cache"]}
    assert filter_json_body(str(body), "utf-8", "$.items[0]", "").lines == (
        "[",
        '  "from the cache"',
        "]",
    )
    body.write_text(json.dumps({"items": ["changed"]}))  # new size: parsed again
    assert '"changed"' in filter_json_body(str(body), "utf-8", "$.items[0]", "").lines[1]


def test_errors_say_what_is_wrong() -> None:
    bad_path = filter_json_body(b'{"a": 1}', "utf-8", "$.a[?@.b >", "")
    assert bad_path.error.startswith("invalid JSONPath $.a[?@.b >: ")
    assert "position" in bad_path.error
    not_json = filter_json_body(b"{oops", "utf-8", "$.a", "")
    assert not_json.error.startswith("The body is not JSON (Expecting property name")
    assert "line 1, column 2" in not_json.error


def test_count_lines_in_a_formatted_file(tmp_path: Path) -> None:
    from guiapp.core.formatting import count_lines_in_file, format_body_file

    source = tmp_path / "body.txt"
    source.write_text("a x x\nb\nx\n\nxx x\n")
    out = format_body_file(str(source), "utf-8", "text", str(tmp_path / "out"), pretty=False)
    assert count_lines_in_file(out.path, out.index_path, "x") == 3
    assert count_lines_in_file(out.path, out.index_path, "x", line_count=2) == 1
    assert count_lines_in_file(out.path, out.index_path, "zz") == 0
    assert count_lines_in_file(out.path, out.index_path, "") == 0
