"""The library folder: creating it, telling whether it can be written, and its write lock.

One process at a time writes a library (adds, removes, repairs, a long extraction): a file
lock (`write.lock` in the folder; flock, so it is let go when the process dies). Readers in
other processes never take it and keep working.

The background embedder (`lantern index --background`, started by `lantern add`) is a polite
writer: it marks itself (`embedding.pid`) while it holds the lock, and a writer that finds the
lock taken asks it to stop (`embedding.stop`) and waits; it stops between two batches, keeping
every paper it finished. docs/searchable-first.md.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import filelock

from core.errors import LibraryCorruptError, LibraryLockedError, LibraryReadOnlyError
from core.paths import shown
from core.store_file import read_only_reason

DB_NAME = "library.sqlite3"
EMBEDDER_MARK = "embedding.pid"  # a background embedder holds the write lock
STOP_REQUEST = "embedding.stop"  # another writer asks it to let go
STATE_DIR = "prompt-state"  # the chat model's state after the prompt's opening (a cache)
# how often the embedder looks for a stop request (it stops at its next batch boundary, about
# a second of MiniLM on 2 cores, or once its model is loaded), and how long a writer waits
_POLL_S = 0.2
MAKE_ROOM_S = 60.0

log = logging.getLogger(__name__)


def open_folder(root: Path) -> Path:
    """`root`, created if missing; LibraryCorruptError if it is a file or cannot be made."""
    if root.exists() and not root.is_dir():
        raise LibraryCorruptError(f"{shown(root)} is a file, not a library folder: "
                                  "choose another path with --library or $LANTERN_LIBRARY")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryCorruptError(f"cannot create the library folder {shown(root)} "
                                  f"({exc.strerror or exc})") from exc
    return root


class WriteLock:
    """The folder's write lock, and why the library cannot be written at all (`read_only`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Why this library cannot be written, if it cannot: it is then opened for reading only.
        self.read_only: str | None = read_only_reason(root, root / DB_NAME)
        self._lock = filelock.FileLock(str(root / "write.lock"))

    def writing(self, *, make_room: bool = True, wait_s: float = 0.0) -> Release:
        """Hold the write lock (a context manager releases it) or raise LibraryLockedError
        saying another process has it, or LibraryReadOnlyError when nothing can be written.
        `make_room`: a background embedder holding it is asked to stop, and waited for
        (core.ingest.background; it keeps every paper it finished). `wait_s`: how long to
        wait for it first (opening a library takes it for a moment to recover)."""
        if self.read_only:
            raise LibraryReadOnlyError(
                f"{self.read_only}, so papers cannot be added or removed (listing and asking "
                "still work); make it writable, or copy the folder and use --library"
            )
        if not self._acquired(wait_s) and not (make_room and self._make_room()):
            raise LibraryLockedError(
                f"{self.root}: another Lantern process is writing to this library; "
                "wait for it to finish (reading and asking still work)"
            )
        return Release(self._lock)

    def _acquired(self, wait_s: float = 0.0) -> bool:
        """Take the lock if it is free, or becomes free within `wait_s`."""
        try:
            self._lock.acquire(timeout=wait_s, poll_interval=0.05)
        except filelock.Timeout:
            return False
        return True

    def _make_room(self, timeout_s: float = MAKE_ROOM_S) -> bool:
        """Ask a background embedder holding the lock to stop, and take the lock once it has;
        False if none holds it (its mark may outlive a kill -9, but then the lock was free)
        or it did not stop within `timeout_s`."""
        if not (self.root / EMBEDDER_MARK).exists():
            return False
        stop = self.root / STOP_REQUEST
        stop.touch()
        try:
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                if self._acquired(_POLL_S):
                    return True
            return False
        finally:
            with contextlib.suppress(FileNotFoundError):
                stop.unlink()

    @contextlib.contextmanager
    def as_embedder(self, cancel: threading.Event) -> Iterator[None]:
        """While the lock is held: mark this process as the background embedder and set
        `cancel` when another writer asks it to stop; the mark goes on the way out."""
        stop, mark = self.root / STOP_REQUEST, self.root / EMBEDDER_MARK
        with contextlib.suppress(FileNotFoundError):
            stop.unlink()  # meant for an earlier embedder
        mark.write_text(str(os.getpid()))
        done = threading.Event()

        def watch() -> None:
            while not done.wait(_POLL_S):
                if stop.exists():
                    log.info("another writer asked for the library: stopping after this batch")
                    cancel.set()
                    return

        watcher = threading.Thread(target=watch, name="lantern-stop-request", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()
            with contextlib.suppress(FileNotFoundError):
                mark.unlink()

    def try_writing(self) -> Release | None:
        """The write lock if no other process has it and the library can be written, else None
        (a background embedder is left to its work)."""
        try:
            return self.writing(make_room=False)
        except (LibraryLockedError, LibraryReadOnlyError):
            return None


class Release:
    """A held write lock: leaving the `with` block lets it go."""

    def __init__(self, lock: filelock.BaseFileLock) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
