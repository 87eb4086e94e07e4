"""Paper titles and file names are shown as written, never rendered as HTML (issue 15)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtGui import QTextDocument

from core.types import Paper
from desktop.models import Failure, FailureModel, PaperTableModel
from desktop.render import plain_rich

HOSTILE = '<img src="x" width=3000 height=3000><b>Bold</b> & co'


def rendered(rich: str) -> QTextDocument:
    """The document Qt draws for a tooltip or label holding `rich`."""
    assert QtGuiNamespace.mightBeRichText(rich)  # what QToolTip and QLabel ask
    doc = QTextDocument()
    doc.setHtml(rich)
    return doc


def test_plain_rich_shows_markup_literally(qapp):
    doc = rendered(plain_rich(f"{HOSTILE}\nsecond line"))
    assert doc.toPlainText() == f"{HOSTILE}\nsecond line"
    assert doc.idealWidth() < 1000  # no 3,000 px picture


def test_paper_tooltip_escapes_title_and_path(qapp):
    model = PaperTableModel()
    model.set_papers([Paper("d1", HOSTILE, ("<i>A</i>",), 2020, None, 3, 9,
                            Path("/p/<img width=3000>.pdf"), "x" * 64, time.time())])
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    text = rendered(tip).toPlainText()
    assert HOSTILE in text and "<i>A</i>" in text and "/p/<img width=3000>.pdf" in text
    assert rendered(tip).idealWidth() < 1000


def test_failure_tooltip_escapes_undecodable_and_control_bytes(qapp):
    model = FailureModel()
    path = Path(os.fsdecode(b"/p/caf\xe9\x1b[2J.pdf"))
    model.add(Failure(path, "not a PDF"))
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert rendered(tip).toPlainText().startswith("/p/caf\\xe9\\x1b[2J.pdf")
