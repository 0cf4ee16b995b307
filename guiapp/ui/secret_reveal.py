"""An eye button in a secret field (a password, a token) that shows or hides its value.

Secret fields show dots (``PasswordEchoOnEdit``: readable while typed); the eye, at the right
end of the field, shows the value until it is clicked again, so that a pasted token can be
checked without retyping it. Showing it changes nothing else: the value is kept and sent the
same way.

Example::

    token = QLineEdit()
    reveal = add_reveal_button(token)      # the field shows dots until the eye is clicked
    reveal.trigger()                       # shown ("Hide the value" in its tooltip)
    reveal.isChecked()                     # True
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit

from guiapp.ui.icons import icon

__all__ = ["HIDDEN_ECHO", "add_reveal_button"]

#: How a secret field shows its value while hidden: dots, readable while being typed.
HIDDEN_ECHO = QLineEdit.EchoMode.PasswordEchoOnEdit

_SHOW_TIP = "Show the value"
_HIDE_TIP = "Hide the value"


def add_reveal_button(edit: QLineEdit, object_name: str = "") -> QAction:
    """Hide ``edit``'s value and add the eye that shows it; returns the (checkable) action.

    The action's objectName is ``object_name`` or ``<edit's objectName>Reveal``.
    """
    edit.setEchoMode(HIDDEN_ECHO)
    action = QAction(icon("eye"), _SHOW_TIP, edit)
    action.setObjectName(object_name or f"{edit.objectName()}Reveal")
    action.setCheckable(True)

    def on_toggled(shown: bool) -> None:
        edit.setProperty("revealed", shown)
        # A field marked for re-entry shows "***" in clear already; once a value is typed,
        # guiapp.ui.reenter_marks gives it the echo mode the "revealed" property asks for.
        if not edit.property("reenter"):
            edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else HIDDEN_ECHO)
        action.setIcon(icon("eye-off" if shown else "eye"))
        action.setToolTip(_HIDE_TIP if shown else _SHOW_TIP)
        action.setText(_HIDE_TIP if shown else _SHOW_TIP)

    action.toggled.connect(on_toggled)
    edit.addAction(action, QLineEdit.ActionPosition.TrailingPosition)
    return action
