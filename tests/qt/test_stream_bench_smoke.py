"""The streams benchmark runs end to end at a tiny scale, and the channel loses nothing."""

from __future__ import annotations

from guiapp.bench.streams import StreamScale, format_table, run_stream_bench


def test_stream_bench_runs_and_the_channel_is_lossless(qapp: object) -> None:
    report = run_stream_bench(
        StreamScale(rate=2_000, seconds=0.5, latency_rate=20, latency_events=5, idle_seconds=0.2)
    )
    by_name = {r["name"]: r for r in report["results"]}
    assert set(by_name) == {
        "channel",
        "qt_signal_per_event",
        "call_soon_per_event",
        "channel_process",
        "latency@20/s",
    }
    channel = by_name["channel"]
    assert channel["lost"] == 0
    assert channel["received"] == 1_000
    assert channel["handovers"] < channel["received"]  # batched, not one per event
    assert by_name["channel_process"]["lost"] == 0
    assert by_name["qt_signal_per_event"]["handovers"] == 1_000
    assert by_name["latency@20/s"]["latency_p50_ms"] is not None
    table = format_table(report)
    assert "| channel | 1,000 | " in table
    assert "latency at 20 events/s" in table
