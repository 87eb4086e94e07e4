"""Asking: the question box, the streamed answer, the evidence, stop/copy/export. The
conversation itself is a plain object (desktop.transcript.Transcript); this panel renders it
and turns the user's actions into calls on it and on the backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core import Library
from core.types import Answer, Evidence, Retrieved
from desktop import render
from desktop.backend import Backend, Changes, Snapshot
from desktop.models import EvidenceModel
from desktop.transcript import Transcript
from desktop.widgets import folders
from desktop.widgets.answer_view import AnswerView
from desktop.widgets.buttons import push_button
from desktop.widgets.evidence import EvidenceList
from desktop.widgets.scope_line import ScopeLine
from desktop.workers import Job, single_shot, while_current


class AskPanel(QWidget):
    """One conversation at a time; every Library call goes through ``backend``."""

    openSource = Signal(object, int, str, str)  # (pdf path, page, quote, title)
    answered = Signal(object)  # Answer
    conversationStarted = Signal(str)
    exportRequested = Signal()  # the Export… button: the window exports with provenance

    def __init__(self, *, backend: Backend, evidence: EvidenceModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._backend = backend
        self._evidence = evidence
        self.transcript = Transcript()
        self.job: Job | None = None
        self._ticket: object | None = None
        self._welcome = render.welcome_html(model=None, papers=0)
        # What a new question would wait behind ("the Extract run's current cell"), or None;
        # the window sets it, as only the window knows what else is running.
        self.waiting_for: Callable[[], str | None] = lambda: None
        self._redraw = single_shot(self, 40, self._render_pending)

        self.view = AnswerView()
        self.view.citationClicked.connect(self.open_citation)
        self.view.cite_tip = self.citation_tip
        self.view.draftToggled.connect(self.toggle_draft)
        self.view.widenRequested.connect(self.widen)
        self.evidence_label = QLabel("Evidence")
        self.evidence_label.setObjectName("sectionLabel")
        self.evidence_list = EvidenceList(model=evidence)
        self.evidence_list.activatedEvidence.connect(self.open_evidence)

        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.view)
        self.split.addWidget(_stacked(self.evidence_label, self.evidence_list))
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)

        self.question = QPlainTextEdit()
        self.question.setObjectName("question")
        self.question.setPlaceholderText("Ask a question about your papers…   (Ctrl+Enter)")
        self.question.setTabChangesFocus(True)
        self.question.setFixedHeight(self.question.fontMetrics().lineSpacing() * 3 + 22)
        self.scope_line = ScopeLine()
        self.scope_label, self.samples_label = self.scope_line.label, self.scope_line.samples
        self.scope_line.removeSamples.connect(self._remove_samples)
        backend.snapshot.connect(self._on_snapshot)
        self.ask_btn = push_button("Ask", "Ask (Ctrl+Enter)", lambda: self.ask())
        self.ask_btn.setDefault(True)
        self.ask_btn.setObjectName("primary")
        self.stop_btn = push_button("Stop", "Stop generating; keep what was written so far", self.stop)
        self.stop_btn.hide()
        self.copy_btn = push_button(
            "Copy", "Copy the last answer with its sources as Markdown", self.copy_answer)
        self.export_btn = push_button(
            "Export…", "Save this conversation as a Markdown file", self.exportRequested.emit)
        self.question.installEventFilter(self)  # Ctrl+Enter asks

        scope = QVBoxLayout()
        scope.setSpacing(0)
        scope.addWidget(self.scope_label)
        scope.addWidget(self.samples_label)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.scope_line, 1)
        for b in (self.copy_btn, self.export_btn, self.stop_btn, self.ask_btn):
            row.addWidget(b)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.split, 1)
        layout.addWidget(self.question)
        layout.addLayout(row)
        self.set_scope([])
        self._refresh()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            obj is self.question
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.ask()
            return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------ state shown
    def set_scope(self, doc_ids: list[str], where: str | None = None) -> None:
        """Questions go to these papers ([] = all); see ScopeLine.set_scope."""
        self.scope_line.set_scope(doc_ids, where)

    def set_welcome(self, *, model: str | None, papers: int, adding: bool = False) -> None:
        """The empty answer area's text; while papers are being added to an empty library it
        says so, instead of "Your library is empty"."""
        self._welcome = render.welcome_html(model=model, papers=papers, adding=adding)
        if self._empty():
            self.view.show_html(self._welcome)

    @property
    def answers(self) -> list[Answer]:
        return self.transcript.answers

    @property
    def conversation_id(self) -> str | None:
        return self.transcript.conversation_id

    @property
    def _scope(self) -> list[str]:
        return self.scope_line.doc_ids

    def _on_snapshot(self, snap: Snapshot) -> None:
        if snap.papers is None:  # only the history was re-read
            return
        if self.scope_line.set_hidden_samples(tuple(snap.hidden_samples)) and not self.busy():
            self.set_scope(self._scope)

    def _remove_samples(self) -> None:
        self._backend.op("remove", lambda lib, cancel: lib.remove_samples(),
                         changes=Changes.PAPERS, interleave=False)

    def _empty(self) -> bool:
        return self.transcript.empty()

    def busy(self) -> bool:
        return self.job is not None

    def _refresh(self) -> None:
        asking = self.busy()
        self.ask_btn.setVisible(not asking)
        self.stop_btn.setVisible(asking)
        self.copy_btn.setEnabled(bool(self.answers) and not asking)
        self.export_btn.setEnabled(bool(self.answers) and not asking)
        if self._empty():
            self.view.show_html(self._welcome)
            self.evidence_label.setText("Evidence")

    # ------------------------------------------------------------ asking
    def ask(self, question: str | None = None, *, auto_scope: bool = True) -> Job | None:
        """Ask a question (the typed one by default). ``auto_scope``: a question that names a
        paper is asked of that paper only, unless papers are selected."""
        question = (question if question is not None else self.question.toPlainText()).strip()
        if not question or self.busy():
            return None
        if self.scope_line.matches_nothing():
            return None
        t = self.transcript
        if t.conversation_id is None:
            t.conversation_id = Library.new_conversation_id()
            self.conversationStarted.emit(t.conversation_id)
        t.start(question, waiting_for=self.waiting_for())
        self._evidence.replace([])
        self.evidence_label.setText("Evidence")
        # Events of a job this panel has let go of (New conversation while answering) are
        # dropped: each callback carries the ticket of the job it belongs to.
        self._ticket = ticket = object()
        scope, conversation_id = list(self._scope) or None, t.conversation_id
        self.job = self._backend.op(
            "ask",
            lambda lib, cancel: lib.ask(
                question,
                papers=scope,
                auto_scope=auto_scope,
                cancel=cancel,
                conversation_id=conversation_id,
            ),
            changes=Changes.CONVERSATIONS,  # the history gains the new turn
            progress=while_current(lambda: self._ticket is ticket, self._on_event),
            error=while_current(lambda: self._ticket is ticket, self._on_error),
            finished=while_current(lambda: self._ticket is ticket, self._on_finished),
        )
        self.question.clear()
        self._render_pending()
        self._refresh()
        return self.job

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.transcript.stopping()
            self._render_pending()

    def _on_event(self, event: object) -> None:
        stopping = self.job is not None and self.job.cancelled
        answer = self.transcript.on_event(
            event, model=self._backend.model_name or "the model", stopping=stopping)
        if answer is not None:
            self._finish(answer)
            return
        if isinstance(event, Retrieved):
            if event.auto_scope:
                self.scope_line.show_named(event.auto_scope)
            self._evidence.replace(list(event.evidence))
            self._label_evidence(len(event.evidence), abstained=False)
        if not self._redraw.isActive():
            self._redraw.start()

    def _finish(self, answer: Answer) -> None:
        self.set_scope(self._scope)  # the scope a question named was for that question only
        self._evidence.replace(list(answer.evidence))
        self._label_evidence(len(answer.evidence), abstained=answer.abstained)
        self.view.show_html(self._transcript(), follow=True)
        self.answered.emit(answer)

    def _on_error(self, message: str) -> None:
        """Show why there is no answer (no model, out of memory, ...) where it would be."""
        self.transcript.fail(message)
        question, _ = self.transcript.error or ("", "")
        sep = "<hr>" if self.answers else ""
        self.view.show_html(self._transcript() + sep + render.error_html(question, message),
                            follow=True)

    def _on_finished(self) -> None:
        self.job, self._ticket = None, None
        if self.transcript.ended():  # cancelled before any AnswerDone (e.g. during retrieval)
            self.view.show_html(self._transcript() if self.answers else self._welcome)
        self._refresh()

    def _render_pending(self) -> None:
        p = self.transcript.pending
        if p is None:
            return
        pending = render.pending_html(p.question, p.text, len(self.answers), p.status)
        self.view.show_html(self._transcript(pending), follow=True)

    def _transcript(self, pending: str = "") -> str:
        return render.transcript_html(self.answers, pending, drafts=self.transcript.drafts)

    def toggle_draft(self, turn: int) -> None:
        """Show or hide the model's draft of one turn (hidden by default)."""
        self.transcript.toggle_draft(turn)
        if self.transcript.pending is None:
            self.view.show_html(self._transcript())

    def widen(self, turn: int) -> None:
        """Ask a turn's question again of every paper (its scope came from the question)."""
        if 0 <= turn < len(self.answers) and not self.busy():
            self.ask(self.answers[turn].question, auto_scope=False)

    def _label_evidence(self, n: int, *, abstained: bool) -> None:
        self.evidence_label.setText(render.evidence_title(n, abstained=abstained))

    # ------------------------------------------------------------ sources
    def open_citation(self, turn: int, n: int, k: int = -1) -> None:
        """Open citation [n] of a turn (its k-th citation, where passage n gives several
        quotes); while streaming, [n] is the n-th passage."""
        source = self.transcript.citation(turn, n, k)
        if source is None:
            return
        if 0 <= turn < len(self.answers) and any(c.n == n for c in self.answers[turn].citations):
            self._evidence.replace(list(self.answers[turn].evidence))
        self.openSource.emit(source.pdf_path, source.page, source.quote, source.title)

    def citation_tip(self, turn: int, n: int, k: int = -1) -> str | None:
        """Citation [n]'s tooltip: the paper, page and quoted words (rich text, so it wraps)."""
        source = self.transcript.citation(turn, n, k)
        if source is None:
            return None
        return render.citation_tip_html(source.title, source.pages, source.quote)

    def open_evidence(self, e: Evidence) -> None:
        self.openSource.emit(e.pdf_path, e.page, e.text, e.title)

    # ------------------------------------------------------------ history
    def new_conversation(self) -> None:
        if self.job is not None:  # let it finish in the background, into the old conversation
            self.job.cancel()
        self.job, self._ticket = None, None
        self.transcript.clear()
        self._evidence.replace([])
        self._refresh()
        self.question.setFocus()

    def show_conversation(self, conversation_id: str, answers: list[Answer]) -> None:
        if self.busy():
            return
        self.transcript.load(conversation_id, answers)
        last = answers[-1] if answers else None
        self._evidence.replace(list(last.evidence) if last else [])
        if last:
            self._label_evidence(len(last.evidence), abstained=last.abstained)
        self._refresh()
        if answers:
            self.view.show_html(self._transcript(), follow=True)

    # ------------------------------------------------------------ copy / export
    def copy_answer(self) -> None:
        if (text := self.transcript.last_markdown()) is not None:
            QGuiApplication.clipboard().setText(text)

    def markdown(self) -> str:
        return self.transcript.markdown()

    def export_markdown(self, path: Path | None = None) -> Path | None:
        """Write the conversation as Markdown (asking where, unless ``path`` is given)."""
        return _export(self, self.transcript, path) if self.answers else None


def _export(parent: QWidget, transcript: Transcript, path: Path | None) -> Path | None:
    """The conversation as a Markdown file, where the user picks (unless `path` is given)."""
    if path is None:
        chosen, _ = folders.save_file(
            parent, "Export answer as Markdown", transcript.file_name(), "Markdown (*.md)")
        if not chosen:
            return None
        path = Path(chosen)
    try:
        path.write_text(transcript.markdown() + "\n", encoding="utf-8")
    except OSError as exc:
        QMessageBox.warning(parent, "Export failed", f"Could not write {path}: {exc.strerror or exc}")
        return None
    return path


def _stacked(label: QLabel, below: QWidget) -> QWidget:
    """A section label with its widget under it."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 6, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(label)
    layout.addWidget(below)
    return box
