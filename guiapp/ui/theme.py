"""Light and dark themes that follow the system colour scheme unless the user picks one.

The stylesheets are ``guiapp/resources/styles/{light,dark}.qss``; the palette is set too so that
unstyled parts (scroll bars, check boxes, rich-text labels, custom-painted views such as the
response body) match. The stylesheet goes on the window, not the application, so several
windows in one process (tests) keep their own. The palette goes on the application as well:
once a widget has a stylesheet, Qt no longer propagates that widget's palette to its children
(they fall back to the application palette), so a window-only palette left the body viewer white
and the response summary dark on dark.

Example::

    themes = ThemeManager(window)
    themes.set_mode("dark")        # or "light", or "system" (default: follows QStyleHints)
    themes.themeChanged.connect(lambda dark: ...)
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

from guiapp.ui import icons

__all__ = ["THEME_MODES", "ThemeManager", "stylesheet"]

THEME_MODES = (("system", "Follow system"), ("light", "Light"), ("dark", "Dark"))
_ICON_COLORS = {False: "#4a5261", True: "#c9ced8"}


def stylesheet(dark: bool) -> str:
    """The stylesheet text of the dark or light theme.

    ``@icons/`` in the .qss stands for the icons directory: Qt stylesheets need a file path.
    """
    name = "dark.qss" if dark else "light.qss"
    resources = files("guiapp.resources")
    text = (resources / "styles" / name).read_text(encoding="utf-8")
    icons_dir = Path(str(resources / "icons")).as_posix()
    return text.replace("@icons/", icons_dir + "/")


_ROLES = {
    False: {
        QPalette.ColorRole.Window: "#f6f7f9",
        QPalette.ColorRole.WindowText: "#1d2330",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f3f5f8",
        QPalette.ColorRole.Text: "#1d2330",
        QPalette.ColorRole.Button: "#ffffff",
        QPalette.ColorRole.ButtonText: "#1d2330",
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: "#1d2330",
        QPalette.ColorRole.PlaceholderText: "#8a93a3",
        QPalette.ColorRole.Highlight: "#2f6fed",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#2f6fed",
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#e3e6eb",
        QPalette.ColorRole.Mid: "#cfd4dc",
        QPalette.ColorRole.Dark: "#9aa2ae",
        QPalette.ColorRole.Shadow: "#6b7280",
    },
    True: {
        QPalette.ColorRole.Window: "#1e2127",
        QPalette.ColorRole.WindowText: "#e3e6ec",
        QPalette.ColorRole.Base: "#262a31",
        QPalette.ColorRole.AlternateBase: "#2c3038",
        QPalette.ColorRole.Text: "#e3e6ec",
        QPalette.ColorRole.Button: "#2a2e36",
        QPalette.ColorRole.ButtonText: "#e3e6ec",
        QPalette.ColorRole.ToolTipBase: "#2a2e36",
        QPalette.ColorRole.ToolTipText: "#e3e6ec",
        QPalette.ColorRole.PlaceholderText: "#7d8594",
        QPalette.ColorRole.Highlight: "#2f6fed",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#7aa2f7",
        # Fusion draws bevels and tab-bar base lines with these: white ones glare in the dark.
        QPalette.ColorRole.Light: "#343a44",
        QPalette.ColorRole.Midlight: "#2f343c",
        QPalette.ColorRole.Mid: "#3b414c",
        QPalette.ColorRole.Dark: "#16181c",
        QPalette.ColorRole.Shadow: "#0f1013",
    },
}
_DISABLED_TEXT = {False: "#9aa2ae", True: "#6b7280"}


def _palette(dark: bool) -> QPalette:
    """The full palette of a theme (every role the stylesheet does not cover, explicitly)."""
    palette = QPalette()
    for role, colour in _ROLES[dark].items():
        palette.setColor(role, QColor(colour))
    disabled = QColor(_DISABLED_TEXT[dark])
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


class ThemeManager(QObject):
    """Applies the light or dark theme to ``window`` and tracks the system scheme."""

    #: The effective theme changed; ``True`` for dark.
    themeChanged = Signal(bool)

    def __init__(self, window: QWidget, mode: str = "system", hints: Any = None) -> None:
        """``hints``: where the system scheme comes from (default ``QGuiApplication.styleHints()``;
        anything with ``colorScheme()`` and a ``colorSchemeChanged`` signal)."""
        super().__init__(window)
        self._window = window
        self._mode = mode
        self._dark: bool | None = None
        self._hints = hints if hints is not None else QGuiApplication.styleHints()
        self._hints.colorSchemeChanged.connect(self._on_system_scheme_changed)
        self.apply()

    @property
    def mode(self) -> str:
        """``system``, ``light`` or ``dark``."""
        return self._mode

    @property
    def dark(self) -> bool:
        """True if the dark theme is showing."""
        return bool(self._dark)

    def set_mode(self, mode: str) -> None:
        """Choose ``system``, ``light`` or ``dark`` and apply it."""
        if mode not in dict(THEME_MODES):
            raise ValueError(f"unknown theme mode {mode!r}")
        self._mode = mode
        self.apply()

    def apply(self) -> None:
        """Apply the effective theme (no-op if it is already showing)."""
        dark = self._effective_dark()
        if dark == self._dark:
            return
        self._dark = dark
        icons.set_icon_color(_ICON_COLORS[dark])
        palette = _palette(dark)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            QGuiApplication.setPalette(palette)
        self._window.setPalette(palette)
        self._window.setStyleSheet(stylesheet(dark))
        self.themeChanged.emit(dark)

    def _effective_dark(self) -> bool:
        if self._mode != "system":
            return self._mode == "dark"
        return bool(self._hints.colorScheme() == Qt.ColorScheme.Dark)

    def _on_system_scheme_changed(self) -> None:
        if self._mode == "system":
            self.apply()
