"""File names as the file system has them, and as a person may safely see them.

POSIX file names are bytes. Python decodes the ones that are not UTF-8 with surrogate escapes
(PEP 383), which no UTF-8 encoder accepts: SQLite, JSON writers and the terminal all refuse
them. Names may also hold a newline, CR or ESC, which split or rewrite a terminal line.
`to_db`/`from_db` keep every name exactly (bytes where UTF-8 cannot hold it); `shown` gives
the one-line, printable form for messages.
"""

from __future__ import annotations

import os
from pathlib import Path

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` on one line and safe for a terminal: undecodable bytes as \\xNN, controls escaped."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:  # any other lone surrogate
            out.append(f"\\u{code:04x}")
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif not char.isprintable() and char != " ":
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def shown(path: os.PathLike[str] | str) -> str:
    """A path for messages and labels: printable() of its name as the file system has it."""
    return printable(os.fspath(path))


def to_db(path: os.PathLike[str] | str) -> str | bytes:
    """A path as SQLite stores it losslessly: text when it is valid UTF-8, else its raw bytes."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text)
    return text


def from_db(value: str | bytes) -> Path:
    """Inverse of to_db."""
    return Path(os.fsdecode(value) if isinstance(value, bytes) else value)
