"""Before an extraction starts: the estimated time for the chosen papers x questions, and the
choice a long one offers (evidence only first, with the model, or nothing)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from core import Library
from core.extract import LONG_ESTIMATE_S
from desktop.widgets import dialogs
from desktop.widgets.extract_estimate import Estimate, Mode, choose_mode, rough
from tests.desktop.test_extract import TINY, sample_window
from tests.desktop.util import wait_idle

PER_CELL = {True: 5.0, False: 0.05}  # seconds a cell takes with the model / evidence only


@pytest.fixture
def timed(monkeypatch):
    """core's cell count for the real selection, with fixed per-cell times (the fakes answer
    in microseconds, and the first run has no timing at all); ``timed[True]`` sets the
    model's."""
    real = Library.extract_estimate
    per_cell = dict(PER_CELL)

    def estimate(self, qset, papers=None, *, use_llm=True, force=False):
        todo, _ = real(self, qset, papers, use_llm=use_llm, force=force)
        return todo, todo * per_cell[use_llm]

    monkeypatch.setattr(Library, "extract_estimate", estimate)
    return per_cell


@pytest.fixture
def calls(monkeypatch):
    """Every Library.extract, as (paper count or None, use_llm)."""
    seen: list[tuple[int | None, bool]] = []
    real = Library.extract

    def extract(self, qset, papers=None, *, use_llm=True, **kwargs):
        seen.append((None if papers is None else len(papers), use_llm))
        return real(self, qset, papers, use_llm=use_llm, **kwargs)

    monkeypatch.setattr(Library, "extract", extract)
    return seen


def tiny_window(qtbot, fake_window, tmp_path):
    window = sample_window(qtbot, fake_window)
    tiny = tmp_path / "tiny.toml"
    tiny.write_text(TINY, encoding="utf-8")
    assert window.extract.sets.open_file(tiny) is not None
    wait_idle(qtbot, window)
    return window


def test_figures_read_as_estimates():
    assert [rough(s) for s in (0.3, 4.4, 59.6, 240, 3599, 3600 + 25 * 60)] == [
        "under 1 s", "4 s", "1 min", "4 min", "1 h 00 min", "1 h 25 min",
    ]  # fmt: skip
    e = Estimate("small.gguf", 44, 44 * 5.5, 44, 44 * 0.05)
    assert e.line(use_llm=True) == (
        "About 4 min with the model (44 cells × ~5.5 s) · evidence only: about 2 s"
    )
    assert e.line(use_llm=False) == "About 2 s evidence only (44 cells × ~0.1 s)"
    assert e.long and "small.gguf" in e.tip()
    first = Estimate("small.gguf", 6, None, 6, None)  # nothing timed in this library yet
    assert first.line(use_llm=True) == (
        "6 cells to answer with the model: the time shows after the first cell"
        " · evidence only: not timed yet"
    )
    assert not first.long
    assert not Estimate("m", 1, LONG_ESTIMATE_S, 1, 0.1).long  # the CLI's threshold: over it
    assert Estimate("m", 0, 0.0, 0, 0.0).line(use_llm=True) == ""  # nothing left to compute


def test_panel_shows_the_estimate_for_the_selection_set_and_model(
    qtbot, fake_window, tmp_path, timed
):
    window = tiny_window(qtbot, fake_window, tmp_path)
    panel = window.extract
    assert panel.estimate.isVisible()
    assert panel.estimate.full_text == (
        "About 30 s with the model (6 cells × ~5.0 s) · evidence only: under 1 s"
    )
    assert "fake-model.gguf" in panel.estimate.toolTip()

    camera = next(p for p in window.papers.papers if "Camera-Trap" in p.title)
    window.library.select([camera.doc_id])
    panel.scope.setCurrentIndex(1)  # the selected paper only
    wait_idle(qtbot, window)
    assert panel.estimate.full_text.startswith("About 10 s with the model (2 cells × ~5.0 s)")

    panel.evidence_only.setChecked(True)
    wait_idle(qtbot, window)
    assert panel.estimate.full_text == "Under 1 s evidence only (2 cells × ~0.1 s)"
    panel.evidence_only.setChecked(False)

    combo = panel.sets.combo  # the built-in set: more questions
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemData(i).id != "tiny"))
    wait_idle(qtbot, window)
    n = len(panel.qset.questions)
    assert n > 2 and f"({n} cells × ~5.0 s)" in panel.estimate.full_text

    timed[True] = 30.0  # another model, slower: the figure follows once it is ready
    window.backend.modelState.emit("ready", "slower.gguf")
    wait_idle(qtbot, window)
    assert f"({n} cells × ~30 s)" in panel.estimate.full_text

    timed[True] = 1.0  # a short run: no question asked
    panel.start()  # the run hides the estimate
    assert not panel.estimate.isVisible()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60_000)
    wait_idle(qtbot, window)
    assert panel.estimate.full_text == "" and not panel.estimate.isVisible()  # all answered


