"""The request editor's Tests tab: checks and captures edited in tables, validated with clear
messages, and saved with the request through the editor's own edit path."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QTableWidget

from guiapp.core.captures import Capture
from guiapp.core.checks import Check
from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import RequestTests
from guiapp.ui.main_window import MainWindow
from guiapp.ui.request_editor import RequestEditor
from guiapp.ui.request_tests_editor import RequestTestsEditor, parse_expected, show_expected
from guiapp.ui.workspace import WorkspaceController
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until
from tests.ui.test_workspace_tree import open_test_collection

workspace = test_workspace_tree.workspace  # the fixture

TESTS = RequestTests(
    checks=(
        Check("status", "in range", [200, 299]),
        Check("header", "contains", "json", name="Content-Type"),
        Check("body", "==", "7", path="$.id", enabled=False),
        Check("body", "exists", path="$.items"),
    ),
    captures=(
        Capture("token", "body", "$.access_token", secret=True),
        Capture("code", "status"),
        Capture("loc", "header", "Location", enabled=False),
    ),
)


def test_tests_round_trip_through_the_tables(qtbot: Any) -> None:
    editor = RequestTestsEditor()
    qtbot.addWidget(editor)
    editor.load_tests(TESTS)
    assert editor.checks.rowCount() == 4
    assert editor.captures.item(0, 1).text() == "token"
    assert editor.to_tests() == TESTS
    assert editor.problems() == []
    editor.load_tests(None)
    assert editor.count() == 0
    assert not editor.to_tests()


def test_expected_values_read_as_json_or_text() -> None:
    for value in (200, "ok", "200", [200, 299], True, None, "a b", 1.5):
        assert parse_expected(show_expected(value)) == value
    assert parse_expected("200 - 299", "in range") == [200, 299]


def test_a_bad_jsonpath_is_explained_with_its_position_and_left_out(qtbot: Any) -> None:
    editor = RequestTestsEditor()
    qtbot.addWidget(editor)
    with qtbot.waitSignal(editor.edited):
        row = editor.add_check("body", "$.a[?@.b >", "exists", "")
    assert not editor.to_tests()
    (problem,) = editor.problems()
    assert problem.startswith("Check 1: invalid JSONPath $.a[?@.b >")
    assert "at position" in problem
    assert editor.problem.isVisibleTo(editor)
    assert "position" in editor.checks.item(row, 2).toolTip()
    with qtbot.waitSignal(editor.edited):
        editor.checks.item(row, 2).setText("$.a[?@.b > 1]")  # as the user fixes it
    assert editor.problems() == []
    assert not editor.problem.isVisibleTo(editor)
    assert editor.to_tests().checks == (Check("body", "exists", path="$.a[?@.b > 1]"),)


def test_each_kind_of_mistake_has_its_own_message(qtbot: Any) -> None:
    editor = RequestTestsEditor()
    qtbot.addWidget(editor)
    editor.add_check("header", "", "exists", "")
    editor.add_check("status", "", "in range", "200")
    editor.add_capture("my token", "body", "$.t")
    editor.add_capture("t", "regex", "(unclosed")
    editor.add_capture("u", "header", "")
    assert editor.problems() == [
        "Check 1: a header check needs the header name (not saved until fixed)",
        "Check 2: 'in range' needs a value [low, high] (not saved until fixed)",
        "Capture 1: “my token” cannot be a variable name: it contains a space"
        " (not saved until fixed)",
        "Capture 2: invalid regular expression '(unclosed': missing ), unterminated subpattern"
        " at position 0 (not saved until fixed)",
        "Capture 3: the capture of {{u}} needs a header path (not saved until fixed)",
    ]


def test_the_request_editor_carries_tests_in_its_spec(qtbot: Any) -> None:
    editor = RequestEditor()
    qtbot.addWidget(editor)
    spec = RequestSpec(url="http://h/login", method="POST", tests=TESTS)
    editor.load_spec(spec)
    assert editor.to_spec() == spec
    assert editor.tabText(5) == "Tests (3 checks, 2 captures)"  # rows switched off do not run
    with qtbot.waitSignal(editor.edited):
        editor.tests.add_capture("id", "body", "$.id")
    assert editor.to_spec().tests is not None
    assert editor.to_spec().tests.captured_names == {"token", "code", "id"}
    assert editor.tabText(5) == "Tests (3 checks, 3 captures)"
    # Switching a row off is an edit too, and it is saved off (not dropped).
    with qtbot.waitSignal(editor.edited):
        editor.tests.checks.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert not editor.to_spec().tests.checks[0].enabled  # type: ignore[union-attr]
    assert editor.tabText(5) == "Tests (2 checks, 3 captures)"


def test_changing_the_operator_is_an_edit(qtbot: Any) -> None:
    editor = RequestTestsEditor()
    qtbot.addWidget(editor)
    editor.add_check("status", "", "==", "200")
    combo = editor.checks.cellWidget(0, 3)
    assert isinstance(combo, QComboBox)
    with qtbot.waitSignal(editor.edited):
        combo.setCurrentText("!=")
    assert editor.to_tests().checks[0].op == "!="
    with qtbot.waitSignal(editor.edited):
        editor.checks.selectRow(0)
        editor.findChild(QPushButton, "checksTableRemove").click()
    assert editor.count() == 0


def test_test_edits_mark_a_saved_request_edited_and_are_saved_in_its_file(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    tab = ui_loop.run_until_complete(workspace.open_request_async("list-items.toml"))
    assert tab is not None
    assert not workspace.is_dirty(tab)
    tab.editor.tests.add_check("status", "", "==", "200")
    assert workspace.is_dirty(tab)  # the same state as any other edit
    workspace.save_current()  # Ctrl+S
    wait_until(
        ui_loop,
        lambda: (
            Collection.open(root).load_tests("list-items.toml").checks
            == (Check("status", "==", 200),)
        ),
    )
    text = (root / "list-items.toml").read_text()
    assert '[[checks]]\nsubject = "status"\nop = "=="\nvalue = 200' in text


def _visible_rows(table: QTableWidget) -> float:
    """How many rows the table shows without scrolling (fractions count)."""
    return table.viewport().height() / table.verticalHeader().defaultSectionSize()


def test_the_tests_tab_shows_several_checks_and_captures_in_the_window(
    qtbot: Any, window: MainWindow
) -> None:
    editor = window.current_tab().editor
    editor.tests.load_tests(TESTS)
    editor.setCurrentWidget(editor.tests)
    qtbot.waitUntil(lambda: editor.tests.checks.isVisible())
    assert _visible_rows(editor.tests.checks) >= 3
    assert _visible_rows(editor.tests.captures) >= 2
