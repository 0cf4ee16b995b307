"""The request bar: method, URL, Send, Cancel and the offloading strategy, shared by all tabs.

One instance exists per window and is bound to the current tab, so ``window.findChild(QLineEdit,
"urlEdit")`` always finds the URL field of the tab the user is looking at (docs/ui.md).

Example::

    bar = RequestBar()
    bar.sendRequested.connect(send)          # Send clicked, Enter or Ctrl+Enter in the URL
    bar.curlPasted.connect(import_curl)      # the user pasted "curl ..." into the URL field
    bar.strategy()                           # "asyncio-executor" (default), "qthread", "gui-thread"
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from guiapp.lab.strategies import SEND_STRATEGIES
from guiapp.ui import icons
from guiapp.ui.qt_helpers import named

__all__ = ["METHODS", "STRATEGIES", "RequestBar", "StableButton", "UrlEdit"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
#: (item data, label, tooltip) of the strategy combo; the data values are a public contract.
STRATEGIES = tuple((sid, cls.send_label, cls.send_tooltip) for sid, cls in SEND_STRATEGIES.items())


def looks_like_curl(text: str) -> bool:
    """True if ``text`` is a curl command line rather than a URL.

    >>> looks_like_curl("curl -X POST http://h/"), looks_like_curl("http://curl.se/")
    (True, False)
    """
    stripped = text.lstrip()
    return stripped.startswith("curl ") or stripped.startswith("curl\t")


class UrlEdit(QLineEdit):
    """A URL field that recognises a pasted curl command instead of inserting it."""

    #: The user pasted a curl command; the field's text is left unchanged.
    curlPasted = Signal(str)
    #: Ctrl+Enter (or Enter) pressed.
    submitted = Signal()

    def paste_text(self, text: str) -> None:
        """Paste ``text`` as the user would: a curl command is imported, anything else inserted."""
        if looks_like_curl(text):
            self.curlPasted.emit(text)
        else:
            self.insert(" ".join(text.split()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_text(QGuiApplication.clipboard().text())
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu()
        for action in menu.actions():
            if action.objectName() == "edit-paste":
                action.triggered.disconnect()
                action.triggered.connect(
                    lambda: self.paste_text(QGuiApplication.clipboard().text())
                )
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())


class StableButton(QPushButton):
    """A push button as wide as its widest label, so Send ↔ Resend never shifts the bar.

    >>> StableButton("Send", ("Send", "Resend")).alternate_texts
    ('Send', 'Resend')
    """

    def __init__(self, text: str, alternate_texts: tuple[str, ...]) -> None:
        super().__init__(text)
        self.alternate_texts = alternate_texts

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(text) for text in self.alternate_texts)
        extra = widest - metrics.horizontalAdvance(self.text())
        return QSize(hint.width() + max(0, extra), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class RequestBar(QWidget):
    """Method combo, URL field, Send/Cancel buttons and the strategy combo."""

    sendRequested = Signal()
    cancelRequested = Signal()
    curlPasted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestBar")
        self.method_combo = named(QComboBox(editable=True), "methodCombo")
        self.method_combo.addItems(METHODS)
        self.method_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.method_combo.setToolTip("HTTP method (type any other verb)")
        self.method_combo.setMinimumContentsLength(7)
        self.method_combo.setAccessibleName("HTTP method")
        method_text = self.method_combo.lineEdit()
        if method_text is not None:  # the editable combo's own text field
            method_text.setAccessibleName("HTTP method")
        self.url_edit = named(UrlEdit(), "urlEdit")
        self.url_edit.setPlaceholderText("Enter a URL, or paste a curl command")
        self.url_edit.setClearButtonEnabled(True)
        self.url_edit.setAccessibleName("Request URL")
        self.url_edit.setToolTip(
            "The request URL (Ctrl+L). Enter or Ctrl+Enter sends; pasting a curl command imports it"
        )
        # In a narrow window the URL keeps room to be read; the strategy combo gives way first.
        self.url_edit.setMinimumWidth(180)
        for clear in self.url_edit.findChildren(QToolButton):  # the built-in clear button
            clear.setToolTip("Clear the URL")
            clear.setAccessibleName("Clear the URL")
        self.send_button = named(StableButton("Send", ("Send", "Resend")), "sendButton")
        self.send_button.setIcon(icons.icon("send"))
        self.send_button.setToolTip("Send the request (Ctrl+Enter)")
        self.send_button.setDefault(True)
        self.cancel_button = named(QPushButton("Cancel"), "cancelButton")
        self.cancel_button.setIcon(icons.icon("cancel"))
        self.cancel_button.setToolTip("Cancel the request in flight (Esc)")
        self.cancel_button.setEnabled(False)
        self.strategy_combo = named(QComboBox(), "strategyCombo")
        for data, label, tip in STRATEGIES:
            self.strategy_combo.addItem(label, data)
            self.strategy_combo.setItemData(
                self.strategy_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.strategy_combo.setToolTip("How the blocking request is run off (or on) the GUI thread")
        self.strategy_combo.setAccessibleName("Send strategy")
        self.strategy_combo.setMinimumWidth(110)  # may shrink (text elided) in a narrow window

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.method_combo)
        layout.addWidget(self.url_edit, 1)
        layout.addWidget(self.send_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.strategy_combo)

        self.send_button.clicked.connect(self.sendRequested)
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.url_edit.submitted.connect(self.sendRequested)
        self.url_edit.curlPasted.connect(self.curlPasted)

    def strategy(self) -> str:
        """The selected strategy's id (see :data:`STRATEGIES`)."""
        return str(self.strategy_combo.currentData())

    def set_strategy(self, strategy: str) -> None:
        """Select the strategy with id ``strategy`` (unknown ids are ignored)."""
        index = self.strategy_combo.findData(strategy)
        if index >= 0:
            self.strategy_combo.setCurrentIndex(index)

    def focus_chain(self) -> list[QWidget]:
        """The bar's inputs in reading (and Tab) order."""
        return [
            self.method_combo,
            self.url_edit,
            self.send_button,
            self.cancel_button,
            self.strategy_combo,
        ]

    def set_in_flight(self, in_flight: bool) -> None:
        """Enable Cancel while the current tab has a request in flight."""
        if not in_flight and self.cancel_button.hasFocus():
            # Disabling the focused Cancel would push focus on to the strategy combo; a
            # keyboard user who just cancelled wants Send next.
            self.send_button.setFocus()
        self.cancel_button.setEnabled(in_flight)
        self.send_button.setText("Resend" if in_flight else "Send")
