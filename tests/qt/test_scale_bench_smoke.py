"""Smoke test of the offload-at-scale benchmark (``--only scale``) at a tiny size."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QApplication

from guiapp.bench.__main__ import main
from guiapp.bench.scale import BASELINE, QT_WAYS, THREAD_WAYS, ScaleConfig, run_scale

TINY = ScaleConfig(
    sizes=(6,),
    call_seconds=0.05,
    trivial_calls=(30,),
    qthread_sizes=(3,),
    qthread_trivial_calls=5,
    rounds=1,
)


def test_every_way_is_measured_against_its_baseline(qapp: QApplication) -> None:
    lines: list[str] = []
    report = run_scale(TINY, progress=lines.append)
    assert report.idle is not None
    assert report.idle.samples > 0
    kinds = {(m.kind, m.n, m.way) for m in report.measures}
    assert kinds == {
        *(("lag", 6, way) for way in THREAD_WAYS),
        *(("overhead", 30, way) for way in THREAD_WAYS),
        *(("qthread_lag", 3, way) for way in QT_WAYS),
        *(("qthread_overhead", 5, way) for way in QT_WAYS),
    }
    ratios = report.ratios()
    assert f"lag N=6 {THREAD_WAYS[0]} p99" in ratios
    assert f"overhead N=30 {THREAD_WAYS[0]} per call" in ratios
    assert not any(BASELINE in key for key in ratios)  # the baseline is the denominator
    assert "ratios to the baseline" in report.format_table()
    assert len(lines) == 1 + len(kinds)


def test_only_scale_writes_the_json(qapp: QApplication, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import guiapp.bench.scale as scale

    monkeypatch.setattr(scale.ScaleConfig, "quick", classmethod(lambda cls: TINY))
    out = tmp_path / "scale.json"
    assert main(["--only", "scale", "--quick", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert set(data) == {"config", "machine", "idle", "measures", "ratios"}
    assert data["machine"]["cpus"] >= 1


def test_each_measure_records_the_garbage_collections_made_during_it(
    qapp: QApplication, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import gc

    import guiapp.bench.scale as scale

    with scale._GcRecorder() as recorder:
        gc.collect(0)
        gc.collect(2)
    assert recorder.work.collections == 2
    assert recorder.work.full == 1
    assert recorder.work.total_ms >= recorder.work.longest_ms > 0
    assert recorder._on_gc not in gc.callbacks  # removed on leaving

    monkeypatch.setattr(scale.ScaleConfig, "quick", classmethod(lambda cls: TINY))
    out = tmp_path / "scale.json"
    assert main(["--only", "scale", "--quick", "--json", str(out)]) == 0
    measures = json.loads(out.read_text())["measures"]
    assert all(set(m["gc"]) == {"collections", "full", "total_ms", "longest_ms"} for m in measures)
