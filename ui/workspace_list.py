"""The list of named matrices in the workspace, with new, duplicate and delete."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.errors import shape_str


class WorkspaceList(QWidget):
    """Shows each matrix's name and shape; a name is edited in place to rename it.

    It reports requests (``selected``, ``renameRequested``, ``newRequested``,
    ``duplicateRequested``, ``deleteRequested``) and shows what ``set_items`` gives
    it; a refused rename comes back as the old name on the next ``set_items``.
    """

    selected = Signal(str)
    renameRequested = Signal(str, str)
    newRequested = Signal()
    duplicateRequested = Signal(str)
    deleteRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("workspaceList")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("workspaceTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Matrix", "Size"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setToolTip("Double-click a name (or press F2) to rename it.")
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")

        self.new_button = QPushButton("New", self)
        self.new_button.setObjectName("newMatrixButton")
        self.new_button.setToolTip("Add a new 3×3 matrix of zeros.")
        self.duplicate_button = QPushButton("Duplicate", self)
        self.duplicate_button.setObjectName("duplicateMatrixButton")
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("deleteMatrixButton")
        self.delete_button.setToolTip("Remove the matrix (undo brings it back).")

        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for b in (self.new_button, self.duplicate_button, self.delete_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

        self._updating = False
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.itemChanged.connect(self._item_changed)
        self.new_button.clicked.connect(self.newRequested)
        self.duplicate_button.clicked.connect(lambda: self._emit_for_current(self.duplicateRequested))
        self.delete_button.clicked.connect(lambda: self._emit_for_current(self.deleteRequested))
        self._update_buttons()

    def set_items(self, items, current: str | None = None) -> None:
        """Show ``items``, a list of (name, shape), and make ``current`` the selected one."""
        self._updating = True
        try:
            self.tree.clear()
            for name, shape in items:
                item = QTreeWidgetItem([name, shape_str(shape)])
                item.setData(0, Qt.ItemDataRole.UserRole, name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.tree.addTopLevelItem(item)
            if current is not None:
                self._select(current)
        finally:
            self._updating = False
        self._update_buttons()

    def names(self) -> list[str]:
        """The names shown, in order."""
        return [self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())]

    def shapes(self) -> list[str]:
        """The sizes shown, in order (as text, e.g. '3×2')."""
        return [self.tree.topLevelItem(i).text(1) for i in range(self.tree.topLevelItemCount())]

    def current(self) -> str | None:
        """The selected matrix's name, or None."""
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def set_current(self, name: str) -> None:
        """Select ``name`` without emitting ``selected``."""
        self._updating = True
        try:
            self._select(name)
        finally:
            self._updating = False
        self._update_buttons()

    def rename(self, old: str, new: str) -> None:
        """Ask for a rename as a person would by editing the name (for scripts and tests)."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == old:
                item.setText(0, new)
                return

    def _select(self, name: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == name:
                self.tree.setCurrentItem(item)
                return

    def _current_changed(self, item, _previous) -> None:
        self._update_buttons()
        if not self._updating and item is not None:
            self.selected.emit(item.data(0, Qt.ItemDataRole.UserRole))

    def _item_changed(self, item, column) -> None:
        if self._updating or column != 0:
            return
        old = item.data(0, Qt.ItemDataRole.UserRole)
        new = item.text(0).strip()
        if new != old:
            # Later, not from inside the item's own change: the answer rebuilds the list,
            # which deletes this item.
            QTimer.singleShot(0, lambda: self.renameRequested.emit(old, new))

    def _emit_for_current(self, signal) -> None:
        name = self.current()
        if name is not None:
            signal.emit(name)

    def _update_buttons(self) -> None:
        has = self.tree.currentItem() is not None
        self.duplicate_button.setEnabled(has)
        self.delete_button.setEnabled(has)
