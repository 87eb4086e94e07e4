"""Never lose or block a library (issue 15): a file that crashes the pipeline, names that are
not UTF-8, a file that changes while it is read, limits checked before work, FIFOs and broken
links, damaged SQLite pages, read-only libraries. Fake models; the files are generated."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core import BatchFinished, FileResult, LanternError, Library
from core.ingest.worker import ParserProcess
from core.pdfgen import write_paper
from tests.conftest import FakeEmbedder

POISON = "Quuxberg"  # a word whose passages make the embedder below raise


class PoisonEmbedder(FakeEmbedder):
    """Raises an unexpected error (a bug somewhere in the pipeline) on one paper's text."""

    def embed(self, texts):
        if any(POISON in t for t in texts):
            raise RuntimeError("simulated bug in the embedding step")
        return super().embed(texts)


def results(events) -> list[FileResult]:
    return [e for e in events if isinstance(e, FileResult)]


def paper(folder: Path, name: str, title: str, word: str = "grassland") -> Path:
    return write_paper(folder / name, title=title, sections=[
        ("Methods", [f"We sampled {word} plots on {title} with a hand lens and a quadrat."] * 6)])


@pytest.fixture
def poison_library(settings, fake_generator):
    with Library(settings, embedder=PoisonEmbedder(), generator=fake_generator) as lib:
        yield lib


# ---------------------------------------------------------------- 1. poison files


def test_a_file_that_crashes_the_pipeline_fails_alone(poison_library, tmp_path):
    bad = paper(tmp_path, "bad.pdf", "Poison paper", word=POISON)
    good = paper(tmp_path, "good.pdf", "Good paper")
    events = list(poison_library.add([bad, good]))
    out = results(events)
    # both are stored (searchable) first; the bad one fails when its vectors are computed
    assert [(r.path.name, r.status) for r in out] == [
        ("bad.pdf", "added"), ("good.pdf", "added"), ("bad.pdf", "failed")]
    assert "simulated bug" in out[-1].error and "RuntimeError" in out[-1].error
    assert events[-1] == BatchFinished(added=1, unchanged=0, replaced=0, failed=1, cancelled=False)
    assert poison_library.pending() == []  # not retried for ever
    assert [p.title for p in poison_library.papers()] == ["Good paper"]


def test_a_poisoned_queue_gets_unstuck(poison_library, tmp_path):
    """A library whose queue already holds such a file (left by an older version)."""
    bad = paper(tmp_path, "bad.pdf", "Poison paper", word=POISON)
    poison_library._parts.store.queue([bad])
    good = paper(tmp_path, "good.pdf", "Good paper")
    out = results(poison_library.add([good]))
    assert [(r.path.name, r.status) for r in out] == [
        ("bad.pdf", "added"), ("good.pdf", "added"), ("bad.pdf", "failed")]
    assert poison_library.pending() == []
    assert [r.status for r in results(poison_library.add([good]))] == ["unchanged"]


# ---------------------------------------------------------------- 2. names that are not UTF-8


