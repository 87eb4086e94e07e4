"""The Library: one folder holding a paper collection, its index and its history.

The one front door of the engine: the CLI and the desktop call these methods, never the rooms
behind them. Opening the store builds the library's parts once (core.parts.Parts: the store,
the vector index, the catalogue, the models' lifetimes, the locks); the rooms that work on them
take the parts and are made on first use: adding papers (core.ingest.pipeline), asking and the
history (core.asking.Asker), extraction (core.extract.Extractor, given the Asker), the samples
(core.samples) and repair (core.repair).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from core import repair, samples
from core.chat_models import ChatModel
from core.embed import Embedder, SentenceTransformerEmbedder
from core.folder import DB_NAME, EMBEDDER_MARK, STATE_DIR, Release, WriteLock, open_folder
from core.ingest import background as embedder_process
from core.library_papers import LibraryPapers
from core.llm import Generator
from core.parts import Parts
from core.repair import recover_on_open
from core.settings import NEW_LIBRARY_PIECES, OLD_LIBRARY_PIECES, RemoteSettings, Settings
from core.store import Store
from core.types import (
    Answer,
    AnswerEvent,
    BatchFinished,
    Conversation,
    DoctorReport,
    Evidence,
    ExtractEvent,
    IngestEvent,
    Progress,
    Row,
)

if TYPE_CHECKING:  # imported when first used: listing papers needs neither (start-up time)
    from core.asking import Asker
    from core.extract import Extractor
    from core.ingest.pipeline import IngestPipeline
    from core.questionsets import QuestionSet


PIECES_KEY = "embedding.max_pieces"


def embedding_cut(settings: Settings, store: Store, root: Path) -> Settings:
    """`settings` with the word pieces of a text that this library embeds, when they leave it
    to the library (EmbeddingSettings.max_pieces None): what the library recorded; else
    OLD_LIBRARY_PIECES for a library whose papers or vectors came before the setting (their
    vectors are kept, never computed again), NEW_LIBRARY_PIECES for a new one. Recorded on first open, so
    that papers added later are embedded as the first ones were."""
    if settings.embedding.max_pieces is not None:
        return settings
    try:
        recorded = store.meta(PIECES_KEY)
        old = store.has_papers()
    except sqlite3.Error:  # a damaged database (opened for doctor): go by the index's files
        recorded, old = None, False
    if recorded is None:
        def index_exists(pieces: int) -> bool:
            key = settings.replace(embedding={"max_pieces": pieces}).index_key()
            return any(root.glob(f"vectors-{key}.*"))

        old = (old or index_exists(OLD_LIBRARY_PIECES)) and not index_exists(NEW_LIBRARY_PIECES)
        pieces = OLD_LIBRARY_PIECES if old else NEW_LIBRARY_PIECES
        if not store.read_only:
            with contextlib.suppress(sqlite3.Error):
                store.set_meta(PIECES_KEY, pieces)
    else:
        pieces = int(recorded)
    return settings.replace(embedding={"max_pieces": pieces})


class Library(LibraryPapers):
    """Papers, pages and chunks in SQLite; vectors in hnswlib; models loaded lazily.

    One job at a time touches the index and the models (an in-process lock), and one process
    at a time writes (a file lock); readers in other processes keep working.
    """

    def __init__(
        self, settings: Settings | None = None, *, embedder: Embedder | None = None,
        generator: Generator | None = None, verbose: bool = False, repair: bool = False,
    ) -> None:
        """`repair`: open a library whose database is damaged (for doctor(), which rebuilds
        it); otherwise that raises LibraryDamagedError. Models passed in belong to the caller
        (e.g. shared by tests): they are used, never closed."""
        self.settings = settings or Settings.load()
        self.root = open_folder(Path(self.settings.library).expanduser())
        self.verbose = verbose
        self._lock = threading.RLock()
        self._writes = WriteLock(self.root)
        self.read_only = self._writes.read_only  # why it cannot be written; None if it can
        store = Store(self.root / DB_NAME, read_only=bool(self.read_only))
        if not repair:
            store.raise_if_damaged()
        self.settings = embedding_cut(self.settings, store, self.root)
        self._owns_embedder = embedder is None
        self.embedder = embedder or SentenceTransformerEmbedder(self.settings.embedding)
        self._chat = ChatModel(self.settings, generator,
                               state_dir=None if self.read_only else self.root / STATE_DIR)
        # what the user should be told: found on open, then as it happens (on_notice)
        self.notices: list[str] = []
        self.on_notice: Callable[[str], None] | None = None
        self._open(store)
        # Undo what an interrupted run left half-done (cheap); tell the user what was found.
        self.notices += recover_on_open(self._parts)  # `repair` is the argument here

    def _open(self, store: Store) -> None:
        """Build the parts over `store` (at open, and after doctor rebuilt a damaged database)."""
        self._parts = Parts.over(store, self.root, self.embedder, self._chat,
                                 lambda: self.settings, self._lock, self._writes,
                                 read_only=bool(self.read_only), notify=self._notice)
        self.index = self._parts.index
        # the rooms made on first use (below) are made again for the new parts
        if (ingest := self.__dict__.pop("_ingest", None)) is not None:
            ingest.close()  # stops the old one's reader process
        self.__dict__.pop("_asker", None)
        self.__dict__.pop("_extractor", None)

    def _notice(self, text: str) -> None:
        self.notices.append(text)
        if self.on_notice is not None:
            self.on_notice(text)

    @cached_property
    def _ingest(self) -> IngestPipeline:
        """Adding and removing papers, made on first use (it imports the PDF reader's code)."""
        from core.ingest.pipeline import IngestPipeline

        parts = self._parts
        return IngestPipeline(parts.store, parts.index, parts.embedder, self.settings, parts.lock,
                              verbose=self.verbose)

    @cached_property
    def _asker(self) -> Asker:
        """Asking and the history, made on first use (it imports retrieval and grounding)."""
        from core.asking import Asker

        return Asker(self._parts)

    @cached_property
    def _extractor(self) -> Extractor:
        """Extraction, made on first use over the same parts and Asker."""
        from core.extract import Extractor

        return Extractor(self._parts, self._asker)

    # ------------------------------------------------------------ lifetime
    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the reader process, flush the index, free our models, close the database."""
        with self._lock:
            if "_ingest" in self.__dict__:  # made: its reader process may run
                self._ingest.close()
            self._parts.index.close()
            self._chat.close()
            close = getattr(self.embedder, "close", None)
            if close and self._owns_embedder:
                close()
            self._parts.store.close()

    def writing(self) -> Release:
        """Context manager: hold the library's write lock (adding, removing, a long extraction)
        or raise LibraryLockedError saying another process has it."""
        return self._writes.writing()

    # ------------------------------------------------------------ adding and removing
    def add(
        self, paths: Iterable[Path | str], *, cancel: threading.Event | None = None,
        wait: bool = True,
    ) -> Iterator[IngestEvent]:
        """Add PDFs (files or folders); files of an interrupted batch are picked up too. Every
        paper is searchable by its words once its FileResult is out; with `wait` their vectors
        are computed next (Embedded events, then BatchFinished), else embed() does that
        (`lantern index`)."""
        with self.writing():
            yield from self._ingest.add(paths, cancel or threading.Event(), embed=wait)

    def embed(self, *, cancel: threading.Event | None = None, background: bool = False,
              after: int | None = None) -> Iterator[IngestEvent]:
        """Compute the vectors of the papers that are searchable by their words only (added
        without waiting, an interrupted run, a changed embedding model), one Embedded event
        per paper; a cancel or a crash keeps every paper done and searchable. `background`:
        this process is the background embedder, which gives way to any other writer
        (LibraryLockedError if one writes now; it stops when one asks); `after`: see
        core.ingest.background.embed_while_adding."""
        cancel = cancel or threading.Event()
        if after is not None:
            embedder_process.embed_while_adding(self._ingest, after)
        # the background one waits out a reader's moment of recovery on open (lantern list)
        lock = self._writes.writing(make_room=not background, wait_s=10.0 if background else 0.0)
        with lock, self._writes.as_embedder(cancel) if background else contextlib.nullcontext():
            yield from self._ingest.embed_pending(cancel)

    def unindexed(self, papers: Iterable[str] | None = None) -> list[str]:
        """The papers (of `papers`, if given) searchable by their words only: no vectors yet."""
        with self._lock:
            return self._parts.index.unindexed(papers)

    def embed_in_background(self, *, after_this: bool = False) -> int:
        """Start a detached process that computes the missing vectors (`lantern index
        --background`, core.ingest.background); its pid. `after_this`: see background.start."""
        return embedder_process.start(self.root, after=os.getpid() if after_this else None)

    @property
    def embedding_in_background(self) -> bool:
        """Whether a background embedder (`lantern index --background`) is at work on this
        library now (its mark; after a kill -9 the mark stays until the next one starts)."""
        return (self.root / EMBEDDER_MARK).exists()

    @property
    def owns_embedder(self) -> bool:
        """Whether the embedder was made from the settings (not passed in): another process
        (the background embedder) would then make the same one."""
        return self._owns_embedder

    def add_zotero(
        self, data_dir: Path | str | None = None, *, base_dir: Path | str | None = None,
        cancel: threading.Event | None = None, wait: bool = True,
    ) -> Iterator[IngestEvent]:
        """Import the PDFs of a Zotero library (default ~/Zotero) with Zotero's metadata; a
        second import reads only new or changed files and updates changed metadata. `wait`
        as for add()."""
        from core.ingest.zotero_import import import_library

        cancel = cancel or threading.Event()
        events = import_library(data_dir, base_dir, self._ingest.add_one, self._parts.sources,
                                cancel)
        with self.writing(), self._ingest.batch():
            for event in events:
                if isinstance(event, BatchFinished) and wait and not event.cancelled:
                    yield from self._ingest.embed_pending(cancel)  # BatchFinished comes last
                yield event

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Delete papers from SQLite and the vector index; return the ids removed."""
        ids = self._parts.catalog.ids(list(doc_ids))
        with self.writing():
            self._ingest.remove(ids)
        return ids

    def remove_samples(self) -> list[str]:
        """Remove the sample papers (they are not added again); return the ids removed."""
        return sorted(self.remove(self._parts.catalog.sample_ids()))

    def add_samples(self, *, cancel: threading.Event | None = None) -> Iterator[IngestEvent]:
        """Add the sample papers once (a user who removes them keeps them removed)."""
        paths = samples.to_add(self._parts)
        if not paths:
            return
        finished = None
        for finished in self.add(paths, cancel=cancel):
            yield finished
        if isinstance(finished, BatchFinished) and not finished.cancelled:
            samples.mark_added(self._parts)

    # ------------------------------------------------------------ models and settings
    @property
    def generator(self) -> Generator:
        return self._chat.generator

    @property
    def model_name(self) -> str | None:
        """The chat model's name without loading it; None when there is no model."""
        return self._chat.name

    def load_model(self) -> str:
        """Load the chat model now (e.g. in the background at start-up); return its name."""
        with self._lock:
            return self._chat.load()

    def set_model(self, path: Path | None) -> None:
        """Use another GGUF from now on (loaded on next use)."""
        self.use_settings(self.settings.replace(llm={"model_path": Path(path) if path else None}))

    def set_remote(self, remote: RemoteSettings) -> None:
        """Answer with this model server from now on (not enabled: the built-in model)."""
        self.use_settings(self.settings.replace(remote=remote))

    def use_settings(self, settings: Settings) -> None:
        """Use these settings from now on, replacing the old ones as a whole. The library
        folder, embedding and chunking must stay: they shape what is stored (open another
        Library for those). A changed model section drops the loaded model (reloaded on use)."""
        settings = embedding_cut(settings, self._parts.store, self.root)  # as at open
        self.settings.check_change_while_open(settings)
        with self._lock:
            self.settings = settings
            self._chat.use(settings)

    # ------------------------------------------------------------ asking (core.asking)
    def search(
        self, question: str, *, papers: Sequence[str] | None = None, k: int | None = None
    ) -> list[Evidence]:
        """The passages that best answer a question, best first; see Asker.search."""
        return self._asker.search(question, papers=papers, k=k)

    def ask(
        self, question: str, *, papers: Sequence[str] | None = None, k: int | None = None,
        use_llm: bool = True, auto_scope: bool = True, cancel: threading.Event | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[AnswerEvent]:
        """Retrieve evidence, stream the model's draft, then check it; see Asker.ask."""
        return self._asker.ask(question, papers=papers, k=k, use_llm=use_llm,
                               auto_scope=auto_scope, cancel=cancel,
                               conversation_id=conversation_id)

    @staticmethod
    def new_conversation_id() -> str:
        from core.asking import Asker

        return Asker.new_conversation_id()

    def conversations(self) -> list[Conversation]:
        return self._asker.conversations()

    def conversation(self, conversation_id: str) -> list[Answer]:
        return self._asker.conversation(conversation_id)

    def delete_conversation(self, conversation_id: str) -> None:
        self._asker.delete_conversation(conversation_id)

    # ------------------------------------------------------------ extracting (core.extract)
    def extract(
        self, qset: QuestionSet, papers: Sequence[str] | None = None, *, use_llm: bool = True,
        force: bool = False, cancel: threading.Event | None = None,
    ) -> Iterator[ExtractEvent]:
        """Answer a question set for papers, cell by cell; see core.extract.extract."""
        return self._extractor.extract(qset, papers, use_llm=use_llm, force=force, cancel=cancel)

    def extract_estimate(
        self, qset: QuestionSet, papers: Sequence[str] | None = None, *, use_llm: bool = True,
        force: bool = False,
    ) -> tuple[int, float | None]:
        """The cells a run would compute and their seconds; see core.extract.extract_estimate."""
        return self._extractor.estimate(qset, papers, use_llm=use_llm, force=force)

    def extract_table(
        self, qset: QuestionSet, papers: Sequence[str] | None = None, *, use_llm: bool = True,
    ) -> list[Row]:
        """The stored cells, one Row per paper; computes nothing."""
        return self._extractor.table(qset, papers, use_llm=use_llm)

    # ------------------------------------------------------------ checking
    def compaction(self) -> tuple[int, int] | None:
        """(done, total) of the vector index's rebuild running in the background (started when
        more than 30% of its slots are deleted), or None when none runs."""
        return self._parts.index.compaction()

    def finish_compaction(self, progress: Progress | None = None) -> bool:
        """Wait for that rebuild and commit it; progress(done, total). True if one committed."""
        with self.writing(), self._lock:
            return self._parts.index.finish_compaction(progress)

    def doctor(self, *, compact: bool = False, progress: Progress | None = None) -> DoctorReport:
        """Check every page of the database, then SQLite against the vector index; repair what
        can be, report. A damaged database is rebuilt: its papers are added again from their
        files (repair.rebuild_database). `compact`: also rebuild the vector index without its
        deleted slots; `progress(done, total)`."""
        rebuilt = repair.rebuild_if_damaged(self._parts)
        readded = None
        if rebuilt is not None:
            self._open(rebuilt.store)  # and add its queued papers again from their files
            if rebuilt.store.pending():
                readded = next(e for e in list(self.add([])) if isinstance(e, BatchFinished))  # with the vectors
        report = repair.doctor_parts(self._parts, compact=compact, progress=progress)
        return repair.with_rebuild(report, rebuilt, readded) if rebuilt else report
