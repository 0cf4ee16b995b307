"""The workspace UI: collections sidebar, environments, drafts, import and export.

:class:`WorkspaceController` adds everything to a main window through its public API
(docs/workspace-ui.md). The pieces are usable alone: :class:`CollectionTreeModel` (lazy,
incrementally updated), :class:`CollectionsPanel`, :class:`EnvironmentEditor`,
:class:`ExportDialog`.

Example::

    controller = WorkspaceController(window, data_dir).attach()
    # File → Open Collection…, or:
    await controller.open_collection("/home/me/api/my-api")
"""

from guiapp.ui.workspace.controller import WorkspaceController
from guiapp.ui.workspace.drafts import Drafts
from guiapp.ui.workspace.environments import EnvironmentBar, EnvironmentEditor
from guiapp.ui.workspace.export_dialog import ExportDialog
from guiapp.ui.workspace.ids import IdTracker
from guiapp.ui.workspace.panel import CollectionsPanel
from guiapp.ui.workspace.service import CollectionService
from guiapp.ui.workspace.tree_model import CollectionTreeModel

__all__ = [
    "CollectionService",
    "CollectionTreeModel",
    "CollectionsPanel",
    "Drafts",
    "EnvironmentBar",
    "EnvironmentEditor",
    "ExportDialog",
    "IdTracker",
    "WorkspaceController",
]
