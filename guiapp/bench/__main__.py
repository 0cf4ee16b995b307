"""``python -m guiapp.bench``: GUI event-loop lag under offloaded work, headless.

Example::

    python -m guiapp.bench --quick
    python -m guiapp.bench --json bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m guiapp.bench",
        description="Measure GUI event-loop lag (5 ms heartbeat) while blocking work runs "
        "through make_async, QThreads, the GUI thread, a thread and a process.",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results as JSON")
    parser.add_argument("--quick", action="store_true", help="smaller scale (about 15 s)")
    parser.add_argument(
        "--scenario",
        action="append",
        metavar="NAME",
        help="run only this scenario (repeatable; the idle baseline always runs)",
    )
    parser.add_argument("--calls", type=int, help="concurrent blocking calls in (a)/(b)")
    parser.add_argument("--json-mb", type=float, help="JSON document size for (d)")
    args = parser.parse_args(argv)

    # Headless by default; must be set before Qt creates the application.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from dataclasses import replace

    from guiapp.bench.runner import BenchScale, ScenarioResult, run_bench

    scale = BenchScale.quick() if args.quick else BenchScale.full()
    if args.calls:
        scale = replace(scale, calls=args.calls)
    if args.json_mb:
        scale = replace(scale, json_mb=args.json_mb)

    def show(result: ScenarioResult) -> None:
        print(
            f"  {result.name}: {result.wall_s:.2f} s, max lag {result.lag.max_ms:.1f} ms",
            file=sys.stderr,
            flush=True,
        )

    print(f"scale: {scale.to_dict()}", file=sys.stderr)
    try:
        report = run_bench(scale, args.scenario, progress=show)
    except ValueError as exc:
        parser.error(str(exc))
    print(report.format_table())
    if args.json:
        args.json.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
