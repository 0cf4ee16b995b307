"""The JSONPath filter box over a JSON response body (objectName ``responseFilter``).

Typing a JSONPath (RFC 9535) shows only what it selects, pretty-printed, in the same
virtualised view, with the number of matches. The query runs in a worker *process* on bodies
of any size (a 50 MB body is parsed there once, then each query costs only the query); it
re-runs as the user types, 250 ms after the last key, the newest query winning: an older run
still going is cancelled. An invalid JSONPath is reported with the position of the mistake,
and the view keeps the last good result. Clearing the box shows the whole body again.

Example::

    body_filter = BodyFilter(viewer)      # the BodyViewer adds it to its toolbar
    body_filter.edit.setText("$.items[*].id")
"""

from __future__ import annotations

import contextlib
import os
import weakref
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLineEdit

from guiapp.core.json_filter import FilterOutcome, filter_json_body
from guiapp.core.response import Response
from guiapp.offload import Job, run_blocking

if TYPE_CHECKING:
    from guiapp.ui.body_viewer import BodyViewer

__all__ = ["DEBOUNCE_MS", "BodyFilter"]

DEBOUNCE_MS = 250
#: In-memory bodies up to this size go to the worker as bytes; larger ones as a file copy.
_INLINE_BYTES = 1024 * 1024


def _write_bytes(path: str, data: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(data)


class BodyFilter(QObject):
    """Runs the filter of ``viewer``'s current JSON body; see the module docstring."""

    #: The outcome of each filter shown (``FilterOutcome``), or ``None`` when cleared.
    filtered = Signal(object)
    #: A filter that could not run: the message shown (invalid JSONPath, not JSON...).
    failed = Signal(str)

    def __init__(self, viewer: BodyViewer) -> None:
        super().__init__(viewer)
        self._viewer = viewer
        self._generation = 0
        self._job: Job[Any] | None = None
        # (the body, its file copy), see _source_of; a weak reference keeps no body alive.
        self._copy: tuple[weakref.ref[Response], str] | None = None
        self._active = False
        self.edit = QLineEdit(placeholderText="Filter: $.items[*].id", clearButtonEnabled=True)
        self.edit.setObjectName("responseFilter")
        self.edit.setToolTip(
            "Show only what a JSONPath (RFC 9535) selects, e.g. $.items[?@.price < 10].name"
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply)
        self.edit.textChanged.connect(lambda _text: self._timer.start())
        self.edit.returnPressed.connect(self.apply)

    @property
    def active(self) -> bool:
        """True while a filter result (not the whole body) is shown."""
        return self._active

    def reset(self) -> None:
        """A new body is shown: forget the running query (the text stays for the next body)."""
        self._generation += 1
        self._cancel_job()
        self._active = False

    def apply(self) -> None:
        """Run the box's query now (the debounce timer calls this)."""
        self._timer.stop()
        expression = self.edit.text().strip()
        self._generation += 1
        self._cancel_job()
        if not expression:
            if self._active:
                self._active = False
                self._viewer.spawn(self._restore(self._generation))
            return
        response = self._viewer.response
        if response is None or self._viewer.kind != "json":
            return
        self._viewer.spawn(self._run(expression, self._generation))

    async def _run(self, expression: str, generation: int) -> None:
        viewer = self._viewer
        response = viewer.response
        assert response is not None
        source = await self._source_of(response)
        out_path = os.path.join(viewer.temp_dir, f"filter-{generation}.lines")
        viewer.set_notice(f"Filtering with {expression}…")
        job = viewer.processes.submit(
            filter_json_body, source, response.encoding, expression, out_path
        )
        self._job = job
        try:
            outcome: FilterOutcome = await job
        finally:
            if self._job is job:
                self._job = None
        if generation != self._generation or viewer.response is not response:
            return
        if outcome.error:
            viewer.set_notice(outcome.error)
            self.failed.emit(outcome.error)
            return
        self._active = True
        if outcome.formatted is not None:
            viewer.loader.show_file(outcome.formatted)
        else:
            viewer.loader.show_lines(list(outcome.lines), "json")
        plural = "" if outcome.matches == 1 else "es"
        viewer.set_notice(f"{outcome.matches:,} match{plural} for {expression}")
        self.filtered.emit(outcome)

    async def _source_of(self, response: Response) -> bytes | str:
        """What the worker reads: the spool file, the bytes of a small body, or, for a larger
        in-memory body, a copy written once to a file, so that each new query neither pickles
        the body again nor parses it again (the worker keeps a file's parsed document)."""
        if response.spool_path is not None:
            return response.spool_path
        if response.size <= _INLINE_BYTES:
            return response.body_bytes()
        if self._copy is None or self._copy[0]() is not response:
            if self._copy is not None:
                with contextlib.suppress(OSError):
                    os.unlink(self._copy[1])  # the previous body's copy
            path = os.path.join(self._viewer.temp_dir, f"filter-source-{id(response)}.json")
            await run_blocking(_write_bytes, path, response.body_bytes())
            self._copy = (weakref.ref(response), path)
        return self._copy[1]

    async def _restore(self, generation: int) -> None:
        await self._viewer.show_unfiltered()
        if generation == self._generation:
            self.filtered.emit(None)

    def _cancel_job(self) -> None:
        job, self._job = self._job, None
        if job is not None and not job.done():
            job.cancel()
