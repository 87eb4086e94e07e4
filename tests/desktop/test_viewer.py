"""The PDF viewer on generated PDFs (no models): the cited page and its highlighted quote stay
in view through zoom, fit and resize; the highlight covers the whole quote."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QDesktopServices

from core.pdfgen import PdfBuilder
from desktop.quotes import locate
from desktop.widgets import pdf_viewer
from desktop.widgets.pdf_viewer import PdfViewer

# A quote set over four lines in the middle of page 3 (of 5).
QUOTE_LINES = [
    "The soil cores were sieved to two millimetres and frozen",
    "within four hours of sampling, then shipped on dry ice to",
    "the laboratory, where DNA was extracted with a commercial",
    "kit following the manufacturer's protocol without changes.",
]
QUOTE = " ".join(QUOTE_LINES)
# A quote that runs from the foot of the left column to the head of the right one (page 2).
COLUMN_LEFT = ["Seedlings were watered every second", "day with a nutrient solution that"]
COLUMN_RIGHT = ["contained nitrogen, phosphorus and", "potassium in equal parts by weight."]


def filler(pdf: PdfBuilder, x: float, top: float, bottom: float, width: int = 60) -> None:
    y = top
    while y > bottom:
        pdf.text(x, y, ("Filler text about meadows and their soils. " * 3)[:width], size=10)
        y -= 13


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    pdf = PdfBuilder()
    for number in range(1, 6):
        pdf.add_page()
        if number == 2:  # two columns; the quote crosses from the left one to the right one
            filler(pdf, 60, 740, 140, width=34)
            for i, line in enumerate(COLUMN_LEFT):
                pdf.text(60, 110 - 13 * i, line, size=10)
            for i, line in enumerate(COLUMN_RIGHT):
                pdf.text(320, 740 - 13 * i, line, size=10)
            filler(pdf, 320, 710, 80, width=34)
        elif number == 3:
            filler(pdf, 60, 740, 430)
            for i, line in enumerate(QUOTE_LINES):
                pdf.text(60, 410 - 13 * i, line, size=10)
            filler(pdf, 60, 340, 80)
        else:
            filler(pdf, 60, 740, 80)
    return pdf.save(tmp_path / "paper.pdf")


def quote_in_view(viewer: PdfViewer) -> bool:
    """The quote's start is on screen, and all of its lines (or as much as a zoomed-in line
    can show: a line wider than the view shows its start)."""
    box = viewer.view.highlight_bounds()
    vp = viewer.view.viewport().rect().toRectF()
    if box.isEmpty() or not vp.contains(box.topLeft()) or box.bottom() > vp.bottom():
        return False
    return box.right() <= vp.right() or box.width() > vp.width() * 0.85


def line_rects(viewer: PdfViewer, page: int, line: str) -> list[QRectF]:
    text = viewer.document.getAllText(page).text()
    start, end = locate(line, text)
    selection = viewer.document.getSelectionAtIndex(page, start, end - start)
    return [p.boundingRect() for p in selection.bounds()]


def covered(rect: QRectF, by: list[QRectF]) -> bool:
    return any(r.adjusted(-1, -1, 1, 1).contains(rect) for r in by)


def test_highlight_covers_every_line_of_the_quote(viewer, paper):
    assert viewer.open(paper, 3, QUOTE, "Soil paper")
    assert viewer.current_page() == 3 and not viewer.notice.isVisible()
    rects = viewer.view.highlight_rects
    assert viewer.view.highlight_page == 2 and len(rects) >= len(QUOTE_LINES)
    for line in QUOTE_LINES:
        for part in line_rects(viewer, 2, line):
            assert covered(part, rects), f"{line!r} is not highlighted"
    assert quote_in_view(viewer)


def test_highlight_follows_a_quote_into_the_next_column(viewer, paper):
    quote = " ".join(COLUMN_LEFT + COLUMN_RIGHT)
    assert viewer.open(paper, 2, quote)
    rects = viewer.view.highlight_rects
    for line in COLUMN_LEFT + COLUMN_RIGHT:
        for part in line_rects(viewer, 1, line):
            assert covered(part, rects), f"{line!r} is not highlighted"
    assert {round(r.left()) for r in rects} >= {60, 320}  # both columns


def test_page_and_quote_stay_in_view_through_zoom_fit_and_resize(qtbot, viewer, paper):
    viewer.open(paper, 3, QUOTE)
    view = viewer.view
    assert view.fit and view.zoomFactor() == pytest.approx(view.fit_zoom())
    # The view's own layout agrees with QPdfView's (its scroll range).
    assert view.document_height() == view.verticalScrollBar().maximum() + view.viewport().height()
    for _ in range(4):  # one "+" from Fit used to jump pages
        viewer.zoom_by(1.25)
        assert viewer.current_page() == 3 and quote_in_view(viewer)
    assert view.zoomFactor() > 2 * view.fit_zoom()
    for size in ((900, 700), (400, 500), (700, 900)):
        viewer.resize(*size)
        qtbot.waitUntil(lambda s=size: viewer.size().width() == s[0])
        assert viewer.current_page() == 3 and quote_in_view(viewer), size
    viewer.fit_width()
    assert view.zoomFactor() == pytest.approx(view.fit_zoom())
    assert viewer.current_page() == 3 and quote_in_view(viewer)
    viewer.resize(600, 640)  # fit follows the width, the quote stays
    qtbot.waitUntil(lambda: viewer.size().width() == 600)
    assert view.zoomFactor() == pytest.approx(view.fit_zoom())
    assert viewer.current_page() == 3 and quote_in_view(viewer)
    assert viewer.page.value() == 3


def test_a_page_scrolled_to_by_hand_stays_through_zoom(viewer, paper):
    viewer.open(paper, 1)
    viewer.go(4)
    assert viewer.current_page() == 4 and viewer.page.value() == 4
    bar = viewer.view.verticalScrollBar()
    bar.setValue(bar.value() + 30)  # the user scrolls a little
    viewer.zoom_by(1.25)
    viewer.zoom_by(1.25)
    assert viewer.current_page() == 4
    viewer.fit_width()
    assert viewer.current_page() == 4


def test_a_quote_not_on_the_page_says_so(viewer, paper):
    assert viewer.open(paper, 4, "words that appear nowhere in this paper at all")
    assert viewer.current_page() == 4 and not viewer.view.highlight_rects
    assert viewer.notice.isVisible() and "could not be located" in viewer.notice.text()


def test_external_viewer_missing_is_reported_in_the_window(viewer, paper, monkeypatch):
    viewer.open(paper, 1)
    monkeypatch.setattr(pdf_viewer, "pdf_handler_missing", lambda: True)
    assert not viewer.open_externally()
    assert viewer.notice.isVisible() and "Nothing opened" in viewer.notice.text()
    assert str(paper) in viewer.notice.text()
    viewer.notice.hide()
    monkeypatch.setattr(pdf_viewer, "pdf_handler_missing", lambda: False)
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    assert not viewer.open_externally()
    assert viewer.notice.isVisible() and "Nothing opened" in viewer.notice.text()
