"""The Library: one folder holding a paper collection, its index and its history."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Generator as Stream
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import filelock

from core import repair
from core.answer import UNANSWERED, Grounded, generate_grounded
from core.embed import Embedder, SentenceTransformerEmbedder
from core.errors import LibraryLockedError, PaperNotFoundError, SettingsError
from core.export import answer_from_dict, answer_to_dict
from core.extract import extract as extract_cells
from core.extract import extract_table
from core.index import LibraryIndex
from core.ingest.pipeline import IngestPipeline
from core.llm import Generator, LlamaGenerator
from core.models import default_gguf
from core.questionsets import QuestionSet
from core.retrieve import Retriever
from core.settings import Settings
from core.store import Store
from core.types import (
    Answer,
    AnswerDone,
    AnswerEvent,
    Conversation,
    DoctorReport,
    Evidence,
    ExtractEvent,
    IngestEvent,
    Paper,
    Retrieved,
    Row,
    Timings,
    Token,
)


class Library:
    """Papers, pages and chunks in SQLite; vectors in hnswlib; models loaded lazily.

    One job at a time touches the index and the models (an in-process lock), and one process
    at a time writes (a file lock); readers in other processes keep working.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
        verbose: bool = False,
    ) -> None:
        self.settings = settings or Settings.load()
        self.root = Path(self.settings.library).expanduser()
        self.root.mkdir(parents=True, exist_ok=True)
        self.verbose = verbose
        self._lock = threading.RLock()
        self._file_lock = filelock.FileLock(str(self.root / "write.lock"))
        self.store = Store(self.root / "library.sqlite3")
        # Models passed in belong to the caller (e.g. shared by tests); close only our own.
        self._owns_embedder = embedder is None
        self._owns_generator = generator is None
        self.embedder = embedder or SentenceTransformerEmbedder(self.settings.embedding)
        self._generator = generator
        self.index = LibraryIndex(self.root, self.store, self.embedder, self.settings)
        self._ingest = IngestPipeline(
            self.store, self.index, self.embedder, self.settings, self._lock, verbose=verbose
        )
        self._recover()

    # ------------------------------------------------------------ lifetime
    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._ingest.close()
            self._drop_generator()
            close = getattr(self.embedder, "close", None)
            if close and self._owns_embedder:
                close()
            self.store.close()

    def _drop_generator(self) -> None:
        if self._generator is not None and self._owns_generator:
            self._generator.close()
        self._generator = None
        self._owns_generator = True  # whatever comes next is loaded by us

    # ------------------------------------------------------------ locking and index
    def writing(self) -> AbstractContextManager[None]:
        """Context manager: hold the library's write lock (adding, removing, a long extraction)
        or raise LibraryLockedError saying another process has it."""
        try:
            self._file_lock.acquire(timeout=0)
        except filelock.Timeout as exc:
            raise LibraryLockedError(
                f"{self.root}: another Lantern process is writing to this library; "
                "wait for it to finish (reading and asking still work)"
            ) from exc
        return _Release(self._file_lock)

    def _recover(self) -> None:
        """Undo what an interrupted run left half-done; cheap, runs on every open."""
        try:
            release = self.writing()
        except LibraryLockedError:
            return  # the writer will clean up after itself
        with release, self._lock:
            repair.recover(self.store, self.index)
            repair.drop_orphans(self.index)

    # ------------------------------------------------------------ papers
    def papers(self) -> list[Paper]:
        return self.store.papers()

    def paper(self, doc_id: str) -> Paper:
        paper = self.store.paper(doc_id)
        if paper is None:
            matches = [p for p in self.store.papers() if p.doc_id.startswith(doc_id)]
            if len(matches) == 1 and len(doc_id) >= 4:
                return matches[0]
            raise PaperNotFoundError(f"no paper with id {doc_id!r}; `lantern list` shows the ids")
        return paper

    def page_text(self, doc_id: str, page: int) -> str | None:
        return self.store.page_text(doc_id, page)

    def pending(self) -> list[Path]:
        """Files of an interrupted batch that the next `add` will pick up again."""
        return self.store.pending()

    def stats(self) -> tuple[int, int, int]:
        """(papers, pages, chunks)."""
        return self.store.counts()

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Delete papers from SQLite and the vector index; return the ids removed."""
        papers = [self.paper(d) for d in doc_ids]
        with self.writing(), self._lock:
            ids = [p.doc_id for p in papers]
            chunk_ids = set(self.store.chunk_ids(ids))
            self.store.delete_papers(ids)
            self.index.drop(chunk_ids)
        return ids

    # ------------------------------------------------------------ adding
    def add(
        self, paths: Iterable[Path | str], *, cancel: threading.Event | None = None
    ) -> Iterator[IngestEvent]:
        """Add PDFs (files or folders); files of an interrupted batch are picked up too."""
        with self.writing():
            yield from self._ingest.add(paths, cancel or threading.Event())

    # ------------------------------------------------------------ asking
    def search(
        self, question: str, *, papers: Sequence[str] | None = None, k: int | None = None
    ) -> list[Evidence]:
        """The passages that best answer a question (hybrid retrieval), best first."""
        scope = [self.paper(d).doc_id for d in papers] if papers else None
        with self._lock:
            if not self.store.counts()[0]:
                return []
            self.index.ensure()
            retriever = Retriever(self.store, self.index.get(), self.embedder, self.settings.retrieval)
            return retriever.search(question, papers=scope, k=k)

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            self._generator = LlamaGenerator(default_gguf(self.settings), self.settings.llm)
        return self._generator

    @property
    def model_name(self) -> str | None:
        if self._generator is not None:
            return self._generator.name
        try:
            return default_gguf(self.settings).name
        except Exception:  # no model at all: the UI shows "no model"
            return None

    def load_model(self) -> str:
        """Load the chat model now (e.g. in the background at start-up); return its name."""
        with self._lock:
            gen = self.generator
            load = getattr(gen, "load", None)
            if load:
                load()
            return gen.name

    def set_model(self, path: Path | None) -> None:
        """Use another GGUF from now on (loaded on next use)."""
        self.use_settings(self.settings.replace(llm={"model_path": Path(path) if path else None}))

    def use_settings(self, settings: Settings) -> None:
        """Use these settings from now on, replacing the old ones as a whole. The library
        folder, embedding and chunking must stay: they shape what is stored (open another
        Library for those). A changed model section drops the loaded model (reloaded on use)."""
        fixed = ("library", "embedding", "chunking", "ingest")
        if any(getattr(settings, f) != getattr(self.settings, f) for f in fixed):
            raise SettingsError(
                f"{', '.join(fixed)} settings cannot change while the library is open; "
                "save them and open the library again"
            )
        with self._lock:
            reload = settings.llm != self.settings.llm
            self.settings = settings
            if reload:
                self._drop_generator()

    def ask(
        self,
        question: str,
        *,
        papers: Sequence[str] | None = None,
        k: int | None = None,
        use_llm: bool = True,
        cancel: threading.Event | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[AnswerEvent]:
        """Retrieve evidence, stream a cited answer, then check it against the evidence."""
        t0 = time.perf_counter()
        evidence = tuple(self.search(question, papers=papers, k=k))
        t_retrieve = time.perf_counter() - t0
        yield Retrieved(evidence, t_retrieve)
        first_token = None
        if not use_llm:
            g = Grounded("", False, (), (), "evidence")
        else:
            stream = self.generate(question, evidence, cancel=cancel)
            while True:
                try:
                    text = next(stream)
                except StopIteration as done:
                    g = done.value
                    break
                if first_token is None:
                    first_token = time.perf_counter() - t0
                yield Token(text)
        answer = Answer(
            question=question, answer=g.text, abstained=g.abstained, citations=g.citations,
            evidence=evidence, sentences=g.sentences,
            model=self.generator.name if use_llm and evidence else None,
            timings=Timings(t_retrieve, first_token, time.perf_counter() - t0), mode=g.mode,
        )
        if conversation_id:
            self.store.save_turn(conversation_id, json.dumps(answer_to_dict(answer)), question)
        yield AnswerDone(answer)

    def generate(
        self,
        question: str,
        evidence: Sequence[Evidence],
        *,
        max_tokens: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Stream[str, None, Grounded]:
        """Stream the model's draft answer from `evidence`, then return it checked
        (answer.generate_grounded). One generation at a time per library."""
        if not evidence:
            return UNANSWERED  # no model to load
        with self._lock:
            return (yield from generate_grounded(
                question, evidence, self.generator, self.settings.llm, self.store.page_text,
                max_tokens=max_tokens, cancel=cancel,
            ))

    def extract(
        self,
        qset: QuestionSet,
        papers: Sequence[str] | None = None,
        *,
        use_llm: bool = True,
        force: bool = False,
        cancel: threading.Event | None = None,
    ) -> Iterator[ExtractEvent]:
        """Answer a question set for papers (all when none are given), cell by cell; see
        core.extract.extract. Each CellStarted carries the ETA of the cells left."""
        return extract_cells(self, qset, papers, use_llm=use_llm, force=force, cancel=cancel)

    def extract_table(
        self, qset: QuestionSet, papers: Sequence[str] | None = None, *, use_llm: bool = True
    ) -> list[Row]:
        """The stored cells of a question set, one Row per paper; computes nothing."""
        return extract_table(self, qset, papers, use_llm=use_llm)

    # ------------------------------------------------------------ history
    @staticmethod
    def new_conversation_id() -> str:
        return uuid.uuid4().hex[:12]

    def conversations(self) -> list[Conversation]:
        return [Conversation(r["id"], r["title"], r["created_at"], r["turns"])
                for r in self.store.conversations()]

    def conversation(self, conversation_id: str) -> list[Answer]:
        return [answer_from_dict(json.loads(t)) for t in self.store.turns(conversation_id)]

    def delete_conversation(self, conversation_id: str) -> None:
        self.store.delete_conversation(conversation_id)

    # ------------------------------------------------------------ checking
    def doctor(self) -> DoctorReport:
        """Check SQLite against the vector index, repair what can be, report."""
        with self.writing(), self._lock:
            return repair.doctor(self.store, self.index)


class _Release:
    def __init__(self, lock: filelock.BaseFileLock) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
