"""``{{name}}`` in the request editor, without a window: the body's highlighter (formats on the
QTextDocument, composition with another highlighter, tooltips, theme), the tables' delegate
(painted colours, tooltips, untouched items), the lookup's texts (secrets masked), and text
without variables left exactly as it was."""

from __future__ import annotations

import time

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QPalette, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from guiapp.core.request import FormBody, JsonBody, MultipartBody, RequestSpec, TextBody, TextPart
from guiapp.core.variables import Environment, Variable, VariableScope
from guiapp.ui.request_editor import RequestEditor
from guiapp.ui.variables.delegate import VariableDelegate
from guiapp.ui.variables.editor import EditorVariables
from guiapp.ui.variables.highlighter import MAX_SPANS_PER_BLOCK, VariableHighlighter
from guiapp.ui.variables.lookup import (
    MASK,
    VariableLookup,
    variable_format,
    variable_spans,
)

COLLECTION = Environment("API", (Variable("base", "http://a"), Variable("v", "1")))
PROD = Environment("Prod", (Variable("base", "https://b"), Variable("token", "s3cr3t", True)))
SCOPE = VariableScope(COLLECTION, PROD)


def _editor(qtbot: QtBot, text: str) -> QPlainTextEdit:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText(text)
    return editor


def test_lookup_describes_value_origin_secret_and_missing() -> None:
    lookup = VariableLookup(SCOPE)
    assert lookup.describe("base") == "{{base}} = https://b, from environment 'Prod'"
    assert lookup.describe("v") == "{{v}} = 1, from the collection variables"
    assert lookup.describe("token") == f"{{{{token}}}} = {MASK} (secret), from environment 'Prod'"
    assert "s3cr3t" not in lookup.describe("token")
    assert lookup.describe("id") == (
        "{{id}} is not defined in environment 'Prod' or the collection variables"
    )
    assert "built-in" in lookup.describe("$uuid")
    assert lookup.is_resolved("$uuid")
    assert not lookup.is_resolved("id")
    no_env = VariableLookup(VariableScope(COLLECTION, None))
    assert "the collection variables (no environment is active)" in no_env.describe("id")
    assert "no environment is active and no collection is open" in VariableLookup().describe("x")
    # A secret overridden by a plain value is shown; a plain one overridden by a secret is not.
    plain_over = VariableScope(
        Environment("c", (Variable("k", "x", True),)), Environment("e", (Variable("k", "y"),))
    )
    assert VariableLookup(plain_over).describe("k") == "{{k}} = y, from environment 'e'"
    assert lookup.describe_text("{{base}}/{{id}}/{{base}}") == [
        lookup.describe("base"),
        lookup.describe("id"),
    ]
    assert variable_spans("a {{ b }} {{c}} {{bad name}}") == [(2, 7, "b"), (10, 5, "c")]


def test_body_references_are_coloured_resolved_or_not(qtbot: QtBot) -> None:
    editor = _editor(qtbot, '{"url": "{{base}}/{{id}}",\n "plain": 1,\n "t": "{{ token }}"}')
    highlighter = VariableHighlighter(editor, VariableLookup(SCOPE))
    doc = editor.document()
    first, second, third = doc.firstBlock(), doc.findBlockByNumber(1), doc.findBlockByNumber(2)
    assert highlighter.ranges(first) == [(9, 8, True), (18, 6, False)]
    assert highlighter.ranges(second) == []
    assert second.layout().formats() == []  # nothing set where there is no variable
    assert highlighter.ranges(third) == [(7, 11, True)]
    light_resolved = variable_format(True, dark=False)
    formats = first.layout().formats()  # keep the list: its items die with it
    fmt = formats[0].format
    assert fmt.foreground().color() == light_resolved.foreground().color()
    assert fmt.background().color() == light_resolved.background().color()

    # Typing re-colours the line being edited.
    cursor = editor.textCursor()
    cursor.setPosition(second.position() + second.length() - 1)
    editor.setTextCursor(cursor)
    qtbot.keyClicks(editor, " {{v}}")
    assert highlighter.ranges(doc.findBlockByNumber(1)) == [(13, 5, True)]

    # A new scope re-colours, without the editor reporting an edit.
    changes: list[bool] = []
    editor.textChanged.connect(lambda: changes.append(True))
    highlighter.set_lookup(
        VariableLookup(VariableScope(None, Environment("x", (Variable("id", "7"),))))
    )
    assert highlighter.ranges(doc.firstBlock()) == [(9, 8, False), (18, 6, True)]
    assert highlighter.ranges(doc.findBlockByNumber(2)) == [(7, 11, False)]
    assert changes == []


