"""Remember the window between runs: geometry, layout, theme, strategy and the open requests.

Stored with :class:`QSettings` in an ini file under the app's data directory (never the system
registry), so tests pointing ``data_dir`` at ``tmp_path`` are isolated. Requests are saved
*redacted*: passwords, tokens and secret headers are written as ``***``, never in clear text.

Example::

    state = WindowState(data_dir / "settings.ini")
    state.restore(window)      # before show()
    ...
    state.save(window)         # from closeEvent
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

from guiapp.core.request import RequestSpec
from guiapp.core.serialize import spec_from_dict, spec_to_dict

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow

__all__ = ["WindowState"]

_log = logging.getLogger(__name__)


class WindowState:
    """Save and restore a :class:`~guiapp.ui.main_window.MainWindow`'s state in an ini file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.settings = QSettings(str(path), QSettings.Format.IniFormat)

    def has_requests(self) -> bool:
        """True if a previous run saved open requests."""
        return bool(self.settings.value("session/requests", ""))

    def save(self, window: MainWindow) -> None:
        """Write the window's state now."""
        s = self.settings
        s.setValue("window/geometry", window.saveGeometry())
        s.setValue("window/state", window.saveState())
        s.setValue("window/theme", window.themes.mode)
        s.setValue("session/strategy", window.bar.strategy())
        drafts = []
        for tab in window.request_tabs():
            try:
                drafts.append(spec_to_dict(tab.editor.to_spec().redacted()))
            except Exception:  # a half-typed draft that cannot form a spec is not worth a crash
                _log.exception("could not save a request draft")
        s.setValue("session/requests", json.dumps(drafts))
        s.setValue("session/current", window.tabs.currentIndex())
        s.sync()

    def restore(self, window: MainWindow) -> bool:
        """Apply the saved state; True if saved requests were restored."""
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            window.restoreGeometry(geometry)
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            window.restoreState(state)
        theme = str(s.value("window/theme", "system"))
        if theme in ("system", "light", "dark"):
            window.themes.set_mode(theme)
            for action in window.theme_actions():
                action.setChecked(action.data() == theme)
        window.bar.set_strategy(str(s.value("session/strategy", "asyncio-executor")))
        specs = self._saved_specs()
        if not specs:
            return False
        window.replace_tabs(specs, _int(s.value("session/current", 0)))
        return True

    def _saved_specs(self) -> list[RequestSpec]:
        raw = self.settings.value("session/requests", "")
        if not raw:
            return []
        try:
            return [spec_from_dict(item) for item in json.loads(str(raw))]
        except (ValueError, TypeError):
            _log.warning("ignoring unreadable saved requests in %s", self.path, exc_info=True)
            return []


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
