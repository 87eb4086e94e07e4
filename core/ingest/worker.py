"""Run read_pdf in a long-lived child process with a time limit and a memory cap.

A malformed PDF can make pypdf loop for minutes or inflate a decompression bomb until the
machine swaps; neither can be stopped inside the process that hosts the models. The child
is started on first use and reused for every file until it times out or dies.

It is never forked from the parent (which may hold torch/llama/Qt threads, which fork
breaks): where the platform has one, a "forkserver" is started fresh once per parent
process, imports the reader, and forks each child from itself, so a child starts in
milliseconds instead of a new interpreter importing pypdf (about 1 s of CPU; that was most
of the fast test tier's time). Elsewhere (Windows) each child is spawned.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import multiprocessing.context as mpc
import signal
import threading
import time
from collections.abc import Callable, Generator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Self

from core import errors
from core.errors import CorruptPdfError, IngestError, ParseTimeoutError, TooLargeError
from core.settings import IngestSettings, OcrSettings
from core.types import ParsedDocument

log = logging.getLogger(__name__)
_RESAVE = "try re-saving it from a PDF viewer"
_START_TIMEOUT_S = 120.0
_TICK_S = 0.25  # how often a waiting parent looks at its cancel flag
_BUSY_TICK_S = 0.03  # ... and at its other readers, when it has any


def _context() -> mpc.ForkServerContext | mpc.SpawnContext:
    """The forkserver context, its server preloading the reader; spawn where there is none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["core.ingest.pdf"])  # only before the server starts
    return ctx


def _limit_memory(limit_mb: int) -> None:
    """Cap the child's address space so a bomb raises MemoryError instead of eating RAM."""
    try:
        import resource  # POSIX only
    except ImportError:  # Windows: no cap, the time limit still applies
        return
    limit = limit_mb * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError) as exc:  # e.g. macOS refuses RLIMIT_AS
        log.debug("cannot cap the PDF reader's memory: %s", exc)


