"""Before Qt opens a window: is there a display, and can Qt's X11 plugin load?

Without either, Qt prints several lines ending with a hint to reinstall the application and
aborts the process. :func:`display_problem` finds those cases first and says in one line what to
install or set; the app then exits with :data:`NO_DISPLAY_EXIT`.

Only Linux and the BSDs are checked (Windows and macOS always have a display). A platform
chosen with ``QT_QPA_PLATFORM`` other than ``xcb``/``wayland`` (``offscreen``, ``vnc``, ...) is
left to Qt.

Example::

    problem = display_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return NO_DISPLAY_EXIT
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["NO_DISPLAY_EXIT", "debian_package", "display_problem", "missing_libraries"]

#: Exit code of ``guiapp`` when no window can be opened.
NO_DISPLAY_EXIT = 3
_WINDOWED = ("xcb", "wayland", "wayland-egl")
_NOT_FOUND = re.compile(r"^\s*(\S+) => not found", re.MULTILINE)
_DLOPEN_ERROR = re.compile(r"(\S+\.so[.\d]*): cannot open shared object file")


def display_problem(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str | None = None,
    find_missing: Callable[[], list[str]] | None = None,
) -> str | None:
    """One line saying why no window can be opened, or None when Qt should manage.

    >>> display_problem({}, platform="linux")[:40]
    'guiapp: no display to open a window on ('
    >>> display_problem({"QT_QPA_PLATFORM": "offscreen"}, platform="linux") is None
    True
    >>> display_problem({"DISPLAY": ":0"}, platform="linux", find_missing=lambda: []) is None
    True
    """
    env = os.environ if environ is None else environ
    system = sys.platform if platform is None else platform
    if not system.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    chosen = [name.split(":")[0].strip() for name in env.get("QT_QPA_PLATFORM", "").split(";")]
    chosen = [name for name in chosen if name]
    if chosen and chosen[0] not in _WINDOWED:
        return None
    x11, wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if not x11 and not wayland:
        return (
            "guiapp: no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is "
            "set): start it from a desktop session, or set QT_QPA_PLATFORM=offscreen to run "
            "without a screen"
        )
    uses_x11 = chosen[:1] == ["xcb"] or (not chosen and not wayland)
    if not uses_x11:
        return None
    missing = (find_missing or missing_libraries)()
    if not missing:
        return None
    packages = " ".join(sorted({debian_package(name) for name in missing}))
    return (
        f"guiapp: Qt's X11 support needs system libraries that are missing: "
        f"{', '.join(missing)} (Debian/Ubuntu: sudo apt install {packages}); or set "
        "QT_QPA_PLATFORM=offscreen to run without a screen"
    )


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships library ``soname`` (Debian's naming rule).

    >>> debian_package("libxcb-cursor.so.0")
    'libxcb-cursor0'
    >>> debian_package("libxkbcommon-x11.so.0")
    'libxkbcommon-x11-0'
    >>> debian_package("libEGL.so.1")
    'libegl1'
    """
    name, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    separator = "-" if name[-1:].isdigit() else ""
    return f"{name}{separator}{version}".lower()


def missing_libraries(plugin: Path | None = None) -> list[str]:
    """System libraries that Qt's X11 platform plugin needs and cannot find (sonames).

    Uses ``ldd`` when present (it names every missing library), else tries to load the plugin
    (which names the first).
    """
    target = plugin if plugin is not None else _xcb_plugin()
    if target is None or not target.exists():
        return []
    ldd = shutil.which("ldd")
    if ldd is not None:
        try:
            listing = subprocess.run(
                [ldd, str(target)], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            listing = None
        if listing is not None:
            return sorted(set(_NOT_FOUND.findall(listing)))
    try:
        ctypes.CDLL(str(target))
    except OSError as exc:
        return _DLOPEN_ERROR.findall(str(exc))[:1] or [target.name]
    return []


def _xcb_plugin() -> Path | None:
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    candidate = plugins / "platforms" / "libqxcb.so"
    return candidate if candidate.exists() else None
