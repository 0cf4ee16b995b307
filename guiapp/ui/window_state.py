"""Remember the window between runs: geometry, layout, theme, strategy and the open requests.

The ``gui-thread`` strategy (which freezes the window on every send) is never brought back: a
launch that finds it saved starts with the default, ``asyncio-executor``.

Stored with :class:`QSettings` in an ini file under the app's data directory (never the system
registry), so tests pointing ``data_dir`` at ``tmp_path`` are isolated; the file is ``0600``.
Requests are saved as written, ``{{variables}}`` kept (so a secret comes back from the keyring
when the request is sent), with every secret *value* masked: the values of the secret
variables in effect, and credentials typed literally (auth passwords and tokens,
``Authorization``/``Cookie`` values, URL passwords), which are saved as ``***``. A restored tab
holding ``***`` must have that field re-entered: Send refuses to send ``***``
(:func:`~guiapp.core.secret_mask.fields_to_reenter`).

The dock and toolbar layout (``QMainWindow.restoreState``) is applied when the window is first
shown, not in :meth:`WindowState.restore`: docks that components add after the restore (the
workspace's Collections dock, the environment toolbar) must exist by then, or Qt drops their
saved place.

Example::

    state = WindowState(data_dir / "settings.ini")
    state.restore(window)      # before show(); the dock layout follows at the first show
    ...
    state.save(window)         # from closeEvent
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings

from guiapp.core.private_files import make_private
from guiapp.core.request import RequestSpec
from guiapp.core.secret_mask import fields_to_reenter, mask_template
from guiapp.core.serialize import spec_from_dict, spec_to_dict
from guiapp.lab.strategies import SEND_STRATEGY_IDS
from guiapp.ui.reenter_marks import mark_reenter
from guiapp.ui.sent_secrets import secret_values

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow

__all__ = ["DEFAULT_STRATEGY", "NOT_REMEMBERED_STRATEGIES", "WindowState"]

_log = logging.getLogger(__name__)

#: The strategy a new window starts with (the combo's first item).
DEFAULT_STRATEGY = SEND_STRATEGY_IDS[0]
#: Strategies that are saved but not restored: a remembered ``gui-thread`` would freeze every
#: send of the next launch, so the next launch starts with :data:`DEFAULT_STRATEGY` instead.
NOT_REMEMBERED_STRATEGIES = frozenset({"gui-thread"})


class WindowState:
    """Save and restore a :class:`~guiapp.ui.main_window.MainWindow`'s state in an ini file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.settings = QSettings(str(path), QSettings.Format.IniFormat)

    def save(self, window: MainWindow) -> None:
        """Write the window's state now."""
        s = self.settings
        s.setValue("window/geometry", window.saveGeometry())
        s.setValue("window/state", window.saveState())
        s.setValue("window/theme", window.themes.mode)
        s.setValue("session/strategy", window.bar.strategy())
        drafts = []
        secrets = secret_values(window)
        for tab in window.request_tabs():
            try:
                drafts.append(spec_to_dict(mask_template(tab.editor.to_spec(), secrets)))
            except Exception:  # a half-typed draft that cannot form a spec is not worth a crash
                _log.exception("could not save a request draft")
        s.setValue("session/requests", json.dumps(drafts))
        s.setValue("session/current", window.tabs.currentIndex())
        s.sync()
        make_private(self.path)  # settings hold the open requests: readable by the user only

    def restore(self, window: MainWindow) -> bool:
        """Apply the saved state; True if saved requests were restored."""
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            window.restoreGeometry(geometry)
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            _LayoutOnFirstShow(window, state)
        theme = str(s.value("window/theme", "system"))
        if theme in ("system", "light", "dark"):
            window.themes.set_mode(theme)
            for action in window.theme_actions():
                action.setChecked(action.data() == theme)
        window.bar.set_strategy(_restorable_strategy(s.value("session/strategy", DEFAULT_STRATEGY)))
        specs = self._saved_specs()
        if not specs:
            return False
        window.replace_tabs(specs, _int(s.value("session/current", 0)))
        reenter = sum(1 for spec in specs if fields_to_reenter(spec))
        for tab in window.request_tabs():
            mark_reenter(tab.editor)
        if reenter:
            tabs = "tab needs" if reenter == 1 else "tabs need"
            window.show_message(
                f"{reenter} restored {tabs} a secret re-entered (marked ***): secret values "
                "are never saved with the open tabs.",
                "error",
            )
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


class _LayoutOnFirstShow(QObject):
    """Restores a saved dock/toolbar layout when the window is first shown, then goes away."""

    def __init__(self, window: MainWindow, state: QByteArray) -> None:
        super().__init__(window)
        self._window = window
        self._state = state
        if window.isVisible():  # already shown: every dock is there now
            self._apply()
        else:
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Show:
            self._window.removeEventFilter(self)
            self._apply()
        return False

    def _apply(self) -> None:
        if not self._window.restoreState(self._state):
            _log.warning("ignoring an unreadable saved window layout")
        self.deleteLater()


def _restorable_strategy(saved: object) -> str:
    """The strategy to select at start-up for the ``saved`` one.

    >>> _restorable_strategy("qthread"), _restorable_strategy("gui-thread")
    ('qthread', 'asyncio-executor')
    """
    strategy = str(saved)
    return DEFAULT_STRATEGY if strategy in NOT_REMEMBERED_STRATEGIES else strategy


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
