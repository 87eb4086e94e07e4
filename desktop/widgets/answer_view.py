"""The transcript: questions, verified findings with [n] links, the drafts behind a link."""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from desktop import render


class AnswerView(QTextBrowser):
    """Read-only rich text; link clicks become ``citationClicked(turn, n)``, ``draftToggled(turn)``
    or ``widenRequested(turn)``.

    Tooltips on unsupported sentences come from the ``title`` attribute, which Qt's HTML
    importer stores as the character format's tool tip (shown by QTextBrowser on hover).
    """

    citationClicked = Signal(int, int)  # (turn, n)
    draftToggled = Signal(int)  # turn whose "Show the model's draft" was clicked
    widenRequested = Signal(int)  # turn whose automatic scope is to be widened

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDefaultStyleSheet(render.STYLE)
        self.document().setDocumentMargin(14)
        self.anchorClicked.connect(self._on_anchor)

    def show_html(self, body: str, *, follow: bool = False) -> None:
        """Replace the content; ``follow`` shows its end (the answer being written)."""
        self.setHtml(body)
        if follow:
            self.scroll_to_end()

    def scroll_to_end(self) -> None:
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def plain_text(self) -> str:
        return self.document().toPlainText()

    def _on_anchor(self, url: QUrl) -> None:
        parts = url.toString().split(":")
        if len(parts) == 3 and parts[0] == "cite" and parts[1].isdigit() and parts[2].isdigit():
            self.citationClicked.emit(int(parts[1]), int(parts[2]))
        elif len(parts) == 2 and parts[1].isdigit() and parts[0] in ("draft", "widen"):
            signal = self.draftToggled if parts[0] == "draft" else self.widenRequested
            signal.emit(int(parts[1]))

    def loadResource(self, kind: int, name: QUrl) -> object:  # noqa: N802 - Qt override
        # Never let the browser try to fetch anything the HTML might name.
        if kind == QTextDocument.ResourceType.ImageResource.value:
            return None
        return super().loadResource(kind, name)
