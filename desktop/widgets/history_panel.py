"""Past conversations, kept in the library; click one to reopen it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models import ConversationModel, ItemRole
from desktop.widgets import dialogs


class HistoryPanel(QWidget):
    conversationActivated = Signal(str)
    newRequested = Signal()
    deleteConfirmed = Signal(str)

    def __init__(self, *, model: ConversationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        title = QLabel("History")
        title.setObjectName("panelTitle")
        self.new_btn = QPushButton("New conversation")
        self.new_btn.setToolTip("Start a fresh conversation (Ctrl+N)")
        self.new_btn.clicked.connect(self.newRequested)
        self.list = QListView()
        self.list.setModel(model)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.setSpacing(1)
        # A long question ends in "…" (the tooltip has it all) instead of a scroll bar.
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.clicked.connect(self._activate)
        self.list.activated.connect(self._activate)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        delete = QAction(
            "Delete",
            self.list,
            shortcut=QKeySequence(QKeySequence.StandardKey.Delete),
            shortcutContext=Qt.ShortcutContext.WidgetShortcut,
        )
        delete.triggered.connect(self.confirm_delete)
        self.list.addAction(delete)
        self.empty = QLabel("Your questions and answers are kept here.")
        self.empty.setObjectName("dim")
        self.empty.setWordWrap(True)

        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.new_btn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        for sig in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            sig.connect(self._update_empty)
        self._update_empty()

    def select(self, conversation_id: str | None) -> None:
        """Mark the conversation shown in the answer area (None clears the mark)."""
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            if index.data(ItemRole).id == conversation_id:
                self.list.setCurrentIndex(index)
                return
        self.list.clearSelection()

    def current_id(self) -> str | None:
        c = self.list.currentIndex().data(ItemRole)
        return c.id if c is not None and self.list.selectionModel().hasSelection() else None

    def confirm_delete(self) -> None:
        c = self.list.currentIndex().data(ItemRole)
        if c is None:
            return
        turns = f"{c.turns} answer{'s' if c.turns != 1 else ''}"
        if dialogs.confirm(
            self,
            "Delete conversation",
            f"Delete “{c.title}” and its {turns}?",
            "Delete",
            destructive=True,
        ):
            self.deleteConfirmed.emit(c.id)

    def _activate(self, index: QModelIndex) -> None:
        c = index.data(ItemRole)
        if c is not None:
            self.conversationActivated.emit(c.id)

    def _menu(self, pos) -> None:  # noqa: ANN001
        if not self.list.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        menu.addAction("Open", lambda: self._activate(self.list.indexAt(pos)))
        menu.addAction("Delete…", self.confirm_delete)
        menu.exec(self.list.viewport().mapToGlobal(pos))

    def _update_empty(self, *args: object) -> None:
        self.empty.setVisible(self.model.rowCount() == 0)
