"""One extraction run as a chain of one-cell jobs on the backend's runner.

core's ``extract`` is called for one paper and one question at a time, and the next cell is
queued only when the last one is done: the runner does one job at a time, so a question
asked or a paper added meanwhile waits for one cell, not for the whole table. Each call
stores its cell, so the result is the same as one ``extract`` over the whole set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from core import CellDone, CellStarted, ExtractFinished, Question, QuestionSet
from core.types import Paper
from desktop.backend import Backend
from desktop.workers import Job


@dataclass(frozen=True)
class Progress:
    index: int  # 1-based over the cells of this run
    total: int
    paper: Paper
    question: Question
    eta_s: float | None  # None until one cell has been computed


@dataclass(frozen=True)
class Summary:
    computed: int
    reported: int
    not_reported: int
    left: int  # cells not done (cancelled or failed)
    cancelled: bool
    error: str
    seconds: float

    def text(self) -> str:
        """One line for the status bar."""
        head = "Stopped" if self.cancelled or self.error else "Finished"
        cells = f"{self.computed} cell{'s' if self.computed != 1 else ''}"
        return (
            f"{head}: {cells} answered in {duration(self.seconds)} — {self.reported} reported, "
            f"{self.not_reported} not reported"
            + (f"; {self.left} left for the next Run." if self.left else ".")
        )


class ExtractRun(QObject):
    """Compute ``todo`` (paper, question) cells of ``qset``; emits as cells start and end."""

    cellStarted = Signal(object)  # Progress
    cellDone = Signal(object)  # core's CellDone
    ended = Signal(object)  # Summary, once

    def __init__(
        self,
        *,
        backend: Backend,
        qset: QuestionSet,
        todo: list[tuple[Paper, Question]],
        use_llm: bool,
        force: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend, self.qset, self.todo = backend, qset, list(todo)
        self.use_llm, self.force = use_llm, force
        self.job: Job | None = None
        self._next = 0  # index into todo of the cell the current job computes
        self._computed = self._reported = self._done = 0
        self._cancelled = False
        self._error = ""
        self._t0 = 0.0
        self._busy_s = 0.0  # time spent computing cells (not waiting behind other jobs)
        self._cell_t0: float | None = None

    @property
    def total(self) -> int:
        return len(self.todo)

    def start(self) -> None:
        self._t0 = time.monotonic()
        self._submit()

    def cancel(self) -> None:
        """Stop after the cell being computed (a model's half-written answer is not kept)."""
        self._cancelled = True
        if self.job is not None:
            self.job.cancel()

    @property
    def running(self) -> bool:
        return self.job is not None

    # ------------------------------------------------------------ the chain
    def _submit(self) -> None:
        if self._cancelled or self._error or self._next >= len(self.todo):
            self.job = None
            self._end()
            return
        paper, question = self.todo[self._next]
        one = replace(self.qset, questions=(question,))  # same set id: same stored cells
        self.job = self._backend.extract(
            one,
            [paper.doc_id],
            use_llm=self.use_llm,
            force=self.force,
            progress=self._on_event,
            error=self._on_error,
            finished=self._on_finished,
        )

    def _on_event(self, event: object) -> None:
        if isinstance(event, CellStarted):
            self._cell_t0 = time.monotonic()
            paper, question = self.todo[self._next]
            self.cellStarted.emit(
                Progress(self._next + 1, self.total, paper, question, self._eta())
            )
        elif isinstance(event, CellDone):
            if not event.cached and self._cell_t0 is not None:
                self._busy_s += time.monotonic() - self._cell_t0
                self._computed += 1
            self._cell_t0 = None
            self._done += 1
            self._reported += event.cell.reported
            self.cellDone.emit(replace(event, index=self._next + 1, total=self.total))
        elif isinstance(event, ExtractFinished) and event.cancelled:
            self._cancelled = True

    def _on_error(self, message: str) -> None:
        self._error = message

    def _on_finished(self) -> None:
        self._next += 1
        self._submit()

    def _eta(self) -> float | None:
        if not self._computed:
            return None
        return self._busy_s / self._computed * (self.total - self._next)

    def _end(self) -> None:
        self.ended.emit(
            Summary(
                self._computed,
                self._reported,
                self._done - self._reported,
                self.total - self._done,
                self._cancelled,
                self._error,
                time.monotonic() - self._t0,
            )
        )


def duration(seconds: float) -> str:
    """ "4 s", "2 min 05 s", "1 h 10 min"."""
    s = int(round(seconds))
    if s < 60:
        return f"{max(s, 1)} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
