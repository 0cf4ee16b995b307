"""The response body viewer: pretty/raw text with highlighting, images, save, copy and find.

Text bodies go through a :class:`~guiapp.ui.body_text_loader.TextBodyLoader` (formatting and
highlighting in worker processes, a virtualised view); images are decoded in a thread. Every
file operation (save, copying a large body) runs off the GUI thread.

Example::

    viewer = BodyViewer(ProcessOffloader(max_workers=2))
    await viewer.show_body(response)     # returns once the first screen is painted
    viewer.body_text()                   # whole text for small bodies, else None
    viewer.view.visible_text()           # what the viewport shows (any size)
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import weakref
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.formatting import detect_kind, preview_body
from guiapp.core.response import Response
from guiapp.offload import run_blocking
from guiapp.ui.background_tasks import BackgroundTasks
from guiapp.ui.body_filter import BodyFilter
from guiapp.ui.body_image import BodyImageView, ImageDecodeError
from guiapp.ui.body_lines import MAX_COPY_CHARS, BodyLineView
from guiapp.ui.body_sources import ListLineSource
from guiapp.ui.body_text_loader import ProcessSubmitter, TextBodyLoader
from guiapp.ui.status_format import format_bytes

__all__ = ["BodyViewer", "ProcessSubmitter"]

_MAX_IMAGE_BYTES = 64 * 1024 * 1024
_EXTENSIONS = {
    "json": ".json",
    "xml": ".xml",
    "svg": ".svg",
    "html": ".html",
    "javascript": ".js",
    "css": ".css",
    "text": ".txt",
}


class BodyViewer(QWidget):
    """Toolbar (Pretty, Copy, Save…, find box) over a text, image or message page.

    Signals: ``formattingFinished(object)`` with the :class:`FormattedFile` once a large body's
    full formatting is shown (``None`` for bodies shown whole by the preview);
    ``noticeChanged(str)``.
    """

    formattingFinished = Signal(object)
    noticeChanged = Signal(str)

    def __init__(self, process_offloader: ProcessSubmitter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._processes = process_offloader
        self._response: Response | None = None
        self._kind = "empty"
        self._generation = 0
        self._tasks = BackgroundTasks(
            lambda exc: self._set_notice(f"Could not show the body: {exc}"), "body viewer task"
        )
        # Kept apart from _tasks: clear() must not cancel (kill) it. A failed warm-up is only
        # logged: the preview that follows starts its own worker and reports its own failure.
        self._warm_tasks = BackgroundTasks(lambda exc: None, "warming up a worker process")
        self._last_find: tuple[str, int] | None = None
        self._find_counts: dict[tuple[str, int], int] = {}  # (needle, source) -> matching lines
        temp_dir = tempfile.mkdtemp(prefix="guiapp-body-")
        weakref.finalize(self, shutil.rmtree, temp_dir, ignore_errors=True)
        self.temp_dir = temp_dir

        self.view = BodyLineView()
        self.view.setObjectName("responseBody")
        self.loader = TextBodyLoader(self.view, process_offloader, temp_dir, self)
        self.loader.finished.connect(self.formattingFinished)
        self.loader.noticeChanged.connect(self._set_notice)
        self.loader.failed.connect(self._set_notice)
        self.image_view = BodyImageView()
        self._message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self._message.setObjectName("responseBodyMessage")
        self._pages = QStackedWidget()
        for page in (self.view, self.image_view, self._message):
            self._pages.addWidget(page)

        self.pretty_button = QToolButton()
        self.pretty_button.setText("Pretty")
        self.pretty_button.setCheckable(True)
        self.pretty_button.setChecked(True)
        self.pretty_button.setToolTip("Pretty-print JSON and XML (off: the body as received)")
        self.pretty_button.toggled.connect(self._on_pretty_toggled)
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip("Copy the body text to the clipboard")
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.save_button = QToolButton()
        self.save_button.setText("Save…")
        self.save_button.setToolTip("Save the body, as received, to a file")
        self.save_button.clicked.connect(self.save_to_file)
        self.find_edit = QLineEdit(placeholderText="Find (Ctrl+F)", clearButtonEnabled=True)
        self.find_edit.setObjectName("responseFind")
        self.find_edit.setToolTip("Find text in the body (Enter: next match)")
        self.find_edit.returnPressed.connect(self.find_next)
        # Every visible match is marked as the user types; Enter moves to the next one.
        self.find_edit.textChanged.connect(lambda text: self.view.set_find(text))
        self.body_filter = BodyFilter(self)
        self.notice = QLabel(wordWrap=True)
        self.notice.setObjectName("responseBodyNotice")
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_find)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self.pretty_button, self.copy_button, self.save_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.body_filter.edit, 2)
        bar.addWidget(self.find_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self._pages, 1)
        self.clear()

    # -- public API ----------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """Display kind of the current body (see :func:`guiapp.core.formatting.detect_kind`)."""
        return self._kind

    @property
    def response(self) -> Response | None:
        """The response whose body is shown."""
        return self._response

    @property
    def processes(self) -> ProcessSubmitter:
        """The worker processes that format and filter bodies."""
        return self._processes

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` as one of this viewer's tasks (cancelled when the body changes)."""
        self._tasks.spawn(coro)

    def set_notice(self, text: str) -> None:
        """Show ``text`` in the notice line above the body (``""`` hides it)."""
        self._set_notice(text)

    async def show_unfiltered(self) -> None:
        """Show the whole body again after a filter; returns once its first screen is shown."""
        if self._response is not None and self._kind not in ("empty", "image", "binary"):
            self._set_notice("")
            await self.loader.load(
                self._response, self._kind, pretty=self.pretty_button.isChecked()
            )

    def body_text(self) -> str | None:
        """The whole displayed text when it is held in memory (small bodies); else ``None``
        (large bodies: read :meth:`BodyLineView.visible_text` or the formatted file)."""
        source = self.view.source
        if self._pages.currentWidget() is self.view and self.loader.whole_in_memory:
            assert isinstance(source, ListLineSource)
            return source.text()
        return None

    def message(self) -> str:
        """The text of the message page (empty body, binary body, errors)."""
        return self._message.text()

    def show_hint(self, text: str) -> None:
        """Show ``text`` where the body goes (empty state, waiting, failed), no body kept."""
        self.clear()
        self._show_message(text)

    def warm_up(self) -> None:
        """Start a worker process now (a spawn costs ~0.3 s), e.g. while a request is sent.

        Nothing happens if a worker is already running or no event loop runs.
        """
        pids = getattr(self._processes, "worker_pids", None)
        if self._warm_tasks or (callable(pids) and pids()):
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self._warm_tasks.spawn(_warm(self._processes))

    def clear(self) -> None:
        """Forget the body: cancel its jobs, release its files, show nothing."""
        self._reset()
        self._response = None
        self._kind = "empty"
        self._show_message("")
        self._set_notice("")
        self._update_buttons()

    async def show_body(self, response: Response) -> None:
        """Show ``response``'s body; returns when its first screen is shown."""
        self._reset()
        self._response = response
        generation = self._generation
        content_type = response.headers.get("content-type", "")
        head = response.body_bytes(limit=2048) if response.size else b""
        # No bytes is no body, whatever the Content-Type says (HEAD, 304, an empty JSON reply).
        self._kind = detect_kind(content_type, head) if response.size else "empty"
        self._update_buttons()
        self._set_notice("")
        if self._kind == "empty":
            self._show_message(
                "A HEAD response has no body: its headers are in the Headers tab."
                if response.method.upper() == "HEAD"
                else "This response has no body."
            )
        elif self._kind in ("image", "svg") and self.pretty_button.isChecked():
            await self._show_image(response, generation)
        elif self._kind in ("image", "binary"):
            self._show_message(
                f"Binary body ({response.size:,} bytes, {content_type or 'no Content-Type'}). "
                "Use Save… to write it to a file."
            )
        else:
            # The first body waits for a worker process to start (about 2 s on a loaded
            # machine): say so instead of showing an empty pane.
            self._show_message(f"Formatting {format_bytes(response.size)}…")
            try:
                await self.loader.load(response, self._kind, pretty=self.pretty_button.isChecked())
            except Exception:
                if generation == self._generation:
                    self._show_message("The body could not be shown; Save… writes it to a file.")
                raise
            if generation != self._generation:
                return
            self._pages.setCurrentWidget(self.view)
            if self._kind == "json" and self.body_filter.edit.text().strip():
                self.body_filter.apply()  # the filter the user typed applies to the new body

    # -- images --------------------------------------------------------------------------------
    async def _show_image(self, response: Response, generation: int) -> None:
        if response.size > _MAX_IMAGE_BYTES:
            self._show_message(
                f"Image too large to preview ({format_bytes(response.size)}); use Save…"
            )
            return
        data = await run_blocking(response.body_bytes)
        media = "image/svg+xml" if self._kind == "svg" else response.content_type
        try:
            await self.image_view.show_image(data, media)
        except ImageDecodeError as exc:
            if generation == self._generation:
                self._show_message(f"{exc}. Use Save… to write the body to a file.")
            return
        if generation == self._generation:
            self._pages.setCurrentWidget(self.image_view)

    # -- actions -------------------------------------------------------------------------------
    def _on_pretty_toggled(self, _checked: bool) -> None:
        if self._response is not None:
            self._spawn(self.show_body(self._response))

    def copy_to_clipboard(self) -> None:
        """Copy the body text (shown text for small bodies) to the clipboard."""
        text = self.body_text()
        if text is not None:
            QGuiApplication.clipboard().setText(text)
            self._set_notice("Copied to the clipboard.")
        elif self._response is not None and self._response.size <= MAX_COPY_CHARS:
            self._spawn(self._copy_async(self._response))
        else:
            self._set_notice("Too large for the clipboard: use Save… instead.")

    async def _copy_async(self, response: Response) -> None:
        text = await run_blocking(response.text)
        if response is self._response:
            QGuiApplication.clipboard().setText(text)
            self._set_notice("Copied to the clipboard.")

    def save_to_file(self) -> QFileDialog | None:
        """Open a non-modal save dialog; the copy runs in a worker thread. Returns the dialog."""
        if self._response is None:
            return None
        dialog = QFileDialog(self, "Save response body")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        name = self._response.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "response"
        if "." not in name:
            name += _EXTENSIONS.get(self._kind, ".bin")
        dialog.selectFile(name)
        response = self._response
        dialog.fileSelected.connect(lambda path: self._spawn(self.save_body_to(response, path)))
        dialog.open()  # never exec(): a nested loop inside a coroutine breaks qasync (#59)
        return dialog

    async def save_body_to(self, response: Response, path: str) -> None:
        """Write the body of ``response`` to ``path`` off the GUI thread."""
        try:
            await run_blocking(_copy_body, response, path)
        except OSError as exc:
            self._set_notice(f"Could not save: {exc}")
            return
        self._set_notice(f"Saved {format_bytes(response.size)} to {path}")

    def _focus_find(self) -> None:
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def find_next(self) -> None:
        """Scroll to the next line containing the find text (case-sensitive)."""
        needle = self.find_edit.text()
        if needle:
            self._spawn(self.find_text(needle))

    async def find_text(self, needle: str) -> int | None:
        """Find ``needle`` after the current match; mark and return its line (or ``None``)."""
        source = self.view.source
        selected = self.view.selected_range()
        start = self.view.verticalScrollBar().value() if selected is None else selected[0]
        start = start + 1 if self._last_find == (needle, start) else start
        line = await self.loader.find(needle, start)
        if self.view.source is not source:
            return None
        if line is None:
            self._set_notice(f"“{needle}” not found.")
            return None
        self._last_find = (needle, line)
        self.view.select_lines(line, line)
        self.view.scroll_to_line(line, mark=True)
        self.view.set_find(needle, line)
        key = (needle, id(source))  # a new source (a filter, the full body) counts again
        if key not in self._find_counts:
            self._find_counts = {key: await self.loader.count_matches(needle)}
            if self.view.source is not source:
                return line
        count = self._find_counts[key]
        plural = "" if count == 1 else "s"
        self._set_notice(f"“{needle}”: line {line + 1:,} · {count:,} matching line{plural}")
        return line

    # -- plumbing ------------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._tasks.spawn(coro)

    def _reset(self) -> None:
        self._find_counts = {}
        self.body_filter.reset()
        self._generation += 1
        self._last_find = None
        self._tasks.cancel_all()  # a re-show spawned by the Pretty toggle survives
        self.loader.cancel()
        self.view.clear()
        self.image_view.clear()

    def _show_message(self, text: str) -> None:
        self._message.setText(text)
        self._pages.setCurrentWidget(self._message)

    def _set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self.noticeChanged.emit(text)

    def _update_buttons(self) -> None:
        has_body = self._response is not None and self._kind != "empty"
        self.pretty_button.setEnabled(self._kind in ("json", "xml", "image", "svg"))
        self.pretty_button.setText("Preview" if self._kind in ("image", "svg") else "Pretty")
        self.copy_button.setEnabled(has_body and self._kind not in ("image", "binary"))
        self.save_button.setEnabled(has_body)
        # Find searches the text view: off when there is none (no body, an image, binary data).
        previewed = self._kind == "svg" and self.pretty_button.isChecked()
        shows_text = has_body and self._kind not in ("image", "binary") and not previewed
        self.find_edit.setEnabled(shows_text)
        self.body_filter.edit.setEnabled(has_body and self._kind == "json")


async def _warm(processes: ProcessSubmitter) -> None:
    # A tiny preview imports the formatting code and Pygments' lexers in the worker, so the
    # response's own preview does not pay for them.
    await processes.submit(preview_body, b'{"warm": [1]}', "utf-8", "json")


def _copy_body(response: Response, path: str) -> None:
    with response.open() as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
