"""Before Qt opens a window: are Qt's system libraries there, is there a display, and can Qt's
X11 plugin load?

Without them Qt prints several lines ending with a hint to reinstall the application and
aborts the process (or PySide6 fails to import with a traceback). :func:`display_problem` finds
those cases first and says in one line what to install or set; ``guiapp`` then exits with
:data:`NO_DISPLAY_EXIT`. Nothing here imports Qt unless the libraries are known to load.

Only Linux and the BSDs are checked (Windows and macOS ship what Qt needs). A platform chosen
with ``QT_QPA_PLATFORM`` other than ``xcb``/``wayland`` (``offscreen``, ``vnc``, ...) needs no
display; Qt's own libraries are checked for every platform.

Example::

    problem = display_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return NO_DISPLAY_EXIT
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = [
    "NO_DISPLAY_EXIT",
    "debian_package",
    "display_problem",
    "missing_libraries",
    "probe_libraries",
]

#: Exit code of ``guiapp`` when no window can be opened.
NO_DISPLAY_EXIT = 3
_WINDOWED = ("xcb", "wayland", "wayland-egl")
_NOT_FOUND = re.compile(r"^\s*(\S+) => not found", re.MULTILINE)
_DLOPEN_ERROR = re.compile(r"(\S+\.so[.\d]*): cannot open shared object file")
# Sonames whose Debian package does not follow the naming rule.
_PACKAGES = {"libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0"}
#: What the app loads from PySide6 (``"qt"``), and Qt's X11 platform plugin (``"xcb"``).
_PARTS = {
    "qt": ("QtCore.abi3.so", "QtGui.abi3.so", "QtWidgets.abi3.so", "QtSvg.abi3.so"),
    "xcb": ("Qt/plugins/platforms/libqxcb.so",),
}


def display_problem(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str | None = None,
    probe: Callable[[str], list[str]] | None = None,
) -> str | None:
    """One line saying why no window can be opened, or None when Qt should manage.

    ``probe(part)`` lists the missing system libraries of ``"qt"`` or ``"xcb"`` (default:
    :func:`probe_libraries`).

    >>> nothing_missing = lambda part: []
    >>> display_problem({}, platform="linux", probe=nothing_missing)[:40]
    'guiapp: no display to open a window on ('
    >>> display_problem({"QT_QPA_PLATFORM": "offscreen"}, platform="linux", probe=nothing_missing)
    >>> display_problem({"DISPLAY": ":0"}, platform="linux", probe=nothing_missing)
    """
    env = os.environ if environ is None else environ
    system = sys.platform if platform is None else platform
    if not system.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    check = probe or probe_libraries
    chosen = [name.split(":")[0].strip() for name in env.get("QT_QPA_PLATFORM", "").split(";")]
    chosen = [name for name in chosen if name]
    windowed = not chosen or chosen[0] in _WINDOWED
    x11, wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    uses_x11 = x11 and (chosen[:1] == ["xcb"] or (not chosen and not wayland))
    missing = check("qt")
    if missing:  # one line for all of it: the X11 plugin's libraries too when it will load
        everything = sorted(set(missing) | set(check("xcb"))) if uses_x11 else missing
        return _install_line("Qt needs system libraries that are missing", everything, False)
    if not windowed:
        return None
    if not x11 and not wayland:
        return (
            "guiapp: no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is "
            "set): start it from a desktop session, or set QT_QPA_PLATFORM=offscreen to run "
            "without a screen"
        )
    if uses_x11:
        missing = check("xcb")
        if missing:
            what = "Qt's X11 support needs system libraries that are missing"
            return _install_line(what, missing, True)
    return None


def _install_line(what: str, missing: list[str], offscreen_helps: bool) -> str:
    packages = " ".join(sorted({debian_package(name) for name in missing}))
    line = f"guiapp: {what}: {', '.join(missing)} (Debian/Ubuntu: sudo apt install {packages})"
    if offscreen_helps:
        line += "; or set QT_QPA_PLATFORM=offscreen to run without a screen"
    return line


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships library ``soname`` (Debian's naming rule).

    >>> debian_package("libxcb-cursor.so.0")
    'libxcb-cursor0'
    >>> debian_package("libxkbcommon-x11.so.0")
    'libxkbcommon-x11-0'
    >>> debian_package("libEGL.so.1")
    'libegl1'
    >>> debian_package("libglib-2.0.so.0")
    'libglib2.0-0'
    """
    if soname in _PACKAGES:
        return _PACKAGES[soname]
    name, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    separator = "-" if name[-1:].isdigit() else ""
    return f"{name}{separator}{version}".lower()


def probe_libraries(part: str) -> list[str]:
    """The missing system libraries of ``part`` (``"qt"`` or ``"xcb"``), [] when it loads.

    Cheap when all is well: it loads the files as Qt would (which Qt then reuses); only on a
    failure does :func:`missing_libraries` list everything that is missing.
    """
    package = _pyside_dir()
    if package is None:
        return []
    targets = [package / name for name in _PARTS[part] if (package / name).exists()]
    for target in targets:
        try:
            ctypes.CDLL(str(target))
        except OSError as exc:
            return missing_libraries(targets) or _DLOPEN_ERROR.findall(str(exc))[:1]
    return []


def missing_libraries(targets: list[Path]) -> list[str]:
    """Every library that ``targets`` need and the system cannot find, by ``ldd`` (sonames,
    sorted); [] when ``ldd`` is not there."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    found: set[str] = set()
    for target in targets:
        if not target.exists():
            continue
        try:
            listing = subprocess.run(
                [ldd, str(target)], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        found.update(_NOT_FOUND.findall(listing))
    return sorted(found)


def _pyside_dir() -> Path | None:
    spec = importlib.util.find_spec("PySide6")  # locates the package without importing Qt
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
