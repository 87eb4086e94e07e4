"""Scanned PDFs through the Library: added, searchable, cited at the right page."""

from __future__ import annotations

import shutil

import pytest

from core import FileProgress, FileResult, Library
from core.pdfgen import write_paper
from tests import pdfs
from tests.scangen import write_scan

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="Tesseract is not installed (apt-get install tesseract-ocr)")


@pytest.mark.e2e  # Tesseract on two scans through the Library; OCR citations stay in the fast tier
def test_a_folder_of_scans_is_searchable_at_the_right_page(fake_library, tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    note = write_paper(work / "note.pdf", title="Beaver dams on the Lippe", page_numbers=False,
                       sections=[("Observations", ["Beaver dams raised the water table by 40 cm "
                                                   "along the upper Lippe during the dry summer."])])
    write_scan(note, scans / "beaver-scan.pdf", dpi=150, noise=0.01, skew_deg=2.0)
    shutil.move(pdfs.mixed_paper(work), scans / "mixed.pdf")

    events = list(fake_library.add([scans]))
    results = {e.path.name: e for e in events if isinstance(e, FileResult)}
    assert {name: r.status for name, r in results.items()} == {
        "beaver-scan.pdf": "added", "mixed.pdf": "added"}
    ocr_progress = [e for e in events if isinstance(e, FileProgress) and e.stage == "ocr"]
    assert {(e.path.name, e.done, e.total) for e in ocr_progress} >= {
        ("beaver-scan.pdf", 1, 1), ("mixed.pdf", 1, 1)}

    hit = fake_library.search("otters counted at dawn Ruhr tributaries")[0]
    mixed = results["mixed.pdf"]
    assert (hit.doc_id, hit.page) == (mixed.doc_id, mixed.pages)  # the scanned last page
    assert "otters were counted at dawn" in " ".join(hit.text.split())
    beaver = fake_library.search("beaver dams water table Lippe")[0]
    assert beaver.doc_id == results["beaver-scan.pdf"].doc_id and beaver.page == 1

    again = [e for e in fake_library.add([scans]) if isinstance(e, FileResult)]
    assert {r.status for r in again} == {"unchanged"}  # not recognised twice


def test_ocr_off_refuses_scans_with_advice(settings, fake_embedder, tmp_path):
    scan = write_scan(write_paper(tmp_path / "n.pdf", title="N", sections=[("A", ["Some words."])]),
                      tmp_path / "scan.pdf")
    with Library(settings.replace(ocr={"mode": "off"}), embedder=fake_embedder) as lib:
        (result,) = [e for e in lib.add([scan]) if isinstance(e, FileResult)]
    assert result.status == "failed" and "--ocr auto" in result.error


def test_citations_of_ocr_pages_say_ocr_text(run, fake_generator, tmp_path):
    import json

    mixed = pdfs.mixed_paper(tmp_path)
    code, out, _ = run("add", "--json", str(mixed))
    added = json.loads(out)
    code, out, _ = run("show", added["doc_id"], "--json")
    pages = json.loads(out)["page_info"]
    assert [p["ocr"] for p in pages] == [False] * (added["pages"] - 1) + [True]

    fake_generator.enqueue("The otters were counted at dawn on the Ruhr tributaries in 2017 [1].")
    code, out, _ = run("ask", "When were the otters counted?", "--json")
    answer = json.loads(out)
    scanned = [c for c in answer["citations"] if c["page"] == added["pages"]]
    assert scanned and all(c["ocr"] for c in scanned)
    fake_generator.enqueue("The otters were counted at dawn on the Ruhr tributaries in 2017 [1].")
    code, out, _ = run("ask", "When were the otters counted?")
    assert f"p. {added['pages']} (OCR text)" in out


def test_gibberish_ocr_is_said_on_the_add_line_and_a_new_language_reads_it_again(run, tmp_path):
    """A Chinese-like page read with the English model: stored, but the line says the text
    looks unreadable (and what to install); a title is not made of the gibberish. Adding it
    with another OCR language reads it again, and names a language that is not installed."""
    import json

    page = pdfs.unreadable_scan(tmp_path)
    code, out, err = run("add", str(page))
    (line,) = [x for x in out.splitlines() if x.startswith("added")]
    assert code == 0 and "OCR text looks unreadable" in line and "is the language installed" in line
    assert "`--ocr-language chi_sim` needs `tesseract-ocr-chi-sim`" in line
    code, out, _ = run("list", "--json")
    (paper,) = json.loads(out)
    assert paper["title"] == "Hanzi"  # the file's name, not "AREF TRE HUMAAI"

    code, out, err = run("add", "--ocr-language", "chi_sim", str(page))
    assert code == 1 and "unchanged" not in out
    assert "OCR language 'chi_sim' is not installed" in out and "tesseract-ocr-chi-sim" in out
    code, out, _ = run("list", "--json")
    assert [p["doc_id"] for p in json.loads(out)] == [paper["doc_id"]]  # the old copy stays

    code, out, err = run("add", "--ocr-language", "eng+eng", str(page))
    assert code == 0 and out.startswith("replaced")
    code, out, err = run("add", "--ocr-language", "eng+eng", str(page))
    assert code == 0 and out.startswith("unchanged")  # same language: not read again
    code, out, _ = run("list", "--json")
    assert len(json.loads(out)) == 1
