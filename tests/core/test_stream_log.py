"""StreamLog: events on disk, rows read back, counts, assembled chat text, filter, save."""

from __future__ import annotations

import json
import tracemalloc
from dataclasses import replace
from pathlib import Path

from guiapp.core.stream_log import StreamLog, find_rows
from guiapp.core.streams import StreamEvent


def _chat(i: int, text: str) -> StreamEvent:
    data = json.dumps({"choices": [{"index": 0, "delta": {"content": text}}]})
    return StreamEvent(index=i, at=i / 10, kind="sse", event="message", data=data, size=len(data))


def test_rows_come_back_from_disk_in_order_with_counts(tmp_path: Path) -> None:
    log = StreamLog(str(tmp_path))
    events = [
        StreamEvent(
            index=i,
            at=i * 0.01,
            kind="sse",
            event="tick" if i % 2 else "tock",
            data=f"n={i} ü",
            id=str(i),
            size=10,
        )
        for i in range(2_000)
    ]
    for start in range(0, 2_000, 300):
        log.append(events[start : start + 300])
    assert len(log) == 2_000
    assert log.event(1_234) == events[1_234]
    assert log.events(10, 13) == events[10:13]
    assert dict(log.counts) == {"tick": 1_000, "tock": 1_000}
    assert (log.first_at, log.last_at, log.bytes) == (0.0, events[-1].at, 20_000)
    assert list(find_rows(log.path, len(log), "event:tick"))[:3] == [1, 3, 5]
    assert list(find_rows(log.path, len(log), "N=1999")) == [1_999]
    saved = tmp_path / "events.jsonl"
    assert log.save(str(saved)) == 2_000
    assert json.loads(saved.read_text(encoding="utf-8").splitlines()[7])["data"] == "n=7 ü"
    log.close()
    assert not Path(log.path).exists()


def test_chat_deltas_are_assembled() -> None:
    log = StreamLog()
    log.append([_chat(0, "Hel"), _chat(1, "lo"), _chat(2, ", world")])
    log.append([StreamEvent(index=3, at=1, kind="sse", event="message", data="[DONE]")])
    assert log.chat
    assert log.assembled_text() == "Hello, world"
    log.close()


def test_memory_stays_flat_for_many_events() -> None:
    log = StreamLog()
    batch = [
        StreamEvent(index=i, at=0.0, kind="sse", event="tick", data="x" * 100, size=100)
        for i in range(1_000)
    ]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20):  # 20,000 events of 100 bytes: 2 MB of data
            log.append(batch)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        log.close()
    assert grown < 500_000  # offsets (8 bytes each) and counters, not the events


def test_any_text_round_trips_through_the_file() -> None:
    log = StreamLog()
    tricky = [
        StreamEvent(
            index=0,
            at=0.5,
            kind="ndjson",
            event="error",
            data='{"a": "q\\"\n\t\u2028',
            size=3,
            line=4,
            error='Expecting "," delimiter: line 1',
        ),
        StreamEvent(
            index=1,
            at=1e-7,
            kind="sse",
            event='ty"pe\n',
            data="\x00\x1f✓",
            id="\\",
            retry=3000,
            truncated=12,
        ),
    ]
    log.append(tricky)
    assert log.event(0) == tricky[0]
    assert log.event(1) == replace(tricky[1], at=0.0)  # arrival times to the microsecond
    log.close()


def test_arrival_times_are_kept_to_the_microsecond() -> None:
    log = StreamLog()
    times = [0.0, 1.2345674, 1.2345676, 3600.5, 12.34]
    log.append(
        [StreamEvent(index=i, at=t, kind="text", event="x", data="") for i, t in enumerate(times)]
    )
    assert [log.event(i).at for i in range(len(times))] == [0.0, 1.234567, 1.234568, 3600.5, 12.34]
    log.close()


def test_a_closed_log_answers_harmlessly() -> None:
    log = StreamLog()
    log.append([StreamEvent(index=0, at=0.0, kind="sse", event="tick", data="a")] * 3)
    log.close()
    assert log.event(2).data == ""  # no I/O on the closed file, no exception in a paint
    assert log.events(0, 3) == []


def test_ascii_and_other_batches_keep_exact_offsets_and_types_stay_bounded() -> None:
    log = StreamLog()
    plain = [StreamEvent(index=i, at=0.5, kind="sse", event=f"t{i}", data="a") for i in range(990)]
    wide = [
        StreamEvent(index=990 + i, at=0.6, kind="sse", event=f"u{i}", data="é😀") for i in range(20)
    ]
    log.append(plain)
    log.append(iter(wide))  # any iterable
    assert [log.event(row).event for row in (0, 989, 990, 1009)] == ["t0", "t989", "u0", "u19"]
    assert log.event(1009).data == "é😀"
    assert len(log.counts) == 1001  # 1,000 types, then one bucket for the rest
    assert log.counts["(other types)"] == 10
    log.close()
