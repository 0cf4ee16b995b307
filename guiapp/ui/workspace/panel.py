"""The Collections sidebar: the tree of folders and requests, with its toolbar and menus.

A view only: it shows a :class:`~guiapp.ui.workspace.tree_model.CollectionTreeModel` and emits
what the user asked for; :class:`~guiapp.ui.workspace.controller.WorkspaceController` does it
on its worker lane and feeds the new listing back.

Keyboard: Enter opens, Shift+Enter opens in a new tab, F2 renames, Del deletes, Ctrl+D
duplicates, Ctrl+Z / Ctrl+Shift+Z undo and redo (while the tree has focus).

Example::

    panel = CollectionsPanel(model, undo_stack)
    panel.openRequested.connect(lambda rid, new_tab: ...)
    panel.deleteRequested.connect(lambda ids: ...)
    panel.show_collection("My API")
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from guiapp.ui import icons
from guiapp.ui.qt_helpers import named
from guiapp.ui.workspace.panel_menus import (
    add_scoped_shortcuts,
    collection_actions_menu,
    tree_context_menu,
)
from guiapp.ui.workspace.search import search_requests
from guiapp.ui.workspace.tree_model import CollectionTreeModel, method_icon

__all__ = ["CollectionsPanel"]

_NOTICE_MS = 10_000
_MAX_RESULTS = 500  # a list the user can still scan; refine the filter for more


class CollectionsPanel(QWidget):
    """Tree, toolbar, context menu, an "Undo" bar after deletions and the save state."""

    #: Open a request: (id, in a new tab).
    openRequested = Signal(str, bool)
    #: Create a request / a folder in a folder (id; ``""`` is the root).
    newRequestRequested = Signal(str)
    newFolderRequested = Signal(str)
    #: Duplicate / delete items (ids).
    duplicateRequested = Signal(list)
    deleteRequested = Signal(list)
    #: Collection-level actions.
    openCollectionRequested = Signal()
    newCollectionRequested = Signal()
    importRequested = Signal()
    #: Edit the collection's own variables.
    collectionVariablesRequested = Signal()
    #: Edit the auth of a folder (id; ``""`` is the collection).
    authRequested = Signal(str)
    #: Show another open collection (its folder) / close the one shown / open the Demo API.
    collectionActivated = Signal(str)
    closeCollectionRequested = Signal()
    openDemoRequested = Signal()

    def __init__(
        self, model: CollectionTreeModel, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("collectionsPanel")
        self.model = model
        self.undo_stack = undo_stack
        self._has_collection = False

        self.title = named(QLabel("No collection"), "collectionTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.new_request_button = self._tool_button("New request", "+", "newRequestButton")
        self.new_folder_button = self._tool_button("New folder", "▣", "newFolderButton")
        self.menu_button = self._tool_button("Collection actions", "⋯", "collectionMenuButton")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu, self.variables_action = collection_actions_menu(self, self.menu_button)
        self.menu_button.setMenu(menu)
        self.new_request_button.clicked.connect(
            lambda: self.newRequestRequested.emit(self.current_folder())
        )
        self.new_folder_button.clicked.connect(
            lambda: self.newFolderRequested.emit(self.current_folder())
        )
        # Several collections can be open: the switcher shows one tree at a time.
        self.switcher = named(QComboBox(), "collectionSwitcher")
        self.switcher.setToolTip("Open collections: choose the one to show")
        self.switcher.activated.connect(self._on_switcher_activated)
        self.switcher.hide()
        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 0, 0)
        header.addWidget(self.title, 1)
        for button in (self.new_request_button, self.new_folder_button, self.menu_button):
            header.addWidget(button)

        self.tree = named(QTreeView(), "collectionTree")
        self.tree.setModel(model)
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(QSize(32, 16))  # the method badges are wide
        self.tree.setUniformRowHeights(True)  # lets the view skip measuring thousands of rows
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # DragDrop, not InternalMove: InternalMove ignores every drag event whose source() is
        # not this view, and source() is only known to Qt's own QDrag, so drops delivered any
        # other way (accessibility tools, tests sending real QDropEvents) were silently lost.
        # The model accepts only its own payloads (a per-model token), which keeps moves
        # internal; its dropMimeData returns False, so the view never removes rows itself.
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setDragEnabled(True)
        self.tree.setAcceptDrops(True)
        self.tree.setDropIndicatorShown(True)
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.tree.setExpandsOnDoubleClick(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu)
        self.tree.doubleClicked.connect(self._on_tree_double_clicked)
        self._add_shortcuts()

        self.filter_edit = named(QLineEdit(), "collectionFilter")
        self.filter_edit.setPlaceholderText("Filter requests (name, method, folder)")
        self.filter_edit.setClearButtonEnabled(True)
        self.results = named(QListWidget(), "searchResults")
        self.results.setIconSize(QSize(32, 16))
        self.results.setUniformItemSizes(True)
        self.results.itemActivated.connect(self._on_result_activated)
        self._filter_timer = QTimer(self, singleShot=True, interval=150)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self._open_first_result)
        model.treeChanged.connect(self._on_model_tree_changed)

        self.empty = self._build_empty_state()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.results)

        self.notice_bar, self.notice_label, self.notice_button = self._build_notice_bar()
        self._notice_action: Callable[[], object] | None = None
        self._notice_timer = QTimer(self, singleShot=True, interval=_NOTICE_MS)
        self._notice_timer.timeout.connect(self.notice_bar.hide)
        self.save_state = named(QLabel(""), "saveStateLabel")
        self.save_state.setEnabled(False)  # greyed: secondary information

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.switcher)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.notice_bar)
        layout.addWidget(self.save_state)
        self.set_enabled_actions(False)

    # -- building ------------------------------------------------------------------------------
    def _tool_button(self, tip: str, text: str, name: str) -> QToolButton:
        button = named(QToolButton(autoRaise=True), name)
        button.setText(text)
        button.setToolTip(tip)
        return button

    def _build_empty_state(self) -> QWidget:
        page = QWidget()
        label = QLabel(
            "No collection is open.\nCollections are folders of plain files: keep them in git."
        )
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        open_button = named(QPushButton("Open Collection…"), "openCollectionButton")
        new_button = named(QPushButton("New Collection…"), "newCollectionButton")
        import_button = named(QPushButton("Import…"), "importButton")
        open_button.clicked.connect(self.openCollectionRequested)
        new_button.clicked.connect(self.newCollectionRequested)
        import_button.clicked.connect(self.importRequested)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(label)
        for button in (open_button, new_button, import_button):
            layout.addWidget(button)
        layout.addStretch(2)
        return page

    def _build_notice_bar(self) -> tuple[QFrame, QLabel, QPushButton]:
        bar = named(QFrame(), "noticeBar")
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        label = named(QLabel(""), "noticeLabel")
        label.setWordWrap(True)
        button = named(QPushButton("Undo"), "noticeButton")
        button.clicked.connect(self._on_notice_clicked)
        close = QToolButton(autoRaise=True)
        close.setIcon(icons.icon("close"))
        close.setToolTip("Dismiss")
        close.clicked.connect(bar.hide)
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(6, 2, 2, 2)
        layout.addWidget(label, 1)
        layout.addWidget(button)
        layout.addWidget(close)
        bar.hide()
        return bar, label, button

    def _add_shortcuts(self) -> None:
        add_scoped_shortcuts(
            self.tree,
            [
                (
                    [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)],
                    self._open_current,
                ),
                # Shift, not Ctrl: Ctrl+Enter is the window's Send.
                ([QKeySequence("Shift+Return")], lambda: self._open_current(new_tab=True)),
                ([QKeySequence(QKeySequence.StandardKey.Delete)], self._delete_selected),
                ([QKeySequence("Ctrl+D")], self._duplicate_selected),
                ([QKeySequence(QKeySequence.StandardKey.Undo)], self.undo_stack.undo),
                ([QKeySequence(QKeySequence.StandardKey.Redo)], self.undo_stack.redo),
            ],
        )

    # -- state ---------------------------------------------------------------------------------
    def show_collection(self, name: str | None) -> None:
        """Show the tree of the collection ``name`` (None: the empty state)."""
        self.title.setText(name or "No collection")
        self.title.setToolTip(name or "")
        self._has_collection = name is not None
        self.set_enabled_actions(name is not None)
        self.filter_edit.setVisible(name is not None)
        self.apply_filter()

    def set_collections(self, items: list[tuple[str, str]], current: str | None) -> None:
        """List the open collections ((folder, title) pairs) in the switcher, ``current``
        selected; the switcher shows once more than one is open."""
        self.switcher.blockSignals(True)
        try:
            self.switcher.clear()
            for root, title in items:
                self.switcher.addItem(title, root)
                self.switcher.setItemData(
                    self.switcher.count() - 1, root, Qt.ItemDataRole.ToolTipRole
                )
            index = self.switcher.findData(current) if current is not None else -1
            self.switcher.setCurrentIndex(index)
        finally:
            self.switcher.blockSignals(False)
        self.switcher.setVisible(len(items) > 1)

    def _on_switcher_activated(self, index: int) -> None:
        root = self.switcher.itemData(index)
        if root:
            self.collectionActivated.emit(str(root))

    # -- filtering -----------------------------------------------------------------------------
    def apply_filter(self) -> None:
        """Show the requests matching the filter text instead of the tree (empty: the tree)."""
        self._filter_timer.stop()
        text = self.filter_edit.text().strip()
        if not self._has_collection:
            self.stack.setCurrentWidget(self.empty)
            return
        if not text:
            self.stack.setCurrentWidget(self.tree)
            return
        hits = search_requests(self.model.listing(), text, _MAX_RESULTS)
        self.results.clear()
        for hit in hits:
            label = f"{hit.node.name}   · {hit.folder}" if hit.folder else hit.node.name
            item = QListWidgetItem(method_icon(hit.node.method), label)
            item.setData(Qt.ItemDataRole.UserRole, hit.node.id)
            item.setToolTip(hit.node.id)
            self.results.addItem(item)
        if not hits:
            none = QListWidgetItem(f"No request matches “{text}”")
            none.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(none)
        elif len(hits) == _MAX_RESULTS:
            more = QListWidgetItem(f"Only the first {_MAX_RESULTS} matches are shown")
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(more)
        self.stack.setCurrentWidget(self.results)

    def _on_model_tree_changed(self) -> None:
        if self.filter_edit.text().strip():
            self._filter_timer.start()

    def _on_result_activated(self, item: QListWidgetItem) -> None:
        item_id = item.data(Qt.ItemDataRole.UserRole)
        if item_id:
            self.openRequested.emit(str(item_id), False)

    def _open_first_result(self) -> None:
        self.apply_filter()
        first = self.results.item(0)
        if self.stack.currentWidget() is self.results and first is not None:
            self._on_result_activated(first)

    def set_enabled_actions(self, enabled: bool) -> None:
        """Enable the buttons that need an open collection."""
        self.new_request_button.setEnabled(enabled)
        self.new_folder_button.setEnabled(enabled)
        self.variables_action.setEnabled(enabled)

    def show_undo(self, text: str) -> None:
        """Show ``text`` with an Undo button for a while (after a deletion)."""
        self.show_notice(text, "Undo", self.undo_stack.undo)

    def show_notice(
        self, text: str, action_text: str, action: Callable[[], object], *, sticky: bool = False
    ) -> None:
        """Show ``text`` with one button running ``action`` (for a while unless ``sticky``)."""
        self.notice_label.setText(text)
        self.notice_button.setText(action_text)
        self._notice_action = action
        self.notice_bar.show()
        if sticky:
            self._notice_timer.stop()
        else:
            self._notice_timer.start()

    def set_save_state(self, text: str) -> None:
        """The save state line ("2 drafts", "Saving…", "All changes saved")."""
        self.save_state.setText(text)

    def _on_notice_clicked(self) -> None:
        self.notice_bar.hide()
        action, self._notice_action = self._notice_action, None
        if action is not None:
            action()

    # -- selection -----------------------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        """Ids of the selected items, without ones inside a selected folder."""
        ids = sorted(
            {
                self.model.item_id(i)
                for i in self.tree.selectionModel().selectedRows()
                if i.isValid()
            }
        )
        return [i for i in ids if not any(i.startswith(other + "/") for other in ids)]

    def current_folder(self) -> str:
        """The folder new items go into: the current folder, or the current request's folder."""
        index = self.tree.currentIndex()
        if not index.isValid():
            return ""
        item_id = self.model.item_id(index)
        return item_id if self.model.is_folder(index) else item_id.rpartition("/")[0]

    def select(self, item_id: str, *, edit: bool = False) -> bool:
        """Make ``item_id`` current and visible (and start renaming it); False if not listed."""
        index = self.model.find(item_id)
        if not index.isValid():
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        if edit:
            self.tree.edit(index)
        return True

    # -- user actions --------------------------------------------------------------------------
    def _on_tree_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and not self.model.is_folder(index):
            self.openRequested.emit(self.model.item_id(index), False)

    def _open_current(self, new_tab: bool = False) -> None:
        index = self.tree.currentIndex()
        if index.isValid() and not self.model.is_folder(index):
            self.openRequested.emit(self.model.item_id(index), new_tab)
        elif index.isValid():
            self.tree.setExpanded(index, not self.tree.isExpanded(index))

    def _delete_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.deleteRequested.emit(ids)

    def _duplicate_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.duplicateRequested.emit(ids)

    def _on_tree_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu(self.tree.indexAt(pos))
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def context_menu(self, index: QModelIndex) -> QMenu:
        """The tree's context menu for ``index`` (invalid: the collection itself)."""
        return tree_context_menu(
            self, index, duplicate=self._duplicate_selected, delete=self._delete_selected
        )
