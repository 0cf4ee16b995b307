"""Every docstring example in the Qt-free layers runs and says what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import guiapp.core
import guiapp.offload
import guiapp.runner


def _modules(package: object) -> list[str]:
    path = package.__path__  # type: ignore[attr-defined]
    prefix = package.__name__ + "."  # type: ignore[attr-defined]
    names = [package.__name__]  # type: ignore[attr-defined]
    for info in pkgutil.walk_packages(path, prefix):
        if ".qt" in info.name or "._qt" in info.name:
            continue  # Qt adapters need a QApplication; their examples are covered by tests/qt
        names.append(info.name)
    return names


@pytest.mark.parametrize(
    "module_name", _modules(guiapp.core) + _modules(guiapp.offload) + _modules(guiapp.runner)
)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"
