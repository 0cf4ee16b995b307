"""docs/architecture.md matches the code: the layers it draws are the enforced ones, and every
module, file, class and method it names exists."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
SOURCES = {path: path.read_text(encoding="utf-8") for path in (ROOT / "guiapp").rglob("*.py")}
CODE = set(re.findall(r"`([^`\n]+)`", DOC))


def _layers_contract() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c["layers"] for c in contracts if c["type"] == "layers")


def test_the_layers_drawn_are_the_enforced_ones() -> None:
    short = [
        " | ".join(name.strip().removeprefix("guiapp.") for name in layer.split("|"))
        for layer in _layers_contract()
    ]
    assert f"`{' -> '.join(short)}`" in DOC
    for layer in _layers_contract():
        for name in layer.split("|"):
            assert f"{name.strip()} " in DOC or f"{name.strip()}[" in DOC, name


def test_every_file_named_exists() -> None:
    files = {c for c in CODE if re.fullmatch(r"[\w/]+/[\w]+\.py|[\w/]+/", c)}
    assert len(files) > 15
    for name in files:
        candidates = [ROOT / name, ROOT / "guiapp" / name]
        assert any(path.exists() for path in candidates), name


def test_every_module_named_imports() -> None:
    modules = {c.split()[0] for c in CODE if re.fullmatch(r"guiapp(\.\w+)+", c.split()[0])}
    assert len(modules) > 5
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:  # a name inside a module: guiapp.app.main
            module, _, attr = name.rpartition(".")
            assert hasattr(importlib.import_module(module), attr), name


def test_every_class_member_named_exists() -> None:
    members = {c for c in CODE if re.fullmatch(r"[A-Z]\w+\.\w+", c)}
    assert len(members) >= 10
    for name in members:
        cls, attr = name.split(".")
        owners = [src for src in SOURCES.values() if re.search(rf"^class {cls}\b", src, re.M)]
        assert owners, f"no class {cls}"
        pattern = rf"^\s+(async def|def) {attr}\b|^\s+{attr}(: .*)? = |self\.{attr}\b"
        assert any(re.search(pattern, src, re.M) for src in owners), name


def test_every_function_named_exists() -> None:
    external = {"run_in_executor"}  # asyncio's, named for contrast
    functions = {c for c in CODE if re.fullmatch(r"[a-z_]+", c) and "_" in c} - external
    defined = "\n".join(SOURCES.values())
    for name in functions:
        pattern = rf"^\s*(async def|def|class) {name}\b|^\s*{name}(: [^=\n]+)? = "
        assert re.search(pattern, defined, re.M), f"{name} is named but not defined"
