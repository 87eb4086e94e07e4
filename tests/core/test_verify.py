"""`lantern verify`: an exported table passes against its PDFs, and fails naming the cell when
one quote or one PDF is altered (fake models; the cells come from --no-llm extraction)."""

from __future__ import annotations

import json
import shutil

import pytest

from core import TableError, verify_table
from core.provenance_io import sidecar_path


@pytest.fixture
def table(run, sample_pdfs, tmp_path):
    """A JSON table of the sample papers x the built-in set, and a folder with copies of its PDFs."""
    papers = tmp_path / "papers"
    papers.mkdir()
    for pdf in sample_pdfs:
        shutil.copy(pdf, papers / pdf.name)
    assert run("add", str(papers))[0] == 0
    out = tmp_path / "table.json"
    code, _, err = run("extract", "--questions", "builtin:dl-methods", "--out", str(out), "--no-llm")
    assert code == 0, err
    return out


def _reported(data):
    return [c for c in data["cells"] if c["status"] == "reported"]


@pytest.mark.parametrize("fmt", ["json", "md", "csv", "long.csv"])
def test_verify_passes_on_every_format(run, table, tmp_path, fmt):
    out = tmp_path / f"table.{fmt}"
    argv = ["extract", "--questions", "builtin:dl-methods", "--out", str(out), "--no-llm"]
    assert run(*argv, *(["--long"] if fmt == "long.csv" else []))[0] == 0
    data = json.loads(table.read_text(encoding="utf-8"))
    reported, total = len(_reported(data)), len(data["cells"])
    assert reported >= 5
    code, stdout, err = run("verify", str(out))
    assert code == 0, stdout + err
    assert stdout.strip() == f"{total} cells: {reported} verified, {total - reported} not reported, 0 failed"


def test_verify_names_the_cell_whose_quote_was_altered(run, table):
    data = json.loads(table.read_text(encoding="utf-8"))
    cell = _reported(data)[0]
    cell["quote"] = cell["quote"].replace(cell["quote"].split()[-2], "fabricated", 1)
    table.write_text(json.dumps(data), encoding="utf-8")
    code, stdout, err = run("verify", str(table))
    assert code == 1
    line, summary = stdout.splitlines()
    assert line.startswith(f"FAILED {cell['doc_id']}") and f"{cell['label']}, p. {cell['page']}" in line
    assert "quote not on this page" in line and summary.endswith(" 1 failed") and err == ""


def test_verify_says_where_a_quote_on_the_wrong_page_is(run, table):
    data = json.loads(table.read_text(encoding="utf-8"))
    camera = next(p["doc_id"] for p in data["provenance"]["papers"] if "Camera" in p["title"])
    cell = next(c for c in _reported(data) if c["doc_id"] == camera)  # a two-page paper
    moved, cell["page"] = cell["page"], 3 - cell["page"]
    other = next(c for c in _reported(data) if c["doc_id"] != camera)
    other["page"] = 7
    table.write_text(json.dumps(data), encoding="utf-8")
    report = verify_table(table, papers_dir=table.parent / "papers")
    by_label = {f.claim.label: f for f in report.failures}
    assert len(report.failures) == 2
    wrong, beyond = by_label[cell["label"]], by_label[other["label"]]
    assert wrong.claim.doc_id == camera and f"(it is on p. {moved})" in wrong.reason
    assert "has only 1 page" in beyond.reason


def test_verify_fails_every_cell_of_an_altered_pdf(run, table, tmp_path):
    data = json.loads(table.read_text(encoding="utf-8"))
    doc_id = _reported(data)[0]["doc_id"]
    paper = next(p for p in data["provenance"]["papers"] if p["doc_id"] == doc_id)
    pdf = tmp_path / "papers" / paper["file"]
    pdf.write_bytes(pdf.read_bytes() + b"\n% one changed byte\n")
    report = verify_table(table, papers_dir=tmp_path / "papers")
    failed = {c.claim.label for c in report.failures}
    assert failed == {c["label"] for c in _reported(data) if c["doc_id"] == doc_id}
    assert all("no PDF with sha256" in c.reason for c in report.failures)
    # the same from the library: its file no longer has the recorded hash
    code, stdout, _ = run("verify", str(table))
    assert code == 1 and len(stdout.splitlines()) == len(failed) + 1


