"""OCR of pages without a usable text layer: which pages, what text, errors, progress, cancel."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from core.errors import NeedsOcrError
from core.ingest.clean import garbled
from core.ingest.ocr import OcrUnavailableError, Readability, choose_pages, word_confidences
from core.ingest.pdf import read_pdf
from core.ingest.worker import ParserProcess
from core.pdfgen import write_paper
from core.settings import IngestSettings, OcrSettings
from tests import pdfs
from tests.scangen import write_scan

pytest.importorskip("pypdfium2")
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract is not installed (apt-get install tesseract-ocr)"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ocr")


@pytest.fixture(scope="module")
def scan(folder) -> Path:
    return pdfs.scanned_paper(folder)


@pytest.fixture(scope="module")
def note(folder) -> Path:
    """A one-page text PDF (cheap to recognise)."""
    return write_paper(folder / "note.pdf", title="Field note", page_numbers=False,
                       sections=[("Notes", [pdfs.SCAN_ONLY_SENTENCE])])


def words(text: str) -> str:
    return " ".join(text.split())


def test_choose_pages():
    text = "Freshwater fish were sampled in rivers. " * 10
    assert choose_pages([text, "", "12"], "auto", 20) == [1, 2]
    assert choose_pages([text, text], "force", 20) == [0, 1]
    assert choose_pages([text, text], "auto", 20) == []
    soup = " ".join(["xq zzv kkrt bvvc"] * 60)  # a garbled text layer: every page again
    assert choose_pages([soup, text], "auto", 20) == [0, 1]


def test_without_ocr_a_scan_is_refused_with_advice(scan):
    with pytest.raises(NeedsOcrError, match="OCR"):
        read_pdf(scan)
    with pytest.raises(NeedsOcrError, match="OCR"):
        read_pdf(scan, ocr=OcrSettings(mode="off"))


@pytest.mark.e2e  # Tesseract reads a whole scanned paper (~10 s); the one-page OCR tests stay fast
@needs_tesseract
def test_a_scan_is_read_with_ocr_and_every_page_is_marked(scan):
    progress: list[tuple[int, int]] = []
    doc = read_pdf(scan, ocr=OcrSettings(), on_page=lambda d, t: progress.append((d, t)))
    assert doc.pages and all(p.ocr for p in doc.pages)
    total = len(doc.pages)
    assert progress == [(i, total) for i in range(total + 1)]
    text = words(" ".join(p.text for p in doc.pages))
    for fact in ("RTX 3090", "Adam optimizer", "70/15/15", "random flips and rotations"):
        assert fact in text
    assert doc.meta.title.startswith("Deep Learning for the Identification")
    assert any("recognised by OCR" in w for w in doc.warnings)


@needs_tesseract
def test_only_the_image_page_of_a_text_paper_is_recognised(folder):
    doc = read_pdf(pdfs.mixed_paper(folder), ocr=OcrSettings())
    assert [p.ocr for p in doc.pages] == [False] * (len(doc.pages) - 1) + [True]
    assert pdfs.SCAN_ONLY_SENTENCE in words(doc.pages[-1].text)
    assert doc.notice == "" and doc.ocr_language == "eng"  # a readable page says nothing


@needs_tesseract
def test_gibberish_from_a_missing_language_model_is_found(folder):
    """Tesseract's own word confidences: English-model capitals read from a Chinese-like page
    look like words to a character test, but the model knows few of them."""
    doc = read_pdf(pdfs.unreadable_scan(folder), ocr=OcrSettings())
    assert doc.notice.startswith("OCR text looks unreadable (Tesseract's eng model knows ")
    assert "tesseract-ocr-chi-sim" in doc.notice
    assert doc.meta.title == "Hanzi"  # from the file's name, not from the gibberish
    assert not garbled(doc.pages[0].text)  # what the character-class test alone would miss


def test_readability_is_judged_on_enough_words():
    assert Readability(words=100, confident=95).unreadable is False
    assert Readability(words=100, confident=10).unreadable is True
    assert Readability(words=5, confident=0).unreadable is False  # a caption says nothing
    assert Readability(words=5, confident=0, garbled_text=True).unreadable is True
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\t"
           "height\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t0\t0\t9\t9\t96.5\tOtters\n"
           "5\t1\t1\t1\t1\t2\t0\t0\t9\t9\t31.0\tAREF\n"
           "5\t1\t1\t1\t1\t3\t0\t0\t9\t9\t12.0\t|\n"
           "4\t1\t1\t1\t1\t0\t0\t0\t9\t9\t-1\t\n")
    assert word_confidences(tsv) == (2, 1)  # lone punctuation is not a word


@needs_tesseract
def test_force_recognises_pages_that_have_text(note):
    (page,) = read_pdf(note, ocr=OcrSettings(mode="force")).pages
    assert page.ocr and pdfs.SCAN_ONLY_SENTENCE in words(page.text)


@needs_tesseract
def test_pictures_without_words_are_still_refused(folder):
    with pytest.raises(NeedsOcrError, match="OCR found little or no text"):
        read_pdf(pdfs.image_only_pdf(folder), ocr=OcrSettings())


def test_missing_engine_or_language_says_what_to_install(scan, tmp_path):
    with pytest.raises(OcrUnavailableError, match="apt-get install tesseract-ocr"):
        read_pdf(scan, ocr=OcrSettings(tesseract=tmp_path / "no-tesseract"))
    if shutil.which("tesseract"):
        with pytest.raises(OcrUnavailableError, match="apt-get install tesseract-ocr-qqq"):
            read_pdf(scan, ocr=OcrSettings(language="qqq"))


@needs_tesseract
def test_reader_process_reports_pages_and_stops_on_cancel(scan, note, folder):
    with ParserProcess(IngestSettings(timeout_s=60), ocr=OcrSettings()) as parser:
        cancel = threading.Event()
        reading = parser.read(scan, cancel)
        assert next(reading) == (0, 2)
        cancel.set()
        with pytest.raises(StopIteration) as stopped:
            next(reading)
        assert stopped.value.value is None and parser._process is None
        # the next file gets a fresh reader, with OCR progress on the way
        events = []
        reading = parser.read(write_scan(note, folder / "note-scan.pdf"))
        while True:
            try:
                events.append(next(reading))
            except StopIteration as done:
                doc = done.value
                break
        assert events == [(0, 1), (1, 1)] and doc.pages[0].ocr
