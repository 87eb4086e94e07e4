"""Where the main window goes: inside the screen's free area (no panel or dock covers it).

A window larger than the screen puts its buttons, progress bar and status bar below the
edge, where a user cannot reach them. So on a first start the window takes its default size
shrunk to the screen the user is on (the one under the mouse), and a remembered size is
shrunk when the screen got smaller since (another monitor, a lower resolution).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize
from PySide6.QtGui import QCursor, QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

DEFAULT_SIZE = QSize(1400, 880)
MINIMUM_SIZE = QSize(960, 640)
# A title bar and borders, until the window manager says (the window is not shown yet).
FRAME = QMargins(4, 36, 4, 4)


def frame_of(window: QWidget) -> QMargins:
    """The window manager's frame around ``window``; FRAME until it has been shown."""
    outer, inner = window.frameGeometry(), window.geometry()
    if not window.isVisible() or outer == inner:
        return FRAME
    return QMargins(
        inner.left() - outer.left(),
        inner.top() - outer.top(),
        outer.right() - inner.right(),
        outer.bottom() - inner.bottom(),
    )


def user_screen(window: QWidget) -> QScreen | None:
    """The screen under the mouse (where the user is looking), else the window's own."""
    return QGuiApplication.screenAt(QCursor.pos()) or window.screen()


def fitted(size: QSize, area: QRect, frame: QMargins, at: QPoint | None = None) -> QRect:
    """A client rectangle of ``size`` (at most) whose frame lies within ``area``: at ``at``
    (moved back inside when it sticks out), else centred."""
    room = area.marginsRemoved(frame)
    size = size.boundedTo(room.size())
    rect = QRect(QPoint(0, 0), size)
    if at is None:
        rect.moveCenter(room.center())
    else:
        rect.moveTopLeft(at)
        rect.moveLeft(min(max(rect.left(), room.left()), room.right() - size.width() + 1))
        rect.moveTop(min(max(rect.top(), room.top()), room.bottom() - size.height() + 1))
    return rect


def fit_to_screen(window: QWidget, size: QSize | None = None, *, keep_place: bool = False) -> None:
    """Give ``window`` ``size`` (its current size by default) shrunk to its screen's free area.

    ``keep_place``: stay where it is when that is on the screen (a restored window); else
    centre on the screen under the mouse (a first start). The minimum size gives way too
    on a screen smaller than it.
    """
    screen = (
        QGuiApplication.screenAt(window.geometry().center()) if keep_place else None
    ) or user_screen(window)
    if screen is None:  # no screen at all (some CI set-ups): nothing to fit to
        window.resize(size or window.size())
        return
    frame = frame_of(window)
    room = screen.availableGeometry().marginsRemoved(frame).size()
    window.setMinimumSize(MINIMUM_SIZE.boundedTo(room))
    at = window.geometry().topLeft() if keep_place else None
    window.setGeometry(fitted(size or window.size(), screen.availableGeometry(), frame, at))
