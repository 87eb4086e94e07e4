"""The library's scope picker: Zotero collection, years and tag narrow the list and the Ask scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import Library, Settings
from core.pdfgen import write_paper
from tests.zotero import ZoteroFolder


def _pdf(folder: Path, name: str, sentence: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_paper(folder / name, title=f"PDF title {name}", authors=["Pdf Author"],
                       sections=[("Methods", [sentence * 3])])


@pytest.fixture
def zotero_library(tmp_path, fake_embedder, fake_generator) -> dict[str, str]:
    """The test's library with three papers imported from a Zotero folder (real schema):
    title -> doc_id."""
    src = tmp_path / "src"
    z = ZoteroFolder(tmp_path / "Zotero")
    z.paper(_pdf(src, "otters.pdf", "Otters were counted at dawn. "), title="Otter Counts",
            authors=("Maria Keller",), date="2019", citation_key="keller2019otter",
            collections=("Ecology/Mammals",), tags=("otter",))
    z.paper(_pdf(src, "birds.pdf", "Birds were ringed in spring. "), title="Bird Rings",
            authors=("Aiko Tanaka",), date="2021", collections=("Ecology/Birds",), tags=("bird",))
    z.paper(_pdf(src, "rocks.pdf", "Rocks were dated by argon. "), title="Rock Ages",
            authors=("Ole Berg",), date="2015", collections=("Geology",))
    with Library(Settings.load(), embedder=fake_embedder, generator=fake_generator) as lib:
        list(lib.add_zotero(z.root))
        ids = {p.title: p.doc_id for p in lib.papers()}
    z.close()
    assert len(ids) == 3
    return ids


def test_collection_filter_narrows_the_list_and_the_ask_scope(qtbot, fake_window, zotero_library):
    window = fake_window()
    panel = window.library
    qtbot.waitUntil(lambda: panel.collection.isVisible() and panel.proxy.rowCount() == 3)
    names = [panel.collection.itemText(i) for i in range(panel.collection.count())]
    assert names == ["All collections", "Ecology", "Ecology/Birds", "Ecology/Mammals", "Geology"]
    assert window.ask.scope_label.toolTip().startswith("Scope: All papers")

    scopes = []
    panel.scopeChanged.connect(scopes.append)
    panel.collection.setCurrentText("Ecology/Birds")
    assert panel.shown() == [zotero_library["Bird Rings"]]
    assert scopes[-1] == [zotero_library["Bird Rings"]]
    assert window.ask._scope == [zotero_library["Bird Rings"]]
    assert window.ask.scope_label.toolTip().startswith("Scope: 1 paper in Ecology/Birds")
    assert window.extract._selection == [zotero_library["Bird Rings"]]

    panel.collection.setCurrentText("Ecology")  # sub-collections included
    assert sorted(panel.shown()) == sorted([zotero_library["Bird Rings"], zotero_library["Otter Counts"]])
    assert window.ask.scope_label.toolTip().startswith("Scope: 2 papers in Ecology")

    panel.collection.setCurrentIndex(0)
    assert len(panel.shown()) == 3
    assert window.ask._scope == []
    assert window.ask.scope_label.toolTip().startswith("Scope: All papers")


def test_year_and_tag_filters_match_the_cli_options(qtbot, fake_window, zotero_library):
    window = fake_window()
    panel = window.library
    qtbot.waitUntil(lambda: panel.tag.isVisible() and panel.proxy.rowCount() == 3)
    assert [panel.tag.itemText(i) for i in range(panel.tag.count())] == ["All tags", "bird", "otter"]
    panel.year_from.setValue(2018)
    assert sorted(panel.shown()) == sorted([zotero_library["Bird Rings"], zotero_library["Otter Counts"]])
    panel.year_to.setValue(2020)
    assert panel.shown() == [zotero_library["Otter Counts"]]
    assert window.ask.scope_label.toolTip().startswith("Scope: 1 paper in 2018–2020")
    panel.year_from.setValue(2099)  # nothing matches: not asked of all papers
    assert panel.shown() == [] and window.ask._scope == []
    assert window.ask.scope_label.toolTip().startswith("Scope: no paper in 2099–2020")
    assert window.ask.ask("What was counted?") is None
    panel.clear_scope()
    panel.tag.setCurrentText("bird")
    assert window.ask._scope == [zotero_library["Bird Rings"]]
    # a paper selected by hand within the filtered list is the scope, said as such
    panel.select([zotero_library["Bird Rings"]])
    assert window.ask.scope_label.toolTip().startswith("Scope: 1 selected paper")
    panel.table.clearSelection()
    panel.clear_scope()
    assert window.ask._scope == [] and len(panel.shown()) == 3


def test_no_zotero_no_collection_box(qtbot, fake_window):
    window = fake_window()
    qtbot.wait(200)
    assert not window.library.collection.isVisible() and not window.library.tag.isVisible()


def test_the_scope_picker_fits_at_1024x700(qtbot, fake_window, zotero_library):
    from tests.desktop.test_layout import settle, squeezed

    window = fake_window(size=(1024, 700))
    panel = window.library
    qtbot.waitUntil(lambda: panel.collection.isVisible() and panel.proxy.rowCount() == 3)
    panel.collection.setCurrentText("Ecology/Mammals")
    settle(qtbot, window)
    assert squeezed(window) == []
    for box in (panel.collection, panel.tag, panel.year_from, panel.year_to):
        assert box.width() >= box.minimumSizeHint().width(), box.toolTip()


def test_extract_export_cites_with_zoteros_citekeys(qtbot, fake_window, zotero_library, tmp_path,
                                                    monkeypatch):
    from desktop.widgets import extract_panel

    window = fake_window()
    qtbot.waitUntil(lambda: window.library.collection.isVisible())
    panel = window.extract
    assert panel.citekeys == {zotero_library["Otter Counts"]: "keller2019otter"}
    written = {}

    def write_table(rows, qset, path, fmt, **kw):
        written.update(kw, path=path)
        return path

    monkeypatch.setattr(extract_panel, "write_table", write_table)
    monkeypatch.setattr(extract_panel.ExtractPanel, "qset", object())  # a table is open
    assert panel.export(tmp_path / "t.md", "md") == tmp_path / "t.md"
    assert written["citekeys"] == {zotero_library["Otter Counts"]: "keller2019otter"}


def test_a_new_paper_hidden_by_the_filter_is_announced(qtbot, fake_window, zotero_library, tmp_path):
    from tests.desktop.util import wait_idle

    window = fake_window()
    panel = window.library
    qtbot.waitUntil(lambda: panel.collection.isVisible() and panel.proxy.rowCount() == 3)
    panel.collection.setCurrentText("Ecology/Birds")
    assert not panel.hidden_note.isVisible()

    new = _pdf(tmp_path / "new", "voles.pdf", "Voles were trapped in autumn. ")  # no collection
    window.ingest.add([new])
    qtbot.waitUntil(lambda: len(window.papers.papers) == 4, timeout=60_000)
    wait_idle(qtbot, window)
    assert panel.shown() == [zotero_library["Bird Rings"]]
    qtbot.waitUntil(panel.hidden_note.isVisible)
    assert panel.hidden_note.text().startswith("1 new paper is hidden by the filter")

    panel.hidden_note.linkActivated.emit("show-all")  # the note's link
    assert len(panel.shown()) == 4 and panel.collection.currentIndex() == 0
    assert not panel.hidden_note.isVisible()

    panel.filter.setText("otter")  # the text filter is a filter too; a paper it shows is not new
    window.ingest.add([_pdf(tmp_path / "new", "moles.pdf", "Moles were counted. ")])
    qtbot.waitUntil(lambda: len(window.papers.papers) == 5, timeout=60_000)
    wait_idle(qtbot, window)
    qtbot.waitUntil(panel.hidden_note.isVisible)
    assert panel.hidden_note.text().startswith("1 new paper is hidden")
    panel.filter.clear()
    assert not panel.hidden_note.isVisible()
