"""Offscreen screenshots of the main window, with real responses from the embedded demo API.

    .venv/bin/python scripts/screenshots.py OUT_DIR            # light and dark, /json/sample
    .venv/bin/python scripts/screenshots.py OUT_DIR --docs     # also docs/screenshot*.png
    .venv/bin/python scripts/screenshots.py OUT_DIR --tour     # a user's walk through the app

``--tour`` (light theme) shoots the first-run window, every demo example sent (slow ones are
cancelled after a few seconds, as a user would), an unknown host, a new empty tab, a history
restore and the Keyboard Shortcuts dialog.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from guiapp.app import create_window
from guiapp.core.request import RequestSpec
from guiapp.demo import sample_requests
from guiapp.ui.main_window import MainWindow

_SLOW_SECONDS = 6.0  # a demo request still running after this is cancelled (Esc)


async def _until(predicate: Callable[[], object], limit: float = 30.0) -> bool:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def _send(window: MainWindow, spec: RequestSpec) -> None:
    """Send ``spec`` in the current tab; wait for the body to show (or cancel a slow one)."""
    window.load_into_current(spec)
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


def _save(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    print(path)


async def _shots(window: MainWindow, out: Path, docs: bool) -> None:
    base = window.demo_server.url
    for theme in ("light", "dark"):
        window.themes.set_mode(theme)
        await _send(window, RequestSpec(url=base + "/json/sample"))
        _save(window, out / f"{theme}.png")
        if docs:
            _save(
                window,
                Path("docs") / ("screenshot.png" if theme == "light" else "screenshot-dark.png"),
            )


async def _tour(window: MainWindow, out: Path) -> None:
    window.themes.set_mode("light")
    await asyncio.sleep(0.5)
    _save(window, out / "00-first-run.png")
    base = window.demo_server.url
    for number, example in enumerate(sample_requests(base), start=1):
        await _send(window, example.spec)
        slug = re.sub(r"[^a-z0-9]+", "-", example.name.lower()).strip("-")
        _save(window, out / f"{number:02d}-{slug}.png")
    await _send(window, RequestSpec(url="http://nonexistent.invalid/"))
    _save(window, out / "90-unknown-host.png")
    window.open_tab()
    await asyncio.sleep(0.2)
    _save(window, out / "91-new-tab.png")
    if window.history_panel is not None:
        window.history_panel.restore(0)
        await asyncio.sleep(0.3)
        _save(window, out / "92-history-restored.png")
    window.show_shortcuts()
    await asyncio.sleep(0.3)
    dialog = window.findChild(QWidget, "shortcutsDialog")
    if dialog is not None:
        _save(dialog, out / "93-shortcuts.png")
        dialog.close()


async def _main(out: Path, mode: str) -> None:
    with tempfile.TemporaryDirectory() as data:
        window = create_window(Path(data))  # a first run: the demo API starts
        window.resize(1280, 800)
        window.show()
        try:
            if mode == "--tour":
                await _tour(window, out)
            else:
                await _shots(window, out, docs=mode == "--docs")
        finally:
            window.close()


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    args = sys.argv[1:]
    out = Path(next((a for a in args if not a.startswith("--")), "/tmp/guiapp-shots"))
    mode = next((a for a in args if a.startswith("--")), "")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(_main(out, mode))


if __name__ == "__main__":  # worker processes (spawn) import this module: no side effects
    main()
