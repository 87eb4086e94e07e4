"""Read a local Zotero library: its PDF attachments with Zotero's metadata. Read-only, offline.

Zotero keeps `zotero.sqlite` locked while it runs, so the database is opened with
`mode=ro&immutable=1` (no locks taken, nothing written, not even a journal). The queries
follow Zotero 7's schema (userdata version 129, `resource/schema/userdata.sql`): item types,
fields and creator types are looked up by name, never by id, because Zotero numbers them at
start-up.

Zotero fills the `*Combined` tables (its item types and fields plus custom ones) at every
start-up; a copy of zotero.sqlite made otherwise may have them empty, and then the global
schema's own `itemTypes`, `fields` and `baseFieldMappings` are read instead. A database of a
newer schema than KNOWN_SCHEMA is read all the same, each part on its own: what cannot be read
is left out and named (ZoteroLibrary.notes), never guessed.

Citation keys, first found wins:
1. Zotero's own `citationKey` field (Zotero 7; Better BibTeX stores its keys there since 2025);
2. a `Citation Key: KEY` (or legacy `bibtex: KEY`) line in the item's Extra field, which is
   how Better BibTeX pins a key;
3. Better BibTeX 6/7's `better-bibtex.sqlite`, table `citationkey(itemID, itemKey, libraryID,
   citationKey, pinned)`;
4. Better BibTeX 5's `better-bibtex.sqlite`, table `better-bibtex`, row
   `better-bibtex.citekey` (a JSON document of {itemID, libraryID, itemKey, citekey}).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import stat
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

__all__ = ["Skipped", "ZoteroError", "ZoteroItem", "ZoteroLibrary", "default_data_dir", "read_library"]

from core.errors import ZoteroError

log = logging.getLogger(__name__)

# Zotero.Attachments.LINK_MODE_*: files are 0 (imported), 1 (imported from a URL), 2 (linked)
IMPORTED_FILE, IMPORTED_URL, LINKED_FILE, LINKED_URL = 0, 1, 2, 3
_NOT_PAPERS = ("attachment", "note", "annotation")
KNOWN_SCHEMA = 129  # userdata schema version of Zotero 7 that these queries follow
_T = TypeVar("_T")
_WHERE = "Zotero shows its data folder under Settings > Advanced > Files and Folders"
_CITEKEY_LINE = re.compile(r"^\s*(?:citation key|bibtex)\s*:\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)
_DOI_LINE = re.compile(r"^\s*DOI\s*:\s*(10\.\S+)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ZoteroItem:
    """One PDF of the Zotero library, with the metadata of the item it is attached to."""

    key: str  # the item's key (the attachment's own key for a standalone PDF)
    library_id: int
    attachment_key: str
    pdf: Path
    title: str  # "" when Zotero has none: the title read from the PDF is kept
    authors: tuple[str, ...]
    year: int | None
    doi: str | None
    citekey: str | None
    collections: tuple[str, ...]  # full paths, "Parent/Child"
    tags: tuple[str, ...]
    item_type: str
    modified: str  # Zotero's dateModified of the item: changes when its metadata does


@dataclass(frozen=True)
class Skipped:
    """A PDF attachment that cannot be imported: its item's title, and why."""

    title: str
    reason: str


@dataclass(frozen=True)
class ZoteroLibrary:
    items: tuple[ZoteroItem, ...]
    collections: tuple[str, ...]  # every collection's full path, sorted
    skipped: tuple[Skipped, ...]
    notes: tuple[str, ...] = ()  # what the user should know: a newer schema, parts not read


def default_data_dir() -> Path:
    """Where Zotero keeps its data unless told otherwise: ~/Zotero on every platform."""
    return Path.home() / "Zotero"


