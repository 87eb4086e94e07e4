"""The built-in PDF viewer: open a paper at a page and highlight the quoted words.

QtPdf (the PySide6-Pdf wheel) draws the pages in a PageView (pdf_view.py), which keeps its
place through zoom and resize. The quote is located on the page's text layer
(quotes.locate) and highlighted line by line from QPdfDocument.getSelectionAtIndex, so a
quote that runs over several lines or into the next column is highlighted whole; one that
runs onto the next page (a citation's "pp. 5–6") is highlighted on both pages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.quotes import locate, locate_split
from desktop.render import plain_rich
from desktop.widgets.elided import ElidedLabel
from desktop.workers import while_current

try:  # QtPdf ships in its own wheel (PySide6-Pdf); without it citations open externally.
    from PySide6.QtPdf import QPdfDocument

    from desktop.widgets.pdf_view import PageView
except ImportError:  # pragma: no cover - depends on the installation
    QPdfDocument = PageView = None  # type: ignore[assignment,misc]

PLACEHOLDER = (
    "<p style='color:#6e7781; font-size:11pt'>Click a citation <b>[n]</b> or a passage in "
    "Evidence<br>to see it on its page, with the quoted words highlighted.</p>"
)
ZOOM_STEP = 1.25


def pdf_handler_missing() -> bool:
    """True when this Linux desktop has nothing to open a PDF with (xdg-open would start and
    fail silently, and QDesktopServices.openUrl would still report success)."""
    if not sys.platform.startswith("linux"):
        return False
    if shutil.which("xdg-open") is None:
        return True
    if shutil.which("xdg-mime") is None:
        return False  # cannot tell: let xdg-open try
    try:
        out = subprocess.run(
            ["xdg-mime", "query", "default", "application/pdf"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and not out.stdout.strip()


class PdfViewer(QWidget):
    """A toolbar (paper, page, zoom) over a PageView; ``open()`` is the whole API."""

    closed = Signal()
    detachToggled = Signal()  # the window moves the viewer into its own window and back

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.highlighted: str | None = None  # the words highlighted now, as the PDF has them
        self._target = 0  # 0-based page the caller asked for
        self.setMinimumWidth(280)

        self.title = ElidedLabel()
        self.title.setObjectName("viewerTitle")
        self.notice = QLabel()
        self.notice.setObjectName("viewerNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)  # notices name files: never HTML
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()

        self.page = QSpinBox()
        self.page.setMinimum(1)
        self.page.setKeyboardTracking(False)
        self.page.setToolTip("Page")
        self.page_count = QLabel("of 0")
        prev_btn = self._button("‹", "Previous page", lambda: self.go(self.current_page() - 1))
        next_btn = self._button("›", "Next page", lambda: self.go(self.current_page() + 1))
        zoom_out = self._button("−", "Zoom out", lambda: self.zoom_by(1 / ZOOM_STEP))
        zoom_in = self._button("+", "Zoom in", lambda: self.zoom_by(ZOOM_STEP))
        fit = self._button("Fit", "Fit the page width", self.fit_width)
        external = self._button("↗", "Open in your system's PDF viewer", self.open_externally)
        self.detach_btn = self._button(
            "", "Show the viewer in its own window (and back)", self.detachToggled.emit
        )
        # An icon: the font may lack a "two windows" character.
        self.detach_btn.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarNormalButton)
        )
        close = self._button("✕", "Close the viewer", self.closed.emit)

        # Two rows: the paper's title with the window buttons, then page and zoom, so that
        # a narrow viewer still shows the title.
        self.bar = QWidget()
        head = QHBoxLayout()
        head.setSpacing(2)
        head.addWidget(self.title, 1)
        for button in (external, self.detach_btn, close):
            head.addWidget(button)
        nav = QHBoxLayout()
        nav.setSpacing(2)
        for w in (prev_btn, self.page, self.page_count, next_btn):
            nav.addWidget(w)
        nav.addStretch(1)
        for w in (zoom_out, zoom_in, fit):
            nav.addWidget(w)
        bar = QVBoxLayout(self.bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(0)
        bar.addLayout(head)
        bar.addLayout(nav)

        self.stack = QStackedWidget()
        empty = QLabel(PLACEHOLDER)
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setWordWrap(True)
        self.stack.addWidget(empty)
        if PageView is not None:
            self.document = QPdfDocument(self)
            self.view = PageView(self)
            self.view.setDocument(self.document)
            self.stack.addWidget(self.view)
            self.view.pageChanged.connect(self._on_page_changed)
            self.page.valueChanged.connect(
                while_current(lambda: self.page.value() != self.current_page(), self.go))
        else:
            empty.setText(
                "The PDF viewer needs the PySide6-Pdf package; citations open in your "
                "system's PDF viewer instead."
            )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        self._controls = [prev_btn, next_btn, self.page, zoom_out, zoom_in, fit, external]
        self._set_enabled(False)
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, zoom_in.click),
            (QKeySequence.StandardKey.ZoomOut, zoom_out.click),
        ):
            QShortcut(keys, self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _button(self, text: str, tip: str, slot) -> QToolButton:  # noqa: ANN001
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.clicked.connect(slot)
        return b

    # ------------------------------------------------------------ API
    def open(self, path: Path, page: int, quote: str = "", title: str = "") -> bool:
        """Show ``page`` (1-based) of ``path`` and highlight ``quote`` there; False if it cannot."""
        path = Path(path)
        self.title.set_full_text(title or path.name)
        self.title.setToolTip(plain_rich(f"{title}\n{path}" if title else str(path)))
        if not path.is_file():
            self._notify(f"The file is no longer at {path}. Add it again from its new place.")
            return False
        if PageView is None:
            self.path = path
            return self.open_externally()
        if path != self.path or self.document.status() != QPdfDocument.Status.Ready:
            self.document.close()
            loaded = self.document.load(str(path)) == QPdfDocument.Error.None_
            if not loaded or self.document.pageCount() == 0:
                self.path = None
                self._notify(f"Could not open {path.name}: the PDF viewer cannot read it.")
                return False
            self.path = path
            self.view.reset()
            self.page.setMaximum(max(self.document.pageCount(), 1))
            self.page_count.setText(f"of {self.document.pageCount()}")
        self.stack.setCurrentWidget(self.view)
        self._set_enabled(True)
        self._target = min(max(page - 1, 0), self.document.pageCount() - 1)
        self.notice.hide()
        parts = self._quote_parts(self._target, quote) if quote else {}
        self.view.set_highlights(parts)
        if not parts:
            self.go(self._target + 1)
        if quote and not parts:
            self._notify(
                f"Showing page {self._target + 1}. The quoted words could not be located on "
                "this page's text layer, so nothing is highlighted."
            )
        return True

    def current_page(self) -> int:
        """1-based page in view (0 when nothing is open)."""
        if PageView is None or self.path is None:
            return 0
        return self.view.anchor_page + 1

    def go(self, page: int) -> None:
        """Show the top of ``page`` (1-based)."""
        if PageView is None or self.path is None:
            return
        page = min(max(page, 1), self.document.pageCount())
        self.view.place(page - 1, QPointF(0, 0), QPointF(0, 0))

    def zoom_by(self, factor: float) -> None:
        self.view.set_zoom(self.view.zoomFactor() * factor)

    def fit_width(self) -> None:
        self.view.set_zoom(None)

    def open_externally(self) -> bool:
        """Open the paper in the system's PDF viewer; say so in the window when nothing opens."""
        if self.path is None:
            return False
        if pdf_handler_missing() or not QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.path))
        ):
            self._notify(
                "Nothing opened: this computer has no PDF viewer set up for PDF files. "
                f"The file is at {self.path}"
            )
            return False
        return True

    # ------------------------------------------------------------ internals
    def _quote_parts(self, page: int, quote: str) -> dict[int, list[QRectF]]:
        """The quote's lines (points) by 0-based page, across line and column breaks: on
        ``page``, and on the next page too when the quote runs onto it ("pp. 5–6"); {} when
        the text layer does not hold it."""
        self.highlighted = None
        text = self.document.getAllText(page).text()
        spans = {page: locate(quote, text)}
        if page + 1 < self.document.pageCount():
            split = locate_split(quote, text, self.document.getAllText(page + 1).text())
            if split is not None:
                spans = {page: split[0], page + 1: split[1]}
        parts: dict[int, list[QRectF]] = {}
        words: list[str] = []
        for number, span in spans.items():
            if span is None:
                continue
            selection = self.document.getSelectionAtIndex(number, span[0], span[1] - span[0])
            words.append(selection.text())
            parts[number] = [poly.boundingRect() for poly in selection.bounds()]
        self.highlighted = " ".join(words) or None
        return parts

    def _on_page_changed(self, page: int) -> None:
        self.page.blockSignals(True)
        self.page.setValue(page + 1)
        self.page.blockSignals(False)

    def _notify(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.show()

    def _set_enabled(self, on: bool) -> None:
        for w in self._controls:
            w.setEnabled(on)
        self.bar.setVisible(on)
