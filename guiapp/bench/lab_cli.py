"""The headless Lab: every workload x strategy, plus the why.md experiments, written to files.

``python -m guiapp.bench`` runs it after the offload scenarios (``--lab-out DIR``, default
``lab-results/``); ``python -m guiapp.bench lab`` runs only this. Offscreen Qt, one qasync loop.
Writes ``lab-results.json``, ``lab-results.csv``, ``lab-results.md`` (one table per workload),
``why-results.md`` and ``lab-<workload>.png`` (lag over time, one curve per strategy).

Example::

    python -m guiapp.bench.lab_cli --quick --lab-out /tmp/lab
    python -m guiapp.bench.lab_cli --lab-out docs      # regenerates the figures in docs/
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["add_lab_arguments", "full_workloads", "main", "quick_workloads", "run_lab", "splice"]


def quick_workloads() -> list[Any]:
    from guiapp.lab.workloads import Workload

    return [
        Workload("http_delay", tasks=16, delay=0.1),
        Workload("download", tasks=2, mb=16),
        Workload("json_format", tasks=1, mb=4),
        Workload("cpu_loop", tasks=2, iterations=600_000),
        Workload("sqlite_legacy", tasks=2, rows=150),
    ]


def full_workloads() -> list[Any]:
    from guiapp.lab.workloads import Workload

    return [
        Workload("http_delay", tasks=20, delay=0.25),
        Workload("download", tasks=2, mb=64),
        Workload("json_format", tasks=1, mb=16),
        Workload("cpu_loop", tasks=2, iterations=3_000_000),
        Workload("sqlite_legacy", tasks=2, rows=600),
    ]


def _machine() -> dict[str, Any]:
    import PySide6

    return {
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "qpa": os.environ.get("QT_QPA_PLATFORM", ""),
    }


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:  # not available on this platform
        return "n/a"


def run_lab(
    out_dir: Path,
    *,
    quick: bool = False,
    why: bool = True,
    matrix: bool = True,
    workloads: list[Any] | None = None,
    log: Callable[[str], object] = lambda line: print(line, file=sys.stderr, flush=True),
) -> list[Any]:
    """Run the matrix (and the why experiments); write the files; return the results.

    ``workloads`` replaces the quick/full set (tests use tiny ones). Without ``matrix`` only
    the why experiments run, and only ``why-results.md`` and docs/why.md's figures are written.

    Creates the ``QApplication`` if needed (set ``QT_QPA_PLATFORM=offscreen`` first for a
    headless run) and its own qasync loop, closed before returning. Main thread only.
    """
    import qasync
    from PySide6.QtWidgets import QApplication

    from guiapp.bench.lab_plot import plot_lag_png
    from guiapp.bench.lab_why import run_why, why_markdown
    from guiapp.lab.engine import LabSession, run_matrix
    from guiapp.lab.report import markdown_table, write_csv, write_json
    from guiapp.lab.strategies import STRATEGIES

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out_dir.mkdir(parents=True, exist_ok=True)
    load_before = _load()
    if workloads is None:
        workloads = quick_workloads() if quick else full_workloads()
    cells = [(w, cls()) for w in workloads for cls in STRATEGIES.values()]
    session = LabSession()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    started = time.perf_counter()

    def show(result: Any) -> None:
        row = result.row()
        log(
            f"  {row['workload']:<13} {row['strategy']:<18} {row['wall_s']:>7.2f} s  "
            f"max lag {row['lag_max_ms']:>7.1f} ms  +{row['added_threads']} threads"
        )

    try:
        results: list[Any] = (
            loop.run_until_complete(run_matrix(cells, session, on_result=show)) if matrix else []
        )
        facts = loop.run_until_complete(run_why(session, quick=quick)) if why else []
    finally:
        session.close()
        loop.close()
        asyncio.set_event_loop(None)
        del loop
        gc.collect()  # the closed loop's Qt objects (in cycles) are freed here, on this thread
    machine = _machine()
    stamp = (
        f"Measured by `python -m guiapp.bench{' --quick' if quick else ''}` on "
        f"{machine['cpus']} cores, CPython {machine['python']}, PySide6 {machine['pyside6']}, "
        f"QPA {machine['qpa'] or 'default'}; load average {load_before} at the start, "
        f"{_load()} at the end (a shared machine: compare rows of one run, not runs)."
    )
    if facts:
        (out_dir / "why-results.md").write_text(f"{stamp}\n\n{why_markdown(facts)}", "utf-8")
        splice(out_dir / "why.md", "why-results", f"{stamp}\n\n{why_markdown(facts)}")
    if not matrix:
        log(f"why: {len(facts)} experiments in {time.perf_counter() - started:.1f} s -> {out_dir}")
        return results
    write_json(
        results,
        out_dir / "lab-results.json",
        machine=machine,
        quick=quick,
        why=[f.__dict__ for f in facts],
    )
    write_csv(results, out_dir / "lab-results.csv")
    table = markdown_table(results, list(STRATEGIES))
    (out_dir / "lab-results.md").write_text(f"{stamp}\n\n{table}", encoding="utf-8")
    splice(out_dir / "lab.md", "lab-results", f"{stamp}\n\n{table}")
    for workload in workloads:
        rows = [r for r in results if r.workload is workload]
        plot_lag_png(rows, out_dir / f"lab-{workload.name}.png", title=workload.label())
    log(f"lab: {len(results)} runs in {time.perf_counter() - started:.1f} s -> {out_dir}")
    return results


def splice(doc: Path, name: str, text: str) -> bool:
    """Replace what is between ``<!-- name:start -->`` and ``<!-- name:end -->`` in ``doc``.

    So the figures in docs/lab.md and docs/why.md are the benchmark's, never typed by hand.
    Returns False (and changes nothing) if ``doc`` or its markers are missing.

    >>> import tempfile
    >>> doc = Path(tempfile.mkdtemp()) / "d.md"
    >>> _ = doc.write_text("a\\n<!-- t:start -->\\nold\\n<!-- t:end -->\\nb\\n")
    >>> splice(doc, "t", "new"), doc.read_text()
    (True, 'a\\n<!-- t:start -->\\nnew\\n<!-- t:end -->\\nb\\n')
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    try:
        content = doc.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    head, sep, rest = content.partition(start)
    _old, sep2, tail = rest.partition(end)
    if not sep or not sep2:
        return False
    doc.write_text(f"{head}{start}\n{text.strip()}\n{end}{tail}", encoding="utf-8")
    return True


def add_lab_arguments(parser: argparse.ArgumentParser) -> None:
    """The Lab's options (shared with ``python -m guiapp.bench``)."""
    parser.add_argument(
        "--lab-out",
        type=Path,
        default=Path("lab-results"),
        metavar="DIR",
        help="where the Lab writes its JSON, CSV, Markdown and PNG files (default lab-results/)",
    )
    why = parser.add_mutually_exclusive_group()
    why.add_argument(
        "--no-why", action="store_true", help="skip the why.md experiments (W1-W5, W7)"
    )
    why.add_argument(
        "--why-only",
        action="store_true",
        help="run only the why.md experiments (no matrix): writes why-results.md and the "
        "figures in why.md under --lab-out",
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m guiapp.bench.lab_cli [--quick] [--lab-out DIR] [--no-why]``."""
    parser = argparse.ArgumentParser(
        prog="python -m guiapp.bench.lab_cli",
        description="The Responsiveness Lab, headless: every workload x strategy, measured.",
    )
    parser.add_argument("--quick", action="store_true", help="small scale (about 35 s)")
    add_lab_arguments(parser)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt creates the application
    run_lab(args.lab_out, quick=args.quick, why=not args.no_why, matrix=not args.why_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
