"""Headless benchmarks: ``python -m guiapp.bench`` measures GUI event-loop lag.

:mod:`guiapp.bench.workloads` holds the workloads (plain, picklable Python, reusable by the
Lab); :mod:`guiapp.bench.runner` runs the scenarios under the 5 ms heartbeat. See
``docs/bench.md`` for the measured results.
"""
