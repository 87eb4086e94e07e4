"""The desktop's one door to core: each Library call becomes a job on the JobRunner.

Widgets call these methods on the GUI thread and get callbacks on the GUI thread; the
Library itself is opened, used and closed only by jobs (one at a time), never by a widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from core import (
    Library,
    QuestionSet,
    RemoteGenerator,
    RemoteSettings,
    Settings,
    ensure_samples,
)
from desktop.workers import Job, JobRunner

Callback = Callable[[Any], None] | None


@dataclass(frozen=True)
class Snapshot:
    """What the window shows about the library, read in one job."""

    papers: list
    pages: int
    conversations: list
    model: str | None
    # the sample papers that "All papers" leaves out (the user has papers of their own)
    hidden_samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class LlmChanges:
    """The values the settings dialog edits (model_path None: the default model;
    n_threads None: every core)."""

    model_path: Path | None
    n_threads: int | None
    n_gpu_layers: int
    n_ctx: int
    k: int
    remote: RemoteSettings | None = None  # None: as it is


class Backend(QObject):
    """Owns the Settings, the (lazily opened) Library and the runner its jobs run on."""

    snapshot = Signal(object)  # Snapshot, after every change to the library or history
    modelState = Signal(str, str)  # (state: loading|ready|error|none, model name or message)
    problem = Signal(str)  # a background error worth a line in the status bar
    libraryFailed = Signal(str)  # the library cannot be read at all (locked, damaged, ...)

    def __init__(
        self,
        settings: Settings,
        *,
        settings_path: Path | None = None,
        open_library: Callable[[Settings], Library] = Library,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.settings = settings
        self.settings_path = settings_path
        self._open_library = open_library  # tests pass one that shares already loaded models
        self.runner = JobRunner(self)
        self._library: Library | None = None  # touched only inside jobs (and after shutdown)
        self.model_name: str | None = None

    # ------------------------------------------------------------ plumbing
    def _lib(self) -> Library:
        """The open Library; opened by the first job that needs it (worker thread only)."""
        if self._library is None:
            self._library = self._open_library(self.settings)
        return self._library

    def _submit(self, name: str, fn: Callable[[threading.Event], Any], **callbacks: Any) -> Job:
        callbacks.setdefault("error", self.problem.emit)
        return self.runner.submit(fn, name=name, **callbacks)

    def close(self, msecs: int = 30_000) -> bool:
        """Cancel and wait for every job, then close the Library (it frees the models)."""
        ok = self.runner.shutdown(msecs)
        if ok and self._library is not None:
            self._library.close()
            self._library = None
        return ok

    # ------------------------------------------------------------ reading
    def refresh(self) -> Job:
        """Read papers, page count, history and model name; emits ``snapshot``."""

        def read(cancel: threading.Event) -> Snapshot:
            lib = self._lib()
            papers = lib.papers()
            return Snapshot(
                papers, sum(p.pages for p in papers), lib.conversations(), lib.model_name,
                tuple(lib.hidden_samples()),
            )

        def done(snap: Snapshot) -> None:
            if self.model_name is None:
                self.model_name = snap.model
            self.snapshot.emit(snap)

        return self._submit("refresh", read, result=done, error=self.libraryFailed.emit)

    def scope_options(self, *, result: Callback) -> Job:
        """Zotero's collections, tags and citekeys in the library (Library.scope_options)."""
        return self._submit("scope options", lambda c: self._lib().scope_options(), result=result)

    def conversation(self, conversation_id: str, *, result: Callback) -> Job:
        return self._submit(
            "conversation", lambda c: self._lib().conversation(conversation_id), result=result
        )

    # ------------------------------------------------------------ writing
    def add(
        self,
        paths: Iterable[Path],
        *,
        zotero: Path | None = None,
        progress: Callback = None,
        finished: Callable[[], None] | None = None,
        error: Callback = None,
    ) -> Job:
        """Ingest PDFs/folders, or with ``zotero`` that Zotero data folder's PDFs;
        ``progress`` receives core's IngestEvents."""
        paths = [Path(p) for p in paths]

        def run(cancel: threading.Event) -> Iterator[Any]:
            if zotero is not None:
                return self._lib().add_zotero(zotero, cancel=cancel)
            return self._lib().add(paths, cancel=cancel)

        job = self._submit(
            "ingest",
            run,
            progress=progress,
            finished=finished,
            **({"error": error} if error else {}),
        )
        self.refresh()
        return job

    def add_samples(
        self, *, progress: Callback = None, finished: Callable[[], None] | None = None
    ) -> Job:
        """Add the built-in sample papers if they are missing (first start)."""
        job = self._submit(
            "ingest",
            lambda cancel: _cancellable(ensure_samples(self._lib()), cancel),
            progress=progress,
            finished=finished,
        )
        self.refresh()
        return job

    def remove_samples(self) -> Job:
        """Remove the built-in sample papers (they are not added again)."""
        job = self._submit("remove", lambda cancel: self._lib().remove_samples())
        self.refresh()
        return job

    def remove(self, doc_ids: Sequence[str]) -> Job:
        ids = list(doc_ids)
        job = self._submit("remove", lambda cancel: self._lib().remove(ids))
        self.refresh()
        return job

    def delete_conversation(self, conversation_id: str) -> Job:
        job = self._submit(
            "history", lambda cancel: self._lib().delete_conversation(conversation_id)
        )
        self.refresh()
        return job

    # ------------------------------------------------------------ asking
    def ask(
        self,
        question: str,
        *,
        papers: Sequence[str] | None,
        auto_scope: bool = True,
        conversation_id: str | None,
        progress: Callback,
        error: Callback,
        finished: Callable[[], None] | None = None,
    ) -> Job:
        """Stream an answer: Retrieved, Token..., AnswerDone events go to ``progress``."""
        scope = list(papers) if papers else None

        def run(cancel: threading.Event) -> Iterator[Any]:
            lib = self._lib()
            return lib.ask(
                question,
                papers=scope,
                auto_scope=auto_scope,
                k=self.settings.retrieval.k,
                cancel=cancel,
                conversation_id=conversation_id,
            )

        job = self._submit("ask", run, progress=progress, error=error, finished=finished)
        self.refresh()  # the history list gains the new turn
        return job

    # ------------------------------------------------------------ extracting
    def extract_table(
        self,
        qset: QuestionSet,
        papers: Sequence[str] | None,
        *,
        use_llm: bool,
        result: Callback,
        error: Callback = None,
    ) -> Job:
        """Read the stored cells of a question set (computes nothing); ``result`` gets Rows."""
        scope = list(papers) if papers is not None else None
        return self._submit(
            "extract-table",
            lambda cancel: self._lib().extract_table(qset, scope, use_llm=use_llm),
            result=result,
            **({"error": error} if error else {}),
        )

    def extract(
        self,
        qset: QuestionSet,
        papers: Sequence[str] | None,
        *,
        use_llm: bool,
        force: bool,
        progress: Callback,
        error: Callback,
        finished: Callable[[], None] | None = None,
    ) -> Job:
        """Answer a question set; core's Extract events go to ``progress``."""
        scope = list(papers) if papers is not None else None
        return self._submit(
            "extract",
            lambda cancel: self._lib().extract(
                qset, scope, use_llm=use_llm, force=force, cancel=cancel
            ),
            progress=progress,
            error=error,
            finished=finished,
        )

    # ------------------------------------------------------------ the model
    def load_model(self) -> Job:
        """Load the chat model in the background; ``modelState`` reports how it went."""
        self.modelState.emit("loading", self.model_name or "")
        return self._submit(
            "model",
            lambda cancel: self._lib().load_model(),
            result=self._model_ready,
            error=self._model_failed,
        )

    def apply(self, changes: LlmChanges) -> Job:
        """Save the dialog's settings; reload the model if anything it depends on changed."""
        llm = self.settings.llm
        remote = changes.remote if changes.remote != self.settings.remote else None
        reload = remote is not None or (
            changes.model_path, changes.n_threads, changes.n_gpu_layers, changes.n_ctx
        ) != (llm.model_path, llm.n_threads, llm.n_gpu_layers, llm.n_ctx)

        def run(cancel: threading.Event) -> str | None:
            lib = self._lib()
            # Assign on the same Settings object the Library reads (validate_assignment=True).
            lib.settings.retrieval.k = changes.k
            lib.settings.llm.n_threads = changes.n_threads
            lib.settings.llm.n_gpu_layers = changes.n_gpu_layers
            lib.settings.llm.n_ctx = changes.n_ctx
            if remote is not None:
                lib.set_remote(remote)
            if reload:  # set_model stores model_path in the settings and drops the old model
                lib.set_model(changes.model_path)
            self.settings.save(self.settings_path)
            return lib.load_model() if reload else None

        if reload:
            now = remote if remote is not None else self.settings.remote
            if now.enabled:
                name = RemoteGenerator(now).name
            else:
                # the same model as before, unless this switches away from the server
                kept = "" if remote is not None else self.model_name or ""
                name = changes.model_path.name if changes.model_path else kept
            self.modelState.emit("loading", name)
        return self._submit(
            "model",
            run,
            result=lambda name: name and self._model_ready(name),
            error=self._model_failed,
        )

    def switch_model(self, path: Path) -> Job:
        """Use another GGUF from now on (not the model server), keeping the other settings."""
        llm = self.settings.llm
        return self.apply(
            LlmChanges(
                Path(path), llm.n_threads, llm.n_gpu_layers, llm.n_ctx, self.settings.retrieval.k,
                remote=self.settings.remote.model_copy(update={"enabled": False}),
            )
        )

    def _model_ready(self, name: str) -> None:
        self.model_name = name
        self.modelState.emit("ready", name)

    def _model_failed(self, message: str) -> None:
        self.modelState.emit("error", message)

    def add_model_folder(self, path: Path) -> None:
        """Make a dropped GGUF's folder one the model picker searches (saved at once)."""
        folder = path.resolve().parent
        if folder not in [d.resolve() for d in self.settings.models_dirs]:
            self.settings.models_dirs = [*self.settings.models_dirs, folder]
        try:
            self.settings.save(self.settings_path)
        except OSError as exc:
            self.problem.emit(f"Could not save settings: {exc}")


def _cancellable(events: Iterator[Any], cancel: threading.Event) -> Iterator[Any]:
    """Forward events; stop asking for more once cancelled (core cleans up in `finally`)."""
    for event in events:
        yield event
        if cancel.is_set():
            break


__all__ = ["Backend", "LlmChanges", "Snapshot"]
