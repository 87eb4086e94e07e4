"""The Extract view: the table model, a live run over the sample papers, cancel and resume,
opening a cell's quote, the gaps filter, export, and the question set editor."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSortFilterProxyModel, Qt

from core import Cell, CellStatus, Row, load_question_set
from core.extract import parse_question_set
from core.types import Paper
from desktop.extract_model import ExtractTableModel, GapFilter, StatusRole
from desktop.models import ItemRole
from desktop.widgets import dialogs
from desktop.widgets.extract_sets import QuestionSetEditor, QuestionSetPicker
from tests.desktop.util import wait_idle

TINY = """
id = "tiny"
title = "Tiny methods audit"

[[questions]]
id = "hardware"
label = "Hardware"
question = "Which hardware (GPU, TPU or CPU) was used for training?"
keywords = ["GPU", "GPUs", "TPU", "NVIDIA", "V100", "A100"]
sections = ["methods"]

[[questions]]
id = "optimizer"
label = "Optimizer"
question = "Which optimizer was used for training?"
keywords = ["Adam", "AdamW", "SGD", "momentum", "RMSprop"]
sections = ["methods"]
"""


def paper(n: int) -> Paper:
    return Paper(
        f"doc{n}", f"Paper {n}", ("Ann Lee",), 2020 + n, None, 4, 10,
        Path(f"/tmp/p{n}.pdf"), "x" * 64, time.time(),
    )  # fmt: skip


def test_extract_table_model_and_gap_filter(qtmodeltester):
    qset = parse_question_set(TINY, "tiny.toml")
    found = Cell(status=CellStatus.REPORTED, answer="Trained on an RTX 3090 GPU.", quote="an RTX 3090 GPU", page=3, supported=True, grounding="evidence")
    missing = Cell(status=CellStatus.NOT_REPORTED)
    model = ExtractTableModel()
    model.set_table(qset, [Row(paper(1), {"hardware": found, "optimizer": None}),
                           Row(paper(2), {"hardware": missing, "optimizer": found})])  # fmt: skip
    qtmodeltester.check(model, force_py=True)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Hardware"
    assert model.headerData(0, Qt.Orientation.Vertical) == "Paper 1\nLee 2021"
    assert model.index(0, 0).data() == "Trained on an RTX 3090 GPU."
    assert "page 3" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, 0).data() == "not reported"
    assert model.index(1, 0).data(Qt.ItemDataRole.FontRole).italic()
    assert model.index(0, 1).data() == "" and model.index(0, 1).data(ItemRole) is None
    assert model.counts() == (4, 3, 1)

    # Cells arrive one by one; the running one says so.
    model.set_running("doc1", "optimizer")
    assert model.index(0, 1).data(StatusRole) == "running"
    model.set_cell("doc1", "optimizer", missing)
    assert model.index(0, 1).data() == "not reported" and model.counts() == (4, 4, 2)

    gaps = GapFilter()
    gaps.set_source(model)
    qtmodeltester.check(gaps, force_py=True)
    gaps.set_enabled(True)
    assert gaps.rowCount() == 2 and gaps.columnCount() == 2
    assert gaps.index(0, 0).data() == "✓ reported, p. 3"  # answers step back, gaps stand out
    assert gaps.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    model.set_cell("doc1", "optimizer", found)  # paper 1 has no gap any more
    assert gaps.rowCount() == 1
    assert gaps.headerData(0, Qt.Orientation.Vertical, ItemRole).doc_id == "doc2"
    assert gaps.columnCount() == 1 and gaps.headerData(0, Qt.Orientation.Horizontal) == "Hardware"
    gaps.set_enabled(False)
    assert gaps.rowCount() == 2 and gaps.columnCount() == 2
    assert isinstance(gaps, QSortFilterProxyModel)


def sample_window(qtbot, make):
    """The window on the sample papers, showing the Extract view (``make``: fake_window for
    the evidence-only runs, make_window for the real models)."""
    window = make(samples=True)
    qtbot.waitUntil(lambda: len(window.papers.papers) == 3, timeout=90_000)
    wait_idle(qtbot, window)
    window.tabs.setCurrentWidget(window.extract)
    wait_idle(qtbot, window)
    return window


def find(panel, title_word: str, question_id: str):
    """The model index of a paper's cell (the paper found by a word of its title)."""
    m = panel.model
    row = next(r for r in range(m.rowCount()) if title_word in m.paper_at(r).title)
    col = [q.id for q in m.questions].index(question_id)
    return m.index(row, col)