def test_body_tooltip_names_value_and_origin_and_masks_secrets(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "Bearer {{token}} for {{base}} and {{nope}}")
    highlighter = VariableHighlighter(editor, VariableLookup(SCOPE))
    assert highlighter.tooltip_at(9) == f"{{{{token}}}} = {MASK} (secret), from environment 'Prod'"
    assert highlighter.tooltip_at(23) == "{{base}} = https://b, from environment 'Prod'"
    assert "not defined in environment 'Prod'" in highlighter.tooltip_at(36)
    assert highlighter.tooltip_at(2) == ""
    assert highlighter.tooltip_at(16) == ""  # just after the closing braces


def test_highlighter_composes_with_a_syntax_highlighter(qtbot: QtBot) -> None:
    def bold_keys(h: QSyntaxHighlighter, text: str) -> None:
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        h.setFormat(0, len(text), bold)

    editor = _editor(qtbot, "{{base}} rest")
    highlighter = VariableHighlighter(editor, VariableLookup(SCOPE), base=bold_keys)
    formats = editor.document().firstBlock().layout().formats()
    by_start = {r.start: r for r in formats}
    assert by_start[0].length == 8
    assert by_start[0].format.fontWeight() == QFont.Weight.Bold  # kept
    assert (
        by_start[0].format.foreground().color() == variable_format(True, False).foreground().color()
    )
    assert by_start[8].format.fontWeight() == QFont.Weight.Bold  # the rest: base format only
    assert highlighter.ranges(editor.document().firstBlock()) == [(0, 8, True)]


def test_dark_theme_uses_dark_colours(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "{{base}} {{id}}")
    highlighter = VariableHighlighter(editor, VariableLookup(SCOPE))
    palette = editor.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#262a31"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e3e6ec"))
    editor.setPalette(palette)
    formats = editor.document().firstBlock().layout().formats()
    colours = [r.format.foreground().color() for r in formats]
    assert colours == [
        variable_format(True, dark=True).foreground().color(),
        variable_format(False, dark=True).foreground().color(),
    ]
    assert highlighter.ranges(editor.document().firstBlock()) == [(0, 8, True), (9, 6, False)]
    for resolved in (True, False):
        light, dark = variable_format(resolved, False), variable_format(resolved, True)
        # Readable: dark text on a light background, light text on a dark one.
        assert light.foreground().color().lightness() < light.background().color().lightness()
        assert dark.foreground().color().lightness() > dark.background().color().lightness()


def _cell_colours(table: object, row: int, column: int) -> set[str]:
    from PySide6.QtWidgets import QTableWidget

    assert isinstance(table, QTableWidget)
    rect = table.visualRect(table.model().index(row, column))
    image = table.viewport().grab(rect).toImage()
    return {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 1)
        for y in range(0, image.height(), 2)
    }


