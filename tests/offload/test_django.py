"""Django's ORM through a SerialLane: the documented example, run as a user would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("django", reason="Django comes with the test extra")

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "django_orm.py"


def test_the_django_example_runs_every_orm_call_on_one_thread_and_connection(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(EXAMPLE.parents[2])}
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    ).stdout
    summary = json.loads(out.splitlines()[-1])
    assert summary["rows"] == 50
    assert summary["lane_threads"] == ["orm-1"]  # one thread for every ORM call...
    assert summary["lane_connections"] == 1  # ...so one connection, reused
    assert summary["in_order"] is True
    assert summary["sync_to_async_threads"] == 1  # asgiref's thread_sensitive mode, for contrast
    assert summary["pool_connections"] > 1  # a thread pool opens a connection per thread
    # A running query is interrupted (the 300-million-row count would take minutes).
    assert summary["cancel_freed_lane_ms"] < 10_000
    assert summary["queued_cancelled_never_ran"] is True
    assert summary["drained"] is True
    assert summary["rows_at_exit"] == 50 + 8 + 1  # the write queued at exit was not lost
    assert (tmp_path / "blog.sqlite3").exists()
