"""Zotero databases that are copies, newer, shared or hostile: titles come from the global
schema's `fields` when the Combined tables are empty (never a file's name over the PDF's own
title), a newer schema is named and read part by part, and a linked "PDF" that is not one is
neither read nor echoed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.pdfgen import write_paper
from core.zotero import ZoteroError, read_library
from tests.zotero import ZoteroFolder


def pdf(folder: Path, name: str, title: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_paper(folder / name, title=title, authors=["Pdf Author"],
                       sections=[("Methods", [f"{title} was trained on eight GPUs. " * 3])])


@pytest.fixture
def zotero(tmp_path) -> ZoteroFolder:
    z = ZoteroFolder(tmp_path / "Zotero")
    src = tmp_path / "src"
    z.llama = z.paper(pdf(src, "llama.pdf", "LLaMA Open Foundation Models"),
                      title="LLaMA: Open and Efficient Foundation Language Models",
                      authors=("Hugo Touvron",), date="2023", doi="10.48550/arXiv.2302.13971")
    # a standalone PDF: Zotero titles it with the file's name
    z.attach(pdf(src, "megatron.pdf", "Megatron-LM Training Multi-Billion Parameter Models"), None)
    yield z
    z.close()


def test_titles_and_dois_come_from_fields_when_the_combined_tables_are_empty(zotero, run):
    zotero.uncombined()
    items = {i.pdf.name: i for i in read_library(zotero.root).items}
    assert items["llama.pdf"].title == "LLaMA: Open and Efficient Foundation Language Models"
    assert items["llama.pdf"].doi == "10.48550/arXiv.2302.13971"
    assert items["llama.pdf"].item_type == "journalArticle"
    code, out, err = run("add", "--zotero", str(zotero.root))
    assert code == 0
    code, out, err = run("list", "--json")
    papers = {Path(p["path"]).name: p for p in json.loads(out)}
    assert papers["llama.pdf"]["doi"] == "10.48550/arXiv.2302.13971"
    assert papers["llama.pdf"]["title"].startswith("LLaMA: Open and Efficient")
    # Zotero's title is the file's name: the PDF's own title is kept, and shown on the line
    assert papers["megatron.pdf"]["title"] == "Megatron-LM Training Multi-Billion Parameter Models"


def test_the_add_line_shows_the_title_that_is_stored(zotero, run):
    code, out, err = run("add", "--zotero", str(zotero.root))
    code, listed, _ = run("list", "--json")
    stored = {p["doc_id"]: p["title"] for p in json.loads(listed)}
    lines = [line for line in out.splitlines() if line.startswith("added")]
    assert len(lines) == 2
    for doc_id, title in stored.items():
        assert any(f"[{doc_id}] {title} (" in line for line in lines)


def test_without_any_field_names_the_pdf_titles_are_kept_and_said(zotero, run):
    zotero.uncombined()
    zotero.db.execute("DELETE FROM fields")
    zotero.db.commit()
    code, out, err = run("add", "--zotero", str(zotero.root))
    assert code == 0 and "field names are missing" in err
    code, listed, _ = run("list", "--json")
    titles = sorted(p["title"] for p in json.loads(listed))
    assert titles == ["LLaMA Open Foundation Models",
                      "Megatron-LM Training Multi-Billion Parameter Models"]


def test_a_newer_schema_is_named_and_imported_anyway(zotero, run):
    zotero.schema(131)
    lib = read_library(zotero.root)
    assert lib.notes == ("Zotero schema 131 is newer than this Lantern knows (≤ 129): "
                         "import may miss fields",)
    assert len(lib.items) == 2
    code, out, err = run("add", "--zotero", str(zotero.root))
    assert code == 0 and "Zotero schema 131 is newer than this Lantern knows (≤ 129)" in err
    assert out.count("added") == 2

    zotero.db.execute("DROP TABLE itemTags")  # a part that changed: left out, and said
    zotero.db.commit()
    lib = read_library(zotero.root)
    assert len(lib.items) == 2 and any("Zotero tags not read" in n for n in lib.notes)

    zotero.db.execute("ALTER TABLE itemAttachments RENAME COLUMN path TO filePath")
    zotero.db.commit()
    with pytest.raises(ZoteroError) as caught:
        read_library(zotero.root)
    message = str(caught.value)
    assert "no such column: a.path" in message and "schema 131 is newer" in message
    assert "open it once" not in message and "saving right now" not in message


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ", "fifo", "folder"])
def test_a_linked_file_that_is_not_a_pdf_is_not_read_or_shown(zotero, run, tmp_path, target):
    if target == "fifo":
        target = str(tmp_path / "pipe.pdf")
        os.mkfifo(target)
    elif target == "folder":
        target = str(tmp_path)
    if not Path(target).exists():
        pytest.skip(f"{target} does not exist here")
    key = zotero.paper(pdf(tmp_path / "src", "real.pdf", "Decoy"), title="Hostile", linked=True)
    zotero.db.execute("UPDATE itemAttachments SET path = ? WHERE parentItemID = ?",
                      (target, zotero.item_id(key)))
    zotero.db.commit()
    skipped = {s.title: s.reason for s in read_library(zotero.root).skipped}
    assert "not read" in skipped["Hostile"] and target in skipped["Hostile"]
    for argv in (["add", "--zotero", str(zotero.root)], ["add", "--zotero", str(zotero.root),
                                                           "--json"]):
        code, out, err = run(*argv)
        text = out + err
        assert "Hostile" in text and ("is not a PDF file" in text or "not a regular file" in text)
        assert "root:" not in text and "PATH=" not in text and "HOME=" not in text
