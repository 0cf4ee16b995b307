"""Smoke test of benchmarks/freeze_bench.py at a tiny scale: both parts run, JSON-ready."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "freeze_bench.py"


def _load_bench() -> object:
    spec = importlib.util.spec_from_file_location("freeze_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiny_run_measures_overhead_and_names_each_culprit(
    qloop: asyncio.AbstractEventLoop,
) -> None:
    bench = _load_bench()
    result = bench.measure(qloop, trials=1, seconds=0.3, rounds=1)  # type: ignore[attr-defined]
    data = json.loads(json.dumps(result))
    assert {(r["load"], r["freeze_watch"]) for r in data["overhead"]} == {
        (0, False),
        (0, True),
        (100, False),
        (100, True),
    }
    assert all(r["samples"] > 0 for r in data["overhead"])
    assert "load 100: p99 with/without" in data["ratios"]
    assert list(data["attribution"]) == list(bench.EXPECTED)  # type: ignore[attr-defined]
    for name, row in data["attribution"].items():
        assert row["trials"] == 1
        assert sum(row["culprits"].values()) == 1, name
        assert sum(row["verdicts"].values()) == 1, name
