"""A spooled body's temporary file never outlives its Response, nor a crashed process."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from guiapp.core._http_body import BodySink
from guiapp.core.response import Response, sweep_stale_spool_files
from guiapp.offload import dispose_result


def _spooled(tmp_path: Path) -> Response:
    sink = BodySink(threshold=4, spool_dir=str(tmp_path))
    sink.write(b"0123456789")
    body, path = sink.finish()
    assert path is not None
    return Response(
        status_code=200, reason="OK", http_version="HTTP/1.1", headers=[], url="http://x/",
        body=body, spool_path=path, size=10,
    )  # fmt: skip


def test_a_dropped_response_deletes_its_spool_file(tmp_path: Path) -> None:
    response = _spooled(tmp_path)
    path = response.spool_path
    assert path is not None
    assert os.path.exists(path)
    assert os.path.basename(path).startswith(f"guiapp-body-{os.getpid()}-")
    del response
    gc.collect()
    assert not os.path.exists(path)


def test_a_discarded_result_is_closed_at_once(tmp_path: Path) -> None:
    response = _spooled(tmp_path)
    path = response.spool_path
    assert path is not None
    dispose_result(response)  # what a job does with a result that lost the race with cancel
    assert not os.path.exists(path)
    assert response.spool_path is None


def test_the_startup_sweep_deletes_only_files_of_ended_processes(tmp_path: Path) -> None:
    # A process that spools a body and dies without cleaning up (os._exit: no finalizers).
    code = (
        "import os, sys; from guiapp.core._http_body import BodySink; "
        "s = BodySink(threshold=1, spool_dir=sys.argv[1]); s.write(b'abc'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=60)
    mine = _spooled(tmp_path)
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("kept")
    assert len(list(tmp_path.glob("guiapp-body-*"))) == 2
    assert sweep_stale_spool_files(str(tmp_path)) == 1
    assert [p.name for p in tmp_path.glob("guiapp-body-*")] == [Path(mine.spool_path or "").name]
    assert unrelated.exists()
    mine.close()
