"""A file before it is parsed: read it whole, within the size limit, and tell a PDF from what
is not one (a renamed Word file, an HTML error page, a folder, a pipe), each with its own
NotAPdfError message. A message says what a file is, never what it holds: a file given by
mistake (or by a hostile Zotero database) may hold passwords.
"""

from __future__ import annotations

import logging
import re
import stat
from pathlib import Path

from core.errors import CorruptPdfError, NotAPdfError, TooLargeError

log = logging.getLogger(__name__)

_HEADER_WINDOW = 1024  # %PDF- may follow a little junk (the spec allows 1024 bytes)

# Leading bytes of formats people rename to .pdf by mistake.
_SIGNATURES = (
    (b"PK\x03\x04", "looks like a ZIP, e.g. a .docx or .epub"),
    (b"\xd0\xcf\x11\xe0", "looks like an old Microsoft Office file"),
    (b"\x89PNG", "looks like a PNG image"),
    (b"\xff\xd8\xff", "looks like a JPEG image"),
    (b"GIF8", "looks like a GIF image"),
    (b"II*\x00", "looks like a TIFF image"),
    (b"MM\x00*", "looks like a TIFF image"),
    (b"%!PS", "looks like PostScript"),
    (b"{\\rtf", "looks like an RTF document"),
    (b"\x1f\x8b", "looks like a gzip archive"),
    (b"AT&TFORM", "looks like a DjVu document"),
)


def _describe_start(head: bytes) -> str:
    """What a non-PDF file is, from its first bytes ("looks like a ZIP, e.g. a .docx"), never
    what it holds."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return what
    sample = head[:512]
    if sample.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "it is an HTML page, e.g. a download that went wrong"
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end is still text
        text = sample[: exc.start].decode("utf-8") if exc.start > len(sample) - 4 else ""
    if text and all(c.isprintable() or c in "\r\n\t" for c in text):
        return "it is a text file"
    return "it holds data of an unknown kind"


def read_file(path: Path, max_file_mb: int) -> bytes:
    """The whole file, read once (its hash and its text come from these same bytes)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # opening a FIFO would block for ever
            raise NotAPdfError("is not a regular file (a named pipe or a device?)")
        size = info.st_size
        if size > max_file_mb * 1024 * 1024:
            raise TooLargeError(f"too large: {size / 2**20:.0f} MB (limit {max_file_mb} MB)")
        with path.open("rb") as fh:  # no more than it had, should it grow meanwhile
            data = fh.read(size + 1)  # (read(n) allocates n bytes: not the limit)
        if len(data) > size:
            raise CorruptPdfError("grew while it was being read (is a program still writing "
                                  "it?); add it again once it is complete")
    except IsADirectoryError as exc:
        raise NotAPdfError("is a folder, not a PDF file") from exc
    except FileNotFoundError as exc:
        raise NotAPdfError("file not found; was it moved or deleted?") from exc
    except OSError as exc:
        raise NotAPdfError(
            f"cannot be opened ({exc.strerror or exc}); check that it is readable"
        ) from exc
    return data


def pdf_bytes(data: bytes, path: Path) -> bytes:
    """The file's bytes from the %PDF- header on, after format checks."""
    if not data:
        raise NotAPdfError("is empty (0 bytes); download or copy it again")
    start = data.find(b"%PDF-", 0, _HEADER_WINDOW + 5)
    if start > 0:
        log.debug("%s: %d junk bytes before %%PDF-", path, start)
        return data[start:]
    if start < 0:
        # No header, but the body of a PDF: pypdf may still rebuild it from its objects.
        if re.search(rb"\d+\s+\d+\s+obj\b", data[:65536]):
            return data
        raise NotAPdfError(f"not a PDF ({_describe_start(data)})")
    return data
