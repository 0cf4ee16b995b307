"""Inputs that give back exactly the value they were loaded with until the user changes it.

A spin box shows a float rounded to its decimals, and a text editor turns ``\\r\\n`` into
``\\n``; a request loaded into the editor and saved again must not change because of that.
These widgets remember the loaded value and return it while what they show is unchanged.

Example::

    box = SecondsBox()
    box.set_exact(0.0625)          # shows "0.063 s"
    box.exact_value()              # 0.0625 (until the user edits the box)
    sizes = ByteSizeEdit()
    sizes.set_bytes(3 * 1024**2)   # shows "3" "MiB"
    sizes.bytes()                  # 3145728; None when "Limit" is unticked
    deadline = OptionalNumber(300.0, " s", "totalTimeout")
    deadline.set_value(None)       # "Limit" unticked, the box keeps showing 300
    deadline.value()               # None
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QPlainTextEdit,
    QWidget,
)

from guiapp.ui.qt_helpers import named

__all__ = ["BYTE_UNITS", "ByteSizeEdit", "CodeEdit", "OptionalNumber", "SecondsBox", "best_unit"]

#: (label, bytes) of the size units, largest last.
BYTE_UNITS = (("bytes", 1), ("KiB", 1024), ("MiB", 1024**2), ("GiB", 1024**3))
_MAX_BYTES = float(2**50)  # exact in a double; far beyond any response a desktop can hold


def best_unit(size: int) -> int:
    """The largest unit (index into :data:`BYTE_UNITS`) that divides ``size`` exactly.

    >>> [BYTE_UNITS[best_unit(n)][0] for n in (0, 1000, 2048, 5 * 1024**2, 3 * 1024**3)]
    ['bytes', 'bytes', 'KiB', 'MiB', 'GiB']
    """
    if size == 0:
        return 0
    for index in range(len(BYTE_UNITS) - 1, 0, -1):
        if size % BYTE_UNITS[index][1] == 0:
            return index
    return 0


class SecondsBox(QDoubleSpinBox):
    """Seconds with millisecond steps; :meth:`exact_value` keeps a loaded value's precision."""

    def __init__(self, value: float = 30.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(3)
        self.setRange(0.001, 1e6)
        self.setSuffix(" s")
        self.setSingleStep(1.0)
        self._loaded = (value, value)
        self.set_exact(value)

    def set_exact(self, value: float) -> None:
        self.setValue(value)
        self._loaded = (value, self.value())

    def exact_value(self) -> float:
        """The loaded value while the box still shows it (rounded), else what the box shows."""
        exact, shown = self._loaded
        return exact if self.value() == shown else self.value()


class ByteSizeEdit(QWidget):
    """An optional size: a "Limit" check box, a number and a unit (bytes, KiB, MiB, GiB).

    Exact in bytes: a loaded size is shown in the largest unit that divides it.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = named(QCheckBox("Limit"), "maxBodyLimit")
        self.enabled.setToolTip("Stop reading the response once its body is larger than this")
        self.amount = named(QDoubleSpinBox(), "maxBodySize")
        self.amount.setDecimals(0)
        self.amount.setRange(0, _MAX_BYTES)
        self.unit = named(QComboBox(), "maxBodyUnit")
        for label, size in BYTE_UNITS:
            self.unit.addItem(label, size)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.amount, 1)
        layout.addWidget(self.unit)
        self.enabled.toggled.connect(self._sync_enabled)
        self.enabled.toggled.connect(self.edited)
        self.amount.valueChanged.connect(self.edited)
        self.unit.currentIndexChanged.connect(self.edited)
        self.set_bytes(None)

    def set_bytes(self, size: int | None) -> None:
        """Show ``size`` (``None``: no limit)."""
        self.enabled.setChecked(size is not None)
        size = size or 0
        index = best_unit(size)
        self.unit.setCurrentIndex(index)
        self.amount.setValue(size // BYTE_UNITS[index][1])
        self._sync_enabled()

    def bytes(self) -> int | None:
        """The size in bytes, or ``None`` when no limit is set."""
        if not self.enabled.isChecked():
            return None
        return int(self.amount.value()) * int(self.unit.currentData())

    def _sync_enabled(self) -> None:
        on = self.enabled.isChecked()
        self.amount.setEnabled(on)
        self.unit.setEnabled(on)


class OptionalNumber(QWidget):
    """An optional limit: a "Limit" check box and an exact number (``None`` when unticked).

    The check box is named ``<name>Limit`` and the number ``<name>`` (a :class:`SecondsBox`
    with ``suffix``); unticked, the box shows ``default`` greyed out.
    """

    edited = Signal()

    def __init__(self, default: float, suffix: str, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.default = default
        self.enabled = named(QCheckBox("Limit"), f"{name}Limit")
        self.number = named(SecondsBox(default), name)
        self.number.setSuffix(suffix)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.number, 1)
        self.enabled.toggled.connect(self.number.setEnabled)
        self.enabled.toggled.connect(self.edited)
        self.number.valueChanged.connect(self.edited)
        self.set_value(default)

    def set_value(self, value: float | None) -> None:
        """Show ``value`` (``None``: no limit)."""
        self.enabled.setChecked(value is not None)
        self.number.set_exact(self.default if value is None else value)
        self.number.setEnabled(value is not None)

    def value(self) -> float | None:
        """The number as loaded or edited, or ``None`` when no limit is set."""
        return self.number.exact_value() if self.enabled.isChecked() else None

    def setToolTip(self, text: str) -> None:  # the parts carry it: the row is two widgets
        self.enabled.setToolTip(text)
        self.number.setToolTip(text)


class CodeEdit(QPlainTextEdit):
    """A monospace plain-text editor whose :meth:`text` is exactly the loaded text until edited.

    ``toPlainText()`` turns no-break spaces into spaces; :meth:`text` reads the raw document
    (no-break spaces kept). Line ends become ``\\n`` in any editor; the loaded text (e.g. with
    ``\\r\\n``) is returned as long as the shown text is unchanged.
    """

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText(placeholder)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(True)
        self._loaded: tuple[str, str] | None = None

    def set_text(self, text: str) -> None:
        self.setPlainText(text)
        self._loaded = (text, self._shown())

    def text(self) -> str:
        shown = self._shown()
        if self._loaded is not None and self._loaded[1] == shown:
            return self._loaded[0]
        return shown

    def _shown(self) -> str:
        # Blocks are separated by U+2029 in the raw text; a U+2028 typed by the user stays.
        return self.document().toRawText().replace("\u2029", "\n")
