"""The Library: one folder holding a paper collection, its index and its history."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import filelock

import core.offline  # noqa: F401  (before any model library)
from core import answer as grounding
from core.embed import Embedder, SentenceTransformerEmbedder
from core.errors import (
    IngestError,
    LibraryCorruptError,
    LibraryLockedError,
    LibraryReadOnlyError,
    NeedsOcrError,
    PaperNotFoundError,
    QuestionTooLongError,
    SettingsError,
    TooLargeError,
    as_damage,
)
from core.export import answer_from_dict, answer_to_dict
from core.llm import Generator, LlamaGenerator
from core.models import default_gguf
from core.paths import shown
from core.retrieve import Retriever
from core.settings import Settings
from core.store import KEYWORD_ONLY_SECTIONS, Store
from core.store_file import SIDE_FILES, move_aside, read_only_reason, salvage
from core.types import (
    Answer,
    AnswerDone,
    AnswerEvent,
    BatchFinished,
    BatchStarted,
    DoctorReport,
    Evidence,
    FileProgress,
    FileResult,
    FileStarted,
    IngestEvent,
    Paper,
    Retrieved,
    Timings,
    Token,
)
from core.vectors import VectorIndex

log = logging.getLogger(__name__)

EMBED_BATCH = 32
MAX_K = 50  # RetrievalSettings.k's upper bound
# A question is a sentence or a paragraph; 2,000 characters (~500 tokens) leave the context
# window to the evidence. Longer text (a pasted page) overflowed llama.cpp's window.
MAX_QUESTION_CHARS = 2000


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created_at: float
    turns: int


def find_pdfs(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and every *.pdf under folders (recursive), in a stable order.

    Entries named *.pdf that are not regular files (FIFOs, broken links) are listed too, so
    each gets its own line; a folder without any PDF is listed itself, to say so.
    """
    out: dict[Path, None] = {}
    for p in paths:
        p = Path(p).expanduser().absolute()
        if p.is_dir():
            found = [f for f in sorted(p.rglob("*"))
                     if f.suffix.lower() == ".pdf" and not f.is_dir()]
            out.update(dict.fromkeys(found or [p]))
        else:
            out[p] = None
    return list(out)


