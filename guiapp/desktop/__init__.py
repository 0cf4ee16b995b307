"""The app's place on the desktop: its icon, the launcher entry, logs and crash files, and the
check for a usable display.

- :mod:`guiapp.desktop.icon`: the application icon at the hicolor sizes (window and launcher).
- :mod:`guiapp.desktop.entry`: ``guiapp --install-desktop-entry`` (freedesktop launcher,
  icons, AppStream metainfo).
- :mod:`guiapp.desktop.logs`: the rotating log file and the native-crash file.
- :mod:`guiapp.desktop.display`: one clear line instead of Qt's abort when no window can open.

``display`` and ``logs`` never import Qt; ``icon`` and ``entry`` do (loaded on first use).

Example::

    problem = display_problem()             # before the QApplication exists
    files = start_logging(default_log_dir())
    app.setWindowIcon(app_icon())
"""

from typing import Any

from guiapp.desktop.display import NO_DISPLAY_EXIT, display_problem
from guiapp.desktop.logs import LogFiles, default_log_dir, start_logging

__all__ = [
    "APP_ID",
    "ICON_SIZES",
    "NO_DISPLAY_EXIT",
    "LogFiles",
    "app_icon",
    "default_log_dir",
    "display_problem",
    "install_desktop_entry",
    "render_png",
    "start_logging",
    "xdg_data_home",
]

# The icon and the launcher entry draw with Qt: imported on first use, so that the display check
# and the logs (Qt-free) work where Qt's libraries cannot load.
_LAZY = {
    "APP_ID": "guiapp.desktop.entry",
    "install_desktop_entry": "guiapp.desktop.entry",
    "xdg_data_home": "guiapp.desktop.entry",
    "ICON_SIZES": "guiapp.desktop.icon",
    "app_icon": "guiapp.desktop.icon",
    "render_png": "guiapp.desktop.icon",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
