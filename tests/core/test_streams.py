"""guiapp.core.streams: SSE per the WHATWG algorithm, NDJSON, text lines; any chunking; caps."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guiapp.core.streams import (
    LineSplitter,
    NdjsonError,
    SseEvent,
    SseParser,
    iter_lines,
    iter_ndjson,
    iter_sse,
    stream_kind,
)

STREAM = (
    b"\xef\xbb\xbf: a comment, ignored\n"
    b"retry: 3000\n"
    b"event: greeting\n"
    b"id: 1\n"
    b"data: hello\n"
    b"data:  two spaces keep one\n"
    b"\n"
    b"data:no space\r\n"
    b"\r\n"
    b"id\r"
    b"data\r"
    b"\r"
    b"event: bye\n"
    b"id: 2\0x\n"
    b"retry: 12a\n"
    b"unknown: field\n"
    b'data: {"ok": true}\n'
    b"\n"
    b"event: only-type\n"
    b"\n"
)

EXPECTED = [
    SseEvent(data="hello\n two spaces keep one", event="greeting", id="1", retry=3000),
    SseEvent(data="no space", id="1"),
    SseEvent(data="", id=""),  # "id" with no value resets the last event id
    SseEvent(data='{"ok": true}', event="bye", id=""),  # an id with NUL is ignored
]


def _fields(events: list[SseEvent]) -> list[tuple[str, str, str, int | None]]:
    return [(e.event, e.data, e.id, e.retry) for e in events]


def test_whatwg_fields_comments_line_ends_bom_and_ids() -> None:
    assert _fields(list(iter_sse([STREAM]))) == _fields(EXPECTED)


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    points = sorted({0, len(STREAM), *cuts})
    chunks = [STREAM[a:b] for a, b in itertools.pairwise(points)]
    assert _fields(list(iter_sse(chunks))) == _fields(EXPECTED)


def test_byte_by_byte_with_crlf_split_between_chunks() -> None:
    data = b"data: a\r\n\r\ndata: b\r\n\r\n"
    assert [e.data for e in iter_sse(data[i : i + 1] for i in range(len(data)))] == ["a", "b"]


def test_several_events_in_one_chunk_and_str_chunks() -> None:
    events = list(iter_sse(["data: 1\n\ndata: 2\n\ndata: 3\n\n"]))
    assert [e.data for e in events] == ["1", "2", "3"]


def test_invalid_utf8_becomes_replacement_characters() -> None:
    (event,) = iter_sse([b"data: caf\xe9 \xff\n\n"])
    assert event.data == "caf\ufffd \ufffd"


def test_a_server_closing_mid_event_drops_it_and_says_how_much() -> None:
    parser = SseParser()
    assert [e.data for e in parser.feed(b"data: done\n\ndata: half")] == ["done"]
    assert parser.close() == len(b"data: half")
    assert list(iter_sse([b"data: half"])) == []


def test_a_huge_event_is_capped_with_its_size_and_the_stream_goes_on() -> None:
    cap = 1 << 10
    huge = b"data: " + b"x" * (50 * cap) + b"\n\n"
    chunks = [huge[i : i + 4096] for i in range(0, len(huge), 4096)] + [b"data: next\n\n"]
    big, after = iter_sse(chunks, max_event_bytes=cap)
    assert cap - 16 <= len(big.data) <= cap  # the line's cap includes "data: "
    assert len(big.data) + big.truncated == 50 * cap
    assert after.data == "next"
    assert after.truncated == 0


def test_many_data_lines_are_capped_in_total() -> None:
    body = b"".join(b"data: " + b"y" * 100 + b"\n" for _ in range(100)) + b"\n"
    (event,) = iter_sse([body], max_event_bytes=1000)
    assert len(event.data.encode()) <= 1000
    assert event.truncated > 0


def test_ndjson_values_and_error_items_with_line_numbers() -> None:
    chunks = [b'{"a": 1}\n', b"\n", b"not json\n", b'\x1e[1, 2]\r\n{"b"', b": 2}"]
    items = list(iter_ndjson(chunks))
    assert items[0] == {"a": 1}
    assert isinstance(items[1], NdjsonError)
    assert items[1].line == 3
    assert "Expecting value" in items[1].error
    assert items[1].text == "not json"
    assert items[2:] == [[1, 2], {"b": 2}]


def test_an_overlong_ndjson_line_is_an_error_item_and_the_stream_goes_on() -> None:
    line = json.dumps({"x": "y" * 5000}).encode() + b"\n"
    items = list(iter_ndjson([line, b"7\n"], max_line_bytes=100))
    assert isinstance(items[0], NdjsonError)
    assert "longer than 100 bytes" in items[0].error
    assert items[1] == 7


def test_text_lines() -> None:
    assert list(iter_lines([b"a\r", b"\nb\n\nc"])) == ["a", "b", "", "c"]


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("text/event-stream", "sse"),
        ("Text/Event-Stream; charset=utf-8", "sse"),
        ("application/x-ndjson", "ndjson"),
        ("application/jsonl", "ndjson"),
        ("application/json-seq", "ndjson"),
        ("application/json", None),
        ("", None),
        (None, None),
    ],
)
def test_stream_kind_by_content_type(content_type: str | None, kind: str | None) -> None:
    assert stream_kind(content_type) == kind


def test_a_capped_event_says_so_in_its_preview() -> None:
    from guiapp.core.streams import StreamEvent

    event = StreamEvent(index=0, at=0.0, kind="sse", event="big", data="x" * 500, truncated=99)
    preview = event.preview(40)
    assert preview.startswith("x" * 39 + "…")
    assert preview.endswith("[+99 bytes not kept]")


def test_malformed_lines_are_ignored_not_fatal() -> None:
    body = b"no colon here\n:\n\xff\xfe: junk\ndata:ok\nretry: -5\nretry: 1e3\n\n"
    (event,) = iter_sse([body])
    assert (event.data, event.retry) == ("ok", None)


def _reference_sse(body: bytes) -> list[tuple[str, str, str, int | None]]:
    """The WHATWG algorithm, line by line and without caps: what the fast parser must match."""
    text = body.decode("utf-8", "replace").removeprefix("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:-1]  # last: unended
    events: list[tuple[str, str, str, int | None]] = []
    data: list[str] = []
    event_type, last_id, retry = "", "", None
    for line in lines:
        if not line:
            if data:
                events.append((event_type or "message", "\n".join(data), last_id, retry))
            data, event_type, retry = [], "", None
            continue
        if line.startswith(":"):
            continue
        name, sep, value = line.partition(":")
        value = value[1:] if sep and value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
    return events


_PIECES = st.sampled_from(
    [
        b"data",
        b"data:",
        b"data: x",
        b"event: e",
        b"id: 3",
        b"id",
        b"retry: 9",
        b":c",
        b"\r",
        b"\n",
        b"\r\n",
        b"\n\n",
        b" ",
        b":",
        b"\xc3\xa9",
        b"\xff",
        b"\xef\xbb\xbf",
        b"\0",
        b"zz",
    ]
)


@given(st.lists(_PIECES, max_size=40), st.lists(st.integers(min_value=0, max_value=200)))
def test_the_fast_parser_matches_the_line_by_line_algorithm(
    pieces: list[bytes], cuts: list[int]
) -> None:
    body = b"".join(pieces)
    points = sorted({0, len(body), *(c for c in cuts if c <= len(body))})
    chunks = [body[a:b] for a, b in itertools.pairwise(points)]
    assert _fields(list(iter_sse(chunks))) == [
        (event, data, last_id, retry) for event, data, last_id, retry in _reference_sse(body)
    ]


def test_sizes_count_every_byte_of_an_event_and_the_cut_line_in_one_chunk() -> None:
    body = b": hi\r\nid: 1\r\ndata: a\r\n\r\n" + b"data: " + b"z" * 300 + b"\n\n"
    chunks = [body[:10], body[10:], b"data: end\n\n"]
    first, cut, end = iter_sse(chunks, max_event_bytes=100)
    assert first.size == len(b": hi\r\nid: 1\r\ndata: a\r\n\r\n") - 4  # CRLF counts as one
    assert (len(cut.data), cut.truncated, cut.size) == (94, 206, 308)
    assert (end.data, end.truncated) == ("end", 0)


@given(
    st.lists(
        st.sampled_from([b"data: " + b"q" * 30, b"data: ab", b"\n", b"\r\n", b": " + b"c" * 20]),
        max_size=30,
    ),
    st.lists(st.integers(min_value=0, max_value=400)),
)
def test_capped_events_come_out_the_same_however_the_body_is_cut(
    pieces: list[bytes], cuts: list[int]
) -> None:
    body = b"".join(pieces)
    points = sorted({0, len(body), *(c for c in cuts if c <= len(body))})
    chunks = [body[a:b] for a, b in itertools.pairwise(points)]
    whole = SseParser(max_event_bytes=16)
    cut = SseParser(max_event_bytes=16)
    assert [e for c in chunks for e in cut.feed(c)] == whole.feed(body)
    assert cut.close() == whole.close()


def test_lines_that_are_not_fields_are_counted_as_ignored() -> None:
    parser = SseParser()
    body = b"no colon here\n:\n\xff\xfe: junk\ndata:ok\nretry: -5\nid: a\0b\nid\nevent\n\n"
    assert [e.data for e in parser.feed(body)] == ["ok"]
    assert parser.ignored == 4  # the comment and the empty id/event fields are valid


def test_a_stream_event_survives_pickling_whole() -> None:
    import pickle

    from guiapp.core.streams import StreamEvent

    event = StreamEvent(3, 1.5, "ndjson", "error", "{x", "7", 500, 2, 1, 4, "Expecting value")
    assert pickle.loads(pickle.dumps(event)) == event


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_a_bom_cut_across_chunks_is_dropped_by_every_parser(cut: int) -> None:
    sse = BOM + b"data: a\n\n"
    assert [e.data for e in iter_sse([sse[:cut], sse[cut:]])] == ["a"]
    assert [e.data for e in iter_sse([sse[:1], sse[1:cut], sse[cut:]])] == ["a"]
    ndjson = BOM + b'{"n": 1}\n[2]\n'
    assert list(iter_ndjson([ndjson[:cut], ndjson[cut:]])) == [{"n": 1}, [2]]
    assert list(iter_ndjson([ndjson[:1], b"", ndjson[1:cut], ndjson[cut:]])) == [{"n": 1}, [2]]
    lines = LineSplitter()  # the splitter under NDJSON (and text lines, where asked)
    assert lines.feed(BOM[:cut]) == []
    assert lines.feed(BOM[cut:] + b"one\ntwo\n") == [(b"one", 0), (b"two", 0)]


def test_only_a_bom_at_the_very_start_is_dropped() -> None:
    # A BOM later in the stream is data; bytes that only began like one are kept.
    assert [e.data for e in iter_sse([b"data: a\n\n", BOM + b"data: b\n\n"])] == ["a"]
    assert list(iter_ndjson([b"1\n", BOM + b"2\n"]))[1].line == 2  # not JSON: an error item
    assert [e.data for e in iter_sse([b"\xef", b"\xbbdata: c\n\n"])] == []  # not a field name
    assert list(iter_ndjson([b"\xef\xbb", b"\n3\n"]))[1] == 3
    assert LineSplitter().feed(b"\xef") == []  # still unsure: held back...
    splitter = LineSplitter()
    splitter.feed(b"\xef\xbb")
    assert splitter.close() == (b"\xef\xbb", 0)  # ...and given back if the stream ends there
    assert list(iter_lines([BOM[:2], BOM[2:] + b"x\n"])) == ["\ufeffx"]  # text lines keep it
