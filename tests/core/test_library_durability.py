"""The library's promises about its vector index (docs/durability.md), with fake models."""

from __future__ import annotations

import errno
import json
import sqlite3

import numpy as np
import pytest

from core import FileResult, Library
from core.errors import DiskFullError
from core.vectors import journal as vlog
from core.vectors.index import VectorIndex


def results(events) -> list[FileResult]:
    return [e for e in events if isinstance(e, FileResult)]


def in_step(lib: Library) -> bool:
    return lib.index.get().ids() == set(lib._parts.store.chunk_ids(embedded=True))


def test_vectors_of_a_removed_paper_are_dropped_on_open(settings, fake_embedder, sample_pdfs):
    with Library(settings, embedder=fake_embedder) as lib:
        first, *_ = results(lib.add(sample_pdfs))
        lib._parts.store.delete_papers([first.doc_id])  # kill -9 inside remove, after SQLite's part
    with Library(settings, embedder=fake_embedder) as lib:
        assert in_step(lib) and first.doc_id not in lib.index.get().papers
        assert lib.notices == [] and lib.pending() == []  # removed on purpose: nothing to say


def test_remove_and_recovery_on_open_never_load_the_vector_index(settings, fake_embedder,
                                                                 sample_pdfs, monkeypatch):
    """At 10k papers loading the index takes seconds: `lantern remove`, and the clean-up on
    open after a kill -9, append a journal record instead."""
    with Library(settings, embedder=fake_embedder) as lib:
        first, second, third = results(lib.add(sample_pdfs))
        lib._parts.store.delete_papers([second.doc_id])  # kill -9 inside remove, after SQLite's part
    with monkeypatch.context() as patch:
        patch.setattr(VectorIndex, "_load", lambda self: pytest.fail("the index was loaded"))
        with Library(settings, embedder=fake_embedder) as lib:
            assert lib.remove([first.doc_id]) == [first.doc_id]
    with Library(settings, embedder=fake_embedder) as lib:
        assert in_step(lib) and set(lib.index.get().papers) == {third.doc_id}
        assert {h.doc_id for h in lib.search("deep learning camera trap")} == {third.doc_id}


def test_papers_lost_by_the_database_are_named_and_requeued(settings, fake_embedder, sample_pdfs):
    db_path = settings.library / "library.sqlite3"
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs[:1]))
        lib._parts.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        snapshot = db_path.read_bytes()  # the database file before the next two adds
        added = results(lib.add(sample_pdfs[1:]))
        lib._parts.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # what a deleted -wal file does: the database forgets its last transactions
    db_path.write_bytes(snapshot)
    with Library(settings, embedder=fake_embedder) as lib:
        assert len(lib.papers()) == 1
        (note,) = lib.notices
        assert "2 paper(s)" in note and sample_pdfs[1].name in note and "lantern add" in note
        assert set(lib.pending()) == set(sample_pdfs[1:])
        assert in_step(lib)
        again = results(lib.add([]))  # the queue is picked up by the next add
        assert [r.status for r in again] == ["added"] * 2 and {r.doc_id for r in again} == {
            r.doc_id for r in added}
        assert in_step(lib) and lib.doctor().consistent


def test_doctor_rebuilds_a_damaged_index(settings, fake_embedder, sample_pdfs, run):
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs))
        lib.index.get().checkpoint()
        snapshot = vlog.snapshot_path(lib.index.path, lib.index.get().generation)
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 3] ^= 0x5A  # damage inside the vectors and neighbour lists
    snapshot.write_bytes(bytes(data))
    code, out, err = run("ask", "camera traps", "--no-llm")
    assert code == 1 and "vector index damaged" in err and "lantern doctor" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, out, err = run("doctor")
    assert code == 0 and "problem:  vector index damaged" in out and "rebuilt" in out
    assert list(settings.library.glob("*.damaged"))
    with Library(settings, embedder=fake_embedder) as lib:
        assert in_step(lib) and lib.search("camera traps")


def test_nan_vectors_are_found_by_doctor_and_rebuilt(settings, fake_embedder, sample_pdfs):
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs))
        lib.index.get().checkpoint()
        snap = vlog.snapshot_path(lib.index.path, lib.index.get().generation)
        manifest = vlog.manifest_path(lib.index.path)
    data = bytearray(snap.read_bytes())
    data[96 + 132 : 96 + 136] = np.float32("nan").tobytes()  # element 0's first coordinate
    snap.write_bytes(bytes(data))
    # with a checksum that matches the damage, only the check of every vector sees it
    m = json.loads(manifest.read_text())
    m["size"], m["crc32"] = vlog.file_crc32(snap)
    manifest.write_text(json.dumps(m))
    with Library(settings, embedder=fake_embedder) as lib:
        report = lib.doctor()
        assert any("NaN" in p for p in report.problems) and report.consistent
        assert in_step(lib)


