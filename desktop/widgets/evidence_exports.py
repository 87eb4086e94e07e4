"""The evidence as files others can check: File > Verify a table…, annotated copies of the
papers (from the Extract table or an answer) and the cited papers as BibTeX. The work runs as
backend jobs (core's verify_table, annotate_pdfs, the catalogue's BibTeX); results come back
as a non-blocking dialog or a status-bar message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from core import (
    AnnotateReport,
    Answer,
    Mark,
    QuestionSet,
    Row,
    VerifyReport,
    annotate_pdfs,
    answer_marks,
    build_provenance,
    conversation_to_markdown,
    printable,
    table_marks,
    verify_table,
)
from desktop.backend import Backend
from desktop.widgets import folders

SHOWN_FAILURES = 8  # in the dialog's text; all of them under "Show Details…"
TABLES = "Lantern tables (*.csv *.md *.json);;All files (*)"


class EvidenceExports(QObject):
    """Verify, annotate and BibTeX actions for a window; ``message`` goes to the status bar."""

    message = Signal(str)
    verified = Signal(object)  # VerifyReport, after the result dialog opened

    def __init__(self, *, backend: Backend, window: QWidget) -> None:
        super().__init__(window)
        self._backend = backend
        self._window = window
        self.result_box: QMessageBox | None = None  # the last result dialog (tests read it)

    # ------------------------------------------------------------ verify
    def verify(self, table: Path | None = None) -> None:
        """Re-check every quote of an exported table against the library's PDFs."""
        if table is None:
            chosen = folders.open_files(self._window, "Verify a table", TABLES)[:1]
            if not chosen:
                return
            table = Path(chosen[0])
        self.message.emit(f"Verifying {table.name}…")
        self._backend.op("verify", lambda lib, cancel: verify_table(table, library=lib),
                         result=self._show_report,
                         error=lambda msg: self._show("Cannot verify the table", msg, ok=False))

    def _show_report(self, report: VerifyReport) -> None:
        failures = report.failures
        text = f"{report.table.name}: {report.summary()}."
        if not failures:
            detail = "Every reported quote is on its page of the very PDF the table names."
        else:
            lines = [printable(f.line()) for f in failures]
            detail = "\n".join(lines[:SHOWN_FAILURES])
            if len(lines) > SHOWN_FAILURES:
                detail += f"\n… and {len(lines) - SHOWN_FAILURES} more (Show Details…)"
            if any("no PDF with sha256" in f.reason for f in failures):
                detail += ("\n\nA PDF the table names is not in the library (or was changed): "
                           "add it, or run `lantern verify TABLE --papers FOLDER`.")
        self._show("Table verified" if report.ok else "Table failed verification", text,
                   ok=report.ok, detail=detail,
                   details="\n".join(f.line() for f in failures) if len(failures) > SHOWN_FAILURES
                   else "")
        self.message.emit(f"{report.table.name}: {report.summary()}")
        self.verified.emit(report)

    # ------------------------------------------------------------ annotated PDFs
    def annotate_table(self, rows: Sequence[Row], qset: QuestionSet | None,
                       out_dir: Path | None = None) -> None:
        """Each reported cell of the Extract table as a highlight; the note: 'column: value'."""
        if qset is None:
            self.message.emit("Open a question set and run it first")
            return
        self.annotate(table_marks(rows, qset), {r.paper.doc_id: r.paper.path for r in rows},
                      out_dir)

    def annotate_answer(self, answers: Sequence[Answer], out_dir: Path | None = None) -> None:
        """Each citation of the last answer as a highlight; the note: the question and the
        answer."""
        if not answers:
            self.message.emit("Ask a question first")
            return
        answer = answers[-1]
        self.annotate(answer_marks(answer), {c.doc_id: c.pdf_path for c in answer.citations},
                      out_dir)

    def annotate(self, marks: Sequence[Mark], pdfs: dict[str, Path],
                 out_dir: Path | None = None) -> None:
        """Copies of the papers with every quote in ``marks`` highlighted, in a chosen folder."""
        if not marks:
            self.message.emit("Nothing to annotate: no reported quotes yet")
            return
        if out_dir is None:
            chosen = QFileDialog.getExistingDirectory(
                self._window, "Save annotated PDFs in", str(folders.last_folder()))
            if not chosen:
                return
            folders.remember(chosen)
            out_dir = Path(chosen)
        target = out_dir
        marks = list(marks)

        def done(report: AnnotateReport) -> None:
            self.message.emit(f"Saved {report.summary()} to {target}")

        self._backend.op("annotate", lambda lib, cancel: annotate_pdfs(marks, pdfs, target),
                         result=done,
                         error=lambda msg: self._show("Export failed", msg, ok=False))

    # ------------------------------------------------------------ BibTeX
    def answer_bibtex(self, answers: Sequence[Answer], path: Path | None = None) -> None:
        """The papers the last answer cites, as BibTeX."""
        self.bibtex([c.doc_id for c in answers[-1].citations] if answers else [], path)

    def bibtex(self, doc_ids: Sequence[str], path: Path | None = None) -> None:
        """The cited papers as BibTeX, keyed by Zotero's citekeys where known (as `--bib`)."""
        ids = list(dict.fromkeys(doc_ids))
        if not ids:
            self.message.emit("No cited papers to export")
            return
        if path is None:
            chosen, _ = folders.save_file(self._window, "Export cited papers as BibTeX",
                                          "cited.bib", "BibTeX (*.bib)")
            if not chosen:
                return
            path = Path(chosen)
        target = path

        def write(lib, cancel) -> Path:  # noqa: ANN001
            target.write_text(lib.bibtex(ids), encoding="utf-8")
            return target

        self._backend.op("bibtex", write,
                         result=lambda p: self.message.emit(
                             f"Saved {len(ids)} BibTeX entr{'y' if len(ids) == 1 else 'ies'} to {p}"),
                         error=lambda msg: self._show("Export failed", msg, ok=False))

    # ------------------------------------------------------------ the conversation
    def conversation_markdown(self, answers: Sequence[Answer], path: Path | None = None) -> None:
        """The conversation as Markdown, its provenance (models, settings, each cited PDF's
        sha256) in a front-matter block."""
        answers = list(answers)
        if not answers:
            self.message.emit("Ask a question first")
            return
        if path is None:
            slug = re.sub(r"[^A-Za-z0-9]+", "-", answers[0].question).strip("-")[:50] or "answer"
            chosen, _ = folders.save_file(self._window, "Export answer as Markdown",
                                          f"{slug}.md", "Markdown (*.md)")
            if not chosen:
                return
            path = Path(chosen)
        target = path

        def write(lib, cancel) -> Path:  # noqa: ANN001
            cited = [c.doc_id for a in answers for c in a.citations]
            questions = [a.question for a in answers]
            record = build_provenance(lib, cited, use_llm=any(a.model for a in answers),
                                      question=questions[0] if len(questions) == 1 else questions)
            target.write_text(conversation_to_markdown(answers, record), encoding="utf-8")
            return target

        self._backend.op("export-answer", write,
                         result=lambda p: self.message.emit(f"Saved the answer to {p}"),
                         error=lambda msg: self._show("Export failed", msg, ok=False))

    # ------------------------------------------------------------ dialogs
    def _show(self, title: str, text: str, *, ok: bool, detail: str = "",
              details: str = "") -> None:
        icon = QMessageBox.Icon.Information if ok else QMessageBox.Icon.Warning
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._window)
        if detail:
            box.setInformativeText(detail)
        if details:
            box.setDetailedText(details)
        self.result_box = box
        box.open()  # window-modal, not blocking: the job's result arrives in the event loop
