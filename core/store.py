"""SQLite store: papers, pages, chunks (+ FTS5), conversations. The source of truth."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from core.errors import LibraryDamagedError, damaged_message
from core.migrations import SCHEMA_VERSION
from core.paths import from_db, to_db
from core.store_records import Records
from core.types import Chunk, Paper, ParsedDocument

__all__ = ["KEYWORD_ONLY_SECTIONS", "SCHEMA_VERSION", "Store"]

# Sections found by keyword search only, never embedded. A reference list is a third of the
# chunks of a typical paper; its vectors match any question on a cited title's words (retrieval
# weighted them down to 0.15 anyway), and embedding them was a third of the ingestion time.
KEYWORD_ONLY_SECTIONS = ("references",)


class Store(Records):
    """Thin typed wrapper around one SQLite database in WAL mode: papers, pages, chunks
    and their full-text index here; the connection, history and extraction cells in
    core/store_records.py."""

    # ------------------------------------------------------------ papers
    def insert_paper(
        self, doc_id: str, sha256: str, doc: ParsedDocument, chunks: Sequence[Chunk],
        chunking: str = "",
    ) -> list[int]:
        """Store a paper in state 'indexing' with its pages and chunks; return chunk ids."""
        meta = doc.meta
        with self.transaction() as db:
            db.execute(
                "INSERT INTO papers(doc_id, sha256, path, title, authors, year, doi, pages,"
                " added_at, state, chunking, n_chunks, ocr_language)"
                " VALUES (?,?,?,?,?,?,?,?,?, 'indexing', ?, ?, ?)",
                (doc_id, sha256, to_db(doc.path), meta.title, json.dumps(list(meta.authors)),
                 meta.year, meta.doi, len(doc.pages), time.time(), chunking, len(chunks),
                 doc.ocr_language),
            )
            db.executemany(
                "INSERT INTO pages(doc_id, number, text, ocr) VALUES (?,?,?,?)",
                [(doc_id, p.number, p.text, int(p.ocr)) for p in doc.pages],
            )
            ids = []
            for c in chunks:
                cur = db.execute(
                    "INSERT INTO chunks(doc_id, ordinal, page_start, page_end, section, text)"
                    " VALUES (?,?,?,?,?,?)",
                    (doc_id, c.ordinal, c.page_start, c.page_end, c.section, c.text),
                )
                assert cur.lastrowid is not None  # an INSERT into a rowid table
                ids.append(cur.lastrowid)
        return ids

    def mark_ready(self, doc_id: str, replaces: Iterable[str] = ()) -> None:
        """Make a paper visible and drop the entries it replaces, atomically."""
        with self.transaction() as db:
            for old in replaces:
                db.execute("DELETE FROM chunks WHERE doc_id = ?", (old,))
                db.execute("DELETE FROM papers WHERE doc_id = ?", (old,))
            db.execute("UPDATE papers SET state = 'ready' WHERE doc_id = ?", (doc_id,))

    def delete_papers(self, doc_ids: Iterable[str]) -> None:
        with self.transaction() as db:
            for doc_id in doc_ids:
                # chunks first, one by one, so the FTS delete trigger sees each row
                db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                db.execute("DELETE FROM papers WHERE doc_id = ?", (doc_id,))

    # the last papers() read and what it was read at: asked of every paper at each question
    # ("All papers": which paper does it name?), 0.14 s at 10,000 papers (bench/scale.py)
    _papers_read: tuple[object, tuple, list[Paper]] | None = None

    def papers(self, state: str = "ready") -> list[Paper]:
        """The papers in `state`, in the order they were added. Read again only when this
        connection or another one has changed the database since (total_changes,
        data_version), so a second question in a large library does not build them anew."""
        db = self.db
        at = (state, db.total_changes, db.execute("PRAGMA data_version").fetchone()[0])
        if (read := self._papers_read) is not None and read[0] is db and read[1] == at:
            return list(read[2])
        rows = db.execute(
            "SELECT * FROM papers WHERE state = ? ORDER BY added_at, doc_id",
            (state,),
        ).fetchall()
        papers = [_paper(r) for r in rows]
        self._papers_read = (db, at, papers)
        return list(papers)

    def listing(self) -> list[tuple[str, int | None, int, str, list[str]]]:
        """(doc_id, year, pages, title, the first three authors) of the ready papers in
        papers() order, for a one-line listing ("A, B et al."): no Paper objects and no JSON
        decoding in Python (together two thirds of `lantern list`'s time at 10,000 papers)."""
        return [(r[0], r[1], r[2], r[3], [a for a in r[4:] if a is not None]) for r in self.db.execute(
            "SELECT doc_id, year, pages, title, json_extract(authors, '$[0]'), "
            "json_extract(authors, '$[1]'), json_extract(authors, '$[2]') FROM papers "
            "WHERE state = 'ready' ORDER BY added_at, doc_id")]

    def paper(self, doc_id: str) -> Paper | None:
        row = self.db.execute(
            "SELECT * FROM papers WHERE doc_id = ? AND state = 'ready'",
            (doc_id,),
        ).fetchone()
        return _paper(row) if row else None

    def ready_among(self, doc_ids: Sequence[str]) -> set[str]:
        """Which of these ids are ready papers (one query, for a question's scope)."""
        if not doc_ids:
            return set()
        return {r[0] for r in self.db.execute(
            f"SELECT doc_id FROM papers WHERE state = 'ready' AND doc_id IN ({','.join('?' * len(doc_ids))})",
            list(doc_ids))}

    def folders(self, *, containing: str | None = None) -> list[tuple[str, str]]:
        """(doc_id, folder of its file) of the ready papers, in papers() order: what "All
        papers" needs on every question, without building Paper objects. `containing`: only
        papers whose path holds this text (a LIKE pattern's literal part)."""
        where, args = "state = 'ready'", []
        if containing is not None:
            where += r" AND path LIKE ? ESCAPE '\'"
            args.append("%" + re.sub(r"([%_\\])", r"\\\1", containing) + "%")
        return [(r[0], os.path.dirname(os.fsdecode(r[1]) if isinstance(r[1], bytes) else r[1]))
                for r in self.db.execute(
                    f"SELECT doc_id, path FROM papers WHERE {where} ORDER BY added_at, doc_id", args)]

    def find_by_sha(self, sha256: str, chunking: str | None = None) -> Paper | None:
        """The ready paper with this content (and, if given, chunked this way)."""
        row = self.db.execute(
            "SELECT doc_id, chunking FROM papers WHERE sha256 = ? AND state = 'ready'", (sha256,)
        ).fetchone()
        if row is None or (chunking is not None and row["chunking"] != chunking):
            return None
        return self.paper(row["doc_id"])

    def find_by_path(self, path: Path) -> list[Paper]:
        rows = self.db.execute(
            "SELECT doc_id FROM papers WHERE path = ? AND state = 'ready'", (to_db(path),)
        ).fetchall()
        return [p for r in rows if (p := self.paper(r["doc_id"]))]

    def set_path(self, doc_id: str, path: Path) -> None:
        with self.transaction() as db:
            db.execute("UPDATE papers SET path = ? WHERE doc_id = ?", (to_db(path), doc_id))

    def has_papers(self) -> bool:
        return self.db.execute("SELECT 1 FROM papers WHERE state = 'ready' LIMIT 1").fetchone() is not None

    def doc_ids(self) -> set[str]:
        """Every paper's id, ready or not (O(papers): for the check on open)."""
        return {r[0] for r in self.db.execute("SELECT doc_id FROM papers")}

    def chunk_sequence(self) -> int:
        """The highest chunk id ever given out (AUTOINCREMENT never goes back, unless the
        database lost its last transactions)."""
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'chunks'").fetchone()
        return int(row[0]) if row else 0

    def vector_ranges(self) -> dict[str, list]:
        """doc_id -> [lowest, highest embedded chunk id, path] of every ready paper (O(chunks):
        once, to give an index from before the journal its record of papers)."""
        rows = self.db.execute(
            "SELECT c.doc_id, MIN(c.id), MAX(c.id), p.path FROM chunks c JOIN papers p USING (doc_id)"
            f" WHERE p.state = 'ready' AND c.section NOT IN ({','.join('?' * len(KEYWORD_ONLY_SECTIONS))})"
            " GROUP BY c.doc_id", KEYWORD_ONLY_SECTIONS,
        )
        return {r[0]: [r[1], r[2], str(from_db(r[3]))] for r in rows}

    def ready_without(self, doc_ids: Iterable[str]) -> list[str]:
        """Ready papers (with chunks to embed) that are not among `doc_ids`."""
        have = set(doc_ids)
        return [r[0] for r in self.db.execute("SELECT doc_id FROM papers WHERE state = 'ready'")
                if r[0] not in have]

    def unfinished(self) -> list[tuple[str, Path]]:
        """(doc_id, path) of papers whose indexing never completed."""
        rows = self.db.execute("SELECT doc_id, path FROM papers WHERE state = 'indexing'")
        return [(r["doc_id"], from_db(r["path"])) for r in rows]

    # ------------------------------------------------------------ pages and chunks
    def page_text(self, doc_id: str, number: int) -> str | None:
        row = self.db.execute(
            "SELECT text FROM pages WHERE doc_id = ? AND number = ?", (doc_id, number)
        ).fetchone()
        return row["text"] if row else None

    def ocr_language(self, doc_id: str) -> str | None:
        """The OCR language the paper's recognised pages were read with; None if it has none
        (papers from before it was stored were read with the default, eng)."""
        row = self.db.execute("SELECT ocr_language FROM papers WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None or row[0] is not None:
            return row[0] if row else None
        return "eng" if self.ocr_pages(doc_id) else None

    def ocr_pages(self, doc_id: str) -> set[int]:
        """Numbers of the paper's pages whose text was recognised by OCR."""
        rows = self.db.execute("SELECT number FROM pages WHERE doc_id = ? AND ocr = 1", (doc_id,))
        return {r[0] for r in rows}

    def chunk_ids(
        self, doc_ids: Sequence[str] | None = None, state: str = "ready", *, embedded: bool = False
    ) -> list[int]:
        """Ids of the chunks of papers in `state`; `embedded`: only those that get a vector."""
        sql = "SELECT c.id FROM chunks c JOIN papers p USING (doc_id) WHERE p.state = ?"
        args: list = [state]
        if embedded:
            sql += f" AND c.section NOT IN ({','.join('?' * len(KEYWORD_ONLY_SECTIONS))})"
            args += list(KEYWORD_ONLY_SECTIONS)
        if doc_ids is not None:
            sql += f" AND c.doc_id IN ({','.join('?' * len(doc_ids))})"
            args += list(doc_ids)
        return [r[0] for r in self.db.execute(sql, args)]

    def all_chunk_ids(self) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT id FROM chunks")}

    def chunks_by_id(self, ids: Iterable[int], *, ready: bool = False) -> dict[int, sqlite3.Row]:
        """Chunk rows with their paper's title and path; `ready`: of ready papers only."""
        ids = list(ids)
        if not ids:
            return {}
        rows = self.db.execute(
            "SELECT c.*, p.title, p.path FROM chunks c JOIN papers p USING (doc_id)"
            f" WHERE c.id IN ({','.join('?' * len(ids))})" + (" AND p.state = 'ready'" if ready else ""),
            ids,
        ).fetchall()
        return {r["id"]: r for r in rows}

    def fts_search(
        self, match: str, limit: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[int, float]]:
        """(chunk id, bm25) best first; bm25 is negated so larger is better. With `doc_ids`,
        only those papers' rows are scored, inside the query. May include chunks of papers
        still being added: callers keep the ready ones.

        A paper's chunk ids are one consecutive range (inserted in one transaction): for a few
        papers FTS5 seeks to each range. Every such part recounts each term's rows for bm25 (a
        pass over its whole posting list), so for more papers one pass over the matches keeps
        the scope's rows, their ids given as a list: `+rowid` keeps SQLite from turning the
        IN into one FTS5 lookup per id (measured at 1,000 papers, a 300-paper scope: 100 ms
        as ranges, 1.5 s as lookups, 4 ms as one pass)."""
        base = "SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ?"
        args: list[object] = [match]
        if doc_ids is None:
            sql = base
        elif len(doc_ids) <= 3:  # a few papers: seek to each one's range
            if not (ranges := self._chunk_ranges(doc_ids)):
                return []
            sql = " UNION ALL ".join([base + " AND rowid BETWEEN ? AND ?"] * len(ranges))
            args = [a for lo, hi in ranges for a in (match, lo, hi)]
        else:  # more: one pass over the matches
            sql = (base + " AND +rowid IN (SELECT id FROM chunks WHERE doc_id IN"
                   f" ({','.join('?' * len(doc_ids))}))")
            args += doc_ids
        sql += " ORDER BY s LIMIT ?"
        args.append(limit)
        try:
            return [(r[0], -r[1]) for r in self.db.execute(sql, args)]
        except sqlite3.OperationalError as exc:
            if "fts5: syntax error" in str(exc) or "no such column" in str(exc):
                return []  # a query FTS5 cannot parse: no lexical hits
            raise LibraryDamagedError(damaged_message(self.path, f"full-text index: {exc}")) from exc
        except sqlite3.DatabaseError as exc:  # "vtable constructor failed", "malformed"
            raise LibraryDamagedError(damaged_message(self.path, f"full-text index: {exc}")) from exc

    def _chunk_ranges(self, doc_ids: Sequence[str]) -> list[tuple[int, int]]:
        """The chunk id ranges of these papers, neighbours merged."""
        rows = self.db.execute(
            "SELECT MIN(id), MAX(id) FROM chunks"
            f" WHERE doc_id IN ({','.join('?' * len(doc_ids))}) GROUP BY doc_id ORDER BY 1",
            list(doc_ids),
        ).fetchall()
        merged: list[tuple[int, int]] = []
        for lo, hi in rows:
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        return merged

    def counts(self) -> tuple[int, int, int]:
        """(ready papers, their pages, their chunks)."""
        row = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(pages), 0), COALESCE(SUM(n_chunks), 0)"
            " FROM papers WHERE state = 'ready'"
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def check_fts(self) -> str | None:
        """None when the full-text index is sound, else what is wrong with it."""
        try:
            self.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return None

    def rebuild_fts(self) -> None:
        """Rebuild the full-text index from the chunks table (its content source)."""
        self.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")


def _paper(row: sqlite3.Row) -> Paper:
    return Paper(
        doc_id=row["doc_id"],
        title=row["title"],
        authors=tuple(json.loads(row["authors"])),
        year=row["year"],
        doi=row["doi"],
        pages=row["pages"],
        chunks=row["n_chunks"],
        path=from_db(row["path"]),
        sha256=row["sha256"],
        added_at=row["added_at"],
    )