def test_ask_never_writes_the_index(settings, fake_embedder, sample_pdfs):
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs))
    settings = settings.replace(chunking={"max_chars": 600})  # a new index: no vectors yet
    with Library(settings, embedder=fake_embedder) as writer, writer.writing():
        reader = Library(settings, embedder=fake_embedder)
        try:
            assert reader.search("camera traps")  # found by keyword; nothing embedded
            assert not vlog.exists(reader.index.path)
        finally:
            reader.close()


def test_list_does_not_open_the_vector_index(run, sample_pdfs, monkeypatch):
    run("add", str(sample_pdfs[0]))
    opened = []
    real = VectorIndex.__init__

    def spy(self, *args, **kwargs):
        opened.append(args)
        real(self, *args, **kwargs)

    monkeypatch.setattr(VectorIndex, "__init__", spy)
    code, out, _ = run("list")
    assert code == 0 and out and opened == []


def test_an_unchanged_index_is_not_read_on_open_and_list_needs_no_numpy(run, sample_pdfs,
                                                                        monkeypatch):
    """The check of the index's record against the database (on every open) runs once per
    change of the index; `lantern list` then imports neither numpy nor hnswlib."""
    import subprocess
    import sys

    run("add", *map(str, sample_pdfs[:2]))
    run("list")  # the first open after the add checks the record
    with monkeypatch.context() as patch:
        patch.setattr(vlog, "read_journal", lambda *a, **k: pytest.fail("journal read"))
        code, out, _ = run("list")
    assert code == 0 and len(out.splitlines()) == 2
    script = ("import sys; sys.modules['numpy'] = sys.modules['hnswlib'] = None; "
              "from core.cli import main; sys.exit(main(['list']))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == out, proc.stderr


def test_disk_full_on_add_leaves_the_library_as_it_was(fake_library, sample_pdfs, monkeypatch):
    list(fake_library.add(sample_pdfs[:1]))
    before = [p.doc_id for p in fake_library.papers()]
    index = fake_library.index.get()

    def full(record):
        raise vlog.disk_full(OSError(errno.ENOSPC, "No space left"), fake_library.root, 10 << 20)

    monkeypatch.setattr(index, "_write", full)
    with pytest.raises(DiskFullError, match=r"^disk full: free \d+ MB on .* and run add again$"):
        list(fake_library.add(sample_pdfs[1:]))
    monkeypatch.undo()
    # the papers stored before the disk filled stay, searchable by their words; the index
    # holds what it held, and the next add (or `lantern index`) computes their vectors
    new = [p.doc_id for p in fake_library.papers() if p.doc_id not in before]
    assert len(new) == 2 and sorted(fake_library.unindexed()) == sorted(new)
    assert fake_library._parts.store.unfinished() == [] and fake_library.index.indexed() == set(before)
    assert results(fake_library.add([])) == []
    assert fake_library.unindexed() == [] and in_step(fake_library)


def test_database_full_is_one_clear_error(fake_library, sample_pdfs, monkeypatch):
    real = fake_library._parts.store.db

    class Full:
        def __getattr__(self, name):
            return getattr(real, name)

        def execute(self, sql, *args):
            if sql.startswith("INSERT INTO papers"):
                exc = sqlite3.OperationalError("database or disk is full")
                exc.sqlite_errorcode = sqlite3.SQLITE_FULL
                raise exc
            return real.execute(sql, *args)

    monkeypatch.setattr(fake_library._parts.store, "db", Full())
    with pytest.raises(DiskFullError, match="disk full"):
        list(fake_library.add(sample_pdfs[:1]))
    monkeypatch.undo()
    assert fake_library.papers() == []


def test_doctor_compact_removes_deleted_slots(run, sample_pdfs, settings, fake_embedder,
                                              monkeypatch):
    monkeypatch.setattr("core.vectors.index.COMPACT_AT", 0.9)  # no automatic compaction
    run("add", *map(str, sample_pdfs))
    with Library(settings, embedder=fake_embedder) as lib:
        lib.index.get().checkpoint()
        lib.remove([lib.papers()[0].doc_id])
        lib.index.get().checkpoint()
        assert lib.index.get().slots > len(lib.index.get())
    code, out, _ = run("doctor", "--compact")
    assert code == 0 and "compacted" in out
    with Library(settings, embedder=fake_embedder) as lib:
        assert lib.index.get().slots == len(lib.index.get()) and in_step(lib)
