"""The library database's schema, as numbered migrations applied in order (the way
simonw/llm's migrations.py does it): a library made by any earlier version opens, and is
brought up to date, without losing anything.

Add a migration at the end; never edit one that has shipped. Each is recorded in the
`_migrations` table by name; `meta.schema` holds how many have run.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    # IF NOT EXISTS throughout: libraries from before the migrations table have these already
    db.executescript(
        """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS papers (
    doc_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    authors TEXT NOT NULL,          -- JSON list
    year INTEGER,
    doi TEXT,
    pages INTEGER NOT NULL,
    added_at REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('indexing', 'ready'))
);
CREATE INDEX IF NOT EXISTS papers_path ON papers(path);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL REFERENCES papers(doc_id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (doc_id, number)
);
-- AUTOINCREMENT: chunk ids are vector labels and must never be reused.
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES papers(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, content='chunks', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- Files of a batch not yet finished: an interrupted `add` picks them up again.
CREATE TABLE IF NOT EXISTS pending (path TEXT PRIMARY KEY, queued_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    created_at REAL NOT NULL,
    answer TEXT NOT NULL            -- JSON of the Answer
);
"""
    )


@migration
def m002_papers_chunking(db: sqlite3.Connection) -> None:
    """Settings.chunking_key() of a paper's chunks: a change of chunking re-chunks it."""
    # libraries from before the migrations table may have the column already
    if "chunking" not in {r[1] for r in db.execute("PRAGMA table_info(papers)")}:
        db.execute("ALTER TABLE papers ADD COLUMN chunking TEXT NOT NULL DEFAULT ''")


@migration
def m003_extract_cells(db: sqlite3.Connection) -> None:
    """Extraction cells, committed one by one so an interrupted run resumes."""
    db.execute(
        """
CREATE TABLE IF NOT EXISTS extract_cells (
    set_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    doc_id TEXT NOT NULL REFERENCES papers(doc_id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('llm', 'no-llm')),
    question_hash TEXT NOT NULL,     -- Question.hash: an edited question is answered again
    cell TEXT NOT NULL,              -- JSON of the Cell
    created_at REAL NOT NULL,
    PRIMARY KEY (set_id, question_id, doc_id, mode)
)
"""
    )


@migration
def m004_pages_ocr(db: sqlite3.Connection) -> None:
    """1: the page's text was recognised from its image (OCR), not taken from its text layer."""
    if "ocr" not in {r[1] for r in db.execute("PRAGMA table_info(pages)")}:
        db.execute("ALTER TABLE pages ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0")


@migration
def m005_zotero_sources(db: sqlite3.Connection) -> None:
    """Where papers came from (Zotero keys, citekey) and what researchers filter on
    (collections, tags); core/store_sources.py reads and writes them."""
    db.executescript(
        """
CREATE TABLE IF NOT EXISTS paper_sources (
    doc_id TEXT PRIMARY KEY REFERENCES papers(doc_id) ON DELETE CASCADE,
    zotero_library INTEGER NOT NULL,
    zotero_key TEXT NOT NULL,          -- the Zotero item's key
    attachment_key TEXT NOT NULL,      -- the PDF attachment's key
    citekey TEXT,
    item_type TEXT NOT NULL DEFAULT '',
    modified TEXT NOT NULL             -- Zotero's dateModified when imported
);
CREATE INDEX IF NOT EXISTS paper_sources_attachment ON paper_sources(zotero_library, attachment_key);
CREATE TABLE IF NOT EXISTS paper_collections (
    doc_id TEXT NOT NULL REFERENCES papers(doc_id) ON DELETE CASCADE,
    path TEXT NOT NULL,                -- "Parent/Child"
    PRIMARY KEY (doc_id, path)
);
CREATE TABLE IF NOT EXISTS paper_tags (
    doc_id TEXT NOT NULL REFERENCES papers(doc_id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (doc_id, tag)
);
"""
    )


@migration
def m006_paper_chunk_counts(db: sqlite3.Connection) -> None:
    """papers.n_chunks, so listing papers does not count chunks row by row; an index on
    papers.sha256, which every add looks up."""
    if "n_chunks" not in {r[1] for r in db.execute("PRAGMA table_info(papers)")}:
        db.execute("ALTER TABLE papers ADD COLUMN n_chunks INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "UPDATE papers SET n_chunks = (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = papers.doc_id)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS papers_sha256 ON papers(sha256)")


@migration
def m007_chunks_doc_section(db: sqlite3.Connection) -> None:
    """An index on chunks(doc_id, section) in place of chunks(doc_id): a scoped question reads
    its papers' embedded chunk ids from the index alone, not from the rows that hold the text
    (300 papers of 10,000: ~60 ms -> ~17 ms; bench/scale.py)."""
    db.execute("CREATE INDEX IF NOT EXISTS chunks_doc_section ON chunks(doc_id, section)")
    db.execute("DROP INDEX IF EXISTS chunks_doc")


@migration
def m008_papers_ocr_language(db: sqlite3.Connection) -> None:
    """papers.ocr_language: the Tesseract language its OCR pages were read with (NULL: none
    was), so that adding the file again with another language reads it again."""
    if "ocr_language" not in {r[1] for r in db.execute("PRAGMA table_info(papers)")}:
        db.execute("ALTER TABLE papers ADD COLUMN ocr_language TEXT")


SCHEMA_VERSION = len(MIGRATIONS)


class NewerSchemaError(Exception):
    """The database was written by a newer Lantern."""


def migrate(db: sqlite3.Connection) -> None:
    """Apply the migrations this database has not had yet, in order."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    done = {r[0] for r in db.execute("SELECT name FROM _migrations")}
    known = {fn.__name__ for fn in MIGRATIONS}
    if unknown := sorted(done - known):
        raise NewerSchemaError(f"made by a newer Lantern (migration {unknown[-1]})")
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        fn(db)  # idempotent, so a crash before the record below only repeats it
        db.execute("INSERT INTO _migrations(name, applied_at) VALUES (?, ?)", (fn.__name__, time.time()))
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
