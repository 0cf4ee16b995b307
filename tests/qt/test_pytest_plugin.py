"""The gui_responsive pytest plugin, run on a throwaway test project with pytester.

The inner project is a plain pytest-qt suite: no conftest, nothing imported from guiapp. The
plugin is named with ``-p`` so that the inner run also finds it in an environment installed
before its ``pytest11`` entry point existed (with the entry point, ``-p`` is a no-op).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

INNER_TESTS = """
import json
import time

import pytest
from PySide6.QtCore import QTimer

DOC = json.dumps([{"id": i, "tags": ["a", "b"]} for i in range(400_000)])


def test_quiet_block_passes(qtbot, gui_responsive):
    with gui_responsive(max_stall_ms=300) as budget:
        qtbot.wait(100)
    assert budget.reports() == []


def test_blocking_callback_fails(qtbot, gui_responsive):
    def on_timeout():
        time.sleep(0.4)

    with gui_responsive(max_stall_ms=50):
        QTimer.singleShot(10, on_timeout)
        qtbot.wait(700)


@pytest.mark.gui_responsive(max_stall_ms=50)
def test_marker_busy_test_body_fails(qtbot):
    qtbot.wait(30)
    json.loads(DOC)
    qtbot.wait(50)


@pytest.mark.gui_responsive(max_stall_ms=300)
def test_marker_quiet_passes(qtbot):
    qtbot.wait(100)


def test_error_in_block_is_reported_as_is(qtbot, gui_responsive):
    with gui_responsive(max_stall_ms=50):
        raise KeyError("the test's own error")
"""


def test_fixture_and_marker_fail_with_the_freeze_report(pytester: pytest.Pytester, qapp) -> None:
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest("-p", "guiapp.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*GUI thread stalled longer than 50 ms*",
            "*GUI thread blocked in a call: time.sleep(0.4) in on_timeout (*test_inner.py:*)*",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines(
        ["*GUI thread busy in json.loads(DOC) in test_marker_busy_test_body_fails*"]
    )
    result.stdout.fnmatch_lines(["*Stack of MainThread (innermost first):*"])
    result.stdout.fnmatch_lines(['*KeyError: "the test\'s own error"*'])
    assert "def check(self)" not in result.stdout.str()  # pytrace=False: the report only


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "guiapp.pytest_plugin", "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.gui_responsive(max_stall_ms=50):*"])


def test_declared_as_a_pytest11_entry_point() -> None:
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    entry_points = tomllib.loads(pyproject.read_text())["project"]["entry-points"]["pytest11"]
    assert entry_points == {"guiapp.pytest_plugin": "guiapp.pytest_plugin"}


def test_the_documented_minimal_example_fails_as_documented(pytester: pytest.Pytester) -> None:
    # docs/pytest-plugin.md: a foreign project's test file, nothing imported from guiapp.
    doc = (Path(__file__).resolve().parents[2] / "docs" / "pytest-plugin.md").read_text()
    section = doc.split("## A minimal example", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "guiapp" not in example
    pytester.makepyfile(test_search=example)
    result = pytester.runpytest("-p", "guiapp.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*GUI thread stalled longer than 50 ms*",
            "*GUI thread blocked in a call: time.sleep(0.3) in on_click (*test_search.py:12)*",
            "*Stack of MainThread (innermost first):*",
            "*on_click (*test_search.py:12)  time.sleep(0.3)*",
        ],
        consecutive=False,
    )
