"""The desktop's one door to core: every Library call runs as an operation on the JobRunner.

An operation (``Backend.op``) is a function of the open Library and a cancel event, run as
one job, that declares what it changes (``Changes``). When it ends, the backend announces
those changes and re-reads only them (Anki's ``CollectionOp`` and ``operation_did_execute``),
so a question asked re-reads the history, not every paper. Widgets call ``op`` on the GUI
thread and get callbacks on the GUI thread; the Library itself is opened, used and closed
only by jobs (one at a time), never by a widget. Settings are replaced, as a whole, on the
GUI thread only; a job gets the new object passed in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Flag, StrEnum, auto
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from core import Library, RemoteGenerator, Settings
from core.types import Conversation, Embedded, Paper
from desktop.workers import Job, JobRunner

T = TypeVar("T")
# A callback's return value is ignored (a lambda may return what its last call returns).
Callback = Callable[[Any], object] | None


class ModelState(StrEnum):
    """What the chat model is doing, as ``Backend.modelState`` reports it."""

    IDLE = "idle"  # nothing reported yet: the window shows the model's name from the library
    LOADING = "loading"
    READY = "ready"
    ERROR = "error"


class Changes(Flag):
    """What an operation changes; the views re-read only these when it ends."""

    NONE = 0
    PAPERS = auto()  # papers added or removed: the library table, counts, Extract's rows
    CONVERSATIONS = auto()  # the history list
    MODEL = auto()  # the chat model (name, loaded or not)
    SETTINGS = auto()
    CELLS = auto()  # stored extraction cells


@dataclass(frozen=True)
class Snapshot:
    """What the window shows about the library, read in one job; None: not re-read."""

    papers: list[Paper] | None
    conversations: list[Conversation] | None
    model: str | None
    # the sample papers that "All papers" leaves out (the user has papers of their own)
    hidden_samples: tuple[str, ...] = ()
    # (done, total) of the vector index's rebuild in the background, after removals
    compaction: tuple[int, int] | None = None
    # papers searchable by their words only: their vectors are still to be computed
    unindexed: frozenset[str] = frozenset()


# What an operation may not change under a running extraction's cells (by default).
_NO_INTERLEAVE = Changes.SETTINGS | Changes.MODEL


class Backend(QObject):
    """Owns the Settings, the (lazily opened) Library and the runner its jobs run on."""

    snapshot = Signal(object)  # Snapshot, after an operation changed papers or history
    modelState = Signal(str, str)  # (ModelState, model name or why it failed)
    problem = Signal(str)  # a background error worth a line in the status bar
    libraryFailed = Signal(str)  # the library cannot be read at all (locked, damaged, ...)
    indexed = Signal(str)  # doc_id: a paper's vectors are saved (it was searchable before)

    def __init__(
        self,
        settings: Settings,
        *,
        settings_path: Path | None = None,
        open_library: Callable[[Settings], Library] = Library,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.settings = settings  # replaced (never changed) on the GUI thread
        self.settings_path = settings_path
        self._open_library = open_library  # tests pass one that shares already loaded models
        self.runner = JobRunner(self)
        self._library: Library | None = None  # touched only inside jobs (and after shutdown)
        self.model_name: str | None = None
        self._embedding: Job | None = None  # the job computing vectors, while one runs
        self._embedding_failed = False  # not retried until papers are added again

    # ------------------------------------------------------------ plumbing
    def _lib(self) -> Library:
        """The open Library; opened by the first job that needs it (worker thread only)."""
        if self._library is None:
            self._library = self._open_library(self.settings)
        return self._library

    def op(
        self,
        name: str,
        work: Callable[[Library, threading.Event], T],
        *,
        changes: Changes = Changes.NONE,
        progress: Callback = None,
        result: Callable[[T], object] | None = None,
        error: Callable[[str], object] | None = None,
        finished: Callable[[], object] | None = None,
        pausable: bool = False,
        interleave: bool | None = None,
    ) -> Job:
        """Run ``work(library, cancel)`` after the jobs already queued; it may return a value
        of type T (to ``result``, typed: Anki's ``CollectionOp[T]``) or be a generator of
        progress events (to ``progress``; ``result`` then gets its return value). When it ends,
        however it ends, what ``changes`` names is re-read (papers, history) and ``snapshot``
        brings it to the views.

        A ``pausable`` operation (an extraction) lets the queued ones that may ``interleave``
        run at its yields: by default all but those changing settings or the model (adding
        papers is fine: an extraction plans its cells at the start; removing is not)."""

        def ended() -> None:
            try:
                if finished is not None:
                    finished()
            finally:
                if changes & (Changes.PAPERS | Changes.CONVERSATIONS):
                    self.refresh(changes)

        return self.runner.submit(
            lambda cancel: work(self._lib(), cancel),
            name=name,
            progress=progress,
            result=result,
            error=error or self.problem.emit,
            finished=ended,
            interleave=not changes & _NO_INTERLEAVE if interleave is None else interleave,
            pausable=pausable,
        )

    def close(self, msecs: int = 30_000) -> bool:
        """Cancel and wait for every job, then close the Library (it frees the models)."""
        ok = self.runner.shutdown(msecs)
        if ok and self._library is not None:
            self._library.close()
            self._library = None
        return ok

    # ------------------------------------------------------------ reading
    def refresh(self, what: Changes = Changes.PAPERS | Changes.CONVERSATIONS) -> Job:
        """Read the papers and/or the history (and the model's name); emits ``snapshot``."""

        def read(lib: Library, cancel: threading.Event) -> Snapshot:
            papers = what & Changes.PAPERS
            return Snapshot(
                lib.papers() if papers else None,
                lib.conversations() if what & Changes.CONVERSATIONS else None,
                lib.model_name,
                tuple(lib.hidden_samples()) if papers else (),
                lib.compaction() if papers else None,
                frozenset(lib.unindexed()) if papers else frozenset(),
            )

        def done(snap: Snapshot) -> None:
            if self.model_name is None:
                self.model_name = snap.model
            self.snapshot.emit(snap)
            if snap.unindexed:  # at start (an earlier run's), and after papers were added
                self.embed()

        return self.op("refresh", read, result=done, error=self.libraryFailed.emit)

    # ------------------------------------------------------------ writing
    def add(
        self, paths: list[Path] | None, *, zotero: Path | None = None, **callbacks: Any
    ) -> Job:
        """Ingest PDFs/folders, or with ``zotero`` that Zotero data folder's PDFs (None: the
        built-in samples, if missing); ``progress`` receives core's IngestEvents."""
        found = [Path(p) for p in paths or ()]

        def run(lib: Library, cancel: threading.Event) -> Iterator[Any]:
            # searchable first: the vectors follow in embed(), which questions interleave
            if zotero is not None:
                return lib.add_zotero(zotero, cancel=cancel, wait=False)
            if paths is None:
                return _cancellable(lib.add_samples(), cancel)
            return lib.add(found, cancel=cancel, wait=False)

        self._embedding_failed = False
        return self.op("ingest", run, changes=Changes.PAPERS, **callbacks)

    def embed(self) -> Job | None:
        """Compute the vectors of the papers searchable by their words only, unless a job
        already does (or failed since the last add). Pausable: a question asked meanwhile runs
        between two batches and says it searched those papers by keyword."""
        if self._embedding is not None or self._embedding_failed:
            return None

        def progress(event: Any) -> None:
            if isinstance(event, Embedded):
                self.indexed.emit(event.doc_id)

        def failed(message: str) -> None:
            self._embedding_failed = True
            self.problem.emit(f"Computing the papers' vectors failed: {message}")

        def ended() -> None:
            self._embedding = None

        self._embedding = self.op("embed", lambda lib, cancel: lib.embed(cancel=cancel),
                                  changes=Changes.PAPERS, progress=progress, error=failed,
                                  finished=ended, pausable=True)
        return self._embedding

    # ------------------------------------------------------------ the model and settings
    def load_model(self) -> Job:
        """Load the chat model in the background; ``modelState`` reports how it went."""
        self.modelState.emit(ModelState.LOADING, self.model_name or "")
        return self.op(
            "model",
            lambda lib, cancel: lib.load_model(),
            changes=Changes.MODEL,
            result=self._model_ready,
            error=self._model_failed,
        )

    def apply(self, settings: Settings) -> Job:
        """Use and save new settings (from the settings dialog); reload the model in the
        background if anything it depends on changed."""
        old, self.settings = self.settings, settings
        reload = settings.llm != old.llm or settings.remote != old.remote

        def run(lib: Library, cancel: threading.Event) -> str | None:
            lib.use_settings(settings)  # drops the model if its settings changed
            settings.save(self.settings_path)
            return lib.load_model() if reload else None

        if reload:
            if settings.remote.enabled:
                name = RemoteGenerator(settings.remote).name
            else:
                path = settings.llm.model_path
                # the same model as before, unless this switches away from the server
                kept = "" if settings.remote != old.remote else self.model_name or ""
                name = path.name if path else kept
            self.modelState.emit(ModelState.LOADING, name)
        return self.op(
            "model",
            run,
            changes=Changes.SETTINGS | (Changes.MODEL if reload else Changes.NONE),
            result=self._model_ready,
            error=self._model_failed,
        )

    def switch_model(self, path: Path | None) -> Job:
        """Use another GGUF from now on (None: the default; not the model server), keeping
        the other settings."""
        return self.apply(
            self.settings.replace(
                llm={"model_path": Path(path) if path else None}, remote={"enabled": False}
            )
        )

    def _model_ready(self, name: str | None) -> None:
        if not name:  # the settings changed nothing the model depends on
            return
        self.model_name = name
        self.modelState.emit(ModelState.READY, name)

    def _model_failed(self, message: str) -> None:
        self.modelState.emit(ModelState.ERROR, message)

    def add_model_folder(self, path: Path) -> None:
        """Make a dropped GGUF's folder one the model picker searches (saved at once)."""
        folder = path.resolve().parent
        if folder not in [d.resolve() for d in self.settings.models_dirs]:
            self.settings = self.settings.replace(models_dirs=[*self.settings.models_dirs, folder])
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


__all__ = ["Backend", "Changes", "ModelState", "Snapshot"]
