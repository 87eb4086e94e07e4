"""The line under the question box that says which papers a question goes to, with the link
that removes the sample papers once the user has papers of their own."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

_SAMPLES_LEFT_OUT = (
    "<span style='color:#6e7781'>(the sample papers are left out ·</span> "
    "<a href='remove-samples'>Remove the samples</a><span style='color:#6e7781'>)</span>"
)


class ScopeLine(QWidget):
    """"Scope: 2 papers in Ecology/Birds"; the papers themselves are `doc_ids` ([] = all)."""

    removeSamples = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc_ids: list[str] = []
        self.where = ""  # the library filter the papers were chosen by ("Ecology/Birds")
        self.hidden_samples: tuple[str, ...] = ()
        # The scope wraps (never clipped) beside the buttons, however narrow the pane.
        self.label = QLabel()
        self.label.setObjectName("scopeLabel")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.samples = QLabel()  # "Remove the samples", once the user has papers
        self.samples.setTextFormat(Qt.TextFormat.RichText)
        self.samples.setWordWrap(True)
        self.samples.linkActivated.connect(self._on_link)
        self.samples.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.label)
        column.addWidget(self.samples)

    def set_scope(self, doc_ids: list[str], where: str | None = None) -> None:
        """Questions go to these papers ([] = all); `where` names the library filter they
        were chosen by, when no paper is selected by hand (None: as before)."""
        self.doc_ids = list(doc_ids)
        where = self.where = self.where if where is None else where
        n = len(doc_ids)
        text = f"{n} selected paper{'s' if n != 1 else ''}" if n else "All papers"
        if where:  # none: the filter matches nothing, and asking is refused (not "all papers")
            text = f"{n} paper{'s' if n != 1 else ''} in {where}" if n else f"no paper in {where}"
        self.label.setText(f"Scope: {text}")
        # once the user has papers of their own, the samples are left out of "All papers"
        hidden = not n and bool(self.hidden_samples)
        self.samples.setVisible(hidden)
        self.samples.setText(_SAMPLES_LEFT_OUT if hidden else "")
        self.label.setToolTip(
            f"Scope: {text}\n"
            "Select papers in the library to ask only those; "
            "clear the selection to ask all of them."
        )

    def matches_nothing(self) -> bool:
        """The library's filter shows no paper: a question now is refused."""
        return bool(self.where) and not self.doc_ids

    def set_hidden_samples(self, hidden: tuple[str, ...]) -> bool:
        """The samples "All papers" leaves out; True if they changed."""
        changed, self.hidden_samples = hidden != self.hidden_samples, hidden
        return changed

    def show_named(self, name: str) -> None:
        """A question named its papers: say so until it is answered."""
        self.label.setText(f"Scope: {name}, from your question")

    def _on_link(self, link: str) -> None:
        if link == "remove-samples" and self.hidden_samples:
            self.removeSamples.emit()
