"""The Stream tab of the response panel: when it shows, which stream it shows, replays.

A tab's live stream comes from the request tab (its :class:`StreamLog`); the tab appears with
the first event and is selected once per send. A response whose events were not delivered live
(the GUI-thread strategy freezes the window until the end) is parsed again from its body in a
worker thread, with its events fed through the same item channel, into a log owned here.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

from PySide6.QtWidgets import QTabWidget

from guiapp.core._http_stream import replay_events
from guiapp.core.response import Response
from guiapp.core.stream_log import StreamLog
from guiapp.offload import Job, default_offloader
from guiapp.ui.body_text_loader import ProcessSubmitter
from guiapp.ui.response_stream import ResponseStream

__all__ = ["StreamTab"]

_log = logging.getLogger(__name__)
_READ = 1 << 16


def _replay(response: Response, kind: str) -> int:
    with response.open() as body:
        return replay_events(iter(lambda: body.read(_READ), b""), kind)


class StreamTab:
    """Owns the "Stream" page of ``tabs``: a :class:`ResponseStream` shown only when useful."""

    def __init__(self, tabs: QTabWidget, process_offloader: ProcessSubmitter) -> None:
        self._tabs = tabs
        self.view = ResponseStream(process_offloader)
        self._index = tabs.addTab(self.view, "Stream")
        tabs.setTabVisible(self._index, False)
        self._selected = False
        self._replayed: StreamLog | None = None
        self._replay_job: Job[Any] | None = None

    def reset(self) -> None:
        """A new exchange: no stream until its first event."""
        self._selected = False
        self._drop_replay()
        self.view.show_log(None)
        self._tabs.setTabVisible(self._index, False)

    def show_log(self, log: StreamLog | None) -> None:
        """Show a request tab's live log (``None``: that tab has no stream)."""
        if log is None and self._replayed is not None:
            return  # the finished response's replayed stream stays on screen
        if log is not None:
            self._drop_replay()
        self.view.show_log(log)
        self._tabs.setTabVisible(self._index, log is not None)
        if log is not None and not self._selected:
            self._selected = True
            self._tabs.setCurrentWidget(self.view)  # a stream is what the user wants to watch

    def show_response(self, response: Response) -> None:
        """The exchange ended with ``response``: its summary; replay it if nothing came live."""
        summary = response.stream
        if summary is None:
            return
        if self.view.event_count() == 0 and summary.events:
            self._replay(response, summary.kind)
        self._tabs.setTabVisible(self._index, True)
        if not self._selected:
            self._selected = True
            self._tabs.setCurrentWidget(self.view)
        self.view.finish(summary)

    def _replay(self, response: Response, kind: str) -> None:
        self._drop_replay()
        log = self._replayed = StreamLog()
        self.view.show_log(log)
        job = default_offloader().submit(_replay, response, kind)
        job.add_items_callback(log.append)
        job.add_done_callback(_log_failure)
        self._replay_job = job

    def _drop_replay(self) -> None:
        job, self._replay_job = self._replay_job, None
        if job is not None:
            job.cancel()
        log, self._replayed = self._replayed, None
        if log is not None:
            if self.view._log is log:
                self.view.show_log(None)
            log.close()


def _log_failure(job: Future[Any]) -> None:
    # Runs on the worker thread that ended the job: logging only.
    if not job.cancelled() and job.exception() is not None:
        _log.warning("could not show the stream's events again: %s", job.exception())
