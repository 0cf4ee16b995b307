"""Count the red-team attacks the test suite replays, per area, and how many of them hold.

An attack is a test marked ``@pytest.mark.hostile("<area>")`` (a module's ``pytestmark`` or one
test; each parametrized case counts once). "Tried" is how many such tests the suite collects;
"held" how many of them pass when run. Areas: transport, importers, storage, demo.

Example::

    $ python scripts/count_hostile.py --collect-only      # tried per area, nothing run
    $ python scripts/count_hostile.py --json hostile.json # run them: tried / held per area

Prints a table; exits 1 if any attack did not hold.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
AREAS = ("transport", "importers", "storage", "demo")


class HostileCounter:
    """A pytest plugin: keeps only the hostile tests and counts them per area."""

    def __init__(self) -> None:
        self.tried: Counter[str] = Counter()
        self.held: Counter[str] = Counter()
        self.broke: list[str] = []
        self._area: dict[str, str] = {}
        self._failed: set[str] = set()

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[Any]) -> None:
        kept = []
        for item in items:
            marker = item.get_closest_marker("hostile")
            if marker is None:
                continue
            area = marker.args[0] if marker.args else "other"
            self._area[item.nodeid] = area
            self.tried[area] += 1
            kept.append(item)
        items[:] = kept

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        area = self._area.get(report.nodeid)
        if area is None:
            return
        if report.failed and report.nodeid not in self._failed:
            self._failed.add(report.nodeid)
            self.broke.append(report.nodeid)
        elif report.when == "call" and report.passed:
            self.held[area] += 1


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collect-only", action="store_true", help="count, do not run")
    parser.add_argument("--json", type=Path, help="also write the counts to this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.chdir(REPO)
    sys.path.insert(0, str(REPO))
    counter = HostileCounter()
    options = ["-q", "-p", "no:cacheprovider", "tests"]
    if args.collect_only:
        options.insert(0, "--collect-only")
    pytest.main(options, plugins=[counter])
    areas = [*AREAS, *sorted(set(counter.tried) - set(AREAS))]
    print(f"\n{'area':<12}{'tried':>7}{'held':>7}")
    for area in areas:
        held = "-" if args.collect_only else str(counter.held[area])
        print(f"{area:<12}{counter.tried[area]:>7}{held:>7}")
    total_held = "-" if args.collect_only else str(sum(counter.held.values()))
    print(f"{'total':<12}{sum(counter.tried.values()):>7}{total_held:>7}")
    for nodeid in counter.broke:
        print(f"did not hold: {nodeid}")
    if args.json is not None:
        document = {
            "machine": {
                "python": platform.python_version(),
                "pyside6": _version("PySide6-Essentials"),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "areas": {
                area: {"tried": counter.tried[area], "held": counter.held[area]} for area in areas
            },
            "did_not_hold": counter.broke,
            "ran": not args.collect_only,
        }
        args.json.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return 1 if counter.broke else 0


if __name__ == "__main__":
    sys.exit(main())
