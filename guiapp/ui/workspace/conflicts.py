"""Conflicts: the file of a tab with a draft changed on disk; the user decides, nothing is lost.

A bar at the top of the tab (``conflictBar``) says so and offers **Keep Mine** (the draft stays,
the next save replaces their version knowingly), **Take Theirs** (the tab shows the file as it
is now; the draft is dropped) and **Compare** (a unified diff of the two, ``compareDialog``,
with the same two choices). Neither side is ever overwritten silently.

Example::

    resolver = ConflictResolver(drafts)       # shows a bar on every tab drafts.conflicted names
    resolver.bar(tab).keep_button.click()     # what the user does
"""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.request import RequestSpec
from guiapp.core.serialize import spec_to_dict
from guiapp.ui.qt_helpers import named
from guiapp.ui.workspace.drafts import Drafts

if TYPE_CHECKING:
    from guiapp.ui.request_tab import RequestTab

__all__ = ["CompareDialog", "ConflictBar", "ConflictResolver", "unified_diff"]


def _lines(spec: RequestSpec) -> list[str]:
    return json.dumps(spec_to_dict(spec), indent=2, sort_keys=True, ensure_ascii=False).split("\n")


def unified_diff(theirs: RequestSpec, mine: RequestSpec, name: str = "request") -> str:
    """A unified diff from their version (on disk) to mine (the draft).

    >>> print(unified_diff(RequestSpec(url="http://h/a"), RequestSpec(url="http://h/b"), "r"))
    ... # doctest: +ELLIPSIS
    --- r (on disk)
    +++ r (your draft)
    ...
    -  "url": "http://h/a"
    +  "url": "http://h/b"
    ...
    """
    diff = difflib.unified_diff(
        _lines(theirs), _lines(mine), f"{name} (on disk)", f"{name} (your draft)", lineterm=""
    )
    return "\n".join(diff) or "The two versions are the same."


class ConflictBar(QFrame):
    """The bar a tab shows while its file and its draft disagree."""

    keepMineClicked = Signal()
    takeTheirsClicked = Signal()
    compareClicked = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = named(
            QLabel(f"“{name}” changed on disk while you have unsaved changes."), "conflictLabel"
        )
        self.label.setWordWrap(True)
        self.keep_button = named(QPushButton("Keep Mine"), "conflictKeepMine")
        self.keep_button.setToolTip("Keep your draft; saving it replaces the file's new version")
        self.theirs_button = named(QPushButton("Take Theirs"), "conflictTakeTheirs")
        self.theirs_button.setToolTip("Show the file as it is now; your draft is dropped")
        self.compare_button = named(QPushButton("Compare…"), "conflictCompare")
        self.keep_button.clicked.connect(self.keepMineClicked)
        self.theirs_button.clicked.connect(self.takeTheirsClicked)
        self.compare_button.clicked.connect(self.compareClicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 2, 2)
        layout.addWidget(self.label, 1)
        for button in (self.keep_button, self.theirs_button, self.compare_button):
            layout.addWidget(button)


class CompareDialog(QDialog):
    """Their version and the draft as a unified diff, with Keep Mine / Take Theirs."""

    def __init__(self, diff: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare with the file on disk")
        self.text = named(QPlainTextEdit(diff), "compareText")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox()
        self.keep_button = buttons.addButton("Keep Mine", QDialogButtonBox.ButtonRole.AcceptRole)
        self.theirs_button = buttons.addButton(
            "Take Theirs", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.reject)
        self.keep_button.clicked.connect(self.reject)
        self.theirs_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(720, 480)


class ConflictResolver(QObject):
    """Shows a :class:`ConflictBar` on each tab in conflict and applies the user's choice."""

    def __init__(self, drafts: Drafts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.drafts = drafts
        self._bars: dict[Any, ConflictBar] = {}
        #: The compare dialog opened last (tests drive it).
        self.dialog: CompareDialog | None = None
        drafts.conflicted.connect(self._on_drafts_conflicted)
        drafts.stateChanged.connect(self._on_drafts_state_changed)

    def bar(self, tab: RequestTab) -> ConflictBar | None:
        """The conflict bar shown on ``tab`` (None when it has no conflict)."""
        return self._bars.get(tab)

    def _on_drafts_conflicted(self, tab: RequestTab) -> None:
        if tab in self._bars:
            return
        name = self.drafts.request_id(tab) or tab.editor.title()
        bar = ConflictBar(name, tab)
        bar.keepMineClicked.connect(lambda t=tab: self.drafts.keep_mine(t))
        bar.takeTheirsClicked.connect(lambda t=tab: self.drafts.revert(t))
        bar.compareClicked.connect(lambda t=tab: self.compare(t))
        layout = tab.layout()
        assert isinstance(layout, QBoxLayout)  # a RequestTab lays its parts out in a column
        layout.insertWidget(0, bar)
        self._bars[tab] = bar
        tab.destroyed.connect(lambda _=None, t=tab: self._bars.pop(t, None))

    def _on_drafts_state_changed(self, tab: RequestTab) -> None:
        if self.drafts.conflict(tab) is None:
            bar = self._bars.pop(tab, None)
            if bar is not None:
                bar.hide()
                bar.deleteLater()

    def compare(self, tab: RequestTab) -> CompareDialog | None:
        """Open the diff of ``tab``'s file (theirs) and its draft (mine); non-modal."""
        theirs = self.drafts.conflict(tab)
        if theirs is None:
            return None
        name = self.drafts.request_id(tab) or "request"
        dialog = CompareDialog(unified_diff(theirs, tab.editor.to_spec(), name), tab.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.keep_button.clicked.connect(lambda: self.drafts.keep_mine(tab))
        dialog.theirs_button.clicked.connect(lambda: self.drafts.revert(tab))
        self.dialog = dialog
        dialog.open()
        return dialog
