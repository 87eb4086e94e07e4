"""One extraction run: core's ``Library.extract`` as one operation, its events as signals.

core plans the cells, skips the stored ones, stores each answer as it is made and
estimates the time left (``CellStarted.eta_s``). The operation is ``pausable``: a question
asked or a history read meanwhile runs between two cells (desktop/workers.py), so it waits
for one cell, not for the whole table. The worker starts a cell only once the window has
shown the one before, so Stop stops after the cell the user saw being answered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from core import CellDone, CellStarted, ExtractFinished, QuestionSet
from desktop.backend import Backend, Changes
from desktop.workers import Job


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
    """Answer ``qset`` for ``papers`` (None: all); emits core's events as cells start and end."""

    cellStarted = Signal(object)  # core's CellStarted (index and total over all the cells)
    cellDone = Signal(object)  # core's CellDone (cached: stored before, not computed again)
    ended = Signal(object)  # Summary, once

    def __init__(
        self,
        *,
        backend: Backend,
        qset: QuestionSet,
        papers: Sequence[str] | None,
        use_llm: bool,
        force: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend, self.qset = backend, qset
        self.papers = list(papers) if papers is not None else None
        self.use_llm, self.force = use_llm, force
        self.job: Job | None = None
        self._total = self._done = self._computed = self._reported = 0
        self._cancelled = False
        self._error = ""
        self._t0 = 0.0
        self._shown = threading.Event()  # the GUI thread has handled the last CellDone

    def start(self) -> None:
        self._t0 = time.monotonic()
        qset, papers, use_llm, force = self.qset, self.papers, self.use_llm, self.force
        self.job = self._backend.op(
            "extract",
            lambda lib, cancel: self._paced(
                lib.extract(qset, papers, use_llm=use_llm, force=force, cancel=cancel), cancel
            ),
            changes=Changes.CELLS,
            pausable=True,
            progress=self._on_event,
            error=self._on_error,
            finished=self._end,
        )

    def cancel(self) -> None:
        """Stop after the cell being computed (a model's half-written answer is not kept)."""
        self._cancelled = True
        if self.job is not None:
            self.job.cancel()

    @property
    def running(self) -> bool:
        return self.job is not None

    def _paced(self, events: Iterator[object], cancel: threading.Event) -> Iterator[object]:
        """(Worker thread) After a computed cell, wait until the window has shown it before
        core starts the next: a Stop pressed then is seen before another cell begins."""
        for event in events:
            self._shown.clear()
            yield event
            if isinstance(event, CellDone) and not event.cached:
                while not self._shown.wait(0.05) and not cancel.is_set():
                    pass  # cancel: a shutdown mutes the callbacks, so nothing would set it

    def _on_event(self, event: object) -> None:
        if isinstance(event, CellStarted):
            self._total = event.total
            self.cellStarted.emit(event)
        elif isinstance(event, CellDone):
            self._total = event.total
            self._done += 1
            if not event.cached:
                self._computed += 1
                self._reported += event.cell.reported
            try:
                self.cellDone.emit(event)
            finally:
                self._shown.set()
        elif isinstance(event, ExtractFinished) and event.cancelled:
            self._cancelled = True

    def _on_error(self, message: str) -> None:
        self._error = message

    def _end(self) -> None:
        self.job = None
        self.ended.emit(
            Summary(
                computed=self._computed,
                reported=self._reported,
                not_reported=self._computed - self._reported,
                left=max(self._total - self._done, 0),
                cancelled=self._cancelled,
                error=self._error,
                seconds=time.monotonic() - self._t0,
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