def test_tables_paint_and_explain_references_without_touching_items(qtbot: QtBot) -> None:
    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.resize(800, 400)
    variables = EditorVariables()
    variables.set_scope(SCOPE)
    spec = RequestSpec(
        url="http://h/",
        headers=(("Authorization", "Bearer {{token}}"), ("X-Id", "{{id}}"), ("Plain", "v")),
    )
    editor.load_spec(spec)
    edits: list[bool] = []
    editor.edited.connect(lambda: edits.append(True))
    variables.attach(editor)
    variables.attach(editor)  # twice: harmless
    editor.setCurrentWidget(editor.headers)
    editor.show()
    qtbot.waitExposed(editor)
    delegate = editor.headers.itemDelegate()
    assert isinstance(delegate, VariableDelegate)
    assert delegate.ranges("Bearer {{token}}") == [(7, 9, True)]
    resolved_bg = variable_format(True, False).background().color().name()
    unresolved_bg = variable_format(False, False).background().color().name()
    assert resolved_bg in _cell_colours(editor.headers, 0, 1)
    assert unresolved_bg in _cell_colours(editor.headers, 1, 1)
    plain = _cell_colours(editor.headers, 2, 1)
    assert resolved_bg not in plain
    assert unresolved_bg not in plain

    model = editor.headers.model()
    tip = delegate.tooltip(model.index(0, 1))
    assert tip == f"{{{{token}}}} = {MASK} (secret), from environment 'Prod'"
    assert "not defined" in delegate.tooltip(model.index(1, 1))
    assert delegate.tooltip(model.index(2, 1)) == ""
    # The items hold what was typed: no roles written, no edit reported, the spec unchanged.
    item = editor.headers.item(0, 1)
    assert item.data(Qt.ItemDataRole.ForegroundRole) is None
    assert item.data(Qt.ItemDataRole.ToolTipRole) is None
    assert editor.to_spec() == spec
    # A new scope repaints.
    variables.set_scope(VariableScope(None, Environment("x", (Variable("id", "1"),))))
    qtbot.waitUntil(lambda: resolved_bg in _cell_colours(editor.headers, 1, 1))
    assert unresolved_bg in _cell_colours(editor.headers, 0, 1)
    assert edits == []
    assert editor.to_spec() == spec


def test_attach_covers_every_body_editor_and_table_and_changes_nothing(qtbot: QtBot) -> None:
    editor = RequestEditor()
    qtbot.addWidget(editor)
    variables = EditorVariables()
    specs = [
        RequestSpec(url="http://h/", params=(("q", "1"),), body=JsonBody('{"a": "plain"}\r\n')),
        RequestSpec(url="http://h/", body=TextBody("line {{v}}\r\nno vars")),
        RequestSpec(url="http://h/", body=FormBody((("f", "{{v}}"),))),
        RequestSpec(url="http://h/", body=MultipartBody((TextPart("p", "{{base}}"),))),
    ]
    variables.attach(editor)
    assert len(variables.highlighters(editor)) == 2
    assert {d.view for d in variables.delegates(editor)} == {
        editor.params,
        editor.headers,
        editor.body.form_table,
        editor.body.multipart_table,
    }
    for spec in specs:
        editor.load_spec(spec)
        edits: list[bool] = []
        editor.edited.connect(edits.append)
        variables.set_scope(SCOPE)
        variables.set_scope(VariableScope())
        assert editor.to_spec() == spec  # exact round trip, \r\n included
        assert edits == []
        editor.edited.disconnect(edits.append)
    # No variable, no format: the JSON body's document is as Qt left it.
    editor.load_spec(specs[0])
    block = editor.body.json_edit.document().firstBlock()
    assert block.layout().formats() == []


