"""Conflicts: the file of a tab with a draft changed on disk; the user decides, nothing is lost.

A bar at the top of the tab (``conflictBar``) says so and offers **Keep Mine** (the draft stays,
the next save replaces their version knowingly), **Take Theirs** (the tab shows the file as it
is now; the draft is dropped) and **Compare** (``compareDialog``: a unified diff, coloured, of
the file's TOML text on disk and the text saving the draft would write, with the same two
choices). Neither side is ever overwritten silently.

Example::

    resolver = ConflictResolver(drafts)       # shows a bar on every tab drafts.conflicted names
    resolver.bar(tab).keep_button.click()     # what the user does
"""

from __future__ import annotations

import difflib
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
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

from guiapp.core.collections import Collection, CollectionError
from guiapp.offload.qt import async_slot
from guiapp.ui.qt_helpers import named
from guiapp.ui.workspace.drafts import Drafts

if TYPE_CHECKING:
    from guiapp.ui.request_tab import RequestTab

__all__ = [
    "CompareDialog",
    "ConflictBar",
    "ConflictResolver",
    "DiffHighlighter",
    "line_kind",
    "unified_diff",
]


def unified_diff(theirs: str, mine: str, name: str = "request") -> str:
    """A unified diff from their text (the file on disk) to mine (the draft, as saving it
    would write the file).

    >>> print(unified_diff('url = "http://h/a"\\n', 'url = "http://h/b"\\n', "r.toml"))
    --- r.toml (on disk)
    +++ r.toml (your draft)
    @@ -1 +1 @@
    -url = "http://h/a"
    +url = "http://h/b"
    """
    diff = difflib.unified_diff(
        theirs.splitlines(),
        mine.splitlines(),
        f"{name} (on disk)",
        f"{name} (your draft)",
        lineterm="",
    )
    return "\n".join(diff) or "The two versions are the same."


class DiffHighlighter(QSyntaxHighlighter):
    """Colours a unified diff: added lines green, removed lines red, hunk headers blue.

    Translucent backgrounds, so that the text stays readable in the light and the dark theme.
    """

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.formats: dict[str, QTextCharFormat] = {}
        for kind, rgba in _DIFF_COLOURS.items():
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(*rgba))
            self.formats[kind] = fmt
        self.formats["file"].setFontWeight(QFont.Weight.Bold)

    def highlightBlock(self, text: str) -> None:
        kind = line_kind(text)
        if kind is not None:
            self.setFormat(0, len(text), self.formats[kind])


#: Background per kind of diff line (red, green, blue, grey with alpha).
_DIFF_COLOURS = {
    "removed": (248, 81, 73, 70),
    "added": (46, 160, 67, 70),
    "hunk": (56, 139, 253, 60),
    "file": (128, 128, 128, 40),
}


def line_kind(line: str) -> str | None:
    """``"file"``, ``"hunk"``, ``"added"``, ``"removed"`` or None (a context line).

    >>> [line_kind(x) for x in ("--- a", "+++ b", "@@ -1 +1 @@", "-x", "+y", " z")]
    ['file', 'file', 'hunk', 'removed', 'added', None]
    """
    if line.startswith(("--- ", "+++ ")):
        return "file"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "added"
    if line.startswith("-"):
        return "removed"
    return None


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
    """Their version and the draft as a coloured unified diff, with Keep Mine / Take Theirs."""

    def __init__(self, diff: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare with the file on disk")
        self.text = named(QPlainTextEdit(diff), "compareText")
        self.highlighter = DiffHighlighter(self.text.document())
        self.highlighter.rehighlight()  # now, not on the next loop turn (it is a short text)
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

    #: A tab's conflict ended (Keep Mine, Take Theirs, a save or a reload): (tab).
    resolved = Signal(object)

    def __init__(self, drafts: Drafts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.drafts = drafts
        self._bars: dict[Any, ConflictBar] = {}
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
                self.resolved.emit(tab)

    @async_slot
    async def compare(self, tab: RequestTab) -> CompareDialog | None:
        """Open the diff of ``tab``'s file as it is on disk (theirs) and the file that saving
        its draft (mine) would write; non-modal. The files are read on the collection's lane."""
        col, request_id = self.drafts.collection_of(tab), self.drafts.request_id(tab)
        if self.drafts.conflict(tab) is None or col is None or request_id is None:
            return None
        draft = tab.editor.to_spec()
        name = PurePosixPath(request_id).name

        def diff(c: Collection) -> str:
            return unified_diff(*c.request_texts(request_id, draft), request_id)

        try:
            text = await self.drafts.service.call(diff, col)
        except (OSError, CollectionError) as exc:
            text = f"Could not read {name}: {exc}"
        if self.drafts.conflict(tab) is None:
            return None  # resolved (or the tab closed) while the files were read
        dialog = CompareDialog(text, tab.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.keep_button.clicked.connect(lambda: self.drafts.keep_mine(tab))
        dialog.theirs_button.clicked.connect(lambda: self.drafts.revert(tab))
        dialog.open()
        return dialog