def test_run_fills_the_table_live_opens_quotes_filters_and_exports(
    qtbot, fake_window, tmp_path, monkeypatch
):
    window = sample_window(qtbot, fake_window)
    panel = window.extract
    tiny = tmp_path / "tiny.toml"
    tiny.write_text(TINY, encoding="utf-8")
    assert panel.sets.open_file(tiny) is not None and panel.qset.id == "tiny"
    panel.evidence_only.setChecked(True)
    wait_idle(qtbot, window)
    assert panel.model.rowCount() == 3 and panel.model.counts() == (6, 0, 0)
    assert panel.summary.text() == "3 papers × 2 questions · 0 of 6 cells answered"

    seen: list[tuple[bool, int, str]] = []  # (running, cells answered, progress line)
    panel.model.dataChanged.connect(
        lambda *a: seen.append((panel.busy(), panel.model.counts()[1], panel.progress))
    )
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.start()
    assert panel.busy() and not panel.run_btn.isEnabled()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60_000)
    wait_idle(qtbot, window)

    assert [n for busy, n, _ in seen if busy and n] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6]
    lines = [line for *_, line in seen]
    assert any(line.startswith("Cell 1 of 6 — Deep Learning for Camera-Trap") for line in lines)
    assert any("Optimizer · about" in line and "left" in line for line in lines)  # an ETA
    assert messages[-1].startswith("Finished: 6 cells answered in")
    assert not panel.progress_row.isVisible() and panel.run_btn.isEnabled()

    hardware = find(panel, "Camera-Trap", "hardware")
    assert "RTX 3090" in hardware.data()
    cell = hardware.data(ItemRole)
    assert f"page {cell.page}" in hardware.data(Qt.ItemDataRole.ToolTipRole)
    grass = find(panel, "Grassland", "hardware")
    assert grass.data() == "not reported" and grass.data(Qt.ItemDataRole.FontRole).italic()

    # Clicking a reported cell opens its paper at the quote's page, the quote highlighted.
    at = panel.proxy.mapFromSource(hardware)
    panel.table.scrollTo(at)
    rect = panel.table.visualRect(at)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    viewer = window.viewer
    camera = panel.model.paper_at(hardware.row())
    assert viewer.path == camera.path and viewer.current_page() == cell.page
    assert viewer.highlighted and "RTX 3090" in viewer.highlighted

    # Only gaps: the grassland paper (no deep learning) is the only one missing both answers.
    panel.gaps.setChecked(True)
    assert panel.proxy.rowCount() == 1 and panel.proxy.columnCount() == 2
    assert "Grassland" in panel.proxy.headerData(0, Qt.Orientation.Vertical, ItemRole).title
    panel.gaps.setChecked(False)
    assert panel.proxy.rowCount() == 3

    # Export: wide CSV (a row per paper) and long CSV (a row per cell) parse back.
    wide = panel.export(tmp_path / "out" / "table.csv", "csv")
    with wide.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["title"]: r for r in csv.DictReader(fh)}
    assert len(rows) == 3
    cam_row = next(r for t, r in rows.items() if "Camera-Trap" in t)
    assert "RTX 3090" in cam_row["Hardware"] and cam_row["Hardware evidence"].startswith("p. ")
    assert next(r for t, r in rows.items() if "Grassland" in t)["Hardware"] == "not reported"
    long = panel.export(tmp_path / "long.csv", "csv", long=True)
    with long.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 6

    # Recompute asks first, then answers every cell again.
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    panel.recompute()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60_000)
    wait_idle(qtbot, window)
    assert messages[-1].startswith("Finished: 6 cells answered")
    assert "RTX 3090" in find(panel, "Camera-Trap", "hardware").data()

    # Re-opening the view reads what is stored and computes nothing.
    real_op = window.backend.op

    def no_extract(name, *args, **kwargs):
        return pytest_fail("recomputed") if name == "extract" else real_op(name, *args, **kwargs)

    monkeypatch.setattr(window.backend, "op", no_extract)
    panel.model.set_table(panel.qset, [])
    window.tabs.setCurrentWidget(window.ask)
    window.tabs.setCurrentWidget(window.extract)
    wait_idle(qtbot, window)
    assert "RTX 3090" in find(panel, "Camera-Trap", "hardware").data()
    panel.start()  # nothing left to answer
    wait_idle(qtbot, window)
    assert messages[-1] == "Every cell is answered already; Recompute answers them again."

    # A malformed question set is explained with the parser's message; the table stays.
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY.replace('id = "optimizer"', 'id = "hardware"'), encoding="utf-8")
    assert panel.sets.open_file(bad) is None
    assert panel.notice.isVisibleTo(window) and "duplicate id 'hardware'" in panel.notice.text()
    assert panel.qset.id == "tiny"


