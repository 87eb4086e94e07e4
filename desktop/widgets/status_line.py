"""The window's status bar: what the chat model is doing, where answers are computed (on this
computer, or a model server), the library's counts, and a compaction under way."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from desktop.backend import Backend, ModelState
from desktop.render import plain_rich
from desktop.widgets.compaction import CompactionStatus


def _restyle(label: QWidget) -> None:
    """Apply the style sheet again after an object name changed."""
    label.style().unpolish(label)
    label.style().polish(label)


class StatusLine:
    """The status bar's permanent labels, kept up to date from the backend's reports."""

    def __init__(self, bar: QStatusBar, backend: Backend) -> None:
        self.bar, self.backend = bar, backend
        self.model_label = QLabel("Model: …")
        self.model_state, self.model_text = ModelState.IDLE, ""
        self.library_label = QLabel("")
        self.offline_label = QLabel("")
        self.compaction = CompactionStatus(backend)
        self.show_where_answers_come_from()
        bar.setSizeGripEnabled(False)
        for w in (self.compaction, self.model_label, self.library_label, self.offline_label):
            bar.addPermanentWidget(w)

    def show_model(self, state: ModelState, text: str) -> None:
        """The chat model is loading, ready (`text` its name), failed (`text` why), or idle."""
        self.model_state, self.model_text = state, text
        self.show_where_answers_come_from()
        label = self.model_label
        label.setObjectName("modelError" if state is ModelState.ERROR else "")
        _restyle(label)
        if state is ModelState.ERROR:
            label.setText("Model: not loaded")
            label.setToolTip(plain_rich(text))
            self.bar.showMessage(f"Model problem: {text}", 15000)
            return
        label.setToolTip("Change it in Settings (Ctrl+,) or drop a .gguf file on the window")
        if state is ModelState.LOADING:
            label.setText(f"Model: {text} (loading…)" if text else "Model: loading…")
        else:
            label.setText(f"Model: {text}" if text else "Model: none — add a .gguf")

    def show_library_model(self, name: str | None) -> None:
        """The library's model name (read without loading it), until a load says more."""
        if self.model_state in (ModelState.IDLE, ModelState.LOADING) and not self.model_text:
            self.show_model(self.model_state, name or "")

    def show_counts(self, papers: int, pages: int) -> None:
        self.library_label.setText(f"{papers} paper{'s' if papers != 1 else ''} · {pages} pages")

    def show_where_answers_come_from(self) -> None:
        remote = self.backend.settings.remote
        label = self.offline_label
        if remote.enabled:
            label.setText("● Model server")
            label.setObjectName("")
            label.setToolTip(
                f"Answers are computed by the model server at {remote.url}: each question and "
                "the passages found for it are sent there. Papers, the index and the citation "
                "check stay on this computer. Switch back to the built-in model in Settings."
            )
        else:
            label.setText("● Offline")
            label.setObjectName("offline")
            label.setToolTip(
                "Lantern works entirely on this computer: "
                "papers, index, models and answers never leave it."
            )
        _restyle(label)
