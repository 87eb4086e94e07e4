"""Titles read from the layout of generated first pages: letter-spaced, small caps, not a table,
and a year only from the paper's text (never the file's date)."""

from __future__ import annotations

from pathlib import Path

from core.ingest.pdf import read_pdf
from core.ingest.title import table_like, title_from_layout
from core.pdfgen import PdfBuilder, text_width

BODY = (
    "We describe how soil microbial communities change with altitude in alpine meadows.",
    "Samples were taken from six meadows and sequenced on an Illumina MiSeq.",
    "Diversity declined steadily with elevation across all six meadows we sampled.",
)


def body(pdf: PdfBuilder, top: float = 600) -> None:
    """Authors and a few lines of body text under the title."""
    pdf.text(72, top, "Ida Berg, Ravi Shah", size=11, font="Times-Roman")
    for i, line in enumerate(BODY * 4):
        pdf.text(72, top - 40 - 13 * i, line, size=10, font="Times-Roman")


def spaced(pdf: PdfBuilder, x: float, y: float, text: str, size: float, gap: float) -> float:
    """Each letter placed on its own with ``gap`` points between letters (letter-spacing, as
    some journals set titles); returns where the text ends."""
    for ch in text:
        if ch != " ":
            pdf.text(x, y, ch, size=size, font="Helvetica-Bold")
        x += text_width(ch, size, "Helvetica-Bold") + gap
    return x


def small_caps(pdf: PdfBuilder, x: float, y: float, text: str, size: float) -> float:
    """Small capitals: capitals at ``size``, lower-case letters as capitals at 0.75 of it."""
    for ch in text:
        sz = size if not ch.islower() else size * 0.75
        pdf.text(x, y, ch.upper(), size=sz, font="Helvetica-Bold")
        x += text_width(ch.upper(), sz, "Helvetica-Bold")
    return x


def test_a_letter_spaced_title_reads_as_words(tmp_path: Path):
    pdf = PdfBuilder()
    pdf.add_page()
    spaced(pdf, 72, 700, "Paper Search in Alpine Meadows", 20, 3.0)
    body(pdf)
    path = pdf.save(tmp_path / "spaced.pdf")
    assert title_from_layout(path.read_bytes()) == "Paper Search in Alpine Meadows"
    assert read_pdf(path).meta.title == "Paper Search in Alpine Meadows"


def test_a_small_caps_title_keeps_its_small_letters(tmp_path: Path):
    pdf = PdfBuilder()
    pdf.add_page()
    x = small_caps(pdf, 72, 700, "Task2Vec", 20)
    pdf.text(x, 700, ": Task Embedding for Meta-Learning", size=20, font="Helvetica-Bold")
    body(pdf)
    path = pdf.save(tmp_path / "smallcaps.pdf")
    assert read_pdf(path).meta.title == "TASK2VEC: Task Embedding for Meta-Learning"


def test_a_two_line_title_is_joined_and_a_margin_line_number_dropped(tmp_path: Path):
    pdf = PdfBuilder()
    pdf.add_page()
    pdf.text(50, 700, "1", size=9, font="Times-Roman")
    pdf.text(72, 700, "Temporal Changes in the Size Distribution", size=18, font="Times-Bold")
    pdf.text(50, 678, "2", size=9, font="Times-Roman")
    pdf.text(72, 678, "of Breeding Bird Communities", size=18, font="Times-Bold")
    body(pdf)
    path = pdf.save(tmp_path / "numbered.pdf")
    assert read_pdf(path).meta.title == (
        "Temporal Changes in the Size Distribution of Breeding Bird Communities"
    )


def test_a_table_header_in_large_type_is_not_the_title(tmp_path: Path):
    pdf = PdfBuilder()
    pdf.add_page()
    pdf.text(72, 720, "BoolQ PIQA SIQA HellaSwag WinoGrande OBQA", size=16, font="Helvetica-Bold")
    pdf.text(72, 690, "Figure 2: Accuracy of Every Model on Every Benchmark", size=16,
             font="Helvetica-Bold")
    pdf.text(72, 650, "Zero-Shot Results of Small Language Models", size=14, font="Times-Bold")
    body(pdf)
    path = pdf.save(tmp_path / "table.pdf")
    assert read_pdf(path).meta.title == "Zero-Shot Results of Small Language Models"
    assert table_like("BoolQ PIQA SIQA HellaSwag WinoGrande ARC-e ARC-c OBQA")
    assert not table_like("DEEP LEARNING FOR THE IDENTIFICATION OF FISH")


def test_no_year_from_the_files_date(tmp_path: Path):
    pdf = PdfBuilder()
    pdf.add_page()
    pdf.text(72, 700, "Soil Microbes in Alpine Meadows", size=18, font="Times-Bold")
    body(pdf)
    pdf.info["CreationDate"] = "D:20260101120000Z"  # when the file was made, e.g. scanned
    pdf.info["ModDate"] = "D:20260101120000Z"
    path = pdf.save(tmp_path / "undated.pdf")
    assert read_pdf(path).meta.year is None

    pdf.text(72, 80, "Published in Alpine Ecology 12, March 2019", size=8, font="Times-Roman")
    dated = pdf.save(tmp_path / "dated.pdf")
    assert read_pdf(dated).meta.year == 2019
