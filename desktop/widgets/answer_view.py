"""The transcript: questions, verified findings with [n] links, the drafts behind a link."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QMouseEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QToolTip, QWidget

from desktop import render

# Citations in bold (and, see _enlarge_citations, full size on the baseline: a superscript
# [n] is ~8 px tall, hard to hit); the hovered one gets a background.
CITE_STYLE = "a { font-weight: 600; }"
HOVER = QColor("#dbe9ff")


class AnswerView(QTextBrowser):
    """Read-only rich text; link clicks become ``citationClicked(turn, n, k)``, ``draftToggled(turn)``
    or ``widenRequested(turn)``.

    Tooltips on unsupported sentences come from the ``title`` attribute, which Qt's HTML
    importer stores as the character format's tool tip (shown by QTextBrowser on hover).
    """

    citationClicked = Signal(int, int, int)  # (turn, n, k): k-th citation of the answer, or -1
    draftToggled = Signal(int)  # turn whose "Show the model's draft" was clicked
    widenRequested = Signal(int)  # turn whose automatic scope is to be widened

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setMouseTracking(True)
        self.document().setDefaultStyleSheet(render.STYLE + CITE_STYLE)
        # (turn, n) -> the tooltip of citation n of that turn (the quote), or None
        self.cite_tip: Callable[[int, int, int], str | None] = lambda turn, n, k: None
        self.hovered: str = ""  # href of the citation under the mouse
        self.document().setDocumentMargin(14)
        self.anchorClicked.connect(self._on_anchor)

    def show_html(self, body: str, *, follow: bool = False) -> None:
        """Replace the content; ``follow`` shows its end (the answer being written)."""
        self.setHtml(body)
        self._enlarge_citations()
        if follow:
            self.scroll_to_end()

    def scroll_to_end(self) -> None:
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def plain_text(self) -> str:
        return self.document().toPlainText()

    def _on_anchor(self, url: QUrl) -> None:
        parts = url.toString().split(":")
        if cite := self._cite(url.toString()):
            self.citationClicked.emit(*cite)
        elif len(parts) == 2 and parts[1].isdigit() and parts[0] in ("draft", "widen"):
            signal = self.draftToggled if parts[0] == "draft" else self.widenRequested
            signal.emit(int(parts[1]))

    def _enlarge_citations(self) -> None:
        """Set superscripts (the [n] markers) on the baseline at full size: Qt's CSS cannot
        undo the importer's <sup>, so the formats are changed after the HTML is read."""
        doc = self.document()
        block = doc.begin()
        spans: list[tuple[int, int]] = []
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                if (
                    frag.charFormat().verticalAlignment()
                    == QTextCharFormat.VerticalAlignment.AlignSuperScript
                ):
                    spans.append((frag.position(), frag.length()))
                it += 1
            block = block.next()
        if not spans:
            return
        fmt = QTextCharFormat()
        fmt.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignNormal)
        cursor = QTextCursor(doc)
        for start, length in spans:
            cursor.setPosition(start)
            cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)

    @staticmethod
    def _cite(href: str) -> tuple[int, int, int] | None:
        """(turn, n, k) of a ``cite:TURN:N`` or ``cite:TURN:N:K`` link; k is -1 without K."""
        parts = href.split(":")
        if parts[0] == "cite" and len(parts) in (3, 4) and all(p.isdigit() for p in parts[1:]):
            return int(parts[1]), int(parts[2]), int(parts[3]) if len(parts) == 4 else -1
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        super().mouseMoveEvent(event)
        self.hover(event.position().toPoint())

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().leaveEvent(event)
        self.hover(None)

    def hover(self, pos: QPoint | None) -> None:
        """Mark the citation under ``pos`` (viewport coordinates) with a background."""
        href = self.anchorAt(pos) if pos is not None else ""
        href = href if self._cite(href) else ""
        if href == self.hovered:
            return
        self.hovered = href
        selections = []
        if href and pos is not None:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = self._anchor_cursor(self.cursorForPosition(pos).position(), href)
            fmt = QTextCharFormat()
            fmt.setBackground(HOVER)
            fmt.setFontUnderline(True)
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)

    def _anchor_cursor(self, position: int, href: str) -> QTextCursor:
        """A cursor selecting the whole link ``href`` around ``position``."""
        doc = self.document()

        def href_at(i: int) -> str:  # the format of the character at i
            c = QTextCursor(doc)
            c.setPosition(i + 1)
            return c.charFormat().anchorHref()

        start = end = position
        if href_at(start) != href and start > 0 and href_at(start - 1) == href:
            start = end = start - 1
        while start > 0 and href_at(start - 1) == href:
            start -= 1
        while end + 1 < doc.characterCount() and href_at(end + 1) == href:
            end += 1
        cursor = QTextCursor(doc)
        cursor.setPosition(start)
        cursor.setPosition(end + 1, QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Over a citation, the tooltip is its quote (when ``cite_tip`` knows it)."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            cite = self._cite(self.anchorAt(event.pos()))
            tip = self.cite_tip(*cite) if cite else None
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
                return True
        return super().viewportEvent(event)

    def loadResource(self, kind: int, name: QUrl | str) -> object:  # noqa: N802 - Qt override
        # Never let the browser try to fetch anything the HTML might name.
        if kind == QTextDocument.ResourceType.ImageResource.value:
            return None
        return super().loadResource(kind, name)
