"""Drives the shared response panel from the current tab's outcome.

The panel (``guiapp.ui.response_panel.ResponsePanel``, owned by another module) has the
contract ``show_sending(spec)``, ``show_progress(progress)``, ``show_response(response)`` (may be
a coroutine: large bodies are formatted in a process pool), ``show_error(exc)``,
``show_cancelled()`` and ``clear()``. :class:`ResponseDisplay` calls each at most once per
outcome (progress excepted), keeps the formatting task referenced, and cancels it when a newer
outcome replaces it, so a slow format of an old body never lands over a new one.

Example::

    display = ResponseDisplay(panel)
    tab.stateChanged.connect(lambda: display.show_outcome(tab))
    display.replay(other_tab)      # the user switched tabs
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

from PySide6.QtWidgets import QWidget

from guiapp.ui.request_tab import Outcome, RequestTab

__all__ = ["ResponseDisplay"]

_log = logging.getLogger(__name__)


class ResponseDisplay:
    """Forwards outcomes to the panel once each; owns the panel's formatting task."""

    def __init__(self, panel: QWidget) -> None:
        self.panel: Any = panel
        self._shown: Outcome | None = None
        self._task: asyncio.Future[Any] | None = None

    def replay(self, tab: RequestTab) -> None:
        """Show ``tab``'s outcome even if it is the one shown last (tab switch)."""
        self._shown = None
        self.show_outcome(tab)

    def show_outcome(self, tab: RequestTab) -> None:
        """Show ``tab``'s outcome if it changed, else just its latest progress."""
        outcome = tab.outcome
        if outcome is self._shown:
            if outcome.kind == "sending" and tab.progress is not None:
                self.panel.show_progress(tab.progress)
            return
        self._shown = outcome
        self._cancel_task()
        kind = outcome.kind
        if kind == "sending":
            self.panel.show_sending(outcome.spec)
            if tab.progress is not None:
                self.panel.show_progress(tab.progress)
        elif kind == "response":
            self._start(self.panel.show_response(outcome.value))
        elif kind == "error":
            self.panel.show_error(outcome.value)
        elif kind == "cancelled":
            self.panel.show_cancelled()
        else:
            self.panel.clear()

    def _start(self, result: Any) -> None:
        if not inspect.isawaitable(result):
            return
        task = asyncio.ensure_future(result)
        self._task = task
        task.add_done_callback(self._on_task_done)

    def _cancel_task(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()

    def _on_task_done(self, task: asyncio.Future[Any]) -> None:
        if self._task is task:
            self._task = None
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            _log.error("showing the response failed", exc_info=(type(exc), exc, exc.__traceback__))
            self.panel.show_error(RuntimeError(f"Could not display the response: {exc}"))

    def close(self) -> None:
        """Cancel any formatting in progress (the window is closing)."""
        self._cancel_task()
