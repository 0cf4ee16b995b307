"""What the editor says about a ``{{name}}``: resolved or not, its value (secrets masked), where
it comes from, and the colours that mark it in the light and dark themes.

A :class:`VariableLookup` is a snapshot of a :class:`~guiapp.core.variables.VariableScope`
(the collection's variables overridden by the active environment), made once per change of
scope so that highlighting a block costs a dict look-up per reference, not a merge.

Example::

    lookup = VariableLookup(VariableScope(collection_vars, Environment("Prod", [...])))
    lookup.is_resolved("base")     # True
    lookup.describe("token")       # "{{token}} = •••• (secret), from environment 'Prod'"
    lookup.describe("id")          # "{{id}} is not defined in environment 'Prod' or the ..."
    variable_spans("{{a}}/x/{{ b }}")   # [(0, 5, 'a'), (8, 7, 'b')]
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette, QTextCharFormat
from PySide6.QtWidgets import QWidget

from guiapp.core.variables import DYNAMIC_VARIABLES, VARIABLE_REF, VariableScope

__all__ = [
    "MASK",
    "VARIABLE_REF",
    "VariableLookup",
    "is_dark",
    "variable_format",
    "variable_spans",
]

#: What a secret value looks like in a tooltip.
MASK = "••••"
_MAX_SHOWN = 120  # a tooltip is not the place for a 5 MB value

# (foreground, background) per (dark theme, resolved): readable on both themes' bases
# (#ffffff and #262a31), and apart from the selection colour (#2f6fed).
_COLOURS = {
    (False, True): ("#0b6e4f", "#dcf2e8"),
    (False, False): ("#b42318", "#fde2df"),
    (True, True): ("#7ee2b8", "#1f3d33"),
    (True, False): ("#ff8a80", "#4d2428"),
}


def variable_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, length, name)`` of every ``{{name}}`` in ``text`` (no match: ``[]``).

    >>> variable_spans("{{a}}/x/{{ b }}"), variable_spans("no braces")
    ([(0, 5, 'a'), (8, 7, 'b')], [])
    """
    if "{{" not in text:
        return []
    return [(m.start(), m.end() - m.start(), m.group(1)) for m in VARIABLE_REF.finditer(text)]


def is_dark(widget: QWidget | None) -> bool:
    """True when ``widget`` (or the application) paints light text on a dark base."""
    palette = widget.palette() if widget is not None else QPalette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def variable_format(resolved: bool, dark: bool) -> QTextCharFormat:
    """The character format of a resolved or unresolved reference in the given theme."""
    fg, bg = _COLOURS[(dark, resolved)]
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(fg))
    fmt.setBackground(QColor(bg))
    return fmt


def _short(value: str) -> str:
    value = value.replace("\n", "⏎")
    return value if len(value) <= _MAX_SHOWN else value[: _MAX_SHOWN - 1] + "…"


class VariableLookup:
    """Answers "is ``name`` defined, to what, and where?" for one scope (immutable)."""

    def __init__(self, scope: VariableScope | None = None) -> None:
        self.scope = scope or VariableScope()
        self.values = self.scope.values()
        self._secret: set[str] = set()
        # Later layers and later definitions win, as in VariableScope.values().
        for layer in self.scope.layers():
            for var in layer.variables:
                if not var.enabled:
                    continue
                if var.secret:
                    self._secret.add(var.name)
                else:
                    self._secret.discard(var.name)

    def is_resolved(self, name: str) -> bool:
        """Defined in the scope, or a built-in dynamic variable (``$uuid``…)."""
        return name in self.values or name in DYNAMIC_VARIABLES

    def is_secret(self, name: str) -> bool:
        """The value in effect comes from a secret variable."""
        return name in self._secret

    def origin_text(self, name: str) -> str:
        """``"environment 'Prod'"``, ``"the collection variables"``, ``"runtime (captured from
        a response)"``, or ``""``."""
        origin = self.scope.origin(name)
        if origin == "runtime":
            return "runtime (captured from a response)"
        if origin == "environment" and self.scope.environment is not None:
            return f"environment {self.scope.environment.name!r}"
        if origin == "collection":
            return "the collection variables"
        return ""

    def describe(self, name: str, *, masked: bool = False) -> str:
        """One line for a tooltip: the value (masked if secret, or every value if ``masked``:
        for a password field) and its origin, or why it is not defined.

        >>> from guiapp.core.variables import Environment, Variable
        >>> env = Environment("Prod", [Variable("token", "s3", secret=True)])
        >>> VariableLookup(VariableScope(None, env)).describe("token")
        "{{token}} = •••• (secret), from environment 'Prod'"
        """
        ref = "{{" + name + "}}"
        if name in self.values:
            if self.is_secret(name):
                shown = f"{MASK} (secret)"
            else:
                shown = MASK if masked else _short(self.values[name])
            return f"{ref} = {shown}, from {self.origin_text(name)}"
        if name in DYNAMIC_VARIABLES:
            return f"{ref}: a built-in variable, a new value each time the request is sent"
        where = self.scope.where()
        if not where:
            return f"{ref} is not defined: no environment is active and no collection is open"
        if self.scope.environment is None:
            where = "the collection variables (no environment is active)"
        return f"{ref} is not defined in {where}"

    def describe_text(self, text: str, *, masked: bool = False) -> list[str]:
        """:meth:`describe` of each variable used in ``text``, once each, in order of use."""
        seen: dict[str, None] = {}
        for _, _, name in variable_spans(text):
            seen.setdefault(name, None)
        return [self.describe(name, masked=masked) for name in seen]
