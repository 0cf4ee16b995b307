"""Large JSON responses in the ResponsePanel: first screen, full formatting, GUI stalls.

For each size (default 10 and 50 MB) the demo server's realistic JSON document is written to a
spool file and wrapped in a ``Response`` exactly as ``core.transport.send`` returns big bodies;
then ``ResponsePanel.show_response`` runs on a qasync loop with a ``ProcessOffloader``.

Measured, with a 5 ms ``LagMonitor`` heartbeat on the GUI thread:
- ``first_screen_ms``: from the call (the "last byte") until the first screen is shown;
- ``formatted_s``: until the whole body is formatted and shown (the view is usable, growing,
  meanwhile);
- GUI lag while formatting, and while scrolling programmatically through the whole view
  (200 positions, each painted synchronously, with highlighting arriving from the worker);
- an idle baseline measured in the same run for comparison.

Usage::

    .venv/bin/python benchmarks/large_response_bench.py [--sizes 10 50] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MB = 1024 * 1024


def _lag(monitor: Any) -> dict[str, float]:
    stats = monitor.snapshot()
    return {"p50_ms": stats.p50_ms, "p99_ms": stats.p99_ms, "max_ms": stats.max_ms,
            "stalls_over_50ms": stats.stalls, "samples": stats.samples}  # fmt: skip


async def _run_size(panel: Any, monitor: Any, path: Path, size: int) -> dict[str, Any]:
    from guiapp.core.response import Response

    response = Response(
        status_code=200, reason="OK", http_version="HTTP/1.1",
        headers=[("Content-Type", "application/json")], url="http://127.0.0.1/json/large",
        spool_path=str(path), size=size,
    )  # fmt: skip
    response._owns_spool = False  # the benchmark keeps its file for the next run
    done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    panel.body.formattingFinished.connect(lambda v: done.done() or done.set_result(v))

    monitor.reset()
    await asyncio.sleep(1.0)
    idle = _lag(monitor)

    monitor.reset()
    started = time.perf_counter()
    await panel.show_response(response)
    first_screen = time.perf_counter() - started
    formatted = await asyncio.wait_for(done, 300)
    formatted_s = time.perf_counter() - started
    formatting = _lag(monitor)

    view = panel.body.view
    bar = view.verticalScrollBar()
    monitor.reset()
    paint_ms: list[float] = []
    for step in range(200):
        bar.setValue(bar.maximum() * step // 199)
        t0 = time.perf_counter()
        view.viewport().repaint()
        paint_ms.append((time.perf_counter() - t0) * 1000)
        await asyncio.sleep(0.005)
    scrolling = _lag(monitor)
    return {
        "size_mb": round(size / MB, 1),
        "lines": formatted.line_count,
        "first_screen_ms": round(first_screen * 1000, 1),
        "formatted_s": round(formatted_s, 2),
        "idle": idle,
        "formatting": formatting,
        "scrolling": scrolling,
        "paint_max_ms": round(max(paint_ms), 2),
        "paint_p50_ms": round(sorted(paint_ms)[len(paint_ms) // 2], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[10, 50], help="MB")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import qasync
    from PySide6.QtWidgets import QApplication

    from guiapp.core.formatting import preview_body
    from guiapp.demo._content import large_json
    from guiapp.offload import ProcessOffloader
    from guiapp.offload.qt import LagMonitor
    from guiapp.ui.response_panel import ResponsePanel

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    pool = ProcessOffloader(max_workers=args.workers, name="bench-format")
    panel = ResponsePanel(pool)
    panel.resize(1200, 800)
    panel.show()
    monitor = LagMonitor()
    monitor.start()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="guiapp-bench-") as tmp:
        paths = []
        sizes: dict[Path, int] = {}
        for size in args.sizes:
            path = Path(tmp) / f"body-{size:g}mb.json"
            path.write_bytes(large_json(int(size * MB)))
            paths.append(path)
            sizes[path] = path.stat().st_size

        async def run_all() -> None:
            # A started, warmed worker, as after ResponsePanel.show_sending().
            await pool.submit(preview_body, b"{}", "utf-8", "json")
            for path in paths:
                results.append(await _run_size(panel, monitor, path, sizes[path]))
            panel.clear()

        try:
            loop.run_until_complete(run_all())
        finally:
            monitor.stop()
            pool.close()
    _print_table(results)
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "large_response", "results": results},
                                        indent=2))  # fmt: skip
    loop.close()
    return 0


def _print_table(results: list[dict[str, Any]]) -> None:
    head = (f"{'size':>7} {'lines':>10} {'first screen':>13} {'formatted':>10} "
            f"{'idle max':>9} {'fmt p99':>8} {'fmt max':>8} {'fmt >50':>7} "
            f"{'scroll p99':>10} {'scroll max':>10} {'paint max':>9}")  # fmt: skip
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r['size_mb']:>5.1f}MB {r['lines']:>10,} {r['first_screen_ms']:>10.0f} ms "
            f"{r['formatted_s']:>8.2f} s {r['idle']['max_ms']:>6.1f} ms "
            f"{r['formatting']['p99_ms']:>5.1f} ms {r['formatting']['max_ms']:>5.1f} ms "
            f"{r['formatting']['stalls_over_50ms']:>7} {r['scrolling']['p99_ms']:>7.1f} ms "
            f"{r['scrolling']['max_ms']:>7.1f} ms {r['paint_max_ms']:>6.1f} ms"
        )


if __name__ == "__main__":
    sys.exit(main())
