"""Domain errors. Front ends turn these into one readable line; anything else is a bug."""

from __future__ import annotations


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
