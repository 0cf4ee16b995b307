"""The transport benchmark script runs end to end (``--quick``) and writes the JSON it documents.

Numbers are not asserted beyond sanity (machines are noisy); the point is that the script the
README quotes keeps working and keeps producing every figure the docs cite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _run_quick(tmp_path: Path, *options: str) -> dict[str, Any]:
    """Run the script with ``--quick`` and ``options``; return the JSON it wrote."""
    out = tmp_path / "transport.json"
    script = str(ROOT / "benchmarks" / "transport_bench.py")
    proc = subprocess.run(
        [sys.executable, script, "--quick", *options, "--json", str(out)],
        cwd=tmp_path,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results: dict[str, Any] = json.loads(out.read_text())
    return results


def test_quick_run_writes_every_section(tmp_path: Path) -> None:
    results = _run_quick(tmp_path)

    throughput = results["throughput"]["req_per_s_median"]
    assert set(throughput) == {"raw http.client", "requests pool", "send pool", "send+offload"}
    assert all(rate > 0 for rate in throughput.values())

    streaming = results["streaming"]
    speeds = streaming["mb_per_s_median"]
    assert len(speeds) == 6
    assert all(speed > 0 for speed in speeds.values())
    assert set(streaming["send_ratio_median"]) == {"vs_kept_64k", "vs_kept_1m", "vs_discard"}
    assert set(streaming["cpu_seconds_median"]) == {
        "iter_content 64 KiB, body discarded",
        "send",
    }
    assert streaming["send_best_ratio_vs_discard_by_cpu_median"] > 0
    assert 0 < streaming["send_peak_rss_growth_mb_fresh_process"] < 64
    assert streaming["progress_reports"] > 0

    lag = results["gui_lag_download"]
    assert lag["download"]["samples"] > 0
    assert lag["idle"]["samples"] > 0
    assert lag["progress_deliveries"] > 0
    for state in ("connect", "headers", "body"):
        assert results["cancel_latency"][state]["repeats"] == 5
        assert results["cancel_latency"][state]["max_ms"] < 2000


def test_only_runs_the_chosen_section(tmp_path: Path) -> None:
    results = _run_quick(tmp_path, "--only", "cancel")
    assert "cancel_latency" in results
    assert not {"throughput", "streaming", "gui_lag_download"} & set(results)