def _connect(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    db = sqlite3.connect(uri, uri=True)
    db.row_factory = sqlite3.Row
    return db


def read_library(data_dir: Path | None = None, *, base_dir: Path | None = None) -> ZoteroLibrary:
    """The PDF attachments of the Zotero library in `data_dir` (default ~/Zotero).

    `base_dir` is Zotero's "Linked Attachment Base Directory", which linked files stored as
    relative paths (`attachments:...`) are resolved against.
    """
    data_dir = Path(data_dir or default_data_dir()).expanduser()
    path = data_dir / "zotero.sqlite"
    if not path.is_file():
        raise ZoteroError(f"{data_dir}: no zotero.sqlite here, so not a Zotero data folder; {_WHERE}")
    try:
        db = _connect(path)
        try:
            return _Reader(db, data_dir, base_dir).read()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise ZoteroError(
            f"{path}: cannot be read ({exc}); if Zotero is saving right now, try again, "
            "or close Zotero first"
        ) from exc


class _Reader:
    def __init__(self, db: sqlite3.Connection, data_dir: Path, base_dir: Path | None) -> None:
        self.db, self.data_dir, self.base_dir = db, data_dir, base_dir
        self.where = data_dir / "zotero.sqlite"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        self.tables = tables
        self.notes: list[str] = []
        self.schema = self._schema()
        needed = {"items", "itemAttachments", "itemData"}
        if missing := needed - tables:
            raise ZoteroError(
                f"{self.where}: not a Zotero 5-7 database (no table "
                f"{', '.join(sorted(missing))}){self._newer(' and')}"
            )
        if self.schema is not None and self.schema > KNOWN_SCHEMA:
            self.notes.append(f"Zotero schema {self.schema} is newer than this Lantern knows "
                              f"(≤ {KNOWN_SCHEMA}): import may miss fields")

    def _schema(self) -> int | None:
        """Zotero's userdata schema version (its `version` table), None if it has none."""
        if "version" not in self.tables:
            return None
        try:
            row = self.db.execute("SELECT version FROM version WHERE schema = 'userdata'").fetchone()
            return int(row[0]) if row else None
        except (sqlite3.Error, TypeError, ValueError):
            return None

    def _newer(self, joiner: str = ";") -> str:
        """", Zotero schema 131 is newer than ..." for a message, when it is."""
        if self.schema is not None and self.schema > KNOWN_SCHEMA:
            return (f"{joiner} its Zotero schema {self.schema} is newer than this Lantern knows "
                    f"(≤ {KNOWN_SCHEMA})")
        return "; open it once in a current Zotero"

    def _part(self, what: str, read: Callable[[], _T]) -> _T | None:
        """One part of the library (tags, collections, ...), or None with a note if this
        database's schema does not have it the way Zotero 7's does."""
        try:
            return read()
        except sqlite3.OperationalError as exc:
            log.debug("zotero: cannot read %s: %s", what, exc)
            self.notes.append(f"Zotero {what} not read ({exc})")
            return None

    def _table(self, combined: str, base: str) -> str | None:
        """Zotero's `*Combined` table, or the global schema's own when that one is missing or
        empty (Zotero fills it at start-up); None if neither has rows."""
        for table in (combined, base):
            if table in self.tables and self.db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                return table
        return None

    def read(self) -> ZoteroLibrary:
        item_types = self._table("itemTypesCombined", "itemTypes")
        types: dict[int, str] = self._part("item types", lambda: dict(self.db.execute(
            f"SELECT itemTypeID, typeName FROM {item_types}"))) or {} if item_types else {}
        fields = self._part("fields (titles, dates, DOIs)", self._fields) or {}
        trash = (self._part("trash", lambda: self._ids("SELECT itemID FROM deletedItems"))
                 if "deletedItems" in self.tables else None) or set()
        feeds = self._part("feeds", lambda: self._ids(
            "SELECT libraryID FROM libraries WHERE type = 'feed'")) or set()
        collections, paths = self._part("collections", self._collections) or ({}, {})
        authors = self._part("authors", self._creators) or {}
        tags = self._part("tags", self._tags) or {}
        bbt = self._better_bibtex()

        items: list[ZoteroItem] = []
        skipped: list[Skipped] = []
        try:
            rows = self.db.execute(
                "SELECT a.itemID, a.parentItemID, a.linkMode, a.contentType, a.path, i.key, "
                "i.libraryID FROM itemAttachments a JOIN items i ON i.itemID = a.itemID "
                "ORDER BY a.itemID"
            ).fetchall()
            parents = {
                r["itemID"]: r for r in self.db.execute(
                    "SELECT itemID, itemTypeID, key, libraryID, dateModified FROM items"
                )
            }
        except sqlite3.OperationalError as exc:
            raise ZoteroError(f"{self.where}: its attachments cannot be read ({exc})"
                              f"{self._newer()}") from exc
        for row in rows:
            if not _is_pdf(row["contentType"], row["path"]) or row["linkMode"] == LINKED_URL:
                continue
            own = row["itemID"]
            parent = parents.get(row["parentItemID"] or own)
            if parent is None or own in trash or parent["itemID"] in trash:
                continue
            if row["libraryID"] in feeds or types.get(parent["itemTypeID"]) in ("note", "annotation"):
                continue
            data = fields.get(parent["itemID"], {})
            label = data.get("title") or fields.get(own, {}).get("title") or row["path"] or row["key"]
            pdf, problem = self._file(row)
            if problem:
                skipped.append(Skipped(str(label), problem))
                continue
            assert pdf is not None
            extra = data.get("extra", "")
            doi = data.get("DOI") or _first(_DOI_LINE, extra)
            citekey = (
                data.get("citationKey") or _first(_CITEKEY_LINE, extra)
                or bbt.get((parent["libraryID"], parent["key"]))
            )
            items.append(ZoteroItem(
                key=parent["key"], library_id=parent["libraryID"], attachment_key=row["key"],
                pdf=pdf, title=data.get("title") or fields.get(own, {}).get("title") or "",
                authors=tuple(authors.get(parent["itemID"], ())),
                year=_year(data.get("date", "")), doi=doi.strip() if doi else None,
                citekey=citekey,
                collections=tuple(sorted(
                    paths[c] for c in collections.get(parent["itemID"], ()) if c in paths
                )),
                tags=tuple(tags.get(parent["itemID"], ())), item_type=types.get(parent["itemTypeID"], ""),
                modified=str(parent["dateModified"]),
            ))
        return ZoteroLibrary(tuple(items), tuple(sorted(set(paths.values()))), tuple(skipped),
                             tuple(self.notes))

    def _ids(self, sql: str) -> set[int]:
        return {r[0] for r in self.db.execute(sql)}

    def _tags(self) -> dict[int, list[str]]:
        tags: dict[int, list[str]] = defaultdict(list)
        for row in self.db.execute(
            "SELECT it.itemID, t.name FROM itemTags it JOIN tags t USING (tagID) ORDER BY t.name"
        ):
            tags[row[0]].append(row[1])
        return tags

    def _fields(self) -> dict[int, dict[str, str]]:
        """item id -> {field name: value}, with type-specific fields also under their base
        field's name (a book section's `bookTitle` is not its title, a case's `caseName` is)."""
        names = self._table("fieldsCombined", "fields")
        if names is None:
            self.notes.append("Zotero's field names are missing (tables fieldsCombined and "
                              "fields are empty): titles, dates and DOIs come from the PDFs")
            return {}
        base: dict[int, str] = {}
        if mappings := self._table("baseFieldMappingsCombined", "baseFieldMappings"):
            for row in self.db.execute(
                f"SELECT m.fieldID, b.fieldName FROM {mappings} m "
                f"JOIN {names} b ON b.fieldID = m.baseFieldID"
            ):
                base[row[0]] = row[1]
        out: dict[int, dict[str, str]] = defaultdict(dict)
        for row in self.db.execute(
            "SELECT d.itemID, d.fieldID, f.fieldName, v.value FROM itemData d "
            f"JOIN {names} f USING (fieldID) JOIN itemDataValues v USING (valueID)"
        ):
            values = out[row["itemID"]]
            values[row["fieldName"]] = str(row["value"])
            if row["fieldID"] in base:
                values.setdefault(base[row["fieldID"]], str(row["value"]))
        return out

    def _collections(self) -> tuple[dict[int, list[int]], dict[int, str]]:
        """(item id -> collection ids, collection id -> "Parent/Child" path); trashed left out."""
        rows = {r[0]: (r[1], r[2]) for r in self.db.execute(
            "SELECT collectionID, collectionName, parentCollectionID FROM collections"
        )}
        trashed = (
            self._ids("SELECT collectionID FROM deletedCollections")
            if "deletedCollections" in self.tables else set()
        )
        paths: dict[int, str] = {}
        for cid in rows:
            names, seen, current = [], set(), cid
            while current is not None and current in rows and current not in seen:
                if current in trashed:
                    break
                seen.add(current)
                names.append(rows[current][0])
                current = rows[current][1]
            else:
                paths[cid] = "/".join(reversed(names))
        members: dict[int, list[int]] = defaultdict(list)
        for item_id, cid in self.db.execute("SELECT itemID, collectionID FROM collectionItems"):
            members[item_id].append(cid)
        return members, paths

    def _creators(self) -> dict[int, list[str]]:
        """item id -> "First Last" names: its authors, or every creator when it has none."""
        rows = self.db.execute(
            "SELECT ic.itemID, c.firstName, c.lastName, c.fieldMode, t.creatorType "
            "FROM itemCreators ic JOIN creators c USING (creatorID) "
            "LEFT JOIN creatorTypes t USING (creatorTypeID) ORDER BY ic.itemID, ic.orderIndex"
        ).fetchall()
        by_item: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for row in rows:
            first, last = (row["firstName"] or "").strip(), (row["lastName"] or "").strip()
            name = last if row["fieldMode"] == 1 or not first else f"{first} {last}"
            by_item[row["itemID"]].append((row["creatorType"] or "", name.strip()))
        out = {}
        for item_id, creators in by_item.items():
            authors = [n for kind, n in creators if kind == "author" and n]
            out[item_id] = authors or [n for _, n in creators if n]
        return out

    def _file(self, row: sqlite3.Row) -> tuple[Path | None, str | None]:
        """(the attachment's file, None) or (None, why it cannot be used)."""
        stored = row["path"] or ""
        if row["linkMode"] in (IMPORTED_FILE, IMPORTED_URL):
            if not stored.startswith("storage:"):
                return None, f"unexpected stored path {stored!r}"
            folder = (self.data_dir / "storage" / row["key"]).resolve()
            path = (folder / stored[len("storage:"):]).resolve()
            if not path.is_relative_to(folder):
                return None, f"stored path {stored!r} leaves its storage folder"
        elif row["linkMode"] == LINKED_FILE:
            if stored.startswith("attachments:"):
                if self.base_dir is None:
                    return None, (
                        f"linked as {stored!r}, relative to Zotero's base directory; give that "
                        "folder (Zotero: Settings > Advanced > Files and Folders) with --zotero-base"
                    )
                path = Path(self.base_dir).expanduser() / stored[len("attachments:"):]
            else:
                path = Path(stored)
        else:
            return None, f"attachment of an unknown kind (link mode {row['linkMode']})"
        if not path.exists():
            return None, f"file not found: {path} (not downloaded from Zotero's storage yet?)"
        if problem := _not_a_pdf_file(path):
            return None, f"{path} {problem}; not read"
        return path, None

    def _better_bibtex(self) -> dict[tuple[int, str], str]:
        """(library id, item key) -> citekey from Better BibTeX's own database, if there is one."""
        path = self.data_dir / "better-bibtex.sqlite"
        if not path.is_file():
            return {}
        try:
            db = _connect(path)
        except sqlite3.Error as exc:
            log.warning("%s: cannot open (%s); citation keys from Zotero only", path, exc)
            return {}
        try:
            names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "citationkey" in names:
                return {(r[0], r[1]): r[2] for r in db.execute(
                    "SELECT libraryID, itemKey, citationKey FROM citationkey"
                )}
            if "better-bibtex" in names:
                row = db.execute(
                    "SELECT data FROM `better-bibtex` WHERE name = 'better-bibtex.citekey'"
                ).fetchone()
                records = json.loads(row[0]).get("data", []) if row else []
                return {(r["libraryID"], r["itemKey"]): r["citekey"] for r in records
                        if r.get("itemKey") and r.get("citekey")}
            return {}
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            log.warning("%s: not a Better BibTeX database I can read (%s)", path, exc)
            return {}
        finally:
            db.close()


def _not_a_pdf_file(path: Path) -> str | None:
    """Why the attachment's file is not one to read, or None: it must be a regular file whose
    first bytes are %PDF. A Zotero database may be shared, or hostile: a linked "PDF" at
    /etc/passwd or /proc/self/environ is refused from its kind and its first five bytes, and
    nothing it holds is ever shown."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a device never end
            return "is not a regular file (a folder, device or pipe?)"
        # O_NONBLOCK: should it have become a FIFO since, opening it cannot block
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            head = os.read(fd, 5)
        finally:
            os.close(fd)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or type(exc).__name__})"
    if not head.startswith(b"%PDF"):
        return "is not a PDF file (it does not start with %PDF)"
    return None


def _is_pdf(content_type: str | None, path: str | None) -> bool:
    return content_type == "application/pdf" or (path or "").lower().endswith(".pdf")


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text or "")
    return match.group(1) if match else None


def _year(date: str) -> int | None:
    """Zotero stores dates as 'YYYY-MM-DD original text' ('0000-00-00' parts when unknown)."""
    match = re.match(r"(\d{4})-\d\d-\d\d", date)
    if match and match.group(1) != "0000":
        return int(match.group(1))
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", date)
    return int(match.group(1)) if match else None
