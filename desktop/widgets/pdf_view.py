"""A QPdfView that keeps its place through zoom and resize and paints a readable highlight.

QPdfView (Qt 6.5-6.12) keeps the scroll bar's value when its zoom or size changes, so the
page in view drifts; it ignores the location given to QPdfPageNavigator.jump(); and in its
FitToWidth mode it draws search results at the unzoomed scale. This view therefore always
runs in Custom zoom (computing "fit the width" itself), knows where each page sits (the same
arithmetic as QPdfViewPrivate::calculateDocumentLayout), and holds an anchor: a point on a
page and the place in the viewport where it should be. Zooming, fitting and resizing put
the anchor back; scrolling by hand moves it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QWidget

MIN_ZOOM, MAX_ZOOM = 0.25, 4.0
HIGHLIGHT = QColor("#ffd43b")  # multiplied over the page: text stays black, paper turns yellow
MARK = QColor("#c9780a")  # the bar beside the highlighted lines, visible at any zoom
HAND_ANCHOR = QPointF(0.5, 0.4)  # after manual scrolling: the point there stays put
QUOTE_ANCHOR = QPointF(0.1, 0.25)  # a highlighted quote starts a quarter down the view


class PageView(QPdfView):
    """Multi-page view with an anchor that survives zoom, fit and resize."""

    pageChanged = Signal(int)  # 0-based page of the anchor

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]  # PySide6's stub: parent required
        self.setPageMode(QPdfView.PageMode.MultiPage)
        self.setZoomMode(QPdfView.ZoomMode.Custom)
        self.setPageSpacing(8)
        # A vertical bar that comes and goes would change the width that "fit" fits to.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        screen = QGuiApplication.primaryScreen()
        self._res = (screen.logicalDotsPerInch() if screen else 96.0) / 72.0
        self.fit = True
        self._anchor: tuple[int, QPointF, QPointF] = (0, QPointF(0, 0), QPointF(0, 0))
        self._placing = False  # our own scrolling: does not move the anchor
        self._page = -1
        # 0-based page -> its highlighted lines (points, top-left origin); a quote that runs
        # onto the next page has a part on each
        self.highlights: dict[int, list[QRectF]] = {}
        self._layout: tuple[tuple, list[QRectF]] = ((), [])
        self._generation = 0  # bumped for each document: the cached layout is stale

    # ------------------------------------------------------------ geometry
    def scale(self) -> float:
        """Pixels per PDF point at the current zoom."""
        return self._res * self.zoomFactor()

    def _doc(self) -> QPdfDocument | None:
        doc = self.document()
        return doc if doc is not None and doc.status() == QPdfDocument.Status.Ready else None

    def page_sizes(self) -> list[QRectF]:
        """Each page's rectangle in document pixels (before scrolling)."""
        doc = self._doc()
        if doc is None:
            return []
        key = (
            self._generation,
            doc.pageCount(),
            self.zoomFactor(),
            self.viewport().width(),
            self.pageSpacing(),
            self.documentMargins(),
        )
        if self._layout[0] != key:
            self._layout = (key, self._page_rects(doc))
        return self._layout[1]

    def _page_rects(self, doc: QPdfDocument) -> list[QRectF]:
        m, z = self.documentMargins(), self._res * self.zoomFactor()
        sizes = [QSizeF(doc.pagePointSize(p) * z).toSize() for p in range(doc.pageCount())]
        total_w = max((s.width() for s in sizes), default=0) + m.left() + m.right()
        y, out = m.top(), []
        for s in sizes:
            x = (max(total_w, self.viewport().width()) - s.width()) // 2
            out.append(QRectF(x, y, s.width(), s.height()))
            y += s.height() + self.pageSpacing()
        return out

    def document_height(self) -> int:
        pages = self.page_sizes()
        if not pages:
            return 0
        # QPdfView puts the spacing after the last page too, then the bottom margin.
        return int(pages[-1].bottom()) + self.pageSpacing() + self.documentMargins().bottom()

    def to_viewport(self, page: int, point: QPointF) -> QPointF:
        """Where a point of a page (in points) is in the viewport, in pixels."""
        rect = self.page_sizes()[page]
        return rect.topLeft() + point * self.scale() - self._scroll()

    def from_viewport(self, pos: QPointF) -> tuple[int, QPointF]:
        """The page and point (in points) under a viewport position (the nearest page)."""
        pages = self.page_sizes()
        doc_pos = pos + self._scroll()
        page = 0
        for i, rect in enumerate(pages):
            if doc_pos.y() >= rect.top() - self.pageSpacing():
                page = i
        rect = pages[page]
        return page, (doc_pos - rect.topLeft()) / self.scale()

    def _scroll(self) -> QPointF:
        return QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    def fit_zoom(self) -> float:
        """The zoom at which the widest page fills the viewport's width."""
        doc = self._doc()
        if doc is None:
            return 1.0
        widest = max(doc.pagePointSize(p).width() for p in range(doc.pageCount()))
        m = self.documentMargins()
        room = self.viewport().width() - m.left() - m.right()
        return min(max(room / max(widest * self._res, 1.0), MIN_ZOOM), MAX_ZOOM)

    # ------------------------------------------------------------ the anchor
    @property
    def anchor_page(self) -> int:
        return self._anchor[0]

    def place(self, page: int, point: QPointF, where: QPointF) -> None:
        """Show ``point`` of ``page`` at the fraction ``where`` of the viewport, and keep it there."""
        self._anchor = (page, QPointF(point), QPointF(where))
        self._restore()

    def set_zoom(self, factor: float | None) -> None:
        """A zoom factor, or None to fit the width; the anchor stays where it is on screen."""
        self.fit = factor is None
        zoom = self.fit_zoom() if factor is None else min(max(factor, MIN_ZOOM), MAX_ZOOM)
        self._placing = True
        try:
            self.setZoomFactor(zoom)
        finally:
            self._placing = False
        self._restore()

    def reset(self) -> None:
        """A new document: top of page 1, no highlight, fit to the width (a zoom chosen for
        another paper's page size is no use for this one's)."""
        self._generation += 1
        self.highlights = {}
        self._anchor = (0, QPointF(0, 0), QPointF(0, 0))
        self._page = -1
        self.set_zoom(None)

    def _restore(self) -> None:
        if (doc := self._doc()) is None:
            return
        page, point, where = self._anchor
        page = min(page, doc.pageCount() - 1)
        rect = self.page_sizes()[page]
        target = rect.topLeft() + point * self.scale()
        vp = self.viewport().size()
        self._placing = True
        try:
            self.horizontalScrollBar().setValue(round(target.x() - where.x() * vp.width()))
            self.verticalScrollBar().setValue(round(target.y() - where.y() * vp.height()))
        finally:
            self._placing = False
        self._set_page(page)

    def _set_page(self, page: int) -> None:
        if page != self._page:
            self._page = page
            self.pageChanged.emit(page)

    # ------------------------------------------------------------ highlight
    @property
    def highlight_page(self) -> int:
        """The 0-based page where the highlight starts (-1 when there is none)."""
        return min(self.highlights, default=-1)

    @property
    def highlight_rects(self) -> list[QRectF]:
        """The highlighted lines on the page where the highlight starts."""
        return self.highlights.get(self.highlight_page, [])

    def set_highlight(self, page: int, rects: list[QRectF]) -> None:
        """Paint ``rects`` (points) on ``page`` and bring them into view."""
        self.set_highlights({page: rects} if rects else {})

    def set_highlights(self, parts: dict[int, list[QRectF]]) -> None:
        """Paint each page's rects (points) and bring the start of the first into view; the
        rest of a quote that runs onto the next page is there when the user scrolls on."""
        self.highlights = {page: list(rects) for page, rects in parts.items() if rects}
        if self.highlights:
            page = self.highlight_page
            top = min(r.top() for r in self.highlights[page])
            left = min(r.left() for r in self.highlights[page])
            self.place(page, QPointF(left, top), QUOTE_ANCHOR)
        self.viewport().update()

    def highlight_bounds(self, page: int | None = None) -> QRectF:
        """The bounding box in viewport pixels of the highlight on ``page`` (by default the
        page where it starts); empty when there is none."""
        page = self.highlight_page if page is None else page
        rects = self.highlights.get(page, [])
        if not rects or self._doc() is None:
            return QRectF()
        box = QRectF()
        for r in rects:
            box = box.united(r)
        top_left = self.to_viewport(page, box.topLeft())
        return QRectF(top_left, box.size() * self.scale())

    # ------------------------------------------------------------ Qt overrides
    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        super().scrollContentsBy(dx, dy)
        if not self._placing and self._doc() is not None:
            where = HAND_ANCHOR
            vp = self.viewport().size()
            page, point = self.from_viewport(
                QPointF(where.x() * vp.width(), where.y() * vp.height())
            )
            self._anchor = (page, point, QPointF(where))
            self._set_page(page)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        self._placing = True
        try:
            super().resizeEvent(event)
            if self.fit and self._doc() is not None:
                self.setZoomFactor(self.fit_zoom())
        finally:
            self._placing = False
        self._restore()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self.highlights or self._doc() is None:
            return
        painter = QPainter(self.viewport())
        try:
            s = self.scale()
            for page, rects in self.highlights.items():
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
                for r in rects:
                    top_left = self.to_viewport(page, r.topLeft())
                    box = QRectF(top_left, r.size() * s).adjusted(-1, -1, 1, 1)
                    painter.fillRect(box, HIGHLIGHT)
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
                bounds = self.highlight_bounds(page)
                page_left = self.page_sizes()[page].left() - self._scroll().x()
                bar = QRect(
                    round(page_left) + 2, round(bounds.top()), 4, max(round(bounds.height()), 4)
                )
                painter.fillRect(bar, MARK)
        finally:
            painter.end()
