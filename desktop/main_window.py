"""The main window: builds the panels, lays them out, connects them. No logic of its own: the
status bar is desktop.widgets.status_line, what it remembers is desktop.window_state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core import default_zotero_dir, find_models
from desktop import geometry
from desktop.backend import Backend, Changes, ModelState, Snapshot
from desktop.drops import DropFilter
from desktop.models import ConversationModel, EvidenceModel, FailureModel, PaperTableModel
from desktop.panes import Panes
from desktop.render import plain_rich
from desktop.widgets import dialogs, folders, guide
from desktop.widgets.ask_panel import AskPanel
from desktop.widgets.evidence_exports import EvidenceExports
from desktop.widgets.extract_panel import ExtractPanel
from desktop.widgets.history_panel import HistoryPanel
from desktop.widgets.ingest_panel import IngestPanel
from desktop.widgets.library_panel import LibraryPanel
from desktop.widgets.pdf_viewer import PdfViewer
from desktop.widgets.settings_dialog import SettingsDialog
from desktop.widgets.status_line import StatusLine
from desktop.window_state import WindowState


class MainWindow(QMainWindow):
    """``state_path``: where window size, pane sizes and the open tab are kept (an INI file
    next to the settings file unless given; None with no settings file: nothing is kept)."""

    def __init__(
        self, *, backend: Backend, state_path: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lantern")
        self.setMinimumSize(geometry.MINIMUM_SIZE)
        self.backend = backend
        if state_path is None and backend.settings_path is not None:
            state_path = Path(backend.settings_path).with_name("window.ini")
        self.state_path = state_path
        self._window_state = WindowState(state_path)
        self.papers, self.evidence = PaperTableModel(self), EvidenceModel(self)
        self.conversations, self.failures = ConversationModel(self), FailureModel(self)

        self.library = LibraryPanel(model=self.papers)
        self.history = HistoryPanel(model=self.conversations)
        self.ask = AskPanel(backend=backend, evidence=self.evidence)
        self.extract = ExtractPanel(backend=backend)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.ask, "Ask")
        self.tabs.addTab(self.extract, "Extract")
        self.viewer = PdfViewer()
        self.ingest = IngestPanel(backend=backend, papers=self.papers, failures=self.failures)
        self.drops = DropFilter(self)
        self.exports = EvidenceExports(backend=backend, window=self)

        self.left = left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.library)
        left.addWidget(self.history)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        left.setChildrenCollapsible(False)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setHandleWidth(10)
        left.setHandleWidth(10)
        self.ask.split.setHandleWidth(10)
        self.panes = Panes(
            split=self.split, left=left, tabs=self.tabs, viewer=self.viewer, window=self
        )
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 10, 12, 0)
        layout.setSpacing(8)
        layout.addWidget(self.split, 1)
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(body, 1)
        outer.addWidget(self.ingest)
        self.setCentralWidget(page)
        self.status = StatusLine(self.statusBar(), backend)
        self.model_label, self.compaction = self.status.model_label, self.status.compaction
        self.library_label = self.status.library_label
        self.offline_label = self.status.offline_label
        self._warned = False
        self._menus()

        b = backend
        b.snapshot.connect(self._on_snapshot)
        b.modelState.connect(self._on_model_state)
        b.problem.connect(lambda msg: self.statusBar().showMessage(msg, 10000))
        b.libraryFailed.connect(self._library_failed)
        self.drops.dropped.connect(self.add_dropped)
        self.library.scopeChanged.connect(
            lambda ids: self.ask.set_scope(ids, where=self.library.scope_where()))
        self.library.scopeChanged.connect(self.extract.set_selection)
        self.library.openPaper.connect(lambda p: self.show_source(p.path, 1, "", p.title))
        self.library.removeConfirmed.connect(self.remove_papers)
        self.library.addRequested.connect(self.choose_files)
        self.history.conversationActivated.connect(self.open_conversation)
        self.history.newRequested.connect(self.new_conversation)
        self.history.deleteConfirmed.connect(self.delete_conversation)
        self.ask.openSource.connect(self.show_source)
        self.extract.openSource.connect(self.show_source)
        self.extract.message.connect(lambda msg: self.statusBar().showMessage(msg, 10000))
        self.exports.message.connect(lambda msg: self.statusBar().showMessage(msg, 10000))
        self.ask.conversationStarted.connect(lambda cid: self.history.select(cid))
        self.ask.exportRequested.connect(lambda: self.exports.conversation_markdown(self.ask.answers))
        self.ingest.message.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        self.ingest.busyChanged.connect(lambda busy: self._update_count())
        self.ask.waiting_for = self._waiting_for
        self.papers.countChanged.connect(self._update_count)
        if not self.restore_state():  # a first start: the default size, within the screen
            geometry.fit_to_screen(self, geometry.DEFAULT_SIZE)
        self.drops.install()  # last: it watches the widgets built above

    # ------------------------------------------------------------ building
    def _menus(self) -> None:
        def action(menu, text: str, slot, keys=None) -> QAction:  # noqa: ANN001
            a = QAction(text, self)
            if keys is not None:
                a.setShortcut(QKeySequence(keys))
            a.triggered.connect(slot)
            menu.addAction(a)
            return a

        file = self.menuBar().addMenu("&File")
        action(file, "Add papers or model…", self.choose_files, QKeySequence.StandardKey.Open)
        action(file, "Add folder…", self.choose_folder, "Ctrl+Shift+O")
        action(file, "Import from Zotero…", self.choose_zotero)
        file.addSeparator()
        action(file, "Export conversation as Markdown…",
               lambda: self.exports.conversation_markdown(self.ask.answers), "Ctrl+E")
        action(file, "Verify a table…", lambda: self.exports.verify())
        file.addSeparator()
        action(file, "Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = self.menuBar().addMenu("&Edit")
        action(edit, "Copy answer", self.ask.copy_answer, "Ctrl+Shift+C")
        action(edit, "Settings…", self.open_settings, "Ctrl+,")
        ask = self.menuBar().addMenu("&Ask")
        action(ask, "New conversation", self.new_conversation, QKeySequence.StandardKey.New)
        action(ask, "Focus question", lambda: self.ask.question.setFocus(), "Ctrl+L")
        action(ask, "Stop answering", self.ask.stop, "Esc")
        ask.addSeparator()
        action(ask, "Export annotated PDFs…", lambda: self.exports.annotate_answer(self.ask.answers))
        action(ask, "Export cited papers as BibTeX…",
               lambda: self.exports.answer_bibtex(self.ask.answers))
        ext = self.menuBar().addMenu("E&xtract")
        action(ext, "Ask view", lambda: self.tabs.setCurrentWidget(self.ask), "Ctrl+1")
        action(ext, "Extract view", lambda: self.tabs.setCurrentWidget(self.extract), "Ctrl+2")
        ext.addSeparator()
        action(ext, "Run extraction", self.run_extraction, "Ctrl+Shift+R")
        action(ext, "Stop extraction", self.extract.cancel)
        action(ext, "Export table…", lambda: self.extract.choose_export())
        action(ext, "Export annotated PDFs…",
               lambda: self.exports.annotate_table(self.extract.model.rows(), self.extract.qset))
        help_ = self.menuBar().addMenu("&Help")
        action(help_, "Quick guide", lambda: guide.show_guide(self), "F1")
        action(help_, "Keyboard shortcuts", lambda: guide.show_shortcuts(self), "Ctrl+/")
        help_.addSeparator()
        action(help_, "About Lantern", self.about)

    # ------------------------------------------------------------ start and stop
    def start(self, *, samples: bool = True, preload_model: bool = True) -> None:
        """Read the library, add the sample papers (once per library), load the model; all
        in the background, so the window is usable at once."""
        self.backend.refresh()
        if samples:
            self.ingest.add([], samples=True)
        if preload_model:
            self.backend.load_model()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Cancel what runs, wait for it to stop, free the models, then close."""
        self.save_state()
        self.ask.stop()
        self.extract.cancel()
        self.ingest.cancel()
        if self.panes.viewer_window is not None:
            self.panes.viewer_window.hide()
        self.statusBar().showMessage("Stopping…")
        self.backend.close()
        super().closeEvent(event)

    # ------------------------------------------------------------ reactions
    def _on_scope_options(self, options: dict) -> None:
        """Zotero's collections and tags for the library's filter, its citekeys for exports."""
        self.library.set_scope_options(options)
        self.extract.citekeys = dict(options.get("citekeys", {}))

    def _on_snapshot(self, snap: Snapshot) -> None:
        """Show what was re-read: the papers, the history, or both."""
        if snap.papers is not None:
            self.papers.set_papers(snap.papers, snap.unindexed)
            self.extract.set_papers(snap.papers)
            self.backend.op("scope options", lambda lib, cancel: lib.scope_options(),
                            result=self._on_scope_options)
            if snap.compaction is not None:  # papers removed: the index rebuilds meanwhile
                self.compaction.watch()
        if snap.conversations is not None:
            self.conversations.set_items(snap.conversations)
            self.history.select(self.ask.conversation_id)
        self._update_count()
        self.status.show_library_model(snap.model)

    def _on_model_state(self, state: str, text: str) -> None:
        self.status.show_model(ModelState(state), text)
        if state == ModelState.READY:
            self._update_count()

    def _library_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Library problem: {message}")
        if not self._warned:  # one dialog, not one per refresh
            self._warned = True
            QMessageBox.warning(self, "Lantern cannot read the library", plain_rich(message))

    def _update_count(self) -> None:
        """Paper and page counts: the library's, plus files of the running batch added so far."""
        papers, pages = self.papers.counts()
        self.status.show_counts(papers, pages)
        self.ask.set_welcome(
            model=self.backend.model_name, papers=papers, adding=self.ingest.busy()
        )

    def _waiting_for(self) -> str | None:
        """What a question asked now waits behind (the runner does one job at a time)."""
        if self.extract.busy():
            return "the Extract run's current cell"
        if self.ingest.busy():
            return "the batch of papers being added"
        return None

    # ------------------------------------------------------------ the viewer's place
    def show_source(self, path: Path, page: int, quote: str, title: str) -> None:
        self.panes.reveal_viewer()
        if not self.viewer.open(Path(path), page, quote, title):
            self.statusBar().showMessage(self.viewer.notice.text(), 10000)

    # ------------------------------------------------------------ remembered between runs
    def _splitters(self) -> dict[str, QSplitter]:
        return {"panes/left": self.left, "panes/answer": self.ask.split}

    def save_state(self) -> None:
        """Window geometry, pane widths (per view) and the open view, for the next start."""
        self._window_state.save(self, self.panes, self._splitters())

    def restore_state(self) -> bool:
        """Put back what save_state kept; False when there is nothing (a first start)."""
        return self._window_state.restore(self, self.panes, self._splitters())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.panes.shown()

    def run_extraction(self) -> None:
        self.tabs.setCurrentWidget(self.extract)
        self.extract.start()

    def add_dropped(self, papers: list[Path], models: list[Path]) -> None:
        if papers:
            self.ingest.add(papers)
        for path in models:
            self.add_model(path)

    def add_model(self, path: Path) -> None:
        self.backend.add_model_folder(path)
        if dialogs.confirm(
            self,
            "New model",
            f"{path.name} is now in the model list.",
            "Use it now",
            detail="Answers will come from this model from now on; "
            "you can switch back in Settings.",
        ):
            self.backend.switch_model(path)

    def choose_files(self) -> None:
        paths = [Path(f) for f in folders.open_files(
            self, "Add papers or a model",
            "PDFs and GGUF models (*.pdf *.gguf);;PDF files (*.pdf);;GGUF models (*.gguf)")]
        models = [p for p in paths if p.suffix.lower() == ".gguf"]
        self.add_dropped([p for p in paths if p not in models], models)

    def choose_folder(self) -> None:
        if folder := folders.open_folder(self, "Add every PDF in a folder"):
            self.ingest.add([Path(folder)])

    def choose_zotero(self) -> None:
        """Import the PDFs of a Zotero library (read-only) with its metadata and collections."""
        start = default_zotero_dir()
        if folder := dialogs.pick_folder(self, "Zotero data folder (it holds zotero.sqlite)",
                                         start if start.is_dir() else None):
            self.ingest.add([], zotero=folder)

    def open_conversation(self, conversation_id: str) -> None:
        if self.ask.busy() or conversation_id == self.ask.conversation_id:
            return
        self.backend.op("conversation", lambda lib, cancel: lib.conversation(conversation_id),
                        result=lambda answers: self.ask.show_conversation(conversation_id, answers))

    def remove_papers(self, doc_ids: list[str]) -> None:
        ids = list(doc_ids)
        self.backend.op("remove", lambda lib, cancel: lib.remove(ids), changes=Changes.PAPERS,
                        interleave=False)  # not under a running extraction's cells

    def new_conversation(self) -> None:
        self.ask.new_conversation()
        self.history.select(None)

    def delete_conversation(self, conversation_id: str) -> None:
        if conversation_id == self.ask.conversation_id:
            self.ask.new_conversation()
        self.backend.op("history", lambda lib, cancel: lib.delete_conversation(conversation_id),
                        changes=Changes.CONVERSATIONS)

    def open_settings(self) -> None:
        dialog = SettingsDialog(
            settings=self.backend.settings, models=find_models(self.backend.settings), parent=self
        )
        if dialog.exec():
            self.backend.apply(dialog.new_settings())

    def about(self) -> None:
        guide.show_about(self, self.backend.settings)
