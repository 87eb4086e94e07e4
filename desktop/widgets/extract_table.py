"""The extraction table's view: papers head the rows, a click opens a cell's quote."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop.extract_model import ExtractTableModel, GapFilter
from desktop.models import ItemRole

VERTICAL = Qt.Orientation.Vertical
# Papers head the rows: drawn like the cells beside them, not like column headings.
PAPER_QSS = (
    "QHeaderView { background: #ffffff; }"
    "QHeaderView::section { background: #ffffff; font-weight: normal; color: #1f2328;"
    " border: none; border-right: 1px solid #d0d7de; border-bottom: 1px solid #eaeef2;"
    " padding: 2px 8px; }"
)

CORNER_QSS = (  # the corner above the papers, like the question headings beside it
    "QTableCornerButton::section { background: #f0f2f5; border: none;"
    " border-bottom: 1px solid #d0d7de; }"
)


class ExtractTable(QTableView):
    """Shows ``proxy`` (over ``model``); cells hold about three lines of an answer."""

    openSource = Signal(object, int, str, str)  # (pdf path, page, quote, title)

    def __init__(
        self, *, model: ExtractTableModel, proxy: GapFilter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._model, self._proxy = model, proxy
        self.setModel(proxy)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        papers = self.verticalHeader()
        papers.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        papers.setDefaultSectionSize(self.fontMetrics().lineSpacing() * 3 + 14)
        papers.setDefaultAlignment(left)
        papers.setHighlightSections(False)
        papers.setToolTip("Click a paper to open it")
        papers.setStyleSheet(PAPER_QSS)
        self.setStyleSheet(CORNER_QSS)
        papers.sectionClicked.connect(self._open_paper)
        questions = self.horizontalHeader()
        questions.setHighlightSections(False)
        questions.setDefaultAlignment(left)
        questions.setDefaultSectionSize(175)
        self.clicked.connect(self._open)
        proxy.modelReset.connect(self._fit_papers)
        self._fit_papers()

    def _open(self, index: QModelIndex) -> None:
        """A reported cell opens its paper at the quote's page, the quote highlighted."""
        source = self._proxy.mapToSource(index)
        paper = self._model.paper_at(source.row())
        cell = self._model.cell_at(source.row(), source.column())
        if paper is None or cell is None or not cell.reported or not cell.page:
            return
        self.openSource.emit(paper.path, cell.page, cell.quote, paper.title)
        # the viewer may have taken room from the table: keep the cell in sight
        keep = QPersistentModelIndex(index)
        QTimer.singleShot(0, lambda: self._scroll_to(keep))

    def _scroll_to(self, index: QPersistentModelIndex) -> None:
        if index.isValid():
            self.scrollTo(self.model().index(index.row(), index.column()))

    def _open_paper(self, row: int) -> None:
        paper = self._proxy.headerData(row, VERTICAL, ItemRole)
        if paper is not None:
            self.openSource.emit(paper.path, 1, "", paper.title)

    def _fit_papers(self) -> None:
        """Headers do not elide two lines: make the paper column as wide as its widest line."""
        fm, m = self.fontMetrics(), self._model
        lines = [x for r in range(m.rowCount()) for x in str(m.headerData(r, VERTICAL)).split("\n")]
        width = max((fm.horizontalAdvance(x) for x in lines), default=120)
        self.verticalHeader().setFixedWidth(min(width + 20, 260))
