"""The Zotero reader on data folders built from Zotero's real schema."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from core.pdfgen import write_paper
from core.zotero import ZoteroError, read_library
from tests.zotero import ZoteroFolder

SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "zotero-schema"


def pdf(folder: Path, name: str, sentence: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_paper(folder / name, title=name, sections=[("Methods", [sentence])])


@pytest.fixture
def zotero(tmp_path) -> ZoteroFolder:
    z = ZoteroFolder(tmp_path / "Zotero")
    yield z
    z.close()


def fingerprint(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_reads_metadata_collections_tags_and_files(zotero, tmp_path):
    src = tmp_path / "src"
    k1 = zotero.paper(pdf(src, "otters.pdf", "Otters were counted at dawn."),
                      title="Otter Counts in the Ruhr", authors=("Maria Keller", "Tomas Lindqvist"),
                      date="2019-05-00 May 2019", doi="10.1000/otter.1",
                      collections=("Ecology/Mammals", "Thesis"), tags=("otter", "survey"))
    k2 = zotero.paper(pdf(src, "fish.pdf", "Fish were sampled by electrofishing."),
                      title="Fish Surveys", authors=("Aiko Tanaka",), date="2021",
                      linked=True, collections=("Ecology",))
    lib = read_library(zotero.root)
    by_key = {item.key: item for item in lib.items}
    otter = by_key[k1]
    assert otter.title == "Otter Counts in the Ruhr"
    assert otter.authors == ("Maria Keller", "Tomas Lindqvist")
    assert (otter.year, otter.doi) == (2019, "10.1000/otter.1")
    assert otter.collections == ("Ecology/Mammals", "Thesis")
    assert otter.tags == ("otter", "survey")
    assert otter.pdf.parent.parent == zotero.root / "storage" and otter.pdf.is_file()
    assert otter.item_type == "journalArticle" and otter.citekey is None
    fish = by_key[k2]
    assert fish.pdf == (src / "fish.pdf").resolve() and fish.year == 2021
    assert lib.collections == ("Ecology", "Ecology/Mammals", "Thesis")
    assert lib.skipped == ()


def test_never_writes_to_the_zotero_folder(zotero, tmp_path):
    zotero.paper(pdf(tmp_path / "src", "a.pdf", "Some text here."), title="A")
    zotero.better_bibtex({})
    zotero.close()
    before = fingerprint(zotero.root)
    read_library(zotero.root)
    assert fingerprint(zotero.root) == before  # no journal, no WAL, no changes


def test_reads_while_zotero_holds_an_exclusive_lock(zotero, tmp_path):
    zotero.paper(pdf(tmp_path / "src", "a.pdf", "Some text here."), title="Locked Paper")
    zotero.close()
    running = sqlite3.connect(zotero.root / "zotero.sqlite")
    running.execute("PRAGMA locking_mode = EXCLUSIVE")
    running.execute("BEGIN EXCLUSIVE")  # what a running Zotero does to its database
    try:
        assert [i.title for i in read_library(zotero.root).items] == ["Locked Paper"]
    finally:
        running.rollback()
        running.close()


def test_citekeys_from_zotero_field_extra_and_better_bibtex(zotero, tmp_path):
    src = tmp_path / "src"
    native = zotero.paper(pdf(src, "a.pdf", "Alpha text here."), title="A", citation_key="keller2019")
    pinned = zotero.paper(pdf(src, "b.pdf", "Beta text here."), title="B",
                          extra="tex.note: x\nCitation Key: tanaka2021fish")
    in_bbt = zotero.paper(pdf(src, "c.pdf", "Gamma text here."), title="C")
    zotero.better_bibtex({in_bbt: "smith2020", pinned: "ignored2021"})
    keys = {i.key: i.citekey for i in read_library(zotero.root).items}
    assert keys == {native: "keller2019", pinned: "tanaka2021fish", in_bbt: "smith2020"}


def test_legacy_better_bibtex_json(zotero, tmp_path):
    key = zotero.paper(pdf(tmp_path / "src", "a.pdf", "Alpha text here."), title="A")
    bbt = sqlite3.connect(zotero.root / "better-bibtex.sqlite")
    bbt.execute("CREATE TABLE `better-bibtex` (name TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL)")
    bbt.execute("INSERT INTO `better-bibtex` VALUES ('better-bibtex.citekey', ?)",
                (json.dumps({"data": [{"itemID": 1, "libraryID": 1, "itemKey": key,
                                       "citekey": "old2015"}]}),))
    bbt.commit()
    bbt.close()
    assert read_library(zotero.root).items[0].citekey == "old2015"


def test_standalone_trashed_base_field_and_missing_files(zotero, tmp_path):
    src = tmp_path / "src"
    zotero.attach(pdf(src, "loose-report.pdf", "A report without a parent item."), None)
    zotero.paper(pdf(src, "gone.pdf", "Trashed text here."), title="In the bin", trashed=True)
    case = zotero.paper(pdf(src, "case.pdf", "A court case."), title="Smith v. Jones", item_type="case")
    missing = pdf(src, "missing.pdf", "Never downloaded.")
    zotero.paper(missing, title="Not synced", linked=True)
    missing.unlink()
    rel = zotero.paper(pdf(src, "rel.pdf", "Relative link."), title="Relative", linked=True)
    zotero.db.execute("UPDATE itemAttachments SET path = 'attachments:rel.pdf' "
                      "WHERE parentItemID = ?", (zotero.item_id(rel),))
    zotero.db.commit()

    lib = read_library(zotero.root)
    titles = sorted(i.title for i in lib.items)
    assert titles == ["Smith v. Jones", "loose-report"]
    assert {i.key for i in lib.items if i.title == "Smith v. Jones"} == {case}
    assert len(lib.skipped) == 2
    assert any(s.title == "Not synced" and "file not found" in s.reason for s in lib.skipped)
    assert any(s.title == "Relative" and "--zotero-base" in s.reason for s in lib.skipped)
    with_base = read_library(zotero.root, base_dir=src)
    assert "Relative" in {i.title for i in with_base.items}


def test_not_a_zotero_folder(tmp_path):
    with pytest.raises(ZoteroError, match="no zotero.sqlite"):
        read_library(tmp_path)
    (tmp_path / "zotero.sqlite").write_bytes(b"not a database at all, just some bytes" * 40)
    with pytest.raises(ZoteroError, match="cannot be read"):
        read_library(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    sqlite3.connect(other / "zotero.sqlite").execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(ZoteroError, match="not a Zotero 5-7 database"):
        read_library(other)


@pytest.mark.skipif(not (SHARED_SCHEMA / "userdata.sql").exists(),
                    reason="the full Zotero schema lives in ../shared (optional check)")
def test_full_zotero_schema(tmp_path):
    z = ZoteroFolder(tmp_path / "Zotero",
                     schema_sql=[SHARED_SCHEMA / "system.sql", SHARED_SCHEMA / "userdata.sql"])
    key = z.paper(pdf(tmp_path / "src", "a.pdf", "Full schema text."), title="Full",
                  authors=("Ada Lovelace",), date="1843-00-00 1843", collections=("History",))
    z.close()
    (item,) = read_library(z.root).items
    assert (item.key, item.title, item.authors, item.year, item.collections) == (
        key, "Full", ("Ada Lovelace",), 1843, ("History",))
