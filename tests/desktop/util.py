"""Helpers for the window tests: deliver real drops, wait for the job queue."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication


def drop(window, paths: list[Path], over=None) -> None:
    """Drag file URLs over a widget (the question box unless ``over``) and drop them.

    Events go to the window's QWindow, like the platform's: it picks the widget under the
    cursor that accepts drops (the question box, which would paste the URLs; over a table,
    the window itself) and forwards the drag there; the drop filter must take it first.
    (Qt 6 ignores a QDropEvent sent straight to a widget that no drag has entered.)
    """
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    target = over if over is not None else window.ask.question
    pos = QPointF(target.mapTo(window, target.rect().center()))
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    handle = window.windowHandle()
    enter = QDragEnterEvent(pos, *args)
    assert QApplication.sendEvent(handle, enter) and enter.isAccepted()
    QApplication.sendEvent(handle, QDropEvent(pos, *args))


def wait_idle(qtbot, window, timeout: int = 120_000) -> None:
    qtbot.waitUntil(lambda: not window.backend.runner.busy, timeout=timeout)
