"""`add --zotero`: a Zotero data folder built from the real schema, imported and re-imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import BatchFinished, FileResult
from core.pdfgen import write_paper
from tests.zotero import ZoteroFolder


def pdf(folder: Path, name: str, sentence: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_paper(folder / name, title=f"PDF title {name}", authors=["Pdf Author"],
                       sections=[("Methods", [sentence * 3])])


@pytest.fixture
def zotero(tmp_path) -> ZoteroFolder:
    src = tmp_path / "src"
    z = ZoteroFolder(tmp_path / "Zotero")
    z.otter = z.paper(pdf(src, "otters.pdf", "Otters were counted at dawn on the Ruhr. "),
                      title="Otter Counts in the Ruhr", authors=("Maria Keller",),
                      date="2019-05-00 May 2019", doi="10.1000/otter", citation_key="keller2019otter",
                      collections=("Ecology/Mammals",), tags=("otter",))
    z.fish = z.paper(pdf(src, "fish.pdf", "Fish were sampled by electrofishing in spring. "),
                     title="Fish Surveys", authors=("Aiko Tanaka",), date="2021", linked=True,
                     collections=("Ecology",), tags=("fish",))
    missing = pdf(src, "gone.pdf", "Never downloaded. ")
    z.paper(missing, title="Not downloaded", linked=True)
    missing.unlink()
    yield z
    z.close()


def results_of(events) -> tuple[list[FileResult], BatchFinished]:
    events = list(events)
    return [e for e in events if isinstance(e, FileResult)], events[-1]


def test_import_then_reimport_adds_nothing(fake_library, zotero):
    results, done = results_of(fake_library.add_zotero(zotero.root))
    assert (done.added, done.skipped, done.failed) == (2, 1, 0)
    assert {r.title: r.status for r in results} == {
        "Otter Counts in the Ruhr": "added", "Fish Surveys": "added", "Not downloaded": "skipped"}
    otter = next(p for p in fake_library.papers() if p.title == "Otter Counts in the Ruhr")
    assert (otter.authors, otter.year, otter.doi) == (("Maria Keller",), 2019, "10.1000/otter")
    source = fake_library.source(otter.doc_id)
    assert (source.zotero_key, source.citekey, source.collections, source.tags) == (
        zotero.otter, "keller2019otter", ("Ecology/Mammals",), ("otter",))
    assert fake_library._parts.sources.scope(collection="Ecology") == [
        p.doc_id for p in fake_library.papers()]

    results, done = results_of(fake_library.add_zotero(zotero.root))
    assert (done.added, done.replaced, done.updated, done.unchanged) == (0, 0, 0, 2)
    assert len(fake_library.papers()) == 2

    zotero.retitle(zotero.fish, "Fish Surveys, Revised")
    results, done = results_of(fake_library.add_zotero(zotero.root))
    assert (done.added, done.updated, done.unchanged) == (0, 1, 1)
    assert "Fish Surveys, Revised" in {p.title for p in fake_library.papers()}


def test_cli_add_zotero(run, zotero):
    run_cli = run
    code, out, _ = run_cli("add", "--json", "--zotero", str(zotero.root))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [x["status"] for x in lines] == ["added", "added", "skipped"]
    code, out, _ = run_cli("add", "--json", "--zotero", str(zotero.root))
    assert [json.loads(x)["status"] for x in out.splitlines()] == ["unchanged", "unchanged", "skipped"]
    code, _, err = run_cli("add", "--zotero", str(zotero.root / "storage"))
    assert code == 1 and "no zotero.sqlite" in err
    code, _, err = run_cli("add")
    assert code == 2 and "--zotero" in err


def test_ask_and_extract_scoped_by_collection_year_tag_with_bibtex(run, zotero, tmp_path):
    run("add", "--zotero", str(zotero.root))
    code, out, _ = run("ask", "Which animals were counted?", "--no-llm", "--json",
                       "--collection", "Mammals")
    titles = {e["title"] for e in json.loads(out)["evidence"]}
    assert code == 0 and titles == {"Otter Counts in the Ruhr"}
    code, out, _ = run("ask", "How were animals sampled?", "--no-llm", "--json",
                       "--year-from", "2020", "--tag", "fish")
    assert {e["title"] for e in json.loads(out)["evidence"]} == {"Fish Surveys"}
    code, _, err = run("ask", "anything", "--no-llm", "--collection", "Botany")
    assert code == 1 and "no paper matches collection 'Botany'" in err and "Ecology" in err

    table, bib = tmp_path / "t.md", tmp_path / "t.bib"
    code, _, err = run("extract", "--questions", "builtin:dl-methods", "--no-llm", "--out",
                       str(table), "--bib", str(bib), "--collection", "Ecology", "--year-to", "2020")
    assert code == 0, err
    text = bib.read_text()
    assert text.startswith("@article{keller2019otter,\n") and text.count("@") == 1
    assert "author = {Keller, Maria}" in text and "doi = {10.1000/otter}" in text


def test_ask_writes_the_cited_papers_as_bibtex(run, zotero, fake_generator, tmp_path):
    run("add", "--zotero", str(zotero.root))
    fake_generator.enqueue("Otters were counted at dawn on the Ruhr [1].")
    bib = tmp_path / "answer.bib"
    code, out, _ = run("ask", "When were otters counted?", "--json", "--bib", str(bib),
                       "--collection", "Mammals")
    assert code == 0 and json.loads(out)["citations"]
    assert bib.read_text().startswith("@article{keller2019otter,\n")
