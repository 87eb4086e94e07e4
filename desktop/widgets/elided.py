"""A one-line label that ends in "…" when its text does not fit, with the full text on hover."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """Shows as much of ``full_text`` as fits; never asks for more width than its minimum.

    A long paper title or progress line must not widen a pane or the window: the label's
    horizontal size policy is Ignored, so layouts give it what is left. When the text is cut,
    the tooltip shows all of it (unless the caller set a tooltip of its own).
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._own_tip = False
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    @property
    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt override
        """A tooltip set by the caller wins over the automatic full-text one."""
        self._own_tip = bool(tip)
        super().setToolTip(tip)

    def elided(self) -> bool:
        """True when the label shows less than its full text."""
        return self.text() != self._full

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(self.width() - 2, 20)
        )
        self.setText(shown)
        if not self._own_tip:
            QLabel.setToolTip(self, self._full if shown != self._full else "")
