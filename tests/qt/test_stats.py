"""guiapp.core.stats: percentiles and the LagStats summary."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guiapp.core.stats import DEFAULT_STALL_MS, LagStats, percentile, summarize

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def test_percentile_interpolates_linearly() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 0) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 100) == 4.0
    assert percentile([10.0, 20.0], 25) == 12.5
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)


@pytest.mark.parametrize("q", [-0.1, 100.5, math.nan])
def test_percentile_rejects_out_of_range_q(q: float) -> None:
    with pytest.raises(ValueError, match=r"within 0\.\.100"):
        percentile([1.0], q)


def test_percentile_rejects_empty() -> None:
    with pytest.raises(ValueError, match="empty"):
        percentile([], 50)


@given(st.lists(finite, min_size=1, max_size=200), st.floats(0, 100), st.floats(0, 100))
def test_percentile_is_bounded_and_monotonic(values: list[float], q1: float, q2: float) -> None:
    low, high = sorted((q1, q2))
    p_low, p_high = percentile(values, low), percentile(values, high)
    assert min(values) <= p_low <= p_high <= max(values)


@given(st.lists(finite, min_size=1, max_size=200))
def test_median_matches_statistics(values: list[float]) -> None:
    assert percentile(values, 50) == pytest.approx(statistics.median(values), abs=1e-6)


def test_summarize_counts_stalls_and_clamps_early_ticks() -> None:
    stats = summarize([-2.0, 0.5, 1.5, 51.0, 49.9, 300.0])
    assert stats.samples == 6
    assert stats.stalls == 2  # 51 and 300; 49.9 is under the 50 ms budget
    assert stats.max_ms == 300.0
    assert stats.p50_ms == pytest.approx(25.7)
    assert stats.mean_ms == pytest.approx((0 + 0.5 + 1.5 + 51 + 49.9 + 300) / 6)
    assert stats.stall_threshold_ms == DEFAULT_STALL_MS


def test_summarize_custom_threshold_and_empty() -> None:
    assert summarize([10.0, 20.0], stall_threshold_ms=15.0).stalls == 1
    empty = summarize([])
    assert empty == LagStats(0, 0.0, 0.0, 0.0, 0.0, 0, DEFAULT_STALL_MS)


def test_to_dict_is_json_ready() -> None:
    data = summarize([1.0, 2.0]).to_dict()
    assert data == {
        "samples": 2,
        "p50_ms": 1.5,
        "p99_ms": pytest.approx(1.99),
        "max_ms": 2.0,
        "mean_ms": 1.5,
        "stalls": 0,
        "stall_threshold_ms": 50.0,
    }
