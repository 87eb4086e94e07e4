"""A quote that runs from the foot of page 1 onto page 2 ("pp. 1–2") everywhere after the
answer: `lantern verify` checks it across the two pages (and still fails a tampered one),
annotated PDFs highlight both parts, exports show "pp. 1–2" and carry page_end, and data
written before page_end existed still loads (generated PDFs, fake models)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from core import verify_table
from core.annotate import Mark, annotate_pdf
from core.serialize import answer_from_dict, answer_to_markdown, cell_from_dict
from core.tables import read_table
from tests.pagebreak import PAGE_BREAK_QUOTE, page_break_paper

QUESTION = "What batch size was used to train the detector?"


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    page_break_paper(folder)
    return folder


@pytest.fixture
def answer_json(run, fake_generator, papers, tmp_path) -> Path:
    """`ask --json` whose citation runs from page 1 onto page 2."""
    assert run("add", str(papers))[0] == 0
    fake_generator.enqueue("The effective batch size was 32 images per step [1].")
    code, out, err = run("ask", QUESTION, "--json")
    assert code == 0, err
    data = json.loads(out)
    (cite,) = [c for c in data["citations"] if c.get("page_end")]
    assert (cite["page"], cite["page_end"]) == (1, 2) and "size of" in cite["quote"]
    path = tmp_path / "answer.json"
    path.write_text(out, encoding="utf-8")
    return path


def test_the_answer_markdown_cites_both_pages(answer_json):
    answer = answer_from_dict(json.loads(answer_json.read_text(encoding="utf-8")))
    text = answer_to_markdown(answer)
    assert "*Fish Species from Underwater Video*, pp. 1–2" in text


def _tamper(path: Path, old: str, new: str) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    cite = next(c for c in data["citations"] if c.get("page_end"))
    assert old in cite["quote"]
    cite["quote"] = cite["quote"].replace(old, new)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_verify_passes_a_quote_across_two_pages_and_fails_a_tampered_one(answer_json, papers):
    report = verify_table(answer_json, papers_dir=papers)
    assert report.ok, [c.line() for c in report.failures]
    assert report.count("verified") == len(report.checks) >= 1
    (claim,) = [c.claim for c in report.checks if c.claim.page_end]
    assert (claim.page, claim.page_end) == (1, 2)
    for old, new in (("32 images", "64 images"), ("stochastic", "adaptive")):  # page 2, page 1
        _tamper(answer_json, old, new)
        report = verify_table(answer_json, papers_dir=papers)
        (failure,) = report.failures
        assert ", pp. 1–2: quote not on these pages" in failure.line()
        _tamper(answer_json, new, old)
    # Cited on page 1 alone, the words on page 2 are not on its page.
    data = json.loads(answer_json.read_text(encoding="utf-8"))
    for c in data["citations"]:
        c.pop("page_end", None)
    answer_json.write_text(json.dumps(data), encoding="utf-8")
    assert not verify_table(answer_json, papers_dir=papers).ok


def test_annotate_highlights_both_parts(papers, tmp_path):
    pdf = papers / "pagebreak.pdf"
    out = tmp_path / "annotated.pdf"
    placed, missed = annotate_pdf(pdf, [Mark("x", 1, PAGE_BREAK_QUOTE, "Batch: 32", 2)], out)
    assert (placed, missed) == (1, [])
    reader = PdfReader(out)
    notes = [[a.get_object() for a in page.get("/Annots", [])] for page in reader.pages]
    assert [len(n) for n in notes] == [1, 1]
    first, second = notes[0][0], notes[1][0]
    assert first["/Subtype"] == second["/Subtype"] == "/Highlight"
    assert first["/Contents"] == second["/Contents"] == "Batch: 32"
    # Page 1's part is its last two lines (the foot), page 2's its first line (the head).
    assert len(first["/QuadPoints"]) == 16 and len(second["/QuadPoints"]) == 8
    assert float(second["/Rect"][3]) > 700 > float(first["/Rect"][3])
    # Without page_end the quote is not on its page: nothing is written for it.
    placed, missed = annotate_pdf(pdf, [Mark("x", 1, PAGE_BREAK_QUOTE, "Batch: 32")],
                                  tmp_path / "single.pdf")
    assert placed == 0 and len(missed) == 1 and missed[0].pages == "p. 1"


def test_extract_exports_show_both_pages_and_verify(run, papers, tmp_path):
    assert run("add", str(papers))[0] == 0
    out = tmp_path / "t.json"
    argv = ["extract", "--questions", "builtin:dl-methods", "--no-llm"]
    assert run(*argv, "--out", str(out))[0] == 0
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if c["question_id"] == "batch-size"]
    assert cell["status"] == "reported" and (cell["page"], cell["page_end"]) == (1, 2)
    assert "32" in cell["quote"] and all("page_end" in c for c in cells)
    for name, extra in (("t.md", ()), ("t.csv", ()), ("long.csv", ("--long",))):
        assert run(*argv, "--out", str(tmp_path / name), *extra)[0] == 0
        code, stdout, err = run("verify", str(tmp_path / name), "--papers", str(papers))
        assert code == 0, stdout + err
        (claim,) = [c for c in read_table(tmp_path / name).claims if c.label == cell["label"]]
        assert (claim.page, claim.page_end) == (1, 2)
    assert ", pp. 1–2]" in (tmp_path / "t.md").read_text(encoding="utf-8")
    with (tmp_path / "t.csv").open(encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert row[f"{cell['label']} evidence"].startswith("pp. 1–2: ")
    code, stdout, err = run("verify", str(out), "--papers", str(papers))
    assert code == 0, stdout + err


def test_data_without_page_end_still_loads(tmp_path):
    cell = cell_from_dict({"status": "reported", "answer": "32", "quote": "a batch of 32",
                           "page": 4, "supported": True, "grounding": "evidence",
                           "unsupported": [], "model": None, "seconds": 0.0})
    assert cell.page_end is None and cell.pages == "p. 4"
    answer = answer_from_dict({
        "question": "q", "answer": "a [1]", "abstained": False, "evidence": [], "sentences": [],
        "citations": [{"n": 1, "doc_id": "d", "title": "T", "pdf_path": "/x.pdf", "page": 4,
                       "quote": "a batch of 32", "supported": True}],
        "model": None, "timings": {"retrieve_s": 0, "first_token_s": None, "total_s": 0}})
    assert answer.citations[0].page_end is None and answer.citations[0].pages == "p. 4"
    table = tmp_path / "old.json"
    table.write_text(json.dumps({"provenance": {"papers": []}, "cells": [
        {"doc_id": "d", "label": "Batch", "status": "reported", "page": 4, "quote": "q"}]}),
        encoding="utf-8")
    (claim,) = read_table(table).claims
    assert claim.page == 4 and claim.page_end is None
