"""The look: Fusion with a light palette, a readable font size and a few accents."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication

ICON = Path(__file__).resolve().parent.parent / "packaging" / "lantern.svg"
ACCENT = "#c9780a"  # lantern amber

QSS = f"""
QMainWindow, QDialog {{ background: #f6f7f9; }}
QLabel#panelTitle {{ font-size: 12pt; font-weight: 600; color: #1f2328; }}
QLabel#sectionLabel {{ font-weight: 600; color: #424a53; }}
QLabel#dim, QLabel#scopeLabel {{ color: #57606a; }}
QLabel#viewerTitle {{ font-weight: 600; color: #1f2328; padding-left: 2px; }}
QLabel#viewerNotice {{ background: #fff8e1; border: 1px solid #f0d68a; border-radius: 4px;
    padding: 4px 8px; color: #5c4400; }}
QLabel#failLabel {{ color: #b42318; font-weight: 600; }}
QLabel#dropOverlay {{ background: rgba(255, 248, 230, 225); border: 3px dashed {ACCENT};
    border-radius: 12px; color: #7a4a00; font-size: 18pt; font-weight: 600; }}
QLabel#offline {{ color: #1a7f37; }}
QLabel#modelError {{ color: #b42318; }}
QFrame#ingestPanel {{ background: #ffffff; border-top: 1px solid #d8dee4; }}
QTextBrowser, QTableView, QListView, QPlainTextEdit, QLineEdit {{
    background: #ffffff; border: 1px solid #d0d7de; border-radius: 6px; }}
QPlainTextEdit#question {{ padding: 6px; font-size: 11pt; }}
QPlainTextEdit#question:focus, QLineEdit:focus {{ border: 1px solid {ACCENT}; }}
QLineEdit {{ padding: 4px 6px; }}
QTableView {{ alternate-background-color: #f8f9fb; selection-background-color: #fbe3b8;
    selection-color: #1f2328; }}
QListView {{ selection-background-color: #fbe3b8; selection-color: #1f2328; }}
QHeaderView::section {{ background: #f0f2f5; border: none; border-bottom: 1px solid #d0d7de;
    padding: 4px 6px; font-weight: 600; color: #424a53; }}
QPushButton {{ padding: 5px 12px; border-radius: 5px; border: 1px solid #c4cbd3;
    background: #ffffff; }}
QPushButton:hover {{ background: #f3f4f6; }}
QPushButton:disabled {{ color: #a0a7b0; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid #a86207;
    font-weight: 600; padding: 5px 22px; }}
QPushButton#primary:hover {{ background: #b86c08; }}
QProgressBar {{ border: none; background: #e7eaee; border-radius: 4px; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 4px; }}
QSplitter::handle {{ background: transparent; }}
QStatusBar {{ background: #eef0f3; border-top: 1px solid #d8dee4; }}
QStatusBar QLabel {{ padding: 0 8px; }}
"""


def apply(app: QApplication) -> None:
    app.setStyle("Fusion")
    pal = app.palette()
    pal.setColor(QPalette.ColorRole.Window, QColor("#f6f7f9"))
    pal.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor("#f8f9fb"))
    pal.setColor(QPalette.ColorRole.Text, QColor("#1f2328"))
    pal.setColor(QPalette.ColorRole.WindowText, QColor("#1f2328"))
    pal.setColor(QPalette.ColorRole.Highlight, QColor("#fbe3b8"))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#1f2328"))
    pal.setColor(QPalette.ColorRole.Link, QColor("#0a58ca"))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffdf5"))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor("#1f2328"))
    app.setPalette(pal)
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(QSS)
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
