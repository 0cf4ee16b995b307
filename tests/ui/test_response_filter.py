"""The JSONPath filter box over a JSON body: live, in a worker process, newest wins."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from guiapp.core.response import Response
from guiapp.offload import ProcessOffloader
from guiapp.ui.response_panel import ResponsePanel
from tests.ui.test_response_panel import dispose, run_loop, show

DOC = {"items": [{"id": i, "price": i % 10} for i in range(50)], "total": 50}


@pytest.fixture(scope="module")
def processes() -> Iterator[ProcessOffloader]:
    pool = ProcessOffloader(max_workers=2, name="test-filter")
    yield pool
    pool.close()


@pytest.fixture
def panel(qtbot: object, processes: ProcessOffloader) -> Iterator[ResponsePanel]:
    widget = ResponsePanel(processes)
    widget.resize(900, 600)
    widget.show()
    yield widget
    dispose(widget)


def _response(body: bytes, content_type: str = "application/json", **kw: object) -> Response:
    return Response(
        status_code=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=[("Content-Type", content_type)],
        url="http://127.0.0.1/items",
        body=body,
        **kw,  # type: ignore[arg-type]
    )


def _wait_for(loop: asyncio.AbstractEventLoop, *signals: object, timeout: float = 30) -> object:
    """Run the loop until one of ``signals`` fires; return what it carried."""
    future: asyncio.Future[object] = loop.create_future()

    def fire(value: object = None) -> None:
        if not future.done():
            future.set_result(value)

    for signal in signals:
        signal.connect(fire)  # type: ignore[attr-defined]
    try:
        return run_loop(loop, future, timeout)
    finally:
        for signal in signals:
            signal.disconnect(fire)  # type: ignore[attr-defined]


def _filter(loop: asyncio.AbstractEventLoop, panel: ResponsePanel, text: str) -> object:
    """Type ``text`` into the filter box; wait for its result or its error."""
    body_filter = panel.body.body_filter
    body_filter.edit.setText(text)
    return _wait_for(loop, body_filter.filtered, body_filter.failed)


def test_typing_a_jsonpath_shows_the_matches_and_their_count(qloop, panel) -> None:
    show(qloop, panel, _response(json.dumps(DOC).encode()))
    box = panel.body.body_filter.edit
    assert box.isEnabled()
    assert box.objectName() == "responseFilter"
    _filter(qloop, panel, "$.items[?@.price == 3].id")
    assert json.loads(panel.body.body_text() or "") == [3, 13, 23, 33, 43]
    assert panel.body.notice.text() == "5 matches for $.items[?@.price == 3].id"
    # an invalid JSONPath says where, and keeps the last good result on screen
    _filter(qloop, panel, "$.items[?@.price ==")
    assert "invalid JSONPath" in panel.body.notice.text()
    assert "position" in panel.body.notice.text()
    assert json.loads(panel.body.body_text() or "") == [3, 13, 23, 33, 43]
    # clearing the box shows the whole body again
    box.clear()
    assert _wait_for(qloop, panel.body.body_filter.filtered) is None
    assert not panel.body.body_filter.active
    assert '"total": 50' in (panel.body.body_text() or "")


def test_the_filter_is_off_for_bodies_that_are_not_json(qloop, panel) -> None:
    show(qloop, panel, _response(b"<p>hi</p>", "text/html"))
    assert not panel.body.body_filter.edit.isEnabled()


def test_the_filter_applies_to_the_next_json_body(qloop, panel) -> None:
    show(qloop, panel, _response(json.dumps(DOC).encode()))
    _filter(qloop, panel, "$.total")
    assert json.loads(panel.body.body_text() or "") == [50]
    outcomes: list[object] = []
    panel.body.body_filter.filtered.connect(outcomes.append)
    show(qloop, panel, _response(json.dumps({"total": 7}).encode()))
    if not outcomes:  # the filter may finish before show() returns, or just after
        _wait_for(qloop, panel.body.body_filter.filtered)
    assert json.loads(panel.body.body_text() or "") == [7]


def test_a_spooled_body_is_filtered_from_its_file(qloop, panel, tmp_path: Path) -> None:
    rows = [{"id": i, "tag": "x" * 40} for i in range(200_000)]  # about 12 MB
    spool_dir = tempfile.mkdtemp(dir=tmp_path)
    path = Path(spool_dir, "body")
    path.write_text(json.dumps({"rows": rows}))
    response = _response(b"", spool_path=str(path), size=path.stat().st_size)
    show(qloop, panel, response)
    _filter(qloop, panel, "$.rows[?@.id >= 199998].id")
    assert panel.body.notice.text() == "2 matches for $.rows[?@.id >= 199998].id"
    assert json.loads(panel.body.body_text() or "") == [199998, 199999]
    response.close()
    shutil.rmtree(spool_dir, ignore_errors=True)


def test_find_reports_how_many_lines_match(qloop, panel) -> None:
    show(qloop, panel, _response(json.dumps(DOC).encode()))
    line = run_loop(qloop, panel.body.find_text('"price": 3'))
    assert line is not None
    assert panel.body.notice.text() == f'“"price": 3”: line {line + 1} · 5 matching lines'
    # after a filter, find counts in what is shown
    _filter(qloop, panel, "$.items[?@.price == 3]")
    run_loop(qloop, panel.body.find_text('"id"'))
    assert panel.body.notice.text().endswith("· 5 matching lines")


def test_a_larger_in_memory_body_is_copied_to_a_file_once(qloop, panel) -> None:
    doc = {"rows": [{"id": i, "pad": "y" * 30} for i in range(40_000)]}  # about 2 MB
    show(qloop, panel, _response(json.dumps(doc).encode()))
    _filter(qloop, panel, "$.rows[0].id")
    first = panel.body.body_filter._copy
    assert first is not None
    assert Path(first[1]).is_file()
    _filter(qloop, panel, "$.rows[1].id")
    assert panel.body.body_filter._copy == first  # not written again for a new query
    assert json.loads(panel.body.body_text() or "") == [1]
