"""``{{variables}}`` in the request editor: colours, tooltips and the URL's unresolved marker.

These decorate the request editor (:mod:`guiapp.ui.request_editor`) and know nothing of
collections or environments: whoever owns the variables (the workspace) builds a
:class:`~guiapp.core.variables.VariableScope` and hands it over with
:meth:`EditorVariables.set_scope` (and, for the URL field, to :class:`UnresolvedMarker`).

- :mod:`~guiapp.ui.variables.lookup`: :class:`VariableLookup`, a snapshot of a scope: is a
  name resolved, what to say about it (secrets masked), its colours in each theme.
- :mod:`~guiapp.ui.variables.highlighter`: :class:`VariableHighlighter` for the body's text
  editors (a ``QSyntaxHighlighter`` composing with the JSON one).
- :mod:`~guiapp.ui.variables.delegate`: :class:`VariableDelegate` for the params, headers and
  form tables.
- :mod:`~guiapp.ui.variables.editor`: :class:`EditorVariables`, attaching all of them to a
  :class:`~guiapp.ui.request_editor.RequestEditor`.
- :mod:`~guiapp.ui.variables.unresolved`: :class:`UnresolvedMarker`, the URL field's border,
  icon and tooltip.

Example::

    variables = EditorVariables()
    variables.attach(tab.editor)
    variables.set_scope(VariableScope(collection_vars, environment))
"""

from guiapp.ui.variables.delegate import VariableDelegate
from guiapp.ui.variables.editor import EditorVariables
from guiapp.ui.variables.highlighter import VariableHighlighter
from guiapp.ui.variables.lookup import VariableLookup
from guiapp.ui.variables.unresolved import UnresolvedMarker

__all__ = [
    "EditorVariables",
    "UnresolvedMarker",
    "VariableDelegate",
    "VariableHighlighter",
    "VariableLookup",
]
