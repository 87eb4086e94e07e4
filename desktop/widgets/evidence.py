"""The Evidence list: each retrieved passage as a bold heading line and a two-line snippet."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QTextLayout
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from core.types import Evidence
from desktop.models import EvidenceModel, ItemRole, heading
from desktop.quotes import snippet

PAD = 8
SNIPPET_LINES = 2


class EvidenceDelegate(QStyledItemDelegate):
    """Paints heading + snippet; Qt's default would draw one long line per passage."""

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        return bold, QFont(option.font)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        bold, body = self._fonts(option)
        h = QFontMetrics(bold).lineSpacing() + SNIPPET_LINES * QFontMetrics(body).lineSpacing()
        return QSize(200, h + 2 * PAD + 2)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        e: Evidence | None = index.data(ItemRole)
        if e is None:
            return super().paint(painter, option, index)
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        pal = option.palette
        if selected:
            painter.fillRect(option.rect, pal.color(QPalette.ColorRole.Highlight))
        elif hovered:
            painter.fillRect(option.rect, QColor("#f1f4f8"))
        fg = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        dim = fg if selected else QColor("#57606a")
        bold, body = self._fonts(option)
        r = option.rect.adjusted(PAD + 2, PAD, -PAD, -PAD)
        bm = QFontMetrics(bold)
        painter.setFont(bold)
        painter.setPen(fg)
        painter.drawText(
            QRect(r.left(), r.top(), r.width(), bm.lineSpacing()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            bm.elidedText(heading(index.row(), e), Qt.TextElideMode.ElideRight, r.width()),
        )
        painter.setFont(body)
        painter.setPen(dim)
        y = r.top() + bm.lineSpacing()
        for line in _wrap(snippet(e.text, 600), body, r.width(), SNIPPET_LINES):
            painter.drawText(
                QRect(r.left(), y, r.width(), QFontMetrics(body).lineSpacing()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )
            y += QFontMetrics(body).lineSpacing()
        painter.setPen(QColor("#e4e8ec"))
        painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
        painter.restore()


def _wrap(text: str, font: QFont, width: int, lines: int) -> list[str]:
    """Word-wrap ``text`` into at most ``lines`` lines, the last one elided."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    out: list[str] = []
    end = 0
    while len(out) < lines - 1:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        end = line.textStart() + line.textLength()
        out.append(text[line.textStart() : end].rstrip())
    layout.endLayout()
    if rest := text[end:].strip():
        out.append(QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return out


class EvidenceList(QListView):
    """Passages in rank order; a click opens the passage's page in the viewer."""

    activatedEvidence = Signal(object)  # Evidence
    EMPTY = "The passages an answer rests on appear here, best first. Click one to open its page."

    def __init__(self, *, model: EvidenceModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(EvidenceDelegate(self))
        self.setMouseTracking(True)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.clicked.connect(self._emit)
        self.activated.connect(self._emit)

    def paintEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().paintEvent(event)
        if self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(QColor("#8c959f"))
            painter.drawText(
                self.viewport().rect().adjusted(16, 16, -16, -16),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.EMPTY,
            )

    def _emit(self, index: QModelIndex) -> None:
        e = index.data(ItemRole)
        if e is not None:
            self.activatedEvidence.emit(e)
