"""HistoryPanel against a real HistoryStore on a SerialLane: paging, search, restore, delete."""

from __future__ import annotations

import asyncio
import gc
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from guiapp.core.history import HistoryStore, ResponseSummary
from guiapp.core.request import BearerAuth, RequestSpec
from guiapp.offload import SerialLane
from guiapp.ui.history_model import ENTRY_ROLE, AsyncHistory, HistoryListModel
from guiapp.ui.history_panel import HistoryPanel, relative_time
from tests.ui.test_response_panel import run_loop


@pytest.fixture
def loop(qloop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    return qloop


@pytest.fixture
def history(tmp_path, loop) -> Iterator[AsyncHistory]:
    lane = SerialLane(name="history-test")
    store = HistoryStore(tmp_path / "history.sqlite3")
    items = [
        (RequestSpec(url=f"http://127.0.0.1/items/{i}", method="POST" if i % 5 == 0 else "GET"),
         ResponseSummary(200 + (i % 4) * 100, "X", elapsed=0.01 * i, size=i))
        for i in range(35)
    ]  # fmt: skip
    items.append((RequestSpec(url="http://127.0.0.1/secret", auth=BearerAuth("tok")),
                  ResponseSummary.failed("connection refused")))  # fmt: skip
    run_loop(loop, _submit(lane, store.add_many, items))
    yield AsyncHistory(store, lane)
    run_loop(loop, _submit(lane, store.close))
    lane.close()


async def _submit(lane: SerialLane, func: Any, *args: Any) -> Any:
    return await lane.submit(func, *args)


@pytest.fixture
def panel(qtbot, history) -> Iterator[HistoryPanel]:
    widget = HistoryPanel(history, page_size=10, debounce_ms=20)
    widget.resize(400, 600)
    widget.show()
    yield widget
    widget.close()
    shiboken6.delete(widget)  # now, on the GUI thread (not by a GC run in a worker thread)
    gc.collect()


def run(loop: asyncio.AbstractEventLoop, awaitable: Any) -> Any:
    return run_loop(loop, awaitable, 30)


async def _signal(signal: Any) -> tuple[Any, ...]:
    future = asyncio.get_running_loop().create_future()

    def done(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(done)
    try:
        return await future
    finally:
        signal.disconnect(done)


async def _until_loaded(panel: HistoryPanel, search: str) -> None:
    while panel.model.search != search:
        await _signal(panel.model.loaded)


def urls(panel: HistoryPanel) -> list[str]:
    return [panel.model.entry(r).url for r in range(panel.model.rowCount())]


def test_first_page_newest_first_then_pages_load_lazily(loop, history) -> None:
    model = HistoryListModel(history, page_size=10)  # no view: nothing fetches on its own
    run(loop, model.reload())
    assert model.rowCount() == 10
    assert model.total == 36
    assert model.entry(0).url == "http://127.0.0.1/secret"  # the newest entry
    assert model.canFetchMore()
    model.fetchMore()
    assert not model.canFetchMore()  # one page at a time
    run(loop, _signal(model.loaded))
    assert model.rowCount() == 20
    assert len({model.entry(r).id for r in range(20)}) == 20


def test_panel_shows_count_and_the_view_pulls_pages(loop, panel) -> None:
    run(loop, panel.reload())
    assert panel.list_view.objectName() == "historyList"
    assert panel.model.rowCount() == 10
    assert panel.count_label.text() == "36 entries (10 loaded)"


def test_scrolling_to_the_end_fetches_the_next_page(loop, panel) -> None:
    run(loop, panel.reload())
    waiting = asyncio.ensure_future(_signal(panel.model.loaded), loop=loop)
    panel.list_view.scrollToBottom()
    run(loop, waiting)
    assert panel.model.rowCount() > 10


def test_search_is_debounced_and_filters(loop, panel) -> None:
    run(loop, panel.reload())
    searches: list[str | None] = []
    panel.model.loaded.connect(lambda: searches.append(panel.model.search))
    for text in ("i", "it", "items/1"):  # one reload for the burst, after the pause
        panel.search_edit.setText(text)
    run(loop, _until_loaded(panel, "items/1"))
    assert "i" not in searches
    assert "it" not in searches
    found = urls(panel)
    assert found
    assert all("items/1" in url for url in found)
    assert "match" in panel.count_label.text()


def test_activation_restores_the_request(loop, panel, qtbot) -> None:
    run(loop, panel.reload())
    index = panel.model.index(1, 0)
    expected = index.data(ENTRY_ROLE).spec
    with qtbot.waitSignal(panel.requestRestored) as blocker:
        panel.list_view.activated.emit(index)
    assert blocker.args == [expected]
    assert isinstance(expected, RequestSpec)
    with qtbot.waitSignal(panel.requestRestoredInNewTab) as blocker:
        panel.restore(0, new_tab=True)
    assert blocker.args[0].url == "http://127.0.0.1/secret"
    assert blocker.args[0].auth == BearerAuth("***")  # the store keeps redacted requests


def test_context_menu_copy_as_curl_delete_and_clear(loop, panel, history) -> None:
    run(loop, panel.reload())
    menu = panel.build_context_menu(panel.model.index(0, 0))
    titles = [a.text() for a in menu.actions() if a.text()]
    assert titles == ["Restore", "Restore in new tab", "Copy as curl", "Delete", "Clear all…"]
    menu.close()
    command = panel.copy_as_curl(1)
    assert command.startswith("curl")
    assert QGuiApplication.clipboard().text() == command

    doomed = panel.model.entry(0)
    run(loop, panel.delete(0))
    assert doomed.url not in urls(panel)
    assert panel.model.total == 35
    assert run(loop, history.count()) == 35

    box = panel.confirm_clear_all()
    assert box.isVisible()  # open(), not exec(): the loop keeps running
    box.reject()
    assert run(loop, history.count()) == 35
    run(loop, panel.clear_all())
    assert panel.model.rowCount() == 0
    assert panel.count_label.text() == "No history yet: sent requests appear here"


def test_entry_added_refreshes(loop, panel, history) -> None:
    run(loop, panel.reload())
    store, lane = history.store, history.lane
    spec = RequestSpec(url="http://127.0.0.1/brand-new")
    run(loop, _submit(lane, store.add, spec, ResponseSummary(201, "Created")))
    waiting = asyncio.ensure_future(_signal(panel.model.loaded), loop=loop)
    panel.entry_added(123)
    run(loop, waiting)
    assert urls(panel)[0] == "http://127.0.0.1/brand-new"


def test_relative_time() -> None:
    assert relative_time(0.0, 30.0) == "just now"
    assert relative_time(0.0, 3 * 3600.0) == "3 h ago"
    assert relative_time(0.0, 10 * 86400.0).count("-") == 2


def test_a_load_failure_is_said_plainly_with_the_detail_on_hover(loop, panel) -> None:
    internal = "guiapp-history: submit() must be called from a thread running an asyncio loop"
    panel.model.failed.emit(internal)
    assert panel.count_label.text() == "History could not be loaded"  # no internal text
    assert panel.count_label.toolTip() == internal
    run(loop, panel.reload())
    assert panel.count_label.text().endswith("entries (10 loaded)")
    assert panel.count_label.toolTip() == ""


def test_a_failed_send_shows_no_duration() -> None:
    from guiapp.ui.history_panel import entry_meta

    failed = ResponseSummary.failed("connection refused")
    assert "ms" not in entry_meta(failed)
    assert entry_meta(ResponseSummary(200, "OK", elapsed=0.25, size=1)).startswith("250 ms · ")


class _ReadOnlyHistory(AsyncHistory):
    """A history whose writes fail as sqlite's do on a read-only database."""

    async def delete(self, entry_id: int) -> bool:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    async def clear(self) -> int:
        raise sqlite3.OperationalError("attempt to write a readonly database")


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("Delete", "Could not delete the entry: attempt to write a readonly database"),
        ("Clear all…", "Could not clear the history: attempt to write a readonly database"),
    ],
)
def test_a_failed_delete_or_clear_is_reported_and_logged(
    loop, qtbot, history, caplog, action: str, message: str
) -> None:
    panel = HistoryPanel(_ReadOnlyHistory(history.store, history.lane), page_size=10)
    try:
        run(loop, panel.reload())
        menu = panel.build_context_menu(panel.model.index(0, 0))
        chosen = next(a for a in menu.actions() if a.text() == action)

        async def choose() -> tuple[Any, ...]:
            failed = asyncio.ensure_future(_signal(panel.actionFailed))
            await asyncio.sleep(0)  # connected before the action runs
            chosen.trigger()
            if action == "Clear all…":  # confirmed in the box it opens
                box = panel.findChild(QMessageBox)
                assert box is not None
                box.accept()
            return await asyncio.wait_for(failed, 10)

        with caplog.at_level(logging.ERROR, logger="guiapp.ui.background_tasks"):
            assert run(loop, choose()) == (message,)
        menu.close()
        assert any("readonly" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
        assert panel.model.rowCount() == 10  # nothing was removed from the list
    finally:
        panel.close()
        shiboken6.delete(panel)
        gc.collect()
