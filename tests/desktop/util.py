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


def clipped_labels(root) -> list[str]:
    """Visible labels whose text does not fit: a one-line label narrower or lower than its
    text, a wrapping label lower than its wrapped lines, an elided one with no tooltip."""
    from PySide6.QtWidgets import QLabel

    from desktop.widgets.elided import ElidedLabel

    out = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text() or label.window() is not root:
            continue
        if isinstance(label, ElidedLabel):
            if label.elided() and not label.toolTip():
                out.append(f"{label.full_text!r} is cut without a tooltip")
            continue
        if label.wordWrap():
            need = label.heightForWidth(label.width())
            if label.height() < need:
                out.append(f"{label.text()[:60]!r}: {label.height()} px high < {need} wrapped")
            continue
        hint = label.sizeHint()
        if label.width() < hint.width() or label.height() < hint.height():
            out.append(f"{label.text()[:60]!r}: {label.width()}x{label.height()} < "
                       f"{hint.width()}x{hint.height()}")
    return out


def off_screen(window) -> list[str]:
    """Visible controls of ``window`` not wholly inside its screen's free area."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QWidget

    area = window.screen().availableGeometry()
    out = []
    if not area.contains(window.frameGeometry()):
        out.append(f"the window {window.frameGeometry()} is not inside {area}")
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) or w.window() is not window:
            continue
        if isinstance(w, (QAbstractButton, QLabel, QLineEdit, QPlainTextEdit)) or w is window.statusBar():
            shown = w.visibleRegion().boundingRect()  # not what a folded pane or a scroll hides
            if shown.isEmpty():
                continue
            rect = QRect(w.mapToGlobal(shown.topLeft()), shown.size())
            if not area.contains(rect):
                out.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r} at {rect}")
    return out