def pytest_fail(why: str) -> None:
    raise AssertionError(why)


def test_cancel_stops_cleanly_and_run_resumes(qtbot, fake_window):
    window = sample_window(qtbot, fake_window)
    panel = window.extract
    assert panel.qset.source == "builtin:dl-methods"
    panel.evidence_only.setChecked(True)
    wait_idle(qtbot, window)
    total = panel.model.counts()[0]
    assert total == 3 * len(panel.qset.questions)

    def cancel_at_three(*args: object) -> None:
        if panel.model.counts()[1] >= 3:
            panel.cancel()

    panel.model.dataChanged.connect(cancel_at_three)
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.start()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60_000)
    panel.model.dataChanged.disconnect(cancel_at_three)
    wait_idle(qtbot, window)
    stored = panel.model.counts()[1]  # the table as stored, read again after the run
    assert stored == 3
    assert messages[-1].startswith(f"Stopped: {stored} cells answered")
    assert messages[-1].endswith(f"{total - stored} left for the next Run.")
    assert not panel.notice.isVisibleTo(window) and not panel.progress_row.isVisibleTo(window)
    assert panel.run_btn.isEnabled() and panel.sets.combo.isEnabled()

    # Run resumes: only the cells not stored are answered. A job asked for meanwhile (here
    # a library refresh; a question alike) runs between two cells, not after the whole run.
    during: list[bool] = []
    window.backend.snapshot.connect(lambda snap: during.append(panel.busy()))
    asked: list[int] = []

    def refresh_at_five(*args: object) -> None:
        if panel.model.counts()[1] == 5 and not asked:
            asked.append(1)
            window.backend.refresh()

    panel.model.dataChanged.connect(refresh_at_five)
    panel.start()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60_000)
    wait_idle(qtbot, window)
    assert messages[-1].startswith(f"Finished: {total - stored} cells answered")
    assert panel.model.counts()[1] == total
    assert asked and during[:1] == [True]


@pytest.mark.e2e  # the real SmolLM writes the answer
def test_model_answers_the_selected_paper(qtbot, make_window, tmp_path):
    window = sample_window(qtbot, make_window)
    panel = window.extract
    camera = next(p for p in window.papers.papers if "Camera-Trap" in p.title)
    window.library.select([camera.doc_id])
    panel.scope.setCurrentIndex(1)
    assert panel.scope.currentText() == "Selected in library (1)"
    one = tmp_path / "one.toml"
    one.write_text(TINY.split('[[questions]]\nid = "optimizer"')[0], encoding="utf-8")
    panel.sets.open_file(one)
    assert panel.use_llm
    wait_idle(qtbot, window)
    assert panel.model.rowCount() == 1
    panel.start()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=120_000)
    wait_idle(qtbot, window)
    cell = find(panel, "Camera-Trap", "hardware").data(ItemRole)
    assert cell is not None and cell.model and not panel.notice.isVisibleTo(window)
    if cell.reported:  # the small model's answer, kept only when the paper supports it
        assert cell.quote and cell.page


def test_question_set_editor_checks_and_saves(qtbot, tmp_path):
    picker = QuestionSetPicker()
    qtbot.addWidget(picker)
    assert picker.qset.id == "dl-methods"
    picker.edit()
    editor = picker.editor
    assert isinstance(editor, QuestionSetEditor) and editor.isVisible()
    assert 'id = "dl-methods"' in editor.editor.toPlainText()

    editor.editor.setPlainText(TINY.replace('label = "Optimizer"', 'lable = "Optimizer"'))
    assert editor.validate() is None and not editor.save_btn.isEnabled()
    assert "unknown key 'lable' (did you mean 'label'?)" in editor.check.text()
    assert editor.check.text().startswith("dl-methods.toml: line 12, question 2 ('optimizer'): ")

    editor.editor.setPlainText(TINY)
    assert editor.validate() is not None and editor.check.text().startswith("✓ Tiny methods audit")
    saved = editor.save_as(tmp_path / "mine")
    assert saved == tmp_path / "mine.toml" and load_question_set(saved).id == "tiny"
    # The saved copy is listed and chosen.
    assert picker.qset.source == str(saved)
    assert picker.combo.currentText() == "Tiny methods audit (mine.toml)"