def _child_main(
    conn: Connection, settings: dict[str, Any], ocr: dict[str, Any] | None, verbose: bool
) -> None:
    """Child loop: receive a path, send ("page", done, total) while OCR runs, then
    ("ok", doc) or ("error", class name, message)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from core.ingest.pdf import read_pdf  # after logging is set up; imports pypdf
    from core.settings import OcrSettings

    ocr_settings = OcrSettings.model_validate(ocr) if ocr is not None else None

    def on_page(done: int, total: int) -> None:
        conn.send(("page", done, total))

    _limit_memory(settings["memory_limit_mb"])
    if not _reply(conn, ("ready",)):
        return
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        try:
            doc = read_pdf(
                Path(path), max_pages=settings["max_pages"], max_file_mb=settings["max_file_mb"],
                ocr=ocr_settings, on_page=on_page,
            )
            reply: tuple[Any, ...] = ("ok", doc)
        except IngestError as exc:
            reply = ("error", type(exc).__name__, str(exc))
        except MemoryError:
            reply = (
                "error",
                "TooLargeError",
                "needs too much memory to read (decompression bomb?)",
            )
        except Exception as exc:  # a bug in the ingest code, not the user's file
            log.exception("unexpected error reading %s", path)
            reply = ("error", "CorruptPdfError", f"could not be read ({type(exc).__name__}: {exc})")
        if not _reply(conn, reply):
            return


def _reply(conn: Connection, reply: tuple[Any, ...]) -> bool:
    """Send a reply to the parent; False when the parent is gone (nobody is left to tell)."""
    try:
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(
                ("error", "TooLargeError", "needs too much memory to read (decompression bomb?)")
            )
    except (OSError, EOFError):  # BrokenPipeError: the parent died or closed the pipe
        return False
    return True


def _rebuild(name: str, message: str) -> IngestError:
    """The IngestError subclass named by the child, with its message."""
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, IngestError)):
        cls = CorruptPdfError
    return cls(message)


class ParserProcess:
    """read_pdf in a reusable child process, with settings.timeout_s and memory_limit_mb.

    With `ocr`, pages without a usable text layer are recognised; while that runs, each page
    done gives the file another ocr.page_timeout_s. Not for concurrent use from several
    threads (calls are serialised by a lock).
    """

    def __init__(
        self, settings: IngestSettings, verbose: bool = False, ocr: OcrSettings | None = None
    ) -> None:
        self.settings = settings
        self.ocr = ocr
        self.verbose = verbose
        self._ctx = _context()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._lock = threading.RLock()  # read() calls `meanwhile`, which may look at this one
        self._reading = False  # read() is waiting for its file: this reader is not free
        self._ahead: tuple[str, float] | None = None  # (path, deadline) being read ahead
        self._ready: dict[str, tuple[Any, ...]] = {}  # replies read ahead, picked up by read()
        self._pages: dict[str, tuple[int, int]] = {}  # the last OCR progress of a file read ahead

    def _start(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_child_main,
            args=(
                child, self.settings.model_dump(),
                self.ocr.model_dump(mode="json") if self.ocr else None, self.verbose,
            ),
            name="lantern-pdf-reader",
            daemon=True,
        )
        try:
            process.start()
        finally:
            child.close()
        self._process, self._conn = process, parent
        # Wait for the imports here, so they do not count against the first file's time limit.
        try:
            ready = parent.poll(_START_TIMEOUT_S) and parent.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._stop(kill=True)
            raise IngestError("the PDF reader process did not start; run with --verbose to see why")
        log.debug("started PDF reader process %s", self._process.pid)
        return parent

    def _stop(self, *, kill: bool = False) -> None:
        """End the child: politely, or at once after a timeout."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self._ahead = None
        self._ready.clear()
        self._pages.clear()
        if conn is not None:
            if not kill:
                try:
                    conn.send(None)
                except (OSError, ValueError):
                    pass
            conn.close()
        if process is not None:
            if kill:
                process.kill()
            process.join(2)
            if process.is_alive():
                process.kill()
                process.join(2)

    def _send(self, path: str) -> Connection:
        conn = self._start()
        try:
            conn.send(path)
        except (OSError, ValueError):  # the idle child was killed from outside: start anew
            self._stop(kill=True)
            conn = self._start()
            conn.send(path)
        return conn

    @property
    def ahead(self) -> Path | None:
        """The file this reader is reading ahead (prefetch) right now, if any."""
        return Path(self._ahead[0]) if self._ahead is not None else None

    def holds(self, path: Path) -> bool:
        """Whether `path` is being read ahead here, or was and waits to be picked up."""
        wanted = str(Path(path).resolve())
        return wanted in self._ready or (self._ahead is not None and self._ahead[0] == wanted)

    def prefetch(self, path: Path) -> None:
        """Start reading `path` now, while the caller does other work (stores the previous
        file); read(path) then picks the result up. The time limit counts from here."""
        with self._lock:
            if self._ahead is None:
                wanted = str(Path(path).resolve())
                self._send(wanted)
                self._ahead = (wanted, time.monotonic() + self.settings.timeout_s)

    def collect(self) -> bool:
        """Take the reply of the file read ahead, if it has come, so that this reader can be
        given the next one (read() picks the reply up later); whether this reader is free."""
        with self._lock:
            if self._reading:
                return False
            while self._ahead is not None and self._conn is not None:
                try:
                    if not self._conn.poll(0):
                        return False
                    reply = self._conn.recv()
                except (EOFError, OSError):  # died: read() reports it as that file's fault
                    return False
                path, deadline = self._ahead
                if reply[0] == "page":  # OCR is slow but moving: each page gets its own time
                    self._pages[path] = (reply[1], reply[2])  # told when the file's turn comes
                    if self.ocr is not None:
                        self._ahead = (path, max(deadline, time.monotonic() + self.ocr.page_timeout_s))
                    continue
                self._ready[path] = reply
                self._ahead = None
            return self._ahead is None

    def drop_ahead(self) -> None:
        """Forget what was read ahead (a batch ended or was cancelled: the files may change
        before the next one); a file still being read stops the reader."""
        with self._lock:
            self._ready.clear()
            self._pages.clear()
            if self._ahead is not None:
                self._stop(kill=True)

    def parse(self, path: Path) -> ParsedDocument:
        """read_pdf(path) in the child; IngestError subclasses for bad files, timeouts and crashes."""
        reading = self.read(path)
        while True:
            try:
                next(reading)
            except StopIteration as done:
                assert done.value is not None  # no cancel flag: never cancelled
                return done.value

    def read(
        self, path: Path, cancel: threading.Event | None = None,
        meanwhile: Callable[[], object] | None = None,
    ) -> Generator[tuple[int, int], None, ParsedDocument | None]:
        """Like parse(), yielding (pages done, pages to do) while OCR runs; returns the document,
        or None when `cancel` was set (the child is stopped; the next file starts a new one).
        `meanwhile` is called every few hundredths of a second while this waits (other readers
        are given their next files)."""
        wanted = str(Path(path).resolve())
        with self._lock:
            timeout = self.settings.timeout_s
            reply = self._ready.pop(wanted, None)
            if (pages := self._pages.pop(wanted, None)) is not None:
                yield pages  # how far OCR had come while the file was read ahead
            if reply is not None:
                return self._outcome(path, reply)
            if self._ahead is not None and self._ahead[0] == wanted:
                conn, deadline = self._conn, self._ahead[1]
                assert conn is not None  # a file is read ahead only while the child runs
                self._ahead = None
            else:
                if self._ahead is not None:  # read ahead for nothing (cancelled): drop that work
                    self._stop(kill=True)
                conn, deadline = self._send(wanted), time.monotonic() + timeout
            assert conn is not None
            self._reading = True
            try:
                return (yield from self._wait(path, conn, deadline, cancel, meanwhile))
            finally:
                self._reading = False

    def _wait(
        self, path: Path, conn: Connection, deadline: float, cancel: threading.Event | None,
        meanwhile: Callable[[], object] | None,
    ) -> Generator[tuple[int, int], None, ParsedDocument | None]:
        """read()'s wait for its file's reply, with the lock held."""
        timeout = self.settings.timeout_s
        while True:
            if cancel is not None and cancel.is_set():
                self._stop(kill=True)
                return None
            remaining = deadline - time.monotonic()
            if meanwhile is not None:
                meanwhile()
            tick = _TICK_S if meanwhile is None else _BUSY_TICK_S
            try:
                ready = conn.poll(max(0.0, min(remaining, tick)))
                reply = conn.recv() if ready else None
            except (EOFError, OSError):
                return self._died(path)
            if reply is None:
                if remaining > 0:
                    continue
                log.debug("%s: no answer after %s s; killing the reader", path, timeout)
                self._stop(kill=True)
                raise ParseTimeoutError(
                    f"took longer than {timeout:g} s to read; the file may be "
                    f"malformed. {_RESAVE.capitalize()}"
                )
            if reply[0] != "page":
                break
            if self.ocr is not None:  # OCR is slow but moving: each page gets its own time
                deadline = max(deadline, time.monotonic() + self.ocr.page_timeout_s)
            try:
                yield reply[1], reply[2]
            except GeneratorExit:  # the caller stopped listening: drop the child's work
                self._stop(kill=True)
                raise
        return self._outcome(path, reply)

    @staticmethod
    def _outcome(path: Path, reply: tuple[Any, ...]) -> ParsedDocument:
        if reply[0] == "ok":
            return dataclasses.replace(reply[1], path=Path(path))
        raise _rebuild(reply[1], reply[2])

    def _died(self, path: Path) -> ParsedDocument:
        """The child vanished mid-file: report it as the file's fault and restart next time."""
        process = self._process
        if process is not None:
            process.join(2)
        code = process.exitcode if process is not None else None
        self._stop(kill=True)
        log.debug("%s: PDF reader died (exit code %s)", path, code)
        if code == -signal.SIGKILL:  # the kernel's OOM killer, most likely
            raise TooLargeError("needs too much memory to read (decompression bomb?)")
        raise CorruptPdfError(f"crashed the PDF reader (exit code {code}); {_RESAVE}")

    def close(self) -> None:
        """Stop the child process; a later parse() starts a new one."""
        with self._lock:
            self._stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
