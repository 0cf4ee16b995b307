"""The Lab's explain panel reads as sentences: one full stop each, whatever the detail says."""

from __future__ import annotations

from guiapp.ui.lab.explain import explain_html

ROW = {
    "workload": "django_etl",
    "params": "tasks=1 rows=5 async_unsafe=0",
    "wall_s": 0.01,
    "throughput_per_s": 0.0,
    "lag_p50_ms": 0.1,
    "lag_p99_ms": 0.2,
    "lag_max_ms": 0.3,
    "stalls_over_50ms": 0,
    "added_threads": 0,
    "peak_rss_mb": 190.0,
    "rss_added_mb": 0.0,
    "detail": "1 call; no query ran; 1 failed with SynchronousOnlyOperation: use sync_to_async",
    "status": "error: SynchronousOnlyOperation: use a thread or sync_to_async.",
}


def test_a_detail_and_a_status_that_end_with_a_full_stop_get_no_second_one() -> None:
    text = explain_html("gui_thread", ROW)
    assert ".." not in text
    assert "use sync_to_async. Status: error: SynchronousOnlyOperation" in text
    assert text.count("or sync_to_async.") == 1


def test_the_async_orm_panel_says_why_it_is_slower() -> None:
    text = explain_html("django_async")
    assert "a hop" in text
    assert "rows/s" in text
