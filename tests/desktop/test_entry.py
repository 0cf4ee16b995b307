"""guiapp --install-desktop-entry: what lands in the XDG data directory, and the Exec quoting."""

from __future__ import annotations

import configparser
import doctest
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

import guiapp.desktop.display
import guiapp.desktop.entry
from guiapp.desktop import ICON_SIZES, install_desktop_entry, xdg_data_home
from guiapp.desktop.entry import desktop_exec

REPO = Path(__file__).resolve().parents[2]


def _desktop_file(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_install_writes_the_launcher_icons_and_metainfo(tmp_path: Path) -> None:
    written = install_desktop_entry(tmp_path, command=["/opt/guiapp/bin/guiapp-gui"])
    names = sorted(path.relative_to(tmp_path).as_posix() for path in written)
    assert names == sorted(
        [
            "applications/guiapp.desktop",
            "icons/hicolor/scalable/apps/guiapp.svg",
            "metainfo/guiapp.metainfo.xml",
            *(f"icons/hicolor/{n}x{n}/apps/guiapp.png" for n in ICON_SIZES),
        ]
    )
    entry = _desktop_file(tmp_path / "applications" / "guiapp.desktop")
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "/opt/guiapp/bin/guiapp-gui"
    assert entry["Icon"] == "guiapp"
    assert entry["Terminal"] == "false"
    for size in ICON_SIZES:
        image = QImage(str(tmp_path / f"icons/hicolor/{size}x{size}/apps/guiapp.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 4).alpha() == 255  # the icon is drawn
    component = ET.parse(tmp_path / "metainfo" / "guiapp.metainfo.xml").getroot()
    assert component.findtext("id") == "guiapp"
    assert component.find("launchable").text == "guiapp.desktop"  # type: ignore[union-attr]
    assert os.stat(tmp_path / "applications" / "guiapp.desktop").st_mode & 0o777 == 0o644


def test_installing_again_replaces_the_files(tmp_path: Path) -> None:
    install_desktop_entry(tmp_path, command=["/old/guiapp"])
    install_desktop_entry(tmp_path, command=["/new/guiapp"])
    assert _desktop_file(tmp_path / "applications" / "guiapp.desktop")["Exec"] == "/new/guiapp"
    leftovers = [p.name for p in (tmp_path / "applications").iterdir()]
    assert leftovers == ["guiapp.desktop"]  # no temporary files left behind


def test_exec_quotes_paths_with_spaces_and_escapes_reserved_characters() -> None:
    assert desktop_exec(["/usr/bin/python3", "-m", "guiapp"]) == "/usr/bin/python3 -m guiapp"
    assert desktop_exec(["/home/a b/python"]) == '"/home/a b/python"'
    # Inside quotes ", `, $ and \ take a backslash; the file level doubles every backslash.
    assert desktop_exec(["/x/$HOME"]) == '"/x/\\\\$HOME"'
    assert desktop_exec(["/p/50%"]) == "/p/50%%"
    with pytest.raises(ValueError, match="line break"):
        desktop_exec(["/a\nb"])
    with pytest.raises(ValueError, match="empty"):
        desktop_exec([])


def test_the_data_home_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "/srv/share")
    assert xdg_data_home() == Path("/srv/share")
    monkeypatch.setenv("XDG_DATA_HOME", "relative/is/ignored")
    assert xdg_data_home() == Path.home() / ".local" / "share"


@pytest.mark.parametrize("module", [guiapp.desktop.entry, guiapp.desktop.display])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0


def test_the_command_installs_into_xdg_data_home_and_lists_the_files(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path), PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-m", "guiapp", "--install-desktop-entry"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split()
    assert str(tmp_path / "applications" / "guiapp.desktop") in listed
    assert len(listed) == 3 + len(ICON_SIZES)
    entry = _desktop_file(tmp_path / "applications" / "guiapp.desktop")
    assert entry["Exec"].startswith(str(Path(sys.executable).parent))  # this installation
