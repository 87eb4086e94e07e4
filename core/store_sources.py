"""Where papers came from and what researchers filter on: Zotero keys, citekeys, collections,
tags; and the scope queries over them (with the papers' years).

One of the store's modules (core/store*.py, where all of the library's SQL lives): the SQL for
these tables (created by core/migrations.py, m005), over the store's connection.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.store import Store

if TYPE_CHECKING:
    from core.zotero import ZoteroItem


@dataclass(frozen=True)
class PaperSource:
    """A paper's Zotero origin."""

    doc_id: str
    zotero_library: int
    zotero_key: str
    attachment_key: str
    citekey: str | None
    item_type: str
    modified: str
    collections: tuple[str, ...]
    tags: tuple[str, ...]


class Sources:
    """Zotero metadata of the papers in one Store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db: sqlite3.Connection = store.db

    def record(self, doc_id: str, item: ZoteroItem) -> None:
        """Attach `item`'s metadata to the paper: Zotero's title, authors, year and DOI replace
        what was read from the PDF, each only where Zotero has one (a title is never replaced
        by nothing); collections and tags are replaced as a whole."""
        authors = json.dumps(list(item.authors)) if item.authors else None
        with self.store.transaction() as db:
            db.execute(
                "UPDATE papers SET title = COALESCE(NULLIF(?, ''), title),"
                " authors = COALESCE(?, authors), year = COALESCE(?, year),"
                " doi = COALESCE(?, doi) WHERE doc_id = ?",
                (item.title.strip(), authors, item.year, item.doi, doc_id),
            )
            db.execute(
                "INSERT OR REPLACE INTO paper_sources(doc_id, zotero_library, zotero_key,"
                " attachment_key, citekey, item_type, modified) VALUES (?,?,?,?,?,?,?)",
                (doc_id, item.library_id, item.key, item.attachment_key, item.citekey,
                 item.item_type, item.modified),
            )
            db.execute("DELETE FROM paper_collections WHERE doc_id = ?", (doc_id,))
            db.executemany("INSERT INTO paper_collections(doc_id, path) VALUES (?, ?)",
                           [(doc_id, c) for c in item.collections])
            db.execute("DELETE FROM paper_tags WHERE doc_id = ?", (doc_id,))
            db.executemany("INSERT INTO paper_tags(doc_id, tag) VALUES (?, ?)",
                           [(doc_id, t) for t in item.tags])

    def of(self, doc_id: str) -> PaperSource | None:
        row = self.db.execute("SELECT * FROM paper_sources WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        collections = tuple(r[0] for r in self.db.execute(
            "SELECT path FROM paper_collections WHERE doc_id = ? ORDER BY path", (doc_id,)))
        tags = tuple(r[0] for r in self.db.execute(
            "SELECT tag FROM paper_tags WHERE doc_id = ? ORDER BY tag", (doc_id,)))
        return PaperSource(row["doc_id"], row["zotero_library"], row["zotero_key"],
                           row["attachment_key"], row["citekey"], row["item_type"], row["modified"],
                           collections, tags)

    def modified(self, doc_id: str) -> str | None:
        """Zotero's dateModified of the item when the paper was last imported."""
        row = self.db.execute("SELECT modified FROM paper_sources WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def citekeys(self) -> dict[str, str]:
        """doc_id -> citekey, for the papers that have one."""
        return dict(self.db.execute(
            "SELECT doc_id, citekey FROM paper_sources WHERE citekey IS NOT NULL AND citekey != ''"))

    def collections(self) -> list[str]:
        """Every collection path a ready paper is in, sorted."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT c.path FROM paper_collections c JOIN papers p USING (doc_id)"
            " WHERE p.state = 'ready' ORDER BY c.path")]

    def tags(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT t.tag FROM paper_tags t JOIN papers p USING (doc_id)"
            " WHERE p.state = 'ready' ORDER BY t.tag")]

    def scope(
        self, *, collection: str | None = None, year_from: int | None = None,
        year_to: int | None = None, tags: tuple[str, ...] = (),
    ) -> list[str]:
        """Ready papers in `collection` (by full path or by its own name, sub-collections
        included, any case), published within the years, carrying every tag in `tags`."""
        sql = ["SELECT p.doc_id FROM papers p WHERE p.state = 'ready'"]
        args: list[object] = []
        if collection:
            name = collection.strip().strip("/").lower()
            sql.append(
                "AND EXISTS (SELECT 1 FROM paper_collections c WHERE c.doc_id = p.doc_id AND ("
                " lower(c.path) = ? OR lower(c.path) LIKE ? ESCAPE '\\'"
                " OR lower(c.path) LIKE ? ESCAPE '\\' OR lower(c.path) LIKE ? ESCAPE '\\'))"
            )
            like = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            # the path itself, its sub-collections, or a collection of that name anywhere
            args += [name, f"{like}/%", f"%/{like}", f"%/{like}/%"]
        if year_from is not None:
            sql.append("AND p.year >= ?")
            args.append(year_from)
        if year_to is not None:
            sql.append("AND p.year <= ?")
            args.append(year_to)
        for tag in tags:
            sql.append("AND EXISTS (SELECT 1 FROM paper_tags t WHERE t.doc_id = p.doc_id"
                       " AND lower(t.tag) = lower(?))")
            args.append(tag)
        sql.append("ORDER BY p.added_at, p.doc_id")
        return [r[0] for r in self.db.execute(" ".join(sql), args)]
