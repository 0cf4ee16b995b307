"""Closing with drafts: a tab or the window holding unsaved changes asks first.

Closing a tab with a draft asks **Save / Discard / Cancel**; closing the window with drafts asks
**Save / Discard / Keep as Drafts / Cancel** (**Save All / Discard All** when several tabs hold
drafts). "Keep as Drafts" closes and keeps them in the session: they are back, still drafts,
at the next start.

A draft of a read-only collection (the Demo API) can only be saved with **Save As…**: its tab's
question offers "Save As…" instead of "Save", and the window's question names each such draft
and why it cannot be saved ("GET /get is in the read-only Demo API collection: Save As… to keep
it, or Keep as Drafts"). There, "Save As…" keeps the window open and asks where to save the
first of them; "Save All" writes the others and keeps the read-only ones as drafts. A save that
fails names the tab and the reason, and the window stays open. Tabs are named by their title,
or by collection and request path when several tabs share a title.

The questions are non-blocking message boxes (``open()``, never ``exec()``);
saves run on the lane and the window waits for them in the event loop, at most
:data:`SAVE_WAIT_S`, never blocking the GUI thread. With ``ask_on_close`` False (SIGTERM,
Ctrl+C in the terminal) the window closes without asking and keeps every draft.

Example::

    guard = CloseGuard(controller)        # installs itself on controller.window
    window.close()                        # asks if a tab holds a draft
    box = window.findChild(QMessageBox, "unsavedQuestion")   # the open question
    box.button(QMessageBox.StandardButton.Save).click()
    box.findChild(QPushButton, "saveAsButton")   # a read-only draft: Save As…
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from guiapp.offload.qt import async_slot
from guiapp.ui.workspace.drafts import Drafts, tab_name

if TYPE_CHECKING:
    from guiapp.ui.request_tab import RequestTab
    from guiapp.ui.workspace.controller import WorkspaceController

__all__ = ["SAVE_WAIT_S", "CloseGuard", "tab_label"]

_log = logging.getLogger(__name__)
#: How long closing the window waits (in the event loop) for saves still running.
SAVE_WAIT_S = 5.0
_B = QMessageBox.StandardButton


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def tab_label(drafts: Drafts, tab: RequestTab, tabs: list[RequestTab]) -> str:
    """How a message names ``tab``: its title (the request's name for a saved request, as on
    the tab), or "title (collection: request path)" when
    another of ``tabs`` has the same title (and ``tab`` shows a saved request)."""
    title = tab_name(drafts, tab)
    col, rid = drafts.collection_of(tab), drafts.request_id(tab)
    shared = any(t is not tab and tab_name(drafts, t) == title for t in tabs)
    if not shared or col is None or rid is None:
        return title
    return f"{title} ({col.name}: {rid})"


def _add_save_as(box: QMessageBox) -> QPushButton:
    button = box.addButton("Save As…", QMessageBox.ButtonRole.ActionRole)
    button.setObjectName("saveAsButton")
    return button


class CloseGuard(QObject):
    """Asks before tabs with drafts, or the window, close (see the module docstring)."""

    def __init__(self, controller: WorkspaceController) -> None:
        super().__init__(controller)
        self.controller = controller
        self.window = controller.window
        self.drafts: Drafts = controller.drafts
        #: False: close without asking, keeping the drafts (set on SIGTERM / SIGINT).
        self.ask_on_close = True
        self._may_close = False
        self.window.tab_close_guard = self.allow_tab_close
        self.window.close_guard = self.allow_window_close

    # -- one tab -------------------------------------------------------------------------------
    def allow_tab_close(self, tab: RequestTab) -> bool:
        """True if ``tab`` may close now; False after asking (the answer closes it)."""
        if not self.drafts.is_dirty(tab):
            return True
        label = tab_label(self.drafts, tab, self.window.request_tabs())
        col = self.drafts.collection_of(tab)
        if self.drafts.is_read_only(col):
            assert col is not None
            box = self._ask(
                f"“{label}” has unsaved changes.",
                f"It is in the read-only {col.name} collection: Save As… to keep the changes "
                "in another collection, or discard them.",
                _B.Discard | _B.Cancel,
            )
            save_as = _add_save_as(box)
            box.setDefaultButton(save_as)
        else:
            box = self._ask(
                f"“{label}” has unsaved changes.",
                "Save them to the collection before closing the tab?",
                _B.Save | _B.Discard | _B.Cancel,
            )
        box.finished.connect(lambda _r, t=tab, b=box: self._on_tab_answer(t, b))
        return False

    def _on_tab_answer(self, tab: RequestTab, box: QMessageBox) -> None:
        clicked = box.clickedButton()
        answer = box.standardButton(clicked)
        if clicked is not None and clicked.objectName() == "saveAsButton":
            self._save_as(tab)
        elif answer == _B.Save:
            self._save_and_close_tab(tab)
        elif answer == _B.Discard:
            self.drafts.unbind(tab)
            self._close_tab(tab)

    @async_slot
    async def _save_and_close_tab(self, tab: RequestTab) -> None:
        if await self.drafts.save(tab):
            self._close_tab(tab)

    def _save_as(self, tab: RequestTab) -> None:
        """Show ``tab`` and open Save As for it (the tab stays open, bound to its new file)."""
        self.window.tabs.setCurrentWidget(tab)
        self.controller.save_as_current()

    def _close_tab(self, tab: RequestTab) -> None:
        index = self.window.tabs.indexOf(tab)
        if index >= 0:
            self.window.close_tab(index, ask=False)

    # -- the window ----------------------------------------------------------------------------
    def allow_window_close(self) -> bool:
        """True if the window may close now; False while asking or waiting for saves (the
        window is closed again once that is settled)."""
        if self._may_close or not _loop_running():
            return True  # nothing can be asked or awaited without a running loop: keep drafts
        dirty = self.drafts.dirty_tabs()
        if not self.ask_on_close or not dirty:
            if not self.drafts.pending_saves():
                return True
            self._close_when_saved([])
            return False
        tabs = self.window.request_tabs()
        locked = [t for t in dirty if self.drafts.is_read_only(self.drafts.collection_of(t))]
        savable = [t for t in dirty if t not in locked]
        several = len(dirty) > 1
        if several:
            what = f"{len(dirty)} tabs have"
        else:
            what = f"“{tab_label(self.drafts, dirty[0], tabs)}” has"
        detail = (
            "Save them to their collections, discard them, or keep them as drafts for the "
            "next start?"
        )
        if locked:
            reasons = [
                f"{tab_label(self.drafts, t, tabs)} is in the read-only "
                f"{self._collection_name(t)} collection: Save As… to keep it, or Keep as Drafts."
                for t in locked
            ]
            if savable:
                reasons.append(
                    f"{'Save All' if len(savable) > 1 else 'Save'} writes the other "
                    f"{'drafts' if len(savable) > 1 else 'draft'} and keeps "
                    f"{'these' if len(locked) > 1 else 'this one'} as "
                    f"{'drafts' if len(locked) > 1 else 'a draft'}."
                )
            detail = "\n".join(reasons)
        buttons = _B.Discard | _B.Cancel
        if savable:
            buttons |= _B.Save
        box = self._ask(f"{what} unsaved changes.", detail, buttons)
        keep = box.addButton("Keep as Drafts", QMessageBox.ButtonRole.AcceptRole)
        keep.setObjectName("keepDraftsButton")
        if locked:
            save_as = _add_save_as(box)
            if not savable:
                box.setDefaultButton(save_as)
        if several:
            if savable:
                box.button(_B.Save).setText("Save All")
            box.button(_B.Discard).setText("Discard All")
        box.finished.connect(lambda _r, b=box: self._on_window_answer(b, savable, locked))
        return False

    def _collection_name(self, tab: RequestTab) -> str:
        col = self.drafts.collection_of(tab)
        return col.name if col is not None else ""

    def _on_window_answer(self, box: QMessageBox, savable: list[Any], locked: list[Any]) -> None:
        clicked = box.clickedButton()
        answer = box.standardButton(clicked)
        name = clicked.objectName() if clicked is not None else ""
        if name == "saveAsButton" and locked:
            self._save_as(locked[0])  # the window stays open; closing again asks anew
        elif answer == _B.Save:
            self._close_when_saved(savable)  # read-only drafts stay drafts (in the session)
        elif answer == _B.Discard:
            for tab in savable + locked:
                self.drafts.revert(tab)  # the session keeps the saved version
            self._close_now()
        elif name == "keepDraftsButton":
            self._close_now()

    @async_slot
    async def _close_when_saved(self, dirty: list[Any]) -> None:
        reasons: dict[Any, str] = {}

        def failed(tab: RequestTab, message: str) -> None:
            reasons[tab] = message

        self.drafts.saveFailed.connect(failed)
        try:
            results = [await self.drafts.save(tab) for tab in dirty]
        finally:
            self.drafts.saveFailed.disconnect(failed)
        if not all(results):
            tabs = self.window.request_tabs()
            lost = [t for t, ok in zip(dirty, results, strict=True) if not ok]
            self.window.show_message(
                "Not closed: "
                + "; ".join(
                    f"could not save “{tab_label(self.drafts, t, tabs)}”: "
                    + reasons.get(t, "the file changed on disk (see the conflict bar)")
                    for t in lost
                ),
                "error",
            )
            return
        if not await self.drafts.wait_saves(SAVE_WAIT_S):
            _log.warning("closing with saves still running after %.0f s", SAVE_WAIT_S)
        self._close_now()

    def _close_now(self) -> None:
        self._may_close = True
        self.window.close()

    def _ask(self, text: str, detail: str, buttons: QMessageBox.StandardButton) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes", text, buttons, self.window)
        box.setObjectName("unsavedQuestion")
        box.setInformativeText(detail)
        box.setDefaultButton(_B.Save)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not exec(): the answer arrives through finished
        return box
