"""The conversation the Ask panel shows, as a plain object: its turns, the turn being answered,
why the last question got no answer, the drafts shown, and its Markdown export. No widgets, so it is
tested without a window; AskPanel renders it and turns the user's actions into calls on it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from core import answer_to_markdown
from core.types import Answer, AnswerDone, Evidence, Retrieved, Token, page_label

SEARCHING = "Searching your papers…"
STOPPING = "Stopping…"
WRITING = "Writing a draft; it is checked against the papers before it is shown…"


@dataclass
class PendingTurn:
    """The question being answered: the draft streamed so far and what is happening now."""

    question: str
    status: str = SEARCHING
    text: str = ""
    evidence: tuple[Evidence, ...] = ()
    auto_scope: str = ""  # the papers the question named ("RoBERTa"), if it named any


@dataclass(frozen=True)
class Source:
    """Where a citation or a passage points: the words to show on a page of a paper."""

    pdf_path: Path
    page: int
    quote: str
    title: str
    page_end: int | None = None  # a quote that runs onto the next page ends there

    @property
    def pages(self) -> str:
        """"p. 5", or "pp. 5–6" for a quote that runs onto the next page."""
        return page_label(self.page, self.page_end)


@dataclass
class Transcript:
    """One conversation: answered turns in order, at most one pending turn."""

    conversation_id: str | None = None
    answers: list[Answer] = field(default_factory=list)
    pending: PendingTurn | None = None
    error: tuple[str, str] | None = None  # (question, why it got no answer), until the next
    drafts: set[int] = field(default_factory=set)  # turns whose draft is shown

    def empty(self) -> bool:
        return not self.answers and self.pending is None and self.error is None

    # ------------------------------------------------------------ a question's life
    def start(self, question: str, *, waiting_for: str | None = None) -> PendingTurn:
        """A question is asked; `waiting_for` names the job it queues behind, if any."""
        status = f"Waiting for {waiting_for} to finish; your question is next…" if waiting_for \
            else SEARCHING
        self.pending, self.error = PendingTurn(question, status), None
        return self.pending

    def on_event(self, event: object, *, model: str, stopping: bool) -> Answer | None:
        """Take one of Library.ask's events into the pending turn; the answer when done."""
        p = self.pending
        if p is None:
            return None
        if isinstance(event, Retrieved):
            p.evidence, p.auto_scope = tuple(event.evidence), event.auto_scope or ""
            p.status = (f"Reading {len(event.evidence)} passages with {model}…"
                        if event.evidence else "No matching passages.")
        elif isinstance(event, Token):
            p.text += event.text
            p.status = STOPPING if stopping else WRITING
        elif isinstance(event, AnswerDone):
            self.pending = None
            self.answers.append(event.answer)
            return event.answer
        return None

    def stopping(self) -> None:
        if self.pending is not None:
            self.pending.status = STOPPING

    def fail(self, message: str) -> None:
        """The question got no answer (no model, out of memory, ...): say why in its place."""
        question = self.pending.question if self.pending else ""
        self.pending, self.error = None, (question, message)

    def ended(self) -> bool:
        """The job ended; True if it ended without an answer (cancelled before AnswerDone)."""
        cut = self.pending is not None
        self.pending = None
        return cut

    # ------------------------------------------------------------ which conversation
    def clear(self) -> None:
        """A new conversation: nothing asked yet."""
        self.load(None, [])

    def load(self, conversation_id: str | None, answers: list[Answer]) -> None:
        self.conversation_id, self.answers = conversation_id, list(answers)
        self.pending, self.error = None, None
        self.drafts.clear()

    def toggle_draft(self, turn: int) -> None:
        self.drafts.symmetric_difference_update({turn})

    # ------------------------------------------------------------ sources
    def evidence_of(self, turn: int) -> tuple[Evidence, ...]:
        """A turn's passages; a turn past the answered ones is the pending one."""
        if 0 <= turn < len(self.answers):
            return tuple(self.answers[turn].evidence)
        return self.pending.evidence if self.pending else ()

    def citation(self, turn: int, n: int, k: int = -1) -> Source | None:
        """What [n] of a turn points to: its citation (the answer's k-th, where passage n gives
        several quotes), else (while streaming) the n-th passage."""
        if 0 <= turn < len(self.answers):
            cited = self.answers[turn].citations
            if 0 <= k < len(cited) and cited[k].n == n:
                c = cited[k]
                return Source(c.pdf_path, c.page, c.quote, c.title, c.page_end)
            for c in cited:
                if c.n == n:
                    return Source(c.pdf_path, c.page, c.quote, c.title, c.page_end)
        evidence = self.evidence_of(turn)
        if 1 <= n <= len(evidence):
            e = evidence[n - 1]
            return Source(e.pdf_path, e.page, e.text, e.title)
        return None

    # ------------------------------------------------------------ export
    def last_markdown(self) -> str | None:
        return answer_to_markdown(self.answers[-1]) if self.answers else None

    def markdown(self) -> str:
        return "\n\n---\n\n".join(answer_to_markdown(a) for a in self.answers)

    def file_name(self) -> str:
        """A file name for the export, from the first question."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.answers[0].question).strip("-")[:50]
        return f"{slug or 'answer'}.md"
