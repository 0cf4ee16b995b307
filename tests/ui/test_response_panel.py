"""ResponsePanel: rendering of each body kind, headers, states, save/copy/find, via real
Responses from the local demo server and a real ProcessOffloader."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtGui import QGuiApplication

from guiapp.core.errors import ConnectionRefused
from guiapp.core.request import RequestSpec
from guiapp.core.response import Response
from guiapp.core.transport import send
from guiapp.demo import DemoServer
from guiapp.offload import ProcessOffloader, Progress
from guiapp.ui.body_lines import BodyLineView
from guiapp.ui.response_panel import ResponsePanel


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def processes() -> Iterator[ProcessOffloader]:
    pool = ProcessOffloader(max_workers=2, name="test-format")
    yield pool
    pool.close()


@pytest.fixture
def loop(qloop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    return qloop


@pytest.fixture
def panel(qtbot: object, processes: ProcessOffloader) -> Iterator[ResponsePanel]:
    widget = ResponsePanel(processes)
    widget.resize(900, 600)
    widget.show()
    yield widget
    dispose(widget)


def dispose(widget: ResponsePanel) -> None:
    """Delete the widget now, on the GUI thread: left to the cyclic GC, it could be destroyed
    by whichever thread happens to run a collection (a worker's), which Qt objects forbid."""
    widget.close()
    shiboken6.delete(widget)
    gc.collect()


def fetch(demo: DemoServer, path: str) -> Response:
    return send(RequestSpec(url=demo.url + path))


def run_loop(loop: asyncio.AbstractEventLoop, awaitable: Any, timeout: float = 60) -> Any:
    """Run the qasync loop until ``awaitable`` is done.

    Not ``run_until_complete``: qasync's version processes events once more after the loop
    stopped, so tasks may be stepped with no running loop (and ``submit`` refuses them).
    """
    future = asyncio.ensure_future(asyncio.wait_for(awaitable, timeout), loop=loop)
    future.add_done_callback(lambda _: loop.stop())
    loop.run_forever()
    return future.result()


def show(loop: asyncio.AbstractEventLoop, panel: ResponsePanel, response: Response) -> None:
    run_loop(loop, panel.show_response(response))


def test_json_is_pretty_printed_and_highlighted(loop, panel, demo) -> None:
    response = send(RequestSpec(url=demo.url + "/get?name=demo"))
    show(loop, panel, response)
    text = panel.body_text()
    assert text is not None
    assert '  "args": {' in text
    assert '"name": "demo"' in text
    view = panel.findChild(BodyLineView, "responseBody")
    assert view is panel.body.view
    assert any(view._spans.get(0, ())), "the first block arrives highlighted"
    assert "200 OK" in panel.summary_text()
    assert "#2e9d44" in panel.summary_text()  # 2xx is green


def test_raw_toggle_shows_body_as_received(loop, panel) -> None:
    raw = b'{"b":[1,2],"a":{}}'
    response = Response(
        status_code=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=[("Content-Type", "application/json")],
        url="http://h/",
        body=raw,
    )
    show(loop, panel, response)
    assert panel.body_text() == '{\n  "b": [\n    1,\n    2\n  ],\n  "a": {}\n}'
    panel.body.pretty_button.setChecked(False)
    wait_signal(loop, panel.body.formattingFinished)
    assert panel.body_text() == raw.decode()


@pytest.mark.parametrize(
    ("path", "needle", "kind"),
    [
        ("/xml", "<?xml", "xml"),
        ("/html", "<html", "html"),
        ("/encoding/utf8", "<html", "html"),
    ],
)
def test_markup_kinds_render_as_text(loop, panel, demo, path, needle, kind) -> None:
    show(loop, panel, fetch(demo, path))
    assert panel.body.kind == kind
    text = panel.body_text()
    assert text is not None
    assert needle in text.lower()


def test_png_is_previewed_as_an_image(loop, panel, demo) -> None:
    show(loop, panel, fetch(demo, "/image/png"))
    assert panel.body.kind == "image"
    assert panel.body.image_view.image_size().width() == 96
    assert panel.body_text() is None


def test_svg_is_rendered_and_raw_shows_its_xml(loop, panel, demo) -> None:
    show(loop, panel, fetch(demo, "/image/svg"))
    assert panel.body.kind == "svg"
    assert not panel.body.image_view.image_size().isEmpty()
    panel.body.pretty_button.setChecked(False)
    wait_signal(loop, panel.body.formattingFinished)
    assert "<svg" in (panel.body_text() or "")


def test_plain_text_and_empty_and_binary_bodies(loop, panel) -> None:
    def make(body: bytes, ctype: str) -> Response:
        return Response(
            status_code=200,
            reason="OK",
            http_version="HTTP/1.1",
            headers=[("Content-Type", ctype)],
            url="http://h/x",
            body=body,
        )

    show(loop, panel, make(b"line one\r\nline two", "text/plain"))
    assert panel.body_text() == "line one\nline two"
    show(loop, panel, make(b"", "text/plain"))
    assert "no body" in panel.body.message()
    show(loop, panel, make(bytes(range(256)), "application/octet-stream"))
    assert "Binary body (256 bytes" in panel.body.message()


def test_headers_table_lists_every_header(loop, panel, demo) -> None:
    response = fetch(demo, "/json")
    show(loop, panel, response)
    table = panel.headers_table
    assert table.objectName() == "responseHeaders"
    names = [table.item(row, 0).text().lower() for row in range(table.rowCount())]
    assert "content-type" in names
    assert table.rowCount() == len(response.headers.items_raw)


def test_redirect_chain_and_status_colours(loop, panel, demo) -> None:
    show(loop, panel, fetch(demo, "/redirect/2"))
    summary = panel.summary_text()
    port = str(demo.port)  # a port such as 53020 holds "302" too
    assert summary.replace(port, "").count("302") == 2
    assert "Redirects:" in summary
    assert "#2f6fd6" in summary
    show(loop, panel, fetch(demo, "/status/404"))
    assert "#c98a00" in panel.summary_text()
    show(loop, panel, fetch(demo, "/status/503"))
    assert "#d03838" in panel.summary_text()


def test_states_sending_progress_error_cancelled(panel) -> None:
    states: list[str] = []
    panel.stateChanged.connect(states.append)
    panel.show_sending(RequestSpec(url="http://127.0.0.1:9/x", method="post"))
    assert "POST" in panel.summary_text()
    assert panel.progress.isVisible()
    panel.show_progress(Progress(500, 1000))
    assert panel.progress.value() == 500
    assert "Downloading" in panel.progress.format()
    panel.show_error(ConnectionRefused("connection refused by 127.0.0.1:9"))
    assert "Connection refused" in panel.summary_plain_text()  # a title a user reads
    assert "ConnectionRefused" not in panel.summary_text()  # never the Python class name
    assert "connection refused by 127.0.0.1:9" in panel.summary_plain_text()
    assert not panel.progress.isVisible()
    panel.show_error(KeyError("bug"))  # not a RequestError: named as unexpected, with its type
    assert panel.summary_plain_text() == "Unexpected error: KeyError: 'bug'"
    panel.show_cancelled()
    assert "cancelled" in panel.summary_text()
    panel.clear()
    assert states == ["sending", "error", "cancelled", "empty"]
    assert panel.body_text() is None or panel.body_text() == ""


def test_copy_and_find_and_save(loop, panel, demo, tmp_path) -> None:
    show(loop, panel, fetch(demo, "/get?name=demo"))
    panel.body.copy_to_clipboard()
    assert QGuiApplication.clipboard().text() == panel.body_text()
    line = run_loop(loop, panel.body.find_text('"name"'))
    assert line is not None
    assert '"name"' in panel.body.view.source.line(line)
    assert run_loop(loop, panel.body.find_text("no-such-text")) is None
    target = tmp_path / "body.json"
    response = panel.response
    run_loop(loop, panel.body.save_body_to(response, str(target)))
    assert target.read_bytes() == response.body_bytes()
    dialog = panel.body.save_to_file()
    assert dialog is not None
    assert dialog.isVisible()
    dialog.close()


def wait_formatted(loop: asyncio.AbstractEventLoop, panel: ResponsePanel) -> object:
    """Run the loop until the body is fully formatted; fail with the viewer's error if any."""
    future = loop.create_future()
    loader = panel.body.loader

    def finished(value: object) -> None:
        if not future.done():
            future.set_result(value)

    def failed(message: str) -> None:
        if not future.done():
            future.set_exception(AssertionError(message))

    loader.finished.connect(finished)
    loader.failed.connect(failed)
    response = panel.response
    if response is not None:  # it may have finished while the last loop run was winding down
        done = loader.formatted(response, pretty=panel.body.pretty_button.isChecked())
        if done is not None:
            finished(done)
    try:
        return run_loop(loop, future)
    finally:
        loader.finished.disconnect(finished)
        loader.failed.disconnect(failed)


def wait_signal(loop: asyncio.AbstractEventLoop, signal: object) -> object:
    """Run the loop until ``signal`` is emitted; return its argument."""
    future = loop.create_future()

    def done(value: object = None) -> None:
        if not future.done():
            future.set_result(value)

    signal.connect(done)  # type: ignore[attr-defined]
    try:
        return run_loop(loop, future)
    finally:
        signal.disconnect(done)  # type: ignore[attr-defined]


def test_large_body_from_the_demo_server_formats_in_the_background(loop, panel, demo) -> None:
    response = send(RequestSpec(url=demo.url + "/json/large?mb=2"))
    assert not response.is_spooled  # in memory: the viewer writes a file for the worker
    show(loop, panel, response)
    assert panel.body_text() is None  # only the first screen so far
    assert "Formatting" in panel.body.notice.text()
    assert panel.visible_text().startswith('{\n  "meta": {')
    formatted = wait_formatted(loop, panel)
    assert formatted is not None
    assert formatted.pretty
    lines = Path(formatted.path).read_text(encoding="utf-8").split("\n")[:-1]
    assert lines == json.dumps(response.json(), indent=2).split("\n")
    assert panel.body.view.source.line_count == len(lines)
    assert "lines." in panel.body.notice.text()


def test_spooled_body_and_raw_view_of_a_big_document(loop, panel, demo, tmp_path) -> None:
    response = send(RequestSpec(url=demo.url + "/json/large?mb=1"), spool_threshold=1 << 16)
    assert response.is_spooled
    panel.body.pretty_button.setChecked(False)
    show(loop, panel, response)
    formatted = wait_formatted(loop, panel)
    assert formatted is not None
    assert not formatted.pretty
    assert formatted.line_count == response.text().count("\n") + 1


def test_showing_a_response_again_reuses_its_formatted_file(loop, panel, demo) -> None:
    response = send(RequestSpec(url=demo.url + "/json/large?mb=1"))
    show(loop, panel, response)
    first = wait_formatted(loop, panel)
    show(loop, panel, fetch(demo, "/json"))  # another tab's response
    finished: list[object] = []
    panel.body.formattingFinished.connect(finished.append)
    show(loop, panel, response)  # back to the first tab: no new formatting job
    assert finished == [first]  # at once, the same file
    assert panel.body.view.source.path == first.path
    assert panel.body.view.source.line_count == first.line_count
    path = Path(first.path)
    del response, first, finished
    panel.clear()
    gc.collect()
    assert not path.exists()  # the files go with the response


def test_show_sending_starts_a_worker_process_ahead_of_the_response(loop, qtbot) -> None:
    pool = ProcessOffloader(max_workers=1, name="test-warm")
    panel = ResponsePanel(pool)
    try:
        assert pool.worker_pids() == []

        async def send_started() -> None:
            panel.show_sending(RequestSpec(url="http://127.0.0.1:9/"))
            await asyncio.gather(*panel.body._warm_tasks.tasks)

        run_loop(loop, send_started())
        assert len(pool.worker_pids()) == 1

        async def send_again() -> int:
            panel.show_sending(RequestSpec(url="http://127.0.0.1:9/"))
            return len(panel.body._warm_tasks)

        assert run_loop(loop, send_again()) == 0  # a worker runs: nothing to start
    finally:
        dispose(panel)
        pool.close()
