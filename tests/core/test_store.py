"""The library database: migrations bring any earlier library up to date, keeping its rows."""

from __future__ import annotations

import sqlite3

import pytest

from core.errors import LibraryCorruptError
from core.migrations import MIGRATIONS, SCHEMA_VERSION
from core.store import Store

# The schema as Lantern wrote it before numbered migrations (meta.schema = 1, no _migrations).
_BEFORE_MIGRATIONS = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE papers (doc_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, path TEXT NOT NULL,
    title TEXT NOT NULL, authors TEXT NOT NULL, year INTEGER, doi TEXT, pages INTEGER NOT NULL,
    added_at REAL NOT NULL, state TEXT NOT NULL CHECK (state IN ('indexing', 'ready')));
INSERT INTO meta VALUES ('schema', '1');
INSERT INTO papers VALUES ('d1', 'abc', '/x.pdf', 'Old paper', '[]', 2020, NULL, 3, 1.0, 'ready');
"""


def _applied(path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")]


def test_a_new_library_has_every_migration(tmp_path):
    store = Store(tmp_path / "lib.sqlite3")
    assert store.meta("schema") == str(SCHEMA_VERSION) == str(len(MIGRATIONS))
    store.close()
    assert _applied(tmp_path / "lib.sqlite3") == [fn.__name__ for fn in MIGRATIONS]


def test_a_library_from_before_migrations_keeps_its_papers(tmp_path):
    path = tmp_path / "lib.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(_BEFORE_MIGRATIONS)
    store = Store(path)
    paper = store.paper("d1")
    assert paper is not None and paper.title == "Old paper"
    assert store.find_by_sha("abc", "") == paper  # the chunking column came with its default
    assert store.extract_cells("set", "llm") == []
    store.close()
    Store(path).close()  # opening again applies nothing twice
    assert _applied(path) == [fn.__name__ for fn in MIGRATIONS]


def test_a_library_from_a_newer_lantern_is_refused(tmp_path):
    path = tmp_path / "lib.sqlite3"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO _migrations VALUES ('m999_future', 0)")
    with pytest.raises(LibraryCorruptError, match="newer Lantern"):
        Store(path)


def test_extraction_cells_round_trip(tmp_path):
    store = Store(tmp_path / "lib.sqlite3")
    store.db.execute("INSERT INTO papers(doc_id, sha256, path, title, authors, pages, added_at,"
                     " state) VALUES ('d1', 'abc', '/x.pdf', 'T', '[]', 3, 1.0, 'ready')")
    store.save_extract_cell("set", "q1", "d1", "llm", "h1", {"status": "reported"})
    store.save_extract_cell("set", "q1", "d1", "llm", "h2", {"status": "not reported"})
    assert store.extract_cells("set", "llm") == [("d1", "q1", "h2", {"status": "not reported"})]
    assert store.extract_cells("set", "no-llm") == []
    store.close()
