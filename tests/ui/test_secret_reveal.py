"""A masked secret can be shown: the eye in the auth tab's password and token fields, and
"Show secret values" in the environment (and collection-variable) editor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QStyleOptionViewItem

from guiapp.core.request import BasicAuth, BearerAuth
from guiapp.core.variables import Environment, Variable
from guiapp.ui.auth_editor import AuthEditor
from guiapp.ui.reenter_marks import mark_reenter
from guiapp.ui.secret_reveal import HIDDEN_ECHO
from guiapp.ui.workspace.environments import VALUE, EnvironmentEditor

NORMAL = QLineEdit.EchoMode.Normal


def reveal_action(editor: AuthEditor, name: str) -> QAction:
    action = editor.findChild(QAction, name)
    assert action is not None, f"no action {name}"
    return action


def test_the_eye_shows_and_hides_a_token_without_changing_it(qtbot) -> None:
    editor = AuthEditor()
    qtbot.addWidget(editor)
    editor.load_auth(BearerAuth("s3cret-token"))
    eye = reveal_action(editor, "authTokenReveal")
    assert editor.token.echoMode() == HIDDEN_ECHO
    assert eye in editor.token.actions()
    assert eye.toolTip() == "Show the value"

    eye.trigger()
    assert editor.token.echoMode() == NORMAL
    assert eye.isChecked()
    assert eye.toolTip() == "Hide the value"
    assert editor.to_auth() == BearerAuth("s3cret-token")

    eye.trigger()
    assert editor.token.echoMode() == HIDDEN_ECHO
    assert editor.to_auth() == BearerAuth("s3cret-token")


def test_the_password_has_its_own_eye(qtbot) -> None:
    editor = AuthEditor()
    qtbot.addWidget(editor)
    editor.load_auth(BasicAuth("ada", "pw"))
    reveal_action(editor, "authPasswordReveal").trigger()
    assert editor.password.echoMode() == NORMAL
    assert editor.token.echoMode() == HIDDEN_ECHO  # one field at a time


def test_a_field_to_re_enter_follows_the_eye_once_its_value_is_typed(qtbot) -> None:
    editor = AuthEditor()
    qtbot.addWidget(editor)
    editor.load_auth(BearerAuth("***"))
    assert mark_reenter(editor) == 1
    assert editor.token.echoMode() == NORMAL  # "***" is shown as it is
    eye = reveal_action(editor, "authTokenReveal")
    eye.trigger()  # shown
    editor.token.setText("new-token")  # the mark goes
    assert editor.token.echoMode() == NORMAL
    eye.trigger()
    assert editor.token.echoMode() == HIDDEN_ECHO

    editor.load_auth(BearerAuth("***"))
    mark_reenter(editor)
    editor.token.setText("typed")  # never revealed: back to dots
    assert editor.token.echoMode() == HIDDEN_ECHO


def shown_text(dialog: EnvironmentEditor, row: int) -> str:
    index = dialog.table.model().index(row, VALUE)
    option = QStyleOptionViewItem()
    dialog.table.itemDelegateForColumn(VALUE).initStyleOption(option, index)
    return option.text


def test_show_secret_values_in_the_environment_editor(qtbot) -> None:
    env = Environment("Dev", (Variable("host", "h.example"), Variable("token", "t0k", secret=True)))
    dialog = EnvironmentEditor(env)
    qtbot.addWidget(dialog)
    assert dialog.show_secrets.objectName() == "showSecretsCheck"
    assert not dialog.show_secrets.isChecked()
    assert shown_text(dialog, 0) == "h.example"
    assert shown_text(dialog, 1) == "••••••••"
    delegate = dialog.table.itemDelegateForColumn(VALUE)
    index = dialog.table.model().index(1, VALUE)
    hidden_editor = delegate.createEditor(dialog.table.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(hidden_editor, QLineEdit)
    assert hidden_editor.echoMode() == HIDDEN_ECHO

    dialog.show_secrets.setChecked(True)
    assert dialog.secrets_shown()
    assert shown_text(dialog, 1) == "t0k"
    shown_editor = delegate.createEditor(dialog.table.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(shown_editor, QLineEdit)
    assert shown_editor.echoMode() == NORMAL
    assert dialog.environment().variables[1] == Variable("token", "t0k", secret=True)

    dialog.show_secrets.setChecked(False)
    assert shown_text(dialog, 1) == "••••••••"
    secret_flag = dialog.table.item(1, 2).checkState()
    assert secret_flag == Qt.CheckState.Checked  # showing it did not make it a plain variable
