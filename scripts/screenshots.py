"""Offscreen screenshots of the real app (workspace attached), with the embedded demo API.

    .venv/bin/python scripts/screenshots.py OUT_DIR            # light, dark, cookies, variables
    .venv/bin/python scripts/screenshots.py OUT_DIR --docs     # also docs/screenshot*.png
    .venv/bin/python scripts/screenshots.py OUT_DIR --tour     # a user's walk through the app

The window is built as ``guiapp`` builds it (``create_window(..., workspace=True)``: collections
sidebar, environment switcher). The default mode opens a small "Demo API" collection (folders,
requests using ``{{baseUrl}}``, collection variables) with the "Local demo" environment active,
sends its "Sample JSON" request in the light and the dark theme, logs in to the demo API and
shoots View → Cookies…, then Collection Variables…. Files: ``light.png``, ``dark.png``,
``cookies.png``, ``variables.png`` (with ``--docs``: ``docs/screenshot.png``,
``screenshot-dark.png``, ``screenshot-cookies.png``, ``screenshot-variables.png``).

``--tour`` (light theme) shoots the first-run window, every demo example sent (slow ones are
cancelled after a few seconds, as a user would), an unknown host, a new empty tab, a history
restore and the Keyboard Shortcuts dialog.

:func:`take_screenshots` is the same run as a coroutine (tests call it on their own loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from guiapp.app import create_window
from guiapp.core.collections import Collection
from guiapp.core.request import FormBody, RequestSpec
from guiapp.core.variables import Environment, Variable
from guiapp.demo import sample_requests
from guiapp.ui.main_window import MainWindow

__all__ = ["DOCS_NAMES", "make_demo_collection", "take_screenshots"]

_SLOW_SECONDS = 6.0  # a demo request still running after this is cancelled (Esc)
#: The status bar's lag reading covers ~2 s: a restyle or a new dialog rolls out of it first.
SETTLE_SECONDS = 2.5
_TITLE_HEIGHT = 28
WINDOW_SIZE = (1280, 800)
#: Shot name -> file name in docs/ (``--docs``).
DOCS_NAMES = {
    "light": "screenshot.png",
    "dark": "screenshot-dark.png",
    "cookies": "screenshot-cookies.png",
    "variables": "screenshot-variables.png",
}
ENVIRONMENT = "Local demo"
SHOWN_REQUEST = "content/sample-json.toml"


def make_demo_collection(root: Path, base_url: str) -> Collection:
    """A small collection against the demo API at ``base_url``: Content/ and Session/ folders,
    a request at the root, collection variables and two environments ("Local demo" points
    ``{{baseUrl}}`` at ``base_url``, "Staging" elsewhere)."""
    col = Collection.create(root, name="Demo API")
    content = col.create_folder("", "Content")
    col.new_request(content, "Sample JSON", RequestSpec(url="{{baseUrl}}/json/sample"))
    col.new_request(content, "XML document", RequestSpec(url="{{baseUrl}}/xml"))
    col.new_request(content, "PNG image", RequestSpec(url="{{baseUrl}}/image/png"))
    session = col.create_folder("", "Session")
    login = FormBody((("user", "{{user}}"), ("password", "{{password}}")))
    col.new_request(
        session, "Log in", RequestSpec(url="{{baseUrl}}/session/login", method="POST", body=login)
    )
    col.new_request(session, "Who am I", RequestSpec(url="{{baseUrl}}/session/me"))
    col.new_request(
        session, "Log out", RequestSpec(url="{{baseUrl}}/session/logout", method="POST")
    )
    col.new_request("", "Echo query", RequestSpec(url="{{baseUrl}}/get?name={{user}}"))
    # Demo credentials, not secret ones: a secret variable would go to the OS keyring.
    col.save_variables(
        (Variable("user", "demo"), Variable("password", "secret"), Variable("pageSize", "20"))
    )
    col.save_environment(Environment(ENVIRONMENT, (Variable("baseUrl", base_url),)))
    col.save_environment(
        Environment("Staging", (Variable("baseUrl", "https://staging.example.com/api"),))
    )
    return col


async def _until(predicate: Callable[[], object], limit: float = 30.0) -> bool:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def _send_current(window: MainWindow) -> None:
    """Send the current tab; wait for the body to show (or cancel a slow one)."""
    tab = window.current_tab()
    before = tab.outcome
    window.send_current()

    def finished() -> bool:
        return tab.outcome is not before and tab.outcome.kind not in ("idle", "sending")

    if not await _until(finished, _SLOW_SECONDS):
        window.cancel_current()
        return
    body = window.response.panel.body

    def shown() -> bool:
        return bool(body.view.source.line_count or body.message() or body.kind == "image")

    await _until(lambda: tab.outcome.kind != "response" or shown(), 60.0)
    await asyncio.sleep(0.6)  # highlighting arrives per block from a worker process


async def _send(window: MainWindow, spec: RequestSpec) -> None:
    """Send ``spec`` in the current tab (see :func:`_send_current`)."""
    window.load_into_current(spec)
    await _send_current(window)


def _save(widget: QWidget | QPixmap, path: Path) -> Path:
    pixmap = widget if isinstance(widget, QPixmap) else widget.grab()
    if not pixmap.save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)
    return path


def _over_window(window: QWidget, dialog: QWidget) -> QPixmap:
    """``dialog`` drawn centred over ``window``, where it opens, with a plain title strip:
    offscreen windows have no frame, and a dialog alone would lose its title and context."""
    shot = window.grab()
    inner = dialog.grab()
    palette = dialog.palette()
    x = (shot.width() - inner.width()) // 2
    y = (shot.height() - inner.height() - _TITLE_HEIGHT) // 2
    title = QRect(x, y, inner.width(), _TITLE_HEIGHT)
    painter = QPainter(shot)
    painter.fillRect(
        title.adjusted(-1, -1, 1, inner.height() + 1), palette.color(QPalette.ColorRole.Dark)
    )
    painter.fillRect(title, palette.color(QPalette.ColorRole.Button))
    font = painter.font()
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(palette.color(QPalette.ColorRole.ButtonText))
    painter.drawText(title, Qt.AlignmentFlag.AlignCenter, dialog.windowTitle())
    painter.drawPixmap(x, y + _TITLE_HEIGHT, inner)
    painter.end()
    return shot


async def _open_request(workspace: Any, request_id: str, *, new_tab: bool = False) -> Any:
    """Open a request of the collection as a user does: selected in the tree, then opened."""
    workspace.panel.select(request_id)
    return await workspace.open_request_async(request_id, new_tab)


async def _open_collection(window: MainWindow, root: Path) -> Any:
    """Open the demo collection, activate its environment, show the request in a tab."""
    workspace = window.workspace
    await _until(lambda: workspace.ready)
    await asyncio.to_thread(make_demo_collection, root, window.demo_server.url)
    if not await workspace.open_collection(root):
        raise RuntimeError(f"could not open the demo collection: {window.status_label.text()}")
    workspace.env_bar.select(ENVIRONMENT)
    env = workspace.environments
    await _until(lambda: getattr(env.environment, "name", "") == ENVIRONMENT)
    tree, model = workspace.panel.tree, workspace.model
    for folder in ("content", "session"):
        tree.expand(model.find(folder))
    # A tab of its own, after the first-run examples: what a user who opened it would see.
    return await _open_request(workspace, SHOWN_REQUEST, new_tab=True)


async def _shots(
    window: MainWindow, out: Path, collection_dir: Path, settle: float
) -> dict[str, Path]:
    shots: dict[str, Path] = {}
    await _open_collection(window, collection_dir)
    for theme in ("light", "dark"):
        window.themes.set_mode(theme)
        await _send_current(window)
        await asyncio.sleep(settle)
        shots[theme] = _save(window, out / f"{theme}.png")
    window.themes.set_mode("light")
    workspace = window.workspace
    # Log in with the collection's "Log in" request: the demo API sets its session cookie.
    await _open_request(workspace, "session/log-in.toml")
    await _send_current(window)
    await _open_request(workspace, "session/who-am-i.toml")
    await _send_current(window)
    dialog = window.cookies.open_dialog()  # what View → Cookies… (Ctrl+Shift+K) runs
    await asyncio.sleep(settle)
    shots["cookies"] = _save(_over_window(window, dialog), out / "cookies.png")
    dialog.close()
    workspace.panel.variables_action.trigger()  # Collections ⋯ → Collection Variables…
    env = workspace.environments
    await _until(lambda: env.variables_editor is not None and env.variables_editor.isVisible())
    editor = env.variables_editor
    await asyncio.sleep(settle)
    shots["variables"] = _save(_over_window(window, editor), out / "variables.png")
    editor.reject()
    return shots


async def _tour(window: MainWindow, out: Path) -> dict[str, Path]:
    shots: dict[str, Path] = {}
    window.themes.set_mode("light")
    await asyncio.sleep(0.5)
    shots["first-run"] = _save(window, out / "00-first-run.png")
    base = window.demo_server.url
    for number, example in enumerate(sample_requests(base), start=1):
        await _send(window, example.spec)
        slug = re.sub(r"[^a-z0-9]+", "-", example.name.lower()).strip("-")
        shots[slug] = _save(window, out / f"{number:02d}-{slug}.png")
    await _send(window, RequestSpec(url="http://nonexistent.invalid/"))
    shots["unknown-host"] = _save(window, out / "90-unknown-host.png")
    window.open_tab()
    await asyncio.sleep(0.2)
    shots["new-tab"] = _save(window, out / "91-new-tab.png")
    if window.history_panel is not None:
        window.history_panel.restore(0)
        await asyncio.sleep(0.3)
        shots["history-restored"] = _save(window, out / "92-history-restored.png")
    window.show_shortcuts()
    await asyncio.sleep(0.3)
    dialog = window.findChild(QWidget, "shortcutsDialog")
    if dialog is not None:
        shots["shortcuts"] = _save(dialog, out / "93-shortcuts.png")
        dialog.close()
    return shots


async def take_screenshots(
    out: Path,
    *,
    tour: bool = False,
    docs_dir: Path | None = None,
    settle: float = SETTLE_SECONDS,
) -> dict[str, Path]:
    """Shoot the app into ``out`` (a running qasync loop is needed); returns name -> file.

    With ``docs_dir``, the default shots are also written there under :data:`DOCS_NAMES`.
    ``settle``: seconds waited before each default shot, so that the status bar's lag reading
    shows the steady state rather than the restyle or dialog that came just before.
    """
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # Closing the window at the end must not quit the app: this coroutine goes on (docs copy).
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    try:
        with tempfile.TemporaryDirectory() as temp:
            # A first run in a fresh data directory: the demo API starts, its examples open.
            window = create_window(Path(temp) / "data", workspace=True)
            window.resize(*WINDOW_SIZE)
            window.show()
            try:
                if tour:
                    return await _tour(window, out)
                shots = await _shots(window, out, Path(temp) / "demo-api", settle)
            finally:
                await _close_for_good(window)
    finally:
        app.setQuitOnLastWindowClosed(quit_on_close)
    if docs_dir is not None:
        await asyncio.to_thread(_copy_to_docs, shots, docs_dir)
    return shots


async def _close_for_good(window: MainWindow) -> None:
    """Close ``window`` without questions and wait until Qt has deleted it.

    The data directory is a temporary one removed right after: the window must be gone (its
    lanes closed, its widgets deleted) before that, not deleted later in the middle of
    whatever the caller does next.
    """
    workspace = getattr(window, "workspace", None)
    if workspace is not None:
        workspace.ask_on_close = False  # a screenshot run keeps no drafts: never ask
    window.close()
    gone = asyncio.get_running_loop().create_future()

    def destroyed(*_args: object) -> None:
        if not gone.done():
            gone.set_result(None)

    window.destroyed.connect(destroyed)
    window.deleteLater()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(gone, 5.0)


def _copy_to_docs(shots: dict[str, Path], docs_dir: Path) -> None:
    for name, path in shots.items():
        target = docs_dir / DOCS_NAMES[name]
        target.write_bytes(path.read_bytes())
        print(target)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    args = sys.argv[1:]
    out = Path(next((a for a in args if not a.startswith("--")), "/tmp/guiapp-shots"))
    mode = next((a for a in args if a.startswith("--")), "")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    docs = Path(__file__).resolve().parent.parent / "docs" if mode == "--docs" else None
    with loop:
        loop.run_until_complete(take_screenshots(out, tour=mode == "--tour", docs_dir=docs))


if __name__ == "__main__":  # worker processes (spawn) import this module: no side effects
    main()
