"""Feeds a :class:`~guiapp.ui.body_lines.BodyLineView` from worker processes.

A body is shown in two steps, so the first screen is quick whatever the size:

1. a *preview* — the first lines, formatted and highlighted from the first 512 KB — is shown
   as soon as it comes back (tens of milliseconds);
2. for bodies the preview does not hold whole, the worker writes the formatted *file* and its
   line index, reporting each flushed batch; the view switches to the growing memory-mapped
   file at each report, so the user can scroll what is formatted while the rest is.

Highlighting is computed per block of lines, in the worker, when the view first paints the
block. Everything of an older body is dropped (generation counter): its tasks are cancelled,
its worker jobs too (which stops the worker process), and its files are deleted.

Example::

    loader = TextBodyLoader(view, processes, temp_dir)
    loader.noticeChanged.connect(label.setText)
    await loader.load(response, "json", pretty=True)   # returns with the first screen shown
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from guiapp.core.formatting import (
    DISPLAY_CAP_BYTES,
    FormattedFile,
    count_lines_in_file,
    find_in_file,
    format_body_file,
    highlight_file_lines,
    highlight_lines,
    lexer_for_kind,
    preview_body,
)
from guiapp.core.response import Response
from guiapp.offload import Job, Progress, run_blocking
from guiapp.ui.background_tasks import BackgroundTasks
from guiapp.ui.body_lines import BLOCK_LINES, BodyLineView
from guiapp.ui.body_sources import ListLineSource, MappedLineSource
from guiapp.ui.status_format import format_bytes

__all__ = ["ProcessSubmitter", "TextBodyLoader"]

_PREVIEW_BYTES = 512 * 1024


class ProcessSubmitter(Protocol):
    """What the loader needs of a ``ProcessOffloader``: ``submit(func, *args) -> Job``."""

    def submit(self, func: Any, /, *args: Any, **kwargs: Any) -> Job[Any]: ...


class TextBodyLoader(QObject):
    """Loads one text body at a time into ``view``.

    Signals: ``finished(object)`` — the :class:`FormattedFile` once a large body is fully
    formatted, ``None`` when the preview held the whole body; ``noticeChanged(str)``;
    ``failed(str)``.
    """

    finished = Signal(object)
    noticeChanged = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        view: BodyLineView,
        processes: ProcessSubmitter,
        temp_dir: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._processes = processes
        self._temp_dir = temp_dir
        self._generation = 0
        self._tasks = BackgroundTasks(
            lambda exc: self.failed.emit(f"Could not format the body: {exc}"), "formatting the body"
        )
        self._jobs: set[Job[Any]] = set()
        self._out_paths: list[str] = []
        # Finished files per response and pretty flag, so showing a response again (the user
        # switched tabs) is instant; the files go when the response is garbage-collected.
        self._done: weakref.WeakKeyDictionary[Response, dict[bool, FormattedFile]] = (
            weakref.WeakKeyDictionary()
        )
        self._highlight_queue: list[int] = []
        self._highlight_busy = False
        self._lexer: str | None = None
        self._whole_in_memory = False
        view.highlightNeeded.connect(self._on_view_highlight_needed)

    @property
    def whole_in_memory(self) -> bool:
        """True when the view holds the whole body as a list of lines (small bodies)."""
        return self._whole_in_memory and isinstance(self.view.source, ListLineSource)

    @property
    def busy(self) -> bool:
        """True while worker jobs of the current body are running."""
        return bool(self._jobs)

    def cancel(self) -> None:
        """Drop the current body: stop its tasks and jobs, delete its files."""
        self._generation += 1
        self._lexer = None
        self._whole_in_memory = False
        self._highlight_queue.clear()
        self._highlight_busy = False
        self._tasks.cancel_all()  # a re-load started from a task does not cancel itself
        for job in list(self._jobs):
            job.cancel()
        self._jobs.clear()
        _delete_outputs(self._out_paths)  # unfinished files: a mapped file stays readable
        self._out_paths = []

    def formatted(self, response: Response, *, pretty: bool) -> FormattedFile | None:
        """The finished formatting of ``response`` (pretty or raw), or ``None`` (not yet)."""
        return self._done.get(response, {}).get(pretty)

    async def load(self, response: Response, kind: str, *, pretty: bool) -> None:
        """Show ``response``'s body as ``kind`` text; returns when the first screen is shown."""
        self.cancel()
        generation = self._generation
        done = self._done.get(response, {}).get(pretty)
        if done is not None:
            self._lexer = lexer_for_kind(done.kind)
            try:
                self._show_formatted(done)
                return
            except OSError:  # its files were removed behind our back: format again
                self._done.pop(response, None)
        encoding = response.encoding
        source: bytes | str = response.spool_path or response.body_bytes(_PREVIEW_BYTES + 1)
        preview = await self._run(preview_body, source, encoding, kind, pretty=pretty)
        if generation != self._generation:
            return
        self._lexer = lexer_for_kind(preview.kind)
        self.view.set_source(ListLineSource(list(preview.lines)))
        self.view.set_block_spans(0, preview.spans)
        if preview.complete:
            self._whole_in_memory = True
            self.finished.emit(None)
            return
        self.noticeChanged.emit(
            f"Formatting {format_bytes(response.size)}… "
            f"showing the first {len(preview.lines):,} lines."
        )
        self._spawn(self._format_file(response, encoding, kind, pretty, generation))

    def show_lines(self, lines: list[str], kind: str) -> None:
        """Show ``lines`` (e.g. a filter's result) in place of the body, highlighted as
        ``kind``; the body's own jobs are cancelled (loading it again is cheap: its formatted
        file is kept)."""
        self.cancel()
        self._lexer = lexer_for_kind(kind)
        self.view.set_source(ListLineSource(lines))
        self._whole_in_memory = True

    def show_file(self, formatted: FormattedFile) -> None:
        """Show a formatted file (e.g. a large filter result) in place of the body."""
        self.cancel()
        self._lexer = lexer_for_kind(formatted.kind)
        self.view.set_source(
            MappedLineSource(formatted.path, formatted.index_path, formatted.max_line_chars)
        )

    async def count_matches(self, needle: str) -> int:
        """How many lines of what is shown contain ``needle`` (in a worker for big bodies)."""
        source = self.view.source
        if isinstance(source, MappedLineSource):
            count: int = await self._run(
                count_lines_in_file, source.path, source.index_path, needle, source.line_count
            )
            return count
        if isinstance(source, ListLineSource):
            return sum(needle in line for line in source.lines)
        return 0

    async def find(self, needle: str, start: int) -> int | None:
        """The first line at or after ``start`` containing ``needle`` (wrapping), or ``None``."""
        source = self.view.source
        if isinstance(source, MappedLineSource):
            found: int | None = await self._run(
                find_in_file, source.path, source.index_path, needle, start, source.line_count
            )
            return found
        if isinstance(source, ListLineSource):
            lines, count = source.lines, source.line_count
            for index in (*range(start, count), *range(0, min(start, count))):
                if needle in lines[index]:
                    return int(index)
        return None

    # -- the full file ---------------------------------------------------------------------------
    async def _format_file(
        self, response: Response, encoding: str, kind: str, pretty: bool, generation: int
    ) -> None:
        path = response.spool_path
        if path is None:  # a large in-memory body: give the worker process a file to read
            path = os.path.join(self._temp_dir, f"source-{generation}")
            await run_blocking(_write_file, path, response.body_bytes())
        out_path = os.path.join(self._temp_dir, f"body-{generation}.lines")
        self._out_paths.append(out_path)
        total = format_bytes(response.size)

        def on_progress(progress: Progress) -> None:
            info = progress.info
            if (
                generation != self._generation
                or info.get("lines", 0) <= self.view.source.line_count
            ):
                return
            current = self.view.source
            same_lines = (
                current.path == info["path"]
                if isinstance(current, MappedLineSource)
                else not (pretty and info["path"].endswith(".raw"))  # JSON fell back to text
            )
            self.view.set_source(
                MappedLineSource(info["path"], info["index_path"], info["max_chars"],
                                 info["lines"]),
                continues=same_lines,
            )  # fmt: skip
            percent = int(100 * (progress.fraction or 0.0))
            self.noticeChanged.emit(
                f"Formatting {total}… {percent} % ({info['lines']:,} lines so far)."
            )

        formatted: FormattedFile = await self._run(
            format_body_file, path, encoding, kind, out_path, pretty=pretty, progress=on_progress
        )
        if generation != self._generation:
            return
        self._out_paths.remove(out_path)
        self._done.setdefault(response, {})[pretty] = formatted
        weakref.finalize(response, _delete_outputs, [out_path])
        if formatted.kind != kind:
            self._lexer = lexer_for_kind(formatted.kind)
        self._show_formatted(formatted, pretty)

    def _show_formatted(self, formatted: FormattedFile, pretty: bool | None = None) -> None:
        current = self.view.source
        same_file = isinstance(current, MappedLineSource) and current.path == formatted.path
        self.view.set_source(
            MappedLineSource(formatted.path, formatted.index_path, formatted.max_line_chars),
            continues=same_file or formatted.pretty == pretty,
        )
        if formatted.truncated:
            self.noticeChanged.emit(
                f"Showing the first {format_bytes(DISPLAY_CAP_BYTES)} of "
                f"{format_bytes(formatted.source_bytes)} only: use Save… for the whole body."
            )
        else:
            self.noticeChanged.emit(f"{formatted.line_count:,} lines.")
        self.finished.emit(formatted)

    # -- highlighting ----------------------------------------------------------------------------
    def _on_view_highlight_needed(self, block: int) -> None:
        if self._lexer is None:
            return
        self._highlight_queue.append(block)
        if not self._highlight_busy:
            self._highlight_busy = True
            self._spawn(self._drain_highlights(self._generation))

    async def _drain_highlights(self, generation: int) -> None:
        try:
            while self._highlight_queue and generation == self._generation:
                block = self._highlight_queue.pop()  # newest first: that is what is on screen
                first, stop = self.view.visible_range()
                if not first // BLOCK_LINES - 2 <= block <= stop // BLOCK_LINES + 2:
                    self.view.forget_requests()  # scrolled away: ask again when visible
                    continue
                source, epoch = self.view.source, self.view.content_epoch
                start = block * BLOCK_LINES
                end = min(start + BLOCK_LINES, source.line_count)
                if isinstance(source, MappedLineSource):
                    spans = await self._run(
                        highlight_file_lines, source.path, source.index_path, start, end,
                        self._lexer,
                    )  # fmt: skip
                elif isinstance(source, ListLineSource):
                    spans = await self._run(highlight_lines, source.lines[start:end], self._lexer)
                else:
                    continue
                # A growing file keeps its lines (same epoch): its colours still apply.
                if generation == self._generation and self.view.content_epoch == epoch:
                    self.view.set_block_spans(block, spans)
        finally:
            if generation == self._generation:
                self._highlight_busy = False

    # -- plumbing --------------------------------------------------------------------------------
    async def _run(
        self,
        func: Any,
        *args: Any,
        progress: Callable[[Progress], object] | None = None,
        **kwargs: Any,
    ) -> Any:
        job = self._processes.submit(func, *args, **kwargs)
        if progress is not None:
            job.add_progress_callback(progress)
        self._jobs.add(job)
        try:
            return await job
        finally:
            self._jobs.discard(job)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._tasks.spawn(coro)


def _delete_outputs(out_paths: list[str]) -> None:
    for out_path in out_paths:
        for suffix in ("", ".index", ".raw", ".raw.index"):
            with contextlib.suppress(OSError):
                os.unlink(out_path + suffix)


def _write_file(path: str, data: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(data)
