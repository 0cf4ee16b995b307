"""Run collections: plan the requests, send them N at a time, check, capture, report.

Qt-free, so the same engine serves ``guiapp run`` on a CI machine and the runner window.
See docs/runner.md.
"""

from guiapp.runner.engine import (
    CANCELLED,
    FAILED,
    NO_CHECKS,
    NOT_RUN,
    OUTCOMES,
    PASSED,
    RUNNING,
    STREAM_LIMIT_S,
    CollectionRun,
    RequestRun,
    RunOptions,
    RunSummary,
)
from guiapp.runner.plan import (
    DataFileError,
    PlannedRequest,
    RunSetupError,
    load_data_file,
    plan_collection,
)
from guiapp.runner.reports import junit_xml, to_json, write_json, write_junit

__all__ = [
    "CANCELLED",
    "FAILED",
    "NOT_RUN",
    "NO_CHECKS",
    "OUTCOMES",
    "PASSED",
    "RUNNING",
    "STREAM_LIMIT_S",
    "CollectionRun",
    "DataFileError",
    "PlannedRequest",
    "RequestRun",
    "RunOptions",
    "RunSetupError",
    "RunSummary",
    "junit_xml",
    "load_data_file",
    "plan_collection",
    "to_json",
    "write_json",
    "write_junit",
]
