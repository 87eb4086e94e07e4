"""Drag and drop anywhere on the window: PDFs and folders become papers, .gguf files models.

Qt delivers a drag to the innermost widget under the cursor that accepts drops, else to its
nearest such parent. The window accepts drops; text boxes do too (a dropped file would paste
its URL), so an event filter on the window and on each of them takes file drops first.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLabel, QWidget

from desktop.workers import single_shot


def classify(mime: QMimeData | None) -> tuple[list[Path], list[Path]]:
    """(papers: PDFs and folders, models: .gguf files) among the local files in ``mime``."""
    papers: list[Path] = []
    models: list[Path] = []
    if mime is None or not mime.hasUrls():
        return papers, models
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.suffix.lower() == ".gguf":
            models.append(path)
        elif path.is_dir() or path.suffix.lower() == ".pdf":
            papers.append(path)
    return papers, models


class DropOverlay(QLabel):
    """Covers the window while something droppable is dragged over it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("dropOverlay")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def cover(self, papers: int, models: int) -> None:
        what = []
        if papers:
            what.append(f"add {papers} item{'s' if papers != 1 else ''} to the library")
        if models:
            what.append(f"add {models} model{'s' if models != 1 else ''}")
        self.setText("Drop to " + " and ".join(what))
        if (parent := self.parentWidget()) is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()


class DropFilter(QObject):
    """Take file drags over ``window`` and any of its drop-accepting children (text boxes,
    which would paste the file's URL); emit ``dropped(papers, models)``."""

    dropped = Signal(list, list)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.overlay = DropOverlay(window)
        window.setAcceptDrops(True)
        # Moving between child widgets sends DragLeave then DragEnter: hide only if no
        # DragEnter/DragMove follows soon, i.e. the drag really left the window.
        self._leave = single_shot(self, 120, self.overlay.hide)
        self._window = window

    def install(self) -> None:
        """Watch the window and every widget in it that accepts drops; call once it is built."""
        for w in (self._window, *self._window.findChildren(QWidget)):
            if w is self._window or w.acceptDrops():
                w.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.DragLeave:
            self._leave.start()
            return False
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        assert isinstance(event, QDropEvent)  # QDragEnterEvent and QDragMoveEvent are ones too
        papers, models = classify(event.mimeData())
        if not papers and not models:
            return False  # text and other drags go where they would have gone
        self._leave.stop()
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if kind == QEvent.Type.Drop:
            self.overlay.hide()
            self.dropped.emit(papers, models)
        elif kind == QEvent.Type.DragEnter:
            self.overlay.cover(len(papers), len(models))
        return True
