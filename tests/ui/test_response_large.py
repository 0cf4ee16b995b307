"""The large-body path: a 50 MB JSON response never freezes the GUI.

The body is the demo server's realistic document, written to a spool file and wrapped in a
Response exactly as ``core.transport.send`` spools big bodies (serving 50 MB from an in-process
server would make the server threads, not the viewer, compete with the GUI for the GIL).
A 5 ms heartbeat (``LagMonitor``) measures the GUI's lag from the last byte to the end of
formatting and while scrolling. The bounds asserted are generous (other test runs share the 2
cores); the measured values are printed (``pytest -s``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from guiapp.core.formatting import FormattedFile, preview_body
from guiapp.core.response import Response
from guiapp.core.stats import LagStats
from guiapp.demo._content import large_json
from guiapp.offload import ProcessOffloader
from guiapp.offload.qt import LagMonitor
from guiapp.ui.body_lines import BLOCK_LINES, BodyLineView
from guiapp.ui.body_sources import MappedLineSource
from guiapp.ui.response_panel import ResponsePanel
from tests.ui.test_response_panel import dispose, run_loop

MB = 1024 * 1024


@pytest.fixture(scope="module")
def big_body(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "body.json"
    path.write_bytes(large_json(50 * MB))
    return path


@pytest.fixture
def loop(qloop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    return qloop


@pytest.fixture
def processes() -> Iterator[ProcessOffloader]:
    pool = ProcessOffloader(max_workers=2, name="test-large")
    yield pool
    pool.close()


def spooled(path: Path) -> Response:
    return Response(
        status_code=200, reason="OK", http_version="HTTP/1.1",
        headers=[("Content-Type", "application/json")], url="http://127.0.0.1/json/large",
        spool_path=str(path), size=path.stat().st_size,
    )  # fmt: skip


async def _warm(processes: ProcessOffloader) -> None:
    # What ResponsePanel.show_sending() does while the request is on its way.
    await processes.submit(preview_body, b"{}", "utf-8", "json")


async def _highlighted(view: BodyLineView, block: int) -> None:
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_block(done: int) -> None:
        if done == block and not future.done():
            future.set_result(None)

    view.blockHighlighted.connect(on_block)
    async with asyncio.timeout(30):
        await future


async def _formatted(panel: ResponsePanel) -> FormattedFile:
    future: asyncio.Future[FormattedFile] = asyncio.get_running_loop().create_future()
    panel.body.formattingFinished.connect(lambda value: future.done() or future.set_result(value))
    async with asyncio.timeout(90):
        return await future


def test_50mb_json_first_screen_fast_and_gui_never_stalls(
    request, qtbot, loop, processes, big_body
) -> None:
    panel = ResponsePanel(processes)
    request.addfinalizer(lambda: dispose(panel))
    panel.resize(1000, 700)
    panel.show()
    run_loop(loop, _warm(processes))  # the panel does this in show_sending()
    monitor = LagMonitor()
    response = spooled(big_body)
    baseline: list[LagStats] = []

    async def scenario() -> tuple[float, float, FormattedFile]:
        monitor.start()
        await asyncio.sleep(1.0)  # idle baseline: what the machine's load alone costs
        baseline.append(monitor.snapshot())
        monitor.reset()
        waiting = asyncio.ensure_future(_formatted(panel))
        started = time.perf_counter()
        await panel.show_response(response)  # "last byte" -> first screen
        first_screen = time.perf_counter() - started
        formatted = await waiting
        return first_screen, time.perf_counter() - started, formatted

    first_screen, total, formatted = run_loop(loop, scenario(), 100)
    formatting_lag = monitor.snapshot()
    print(f"\nidle baseline: {baseline[0].to_dict()}")
    print(f"50 MB JSON: first screen {first_screen * 1000:.0f} ms, fully formatted "
          f"{total:.2f} s, {formatted.line_count:,} lines; GUI lag while formatting: "
          f"{formatting_lag.to_dict()}")  # fmt: skip
    assert panel.visible_text().startswith('{\n  "meta": {')
    assert first_screen < 10.0  # sanity bound, 10x the 1 s target (benchmarks/large_response)
    assert formatted.pretty
    assert formatted.line_count > 1_000_000
    assert isinstance(panel.body.view.source, MappedLineSource)
    # Target: no stall over 50 ms, measured by benchmarks/large_response_bench.py against an
    # idle baseline. Here sanity bounds only (10x for p99): other test runs share the 2 cores,
    # while formatting 50 MB on the GUI thread (or in a thread, GIL-bound) stalls for seconds
    # and makes every tick late, not 1 in 100.
    assert formatting_lag.max_ms < 2000, formatting_lag
    assert formatting_lag.p99_ms < 500, formatting_lag

    # Scroll through the whole document, painting each position synchronously.
    view = panel.body.view
    bar = view.verticalScrollBar()
    monitor.reset()
    paint_ms, paint_cpu_ms = [], []
    for step in range(200):
        bar.setValue(bar.maximum() * step // 199)
        started, cpu = time.perf_counter(), time.thread_time()
        view.viewport().repaint()
        paint_ms.append((time.perf_counter() - started) * 1000)
        paint_cpu_ms.append((time.thread_time() - cpu) * 1000)
        run_loop(loop, asyncio.sleep(0.001))  # let the loop serve highlight jobs
    scrolling_lag = monitor.snapshot()
    print(f"scrolling: paint max {max(paint_ms):.1f} ms wall, {max(paint_cpu_ms):.1f} ms CPU; "
          f"lag {scrolling_lag.to_dict()}")  # fmt: skip
    assert max(paint_cpu_ms) < 160  # CPU time, 10 frames: a sanity bound (target: 1 frame)
    assert view.visible_text().rstrip().endswith("}")

    # A block deep inside gets its colours from the worker after it is shown.
    bar.setValue(bar.maximum() // 2 + 7 * BLOCK_LINES)
    block = bar.value() // BLOCK_LINES
    assert block not in view._spans
    view.viewport().repaint()
    run_loop(loop, _highlighted(view, block))
    assert any(view._spans[block])
    monitor.stop()

    line = run_loop(loop, panel.body.find_text('"id": 12345,'))
    assert line is not None
    assert '"id": 12345,' in view.source.line(line)


def test_new_response_discards_unfinished_formatting(
    request, qtbot, loop, processes, big_body
) -> None:
    panel = ResponsePanel(processes)
    request.addfinalizer(lambda: dispose(panel))
    run_loop(loop, panel.show_response(spooled(big_body)))
    assert "Formatting" in panel.body.notice.text()
    running = set(panel.body.loader._jobs)
    assert running
    small = Response(
        status_code=201,
        reason="Created",
        http_version="HTTP/1.1",
        headers=[("Content-Type", "application/json")],
        url="http://h/",
        body=b"[]",
    )
    run_loop(loop, panel.show_response(small))
    assert panel.body_text() == "[]"
    assert all(job.cancelled() for job in running)  # the 50 MB formatting was stopped
