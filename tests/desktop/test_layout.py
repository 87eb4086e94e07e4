"""The window's layout from 1024×700 up, what it remembers, and its feedback (fast fakes)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QStyle,
    QStyleOptionComboBox,
    QWidget,
)

from core.types import FileProgress, FileResult
from desktop.widgets import guide
from desktop.widgets.elided import ElidedLabel
from desktop.widgets.settings_dialog import SettingsDialog
from tests.desktop.util import wait_idle


def squeezed(root: QWidget) -> list[str]:
    """Visible controls narrower than their text needs (their minimum size hint)."""
    out = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or w.window() is not root:
            continue
        if isinstance(w, ElidedLabel):
            if w.elided() and not w.toolTip():
                out.append(f"{w.full_text!r} is cut without a tooltip")
            continue
        if isinstance(w, QLabel) and (w.wordWrap() or not w.text() or w.pixmap()):
            continue
        need = w.minimumSizeHint().width()
        if isinstance(w, (QAbstractButton, QLabel, QComboBox)) and w.width() < need:
            text = w.currentText() if isinstance(w, QComboBox) else w.text()
            out.append(f"{type(w).__name__} {text!r}: {w.width()} < {need}")
    return out


def settle(qtbot, window) -> None:
    qtbot.wait(50)
    wait_idle(qtbot, window)
    qtbot.wait(50)


def test_nothing_is_cut_at_1024x700_in_either_view(qtbot, fake_window):
    window = fake_window(samples=True, size=(1024, 700))
    qtbot.waitUntil(lambda: len(window.papers.papers) == 3, timeout=60_000)
    settle(qtbot, window)
    assert window.size().width() == 1024 and window.size().height() == 700
    assert squeezed(window) == []
    # The library shows year and status whole; pages go to the tooltip so that titles get the
    # rest (20 letters or more).
    table, header = window.library.table, window.library.table.horizontalHeader()
    assert table.isColumnHidden(3)
    for col in (2, 4):
        assert not table.isColumnHidden(col)
        right = header.sectionViewportPosition(col) + header.sectionSize(col)
        assert right <= table.viewport().width(), f"column {col} is cut"
    assert header.sectionSize(0) >= table.fontMetrics().horizontalAdvance("x" * 20)

    # Opening a passage shows the viewer; nothing gets cut.
    paper = window.papers.papers[0]
    window.show_source(paper.path, 1, "", paper.title)
    settle(qtbot, window)
    assert window.viewer.isVisible() and window.viewer.width() >= window.viewer.minimumWidth()
    assert squeezed(window) == []

    # Extract: the viewer folds away so the table gets the width; a cell brings it back.
    window.tabs.setCurrentWidget(window.extract)
    settle(qtbot, window)
    assert window.split.sizes()[2] == 0
    assert squeezed(window) == []
    window.show_source(paper.path, 1, "", paper.title)
    settle(qtbot, window)
    assert window.split.sizes()[2] >= window.viewer.minimumWidth()
    assert window.extract.table.width() >= 400
    assert squeezed(window) == []


def test_1600x1000_gives_the_extract_table_room_beside_the_viewer(qtbot, fake_window):
    window = fake_window(samples=True, size=(1600, 1000))
    qtbot.waitUntil(lambda: len(window.papers.papers) == 3, timeout=60_000)
    window.tabs.setCurrentWidget(window.extract)
    paper = window.papers.papers[0]
    window.show_source(paper.path, 1, "", paper.title)
    settle(qtbot, window)
    assert squeezed(window) == []
    assert window.extract.table.width() >= 800  # four question columns and the papers


def test_selecting_a_paper_does_not_move_the_panes(qtbot, fake_window):
    window = fake_window(samples=True)
    qtbot.waitUntil(lambda: len(window.papers.papers) == 3, timeout=60_000)
    settle(qtbot, window)
    before = window.split.sizes()
    window.library.select([window.papers.papers[0].doc_id])
    settle(qtbot, window)
    assert window.library.clear_btn.isVisible()
    assert window.split.sizes() == before


def test_window_size_panes_and_view_are_remembered(qtbot, fake_window):
    window = fake_window(size=(1180, 760))
    settle(qtbot, window)
    window.split.setSizes([300, 500, 380])
    ask_sizes = window.split.sizes()
    window.tabs.setCurrentWidget(window.extract)
    window.split.setSizes([260, 920, 0])
    extract_sizes = window.split.sizes()
    window.close()
    assert window.state_path is not None and window.state_path.is_file()
    assert Path(window.state_path).parent == window.backend.settings_path.parent  # per user, tmp

    again = fake_window(size=None)
    settle(qtbot, again)
    assert (again.width(), again.height()) == (1180, 760)
    assert again.tabs.currentWidget() is again.extract
    assert again.split.sizes() == extract_sizes
    again.tabs.setCurrentWidget(again.ask)
    assert again.split.sizes() == ask_sizes


def test_viewer_detaches_into_its_own_window_and_comes_back(qtbot, fake_window, paper_pdf):
    window = fake_window()
    pdf = paper_pdf()
    window.show_source(pdf, 1, "", "A paper")
    window.viewer.detach_btn.click()
    assert (
        window.panes.viewer_window is not None
        and window.viewer.window() is window.panes.viewer_window
    )
    assert window.split.count() == 2
    window.viewer.detach_btn.click()
    assert window.panes.viewer_window is None and window.viewer.window() is window
    assert window.split.indexOf(window.viewer) == 2 and window.split.sizes()[2] > 0


def test_failures_are_listed_per_batch_and_the_list_is_tall(
    qtbot, fake_window, tmp_path, paper_pdf
):
    window = fake_window()
    bad = []
    for i in range(28):
        path = tmp_path / f"broken-{i:02}.pdf"
        path.write_bytes(b"not a pdf\n" * 5)
        bad.append(path)
    window.ingest.add(bad)
    wait_idle(qtbot, window)
    assert window.failures.rowCount() == 28
    line = window.fontMetrics().lineSpacing()
    assert window.ingest.fail_list.height() >= 10 * line  # ten lines, then it scrolls
    window.ingest.add([paper_pdf()])  # the next batch succeeds: the old list goes
    wait_idle(qtbot, window)
    assert window.failures.rowCount() == 0 and not window.ingest.fail_list.isVisible()


def test_first_start_says_papers_are_being_added_not_that_the_library_is_empty(qtbot, fake_window):
    window = fake_window(samples=True)
    text = window.ask.view.toPlainText()
    assert "Your library is empty" not in text and "Adding papers" in text
    qtbot.waitUntil(lambda: len(window.papers.papers) == 3, timeout=60_000)
    wait_idle(qtbot, window)
    assert "Adding papers" not in window.ask.view.toPlainText()


def test_rows_and_counts_update_as_each_file_is_added(qtbot, fake_window, paper_pdf):
    window = fake_window()
    wait_idle(qtbot, window)
    pdfs = [paper_pdf(f"p{i}.pdf", title=f"Meadow study number {i}") for i in range(3)]
    seen: list[tuple[str, str, str]] = []

    def on_event(ev: object) -> None:
        if isinstance(ev, FileResult) and ev.index == 1:
            m = window.papers
            row = next(r for r in range(m.rowCount()) if m._rows.items[r].path == ev.path)
            seen.append(
                (m.index(row, 0).data(), window.library.count.text(), window.library_label.text())
            )

    job = window.ingest.add(pdfs)
    job.signals.progress.connect(on_event)  # after the panel's own handler
    wait_idle(qtbot, window)
    assert seen == [("Meadow study number 0", "1 paper · 1 pages", "1 paper · 1 pages")]
    assert window.library_label.text() == "3 papers · 3 pages"


def test_loading_the_embedding_model_is_a_stage_of_its_own(fake_window):
    window = fake_window()
    path = Path("/tmp/x.pdf")
    window.ingest._total, window.ingest._index = 1, 1
    window.ingest._on_event(FileProgress(path, "loading the embedding model", 0, 0))
    assert "loading the embedding model" in window.ingest.label.text()
    assert "0%" not in window.ingest.label.text()


def test_a_question_during_an_extract_run_says_it_waits(qtbot, fake_window, paper_pdf, monkeypatch):
    window = fake_window()
    window.ingest.add([paper_pdf()])
    wait_idle(qtbot, window)
    monkeypatch.setattr(window.extract, "busy", lambda: True)
    window.ask.ask("How many soil cores were sampled?")
    assert "Waiting for the Extract run" in window.ask.view.toPlainText()
    qtbot.waitUntil(lambda: not window.ask.busy(), timeout=30_000)


def test_citations_are_large_with_hover_and_a_quote_tooltip(
    qtbot, fake_window, paper_pdf, fake_generator
):
    window = fake_window()
    window.ingest.add([paper_pdf()])
    wait_idle(qtbot, window)
    fake_generator.enqueue("We sampled 120 soil cores [1].")
    window.ask.ask("How many soil cores were sampled?")
    qtbot.waitUntil(lambda: not window.ask.busy(), timeout=30_000)
    answer = window.ask.answers[-1]
    assert answer.citations, answer
    tip = window.ask.citation_tip(0, answer.citations[0].n)
    assert tip and "120 soil cores" in tip and "p. 1" in tip

    view = window.ask.view
    doc = view.document()
    href = f"cite:0:{answer.citations[0].n}"
    pos = next(i for i in range(doc.characterCount()) if _href_at(doc, i) == href)
    cursor = QTextCursor(doc)
    cursor.setPosition(pos)
    link = view.cursorRect(cursor)
    point = QPoint(link.left() + 3, link.center().y())
    assert view.anchorAt(point) == href
    body = QTextCursor(doc)
    body.setPosition(doc.find("120 soil").position())  # the answer's text, not the question
    assert link.height() >= view.cursorRect(body).height()  # full size, not a tiny superscript
    view.hover(point)
    assert view.hovered == href and len(view.extraSelections()) == 1
    view.hover(None)
    assert view.hovered == "" and not view.extraSelections()


def _href_at(doc, i: int) -> str:  # noqa: ANN001
    c = QTextCursor(doc)
    c.setPosition(i + 1)
    return c.charFormat().anchorHref()


def test_help_lists_every_shortcut_and_a_guide(fake_window):
    window = fake_window()
    dialog = guide.show_shortcuts(window)
    text = dialog.text.toPlainText()
    for keys in ("Ctrl+Enter", "Ctrl+O", "Ctrl+2", "Ctrl+L", "Ctrl+Shift+R", "F1"):
        assert keys in text
    dialog.close()
    titles = [a.text() for a in window.menuBar().actions()[-1].menu().actions()]
    assert {"Quick guide", "Keyboard shortcuts", "About Lantern"} <= set(titles)
    dialog = guide.show_guide(window)
    assert "Ctrl+Enter" in dialog.text.toPlainText()
    dialog.close()


def test_settings_model_box_shows_the_whole_name_and_size(qtbot, fake_window):
    from core import find_models

    window = fake_window()
    models = [m for m in find_models(window.backend.settings) if m.kind == "gguf"]
    dialog = SettingsDialog(settings=window.backend.settings, models=models, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    box = dialog.model
    assert box.currentText().endswith("MB)") or box.currentText().endswith("GB)")
    option = QStyleOptionComboBox()
    box.initStyleOption(option)
    field = box.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, box
    )
    assert field.width() >= box.fontMetrics().horizontalAdvance(box.currentText())
