"""The Lab's demo API child process: serves, stops, and never outlives its parent."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import psutil

from guiapp.lab.server import LabServer
from guiapp.lab.workloads import http_get


def test_serves_and_stops() -> None:
    server = LabServer().start()
    try:
        assert server.running
        assert http_get(server.url + "/delay/0") == 200
        pid = server.pid
    finally:
        server.stop()
    assert not server.running
    assert pid is not None
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_child_exits_when_its_parent_dies() -> None:
    code = (
        "import os\n"
        "from guiapp.lab.server import LabServer\n"
        "print(LabServer().start().pid, flush=True)\n"
        "os._exit(0)  # no cleanup at all, as in a crash\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    pid = int(done.stdout.strip())
    with contextlib.suppress(psutil.NoSuchProcess):  # already gone and reaped
        psutil.Process(pid).wait(timeout=10)  # raises TimeoutExpired if it outlived us
