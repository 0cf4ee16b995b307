"""Closing with drafts: a tab or the window holding unsaved changes asks first.

Closing a tab with a draft asks **Save / Discard / Cancel**; closing the window with drafts asks
**Save / Discard / Keep as Drafts / Cancel** (**Save All / Discard All** when several tabs hold
drafts). "Keep as Drafts" closes and keeps them in the session: they are back, still drafts,
at the next start. The questions are non-blocking message boxes (``open()``, never ``exec()``);
saves run on the lane and the window waits for them in the event loop, at most
:data:`SAVE_WAIT_S`, never blocking the GUI thread. With ``ask_on_close`` False (SIGTERM,
Ctrl+C in the terminal) the window closes without asking and keeps every draft.

Example::

    guard = CloseGuard(controller)        # installs itself on controller.window
    window.close()                        # asks if a tab holds a draft
    guard.question.button(QMessageBox.StandardButton.Save).click()
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from guiapp.offload.qt import async_slot
from guiapp.ui.workspace.drafts import Drafts

__all__ = ["SAVE_WAIT_S", "CloseGuard"]

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


class CloseGuard(QObject):
    """Asks before tabs with drafts, or the window, close (see the module docstring)."""

    def __init__(self, controller: Any) -> None:
        super().__init__(controller)
        self.window = controller.window
        self.drafts: Drafts = controller.drafts
        #: False: close without asking, keeping the drafts (set on SIGTERM / SIGINT).
        self.ask_on_close = True
        #: The question shown last (tests answer it).
        self.question: QMessageBox | None = None
        self._may_close = False
        self.window.tab_close_guard = self.allow_tab_close
        self.window.close_guard = self.allow_window_close

    # -- one tab -------------------------------------------------------------------------------
    def allow_tab_close(self, tab: Any) -> bool:
        """True if ``tab`` may close now; False after asking (the answer closes it)."""
        if not self.drafts.is_dirty(tab):
            return True
        box = self._ask(
            f"“{tab.editor.title()}” has unsaved changes.",
            "Save them to the collection before closing the tab?",
            _B.Save | _B.Discard | _B.Cancel,
        )
        box.finished.connect(lambda _r, t=tab, b=box: self._on_tab_answer(t, b))
        return False

    def _on_tab_answer(self, tab: Any, box: QMessageBox) -> None:
        answer = box.standardButton(box.clickedButton())
        if answer == _B.Save:
            self._save_and_close_tab(tab)
        elif answer == _B.Discard:
            self.drafts.unbind(tab)
            self._close_tab(tab)

    @async_slot
    async def _save_and_close_tab(self, tab: Any) -> None:
        if await self.drafts.save(tab):
            self._close_tab(tab)

    def _close_tab(self, tab: Any) -> None:
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
        several = len(dirty) > 1
        what = f"{len(dirty)} tabs have" if several else f"“{dirty[0].editor.title()}” has"
        box = self._ask(
            f"{what} unsaved changes.",
            "Save them to their collections, discard them, or keep them as drafts for the "
            "next start?",
            _B.Save | _B.Discard | _B.Cancel,
        )
        keep = box.addButton("Keep as Drafts", QMessageBox.ButtonRole.AcceptRole)
        keep.setObjectName("keepDraftsButton")
        if several:
            box.button(_B.Save).setText("Save All")
            box.button(_B.Discard).setText("Discard All")
        box.finished.connect(lambda _r, b=box: self._on_window_answer(b, dirty))
        return False

    def _on_window_answer(self, box: QMessageBox, dirty: list[Any]) -> None:
        clicked = box.clickedButton()
        answer = box.standardButton(clicked)
        if answer == _B.Save:
            self._close_when_saved(dirty)
        elif answer == _B.Discard:
            for tab in dirty:
                self.drafts.revert(tab)  # the session keeps the saved version
            self._close_now()
        elif clicked is not None and clicked.objectName() == "keepDraftsButton":
            self._close_now()

    @async_slot
    async def _close_when_saved(self, dirty: list[Any]) -> None:
        results = [await self.drafts.save(tab) for tab in dirty]
        if not all(results):
            failed = [t.editor.title() for t, ok in zip(dirty, results, strict=True) if not ok]
            self.window.show_message(
                "Not closed: could not save " + ", ".join(f"“{n}”" for n in failed), "error"
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
        self.question = box
        box.open()  # not exec(): the answer arrives through finished
        return box
