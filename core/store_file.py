"""The library database as a file: open it (read-only when it cannot be written), check its
pages after a crash, and salvage what a damaged one still holds. Part of the store layer;
core.store owns the tables, this module the file they live in.

SQLite documents how its files get damaged ("How To Corrupt An SQLite Database File") and
that `PRAGMA quick_check` finds damaged pages in O(N). A clean close of the last connection
deletes the -wal file, so a -wal found at open means a process died with the file open
(or another process has it open now): only then is the check worth its cost.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.paths import from_db, shown

log = logging.getLogger(__name__)

SIDE_FILES = ("-wal", "-shm")


def read_only_reason(root: Path, db_path: Path) -> str | None:
    """Why the library at `root` cannot be written (folder or database not writable), or None."""
    if not os.access(root, os.W_OK):
        return f"the library folder {shown(root)} is read-only"
    for suffix in ("", *SIDE_FILES):
        path = db_path.with_name(db_path.name + suffix)
        if path.exists() and not os.access(path, os.W_OK):
            return f"{shown(path)} is read-only"
    return None


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode; read-only ones never create or change a file."""
    if not read_only:
        return sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
    uri = f"{path.absolute().as_uri()}?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False, isolation_level=None)
    try:
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        # WAL needs a writable -shm; a folder nobody can write to has no writer either, so
        # the file is read as immutable (changes still only in a -wal are not seen)
        db.close()
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True,
                             timeout=30, check_same_thread=False, isolation_level=None)
    return db


def closed_uncleanly(path: Path) -> bool:
    """True when a -wal file lies beside the database: its last user did not close it."""
    return path.with_name(path.name + "-wal").exists()


def quick_check(db: sqlite3.Connection) -> str | None:
    """The first problem `PRAGMA quick_check` finds, or None when every page is sound."""
    try:
        rows = db.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "is full" in str(exc):
            return None  # no room to run the check (a full disk) is no sign of damage
        return str(exc)
    problems = [str(r[0]) for r in rows if r[0] != "ok"]
    return "; ".join(problems) or None


@dataclass
class Salvage:
    """What could still be read from a damaged database."""

    paths: list[Path] = field(default_factory=list)  # of its papers and its queue
    conversations: list[tuple] = field(default_factory=list)
    turns: list[tuple] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # tables that could not be read


def salvage(path: Path) -> Salvage:
    """Read the paper paths, the queue and the history from a damaged database, table by
    table; a table that cannot be read is listed in `unreadable`."""
    out = Salvage()
    try:
        db = connect(path, read_only=True)
    except sqlite3.DatabaseError as exc:
        out.unreadable.append(f"the whole file ({exc})")
        return out
    queries = {
        "papers": "SELECT path FROM papers",
        "pending": "SELECT path FROM pending",
        "conversations": "SELECT id, title, created_at FROM conversations",
        "turns": "SELECT conversation_id, created_at, answer FROM turns ORDER BY id",
    }
    try:
        for table, sql in queries.items():
            rows: list[tuple] = []
            try:
                for row in db.execute(sql):  # rows before a damaged page are kept
                    rows.append(tuple(row))
            except sqlite3.DatabaseError as exc:
                out.unreadable.append(f"{table} ({exc})")
            if table in ("papers", "pending"):
                out.paths += [from_db(r[0]) for r in rows if r[0] not in (None, "")]
            elif table == "conversations":
                out.conversations = rows
            else:
                out.turns = rows
    finally:
        db.close()
    out.paths = list(dict.fromkeys(out.paths))
    return out


def move_aside(root: Path, files: list[Path]) -> Path:
    """Move damaged files into a new `damaged-<time>` folder in `root`; return the folder."""
    folder = root / time.strftime("damaged-%Y%m%d-%H%M%S")
    n = 1
    while folder.exists():
        n += 1
        folder = root / time.strftime(f"damaged-%Y%m%d-%H%M%S-{n}")
    folder.mkdir()
    for path in files:
        if path.exists():
            shutil.move(str(path), str(folder / path.name))
    log.warning("kept the damaged library files in %s", folder)
    return folder
