"""Small modal questions, in one place so every confirmation looks (and tests) the same."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

T = TypeVar("T")


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    action: str,
    *,
    destructive: bool = False,
    detail: str = "",
) -> bool:
    """Ask with a button named after the action ("Remove", "Use it") and Cancel."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    if detail:
        box.setInformativeText(detail)
    role = (
        QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    )
    yes = box.addButton(action, role)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel if destructive else yes)
    box.exec()
    return box.clickedButton() is yes


def choose(
    parent: QWidget | None,
    title: str,
    text: str,
    options: list[str],
    *,
    detail: str = "",
) -> int | None:
    """Ask for one of ``options`` (the first is the default) or Cancel (None, also Escape)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    if detail:
        box.setInformativeText(detail)
    buttons = [box.addButton(o, QMessageBox.ButtonRole.AcceptRole) for o in options]
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(buttons[0])
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return buttons.index(clicked) if clicked in buttons else None


def save_path(
    parent: QWidget | None, title: str, name: str, kinds: dict[str, T]
) -> tuple[Path, T] | None:
    """A file to write, picked by the user (suggested: `name` in Documents), with what the
    file type chosen stands for (`kinds`: dialog filter -> value; the first by default)."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    chosen, kind = QFileDialog.getSaveFileName(parent, title, str(Path(docs) / name),
                                               ";;".join(kinds))
    if not chosen:
        return None
    return Path(chosen), kinds.get(kind, next(iter(kinds.values())))


def save_text(
    parent: QWidget | None, title: str, name: str, filters: str, text: str, *,
    path: Path | None = None,
) -> Path | None:
    """Write `text` to `path`, or to a file the user picks (suggested: `name` in Documents);
    a failure is told in a message box. The path written, or None."""
    if path is None:
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _ = QFileDialog.getSaveFileName(parent, title, str(Path(docs) / name), filters)
        if not chosen:
            return None
        path = Path(chosen)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        QMessageBox.warning(parent, "Export failed",
                            f"Could not write {path}: {exc.strerror or exc}")
        return None
    return path


def pick_files(parent: QWidget | None, title: str, filters: str) -> list[Path]:
    """Files to open, picked by the user in their home folder; [] if cancelled."""
    files, _ = QFileDialog.getOpenFileNames(parent, title, str(Path.home()), filters)
    return [Path(f) for f in files]


def pick_folder(parent: QWidget | None, title: str, start: Path | None = None) -> Path | None:
    """A folder picked by the user (starting in `start`, else their home); None if cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, title, str(start or Path.home()))
    return Path(folder) if folder else None
