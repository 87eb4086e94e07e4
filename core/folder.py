"""The library folder: creating it, telling whether it can be written, and its write lock.

One process at a time writes a library (adds, removes, repairs, a long extraction): a file
lock (`write.lock` in the folder; flock, so it is let go when the process dies). Readers in
other processes never take it and keep working.
"""

from __future__ import annotations

from pathlib import Path

import filelock

from core.errors import LibraryCorruptError, LibraryLockedError, LibraryReadOnlyError
from core.paths import shown
from core.store_file import read_only_reason

DB_NAME = "library.sqlite3"


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

    def writing(self) -> Release:
        """Hold the write lock (a context manager releases it) or raise LibraryLockedError
        saying another process has it, or LibraryReadOnlyError when nothing can be written."""
        if self.read_only:
            raise LibraryReadOnlyError(
                f"{self.read_only}, so papers cannot be added or removed (listing and asking "
                "still work); make it writable, or copy the folder and use --library"
            )
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout as exc:
            raise LibraryLockedError(
                f"{self.root}: another Lantern process is writing to this library; "
                "wait for it to finish (reading and asking still work)"
            ) from exc
        return Release(self._lock)

    def try_writing(self) -> Release | None:
        """The write lock if no other process has it and the library can be written, else None."""
        try:
            return self.writing()
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
