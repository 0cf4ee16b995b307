"""``guiapp --install-desktop-entry``: a launcher entry, icons and AppStream metainfo for the
freedesktop desktops (GNOME, KDE, Xfce, ...), installed for the current user only.

Files written under the user's XDG data directory (``$XDG_DATA_HOME``, by default
``~/.local/share``)::

    applications/guiapp.desktop                  launcher entry; Exec runs this installation
    icons/hicolor/<N>x<N>/apps/guiapp.png        N = 16, 24, 32, 48, 64, 128, 256, 512
    icons/hicolor/scalable/apps/guiapp.svg
    metainfo/guiapp.metainfo.xml                 AppStream description (software centres)

The application ID is ``guiapp``: it names the desktop file, the icon and the AppStream
component, and the app announces it with ``QGuiApplication.setDesktopFileName`` so the window is
matched with its launcher. (AppStream prefers reverse-DNS IDs; one needs a domain the project
owns, and the ID would then change in all four places together.)

Example::

    $ guiapp --install-desktop-entry          # prints the files it wrote

    paths = install_desktop_entry(tmp_path, command=["/opt/guiapp/bin/guiapp-gui"])
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from guiapp.desktop.icon import ICON_SIZES, app_icon_svg, render_png

__all__ = ["APP_ID", "default_command", "desktop_exec", "install_desktop_entry", "xdg_data_home"]

#: The desktop file name (without ``.desktop``), icon name and AppStream ID.
APP_ID = "guiapp"
# Characters that make the Desktop Entry spec require an argument to be quoted.
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


def xdg_data_home() -> Path:
    """``$XDG_DATA_HOME`` if set to an absolute path, else ``~/.local/share`` (the spec's rule)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def default_command() -> list[str]:
    """How the launcher starts this installation: its ``guiapp-gui`` script when it sits next
    to the running interpreter (a virtualenv, pipx), else ``<python> -m guiapp``."""
    python = Path(sys.executable)
    script = python.with_name("guiapp-gui")
    if script.is_file():
        return [str(script)]
    return [str(python), "-m", "guiapp"]


def desktop_exec(command: Sequence[str]) -> str:
    """``command`` as the value of a desktop file's ``Exec`` key, quoted and escaped per the
    Desktop Entry specification.

    >>> desktop_exec(["/opt/my apps/python", "-m", "guiapp"])
    '"/opt/my apps/python" -m guiapp'
    >>> desktop_exec(["/opt/100%/guiapp"])
    '/opt/100%%/guiapp'
    """
    if not command:
        raise ValueError("the launcher command is empty")
    words = []
    for arg in command:
        if "\n" in arg or "\r" in arg:
            raise ValueError(f"a launcher command cannot contain a line break: {arg!r}")
        arg = arg.replace("%", "%%")  # field codes start with %
        if any(char in _RESERVED for char in arg):
            arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
        words.append(arg)
    # Exec is a string value: its backslashes are escaped once more at the file level.
    return " ".join(words).replace("\\", "\\\\")


def install_desktop_entry(
    data_home: Path | None = None, *, command: Sequence[str] | None = None
) -> list[Path]:
    """Write the launcher entry, the icons and the metainfo under ``data_home`` (default:
    :func:`xdg_data_home`); returns the files written. Installing again overwrites them.

    ``command`` is what the launcher runs (default: :func:`default_command`). Each file is
    written to a temporary name and renamed, so a desktop never sees half a file. Raises
    OSError when a directory cannot be created or written.
    """
    root = Path(data_home) if data_home is not None else xdg_data_home()
    exec_value = desktop_exec(command if command is not None else default_command())
    template = (files("guiapp.desktop") / "guiapp.desktop").read_text(encoding="utf-8")
    outputs: list[tuple[Path, bytes]] = [
        (
            root / "applications" / f"{APP_ID}.desktop",
            template.replace("@EXEC@", exec_value).encode("utf-8"),
        ),
        (root / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg", app_icon_svg()),
        (
            root / "metainfo" / f"{APP_ID}.metainfo.xml",
            (files("guiapp.desktop") / "guiapp.metainfo.xml").read_bytes(),
        ),
    ]
    for size in ICON_SIZES:
        path = root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        outputs.append((path, render_png(size)))
    for path, data in outputs:
        _write_atomically(path, data)
    return [path for path, _ in outputs]


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)  # launcher files are read by the desktop shell, not secret
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
