"""File dialogs that open where the user last saved (or opened), else in Documents.

A save dialog that opens in the program's folder makes every export a hunt through the file
system. The last folder used is kept in window.ini beside the settings file (like the
window's size), so a test whose settings live in a temp folder never touches the user's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from core import settings_file

SAVE, OPEN = "save", "open"  # saving (exports) and opening (papers, models) keep their own


def _state() -> QSettings:
    return QSettings(str(settings_file().with_name("window.ini")), QSettings.Format.IniFormat)


def documents() -> Path:
    """The user's Documents folder, else their home folder."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def last_folder(kind: str = SAVE) -> Path:
    """The folder the last ``kind`` dialog ended in, while it exists; else Documents."""
    folder = _state().value(f"dialogs/{kind}")
    if isinstance(folder, str) and folder and Path(folder).is_dir():
        return Path(folder)
    return documents()


def remember(path: str | Path, kind: str = SAVE) -> None:
    """Keep the folder of ``path`` (a file chosen) for the next ``kind`` dialog."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    state = _state()
    state.setValue(f"dialogs/{kind}", str(folder))
    state.sync()


def save_file(parent: QWidget | None, caption: str, name: str, filters: str) -> tuple[str, str]:
    """QFileDialog.getSaveFileName in the last folder saved to, suggesting ``name``."""
    chosen, kind = QFileDialog.getSaveFileName(parent, caption, str(last_folder() / name), filters)
    if chosen:
        remember(chosen)
    return chosen, kind


def open_files(parent: QWidget | None, caption: str, filters: str) -> list[str]:
    """QFileDialog.getOpenFileNames in the last folder opened from."""
    files, _ = QFileDialog.getOpenFileNames(parent, caption, str(last_folder(OPEN)), filters)
    if files:
        remember(files[0], OPEN)
    return files


def open_file(parent: QWidget | None, caption: str, filters: str) -> str:
    """QFileDialog.getOpenFileName in the last folder opened from ("" when cancelled)."""
    chosen, _ = QFileDialog.getOpenFileName(parent, caption, str(last_folder(OPEN)), filters)
    if chosen:
        remember(chosen, OPEN)
    return chosen


def open_folder(parent: QWidget | None, caption: str, start: Path | None = None) -> str:
    """QFileDialog.getExistingDirectory in ``start`` or the last folder opened from; the
    chosen folder's parent is kept (the next folder to add is likely a sibling)."""
    folder = QFileDialog.getExistingDirectory(parent, caption, str(start or last_folder(OPEN)))
    if folder:
        remember(Path(folder).parent, OPEN)
    return folder
