"""Adding papers: a progress bar per batch with cancel, and the files that failed and why."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.types import BatchFinished, BatchStarted, FileProgress, FileResult, FileStarted
from desktop.backend import Backend
from desktop.models import Failure, FailureModel, PaperTableModel
from desktop.render import plain_rich
from desktop.workers import Job, single_shot


class IngestPanel(QFrame):
    """Hidden when idle; shows the running batch, then a summary and any failures."""

    batchFinished = Signal(object)  # BatchFinished, or None when a batch ended in an error
    message = Signal(str)  # one-line summary for the status bar
    busyChanged = Signal(bool)  # a batch started (True) or the last one ended (False)

    MAX_FAIL_LINES = 10  # the failure list grows to this many lines, then scrolls

    def __init__(
        self,
        *,
        backend: Backend,
        papers: PaperTableModel,
        failures: FailureModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ingestPanel")
        self._backend, self._papers, self.failures = backend, papers, failures
        backend.indexed.connect(papers.mark_indexed)  # "Searchable" rows turn "Indexed"
        self.jobs: list[Job] = []
        self._total = 0
        self._index = 0
        self._hide_timer = single_shot(self, 6000, self._maybe_hide)

        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setMinimumWidth(200)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setToolTip("Stop adding; files already added stay in the library")
        self.cancel_btn.clicked.connect(self.cancel)
        self.fail_label = QLabel()
        self.fail_label.setObjectName("failLabel")
        self.fail_list = QListView()
        self.fail_list.setModel(failures)
        self.fail_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.fail_list.setUniformItemSizes(True)
        self.dismiss_btn = QPushButton("Dismiss")
        self.dismiss_btn.clicked.connect(self.dismiss)

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.label, 2)
        top.addWidget(self.bar, 3)
        top.addWidget(self.cancel_btn)
        fail_head = QHBoxLayout()
        fail_head.addWidget(self.fail_label, 1)
        fail_head.addWidget(self.dismiss_btn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(fail_head)
        layout.addWidget(self.fail_list)
        self._show_failures()
        self.hide()

    # ------------------------------------------------------------ starting
    def add(
        self, paths: Iterable[Path], *, samples: bool = False, zotero: Path | None = None
    ) -> Job:
        """Queue a batch (files/folders, a Zotero data folder, or the built-in samples) and
        show its progress."""
        if samples:
            job = self._backend.add(None, progress=self._on_event, finished=self._on_finished)
        else:
            job = self._backend.add(
                list(paths),
                zotero=zotero,
                progress=self._on_event,
                finished=self._on_finished,
                error=self._on_error,
            )
        self.jobs.append(job)
        self._hide_timer.stop()
        if len(self.jobs) == 1:
            self.busyChanged.emit(True)
            self._set_running("Adding the sample papers…" if samples else "Looking for PDFs…")
            self.bar.setRange(0, 0)  # busy until the batch knows its size
        else:
            self._waiting_note()
        if not samples:  # samples already in the library add nothing: show only on events
            self.show()
        return job

    def busy(self) -> bool:
        """A batch is running or waiting."""
        return bool(self.jobs)

    def cancel(self) -> None:
        """Cancel the running batch and every batch waiting behind it."""
        if not self.jobs:
            return
        for job in self.jobs:
            job.cancel()
        self.cancel_btn.setEnabled(False)
        self.label.setText("Cancelling… (finishing the current step)")

    def dismiss(self) -> None:
        self.failures.set_items([])
        self._show_failures()
        self._maybe_hide()

    # ------------------------------------------------------------ events
    def _on_event(self, ev: object) -> None:
        self.show()
        if isinstance(ev, BatchStarted):
            # Each batch reports its own failures: the last batch's list goes.
            self.failures.set_items([])
            self._show_failures()
            self._total, self._index = ev.total, 0
            self.bar.setRange(0, 1000)
            self.bar.setValue(0)
            if not ev.total:
                self.label.setText("No PDFs found there.")
        elif isinstance(ev, FileStarted):
            self._index, self._total = ev.index, ev.total
            self._progress(ev.path, 0.0, "")
            self._papers.set_pending(ev.path, "Reading")
        elif isinstance(ev, FileProgress):
            frac = ev.done / ev.total if ev.total else 0.0
            embedding = ev.stage == "embedding" and ev.total
            detail = ev.stage + (f" {int(frac * 100)}%" if embedding else "")
            if ev.stage.startswith("loading"):
                detail += " — the first time takes a little while"
            if ev.stage == "ocr":  # a scan: its pages are recognised one by one
                detail = f"reading the scan, page {ev.done} of {ev.total}"
            self._progress(ev.path, frac * 0.9 + (0.1 if ev.stage == "indexing" else 0.0), detail)
            # The table's Status column is narrow: "Reading", "Loading", "40%", "Indexing".
            short = f"{int(frac * 100)}%" if embedding else ev.stage.split()[0].capitalize()
            if ev.stage == "ocr":
                short = f"OCR {ev.done}/{ev.total}"
            self._papers.set_pending(ev.path, short)
        elif isinstance(ev, FileResult):
            self.bar.setValue(int(1000 * ev.index / max(ev.total, 1)))
            if ev.status in ("failed", "skipped"):  # skipped: a Zotero item with no file here
                self.failures.add(Failure(ev.path, ev.error or "could not be read"))
                self._show_failures()
                self._papers.set_pending(ev.path, "Failed", done=True)
            else:
                if ev.notice:  # stored, but its line says to look at it (unreadable OCR, …)
                    self.failures.add(Failure(ev.path, ev.notice, stored=True))
                    self._show_failures()
                status = {"added": "Added", "replaced": "Updated", "unchanged": "In library"}
                self._papers.set_pending(
                    ev.path,
                    status.get(ev.status, ev.status),
                    done=True,
                    title=ev.title or "",
                    pages=ev.pages if ev.status == "added" else 0,
                )
        elif isinstance(ev, BatchFinished):
            self._summary(ev)

    def _on_error(self, message: str) -> None:
        """The batch could not run at all (library locked by another process, …)."""
        self.failures.add(Failure(Path(""), message))
        self._show_failures()
        self.message.emit(f"Could not add papers: {message}")

    def _on_finished(self) -> None:
        job = next((j for j in self.jobs if j.done.is_set()), None)
        if job is not None:
            self.jobs.remove(job)
        if self.jobs:
            self.cancel_btn.setEnabled(True)
            self._set_running("Starting the next batch…")
            self._waiting_note()
            return
        # The rows of finished files stay (with their titles) until the refresh queued
        # behind the batch brings the library's papers: no flicker, no count going back.
        self.busyChanged.emit(False)
        self.bar.hide()
        self.cancel_btn.hide()
        if not self.label.text() or self.label.text().startswith(
            ("Looking", "Adding", "Cancelling")
        ):
            self.label.setText("Stopped." if job is not None and job.cancelled else "Done.")
        if not self.isHidden():
            self._hide_timer.start()

    # ------------------------------------------------------------ display
    def _progress(self, path: Path, within: float, detail: str) -> None:
        total = max(self._total, 1)
        self.bar.setValue(int(1000 * (self._index - 1 + within) / total))
        text = f"Adding file {self._index} of {self._total} — {path.name}"
        self.label.setText(text + (f"  ({detail})" if detail else ""))
        self.label.setToolTip(plain_rich(str(path)))

    def _summary(self, ev: BatchFinished) -> None:
        parts = [
            f"{n} {word}"
            for n, word in (
                (ev.added, "added"),
                (ev.replaced, "updated"),
                (ev.unchanged, "already in the library"),
                (ev.updated, "with new Zotero metadata"),
                (ev.failed, "failed"),
                (ev.skipped, "skipped (no file)"),
            )
            if n
        ]
        head = "Stopped" if ev.cancelled else "Finished"
        text = f"{head}: " + (", ".join(parts) if parts else "nothing to add") + "."
        self.label.setText(text)
        self.bar.setValue(1000)
        self.message.emit(text)
        self.batchFinished.emit(ev)

    def _set_running(self, text: str) -> None:
        self.label.setText(text)
        self.bar.show()
        self.cancel_btn.show()
        self.cancel_btn.setEnabled(True)

    def _waiting_note(self) -> None:
        waiting = len(self.jobs) - 1
        self.cancel_btn.setToolTip(
            "Stop adding; files already added stay in the library"
            + (f" ({waiting} more batch{'es' if waiting > 1 else ''} waiting)" if waiting else "")
        )

    def _show_failures(self) -> None:
        n = self.failures.rowCount()
        noted = sum(f.stored for f in self.failures.items)
        failed, parts = n - noted, []
        if failed:
            parts.append(f"{failed} file{'s' if failed != 1 else ''} could not be added")
        if noted:
            parts.append(f"{noted} added file{'s' if noted != 1 else ''} need{'s' if noted == 1 else ''} a look")
        self.fail_label.setText(" · ".join(parts) + ":" if n else "")
        for w in (self.fail_label, self.fail_list, self.dismiss_btn):
            w.setVisible(bool(n))
        if n:  # as tall as the list, up to MAX_FAIL_LINES lines; then it scrolls
            row = self.fail_list.sizeHintForRow(0) if n else 0
            row = max(row, self.fontMetrics().lineSpacing() + 2)
            frame = 2 * self.fail_list.frameWidth() + 4
            self.fail_list.setFixedHeight(min(n, self.MAX_FAIL_LINES) * row + frame)

    def _maybe_hide(self) -> None:
        if not self.jobs and not self.failures.rowCount():
            self.hide()
