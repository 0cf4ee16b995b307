"""Smoke test of the responsiveness benchmark at a tiny scale, through its Python API."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QApplication

from guiapp.bench.__main__ import main
from guiapp.bench.runner import SCENARIOS, BenchScale, run_bench
from guiapp.bench.workloads import json_roundtrip, json_roundtrip_generated, make_json_document

TINY = BenchScale(calls=8, call_seconds=0.3, json_mb=0.3, idle_seconds=0.2, settle_seconds=0.05)


def test_workloads_are_deterministic_and_sized() -> None:
    data = make_json_document(0.2)
    assert data == make_json_document(0.2)
    assert 150_000 < len(data) < 250_000
    assert json_roundtrip(data) == json_roundtrip_generated(0.2) > len(data)


def test_tiny_bench_runs_every_scenario(qapp: QApplication) -> None:
    seen: list[str] = []
    report = run_bench(TINY, progress=lambda r: seen.append(r.name))
    assert seen == list(SCENARIOS)  # idle first, then each scenario once
    assert [r.name for r in report.results] == list(SCENARIOS)
    for result in report.results:
        assert result.lag.samples > 0, result.name
    assert report.result("idle").delta_p99_ms == 0.0
    # One 0.3 s call on the GUI thread blocks the heartbeat for at least ~295 ms.
    assert report.result("gui_thread").lag.max_ms > 250.0
    # ... and FreezeWatch names it in the results: the sleep inside blocking_call.
    worst = report.result("gui_thread").worst_freeze()
    assert worst is not None
    assert worst["kind"] == "blocked"
    assert "in blocking_call (guiapp/bench/workloads.py:" in worst["culprit"]
    # Eight concurrent 0.3 s calls: quicker than half of running them in turn (2.4 s). A sanity
    # bound (4x the ideal 0.3 s); the benchmark itself reports the real figures.
    assert report.result("make_async").wall_s < 1.2
    assert report.result("qthread").wall_s < 1.2
    assert report.result("qthread_paced").wall_s < 1.2
    # The qthread scenario times its own start burst (the run_in_qthread calls, on the GUI
    # thread, before its first await); the heartbeat could not tick meanwhile.
    start_ms = report.result("qthread").start_ms
    assert start_ms is not None
    assert 0.0 < start_ms < report.result("qthread").wall_s * 1000
    assert report.result("qthread").lag.max_ms >= start_ms * 0.9 - 5.0
    assert report.result("idle").start_ms is None
    data = json.loads(json.dumps(report.to_dict()))
    assert data["machine"]["pyside6"]
    assert data["results"][0]["start_ms"] is None
    gui_thread = next(r for r in data["results"] if r["name"] == "gui_thread")
    assert gui_thread["freezes"][0]["culprit"] == worst["culprit"]
    assert set(data["targets"]) >= {"qthread: max <= 16 ms", "json_process: max <= 16 ms"}
    table = report.format_table()
    for name in SCENARIOS:
        assert name in table


def test_subset_always_includes_the_idle_baseline(qapp: QApplication) -> None:
    report = run_bench(TINY, ["gui_thread"])
    assert [r.name for r in report.results] == ["idle", "gui_thread"]


def test_cli_rejects_unknown_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--scenario", "nope"])
    assert exit_info.value.code == 2
    assert "unknown scenario" in capsys.readouterr().err
