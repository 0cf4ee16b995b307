"""The app's place on the desktop: its icon, the launcher entry, logs and crash files, and the
check for a usable display.

- :mod:`guiapp.desktop.icon`: the application icon at the hicolor sizes (window and launcher).
- :mod:`guiapp.desktop.entry`: ``guiapp --install-desktop-entry`` (freedesktop launcher,
  icons, AppStream metainfo).
- :mod:`guiapp.desktop.logs`: the rotating log file and the native-crash file.
- :mod:`guiapp.desktop.display`: one clear line instead of Qt's abort when no window can open.

Example::

    problem = display_problem()             # before the QApplication exists
    files = start_logging(default_log_dir())
    app.setWindowIcon(app_icon())
"""

from guiapp.desktop.display import NO_DISPLAY_EXIT, display_problem
from guiapp.desktop.entry import APP_ID, install_desktop_entry, xdg_data_home
from guiapp.desktop.icon import ICON_SIZES, app_icon, render_png
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