def test_typing_in_a_5_mb_body_stays_fast(qtbot: QtBot) -> None:
    line = '  {"name": "{{base}}", "n": 12345, "text": "lorem ipsum dolor sit amet"},\n'
    text = line * (5_000_000 // len(line))
    plain = _editor(qtbot, "")
    t0 = time.perf_counter()
    plain.setPlainText(text)
    load_plain = time.perf_counter() - t0
    editor = _editor(qtbot, "")
    VariableHighlighter(editor, VariableLookup(SCOPE))
    t0 = time.perf_counter()
    editor.setPlainText(text)
    load_highlighted = time.perf_counter() - t0
    editor.show()
    qtbot.waitExposed(editor)
    cursor = editor.textCursor()
    cursor.setPosition(editor.document().findBlockByNumber(30_000).position())
    editor.setTextCursor(cursor)
    t0 = time.perf_counter()
    qtbot.keyClicks(editor, "x {{id}} y")
    per_key = (time.perf_counter() - t0) / 10
    # Generous bounds: other tests share the two cores. Measured idle: ~0.2 ms per key.
    assert per_key < 0.05, per_key
    assert load_highlighted < 10 * load_plain + 1.0, (load_plain, load_highlighted)
    print(
        f"5 MB: load {load_plain:.3f} s plain, {load_highlighted:.3f} s highlighted; "
        f"{per_key * 1000:.2f} ms per key"
    )


def test_a_huge_line_colours_a_bounded_number_of_references(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "{{v}} " * (MAX_SPANS_PER_BLOCK + 50))
    highlighter = VariableHighlighter(editor, VariableLookup(SCOPE))
    assert len(highlighter.ranges(editor.document().firstBlock())) == MAX_SPANS_PER_BLOCK


def test_hover_on_the_body_shows_the_tooltip(qtbot: QtBot) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    editor = _editor(qtbot, "x {{token}} y")
    VariableHighlighter(editor, VariableLookup(SCOPE))
    editor.show()
    qtbot.waitExposed(editor)
    cursor = editor.textCursor()
    cursor.setPosition(5)
    rect = editor.cursorRect(cursor)
    pos = QPoint(rect.center().x() + 1, rect.center().y())
    event = QHelpEvent(QEvent.Type.ToolTip, pos, editor.viewport().mapToGlobal(pos))
    QApplication.sendEvent(editor.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == f"{{{{token}}}} = {MASK} (secret), from environment 'Prod'"
    QToolTip.hideText()


def test_docstring_examples_of_the_lookup() -> None:
    import doctest

    from guiapp.ui.variables import lookup as variable_lookup

    result = doctest.testmod(variable_lookup, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_a_change_of_scope_on_a_5_mb_body_recolours_in_slices(qtbot: QtBot) -> None:
    line = '  {"name": "{{base}}", "n": 12345, "text": "lorem ipsum dolor sit amet"},\n'
    editor = _editor(qtbot, line * (5_000_000 // len(line)))
    editor.resize(600, 400)
    editor.show()
    qtbot.waitExposed(editor)
    highlighter = VariableHighlighter(editor, VariableLookup(SCOPE))
    doc = editor.document()
    editor.verticalScrollBar().setValue(30_000)
    qtbot.waitUntil(lambda: editor.firstVisibleBlock().blockNumber() > 0)
    visible = editor.firstVisibleBlock()
    last = doc.lastBlock().previous()
    assert highlighter.ranges(last) == [(12, 8, True)]
    t0 = time.perf_counter()
    highlighter.set_lookup(VariableLookup())
    elapsed = time.perf_counter() - t0
    # The screen is right at once; the rest follows between events.
    assert highlighter.ranges(visible) == [(12, 8, False)]
    assert highlighter.is_refreshing()
    assert highlighter.ranges(last) == [(12, 8, True)]
    assert elapsed < 0.5, elapsed  # measured idle: ~14 ms
    with qtbot.waitSignal(highlighter.refreshed, timeout=60_000):
        pass
    assert highlighter.ranges(last) == [(12, 8, False)]
    assert highlighter.ranges(doc.firstBlock()) == [(12, 8, False)]
    # A refresh started while one runs starts over with the newest lookup.
    highlighter.set_lookup(VariableLookup(SCOPE))
    highlighter.set_lookup(VariableLookup())
    with qtbot.waitSignal(highlighter.refreshed, timeout=60_000):
        pass
    assert highlighter.ranges(last) == [(12, 8, False)]
