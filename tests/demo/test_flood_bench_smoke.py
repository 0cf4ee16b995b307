"""The demo flood benchmark runs end to end (``--quick``) and writes every figure docs/demo.md
quotes. Lag numbers are not asserted (the machine is shared and noisy); the flood's own counts
are: a bounded server refuses what it cannot serve, and answers at once after the flood."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.timeout(180)
def test_quick_run_writes_every_phase(tmp_path: Path) -> None:
    out = tmp_path / "flood.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "demo_flood_bench.py"),
            "--quick",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "own process" in proc.stdout
    phases = json.loads(out.read_text())["phases"]
    assert set(phases) == {"idle", "own process", "in-process, bounded", "in-process, unbounded"}
    for name in ("idle", "own process"):
        assert phases[name]["rounds"][0]["lag"]["samples"] > 100
    flood = phases["own process"]["rounds"][0]["flood"]
    assert flood["answered_200"] + flood["refused_503"] + flood["unanswered"] == 300
    assert flood["answered_200"] > 0
    assert flood["first_answer_after_close_s"] is not None
    assert flood["first_answer_after_close_s"] < 10
