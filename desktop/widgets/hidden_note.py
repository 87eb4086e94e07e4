"""“1 new paper is hidden by the filter”: papers added while the library's list is filtered
(a Zotero collection, a tag, years, or typed text) may not match it, and a paper that just
does not appear looks lost. The note says so and offers to show every paper."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from desktop.models import PaperTableModel


class HiddenNote(QLabel):
    """Shown while papers that arrived under a filter are not listed; its link emits
    ``showAll``. ``filtering()`` says whether a filter is on, ``shown()`` lists the doc ids
    the list shows."""

    showAll = Signal()

    def __init__(
        self,
        *,
        model: PaperTableModel,
        filtering: Callable[[], bool],
        shown: Callable[[], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._model, self._filtering, self._shown = model, filtering, shown
        self._seen: set[str] = set()  # the papers at the last change of the library
        self._new: set[str] = set()  # ... of which these came while a filter was on
        self.setObjectName("dim")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.linkActivated.connect(lambda _link: self.showAll.emit())
        self.hide()
        model.countChanged.connect(self.papers_changed)

    def papers_changed(self) -> None:
        """The library changed: papers that came while a filter is on count as new."""
        ids = {p.doc_id for p in self._model.papers}
        if self._filtering():
            self._new |= ids - self._seen
        self._new &= ids
        self._seen = ids
        self.update_note()

    def update_note(self, *args: object) -> None:
        """Say how many new papers the list hides (none once the filter is off)."""
        if not self._filtering():
            self._new.clear()
        n = len(self._new - set(self._shown()))
        self.setVisible(n > 0)
        self.setText(
            f"{n} new paper{' is' if n == 1 else 's are'} hidden by the filter · "
            "<a href='show-all'>Show all papers</a>" if n else ""
        )
