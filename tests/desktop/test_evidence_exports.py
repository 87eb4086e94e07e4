"""File > Verify a table…, annotated PDFs (rendered with QtPdf: the highlight sits over the
quote's words) and BibTeX from an answer, in a window over the fake models."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtWidgets import QMessageBox

from core import Answer, Citation, build_provenance, load_question_set, write_table
from tests.desktop.util import wait_idle

SCALE = 2.0  # pixels per point


@pytest.fixture
def table(qtbot, fake_window, tmp_path):
    """A window over the sample papers and a JSON table of them (--no-llm cells)."""
    window = fake_window(samples=True)
    wait_idle(qtbot, window)
    qset = load_question_set("builtin:dl-methods")
    path = tmp_path / "table.json"

    def make(lib, cancel):  # noqa: ANN001
        list(lib.extract(qset, use_llm=False))
        rows = lib.extract_table(qset, use_llm=False)
        record = build_provenance(lib, [r.paper.doc_id for r in rows], use_llm=False, qset=qset)
        write_table(rows, qset, path, provenance=record)
        return rows

    got = []
    window.backend.op("make-table", make, result=got.append)
    wait_idle(qtbot, window)
    assert got and path.exists()
    return window, path, got[0], qset


def test_verify_a_table_shows_the_result(qtbot, table):
    window, path, _, _ = table
    with qtbot.waitSignal(window.exports.verified, timeout=60_000) as signal:
        window.exports.verify(path)
    assert signal.args[0].ok
    box = window.exports.result_box
    assert box.icon() == QMessageBox.Icon.Information and box.windowTitle() == "Table verified"
    assert box.text().endswith(" 0 failed.")
    box.close()

    data = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in data["cells"] if c["status"] == "reported")
    cell["quote"] = "A sentence this paper never says about " + cell["quote"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with qtbot.waitSignal(window.exports.verified, timeout=60_000):
        window.exports.verify(path)
    box = window.exports.result_box
    assert box.windowTitle() == "Table failed verification" and box.text().endswith(" 1 failed.")
    assert f"{cell['label']}, p. {cell['page']}: quote not on this page" in box.informativeText()
    box.close()


def _render(path, page: int) -> QImage:
    doc = QPdfDocument(None)
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    size = doc.pagePointSize(page - 1)
    options = QPdfDocumentRenderOptions()
    options.setRenderFlags(QPdfDocumentRenderOptions.RenderFlag.Annotations)
    image = doc.render(page - 1, QSize(int(size.width() * SCALE), int(size.height() * SCALE)),
                       options)
    doc.close()
    return image.convertToFormat(QImage.Format.Format_RGB32)


def _changed(a: QImage, b: QImage, rect: tuple[float, ...], height: float) -> float:
    """The share of pixels inside a PDF rectangle (points) that differ between two renders."""
    left, bottom, right, top = rect
    xs = range(int(left * SCALE) + 1, int(right * SCALE) - 1)
    ys = range(int((height - top) * SCALE) + 1, int((height - bottom) * SCALE) - 1)
    pixels = [(x, y) for x in xs for y in ys]
    return sum(a.pixel(x, y) != b.pixel(x, y) for x, y in pixels) / max(len(pixels), 1)


def test_annotated_pdfs_highlight_the_quote_when_rendered(qtbot, table, tmp_path):
    from pypdf import PdfReader

    window, _, rows, qset = table
    out = tmp_path / "annotated"
    with qtbot.waitSignal(window.exports.message, timeout=60_000,
                          check_params_cb=lambda m: m.startswith("Saved")):
        window.exports.annotate_table(rows, qset, out)
    checked = 0
    for row in rows:
        cells = [c for c in row.cells.values() if c is not None and c.reported]
        if not cells:
            continue
        annotated = out / f"{row.paper.path.stem} (annotated).pdf"
        reader = PdfReader(annotated)
        for page in {c.page for c in cells}:
            height = float(reader.pages[page - 1].mediabox.height)
            before, after = _render(row.paper.path, page), _render(annotated, page)
            highlights = [a.get_object() for a in reader.pages[page - 1].get("/Annots", [])]
            assert len(highlights) == sum(c.page == page for c in cells)
            for hl in highlights:
                q = [float(v) for v in hl["/QuadPoints"]]
                for i in range(0, len(q), 8):  # each line of the quote is tinted
                    line = (q[i], q[i + 5], q[i + 2], q[i + 1])
                    assert _changed(before, after, line, height) > 0.5
                    checked += 1
            # nothing changes above the first highlight's box by a line height
            first = [float(v) for v in highlights[0]["/Rect"]]
            above = (first[0], first[3] + 2, first[2], first[3] + 8)
            if all(not (float(h["/Rect"][1]) < above[3] and above[1] < float(h["/Rect"][3]))
                   for h in highlights):
                assert _changed(before, after, above, height) < 0.05
    assert checked


def test_answer_bibtex_and_annotations(qtbot, table, tmp_path):
    window, _, rows, qset = table
    row = next(r for r in rows if any(c is not None and c.reported for c in r.cells.values()))
    cell = next(c for c in row.cells.values() if c is not None and c.reported)
    answer = Answer(question="What hardware?", answer=cell.answer, abstained=False,
                    citations=(Citation(1, row.paper.doc_id, row.paper.title, row.paper.path,
                                        cell.page, cell.quote, True),),
                    evidence=(), sentences=(), model=None)
    bib = tmp_path / "cited.bib"
    with qtbot.waitSignal(window.exports.message, timeout=60_000,
                          check_params_cb=lambda m: m.startswith("Saved")):
        window.exports.answer_bibtex([answer], bib)
    assert bib.read_text(encoding="utf-8").count("@") == 1
    with qtbot.waitSignal(window.exports.message, timeout=60_000,
                          check_params_cb=lambda m: m.startswith("Saved")):
        window.exports.annotate_answer([answer], tmp_path / "out")
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    from pypdf import PdfReader

    notes = [a.get_object()["/Contents"] for p in PdfReader(pdf).pages for a in p.get("/Annots", [])]
    assert notes == [f"What hardware? [1]: {' '.join(cell.answer.split())}"]
    md = tmp_path / "answer.md"
    with qtbot.waitSignal(window.exports.message, timeout=60_000,
                          check_params_cb=lambda m: m.startswith("Saved")):
        window.exports.conversation_markdown([answer], md)
    from core.provenance_io import split_front_matter

    record, body = split_front_matter(md.read_text(encoding="utf-8"))
    assert record["question"] == "What hardware?" and body.startswith("## What hardware?")
    assert [p["sha256"] for p in record["papers"]] == [row.paper.sha256]
