"""Every docstring example of guiapp.offload's non-Qt modules runs and shows what it says."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "guiapp.offload",
    "guiapp.offload._api",
    "guiapp.offload._job",
    "guiapp.offload._pool",
    "guiapp.offload._process",
    "guiapp.offload._progress",
    "guiapp.offload._threads",
    "guiapp.offload._child",
    "guiapp.offload._items",
]

# Public names whose docstring must carry an example (">>>" or an indented "::" block).
PUBLIC_WITH_EXAMPLES = [
    "Job",
    "Offloader",
    "ProcessOffloader",
    "SerialLane",
    "default_offloader",
    "make_async",
    "reset_default_offloader",
    "run_blocking",
    "RemoteTraceback",
    "ItemStream",
    "JobItems",
    "emit",
    "emit_many",
]


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_pass(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


@pytest.mark.parametrize("name", PUBLIC_WITH_EXAMPLES)
def test_public_api_is_exported_and_documented_with_an_example(name: str) -> None:
    import guiapp.offload

    assert name in guiapp.offload.__all__
    doc = getattr(guiapp.offload, name).__doc__ or ""
    assert ">>>" in doc or "::" in doc, f"{name} has no example in its docstring"


def test_all_names_resolve_and_qt_is_not_imported() -> None:
    import subprocess
    import sys

    code = (
        "import sys, guiapp.offload as o; [getattr(o, n) for n in o.__all__]; "
        "qt = ('PySide6', 'qasync', 'guiapp.offload.qt'); "
        "bad = [m for m in sys.modules if m.startswith(qt)]; "
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
