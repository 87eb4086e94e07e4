"""Domain errors. Front ends turn these into one readable line; anything else is a bug."""

from __future__ import annotations

import os
import sqlite3

from core.paths import shown


class LanternError(Exception):
    """Base class for every error Lantern reports to a user."""


class SettingsError(LanternError):
    """A setting has an invalid value."""


class LibraryLockedError(LanternError):
    """Another process is writing to this library."""


class LibraryCorruptError(LanternError):
    """The library on disk cannot be read."""


class DiskFullError(LanternError):
    """A write ran out of disk space; what was stored before is unchanged."""


class IndexCorruptError(LibraryCorruptError):
    """The vector index file is damaged (checksum or structure); `lantern doctor` rebuilds it."""


class LibraryDamagedError(LibraryCorruptError):
    """The library database has damaged pages; `doctor` rebuilds it."""


class LibraryReadOnlyError(LanternError):
    """The library can be read but not written (read-only folder or files)."""


class QuestionTooLongError(LanternError):
    """A question longer than the model's context can take."""


class PaperNotFoundError(LanternError):
    """No paper with this id in the library."""


class ZoteroError(LanternError):
    """A Zotero data folder cannot be read."""


class ModelError(LanternError):
    """A model file is missing, unreadable or cannot be loaded."""


class IngestError(LanternError):
    """A file could not be added. The message names what is wrong and what to do."""


class NotAPdfError(IngestError):
    pass


class EncryptedPdfError(IngestError):
    pass


class CorruptPdfError(IngestError):
    pass


class EmptyPdfError(IngestError):
    pass


class NeedsOcrError(IngestError):
    pass


class TooLargeError(IngestError):
    pass


class ParseTimeoutError(IngestError):
    pass


# What SQLite says when pages of the file are damaged (SQLITE_CORRUPT, SQLITE_NOTADB, a
# virtual table whose shadow tables cannot be read).
_DAMAGE = ("malformed", "not a database", "vtable constructor failed", "database corrupt")


def damaged_message(path: os.PathLike[str] | str, detail: str) -> str:
    """The one line a user sees about a damaged library database."""
    return (f"{shown(path)}: the library database is damaged ({detail}). Run `lantern doctor` "
            "to rebuild it; it keeps a copy of the damaged file and re-adds your papers from "
            "their files")


def as_damage(exc: BaseException, path: os.PathLike[str] | str) -> LibraryDamagedError | None:
    """A LibraryDamagedError for an sqlite3 error that means damaged pages, else None."""
    if isinstance(exc, LibraryDamagedError):
        return exc
    if isinstance(exc, sqlite3.DatabaseError) and any(d in str(exc) for d in _DAMAGE):
        return LibraryDamagedError(damaged_message(path, str(exc)))
    return None
