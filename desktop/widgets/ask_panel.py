"""Asking: the question box, the streamed answer, the evidence, stop/copy/export."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core import Library, answer_to_markdown
from core.types import Answer, AnswerDone, Evidence, Retrieved, Token
from desktop import render
from desktop.backend import Backend, Changes
from desktop.models import EvidenceModel
from desktop.quotes import snippet
from desktop.widgets import folders
from desktop.widgets.answer_view import AnswerView
from desktop.widgets.evidence import EvidenceList
from desktop.workers import Job


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
        self.answers: list[Answer] = []
        self.conversation_id: str | None = None
        self.job: Job | None = None
        self._scope: list[str] = []
        self._pending: dict = {}  # the turn being answered: question, text, status, evidence
        self._error = ""  # why the last question got no answer (HTML), until the next one
        self._ticket: object | None = None
        self._welcome = render.welcome_html(model=None, papers=0)
        # What a new question would wait behind ("the Extract run's current cell"), or None;
        # the window sets it, as only the window knows what else is running.
        self.waiting_for: Callable[[], str | None] = lambda: None
        self._redraw = QTimer(self, singleShot=True, interval=40, timeout=self._render_pending)

        self.view = AnswerView()
        self.view.citationClicked.connect(self.open_citation)
        self.view.cite_tip = self.citation_tip
        self.view.draftToggled.connect(self.toggle_draft)
        self.view.widenRequested.connect(self.widen)
        self._drafts: set[int] = set()  # turns whose draft is shown (collapsed by default)
        self.evidence_label = QLabel("Evidence")
        self.evidence_label.setObjectName("sectionLabel")
        self.evidence_list = EvidenceList(model=evidence)
        self.evidence_list.activatedEvidence.connect(self.open_evidence)
        ev_box = QWidget()
        ev_layout = QVBoxLayout(ev_box)
        ev_layout.setContentsMargins(0, 6, 0, 0)
        ev_layout.setSpacing(4)
        ev_layout.addWidget(self.evidence_label)
        ev_layout.addWidget(self.evidence_list)

        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.view)
        self.split.addWidget(ev_box)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)

        self.question = QPlainTextEdit()
        self.question.setObjectName("question")
        self.question.setPlaceholderText("Ask a question about your papers…   (Ctrl+Enter)")
        self.question.setTabChangesFocus(True)
        self.question.setFixedHeight(self.question.fontMetrics().lineSpacing() * 3 + 22)
        # The scope wraps (never clipped) beside the buttons, however narrow the pane.
        self.scope_label = QLabel()
        self.scope_label.setObjectName("scopeLabel")
        self.scope_label.setTextFormat(Qt.TextFormat.PlainText)
        self.scope_label.setWordWrap(True)
        self.samples_label = QLabel()  # "Remove the samples", once the user has papers
        self.samples_label.setTextFormat(Qt.TextFormat.RichText)
        self.samples_label.setWordWrap(True)
        self.samples_label.linkActivated.connect(self._on_scope_link)
        self.samples_label.hide()
        self._hidden_samples: tuple[str, ...] = ()
        backend.snapshot.connect(self._on_snapshot)
        self.ask_btn = QPushButton("Ask")
        self.ask_btn.setDefault(True)
        self.ask_btn.setObjectName("primary")
        self.ask_btn.setToolTip("Ask (Ctrl+Enter)")
        self.stop_btn = QPushButton("Stop")
        self.stop_btn.setToolTip("Stop generating; keep what was written so far")
        self.stop_btn.hide()
        self.copy_btn = QPushButton("Copy")
        self.copy_btn.setToolTip("Copy the last answer with its sources as Markdown")
        self.export_btn = QPushButton("Export…")
        self.export_btn.setToolTip("Save this conversation as a Markdown file")
        self.ask_btn.clicked.connect(lambda: self.ask())
        self.stop_btn.clicked.connect(self.stop)
        self.copy_btn.clicked.connect(self.copy_answer)
        self.export_btn.clicked.connect(self.exportRequested)
        self.question.installEventFilter(self)  # Ctrl+Enter asks

        scope = QVBoxLayout()
        scope.setSpacing(0)
        scope.addWidget(self.scope_label)
        scope.addWidget(self.samples_label)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addLayout(scope, 1)
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
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.ask()
            return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------ state shown
    def set_scope(self, doc_ids: list[str], where: str | None = None) -> None:
        """Questions go to these papers ([] = all); `where` names the library filter they
        were chosen by ("Ecology/Birds"), when no paper is selected by hand (None: as before)."""
        self._scope = list(doc_ids)
        where = self._where = getattr(self, "_where", "") if where is None else where
        n = len(doc_ids)
        text = f"{n} selected paper{'s' if n != 1 else ''}" if n else "All papers"
        if where:  # none: the filter matches nothing, and asking is refused (not "all papers")
            text = f"{n} paper{'s' if n != 1 else ''} in {where}" if n else f"no paper in {where}"
        self.scope_label.setText(f"Scope: {text}")
        # once the user has papers of their own, the samples are left out of "All papers"
        hidden = not n and bool(self._hidden_samples)
        self.samples_label.setVisible(hidden)
        self.samples_label.setText(
            "<span style='color:#6e7781'>(the sample papers are left out ·</span> "
            "<a href='remove-samples'>Remove the samples</a><span style='color:#6e7781'>)</span>"
            if hidden else ""
        )
        self.scope_label.setToolTip(
            f"Scope: {text}\n"
            "Select papers in the library to ask only those; "
            "clear the selection to ask all of them."
        )

    def set_welcome(self, *, model: str | None, papers: int, adding: bool = False) -> None:
        """The empty answer area's text; while papers are being added to an empty library it
        says so, instead of "Your library is empty"."""
        if adding and not papers:
            self._welcome = (
                "<h2>Ask your papers</h2><p class='hint'>Adding papers to your library… "
                "The bar at the bottom of the window shows each file as it is read; you can "
                "ask as soon as the first one is in.</p>"
            )
        else:
            self._welcome = render.welcome_html(model=model, papers=papers)
        if self._empty():
            self.view.show_html(self._welcome)

    def _on_snapshot(self, snap: object) -> None:
        if getattr(snap, "papers", None) is None:  # only the history was re-read
            return
        hidden = tuple(getattr(snap, "hidden_samples", ()))
        if hidden != self._hidden_samples:
            self._hidden_samples = hidden
            if not self.busy():
                self.set_scope(self._scope)

    def _on_scope_link(self, link: str) -> None:
        if link == "remove-samples" and self._hidden_samples:
            self._backend.op(
                "remove",
                lambda lib, cancel: lib.remove_samples(),
                changes=Changes.PAPERS,
                interleave=False,
            )

    def _empty(self) -> bool:
        return not self.answers and not self._pending and not self._error

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
        if self._where and not self._scope:  # the library's filter shows no paper
            return None
        if self.conversation_id is None:
            self.conversation_id = Library.new_conversation_id()
            self.conversationStarted.emit(self.conversation_id)
        behind = self.waiting_for()
        self._pending = {
            "question": question,
            "text": "",
            "status": f"Waiting for {behind} to finish; your question is next…"
            if behind
            else "Searching your papers…",
            "evidence": (),
        }
        self._error = ""
        self._evidence.replace([])
        self.evidence_label.setText("Evidence")
        # Events of a job this panel has let go of (New conversation while answering) are
        # dropped: each callback carries the ticket of the job it belongs to.
        self._ticket = ticket = object()
        scope, conversation_id = list(self._scope) or None, self.conversation_id
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
            progress=lambda ev: self._ticket is ticket and self._on_event(ev),
            error=lambda msg: self._ticket is ticket and self._on_error(msg),
            finished=lambda: self._ticket is ticket and self._on_finished(),
        )
        self.question.clear()
        self._render_pending()
        self._refresh()
        return self.job

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._pending["status"] = "Stopping…"
            self._render_pending()

    def _on_event(self, event: object) -> None:
        if isinstance(event, Retrieved):
            self._pending["evidence"] = event.evidence
            if event.auto_scope:
                self.scope_label.setText(f"Scope: {event.auto_scope}, from your question")
            self._evidence.replace(list(event.evidence))
            self._label_evidence(len(event.evidence), abstained=False)
            model = self._backend.model_name or "the model"
            self._pending["status"] = (
                f"Reading {len(event.evidence)} passages with {model}…"
                if event.evidence
                else "No matching passages."
            )
        elif isinstance(event, Token):
            self._pending["text"] += event.text
            self._pending["status"] = (
                "Writing a draft; it is checked against the papers before it is shown…"
                if not self.job or not self.job.cancelled else "Stopping…"
            )
        elif isinstance(event, AnswerDone):
            self._finish(event.answer)
            return
        if not self._redraw.isActive():
            self._redraw.start()

    def _finish(self, answer: Answer) -> None:
        self._pending = {}
        self.set_scope(self._scope)  # the scope a question named was for that question only
        self.answers.append(answer)
        self._evidence.replace(list(answer.evidence))
        self._label_evidence(len(answer.evidence), abstained=answer.abstained)
        self.view.show_html(self._transcript(), follow=True)
        self.answered.emit(answer)

    def _on_error(self, message: str) -> None:
        """Show why there is no answer (no model, out of memory, ...) where it would be."""
        question = self._pending.get("question", "")
        self._pending = {}
        self._error = (
            f'<p class="q">{html.escape(question)}</p><table width="100%" cellpadding="10" '
            'style="background-color:#fdecea; border:1px solid #f5c2c0;"><tr><td>'
            f"<b>Could not answer.</b> {html.escape(message)}</td></tr></table>"
        )
        sep = "<hr>" if self.answers else ""
        self.view.show_html(self._transcript() + sep + self._error, follow=True)

    def _on_finished(self) -> None:
        self.job, self._ticket = None, None
        if self._pending:  # cancelled before any AnswerDone (e.g. during retrieval)
            self._pending = {}
            self.view.show_html(
                self._transcript() if self.answers else self._welcome
            )
        self._refresh()

    def _render_pending(self) -> None:
        if not self._pending:
            return
        p = self._pending
        pending = render.pending_html(p["question"], p["text"], len(self.answers), p["status"])
        self.view.show_html(self._transcript(pending), follow=True)

    def _transcript(self, pending: str = "") -> str:
        return render.transcript_html(self.answers, pending, drafts=self._drafts)

    def toggle_draft(self, turn: int) -> None:
        """Show or hide the model's draft of one turn (hidden by default)."""
        self._drafts.symmetric_difference_update({turn})
        if not self._pending:
            self.view.show_html(self._transcript())

    def widen(self, turn: int) -> None:
        """Ask a turn's question again of every paper (its scope came from the question)."""
        if 0 <= turn < len(self.answers) and not self.busy():
            self.ask(self.answers[turn].question, auto_scope=False)

    def _label_evidence(self, n: int, *, abstained: bool) -> None:
        if abstained:
            self.evidence_label.setText(
                f"Closest passages ({n}) — none of them answers the question"
            )
        else:
            self.evidence_label.setText(f"Evidence · {n} passage{'s' if n != 1 else ''}")

    # ------------------------------------------------------------ sources
    def open_citation(self, turn: int, n: int) -> None:
        """Open citation [n] of a turn; while streaming, [n] is the n-th passage."""
        if 0 <= turn < len(self.answers):
            answer = self.answers[turn]
            for c in answer.citations:
                if c.n == n:
                    self._evidence.replace(list(answer.evidence))
                    self.openSource.emit(c.pdf_path, c.page, c.quote, c.title)
                    return
            evidence = answer.evidence
        else:
            evidence = self._pending.get("evidence", ())
        if 1 <= n <= len(evidence):
            self.open_evidence(evidence[n - 1])

    def citation_tip(self, turn: int, n: int) -> str | None:
        """Citation [n]'s tooltip: the paper, page and quoted words (rich text, so it wraps)."""
        where: tuple[str, int, str] | None = None
        if 0 <= turn < len(self.answers):
            answer = self.answers[turn]
            cited = next((c for c in answer.citations if c.n == n), None)
            if cited is not None:
                where = (cited.title, cited.page, cited.quote)
            evidence = answer.evidence
        else:
            evidence = self._pending.get("evidence", ())
        if where is None and 1 <= n <= len(evidence):
            e = evidence[n - 1]
            where = (e.title, e.page, e.text)
        if where is None:
            return None
        title, page, quote = where
        return (
            f"<p><b>{html.escape(title)}</b>, p. {page}</p>"
            f"<p><i>“{html.escape(snippet(quote, 400))}”</i></p>"
            "<p style='color:#57606a'>Click to open the page with these words highlighted</p>"
        )

    def open_evidence(self, e: Evidence) -> None:
        self.openSource.emit(e.pdf_path, e.page, e.text, e.title)

    # ------------------------------------------------------------ history
    def new_conversation(self) -> None:
        if self.job is not None:  # let it finish in the background, into the old conversation
            self.job.cancel()
        self.job, self._ticket, self._error = None, None, ""
        self.answers, self.conversation_id, self._pending = [], None, {}
        self._drafts.clear()
        self._evidence.replace([])
        self._refresh()
        self.question.setFocus()

    def show_conversation(self, conversation_id: str, answers: list[Answer]) -> None:
        if self.busy():
            return
        self.conversation_id, self.answers, self._pending = conversation_id, list(answers), {}
        self._drafts.clear()
        self._error = ""
        last = answers[-1] if answers else None
        self._evidence.replace(list(last.evidence) if last else [])
        if last:
            self._label_evidence(len(last.evidence), abstained=last.abstained)
        self._refresh()
        if answers:
            self.view.show_html(self._transcript(), follow=True)

    # ------------------------------------------------------------ copy / export
    def copy_answer(self) -> None:
        if self.answers:
            QGuiApplication.clipboard().setText(answer_to_markdown(self.answers[-1]))

    def markdown(self) -> str:
        return "\n\n---\n\n".join(answer_to_markdown(a) for a in self.answers)

    def export_markdown(self, path: Path | None = None) -> Path | None:
        """Write the conversation as Markdown (asking where, unless ``path`` is given)."""
        if not self.answers:
            return None
        if path is None:
            slug = (
                re.sub(r"[^A-Za-z0-9]+", "-", self.answers[0].question).strip("-")[:50] or "answer"
            )
            chosen, _ = folders.save_file(
                self, "Export answer as Markdown", f"{slug}.md", "Markdown (*.md)"
            )
            if not chosen:
                return None
            path = Path(chosen)
        try:
            path.write_text(self.markdown() + "\n", encoding="utf-8")
        except OSError as exc:
            QMessageBox.warning(
                self, "Export failed", f"Could not write {path}: {exc.strerror or exc}"
            )
            return None
        return path
