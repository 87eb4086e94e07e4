"""The window's three panes (library | Ask/Extract | viewer): their widths, the viewer's
folding and detaching, and what of it is remembered between runs.

Each view (tab) keeps its own widths: Extract starts with the viewer folded away so the
table gets the room, and a citation or cell opened there unfolds it. Widths are first set
when the window is shown (only then is its real width known) as shares of the width, each
pane at least its minimum, so a 1024 px window cuts no control short.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from desktop.widgets.pdf_viewer import PdfViewer

# First-start widths of the library and viewer panes. The viewer gets the larger share: at
# 1366 px it is ~530 px wide, a page at 0.62 of its size (at 0.32 it was 0.48: unreadable).
LEFT_SHARE, VIEWER_SHARE = 0.27, 0.4
LEFT_MAX, VIEWER_MAX = 420, 640
VIEWER_UNFOLD = 600  # the most an opened citation takes for a folded viewer
NARROW = 1800  # below this, opening a cell in Extract narrows the library to its minimum
UNFOLD_SHARE = 0.36  # of the width, for a viewer unfolded by an opened citation
UNFOLD_SHARE_EXTRACT = 0.24  # ... or cell (the table's columns want the room)
ASK, EXTRACT = 0, 1  # tabs


class ViewerWindow(QWidget):
    """The viewer's own window when it is detached; closing it puts the viewer back."""

    closing = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Lantern — PDF viewer")
        QVBoxLayout(self).setContentsMargins(8, 8, 8, 8)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.closing.emit()
        super().closeEvent(event)


class Panes(QObject):
    """Lays out ``left``, ``tabs`` and ``viewer`` in ``split`` (a horizontal QSplitter)."""

    def __init__(
        self,
        *,
        split: QSplitter,
        left: QWidget,
        tabs: QTabWidget,
        viewer: PdfViewer,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.split, self.left, self.tabs, self.viewer, self.window = (
            split,
            left,
            tabs,
            viewer,
            window,
        )
        for w in (left, tabs, viewer):
            split.addWidget(w)
        # A larger window gives the answers and the viewer most of the new room.
        for index, stretch in enumerate((1, 2, 2)):
            split.setStretchFactor(index, stretch)
        # Only the viewer folds away (drag its edge, ✕, or the Extract view wanting room).
        split.setCollapsible(0, False)
        split.setCollapsible(1, False)
        split.setCollapsible(2, True)
        self.viewer_window: ViewerWindow | None = None
        self._tab = tabs.currentIndex()
        self._tab_sizes: dict[int, list[int]] = {}
        self._shown = False  # widths are set when the window is first shown
        self._switching = False  # a tab restored before the window shows
        tabs.currentChanged.connect(self._tab_changed)
        viewer.closed.connect(self.fold_viewer)
        viewer.detachToggled.connect(self.toggle_detached)

    # ------------------------------------------------------------ the viewer
    def reveal_viewer(self) -> None:
        """Make the viewer visible: raise its own window, or unfold it beside the answers."""
        if self.viewer_window is not None:
            self.viewer_window.show()
            self.viewer_window.raise_()
        elif self.split.sizes()[2] < self.viewer.minimumWidth():
            self._unfold_viewer()

    def _unfold_viewer(self) -> None:
        """Give the folded viewer room from the middle pane (in Extract, from the library too)."""
        total = sum(self.split.sizes())
        share = UNFOLD_SHARE if self.tabs.currentIndex() == ASK else UNFOLD_SHARE_EXTRACT
        want = min(max(int(total * share), self.viewer.minimumWidth()), VIEWER_UNFOLD)
        left = self.split.sizes()[0]
        if self.tabs.currentIndex() == EXTRACT and total < NARROW:  # the table needs it more
            left = self.left.minimumSizeHint().width()
        self.split.setSizes([left, max(total - left - want, 0), want])

    def fold_viewer(self) -> None:
        if self.viewer_window is not None:
            self.viewer_window.close()  # back into the window, then fold
        sizes = self.split.sizes()
        self.split.setSizes([sizes[0], sizes[1] + sizes[2], 0])

    def toggle_detached(self) -> None:
        """Move the viewer into a window of its own, or back beside the answers."""
        if self.viewer_window is not None:
            self.viewer_window.close()
            return
        window = self.viewer_window = ViewerWindow(self.window)
        window.closing.connect(self._attach_viewer)
        layout = window.layout()
        assert layout is not None  # ViewerWindow lays itself out
        layout.addWidget(self.viewer)
        window.resize(max(self.viewer.width(), 640), max(self.window.height(), 700))
        window.show()
        self.viewer.detach_btn.setToolTip("Put the viewer back into the main window")

    def _attach_viewer(self) -> None:
        window, self.viewer_window = self.viewer_window, None
        self.split.insertWidget(2, self.viewer)
        self.split.setCollapsible(2, True)
        self.viewer.show()
        self.viewer.detach_btn.setToolTip("Show the viewer in its own window (and back)")
        if window is not None:
            window.deleteLater()
        self._unfold_viewer()

    # ------------------------------------------------------------ widths
    def _tab_changed(self, index: int) -> None:
        """Each view keeps its own widths; Extract starts with the viewer folded away."""
        previous, self._tab = self._tab, index
        if self._switching or not self._shown:
            return
        self._tab_sizes[previous] = self.split.sizes()
        sizes = self._tab_sizes.get(index)
        if sizes is None and index == EXTRACT:
            total = sum(self.split.sizes())
            left = self.split.sizes()[0]
            sizes = [left, total - left, 0]
        if sizes:
            self.split.setSizes(sizes)

    def shown(self) -> None:
        """The window is shown: set the widths (once), when its real width is known."""
        if not self._shown:
            self._shown = True
            QTimer.singleShot(0, self._initial_sizes)

    def _initial_sizes(self) -> None:
        sizes = self._tab_sizes.get(self.tabs.currentIndex())
        if sizes:  # remembered from the last run
            self.split.setSizes(sizes)
        else:
            self._first_sizes()

    def _first_sizes(self) -> None:
        """Shares of the width, each pane at least its minimum (the viewer gives way first,
        then the library)."""
        total = self.split.width() - 2 * self.split.handleWidth()
        mid_min = self.tabs.minimumSizeHint().width()
        left_min, view_min = self.left.minimumSizeHint().width(), self.viewer.minimumWidth()
        left = max(left_min, min(int(total * LEFT_SHARE), LEFT_MAX))
        right = max(view_min, min(int(total * VIEWER_SHARE), VIEWER_MAX))
        short = left + right + mid_min - total
        if short > 0:
            cut = min(short, right - view_min)
            right, short = right - cut, short - cut
            left = max(left_min, left - max(short, 0))
        self.split.setSizes([left, total - left - right, right])

    # ------------------------------------------------------------ remembered
    def save(self, state: QSettings) -> None:
        self._tab_sizes[self._tab] = self.split.sizes()
        state.setValue("window/tab", self.tabs.currentIndex())
        for tab, sizes in self._tab_sizes.items():
            state.setValue(f"panes/main{tab}", [int(x) for x in sizes])

    def restore(self, state: QSettings) -> None:
        """Read the widths and the open view (the widths apply when the window is shown)."""
        for tab in (ASK, EXTRACT):
            sizes = state.value(f"panes/main{tab}")
            if isinstance(sizes, list) and len(sizes) == 3:
                self._tab_sizes[tab] = [int(x) for x in sizes]
        self._switching = True
        self.tabs.setCurrentIndex(int(str(state.value("window/tab", ASK))))
        self._switching = False
