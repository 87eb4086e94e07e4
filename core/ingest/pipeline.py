"""Adding papers (and removing them) in two passes. First every file of a batch is found,
hashed, read in one of the reader processes (core.ingest.readers: the next files are read
ahead, each waiting for its turn, so the batch keeps its order), chunked and stored: the
paper is then searchable by its words (full-text search, `ask --no-llm`, Extract's
evidence). Then its vectors are computed and journalled, paper by paper (embed_pending): the
slow part, which the CLI leaves to a background process (core.ingest.background) and the
desktop to a pausable job.

A paper is stored in state 'indexing' until its text is, then made 'ready' in one transaction
with the removal of the copy it replaces; recovery (repair.recover_on_open) deletes what is
still 'indexing' and queues its file again. A ready paper without vectors is not damage: it
waits for embed_pending (docs/searchable-first.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.embed import Embedder
from core.errors import (
    DiskFullError,
    IngestError,
    LibraryCorruptError,
    NeedsOcrError,
    TooLargeError,
    as_damage,
)
from core.ingest.readers import Readers
from core.paths import shown
from core.settings import Settings
from core.store import Store
from core.types import (
    BatchFinished,
    BatchStarted,
    Embedded,
    FileProgress,
    FileResult,
    FileStarted,
    FileStatus,
    IngestEvent,
    Paper,
)
from core.vectors.library_index import LibraryIndex

log = logging.getLogger(__name__)

EMBED_BATCH = 32
READ_AHEAD = 4  # files read ahead per reader process, at most (each waits for its turn)


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


def not_a_file(path: Path) -> IngestError | None:
    """Why `path` cannot be read as a PDF, found without opening it (a FIFO would block); the
    message leaves the path out: every outcome line already names the file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return IngestError(f"is a broken link (to {shown(os.readlink(path))}); "
                               "the file it pointed to is gone")
        return IngestError("file not found")
    except OSError as exc:
        return IngestError(f"cannot be read ({exc.strerror or exc})")
    if stat.S_ISDIR(mode):
        others = sum(1 for f in path.rglob("*") if f.is_file())
        return IngestError("no PDF files in this folder"
                           + (f" ({others} other files)" if others else " (it is empty)"))
    if stat.S_ISFIFO(mode):
        return IngestError("is a named pipe (FIFO), not a file; skipped")
    if not stat.S_ISREG(mode):
        return IngestError("is a device or socket, not a file; skipped")
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


