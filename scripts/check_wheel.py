"""Build guiapp's wheel from a clone without symlinks, install it into a fresh virtualenv and
start the app there (offscreen), checking that its icons and stylesheets came with it.

A checkout without symlinks is what Git gives on Windows by default; the wheel must not depend
on how the source was checked out. The clone is of the current commit (uncommitted changes are
not part of it).

The fresh virtualenv gets the wheel alone; its dependencies (PySide6 and the rest, about
300 MB) are borrowed read-only from the interpreter running this script, so the check needs no
download but the build backend. ``--full`` installs them from the package index instead.

Example::

    $ python scripts/check_wheel.py            # exits 0 and prints "wheel OK" when all is well
    $ python scripts/check_wheel.py --full     # also resolve the dependencies from the index
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Files the wheel must carry (the app cannot start without them).
REQUIRED = (
    "guiapp/resources/__init__.py",
    "guiapp/resources/icons/app.svg",
    "guiapp/resources/icons/send.svg",
    "guiapp/resources/styles/light.qss",
    "guiapp/resources/styles/dark.qss",
    "guiapp/desktop/guiapp.svg",
    "guiapp/desktop/guiapp.desktop",
    "guiapp/desktop/guiapp.metainfo.xml",
)
_STEP_TIMEOUT = 300  # seconds, per subprocess

# Run inside the fresh virtualenv: the installed package, not the source tree, must start.
_STARTUP_CHECK = r"""
import sys, tempfile
from pathlib import Path
import guiapp
where = Path(guiapp.__file__).resolve()
assert Path(sys.prefix).resolve() in where.parents, f"guiapp imported from {where}"
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from guiapp.ui.icons import icon
from guiapp.ui.theme import stylesheet
for name in ("app", "send", "cancel", "history"):
    image = icon(name).pixmap(32, 32).toImage()
    assert not image.isNull(), f"icon {name} is empty"
    assert any(image.pixelColor(x, y).alpha() for x in range(32) for y in range(32)), name
for dark in (False, True):
    assert "QMainWindow" in stylesheet(dark), f"stylesheet dark={dark} is missing"
from guiapp.app import create_window
data = Path(tempfile.mkdtemp())
(data / "settings.ini").write_text("")  # not a first run: no demo server to start
window = create_window(data)
window.show()
app.processEvents()
assert window.isVisible()
assert len(window.windowIcon().availableSizes()) >= 8, "the window icon is missing"
window.close()
window.shutdown()
print("app started from", where.parent)
"""


def _run(cmd: list[str], **kwargs: object) -> None:
    shown = [arg if len(arg) < 80 else arg.strip().splitlines()[0] + " ..." for arg in cmd]
    print("$", " ".join(shown), flush=True)
    subprocess.run(cmd, check=True, timeout=_STEP_TIMEOUT, **kwargs)  # type: ignore[call-overload]


def check(work: Path, *, full: bool) -> None:
    """Clone, build, install and start; raises on the first failure."""
    src = work / "src"
    _run(["git", "clone", "-q", "-c", "core.symlinks=false", str(REPO), str(src)])
    resources = src / "guiapp" / "resources"
    if resources.is_symlink() or not resources.is_dir():
        raise SystemExit(f"{resources} is not a real directory in a symlink-less clone")

    dist = work / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(src)])
    (wheel,) = dist.glob("guiapp-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise SystemExit(f"{wheel.name} lacks {', '.join(missing)}")
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in names):
        raise SystemExit(f"{wheel.name} carries no LICENSE")
    entry_points = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    if "[gui_scripts]" not in scripts or "guiapp-gui" not in scripts:
        raise SystemExit(f"{wheel.name} declares no guiapp-gui GUI script")
    print(f"{wheel.name}: {len(names)} files, resources and LICENSE present", flush=True)

    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if full:
        _run([str(python), "-m", "pip", "install", "-q", str(wheel)])
    else:
        _run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)])
        purelib = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
            timeout=_STEP_TIMEOUT,
        ).stdout.strip()
        # Appended after the fresh site-packages; .pth files in the borrowed directory are not
        # processed, so an editable guiapp installed there stays invisible.
        borrowed = sysconfig.get_paths()["purelib"]
        Path(purelib, "zz_borrowed_dependencies.pth").write_text(borrowed + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    _run([str(python), "-I", "-c", _STARTUP_CHECK], env=env, cwd=work)
    bin_dir = python.parent
    _run([str(bin_dir / "guiapp"), "--version"], env=env, cwd=work)


def main(argv: list[str] | None = None) -> int:
    """Run the check in a temporary directory; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="install dependencies from the index")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="guiapp-wheel-") as work:
        try:
            check(Path(work), full=args.full)
        except subprocess.CalledProcessError as exc:
            print(f"wheel check failed: {' '.join(map(str, exc.cmd))} exited {exc.returncode}")
            return 1
        except subprocess.TimeoutExpired as exc:
            print(f"wheel check failed: {exc.cmd} took over {exc.timeout} s")
            return 1
    print(f"wheel OK ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
