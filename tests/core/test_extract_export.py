"""Extraction tables as files: wide and long CSV, JSON, Markdown; written atomically."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from core import Cell, CellStatus, Row
from core.extract import format_for, parse_question_set, write_table
from core.types import Paper

QSET = parse_question_set("""
id = "mini"
title = "Mini audit"
[[questions]]
id = "hardware"
label = "Hardware"
question = "Which hardware?"
[[questions]]
id = "optimizer"
label = "Optimizer"
question = "Which optimizer?"
""")


def paper(doc_id: str, title: str, authors=("Ana Lindqvist", "Tomas Berger"), year=2023) -> Paper:
    return Paper(doc_id, title, tuple(authors), year, None, 9, 30, Path(f"/papers/{doc_id}.pdf"),
                 doc_id * 4, 0.0)


QUOTE = 'The model was trained on a single "NVIDIA RTX 3090" GPU,\nwith 24 GB | of memory; ü.'
ROWS = [
    Row(paper("aaa", "Deep Learning, Alpine\nMammals"), {
        "hardware": Cell(status=CellStatus.REPORTED, answer="A single NVIDIA RTX 3090 GPU.", quote=QUOTE, page=4, supported=True, grounding="generated"),
        "optimizer": Cell(status=CellStatus.NOT_REPORTED),
    }),
    Row(paper("bbb", "Grassland", authors=(), year=None), {
        "hardware": Cell(status=CellStatus.NOT_REPORTED),
        "optimizer": None,  # not extracted yet
    }),
]


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheets
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_format_from_suffix():
    assert [format_for(n) for n in ("a.csv", "b.MD", "c.markdown", "d.json", "e.xlsx")] == \
        ["csv", "md", "md", "json", None]


def test_wide_csv(tmp_path):
    rows = read_csv(write_table(ROWS, QSET, tmp_path / "t.csv"))
    assert rows[0] == ["doc_id", "title", "authors", "year", "file",
                       "Hardware", "Hardware evidence", "Optimizer", "Optimizer evidence"]
    assert len(rows) == 3 and all(len(r) == 9 for r in rows)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["title"] == "Deep Learning, Alpine Mammals"  # newline collapsed
    assert first["authors"] == "Ana Lindqvist; Tomas Berger" and first["year"] == "2023"
    assert first["file"] == "aaa.pdf"
    assert first["Hardware"] == "A single NVIDIA RTX 3090 GPU."
    assert first["Hardware evidence"] == "p. 4: " + " ".join(QUOTE.split())
    assert first["Optimizer"] == "not reported" and first["Optimizer evidence"] == ""
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["year"] == "" and second["Optimizer"] == ""  # not extracted


def test_long_csv(tmp_path):
    rows = read_csv(write_table(ROWS, QSET, tmp_path / "t.csv", long=True))
    assert rows[0] == ["doc_id", "title", "question_id", "label", "status", "answer", "quote",
                       "page", "page_end", "supported", "grounding"]
    assert len(rows) == 1 + 2 * 2
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [(r["doc_id"], r["question_id"]) for r in records] == [
        ("aaa", "hardware"), ("aaa", "optimizer"), ("bbb", "hardware"), ("bbb", "optimizer")]
    assert records[0]["page"] == "4" and records[0]["supported"] == "True"
    assert records[0]["quote"] == " ".join(QUOTE.split())
    assert records[1]["status"] == "not reported" and records[1]["page"] == ""
    assert records[3]["status"] == ""


def test_json(tmp_path):
    data = json.loads(write_table(ROWS, QSET, tmp_path / "t.json").read_text(encoding="utf-8"))
    assert data["question_set"]["id"] == "mini"
    assert [q["label"] for q in data["question_set"]["questions"]] == ["Hardware", "Optimizer"]
    assert [p["doc_id"] for p in data["papers"]] == ["aaa", "bbb"]
    assert len(data["cells"]) == 4
    hw = data["cells"][0]
    assert hw["status"] == "reported" and hw["page"] == 4 and hw["supported"] is True
    assert "ü" in hw["quote"]


def test_markdown(tmp_path):
    text = write_table(ROWS, QSET, tmp_path / "t.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# Mini audit"
    assert "Not reported: 2 of 4 cells." in text
    tables = [line for line in lines if line.startswith("|")]
    cols = {line.replace("\\|", "").count("|") for line in tables}
    assert cols == {4}  # every table row has three columns; pipes in quotes are escaped
    assert "| Hardware | 1 | 1 |" in lines and "| Optimizer | 0 | 1 |" in lines
    assert "## Deep Learning, Alpine Mammals (2023)" in lines and "## Grassland" in lines
    hw = next(line for line in lines if line.startswith("| Hardware | A single"))
    assert '[@lindqvist2023deep, p. 4]: "The model was trained' in hw  # Pandoc citation
    assert "| Optimizer | *not reported* |  |" in lines and "| Optimizer | — |  |" in lines
    assert text.count("Not reported: 1 of 2.") == 2


def test_long_quotes_are_shortened_in_markdown(tmp_path):
    quote = "word " * 100
    rows = [Row(paper("ccc", "T"), {"hardware": Cell(status=CellStatus.REPORTED, answer="x", quote=quote, page=1, supported=True, grounding="generated"),
                                     "optimizer": None})]
    text = write_table(rows, QSET, tmp_path / "t.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("| Hardware | x"))
    assert len(line) < 220 and line.endswith('word…" |')


def test_write_is_atomic(tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown export format"):
        write_table(ROWS, QSET, out, "xlsx")
    assert out.read_text(encoding="utf-8") == "old"
    write_table(ROWS, QSET, out)
    assert read_csv(out)[0][0] == "doc_id"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temp file left behind


def test_markdown_cites_with_given_citekeys(tmp_path):
    keys = {ROWS[0].paper.doc_id: "lindqvist2023zotero"}
    text = write_table(ROWS, QSET, tmp_path / "t.md", citekeys=keys).read_text(encoding="utf-8")
    assert "[@lindqvist2023zotero, p. 4]" in text and "@lindqvist2023zotero" in text


HOSTILE = ('<script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:alert(3)) '
           '<javascript:alert(4)> \x1b[31mred\x1b[0m @dup2023 $x$ | pipe')


def assert_inert(text: str) -> None:
    """No raw HTML, no link, no control character, no stray citation from the content: each
    < [ ] @ is escaped by a backslash (CommonMark then shows it as text)."""
    content = text.replace("<details><summary>", "").replace("</summary>", "")
    content = content.replace("</details>", "").replace("[@lindqvist2023script, p. 2]", "")
    content = content.replace(" @lindqvist2023script", "")  # our own: the paper's citekey
    assert not re.search(r"(?<!\\)[<\[\]@]", re.sub(r"\[\d+\]", "", content))
    assert "\x1b" not in text
    assert "\\<script\\>" in text and "\\[link\\](javascript:alert(3))" in text
    assert "\\@dup2023" in text and " @dup2023" not in text.replace("\\@", "")


def test_markdown_escapes_titles_cells_and_labels(tmp_path):
    qset = parse_question_set('''
id = "x"
title = "Audit <b>bold</b>"
[[questions]]
id = "q"
label = "Label <i>x</i>"
question = "Which?"
''')
    rows = [Row(paper("aaa", HOSTILE), {"q": Cell(
        status=CellStatus.REPORTED, answer=HOSTILE, quote=HOSTILE + " quoted", page=2,
        supported=True, grounding="generated")})]
    text = write_table(rows, qset, tmp_path / "t.md").read_text(encoding="utf-8")
    assert_inert(text)
    assert "<b>" not in text and "<i>" not in text
    assert "[@lindqvist2023script, p. 2]" in text  # our own citation stays one
    table = [line for line in text.splitlines() if line.startswith("| Label")]
    assert table and all(line.replace("\\|", "").count("|") == 4 for line in table)


def test_answer_markdown_escapes_what_papers_and_models_wrote():
    from core import answer_to_markdown
    from core.types import Answer, Citation, Evidence, Sentence, Timings

    answer = Answer(
        question=HOSTILE, answer=HOSTILE, abstained=False,
        citations=(Citation(1, "aaa", HOSTILE, Path("/p/a.pdf"), 3, HOSTILE, True),),
        evidence=(Evidence(1, "aaa", HOSTILE, Path("/p/a.pdf"), 3, 3, "body", HOSTILE, 0.9),),
        sentences=(Sentence(HOSTILE, (1,), False, HOSTILE),), model="m<script>",
        timings=Timings(0.1, None, 0.2), mode="generated", draft=HOSTILE)
    text = answer_to_markdown(answer)
    assert_inert(text)
    assert "<details>" in text  # the fold is ours; what it holds is escaped
