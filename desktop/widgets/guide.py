"""Help: a short guide for a first session, and every keyboard shortcut in one table.

The shortcut table is read from the window's menus, so it cannot drift from what the keys
really do; keys that belong to a widget rather than a menu are listed after them.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from core import Settings

# Keys handled by widgets themselves (no menu entry): (keys, what they do).
WIDGET_KEYS = (
    ("Ctrl+Enter", "Ask the question typed in the question box"),
    ("Del", "Remove the selected papers (in the library)"),
    ("Ctrl+A", "Select every paper (in the library): questions search all of them anyway"),
    ("Double-click", "Open a paper (library) or a cell's quote (Extract table) in the viewer"),
    ("Ctrl++ / Ctrl+−", "Zoom the viewer in or out (with the viewer focused)"),
)

GUIDE = """
<h2>Lantern in five steps</h2>
<ol>
<li><b>Add papers.</b> Drag PDFs or whole folders onto the window, or press
<b>Ctrl+O</b>. The bar at the bottom shows each file as it is read; files that cannot
be read are listed with the reason and what to do.</li>
<li><b>Ask.</b> Type a question under the answer area and press <b>Ctrl+Enter</b>.
Select papers in the library first to ask only those.</li>
<li><b>Check.</b> Every claim ends in a citation <b>[n]</b>. Hover it to read the quoted
words; click it to open the page in the viewer with the words highlighted. Sentences on an
amber background could not be verified against their source.</li>
<li><b>Extract.</b> The <b>Extract</b> view (<b>Ctrl+2</b>) asks a set of questions of every
paper and fills a table; click a cell to see its quote. <b>Export…</b> saves the table.</li>
<li><b>Keep.</b> <b>Copy</b> or <b>Export…</b> an answer as Markdown; past conversations are
under <i>History</i>.</li>
</ol>
<h3>Good to know</h3>
<ul>
<li>Everything runs on this computer; nothing is sent anywhere.</li>
<li>The built-in model is tiny. Drop an instruct model in GGUF format (3–8B, Q4_K_M) onto
the window for much better answers.</li>
<li>Work runs one step at a time: a question asked while papers are being added or a table is
being extracted waits for the current step, then runs.</li>
<li>The viewer can be folded away (✕), dragged wider, or moved into its own window (⧉).
Window size, pane sizes and the open view are remembered.</li>
</ul>
"""


def menu_shortcuts(window: QMainWindow) -> list[tuple[str, str]]:
    """(keys, "Menu → Action") for every menu action that has a shortcut."""
    rows = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if not isinstance(menu, QMenu):
            continue
        where = menu_action.text().replace("&", "")
        for action in menu.actions():
            if isinstance(action, QAction) and not action.shortcut().isEmpty():
                keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                rows.append((keys, f"{where} → {action.text().replace('&', '')}"))
    return rows


def shortcuts_html(window: QMainWindow) -> str:
    rows = menu_shortcuts(window) + list(WIDGET_KEYS)
    cells = "".join(
        f"<tr><td style='padding:3px 14px 3px 0'><b>{html.escape(k)}</b></td>"
        f"<td style='padding:3px 0'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<h2>Keyboard shortcuts</h2><table>{cells}</table>"


def _show(parent: QWidget, title: str, body: str, size: tuple[int, int]) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    text = QTextBrowser()
    text.setOpenExternalLinks(False)
    text.setHtml(body)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text, 1)
    layout.addWidget(buttons)
    dialog.resize(*size)
    dialog.setObjectName(title)
    dialog.text = text  # type: ignore[attr-defined]  # tests read what it says
    dialog.show()
    return dialog


def show_guide(window: QMainWindow) -> QDialog:
    return _show(window, "Quick guide", GUIDE, (560, 560))


def show_shortcuts(window: QMainWindow) -> QDialog:
    return _show(window, "Keyboard shortcuts", shortcuts_html(window), (520, 600))


def show_about(parent: QWidget, settings: Settings) -> None:
    """Help → About: what Lantern is, and its version, llama.cpp flags, models and sha256."""
    from core import app_provenance  # imported when asked for (it reads the models' files)

    facts = "<br>".join(html.escape(line) for line in app_provenance(settings).lines())
    QMessageBox.about(
        parent,
        "About Lantern",
        "<h3>Lantern</h3><p>Ask questions about your papers and get answers that "
        "cite the paper, page and exact words.</p><p>Everything runs on this "
        f"computer: no account, no network.</p><p><small>{facts}</small></p>",
    )
