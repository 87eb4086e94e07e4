"""Qt item models over core's plain data. Views own nothing; these adapt, nothing more.

Lists are updated in place (rows removed, changed, appended by key) rather than reset, so a
view keeps its selection (the question scope) when the library changes underneath it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from core.types import Evidence, Paper
from desktop.quotes import snippet
from desktop.render import plain_rich

T = TypeVar("T")
ItemRole = Qt.ItemDataRole.UserRole + 1  # the core object behind a row
SortRole = Qt.ItemDataRole.UserRole + 2  # a value that sorts naturally (numbers as numbers)
AnyIndex = QModelIndex | QPersistentModelIndex


class _Rows(Generic[T]):
    """Keyed row storage with the begin/end calls a QAbstractItemModel needs."""

    def __init__(
        self,
        model: QAbstractListModel | QAbstractTableModel,
        key: Callable[[T], Hashable],
        columns: int = 1,
    ):
        self._model, self._key, self._columns = model, key, columns
        self.items: list[T] = []

    def sync(self, new: Sequence[T]) -> None:
        """Make the rows equal ``new``: remove, update and insert in place, keeping order."""
        m, key = self._model, self._key
        wanted = {key(x) for x in new}
        for row in reversed(range(len(self.items))):
            if key(self.items[row]) not in wanted:
                m.beginRemoveRows(QModelIndex(), row, row)
                del self.items[row]
                m.endRemoveRows()
        kept = {key(x) for x in self.items}
        if [key(x) for x in new if key(x) in kept] != [key(x) for x in self.items]:
            m.beginResetModel()  # reordered: nothing to keep
            self.items = list(new)
            m.endResetModel()
            return
        last_col = self._columns - 1
        for row, x in enumerate(new):
            if row < len(self.items) and key(self.items[row]) == key(x):
                if self.items[row] != x:
                    self.items[row] = x
                    m.dataChanged.emit(m.index(row, 0), m.index(row, last_col))
            else:
                m.beginInsertRows(QModelIndex(), row, row)
                self.items.insert(row, x)
                m.endInsertRows()


# ------------------------------------------------------------------ library table
@dataclass(frozen=True)
class LibraryRow:
    """A paper in the library, or a file of the running ingest batch (paper is None)."""

    path: Path
    status: str
    paper: Paper | None = None
    title: str = ""  # a file of the batch that finished: its title, until the paper replaces it
    pages: int = 0


# A paper's state: searchable by its words as soon as its text is stored, indexed once its
# vectors are saved too (docs/searchable-first.md)
SEARCHABLE, INDEXED = "Searchable", "Indexed"


class PaperTableModel(QAbstractTableModel):
    """Papers and the files being added: Title, Authors, Year, Pages, Status."""

    COLUMNS = ("Title", "Authors", "Year", "Pages", "Status")
    countChanged = Signal()  # counts() may have changed

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: _Rows[LibraryRow] = _Rows(
            self,
            key=lambda r: r.paper.doc_id if r.paper else str(r.path),
            columns=len(self.COLUMNS),
        )
        self._papers: list[Paper] = []
        self._unindexed: set[str] = set()  # searchable by their words; vectors to come
        self._pending: dict[Path, tuple[str, bool, str, int]] = {}  # status, done, title, pages

    # -- feeding
    def set_papers(self, papers: Sequence[Paper], unindexed: Iterable[str] = ()) -> None:
        """The library's papers, those of `unindexed` searchable by their words only so far;
        rows of files that finished adding give way to them."""
        self._papers = list(papers)
        self._unindexed = set(unindexed)
        self._pending = {p: v for p, v in self._pending.items() if not v[1]}
        self._refresh()

    def mark_indexed(self, doc_id: str) -> None:
        """A paper's vectors are saved: its row says "Indexed" (Library.embed's Embedded)."""
        if doc_id in self._unindexed:
            self._unindexed.discard(doc_id)
            self._refresh()

    def set_pending(
        self, path: Path, status: str, *, done: bool = False, title: str = "", pages: int = 0
    ) -> None:
        """Show a row for a file of the running batch; ``done`` rows go at the next set_papers.
        A file just added (``pages`` > 0) shows its title and counts in ``counts()`` at once."""
        old = self._pending.get(path)
        if old is not None and old[1] and not done:
            # a file already stored (searchable) whose vectors follow in the same batch: its
            # row stays finished, so the library's own row replaces it at the next set_papers
            return
        self._pending[path] = (status, done, title, pages)
        self._refresh()

    def counts(self) -> tuple[int, int]:
        """(papers, pages): the library's, plus the files of the running batch added so far."""
        known = {p.path for p in self._papers}
        new = [v for path, v in self._pending.items() if v[1] and v[3] and path not in known]
        return len(self._papers) + len(new), sum(p.pages for p in self._papers) + sum(
            v[3] for v in new
        )

    def _refresh(self) -> None:
        rows = [LibraryRow(p.path, SEARCHABLE if p.doc_id in self._unindexed else INDEXED, p)
                for p in self._papers]
        rows += [
            LibraryRow(path, status, title=title, pages=pages)
            for path, (status, _, title, pages) in self._pending.items()
        ]
        self._rows.sync(rows)
        self.countChanged.emit()

    # -- reading
    @property
    def papers(self) -> list[Paper]:
        return list(self._papers)

    def paper_at(self, row: int) -> Paper | None:
        return self._rows.items[row].paper if 0 <= row < len(self._rows.items) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows.items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section] if 0 <= section < len(self.COLUMNS) else None
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        row = self._rows.items[index.row()]
        if row.paper is None:  # a file still being added cannot be selected or opened
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows.items)):
            return None
        row, col = self._rows.items[index.row()], index.column()
        p = row.paper
        if role == ItemRole:
            return p
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row)[col]
        if role == SortRole:
            return _sort_key(row)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if p is None:
                return plain_rich(f"{row.path}\n{row.status}")
            added = dt.datetime.fromtimestamp(p.added_at).strftime("%Y-%m-%d %H:%M")
            lines = [p.title, ", ".join(p.authors)] + ([f"DOI {p.doi}"] if p.doi else [])
            lines += [f"{p.pages} pages, {p.chunks} passages, added {added}", str(p.path)]
            if row.status == SEARCHABLE:
                lines.append("Searchable by its words; its vectors are being computed")
            return plain_rich("\n".join(x for x in lines if x))
        if role == Qt.ItemDataRole.ForegroundRole and p is None:
            return QColor("#6e7781")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _display(row: LibraryRow) -> tuple[str, ...]:
    p = row.paper
    if p is None:
        return (row.title or row.path.name, "", "", str(row.pages or ""), row.status)
    year = str(p.year) if p.year else ""
    return (p.title or p.path.name, short_authors(p.authors), year, str(p.pages), row.status)


