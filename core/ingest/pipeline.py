"""Adding papers (and removing them): find the PDFs, hash them, read each in the reader
process, chunk, embed, index; every paper is committed on its own, so a crash or a cancel
keeps the library whole.

A paper is stored in state 'indexing' until its vectors are saved, then made 'ready' in one
transaction with the removal of the copy it replaces; recovery (repair.recover_on_open) deletes
what is still 'indexing' and queues its file again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import threading
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

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
from core.paths import shown
from core.settings import Settings
from core.store import KEYWORD_ONLY_SECTIONS, Store
from core.types import (
    BatchFinished,
    BatchStarted,
    FileProgress,
    FileResult,
    FileStarted,
    FileStatus,
    IngestEvent,
    ParsedDocument,
)
from core.vectors.library_index import LibraryIndex

if TYPE_CHECKING:
    from core.ingest.worker import ParserProcess

log = logging.getLogger(__name__)

EMBED_BATCH = 32


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


class _Cancelled(Exception):
    """Raised inside add_one when the batch is cancelled mid-file."""


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
        self._parser: ParserProcess | None = None
        self._loading: threading.Thread | None = None  # the embedding model, once

    def close(self) -> None:
        if self._parser is not None:
            self._parser.close()
            self._parser = None

    def remove(self, doc_ids: list[str]) -> None:
        """Delete papers from SQLite, then their vectors: a crash between, and the next open
        drops those vectors (repair.recover). The caller holds the write lock."""
        with self.lock:
            chunk_ids = set(self.store.chunk_ids(doc_ids))
            self.store.delete_papers(doc_ids)
            self.index.drop(chunk_ids, forget=doc_ids)

    def add(self, paths: Iterable[Path | str], cancel: threading.Event) -> Iterator[IngestEvent]:
        """Add PDFs (files or folders); files of an interrupted batch are picked up too."""
        given = find_pdfs(paths)
        leftover = [p for p in self.store.pending() if p not in given and p.is_file()]
        files = leftover + given
        self.store.queue(files)
        counts = {"added": 0, "unchanged": 0, "replaced": 0, "failed": 0}
        yield BatchStarted(len(files), resumed=len(leftover))
        for i, path in enumerate(files, start=1):
            if cancel.is_set():
                break
            yield FileStarted(i, len(files), path)
            result: FileResult | None
            try:
                upcoming = files[i] if i < len(files) else None
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
            yield result
        if cancel.is_set():
            for path in files:
                self.store.dequeue(path)
        yield BatchFinished(cancelled=cancel.is_set(), **counts)

    def _parse(
        self, path: Path, cancel: threading.Event
    ) -> Generator[FileProgress, None, ParsedDocument | None]:
        """Read `path` in the reader process, passing on OCR progress page by page; the
        document, or None when cancelled."""
        if self._parser is None:
            from core.ingest.worker import ParserProcess

            self._parser = ParserProcess(
                self.settings.ingest, verbose=self.verbose, ocr=self.settings.ocr
            )
        reading = self._parser.read(path, cancel)
        while True:
            try:
                done, total = next(reading)
            except StopIteration as finished:
                return finished.value
            yield FileProgress(path, "ocr", done, total)

    def _load_embedder_meanwhile(self) -> None:
        """Load the embedding model on a thread while the first new file is read (seconds
        each); embed() waits for it. A failure is raised again by embed() on this thread."""
        if self._loading is None and not getattr(self.embedder, "loaded", True):
            def load() -> None:
                try:
                    self.embedder.dim  # noqa: B018  (loads the model)
                except Exception:  # told by the next embed(), which loads again
                    log.debug("loading the embedding model failed", exc_info=True)

            self._loading = threading.Thread(target=load, name="lantern-load-embedder", daemon=True)
            self._loading.start()

    def _read_ahead(self, path: Path | None) -> None:
        """Let the PDF reader process start on the next file while this one is embedded (on
        two cores this hides most of the reading time); unchanged files are not read."""
        if path is None or self._parser is None:
            return
        try:
            if not_a_file(path) is None and not self.store.find_by_sha(
                file_sha256(path, self.settings.ingest.max_file_mb), self.settings.chunking_key()
            ):
                self._parser.prefetch(path)
        except (OSError, IngestError) as exc:  # reported when that file's turn comes
            log.debug("not reading %s ahead: %s", path, exc)

    def add_one(
        self, path: Path, i: int, total: int, cancel: threading.Event, upcoming: Path | None = None
    ) -> Generator[FileProgress, None, FileResult | None]:
        """Add one file, yielding its progress; returns its FileResult (None if cancelled)."""
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
        self._load_embedder_meanwhile()
        doc = yield from self._parse(path, cancel)
        if doc is None:  # cancelled while reading: nothing of it was stored
            return None
        if doc.sha256 and doc.sha256 != sha:  # the reader hashed the very bytes it parsed
            raise IngestError("changed while it was being read (is a program still writing "
                              "it?); add it again once it is complete")
        self._read_ahead(upcoming)
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
        ids = self.store.insert_paper(doc_id, sha, doc, chunks, chunking)
        # in order of length: a batch of like lengths pads least (bench/README.md, "Embedding
        # batch size"); a paper's vectors may be stored in any order
        embed = sorted(((cid, c.text) for cid, c in zip(ids, chunks, strict=True)
                        if c.section not in KEYWORD_ONLY_SECTIONS), key=lambda e: len(e[1]))
        if not getattr(self.embedder, "loaded", True):  # the first file of a session
            yield FileProgress(path, "loading the embedding model", 0, 0)
        try:
            vectors: list[np.ndarray] = []
            for start in range(0, len(embed), EMBED_BATCH):
                if cancel.is_set():
                    raise _Cancelled
                yield FileProgress(path, "embedding", start, len(embed))
                vectors.extend(self.embedder.embed([t for _, t in embed[start : start + EMBED_BATCH]]))
            yield FileProgress(path, "indexing", len(embed), len(embed))
            with self.lock:
                index = self.index.get()
                # durable (journal fsync) before the paper is ready: see core/vectors/index.py
                index.add([cid for cid, _ in embed], vectors, paper=(doc_id, str(path)))
                old = [p.doc_id for p in previous]
                old_ids = set(self.store.chunk_ids(old)) if previous else set()
                self.store.mark_ready(doc_id, replaces=old)
        except BaseException as exc:
            with self.lock:
                try:
                    self.store.delete_papers([doc_id])
                    self.index.drop(ids, forget=[doc_id], only_if_open=True)
                except Exception:  # e.g. the disk is still full: the next open recovers it
                    log.warning("could not undo the half-added %s; the next open will", path,
                                exc_info=True)
            if isinstance(exc, _Cancelled):
                return None
            raise
        with self.lock:  # if this fails, the next open drops the replaced copy's vectors
            index.delete(old_ids, forget=old)
            index.save()  # a new snapshot now and then, not per paper
        status: FileStatus = "replaced" if previous else "added"
        return FileResult(i, total, path, status, doc_id, doc.meta.title, len(doc.pages),
                          len(chunks), notice=doc.notice)

    def _ocr_changed(self, doc_id: str) -> bool:
        """Whether the paper's OCR pages were read with another language than the settings
        now ask for: adding its file again then reads it again (not "unchanged")."""
        used = self.store.ocr_language(doc_id)
        ocr = self.settings.ocr
        return used is not None and ocr.mode != "off" and used != ocr.language
