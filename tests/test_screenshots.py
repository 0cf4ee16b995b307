"""scripts/screenshots.py shoots the real app (workspace attached) into PNGs that show something."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from types import ModuleType

from PySide6.QtGui import QImage

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "screenshots.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guiapp_screenshots", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _colours_and_lightness(path: Path) -> tuple[int, float]:
    """Distinct colours on a 40x40 grid of samples, and their mean lightness (0-255)."""
    image = QImage(str(path))
    assert not image.isNull(), path
    samples = [
        image.pixelColor(image.width() * i // 40, image.height() * j // 40)
        for i in range(40)
        for j in range(40)
    ]
    return len({c.rgb() for c in samples}), sum(c.lightness() for c in samples) / len(samples)


def test_screenshots_are_written_and_show_the_app(
    qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    script = _script()
    docs = tmp_path / "docs"
    docs.mkdir()
    shots = qloop.run_until_complete(
        asyncio.wait_for(script.take_screenshots(tmp_path / "shots", docs_dir=docs, settle=0.1), 90)
    )
    assert set(shots) == {"light", "dark", "cookies", "variables"}
    lightness = {}
    for name, path in shots.items():
        assert path.parent == tmp_path / "shots"
        image = QImage(str(path))
        assert (image.width(), image.height()) == script.WINDOW_SIZE, name
        colours, lightness[name] = _colours_and_lightness(path)
        assert colours > 20, f"{name}: {colours} colours, a blank or nearly blank image"
        copy = docs / script.DOCS_NAMES[name]
        assert copy.read_bytes() == path.read_bytes()
    # The themes were applied: a light window and a dark one.
    assert lightness["light"] > 180 > 100 > lightness["dark"]