def test_non_utf8_names_are_stored_losslessly(fake_library, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/caf\xe9 \xff\x1b.pdf"
    path = Path(os.fsdecode(raw))
    paper(tmp_path, "x.pdf", "Latin one").rename(path)
    out = results(fake_library.add([folder]))
    assert [r.status for r in out] == ["added"], out
    stored = fake_library.papers()[0].path
    assert os.fsencode(stored) == raw  # the very bytes, so the file can be opened again
    assert [r.status for r in results(fake_library.add([path]))] == ["unchanged"]
    fake_library.remove([fake_library.papers()[0].doc_id])
    assert fake_library.papers() == []


def test_cli_prints_non_utf8_names_escaped(run, tmp_path):
    raw = os.fsencode(tmp_path) + b"/r\xe9sum\xe9\n.pdf"
    paper(tmp_path, "x.pdf", "Latin two").rename(os.fsdecode(raw))
    code, out, _ = run("add", str(tmp_path))
    assert code == 0 and out.count("\n") == 1 and "r\\xe9sum\\xe9\\n.pdf" in out
    code, out, _ = run("list", "--json")
    assert code == 0 and os.fsencode(json_path(out)) == raw


def json_path(out: str) -> str:
    import json

    return json.loads(out)[0]["path"]


# ---------------------------------------------------------------- 4. a file that changes


def test_a_file_rewritten_while_read_is_not_stored_under_the_wrong_identity(
    fake_library, tmp_path, monkeypatch
):
    """The file holds paper A when it is hashed and paper B when it is parsed (a writer
    raced us). Whatever is stored must be B's text under B's hash, or nothing; A must be
    addable afterwards."""
    path = tmp_path / "flip.pdf"
    a = paper(tmp_path, "a.pdf", "Alpine meadow").read_bytes()
    b = paper(tmp_path, "b.pdf", "Boreal forest").read_bytes()
    path.write_bytes(a)
    real_read = ParserProcess.read  # what the pipeline calls (it passes on OCR progress)

    def read_after_a_rewrite(self, p, *args, **kwargs):
        if Path(p) == path and path.read_bytes() == a:
            path.write_bytes(b)
        return real_read(self, p, *args, **kwargs)

    monkeypatch.setattr(ParserProcess, "read", read_after_a_rewrite)
    out = results(fake_library.add([path]))
    assert out[0].status in ("failed", "added")
    if out[0].status == "failed":
        assert "changed while" in out[0].error
    for p in fake_library.papers():  # every stored paper's hash names its own text
        assert (p.sha256, p.title) in {(sha(a), "Alpine meadow"), (sha(b), "Boreal forest")}
    monkeypatch.undo()
    path.write_bytes(a)
    added = results(fake_library.add([path]))
    assert added[0].status in ("added", "replaced") and added[0].title == "Alpine meadow"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- 10. limits before work


def test_size_limit_is_checked_before_hashing(settings, fake_embedder, tmp_path, monkeypatch):
    settings = settings.replace(ingest={"max_file_mb": 1})
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:  # sparse: 3 GiB that take no room
        fh.write(b"%PDF-1.4\n")
        fh.truncate(3 << 30)
    hashed = []
    real = hashlib.sha256

    class Counting:
        def __init__(self, data=b""):
            self.h = real(data)
            hashed.append(len(data))

        def update(self, data):
            hashed.append(len(data))
            self.h.update(data)

        def hexdigest(self):
            return self.h.hexdigest()

    monkeypatch.setattr(hashlib, "sha256", Counting)
    with Library(settings, embedder=fake_embedder) as lib:
        out = results(lib.add([big]))
    assert out[0].status == "failed" and "too large" in out[0].error
    assert sum(hashed) < (1 << 20)


def test_a_very_long_question_gets_one_clear_error(run, fake_library, sample_pdfs):
    run("add", str(sample_pdfs[0]))
    code, out, err = run("ask", "Which GPU was used? " * 1300)  # about 25 KB
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "question is too long" in err


def test_search_refuses_a_negative_k(fake_library, sample_pdfs):
    list(fake_library.add(sample_pdfs[:1]))
    with pytest.raises(LanternError, match="from 1 to 50"):
        fake_library.search("Which GPU?", k=-5)


# ---------------------------------------------------------------- 13. odd things in folders


def test_fifos_broken_links_and_empty_folders_get_a_line_each(run, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    paper(folder, "ok.pdf", "Fine paper")
    os.mkfifo(folder / "pipe.pdf")
    (folder / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no PDFs here")
    code, out, err = run("add", str(folder), str(empty))
    lines = out.splitlines()
    assert code == 1 and len(lines) == 4, out
    by_name = {Path(line.split()[1].rstrip(":")).name: line for line in lines}
    assert by_name["ok.pdf"].startswith("added")
    assert "named pipe" in by_name["pipe.pdf"]
    assert "broken link" in by_name["gone.pdf"]
    assert "no PDF files" in by_name["empty"]


# ---------------------------------------------------------------- 6. damaged SQLite pages


def _root_page(db: Path, table: str) -> int:
    # closed here, not whenever it is collected: a last connection closing later would
    # checkpoint and delete the -wal a test puts beside the file
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    finally:
        con.close()


def _damage(db: Path, page: int) -> None:
    size = 4096
    with db.open("r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(np.random.default_rng(page).bytes(size))


@pytest.fixture
def damaged(run, sample_pdfs, settings):
    """A library of the sample papers, closed cleanly; returns its database file."""
    code, _, _ = run("add", *map(str, sample_pdfs))
    assert code == 0
    return Path(os.environ["LANTERN_LIBRARY"]) / "library.sqlite3"


def test_damaged_chunks_give_one_line_and_doctor_rebuilds(run, damaged):
    _damage(damaged, _root_page(damaged, "chunks"))
    code, out, err = run("ask", "Which GPU?", "--no-llm")
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1
    assert "damaged" in err and "lantern doctor" in err
    code, out, err = run("doctor")
    assert "re-added 3" in out, out + err
    backups = list(damaged.parent.glob("damaged-*/library.sqlite3"))
    assert len(backups) == 1  # the damaged file is kept
    code, out, err = run("list", "--json")
    assert code == 0 and len(__import__("json").loads(out)) == 3
    code, out, _ = run("ask", "Which GPU?", "--no-llm", "--json")
    assert code == 0 and __import__("json").loads(out)["evidence"]
    code, out, _ = run("doctor")
    assert code == 0 and out.strip().endswith("consistent")


def test_damaged_full_text_index_gives_one_line_and_doctor_rebuilds_it(run, damaged):
    _damage(damaged, _root_page(damaged, "chunks_fts_data"))
    code, _, err = run("ask", "Which GPU?", "--no-llm")
    assert code == 1 and err.count("\n") == 1 and "lantern doctor" in err
    code, out, err = run("doctor")
    assert "rebuilt" in out, out + err
    code, out, _ = run("ask", "Which GPU?", "--no-llm", "--json")
    assert code == 0 and __import__("json").loads(out)["evidence"]


def test_unclean_close_runs_quick_check(run, damaged):
    """A -wal left beside the database (a crash) makes the next open check every page."""
    _damage(damaged, _root_page(damaged, "pages"))
    wal = damaged.with_name(damaged.name + "-wal")
    wal.write_bytes(b"")  # what a killed process leaves behind
    code, _, err = run("list")
    assert code == 1 and "damaged" in err and "lantern doctor" in err


# ---------------------------------------------------------------- 9. read-only libraries


def _as_unprivileged(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a command that cannot bypass file permissions (root drops CAP_DAC_OVERRIDE)."""
    prefix = []
    if os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    return subprocess.run(prefix + argv, env=env, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parents[2])


@pytest.mark.e2e  # two `lantern` processes as an unprivileged user
def test_read_only_library_reads_and_says_why_it_cannot_write(run, sample_pdfs, tmp_path):
    code, _, _ = run("add", str(sample_pdfs[0]))
    root = Path(os.environ["LANTERN_LIBRARY"])
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    modes = {p: p.stat().st_mode for p in [root, *root.iterdir()]}
    try:
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        lantern = [sys.executable, "-m", "core.cli", "--library", str(root)]
        listed = _as_unprivileged([*lantern, "list"], env)
        assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
        assert len(listed.stdout.splitlines()) == 1
        added = _as_unprivileged([*lantern, "add", str(sample_pdfs[1])], env)
        assert added.returncode == 1 and added.stderr.count("\n") == 1, added.stderr
        assert "read-only" in added.stderr and "move the library" not in added.stderr.lower()
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def test_library_path_that_is_a_file(run, tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a folder")
    code, _, err = run("--library", str(path), "list")
    assert code == 1 and err.count("\n") == 1 and "is a file" in err
