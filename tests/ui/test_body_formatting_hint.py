"""BodyViewer: while a body is being formatted the pane says so, it is never left blank."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6

from guiapp.core.response import Response
from guiapp.offload import Job, Offloader
from guiapp.ui.body_viewer import BodyViewer
from tests.ui.conftest import wait_until


class GatedSubmitter:
    """Runs each submitted call in a thread once ``gate`` is set (a worker process that is
    still starting, as on the first response of a session)."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.fail = False
        self._threads = Offloader(max_workers=2, name="test-gated-format")

    def submit(self, func: Any, /, *args: Any, **kwargs: Any) -> Job[Any]:
        def gated() -> Any:
            if not self.gate.wait(30):
                raise TimeoutError("the test never opened the gate")
            if self.fail:
                raise RuntimeError("the worker process died")
            return func(*args, **kwargs)

        return self._threads.submit(gated)

    def close(self) -> None:
        self.gate.set()
        self._threads.close(5)


@pytest.fixture
def submitter() -> Iterator[GatedSubmitter]:
    gated = GatedSubmitter()
    yield gated
    gated.close()


@pytest.fixture
def viewer(qtbot: object, submitter: GatedSubmitter) -> Iterator[BodyViewer]:
    widget = BodyViewer(submitter)
    widget.resize(700, 400)
    widget.show()
    yield widget
    widget.close()
    shiboken6.delete(widget)
    gc.collect()


def json_response() -> Response:
    return Response(
        status_code=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=[("Content-Type", "application/json")],
        url="http://h/",
        body=b'{"greeting": "hello", "items": [1, 2, 3]}',
    )


def test_the_pane_says_formatting_until_the_first_screen_is_ready(
    ui_loop: asyncio.AbstractEventLoop, viewer: BodyViewer, submitter: GatedSubmitter
) -> None:
    shown = asyncio.ensure_future(viewer.show_body(json_response()), loop=ui_loop)
    wait_until(ui_loop, lambda: viewer.message() != "")
    assert viewer.message() == "Formatting 41 B…"
    assert viewer._pages.currentWidget() is viewer._message
    assert not shown.done()

    submitter.gate.set()
    wait_until(ui_loop, shown.done)
    shown.result()
    assert viewer._pages.currentWidget() is viewer.view
    assert '"greeting": "hello"' in (viewer.body_text() or "")


def test_a_failed_format_replaces_the_hint_with_a_sentence(
    ui_loop: asyncio.AbstractEventLoop, viewer: BodyViewer, submitter: GatedSubmitter
) -> None:
    submitter.fail = True
    submitter.gate.set()
    shown = asyncio.ensure_future(viewer.show_body(json_response()), loop=ui_loop)
    wait_until(ui_loop, shown.done)
    with pytest.raises(RuntimeError):
        shown.result()
    assert viewer.message() == "The body could not be shown; Save… writes it to a file."
    assert viewer._pages.currentWidget() is viewer._message


def test_a_newer_body_is_not_hidden_by_the_older_one_finishing(
    ui_loop: asyncio.AbstractEventLoop, viewer: BodyViewer, submitter: GatedSubmitter
) -> None:
    first = asyncio.ensure_future(viewer.show_body(json_response()), loop=ui_loop)
    wait_until(ui_loop, lambda: viewer.message() != "")
    viewer.show_hint("Waiting for the response…")  # a new send replaced the body
    submitter.gate.set()
    wait_until(ui_loop, first.done)
    assert viewer._pages.currentWidget() is viewer._message
    assert viewer.message() == "Waiting for the response…"
