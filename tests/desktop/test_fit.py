"""The window on a laptop screen: it fits the screen, labels fit or wrap, the viewer opens at
fit-width, save dialogs remember their folder (fast fakes; the offscreen screens come from
screens.json: a 1920×1200 desktop, a 1366×768 laptop and a 1024×700 screen)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QVBoxLayout, QWidget

from core.types import Answer
from desktop.widgets import folders
from desktop.widgets.settings_dialog import SettingsDialog
from tests.desktop.util import clipped_labels, off_screen, wait_idle

ROOT = Path(__file__).resolve().parents[2]


def screen(name: str):
    found = [s for s in QGuiApplication.screens() if s.name() == name]
    if not found:
        pytest.skip("needs the offscreen screens of screens.json (QT_QPA_PLATFORM=offscreen)")
    return found[0]


@pytest.fixture
def on_screen(qapp):
    """Put the mouse on a named screen (a window opens where the user is); back afterwards."""
    before = QCursor.pos()

    def move(name: str):
        s = screen(name)
        QCursor.setPos(s.geometry().center())
        return s

    yield move
    QCursor.setPos(before)


def settle(qtbot, window) -> None:
    qtbot.wait(50)
    wait_idle(qtbot, window)
    qtbot.wait(50)


@pytest.mark.parametrize("name, size", [("laptop", QSize(1366, 768)), ("small", QSize(1024, 700))])
def test_the_first_window_fits_the_screen_with_every_control_on_it(
    qtbot, fake_window, on_screen, name, size
):
    s = on_screen(name)
    assert s.availableGeometry().size() == size
    window = fake_window(samples=True, size=None)  # a first start: nothing remembered
    qtbot.waitUntil(lambda: len(window.papers.papers) == 3, timeout=60_000)
    settle(qtbot, window)
    assert window.screen() is s
    assert off_screen(window) == []
    for w in (window.ask.ask_btn, window.ingest, window.statusBar(), window.ask.question):
        assert w.isVisible() or w is window.ingest
    assert clipped_labels(window) == []
    table = window.library.table  # titles readable: room for about 20 letters at least
    assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance("x" * 20)
    paper = window.papers.papers[0]
    window.show_source(paper.path, 1, "", paper.title)  # the viewer unfolds: still all there
    settle(qtbot, window)
    assert off_screen(window) == [] and clipped_labels(window) == []
    window.tabs.setCurrentWidget(window.extract)
    settle(qtbot, window)
    assert off_screen(window) == [] and clipped_labels(window) == []


def test_a_remembered_size_shrinks_when_the_screen_got_smaller(qtbot, fake_window, on_screen):
    laptop = on_screen("laptop")
    window = fake_window(size=None)
    # Last time this place had a larger screen (a monitor since unplugged, a higher resolution)
    window.setGeometry(QRect(laptop.geometry().topLeft() + QPoint(40, 40), QSize(1700, 1050)))
    settle(qtbot, window)
    window.close()

    again = fake_window(size=None)
    settle(qtbot, again)
    assert again.screen() is laptop
    assert off_screen(again) == []
    assert again.width() >= 1300 and again.height() >= 680  # shrunk to the screen, not more

    big = fake_window(size=None)  # the same size on the desktop screen is kept as it was
    big.setGeometry(QRect(QPoint(40, 60), QSize(1500, 950)))
    settle(qtbot, big)
    big.close()
    on_screen("desk")
    kept = fake_window(size=None)
    assert (kept.width(), kept.height()) == (1500, 950)


def test_a_clipped_label_is_caught(qtbot):
    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    cut = QLabel("A sentence far too long for the forty pixels it is given")
    cut.setMinimumWidth(1)
    layout.addWidget(cut)
    box.setFixedSize(40, 60)
    box.show()
    assert clipped_labels(box) and "far too long" in clipped_labels(box)[0]
    cut.setWordWrap(True)  # wraps, but the lines need more than the height there is
    qtbot.wait(10)
    assert clipped_labels(box)
    box.setFixedSize(300, layout.totalHeightForWidth(300))
    qtbot.wait(10)
    assert clipped_labels(box) == []


def test_the_scope_line_wraps_at_1024_wide(qtbot, fake_window):
    window = fake_window(size=(1024, 700))
    settle(qtbot, window)
    window.ask.set_scope(["a", "b"], where="Ecology/Birds of the Northern Alps, tag fieldwork, 2019–2021")
    window.ask.scope_line.hidden_samples = ("x",)
    window.ask.set_scope([])
    qtbot.wait(50)
    assert window.ask.samples_label.isVisible()
    assert "Remove the samples" in window.ask.samples_label.text()
    assert clipped_labels(window) == []
    assert off_screen(window) == [] or window.screen().name() != "desk"


def test_settings_help_and_a_connection_error_wrap_at_the_default_size(qtbot, fake_window):
    window = fake_window()
    dialog = SettingsDialog(settings=window.backend.settings, models=[], parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert clipped_labels(dialog) == []
    assert dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width())
    dialog.remote.setChecked(True)
    dialog.remote.url.setText("http://lab-server.invalid:8000/v1")
    dialog.remote._show(
        False,
        "lab-server.invalid: the name does not resolve (no such host). Check the address, "
        "that this computer is on the lab's network, and that the server is running.",
    )
    qtbot.wait(50)
    assert clipped_labels(dialog) == []
    result, note = dialog.remote.result, dialog.remote.findChildren(QLabel)[-1]
    assert not result.geometry().intersects(note.geometry()) or result is note


def test_the_viewer_opens_at_fit_width(qtbot, fake_window, paper_pdf):
    window = fake_window(size=(1366, 740))
    settle(qtbot, window)
    first, second = paper_pdf("a.pdf"), paper_pdf("b.pdf", title="Alpine Meadow Soils")
    window.show_source(first, 1, "", "A")
    settle(qtbot, window)
    view = window.viewer.view
    assert view.fit and view.zoomFactor() == pytest.approx(view.fit_zoom())
    window.viewer.zoom_by(1.5)
    assert not view.fit
    window.show_source(second, 1, "", "B")  # another paper opens at fit-width again
    settle(qtbot, window)
    assert view.fit and view.zoomFactor() == pytest.approx(view.fit_zoom())
    # At 1366 wide the viewer shows a page at 0.6 of its size or more (0.48 before: unreadable)
    assert view.zoomFactor() >= 0.6


def test_save_dialogs_open_in_the_last_folder_else_documents(qtbot, fake_window, tmp_path, monkeypatch):
    window = fake_window()
    asked: list[str] = []
    target = tmp_path / "exports"
    target.mkdir()

    def fake_save(parent, caption, start, filters):  # noqa: ANN001 - QFileDialog's signature
        asked.append(start)
        return str(target / Path(start).name), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    window.ask.transcript.answers = [Answer(question="What was sampled?", answer="Soil.", abstained=False,
                                            citations=(), evidence=(), sentences=(), model="fake")]
    assert window.ask.export_markdown() == target / "What-was-sampled.md"
    assert Path(asked[0]).parent == folders.documents()
    window.ask.export_markdown()
    assert Path(asked[1]).parent == target  # the folder used last time
    assert folders.last_folder() == target


def test_settings_notes_are_not_cut_when_the_dialog_is_narrow(qtbot, settings, tmp_path):
    """No model file found (the model box is narrow) and a deep library folder: the notes wrap
    to several lines, and the dialog opens tall enough for them."""
    deep = tmp_path.joinpath(*["field notes from the alpine station"] * 6)
    dialog = SettingsDialog(settings=settings.replace(library=deep), models=[])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert clipped_labels(dialog) == []
    assert dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width())


_UNDER_X11 = """
import sys
from PySide6.QtWidgets import QApplication
from core import Settings
from desktop.widgets.settings_dialog import SettingsDialog
from tests.desktop.util import clipped_labels
app = QApplication(sys.argv)
dialog = SettingsDialog(settings=Settings.load(library=sys.argv[1]), models=[])
dialog.show()
app.processEvents()
print(clipped_labels(dialog))
"""


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb)")
def test_settings_notes_fit_under_a_real_x_server(tmp_path):
    """The offscreen platform's font metrics hide the cut: the dialog as X11 draws it."""
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-c", _UNDER_X11,
         str(tmp_path / "library")], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"
