"""The Library: one folder holding a paper collection, its index and its history."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Generator as Stream
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import filelock

from core import repair
from core.answer import UNANSWERED, Grounded, generate_grounded
from core.embed import Embedder, SentenceTransformerEmbedder
from core.errors import (
    IndexCorruptError,
    LibraryCorruptError,
    LibraryLockedError,
    LibraryReadOnlyError,
    PaperNotFoundError,
    QuestionTooLongError,
    SettingsError,
)
from core.export import answer_from_dict, answer_to_dict
from core.extract import extract as extract_cells
from core.extract import extract_estimate, extract_table
from core.index import LibraryIndex
from core.ingest.pipeline import IngestPipeline
from core.llm import Generator, LlamaGenerator
from core.models import default_gguf
from core.paths import shown
from core.questionsets import QuestionSet
from core.remote import RemoteGenerator
from core.retrieve import Retriever
from core.scope import default_scope, is_sample, named_papers
from core.settings import RemoteSettings, Settings
from core.sources import Sources
from core.store import Store
from core.store_file import read_only_reason
from core.types import (
    Answer,
    AnswerDone,
    AnswerEvent,
    BatchFinished,
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
from core.vectors import Progress

MAX_K = 50  # RetrievalSettings.k's upper bound
# A question is a sentence or a paragraph; 2,000 characters (~500 tokens) leave the context
# window to the evidence. Longer text (a pasted page) overflowed llama.cpp's window.
MAX_QUESTION_CHARS = 2000


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
        repair: bool = False,
    ) -> None:
        """`repair`: open a library whose database is damaged (for doctor(), which rebuilds
        it); otherwise that raises LibraryDamagedError."""
        self.settings = settings or Settings.load()
        self.root = Path(self.settings.library).expanduser()
        if self.root.exists() and not self.root.is_dir():
            raise LibraryCorruptError(f"{shown(self.root)} is a file, not a library folder: "
                                      "choose another path with --library or $LANTERN_LIBRARY")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryCorruptError(f"cannot create the library folder {shown(self.root)} "
                                      f"({exc.strerror or exc})") from exc
        self.verbose = verbose
        self._lock = threading.RLock()
        self._file_lock = filelock.FileLock(str(self.root / "write.lock"))
        db_path = self.root / "library.sqlite3"
        # Why this library cannot be written, if it cannot: it is then opened for reading only.
        self.read_only: str | None = read_only_reason(self.root, db_path)
        store = Store(db_path, read_only=bool(self.read_only))
        if not repair:
            store.raise_if_damaged()
        # Models passed in belong to the caller (e.g. shared by tests); close only our own.
        self._owns_embedder = embedder is None
        self._owns_generator = generator is None
        self.embedder = embedder or SentenceTransformerEmbedder(self.settings.embedding)
        self._generator = generator
        self.notices: list[str] = []  # what the open found and repaired, for the user
        self._use_store(store)
        self._recover()

    def _use_store(self, store: Store) -> None:
        """Work on `store` (at open, and after doctor rebuilt a damaged database)."""
        self.store = store
        self.sources = Sources(store)
        self.index = LibraryIndex(self.root, store, self.embedder, self.settings,
                                  try_writing=self._try_writing)
        self._ingest = IngestPipeline(
            store, self.index, self.embedder, self.settings, self._lock, verbose=self.verbose
        )

    # ------------------------------------------------------------ lifetime
    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._ingest.close()
            self.index.close()
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
    def writing(self) -> _Release:
        """Context manager: hold the library's write lock (adding, removing, a long extraction)
        or raise LibraryLockedError saying another process has it."""
        if self.read_only:
            raise LibraryReadOnlyError(
                f"{self.read_only}, so papers cannot be added or removed (listing and asking "
                "still work); make it writable, or copy the folder and use --library"
            )
        try:
            self._file_lock.acquire(timeout=0)
        except filelock.Timeout as exc:
            raise LibraryLockedError(
                f"{self.root}: another Lantern process is writing to this library; "
                "wait for it to finish (reading and asking still work)"
            ) from exc
        return _Release(self._file_lock)

    def _try_writing(self) -> _Release | None:
        """The write lock if no other process has it, else None."""
        try:
            return self.writing()
        except (LibraryLockedError, LibraryReadOnlyError):
            return None

    def _recover(self) -> None:
        """Undo what an interrupted run left half-done; cheap, runs on every open."""
        if self.read_only or self.store.damage:
            return  # nothing can be changed, or doctor() is about to rebuild it
        release = self._try_writing()
        if release is None:
            return  # the writer will clean up after itself
        with release, self._lock:
            try:
                self.notices += repair.recover(self.store, self.index)
            except IndexCorruptError as exc:  # said again by whatever needs vectors
                self.notices.append(str(exc))

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

    def select_papers(
        self, papers: Sequence[str] | None = None, *, collection: str | None = None,
        year_from: int | None = None, year_to: int | None = None, tags: Sequence[str] = (),
    ) -> list[str] | None:
        """The doc ids a question is limited to: `papers` (ids or unique prefixes) narrowed by
        Zotero collection, publication years and tags; None when nothing limits it."""
        ids = [self.paper(d).doc_id for d in papers] if papers else None
        if not (collection or year_from is not None or year_to is not None or tags):
            return ids
        found = self.sources.scope(collection=collection, year_from=year_from,
                                   year_to=year_to, tags=tuple(tags))
        if ids is not None:
            found = [d for d in found if d in ids]
        if not found:
            what = ", ".join(f for f in (
                f"collection {collection!r}" if collection else "",
                f"from {year_from}" if year_from is not None else "",
                f"to {year_to}" if year_to is not None else "",
                f"tag(s) {', '.join(tags)}" if tags else "") if f)
            known = self.sources.collections()
            hint = f"; collections: {', '.join(known[:12])}" if collection and known else (
                "; collections come from Zotero (`lantern add --zotero`)" if collection else "")
            raise PaperNotFoundError(f"no paper matches {what}{hint}")
        return found

    def scope_options(self) -> dict[str, dict[str, Any]]:
        """What a scope picker and the exports need from Zotero, as plain data:
        {"collections": {path: doc_ids}, "tags": {tag: doc_ids}, "citekeys": {doc_id: key}},
        each id list the one `select_papers` gives for it (a collection includes its
        sub-collections), each citekey Zotero's/Better BibTeX's own. Empty maps without Zotero."""
        paths = {"/".join(parts[:i]) for c in self.sources.collections()
                 for parts in [c.split("/")] for i in range(1, len(parts) + 1)}
        return {  # parents too: "Ecology" picks Ecology/Birds and Ecology/Mammals as the CLI does
            "collections": {c: self.sources.scope(collection=c) for c in sorted(paths)},
            "tags": {t: self.sources.scope(tags=(t,)) for t in self.sources.tags()},
            "citekeys": self.sources.citekeys(),
        }

    def bibtex(self, doc_ids: Sequence[str]) -> str:
        """BibTeX entries of these papers, keyed by their Zotero/Better BibTeX citekey when
        known (else made from author, year and title)."""
        from core.bibtex import BibPaper, to_bibtex

        out = []
        for doc_id in doc_ids:
            paper, source = self.paper(doc_id), self.sources.of(doc_id)
            out.append(BibPaper(paper.doc_id, paper.title, paper.authors, paper.year, paper.doi,
                                source.citekey if source else None,
                                source.item_type if source else None))
        return to_bibtex(out)

    def citekeys(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """doc_id -> the citekey its BibTeX entry has in bibtex(doc_ids)."""
        from core.bibtex import BibPaper, citekeys

        own = self.sources.citekeys()
        return citekeys(BibPaper(p.doc_id, p.title, p.authors, p.year, p.doi, own.get(p.doc_id))
                        for p in (self.paper(d) for d in doc_ids))

    def ocr_pages(self, doc_id: str) -> set[int]:
        """The paper's pages whose text was recognised by OCR (quotes from them are OCR text)."""
        return self.store.ocr_pages(doc_id)

    def page_text(self, doc_id: str, page: int) -> str | None:
        return self.store.page_text(doc_id, page)

    def pending(self) -> list[Path]:
        """Files of an interrupted batch that the next `add` will pick up again."""
        return self.store.pending()

    def stats(self) -> tuple[int, int, int]:
        """(papers, pages, chunks)."""
        return self.store.counts()

    def sample_ids(self) -> list[str]:
        """The sample papers the library added itself (core.samples)."""
        return [p.doc_id for p in self.papers() if is_sample(p, self.root)]

    def hidden_samples(self) -> list[str]:
        """The sample papers "All papers" leaves out: all of them once the user has added a
        paper of their own, else none."""
        papers = self.papers()
        return [] if default_scope(papers, self.root) is None else [
            p.doc_id for p in papers if is_sample(p, self.root)]

    def remove_samples(self) -> list[str]:
        """Remove the sample papers (they are not added again); return the ids removed."""
        return sorted(self.remove(self.sample_ids()))

    def scope(
        self, question: str, papers: Sequence[str] | None = None, *, auto_scope: bool = True
    ) -> tuple[list[str] | None, str]:
        """The papers a question is asked of (None: every paper) and, when the question named
        them, the name it used ("RoBERTa"). Papers given are kept as they are; otherwise a
        question naming a paper is asked of that paper (`auto_scope`), and "All papers" means
        the user's own once they have added any (the samples answer only when picked)."""
        if papers:
            return [self.paper(d).doc_id for d in papers], ""
        everything = self.papers()
        if auto_scope and (named := named_papers(question, everything))[0]:
            return [p.doc_id for p in named[0]], named[1]
        return default_scope(everything, self.root), ""

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Delete papers from SQLite and the vector index; return the ids removed."""
        papers = [self.paper(d) for d in doc_ids]
        with self.writing(), self._lock:
            ids = [p.doc_id for p in papers]
            chunk_ids = set(self.store.chunk_ids(ids))
            self.store.delete_papers(ids)  # then the vectors: a crash between, and the next
            self.index.drop(chunk_ids, forget=ids)  # open drops them (repair.recover)
        return ids

    # ------------------------------------------------------------ adding
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
        from core.ingest.zotero_import import import_zotero
        from core.zotero import read_library

        zotero = read_library(Path(data_dir) if data_dir else None,
                              base_dir=Path(base_dir) if base_dir else None)
        with self.writing():
            yield from import_zotero(zotero, self._ingest.add_one, self.sources,
                                     cancel or threading.Event())

    # ------------------------------------------------------------ asking
    def search(
        self, question: str, *, papers: Sequence[str] | None = None, k: int | None = None
    ) -> list[Evidence]:
        """The passages that best answer a question (hybrid retrieval), best first, from the
        papers given or else from "All papers" (the user's own, once there are any)."""
        if k is not None and not 1 <= k <= MAX_K:
            raise SettingsError(f"passages to retrieve must be from 1 to {MAX_K}, not {k}")
        scope = ([self.paper(d).doc_id for d in papers] if papers
                 else default_scope(self.papers(), self.root))
        with self._lock:
            if not self.store.has_papers():
                return []
            retriever = Retriever(self.store, self.index.for_search(), self.embedder,
                                  self.settings.retrieval)
            return retriever.search(question, papers=scope, k=k)

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            self._generator = self._new_generator()
        return self._generator

    def _new_generator(self) -> Generator:
        """The one place that decides where answers are computed: the model server in the
        settings if one is set (never anything else), else the built-in llama.cpp model."""
        if self.settings.remote.enabled:
            return RemoteGenerator(self.settings.remote)
        return LlamaGenerator(default_gguf(self.settings), self.settings.llm)

    @property
    def model_name(self) -> str | None:
        if self._generator is not None:
            return self._generator.name
        try:
            return self._new_generator().name  # cheap: nothing is loaded or contacted
        except Exception:  # no model at all: the UI shows "no model"
            return None

    def set_remote(self, remote: RemoteSettings) -> None:
        """Answer with this model server from now on (not enabled: the built-in model)."""
        self.use_settings(self.settings.replace(remote=remote))

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
        fixed = ("library", "embedding", "chunking", "ingest", "ocr")
        if any(getattr(settings, f) != getattr(self.settings, f) for f in fixed):
            raise SettingsError(
                f"{', '.join(fixed)} settings cannot change while the library is open; "
                "save them and open the library again"
            )
        with self._lock:
            reload = (settings.llm, settings.remote) != (self.settings.llm, self.settings.remote)
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
        auto_scope: bool = True,
        cancel: threading.Event | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[AnswerEvent]:
        """Retrieve evidence, stream the model's draft, then check it against the evidence.

        Without `papers`, a question that names a paper is asked of that paper (`auto_scope`;
        Retrieved and Answer say so), else of "All papers" (Library.scope).
        """
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLongError(
                f"the question is too long ({len(question):,} characters; the limit is "
                f"{MAX_QUESTION_CHARS:,}): ask about one thing at a time")
        t0 = time.perf_counter()
        scope, named = self.scope(question, papers, auto_scope=auto_scope)
        evidence = tuple(self.search(question, papers=scope, k=k))
        t_retrieve = time.perf_counter() - t0
        yield Retrieved(evidence, t_retrieve, named)
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
        citations = tuple(  # quotes from recognised pages are labelled "OCR text"
            dataclasses.replace(c, ocr=c.page in self.store.ocr_pages(c.doc_id))
            for c in g.citations
        )
        answer = Answer(
            question=question, answer=g.text, abstained=g.abstained, citations=citations,
            evidence=evidence, sentences=g.sentences,
            model=self.generator.name if use_llm and evidence else None,
            timings=Timings(t_retrieve, first_token, time.perf_counter() - t0, g.prompt_tokens,
                            g.completion_tokens),
            mode=g.mode, draft=g.draft, auto_scope=named,
        )
        if conversation_id and not self.read_only:
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

    def extract_estimate(
        self,
        qset: QuestionSet,
        papers: Sequence[str] | None = None,
        *,
        use_llm: bool = True,
        force: bool = False,
    ) -> tuple[int, float | None]:
        """Before a run: the cells it will compute and about how many seconds they take (the
        median cell computed so far this way; None before any); see core.extract."""
        return extract_estimate(self, qset, papers, use_llm=use_llm, force=force)

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
    def doctor(self, *, compact: bool = False, progress: Progress | None = None) -> DoctorReport:
        """Check every page of the database, then SQLite against the vector index; repair what
        can be, report. A damaged database is rebuilt: its papers are added again from their
        files (repair.rebuild_database). `compact`: also rebuild the vector index without its
        deleted slots; `progress(done, total)`."""
        rebuilt: repair.Rebuilt | None = None
        with self.writing(), self._lock:
            if self.store.check():
                self._ingest.close()
                rebuilt = repair.rebuild_database(self.store, self.root)
                self._use_store(rebuilt.store)
        readded = None
        if rebuilt is not None and self.store.pending():
            readded = next(e for e in self.add([]) if isinstance(e, BatchFinished))
        with self.writing(), self._lock:
            report = repair.doctor(self.store, self.index, compact=compact, progress=progress)
        return repair.with_rebuild(report, rebuilt, readded) if rebuilt else report


class _Release:
    def __init__(self, lock: filelock.BaseFileLock) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
