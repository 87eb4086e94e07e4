"""Asking with the real small model: streaming, citations, the viewer, history, export, close."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from core.types import Token
from tests.desktop.util import wait_idle

pytestmark = pytest.mark.e2e  # the real small model streams these answers

QUESTION = "Which optimizer and learning rate were used to train the network?"


def native_threads() -> set[str]:
    return set(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else set()


def thread_names(exclude: set[str] = frozenset()) -> list[str]:
    """Names of this process's native threads (Linux), leaving out the ``exclude`` ids."""
    names = []
    for tid in native_threads() - exclude:
        try:
            names.append(Path(f"/proc/self/task/{tid}/comm").read_text().strip())
        except OSError:  # it ended meanwhile
            pass
    return names


def link_position(view, href: str) -> QPoint:
    """Where on screen the anchor ``href`` is drawn in a QTextBrowser."""
    doc = view.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.charFormat().anchorHref() == href:
                cursor = QTextCursor(doc)
                cursor.setPosition(frag.position())
                start = view.cursorRect(cursor)
                cursor.setPosition(frag.position() + 1)  # the end of the link's first glyph
                end = view.cursorRect(cursor)
                return QPoint((start.left() + end.left()) // 2, start.center().y())
            it += 1
        block = block.next()
    raise AssertionError(f"no link {href} in the answer")


def test_first_run_ask_stream_cite_and_open_viewer(qtbot, make_window, tmp_path):
    threads_before = native_threads()
    py_threads_before = set(threading.enumerate())
    window = make_window(samples=True, preload_model=True)  # a first start, as a user has it
    qtbot.waitUntil(lambda: len(window.papers.papers) == 3, timeout=90_000)
    wait_idle(qtbot, window)
    assert "3</b> papers" in window.ask.view.toHtml() or "3 papers" in window.ask.view.toPlainText()
    assert window.model_label.text().startswith("Model: SmolLM2")

    panel = window.ask
    panel.question.setPlainText(QUESTION)
    renders: list[str] = []
    panel.view.textChanged.connect(lambda: renders.append(panel.view.toPlainText()))
    qtbot.keyClick(panel.question, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.job is not None and panel.stop_btn.isVisibleTo(window)
    tokens: list[str] = []
    panel.job.signals.progress.connect(lambda ev: isinstance(ev, Token) and tokens.append(ev.text))
    qtbot.waitUntil(lambda: not panel.busy(), timeout=120_000)

    answer = panel.answers[-1]
    assert len(tokens) > 3, "the answer should arrive token by token"
    streamed = [r for r in renders if QUESTION in r and answer.answer[:10] not in r]
    assert len(renders) > 2 and streamed, "the view should update while the answer streams"
    assert answer.evidence and window.evidence.rowCount() == len(answer.evidence)
    assert answer.citations, f"expected a citation in {answer.answer!r}"
    assert 'href="cite:0:' in panel.view.toHtml()

    # Click the first citation link like a user: the viewer opens at its page, quote lit.
    cite = answer.citations[0]
    pos = link_position(panel.view, f"cite:0:{cite.n}")
    assert panel.view.anchorAt(pos) == f"cite:0:{cite.n}"
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    viewer = window.viewer
    assert viewer.path == Path(cite.pdf_path)
    qtbot.waitUntil(lambda: viewer.current_page() == cite.page, timeout=10_000)
    assert viewer.highlighted and viewer.highlighted.split()[0] in cite.quote
    assert viewer.view.highlight_rects and viewer.view.highlight_page == cite.page - 1
    assert viewer.view.viewport().rect().intersects(viewer.view.highlight_bounds().toRect())

    # An evidence item opens its page too.
    first = window.evidence.index(0, 0)
    qtbot.mouseClick(
        panel.evidence_list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.evidence_list.visualRect(first).center(),
    )
    qtbot.waitUntil(lambda: viewer.current_page() == answer.evidence[0].page, timeout=10_000)

    # History keeps the conversation; copy and export give Markdown.
    wait_idle(qtbot, window)
    assert window.conversations.rowCount() == 1
    panel.copy_answer()
    assert QApplication.clipboard().text().startswith(f"## {QUESTION}")
    out = panel.export_markdown(tmp_path / "answer.md")
    assert out is not None and "### Sources" in out.read_text()
    window.new_conversation()
    assert panel.answers == [] and "Ask your papers" in panel.view.toPlainText()
    window.open_conversation(window.conversations.items[0].id)
    qtbot.waitUntil(lambda: len(panel.answers) == 1, timeout=10_000)
    assert panel.answers[0].question == QUESTION

    # Closing cancels and waits for workers: no thread of ours outlives the window.
    linux = bool(native_threads())
    assert "lantern-jobs" in thread_names() or not linux
    window.close()
    assert not window.backend.runner.busy
    assert "lantern-jobs" not in thread_names()
    window.deleteLater()  # QPdfView renders on a thread ("QThread") that lives with the view
    qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=5000)
    # What may remain are QtPdf's idle pooled helpers, which Qt retires after 30 s.
    qtbot.waitUntil(
        lambda: set(thread_names(threads_before)) <= {"Thread (pooled)"}, timeout=10_000
    )
    assert {t for t in threading.enumerate() if not t.daemon} <= py_threads_before


def test_stop_interrupts_generation(qtbot, make_window, sample_pdfs):
    window = make_window()
    window.ingest.add(sample_pdfs)
    wait_idle(qtbot, window)
    panel = window.ask
    job = panel.ask("Describe every method in these papers in great detail.")
    tokens: list[str] = []

    def on_event(ev):
        if isinstance(ev, Token):
            tokens.append(ev.text)
            if len(tokens) == 3:
                qtbot.mouseClick(panel.stop_btn, Qt.MouseButton.LeftButton)

    job.signals.progress.connect(on_event)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=120_000)
    assert job.cancelled
    assert len(tokens) < 40  # far fewer than max_tokens: generation stopped
    assert len(panel.answers) == 1  # what was written so far is kept as the answer
    assert panel.ask_btn.isVisibleTo(window) and not panel.stop_btn.isVisibleTo(window)


def test_samples_step_aside_for_the_users_papers_and_go_in_one_click(qtbot, make_window, tmp_path):
    from tests.pdfs import ecology_paper

    window = make_window(samples=True)
    qtbot.waitUntil(lambda: len(window.papers.papers) == 3, timeout=90_000)
    wait_idle(qtbot, window)
    assert "Remove the samples" not in window.ask.samples_label.text()  # all there is, for now
    window.ingest.add([ecology_paper(tmp_path)])
    qtbot.waitUntil(lambda: len(window.papers.papers) == 4, timeout=90_000)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: "Remove the samples" in window.ask.samples_label.text(), timeout=10_000)
    window.ask.samples_label.linkActivated.emit("remove-samples")  # the one click
    qtbot.waitUntil(lambda: len(window.papers.papers) == 1, timeout=30_000)
    wait_idle(qtbot, window)
    assert "Remove the samples" not in window.ask.samples_label.text()
