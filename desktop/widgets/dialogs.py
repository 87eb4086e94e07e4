"""Small modal questions, in one place so every confirmation looks (and tests) the same."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


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


def pick_folder(parent: QWidget | None, title: str, start: Path | None = None) -> Path | None:
    """A folder picked by the user (starting in `start`, else their home); None if cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, title, str(start or Path.home()))
    return Path(folder) if folder else None
