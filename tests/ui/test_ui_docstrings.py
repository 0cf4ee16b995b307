"""The docstring examples of the window's pure helper modules run and say what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "guiapp.ui.url_params",
    "guiapp.ui.status_format",
    "guiapp.ui.request_bar",
    "guiapp.ui.request_body",
    "guiapp.ui.lag_indicator",
    "guiapp.ui.qt_helpers",
    "guiapp.ui.history_panel",
]


@pytest.mark.usefixtures("qapp")  # some examples build widgets
@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