def _not_a_file(path: Path) -> IngestError | None:
    """Why `path` cannot be read as a PDF without opening it (a FIFO would block), or None."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return IngestError(f"{shown(path)}: is a broken link (to {shown(os.readlink(path))}); "
                               "the file it pointed to is gone")
        return IngestError(f"{shown(path)}: file not found")
    except OSError as exc:
        return IngestError(f"{shown(path)}: cannot be read ({exc.strerror or exc})")
    if stat.S_ISDIR(mode):
        others = sum(1 for f in path.rglob("*") if f.is_file())
        return IngestError(f"{shown(path)}: no PDF files in this folder"
                           + (f" ({others} other files)" if others else " (it is empty)"))
    if stat.S_ISFIFO(mode):
        return IngestError(f"{shown(path)}: is a named pipe (FIFO), not a file; skipped")
    if not stat.S_ISREG(mode):
        return IngestError(f"{shown(path)}: is a device or socket, not a file; skipped")
    return None


def file_sha256(path: Path, max_mb: int | None = None) -> str:
    """SHA-256 of the file; TooLargeError first, from its size alone, if over `max_mb`."""
    if max_mb is not None and (size := path.stat().st_size) > max_mb * 1024 * 1024:
        raise TooLargeError(f"too large: {size / 2**20:,.0f} MB (limit {max_mb} MB)")
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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
        self.store = Store(db_path, read_only=bool(self.read_only))
        if not repair:
            self.store.raise_if_damaged()  # `doctor` (repair=True) opens it to rebuild it
        # Models passed in belong to the caller (e.g. shared by tests); close only our own.
        self._owns_embedder = embedder is None
        self._owns_generator = generator is None
        self.embedder = embedder or SentenceTransformerEmbedder(self.settings.embedding)
        self._generator = generator
        self._index: VectorIndex | None = None
        self._parser = None
        self._recover()

    # ------------------------------------------------------------ lifetime
    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._parser is not None:
                self._parser.close()
                self._parser = None
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
    def writing(self) -> filelock.BaseFileLock:
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

    @property
    def index_path(self) -> Path:
        return self.root / f"vectors-{self.settings.index_key()}.hnsw"

    def _vectors(self) -> VectorIndex:
        if self._index is None:
            self._index = VectorIndex(self.index_path, self._dim())
        else:
            self._index.reload_if_changed()
        return self._index

    def _dim(self) -> int:
        key = f"dim:{self.settings.index_key()}"
        row = self.store.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row:
            return int(row[0])
        dim = int(self.embedder.dim)
        if not self.read_only:
            self.store.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, dim))
        return dim

    def _has_index(self) -> bool:
        return self._index is not None or self.index_path.exists()

    def _recover(self) -> None:
        """Undo what an interrupted run left half-done; cheap, runs on every open."""
        if self.read_only or self.store.damage:
            return  # nothing can be changed, or `doctor` is about to rebuild it
        try:
            release = self.writing()
        except LibraryLockedError:
            return  # the writer will clean up after itself
        with release, self._lock:
            self._recover_locked()
            if self._has_index():
                index = self._vectors()
                orphans = index.ids() - self.store.all_chunk_ids()
                if index.delete(orphans):
                    index.save()

    def _ensure_vectors(self, progress: bool = False) -> int:
        """Embed chunks that have no vector (after a crash or a change of embedding settings)."""
        with self._lock:
            index = self._vectors()
            missing = sorted(set(self.store.chunk_ids(embedded=True)) - index.ids())
            if not missing:
                return 0
            log.info("embedding %d chunks that have no vector yet", len(missing))
            for start in range(0, len(missing), 256):
                ids = missing[start : start + 256]
                rows = self.store.chunks_by_id(ids)
                index.add(ids, self.embedder.embed([rows[i]["text"] for i in ids]))
            index.save()
            return len(missing)

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
            if self._has_index():
                index = self._vectors()
                if index.delete(chunk_ids):
                    index.save()
        return ids

    # ------------------------------------------------------------ adding
    def add(
        self, paths: Iterable[Path | str], *, cancel: threading.Event | None = None
    ) -> Iterator[IngestEvent]:
        """Add PDFs (files or folders); files of an interrupted batch are picked up too."""
        cancel = cancel or threading.Event()
        given = find_pdfs(paths)
        with self.writing():
            leftover = [p for p in self.store.pending() if p not in given and p.is_file()]
            files = leftover + given
            self.store.queue(files)
            counts = {"added": 0, "unchanged": 0, "replaced": 0, "failed": 0}
            yield BatchStarted(len(files))
            for i, path in enumerate(files, start=1):
                if cancel.is_set():
                    break
                yield FileStarted(i, len(files), path)
                try:
                    upcoming = files[i] if i < len(files) else None
                    result = yield from self._add_one(path, i, len(files), cancel, upcoming)
                except IngestError as exc:
                    result = FileResult(i, len(files), path, "failed", error=str(exc))
                except Exception as exc:  # a bug in Lantern or a library it uses
                    if damage := as_damage(exc, self.store.path):
                        raise damage from exc  # every next file would fail the same way
                    # fail this file only, and drop it from the queue, so it cannot block
                    # every later batch (it is retried only when given again)
                    log.exception("unexpected error adding %s", shown(path))
                    result = FileResult(i, len(files), path, "failed", error=(
                        f"could not be added: unexpected {type(exc).__name__}: {exc} (a bug; "
                        "please report it with the output of `lantern --verbose add` on it)"))
                if result is None:  # cancelled mid-file: nothing of it was kept
                    break
                self.store.dequeue(path)
                counts[result.status] += 1
                yield result
            if cancel.is_set():
                for path in files:
                    self.store.dequeue(path)
            yield BatchFinished(cancelled=cancel.is_set(), **counts)

    def _parse(self, path: Path):
        if self._parser is None:
            from core.ingest import ParserProcess

            self._parser = ParserProcess(self.settings.ingest, verbose=self.verbose)
        return self._parser.parse(path)

    def _read_ahead(self, path: Path | None) -> None:
        """Let the PDF reader process start on the next file while this one is embedded (on
        two cores this hides most of the reading time); unchanged files are not read."""
        if path is None or self._parser is None:
            return
        try:
            if _not_a_file(path) is None and not self.store.find_by_sha(
                file_sha256(path, self.settings.ingest.max_file_mb), self.settings.chunking_key()
            ):
                self._parser.prefetch(path)
        except (OSError, IngestError) as exc:  # reported when that file's turn comes
            log.debug("not reading %s ahead: %s", path, exc)

    def _add_one(
        self, path: Path, i: int, total: int, cancel: threading.Event, upcoming: Path | None = None
    ) -> Iterator[IngestEvent]:
        if problem := _not_a_file(path):
            raise problem
        sha = file_sha256(path, self.settings.ingest.max_file_mb)
        chunking = self.settings.chunking_key()
        if same := self.store.find_by_sha(sha, chunking):
            if same.path != path and not same.path.exists():
                self.store.set_path(same.doc_id, path)  # the file moved
            return FileResult(i, total, path, "unchanged", same.doc_id, same.title, same.pages, same.chunks)
        previous = self.store.find_by_path(path)
        if (stale := self.store.find_by_sha(sha)) and stale not in previous:
            previous.append(stale)  # same file, chunked with other settings: chunk it anew
        yield FileProgress(path, "reading", 0, 1)
        doc = self._parse(path)
        if doc.sha256 and doc.sha256 != sha:  # the reader hashed the very bytes it parsed
            raise IngestError("changed while it was being read (is a program still writing "
                              "it?); add it again once it is complete")
        self._read_ahead(upcoming)
        from core.ingest import chunk_document

        chunks = chunk_document(doc, self.settings.chunking)
        if not chunks:
            raise NeedsOcrError("no text layer (scanned images?): run OCR on it first, e.g. ocrmypdf")
        doc_id = f"{sha[:8]}{chunking[:4]}"  # content + chunking: a re-chunk gets a new id
        self.store.delete_papers([doc_id])  # a stale half-added copy, if any
        ids = self.store.insert_paper(doc_id, sha, doc, chunks, chunking)
        embed = [(cid, c.text) for cid, c in zip(ids, chunks, strict=True)
                 if c.section not in KEYWORD_ONLY_SECTIONS]
        try:
            vectors = []
            for start in range(0, len(embed), EMBED_BATCH):
                if cancel.is_set():
                    raise _Cancelled
                yield FileProgress(path, "embedding", start, len(embed))
                vectors.extend(self.embedder.embed([t for _, t in embed[start : start + EMBED_BATCH]]))
            yield FileProgress(path, "indexing", len(embed), len(embed))
            with self._lock:
                index = self._vectors()
                index.add([cid for cid, _ in embed], vectors)
                index.save()
                old_ids = set(self.store.chunk_ids([p.doc_id for p in previous])) if previous else set()
                self.store.mark_ready(doc_id, replaces=[p.doc_id for p in previous])
                if index.delete(old_ids):
                    index.save()
        except BaseException as exc:
            with self._lock:
                self.store.delete_papers([doc_id])
                if self._index is not None and self._index.delete(ids):
                    self._index.save()
            if isinstance(exc, _Cancelled):
                return None
            raise
        status = "replaced" if previous else "added"
        return FileResult(i, total, path, status, doc_id, doc.meta.title, len(doc.pages), len(chunks))

    # ------------------------------------------------------------ asking
    def search(
        self, question: str, *, papers: Sequence[str] | None = None, k: int | None = None
    ) -> list[Evidence]:
        """The passages that best answer a question (hybrid retrieval), best first."""
        if k is not None and not 1 <= k <= MAX_K:
            raise SettingsError(f"passages to retrieve must be from 1 to {MAX_K}, not {k}")
        scope = [self.paper(d).doc_id for d in papers] if papers else None
        with self._lock:
            if not self.store.counts()[0]:
                return []
            self._ensure_vectors()
            retriever = Retriever(self.store, self._vectors(), self.embedder, self.settings.retrieval)
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
        with self._lock:
            self.settings.llm.model_path = Path(path) if path else None
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
        cancel = cancel or threading.Event()
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLongError(
                f"the question is too long ({len(question):,} characters; the limit is "
                f"{MAX_QUESTION_CHARS:,}): ask about one thing at a time")
        t0 = time.perf_counter()
        evidence = self.search(question, papers=papers, k=k)
        t_retrieve = time.perf_counter() - t0
        yield Retrieved(tuple(evidence), t_retrieve)
        model = None
        first_token = None
        if not use_llm:
            answer = Answer(question, "", False, (), tuple(evidence), (), None,
                            Timings(t_retrieve, None, time.perf_counter() - t0), "evidence")
        elif not evidence:
            answer = Answer(question, grounding.NOT_REPORTED, True, (), (), (), None,
                            Timings(t_retrieve, None, time.perf_counter() - t0), "not_reported")
        else:
            parts: list[str] = []
            for text in self.draft(question, evidence, cancel=cancel):
                if first_token is None:
                    first_token = time.perf_counter() - t0
                parts.append(text)
                yield Token(text)
            model = self.generator.name
            draft = "".join(parts).strip()
            # all evidence is shown with the same numbers, so sentences may be checked against
            # (and quoted from) passages beyond the `used` ones the prompt had room for
            g = grounding.ground(draft, evidence, self.store.page_text, question)
            answer = Answer(question, g.text, g.abstained, g.citations, tuple(evidence), g.sentences,
                            model, Timings(t_retrieve, first_token, time.perf_counter() - t0), g.mode)
        if conversation_id and not self.read_only:
            self.store.save_turn(conversation_id, json.dumps(answer_to_dict(answer)), question)
        yield AnswerDone(answer)

    def draft(
        self,
        question: str,
        evidence: Sequence[Evidence],
        *,
        max_tokens: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[str]:
        """Stream the model's unchecked answer to `question` from `evidence` (ground() checks
        it). One generation at a time per library; stops soon after `cancel` is set."""
        with self._lock:
            gen = self.generator
            llm = self.settings.llm
            messages, _ = grounding.build_messages(
                question, evidence, budget_tokens=self._prompt_budget(gen),
                count_tokens=gen.count_tokens,
            )
            for text in gen.stream_chat(
                messages, max_tokens=max_tokens or llm.max_tokens, temperature=llm.temperature
            ):
                yield text
                if cancel is not None and cancel.is_set():
                    return

    def _prompt_budget(self, gen: Generator) -> int:
        """Tokens the prompt may use: what the context leaves after the answer, capped for speed."""
        n_ctx = getattr(gen, "n_ctx", self.settings.llm.n_ctx)
        return max(256, min(n_ctx - self.settings.llm.max_tokens - 64, self.settings.llm.max_prompt_tokens))

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
        problems: list[str] = []
        repaired: list[str] = []
        with self.writing(), self._lock:
            if damage := self.store.check():
                problems.append(f"library database damaged ({damage})")
                folder, gone = self._rebuild_database()
                repaired.append(f"rebuilt the library database; the damaged files are kept in "
                                f"{shown(folder)}")
                if gone:
                    problems.append(f"{gone} paper(s) cannot be added again: their files are "
                                    f"gone (listed in {shown(folder / 'lost.txt')})")
        if self.store.pending() and damage:
            counts = next(e for e in self.add([]) if isinstance(e, BatchFinished))
            repaired.append(f"re-added {counts.added + counts.unchanged} paper(s) from their files"
                            + (f"; {counts.failed} could not be read (see `lantern add`)"
                               if counts.failed else ""))
        with self.writing(), self._lock:
            unfinished = self.store.unfinished()
            if unfinished:
                problems.append(f"{len(unfinished)} half-added paper(s)")
            self._recover_locked()
            if unfinished:
                repaired.append("removed half-added papers; their files are queued for the next add")
            try:
                self.store.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")
            except Exception as exc:  # sqlite3.DatabaseError: rebuild the full-text index
                problems.append(f"full-text index damaged ({exc})")
                self.store.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")
                repaired.append("rebuilt the full-text index")
            chunk_ids = set(self.store.chunk_ids(embedded=True))
            if chunk_ids or self._has_index():
                index = self._vectors()
                orphans = index.ids() - self.store.all_chunk_ids()
                if orphans:
                    problems.append(f"{len(orphans)} vector(s) without a chunk")
                    index.delete(orphans)
                    index.save()
                    repaired.append(f"dropped {len(orphans)} orphan vector(s)")
                missing = chunk_ids - index.ids()
                if missing:
                    problems.append(f"{len(missing)} chunk(s) without a vector")
                    self._ensure_vectors()
                    repaired.append(f"embedded {len(missing)} chunk(s)")
                vectors = index.ids()
            else:
                vectors = set()
            papers, _, chunks = self.store.counts()
            # every chunk that gets a vector has one; libraries from before KEYWORD_ONLY_SECTIONS
            # also hold vectors of reference lists, which are harmless
            consistent = (
                set(self.store.chunk_ids(embedded=True)) <= vectors <= set(self.store.chunk_ids())
                and not self.store.unfinished()
            )
        return DoctorReport(papers, chunks, len(vectors), tuple(problems), tuple(repaired), consistent)

    def _rebuild_database(self) -> tuple[Path, int]:
        """Replace a damaged database by a new one holding what could be read from it: the
        conversations, and the paper files queued to be added again. The damaged database and
        the vector index (its labels are the old chunk ids) move to a `damaged-*` folder.
        Returns that folder and how many papers' files are gone."""
        db_path = self.store.path
        found = salvage(db_path)
        self.store.close()
        self._index = None
        files = [db_path.with_name(db_path.name + s) for s in ("", *SIDE_FILES)]
        folder = move_aside(self.root, files + sorted(self.root.glob("vectors-*")))
        self.store = Store(db_path)
        self.store.restore_history(found.conversations, found.turns)
        self.store.queue(p for p in found.paths if p.exists())
        gone = [p for p in found.paths if not p.exists()]
        if gone or found.unreadable:
            (folder / "lost.txt").write_text(
                "".join(f"file gone: {shown(p)}\n" for p in gone)
                + "".join(f"unreadable table: {t}\n" for t in found.unreadable),
                encoding="utf-8")
        return folder, len(gone)

    def _recover_locked(self) -> None:
        unfinished = self.store.unfinished()
        doomed = set()
        for doc_id, path in unfinished:
            doomed.update(self.store.chunk_ids([doc_id], state="indexing"))
            self.store.queue([Path(path)])
        self.store.delete_papers(d for d, _ in unfinished)
        if doomed and self._has_index():
            index = self._vectors()
            if index.delete(doomed):
                index.save()


class _Cancelled(Exception):
    """Raised inside _add_one when the batch is cancelled mid-file."""


class _Release:
    def __init__(self, lock: filelock.BaseFileLock) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
