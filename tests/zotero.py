"""Zotero data folders for tests, built from Zotero's real schema (tests/data/*.sql).

Zotero fills itemTypes, fields and creatorTypes at start-up with ids of its own; the ids here
differ on purpose (the reader must join on names).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

SUBSET_SQL = Path(__file__).parent / "data" / "zotero-userdata-subset.sql"
ITEM_TYPES = ("attachment", "note", "annotation", "journalArticle", "book", "bookSection", "case")
FIELDS = ("title", "date", "DOI", "extra", "citationKey", "publicationTitle", "bookTitle", "caseName")
CREATOR_TYPES = ("author", "editor", "contributor")
_KEY_CHARS = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"

# Better BibTeX 6/7's table, as its key manager creates it (betterbibtex.citationkey).
BBT_CITATIONKEY_SQL = """
CREATE TABLE IF NOT EXISTS citationkey (
  itemID NOT NULL PRIMARY KEY,
  itemKey NOT NULL,
  libraryID NOT NULL,
  citationKey NOT NULL CHECK (citationKey <> ''),
  pinned CHECK (pinned in (0, 1)),
  UNIQUE (libraryID, itemKey)
)
"""


class ZoteroFolder:
    """A Zotero data folder: zotero.sqlite, storage/<key>/<file>.pdf, optional Better BibTeX."""

    def __init__(self, root: Path, *, schema_sql: list[Path] | None = None) -> None:
        self.root = Path(root)
        (self.root / "storage").mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.root / "zotero.sqlite")
        self.db.execute("PRAGMA synchronous = OFF")  # a fixture: no fsync per schema statement
        for sql in schema_sql or [SUBSET_SQL]:
            self.db.executescript(sql.read_text(encoding="utf-8"))
        self._next_key = 0
        self.db.execute("INSERT INTO version(schema, version) VALUES ('userdata', 129)")
        self.db.execute("INSERT INTO libraries(libraryID, type, editable, filesEditable) VALUES (1, 'user', 1, 1)")
        # the global schema's tables, and the Combined ones Zotero fills from them at start-up
        self.types = self._names("itemTypes", "itemTypeID", "typeName", ITEM_TYPES, 30,
                                 extra="display", values="1")
        self._names("itemTypesCombined", "itemTypeID", "typeName", ITEM_TYPES, 30,
                    extra="display, custom", values="1, 0")
        self.fields = self._names("fields", "fieldID", "fieldName", FIELDS, 100,
                                  extra="fieldFormatID", values="1")
        self._names("fieldsCombined", "fieldID", "fieldName", FIELDS, 100,
                    extra="custom", values="0")
        self.creator_types = {}
        for i, name in enumerate(CREATOR_TYPES):
            self.db.execute("INSERT INTO creatorTypes VALUES (?, ?)", (8 + i, name))
            self.creator_types[name] = 8 + i
        # a case's caseName is its title (a base field mapping, as Zotero has it)
        for table in ("baseFieldMappings", "baseFieldMappingsCombined"):
            self.db.execute(f"INSERT INTO {table} VALUES (?, ?, ?)",
                            (self.types["case"], self.fields["title"], self.fields["caseName"]))
        self.collections: dict[str, int] = {}
        self.db.commit()

    def _names(self, table: str, id_col: str, name_col: str, names: tuple[str, ...], start: int,
               *, extra: str, values: str) -> dict[str, int]:
        out = {}
        for i, name in enumerate(names):
            self.db.execute(f"INSERT INTO {table}({id_col}, {name_col}, {extra}) VALUES (?, ?, {values})",
                            (start + 3 * i, name))
            out[name] = start + 3 * i
        return out

    def key(self) -> str:
        self._next_key += 1
        n, out = self._next_key * 7919, ""
        for _ in range(8):
            out += _KEY_CHARS[n % len(_KEY_CHARS)]
            n //= len(_KEY_CHARS)
        return out

    def _item(self, item_type: str, modified: str = "2024-01-01 10:00:00") -> tuple[int, str]:
        key = self.key()
        cur = self.db.execute(
            "INSERT INTO items(itemTypeID, libraryID, key, dateModified) VALUES (?, 1, ?, ?)",
            (self.types[item_type], key, modified),
        )
        return int(cur.lastrowid), key

    def _set(self, item_id: int, field: str, value: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO itemDataValues(value) VALUES (?)", (value,))
        (value_id,) = self.db.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (value,)).fetchone()
        self.db.execute("INSERT OR REPLACE INTO itemData VALUES (?, ?, ?)", (item_id, self.fields[field], value_id))

    def collection(self, path: str) -> int:
        """The collection at "Parent/Child", created with its parents as needed."""
        parent = None
        for depth, name in enumerate(path.split("/"), start=1):
            sub = "/".join(path.split("/")[:depth])
            if sub not in self.collections:
                cur = self.db.execute(
                    "INSERT INTO collections(collectionName, parentCollectionID, libraryID, key) "
                    "VALUES (?, ?, 1, ?)", (name, parent, self.key()))
                self.collections[sub] = int(cur.lastrowid)
            parent = self.collections[sub]
        return self.collections[path]

    def paper(
        self, pdf: Path, *, title: str, authors: tuple[str, ...] = (), date: str = "",
        doi: str | None = None, collections: tuple[str, ...] = (), tags: tuple[str, ...] = (),
        linked: bool = False, extra: str | None = None, citation_key: str | None = None,
        item_type: str = "journalArticle", trashed: bool = False,
    ) -> str:
        """A regular item with one PDF attachment (stored in storage/, or linked in place)."""
        item_id, key = self._item(item_type)
        self._set(item_id, "caseName" if item_type == "case" else "title", title)
        if date:
            self._set(item_id, "date", date)
        if doi:
            self._set(item_id, "DOI", doi)
        if extra:
            self._set(item_id, "extra", extra)
        if citation_key:
            self._set(item_id, "citationKey", citation_key)
        for order, name in enumerate(authors):
            first, _, last = name.rpartition(" ")
            self.db.execute("INSERT OR IGNORE INTO creators(firstName, lastName, fieldMode) VALUES (?, ?, 0)",
                            (first, last))
            (cid,) = self.db.execute("SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ?",
                                     (first, last)).fetchone()
            self.db.execute("INSERT INTO itemCreators VALUES (?, ?, ?, ?)",
                            (item_id, cid, self.creator_types["author"], order))
        for path in collections:
            self.db.execute("INSERT INTO collectionItems(collectionID, itemID) VALUES (?, ?)",
                            (self.collection(path), item_id))
        for tag in tags:
            self.db.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", (tag,))
            (tag_id,) = self.db.execute("SELECT tagID FROM tags WHERE name = ?", (tag,)).fetchone()
            self.db.execute("INSERT INTO itemTags VALUES (?, ?, 0)", (item_id, tag_id))
        self.attach(pdf, item_id, linked=linked)
        if trashed:
            self.db.execute("INSERT INTO deletedItems(itemID) VALUES (?)", (item_id,))
        self.db.commit()
        return key

    def attach(self, pdf: Path, parent_id: int | None, *, linked: bool = False,
               stored_path: str | None = None) -> str:
        """A PDF attachment item (standalone when parent_id is None)."""
        att_id, att_key = self._item("attachment")
        if linked:
            path, mode = str(Path(pdf).resolve()), 2
        else:
            folder = self.root / "storage" / att_key
            folder.mkdir(parents=True)
            shutil.copy(pdf, folder / Path(pdf).name)
            path, mode = f"storage:{Path(pdf).name}", 0
        self.db.execute(
            "INSERT INTO itemAttachments(itemID, parentItemID, linkMode, contentType, path) "
            "VALUES (?, ?, ?, 'application/pdf', ?)", (att_id, parent_id, mode, stored_path or path))
        if parent_id is None:
            self._set(att_id, "title", Path(pdf).stem)
        self.db.commit()
        return att_key

    def item_id(self, key: str) -> int:
        return int(self.db.execute("SELECT itemID FROM items WHERE key = ?", (key,)).fetchone()[0])

    def retitle(self, key: str, title: str, modified: str = "2025-06-01 09:00:00") -> None:
        """Change an item's title as Zotero does: new value, new dateModified."""
        item_id = self.item_id(key)
        self._set(item_id, "title", title)
        self.db.execute("UPDATE items SET dateModified = ? WHERE itemID = ?", (modified, item_id))
        self.db.commit()

    def better_bibtex(self, keys: dict[str, str]) -> None:
        """better-bibtex.sqlite with a citationkey row per {item key: citekey}."""
        bbt = sqlite3.connect(self.root / "better-bibtex.sqlite")
        bbt.execute(BBT_CITATIONKEY_SQL)
        for key, citekey in keys.items():
            bbt.execute("INSERT INTO citationkey VALUES (?, ?, 1, ?, 0)", (self.item_id(key), key, citekey))
        bbt.commit()
        bbt.close()

    def uncombined(self) -> None:
        """Empty the *Combined tables, as in a copy of zotero.sqlite Zotero has not started on."""
        for table in ("itemTypesCombined", "fieldsCombined", "baseFieldMappingsCombined"):
            self.db.execute(f"DELETE FROM {table}")
        self.db.commit()

    def schema(self, version: int) -> None:
        self.db.execute("UPDATE version SET version = ? WHERE schema = 'userdata'", (version,))
        self.db.commit()

    def close(self) -> None:
        self.db.close()
