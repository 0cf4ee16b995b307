"""Without a usable display the app says in one line what to install or set, and exits 3."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from guiapp.desktop import NO_DISPLAY_EXIT, display_problem
from guiapp.desktop.display import debian_package, missing_libraries, probe_libraries

REPO = Path(__file__).resolve().parents[2]


def _none_missing(part: str) -> list[str]:
    return []


def test_no_display_names_both_variables_and_the_offscreen_way_out() -> None:
    problem = display_problem({}, platform="linux", probe=_none_missing)
    assert problem is not None
    assert "DISPLAY" in problem
    assert "WAYLAND_DISPLAY" in problem
    assert "QT_QPA_PLATFORM=offscreen" in problem
    assert "\n" not in problem


@pytest.mark.parametrize(
    "environ",
    [
        {"QT_QPA_PLATFORM": "offscreen"},
        {"QT_QPA_PLATFORM": "vnc:size=800x600"},
        {"WAYLAND_DISPLAY": "wayland-0"},
        {"DISPLAY": ":0"},
        {"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"},
    ],
)
def test_a_usable_setup_is_left_to_qt(environ: dict[str, str]) -> None:
    assert display_problem(environ, platform="linux", probe=_none_missing) is None


def test_windows_and_macos_are_not_checked() -> None:
    assert display_problem({}, platform="win32") is None
    assert display_problem({}, platform="darwin") is None


def test_missing_x11_libraries_are_named_with_the_packages_to_install() -> None:
    def probe(part: str) -> list[str]:
        return ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0"] if part == "xcb" else []

    problem = display_problem({"DISPLAY": ":0"}, platform="linux", probe=probe)
    assert problem is not None
    assert "libxcb-cursor.so.0, libxkbcommon-x11.so.0" in problem
    assert "sudo apt install libxcb-cursor0 libxkbcommon-x11-0" in problem
    assert "QT_QPA_PLATFORM=offscreen" in problem
    assert "\n" not in problem


def test_missing_qt_libraries_are_named_even_offscreen() -> None:
    def probe(part: str) -> list[str]:
        return ["libGL.so.1", "libglib-2.0.so.0"] if part == "qt" else []

    environ = {"QT_QPA_PLATFORM": "offscreen"}
    problem = display_problem(environ, platform="linux", probe=probe)
    assert problem is not None
    assert problem.startswith("guiapp: Qt needs system libraries that are missing: libGL.so.1")
    assert "sudo apt install libgl1 libglib2.0-0" in problem


def test_with_an_x11_display_one_line_names_qt_and_x11_libraries() -> None:
    def probe(part: str) -> list[str]:
        return ["libGL.so.1"] if part == "qt" else ["libGL.so.1", "libxcb-icccm.so.4"]

    problem = display_problem({"DISPLAY": ":0"}, platform="linux", probe=probe)
    assert problem is not None
    assert (
        "libGL.so.1, libxcb-icccm.so.4 (Debian/Ubuntu: sudo apt install libgl1 libxcb-icccm4)"
        in problem
    )


def test_a_wayland_session_does_not_need_the_x11_libraries() -> None:
    def probe(part: str) -> list[str]:
        assert part == "qt", "the X11 plugin is not the one Qt will load"
        return []

    environ = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}
    assert display_problem(environ, platform="linux", probe=probe) is None


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libGL.so.1", "libgl1"),
        ("libgthread-2.0.so.0", "libglib2.0-0"),
    ],
)
def test_debian_package_names(soname: str, package: str) -> None:
    assert debian_package(soname) == package


@pytest.mark.skipif(sys.platform != "linux", reason="ldd is a Linux tool")
def test_missing_libraries_reads_every_not_found_line_of_ldd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ldd = tmp_path / "ldd"
    fake_ldd.write_text(
        "#!/bin/sh\n"
        "echo '\tlibxcb.so.1 => /usr/lib/libxcb.so.1 (0x0)'\n"
        "echo '\tlibxcb-icccm.so.4 => not found'\n"
        "echo '\tlibxcb-cursor.so.0 => not found'\n"
    )
    fake_ldd.chmod(0o755)
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert missing_libraries([plugin]) == ["libxcb-cursor.so.0", "libxcb-icccm.so.4"]
    assert missing_libraries([tmp_path / "absent.so"]) == []


def test_on_this_machine_qt_and_its_x11_plugin_load() -> None:
    assert probe_libraries("qt") == []  # the suite itself runs Qt here


@pytest.mark.skipif(sys.platform != "linux", reason="the check runs on Linux and the BSDs")
def test_the_app_without_a_display_prints_one_line_and_exits_3(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        [sys.executable, "-m", "guiapp", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == NO_DISPLAY_EXIT
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("guiapp: no display")
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert not (tmp_path / "data").exists()  # nothing was written
