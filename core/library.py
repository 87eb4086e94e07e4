"""The Library: one folder holding a paper collection, its index and its history.

A facade over the rooms that do the work: the folder and its write lock (core.folder), the
store and the vector index, adding papers (core.ingest.pipeline), the catalogue of papers and
scopes (core.catalog), asking and the history (core.asking), the chat model's lifetime
(core.chat_models.ChatModel), extraction (core.extract) and repair (core.repair).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Generator as Stream
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import repair
from core.catalog import Catalog
from core.chat_models import ChatModel
from core.embed import Embedder, SentenceTransformerEmbedder
from core.folder import DB_NAME, Release, WriteLock, open_folder
from core.llm import Generator
from core.repair import recover_on_open
from core.settings import RemoteSettings, Settings
from core.sources import Sources
from core.store import Store
from core.types import (
    Answer,
    AnswerEvent,
    Conversation,
    DoctorReport,
    Evidence,
    ExtractEvent,
    IngestEvent,
    Paper,
    Progress,
    Row,
)
from core.vectors.library_index import LibraryIndex

if TYPE_CHECKING:  # imported when first used: listing papers needs neither (start-up time)
    from core.answer import Grounded
    from core.asking import Asker
    from core.ingest.pipeline import IngestPipeline
    from core.questionsets import QuestionSet


class Library:
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
        self._owns_embedder = embedder is None
        self.embedder = embedder or SentenceTransformerEmbedder(self.settings.embedding)
        self._chat = ChatModel(self.settings, generator)
        # what the user should be told: found on open, then as it happens (on_notice)
        self.notices: list[str] = []
        self.on_notice: Callable[[str], None] | None = None
        self._use_store(store)
        # Undo what an interrupted run left half-done (cheap); tell the user what was found.
        self.notices += recover_on_open(store, self.index, self._writes.try_writing, self._lock)

    def _use_store(self, store: Store) -> LibraryIndex:
        """Work on `store` (at open, and after doctor rebuilt a damaged database); its index."""
        self.store = store
        self.sources = Sources(store)
        self.index = LibraryIndex(self.root, store, self.embedder, self.settings,
                                  try_writing=self._writes.try_writing, notify=self._notice)
        self.catalog = Catalog(store, self.sources, self.root)
        # the rooms made on first use (below) are made again for the new store
        if (ingest := self.__dict__.pop("_ingest", None)) is not None:
            ingest.close()  # stops the old one's reader process
        self.__dict__.pop("_asker", None)
        return self.index

    def _notice(self, text: str) -> None:
        self.notices.append(text)
        if self.on_notice is not None:
            self.on_notice(text)

    @cached_property
    def _ingest(self) -> IngestPipeline:
        """Adding and removing papers, made on first use (it imports the PDF reader's code)."""
        from core.ingest.pipeline import IngestPipeline

        return IngestPipeline(self.store, self.index, self.embedder, self.settings, self._lock,
                              verbose=self.verbose)

    @cached_property
    def _asker(self) -> Asker:
        """Asking and the history, made on first use (it imports retrieval and grounding)."""
        from core.asking import Asker

        return Asker(self.store, self.index, self.embedder, self.catalog, self._chat,
                     lambda: self.settings, self._lock, read_only=bool(self.read_only))

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
            self.index.close()
            self._chat.close()
            close = getattr(self.embedder, "close", None)
            if close and self._owns_embedder:
                close()
            self.store.close()

    def writing(self) -> Release:
        """Context manager: hold the library's write lock (adding, removing, a long extraction)
        or raise LibraryLockedError saying another process has it."""
        return self._writes.writing()

    # ------------------------------------------------------------ papers (core.catalog)
    def papers(self) -> list[Paper]:
        return self.catalog.papers()

    def paper(self, doc_id: str) -> Paper:
        """The paper with this id or unique prefix; PaperNotFoundError if none."""
        return self.catalog.paper(doc_id)

    def scope(
        self, question: str, papers: Sequence[str] | None = None, *, auto_scope: bool = True
    ) -> tuple[list[str] | None, str]:
        """The papers a question is asked of and the name it used for them; see Catalog.scope."""
        return self.catalog.scope(question, papers, auto_scope=auto_scope)

    def page_text(self, doc_id: str, page: int) -> str | None:
        return self.store.page_text(doc_id, page)

    # ------------------------------------------------------------ adding and removing
    def add(
        self, paths: Iterable[Path | str], *, cancel: threading.Event | None = None
    ) -> Iterator[IngestEvent]:
        """Add PDFs (files or folders); files of an interrupted batch are picked up too."""
        with self.writing():
            yield from self._ingest.add(paths, cancel or threading.Event())

    def add_zotero(
        self, data_dir: Path | str | None = None, *, base_dir: Path | str | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[IngestEvent]:
        """Import the PDFs of a Zotero library (default ~/Zotero) with Zotero's metadata; a
        second import reads only new or changed files and updates changed metadata."""
        from core.ingest.zotero_import import import_library

        events = import_library(data_dir, base_dir, self._ingest.add_one, self.sources,
                                cancel or threading.Event())
        with self.writing():
            yield from events

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Delete papers from SQLite and the vector index; return the ids removed."""
        ids = self.catalog.ids(list(doc_ids))
        with self.writing():
            self._ingest.remove(ids)
        return ids

    def remove_samples(self) -> list[str]:
        """Remove the sample papers (they are not added again); return the ids removed."""
        return sorted(self.remove(self.catalog.sample_ids()))

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

    def generate(
        self, question: str, evidence: Sequence[Evidence], *, max_tokens: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Stream[str, None, Grounded]:
        """Stream a draft from `evidence`, then return it checked; see Asker.generate."""
        return self._asker.generate(question, evidence, max_tokens=max_tokens, cancel=cancel)

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
    def extract(self, qset: QuestionSet, papers: Sequence[str] | None = None,
                **options: Any) -> Iterator[ExtractEvent]:
        """Answer a question set for papers, cell by cell; see core.extract.extract."""
        from core.extract import extract

        return extract(self, qset, papers, **options)

    def extract_estimate(self, qset: QuestionSet, papers: Sequence[str] | None = None,
                         **options: Any) -> tuple[int, float | None]:
        """The cells a run would compute and their seconds; see core.extract.extract_estimate."""
        from core.extract import extract_estimate

        return extract_estimate(self, qset, papers, **options)

    def extract_table(self, qset: QuestionSet, papers: Sequence[str] | None = None,
                      **options: Any) -> list[Row]:
        """The stored cells, one Row per paper; see core.extract.extract_table."""
        from core.extract import extract_table

        return extract_table(self, qset, papers, **options)

    # ------------------------------------------------------------ checking
    def compaction(self) -> tuple[int, int] | None:
        """(done, total) of the vector index's rebuild running in the background (started when
        more than 30% of its slots are deleted), or None when none runs."""
        return self.index.compaction()

    def finish_compaction(self, progress: Progress | None = None) -> bool:
        """Wait for that rebuild and commit it; progress(done, total). True if one committed."""
        with self.writing(), self._lock:
            return self.index.finish_compaction(progress)

    def doctor(self, *, compact: bool = False, progress: Progress | None = None) -> DoctorReport:
        """Check every page of the database, then SQLite against the vector index; repair what
        can be, report. A damaged database is rebuilt: its papers are added again from their
        files (repair.rebuild_database). `compact`: also rebuild the vector index without its
        deleted slots; `progress(done, total)`."""
        return repair.doctor_library(self.store, self.index, self.root, self.writing, self._lock,
                                     self._use_store, lambda: self.add([]),
                                     compact=compact, progress=progress)
