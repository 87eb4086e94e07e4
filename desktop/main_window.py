"""The main window: builds the panels, lays them out, connects them. No logic of its own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core import find_models
from desktop.backend import Backend, Snapshot
from desktop.drops import DropFilter
from desktop.models import ConversationModel, EvidenceModel, FailureModel, PaperTableModel
from desktop.widgets import dialogs
from desktop.widgets.ask_panel import AskPanel
from desktop.widgets.extract_panel import ExtractPanel
from desktop.widgets.history_panel import HistoryPanel
from desktop.widgets.ingest_panel import IngestPanel
from desktop.widgets.library_panel import LibraryPanel
from desktop.widgets.pdf_viewer import PdfViewer
from desktop.widgets.settings_dialog import SettingsDialog


class MainWindow(QMainWindow):
    def __init__(self, *, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lantern")
        self.backend = backend
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

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.library)
        left.addWidget(self.history)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setHandleWidth(10)
        left.setHandleWidth(10)
        self.ask.split.setHandleWidth(10)
        for w in (left, self.tabs, self.viewer):
            self.split.addWidget(w)
        self.split.setStretchFactor(1, 1)
        self.split.setChildrenCollapsible(False)
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
        self._status_bar()
        self._menus()
        self.resize(1400, 880)
        self.split.setSizes([420, 500, 480])

        b = backend
        b.snapshot.connect(self._on_snapshot)
        b.modelState.connect(self._on_model_state)
        b.problem.connect(lambda msg: self.statusBar().showMessage(msg, 10000))
        b.libraryFailed.connect(self._library_failed)
        self.drops.dropped.connect(self.add_dropped)
        self.library.scopeChanged.connect(self.ask.set_scope)
        self.library.scopeChanged.connect(self.extract.set_selection)
        self.library.openPaper.connect(lambda p: self.show_source(p.path, 1, "", p.title))
        self.library.removeConfirmed.connect(b.remove)
        self.library.addRequested.connect(self.choose_files)
        self.history.conversationActivated.connect(self.open_conversation)
        self.history.newRequested.connect(self.new_conversation)
        self.history.deleteConfirmed.connect(self.delete_conversation)
        self.ask.openSource.connect(self.show_source)
        self.extract.openSource.connect(self.show_source)
        self.extract.message.connect(lambda msg: self.statusBar().showMessage(msg, 10000))
        self.ask.conversationStarted.connect(lambda cid: self.history.select(cid))
        self.ingest.message.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        self.viewer.closed.connect(self.viewer.hide)
        # The Extract table wants the width; the viewer comes back when a cell is opened.
        self.tabs.currentChanged.connect(
            lambda i: self.viewer.setVisible(i == 0 or self.viewer.path is not None)
        )
        self.drops.install()  # last: it watches the widgets built above

    # ------------------------------------------------------------ building
    def _status_bar(self) -> None:
        self.model_label = QLabel("Model: …")
        self._model_state = ("", "")
        self._warned = False
        self.library_label = QLabel("")
        self.offline_label = QLabel("● Offline")
        self.offline_label.setObjectName("offline")
        self.offline_label.setToolTip(
            "Lantern works entirely on this computer: "
            "papers, index, models and answers never leave it."
        )
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        for w in (self.model_label, self.library_label, self.offline_label):
            bar.addPermanentWidget(w)

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
        file.addSeparator()
        action(
            file, "Export conversation as Markdown…", lambda: self.ask.export_markdown(), "Ctrl+E"
        )
        file.addSeparator()
        action(file, "Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = self.menuBar().addMenu("&Edit")
        action(edit, "Copy answer", self.ask.copy_answer, "Ctrl+Shift+C")
        action(edit, "Settings…", self.open_settings, "Ctrl+,")
        ask = self.menuBar().addMenu("&Ask")
        action(ask, "New conversation", self.new_conversation, QKeySequence.StandardKey.New)
        action(ask, "Focus question", lambda: self.ask.question.setFocus(), "Ctrl+L")
        action(ask, "Stop answering", self.ask.stop, "Esc")
        ext = self.menuBar().addMenu("E&xtract")
        action(ext, "Ask view", lambda: self.tabs.setCurrentWidget(self.ask), "Ctrl+1")
        action(ext, "Extract view", lambda: self.tabs.setCurrentWidget(self.extract), "Ctrl+2")
        ext.addSeparator()
        action(ext, "Run extraction", self.run_extraction, "Ctrl+Shift+R")
        action(ext, "Stop extraction", self.extract.cancel)
        action(ext, "Export table…", lambda: self.extract.choose_export())
        help_ = self.menuBar().addMenu("&Help")
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
        self.ask.stop()
        self.extract.cancel()
        self.ingest.cancel()
        self.statusBar().showMessage("Stopping…")
        self.backend.close()
        super().closeEvent(event)

    # ------------------------------------------------------------ reactions
    def _on_snapshot(self, snap: Snapshot) -> None:
        self.papers.set_papers(snap.papers)
        self.extract.set_papers(snap.papers)
        self.conversations.set_items(snap.conversations)
        self.history.select(self.ask.conversation_id)
        n = len(snap.papers)
        self.library_label.setText(f"{n} paper{'s' if n != 1 else ''} · {snap.pages} pages")
        self.ask.set_welcome(model=self.backend.model_name, papers=n)
        if self._model_state[0] in ("", "loading") and not self._model_state[1]:
            self._on_model_state(self._model_state[0] or "idle", snap.model or "")

    def _on_model_state(self, state: str, text: str) -> None:
        self._model_state = (state, text)
        label = self.model_label
        label.setObjectName("modelError" if state == "error" else "")
        label.style().unpolish(label)
        label.style().polish(label)
        if state == "error":
            label.setText("Model: not loaded")
            label.setToolTip(text)
            self.statusBar().showMessage(f"Model problem: {text}", 15000)
            return
        label.setToolTip("Change it in Settings (Ctrl+,) or drop a .gguf file on the window")
        if state == "loading":
            label.setText(f"Model: {text} (loading…)" if text else "Model: loading…")
        else:
            label.setText(f"Model: {text}" if text else "Model: none — add a .gguf")
        if state == "ready":
            self.ask.set_welcome(model=text, papers=len(self.papers.papers))

    def _library_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Library problem: {message}")
        if not self._warned:  # one dialog, not one per refresh
            self._warned = True
            QMessageBox.warning(self, "Lantern cannot read the library", message)

    def show_source(self, path: Path, page: int, quote: str, title: str) -> None:
        self.viewer.show()
        if self.split.sizes()[2] < 200:
            sizes = self.split.sizes()
            self.split.setSizes([sizes[0], max(sizes[1] - 480, 400), 480])
        if not self.viewer.open(Path(path), page, quote, title):
            self.statusBar().showMessage(self.viewer.notice.text(), 10000)

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
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Add papers or a model",
            str(Path.home()),
            "PDFs and GGUF models (*.pdf *.gguf);;PDF files (*.pdf);;GGUF models (*.gguf)",
        )
        paths = [Path(f) for f in files]
        self.add_dropped(
            [p for p in paths if p.suffix.lower() != ".gguf"],
            [p for p in paths if p.suffix.lower() == ".gguf"],
        )

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Add every PDF in a folder", str(Path.home())
        )
        if folder:
            self.ingest.add([Path(folder)])

    def open_conversation(self, conversation_id: str) -> None:
        if self.ask.busy() or conversation_id == self.ask.conversation_id:
            return
        self.backend.conversation(
            conversation_id,
            result=lambda answers: self.ask.show_conversation(conversation_id, answers),
        )

    def new_conversation(self) -> None:
        self.ask.new_conversation()
        self.history.select(None)

    def delete_conversation(self, conversation_id: str) -> None:
        if conversation_id == self.ask.conversation_id:
            self.ask.new_conversation()
        self.backend.delete_conversation(conversation_id)

    def open_settings(self) -> None:
        dialog = SettingsDialog(
            settings=self.backend.settings, models=find_models(self.backend.settings), parent=self
        )
        if dialog.exec():
            self.backend.apply(dialog.changes())

    def about(self) -> None:
        import html

        from core.about import provenance  # version, llama.cpp flags, models and sha256

        facts = "<br>".join(html.escape(line) for line in provenance(self.backend.settings).lines())
        QMessageBox.about(
            self,
            "About Lantern",
            "<h3>Lantern</h3><p>Ask questions about your papers and get answers that "
            "cite the paper, page and exact words.</p><p>Everything runs on this "
            f"computer: no account, no network.</p><p><small>{facts}</small></p>",
        )