class IngestPipeline:
    """Adds files to a library's store and index; keeps the PDF reader process between files.

    The caller holds the library's write lock for a whole batch; `lock` (the library's
    in-process lock) is taken only around the vector index."""

    def __init__(
        self, store: Store, index: LibraryIndex, embedder: Embedder, settings: Settings,
        lock: threading.RLock, *, verbose: bool = False,
    ) -> None:
        self.store = store
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.lock = lock
        self.verbose = verbose
        self._readers = Readers(settings.ingest, settings.ocr, verbose, self._worth_reading)
        # doc_id -> (chunk ids, vectors) computed before this process could write (embed_ahead)
        self._vectors_ahead: dict[str, tuple[list[int], list[np.ndarray]]] = {}
        self._loading: threading.Thread | None = None  # the embedding model, once
        self._embed_next = False  # whether this batch's vectors are computed right after it

    def close(self) -> None:
        self._readers.close()

    def remove(self, doc_ids: list[str]) -> None:
        """Delete papers from SQLite, then their vectors: a crash between, and the next open
        drops those vectors (repair.recover). The caller holds the write lock."""
        with self.lock:
            chunk_ids = set(self.store.chunk_ids(doc_ids))
            self.store.delete_papers(doc_ids)
            self.index.drop(chunk_ids, forget=doc_ids)

    def add(
        self, paths: Iterable[Path | str], cancel: threading.Event, *, embed: bool = True
    ) -> Iterator[IngestEvent]:
        """Add PDFs (files or folders); files of an interrupted batch are picked up too. Every
        file is stored (searchable) before any is embedded; with `embed` the vectors of the
        library's papers that have none are computed before BatchFinished, else later
        (embed_pending)."""
        self._embed_next = embed
        given = find_pdfs(paths)
        leftover = [p for p in self.store.pending() if p not in given and p.is_file()]
        files = leftover + given
        self.store.queue(files)
        counts = {"added": 0, "unchanged": 0, "replaced": 0, "failed": 0}
        statuses: dict[str, FileStatus] = {}  # doc_id -> its file's status in this batch
        yield BatchStarted(len(files), resumed=len(leftover))
        with self.batch():
            for i, path in enumerate(files, start=1):
                if cancel.is_set():
                    break
                yield FileStarted(i, len(files), path)
                result: FileResult | None
                try:
                    upcoming = files[i : i + READ_AHEAD * self.settings.ingest.readers]
                    result = yield from self.add_one(path, i, len(files), cancel, upcoming)
                except IngestError as exc:
                    result = FileResult(i, len(files), path, "failed", error=str(exc))
                except (DiskFullError, LibraryCorruptError):
                    raise  # the library, not this file: every next file would fail the same way
                except Exception as exc:  # a bug in Lantern or a library it uses
                    if damage := as_damage(exc, self.store.path):
                        raise damage from exc  # every next file would fail the same way
                    # fail this file only, and drop it from the queue, so that it cannot block
                    # every later batch (it is tried again only when given again)
                    log.exception("unexpected error adding %s", shown(path))
                    result = FileResult(i, len(files), path, "failed", error=(
                        f"could not be added: unexpected {type(exc).__name__}: {exc} (a bug; "
                        "please report it with the output of `lantern --verbose add` on it)"))
                if result is None:  # cancelled mid-file: nothing of it was kept
                    break
                self.store.dequeue(path)
                counts[result.status] += 1
                if result.doc_id:
                    statuses[result.doc_id] = result.status
                yield result
        if cancel.is_set():
            for path in files:
                self.store.dequeue(path)
        elif embed:
            for event in self.embed_pending(cancel):
                if isinstance(event, FileResult):  # failed: it is counted as such
                    if event.doc_id and (was := statuses.get(event.doc_id)) is not None:
                        counts[was] -= 1
                    counts["failed"] += 1
                yield event
        yield BatchFinished(cancelled=cancel.is_set(), **counts)

    def batch(self) -> contextlib.AbstractContextManager[None]:
        """A batch of files read in turn (see Readers.batch)."""
        return self._readers.batch()

    def _load_embedder_meanwhile(self) -> None:
        """Load the embedding model on a thread while the first new file is read (seconds
        each), when the batch's vectors follow it; embed() waits for it. A failure is raised
        again by embed() on this thread."""
        if self._loading is None and not getattr(self.embedder, "loaded", True):
            def load() -> None:
                try:
                    self.embedder.dim  # noqa: B018  (loads the model)
                except Exception:  # told by the next embed(), which loads again
                    log.debug("loading the embedding model failed", exc_info=True)

            self._loading = threading.Thread(target=load, name="lantern-load-embedder", daemon=True)
            self._loading.start()

    def _worth_reading(self, path: Path) -> bool:
        """Whether `path` is to be read ahead: not unchanged, not a bad file (its message comes
        in its turn)."""
        try:
            return not_a_file(path) is None and not self.store.find_by_sha(
                file_sha256(path, self.settings.ingest.max_file_mb), self.settings.chunking_key())
        except (OSError, IngestError) as exc:  # reported when that file's turn comes
            log.debug("not reading %s ahead: %s", path, exc)
            return False

    def add_one(
        self, path: Path, i: int, total: int, cancel: threading.Event,
        upcoming: Sequence[Path] = (),
    ) -> Generator[FileProgress, None, FileResult | None]:
        """Add one file, yielding its progress; returns its FileResult (None if cancelled).
        `upcoming`: the files that follow, read ahead by reader processes left free."""
        if problem := not_a_file(path):
            raise problem
        sha = file_sha256(path, self.settings.ingest.max_file_mb)
        chunking = self.settings.chunking_key()
        if (same := self.store.find_by_sha(sha, chunking)) and not self._ocr_changed(same.doc_id):
            if same.path != path and not same.path.exists():
                self.store.set_path(same.doc_id, path)  # the file moved
            return FileResult(i, total, path, "unchanged", same.doc_id, same.title, same.pages, same.chunks)
        previous = self.store.find_by_path(path)
        if (stale := self.store.find_by_sha(sha)) and stale not in previous:
            previous.append(stale)  # same file, chunked with other settings: chunk it anew
        yield FileProgress(path, "reading", 0, 1)
        if self._embed_next:
            self._load_embedder_meanwhile()
        doc = yield from self._readers.read(path, cancel, upcoming)
        if doc is None:  # cancelled while reading: nothing of it was stored
            return None
        if doc.sha256 and doc.sha256 != sha:  # the reader hashed the very bytes it parsed
            raise IngestError("changed while it was being read (is a program still writing "
                              "it?); add it again once it is complete")
        self._readers.read_ahead(upcoming)
        from core.ingest.chunk import chunk_document

        chunks = chunk_document(doc, self.settings.chunking)
        if not chunks:
            raise NeedsOcrError("no text to index (scanned images?): turn OCR on (lantern add --ocr auto) or run ocrmypdf on it")
        doc_id = f"{sha[:8]}{chunking[:4]}"  # content + chunking: a re-chunk gets a new id
        if any(p.doc_id == doc_id for p in previous):
            # the same file read again with another OCR language: an id of its own, so that
            # the copy it replaces stays whole until this one is ready
            salt = hashlib.sha256(f"{chunking}:{doc.ocr_language}".encode()).hexdigest()
            doc_id = f"{sha[:8]}{salt[:4]}"
        self.store.delete_papers([doc_id])  # a stale half-added copy, if any
        old = [p.doc_id for p in previous]
        try:
            self.store.insert_paper(doc_id, sha, doc, chunks, chunking)
            with self.lock:
                old_ids = set(self.store.chunk_ids(old)) if previous else set()
                self.store.mark_ready(doc_id, replaces=old)  # searchable from here on
        except BaseException:
            self.store.delete_papers([doc_id])
            raise
        if previous:  # if this fails, the next open drops the replaced copy's vectors
            with self.lock:
                self.index.drop(old_ids, forget=old)
        status: FileStatus = "replaced" if previous else "added"
        return FileResult(i, total, path, status, doc_id, doc.meta.title, len(doc.pages),
                          len(chunks), notice=doc.notice)

    def _ocr_changed(self, doc_id: str) -> bool:
        """Whether the paper's OCR pages were read with another language than the settings
        now ask for: adding its file again then reads it again (not "unchanged")."""
        used = self.store.ocr_language(doc_id)
        ocr = self.settings.ocr
        return used is not None and ocr.mode != "off" and used != ocr.language

    # ------------------------------------------------------------ embedding (second pass)
    def embed_pending(self, cancel: threading.Event) -> Iterator[IngestEvent]:
        """Embed the ready papers that have no vectors yet, oldest first, one durable journal
        record per paper (core/vectors/index.py): a crash or a cancel loses at most the paper being
        embedded, which stays searchable by its words and is embedded by the next run.
        Yields FileProgress per batch and Embedded per paper; a paper whose text makes the
        embedding fail unexpectedly (a bug) is removed with a failed FileResult, so that it
        cannot block every later run. The caller holds the write lock."""
        with self.lock:
            todo = self.index.unindexed()
        for n, doc_id in enumerate(todo, start=1):
            if cancel.is_set():
                return
            with self.lock:
                paper = self.store.paper(doc_id)
            if paper is None:  # removed meanwhile (the desktop interleaves jobs)
                continue
            try:
                done = yield from self._embed_one(paper, cancel)
            except (DiskFullError, LibraryCorruptError):
                raise  # the library, not this paper: every next one would fail the same way
            except Exception as exc:
                if damage := as_damage(exc, self.store.path):
                    raise damage from exc
                log.exception("unexpected error embedding %s", shown(paper.path))
                self.remove([doc_id])
                yield FileResult(n, len(todo), paper.path, "failed", doc_id, paper.title, error=(
                    f"could not be added: unexpected {type(exc).__name__} while computing its "
                    f"vectors: {exc} (a bug; please report it with the output of "
                    "`lantern --verbose add` on it)"))
                continue
            if done:
                yield Embedded(doc_id, paper.title, n, len(todo))

    def _embed_one(self, paper: Paper, cancel: threading.Event) -> Generator[IngestEvent, None, bool]:
        """Embed one paper's chunks and journal them; False if cancelled or removed meanwhile."""
        with self.lock:
            rows = self.store.chunks_by_id(self.store.chunk_ids([paper.doc_id], embedded=True))
        embed = _in_length_order(rows)
        ids = [cid for cid, _ in embed]
        ahead = self._vectors_ahead.pop(paper.doc_id, None)
        if ahead is not None and ahead[0] == ids:  # computed while another process added it
            vectors = ahead[1]
        else:
            if not getattr(self.embedder, "loaded", True):  # seconds, once a process
                yield FileProgress(paper.path, "loading the embedding model", 0, 0)
            vectors = []
            for start in range(0, len(embed), EMBED_BATCH):
                if cancel.is_set():
                    return False  # this paper's vectors so far are dropped; it stays searchable
                yield FileProgress(paper.path, "embedding", start, len(embed))
                vectors.extend(self.embedder.embed([t for _, t in embed[start : start + EMBED_BATCH]]))
        with self.lock:
            if self.store.paper(paper.doc_id) is None:
                return False  # removed while it was embedded
            index = self.index.get()
            index.add(ids, vectors, paper=(paper.doc_id, str(paper.path)))
            index.save()  # a new snapshot now and then, not per paper
        return True

    def embed_ahead(self, adding: Callable[[], bool]) -> None:
        """While `adding()` (another process holds the write lock to add papers), compute the
        vectors of the papers it has stored, in memory: embed_pending journals them once
        this process has the lock. Run at a low priority (core.ingest.background), this uses
        only what reading the files leaves of the CPU, so the papers are searchable as soon
        as before and embedded sooner."""
        with self.lock:  # what the index holds now: `add` only drops vectors meanwhile
            indexed = self.index.indexed()
        while adding():
            with self.lock:
                todo = [d for d in self.store.ready_without(indexed) if d not in self._vectors_ahead]
                rows = self.store.chunks_by_id(
                    self.store.chunk_ids(todo[:1], embedded=True)) if todo else {}
            if not todo:
                time.sleep(0.25)
                continue
            embed = _in_length_order(rows)
            vectors = [v for start in range(0, len(embed), EMBED_BATCH)
                       for v in self.embedder.embed([t for _, t in embed[start : start + EMBED_BATCH]])]
            self._vectors_ahead[todo[0]] = ([cid for cid, _ in embed], vectors)


def _in_length_order(rows: Mapping[int, Any]) -> list[tuple[int, str]]:
    """(chunk id, text) in order of length: a batch of like lengths pads least (bench/README.md,
    "Embedding batch size"); a paper's vectors may be stored in any order."""
    return sorted(((cid, r["text"]) for cid, r in rows.items()), key=lambda e: len(e[1]))
