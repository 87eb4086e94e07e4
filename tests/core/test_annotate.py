"""Annotated PDFs: one /Highlight per reported cell on its page, over the quote's characters,
read back with pypdf; the originals untouched (fake models; --no-llm cells)."""

from __future__ import annotations

import hashlib
import json
import warnings

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from core.annotate import AnnotateError, Mark, annotate_pdf, quote_rects


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_extract_annotate_writes_one_highlight_per_reported_cell(run, sample_pdfs, tmp_path):
    before = {p: _digest(p) for p in sample_pdfs}
    run("add", *map(str, sample_pdfs))
    out = tmp_path / "annotated"
    code, _, err = run("extract", "--questions", "builtin:dl-methods", "--out",
                       str(tmp_path / "t.json"), "--no-llm", "--annotate", str(out))
    assert code == 0 and "highlights" in err and "not highlighted" not in err
    data = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    files = {p["doc_id"]: p["file"] for p in data["provenance"]["papers"]}
    reported = [c for c in data["cells"] if c["status"] == "reported"]
    assert reported
    seen = 0
    for doc_id, name in files.items():
        cells = [c for c in reported if c["doc_id"] == doc_id]
        path = out / f"{name.removesuffix('.pdf')} (annotated).pdf"
        if not cells:
            assert not path.exists()
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # opens without warnings
            reader = PdfReader(path, strict=True)
            pdf = pdfium.PdfDocument(str(path))
            for cell in cells:
                page = reader.pages[cell["page"] - 1]
                notes = [a.get_object() for a in page.get("/Annots", [])]
                (hl,) = [a for a in notes if a["/Contents"] == f"{cell['label']}: {cell['answer']}"]
                assert hl["/Subtype"] == "/Highlight" and len(hl["/QuadPoints"]) % 8 == 0
                rect = [float(v) for v in hl["/Rect"]]
                textpage = pdf[cell["page"] - 1].get_textpage()
                boxes = quote_rects(textpage, cell["quote"])
                assert boxes and all(_overlaps(rect, b) for b in boxes)
                seen += 1
            total = sum(len(p.get("/Annots", [])) for p in reader.pages)
            assert total == len(cells)
            pdf.close()
    assert seen == len(reported)
    assert {p: _digest(p) for p in sample_pdfs} == before  # originals untouched


def test_a_quote_not_on_its_page_is_reported_not_drawn(sample_pdfs, tmp_path):
    pdf = sample_pdfs[0]
    placed, missed = annotate_pdf(
        pdf, [Mark("x", 1, "no such sentence anywhere in this paper", "Q: A")], tmp_path / "o.pdf")
    assert placed == 0 and len(missed) == 1
    with pytest.raises(AnnotateError, match="original"):
        annotate_pdf(pdf, [], pdf)


def test_ask_annotate_marks_each_citation(run, sample_pdfs, tmp_path, fake_generator):
    run("add", *map(str, sample_pdfs))
    fake_generator.enqueue("Training used the Adam optimizer with a learning rate of 0.0003 [1].")
    code, stdout, _ = run("ask", "Which optimizer and learning rate?", "--json",
                          "--annotate", str(tmp_path / "out"))
    answer = json.loads(stdout)
    assert code == 0 and answer["citations"]
    files = list((tmp_path / "out").glob("*.pdf"))
    assert len(files) == len({c["doc_id"] for c in answer["citations"]})
    notes = [a.get_object()["/Contents"] for f in files for p in PdfReader(f).pages
             for a in p.get("/Annots", [])]
    assert len(notes) == len(answer["citations"])
    assert all(n.startswith("Which optimizer and learning rate? [") for n in notes)


def test_a_quote_across_manuscript_line_numbers_is_found(tmp_path):
    """Line-numbered drafts: ingestion drops the numbers from the quote; the highlight and
    `verify` find it on the page all the same, and the highlight leaves the numbers out."""
    from core.ingest.clean import clean_text
    from core.pdfgen import PdfBuilder
    from core.verify import PageTexts, words

    lines = ["We counted otters at dawn on six tributaries of the Ruhr in",
             "every month of 2019 and 2020, following the protocol of the",
             "national monitoring scheme for semi-aquatic mammals in rivers."]
    lines = [*lines, *(f"Filler line {n} of the methods section of this draft." for n in range(9))]
    pdf = PdfBuilder()
    for n, line in enumerate(lines, start=40):
        y = 700 - 14 * (n - 40)
        pdf.text(72, y, line + " ")
        pdf.text(40, y, str(n), size=9)  # drawn after its line, as word processors do
    path = tmp_path / "draft.pdf"
    path.write_bytes(pdf.to_bytes())
    quote = " ".join(lines[:3])
    assert words(quote) in words(clean_text(PdfReader(path).pages[0].extract_text()))
    texts = PageTexts(path)
    assert texts.holds(1, words(quote))
    texts.close()
    doc = pdfium.PdfDocument(str(path))
    rects = quote_rects(doc[0].get_textpage(), quote)
    doc.close()
    assert len(rects) == 3 and all(r[0] >= 70 for r in rects)  # not over the numbers at x=40
