"""Extracting: a question set answered for every paper, as a table that fills in live.

Rows are papers, columns the set's questions; each cell is a short answer with its quote and
page (click it to see the quote in the viewer), or "not reported". Cells are stored in the
library, so the view shows earlier results at once and Run only computes what is missing;
before it does, the panel says how long that will take, and offers the evidence-only run
first when the model's would be long.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core import CellDone, CellStarted, QuestionSet, Row, build_provenance, write_table
from core.types import Paper
from desktop.backend import Backend
from desktop.extract_model import ExtractTableModel, GapFilter
from desktop.extract_run import ExtractRun, Summary, duration
from desktop.quotes import snippet
from desktop.widgets import dialogs, folders
from desktop.widgets.elided import ElidedLabel
from desktop.widgets.extract_estimate import (
    Estimate,
    EstimateLabel,
    Mode,
    about,
    choose_mode,
)
from desktop.widgets.extract_sets import QuestionSetPicker
from desktop.widgets.extract_table import ExtractTable

# Save-dialog filter -> (format, long CSV)
EXPORTS = {
    "CSV, one row per paper (*.csv)": ("csv", False),
    "CSV, one row per paper and question (*.csv)": ("csv", True),
    "Markdown (*.md)": ("md", False),
    "JSON (*.json)": ("json", False),
}


class ExtractPanel(QWidget):
    """Choose a set and papers, run (or recompute) with progress and cancel, export."""

    openSource = Signal(object, int, str, str)  # (pdf path, page, quote, title)
    message = Signal(str)  # one line for the status bar

    def __init__(self, *, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._backend = backend
        self.model = ExtractTableModel(self)
        self.proxy = GapFilter(self)
        self.proxy.set_source(self.model)
        self.run: ExtractRun | None = None
        self._starting = False  # Run pressed; the stored cells are being read first
        self._selection: list[str] = []
        self.citekeys: dict[str, str] = {}  # doc_id -> Zotero's citekey (Catalog.scope_options)
        self.provenance: dict | None = None  # of the table shown (core.build_provenance)
        self._doc_ids: frozenset[str] = frozenset()
        self._ticket: object | None = None  # the latest table read; older ones are dropped
        self.progress = ""  # the progress line in full (the label may cut it short)

        self.sets = QuestionSetPicker()
        self.sets.changed.connect(self.reload)
        self.sets.problem.connect(self._show_notice)
        self.scope = QComboBox()
        self.scope.addItems(["All papers", "Selected in library"])
        self.scope.setToolTip("Select papers in the library to extract from only those")
        self.evidence_only = QCheckBox("Evidence only (no model)")
        self.evidence_only.setToolTip(
            "Fill each cell with the paper's best evidence sentence, without the language "
            "model: fast, always verbatim (like `lantern extract --no-llm`). Each mode keeps "
            "its own stored answers."
        )
        self.recompute_btn = self._button(
            "Recompute",
            "Answer every cell again, replacing the stored answers",
            lambda: self.recompute(),
        )
        self.run_btn = self._button(
            "Run", "Answer the cells not answered yet (Ctrl+Shift+R)", lambda: self.start()
        )
        self.run_btn.setObjectName("primary")
        self.cancel_btn = self._button("Cancel", "Stop after the current cell", self.cancel)

        self.summary = QLabel()  # wraps beside Recompute and Run rather than being cut
        self.summary.setObjectName("dim")
        self.summary.setWordWrap(True)
        self.estimate = EstimateLabel()  # how long Run will take, in each mode
        self.notice = QLabel()
        self.notice.setObjectName("failLabel")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        self.progress_label = ElidedLabel()  # a long title must not widen the window
        self.progress_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)

        self.table = ExtractTable(model=self.model, proxy=self.proxy)
        self.table.openSource.connect(self.openSource)

        self.gaps = QCheckBox("Only gaps (“not reported”)")
        self.gaps.setToolTip(
            "Show only the papers and questions with a “not reported” cell; "
            "answers shrink to a tick and their page"
        )
        self.gaps.toggled.connect(self.proxy.set_enabled)
        self.export_btn = self._button(
            "Export…", "Save the table as CSV, Markdown or JSON", lambda: self.choose_export()
        )

        self.progress_row = QWidget()  # in place of the summary while a run goes on
        row3 = QHBoxLayout(self.progress_row)
        row3.setContentsMargins(0, 0, 0, 0)
        row3.addWidget(self.progress_label, 1)
        row3.addWidget(self.bar)
        self.bar.setFixedWidth(90)
        self.progress_row.hide()
        # Two rows, so that a narrow pane (1024 px windows) still shows every control whole.
        row2 = QHBoxLayout()
        row2.setSpacing(8)
        row2.addWidget(self.scope)
        row2.addWidget(self.evidence_only)
        row2.addStretch(1)
        row2b = QHBoxLayout()
        row2b.setSpacing(8)
        row2b.addWidget(self.summary, 1)
        row2b.addWidget(self.progress_row, 1)
        row2b.addWidget(self.recompute_btn)
        row2b.addWidget(self.run_btn)
        row2b.addWidget(self.cancel_btn)
        row4 = QHBoxLayout()
        row4.addWidget(self.gaps)
        row4.addStretch(1)
        row4.addWidget(self.export_btn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.sets)
        layout.addLayout(row2)
        layout.addLayout(row2b)
        layout.addWidget(self.estimate)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addLayout(row4)

        self.scope.currentIndexChanged.connect(self.reload)
        self.evidence_only.toggled.connect(self.reload)
        backend.modelState.connect(self._on_model_state)
        self.set_selection([])
        self._refresh()

    def _button(self, text: str, tip: str, slot) -> QPushButton:  # noqa: ANN001
        b = QPushButton(text)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        return b

    # ------------------------------------------------------------ what is asked of what
    @property
    def qset(self) -> QuestionSet | None:
        return self.sets.qset

    def papers(self) -> list[str] | None:
        """The papers to extract from: the library's selection, or None for all."""
        return list(self._selection) if self.scope.currentIndex() == 1 else None

    @property
    def use_llm(self) -> bool:
        return not self.evidence_only.isChecked()

    def set_selection(self, doc_ids: list[str]) -> None:
        """The library's selected papers (wired to LibraryPanel.scopeChanged)."""
        self._selection = list(doc_ids)
        n = len(doc_ids)
        self.scope.setItemText(1, f"Selected in library ({n})" if n else "Selected in library")
        self.scope.model().item(1).setEnabled(bool(n))
        if self.scope.currentIndex() == 1:
            if n:
                self.reload()
            else:
                self.scope.setCurrentIndex(0)  # reloads

    def set_papers(self, papers: list[Paper]) -> None:
        """The library changed (wired to the window's snapshot): show new or removed rows."""
        ids = frozenset(p.doc_id for p in papers)
        if ids != self._doc_ids:
            self._doc_ids = ids
            self.reload()

    # ------------------------------------------------------------ stored results
    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().showEvent(event)
        self.reload()  # re-opening the view shows what is stored, computing nothing

    def reload(self) -> None:
        """Read the stored cells of the chosen set, papers and mode, and how long computing
        the others would take (a quick background job)."""
        if self.busy() or not self.isVisible() or self.qset is None:
            return
        self._read_table(lambda rows, estimate: self._show_table(rows, estimate))

    def _read_table(self, then, *, force: bool = False) -> None:  # noqa: ANN001
        """then(rows, estimate), unless another read was asked for meanwhile."""
        self._ticket = ticket = object()
        qset = self.qset
        papers, use_llm = self.papers(), self.use_llm

        def read(lib, cancel) -> tuple[list[Row], Estimate, dict]:  # noqa: ANN001
            rows = lib.extract_table(qset, papers, use_llm=use_llm)
            # what an export records beside the table (model hashes are cached on disk)
            record = build_provenance(
                lib, [r.paper.doc_id for r in rows], use_llm=use_llm, qset=qset,
                cell_models=[c.model for r in rows for c in r.cells.values() if c is not None])
            return rows, Estimate.read(lib, qset, papers, force=force), record

        def got(result: tuple[list[Row], Estimate, dict]) -> None:
            if self._ticket is ticket:
                rows, estimate, self.provenance = result
                then(rows, estimate)

        self._backend.op(
            "extract-table",
            read,
            result=got,
            error=lambda msg: self._ticket is ticket and self._failed(msg),
        )

    def _on_model_state(self, state: str, _name: str) -> None:
        if state == "ready":  # another model answers at another speed: estimate again
            self.reload()

    def _show_table(self, rows: list[Row], estimate: Estimate | None = None) -> None:
        self.model.set_table(self.qset, rows)
        if estimate is not None:
            self.estimate.show_estimate(estimate, use_llm=self.use_llm)
        self._refresh()

    def _failed(self, message: str) -> None:
        self._starting = False
        self._show_notice(f"Could not read the stored answers: {message}")
        self._refresh()

    # ------------------------------------------------------------ running
    def busy(self) -> bool:
        return self._starting or self.run is not None

    def start(self, *, force: bool = False) -> None:
        """Read what is stored, then compute the other cells (all of them when ``force``)."""
        if self.busy() or self.qset is None:
            return
        self._starting = True
        self._show_notice("")
        self._refresh()
        self._read_table(lambda rows, estimate: self._begin(rows, estimate, force), force=force)

    def recompute(self) -> None:
        _, stored, _ = self.model.counts()
        if stored and not dialogs.confirm(
            self,
            "Recompute",
            f"Answer all {self.model.counts()[0]} cells again?",
            "Recompute",
            detail="The stored answers of this question set and mode are replaced.",
        ):
            return
        self.start(force=True)

    def cancel(self) -> None:
        if self.run is not None:
            self.run.cancel()
            self.cancel_btn.setEnabled(False)
            self._progress("Stopping after the current cell…")

    def _begin(self, rows: list[Row], estimate: Estimate, force: bool) -> None:
        self._starting = False
        qset = self.qset
        self._show_table(rows)
        todo = [
            (r.paper, q) for r in rows for q in qset.questions if force or r.cells[q.id] is None
        ]
        if not todo:
            self.message.emit(
                "Every cell is answered already; Recompute answers them again."
                if rows
                else "No papers to extract from."
            )
            return
        if self.use_llm and estimate.long:  # offer the run of seconds first
            mode = choose_mode(self, estimate)
            if mode is None:
                self.message.emit("Nothing started.")
                self._refresh()
                return
            if mode is Mode.EVIDENCE:  # the table shows, and Run fills, that mode's cells
                self.evidence_only.setChecked(True)
                self.start(force=force)
                return
        if force:
            for paper, q in todo:
                self.model.set_cell(paper.doc_id, q.id, None)
        self.run = ExtractRun(
            backend=self._backend,
            qset=qset,
            papers=self.papers(),
            use_llm=self.use_llm,
            force=force,
            parent=self,
        )
        self.run.cellStarted.connect(self._on_started)
        self.run.cellDone.connect(self._on_done)
        self.run.ended.connect(self._on_ended)
        self.bar.setRange(0, len(rows) * len(qset.questions))
        self.bar.setValue(0)
        seconds = estimate.llm_s if self.use_llm else estimate.evidence_s
        eta = f", {about(seconds)}" if seconds is not None else ""
        self._progress(f"Starting {len(todo)} cells{eta}…")
        self.cancel_btn.setEnabled(True)
        self._refresh()
        self.run.start()

    def _on_started(self, ev: CellStarted) -> None:
        self.model.set_running(ev.doc_id, ev.question_id)
        eta = f" · about {duration(ev.eta_s)} left" if ev.eta_s is not None else ""
        paper = next((r.paper for r in self.model.rows() if r.paper.doc_id == ev.doc_id), None)
        title = ev.title or (paper.path.name if paper else ev.doc_id)
        question = next((q.question for q in self.qset.questions if q.id == ev.question_id), "")
        self._progress(f"Cell {ev.index} of {ev.total} — {snippet(title, 36)} — {ev.label}{eta}")
        self.progress_label.setToolTip(f"{title}\n{question}")
        self.bar.setRange(0, ev.total)
        self.bar.setValue(ev.index - 1)

    def _on_done(self, ev: CellDone) -> None:
        self.model.set_cell(ev.doc_id, ev.question_id, ev.cell)
        self.bar.setRange(0, ev.total)
        self.bar.setValue(ev.index)
        self._refresh_summary()

    def _on_ended(self, s: Summary) -> None:
        self.run = None
        self.model.set_running(None)
        if s.error:
            self._show_notice(f"Extraction stopped: {s.error}")
        self.message.emit(s.text())
        self._refresh()
        self.reload()  # the stored table: what a cancelled run left out shows as before

    # ------------------------------------------------------------ export
    def choose_export(self) -> Path | None:
        if self.qset is None or not self.model.rowCount():
            return None
        chosen, kind = folders.save_file(
            self, "Export the table", f"{self.qset.id}.csv", ";;".join(EXPORTS)
        )
        if not chosen:
            return None
        fmt, long = EXPORTS.get(kind, ("csv", False))
        path = Path(chosen)
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(f"{path.name}.{fmt}")
        return self.export(path, fmt, long=long)

    def export(self, path: Path, fmt: str, *, long: bool = False) -> Path | None:
        """Write the table as shown (all rows, whatever the filter) with core's writer."""
        if self.qset is None:
            return None
        try:
            # Markdown cites [@citekey, p. N] with Zotero's keys where known, as the CLI does
            record = None
            if self.provenance is not None:  # read with the table; dated now
                record = {**self.provenance, "created": datetime.now(UTC).isoformat(timespec="seconds")}
            written = write_table(self.model.rows(), self.qset, path, fmt, long=long,
                                  citekeys=self.citekeys, provenance=record)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {path}: {exc}")
            return None
        self.message.emit(f"Saved the table to {written}")
        return written

    # ------------------------------------------------------------ display
    def _refresh(self) -> None:
        busy = self.busy()
        self.sets.set_busy(busy)
        for w in (self.scope, self.evidence_only, self.recompute_btn):
            w.setEnabled(not busy)
        self.run_btn.setEnabled(not busy and self.qset is not None)
        self.export_btn.setEnabled(self.model.rowCount() > 0)
        running = self.run is not None
        self.progress_row.setVisible(running)
        self.summary.setVisible(not running)
        self.estimate.setVisible(not busy and bool(self.estimate.full_text))
        self.run_btn.setVisible(not running)
        self.cancel_btn.setVisible(running)
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        qset, rows = self.qset, self.model.rowCount()
        if qset is None:
            self.summary.setText("Open a question set to begin.")
            return
        if not rows:
            self.summary.setText(
                f"{qset.title}: no papers to extract from yet — add some PDFs."
            )
            return
        total, stored, missing = self.model.counts()
        n = len(qset.questions)
        parts = [
            f"{rows} paper{'s' if rows != 1 else ''} × {n} question{'s' if n != 1 else ''}",
            f"{stored} of {total} cells answered" if stored < total else "all cells answered",
        ]
        if missing:
            parts.append(f"{missing} not reported")
        self.summary.setText(" · ".join(parts))

    def _progress(self, text: str) -> None:
        self.progress = text
        self.progress_label.set_full_text(text)

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
