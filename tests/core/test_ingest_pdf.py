"""read_pdf on generated PDFs: clean text, sections, metadata, and one clear error per bad file."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from core.errors import (
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    NeedsOcrError,
    NotAPdfError,
    TooLargeError,
)
from core.ingest.chunk import chunk_document
from core.ingest.pdf import read_pdf
from core.settings import ChunkSettings
from tests import pdfs


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pdfs")


@pytest.fixture(scope="module")
def ecology(folder):
    return read_pdf(pdfs.ecology_paper(folder))


def all_text(doc) -> str:
    return "\n".join(page.text for page in doc.pages)


def test_facts_are_extracted_with_ligatures_resolved(ecology):
    text = all_text(ecology)
    assert len(ecology.pages) >= 2
    assert "\ufb01" not in text and "\ufb02" not in text
    assert "classification" in text and "workflows" in text and "identification" in text
    for fact in pdfs.ECOLOGY_FACTS.values():
        assert fact in re.sub(r"\s+", " ", text)


def test_hyphenation_is_rejoined(ecology):
    text = all_text(ecology)
    assert not re.search(r"[a-z]-\n[a-z]", text)
    assert "state-of-the-art" in text  # a real hyphen stays
    assert "considerably" in text and "conservation" in text


def test_running_header_and_page_numbers_are_gone(ecology):
    for page in ecology.pages:
        assert pdfs.RUNNING_HEADER not in page.text
        assert not re.search(r"^\d+$", page.text, re.MULTILINE)


def test_sections_follow_the_headings(ecology):
    names = [name for page in ecology.pages for _, name in page.sections]
    assert names == [
        "abstract",
        "introduction",
        "methods",
        "results",
        "discussion",
        "conclusion",
        "acknowledgements",
        "references",
    ]
    chunks = chunk_document(ecology, ChunkSettings())
    gpu = [c for c in chunks if "RTX 3090" in c.text]
    assert [c.section for c in gpu] == ["methods"]
    assert any("V100" in c.text and c.section == "references" for c in chunks)


def test_metadata_ignores_junk_info_title(ecology):
    assert ecology.meta.title == pdfs.ECOLOGY_TITLE
    assert ecology.meta.authors == tuple(pdfs.ECOLOGY_AUTHORS)
    assert ecology.meta.year == 2021


def test_two_columns_read_left_then_right(folder):
    doc = read_pdf(pdfs.two_column_paper(folder))
    numbers = [
        int(n) for n in re.findall(r"Left\s+column\s+sentence\s+number\s+(\d+)", all_text(doc))
    ]
    assert numbers == list(range(1, 40))


def test_empty_password_opens_normally(folder):
    doc = read_pdf(pdfs.encrypted_pdf(folder, password=""))
    assert "RTX 3090" in all_text(doc)


def test_junk_before_header_is_tolerated(folder):
    assert read_pdf(pdfs.junk_before_header(folder)).meta.title == pdfs.ECOLOGY_TITLE


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda d: pdfs.encrypted_pdf(d, "secret"), EncryptedPdfError, "password"),
        (pdfs.text_file_renamed, NotAPdfError, "not a PDF"),
        (pdfs.zip_renamed, NotAPdfError, "ZIP"),
        (pdfs.truncated_pdf, CorruptPdfError, "re-saving"),
        (pdfs.garbage_after_header, CorruptPdfError, "damaged PDF"),
        (pdfs.empty_pdf, EmptyPdfError, "no pages"),
        (pdfs.image_only_pdf, NeedsOcrError, "OCR"),
        (pdfs.bomb_pdf, TooLargeError, "too large"),
    ],
)
def test_bad_files_get_one_clear_error(folder, make, error, words):
    with pytest.raises(error, match=words) as info:
        read_pdf(make(folder))
    assert "\n" not in str(info.value)


def test_missing_file_and_limits(folder):
    with pytest.raises(NotAPdfError, match="not found"):
        read_pdf(folder / "nope.pdf")
    paper = pdfs.ecology_paper(folder, name="limits.pdf")
    with pytest.raises(TooLargeError, match=r"pages \(limit 1\)"):
        read_pdf(paper, max_pages=1)
    big = folder / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    with pytest.raises(TooLargeError, match="MB"):
        read_pdf(big, max_file_mb=1)


def test_pypdf_noise_is_silenced_unless_debug(folder, caplog):
    bomb = pdfs.bomb_pdf(folder, megabytes=80)  # wrong xref offsets: pypdf warns while reading
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.NOTSET, logger="pypdf")  # undo what other tests' CLI runs set
    with pytest.raises(TooLargeError):
        read_pdf(bomb)
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TooLargeError):
        read_pdf(bomb)
    assert [r for r in caplog.records if r.name.startswith("pypdf")]  # --verbose shows them


def test_a_plot_is_not_read_as_text_but_a_form_of_text_is(tmp_path):
    # a plot's axis labels are no sentence of the paper, and parsing its thousands of path
    # operators was most of the reading time of papers full of plots
    path = pdfs.figure_paper(tmp_path)
    assert len(path.read_bytes()) > 64_000 * 2
    text = read_pdf(path, ocr=None).pages[0].text
    assert "Beaver dams raised the water table" in text
    assert "sampling lasted 1499 days" in text  # the imported page, read
    assert "Axis label seventeen" not in text and "0.25" not in text
