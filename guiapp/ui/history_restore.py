"""Restoring a history entry: into a new tab (or the current one only when it is blank), with
the response area belonging to the restored request, and masked secrets marked to re-enter.

A restore never overwrites work: it reuses the current tab only when that tab is *blank*
(nothing typed, nothing sent — :func:`is_blank`, the one place that decides; a workspace that
tracks drafts can refine it), otherwise it opens a new tab. The restored tab has no response:
the history keeps a summary of the response, not its body, so the status line says what the
response was instead of showing the previous tab's. Fields whose secret was not kept (old
entries, literal credentials) hold ``***``: the status line names them and Send refuses until
they are typed again (:func:`~guiapp.core.secret_mask.fields_to_reenter`).

Example::

    restorer = HistoryRestorer(window)
    history_panel.entryRestored.connect(restorer.restore)
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from guiapp.core.history import HistoryEntry
from guiapp.core.request import RequestSpec
from guiapp.core.secret_mask import reenter_message
from guiapp.ui.reenter_marks import mark_reenter
from guiapp.ui.request_tab import RequestTab
from guiapp.ui.status_format import format_duration

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow

__all__ = ["HistoryRestorer", "is_blank", "restored_note"]

_BLANK: RequestSpec | None = None


def _blank_spec() -> RequestSpec:
    global _BLANK
    if _BLANK is None:
        from guiapp.ui.request_editor import RequestEditor

        editor = RequestEditor()  # what a new tab holds, whatever the editor's defaults are
        _BLANK = editor.to_spec()
        editor.deleteLater()
    return _BLANK


def is_blank(tab: RequestTab, window: MainWindow | None = None) -> bool:
    """True if ``tab`` is empty and unmodified: its request is a new tab's, it never sent, and
    (when the window has a workspace that tracks drafts) it holds no draft."""
    if tab.in_flight or tab.outcome.kind != "idle" or tab.last_sent is not None:
        return False
    workspace = window.workspace if window is not None else None
    if workspace is not None and workspace.is_dirty(tab):
        return False
    return tab.editor.to_spec() == _blank_spec()


def restored_note(entry: HistoryEntry, now: float | None = None) -> str:
    """The status line after restoring ``entry``: what its response was, and what to re-enter."""
    summary = entry.summary
    ago = format_duration(max(0.0, (now or time.time()) - summary.created_at))
    if summary.status_code is None:
        outcome = f"failed: {summary.error or 'no response'}"
    else:
        outcome = f"{summary.status_code} {summary.reason}".strip()
        outcome += f" in {format_duration(summary.elapsed)}"
    note = f"Restored from history (sent {ago} ago, {outcome}; the response body is not kept)."
    reenter = entry.reenter
    return f"{note} {reenter_message(reenter)}" if reenter else note


class HistoryRestorer(QObject):
    """Puts history entries back into ``window``'s tabs without overwriting anything."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def restore(self, entry: HistoryEntry, new_tab: bool = False) -> RequestTab:
        """Show ``entry``'s request (as written) in a blank current tab or a new one."""
        tab: RequestTab = self.window.current_tab()
        if new_tab or not is_blank(tab, self.window):
            tab = self.window.open_tab(entry.spec)
        else:
            self.window.load_into_current(entry.spec)  # the blank current tab
        index = self.window.tabs.indexOf(tab)
        reenter = entry.reenter
        if reenter:
            mark_reenter(tab.editor)
            self.window.tabs.setTabToolTip(index, "Re-enter: " + ", ".join(reenter))
        self.window.show_message(restored_note(entry), "error" if reenter else "ok")
        return tab
