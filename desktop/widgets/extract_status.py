"""The Extract view's status line: a summary of the table ("3 papers × 4 questions · 9 of 12
cells answered"), or, while a run goes on, its progress with a bar."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget

from core import CellStarted, QuestionSet, Row
from desktop.extract_run import duration
from desktop.quotes import snippet
from desktop.widgets.elided import ElidedLabel


def summary_text(qset: QuestionSet | None, rows: int, counts: tuple[int, int, int]) -> str:
    """The table in one line; `counts` is (cells, answered, not reported)."""
    if qset is None:
        return "Open a question set to begin."
    if not rows:
        return f"{qset.title}: no papers to extract from yet — add some PDFs."
    total, stored, missing = counts
    n = len(qset.questions)
    parts = [
        f"{rows} paper{'s' if rows != 1 else ''} × {n} question{'s' if n != 1 else ''}",
        f"{stored} of {total} cells answered" if stored < total else "all cells answered",
    ]
    if missing:
        parts.append(f"{missing} not reported")
    return " · ".join(parts)


class ExtractStatus(QWidget):
    """The summary, or the progress row in its place while a run goes on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = ""  # the progress line in full (the label may cut it short)
        self.summary = QLabel()  # wraps beside Recompute and Run rather than being cut
        self.summary.setObjectName("dim")
        self.summary.setWordWrap(True)
        self.progress_label = ElidedLabel()  # a long title must not widen the window
        self.progress_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.bar.setFixedWidth(90)
        self.progress_row = QWidget()
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress_label, 1)
        row.addWidget(self.bar)
        self.progress_row.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.progress_row, 1)

    def set_running(self, running: bool) -> None:
        self.progress_row.setVisible(running)
        self.summary.setVisible(not running)

    def show_progress(self, text: str, tip: str | None = None) -> None:
        self.text = text
        self.progress_label.set_full_text(text)
        if tip is not None:
            self.progress_label.setToolTip(tip)

    def show_started(self, ev: CellStarted, rows: Sequence[Row], qset: QuestionSet | None) -> None:
        """A cell is being computed: which, of how many, and about how long the rest takes."""
        eta = f" · about {duration(ev.eta_s)} left" if ev.eta_s is not None else ""
        paper = next((r.paper for r in rows if r.paper.doc_id == ev.doc_id), None)
        title = ev.title or (paper.path.name if paper else ev.doc_id)
        questions = qset.questions if qset else ()
        question = next((q.question for q in questions if q.id == ev.question_id), "")
        self.show_progress(
            f"Cell {ev.index} of {ev.total} — {snippet(title, 36)} — {ev.label}{eta}",
            tip=f"{title}\n{question}")

    def step(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
