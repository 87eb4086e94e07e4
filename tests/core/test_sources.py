"""Zotero metadata in the library: recorded, replaced, and used for scoping."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.store import Store
from core.store_sources import Sources
from core.types import Chunk, Page, PaperMeta, ParsedDocument
from core.zotero import ZoteroItem


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path / "library.sqlite3")
    yield s
    s.close()


def paper(store: Store, doc_id: str, year: int | None) -> None:
    doc = ParsedDocument(Path(f"/x/{doc_id}.pdf"), (Page(1, "Some text."),),
                         PaperMeta("Guessed title", ("Someone",), year, None))
    store.insert_paper(doc_id, doc_id * 8, doc, [Chunk(0, "Some text.", 1, 1, "body")])
    store.mark_ready(doc_id)


def item(key: str, *, collections=(), tags=(), year=2020, citekey=None) -> ZoteroItem:
    return ZoteroItem(key=key, library_id=1, attachment_key=f"A{key}", pdf=Path(f"/z/{key}.pdf"),
                      title=f"Title {key}", authors=("Maria Keller",), year=year,
                      doi=f"10.1/{key}", citekey=citekey, collections=tuple(collections),
                      tags=tuple(tags), item_type="journalArticle", modified="2024-01-01 10:00:00")


def test_record_replaces_metadata_and_reads_back(store):
    paper(store, "d1", None)
    sources = Sources(store)
    sources.record("d1", item("K1", collections=("Ecology/Fish",), tags=("fish",), citekey="k2020"))
    p = store.paper("d1")
    assert (p.title, p.authors, p.year, p.doi) == ("Title K1", ("Maria Keller",), 2020, "10.1/K1")
    src = sources.of("d1")
    assert (src.zotero_key, src.citekey, src.collections, src.tags) == (
        "K1", "k2020", ("Ecology/Fish",), ("fish",))
    sources.record("d1", item("K1", collections=("Other",), tags=()))
    assert sources.of("d1").collections == ("Other",) and sources.of("d1").tags == ()
    assert sources.citekeys() == {}
    store.delete_papers(["d1"])
    assert sources.of("d1") is None and sources.collections() == []


def test_scope_by_collection_year_and_tag(store):
    sources = Sources(store)
    for doc_id, coll, tags, year in [
        ("a", ("Ecology",), ("fish",), 2018),
        ("b", ("Ecology/Mammals",), ("otter", "fish"), 2021),
        ("c", ("Thesis/Ecology_notes",), (), 2022),
        ("d", (), (), None),
    ]:
        paper(store, doc_id, year)
        sources.record(doc_id, item(doc_id.upper(), collections=coll, tags=tags, year=year))
    assert sources.scope(collection="Ecology") == ["a", "b"]  # sub-collections included
    assert sources.scope(collection="mammals") == ["b"]  # by its own name, any case
    assert sources.scope(collection="Ecology_notes") == ["c"]  # '_' is no wildcard
    assert sources.scope(collection="Ecology%") == []
    assert sources.scope(year_from=2019) == ["b", "c"]
    assert sources.scope(year_to=2021) == ["a", "b"]
    assert sources.scope(tags=("FISH",)) == ["a", "b"]
    assert sources.scope(tags=("fish", "otter"), year_from=2020) == ["b"]
    assert sources.collections() == ["Ecology", "Ecology/Mammals", "Thesis/Ecology_notes"]
    assert sources.tags() == ["fish", "otter"]
