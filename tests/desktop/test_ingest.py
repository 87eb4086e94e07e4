"""Adding papers through the window: drops, progress, cancel, failures, responsiveness.

The fast embedding fake stands in for MiniLM (tests/conftest.py): what is tested here is the
window's handling of a batch, not the vectors. The responsiveness test keeps the real model
(e2e tier): its embedding is the long work that must not block the event loop.
"""

from __future__ import annotations

import shutil
import time

import filelock
import pytest
from PySide6.QtCore import Qt, QTimer

from core import Library, Settings
from core.types import BatchFinished, FileProgress, FileResult
from tests import pdfs
from tests.desktop.util import drop, wait_idle


def titles(window) -> list[str]:
    m = window.papers
    return [m.index(r, 0).data() for r in range(m.rowCount()) if m.paper_at(r) is not None]


def test_drop_ingests_pdf_and_table_updates(qtbot, fake_window, paper_pdf):
    window = fake_window()
    pdf = paper_pdf("soil.pdf", title="Soil Microbes in Alpine Meadows")
    events: list[object] = []
    drop(window, [pdf])
    job = window.ingest.jobs[0]
    job.signals.progress.connect(events.append)
    assert window.ingest.isVisible()
    qtbot.waitUntil(lambda: "Soil Microbes in Alpine Meadows" in titles(window), timeout=60_000)
    wait_idle(qtbot, window)
    assert any(isinstance(e, FileProgress) for e in events)
    assert window.library_label.text() == "1 paper · 1 pages"
    assert "Finished: 1 added." in window.ingest.label.text()
    assert window.failures.rowCount() == 0


def test_progress_fires_and_cancel_stops_batch_cleanly(qtbot, fake_window, paper_pdf, tmp_path):
    window = fake_window()
    # enough files that a loaded machine cannot finish them all before the click is handled
    pdfs = [paper_pdf(f"p{i}.pdf", title=f"Study number {i} of meadow soils") for i in range(20)]
    results: list[FileResult] = []
    finished: list[BatchFinished] = []
    window.ingest.batchFinished.connect(finished.append)
    window.ingest.add(pdfs)
    job = window.ingest.jobs[0]

    def on_progress(ev: object) -> None:
        if isinstance(ev, FileResult):
            results.append(ev)
            if len(results) == 1:  # press Cancel like a user, after the first file
                # from the event loop, not nested inside this signal's delivery (a click sent
                # from within the slot processes events re-entrantly: a rare crash in PySide6)
                QTimer.singleShot(0, lambda: qtbot.mouseClick(window.ingest.cancel_btn,
                                                              Qt.MouseButton.LeftButton))

    with qtbot.waitSignal(job.signals.progress, timeout=60_000):
        job.signals.progress.connect(on_progress)
    qtbot.waitUntil(lambda: bool(finished), timeout=60_000)
    wait_idle(qtbot, window)
    assert finished[0].cancelled
    assert 1 <= finished[0].added < 20
    assert window.ingest.label.text().startswith("Stopped")
    assert len(titles(window)) == finished[0].added
    window.close()
    with Library(Settings.load()) as lib:  # consistent on disk: every paper has its vectors
        report = lib.doctor()
        assert report.consistent and report.papers == finished[0].added


def test_the_window_computes_missing_vectors_and_rows_turn_indexed(qtbot, fake_window,
                                                                    fake_embedder, paper_pdf):
    """Papers added without their vectors (`lantern add`, a run cut short) are searchable;
    the app computes their vectors in the background and each row turns "Indexed"."""
    pdfs = [paper_pdf(f"s{i}.pdf", title=f"Searchable study {i}") for i in range(2)]
    with Library(Settings.load(), embedder=fake_embedder) as lib:
        list(lib.add(pdfs, wait=False))
        assert len(lib.unindexed()) == 2
    indexed: list[str] = []
    window = fake_window()
    window.backend.indexed.connect(indexed.append)
    qtbot.waitUntil(lambda: len(indexed) == 2, timeout=60_000)
    wait_idle(qtbot, window)
    m = window.papers
    assert [m.index(r, 4).data() for r in range(m.rowCount())] == ["Indexed"] * 2
    window.close()
    with Library(Settings.load(), embedder=fake_embedder) as lib:
        assert lib.unindexed() == []


