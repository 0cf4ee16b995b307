"""``python -m guiapp.bench``: GUI event-loop lag under offloaded work, headless.

Then the Responsiveness Lab's matrix (every workload x strategy) and the why.md experiments
run too (:mod:`guiapp.bench.lab_cli`), writing their files to ``--lab-out``; ``--no-lab`` skips
them, ``--lab-only`` runs only them.

Example::

    python -m guiapp.bench --quick
    python -m guiapp.bench --json bench.json
    python -m guiapp.bench --lab-only --lab-out docs
    python -m guiapp.bench --why-only --lab-out docs   # only the why.md experiments
    python -m guiapp.bench --only scale --json scale.json   # offload at scale vs the stdlib
    python -m guiapp.bench --only streams --json streams.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from guiapp.bench.lab_cli import add_lab_arguments, run_lab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m guiapp.bench",
        description="Measure GUI event-loop lag (5 ms heartbeat) while blocking work runs "
        "through make_async, QThreads, the GUI thread, a thread and a process.",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results as JSON")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller scale (about 15 s; with --only scale about 30 s, direction only)",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        metavar="NAME",
        help="run only this scenario (repeatable; the idle baseline always runs)",
    )
    parser.add_argument("--calls", type=int, help="concurrent blocking calls in (a)/(b)")
    parser.add_argument("--json-mb", type=float, help="JSON document size for (d)")
    parser.add_argument(
        "--only",
        choices=["scale", "streams"],
        help="run only this section: 'scale' = offload at 100-2,000 calls in flight against "
        "the standard library (lag, per-call cost, the QThread path); 'streams' (a fast event "
        "stream into the window, the item channel against a Qt signal and a "
        "call_soon_threadsafe per event)",
    )
    lab = parser.add_mutually_exclusive_group()
    lab.add_argument("--no-lab", action="store_true", help="skip the Lab matrix")
    lab.add_argument("--lab-only", action="store_true", help="run only the Lab matrix")
    add_lab_arguments(parser)
    args = parser.parse_args(argv)

    # Headless by default; must be set before Qt creates the application.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.only == "scale":
        return _run_scale(args.quick, args.json)
    if args.only == "streams":
        from guiapp.bench.streams import main as streams_main

        return streams_main(quick=args.quick, json_path=str(args.json) if args.json else None)
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

    lab_only = args.lab_only or args.why_only  # --why-only: the why experiments alone
    if not lab_only:
        print(f"scale: {scale.to_dict()}", file=sys.stderr)
        try:
            report = run_bench(scale, args.scenario, progress=show)
        except ValueError as exc:
            parser.error(str(exc))
        print(report.format_table())
        if args.json:
            args.json.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
            print(f"wrote {args.json}", file=sys.stderr)
    if lab_only or not (args.no_lab or args.scenario):
        import gc

        gc.collect()  # the closed scenario loop's Qt objects go now, on this thread
        run_lab(args.lab_out, quick=args.quick, why=not args.no_why, matrix=not args.why_only)
    return 0


def _run_scale(quick: bool, json_path: Path | None) -> int:
    from guiapp.bench.scale import ScaleConfig, run_scale

    config = ScaleConfig.quick() if quick else ScaleConfig()
    report = run_scale(config, progress=lambda line: print(f"  {line}", file=sys.stderr))
    print(report.format_table())
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
        print(f"wrote {json_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
