"""The built-in PDF viewer: open a paper at a page and highlight the quoted words.

QtPdf (the PySide6-Pdf wheel) draws the page; a QPdfSearchModel finds the quote on the
page's text layer, and QPdfView highlights its current search result.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.quotes import search_string
from desktop.render import plain_rich

try:  # QtPdf ships in its own wheel (PySide6-Pdf); without it citations open externally.
    from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
    from PySide6.QtPdfWidgets import QPdfView
except ImportError:  # pragma: no cover - depends on the installation
    QPdfDocument = QPdfSearchModel = QPdfView = None  # type: ignore[assignment,misc]

PLACEHOLDER = (
    "<p style='color:#6e7781; font-size:11pt'>Click a citation <b>[n]</b> or a passage in "
    "Evidence<br>to see it on its page, with the quoted words highlighted.</p>"
)
SCROLL_MARGIN = 60.0  # points above the highlighted line, so it is not glued to the top


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when its text does not fit."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(
            self.fontMetrics().elidedText(
                self._full, Qt.TextElideMode.ElideRight, max(self.width() - 2, 20)
            )
        )


class PdfViewer(QWidget):
    """A toolbar (paper, page, zoom) over a QPdfView; ``open()`` is the whole API."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.highlighted: str | None = None  # what the search model looks for now
        self._target = 0  # 0-based page the caller asked for
        self.setMinimumWidth(320)

        self.title = ElidedLabel()
        self.title.setObjectName("viewerTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.notice = QLabel()
        self.notice.setObjectName("viewerNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()

        self.page = QSpinBox()
        self.page.setMinimum(1)
        self.page.setKeyboardTracking(False)
        self.page.setToolTip("Page")
        self.page_count = QLabel("of 0")
        prev_btn = self._button("‹", "Previous page", lambda: self.go(self.current_page() - 1))
        next_btn = self._button("›", "Next page", lambda: self.go(self.current_page() + 1))
        zoom_out = self._button("−", "Zoom out", lambda: self._zoom(1 / 1.2))
        zoom_in = self._button("+", "Zoom in", lambda: self._zoom(1.2))
        fit = self._button("Fit", "Fit the page width", self._fit_width)
        external = self._button("↗", "Open in your system's PDF viewer", self.open_externally)
        close = self._button("✕", "Close the viewer", self._close)

        self.bar = QWidget()
        bar = QHBoxLayout(self.bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(4)
        bar.addWidget(self.title, 1)
        for w in (
            prev_btn,
            self.page,
            self.page_count,
            next_btn,
            zoom_out,
            zoom_in,
            fit,
            external,
            close,
        ):
            bar.addWidget(w)

        self.stack = QStackedWidget()
        empty = QLabel(PLACEHOLDER)
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setWordWrap(True)
        self.stack.addWidget(empty)
        if QPdfView is not None:
            self.document = QPdfDocument(self)
            self.search = QPdfSearchModel(self)
            self.search.setDocument(self.document)
            self.view = QPdfView(self)
            self.view.setDocument(self.document)
            self.view.setSearchModel(self.search)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.view.setPageSpacing(8)
            self.stack.addWidget(self.view)
            self.view.pageNavigator().currentPageChanged.connect(self._on_page_changed)
            self.search.statusChanged.connect(self._on_search_status)
            self.page.valueChanged.connect(lambda v: v != self.current_page() and self.go(v))
        else:
            empty.setText(
                "The PDF viewer needs the PySide6-Pdf package; citations open in your "
                "system's PDF viewer instead."
            )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        self._controls = [prev_btn, next_btn, self.page, zoom_out, zoom_in, fit, external]
        self._set_enabled(False)

    def _button(self, text: str, tip: str, slot) -> QToolButton:  # noqa: ANN001
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.clicked.connect(slot)
        return b

    # ------------------------------------------------------------ API
    def open(self, path: Path, page: int, quote: str = "", title: str = "") -> bool:
        """Show ``page`` (1-based) of ``path`` and highlight ``quote`` there; False if it cannot."""
        path = Path(path)
        self.title.set_full_text(title or path.name)
        self.title.setToolTip(plain_rich(f"{title}\n{path}" if title else str(path)))
        if not path.is_file():
            self._fail(f"The file is no longer at {path}. Add it again from its new place.")
            return False
        if QPdfView is None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
            return False
        if path != self.path or self.document.status() != QPdfDocument.Status.Ready:
            self.search.setSearchString("")
            self.document.close()
            loaded = self.document.load(str(path)) == QPdfDocument.Error.None_
            if not loaded or self.document.pageCount() == 0:
                self.path = None
                self._fail(f"Could not open {path.name}: the PDF viewer cannot read it.")
                return False
            self.path = path
            self.page.setMaximum(max(self.document.pageCount(), 1))
            self.page_count.setText(f"of {self.document.pageCount()}")
        self.stack.setCurrentWidget(self.view)
        self._set_enabled(True)
        self._target = min(max(page - 1, 0), self.document.pageCount() - 1)
        self.go(self._target + 1)
        self.highlighted = None
        if quote:
            text = self.document.getAllText(self._target).text()
            self.highlighted = search_string(quote, text)
        self.notice.setVisible(bool(quote) and self.highlighted is None)
        self.notice.setText(
            f"Showing page {self._target + 1}. The quoted words could not be located on this "
            "page's text layer, so nothing is highlighted."
        )
        self.view.setCurrentSearchResultIndex(-1)
        if self.highlighted and self.search.searchString() == self.highlighted:
            self._on_search_status()  # same words as before: the model will not search again
        else:
            self.search.setSearchString(self.highlighted or "")
        return True

    def current_page(self) -> int:
        """1-based page at the top of the view (0 when nothing is open)."""
        if QPdfView is None or self.path is None:
            return 0
        return self.view.pageNavigator().currentPage() + 1

    def go(self, page: int) -> None:
        if QPdfView is None or self.path is None:
            return
        page = min(max(page, 1), self.document.pageCount())
        nav = self.view.pageNavigator()
        nav.jump(page - 1, QPointF(0, 0), nav.currentZoom())

    def open_externally(self) -> None:
        if self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))

    # ------------------------------------------------------------ internals
    def _on_search_status(self) -> None:
        """Searches run incrementally; when done, make the hit on the target page current."""
        if self.search.status() != QPdfSearchModel.Status.Finished or not self.highlighted:
            return
        for i in range(self.search.count()):
            link = self.search.resultAtIndex(i)
            if link.page() == self._target:
                self.view.setCurrentSearchResultIndex(i)
                where = link.location()
                nav = self.view.pageNavigator()
                nav.jump(
                    link.page(), QPointF(0, max(where.y() - SCROLL_MARGIN, 0)), nav.currentZoom()
                )
                return
        self.notice.setText(
            f"Showing page {self._target + 1}; the quoted words were not found on it."
        )
        self.notice.show()

    def _on_page_changed(self, page: int) -> None:
        self.page.blockSignals(True)
        self.page.setValue(page + 1)
        self.page.blockSignals(False)

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(max(self.view.zoomFactor() * factor, 0.25), 6.0))

    def _fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def _fail(self, message: str) -> None:
        self.notice.setText(plain_rich(message))  # it may name a file
        self.notice.show()

    def _set_enabled(self, on: bool) -> None:
        for w in self._controls:
            w.setEnabled(on)
        self.bar.setVisible(on)

    def _close(self) -> None:
        self.closed.emit()
