"""A quote that runs from the foot of one page onto the next ("pp. 1–2"): the viewer
highlights its part on each page, from the viewer itself and from a clicked citation
(generated PDFs, fake models)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.models import ItemRole
from desktop.quotes import locate, locate_split
from desktop.widgets.pdf_viewer import PdfViewer
from tests.desktop.util import wait_idle
from tests.pagebreak import PAGE_BREAK_QUOTE, page_break_paper


def lines_lit(viewer: PdfViewer, page: int, line: str) -> bool:
    """Every line of ``line``'s selection on ``page`` (0-based) lies inside the highlight there."""
    start, end = locate(line, viewer.document.getAllText(page).text())
    selection = viewer.document.getSelectionAtIndex(page, start, end - start)
    lit = viewer.view.highlights.get(page, [])
    return all(any(r.adjusted(-1, -1, 1, 1).contains(p.boundingRect()) for r in lit)
               for p in selection.bounds())


def test_locate_split_finds_each_part_across_a_page_number():
    page1 = "Fish Species\nThe detector was trained with an effective batch\nsize of\n1"
    page2 = "32 images per step on the annotated survey frames.\nMore text."
    quote = "The detector was trained with an effective batch size of 32 images per step on the"
    first, second = locate_split(quote, page1, page2)
    assert page1[first[0]:first[1]] == "The detector was trained with an effective batch\nsize of"
    assert page2[second[0]:second[1]] == "32 images per step on the"
    assert locate_split("The detector was trained with an effective", page1, page2) is None
    assert locate_split("Nothing of this is on either page at all.", page1, page2) is None


def test_a_quote_onto_the_next_page_is_lit_on_both(viewer, tmp_path):
    pdf = page_break_paper(tmp_path, page_numbers=True)
    assert viewer.open(pdf, 1, PAGE_BREAK_QUOTE, "Fish paper")
    assert not viewer.notice.isVisible() and viewer.current_page() == 1
    assert sorted(viewer.view.highlights) == [0, 1] and viewer.view.highlight_page == 0
    assert lines_lit(viewer, 0, "an effective batch size of")
    assert lines_lit(viewer, 1, "32 images per step on the annotated survey frames.")
    assert not lines_lit(viewer, 1, "The survey team measured the currents around the gravel islands.")
    assert "size of" in viewer.highlighted and "32 images" in viewer.highlighted
    # Zoom keeps the start in view; the page's part and the next page's part are both kept.
    viewer.zoom_by(1.25)
    assert viewer.current_page() == 1 and sorted(viewer.view.highlights) == [0, 1]
    assert viewer.view.viewport().rect().intersects(viewer.view.highlight_bounds().toRect())
    # A quote wholly on one page is lit there only.
    assert viewer.open(pdf, 2, "32 images per step on the annotated survey frames.")
    assert sorted(viewer.view.highlights) == [1]


def test_clicking_a_spanning_citation_lights_both_pages(qtbot, fake_window, fake_generator,
                                                        tmp_path):
    window = fake_window()
    wait_idle(qtbot, window)
    window.ingest.add([page_break_paper(tmp_path)])
    wait_idle(qtbot, window)
    fake_generator.enqueue("The effective batch size was 32 images per step [1].")
    window.ask.ask("What batch size was used to train the detector?")
    qtbot.waitUntil(lambda: not window.ask.busy(), timeout=60_000)
    answer = window.ask.answers[-1]
    cite = next(c for c in answer.citations if c.page_end)
    assert cite.pages == "pp. 1\u20132"
    assert "pp. 1\u20132" in window.ask.citation_tip(0, cite.n)
    window.ask.view.citationClicked.emit(0, cite.n, -1)
    viewer = window.viewer
    qtbot.waitUntil(lambda: viewer.current_page() == 1, timeout=10_000)
    assert sorted(viewer.view.highlights) == [0, 1]
    assert "size of" in viewer.highlighted and "32" in viewer.highlighted
    # The passage it comes from runs onto page 2 too: opened from Evidence, it is lit on both.
    passage = next(e for e in answer.evidence if e.page_end == 2)
    window.ask.open_evidence(passage)
    assert sorted(viewer.view.highlights) == [0, 1]


BATCH_SET = """
id = "batch"
title = "Batch sizes"

[[questions]]
id = "batch-size"
label = "Batch size"
question = "What batch size was used for training?"
keywords = ["batch", "mini-batch"]
"""


def test_an_extract_cell_across_pages_opens_lit_on_both(qtbot, fake_window, tmp_path):
    window = fake_window()
    wait_idle(qtbot, window)
    window.ingest.add([page_break_paper(tmp_path)])
    wait_idle(qtbot, window)
    window.tabs.setCurrentWidget(window.extract)
    panel = window.extract
    questions = tmp_path / "batch.toml"
    questions.write_text(BATCH_SET, encoding="utf-8")
    assert panel.sets.open_file(questions) is not None
    panel.evidence_only.setChecked(True)
    wait_idle(qtbot, window)
    panel.start()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60_000)
    wait_idle(qtbot, window)
    index = panel.model.index(0, 0)
    cell = index.data(ItemRole)
    assert cell.reported and (cell.page, cell.page_end) == (1, 2) and "32" in cell.quote
    assert "pages 1\u20132" in index.data(Qt.ItemDataRole.ToolTipRole)
    at = panel.proxy.mapFromSource(index)
    panel.table.scrollTo(at)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.table.visualRect(at).center())
    viewer = window.viewer
    qtbot.waitUntil(lambda: viewer.current_page() == 1, timeout=10_000)
    assert sorted(viewer.view.highlights) == [0, 1]
    assert "size of" in viewer.highlighted and "32 images" in viewer.highlighted