def test_verify_with_papers_folder_needs_no_library(run, table, tmp_path, monkeypatch):
    monkeypatch.setenv("LANTERN_LIBRARY", str(tmp_path / "no-library"))
    code, stdout, _ = run("verify", str(table), "--papers", str(tmp_path / "papers"), "--json")
    assert code == 0 and json.loads(stdout)["ok"] is True
    assert not (tmp_path / "no-library").exists()


def test_verify_refuses_tables_without_provenance(run, table, tmp_path):
    csv_table = tmp_path / "t.csv"
    assert run("extract", "--questions", "builtin:dl-methods", "--out", str(csv_table), "--no-llm")[0] == 0
    sidecar_path(csv_table).unlink()
    code, _, err = run("verify", str(csv_table))
    assert code == 1 and "t.csv.provenance.json is missing" in err
    bare = tmp_path / "bare.json"
    data = json.loads(table.read_text(encoding="utf-8"))
    del data["provenance"]
    bare.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TableError, match="no provenance"):
        verify_table(bare)
    code, _, err = run("verify", str(tmp_path / "table.txt"))
    assert code == 1 and ".csv" in err
    code, _, err = run("verify", str(table), "--papers", str(tmp_path / "nowhere"))
    assert code == 1 and "nowhere: no such folder" in err


def test_verify_checks_an_answer(run, table, fake_generator):
    fake_generator.enqueue("Training used the Adam optimizer with a learning rate of 0.0003 [1].")
    code, stdout, _ = run("ask", "Which optimizer and learning rate?", "--json")
    assert code == 0
    answer = json.loads(stdout)
    assert answer["provenance"]["question"] == "Which optimizer and learning rate?"
    assert answer["citations"]
    path = table.parent / "answer.json"
    path.write_text(stdout, encoding="utf-8")
    report = verify_table(path, papers_dir=table.parent / "papers")
    assert report.ok and report.count("verified") == len(answer["citations"])


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
def test_a_quote_from_an_ocr_page_is_checked_against_the_stored_ocr_text(fake_library, tmp_path):
    from core.pdfgen import write_paper
    from tests.scangen import write_scan

    note = write_paper(tmp_path / "note.pdf", title="Beaver dams on the Lippe", page_numbers=False,
                       sections=[("Observations", ["Beaver dams raised the water table by 40 cm "
                                                   "along the upper Lippe during the dry summer."])])
    scans = tmp_path / "scans"
    scans.mkdir()
    write_scan(note, scans / "scan.pdf", dpi=150, noise=0.0, skew_deg=0.0)
    assert list(fake_library.add([scans]))[-1].failed == 0
    (paper,) = fake_library.papers()
    assert fake_library.ocr_pages(paper.doc_id) == {1}
    text = " ".join(fake_library.page_text(paper.doc_id, 1).split())
    quote = text[text.index("Beaver dams raised"):][:60]
    table = tmp_path / "ocr.json"
    table.write_text(json.dumps({
        "provenance": {"papers": [{"doc_id": paper.doc_id, "sha256": paper.sha256}]},
        "cells": [{"doc_id": paper.doc_id, "label": "Effect", "status": "reported", "page": 1,
                   "quote": quote}]}), encoding="utf-8")
    assert verify_table(table, library=fake_library).summary() == (
        "1 cells: 1 verified, 0 not reported, 0 failed")
    (failure,) = verify_table(table, papers_dir=scans).failures  # no library: no OCR text
    assert "no text layer" in failure.reason
