"""Entry point of the desktop app: `python -m desktop` or the `lantern-desktop` script."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow


def build(argv: Sequence[str] | None = None) -> tuple[QApplication, MainWindow]:
    """The application and its window, not yet started (scripts/screenshot.py drives them)."""
    from PySide6.QtWidgets import QApplication

    from core import Settings, settings_file
    from desktop import style
    from desktop.backend import Backend
    from desktop.main_window import MainWindow

    logging.basicConfig(
        level=logging.DEBUG if os.environ.get("LANTERN_VERBOSE") else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    found = QApplication.instance()
    app = found if isinstance(found, QApplication) else QApplication(
        list(argv) if argv is not None else sys.argv)
    app.setApplicationName("Lantern")
    app.setDesktopFileName("lantern")  # matches packaging/lantern.desktop (Wayland app id)
    style.apply(app)
    path = settings_file()
    settings = Settings.load(path)  # SettingsError: main() shows it
    return app, MainWindow(backend=Backend(settings, settings_path=path))


def main(argv: Sequence[str] | None = None) -> int:
    """Show the window first; the library, samples and model load in the background."""
    from desktop import syscheck

    if not syscheck.check():  # Qt would abort with no word on which library is missing
        return 1
    from PySide6.QtWidgets import QApplication, QMessageBox

    from core import LanternError

    try:
        app, window = build(argv)
    except LanternError as exc:
        _ = QApplication.instance() or QApplication(sys.argv)
        QMessageBox.critical(None, "Lantern cannot start", str(exc))
        return 1
    window.show()
    window.start()
    # Files given on the command line ("Open with Lantern" in a file manager) are added.
    given = [Path(a) for a in app.arguments()[1:] if not a.startswith("-") and Path(a).exists()]
    if given:
        window.add_dropped(
            [p for p in given if p.suffix.lower() != ".gguf"],
            [p for p in given if p.suffix.lower() == ".gguf"],
        )
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
