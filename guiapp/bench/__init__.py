"""Headless benchmarks: ``python -m guiapp.bench`` measures GUI event-loop lag.

:mod:`guiapp.bench.workloads` holds the scenarios' workloads, :mod:`guiapp.bench.runner` runs
them under the 5 ms heartbeat; :mod:`guiapp.bench.lab_cli` runs the Lab's matrix headless (the
Lab's engine is the package :mod:`guiapp.lab`). Nothing else in guiapp imports this package.
See ``docs/bench.md`` for the measured results.
"""
