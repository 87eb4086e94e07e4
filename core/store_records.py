"""The store's SQLite connection (open, check, transactions) and the records it keeps
besides papers: the pending batch, conversations and extraction cells."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from core.errors import DiskFullError, LibraryCorruptError, LibraryDamagedError, damaged_message
from core.migrations import NewerSchemaError, migrate
from core.paths import from_db, shown, to_db
from core.store_file import closed_uncleanly, connect, quick_check

log = logging.getLogger(__name__)


class Connection:
    """One SQLite database in WAL mode, migrated on open."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Open (or create) the database. `damage` is set instead of raising when its pages
        are damaged (checked after an unclean close), so `doctor` can still rebuild it."""
        self.path = path
        self.read_only = read_only
        self.damage: str | None = None
        unclean = closed_uncleanly(path)
        try:
            self.db = connect(path, read_only=read_only)
            self.db.row_factory = sqlite3.Row
            if unclean and (damage := quick_check(self.db)):
                self.damage = damage
                return
            if read_only:  # nothing may change: no journal mode switch, no schema update
                return
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            migrate(self.db)
        except NewerSchemaError as exc:
            raise LibraryCorruptError(
                f"{path}: this library was {exc}; open it with that version or a newer one."
            ) from exc
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
                # no room for what opening writes (the -shm, a checkpoint): readable as it is,
                # and every write says "disk full" (transaction()); not damage
                log.warning("%s: the disk is full (%s)", shown(path), exc)
                return
            if not path.exists() or "readonly" in str(exc) or "unable to open" in str(exc):
                raise LibraryCorruptError(
                    f"{shown(path)}: cannot open the library database ({exc})"
                ) from exc
            self.damage = str(exc)  # e.g. "file is not a database", "malformed"

    def check(self) -> str | None:
        """Damaged pages, if any (PRAGMA quick_check; reads the whole file)."""
        self.damage = self.damage or quick_check(self.db)
        return self.damage

    def raise_if_damaged(self) -> None:
        if self.damage:
            raise LibraryDamagedError(damaged_message(self.path, self.damage))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_FULL:
                raise
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise DiskFullError(
                f"disk full: free at least 64 MB on {self.path.parent} and run add again"
            ) from exc


class Records(Connection):
    """The library's own values, the pending batch, conversations and extraction cells (the
    papers and their text are Store's)."""

    # ------------------------------------------------------------ values the library keeps
    def meta(self, key: str) -> str | None:
        """A value the library keeps about itself (index dimensions, one-off flags)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | int) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, str(value)))

    # ------------------------------------------------------------ pending batch
    def queue(self, paths: Iterable[Path]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO pending(path, queued_at) VALUES (?, ?)",
                [(to_db(p), time.time()) for p in paths],
            )

    def dequeue(self, path: Path) -> None:
        self.db.execute("DELETE FROM pending WHERE path = ?", (to_db(path),))

    def pending(self) -> list[Path]:
        return [from_db(r[0]) for r in self.db.execute("SELECT path FROM pending ORDER BY queued_at")]

    # ------------------------------------------------------------ conversations
    def save_turn(self, conversation_id: str, answer_json: str, title: str) -> None:
        now = time.time()
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO conversations(id, title, created_at) VALUES (?,?,?)",
                (conversation_id, title[:120], now),
            )
            db.execute(
                "INSERT INTO turns(conversation_id, created_at, answer) VALUES (?,?,?)",
                (conversation_id, now, answer_json),
            )

    def conversations(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT c.id, c.title, c.created_at, COUNT(t.id) AS turns FROM conversations c"
            " LEFT JOIN turns t ON t.conversation_id = c.id GROUP BY c.id"
            " ORDER BY c.created_at DESC"
        ).fetchall()

    def turns(self, conversation_id: str) -> list[str]:
        rows = self.db.execute(
            "SELECT answer FROM turns WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        )
        return [r[0] for r in rows]

    def restore_history(self, conversations: Sequence[tuple], turns: Sequence[tuple]) -> None:
        """Put back conversations and turns salvaged from a damaged database."""
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO conversations(id, title, created_at)"
                           " VALUES (?,?,?)", conversations)
            db.executemany("INSERT INTO turns(conversation_id, created_at, answer) VALUES (?,?,?)"
                           , [t for t in turns if t[0] in {c[0] for c in conversations}])

    def delete_conversation(self, conversation_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))


    # ------------------------------------------------------------ extraction cells
    def extract_cells(self, set_id: str, mode: str) -> list[tuple[str, str, str, dict]]:
        """(doc_id, question id, question hash, cell as a dict) of a set's stored cells."""
        rows = self.db.execute(
            "SELECT doc_id, question_id, question_hash, cell FROM extract_cells"
            " WHERE set_id = ? AND mode = ?", (set_id, mode),
        )
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def extract_cell_seconds(
        self, mode: str, limit: int = 200, *, model: str | None = None
    ) -> list[float]:
        """How long the latest computed cells of any set took, in this mode and, when given,
        written by this model (for estimates: models differ tenfold in speed)."""
        where, args = ("AND json_extract(cell, '$.model') = ?", (model,)) if model else ("", ())
        rows = self.db.execute(
            f"SELECT cell FROM extract_cells WHERE mode = ? {where}"
            " ORDER BY created_at DESC LIMIT ?",
            (mode, *args, limit),
        )
        return [float(json.loads(r[0]).get("seconds") or 0.0) for r in rows]

    def save_extract_cell(
        self, set_id: str, question_id: str, doc_id: str, mode: str, question_hash: str, cell: dict
    ) -> None:
        """Store one cell in its own committed transaction (a run stopped later keeps it)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO extract_cells(set_id, question_id, doc_id, mode,"
                " question_hash, cell, created_at) VALUES (?,?,?,?,?,?,?)",
                (set_id, question_id, doc_id, mode, question_hash, json.dumps(cell), time.time()),
            )