@pytest.mark.e2e  # the real MiniLM's embedding is the long work that must not block the window
def test_window_stays_responsive_during_ingest(qtbot, make_window, paper_pdf):
    window = make_window()
    pdfs = [paper_pdf(f"r{i}.pdf", title=f"Responsive paper {i}") for i in range(3)]
    ticks: list[float] = []
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    window.ingest.add(pdfs)
    wait_idle(qtbot, window)
    qtbot.wait(300)  # and a moment after: a quick ingest leaves few ticks of its own
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 10
    assert max(gaps) < 1.0, f"event loop blocked for {max(gaps):.2f} s"
    assert len(titles(window)) == 3


def test_bad_pdf_shows_error_and_app_keeps_working(qtbot, fake_window, paper_pdf, tmp_path):
    window = fake_window()
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"this is not a pdf at all\n" * 10)
    drop(window, [bad], over=window.library.table)  # the table takes no drops: the window does
    wait_idle(qtbot, window)
    assert window.failures.rowCount() == 1
    line = window.failures.index(0, 0).data()
    assert line.startswith("broken.pdf — ") and len(line) > len("broken.pdf — ") + 5
    assert window.ingest.fail_list.isVisible()
    assert "1 failed" in window.ingest.label.text()
    good = paper_pdf("fine.pdf", title="A Perfectly Readable Paper")
    drop(window, [good])
    wait_idle(qtbot, window)
    assert "A Perfectly Readable Paper" in titles(window)
    window.ingest.dismiss()
    assert window.failures.rowCount() == 0


def test_library_locked_by_another_process_is_reported(qtbot, fake_window, paper_pdf):
    window = fake_window()
    window.backend.refresh()
    wait_idle(qtbot, window)
    # Another Lantern writing the library holds its lock file (flock is per open file).
    other = filelock.FileLock(str(window.backend.settings.library / "write.lock"))
    other.acquire()
    try:
        drop(window, [paper_pdf()])
        wait_idle(qtbot, window)
    finally:
        other.release()
    assert window.failures.rowCount() == 1
    assert "another Lantern process" in window.failures.index(0, 0).data()
    drop(window, [paper_pdf()])  # the lock is gone: adding works again
    wait_idle(qtbot, window)
    assert len(titles(window)) == 1


def test_import_from_zotero_menu(qtbot, fake_window, paper_pdf, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from tests.zotero import ZoteroFolder

    zotero = ZoteroFolder(tmp_path / "Zotero")
    zotero.paper(paper_pdf("otter.pdf", title="PDF title"), title="Otters of the Ruhr",
                 authors=("Maria Keller",), date="2019", collections=("Ecology",))
    gone = paper_pdf("gone.pdf", title="Gone")
    zotero.paper(gone, title="Never synced", linked=True)
    gone.unlink()
    zotero.close()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(zotero.root))
    window = fake_window()
    window.choose_zotero()
    qtbot.waitUntil(lambda: "Otters of the Ruhr" in titles(window), timeout=60_000)
    wait_idle(qtbot, window)
    assert "1 added" in window.ingest.label.text() and "1 skipped" in window.ingest.label.text()
    assert window.failures.rowCount() == 1


@pytest.mark.skipif(shutil.which("tesseract") is None,
                    reason="Tesseract is not installed (apt-get install tesseract-ocr)")
def test_an_added_paper_with_a_notice_is_listed_for_a_look(qtbot, fake_window, tmp_path):
    """The `add` line's notice (OCR text that looks unreadable: is the language installed?)
    reaches the window too, apart from the files that failed (issue 24)."""
    window = fake_window()
    window.ingest.add([pdfs.unreadable_scan(tmp_path)])
    qtbot.waitUntil(lambda: window.failures.rowCount() == 1, timeout=120_000)
    wait_idle(qtbot, window)
    assert window.ingest.fail_label.text() == "1 added file needs a look:"
    line = window.failures.index(0, 0).data()
    assert line.startswith("hanzi.pdf — added, but OCR text looks unreadable"), line
    assert "tesseract-ocr-chi-sim" in line
    assert len(titles(window)) == 1  # it was stored
