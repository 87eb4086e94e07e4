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
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from core import CellDone, CellStarted, QuestionSet, Row, build_provenance, write_table
from core.types import Paper
from desktop.backend import Backend, ModelState
from desktop.extract_model import ExtractTableModel, GapFilter
from desktop.extract_run import ExtractRun, Summary
from desktop.widgets import dialogs, folders
from desktop.widgets.buttons import push_button
from desktop.widgets.extract_estimate import (
    Estimate,
    EstimateLabel,
    Mode,
    about,
    choose_mode,
)
from desktop.widgets.extract_sets import QuestionSetPicker
from desktop.widgets.extract_status import ExtractStatus, summary_text
from desktop.widgets.extract_table import ExtractTable
from desktop.workers import while_current

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

        self.sets = QuestionSetPicker()
        self.sets.changed.connect(self.reload)
        self.sets.problem.connect(self._show_notice)
        self.scope = _combo(["All papers", "Selected in library"],
                            "Select papers in the library to extract from only those")
        self.evidence_only = _check(
            "Evidence only (no model)",
            "Fill each cell with the paper's best evidence sentence, without the language "
            "model: fast, always verbatim (like `lantern extract --no-llm`). Each mode keeps "
            "its own stored answers.")
        self.recompute_btn = push_button(
            "Recompute", "Answer every cell again, replacing the stored answers",
            lambda: self.recompute())
        self.run_btn = push_button(
            "Run", "Answer the cells not answered yet (Ctrl+Shift+R)", lambda: self.start())
        self.run_btn.setObjectName("primary")
        self.cancel_btn = push_button("Cancel", "Stop after the current cell", self.cancel)

        self.status = ExtractStatus()
        self.summary, self.progress_row = self.status.summary, self.status.progress_row
        self.estimate = EstimateLabel()  # how long Run will take, in each mode
        self.notice = _notice()

        self.table = ExtractTable(model=self.model, proxy=self.proxy)
        self.table.openSource.connect(self.openSource)

        self.gaps = _check(
            "Only gaps (“not reported”)",
            "Show only the papers and questions with a “not reported” cell; "
            "answers shrink to a tick and their page")
        self.gaps.toggled.connect(self.proxy.set_enabled)
        self.export_btn = push_button(
            "Export…", "Save the table as CSV, Markdown or JSON", lambda: self.choose_export())

        # Two rows, so that a narrow pane (1024 px windows) still shows every control whole.
        row2 = _row(self.scope, self.evidence_only, 1)
        row2b = _row((self.status, 1), self.recompute_btn, self.run_btn, self.cancel_btn)
        row4 = _row(self.gaps, 1, self.export_btn, spacing=None)
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

    @property
    def progress(self) -> str:
        """The progress line in full (the label may cut it short)."""
        return self.status.text

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
        model = self.scope.model()
        if isinstance(model, QStandardItemModel) and (item := model.item(1)) is not None:
            item.setEnabled(bool(n))
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
        if qset is None:
            return
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
            error=while_current(lambda: self._ticket is ticket, self._failed),
        )

    def _on_model_state(self, state: str, _name: str) -> None:
        if state == ModelState.READY:  # another model answers at another speed: estimate again
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
        total, stored, _ = self.model.counts()
        if stored and not dialogs.confirm(
            self, "Recompute", f"Answer all {total} cells again?", "Recompute",
            detail="The stored answers of this question set and mode are replaced.",
        ):
            return
        self.start(force=True)

    def cancel(self) -> None:
        if self.run is not None:
            self.run.cancel()
            self.cancel_btn.setEnabled(False)
            self.status.show_progress("Stopping after the current cell…")

    def _begin(self, rows: list[Row], estimate: Estimate, force: bool) -> None:
        self._starting = False
        qset = self.qset
        if qset is None:
            return
        self._show_table(rows)
        todo = [(r.paper, q) for r in rows for q in qset.questions
                if force or r.cells[q.id] is None]
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
        self.run = ExtractRun(backend=self._backend, qset=qset, papers=self.papers(),
                              use_llm=self.use_llm, force=force, parent=self)
        self.run.cellStarted.connect(self._on_started)
        self.run.cellDone.connect(self._on_done)
        self.run.ended.connect(self._on_ended)
        self.status.step(0, len(rows) * len(qset.questions))
        seconds = estimate.llm_s if self.use_llm else estimate.evidence_s
        eta = f", {about(seconds)}" if seconds is not None else ""
        self.status.show_progress(f"Starting {len(todo)} cells{eta}…")
        self.cancel_btn.setEnabled(True)
        self._refresh()
        self.run.start()

    def _on_started(self, ev: CellStarted) -> None:
        self.model.set_running(ev.doc_id, ev.question_id)
        self.status.show_started(ev, self.model.rows(), self.qset)
        self.status.step(ev.index - 1, ev.total)

    def _on_done(self, ev: CellDone) -> None:
        self.model.set_cell(ev.doc_id, ev.question_id, ev.cell)
        self.status.step(ev.index, ev.total)
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
        chosen = _pick_export(self, self.qset.id)
        return self.export(*chosen[:2], long=chosen[2]) if chosen else None

    def export(self, path: Path, fmt: str, *, long: bool = False) -> Path | None:
        """Write the table as shown (all rows, whatever the filter) with core's writer."""
        if self.qset is None:
            return None
        try:
            # Markdown cites [@citekey, p. N] with Zotero's keys where known, as the CLI does
            record = _dated(self.provenance)  # read with the table; dated now
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
        self.status.set_running(running)
        self.estimate.setVisible(not busy and bool(self.estimate.full_text))
        self.run_btn.setVisible(not running)
        self.cancel_btn.setVisible(running)
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        self.summary.setText(summary_text(self.qset, self.model.rowCount(), self.model.counts()))

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))


def _check(text: str, tip: str) -> QCheckBox:
    box = QCheckBox(text)
    box.setToolTip(tip)
    return box


def _combo(items: list[str], tip: str) -> QComboBox:
    combo = QComboBox()
    combo.addItems(items)
    combo.setToolTip(tip)
    return combo


def _notice() -> QLabel:
    """A problem in a line of its own (selectable, so it can be copied); hidden when none."""
    label = QLabel()
    label.setObjectName("failLabel")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _row(*items: QWidget | tuple[QWidget, int] | int, spacing: int | None = 8) -> QHBoxLayout:
    """A row of widgets; an int is a stretch, (widget, n) a widget that stretches by n."""
    row = QHBoxLayout()
    if spacing is not None:
        row.setSpacing(spacing)
    for item in items:
        if isinstance(item, int):
            row.addStretch(item)
        elif isinstance(item, tuple):
            row.addWidget(*item)
        else:
            row.addWidget(item)
    return row


def _pick_export(parent: QWidget, name: str) -> tuple[Path, str, bool] | None:
    """Where to save the table, in which format, long or wide; None if cancelled."""
    chosen, kind = folders.save_file(parent, "Export the table", f"{name}.csv", ";;".join(EXPORTS))
    if not chosen:
        return None
    fmt, long = EXPORTS.get(kind, ("csv", False))
    path = Path(chosen)
    if path.suffix.lower() != f".{fmt}":
        path = path.with_name(f"{path.name}.{fmt}")
    return path, fmt, long


def _dated(record: dict | None) -> dict | None:
    """An export's provenance record, dated now."""
    if record is None:
        return None
    return {**record, "created": datetime.now(UTC).isoformat(timespec="seconds")}
