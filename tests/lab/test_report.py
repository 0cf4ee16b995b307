"""The headless Lab's files and the why.md experiments' claims."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from guiapp.bench.lab_cli import run_lab
from guiapp.bench.lab_why import why_cancel, why_gil, why_queueing
from guiapp.lab.engine import LabSession
from guiapp.lab.results import COLUMNS
from guiapp.lab.workloads import Workload

from .conftest import run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_run_lab_writes_json_csv_markdown_and_png(qapp: QApplication, tmp_path: Path) -> None:
    workloads = [
        Workload("http_delay", tasks=2, delay=0.05),
        Workload("cpu_loop", tasks=1, iterations=10_000),
    ]
    results = run_lab(tmp_path, why=False, workloads=workloads, log=lambda _line: None)

    assert len(results) == 6 + 6  # http: all but process; cpu: all but native_async
    with (tmp_path / "lab-results.csv").open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 12
    data = json.loads((tmp_path / "lab-results.json").read_text())
    assert data["machine"]["cpus"] >= 1
    assert len(data["results"]) == 12
    markdown = (tmp_path / "lab-results.md").read_text()
    assert markdown.startswith("Measured by `python -m guiapp.bench")
    assert "#### http_delay tasks=2 delay=0.05" in markdown
    assert "n/a: process" in markdown
    assert "n/a: native_async" in markdown
    assert markdown.count("| gui_thread |") == 2
    for name in ("http_delay", "cpu_loop"):
        png = (tmp_path / f"lab-{name}.png").read_bytes()
        assert png.startswith(PNG_MAGIC)
        assert len(png) > 5_000


def test_why_only_runs_the_experiments_alone_and_writes_only_their_figures(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import guiapp.bench.lab_why as lab_why
    import guiapp.lab.engine as engine
    from guiapp.bench.lab_why import Fact

    async def no_matrix(*_args: object, **_kwargs: object) -> list[object]:
        raise AssertionError("--why-only ran the matrix")

    async def facts(_session: object, *, quick: bool) -> list[Fact]:
        return [Fact("W7", "A title", "A sentence with 12 ms.")]

    monkeypatch.setattr(engine, "run_matrix", no_matrix)
    monkeypatch.setattr(lab_why, "run_why", facts)
    (tmp_path / "why.md").write_text(
        "intro\n<!-- why-results:start -->\nold\n<!-- why-results:end -->\n"
    )
    (tmp_path / "lab.md").write_text("<!-- lab-results:start -->\nkept\n<!-- lab-results:end -->\n")

    assert run_lab(tmp_path, matrix=False, log=lambda _line: None) == []

    why = (tmp_path / "why.md").read_text()
    assert "- **W7 — A title.** A sentence with 12 ms." in why
    assert "old" not in why
    assert "A sentence with 12 ms." in (tmp_path / "why-results.md").read_text()
    assert "kept" in (tmp_path / "lab.md").read_text()
    assert not (tmp_path / "lab-results.json").exists()
    assert not (tmp_path / "lab-results.md").exists()


def test_run_in_executor_keeps_its_thread_and_socket_cancel_frees_it(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession
) -> None:
    fact = run(lab_loop, why_cancel(lab_session, 2.0))
    # Cancelled 0.2 s into a 2 s call: the executor's thread stays busy for the rest of it...
    assert fact.figures["run_in_executor_busy_s"] > 1.2
    # ...while shutting the socket frees the Offloader's thread at once.
    assert fact.figures["make_async_free_s"] < 0.5
    assert "run_in_executor" in fact.sentence


def test_default_executor_queues_beyond_ten_threads(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession
) -> None:
    fact = run(lab_loop, why_queueing(lab_session, 30, 0.4))
    figures = fact.figures
    # 30 calls / 10 threads: at least 3 waves of 0.4 s, however idle the machine (load only
    # adds). How much faster the others are is the benchmark's to measure (docs/why.md, W2): on
    # a loaded machine starting 30 threads can take longer than the waves themselves.
    assert figures["qasync_default(10)"] >= 1.15
    assert set(figures) == {"qasync_default(10)", "make_async(64)", "native_async"}
    assert all(wall > 0 for wall in figures.values())


def test_a_thread_does_not_help_json_loads_but_a_process_does(
    lab_loop: asyncio.AbstractEventLoop, lab_session: LabSession
) -> None:
    fact = run(lab_loop, why_gil(lab_session, 8.0))
    gui = fact.figures["gui_thread"]
    thread = fact.figures["make_async(64)"]
    process = fact.figures["process(2)"]
    assert gui > 50  # json.loads of 8 MB blocks the GUI thread for a while...
    assert thread > gui / 3  # ...and, holding the GIL, nearly as long from a worker thread
    assert process < thread  # a process keeps the GUI process's GIL free