def test_short_run_starts_with_the_model_without_asking(
    qtbot, fake_window, tmp_path, timed, calls, monkeypatch
):
    window = tiny_window(qtbot, fake_window, tmp_path)
    panel = window.extract
    asked: list[object] = []
    monkeypatch.setattr(dialogs, "choose", lambda *a, **k: asked.append(a))
    assert 6 * PER_CELL[True] <= LONG_ESTIMATE_S
    panel.start()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60_000)
    wait_idle(qtbot, window)
    assert not asked and calls == [(None, True)] and not panel.evidence_only.isChecked()
    assert panel.model.counts()[1] == 6


def long_window(qtbot, fake_window, tmp_path, timed):
    window = tiny_window(qtbot, fake_window, tmp_path)
    timed[True] = LONG_ESTIMATE_S  # 6 cells: six times the threshold
    window.extract.reload()
    wait_idle(qtbot, window)
    assert window.extract.estimate.full_text.startswith("About 6 min with the model")
    return window


def test_long_run_offers_evidence_only_first_and_runs_it(
    qtbot, fake_window, tmp_path, timed, calls, monkeypatch
):
    window = long_window(qtbot, fake_window, tmp_path, timed)
    panel = window.extract
    asked: list[tuple] = []

    def choose(parent, title, text, options, **kwargs):
        asked.append((text, options))
        return 0  # the first, default option

    monkeypatch.setattr(dialogs, "choose", choose)
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.start()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60_000)
    wait_idle(qtbot, window)
    assert asked == [(
        "With the model, 6 cells take about 6 min.",
        ["Evidence only (under 1 s)", "With the model (about 6 min)"],
    )]  # fmt: skip
    assert calls == [(None, False)]  # one run, without the model
    assert panel.evidence_only.isChecked()  # the table shows the evidence-only cells
    assert panel.model.counts()[1] == 6 and messages[-1].startswith("Finished: 6 cells")
    assert "RTX 3090" in " ".join(
        str(panel.model.index(r, 0).data()) for r in range(panel.model.rowCount())
    )  # a verified quote fills the hardware cell of the camera-trap paper


def test_long_run_with_the_model_when_chosen(
    qtbot, fake_window, tmp_path, timed, calls, monkeypatch
):
    window = long_window(qtbot, fake_window, tmp_path, timed)
    panel = window.extract
    monkeypatch.setattr(dialogs, "choose", lambda *a, **k: 1)
    panel.start()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60_000)
    wait_idle(qtbot, window)
    assert calls == [(None, True)] and not panel.evidence_only.isChecked()


def test_cancel_starts_nothing(qtbot, fake_window, tmp_path, timed, calls, monkeypatch):
    window = long_window(qtbot, fake_window, tmp_path, timed)
    panel = window.extract
    monkeypatch.setattr(dialogs, "choose", lambda *a, **k: None)
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.start()
    wait_idle(qtbot, window)
    assert calls == [] and not panel.busy() and panel.run_btn.isEnabled()
    assert not panel.evidence_only.isChecked() and panel.model.counts()[1] == 0
    assert messages == ["Nothing started."] and panel.estimate.isVisible()


def test_the_choice_dialog_defaults_to_evidence_only(qtbot):
    """The real dialog: Evidence only is the default button, Escape cancels."""
    seen: dict[str, object] = {}

    def answer(key: str) -> None:
        box = next(w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QMessageBox) and w.isVisible())  # fmt: skip
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["default"] = box.defaultButton().text()
        if key == "escape":
            qtbot.keyClick(box, "\x1b")  # Escape
        else:
            next(b for b in box.buttons() if b.text() == key).click()

    estimate = Estimate("m.gguf", 44, 44 * 27.0, 44, 44 * 0.05)
    QTimer.singleShot(0, lambda: answer("With the model (about 20 min)"))
    assert choose_mode(None, estimate) is Mode.MODEL
    assert seen["default"] == "Evidence only (about 2 s)"
    assert set(seen["buttons"]) == {
        "Evidence only (about 2 s)", "With the model (about 20 min)", "Cancel",
    }  # fmt: skip
    QTimer.singleShot(0, lambda: answer("Evidence only (about 2 s)"))
    assert choose_mode(None, estimate) is Mode.EVIDENCE
    QTimer.singleShot(0, lambda: answer("escape"))
    assert choose_mode(None, estimate) is None
