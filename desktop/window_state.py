"""What the window remembers between runs: its geometry and size, the panes' widths (per view),
the splitters and the open view, in an INI file (QSettings)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QMainWindow, QSplitter

from desktop import geometry
from desktop.panes import Panes


class WindowState:
    """The INI file at `path`; None: nothing is kept (no settings file)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def _open(self) -> QSettings | None:
        return None if self.path is None else QSettings(str(self.path), QSettings.Format.IniFormat)

    def save(self, window: QMainWindow, panes: Panes, splitters: dict[str, QSplitter]) -> None:
        """Window geometry, pane widths (per view) and the open view, for the next start."""
        state = self._open()
        if state is None:
            return
        state.setValue("window/geometry", window.saveGeometry())
        state.setValue("window/size", [window.width(), window.height()])
        panes.save(state)
        for key, splitter in splitters.items():
            state.setValue(key, splitter.saveState())
        state.sync()

    def restore(self, window: QMainWindow, panes: Panes, splitters: dict[str, QSplitter]) -> bool:
        """Put back what save kept; False when there is nothing (a first start)."""
        state = self._open()
        if state is None or not state.contains("window/geometry"):
            return False
        window.restoreGeometry(state.value("window/geometry"))
        size = state.value("window/size")
        if not window.isMaximized():
            # The size as it was, shrunk to the screen when that got smaller since.
            kept = QSize(int(size[0]), int(size[1])) if isinstance(size, list) and len(size) == 2 else None
            geometry.fit_to_screen(window, kept, keep_place=True)
        for key, splitter in splitters.items():
            if state.contains(key):
                splitter.restoreState(state.value(key))
        panes.restore(state)
        return True
