"""`lantern extract`: JSON lines, exit codes, resume and the --out file (fake models)."""

from __future__ import annotations

import csv
import json
import sys

import pytest

from core import CellDone, Library

QUESTIONS = """\
id = "mini"
title = "Mini audit"

[[questions]]
id = "hardware"
label = "Hardware"
question = "Which GPU or other hardware was used for training?"

[[questions]]
id = "split"
label = "Data split"
question = "How were the data split into training, validation and test sets?"
"""


@pytest.fixture
def qfile(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(QUESTIONS, encoding="utf-8")
    return path


def test_extract_json_lines_and_resume(run, sample_pdfs, qfile, tmp_path, fake_generator):
    run("add", *map(str, sample_pdfs))
    out = tmp_path / "table.csv"
    code, stdout, err = run("extract", "--questions", str(qfile), "--out", str(out), "--json")
    assert code == 0 and err == ""
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert len(lines) == 6 and [d["index"] for d in lines] == list(range(1, 7))
    assert {"doc_id", "title", "question_id", "label", "cached", "status", "answer", "quote",
            "page", "supported", "grounding"} <= set(lines[0])
    assert {d["status"] for d in lines} <= {"reported", "not reported"}
    assert not any(d["cached"] for d in lines) and len(fake_generator.prompts) == 6
    with out.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert len(table) == 4 and table[0][5:] == ["Hardware", "Hardware evidence",
                                                "Data split", "Data split evidence"]

    code, stdout, _ = run("extract", "--questions", str(qfile), "--out", str(out), "--json")
    assert code == 0 and all(json.loads(line)["cached"] for line in stdout.splitlines())
    assert len(fake_generator.prompts) == 6
    code, stdout, _ = run("extract", "--questions", str(qfile), "--out", str(out), "--json", "--force")
    assert not any(json.loads(line)["cached"] for line in stdout.splitlines())
    assert len(fake_generator.prompts) == 12


def test_extract_quiet_lines_and_formats(run, sample_pdfs, tmp_path):
    run("add", *map(str, sample_pdfs))
    cam = next(p["doc_id"] for p in json.loads(run("list", "--json")[1]) if "Camera" in p["title"])
    out = tmp_path / "table.md"
    code, stdout, err = run("extract", "--questions", "builtin:dl-methods", "--paper", cam,
                            "--out", str(out), "--no-llm")
    assert code == 0 and stdout == ""
    assert sum(line.startswith("cell ") for line in err.splitlines()) == 21
    assert "wrote" in err.splitlines()[-1]
    assert "| Hardware | " in out.read_text(encoding="utf-8")
    out = tmp_path / "table.txt"
    code, _, _ = run("extract", "--questions", "builtin:dl-methods", "--paper", cam,
                     "--out", str(out), "--no-llm", "--format", "csv", "--long")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 21


def test_extract_errors(run, sample_pdfs, qfile, tmp_path):
    out = tmp_path / "t.csv"
    code, _, err = run("extract", "--questions", str(qfile), "--out", str(out))
    assert code == 1 and "library is empty" in err
    run("add", str(sample_pdfs[0]))
    code, _, err = run("extract", "--questions", str(qfile), "--out", str(tmp_path / "t.xlsx"))
    assert code == 2 and "--format" in err
    bad = tmp_path / "bad.toml"
    bad.write_text(QUESTIONS.replace('id = "split"', 'id = "hardware"'), encoding="utf-8")
    code, _, err = run("extract", "--questions", str(bad), "--out", str(out))
    assert code == 1 and err.strip().count("\n") == 0
    assert str(bad) in err and "question 2" in err and "duplicate id 'hardware'" in err
    code, _, err = run("extract", "--questions", str(qfile), "--paper", "nope", "--out", str(out))
    assert code == 1 and "nope" in err
    assert not out.exists()


def test_interrupted_run_leaves_the_old_table(run, sample_pdfs, qfile, tmp_path, monkeypatch):
    run("add", *map(str, sample_pdfs))
    out = tmp_path / "t.csv"
    out.write_text("previous table", encoding="utf-8")
    real = Library.extract

    def interrupted(*args, **kw):
        for event in real(*args, **kw):
            yield event
            if isinstance(event, CellDone):
                raise KeyboardInterrupt

    monkeypatch.setattr(Library, "extract", interrupted)
    code, _, err = run("extract", "--questions", str(qfile), "--out", str(out), "--no-llm")
    assert code == 130 and "run the same command again" in err
    assert out.read_text(encoding="utf-8") == "previous table"
    monkeypatch.setattr(Library, "extract", real)
    code, stdout, _ = run("extract", "--questions", str(qfile), "--out", str(out), "--no-llm", "--json")
    assert [json.loads(line)["cached"] for line in stdout.splitlines()] == [True] + [False] * 5


def test_progress_bar_on_a_terminal(run, sample_pdfs, qfile, tmp_path, monkeypatch):
    run("add", *map(str, sample_pdfs))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, err = run("extract", "--questions", str(qfile), "--out", str(tmp_path / "t.md"))
    assert code == 0
    frames = err.split("\r\033[K")
    assert frames[1].startswith("cell 1/6 — ") and frames[1].endswith(" — Hardware — ETA --:--")
    assert any(f.startswith("cell 6/6 — ") and " — ETA 00:0" in f for f in frames)
    assert "\ncell " not in err  # no quiet lines under a bar
