"""The library: a filterable, sortable table of papers whose selection scopes questions."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.types import Paper
from desktop.models import ItemRole, PaperTableModel, SortRole
from desktop.widgets import dialogs
from desktop.widgets.hidden_note import HiddenNote
from desktop.workers import while_current

ALL_COLLECTIONS = "All collections"
ALL_TAGS = "All tags"
NO_YEAR = 1000  # the year boxes' "no limit" value


class ScopeProxy(QSortFilterProxyModel):
    """The text filter plus the scope filter: only the papers in `allowed` (None: all)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.allowed: set[str] | None = None

    def set_allowed(self, allowed: set[str] | None) -> None:
        self.beginFilterChange()
        self.allowed = allowed
        self.endFilterChange()

    def filterAcceptsRow(  # noqa: N802 - Qt override
        self, row: int, parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self.allowed is not None:
            paper = self.sourceModel().index(row, 0, parent).data(ItemRole)
            if paper is None or paper.doc_id not in self.allowed:
                return False
        return super().filterAcceptsRow(row, parent)


class LibraryPanel(QWidget):
    """Select papers to scope questions; double-click opens one in the viewer."""

    scopeChanged = Signal(list)  # doc_ids of the selected papers ([] = all)
    openPaper = Signal(object)  # Paper
    removeConfirmed = Signal(list)  # doc_ids the user agreed to remove
    addRequested = Signal()

    def __init__(self, *, model: PaperTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = ScopeProxy(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SortRole)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        title = QLabel("Library")
        title.setObjectName("panelTitle")
        self.count = QLabel()
        self.count.setObjectName("dim")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by title, author or year")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self._collections: dict[str, list[str]] = {}
        self._tags: dict[str, list[str]] = {}
        self.scope_name = ""  # where the shown papers are from ("Ecology/Birds, 2019–2021")
        # The scope picker: the same limits as the CLI's --collection/--year-from/--year-to/--tag
        self.collection = _picker(
            "Only the papers of this Zotero collection (and its sub-collections)", 8)
        self.tag = _picker("Only the papers carrying this Zotero tag", 5)
        self.year_from, self.year_to = QSpinBox(), QSpinBox()
        for box, word in ((self.year_from, "from"), (self.year_to, "to")):
            box.setRange(NO_YEAR, 2999)  # NO_YEAR (shown as the word): no limit
            box.setValue(NO_YEAR)
            box.setSpecialValueText(f"Year {word}" if word == "from" else "to")
            box.setToolTip(f"Only the papers published {word} this year (inclusive)")
            box.valueChanged.connect(self._apply_scope)
        self.collection.currentIndexChanged.connect(self._apply_scope)
        self.tag.currentIndexChanged.connect(self._apply_scope)
        self.collection.hide()
        self.tag.hide()

        self.table = _paper_table(self.proxy, self.fontMetrics().height() + 12)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.viewport().installEventFilter(self)  # columns follow the pane's width
        self.table.doubleClicked.connect(self._open_index)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._menu)
        remove_action = QAction(
            "Remove",
            self.table,
            shortcut=QKeySequence(QKeySequence.StandardKey.Delete),
            shortcutContext=Qt.ShortcutContext.WidgetShortcut,
        )
        remove_action.triggered.connect(self.confirm_remove)
        self.table.addAction(remove_action)

        self.add_btn = QPushButton("Add…")
        self.add_btn.setToolTip(
            "Add PDFs or folders (Ctrl+O); you can also drop them on the window"
        )
        self.add_btn.clicked.connect(self.addRequested)
        self.open_btn = QPushButton("Open")
        self.open_btn.setToolTip("Open the selected paper in the viewer")
        self.open_btn.clicked.connect(while_current(
            lambda: bool(self.selected()), lambda: self.openPaper.emit(self.selected()[0])))
        self.remove_btn = QPushButton("Remove…")
        self.remove_btn.setToolTip("Remove the selected papers from the library (Del)")
        self.remove_btn.clicked.connect(self.confirm_remove)
        self.clear_btn = QPushButton("Clear selection")
        self.clear_btn.setToolTip("Questions search every paper again")
        self.clear_btn.clicked.connect(self.table.clearSelection)
        self.hidden_note = HiddenNote(model=model, filtering=self._filtering, shown=self.shown)
        self.hidden_note.showAll.connect(self.show_all)

        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.count)
        # Showing "Clear selection" beside the filter must not widen the pane (the layout
        # would jump): the pane's minimum width leaves room for it and ~15 letters of titles.
        filter_row = QHBoxLayout()
        filter_row.setSpacing(6)
        filter_row.addWidget(self.filter, 1)
        filter_row.addWidget(self.clear_btn)
        scope_row = QHBoxLayout()  # the Zotero limits (hidden without Zotero papers)
        scope_row.setSpacing(6)
        scope_row.addWidget(self.collection, 1)
        scope_row.addWidget(self.tag)
        years_row = QHBoxLayout()
        years_row.setSpacing(6)
        years_row.addWidget(self.year_from)
        years_row.addWidget(self.year_to)
        years_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.add_btn)
        buttons.addStretch(1)
        for b in (self.open_btn, self.remove_btn):
            buttons.addWidget(b)

        self.setMinimumWidth(290)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addLayout(filter_row)
        layout.addLayout(scope_row)
        layout.addLayout(years_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hidden_note)
        layout.addLayout(buttons)
        model.rowsInserted.connect(self._update_count)
        model.rowsRemoved.connect(self._update_count)
        model.modelReset.connect(self._update_count)
        model.countChanged.connect(self._update_count)
        self.filter.textChanged.connect(self.hidden_note.update_note)
        self._update_count()
        self._selection_changed()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(obj, event)

    def _fit_columns(self) -> None:
        """Year and Status always show; Authors takes what the title can spare and goes (to
        the tooltip) in a narrow pane, and so does Pages in a very narrow one (a laptop's
        1024 px: the title needs the room); the title gets the rest."""
        header, fm = self.table.horizontalHeader(), self.fontMetrics()
        bold = QFont(self.table.horizontalHeader().font())
        bold.setWeight(QFont.Weight.DemiBold)  # the headings' weight (style.py)
        hm = QFontMetrics(bold)
        fixed = {2: "Year", 3: "Pages", 4: "Searchable"}
        for col, sample in fixed.items():
            width = max(fm.horizontalAdvance(sample), hm.horizontalAdvance(sample))
            header.resizeSection(col, width + 14)
        title = fm.horizontalAdvance("x" * 24)
        room = self.table.viewport().width() - sum(header.sectionSize(c) for c in fixed)
        no_pages = room < title
        self.table.setColumnHidden(3, no_pages)
        if no_pages:
            room += header.sectionSize(3)
        authors = fm.horizontalAdvance("Lindqvist et al.") + 16
        narrow = room < authors + title
        self.table.setColumnHidden(1, narrow)
        if not narrow:
            header.resizeSection(1, min(authors, room // 3))

    def set_scope_options(self, options: dict[str, dict[str, list[str]]]) -> None:
        """The Zotero collections and tags to filter by (Catalog.scope_options); each combo
        shows only when the library has some. The current choice is kept when it still exists."""
        self._collections = dict(options.get("collections", {}))
        self._tags = dict(options.get("tags", {}))
        for box, first, names in ((self.collection, ALL_COLLECTIONS, self._collections),
                                  (self.tag, ALL_TAGS, self._tags)):
            current = box.currentText()
            box.blockSignals(True)
            box.clear()
            box.addItem(first)
            box.addItems(list(names))
            box.setCurrentIndex(max(0, box.findText(current)))
            box.blockSignals(False)
            box.setVisible(bool(names))
        self._apply_scope()

    def clear_scope(self) -> None:
        """Back to every paper: no collection, year or tag limit."""
        for w in (self.collection, self.tag, self.year_from, self.year_to):
            w.blockSignals(True)
        self.collection.setCurrentIndex(0)
        self.tag.setCurrentIndex(0)
        self.year_from.setValue(NO_YEAR)
        self.year_to.setValue(NO_YEAR)
        for w in (self.collection, self.tag, self.year_from, self.year_to):
            w.blockSignals(False)
        self._apply_scope()

    def _apply_scope(self, *args: object) -> None:
        """Show only the papers within the chosen collection, years and tag; with no paper
        selected, they are what questions and Extract are limited to."""
        allowed: set[str] | None = None
        names = []
        collection = self.collection.currentText() if self.collection.currentIndex() > 0 else ""
        tag = self.tag.currentText() if self.tag.currentIndex() > 0 else ""
        if collection:
            allowed = set(self._collections.get(collection, []))
            names.append(collection)
        if tag:
            ids = set(self._tags.get(tag, []))
            allowed = ids if allowed is None else allowed & ids
            names.append(f"tag {tag}")
        low, high = (None if b.value() == NO_YEAR else b.value()
                     for b in (self.year_from, self.year_to))
        if low is not None or high is not None:
            ids = {p.doc_id for p in self.model.papers
                   if p.year is not None and (low is None or p.year >= low)
                   and (high is None or p.year <= high)}
            allowed = ids if allowed is None else allowed & ids
            names.append(f"{low or '…'}–{high or '…'}")
        self.scope_name = ", ".join(names)
        self.proxy.set_allowed(allowed)
        self._selection_changed()
        self.hidden_note.update_note()

    def show_all(self) -> None:
        """No scope limit and no text filter: every paper is listed."""
        self.filter.clear()
        self.clear_scope()

    def _filtering(self) -> bool:
        return self.proxy.allowed is not None or bool(self.filter.text())

    def shown(self) -> list[str]:
        """The doc ids of the rows the list shows (after the scope and text filters)."""
        ids = (self.proxy.index(r, 0).data(ItemRole) for r in range(self.proxy.rowCount()))
        return [p.doc_id for p in ids if p is not None]

    def scope_where(self) -> str:
        """The filter the scope comes from, for the scope label ("" when papers are selected)."""
        return "" if self.selected() else self.scope_name

    def scope_ids(self) -> list[str]:
        """What questions are limited to: the selected papers, else the papers the scope
        filter shows ([] = all papers)."""
        selected = [p.doc_id for p in self.selected()]
        if selected or self.proxy.allowed is None:
            return selected
        return [p.doc_id for p in self.model.papers if p.doc_id in self.proxy.allowed]

    def selected(self) -> list[Paper]:
        rows = self.table.selectionModel().selectedRows()
        papers = [self.proxy.mapToSource(i).data(ItemRole) for i in rows]
        return [p for p in papers if p is not None]

    def select(self, doc_ids: list[str]) -> None:
        """Select these papers (tests, and re-selecting after a change)."""
        sel = QItemSelection()
        for row in range(self.proxy.rowCount()):
            p = self.proxy.index(row, 0).data(ItemRole)
            if p is not None and p.doc_id in doc_ids:
                sel.select(
                    self.proxy.index(row, 0), self.proxy.index(row, self.proxy.columnCount() - 1)
                )
        selection = self.table.selectionModel()
        selection.select(sel, selection.SelectionFlag.ClearAndSelect)

    def confirm_remove(self) -> None:
        papers = self.selected()
        if not papers:
            return
        one = papers[0]
        what = f"“{one.title or one.path.name}”" if len(papers) == 1 else (
            f"{len(papers)} papers")
        if dialogs.confirm(
            self,
            "Remove from library",
            f"Remove {what} from the library?",
            "Remove",
            destructive=True,
            detail="The PDF files stay where they are; you can add them again later.",
        ):
            self.removeConfirmed.emit([p.doc_id for p in papers])

    def _open_index(self, index) -> None:  # noqa: ANN001
        paper = self.proxy.mapToSource(index).data(ItemRole)
        if paper is not None:
            self.openPaper.emit(paper)

    def _selection_changed(self, *args: object) -> None:
        papers = self.selected()
        self.open_btn.setEnabled(len(papers) == 1)
        self.remove_btn.setEnabled(bool(papers))
        self.clear_btn.setVisible(bool(papers))
        self.scopeChanged.emit(self.scope_ids())

    def _update_count(self, *args: object) -> None:
        papers, pages = self.model.counts()
        self.count.setText(f"{papers} paper{'s' if papers != 1 else ''} · {pages} pages")

    def _menu(self, pos) -> None:  # noqa: ANN001
        papers = self.selected()
        if not papers:
            return
        menu = QMenu(self)
        if len(papers) == 1:
            menu.addAction("Open in viewer", lambda: self.openPaper.emit(papers[0]))
        menu.addAction("Ask all papers", self.table.clearSelection)
        menu.addSeparator()
        menu.addAction("Remove…", self.confirm_remove)
        menu.exec(self.table.viewport().mapToGlobal(pos))


def _picker(tip: str, letters: int) -> QComboBox:
    """A scope picker as narrow as `letters` letters allow."""
    combo = QComboBox()
    combo.setToolTip(tip)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(letters)
    return combo


def _paper_table(proxy: QSortFilterProxyModel, row_height: int) -> QTableView:
    """The papers' table: sorted, whole rows selected, one line a paper."""
    table = QTableView()
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(row_height)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(30)
    return table
