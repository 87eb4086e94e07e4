"""The rest of the window: library panel, settings, models, errors, start-up."""

from __future__ import annotations

import json
import runpy
import time

import pytest
from PySide6.QtCore import Qt, QTimer

from core.settings import settings_file
from desktop.widgets import dialogs
from desktop.widgets.settings_dialog import SettingsDialog
from tests.desktop.util import drop, wait_idle


def test_library_panel_filter_scope_open_remove(qtbot, fake_window, paper_pdf, monkeypatch):
    window = fake_window()
    pdfs = [paper_pdf("a.pdf", title="Alpine Soil Fungi"), paper_pdf("b.pdf", title="Boreal Lakes")]
    window.ingest.add(pdfs)
    wait_idle(qtbot, window)
    panel = window.library
    assert panel.count.text() == "2 papers · 2 pages"
    assert window.ask.scope_label.text() == "Scope: All papers"

    panel.filter.setText("boreal")
    assert panel.proxy.rowCount() == 1
    panel.filter.clear()
    doc_ids = [p.doc_id for p in window.papers.papers]
    panel.select(doc_ids[:1])
    assert window.ask.scope_label.text() == "Scope: 1 selected paper"
    assert window.ask._scope == doc_ids[:1]

    # Double-click opens the paper in the viewer at page 1.
    row = next(
        r
        for r in range(panel.proxy.rowCount())
        if panel.proxy.index(r, 0).data() == "Alpine Soil Fungi"
    )
    rect = panel.table.visualRect(panel.proxy.index(row, 0))
    # QAbstractItemView wants the press that precedes a real double click (Qt 6 QTest).
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.viewer.path == pdfs[0] and window.viewer.current_page() == 1

    # Remove asks first; "Cancel" keeps the paper, "Remove" removes it.
    panel.select(doc_ids[:1])
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: False)
    panel.confirm_remove()
    wait_idle(qtbot, window)
    assert len(window.papers.papers) == 2
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    panel.confirm_remove()
    wait_idle(qtbot, window)
    assert [p.title for p in window.papers.papers] == ["Boreal Lakes"]
    assert window.ask.scope_label.text() == "Scope: All papers"


@pytest.mark.e2e  # loads the real SmolLM again after the settings change
def test_settings_saved_and_model_reloads_in_background(qtbot, make_window, warm_models):
    window = make_window()
    wait_idle(qtbot, window)
    backend = window.backend
    models = [m for m in __import__("core").find_models(backend.settings) if m.kind == "gguf"]
    dialog = SettingsDialog(settings=backend.settings, models=models, parent=window)
    assert dialog.model.count() >= 1 and dialog.model.currentText().startswith("SmolLM2")
    dialog.k.setValue(4)
    dialog.threads.setValue(2)
    ticks: list[float] = []
    timer = QTimer(interval=20, timeout=lambda: ticks.append(time.perf_counter()))
    timer.start()
    with qtbot.waitSignal(
        backend.modelState, check_params_cb=lambda s, _: s == "ready", timeout=60_000
    ):
        backend.apply(dialog.new_settings())  # threads changed: the model reloads in the background
        assert window.model_label.text() == "Model: SmolLM2-135M-Instruct.Q4_1.gguf (loading…)"
    timer.stop()
    assert max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 1.0
    saved = json.loads(settings_file().read_text())
    assert saved["retrieval"]["k"] == 4 and saved["llm"]["n_threads"] == 2
    assert window.model_label.text().startswith("Model: SmolLM2")


def test_dropped_gguf_is_offered_and_a_broken_one_is_reported(
    qtbot, fake_window, tmp_path, monkeypatch
):
    window = fake_window()
    wait_idle(qtbot, window)
    folder = tmp_path / "downloads"
    folder.mkdir()
    fake = folder / "Broken-7B-Instruct.Q4_K_M.gguf"
    fake.write_bytes(b"GGUF" + b"\0" * 64)
    asked: list[str] = []

    def yes(parent, title, text, action, **kwargs):
        asked.append(text)
        return True

    monkeypatch.setattr(dialogs, "confirm", yes)
    with qtbot.waitSignal(
        window.backend.modelState, check_params_cb=lambda s, _: s == "error", timeout=60_000
    ):
        drop(window, [fake])
    assert asked and fake.name in asked[0]
    assert folder in window.backend.settings.models_dirs  # the picker lists it from now on
    assert window.model_label.text() == "Model: not loaded"
    assert window.model_label.toolTip()  # the readable reason, e.g. "cannot load model …"
    assert window.isVisible()


def test_python_m_desktop_does_not_start_in_a_spawned_child(monkeypatch):
    import desktop.app

    started = []
    monkeypatch.setattr(desktop.app, "main", lambda: started.append("window") or 0)
    # multiprocessing's "spawn" re-imports the parent's main module as __mp_main__.
    runpy.run_module("desktop.__main__", run_name="__mp_main__")
    assert started == []
    with pytest.raises(SystemExit):  # as `python -m desktop` it does start
        runpy.run_module("desktop.__main__", run_name="__main__")
    assert started == ["window"]


@pytest.mark.e2e  # answers with the real SmolLM once a model that exists is picked
def test_missing_model_is_explained_in_the_answer_area(qtbot, make_window, paper_pdf, tmp_path):
    window = make_window(shared_generator=False)
    default = window.backend.settings  # the default model
    window.ingest.add([paper_pdf()])
    wait_idle(qtbot, window)
    with qtbot.waitSignal(
        window.backend.modelState, timeout=60_000, check_params_cb=lambda state, _: state == "error"
    ):
        window.backend.switch_model(tmp_path / "gone" / "Llama-3-8B.Q4_K_M.gguf")
    window.ask.ask("How many soil cores were sampled?")
    qtbot.waitUntil(lambda: not window.ask.busy(), timeout=60_000)
    text = window.ask.view.toPlainText()
    assert "Could not answer." in text and "model file not found" in text
    assert window.ask.answers == [] and window.ask.ask_btn.isVisibleTo(window)

    # Picking a model that exists makes asking work again, without a restart.
    from core.chat_models import default_gguf

    with qtbot.waitSignal(
        window.backend.modelState, timeout=60_000, check_params_cb=lambda state, _: state == "ready"
    ):
        window.backend.switch_model(default_gguf(default))
    window.ask.ask("How many soil cores were sampled?")
    qtbot.waitUntil(lambda: not window.ask.busy(), timeout=120_000)
    assert len(window.ask.answers) == 1 and "Could not answer" not in window.ask.view.toPlainText()


def test_qtpdf_is_installed():
    try:
        import PySide6.QtPdfWidgets  # noqa: F401
    except ImportError:
        pytest.fail(
            "PySide6's QtPdf is missing: in PySide6 6.12 it ships in its own wheel, PySide6-Pdf; "
            "list it in pyproject.toml's dependencies next to PySide6-Essentials"
        )