def _sort_key(row: LibraryRow) -> tuple[Any, ...]:
    """Numbers sort as numbers; files still being added sort by name."""
    p = row.paper
    if p is None:
        return ((row.title or row.path.name).casefold(), "", 0, row.pages, row.status)
    title = (p.title or p.path.name).casefold()
    return (title, ", ".join(p.authors).casefold(), p.year or 0, p.pages, row.status)


def short_authors(authors: Sequence[str]) -> str:
    """ "Lindqvist", "Weber & Raman", "Lindqvist et al." (surnames, as papers are cited)."""

    def surname(name: str) -> str:
        return name.split()[-1] if name.split() else name

    if not authors:
        return ""
    if len(authors) == 1:
        return surname(authors[0])
    if len(authors) == 2:
        return f"{surname(authors[0])} & {surname(authors[1])}"
    return f"{surname(authors[0])} et al."


# ------------------------------------------------------------------ simple lists
class ListModel(QAbstractListModel, Generic[T]):
    """A read-only list of core objects; subclasses say how a row looks."""

    def __init__(self, key: Callable[[T], Hashable], parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: _Rows[T] = _Rows(self, key=key)

    def set_items(self, items: Sequence[T]) -> None:
        self._rows.sync(items)

    def replace(self, items: Sequence[T]) -> None:
        """Reset rather than sync: for lists whose order matters (evidence ranks)."""
        self.beginResetModel()
        self._rows.items = list(items)
        self.endResetModel()

    @property
    def items(self) -> list[T]:
        return list(self._rows.items)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows.items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows.items)):
            return None
        item = self._rows.items[index.row()]
        if role == ItemRole:
            return item
        return self.item_data(index.row(), item, role)

    def item_data(self, row: int, item: T, role: int) -> Any:
        raise NotImplementedError


class EvidenceModel(ListModel[Evidence]):
    """Retrieved passages in rank order: paper, page, section, snippet."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(key=lambda e: e.chunk_id, parent=parent)

    def item_data(self, row: int, e: Evidence, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{heading(row, e)}\n{snippet(e.text)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_rich(f"{e.title}\n{_pages(e)} · {e.section}\n\n{snippet(e.text, 900)}")
        return None


def heading(row: int, e: Evidence) -> str:
    """ "[2] p. 4 · Methods — Title": where first, as the title is what gets cut short."""
    section = e.section.capitalize() if e.section and e.section != "body" else ""
    where = " · ".join(x for x in (_pages(e), section) if x)
    return f"[{row + 1}] {where} — {e.title}"


def _pages(e: Evidence) -> str:
    return f"p. {e.page}" if e.page_end in (e.page, 0) else f"pp. {e.page}–{e.page_end}"


class ConversationModel(ListModel[Any]):
    """Saved conversations, newest first (core's Conversation: id, title, created_at, turns)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(key=lambda c: c.id, parent=parent)

    def item_data(self, row: int, c: Any, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return snippet(c.title or "Untitled", 60)
        if role == Qt.ItemDataRole.ToolTipRole:
            when = dt.datetime.fromtimestamp(c.created_at).strftime("%Y-%m-%d %H:%M")
            return plain_rich(f"{c.title}\n{when} · {c.turns} question{'s' if c.turns != 1 else ''}")
        return None


@dataclass(frozen=True)
class Failure:
    path: Path
    error: str
    stored: bool = False  # the paper was added, but its line says to look at it (a notice)


class FailureModel(ListModel[Failure]):
    """Files that could not be added, and added files worth a look (unreadable OCR, …), one
    readable line each."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(key=lambda f: str(f.path), parent=parent)

    def add(self, failure: Failure) -> None:
        self.set_items([f for f in self.items if f.path != failure.path] + [failure])

    def item_data(self, row: int, f: Failure, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            error = " ".join(f.error.split())
            if f.stored:
                error = f"added, but {error}"
            return f"{f.path.name} — {error}" if f.path.name else error
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_rich(f"{f.path}\n{f.error}")
        return None
