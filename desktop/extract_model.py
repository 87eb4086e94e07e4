"""The extraction table as a Qt model: rows are papers, columns the questions of a set.

Papers head the rows (the vertical header), so they stay in sight as the table scrolls
sideways through the questions.

It adapts core's stored ``Row``s (``extract_table``) and the ``Cell``s a running extraction
reports one by one; ``GapFilter`` narrows it to the papers and questions with a gap.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont

from core import Cell, QuestionSet, Row
from core.types import CellStatus, Paper
from desktop.models import AnyIndex, ItemRole, short_authors
from desktop.quotes import snippet
from desktop.render import plain_rich

StatusRole = Qt.ItemDataRole.UserRole + 3  # "reported", "not reported", "" (not yet) or "running"
ANSWER_CHARS = 110
TITLE_CHARS = 30  # the paper column is as wide as the longest line  # a cell shows about three lines; the tooltip has the whole answer


class ExtractTableModel(QAbstractTableModel):
    """Row n is paper n, column n question n of the set."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.qset: QuestionSet | None = None
        self._rows: list[Row] = []
        self._by_doc: dict[str, int] = {}
        self._running: tuple[str, str] | None = None

    # -- feeding
    def set_table(self, qset: QuestionSet | None, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.qset, self._rows = qset, [Row(r.paper, dict(r.cells)) for r in rows]
        self._by_doc = {r.paper.doc_id: n for n, r in enumerate(self._rows)}
        self._running = None
        self.endResetModel()

    def set_cell(self, doc_id: str, question_id: str, cell: Cell | None) -> None:
        """One cell arrived (or, with None, is to be computed again)."""
        if (pos := self._position(doc_id, question_id)) is None:
            return
        row, col = pos
        self._rows[row].cells[question_id] = cell
        if self._running == (doc_id, question_id):
            self._running = None
        self.dataChanged.emit(self.index(row, col), self.index(row, col))

    def set_running(self, doc_id: str | None, question_id: str | None = None) -> None:
        """Mark the cell being computed now (one at most)."""
        before = self._running
        self._running = (doc_id, question_id) if doc_id and question_id else None
        for where in (before, self._running):
            if where and (pos := self._position(*where)) is not None:
                self.dataChanged.emit(self.index(*pos), self.index(*pos))

    def _position(self, doc_id: str, question_id: str) -> tuple[int, int] | None:
        row = self._by_doc.get(doc_id)
        col = next((n for n, q in enumerate(self.questions) if q.id == question_id), None)
        return None if row is None or col is None else (row, col)

    # -- reading
    @property
    def questions(self) -> tuple:
        return self.qset.questions if self.qset else ()

    def rows(self) -> list[Row]:
        """The table as core's Rows (for write_table)."""
        return [Row(r.paper, dict(r.cells)) for r in self._rows]

    def paper_at(self, row: int) -> Paper | None:
        return self._rows[row].paper if 0 <= row < len(self._rows) else None

    def cell_at(self, row: int, col: int) -> Cell | None:
        if not (0 <= row < len(self._rows) and 0 <= col < len(self.questions)):
            return None
        return self._rows[row].cells.get(self.questions[col].id)

    def counts(self) -> tuple[int, int, int]:
        """(cells, stored, not reported) over the whole table."""
        cells = [c for r in self._rows for q in self.questions if (c := r.cells.get(q.id))]
        total = len(self._rows) * len(self.questions)
        return total, len(cells), sum(not c.reported for c in cells)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.qset is None else len(self.questions)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return (
                _paper_data(self._rows[section].paper, role)
                if 0 <= section < len(self._rows)
                else None
            )
        if not 0 <= section < len(self.questions):
            return None
        q = self.questions[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return q.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_rich(q.question)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row, col = index.row(), index.column()
        paper = self._rows[row].paper
        q = self.questions[col]
        cell = self._rows[row].cells.get(q.id)
        running = self._running == (paper.doc_id, q.id)
        if role == ItemRole:
            return cell
        if role == StatusRole:
            return "running" if running else cell.status if cell else ""
        if role == Qt.ItemDataRole.DisplayRole:
            if running:
                return "working…"
            if cell is None:
                return ""
            if not cell.reported:
                return CellStatus.NOT_REPORTED.value
            return snippet(cell.answer, ANSWER_CHARS)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(q.label, q.question, cell)
        if role == Qt.ItemDataRole.FontRole and (running or (cell and not cell.reported)):
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and (running or (cell and not cell.reported)):
            return QColor("#8c959f")
        if role == Qt.ItemDataRole.BackgroundRole and running:
            return QColor("#fff4dc")
        return None


def _paper_data(paper: Paper, role: int) -> Any:
    """A row heading: the title cut to fit, then "Lindqvist et al. 2023"."""
    if role == ItemRole:
        return paper
    if role == Qt.ItemDataRole.DisplayRole:
        title = snippet(paper.title or paper.path.name, TITLE_CHARS)
        who = " ".join(x for x in (short_authors(paper.authors), str(paper.year or "")) if x)
        return f"{title}\n{who}" if who else title
    if role == Qt.ItemDataRole.ToolTipRole:
        return plain_rich(f"{paper.title}\n{', '.join(paper.authors)}\n{paper.path}\n\nClick to open it.")
    return None


def _tooltip(label: str, question: str, cell: Cell | None) -> str:
    """Rich text, so Qt wraps long quotes instead of drawing one very wide line."""
    head = f"<b>{html.escape(label)}</b> — {html.escape(question)}"
    if cell is None:
        return f"<qt>{head}<p>Not extracted yet: press Run.</p></qt>"
    if not cell.reported:
        body = "<p><i>Not reported:</i> no passage of this paper answers the question.</p>"
    else:
        same = " ".join(cell.answer.split()) == " ".join(cell.quote.split())
        where = f"pages {cell.page}–{cell.page_end}" if cell.page_end else f"page {cell.page}"
        answer = "" if same else f"<p>{html.escape(cell.answer)}</p>"
        body = (
            f"{answer}<p>“{html.escape(' '.join(cell.quote.split()))}”<br>"
            f"<span style='color:#57606a'>— {where}; click to see it there</span></p>"
        )
    if cell.unsupported:
        dropped = "".join(f"<li>{html.escape(s)}</li>" for s in cell.unsupported)
        body += (
            f"<p style='color:#8a5a00'>Left out, not supported by the paper:</p><ul>{dropped}</ul>"
        )
    return f"<qt>{head}{body}</qt>"


# How a "not reported" cell looks while only gaps are shown (display text stays).
GAP_ROLES: dict[int, Any] = {
    Qt.ItemDataRole.DisplayRole: CellStatus.NOT_REPORTED.value,
    Qt.ItemDataRole.ForegroundRole: QColor("#b42318"),
    Qt.ItemDataRole.BackgroundRole: QColor("#fdecea"),
}


class GapFilter(QSortFilterProxyModel):
    """When on, only papers and questions with a "not reported" cell (the gaps) remain."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._on = False

    def set_source(self, model: ExtractTableModel) -> None:
        self.setSourceModel(model)
        # A cell that arrives can open or close a gap: filter again (rows and columns).
        model.dataChanged.connect(self._refilter)

    def set_enabled(self, on: bool) -> None:
        self.beginFilterChange()
        self._on = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Both)

    def _refilter(self, *args: object) -> None:
        if self._on:
            self.beginFilterChange()
            self.endFilterChange(QSortFilterProxyModel.Direction.Both)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """With the filter on, the gaps stand out and answers step back to a tick and a page."""
        if self._on and index.isValid() and role in GAP_ROLES:
            status = super().data(index, StatusRole)
            cell = super().data(index, ItemRole)
            if status == CellStatus.NOT_REPORTED:
                return GAP_ROLES[role]
            if status == "reported" and role == Qt.ItemDataRole.DisplayRole:
                return f"✓ reported, {cell.pages}"
            if status == "reported" and role == Qt.ItemDataRole.ForegroundRole:
                return QColor("#8c959f")
        return super().data(index, role)

    def _gap(self, row: int | None, col: int | None) -> bool:
        src: ExtractTableModel = self.sourceModel()  # type: ignore[assignment]
        rows = range(src.rowCount()) if row is None else [row]
        cols = range(src.columnCount()) if col is None else [col]
        return any(src.index(r, c).data(StatusRole) == CellStatus.NOT_REPORTED
                   for r in rows for c in cols)

    def filterAcceptsRow(self, row: int, parent: AnyIndex) -> bool:  # noqa: N802 - Qt override
        return not self._on or self._gap(row, None)

    def filterAcceptsColumn(self, col: int, parent: AnyIndex) -> bool:  # noqa: N802 - Qt override
        return not self._on or self._gap(None, col)
