"""The library database: migrations bring any earlier library up to date, keeping its rows."""

from __future__ import annotations

import json
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


def _papers(store: Store, tmp_path, n: int) -> list[str]:
    from core.types import Chunk, Page, PaperMeta, ParsedDocument

    ids = []
    for i in range(n):
        doc = ParsedDocument(tmp_path / f"f{i % 3}" / f"p{i}.pdf", (Page(1, "x"),), PaperMeta(f"P{i}"))
        words = ["adam optimizer"] * (i % 4 + 1) + [f"topic{i} sgd"] * (i % 3)
        chunks = [Chunk(j, f"{w} paper {i} chunk {j}", 1, 1, "methods") for j, w in enumerate(words)]
        doc_id = f"{i:04d}"
        store.insert_paper(doc_id, f"{i:064x}", doc, chunks)
        store.mark_ready(doc_id)
        ids.append(doc_id)
    return ids


@pytest.mark.parametrize("scope", [1, 3, 4, 9])
def test_scoped_full_text_search_ranks_as_the_library_wide_one_filtered(tmp_path, scope):
    """Few papers are searched range by range, more in one pass: the same ranking either way."""
    store = Store(tmp_path / "library.sqlite3")
    docs = _papers(store, tmp_path, 12)
    chosen = docs[1 : 1 + scope]
    inside = set(store.chunk_ids(chosen))
    wide = [h for h in store.fts_search('"adam" OR "sgd"', 1000) if h[0] in inside]
    assert store.fts_search('"adam" OR "sgd"', 1000, chosen) == wide
    assert store.fts_search('"adam" OR "sgd"', 3, chosen) == wide[:3]


def test_ready_among_and_folders(tmp_path):
    from core.scope import default_scope, default_scope_of

    store = Store(tmp_path / "library.sqlite3")
    docs = _papers(store, tmp_path, 6)
    assert store.ready_among([docs[0], "nope", docs[5]]) == {docs[0], docs[5]}
    assert store.folders() == [(p.doc_id, str(p.path.parent)) for p in store.papers()]
    for root in (tmp_path, tmp_path / "f1", tmp_path / "elsewhere"):  # no samples folder
        assert default_scope_of(store.folders(), root) == default_scope(store.papers(), root)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "samples").symlink_to(tmp_path / "f2")  # samples reached by a link
    scope = default_scope_of(store.folders(), tmp_path / "lib")
    assert scope == default_scope(store.papers(), tmp_path / "lib") == [d for d in docs if int(d) % 3 != 2]


def test_listing_gives_the_first_three_authors_in_order(tmp_path):
    store = Store(tmp_path / "lib.sqlite3")
    names = {"d0": [], "d1": ["Ana Silva"], "d3": ["A", "B", "C"], "d4": ["A", "B", "C", "D"]}
    for n, (doc_id, authors) in enumerate(names.items()):
        store.db.execute(
            "INSERT INTO papers (doc_id, sha256, path, title, authors, year, pages, added_at, "
            "state) VALUES (?, ?, '/x.pdf', 'T', ?, NULL, 1, ?, 'ready')",
            (doc_id, doc_id, json.dumps(authors), n))
    assert [(row[0], row[4]) for row in store.listing()] == [
        ("d0", []), ("d1", ["Ana Silva"]), ("d3", ["A", "B", "C"]), ("d4", ["A", "B", "C"])]
    store.close()


def test_papers_read_again_after_any_change_here_or_in_another_process(tmp_path):
    store = Store(tmp_path / "library.sqlite3")
    docs = _papers(store, tmp_path, 3)
    first = store.papers()
    assert [p.doc_id for p in first] == docs and store.papers() == first
    first.clear()  # a caller's list is its own
    assert len(store.papers()) == 3
    store.db.execute("UPDATE papers SET title = 'Renamed' WHERE doc_id = ?", (docs[0],))
    assert store.papers()[0].title == "Renamed"  # this connection's change
    other = Store(tmp_path / "library.sqlite3")  # another process's, e.g. `lantern add`
    other.delete_papers([docs[1]])
    other.close()
    assert [p.doc_id for p in store.papers()] == [docs[0], docs[2]]
    assert [p.doc_id for p in store.papers("indexing")] == []
    store.close()
